//! The GoGetSSL client: the login session (`POST /auth/` → `auth_key`, cached, renewed once when refused), the
//! product cache and the order checks `validate()` cannot make. Every endpoint is an operation value of
//! [`crate::generated::ops`], sent by [`GoGetSslClient::send`] through the shared [`ssl_core::ApiClient`]; the key
//! is added to the query at send time and shown as `[redacted]` wherever a URL is printed or logged.

use std::sync::Arc;

use ssl_core::ClientKit;
use ssl_core::cache::Cache;
use ssl_core::operation::Checked;
use ssl_core::{
    ApiClient, Body, CallKind, CredentialKey, Error, ExposeSecret, FormValue, HttpRequest, Login, Method, NoAuth,
    Problem, RefusalRule, Result, SecretString, SessionAuth, SessionConfig, TokenPlacement, Transport,
};

use crate::generated::{self as g, ops, requests};
use crate::rules;

/// The two GoGetSSL environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://my.gogetssl.com/api`
    Production,
    /// `https://sandbox.gogetssl.com/api` (GoGetSSL's own sandbox; separate credentials).
    Sandbox,
}

impl Environment {
    /// The base URL, `/api` prefix included (the descriptor's production and test URLs).
    pub fn base_url(self) -> url::Url {
        let d = &crate::DESCRIPTOR;
        let url = match self {
            Self::Production => d.production_url,
            Self::Sandbox => d.test_url.unwrap_or(d.production_url),
        };
        ssl_core::baseurl::fixed(url)
    }
}

/// The query parameter that carries the session key.
pub const AUTH_PARAM: &str = "auth_key";

/// `POST /auth/` with the form fields `user` and `pass`. The password is a [`FormValue::Secret`]: it prints and
/// snapshots as `[redacted]` and only the transport sees it.
pub fn login_request(user: &str, password: &SecretString) -> HttpRequest {
    HttpRequest::new(Method::Post, "/auth/", CallKind::Read)
        .body(Body::Form(vec![
            ("user".into(), FormValue::Plain(user.to_owned())),
            ("pass".into(), FormValue::Secret(password.clone())),
        ]))
        .operation("auth")
}

/// The quote form of an `add_ssl_order` request: `only_validate=1`, as GoGetSSL's official client sends it (PHP's
/// `http_build_query` turns `true` into `1`), operation `validate_order`, and sent once like a spend: it shares the
/// order operation, so a provider that ignored the flag would place an order.
pub fn quote_request(order_request: HttpRequest) -> HttpRequest {
    let mut req = order_request.operation("validate_order");
    if let Body::Form(fields) = &mut req.body {
        fields.retain(|(k, _)| k != "only_validate");
        fields.push(("only_validate".into(), FormValue::Plain("1".into())));
    }
    req.kind = CallKind::Spend;
    req
}

/// The exact rule by which GoGetSSL refuses a session key: HTTP 401, or one of these whole messages (what it
/// answers, HTTP 200, for a missing and for an unknown or expired key; the simulator answers the same). Never a
/// substring: "Invalid key: RSA 1024" is a CSR problem.
pub const REFUSAL: RefusalRule =
    RefusalRule::new(&[401], &[], &["Invalid or expired auth_key", "auth_key not supplied"]);

/// GoGetSSL's sessions: the key goes in the `auth_key` query parameter; a spend logs in first when the key is
/// older than 15 minutes or was just refused.
pub const SESSION: SessionConfig = SessionConfig::new(TokenPlacement::Query(AUTH_PARAM), REFUSAL);

struct GoGetSslLogin {
    user: String,
    password: SecretString,
}

#[async_trait::async_trait]
impl Login for GoGetSslLogin {
    async fn login(&self, api: &ApiClient) -> Result<SecretString> {
        let resp = api.execute(&login_request(&self.user, &self.password), &NoAuth).await?;
        let auth: g::AuthResponse = resp.json()?;
        let key = auth.key.filter(|k| !k.trim().is_empty()).ok_or_else(|| {
            Error::decode("auth", resp.status, "the login answer has no `key`; check the user and the API password")
        })?;
        Ok(SecretString::from(key))
    }
}

/// A GoGetSSL API client. Cheap to clone; clones share the session and the product cache.
#[derive(Clone)]
pub struct GoGetSslClient {
    pub(crate) api: ApiClient,
    user: String,
    session: SessionAuth,
    products: Cache<i64, g::ProductDetails>,
}

