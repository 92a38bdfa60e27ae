//! The shared executor: rate limit, authenticate, send, classify, retry — the same for every provider.
//!
//! A provider crate gives it three things: its base URL, an [`Auth`] that adds credentials to a [`WireRequest`],
//! and an [`ErrorDecoder`] that recognises its error shape (including errors inside HTTP 200 bodies).

use std::sync::Arc;

use secrecy::SecretString;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::error::{Error, OutcomeUnknown, ProviderError, Result};
use crate::ratelimit::{RateGate, RateLimiter};
use crate::request::{CallKind, HttpRequest};
use crate::retry::{Attempt, RetryPolicy, parse_retry_after};
use crate::transport::{Transport, TransportError, WireRequest, WireResponse};

/// Adds credentials to a request at send time.
pub trait Auth: Send + Sync {
    /// Add headers / query parameters.
    fn apply(&self, request: &mut WireRequest);
}

/// No credentials (login calls, the sandbox's inspection API).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

impl Auth for NoAuth {
    fn apply(&self, _: &mut WireRequest) {}
}

/// A credential sent in a header (`X-DC-DEVKEY: key`, `Authorization: Bearer token`).
#[derive(Clone)]
#[non_exhaustive]
pub struct HeaderAuth {
    /// Header name.
    pub header: &'static str,
    /// Prefix before the secret (`"Bearer "`), or empty.
    pub prefix: &'static str,
    /// The secret.
    pub secret: SecretString,
}

impl HeaderAuth {
    /// `header: <prefix><secret>` on every call (`prefix` is `"Bearer "` or empty).
    pub fn new(header: &'static str, prefix: &'static str, secret: SecretString) -> Self {
        Self { header, prefix, secret }
    }
}

impl std::fmt::Debug for HeaderAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HeaderAuth({}: [redacted])", self.header)
    }
}

impl Auth for HeaderAuth {
    fn apply(&self, request: &mut WireRequest) {
        use secrecy::ExposeSecret;
        let value = format!("{}{}", self.prefix, self.secret.expose_secret());
        request.secret_headers.push((self.header.to_owned(), SecretString::from(value)));
    }
}

/// A credential sent as a query parameter (GoGetSSL `auth_key`); redacted in every printed URL.
#[derive(Clone)]
#[non_exhaustive]
pub struct QueryAuth {
    /// Parameter name.
    pub param: &'static str,
    /// The secret.
    pub secret: SecretString,
}

impl QueryAuth {
    /// `?<param>=<secret>` on every call.
    pub fn new(param: &'static str, secret: SecretString) -> Self {
        Self { param, secret }
    }
}

impl std::fmt::Debug for QueryAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QueryAuth({}=[redacted])", self.param)
    }
}

impl Auth for QueryAuth {
    fn apply(&self, request: &mut WireRequest) {
        request.secret_query.push((self.param.to_owned(), self.secret.clone()));
    }
}

/// Recognises a provider's error in a response (any status). `None` means "not an error". A decoder that
/// recognises its provider's error envelope in a 5xx body sets [`ProviderError::definite`]: the call was refused,
/// and a spend's outcome is known. Only an undecodable 5xx, a timeout or a dropped connection is
/// [`Error::OutcomeUnknown`].
pub type ErrorDecoder = fn(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError>;

/// Everything but the credentials: base URL, transport, rate limiter, retry policy, error shape.
#[derive(Clone)]
pub struct ApiClient {
    provider: &'static str,
    base: url::Url,
    transport: Arc<dyn Transport>,
    limiter: Option<Arc<dyn RateGate>>,
    retry: RetryPolicy,
    decoder: ErrorDecoder,
    user_agent: Option<String>,
    offline: bool,
    read_cache: Option<Arc<ReadCache>>,
}

/// GET answers kept for the client's lifetime (product catalogs: read once per run).
#[derive(Debug)]
struct ReadCache {
    prefixes: &'static [&'static str],
    answers: std::sync::Mutex<std::collections::HashMap<String, Response>>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient").field("provider", &self.provider).field("base", &self.base.as_str()).finish()
    }
}

