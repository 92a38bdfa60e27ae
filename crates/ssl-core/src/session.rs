//! Session auth: a login call yields a token (or key) that later calls carry, shared by every client of the same
//! provider, base URL and credential, and renewed by an exact rule.
//!
//! - A **read or write** refused by the provider's [`RefusalRule`] logs in again once and is sent again once.
//! - A **spend** is never sent again after any answer. Before one is sent, the client logs in again when the
//!   session is older than [`SessionConfig::max_age_before_spend`] (15 minutes unless the provider says otherwise)
//!   or was just refused, so a stale key does not cost the order a refusal.
//! - The refusal rule is exact: an HTTP status, a documented error code, or a whole message compared exactly —
//!   never a substring of free text (a CSR error "Invalid key: RSA 1024" is not an expired session).
//!
//! A provider supplies a [`Login`] (its login call) and a [`SessionConfig`]; [`SessionAuth`] is an
//! [`Authenticator`], so requests go out with `api.call(&request, &session)`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use crate::client::{ApiClient, Auth, Response};
use crate::error::{Error, ProviderError, Result};
use crate::request::{CallKind, HttpRequest};
use crate::transport::WireRequest;

/// Sends a request with credentials: a fixed [`Auth`] (every `Auth` is one), or a [`SessionAuth`] that logs in.
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// Send `req` through `api` with this authenticator's credentials.
    async fn send(&self, api: &ApiClient, req: &HttpRequest) -> Result<Response>;
}

#[async_trait]
impl<T: Auth> Authenticator for T {
    async fn send(&self, api: &ApiClient, req: &HttpRequest) -> Result<Response> {
        api.execute(req, self).await
    }
}

#[async_trait]
impl Authenticator for dyn Auth {
    async fn send(&self, api: &ApiClient, req: &HttpRequest) -> Result<Response> {
        api.execute(req, self).await
    }
}

/// Identifies one credential at one provider and base URL, without keeping the secret: sessions and rate
/// limiters are shared per key.
#[derive(Clone)]
pub struct CredentialKey {
    provider: &'static str,
    base: String,
    digest: [u8; 32],
    transport: usize,
    /// The transport itself, so that a key of a dropped transport (whose address may be reused) is not shared.
    alive: Option<std::sync::Weak<dyn crate::transport::Transport>>,
}

impl CredentialKey {
    fn id(&self) -> (&'static str, &str, [u8; 32], usize) {
        (self.provider, &self.base, self.digest, self.transport)
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.alive.as_ref().is_none_or(|w| w.strong_count() > 0)
    }
}

impl PartialEq for CredentialKey {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for CredentialKey {}

impl std::hash::Hash for CredentialKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl std::fmt::Debug for CredentialKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialKey")
            .field("provider", &self.provider)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl CredentialKey {
    /// The key of `credential` (every secret part of it, joined) at `provider` + `base`.
    pub fn new(provider: &'static str, base: &url::Url, credential: &SecretString) -> Self {
        use sha2::Digest;
        let digest: [u8; 32] = sha2::Sha256::digest(credential.expose_secret().as_bytes()).into();
        Self { provider, base: base.as_str().trim_end_matches('/').to_owned(), digest, transport: 0, alive: None }
    }

    /// The key of `credential` for `api`'s provider and base URL, shared by the clients over the same transport
    /// (the facade shares one transport per process; a test's mock transport keeps its sessions to itself).
    pub fn for_client(api: &ApiClient, credential: &SecretString) -> Self {
        let (transport, alive) = api.transport_id();
        Self { transport, alive: Some(alive), ..Self::new(api.provider(), api.base(), credential) }
    }
}

/// Where the session token goes on each call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenPlacement {
    /// A query parameter (GoGetSSL `auth_key`), `[redacted]` in every printed URL.
    Query(&'static str),
    /// A header, with a prefix (`Authorization: Bearer <token>`).
    Header {
        /// Header name.
        name: &'static str,
        /// Text before the token (`"Bearer "`), or empty.
        prefix: &'static str,
    },
}

/// The exact rule by which a provider says "this session is no longer valid". Matching is exact: the status is
/// one of `statuses`, or the error code is one of `codes`, or the message (trimmed) equals one of `messages`.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct RefusalRule {
    /// HTTP statuses that always mean a refused session (usually `401`).
    pub statuses: &'static [u16],
    /// Documented error codes, compared exactly.
    pub codes: &'static [&'static str],
    /// Whole messages, compared exactly (after trimming whitespace).
    pub messages: &'static [&'static str],
}

