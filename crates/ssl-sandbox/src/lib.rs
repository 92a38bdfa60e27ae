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
//! - [`knobs`]: approval, DCV mode, published rate limits and fault rules (JSON format documented there).
//! - `kit`: what every provider module builds on (state and its persistence in [`kit::state`], the order state
//!   machine, DCV checks, rate limits in [`kit::limits`], dates, ids); it names no provider.
//! - `registry`: the only place naming provider modules; adding a provider is one module plus its registry entry.
//! - the inspection API under `/_sandbox/` (see [`SandboxHandle::inspect_url`] for the endpoint list).

pub mod ca;
mod config;
mod control;
mod error;
mod files;
mod inspect;
pub mod kit;
pub mod knobs;
mod listener;
mod registry;
mod server;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use config::SandboxConfig;
pub use error::SandboxError;
pub use kit::state::{Mail, RecordedRequest};
pub use knobs::{Approval, DcvMode, Fault, FaultKind, Knobs, RateLimits};
pub use registry::*;

use kit::app::Shared;
use kit::book::Action;

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
                // First start (CA creation) under the directory lock other processes take per request.
                let _lock = kit::state::dir_lock_blocking(dir)?;
                ca::Ca::load_or_create(dir)?
            }
            None => ca::Ca::generate()?,
        };
        let store = kit::state::Store::open(config.state_dir.as_deref())?;
        {
            let _turn = store.begin_blocking();
            // A new state takes the config; a persisted one keeps its knobs except where the config asks for
            // something other than the default.
            let fresh = !store.loaded();
            let mut st = store.lock();
            for p in registry::PROVIDERS {
                (p.book.check)(&mut st).map_err(SandboxError::State)?;
            }
            let k = &mut st.kit;
            if fresh || config.approval != Approval::default() {
                k.knobs.approval = config.approval;
            }
            if fresh || config.dcv != DcvMode::default() {
                k.knobs.dcv = config.dcv;
            }
            if config.seed.is_some() && k.knobs.seed != config.seed {
                k.knobs.seed = config.seed;
                k.token_rng = None;
                k.fault_rng = None;
            }
            drop(st);
            store.save()?;
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| SandboxError::Bind { addr, message: e.to_string() })?;
        let local = listener.local_addr().map_err(|e| SandboxError::Bind { addr, message: e.to_string() })?;
        let shared = Arc::new(Shared { ca, store, config, addr: local, limiter: Mutex::default() });
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

/// A running sandbox. Dropping it stops the server (state is saved after every request).
#[derive(Debug)]
pub struct SandboxHandle {
    shared: Arc<Shared>,
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

    /// One turn of the state lock (reload, `f`, save), as every request takes.
    fn with<T>(&self, f: impl FnOnce(&Shared) -> T) -> T {
        let turn = self.shared.store.begin_blocking();
        let out = f(&self.shared);
        self.shared.store.save_logged();
        drop(turn);
        out
    }

    /// The base URL a provider client should use (`digicert` → `http://127.0.0.1:PORT/services/v2`), `None` for
    /// a provider the sandbox does not serve.
    pub fn base_url(&self, provider: &str) -> Option<url::Url> {
        registry::provider(provider).map(|p| self.url(p.prefix))
    }

