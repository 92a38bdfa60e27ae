//! The one error type every provider crate returns.
//!
//! It keeps what the provider said (HTTP status, code, message, field) and separates the outcomes a caller must
//! treat differently: rejected locally (nothing sent), the provider said no, the network failed before anything
//! was sent, and — for calls that spend money — the outcome is unknown and the order may exist.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::problem::Problem;

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of every ssl-orders client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Validation or pre-flight found problems; nothing was sent.
    #[error("rejected before sending: {}", summarize(.0))]
    Invalid(Vec<Problem>),
    /// The provider answered with an error.
    #[error(transparent)]
    Provider(Box<ProviderError>),
    /// The network failed. `sent` tells whether the request may have reached the provider (only for calls that
    /// do not spend money; those become [`Error::OutcomeUnknown`]).
    #[error("network error during {operation}{}: {message}", if *.sent { "" } else { " (nothing was sent)" })]
    Network {
        /// Operation name.
        operation: &'static str,
        /// What failed.
        message: String,
        /// Whether the request may have been sent.
        sent: bool,
        /// The transport's error (its kind: connect, timeout, interrupted; its text never holds a credential).
        #[source]
        source: crate::transport::TransportError,
    },
    /// A call that places, renews, reissues or duplicates an order failed after the request was sent: the order
    /// may exist. It was **not** resent. Look it up before trying again.
    #[error("{0}")]
    OutcomeUnknown(Box<OutcomeUnknown>),
    /// A call that spends money got a 2xx, so the order exists, but a later step failed: its answer could not be
    /// decoded, the order could not be read back, or its certificate could not be downloaded or written. The
    /// order id (or, when none could be read, the raw answer with secrets redacted) is kept: **never** place the
    /// order again; look it up.
    #[error("{0}")]
    PlacedUnreadable(Box<PlacedUnreadable>),
    /// A response could not be decoded.
    #[error("could not decode the {operation} response (HTTP {status}) at `{path}`: {message}")]
    Decode {
        /// Operation name.
        operation: &'static str,
        /// HTTP status.
        status: u16,
        /// JSON path of the failure (`certificate.dns_names[2]`).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// The provider cannot do this (see [`crate::model::Capabilities`]).
    #[error("{provider} does not support {verb}")]
    Unsupported {
        /// Provider name.
        provider: &'static str,
        /// What was asked.
        verb: String,
    },
    /// The response body was larger than the transport's cap.
    #[error("the {operation} response was larger than {limit} bytes")]
    ResponseTooLarge {
        /// Operation name.
        operation: &'static str,
        /// The cap.
        limit: usize,
    },
    /// Bad configuration (base URL, credentials missing...). Nothing was sent.
    #[error("configuration: {0}")]
    Config(String),
}

fn summarize(problems: &[Problem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// A coarse classification of [`Error`], used for exit codes and the CLI's JSON (`error.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Rejected locally.
    Invalid,
    /// The provider refused.
    Provider,
    /// Credentials refused (401/403).
    Auth,
    /// The object does not exist.
    NotFound,
    /// Over the provider's rate limit.
    RateLimited,
    /// Network failure.
    Network,
    /// The order may exist.
    OutcomeUnknown,
    /// The order exists (the provider accepted it) but a later step failed.
    PlacedUnreadable,
    /// Bad response.
    Decode,
    /// Not supported by the provider.
    Unsupported,
    /// Configuration.
    Config,
}

impl ErrorKind {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Provider => "provider",
            Self::Auth => "auth",
            Self::NotFound => "not_found",
            Self::RateLimited => "rate_limited",
            Self::Network => "network",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::PlacedUnreadable => "placed_unreadable",
            Self::Decode => "decode",
            Self::Unsupported => "unsupported",
            Self::Config => "config",
        }
    }
}

impl Error {
    /// A decode error that is not about one JSON path (a missing certificate, a binary download...).
    pub fn decode(operation: &'static str, status: u16, message: impl Into<String>) -> Self {
        Self::Decode { operation, status, path: String::new(), message: message.into() }
    }

