//! One API for five certificate providers. Enable a feature per provider (`digicert`, …) or `full`, then either
//! use a provider crate's own client (re-exported as `ssl_orders::digicert`, …) or [`connect`] to a
//! `Box<dyn Provider>` and drive the neutral lifecycle.
//!
//! ```no_run
//! # #[cfg(feature = "digicert")]
//! # async fn run() -> ssl_orders::Result<()> {
//! use ssl_orders::{connect, Config, Credentials, ProviderName};
//! use ssl_orders::model::{DcvMethod, OrderSpec};
//!
//! let provider = connect(Config::new(ProviderName::DigiCert, Credentials::from_env(ProviderName::DigiCert)?))?;
//! let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Dns)
//!     .csr(std::fs::read_to_string("csr.pem").unwrap());
//! let order = provider.place(&spec).await?;
//! for step in &order.dcv {
//!     println!("{}: {:?}", step.host, step.dns);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

pub use ssl_core::{Error, ErrorKind, PreparedOrder, Problem, Provider, Result, SecretString, Transport, model};

/// DigiCert CertCentral (feature `digicert`).
#[cfg(feature = "digicert")]
pub use ssl_digicert as digicert;

/// GoGetSSL API v1 (feature `gogetssl`).
#[cfg(feature = "gogetssl")]
pub use ssl_gogetssl as gogetssl;

/// The five providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderName {
    /// Nameshield Certificates API.
    Nameshield,
    /// GoGetSSL API v1.
    GoGetSsl,
    /// Openprovider REST v1beta.
    Openprovider,
    /// Realtime Register REST v2.
    Rtr,
    /// DigiCert CertCentral Services API v2.
    DigiCert,
}

impl ProviderName {
    /// All providers.
    pub const ALL: [ProviderName; 5] =
        [Self::Nameshield, Self::GoGetSsl, Self::Openprovider, Self::Rtr, Self::DigiCert];

    /// The CLI name (`digicert`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nameshield => "nameshield",
            Self::GoGetSsl => "gogetssl",
            Self::Openprovider => "openprovider",
            Self::Rtr => "rtr",
            Self::DigiCert => "digicert",
        }
    }

    /// The documented production base URL, version prefix included.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::Nameshield => "https://api.nameshield.net/ssl/v2",
            Self::GoGetSsl => "https://my.gogetssl.com/api",
            Self::Openprovider => "https://api.openprovider.eu/v1beta",
            Self::Rtr => "https://api.yoursrs.com/v2",
            Self::DigiCert => "https://www.digicert.com/services/v2",
        }
    }

    /// Environment variables holding the credentials.
    pub fn env_vars(self) -> &'static [&'static str] {
        match self {
            Self::Nameshield => &["SSL_ORDERS_NAMESHIELD_TOKEN"],
            Self::GoGetSsl => &["SSL_ORDERS_GOGETSSL_USER", "SSL_ORDERS_GOGETSSL_PASSWORD"],
            Self::Openprovider => &["SSL_ORDERS_OPENPROVIDER_USER", "SSL_ORDERS_OPENPROVIDER_PASSWORD"],
            Self::Rtr => &["SSL_ORDERS_RTR_API_KEY", "SSL_ORDERS_RTR_CUSTOMER"],
            Self::DigiCert => &["SSL_ORDERS_DIGICERT_API_KEY"],
        }
    }

    /// Whether this build has the provider (its feature is on and its crate exists).
    #[allow(clippy::match_like_matches_macro)] // one arm per provider as their crates land
    pub fn is_built_in(self) -> bool {
        match self {
            Self::DigiCert => cfg!(feature = "digicert"),
            Self::GoGetSsl => cfg!(feature = "gogetssl"),
            _ => false,
        }
    }
}

impl fmt::Display for ProviderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProviderName {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            format!(
                "unknown provider `{s}`; expected one of {}",
                Self::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            )
        })
    }
}

/// Credentials of one provider. `Debug` never shows secrets.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// Nameshield bearer token.
    Nameshield {
        /// Token.
        token: SecretString,
    },
    /// GoGetSSL login.
    GoGetSsl {
        /// User.
        user: String,
        /// API password.
        password: SecretString,
    },
    /// Openprovider login.
    Openprovider {
        /// User.
        user: String,
        /// Password.
        password: SecretString,
    },
    /// Realtime Register API key and customer handle.
    Rtr {
        /// API key.
        api_key: SecretString,
        /// Customer handle.
        customer: String,
    },
    /// DigiCert API key.
    DigiCert {
        /// API key.
        api_key: SecretString,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Nameshield { .. } => "Nameshield",
            Self::GoGetSsl { .. } => "GoGetSsl",
            Self::Openprovider { .. } => "Openprovider",
            Self::Rtr { .. } => "Rtr",
            Self::DigiCert { .. } => "DigiCert",
        };
        write!(f, "Credentials::{name}([redacted])")
    }
}

impl Credentials {
    /// Read a provider's credentials from its `SSL_ORDERS_*` environment variables.
    pub fn from_env(provider: ProviderName) -> Result<Self> {
        Self::from_lookup(provider, |k| std::env::var(k).ok())
    }

