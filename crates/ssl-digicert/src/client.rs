//! The DigiCert client: `X-DC-DEVKEY` authentication, the published rate limits, and one method per endpoint.
//! Each method builds its request with the generated pure function in [`crate::generated::requests`] and sends
//! it through the shared [`ssl_core::ApiClient`].

use std::sync::Arc;
use std::time::Duration;

use ssl_core::client::with_lookup;
use ssl_core::ratelimit::{self, Window};
use ssl_core::validate::Validate;
use ssl_core::{ApiClient, Error, HeaderAuth, HttpRequest, Result, SecretString, Transport};

use crate::generated::{self as g, requests};

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

    pub(crate) async fn send(&self, req: &HttpRequest) -> Result<ssl_core::Response> {
        self.api.execute(req, self.auth.as_ref()).await
    }

    async fn send_json<T: serde::de::DeserializeOwned>(&self, req: &HttpRequest) -> Result<T> {
        self.send(req).await?.json()
    }

    /// `GET /product`.
    pub async fn product_list(&self) -> Result<g::ProductList> {
        self.send_json(&requests::product_list()).await
    }

    /// `GET /product/{name_id}`: allowed validity years, hash types, server platforms.
    pub async fn product_info(&self, name_id: &str) -> Result<g::ProductInfo> {
        self.send_json(&requests::product_info(name_id)).await
    }

    /// `POST /order/certificate/{product}`. Runs `validate()` first and sends nothing if any constraint is
    /// broken ([`Error::Invalid`] lists them all). Sent exactly once: after a timeout, dropped connection or 5xx
    /// the error is [`Error::OutcomeUnknown`] naming the order listing to check.
    pub async fn place_order(&self, product: &str, order: &g::OrderRequest) -> Result<g::OrderCreated> {
        let mut problems = order.validate();
        problems.extend(crate::neutral::wire_rules(product, order));
        if ssl_core::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        let req = requests::place_order(product, order);
        let cn = &order.certificate.common_name;
        let resp = self.send(&req).await.map_err(|e| {
            // The order info echoes the CSR: its digest (whitespace removed) identifies the order after an
            // ambiguous failure. Computed on the error path only.
            let csr_digest = {
                use sha2::Digest;
                let compact: String = order.certificate.csr.split_whitespace().collect();
                hex::encode(sha2::Sha256::digest(compact.as_bytes()))
            };
            with_lookup(
                e,
                format!("GET {}/order/certificate?filters[common_name]={cn}", self.api.base()),
                vec![format!("common_name={cn}"), format!("product={product}"), format!("csr_sha256={csr_digest}")],
            )
        })?;
        resp.json()
    }

    /// `GET /order/certificate/{order_id}`.
    pub async fn order_info(&self, order_id: i64) -> Result<g::OrderInfo> {
        self.send_json(&requests::order_info(&order_id.to_string())).await
    }

    /// `GET /order/certificate` filtered by common name and/or status (used to reconcile after
    /// [`Error::OutcomeUnknown`]).
    pub async fn order_list(&self, common_name: Option<&str>, status: Option<&str>) -> Result<g::OrderList> {
        self.send_json(&requests::order_list(common_name, status, None)).await
    }

    /// `GET /order/certificate/{order_id}/validation`.
    pub async fn validation_status(&self, order_id: i64) -> Result<g::ValidationStatus> {
        self.send_json(&requests::validation_status(&order_id.to_string())).await
    }

    /// `PUT /order/certificate/{order_id}/check-dcv`.
    pub async fn check_dcv(&self, order_id: i64) -> Result<g::CheckDcvResponse> {
        self.send_json(&requests::check_dcv(&order_id.to_string())).await
    }

    /// `PUT /order/certificate/{order_id}/dcv-method`: switch the method; returns the new random value.
    pub async fn change_dcv_method(&self, order_id: i64, method: g::DcvMethod) -> Result<g::DcvRandomValue> {
        let body = g::ChangeDcvMethodRequest::new(method);
        let problems = body.validate();
        if ssl_core::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        self.send_json(&requests::change_dcv_method(&order_id.to_string(), &body)).await
    }

    /// `PUT /order/certificate/{order_id}/dcv-random-value`: a fresh random value.
    pub async fn dcv_random_value(&self, order_id: i64) -> Result<g::DcvRandomValue> {
        self.send_json(&requests::dcv_random_value(&order_id.to_string())).await
    }

    /// `PUT /order/certificate/{order_id}/resend-emails`.
    pub async fn resend_dcv_emails(&self, order_id: i64) -> Result<()> {
        self.send(&requests::resend_dcv_emails(&order_id.to_string())).await.map(drop)
    }

    /// `POST /order/certificate/{order_id}/reissue` (sent once; see [`Self::place_order`]).
    pub async fn reissue_order(&self, order_id: i64, body: &g::ReissueRequest) -> Result<g::ReissueCreated> {
        let problems = body.validate();
        if ssl_core::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        let resp = self.send(&requests::reissue(&order_id.to_string(), body)).await.map_err(|e| {
            with_lookup(
                e,
                format!("GET {}/order/certificate/{order_id}", self.api.base()),
                vec!["a reissue request newer than the time sent".into()],
            )
        })?;
        resp.json()
    }

    /// `POST /order/certificate/{order_id}/duplicate` (sent once).
    pub async fn duplicate_order(&self, order_id: i64, body: &g::DuplicateRequest) -> Result<g::ReissueCreated> {
        let problems = body.validate();
        if ssl_core::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        let resp = self.send(&requests::duplicate(&order_id.to_string(), body)).await.map_err(|e| {
            with_lookup(
                e,
                format!("GET {}/order/certificate/{order_id}", self.api.base()),
                vec!["a duplicate request newer than the time sent".into()],
            )
        })?;
        resp.json()
    }

    /// `PUT /order/certificate/{order_id}/status` with `CANCELED` and a note (allowed while pending).
    pub async fn cancel_order(&self, order_id: i64, note: Option<&str>) -> Result<()> {
        let mut body = g::StatusChangeRequest::new(g::StatusChangeRequestStatus::Canceled);
        if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
            body = body.note(n);
        }
        self.send(&requests::update_order_status(&order_id.to_string(), &body)).await.map(drop)
    }

    /// `GET /certificate/{certificate_id}/download/format/{format}` (`pem_all`, `pem_noroot`, `p7b`, ...):
    /// the body as text.
    pub async fn download_certificate(&self, certificate_id: i64, format: &str) -> Result<String> {
        let resp = self.send(&requests::download_by_format(&certificate_id.to_string(), format)).await?;
        String::from_utf8(resp.body).map_err(|_| Error::Decode {
            operation: "download_by_format",
            status: resp.status,
            path: String::new(),
            message: format!("the `{format}` download is binary; use a PEM format"),
        })
    }

    /// `PUT /order/certificate/{order_id}/revoke`: revoke every certificate of the order.
    pub async fn revoke_order(&self, order_id: i64, comments: Option<&str>) -> Result<()> {
        let mut body = g::RevokeRequest::new();
        if let Some(c) = comments.filter(|c| !c.trim().is_empty()) {
            body = body.comments(c);
        }
        self.send(&requests::revoke_order(&order_id.to_string(), &body)).await.map(drop)
    }

    /// `PUT /certificate/{certificate_id}/revoke`: revoke one certificate.
    pub async fn revoke_certificate(&self, certificate_id: i64, comments: Option<&str>) -> Result<()> {
        let mut body = g::RevokeRequest::new();
        if let Some(c) = comments.filter(|c| !c.trim().is_empty()) {
            body = body.comments(c);
        }
        self.send(&requests::revoke_certificate(&certificate_id.to_string(), &body)).await.map(drop)
    }

    /// `PUT /order/certificate/{order_id}/auto-reissue`: turn automatic reissue of a Multi-year Plan on or off.
    pub async fn set_auto_reissue(&self, order_id: i64, on: bool) -> Result<()> {
        let body = g::AutoReissueRequest::new(i64::from(on));
        self.send(&requests::update_auto_reissue(&order_id.to_string(), &body)).await.map(drop)
    }
}