impl RefusalRule {
    /// A rule (a `const` item of each provider crate).
    pub const fn new(
        statuses: &'static [u16],
        codes: &'static [&'static str],
        messages: &'static [&'static str],
    ) -> Self {
        Self { statuses, codes, messages }
    }

    /// Whether `e` is a refused session by this rule.
    pub fn matches(&self, e: &ProviderError) -> bool {
        self.statuses.contains(&e.status)
            || e.errors.iter().any(|x| x.code.as_deref().is_some_and(|c| self.codes.contains(&c)))
            || self.messages.iter().any(|m| e.message.trim() == *m || e.errors.iter().any(|x| x.message.trim() == *m))
    }
}

/// How a provider's sessions behave.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Where the token goes.
    pub placement: TokenPlacement,
    /// When a call was refused for the session.
    pub refusal: RefusalRule,
    /// A spend is preceded by a new login when the session is older than this (default 15 minutes).
    pub max_age_before_spend: Duration,
    /// Whether a refused write (not only a read) logs in again and is sent once more (default true).
    pub retry_writes: bool,
}

impl SessionConfig {
    /// A config with the default 15-minute age before a spend.
    pub const fn new(placement: TokenPlacement, refusal: RefusalRule) -> Self {
        Self { placement, refusal, max_age_before_spend: Duration::from_secs(15 * 60), retry_writes: true }
    }

    /// Log in again before a spend when the session is older than `max_age`.
    pub const fn max_age_before_spend(mut self, max_age: Duration) -> Self {
        self.max_age_before_spend = max_age;
        self
    }

    /// Only reads are sent again after a refused session (a refused write fails, as a spend does).
    pub const fn reads_only(mut self) -> Self {
        self.retry_writes = false;
        self
    }
}

/// A provider's login call: sends it (with `NoAuth` or its own credentials) and returns the token.
#[async_trait]
pub trait Login: Send + Sync {
    /// Log in and return the session token.
    async fn login(&self, api: &ApiClient) -> Result<SecretString>;
}

#[derive(Default)]
struct State {
    token: Option<SecretString>,
    obtained: Option<Instant>,
    /// Bumped at every login, so concurrent callers that saw the same refused token log in only once.
    generation: u64,
    refused: bool,
    logins: u64,
}

type Shared = Arc<tokio::sync::Mutex<State>>;

fn registry(key: CredentialKey) -> Shared {
    static REGISTRY: OnceLock<Mutex<HashMap<CredentialKey, Shared>>> = OnceLock::new();
    let mut map = REGISTRY.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.retain(|k, _| k.is_alive());
    map.entry(key).or_default().clone()
}

/// A login session shared by every client with the same [`CredentialKey`]. Cheap to clone.
#[derive(Clone)]
pub struct SessionAuth {
    login: Arc<dyn Login>,
    config: SessionConfig,
    state: Shared,
}

impl std::fmt::Debug for SessionAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionAuth").field("placement", &self.config.placement).field("token", &"[redacted]").finish()
    }
}

struct TokenAuth<'a> {
    placement: TokenPlacement,
    token: &'a SecretString,
}

impl Auth for TokenAuth<'_> {
    fn apply(&self, request: &mut WireRequest) {
        match self.placement {
            TokenPlacement::Query(param) => request.secret_query.push((param.to_owned(), self.token.clone())),
            TokenPlacement::Header { name, prefix } => request
                .secret_headers
                .push((name.to_owned(), SecretString::from(format!("{prefix}{}", self.token.expose_secret())))),
        }
    }
}

impl SessionAuth {
    /// The session of `key` (shared with every other client of the same key), logging in with `login`.
    pub fn shared(key: CredentialKey, login: impl Login + 'static, config: SessionConfig) -> Self {
        Self { login: Arc::new(login), config, state: registry(key) }
    }

