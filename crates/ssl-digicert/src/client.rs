//! The DigiCert client: `X-DC-DEVKEY` authentication, the published rate limits and the regions. Every endpoint
//! is an operation value of [`crate::generated::ops`], sent by [`ClientKit::send`] through the shared
//! [`ssl_core::ApiClient`]: `client.send(&ops::OrderInfo::new("123")).await` (with `ssl_core::ClientKit` in scope).

use std::sync::Arc;
use std::time::Duration;

use ssl_core::ratelimit::{self, Window};
use ssl_core::{ApiClient, ClientKit, Error, HeaderAuth, Operation, Result, SecretString, Transport};

use crate::generated::{self as g, ops};

/// The published per-key limits: 100 requests per 5 seconds and 1000 per 3 minutes, rolling.
pub const RATE_LIMITS: [Window; 2] =
    [Window::new(100, Duration::from_secs(5)), Window::new(1000, Duration::from_secs(180))];

/// DigiCert's two API regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Region {
    /// `https://www.digicert.com/services/v2`
    Us,
    /// `https://certcentral.digicert.eu/services/v2` (some products, e.g. `eu_qwac_psd2`, exist only here).
    Eu,
}

impl Region {
    /// The base URL, version prefix included.
    pub fn base_url(self) -> url::Url {
        ssl_core::baseurl::fixed(match self {
            Self::Us => "https://www.digicert.com/services/v2",
            Self::Eu => "https://certcentral.digicert.eu/services/v2",
        })
    }
}

/// A CertCentral API client. Cheap to clone; `Debug` shows no key.
#[derive(Clone, Debug)]
pub struct DigiCertClient {
    pub(crate) api: ApiClient,
    auth: Arc<HeaderAuth>,
}

impl DigiCertClient {
    /// A client with the default transport (reqwest + rustls, timeouts set). `base` is checked: https, or http
    /// to a loopback host only.
    #[cfg(feature = "transport")]
    pub fn new(api_key: SecretString, base: url::Url) -> Result<Self> {
        let transport = Arc::new(ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default())?);
        Self::with_transport(api_key, base, transport)
    }

    /// A client over any [`Transport`] (tests use `ssl_core::testing::MockTransport`).
    pub fn with_transport(api_key: SecretString, base: url::Url, transport: Arc<dyn Transport>) -> Result<Self> {
        let base = ssl_core::baseurl::parse_base_url(base.as_str())?;
        let limiter = ratelimit::shared("digicert", &api_key, &RATE_LIMITS);
        let api = ApiClient::new("digicert", base, transport, crate::error::decode).with_rate_limiter(limiter);
        Ok(Self { api, auth: Arc::new(HeaderAuth::new("X-DC-DEVKEY", "", api_key)) })
    }

    /// `POST /order/certificate/{product}` ([`ops::PlaceOrder`]) with the product rules `validate()` cannot see
    /// ([`crate::neutral::wire_rules`]): nothing is sent if any is broken ([`Error::Invalid`] lists them all).
    pub async fn place_order(&self, product: &str, order: &g::OrderRequest) -> Result<g::OrderCreated> {
        let op = ops::PlaceOrder::new(product, order.clone());
        let mut problems = op.validate();
        problems.extend(crate::neutral::wire_rules(product, order));
        if ssl_core::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        self.send(&op).await
    }
}

// The kit's client methods (`with_retry`, `without_rate_limit`, `base_url`, `render`, `send`, `execute`).
ssl_core::client_kit!(DigiCertClient, api: api, auth: |c| Ok(c.auth.as_ref()), redact: ["X-DC-DEVKEY"]);
