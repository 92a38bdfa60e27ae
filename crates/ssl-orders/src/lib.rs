//! One API for every certificate provider built in. Enable a feature per provider (`digicert`, `gogetssl`, …) or
//! `full`, then either use a provider crate's own client (re-exported as `ssl_orders::digicert`, …) or [`connect`]
//! to a `Box<dyn Provider>` and drive the neutral lifecycle.
//!
//! The facade knows providers only through their descriptors ([`ProviderDescriptor`], one per provider crate):
//! [`PROVIDERS`] is the feature-gated list, and names, base URLs, environment variables and credentials all come
//! from it.
//!
//! ```no_run
//! # #[cfg(feature = "digicert")]
//! # async fn run() -> ssl_orders::Result<()> {
//! use ssl_orders::{connect, Config, Credentials, ProviderName};
//! use ssl_orders::model::{DcvMethod, OrderSpec};
//!
//! let name: ProviderName = "digicert".parse().map_err(ssl_orders::Error::Config)?;
//! let provider = connect(Config::new(name, Credentials::from_env(name)?))?;
//! let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Dns)
//!     .csr(std::fs::read_to_string("csr.pem").unwrap());
//! let order = provider.place(&spec).await?;
//! for step in &order.dcv {
//!     println!("{}: {:?}", step.host, step.dns());
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

pub use ssl_core::descriptor::{ConnectOptions, CredentialField};
pub use ssl_core::{
    Credentials, Environment, Error, ErrorKind, PreparedOrder, Problem, Provider, ProviderDescriptor, Result,
    SecretString, Transport, model,
};

/// DigiCert CertCentral (feature `digicert`).
#[cfg(feature = "digicert")]
pub use ssl_digicert as digicert;

/// GoGetSSL API v1 (feature `gogetssl`).
#[cfg(feature = "gogetssl")]
pub use ssl_gogetssl as gogetssl;

/// Nameshield Certificates API, JSON:API (feature `nameshield`).
#[cfg(feature = "nameshield")]
pub use ssl_jsonapi as nameshield;

/// Openprovider REST API v1beta, SSL part (feature `openprovider`).
#[cfg(feature = "openprovider")]
pub use ssl_openprovider as openprovider;

/// Realtime Register REST API v2, SSL part (feature `rtr`).
#[cfg(feature = "rtr")]
pub use ssl_rtr as rtr;

/// The providers built into this build: one line per provider feature.
pub static PROVIDERS: &[&ProviderDescriptor] = &[
    #[cfg(feature = "digicert")]
    &ssl_digicert::DESCRIPTOR,
    #[cfg(feature = "gogetssl")]
    &ssl_gogetssl::DESCRIPTOR,
    #[cfg(feature = "nameshield")]
    &ssl_jsonapi::DESCRIPTOR,
    #[cfg(feature = "openprovider")]
    &ssl_openprovider::DESCRIPTOR,
    #[cfg(feature = "rtr")]
    &ssl_rtr::DESCRIPTOR,
];

/// A provider built into this build, by name (`digicert`). Parse one from its name, or take it from
/// [`ProviderName::all`].
#[derive(Clone, Copy)]
pub struct ProviderName(&'static ProviderDescriptor);

#[allow(non_upper_case_globals)]
impl ProviderName {
    /// DigiCert (feature `digicert`), kept for code written against the former enum.
    #[cfg(feature = "digicert")]
    pub const DigiCert: ProviderName = ProviderName(&ssl_digicert::DESCRIPTOR);
    /// GoGetSSL (feature `gogetssl`), kept for code written against the former enum.
    #[cfg(feature = "gogetssl")]
    pub const GoGetSsl: ProviderName = ProviderName(&ssl_gogetssl::DESCRIPTOR);

    /// Every provider of this build.
    pub fn all() -> Vec<ProviderName> {
        PROVIDERS.iter().map(|d| ProviderName(d)).collect()
    }

    /// The provider of a descriptor.
    pub fn of(descriptor: &'static ProviderDescriptor) -> Self {
        Self(descriptor)
    }

    /// The name (`digicert`).
    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    /// The descriptor.
    pub fn descriptor(self) -> &'static ProviderDescriptor {
        self.0
    }

    /// The documented production base URL, version prefix included.
    pub fn default_base_url(self) -> &'static str {
        self.0.production_url
    }

    /// Environment variables holding the credentials.
    pub fn env_vars(self) -> Vec<&'static str> {
        self.0.env_vars()
    }

    /// Whether this build has the provider: always true for a name that parsed.
    pub fn is_built_in(self) -> bool {
        PROVIDERS.iter().any(|d| d.name == self.0.name)
    }
}