    /// Classify.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Invalid(_) => ErrorKind::Invalid,
            Self::Provider(p) => p.kind(),
            Self::Network { .. } => ErrorKind::Network,
            Self::OutcomeUnknown(_) => ErrorKind::OutcomeUnknown,
            Self::PlacedUnreadable(_) => ErrorKind::PlacedUnreadable,
            Self::Decode { .. } | Self::ResponseTooLarge { .. } => ErrorKind::Decode,
            Self::Unsupported { .. } => ErrorKind::Unsupported,
            Self::Config(_) => ErrorKind::Config,
        }
    }

    /// Whether sending the same call again later may succeed (429, 502/503/504, network failures). Never true for
    /// [`Error::OutcomeUnknown`]: look the order up first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Provider(p) => p.is_retryable(),
            Self::Network { .. } => true,
            _ => false,
        }
    }

    /// The provider's error, when it answered with one.
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            Self::Provider(p) => Some(p),
            _ => None,
        }
    }

    /// The problems of an [`Error::Invalid`].
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid(p) => p,
            _ => &[],
        }
    }

    /// Every problem to show a user: local ones ([`Error::Invalid`]) and the provider's own error entries (code,
    /// field, message) as problems.
    pub fn all_problems(&self) -> Vec<Problem> {
        match self {
            Self::Invalid(p) => p.clone(),
            Self::Provider(p) => p
                .errors
                .iter()
                .map(|e| {
                    let mut pr = Problem::error(e.code.clone().unwrap_or_else(|| "provider".into()), e.message.clone());
                    pr.field = e.field.clone();
                    pr
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The order a spend placed, when this error says it exists ([`Error::PlacedUnreadable`]).
    pub fn placed(&self) -> Option<&PlacedUnreadable> {
        match self {
            Self::PlacedUnreadable(p) => Some(p),
            _ => None,
        }
    }

    /// After a spend got a 2xx, turn any later failure into [`Error::PlacedUnreadable`] carrying `order_id`
    /// (or `raw`, redacted by the caller). An error that already is one passes through.
    pub fn placed_unreadable(
        self,
        provider: &'static str,
        operation: &'static str,
        order_id: Option<String>,
        raw: Option<String>,
    ) -> Self {
        if matches!(self, Self::PlacedUnreadable(_)) {
            return self;
        }
        Self::PlacedUnreadable(Box::new(PlacedUnreadable {
            provider,
            operation,
            order_id,
            raw,
            cause: self.to_string(),
            lookup: String::new(),
        }))
    }

    /// The provider's code, if any.
    pub fn code(&self) -> Option<&str> {
        self.provider_error().and_then(|p| p.code.as_deref())
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        Self::Provider(Box::new(e))
    }
}

/// One error entry as the provider wrote it. Build with [`ProviderErrorEntry::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProviderErrorEntry {
    /// Code (`not_found|order`, `invalid_value:validity_years`...), intact.
    pub code: Option<String>,
    /// Message.
    pub message: String,
    /// Field, when given.
    pub field: Option<String>,
}

impl ProviderErrorEntry {
    /// An entry with its code, message and field as the provider wrote them.
    pub fn new(code: Option<String>, message: impl Into<String>, field: Option<String>) -> Self {
        Self { code, message: message.into(), field }
    }
}

/// What the provider said when it refused a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProviderError {
    /// Provider name.
    pub provider: &'static str,
    /// Operation name.
    pub operation: &'static str,
    /// HTTP status (200 for errors inside a 200 body).
    pub status: u16,
    /// The first error's code.
    pub code: Option<String>,
    /// The first error's message (or a snippet of a non-JSON body).
    pub message: String,
    /// Extra description (GoGetSSL `description`, JSON:API `detail`).
    pub description: Option<String>,
    /// The field the provider named.
    pub field: Option<String>,
    /// Every error entry (the first is also in `code`/`message`).
    pub errors: Vec<ProviderErrorEntry>,
    /// The `Retry-After` the provider sent.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
    /// Set by the provider's decoder when the body says the credentials are bad even without 401.
    pub auth_failure: bool,
    /// Set by the provider's decoder when a 5xx body is its own parseable error envelope: the provider refused
    /// the call (Openprovider answers errors with HTTP 500), so even a spend's outcome is known. An undecodable
    /// 5xx stays ambiguous.
    #[serde(skip)]
    pub definite: bool,
}

impl ProviderError {
    /// A provider error from status and entries.
    pub fn new(provider: &'static str, status: u16, entries: Vec<ProviderErrorEntry>) -> Self {
        let first = entries.first().cloned();
        Self {
            provider,
            operation: "",
            status,
            code: first.as_ref().and_then(|e| e.code.clone()),
            message: first.as_ref().map(|e| e.message.clone()).unwrap_or_else(|| format!("HTTP {status}")),
            description: None,
            field: first.and_then(|e| e.field),
            errors: entries,
            retry_after: None,
            auth_failure: false,
            definite: false,
        }
    }

    /// Entries without a field take the one their code names after a `:` (`invalid_value:validity_years` names
    /// `validity_years`, as DigiCert writes its codes).
    #[must_use]
    pub fn with_fields_from_codes(mut self) -> Self {
        for e in &mut self.errors {
            let named = e.code.as_deref().and_then(|c| c.split_once(':')).map(|(_, f)| f).filter(|f| !f.is_empty());
            e.field = e.field.take().or_else(|| named.map(str::to_owned));
        }
        self.field = self.errors.first().and_then(|e| e.field.clone());
        self
    }

    /// A provider error for a body that is not in the provider's error shape.
    pub fn from_body(provider: &'static str, status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        let snippet: String = text.chars().filter(|c| !c.is_control() || *c == ' ').take(200).collect();
        let message = if snippet.trim().is_empty() { format!("HTTP {status} with an empty body") } else { snippet };
        Self::new(provider, status, vec![ProviderErrorEntry { code: None, message, field: None }])
    }

    /// Classify by status and code.
    pub fn kind(&self) -> ErrorKind {
        if self.auth_failure || self.status == 401 || self.status == 403 {
            ErrorKind::Auth
        } else if self.status == 404 || self.code.as_deref().is_some_and(|c| c.starts_with("not_found")) {
            ErrorKind::NotFound
        } else if self.status == 429 {
            ErrorKind::RateLimited
        } else {
            ErrorKind::Provider
        }
    }

    /// 429, 502, 503 and 504 are retryable.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 429 | 502 | 503 | 504)
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} refused {} (HTTP {})",
            self.provider,
            if self.operation.is_empty() { "the call" } else { self.operation },
            self.status
        )?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(d) = &self.description {
            write!(f, ". {d}")?;
        }
        if let Some(ra) = self.retry_after {
            write!(f, " (Retry-After: {}s)", ra.as_secs())?;
        }
        for e in self.errors.iter().skip(1) {
            write!(f, "; ")?;
            if let Some(c) = &e.code {
                write!(f, "[{c}] ")?;
            }
            write!(f, "{}", e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}

/// What the caller needs to find an order whose placement outcome is unknown. Build with [`OutcomeUnknown::new`].
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct OutcomeUnknown {
    /// Provider name.
    pub provider: &'static str,
    /// Operation (`place_order`, `reissue`, ...).
    pub operation: &'static str,
    /// `METHOD path` of the call.
    pub request: String,
    /// When the request was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    /// What went wrong (timeout, connection dropped, HTTP 5xx).
    pub cause: String,
    /// Where to look: the provider's order listing (a path or a command).
    pub lookup: String,
    /// The common name / CSR fingerprint / client reference to match against the listing.
    pub match_on: Vec<String>,
}

impl OutcomeUnknown {
    /// An unknown outcome of `operation` (`request` is `METHOD path`), sent now; `lookup` and `match_on` say where
    /// and how to find the order.
    pub fn new(
        provider: &'static str,
        operation: &'static str,
        request: impl Into<String>,
        cause: impl Into<String>,
        lookup: impl Into<String>,
        match_on: Vec<String>,
    ) -> Self {
        Self {
            provider,
            operation,
            request: request.into(),
            sent_at: OffsetDateTime::now_utc(),
            cause: cause.into(),
            lookup: lookup.into(),
            match_on,
        }
    }
}

impl std::fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the outcome of {} at {} is unknown ({}); the order may exist and was NOT resent. Check {}",
            self.operation, self.provider, self.cause, self.lookup
        )?;
        if !self.match_on.is_empty() {
            write!(f, " for an order matching {}", self.match_on.join(", "))?;
        }
        write!(f, " (sent {})", self.sent_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default())
    }
}

