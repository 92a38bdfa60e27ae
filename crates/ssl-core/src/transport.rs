//! Sending requests: the object-safe [`Transport`] trait and its reqwest + rustls implementation.

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::request::{Method, REDACTED};

/// A fully built request, credentials included. Its `Debug` and [`WireRequest::redacted_url`] never show them.
#[non_exhaustive]
pub struct WireRequest {
    /// Method.
    pub method: Method,
    /// URL without secret query parameters.
    pub url: url::Url,
    /// Plain headers.
    pub headers: Vec<(String, String)>,
    /// Credential headers (`X-DC-DEVKEY`, `Authorization`).
    pub secret_headers: Vec<(String, SecretString)>,
    /// Credential query parameters (GoGetSSL `auth_key`), appended at send time.
    pub secret_query: Vec<(String, SecretString)>,
    /// Body bytes (may hold a login password).
    pub body: Vec<u8>,
}

impl WireRequest {
    /// A request to `url` without headers, credentials or body.
    pub fn new(method: Method, url: url::Url) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
            secret_headers: Vec::new(),
            secret_query: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Add a plain header.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set the body bytes.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The URL with every secret query value shown as `[redacted]`: the only form ever printed or logged.
    pub fn redacted_url(&self) -> String {
        let mut out = self.url.to_string();
        for (k, _) in &self.secret_query {
            let sep = if out.contains('?') { '&' } else { '?' };
            let key: String = url::form_urlencoded::byte_serialize(k.as_bytes()).collect();
            out.push_str(&format!("{sep}{key}={REDACTED}"));
        }
        out
    }

    /// The URL actually sent. Only transports call this.
    pub fn exposed_url(&self) -> url::Url {
        let mut url = self.url.clone();
        if !self.secret_query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.secret_query {
                pairs.append_pair(k, v.expose_secret());
            }
        }
        url
    }
}

impl std::fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field("url", &self.redacted_url())
            .field("headers", &self.headers)
            .field("secret_headers", &self.secret_headers.iter().map(|(k, _)| (k, REDACTED)).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A response as received. Its `Debug` shows the body's length and the header names, never the body or a header
/// value (a login answer holds a session key, a `Set-Cookie` a session).
#[derive(Clone)]
#[non_exhaustive]
pub struct WireResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// Body (at most the transport's cap).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for WireResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireResponse")
            .field("status", &self.status)
            .field("header_names", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl WireResponse {
    /// A response (header names lower-case).
    pub fn new(status: u16, headers: Vec<(String, String)>, body: impl Into<Vec<u8>>) -> Self {
        Self { status, headers, body: body.into() }
    }

    /// First header of that (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why a send failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be opened: nothing was sent.
    #[error("could not connect: {0}")]
    Connect(String),
    /// No response in time after the request was (possibly) sent.
    #[error("timed out waiting for the response")]
    Timeout,
    /// The connection broke after the request was (possibly) sent.
    #[error("connection lost: {0}")]
    Interrupted(String),
    /// The response body exceeded the cap.
    #[error("response body over {0} bytes")]
    BodyTooLarge(usize),
}

/// Sends [`WireRequest`]s. Object safe: clients hold an `Arc<dyn Transport>`.
#[async_trait]
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Send one request and read the whole response.
    async fn send(&self, request: WireRequest) -> Result<WireResponse, TransportError>;
}

/// Settings of the reqwest transport (`ReqwestTransport`, feature `transport`). Start from
/// [`TransportConfig::default`] (connect 10 s, whole request 60 s, bodies up to 8 MiB) and change it with the
/// `with_*` setters.
///
/// ```
/// use std::time::Duration;
/// use ssl_core::transport::TransportConfig;
/// let config = TransportConfig::default()
///     .with_connect_timeout(Duration::from_secs(5))
///     .with_request_timeout(Duration::from_secs(30))
///     .with_max_body_bytes(1 << 20)
///     .with_user_agent("my-platform/1.2");
/// assert_eq!(config.user_agent, "my-platform/1.2");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransportConfig {
    /// TCP + TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Largest response body accepted.
    pub max_body_bytes: usize,
    /// `User-Agent`.
    pub user_agent: String,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_body_bytes: 8 * 1024 * 1024,
            user_agent: concat!("ssl-orders/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl TransportConfig {
    /// Set the TCP + TLS connect timeout.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Set the whole-request timeout.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Set the largest response body accepted.
    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Set the `User-Agent`.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
}

/// reqwest + rustls (aws-lc-rs), one pooled client, certificates always verified, timeouts always set,
/// `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` honoured, bodies capped.
#[cfg(feature = "transport")]
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_body_bytes: usize,
}

#[cfg(feature = "transport")]
impl ReqwestTransport {
    /// Build with the given settings.
    pub fn new(config: &TransportConfig) -> crate::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| crate::Error::Config(format!("HTTP client: {}", e.without_url())))?;
        Ok(Self { client, max_body_bytes: config.max_body_bytes })
    }
}

#[cfg(feature = "transport")]
#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(&self, request: WireRequest) -> Result<WireResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, request.exposed_url());
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        for (k, v) in &request.secret_headers {
            let mut value = reqwest::header::HeaderValue::from_str(v.expose_secret())
                .map_err(|_| TransportError::Connect("a credential holds characters not allowed in a header".into()))?;
            value.set_sensitive(true);
            builder = builder.header(k, value);
        }
        if !request.body.is_empty() || matches!(request.method, Method::Post | Method::Put | Method::Patch) {
            builder = builder.body(request.body);
        }
        let mut resp = builder.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        if resp.content_length().is_some_and(|n| n > self.max_body_bytes as u64) {
            return Err(TransportError::BodyTooLarge(self.max_body_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(TransportError::BodyTooLarge(self.max_body_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(WireResponse::new(status, headers, body))
    }
}

#[cfg(feature = "transport")]
fn classify(e: reqwest::Error) -> TransportError {
    // `without_url` keeps any query credential out of the message.
    let connect = e.is_connect();
    let timeout = e.is_timeout();
    let text = error_chain(&e.without_url());
    if connect {
        TransportError::Connect(text)
    } else if timeout {
        TransportError::Timeout
    } else {
        TransportError::Interrupted(text)
    }
}

#[cfg(feature = "transport")]
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}