/// A successful response. Its `Debug` shows the body's length and the header names, never the body or a header
/// value (a login answer holds a session key, a `Set-Cookie` a session).
#[derive(Clone)]
#[non_exhaustive]
pub struct Response {
    /// Operation name.
    pub operation: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response to `operation`.
    pub fn new(operation: &'static str, status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Self { operation, status, headers, body }
    }
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("header_names", &self.headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Response {
    /// Decode the JSON body; failures name the JSON path.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_json(self.operation, self.status, &self.body)
    }

    /// First header with that name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Decode JSON, naming the path of the first failure.
///
/// The message names the expected type, never the value ([`crate::operation::decode_body`]); a body that decodes
/// is parsed once, without path tracking.
pub fn decode_json<T: DeserializeOwned>(operation: &'static str, status: u16, body: &[u8]) -> Result<T> {
    crate::operation::decode_body(operation, status, body)
}

impl ApiClient {
    /// A client for `provider` at `base` (which includes the version prefix, e.g. `.../services/v2`).
    pub fn new(provider: &'static str, base: url::Url, transport: Arc<dyn Transport>, decoder: ErrorDecoder) -> Self {
        Self {
            provider,
            base,
            transport,
            limiter: None,
            retry: RetryPolicy::default(),
            decoder,
            user_agent: None,
            offline: false,
            read_cache: None,
        }
    }

    /// A client without credentials: every call fails with [`Error::Config`] before anything is sent, so only
    /// offline work (a dry run from the spec's tables) is possible.
    #[must_use]
    pub fn offline(mut self) -> Self {
        self.offline = true;
        self
    }

    /// Whether this client is [`ApiClient::offline`].
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// Keep the answers of GET reads whose path starts with one of `prefixes` for the client's lifetime (and its
    /// clones'): a product catalog is read once per run.
    #[must_use]
    pub fn with_read_cache(mut self, prefixes: &'static [&'static str]) -> Self {
        self.read_cache = Some(Arc::new(ReadCache { prefixes, answers: Default::default() }));
        self
    }

    /// Send this `User-Agent` instead of the transport's (`ssl-orders/<version>`). Some providers refuse unknown
    /// agents (Openprovider answered code 10005 to a custom one): their descriptor names the one to send.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Enforce a rate limiter (share one per credential).
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Wait on this gate before every request instead (a limiter shared by several processes).
    #[must_use]
    pub fn with_rate_gate(mut self, gate: Arc<dyn RateGate>) -> Self {
        self.limiter = Some(gate);
        self
    }

    /// No client-side rate limiting (benchmarks, tests against a local stub).
    #[must_use]
    pub fn without_rate_limiter(mut self) -> Self {
        self.limiter = None;
        self
    }

    /// Replace the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The provider name.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// Identifies the transport (clients over the same one share sessions), and a weak handle on it.
    pub(crate) fn transport_id(&self) -> (usize, std::sync::Weak<dyn Transport>) {
        (Arc::as_ptr(&self.transport).cast::<()>() as usize, Arc::downgrade(&self.transport))
    }

    /// The base URL.
    pub fn base(&self) -> &url::Url {
        &self.base
    }

    /// The URL of a request path under the base.
    pub fn url_for(&self, req: &HttpRequest) -> url::Url {
        let mut url = self.base.clone();
        let path = format!("{}{}", self.base.path().trim_end_matches('/'), req.path);
        url.set_path(&path);
        url.set_query(None);
        if !req.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &req.query {
                pairs.append_pair(k, v);
            }
        }
        url
    }

    fn wire(&self, req: &HttpRequest, auth: &dyn Auth, body: Vec<u8>) -> WireRequest {
        let mut headers = req.headers.clone();
        if let Some(ct) = req.body.content_type() {
            headers.push(("content-type".into(), ct.into()));
        }
        headers.push(("accept".into(), crate::request::ACCEPT.into()));
        if let Some(ua) = &self.user_agent {
            headers.push(("user-agent".into(), ua.clone()));
        }
        let mut wire = WireRequest {
            method: req.method,
            url: self.url_for(req),
            headers,
            secret_headers: Vec::new(),
            secret_query: Vec::new(),
            body,
        };
        auth.apply(&mut wire);
        wire
    }