    /// The providers served, by name.
    pub fn providers() -> Vec<&'static str> {
        registry::PROVIDERS.iter().map(|p| p.name).collect()
    }

    /// The inspection API (`http://127.0.0.1:PORT/_sandbox`):
    ///
    /// | method + path | what |
    /// |---|---|
    /// | `GET /_sandbox` | index: providers, base URLs, credentials, endpoints |
    /// | `GET /_sandbox/orders[/{provider}[/{id}]]` | orders as the sandbox keeps them (with the wire `status`) |
    /// | `POST /_sandbox/orders/{provider}/{id}/approve` | approve an order waiting for approval |
    /// | `POST /_sandbox/orders/{provider}/{id}/dcv` | mark DCV passed (`{"name"}`: one name; issues when approved) |
    /// | `POST /_sandbox/orders/{provider}/{id}/reject` | reject an order |
    /// | `POST /_sandbox/orders/{provider}/{id}/status` | `{"raw": "on_hold"}` shows that raw status; `null` undoes |
    /// | `POST /_sandbox/orders/{provider}/{id}/coverage` | `{"ends": "YYYY-MM-DD"}` moves the end of the order's term |
    /// | `GET /_sandbox/catalog/{provider}` | the sandbox's own product catalog for the provider |
    /// | `GET /_sandbox/mailbox` | approval emails sent; `GET`/`POST /_sandbox/mailbox/{id}/approve` follows the link |
    /// | `GET /_sandbox/csr-keys[?csr=PEM\|?key=HEX]` | orders per CSR public key (SHA-256 of the SPKI) |
    /// | `POST /_sandbox/seed` | `{"provider","count","stage"}`: create orders in a stage (`issued` default) |
    /// | `GET /_sandbox/events[?provider=&since=SEQ]`, `DELETE` | every request received (no limit) |
    /// | `GET /_sandbox/requests[?provider=]`, `DELETE` | the last 500 requests, credentials redacted |
    /// | `GET /_sandbox/ca/root.pem`, `/_sandbox/ca/intermediate.pem` | the CA |
    /// | `GET`/`PUT /_sandbox/knobs` | read / replace every knob ([`knobs`] has the JSON) |
    /// | `POST /_sandbox/knobs/faults`, `DELETE` | add one fault / clear the faults |
    /// | `GET`/`POST`/`DELETE /_sandbox/dns` | DNS records for real DCV: `{"name","type","value"}` |
    /// | `GET`/`POST`/`DELETE /_sandbox/http-hosts` | host → loopback address for real HTTP DCV: `{"host","addr"}` |
    /// | `POST /_sandbox/reset` | forget orders, requests, events, mail, DNS, hosts, clock; knobs back to the start |
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

    /// The credentials each provider accepts, as `(provider, [(environment variable, value)])`.
    pub fn credentials() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
        registry::PROVIDERS.iter().map(|p| (p.name, p.credentials.to_vec())).collect()
    }

    /// The orders of `provider` as the sandbox keeps them (JSON, with the wire `status`).
    pub fn orders(&self, provider: &str) -> Vec<serde_json::Value> {
        self.with(|s| registry::provider(provider).map(|p| control::orders(s, p)).unwrap_or_default())
    }

    /// The current knobs (with fault firing counts).
    pub fn knobs(&self) -> Knobs {
        self.with(|s| s.state().kit.knobs.clone())
    }

    /// Replace every knob.
    pub fn set_knobs(&self, knobs: Knobs) {
        self.with(|s| control::set_knobs(s, knobs));
    }

    /// The last requests received (oldest first, at most [`kit::state::REQUEST_LOG_LIMIT`]).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.with(|s| s.state().kit.requests.clone())
    }

    /// Every request received since the start or the last reset (no limit).
    pub fn events(&self) -> Vec<RecordedRequest> {
        self.shared.store.events()
    }

    /// The approval emails sent so far.
    pub fn mailbox(&self) -> Vec<Mail> {
        self.with(|s| {
            for p in registry::PROVIDERS {
                (p.book.tick)(&mut s.state());
            }
            s.state().kit.mailbox.clone()
        })
    }

    /// Follow the approval link of mail `id`.
    pub fn approve_mail(&self, id: u64) -> Result<serde_json::Value, String> {
        self.with(|s| control::approve_mail(s, id)).map_err(|(_, m)| m)
    }

    /// How many orders (every provider) were placed for the public key of `csr`.
    pub fn orders_for_csr_key(&self, csr: &str) -> Result<usize, String> {
        let key = ca::parse_csr(csr).map_err(|e| e.0)?.spki_sha256;
        Ok(self.with(|s| control::csr_key_counts(s).get(&key).copied().unwrap_or(0)))
    }

    /// Create `count` orders of `provider` in `stage` (`issued`, `pending_validation`, ...); their ids.
    pub fn seed(&self, provider: &str, count: usize, stage: &str) -> Result<Vec<String>, String> {
        let stage = serde_json::from_value(serde_json::Value::String(stage.to_owned()))
            .map_err(|_| format!("unknown stage `{stage}`"))?;
        let spec = kit::book::SeedSpec { provider: provider.to_owned(), count, stage };
        self.with(|s| control::seed(s, &spec)).map_err(|(_, m)| m)
    }

    /// Approve an order waiting for approval (as `POST /_sandbox/orders/{provider}/{id}/approve`).
    pub fn approve(&self, provider: &str, order_id: &str) -> Result<serde_json::Value, String> {
        self.with(|s| control::order_action(s, provider, order_id, Action::Approve)).map_err(|(_, m)| m)
    }

    /// Mark an order's DCV passed (as `POST /_sandbox/orders/{provider}/{id}/dcv`).
    pub fn pass_dcv(&self, provider: &str, order_id: &str) -> Result<serde_json::Value, String> {
        self.with(|s| control::order_action(s, provider, order_id, Action::PassDcv(None))).map_err(|(_, m)| m)
    }

    /// Reject an order (as `POST /_sandbox/orders/{provider}/{id}/reject`).
    pub fn reject(&self, provider: &str, order_id: &str) -> Result<serde_json::Value, String> {
        self.with(|s| control::order_action(s, provider, order_id, Action::Reject)).map_err(|(_, m)| m)
    }

    /// Show `raw` as the order's wire status (`None`: back to the provider's mapping).
    pub fn set_raw_status(&self, provider: &str, order_id: &str, raw: Option<&str>) -> Result<(), String> {
        let a = Action::RawStatus(raw.map(str::to_owned));
        self.with(|s| control::order_action(s, provider, order_id, a)).map(|_| ()).map_err(|(_, m)| m)
    }

    /// Move the end of the order's coverage (its term) to `ends` (as `POST /_sandbox/orders/{provider}/{id}/coverage`):
    /// a renewal window opens without moving the clock, so a client checking the window by its own clock agrees.
    pub fn set_coverage_end(&self, provider: &str, order_id: &str, ends: time::Date) -> Result<(), String> {
        let a = Action::CoverageEnd(ends);
        self.with(|s| control::order_action(s, provider, order_id, a)).map(|_| ()).map_err(|(_, m)| m)
    }

    /// Add a DNS record for real DCV (`record_type` `TXT` or `CNAME`).
    pub fn add_dns_record(&self, name: &str, record_type: &str, value: &str) {
        let rec = ssl_core::model::DnsRecord::new(name.to_owned(), record_type.to_ascii_uppercase(), value.to_owned());
        self.with(|s| s.state().kit.dns.push(rec));
    }

    /// Map a host to a loopback address for real HTTP DCV.
    pub fn map_http_host(&self, host: &str, addr: SocketAddr) -> Result<(), String> {
        self.with(|s| control::map_http_host(s, host, addr))
    }

    /// The sandbox's time (the virtual clock).
    pub fn now(&self) -> time::OffsetDateTime {
        self.with(|s| control::move_clock(s, None, None))
    }

    /// Move the virtual clock forward by `by` (coverage checks, issuance dates and expiry use it; leaves issued
    /// while it is ahead start in the future by real time). Returns the sandbox's new time.
    pub fn advance_clock(&self, by: std::time::Duration) -> time::OffsetDateTime {
        self.with(|s| control::move_clock(s, Some(i64::try_from(by.as_secs()).unwrap_or(i64::MAX)), None))
    }

    /// Forget orders, requests, events, mail, DNS records, host mappings, rate-limit counts and the clock
    /// offset; knobs back to the start config. The CA and the id counters stay.
    pub fn reset(&self) {
        self.with(control::reset);
    }

    /// Stop the server (waiting up to 5 s for requests in flight).
    pub async fn shutdown(mut self) {
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
