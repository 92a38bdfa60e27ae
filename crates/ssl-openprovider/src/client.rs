//! The Openprovider client: the bearer login session (from the kit's session auth) and the envelope around every
//! answer. Endpoints are the generated operations in [`crate::generated::ops`], sent with [`OpenproviderClient::send`].

use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use ssl_core::operation::Operation;
use ssl_core::{
    ApiClient, Body, CallKind, CredentialKey, Error, ExposeSecret, HttpRequest, Login, Method, RefusalRule, Response,
    Result, SecretString, SessionAuth, SessionConfig, TokenPlacement, Transport,
};

use crate::generated as g;

/// The production base URL (`/v1beta` included; paths are appended to it).
pub const PRODUCTION: &str = "https://api.openprovider.eu/v1beta";
/// The CTE test environment (separate credentials).
pub const TEST: &str = "https://api.cte.openprovider.eu/v1beta";

/// How the session behaves: `Authorization: Bearer <token>`; a refusal is code 196 (under any HTTP status) or
/// HTTP 401; only reads are sent again after a fresh login.
pub const SESSION: SessionConfig = SessionConfig::new(
    TokenPlacement::Header { name: "authorization", prefix: "Bearer " },
    RefusalRule::new(&[401], &["196"], &[]),
)
.reads_only();

/// `POST /auth/login` with `{"username", "password", "ip": "0.0.0.0"}`; the password is inserted at send time and
/// prints (and snapshots) as `[redacted]`.
pub fn login_request(username: &str, password: &SecretString) -> HttpRequest {
    let value = serde_json::json!({ "username": username, "ip": "0.0.0.0" });
    HttpRequest::new(Method::Post, "/auth/login", CallKind::Read)
        .body(Body::Json {
            value,
            secrets: vec![("password".into(), password.clone())],
            media_type: ssl_core::MediaType::Json,
        })
        .operation("login")
}

struct PasswordLogin {
    username: String,
    password: SecretString,
}

#[async_trait]
impl Login for PasswordLogin {
    async fn login(&self, api: &ApiClient) -> Result<SecretString> {
        let answer = api.execute(&login_request(&self.username, &self.password), &ssl_core::NoAuth).await?;
        let body: g::LoginResponse = answer.json()?;
        let token = body.data.map(|d| d.token).filter(|t| !t.trim().is_empty());
        token.map(SecretString::from).ok_or_else(|| {
            Error::decode(
                "login",
                answer.status,
                "the login answer has no `data.token`; check the user name and password",
            )
        })
    }
}

/// An Openprovider client. Cheap to clone; clones (and every client of the same user and base URL) share the
/// session, so a process logs in once.
#[derive(Clone)]
pub struct OpenproviderClient {
    pub(crate) api: ApiClient,
    pub(crate) session: Option<SessionAuth>,
}

impl std::fmt::Debug for OpenproviderClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenproviderClient").field("base", &self.api.base().as_str()).finish_non_exhaustive()
    }
}

impl OpenproviderClient {
    /// A client for `username` / `password` at `base` (checked: https, or http to a loopback host). No custom
    /// `User-Agent` is set (Openprovider answered code 10005 to one). Nothing is sent until the first call.
    pub fn new(
        username: impl Into<String>,
        password: SecretString,
        base: &url::Url,
        transport: Arc<dyn Transport>,
    ) -> Result<Self> {
        let username = username.into();
        if username.trim().is_empty() {
            return Err(Error::Config("Openprovider needs a user name".into()));
        }
        let mut client = Self::offline(base, transport)?;
        let secret = SecretString::from(format!("{username}\n{}", password.expose_secret()));
        let key = CredentialKey::new(crate::NAME, client.api.base(), &secret);
        client.session = Some(SessionAuth::shared(key, PasswordLogin { username, password }, SESSION));
        Ok(client)
    }

    /// A client without credentials: it builds and prints requests, and every call fails with
    /// [`Error::Config`].
    pub fn offline(base: &url::Url, transport: Arc<dyn Transport>) -> Result<Self> {
        let base = ssl_core::baseurl::parse_base_url(base.as_str())?;
        Ok(Self { api: ApiClient::new(crate::NAME, base, transport, crate::error::decode), session: None })
    }

    /// Use another [`ApiClient`] configuration (retry policy, User-Agent) from the descriptor's options.
    #[must_use]
    pub fn configure(mut self, f: impl FnOnce(ApiClient) -> ApiClient) -> Self {
        self.api = f(self.api);
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &url::Url {
        self.api.base()
    }

    pub(crate) fn session(&self) -> Result<&SessionAuth> {
        self.session.as_ref().ok_or_else(|| {
            Error::Config(
                "Openprovider needs SSL_ORDERS_OPENPROVIDER_USER and SSL_ORDERS_OPENPROVIDER_PASSWORD for this".into(),
            )
        })
    }

    /// How many logins this client's session made so far.
    pub async fn logins(&self) -> u64 {
        match &self.session {
            Some(s) => s.logins().await,
            None => 0,
        }
    }

    /// Send a raw request with the session (log in first when needed; a read refused with code 196 logs in again
    /// and is sent once more; a spend never is).
    pub async fn send_raw(&self, req: &HttpRequest) -> Result<Response> {
        self.api.call(req, self.session()?).await
    }

    /// Send an operation: validated first (nothing is sent when a rule is broken), then sent, classified and
    /// decoded. The envelope's `warnings` and `maintenance` are logged.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Output>
    where
        O::Output: DeserializeOwned,
    {
        let session = self.session()?;
        self.api.send_via(op, |req| async move { self.api.call(&req, session).await }).await
    }
}