    /// A session of its own, shared only with clones (tests that count logins).
    pub fn private(login: impl Login + 'static, config: SessionConfig) -> Self {
        Self { login: Arc::new(login), config, state: Shared::default() }
    }

    /// How many logins this session made so far.
    pub async fn logins(&self) -> u64 {
        self.state.lock().await.logins
    }

    /// Log in now, replacing any token.
    pub async fn login(&self, api: &ApiClient) -> Result<()> {
        let mut s = self.state.lock().await;
        self.login_locked(api, &mut s).await.map(drop)
    }

    async fn login_locked(&self, api: &ApiClient, s: &mut State) -> Result<SecretString> {
        let token = self.login.login(api).await.map_err(|e| match e {
            // Every refusal of the login itself is an auth failure; 429 and 5xx stay what they are.
            Error::Provider(mut p) if p.status != 429 && p.status < 500 => {
                p.auth_failure = true;
                Error::Provider(p)
            }
            other => other,
        })?;
        s.token = Some(token.clone());
        s.obtained = Some(Instant::now());
        s.generation += 1;
        s.refused = false;
        s.logins += 1;
        tracing::debug!(provider = api.provider(), generation = s.generation, "logged in");
        Ok(token)
    }

    /// The token to send: log in when there is none, and before a spend when the session is old or was refused.
    async fn token(&self, api: &ApiClient, spend: bool) -> Result<(u64, SecretString)> {
        let mut s = self.state.lock().await;
        let stale = spend && (s.refused || s.obtained.is_none_or(|t| t.elapsed() >= self.config.max_age_before_spend));
        match &s.token {
            Some(t) if !stale => Ok((s.generation, t.clone())),
            _ => {
                let t = self.login_locked(api, &mut s).await?;
                Ok((s.generation, t))
            }
        }
    }

    /// A new token after the one of `generation` was refused (unless another call already replaced it).
    async fn renew(&self, api: &ApiClient, generation: u64) -> Result<SecretString> {
        let mut s = self.state.lock().await;
        if s.generation != generation && !s.refused {
            if let Some(t) = &s.token {
                return Ok(t.clone());
            }
        }
        self.login_locked(api, &mut s).await
    }

    async fn mark_refused(&self, generation: u64) {
        let mut s = self.state.lock().await;
        if s.generation == generation {
            s.refused = true;
        }
    }

    fn refused(&self, result: Result<Response>) -> std::result::Result<Result<Response>, Box<ProviderError>> {
        match result {
            Err(Error::Provider(mut p)) if self.config.refusal.matches(&p) => {
                p.auth_failure = true;
                Err(p)
            }
            other => Ok(other),
        }
    }
}

#[async_trait]
impl Authenticator for SessionAuth {
    async fn send(&self, api: &ApiClient, req: &HttpRequest) -> Result<Response> {
        let spend = req.kind == CallKind::Spend;
        let (generation, token) = self.token(api, spend).await?;
        let first = api.execute(req, &TokenAuth { placement: self.config.placement, token: &token }).await;
        let refusal = match self.refused(first) {
            Ok(other) => return other,
            Err(p) => p,
        };
        self.mark_refused(generation).await;
        if spend || (req.kind == CallKind::Write && !self.config.retry_writes) {
            // Never sent again after an answer; the next spend logs in first.
            return Err(Error::Provider(refusal));
        }
        tracing::info!(
            provider = api.provider(),
            operation = req.operation,
            "the session was refused ({}); logging in again and sending once more",
            refusal.message
        );
        let token = self.renew(api, generation).await?;
        let second = api.execute(req, &TokenAuth { placement: self.config.placement, token: &token }).await;
        self.refused(second).unwrap_or_else(|p| Err(Error::Provider(p)))
    }
}

impl ApiClient {
    /// Send `req` with any [`Authenticator`] (a fixed [`Auth`] or a [`SessionAuth`]).
    pub async fn call(&self, req: &HttpRequest, auth: &dyn Authenticator) -> Result<Response> {
        auth.send(self, req).await
    }
}
