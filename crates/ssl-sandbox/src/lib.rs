//! # ssl-sandbox
//!
//! What Pebble is to ACME, this is to the reseller/CA APIs of ssl-orders: a local HTTP server that speaks each
//! provider's real wire protocol (paths under the real prefix, auth, status codes, bodies and error shapes), keeps
//! orders moving through the provider's own statuses, hands out real DCV tokens, issues real X.509 certificates
//! for the CSR's key from its own test CA, and injects faults on demand.
//!
//! Providers served: DigiCert CertCentral (`/services/v2`, see [`digicert`]) and GoGetSSL (`/api`, see
//! [`gogetssl`]).
//!
//! ```no_run
//! # async fn run() -> Result<(), ssl_sandbox::SandboxError> {
//! use ssl_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let base = sandbox.base_url("digicert").unwrap(); // http://127.0.0.1:PORT/services/v2
//! let key = ssl_sandbox::SandboxHandle::credentials()[0].1[0]; // (SSL_ORDERS_DIGICERT_API_KEY, key)
//! # let _ = (base, key);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Modules
//! - [`ca`]: root + intermediate (one per state directory, created on first start) and leaf issuance.
//! - [`knobs`]: approval, DCV mode and fault rules (JSON format documented there).
//! - [`state`]: what is kept and how it is persisted (`state.json` + `ca/*.pem`).
//! - the inspection API under `/_sandbox/` (see [`SandboxHandle::inspect_url`] for the endpoint list).
//! - [`digicert`]: the DigiCert wire protocol. Adding a provider is one such module plus a line in the
//!   provider table.

pub mod ca;
mod dcv;
pub mod digicert;
mod digicert_products;
pub mod gogetssl;
mod inspect;
pub mod knobs;
mod listener;
mod server;
pub mod state;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use knobs::{Approval, DcvMode, Fault, FaultKind, Knobs};
pub use state::RecordedRequest;

/// How to start a sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// Where state (`state.json`) and the CA (`ca/*.pem`) live; `None`: in memory, a fresh CA per start.
    pub state_dir: Option<PathBuf>,
    /// Approval knob at start. With a persisted state, a non-default value overrides the persisted knob and the
    /// default keeps it.
    pub approval: Approval,
    /// DCV mode at start. With a persisted state, a non-default value overrides the persisted knob and the
    /// default keeps it.
    pub dcv: DcvMode,
    /// Seed for every random choice (fault probabilities, DCV tokens); overrides the persisted one when set.
    pub seed: Option<u64>,
}

/// Why the sandbox could not start or save.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The listen address could not be bound or is not loopback.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        message: String,
    },
    /// The CA could not be made or loaded.
    #[error("sandbox CA: {0}")]
    Ca(String),
    /// `state.json` could not be read or written.
    #[error("sandbox state: {0}")]
    State(String),
}

impl SandboxError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }
}

/// Starts sandboxes.
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// Start a sandbox on `addr` (use port 0 for any free port). The address must be loopback: the sandbox has
    /// no TLS and test credentials. Returns once it accepts connections.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> Result<SandboxHandle, SandboxError> {
        if !addr.ip().is_loopback() {
            return Err(SandboxError::Bind { addr, message: "the sandbox listens on loopback addresses only".into() });
        }
        let ca = match &config.state_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| SandboxError::io(dir, e))?;
                ca::Ca::load_or_create(dir)?
            }
            None => ca::Ca::generate()?,
        };
        let store = state::Store::open(config.state_dir.as_deref())?;
        {
            // A new state takes the config; a persisted one keeps its knobs except where the config asks for
            // something other than the default.
            let fresh = !store.loaded();
            let mut st = store.lock();
            if fresh || config.approval != Approval::default() {
                st.knobs.approval = config.approval;
            }
            if fresh || config.dcv != DcvMode::default() {
                st.knobs.dcv = config.dcv;
            }
            if config.seed.is_some() && st.knobs.seed != config.seed {
                st.knobs.seed = config.seed;
                st.token_rng = None;
                st.fault_rng = None;
            }
        }
        store.save()?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| SandboxError::Bind { addr, message: e.to_string() })?;
        let local = listener.local_addr().map_err(|e| SandboxError::Bind { addr, message: e.to_string() })?;
        let shared = Arc::new(server::Shared { ca, store, config, addr: local });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            let svc = app.into_make_service_with_connect_info::<listener::ConnHandle>();
            let serve = axum::serve(listener::KillableListener(listener), svc).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("sandbox server stopped: {e}");
            }
        });
        Ok(SandboxHandle { shared, shutdown: Some(tx), task: Some(task) })
    }
}