    /// Read credentials through any lookup (the CLI passes the environment; tests a map).
    pub fn from_lookup(provider: ProviderName, get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let need = |k: &str| -> Result<String> {
            get(k).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                Error::Config(format!(
                    "{provider} needs the environment variable {k} (credentials are read from the environment only)"
                ))
            })
        };
        Ok(match provider {
            ProviderName::Nameshield => Self::Nameshield { token: need("SSL_ORDERS_NAMESHIELD_TOKEN")?.into() },
            ProviderName::GoGetSsl => Self::GoGetSsl {
                user: need("SSL_ORDERS_GOGETSSL_USER")?,
                password: need("SSL_ORDERS_GOGETSSL_PASSWORD")?.into(),
            },
            ProviderName::Openprovider => Self::Openprovider {
                user: need("SSL_ORDERS_OPENPROVIDER_USER")?,
                password: need("SSL_ORDERS_OPENPROVIDER_PASSWORD")?.into(),
            },
            ProviderName::Rtr => Self::Rtr {
                api_key: need("SSL_ORDERS_RTR_API_KEY")?.into(),
                customer: need("SSL_ORDERS_RTR_CUSTOMER")?,
            },
            ProviderName::DigiCert => Self::DigiCert { api_key: need("SSL_ORDERS_DIGICERT_API_KEY")?.into() },
        })
    }
}

/// What [`connect`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which provider.
    pub provider: ProviderName,
    /// Its credentials.
    pub credentials: Credentials,
    /// Replaces the documented base URL, version prefix included (`https://…/services/v2`); http only for
    /// loopback hosts.
    pub base_url: Option<String>,
    /// A custom transport (default: reqwest + rustls with timeouts).
    pub transport: Option<Arc<dyn Transport>>,
}

impl Config {
    /// A config with the documented base URL and the default transport.
    pub fn new(provider: ProviderName, credentials: Credentials) -> Self {
        Self { provider, credentials, base_url: None, transport: None }
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
}

/// Build a neutral provider from a config.
pub fn connect(config: Config) -> Result<Box<dyn Provider>> {
    let base =
        ssl_core::baseurl::parse_base_url(config.base_url.as_deref().unwrap_or(config.provider.default_base_url()))?;
    #[allow(unused_variables)]
    let transport = match config.transport {
        Some(t) => t,
        None => Arc::new(ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default())?),
    };
    match (config.provider, config.credentials) {
        #[cfg(feature = "digicert")]
        (ProviderName::DigiCert, Credentials::DigiCert { api_key }) => {
            Ok(Box::new(ssl_digicert::DigiCertClient::with_transport(api_key, base, transport)?))
        }
        #[cfg(feature = "gogetssl")]
        (ProviderName::GoGetSsl, Credentials::GoGetSsl { user, password }) => {
            Ok(Box::new(ssl_gogetssl::GoGetSslClient::with_transport(user, password, base, transport)?))
        }
        (p, c) if !p.is_built_in() => {
            let _ = c;
            Err(Error::Config(format!("provider `{p}` is not built into this binary (enable its cargo feature)")))
        }
        (p, c) => Err(Error::Config(format!("credentials {c:?} do not belong to provider `{p}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_round_trip() {
        for p in ProviderName::ALL {
            assert_eq!(p.as_str().parse::<ProviderName>().unwrap(), p);
        }
        assert!("acme".parse::<ProviderName>().unwrap_err().contains("digicert"));
    }

    #[test]
    fn credentials_come_from_the_lookup_and_never_print() {
        let c = Credentials::from_lookup(ProviderName::DigiCert, |k| {
            (k == "SSL_ORDERS_DIGICERT_API_KEY").then(|| "canary-123".to_string())
        })
        .unwrap();
        assert!(!format!("{c:?}").contains("canary"));
        let e = Credentials::from_lookup(ProviderName::GoGetSsl, |_| None).unwrap_err();
        assert!(e.to_string().contains("SSL_ORDERS_GOGETSSL_USER"));
    }

    #[cfg(feature = "gogetssl")]
    #[test]
    fn gogetssl_connects_from_its_two_variables() {
        let c = Credentials::from_lookup(ProviderName::GoGetSsl, |k| match k {
            "SSL_ORDERS_GOGETSSL_USER" => Some("reseller@example.com".into()),
            "SSL_ORDERS_GOGETSSL_PASSWORD" => Some("canary-ggs-pass".into()),
            _ => None,
        })
        .unwrap();
        assert!(!format!("{c:?}").contains("canary"));
        assert!(ProviderName::GoGetSsl.is_built_in());
        let p = connect(Config::new(ProviderName::GoGetSsl, c)).unwrap();
        assert_eq!(p.name(), "gogetssl");
        assert!(!format!("{p:?}").contains("canary"));
        assert!(p.capabilities().dcv_per_host);
    }

    #[test]
    fn http_base_urls_only_for_loopback() {
        let creds = Credentials::DigiCert { api_key: "k".into() };
        let e =
            connect(Config::new(ProviderName::DigiCert, creds).base_url("http://example.com/services/v2")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }
}