impl std::fmt::Debug for GoGetSslClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoGetSslClient")
            .field("base", &self.api.base().as_str())
            .field("user", &self.user)
            .field("password", &"[redacted]")
            .field("auth_key", &"[redacted]")
            .finish()
    }
}

fn refuse(problems: Vec<Problem>) -> Result<()> {
    if ssl_core::problem::has_errors(&problems) { Err(Error::Invalid(problems)) } else { Ok(()) }
}

/// The common name of a PEM CSR, when it can be read (its names only: the signature is not verified).
pub(crate) fn csr_common_name(csr: &str) -> Option<String> {
    let info = ssl_csr::inspect_unverified(csr.as_bytes());
    info.common_name.clone().or_else(|| info.names().into_iter().next())
}

impl GoGetSslClient {
    /// A client with the default transport (reqwest + rustls, timeouts set). `base` is checked: https, or http to
    /// a loopback host only. Nothing is sent until the first call (which logs in).
    #[cfg(feature = "transport")]
    pub fn new(user: impl Into<String>, password: SecretString, base: url::Url) -> Result<Self> {
        let transport = Arc::new(ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default())?);
        Self::with_transport(user, password, base, transport)
    }

    /// A client over any [`Transport`] (tests use `ssl_core::testing::MockTransport`).
    pub fn with_transport(
        user: impl Into<String>,
        password: SecretString,
        base: url::Url,
        transport: Arc<dyn Transport>,
    ) -> Result<Self> {
        let base = ssl_core::baseurl::parse_base_url(base.as_str())?;
        let user = user.into();
        if user.trim().is_empty() {
            return Err(Error::Config("GoGetSSL needs a user name (the client-area login)".into()));
        }
        let api = ApiClient::new("gogetssl", base, transport, crate::error::decode);
        let credential = SecretString::from(format!("{user}\n{}", password.expose_secret()));
        let login = GoGetSslLogin { user: user.clone(), password };
        let session = SessionAuth::shared(CredentialKey::for_client(&api, &credential), login, SESSION);
        Ok(Self { api, user, session, products: Cache::default() })
    }

    /// Preload product details (a catalog saved from [`Self::product_list`], say): the pre-flight then needs no
    /// call at all for these products.
    #[must_use]
    pub fn with_products(self, products: impl IntoIterator<Item = g::ProductDetails>) -> Self {
        self.products.extend(products.into_iter().map(|p| (p.id, p)));
        self
    }

    /// How many logins this client's session (shared with the clients of the same credential, base URL and
    /// transport) made so far.
    pub async fn logins(&self) -> u64 {
        self.session.logins().await
    }

    /// Log in now (a fresh `auth_key`), replacing any cached key.
    pub async fn login(&self) -> Result<()> {
        self.session.login(&self.api).await
    }

    /// `GET /products/ssl/`: every SSL product with its rules and prices (each cached for the client's lifetime).
    pub async fn product_list(&self) -> Result<g::ProductList> {
        let list = self.send(&ops::ProductList::new()).await?;
        self.products.extend(list.products.iter().flatten().map(|p| (p.id, p.clone())));
        Ok(list)
    }

    /// `GET /products/ssl/{product_id}`: one product's rules (cached for the client's lifetime).
    pub async fn product_details(&self, product_id: i64) -> Result<g::ProductDetails> {
        let fetch = async {
            let body = self.send(&ops::ProductDetails::new(product_id.to_string())).await?;
            body.product.ok_or_else(|| Error::decode("product_details", 200, "the answer has no `product`"))
        };
        self.products.get_or_fetch(product_id, fetch).await
    }

    /// A product's details; when GoGetSSL has no such product, `None` and an `unknown_product` problem at `field`.
    pub(crate) async fn known_product(
        &self,
        id: i64,
        field: &str,
        problems: &mut Vec<Problem>,
    ) -> Result<Option<g::ProductDetails>> {
        match self.product_details(id).await {
            Ok(p) => Ok(Some(p)),
            Err(e) if matches!(e.kind(), ssl_core::ErrorKind::Provider | ssl_core::ErrorKind::NotFound) => {
                let msg = format!("GoGetSSL has no product {id} for this account: {e}");
                problems.push(Problem::error("unknown_product", msg).with_field(field));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Every problem of an order body: [`rules::wire_rules`] (its `validate()`, the spec's cross-field rules and the
    /// product's, with the product's details fetched once and cached) and the CSR's: it is parsed
    /// ([`ssl_csr::inspect_unverified`]: unreadable, weak or unsupported key, weak signature hash, no or too many
    /// names) but its self-signature is **not** verified here. The neutral pre-flight (`Provider::prepare` /
    /// `place` / `quote`, through `ssl_csr::CHECKS`) verifies it before this runs; a caller of the low-level
    /// methods who takes a CSR from elsewhere checks it with [`ssl_csr::inspect`] (or GoGetSSL refuses it).
    pub async fn check_order(&self, order: &g::AddSslOrderRequest) -> Result<Vec<Problem>> {
        let mut problems = Vec::new();
        let csr = ssl_csr::inspect_unverified(order.csr.as_bytes());
        if !order.csr.trim().is_empty() {
            problems.extend(csr.problems.iter().filter(|p| p.is_error()).map(|p| p.clone().with_field("csr")));
        }
        let primary = csr.common_name.clone().or_else(|| csr.names().into_iter().next());
        let product = match order.product_id {
            id if id > 0 => self.known_product(id, "product_id", &mut problems).await?,
            _ => None,
        };
        let mut all = rules::wire_rules(order, primary.as_deref(), product.as_ref());
        all.extend(problems);
        Ok(all)
    }

    /// `POST /orders/add_ssl_order/` ([`ops::AddSslOrder`]) after [`Self::check_order`]: nothing is sent if a
    /// problem is an error ([`Error::Invalid`] lists them all). Sent exactly once: after a timeout, dropped
    /// connection or 5xx the error is [`Error::OutcomeUnknown`] with what to look for.
    pub async fn add_ssl_order(&self, order: &g::AddSslOrderRequest) -> Result<g::AddSslOrderResponse> {
        refuse(self.check_order(order).await?)?;
        self.send(&Checked::new(&ops::AddSslOrder::new(order.clone()))).await
    }

    /// `POST /orders/add_ssl_renew_order/`: a renewal, as a new order (checked and sent like
    /// [`Self::add_ssl_order`]).
    pub async fn add_ssl_renew_order(&self, order: &g::AddSslOrderRequest) -> Result<g::AddSslOrderResponse> {
        refuse(self.check_order(order).await?)?;
        self.send(&Checked::new(&ops::AddSslRenewOrder::new(order.clone()))).await
    }

    /// `add_ssl_order` with `only_validate=1` ([`quote_request`]): the provider checks the whole order and prices
    /// it. Sent once, like a spend; an answer that carries an `order_id` means an order was placed, reported as
    /// [`Error::PlacedUnreadable`] with that id.
    pub async fn validate_order(&self, order: &g::AddSslOrderRequest) -> Result<g::AddSslOrderResponse> {
        let mut order = order.clone();
        order.only_validate = None;
        refuse(self.check_order(&order).await?)?;
        self.send_quote(&quote_request(requests::add_ssl_order(&order))).await
    }

    /// Send a [`quote_request`]; an answer with an `order_id` is a placed order ([`Error::PlacedUnreadable`]).
    pub(crate) async fn send_quote(&self, req: &HttpRequest) -> Result<g::AddSslOrderResponse> {
        let resp = self.execute(req).await?;
        if let Some(id) = ssl_core::kit::json_id(&resp, "order_id") {
            let cause = Error::decode(req.operation, resp.status, "GoGetSSL answered the quote with an order id");
            return Err(cause.placed_unreadable("gogetssl", req.operation, Some(id), None));
        }
        resp.json()
    }
}

/// The kit's client methods over the login session: `send` validates, sends with the session key, classifies and
/// decodes one operation of [`crate::generated::ops`] (log in first if needed; a read or write refused by
/// [`REFUSAL`] logs in again once and is sent once more; a spend is sent exactly once, preceded by a new login when
/// the key is older than 15 minutes or was just refused); `render` adds `auth_key=[redacted]`.
impl ssl_core::ClientKit for GoGetSslClient {
    fn api(&self) -> &ApiClient {
        &self.api
    }

    fn api_mut(&mut self) -> &mut ApiClient {
        &mut self.api
    }

    fn authenticator(&self) -> Result<&dyn ssl_core::Authenticator> {
        Ok(&self.session)
    }

    /// The request rendered as `--dry-run` prints it: full URL with `auth_key=[redacted]`, headers and the form
    /// body (a login password `[redacted]`).
    fn render(&self, req: &HttpRequest) -> String {
        let text = req.render_redacted(self.api.base(), &[]);
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        let sep = if first.contains('?') { '&' } else { '?' };
        let first = if req.operation == "auth" {
            first.to_owned()
        } else {
            format!("{first}{sep}{AUTH_PARAM}={}", ssl_core::request::REDACTED)
        };
        format!("{first}\n{rest}")
    }
}
