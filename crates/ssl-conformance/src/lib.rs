//! # ssl-conformance
//!
//! One suite for every provider: the whole neutral lifecycle ([`ssl_core::Provider`]) against the in-process
//! simulator (`ssl-sandbox`), with the provider's [`Capabilities`](ssl_core::model::Capabilities) deciding what is
//! skipped. A provider crate calls it in one line from its tests:
//!
//! ```no_run
//! # use ssl_core::model::{DcvMethod, OrderSpec};
//! # async fn conformance() {
//! // In a `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]`:
//! ssl_conformance::run(&ssl_digicert::DESCRIPTOR, |cn, csr| OrderSpec::new("ssl_dv_geotrust", cn, DcvMethod::DnsTxt).csr(csr))
//!     .await
//!     .unwrap();
//! # }
//! ```
//!
//! What it checks, each against a fresh simulator:
//! - products (the order's product is listed) and a quote where supported;
//! - the provider's own rules for the product hold at the edge: a wildcard name where it claims wildcards, the most
//!   names it claims ([`check_rules`]; a wrong rule in a client table fails here, as the simulator judges by its
//!   own catalog);
//! - place, get, DCV pass, issued; download with the chain verified up to the sandbox root and the leaf's key equal
//!   to the CSR's;
//! - reissue with a new key (a new leaf for the new key, on the same order or, where the capabilities say
//!   `reissue_new_order`, on the new order the answer names); renew (a new order, or the same id with a later
//!   coverage end where the capabilities say `renew_in_place`); cancel; revoke;
//! - a read refused with 429 is retried after `Retry-After`; a spend refused with 429 is sent once and is
//!   `RateLimited`; a spend answered with an undecodable 5xx after commit, a timeout after commit, or
//!   commit-then-drop is sent once and is `OutcomeUnknown` (the order exists: exactly one per CSR key);
//! - a wrong credential is an `Auth` error; an unknown provider status is kept raw.

use std::sync::Arc;
use std::time::Duration;

use ssl_core::model::{Order, OrderSpec, OrderStatus, ReissueSpec, Verb};
use ssl_core::{ConnectOptions, Credentials, ErrorKind, Provider, ProviderDescriptor};
use ssl_sandbox::{DcvMode, Fault, FaultKind, Knobs, RateLimits, Sandbox, SandboxConfig, SandboxHandle};

mod checks;

pub use checks::check_rules;

/// Builds a valid order for the provider: its product, DCV method and whatever else it needs (contacts), for
/// `cn` with `csr`.
pub type OrderFor = fn(&str, String) -> OrderSpec;

/// Why the suite failed: the step and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step (`place`, `download`, ...).
    pub step: &'static str,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "conformance step `{}`: {}", self.step, self.message)
    }
}

impl std::error::Error for Failure {}

/// What ran and what the capabilities skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Steps that ran and passed.
    pub passed: Vec<&'static str>,
    /// Steps skipped, with the missing capability.
    pub skipped: Vec<(&'static str, Verb)>,
}

/// A result of the suite.
pub type Outcome<T> = Result<T, Failure>;

pub(crate) fn fail<T>(step: &'static str, message: impl std::fmt::Display) -> Outcome<T> {
    Err(Failure { step, message: message.to_string() })
}

/// `Ok` when `cond`, else a failure of `step`.
pub(crate) fn ensure(cond: bool, step: &'static str, message: impl FnOnce() -> String) -> Outcome<()> {
    if cond { Ok(()) } else { fail(step, message()) }
}

/// A provider connected to a simulator.
pub struct Bench {
    /// The simulator.
    pub sandbox: SandboxHandle,
    /// The provider, connected with the sandbox's credentials and a 2-second request timeout.
    pub provider: Box<dyn Provider>,
    descriptor: &'static ProviderDescriptor,
}

impl std::fmt::Debug for Bench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bench").field("provider", &self.descriptor.name).finish_non_exhaustive()
    }
}

/// The sandbox's credentials for `descriptor` (`wrong`: each secret altered).
pub fn credentials(descriptor: &ProviderDescriptor, wrong: bool) -> Credentials {
    let all = SandboxHandle::credentials();
    let given = all.iter().find(|(p, _)| *p == descriptor.name).map(|(_, c)| c.clone()).unwrap_or_default();
    let mut c = Credentials::new(descriptor.name);
    for f in descriptor.credentials {
        let value = given.iter().find(|(env, _)| *env == f.env).map_or("", |(_, v)| v).to_owned();
        c = match (f.secret, f.identity) {
            (true, _) if wrong => c.secret(f.key, format!("{value}-wrong")),
            (true, _) => c.secret(f.key, value),
            (false, true) => c.identity(f.key, value),
            (false, false) => c.plain(f.key, value),
        };
    }
    c
}