/// An order that exists (a spend got a 2xx) but whose answer, read-back or certificate failed afterwards.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct PlacedUnreadable {
    /// Provider name.
    pub provider: &'static str,
    /// Operation that placed it.
    pub operation: &'static str,
    /// The provider's order id, when it could be read.
    pub order_id: Option<String>,
    /// The provider's raw answer (secrets redacted), when no order id could be read.
    pub raw: Option<String>,
    /// What failed after the order was placed.
    pub cause: String,
    /// Where to look (a command or the provider's listing).
    pub lookup: String,
}

impl std::fmt::Display for PlacedUnreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.order_id {
            Some(id) => {
                write!(f, "{} placed order {id} ({}), but then: {}", self.provider, self.operation, self.cause)?
            }
            None => write!(
                f,
                "{} accepted {} (the order exists) but its answer has no readable order id: {}",
                self.provider, self.operation, self.cause
            )?,
        }
        write!(f, ". Do NOT order again")?;
        if !self.lookup.is_empty() {
            write!(f, "; check {}", self.lookup)?;
        }
        Ok(())
    }
}

/// The raw answer of a spend, for [`PlacedUnreadable::raw`]: at most 2000 characters, control characters dropped,
/// and every `secret` replaced by `[redacted]`.
pub fn redact_raw(body: &[u8], secrets: &[&str]) -> String {
    let mut text: String =
        String::from_utf8_lossy(body).chars().filter(|c| !c.is_control() || *c == ' ').take(2000).collect();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(s, crate::request::REDACTED);
    }
    text
}
