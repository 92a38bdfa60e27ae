//! The DigiCert client: `X-DC-DEVKEY` authentication, the published rate limits and the regions. Every endpoint
//! is an operation value of [`crate::generated::ops`], sent by [`DigiCertClient::send`] through the shared
//! [`ssl_core::ApiClient`].

use std::sync::Arc;
use std::time::Duration;

use ssl_core::operation::Operation;
use ssl_core::ratelimit::{self, Window};
use ssl_core::{ApiClient, Error, HeaderAuth, HttpRequest, Result, SecretString, Transport};

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
        let s = match self {
            Self::Us => "https://www.digicert.com/services/v2",
            Self::Eu => "https://certcentral.digicert.eu/services/v2",
        };
        url::Url::parse(s).unwrap_or_else(|_| unreachable!("static URL"))
    }
}

/// A CertCentral API client. Cheap to clone.
#[derive(Clone)]
pub struct DigiCertClient {
    pub(crate) api: ApiClient,
    auth: Arc<HeaderAuth>,
}

impl std::fmt::Debug for DigiCertClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigiCertClient")
            .field("base", &self.api.base().as_str())
            .field("api_key", &"[redacted]")
            .finish()
    }
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
        Ok(Self { api, auth: Arc::new(HeaderAuth { header: "X-DC-DEVKEY", prefix: "", secret: api_key }) })
    }

    /// Replace the retry policy (e.g. [`ssl_core::retry::RetryPolicy::none`] in tests).
    #[must_use]
    pub fn with_retry(mut self, retry: ssl_core::retry::RetryPolicy) -> Self {
        self.api = self.api.with_retry(retry);
        self
    }

    /// No client-side rate limiting (benchmarks against a local stub).
    #[must_use]
    pub fn without_rate_limit(mut self) -> Self {
        self.api = self.api.without_rate_limiter();
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &url::Url {
        self.api.base()
    }

    /// The request rendered as `--dry-run` prints it (full URL, headers, body; the API key `[redacted]`).
    pub fn render(&self, req: &HttpRequest) -> String {
        req.render_redacted(self.api.base(), &["X-DC-DEVKEY"])
    }

    /// Validate, send (with the API key, the rate limits, retries for reads only, a spend exactly once), classify
    /// and decode one operation of [`crate::generated::ops`]: `client.send(&ops::OrderInfo::new("123")).await`.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output> {
        self.api.send(op, self.auth.as_ref()).await
    }

    /// Send a request value as it is (the kit's prepared order).
    pub(crate) async fn execute(&self, req: &HttpRequest) -> Result<ssl_core::Response> {
        self.api.execute(req, self.auth.as_ref()).await
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