impl PartialEq for ProviderName {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for ProviderName {}

impl std::hash::Hash for ProviderName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProviderName({})", self.0.name)
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl From<ProviderName> for &'static ProviderDescriptor {
    fn from(p: ProviderName) -> Self {
        p.0
    }
}

impl FromStr for ProviderName {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        PROVIDERS.iter().find(|d| d.name.eq_ignore_ascii_case(s.trim())).map(|d| ProviderName(d)).ok_or_else(|| {
            let names: Vec<&str> = PROVIDERS.iter().map(|d| d.name).collect();
            format!("unknown provider `{s}`; this build has {}", names.join(", "))
        })
    }
}

/// What [`connect`] needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Which provider.
    pub provider: ProviderName,
    /// Its credentials; `None` for an offline client that can only `prepare` (a dry run) from the spec's tables.
    pub credentials: Option<Credentials>,
    /// Which documented environment (production unless set).
    pub environment: Environment,
    /// Replaces the documented base URL, version prefix included (`https://…/services/v2`); http only for
    /// loopback hosts.
    pub base_url: Option<String>,
    /// A custom transport (default: one reqwest + rustls transport with timeouts, shared by the process).
    pub transport: Option<Arc<dyn Transport>>,
    /// The `User-Agent` to send (default: the provider's descriptor's, else `ssl-orders/<version>`).
    pub user_agent: Option<String>,
    /// The retry policy (default: [`ssl_core::retry::RetryPolicy::default`]).
    pub retry: Option<ssl_core::retry::RetryPolicy>,
    /// A rate gate replacing the in-process limiter of the provider's published windows (default: `None`, the
    /// limiter shared by every client of one credential in this process).
    pub rate_gate: Option<Arc<dyn ssl_core::ratelimit::RateGate>>,
}

impl Config {
    /// A config with the documented production base URL and the default transport.
    pub fn new(provider: ProviderName, credentials: Credentials) -> Self {
        Self { credentials: Some(credentials), ..Self::offline(provider) }
    }

    /// A config without credentials: the client can `prepare` (a dry run) offline, and nothing else.
    pub fn offline(provider: ProviderName) -> Self {
        Self {
            provider,
            credentials: None,
            environment: Environment::Production,
            base_url: None,
            transport: None,
            user_agent: None,
            retry: None,
            rate_gate: None,
        }
    }

    /// Use another documented environment.
    #[must_use]
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Replace the base URL.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Use this transport.
    #[must_use]
    pub fn transport(mut self, t: Arc<dyn Transport>) -> Self {
        self.transport = Some(t);
        self
    }

    /// Send this `User-Agent`.
    #[must_use]
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Wait on this rate gate before every request (windows shared by several processes).
    #[must_use]
    pub fn rate_gate(mut self, gate: Arc<dyn ssl_core::ratelimit::RateGate>) -> Self {
        self.rate_gate = Some(gate);
        self
    }

    /// Use this retry policy.
    #[must_use]
    pub fn retry(mut self, retry: ssl_core::retry::RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }
}