impl Bench {
    /// A fresh in-memory simulator (DCV passing on the first check) and `descriptor`'s provider connected to it.
    pub async fn start(descriptor: &'static ProviderDescriptor) -> Outcome<Self> {
        let config = SandboxConfig { dcv: DcvMode::Auto, ..SandboxConfig::default() };
        let sandbox = Sandbox::start(config, ([127, 0, 0, 1], 0).into()).await.or_else(|e| fail("start", e))?;
        let provider = Self::connect(descriptor, &sandbox, false)?;
        Ok(Self { sandbox, provider, descriptor })
    }

    /// `descriptor`'s provider for `sandbox` (`wrong`: with altered secrets).
    pub fn connect(
        descriptor: &ProviderDescriptor,
        sandbox: &SandboxHandle,
        wrong: bool,
    ) -> Outcome<Box<dyn Provider>> {
        let Some(base) = sandbox.base_url(descriptor.name) else {
            return fail("connect", format!("the sandbox does not serve `{}`", descriptor.name));
        };
        let config = ssl_core::TransportConfig::default().with_request_timeout(Duration::from_secs(2));
        let transport = ssl_core::ReqwestTransport::new(&config).or_else(|e| fail("connect", e))?;
        let options = ConnectOptions::new(base, Arc::new(transport));
        (descriptor.connect)(Some(&credentials(descriptor, wrong)), options).or_else(|e| fail("connect", e))
    }

    /// How many requests of `method` whose path contains `path` the simulator received.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.sandbox.events().iter().filter(|r| r.method == method && r.path.contains(path)).count()
    }

    /// Set one fault for this provider (every other knob default; published rate limits off).
    pub fn fault(&self, fault: Fault) {
        let knobs = Knobs { rate_limits: RateLimits { enabled: false, scale: 1.0 }, ..Knobs::default() };
        self.sandbox.set_knobs(knobs.fault(fault.provider(self.descriptor.name)));
    }

    /// Read `id` until it is issued: asking for a DCV check first, or, for a provider without one (it checks DCV
    /// by itself, Nameshield), letting two seconds of the sandbox clock pass.
    pub async fn issue(&self, id: &str) -> Outcome<Order> {
        let p = &self.provider;
        let mut o = if p.capabilities().supports(Verb::RecheckDcv) {
            p.recheck_dcv(id).await.or_else(|e| fail("dcv", e))?
        } else {
            self.sandbox.advance_clock(Duration::from_secs(2));
            p.get(id).await.or_else(|e| fail("dcv", e))?
        };
        for _ in 0..5 {
            if o.status == OrderStatus::Issued {
                return Ok(o);
            }
            o = p.get(id).await.or_else(|e| fail("dcv", e))?;
        }
        fail("dcv", format!("order {id} is {} ({}) after DCV passed", o.status.as_str(), o.provider_status))
    }
}

/// A fresh CSR (P-256 key) for `names` (first = common name).
pub fn csr(names: &[&str]) -> String {
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("key generation: {e}"));
    let mut params = rcgen::CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
        .unwrap_or_else(|e| panic!("CSR parameters: {e}"));
    params.distinguished_name.push(rcgen::DnType::CommonName, names[0]);
    params.serialize_request(&key).and_then(|r| r.pem()).unwrap_or_else(|e| panic!("CSR: {e}"))
}

/// Run the whole suite for `descriptor`'s provider, `order` building its orders; its capabilities decide what is
/// skipped.
pub async fn run(descriptor: &'static ProviderDescriptor, order: OrderFor) -> Outcome<Report> {
    let caps = Bench::start(descriptor).await?.provider.capabilities();
    checks::all(descriptor, order, &caps).await
}

pub(crate) use FaultKind as Kind;

pub(crate) fn spend_fault(kind: Kind) -> Fault {
    Fault { delay_ms: Some(3000), ..Fault::new(kind) }.method("POST").times(1)
}

pub(crate) fn reissue_spec(csr: String) -> ReissueSpec {
    ReissueSpec::new().with_csr(csr)
}

pub(crate) fn is(kind: ErrorKind, e: &ssl_core::Error) -> bool {
    e.kind() == kind
}