    /// Send `req`: wait for the rate limiter, add credentials, retry per [`RetryPolicy`] and the call's
    /// [`CallKind`], turn the provider's error shape into [`Error::Provider`] and ambiguous failures of spending
    /// calls into [`Error::OutcomeUnknown`] (filled in by the caller with [`OutcomeUnknown::lookup`] details).
    pub async fn execute(&self, req: &HttpRequest, auth: &dyn Auth) -> Result<Response> {
        if self.offline {
            return Err(Error::Config(format!(
                "{} has no credentials here: only offline work (a dry run from the spec's tables) is possible",
                self.provider
            )));
        }
        let cache = self.read_cache.as_ref().filter(|c| {
            req.method == crate::request::Method::Get && c.prefixes.iter().any(|p| req.path.starts_with(p))
        });
        let key = req.render_target();
        if let Some(hit) = cache.and_then(|c| c.answers.lock().ok()?.get(&key).cloned()) {
            return Ok(hit);
        }
        let answer = self.execute_uncached(req, auth).await?;
        if let Some(c) = cache {
            c.answers.lock().unwrap_or_else(|e| e.into_inner()).insert(key, answer.clone());
        }
        Ok(answer)
    }

    async fn execute_uncached(&self, req: &HttpRequest, auth: &dyn Auth) -> Result<Response> {
        let operation = req.operation;
        // A body that cannot be serialized is refused before anything is sent (never sent empty or `null`).
        let body = req.body.to_wire_bytes().map_err(|why| {
            Error::Invalid(vec![crate::problem::Problem::error("unserializable_body", why).with_field("body")])
        })?;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            // The slot is held until the answer arrives (ratelimit's rule: the window runs from the answer).
            let slot = crate::ratelimit::Held::acquire(self.limiter.as_ref()).await;
            let wire = self.wire(req, auth, body.clone());
            if tracing::enabled!(tracing::Level::DEBUG) {
                let target = format!("{} {}", req.method.as_str(), wire.redacted_url());
                tracing::debug!(provider = self.provider, operation, request = %target, attempt = attempts, "sending");
            }
            let sent_at = OffsetDateTime::now_utc();
            let result = self.transport.send(wire).await;
            slot.answered().await;
            let (outcome, retry_after, err) = match result {
                Ok(resp) => match self.check(operation, resp) {
                    Ok(ok) => {
                        tracing::debug!(provider = self.provider, operation, status = ok.status, "ok");
                        return Ok(ok);
                    }
                    Err(perr) => {
                        tracing::debug!(provider = self.provider, operation, status = perr.status, code = ?perr.code, "provider error");
                        let status = perr.status;
                        let ra = perr.retry_after;
                        // A 5xx is ambiguous for a spend unless the provider's decoder recognised its own error
                        // envelope in the body (a definite refusal).
                        if req.kind == CallKind::Spend && (500..600).contains(&status) && !perr.definite {
                            return Err(self.unknown(req, sent_at, format!("HTTP {status}: {}", perr.message)));
                        }
                        (Attempt::Status(status), ra, Error::Provider(perr))
                    }
                },
                Err(e @ TransportError::Connect(_)) => {
                    let message = match &e {
                        TransportError::Connect(m) => m.clone(),
                        other => other.to_string(),
                    };
                    (Attempt::ConnectFailed, None, Error::Network { operation, message, sent: false, source: e })
                }
                Err(e @ (TransportError::Timeout | TransportError::Interrupted(_))) => {
                    if req.kind == CallKind::Spend {
                        return Err(self.unknown(req, sent_at, e.to_string()));
                    }
                    (
                        Attempt::Ambiguous,
                        None,
                        Error::Network { operation, message: e.to_string(), sent: true, source: e },
                    )
                }
                Err(TransportError::BodyTooLarge(limit)) => {
                    if req.kind == CallKind::Spend {
                        return Err(self.unknown(req, sent_at, format!("response over {limit} bytes")));
                    }
                    return Err(Error::ResponseTooLarge { operation, limit });
                }
            };
            if !self.retry.should_retry(req.kind, outcome, attempts) {
                return Err(err);
            }
            let Some(delay) = self.retry.delay(attempts, retry_after) else { return Err(err) };
            tracing::debug!(provider = self.provider, operation, ?delay, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    fn check(&self, operation: &'static str, resp: WireResponse) -> std::result::Result<Response, Box<ProviderError>> {
        let decoded = (self.decoder)(self.provider, resp.status, &resp.body);
        let perr = match decoded {
            Some(e) => Some(e),
            None if !(200..300).contains(&resp.status) => {
                Some(ProviderError::from_body(self.provider, resp.status, &resp.body))
            }
            None => None,
        };
        match perr {
            Some(mut e) => {
                e.operation = operation;
                e.retry_after = resp.header("retry-after").and_then(parse_retry_after);
                Err(Box::new(e))
            }
            None => Ok(Response { operation, status: resp.status, headers: resp.headers, body: resp.body }),
        }
    }

    fn unknown(&self, req: &HttpRequest, sent_at: OffsetDateTime, cause: String) -> Error {
        tracing::warn!(provider = self.provider, operation = req.operation, %cause, "outcome unknown; not resending");
        Error::OutcomeUnknown(Box::new(OutcomeUnknown {
            provider: self.provider,
            operation: req.operation,
            request: format!("{} {}", req.method.as_str(), req.path),
            sent_at,
            cause,
            lookup: String::new(),
            match_on: Vec::new(),
        }))
    }
}

/// Fill in where to look after an [`Error::OutcomeUnknown`]; other errors pass through.
pub fn with_lookup(err: Error, lookup: impl Into<String>, match_on: Vec<String>) -> Error {
    match err {
        Error::OutcomeUnknown(mut o) => {
            o.lookup = lookup.into();
            o.match_on = match_on;
            Error::OutcomeUnknown(o)
        }
        other => other,
    }
}

/// A provider's client over the shared [`ApiClient`]. The client supplies the executor, what authenticates its
/// requests and the headers that carry credentials; the builder methods, the `--dry-run` rendering and sending are
/// written once here. Bring the trait into scope (`use ssl_core::ClientKit;`) to call them on a provider's client.
#[async_trait::async_trait]
pub trait ClientKit: Send + Sync + Sized {
    /// Request headers whose values are credentials: `[redacted]` when a request is rendered.
    const REDACT: &'static [&'static str] = &[];
    /// The shared executor.
    fn api(&self) -> &ApiClient;
    /// The shared executor, to configure it.
    fn api_mut(&mut self) -> &mut ApiClient;
    /// What requests go out with (a fixed [`Auth`] or a login session); [`Error::Config`] for a client without
    /// credentials (an offline `--dry-run`).
    fn authenticator(&self) -> Result<&dyn crate::session::Authenticator>;

    /// Reconfigure the executor: `client.configure(|api| api.with_user_agent("..."))`.
    #[must_use]
    fn configure(mut self, f: impl FnOnce(ApiClient) -> ApiClient) -> Self {
        let api = self.api().clone();
        *self.api_mut() = f(api);
        self
    }
    /// Replace the retry policy (e.g. [`RetryPolicy::none`] in tests).
    #[must_use]
    fn with_retry(self, retry: RetryPolicy) -> Self {
        self.configure(|api| api.with_retry(retry))
    }
    /// No client-side rate limiting (benchmarks against a local stub).
    #[must_use]
    fn without_rate_limit(self) -> Self {
        self.configure(ApiClient::without_rate_limiter)
    }
    /// The base URL.
    fn base_url(&self) -> &url::Url {
        self.api().base()
    }
    /// The request as `--dry-run` prints it (full URL, headers, body; credentials `[redacted]`).
    fn render(&self, req: &HttpRequest) -> String {
        req.render_redacted(self.api().base(), Self::REDACT)
    }
    /// Validate, send (a spend exactly once), classify and decode one operation.
    async fn send<O: crate::operation::Operation>(&self, op: &O) -> Result<O::Output> {
        self.api().send(op, self.authenticator()?).await
    }
    /// Send a request value as it is (the kit's prepared order, a followed link).
    async fn execute(&self, req: &HttpRequest) -> Result<Response> {
        self.api().call(req, self.authenticator()?).await
    }
}

/// Implements [`ClientKit`] for a client type: where its executor is (the field `api`, or a path such as
/// `client.api`), how it authenticates (a closure-like expression over the client returning
/// `Result<&dyn Authenticator>`) and, optionally, the headers that carry credentials. For example
/// `ssl_core::client_kit!(DigiCertClient, api: api, auth: |c| Ok(c.auth.as_ref()), redact: ["X-DC-DEVKEY"]);`
#[macro_export]
macro_rules! client_kit {
    ($client:ty, api: $($api:ident).+, auth: |$c:ident| $auth:expr $(, redact: $redact:expr)? $(,)?) => {
        impl $crate::ClientKit for $client {
            $(const REDACT: &'static [&'static str] = &$redact;)?

            fn api(&self) -> &$crate::ApiClient {
                &self.$($api).+
            }

            fn api_mut(&mut self) -> &mut $crate::ApiClient {
                &mut self.$($api).+
            }

            fn authenticator(&self) -> $crate::Result<&dyn $crate::Authenticator> {
                let $c = self;
                $auth
            }
        }
    };
}