/// A running sandbox. Dropping it stops the server (without the final save [`SandboxHandle::shutdown`] does;
/// state is saved after every request anyway).
#[derive(Debug)]
pub struct SandboxHandle {
    shared: Arc<server::Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SandboxHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.shared.addr))
            .unwrap_or_else(|_| unreachable!("socket address and static path make a URL"))
    }

    /// The base URL a provider client should use (`digicert` → `http://127.0.0.1:PORT/services/v2`), `None` for
    /// a provider the sandbox does not serve.
    pub fn base_url(&self, provider: &str) -> Option<url::Url> {
        server::provider(provider).map(|p| self.url(p.prefix))
    }

    /// The inspection API (`http://127.0.0.1:PORT/_sandbox`):
    ///
    /// | method + path | what |
    /// |---|---|
    /// | `GET /_sandbox` | index: providers, base URLs, credentials, endpoints |
    /// | `GET /_sandbox/orders[/{provider}[/{id}]]` | orders as the sandbox keeps them |
    /// | `POST /_sandbox/orders/{provider}/{id}/approve` | approve an order waiting for approval |
    /// | `POST /_sandbox/orders/{provider}/{id}/dcv` | mark DCV passed (manual mode; issues when approved) |
    /// | `POST /_sandbox/orders/{provider}/{id}/reject` | reject an order |
    /// | `GET /_sandbox/requests[?provider=]`, `DELETE` | received requests, credentials redacted |
    /// | `GET /_sandbox/ca/root.pem`, `/_sandbox/ca/intermediate.pem` | the CA |
    /// | `GET`/`PUT /_sandbox/knobs` | read / replace every knob ([`knobs`] has the JSON) |
    /// | `POST /_sandbox/knobs/faults`, `DELETE` | add one fault / clear the faults |
    /// | `GET`/`POST`/`DELETE /_sandbox/dns` | DNS records for real DCV: `{"name","type","value"}` |
    /// | `GET`/`POST`/`DELETE /_sandbox/http-hosts` | host → loopback address for real HTTP DCV: `{"host","addr"}` |
    /// | `POST /_sandbox/reset` | forget orders, requests, DNS, hosts, clock; knobs back to the start config |
    /// | `GET`/`POST /_sandbox/clock` | virtual clock: `{"advance_days"}`, `{"advance_seconds"}` or `{"offset_seconds"}` |
    pub fn inspect_url(&self) -> url::Url {
        self.url("/_sandbox")
    }

    /// The root certificate (PEM): trust it to verify the issued chains.
    pub fn root_pem(&self) -> String {
        self.shared.ca.root_pem.clone()
    }

    /// The intermediate certificate (PEM) that signs every leaf.
    pub fn intermediate_pem(&self) -> String {
        self.shared.ca.intermediate_pem.clone()
    }

    /// The credentials each provider accepts, as `(provider, [(environment variable, value)])`; DigiCert:
    /// `SSL_ORDERS_DIGICERT_API_KEY = sandbox-digicert-key`; GoGetSSL: `SSL_ORDERS_GOGETSSL_USER =
    /// sandbox-gogetssl-user`, `SSL_ORDERS_GOGETSSL_PASSWORD = sandbox-gogetssl-password`.
    pub fn credentials() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
        server::PROVIDERS.iter().map(|p| (p.name, p.credentials.to_vec())).collect()
    }

    /// The orders of `provider` as the sandbox keeps them (JSON; DigiCert: see [`digicert::DcOrder`]).
    pub fn orders(&self, provider: &str) -> Vec<serde_json::Value> {
        server::provider(provider).map(|p| self.shared.orders(p)).unwrap_or_default()
    }

    /// The current knobs (with fault firing counts).
    pub fn knobs(&self) -> Knobs {
        self.shared.store.lock().knobs.clone()
    }

    /// Replace every knob.
    pub fn set_knobs(&self, knobs: Knobs) {
        self.shared.set_knobs(knobs);
    }

    /// The requests received so far (oldest first, at most [`state::REQUEST_LOG_LIMIT`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.store.lock().requests.clone()
    }

    /// Approve an order waiting for approval (as `POST /_sandbox/orders/{provider}/{id}/approve`).
    pub fn approve(&self, provider: &str, order_id: &str) -> Result<serde_json::Value, String> {
        self.shared.order_action(provider, order_id, server::OrderAction::Approve).map_err(|(_, m)| m)
    }

    /// Mark an order's DCV passed (as `POST /_sandbox/orders/{provider}/{id}/dcv`).
    pub fn pass_dcv(&self, provider: &str, order_id: &str) -> Result<serde_json::Value, String> {
        self.shared.order_action(provider, order_id, server::OrderAction::PassDcv).map_err(|(_, m)| m)
    }

    /// Add a DNS record for real DCV (`record_type` `TXT` or `CNAME`).
    pub fn add_dns_record(&self, name: &str, record_type: &str, value: &str) {
        let rec = ssl_core::model::DnsRecord {
            name: name.to_owned(),
            record_type: record_type.to_ascii_uppercase(),
            value: value.to_owned(),
        };
        self.shared.store.lock().dns.push(rec);
        self.shared.store.save_logged();
    }

    /// Map a host to a loopback address for real HTTP DCV.
    pub fn map_http_host(&self, host: &str, addr: SocketAddr) -> Result<(), String> {
        self.shared.map_http_host(host, addr)
    }

    /// Move the virtual clock forward by `by` (coverage checks, issuance dates and expiry use it; leaves issued
    /// while it is ahead start in the future by real time). Returns the sandbox's new time.
    pub fn advance_clock(&self, by: std::time::Duration) -> time::OffsetDateTime {
        self.shared.move_clock(Some(i64::try_from(by.as_secs()).unwrap_or(i64::MAX)), None)
    }

    /// Forget orders, requests, DNS records, host mappings and the clock offset; knobs back to the start config.
    /// The CA stays.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stop the server (waiting up to 5 s for requests in flight) and save the state.
    pub async fn shutdown(mut self) {
        self.stop().await;
        self.shared.store.save_logged();
    }

    async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