fn default_transport() -> Result<Arc<dyn Transport>> {
    static SHARED: OnceLock<Arc<ssl_core::ReqwestTransport>> = OnceLock::new();
    if let Some(t) = SHARED.get() {
        return Ok(t.clone());
    }
    let t = Arc::new(ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default())?);
    Ok(SHARED.get_or_init(|| t).clone())
}

/// Build a neutral provider from a config.
pub fn connect(config: Config) -> Result<Box<dyn Provider>> {
    let d = config.provider.descriptor();
    let url = match &config.base_url {
        Some(u) => u.as_str(),
        None => d.base_url(config.environment)?,
    };
    let base = ssl_core::baseurl::parse_base_url(url)?;
    if let Some(c) = &config.credentials {
        if c.provider() != d.name {
            return Err(Error::Config(format!("credentials {c:?} do not belong to provider `{}`", d.name)));
        }
    }
    let transport = match config.transport {
        Some(t) => t,
        None => default_transport()?,
    };
    let mut options = ConnectOptions::new(base, transport);
    options.user_agent = config.user_agent.or(d.user_agent.map(str::to_owned));
    options.retry = config.retry;
    options.rate_gate = config.rate_gate;
    options.offline = config.credentials.is_none();
    (d.connect)(config.credentials.as_ref(), options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_round_trip() {
        for p in ProviderName::all() {
            assert_eq!(p.as_str().parse::<ProviderName>().unwrap(), p);
        }
        let e = "acme".parse::<ProviderName>().unwrap_err();
        for d in PROVIDERS {
            assert!(e.contains(d.name), "{e}");
        }
    }

    #[cfg(feature = "digicert")]
    #[test]
    fn credentials_come_from_the_lookup_and_never_print() {
        let c = Credentials::from_lookup(ProviderName::DigiCert, |k| {
            (k == "SSL_ORDERS_DIGICERT_API_KEY").then(|| "canary-123".to_string())
        })
        .unwrap();
        assert!(!format!("{c:?}").contains("canary"));
    }

    #[cfg(feature = "gogetssl")]
    #[test]
    fn gogetssl_connects_from_its_two_variables() {
        let e = Credentials::from_lookup(ProviderName::GoGetSsl, |_| None).unwrap_err();
        assert!(e.to_string().contains("SSL_ORDERS_GOGETSSL_USER"));
        let c = Credentials::from_lookup(ProviderName::GoGetSsl, |k| match k {
            "SSL_ORDERS_GOGETSSL_USER" => Some("reseller@example.com".into()),
            "SSL_ORDERS_GOGETSSL_PASSWORD" => Some("canary-ggs-pass".into()),
            _ => None,
        })
        .unwrap();
        assert!(!format!("{c:?}").contains("canary"));
        assert_eq!(c.account(), Some("reseller@example.com"), "the user is the account identity");
        assert!(ProviderName::GoGetSsl.is_built_in());
        let p = connect(Config::new(ProviderName::GoGetSsl, c.clone())).unwrap();
        assert_eq!(p.name(), "gogetssl");
        assert!(!format!("{p:?}").contains("canary"));
        assert!(p.capabilities().dcv_per_host);
        let test = connect(Config::new(ProviderName::GoGetSsl, c).environment(Environment::Test)).unwrap();
        assert!(format!("{test:?}").contains(ssl_gogetssl::DESCRIPTOR.test_url.unwrap()));
    }

    #[cfg(all(feature = "digicert", feature = "gogetssl"))]
    #[test]
    fn credentials_of_another_provider_are_refused() {
        let c = Credentials::new("digicert").secret("api_key", "k");
        let e = connect(Config::new(ProviderName::GoGetSsl, c)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }

    #[cfg(feature = "digicert")]
    #[test]
    fn http_base_urls_only_for_loopback() {
        let creds = Credentials::new("digicert").secret("api_key", "k");
        let e =
            connect(Config::new(ProviderName::DigiCert, creds).base_url("http://example.com/services/v2")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }
}
