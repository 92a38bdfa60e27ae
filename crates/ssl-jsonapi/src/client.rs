//! The Nameshield client: `Authorization: Bearer <token>`, the published rate limit (600 requests per 5 minutes
//! per token) and JSON:API paging over `links.next`. Every endpoint is a generated operation in
//! [`crate::generated::ops`], sent with [`ClientKit::send`].

use std::sync::Arc;
use std::time::Duration;

use ssl_core::jsonapi::ListDocument;
use ssl_core::operation::Operation;
use ssl_core::ratelimit::{self, Window};
use ssl_core::{ApiClient, ClientKit, Error, ExposeSecret, HeaderAuth, Result, SecretString, Transport};
#[cfg(feature = "transport")]
use ssl_core::{ReqwestTransport, TransportConfig};
use tokio::sync::OnceCell;

use crate::generated as g;

/// Production base URL (version prefix included).
pub const PRODUCTION_URL: &str = "https://api.nameshield.net/ssl/v2";
/// Test (OTE) base URL.
pub const TEST_URL: &str = "https://ote-api.nameshield.net/ssl/v2";
/// 600 requests per 5 minutes, per token.
pub const RATE_LIMITS: [Window; 1] = [Window::new(600, Duration::from_secs(300))];
/// Pages read at most by one listing call (a guard against a server that never stops paging).
pub const MAX_PAGES: usize = 1000;

/// A Nameshield Certificates API client. Cheap to clone; `Debug` never shows the token.
#[derive(Clone)]
pub struct NameshieldClient {
    pub(crate) api: ApiClient,
    /// `None`: a credential-less client (offline `--dry-run`); every call fails with [`Error::Config`].
    auth: Option<Arc<HeaderAuth>>,
    products: Arc<OnceCell<Vec<g::ProductResource>>>,
}

impl std::fmt::Debug for NameshieldClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameshieldClient")
            .field("base", &self.api.base().as_str())
            .field("token", &"[redacted]")
            .finish()
    }
}

impl NameshieldClient {
    /// A client with the default transport (reqwest + rustls, timeouts set). `base` includes `/ssl/v2` and is
    /// checked: https, or http to a loopback host only.
    #[cfg(feature = "transport")]
    pub fn new(token: SecretString, base: url::Url) -> Result<Self> {
        let transport = Arc::new(ReqwestTransport::new(&TransportConfig::default())?);
        Self::with_transport(token, base, transport)
    }

    /// A client over any [`Transport`].
    pub fn with_transport(token: SecretString, base: url::Url, transport: Arc<dyn Transport>) -> Result<Self> {
        Self::build(Some(token), base, transport)
    }

    /// A client without a token: it prepares orders offline (`--dry-run`) and sends nothing.
    pub fn offline(base: url::Url, transport: Arc<dyn Transport>) -> Result<Self> {
        Self::build(None, base, transport)
    }

    fn build(token: Option<SecretString>, base: url::Url, transport: Arc<dyn Transport>) -> Result<Self> {
        let base = ssl_core::baseurl::parse_base_url(base.as_str())?;
        let mut api = ApiClient::new("nameshield", base, transport, crate::error::decode);
        if let Some(t) = &token {
            api = api.with_rate_limiter(ratelimit::shared("nameshield", t, &RATE_LIMITS));
        }
        let auth = token.map(|secret| Arc::new(HeaderAuth::new("Authorization", "Bearer ", secret)));
        Ok(Self { api, auth, products: Arc::default() })
    }

    /// Whether the client has a token.
    pub fn online(&self) -> bool {
        self.auth.is_some()
    }

    fn auth(&self) -> Result<&HeaderAuth> {
        self.auth.as_deref().ok_or_else(|| Error::Config("Nameshield needs SSL_ORDERS_NAMESHIELD_TOKEN".into()))
    }

    /// The token's text, only to redact it from raw answers kept in errors.
    pub(crate) fn token_text(&self) -> Option<String> {
        self.auth.as_ref().map(|a| a.secret.expose_secret().to_owned())
    }

    /// The account's products (`GET /products`, every page), read once per client.
    pub async fn products_cached(&self) -> Result<&[g::ProductResource]> {
        let p = self.products.get_or_try_init(|| async { self.list_all(&g::ops::ListProducts::new()).await }).await?;
        Ok(p.as_slice())
    }

    /// Every item of a listing: the first page from `op`, then each `links.next` on the base URL's origin and
    /// path. A next link elsewhere is refused: the token never leaves the base URL.
    pub async fn list_all<O, T>(&self, op: &O) -> Result<Vec<T>>
    where
        O: Operation<Output = ListDocument<T>>,
        T: serde::de::DeserializeOwned,
    {
        let mut page = self.send(op).await?;
        let mut all = std::mem::take(&mut page.data);
        for _ in 0..MAX_PAGES {
            let Some(next) = page.next() else { break };
            let req = ssl_core::paging::follow_link(self.api.base(), next, op.request().operation)?;
            page = self.execute(&req).await?.json()?;
            all.append(&mut page.data);
        }
        Ok(all)
    }
}

// The kit's client methods (`with_retry`, `without_rate_limit`, `base_url`, `render`, `send`, `execute`) over the
// bearer token; without one every call fails with `Error::Config`.
ssl_core::client_kit!(NameshieldClient, api: api, auth: |c| Ok(c.auth()?), redact: ["Authorization"]);
