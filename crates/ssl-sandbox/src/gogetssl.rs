//! GoGetSSL API v1, as the sandbox serves it under `/api`.
//!
//! Auth: `POST /auth/` with the form fields `user` = [`USER`] and `pass` = [`PASSWORD`] answers `{key, success}`.
//! A missing user or password is `{"error":true,"message":"Username and/or password not supplied",...}` and a
//! wrong one `{"error":true,"message":"Invalid username or password",...}`, both **with HTTP 200** as GoGetSSL
//! does. Every other call needs the key as the `auth_key` query parameter; a missing one answers
//! `{"error":true,"message":"auth_key not supplied",...}` and an unknown or expired one
//! `{"error":true,"message":"Invalid or expired auth_key",...}`, both HTTP 200 (the client's re-login rule matches
//! `auth_key`). With the knob `session_calls: N` a key serves N calls, then expires.
//!
//! Bodies are `application/x-www-form-urlencoded`; lists (`dns_names`, `approver_emails`) are comma-joined. A
//! body of another type, a parameter given twice, an unknown parameter or a value of the wrong type is an error.
//! Bodies are read with the generated types of `ssl_gogetssl` and checked with their `validate()` and
//! `ssl_gogetssl::rules::wire_rules` (one source of truth with the client); every problem is listed in
//! `description`, the first in `message`. Every error is `{"error":true,"message","description"}` with HTTP 200,
//! except an unknown path (404) and the fault knobs (429 / 5xx in the same shape).
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /auth/` | `{key, success}` |
//! | `GET /products/ssl/`, `GET /products/ssl/{id}` | `{products}` / `{product}` ([`catalog`]) |
//! | `GET /products/agreement/{id}` | `{product_id, product_agreement}` |
//! | `POST /tools/csr/decode/` | `{csrResult: {CN, Key Size, ...}}` |
//! | `POST /tools/domain/emails/` | `{ComodoApprovalEmails, GeotrustApprovalEmails}` |
//! | `POST /orders/add_ssl_order/`, `/orders/add_ssl_renew_order/` | the seed's answer: `{approver_method, order_id, invoice_id, order_status, success, order_amount (number), currency, tax ("0.00"), tax_rate}`; with `only_validate=true` the price and nothing stored |
//! | `POST /orders/add_ssl_san_order/` | `{order_id, invoice_id, success}` |
//! | `POST /orders/ssl/reissue/{id}` | `{order_id, order_status, approver_method, success}` |
//! | `GET /orders/status/{id}` | status, `dcv_status` (1 pending, 2 passed), `approver_method`, `san[]`, `crt_code`/`ca_code` once active |
//! | `POST /orders/ssl/change_dcv/{id}` | `{message, success}` |
//! | `POST /orders/ssl/change_validation_email/{id}` | the new method's details |
//! | `GET /orders/ssl/resend_validation_email/{id}` | `{message, success}` |
//! | `POST /orders/ssl/revalidate/{id}` | `{message, success}`; runs the DCV check of that domain |
//! | `POST /orders/cancel_ssl_order/` | `{order_id, success}` |
//! | `GET /account/balance/` | `{balance: "1000.00", currency, success}` |
//!
//! Statuses: a new order is `processing` (or `pending` until approved with the approval knob) and becomes `active`
//! when every name passed DCV; `reissue` while a reissue for new names waits for DCV; `cancelled`, `rejected`;
//! `expired` once the leaf's `not_after` is behind the (virtual) clock. Open orders not validated within 45 days
//! (DV) or 60 days (OV/EV) are cancelled, as GoGetSSL's automatic rules say.
//!
//! DCV (knob `dcv`): `auto` passes a DNS or HTTP name when the client asks GoGetSSL to `revalidate` it and an email
//! name as soon as the order is read (the approver clicks at once); `manual` passes only through the inspection
//! API; `real` checks on `revalidate`: the DNS record from the inspection API's set, or the file fetched over
//! plain HTTP from the loopback address the host is mapped to (`https` files too). Records for Sectigo brands:
//! CNAME `_<H32>.<host>` → `<sha[0..32]>.<sha[32..64]>.<token>.comodoca.com`, file
//! `/.well-known/pki-validation/<H32>.txt` = `<SHA256>\r\ncomodoca.com\r\n<token>` (H32 and SHA from the CSR);
//! for RapidSSL: TXT `_dnsauth.<host>` = token, file `/.well-known/pki-validation/fileauth.txt` = token.
//! `crt_code` holds a real certificate for the CSR's key and the order's names; `ca_code` the intermediate and
//! the root.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State as AxState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::Digest;
use ssl_core::model::ValidationLevel;
use ssl_core::validate::Validate;
use ssl_gogetssl::generated as g;
use ssl_gogetssl::rules::{self, Brand};
use time::{Date, OffsetDateTime};

use crate::ca::{Ca, parse_csr};
use crate::dcv;
use crate::knobs::{Approval, DcvMode, Fault, FaultKind};
use crate::server::{ActionError, App, OrderAction, ProviderDef, Shared};
use crate::state::State;

/// The user the sandbox accepts (`SSL_ORDERS_GOGETSSL_USER`).
pub const USER: &str = "sandbox-gogetssl-user";
/// The API password the sandbox accepts (`SSL_ORDERS_GOGETSSL_PASSWORD`).
pub const PASSWORD: &str = "sandbox-gogetssl-password";
/// The account's starting balance (EUR).
pub const START_BALANCE: f64 = 1000.0;

pub(crate) const DEF: ProviderDef = ProviderDef {
    tick,
    name: "gogetssl",
    prefix: "/api",
    credentials: &[("SSL_ORDERS_GOGETSSL_USER", USER), ("SSL_ORDERS_GOGETSSL_PASSWORD", PASSWORD)],
    secret_headers: &[],
    secret_params: &["auth_key", "pass"],
    router,
    fault_response,
    orders: orders_json,
    order_action,
};

// ---------------------------------------------------------------------------------------------------------------
// State

/// GoGetSSL's part of the sandbox state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GgState {
    /// Next order id.
    pub next_order_id: i64,
    /// Next invoice id.
    pub next_invoice_id: i64,
    /// Money spent (EUR); the balance is [`START_BALANCE`] minus this.
    pub spent: f64,
    /// Live session keys (newest last), with the calls each served.
    pub sessions: Vec<GgSession>,
    /// Every order, oldest first.
    pub orders: Vec<GgOrder>,
}

/// A session key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GgSession {
    /// The key.
    pub key: String,
    /// Calls it served.
    pub calls: u32,
}

/// One name of an order and its DCV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GgName {
    /// The name.
    pub name: String,
    /// `email`, `http`, `https` or `dns`.
    pub method: String,
    /// The approver for email DCV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// DCV passed.
    pub validated: bool,
}

/// An order as the sandbox keeps it (what [`crate::SandboxHandle::orders`] returns as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GgOrder {
    /// Order id.
    pub id: i64,
    /// Invoice id.
    pub invoice_id: i64,
    /// GoGetSSL status.
    pub status: String,
    /// Product id.
    pub product_id: i64,
    /// Term in months.
    pub period: i64,
    /// The CSR.
    pub csr: String,
    /// Every name, primary first, with its DCV.
    pub names: Vec<GgName>,
    /// Random part of the DCV values.
    pub dcv_token: String,
    /// Server licences.
    pub server_count: i64,
    /// Web server type.
    pub webserver_type: i64,
    /// Price charged (EUR).
    pub amount: f64,
    /// RFC 3339.
    pub created: String,
    /// Coverage start, `yyyy-mm-dd`.
    pub begin_date: String,
    /// Coverage end, `yyyy-mm-dd`.
    pub end_date: String,
    /// A renewal (`add_ssl_renew_order`).
    #[serde(default)]
    pub renew: bool,
    /// The previous order of the same domain, for a renewal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_of: Option<i64>,
    /// SAN slots bought with `add_ssl_san_order`.
    #[serde(default)]
    pub extra_san_slots: i64,
    /// The leaf, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crt: Option<String>,
    /// Leaf `not_after` (RFC 3339), once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Leaf start / end dates, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// Leaf end date, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_till: Option<String>,
    /// Cancellation reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
    /// The order form as received (JSON of its fields).
    pub body: Value,
}

impl GgState {
    pub(crate) fn counters(&self) -> (i64, i64) {
        (self.next_order_id, self.next_invoice_id)
    }

    pub(crate) fn restore_counters(&mut self, c: (i64, i64)) {
        (self.next_order_id, self.next_invoice_id) = c;
    }

    fn next(counter: &mut i64, base: i64) -> i64 {
        if *counter < base {
            *counter = base;
        }
        let v = *counter;
        *counter += 1;
        v
    }

    fn order_mut(&mut self, id: i64) -> Option<&mut GgOrder> {
        self.orders.iter_mut().find(|o| o.id == id)
    }
}

impl GgOrder {
    fn primary(&self) -> &str {
        self.names.first().map(|n| n.name.as_str()).unwrap_or("")
    }

    fn all_validated(&self) -> bool {
        self.names.iter().all(|n| n.validated)
    }

    fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "processing" | "pending" | "reissue")
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Answers

fn rfc3339(t: OffsetDateTime) -> String {
    crate::digicert::rfc3339(t)
}

fn ymd(d: Date) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&f).unwrap_or_default()
}

fn add_months(d: Date, months: i64) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + months;
    let (y, m) = (total.div_euclid(12) as i32, (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(m).unwrap_or(time::Month::January);
    let day = d.day().min(month.length(y));
    Date::from_calendar_date(y, month, day).unwrap_or(d)
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

/// GoGetSSL's error shape, with HTTP 200.
fn error(message: impl Into<String>, description: impl Into<String>) -> Response {
    ok(json!({"error": true, "message": message.into(), "description": description.into()}))
}

fn problems_error(problems: &[(String, String)]) -> Response {
    let first = problems.first().map(|(_, m)| m.clone()).unwrap_or_else(|| "Invalid request".into());
    let all: Vec<String> =
        problems.iter().map(|(f, m)| if f.is_empty() { m.clone() } else { format!("{f}: {m}") }).collect();
    error(first, all.join("; "))
}

fn fault_response(f: &Fault) -> Response {
    match f.kind {
        FaultKind::RateLimit => {
            let secs = f.retry_after.unwrap_or(1);
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({"error": true, "message": "Too many requests", "description": "Rate limit reached (sandbox fault)"})),
            )
                .into_response();
            if let Ok(v) = secs.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        _ => {
            let status = f.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            (
                status,
                axum::Json(json!({"error": true, "message": "Internal server error", "description": "sandbox fault"})),
            )
                .into_response()
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Products

#[allow(clippy::too_many_arguments)]
fn product(
    id: i64,
    name: &str,
    brand: &str,
    level: &str,
    wildcard: bool,
    san: bool,
    max: i64,
    prices: [&str; 3],
) -> g::ProductDetails {
    let mut p = g::ProductDetails::new(id)
        .product(name)
        .brand(brand)
        .product_type(level)
        .wildcard_enabled(wildcard)
        .san_enabled(san)
        .max_period(36)
        .org_required(level != "domain")
        .prices(json!({"12": prices[0], "24": prices[1], "36": prices[2], "vendor": {"12": prices[0]}}));
    if san {
        p = p.multidomains_maximum(max).multidomains_included(3);
    }
    p
}

/// The products the sandbox sells (ids are the sandbox's own; the real catalog is per account).
pub fn catalog() -> Vec<g::ProductDetails> {
    vec![
        product(101, "GoGetSSL Domain SSL", "comodo_ggssl", "domain", false, false, 1, ["5.00", "9.50", "13.50"]),
        product(
            102,
            "Sectigo PositiveSSL Multi-Domain",
            "comodo",
            "domain",
            false,
            true,
            100,
            ["19.00", "36.00", "51.00"],
        ),
        product(103, "Sectigo PositiveSSL Wildcard", "comodo", "domain", true, false, 1, ["49.00", "93.00", "132.00"]),
        product(104, "Sectigo OV SSL", "comodo", "business", false, false, 1, ["39.00", "74.00", "105.00"]),
        product(105, "Sectigo EV SSL", "comodo", "extended", false, false, 1, ["79.00", "150.00", "213.00"]),
        product(
            106,
            "Sectigo Multi-Domain Wildcard",
            "comodo",
            "domain",
            true,
            true,
            100,
            ["99.00", "188.00", "267.00"],
        ),
        product(107, "RapidSSL Standard DV", "rapidssl", "domain", false, false, 1, ["8.00", "15.00", "21.00"]),
    ]
}

fn find_product(id: i64) -> Option<g::ProductDetails> {
    catalog().into_iter().find(|p| p.id == id)
}

fn price(p: &g::ProductDetails, period: i64) -> f64 {
    p.prices
        .as_ref()
        .and_then(|v| v.get(period.to_string()))
        .and_then(|v| match v {
            Value::String(s) => s.parse().ok(),
            other => other.as_f64(),
        })
        .unwrap_or(0.0)
}

async fn product_list() -> Response {
    let list: Vec<Value> = catalog().iter().map(|p| serde_json::to_value(p).unwrap_or(Value::Null)).collect();
    ok(json!({"products": list, "success": true}))
}

async fn product_details(Path(id): Path<String>) -> Response {
    match id.trim().parse().ok().and_then(find_product) {
        Some(p) => ok(json!({"product": p, "success": true})),
        None => error("Product not found", format!("There is no SSL product with id {id}")),
    }
}

async fn product_agreement(Path(id): Path<String>) -> Response {
    match id.trim().parse().ok().and_then(find_product) {
        Some(p) => ok(json!({
            "product_id": p.id,
            "product_agreement": format!("Sandbox subscriber agreement for {}. Nothing here is binding.", p.product.unwrap_or_default()),
            "success": true
        })),
        None => error("Product not found", format!("There is no SSL product with id {id}")),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Router, auth and forms

fn router(app: App) -> Router {
    let protected = Router::new()
        .route("/products/ssl/", get(product_list))
        .route("/products/ssl/{id}", get(product_details))
        .route("/products/agreement/{id}", get(product_agreement))
        .route("/tools/csr/decode/", post(decode_csr))
        .route("/tools/domain/emails/", post(domain_emails))
        .route("/orders/add_ssl_order/", post(add_ssl_order))
        .route("/orders/add_ssl_renew_order/", post(add_ssl_renew_order))
        .route("/orders/add_ssl_san_order/", post(add_ssl_san_order))
        .route("/orders/ssl/reissue/{id}", post(reissue))
        .route("/orders/status/{id}", get(order_status))
        .route("/orders/ssl/change_dcv/{id}", post(change_dcv))
        .route("/orders/ssl/change_validation_email/{id}", post(change_validation_email))
        .route("/orders/ssl/resend_validation_email/{id}", get(resend_validation_email))
        .route("/orders/ssl/revalidate/{id}", post(revalidate))
        .route("/orders/cancel_ssl_order/", post(cancel_order))
        .route("/account/balance/", get(balance))
        .route_layer(middleware::from_fn_with_state(app.clone(), auth));
    Router::new()
        .route("/auth/", post(login))
        .route("/auth", post(login))
        .merge(protected)
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .with_state(app)
}

async fn route_not_found(req: Request) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"error": true, "message": "Method not found", "description": format!("No API method at {}", req.uri().path())})),
    )
        .into_response()
}

fn query_param(req: &Request, name: &str) -> Option<String> {
    let q = req.uri().query()?;
    url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

async fn auth(AxState(app): AxState<App>, req: Request, next: Next) -> Response {
    let Some(key) = query_param(&req, "auth_key").filter(|k| !k.is_empty()) else {
        return error(
            "auth_key not supplied",
            "Every call needs the auth_key query parameter; log in with POST /auth/ (user, pass) to get one",
        );
    };
    let accepted = {
        let mut st = app.store.lock();
        let limit = st.knobs.session_calls;
        let gg = &mut st.gogetssl;
        match gg.sessions.iter().position(|s| s.key == key) {
            Some(i) if limit.is_some_and(|n| gg.sessions[i].calls >= n) => {
                gg.sessions.remove(i);
                false
            }
            Some(i) => {
                gg.sessions[i].calls += 1;
                true
            }
            None => false,
        }
    };
    if !accepted {
        return error(
            "Invalid or expired auth_key",
            "The auth_key has expired or was never issued; log in again with POST /auth/",
        );
    }
    next.run(req).await
}

/// One form parameter problem: `(field, message)`.
type Problems = Vec<(String, String)>;

#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn form_pairs(headers: &HeaderMap, body: &Bytes) -> Result<Vec<(String, String)>, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(error(
            "Unsupported request body",
            format!(
                "POST bodies are application/x-www-form-urlencoded; got `{}`",
                if ct.is_empty() { "none" } else { ct }
            ),
        ));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(error("Malformed request body", "The form body is not valid UTF-8"));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(error("Malformed request body", format!("Parameter `{k}` is given twice")));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// Read a form as the generated type `T`: lists split on commas, numbers and flags read leniently; parameters
/// the type does not know are refused.
#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn form_as<T: serde::de::DeserializeOwned + Serialize>(
    pairs: &[(String, String)],
    lists: &[&str],
) -> Result<T, Response> {
    let mut map = Map::new();
    for (k, v) in pairs {
        let value = if lists.contains(&k.as_str()) {
            Value::Array(v.split(',').map(|s| Value::String(s.trim().to_owned())).collect())
        } else {
            Value::String(v.clone())
        };
        map.insert(k.clone(), value);
    }
    let parsed: T = serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
        let path = e.path().to_string();
        error(format!("Invalid value for {path}"), format!("`{path}`: {}", e.inner()))
    })?;
    let back = serde_json::to_value(&parsed).unwrap_or(Value::Null);
    let unknown: Vec<&str> =
        pairs.iter().filter(|(k, v)| !v.is_empty() && back.get(k).is_none()).map(|(k, _)| k.as_str()).collect();
    if !unknown.is_empty() {
        return Err(error(
            format!("Unknown parameter {}", unknown[0]),
            format!("Not a parameter of this method: {}", unknown.join(", ")),
        ));
    }
    Ok(parsed)
}

/// [`form_pairs`] then [`form_as`].
#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn read_form<T: serde::de::DeserializeOwned + Serialize>(
    headers: &HeaderMap,
    body: &Bytes,
    lists: &[&str],
) -> Result<T, Response> {
    form_as(&form_pairs(headers, body)?, lists)
}

fn validation_problems(v: &impl Validate) -> Problems {
    v.validate().into_iter().filter(|p| p.is_error()).map(|p| (p.field.unwrap_or_default(), p.message)).collect()
}

async fn login(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = match form_pairs(&headers, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let (Some(user), Some(pass)) = (get("user"), get("pass")) else {
        return error("Username and/or password not supplied", "This request requires username and password");
    };
    if user != USER || pass != PASSWORD {
        return error(
            "Invalid username or password",
            "Check the client-area login and the API password (Reseller Modules → API settings)",
        );
    }
    let mut st = app.store.lock();
    let key = st.token(32);
    let gg = &mut st.gogetssl;
    gg.sessions.push(GgSession { key: key.clone(), calls: 0 });
    if gg.sessions.len() > 50 {
        gg.sessions.remove(0);
    }
    ok(json!({"key": key, "success": true}))
}

// ---------------------------------------------------------------------------------------------------------------
// Tools

fn valid_hostname(name: &str) -> bool {
    let n = name.strip_prefix("*.").unwrap_or(name);
    !n.is_empty()
        && n.len() <= 253
        && n.contains('.')
        && n.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

async fn decode_csr(headers: HeaderMap, body: Bytes) -> Response {
    let req: g::DecodeCsrRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let problems = validation_problems(&req);
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    match parse_csr(&req.csr) {
        Ok(key) => {
            let bits = key.key_type.split_whitespace().last().and_then(|b| b.parse::<i64>().ok());
            let mut result = json!({"CN": key.common_name.clone().unwrap_or_default()});
            if let (Some(b), true) = (bits, key.key_type.starts_with("RSA")) {
                result["Key Size"] = json!(b);
            }
            ok(json!({"csrResult": result, "success": true}))
        }
        Err(e) => error(format!("CSR Error: {}", e.0), "Please provide a valid CSR code"),
    }
}

fn approver_addresses(domain: &str) -> Vec<String> {
    let mut out = Vec::new();
    for d in dcv::self_and_parents(domain) {
        for local in ["admin", "administrator", "hostmaster", "postmaster", "webmaster"] {
            out.push(format!("{local}@{d}"));
        }
    }
    out
}

async fn domain_emails(headers: HeaderMap, body: Bytes) -> Response {
    let req: g::DomainEmailsRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let problems = validation_problems(&req);
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    if !valid_hostname(req.domain.trim()) {
        return error("Invalid domain", format!("`{}` is not a domain name", req.domain));
    }
    let list = approver_addresses(&req.domain);
    ok(json!({"ComodoApprovalEmails": list, "GeotrustApprovalEmails": list, "success": true}))
}

// ---------------------------------------------------------------------------------------------------------------
// DCV values

struct Dcv {
    h32: String,
    sha: String,
    token: String,
    brand: Brand,
}

impl Dcv {
    fn of(o: &GgOrder) -> Self {
        let compact: String = o.csr.split_whitespace().collect();
        let sha = hex::encode_upper(sha2::Sha256::digest(compact.as_bytes()));
        let brand = Brand::of(find_product(o.product_id).and_then(|p| p.brand).as_deref());
        Self { h32: sha[..32].to_owned(), sha, token: o.dcv_token.clone(), brand }
    }

    fn file(&self, host: &str, scheme: &str) -> Value {
        let bare = dcv::bare(host);
        if self.brand == Brand::Sectigo {
            json!({
                "link": format!("{scheme}://{bare}/.well-known/pki-validation/{}.txt", self.h32),
                "filename": format!("{}.txt", self.h32),
                "content": format!("{}\r\ncomodoca.com\r\n{}", self.sha, self.token),
            })
        } else {
            json!({
                "link": format!("{scheme}://{bare}/.well-known/pki-validation/fileauth.txt"),
                "filename": "fileauth.txt",
                "content": self.token,
            })
        }
    }

    /// `(name, type, value)` of the DNS record.
    fn record(&self, host: &str) -> (String, &'static str, String) {
        let bare = dcv::bare(host);
        if self.brand == Brand::Sectigo {
            let s = self.sha.to_ascii_lowercase();
            (format!("_{}.{bare}", self.h32), "CNAME", format!("{}.{}.{}.comodoca.com", &s[..32], &s[32..], self.token))
        } else {
            (format!("_dnsauth.{bare}"), "TXT", self.token.clone())
        }
    }

    fn details(&self, n: &GgName) -> Value {
        match n.method.as_str() {
            "http" => json!({"http": self.file(&n.name, "http")}),
            "https" => json!({"https": self.file(&n.name, "https")}),
            "dns" => {
                let (name, t, value) = self.record(&n.name);
                let record =
                    if t == "TXT" { format!("{name} IN TXT \"{value}\"") } else { format!("{name} {t} {value}") };
                json!({"dns": {"record": record}})
            }
            _ => json!({"email": n.approver.clone().unwrap_or_default()}),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

fn parse_order_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

fn order_not_found(id: &str) -> Response {
    error("Order not found", format!("There is no order {id} in this account"))
}

/// Names and DCV of a new order or reissue: primary (`dcv_method`, `approver_email`), then each `dns_names` entry
/// with its `approver_emails` entry (an address: email; else the method).
fn names_of(
    primary: &str,
    method: &str,
    approver: Option<&String>,
    sans: Option<&Vec<String>>,
    approvers: Option<&Vec<String>>,
) -> Vec<GgName> {
    let mut out = vec![GgName {
        name: primary.to_ascii_lowercase(),
        method: method.to_owned(),
        approver: approver.cloned(),
        validated: false,
    }];
    for (i, san) in sans.into_iter().flatten().enumerate() {
        let entry = approvers.and_then(|a| a.get(i)).cloned().unwrap_or_else(|| method.to_owned());
        let (m, a) = if entry.contains('@') { ("email".to_owned(), Some(entry)) } else { (entry, None) };
        out.push(GgName { name: san.trim().to_ascii_lowercase(), method: m, approver: a, validated: false });
    }
    out
}

fn check_names(names: &[String], out: &mut Problems) {
    for n in names {
        if !valid_hostname(n) {
            out.push(("dns_names".into(), format!("`{n}` is not a valid domain name")));
        }
    }
}

struct NewOrder {
    order: g::AddSslOrderRequest,
    product: g::ProductDetails,
    primary: String,
}

#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn check_new_order(headers: &HeaderMap, body: &Bytes) -> Result<NewOrder, Response> {
    let pairs = form_pairs(headers, body)?;
    let order: g::AddSslOrderRequest = form_as(&pairs, &["dns_names", "approver_emails"])?;
    let mut problems = validation_problems(&order);
    let product = find_product(order.product_id);
    if product.is_none() && order.product_id != 0 {
        problems.push(("product_id".into(), format!("Product {} not found", order.product_id)));
    }
    let primary = match parse_csr(&order.csr) {
        Ok(k) => k.common_name.clone().unwrap_or_default().to_ascii_lowercase(),
        Err(e) if !order.csr.trim().is_empty() => {
            problems.push(("csr".into(), format!("CSR Error: {}", e.0)));
            String::new()
        }
        Err(_) => String::new(),
    };
    if !order.csr.trim().is_empty() && primary.is_empty() && !problems.iter().any(|(f, _)| f == "csr") {
        problems.push(("csr".into(), "CSR Error: the CSR has no common name (the primary domain)".into()));
    }
    let mut all: Vec<String> = vec![primary.clone()];
    all.extend(order.dns_names.iter().flatten().cloned());
    if !primary.is_empty() {
        check_names(&all, &mut problems);
    }
    for p in rules::wire_rules(&order, Some(&primary).filter(|p| !p.is_empty()).map(String::as_str), product.as_ref()) {
        if !problems.iter().any(|(_, m)| *m == p.message) {
            problems.push((p.field.unwrap_or_default(), p.message));
        }
    }
    match product {
        Some(product) if problems.is_empty() => Ok(NewOrder { order, product, primary }),
        _ => Err(problems_error(&problems)),
    }
}

async fn add_ssl_order(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    place(app, headers, body, false)
}

async fn add_ssl_renew_order(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    place(app, headers, body, true)
}

fn place(app: App, headers: HeaderMap, body: Bytes, renew: bool) -> Response {
    let new = match check_new_order(&headers, &body) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let amount = price(&new.product, new.order.period);
    let mut st = app.store.lock();
    if new.order.only_validate == Some(true) {
        return ok(json!({
            "success": true,
            "message": "The order is valid; nothing was placed (only_validate)",
            "order_amount": amount,
            "currency": "EUR",
            "tax": "0.00",
            "tax_rate": "0%",
        }));
    }
    if START_BALANCE - st.gogetssl.spent < amount {
        return error("Insufficient funds", "The account balance does not cover the order");
    }
    let now = st.now();
    let token = format!("t{}", st.token(19));
    let needs_approval = st.knobs.approval == Approval::Required;
    let gg = &mut st.gogetssl;
    let id = GgState::next(&mut gg.next_order_id, 700_001);
    let invoice_id = GgState::next(&mut gg.next_invoice_id, 500_001);
    gg.spent += amount;
    let o = &new.order;
    let renewal_of = renew.then(|| gg.orders.iter().rev().find(|x| x.primary() == new.primary).map(|x| x.id)).flatten();
    let names = names_of(
        &new.primary,
        o.dcv_method.as_str(),
        o.approver_email.as_ref(),
        o.dns_names.as_ref(),
        o.approver_emails.as_ref(),
    );
    let order = GgOrder {
        id,
        invoice_id,
        status: if needs_approval { "pending" } else { "processing" }.into(),
        product_id: o.product_id,
        period: o.period,
        csr: o.csr.clone(),
        names,
        dcv_token: token,
        server_count: o.server_count,
        webserver_type: o.webserver_type,
        amount,
        created: rfc3339(now),
        begin_date: ymd(now.date()),
        end_date: ymd(add_months(now.date(), o.period)),
        renew,
        renewal_of,
        extra_san_slots: 0,
        crt: None,
        not_after: None,
        valid_from: None,
        valid_till: None,
        cancel_reason: None,
        body: serde_json::to_value(o).unwrap_or(Value::Null),
    };
    let details = Dcv::of(&order).details(&order.names[0]);
    let status = order.status.clone();
    gg.orders.push(order);
    ok(json!({
        "approver_method": details,
        "order_id": id,
        "invoice_id": invoice_id,
        "order_status": status,
        "success": true,
        "order_amount": amount,
        "currency": "EUR",
        "tax": "0.00",
        "tax_rate": "0%",
    }))
}

async fn add_ssl_san_order(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    let req: g::AddSslSanOrderRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let problems = validation_problems(&req);
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    let mut st = app.store.lock();
    let gg = &mut st.gogetssl;
    let invoice_id = GgState::next(&mut gg.next_invoice_id, 500_001);
    let Some(o) = gg.order_mut(req.order_id) else {
        return order_not_found(&req.order_id.to_string());
    };
    if find_product(o.product_id).is_none_or(|p| p.san_enabled != Some(true)) {
        return error("SAN slots are not available", format!("Order {} is not for a SAN product", o.id));
    }
    o.extra_san_slots += req.count;
    ok(json!({"order_id": o.id, "invoice_id": invoice_id, "success": true}))
}

fn issue(ca: &Ca, o: &mut GgOrder, now: OffsetDateTime) -> Result<(), String> {
    let key = parse_csr(&o.csr).map_err(|e| e.0)?;
    let names: Vec<String> = o.names.iter().map(|n| n.name.clone()).collect();
    let end = Date::parse(&o.end_date, &time::macros::format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| d.with_hms(23, 59, 59).unwrap_or(d.midnight()).assume_utc());
    let leaf = ca.issue_leaf(&key, o.primary(), &names, now, end).map_err(|e| e.to_string())?;
    o.crt = Some(leaf.pem);
    o.not_after = Some(rfc3339(leaf.not_after));
    o.valid_from = Some(ymd(leaf.not_before.date()));
    o.valid_till = Some(ymd(leaf.not_after.date()));
    o.status = "active".into();
    Ok(())
}

/// After a DCV change: issue when every name passed and the order is not waiting for approval.
fn settle(ca: &Ca, o: &mut GgOrder, now: OffsetDateTime) -> Result<(), String> {
    if matches!(o.status.as_str(), "processing" | "reissue") && o.all_validated() {
        issue(ca, o, now)?;
    }
    Ok(())
}

fn status_json(o: &GgOrder, ca: &Ca) -> Value {
    let dcv = Dcv::of(o);
    let primary = &o.names[0];
    let state = |n: &GgName| if n.validated || o.status == "active" { 2 } else { 1 };
    let san: Vec<Value> = o
        .names
        .iter()
        .skip(1)
        .map(|n| {
            let mut v = json!({
                "san_name": n.name,
                "validation_method": n.method,
                "status": state(n),
                "status_description": if state(n) == 2 { "Validated" } else { "Awaiting validation" },
                "validation": dcv.details(n),
            });
            if let Some(a) = &n.approver {
                v["email"] = json!(a);
            }
            v
        })
        .collect();
    let active = o.crt.is_some() && matches!(o.status.as_str(), "active" | "expired");
    let approvers: Vec<String> =
        o.names.iter().skip(1).map(|n| n.approver.clone().unwrap_or_else(|| n.method.clone())).collect();
    json!({
        "order_id": o.id,
        "partner_order_id": o.id * 3 + 11,
        "status": o.status,
        "status_description": match o.status.as_str() {
            "processing" => "Awaiting domain control validation",
            "pending" => "Waiting for the order to be approved",
            "active" => "Certificate issued",
            "reissue" => "Reissue awaiting domain control validation",
            "cancelled" => "Cancelled",
            "rejected" => "Rejected by the CA",
            "expired" => "Expired",
            _ => "",
        },
        "dcv_status": state(primary),
        "product_id": o.product_id,
        "domain": primary.name,
        "domains": o.names.iter().map(|n| n.name.clone()).collect::<Vec<_>>().join(","),
        "total_domains": o.names.len(),
        "validity_period": o.period,
        "valid_from": o.valid_from.clone().unwrap_or_default(),
        "valid_till": o.valid_till.clone().unwrap_or_default(),
        "begin_date": o.begin_date,
        "end_date": o.end_date,
        "csr_code": o.csr,
        "crt_code": if active { o.crt.clone().unwrap_or_default() } else { String::new() },
        "ca_code": if active { format!("{}\n{}\n", ca.intermediate_pem.trim(), ca.root_pem.trim()) } else { String::new() },
        "server_count": o.server_count,
        "webserver_type": o.webserver_type,
        "reissue": u8::from(o.status == "reissue"),
        "renew": u8::from(o.renew),
        "dcv_method": primary.method,
        "approver_email": primary.approver.clone().unwrap_or_default(),
        "approver_emails": approvers.join(","),
        "approver_method": dcv.details(primary),
        "san": san,
        "success": true,
    })
}

async fn order_status(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let mut st = app.store.lock();
    let now = st.now();
    let auto = st.knobs.dcv == DcvMode::Auto;
    let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.order_mut(n)) else {
        return order_not_found(&id);
    };
    if auto && o.is_open() && o.status != "pending" {
        // The approver clicks at once.
        for n in o.names.iter_mut().filter(|n| n.method == "email") {
            n.validated = true;
        }
        if let Err(e) = settle(&app.ca, o, now) {
            return error("Issuance failed", e);
        }
    }
    ok(status_json(o, &app.ca))
}

async fn reissue(AxState(app): AxState<App>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let req: g::ReissueRequest = match read_form(&headers, &body, &["dns_names", "approver_emails"]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut problems = validation_problems(&req);
    let primary = match parse_csr(&req.csr) {
        Ok(k) => k.common_name.clone().unwrap_or_default().to_ascii_lowercase(),
        Err(e) => {
            problems.push(("csr".into(), format!("CSR Error: {}", e.0)));
            String::new()
        }
    };
    let mut st = app.store.lock();
    let now = st.now();
    let token = format!("t{}", st.token(19));
    let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.order_mut(n)) else {
        return order_not_found(&id);
    };
    if !matches!(o.status.as_str(), "active" | "expired") {
        return error(
            "The order cannot be reissued",
            format!("Only active orders can be reissued; order {} is {}", o.id, o.status),
        );
    }
    if Date::parse(&o.end_date, &time::macros::format_description!("[year]-[month]-[day]"))
        .is_ok_and(|d| d < now.date())
    {
        return error("The order has expired", "The coverage has ended; renew the certificate instead");
    }
    let sans = req.dns_names.clone().unwrap_or_else(|| o.names.iter().skip(1).map(|n| n.name.clone()).collect());
    let approvers = req.approver_emails.clone();
    if sans.len() != approvers.as_ref().map_or(sans.len(), Vec::len) {
        problems.push(("approver_emails".into(), "approver_emails needs one entry per dns_names entry".into()));
    }
    if (req.dcv_method == g::DcvMethod::Email) != req.approver_email.is_some() {
        problems.push(("approver_email".into(), "approver_email goes with email DCV, and only with it".into()));
    }
    if let Some(p) = find_product(o.product_id) {
        let mut as_order = g::AddSslOrderRequest::new(
            o.product_id,
            o.period,
            req.csr.clone(),
            o.server_count,
            req.webserver_type,
            "x",
            "x",
            "x",
            "x",
            "x@example.com",
            req.dcv_method.clone(),
            "x",
            "x",
            "x",
            "x",
            "x@example.com",
        );
        if !sans.is_empty() {
            as_order = as_order.dns_names(sans.clone()).approver_emails(
                approvers.clone().unwrap_or_else(|| vec![req.dcv_method.as_str().to_owned(); sans.len()]),
            );
        }
        as_order.approver_email = req.approver_email.clone();
        for p in rules::wire_rules(&as_order, Some(&primary).filter(|p| !p.is_empty()).map(String::as_str), Some(&p)) {
            if p.code != "field_required" && !problems.iter().any(|(_, m)| *m == p.message) {
                problems.push((p.field.unwrap_or_default(), p.message));
            }
        }
    }
    let mut all = vec![primary.clone()];
    all.extend(sans.iter().cloned());
    if !primary.is_empty() {
        check_names(&all, &mut problems);
    }
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    let validated: Vec<String> = if o.status == "active" || o.status == "expired" {
        o.names.iter().filter(|n| n.validated || o.crt.is_some()).map(|n| n.name.clone()).collect()
    } else {
        Vec::new()
    };
    let approvers = approvers.unwrap_or_else(|| vec![req.dcv_method.as_str().to_owned(); sans.len()]);
    let mut names =
        names_of(&primary, req.dcv_method.as_str(), req.approver_email.as_ref(), Some(&sans), Some(&approvers));
    for n in &mut names {
        n.validated = validated.contains(&n.name);
    }
    o.names = names;
    o.csr = req.csr.clone();
    o.webserver_type = req.webserver_type;
    o.dcv_token = token;
    o.status = "reissue".into();
    if let Err(e) = settle(&app.ca, o, now) {
        return error("Issuance failed", e);
    }
    let details = Dcv::of(o).details(&o.names[0]);
    ok(json!({"order_id": o.id, "order_status": o.status, "approver_method": details, "success": true}))
}

async fn change_dcv(AxState(app): AxState<App>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let req: g::ChangeDcvRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut problems = validation_problems(&req);
    if (req.new_method == g::DcvMethod::Email) != req.approver_email.is_some() {
        problems.push(("approver_email".into(), "approver_email goes with new_method=email, and only with it".into()));
    }
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    let mut st = app.store.lock();
    let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.order_mut(n)) else {
        return order_not_found(&id);
    };
    if !o.is_open() {
        return error("DCV cannot be changed", format!("Order {} is {}", o.id, o.status));
    }
    let domain = req.domain_name.trim().to_ascii_lowercase();
    let file_based = matches!(req.new_method, g::DcvMethod::Http | g::DcvMethod::Https);
    let per_san = Brand::of(find_product(o.product_id).and_then(|p| p.brand).as_deref()).per_san_methods();
    let Some(i) = o.names.iter().position(|n| n.name == domain) else {
        return error("Domain not found", format!("`{domain}` is not a domain of order {}", o.id));
    };
    if file_based && domain.starts_with("*.") {
        return error("Invalid DCV method", format!("{} cannot validate the wildcard `{domain}`", req.new_method));
    }
    if o.names[i].validated {
        return error("Domain already validated", format!("`{domain}` has passed DCV already"));
    }
    o.names[i].method = req.new_method.as_str().to_owned();
    o.names[i].approver = req.approver_email.clone();
    if !per_san {
        // One method per order: every name follows.
        let (m, a) = (o.names[i].method.clone(), o.names[i].approver.clone());
        for n in o.names.iter_mut().filter(|n| !n.validated) {
            n.method = m.clone();
            n.approver = a.clone();
        }
    }
    ok(json!({"message": format!("DCV method of {domain} changed to {}", req.new_method), "success": true}))
}

async fn change_validation_email(
    AxState(app): AxState<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req: g::ChangeValidationEmailRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let problems = validation_problems(&req);
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    let mut st = app.store.lock();
    let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.order_mut(n)) else {
        return order_not_found(&id);
    };
    if !o.is_open() {
        return error("The approver cannot be changed", format!("Order {} is {}", o.id, o.status));
    }
    let value = req.approver_email.trim().to_owned();
    let primary = &mut o.names[0];
    if value.contains('@') {
        primary.method = "email".into();
        primary.approver = Some(value.clone());
        return ok(json!({"dcv_method": "email", "approver_email": value, "success": true}));
    }
    if matches!(value.as_str(), "http" | "https") && primary.name.starts_with("*.") {
        return error("Invalid DCV method", format!("{value} cannot validate a wildcard"));
    }
    primary.method = value;
    primary.approver = None;
    let n = primary.clone();
    let mut v = Dcv::of(o).details(&n);
    v["success"] = json!(true);
    ok(v)
}

async fn resend_validation_email(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let mut st = app.store.lock();
    let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.order_mut(n)) else {
        return order_not_found(&id);
    };
    if !o.is_open() {
        return error("Nothing to resend", format!("Order {} is {}", o.id, o.status));
    }
    if !o.names.iter().any(|n| n.method == "email" && !n.validated) {
        return error("Nothing to resend", "No domain of the order waits for an approval email");
    }
    ok(json!({"message": "Validation email sent", "success": true}))
}

/// Whether a name's record or file is in place (`real` mode).
async fn real_check(
    n: &GgName,
    dcv: &Dcv,
    records: &[ssl_core::model::DnsRecord],
    hosts: &BTreeMap<String, std::net::SocketAddr>,
) -> Result<(), String> {
    match n.method.as_str() {
        "dns" => {
            let (name, t, value) = dcv.record(&n.name);
            if dcv::has_record(records, &name, t, &value) {
                Ok(())
            } else {
                Err(format!("No {t} record {name} with the expected value was found"))
            }
        }
        "http" | "https" => {
            let file = dcv.file(&n.name, "http");
            let link = file["link"].as_str().unwrap_or("");
            let path =
                link.split_once("://").and_then(|(_, r)| r.find('/').map(|i| r[i..].to_owned())).unwrap_or_default();
            let body = dcv::fetch_http(hosts, &n.name, &path).await?;
            let want = file["content"].as_str().unwrap_or("").replace('\r', "");
            if body.replace('\r', "").trim() == want.trim() {
                Ok(())
            } else {
                Err(format!("The file at {link} does not hold the expected content"))
            }
        }
        _ => Err("email DCV waits for the approver".into()),
    }
}

async fn revalidate(AxState(app): AxState<App>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let req: g::RevalidateRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let problems = validation_problems(&req);
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    let domain = req.domain.trim().to_ascii_lowercase();
    let (mode, name, dcv, records, hosts) = {
        let st = app.store.lock();
        let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.orders.iter().find(|o| o.id == n)) else {
            return order_not_found(&id);
        };
        if !o.is_open() {
            return error("Nothing to revalidate", format!("Order {} is {}", o.id, o.status));
        }
        let Some(n) = o.names.iter().find(|n| n.name == domain) else {
            return error("Domain not found", format!("`{domain}` is not a domain of order {}", o.id));
        };
        (st.knobs.dcv, n.clone(), Dcv::of(o), st.dns.clone(), st.http_hosts.clone())
    };
    let passed = match mode {
        _ if name.validated => Ok(()),
        DcvMode::Auto => Ok(()),
        DcvMode::Manual => Err("waiting for the sandbox's manual DCV approval".to_owned()),
        DcvMode::Real => real_check(&name, &dcv, &records, &hosts).await,
    };
    let mut st = app.store.lock();
    let now = st.now();
    let Some(o) = parse_order_id(&id).and_then(|n| st.gogetssl.order_mut(n)) else {
        return order_not_found(&id);
    };
    match passed {
        Ok(()) => {
            if let Some(n) = o.names.iter_mut().find(|n| n.name == domain) {
                n.validated = true;
            }
            if o.status != "pending" {
                if let Err(e) = settle(&app.ca, o, now) {
                    return error("Issuance failed", e);
                }
            }
            ok(json!({"message": format!("{domain} validated"), "success": true}))
        }
        Err(why) => ok(json!({"message": format!("Revalidation of {domain} requested: {why}"), "success": true})),
    }
}

async fn cancel_order(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    let req: g::CancelOrderRequest = match read_form(&headers, &body, &[]) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let problems = validation_problems(&req);
    if !problems.is_empty() {
        return problems_error(&problems);
    }
    let mut st = app.store.lock();
    let now = st.now();
    let gg = &mut st.gogetssl;
    let Some(o) = gg.orders.iter_mut().find(|o| o.id == req.order_id) else {
        return order_not_found(&req.order_id.to_string());
    };
    let created = OffsetDateTime::parse(&o.created, &time::format_description::well_known::Rfc3339).unwrap_or(now);
    let refundable = o.is_open() || (o.status == "active" && now - created <= time::Duration::days(30));
    if !refundable {
        return error(
            "The order cannot be cancelled",
            format!("Order {} is {} (refund window: 30 days)", o.id, o.status),
        );
    }
    o.status = "cancelled".into();
    o.cancel_reason = Some(req.reason.clone());
    let refund = o.amount;
    let id = o.id;
    gg.spent -= refund;
    ok(json!({"order_id": id, "message": "Order cancelled", "success": true}))
}

async fn balance(AxState(app): AxState<App>) -> Response {
    let st = app.store.lock();
    ok(json!({"balance": format!("{:.2}", START_BALANCE - st.gogetssl.spent), "currency": "EUR", "success": true}))
}

// ---------------------------------------------------------------------------------------------------------------
// Inspection hooks

fn tick(st: &mut State) {
    let now = st.now();
    let mut refunds = 0.0;
    for o in &mut st.gogetssl.orders {
        let ended = o
            .not_after
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
        if o.status == "active" && ended.is_some_and(|end| end < now) {
            o.status = "expired".into();
        }
        if matches!(o.status.as_str(), "processing" | "pending") {
            let days = match find_product(o.product_id).map(|p| rules::validation_level(&p)) {
                Some(ValidationLevel::Dv) | None => 45,
                _ => 60,
            };
            let created =
                OffsetDateTime::parse(&o.created, &time::format_description::well_known::Rfc3339).unwrap_or(now);
            if now - created > time::Duration::days(days) {
                o.status = "cancelled".into();
                o.cancel_reason = Some(format!("Not validated within {days} days (automatic rule)"));
                refunds += o.amount;
            }
        }
    }
    st.gogetssl.spent -= refunds;
}

fn orders_json(st: &State) -> Vec<Value> {
    st.gogetssl.orders.iter().map(|o| serde_json::to_value(o).unwrap_or(Value::Null)).collect()
}

fn order_action(shared: &Shared, st: &mut State, id: &str, action: OrderAction) -> Result<Value, ActionError> {
    let now = st.now();
    let not_found = || (StatusCode::NOT_FOUND, format!("no gogetssl order `{id}`"));
    let o = parse_order_id(id).and_then(|n| st.gogetssl.order_mut(n)).ok_or_else(not_found)?;
    let conflict = |what: &str, o: &GgOrder| (StatusCode::CONFLICT, format!("cannot {what} a {} order", o.status));
    match action {
        OrderAction::Approve => {
            if o.status != "pending" {
                return Err(conflict("approve", o));
            }
            o.status = "processing".into();
            settle(&shared.ca, o, now).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
        }
        OrderAction::PassDcv => {
            if !o.is_open() {
                return Err(conflict("pass DCV of", o));
            }
            for n in &mut o.names {
                n.validated = true;
            }
            settle(&shared.ca, o, now).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
        }
        OrderAction::Reject => {
            if !o.is_open() {
                return Err(conflict("reject", o));
            }
            o.status = "rejected".into();
        }
    }
    serde_json::to_value(&*o).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_add_up() {
        let d = Date::from_calendar_date(2026, time::Month::January, 31).unwrap();
        assert_eq!(ymd(add_months(d, 1)), "2026-02-28");
        assert_eq!(ymd(add_months(d, 12)), "2027-01-31");
        assert_eq!(ymd(add_months(d, 36)), "2029-01-31");
    }

    /// The wire protocol over HTTP: auth with errors in HTTP 200, form parsing errors, the route and fault shapes,
    /// key expiry, an order's way from `processing` to `active`, and the 45-day rule.
    mod wire {
        use serde_json::{Value, json};

        use crate::knobs::{Fault, Knobs};
        use crate::{Sandbox, SandboxConfig, SandboxHandle};

        async fn start() -> SandboxHandle {
            Sandbox::start(SandboxConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap()
        }

        fn http() -> reqwest::Client {
            reqwest::Client::builder().no_proxy().build().unwrap()
        }

        async fn post(sb: &SandboxHandle, path: &str, key: Option<&str>, ct: &str, body: String) -> (u16, Value) {
            let mut url = format!("{}{path}", sb.base_url("gogetssl").unwrap());
            if let Some(k) = key {
                url.push_str(&format!("?auth_key={k}"));
            }
            let r = http().post(url).header("content-type", ct).body(body).send().await.unwrap();
            (r.status().as_u16(), serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null))
        }

        async fn get(sb: &SandboxHandle, path: &str, key: &str) -> (u16, Value) {
            let url = format!("{}{path}?auth_key={key}", sb.base_url("gogetssl").unwrap());
            let r = http().get(url).send().await.unwrap();
            (r.status().as_u16(), serde_json::from_str(&r.text().await.unwrap()).unwrap_or(Value::Null))
        }

        const FORM: &str = "application/x-www-form-urlencoded";

        async fn login(sb: &SandboxHandle) -> String {
            let (s, v) = post(sb, "/auth/", None, FORM, format!("user={}&pass={}", super::USER, super::PASSWORD)).await;
            assert_eq!((s, v["success"].clone()), (200, json!(true)), "{v}");
            v["key"].as_str().unwrap().to_owned()
        }

        fn csr(cn: &str) -> String {
            let key = rcgen::KeyPair::generate().unwrap();
            let mut p = rcgen::CertificateParams::new(vec![cn.to_string()]).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            p.serialize_request(&key).unwrap().pem().unwrap()
        }

        fn order_form(product: i64, cn: &str, extra: &[(&str, &str)]) -> String {
            let csr = csr(cn);
            let mut pairs: Vec<(&str, &str)> = vec![
                ("period", "12"),
                ("csr", &csr),
                ("server_count", "-1"),
                ("webserver_type", "1"),
                ("dcv_method", "dns"),
            ];
            let contact = [
                ("admin_firstname", "John"),
                ("admin_lastname", "Silver"),
                ("admin_phone", "003719999999"),
                ("admin_title", "Mr"),
                ("admin_email", "webmaster@example.com"),
                ("tech_firstname", "John"),
                ("tech_lastname", "Silver"),
                ("tech_phone", "003719999999"),
                ("tech_title", "Mr"),
                ("tech_email", "webmaster@example.com"),
            ];
            pairs.extend(contact);
            pairs.extend(extra.iter().copied());
            let product = product.to_string();
            let mut all = vec![("product_id", product.as_str())];
            all.extend(pairs);
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish()
        }

        #[tokio::test]
        async fn login_errors_come_with_http_200() {
            let sb = start().await;
            let (s, v) = post(&sb, "/auth/", None, FORM, String::new()).await;
            assert_eq!(s, 200);
            assert_eq!(v["error"], true);
            assert_eq!(v["message"], "Username and/or password not supplied");
            assert_eq!(v["description"], "This request requires username and password");
            let (s, v) = post(&sb, "/auth/", None, FORM, format!("user={}&pass=nope", super::USER)).await;
            assert_eq!((s, v["error"].clone()), (200, json!(true)));
            let key = login(&sb).await;
            assert_eq!(key.len(), 32);
            let (s, v) = get(&sb, "/account/balance/", "wrong").await;
            assert_eq!(s, 200);
            assert!(v["message"].as_str().unwrap().contains("auth_key"), "{v}");
            let r = http().get(format!("{}/account/balance/", sb.base_url("gogetssl").unwrap())).send().await.unwrap();
            let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            assert_eq!(v["message"], "auth_key not supplied");
            let (_, v) = get(&sb, "/account/balance/", &key).await;
            assert_eq!(v["balance"], "1000.00");
        }

        #[tokio::test]
        async fn keys_expire_after_the_knob_says() {
            let sb = start().await;
            sb.set_knobs(Knobs { session_calls: Some(2), ..Knobs::default() });
            let key = login(&sb).await;
            for _ in 0..2 {
                assert_eq!(get(&sb, "/account/balance/", &key).await.1["success"], true);
            }
            let (s, v) = get(&sb, "/account/balance/", &key).await;
            assert_eq!((s, v["message"].as_str()), (200, Some("Invalid or expired auth_key")));
            let again = login(&sb).await;
            assert_eq!(get(&sb, "/account/balance/", &again).await.1["success"], true);
        }

        #[tokio::test]
        async fn form_errors() {
            let sb = start().await;
            let key = login(&sb).await;
            let cases = [
                ("application/json", "{\"domain\":\"a.example.com\"}".to_string(), "Unsupported request body"),
                (FORM, "domain=a.example.com&domain=b.example.com".to_string(), "Malformed request body"),
                (FORM, "domain=a.example.com&colour=blue".to_string(), "Unknown parameter colour"),
                (FORM, String::new(), "`domain` is required"),
            ];
            for (ct, body, want) in cases {
                let (s, v) = post(&sb, "/tools/domain/emails/", Some(&key), ct, body).await;
                assert_eq!((s, v["error"].clone()), (200, json!(true)), "{v}");
                let text = format!("{} {}", v["message"], v["description"]);
                assert!(text.contains(want), "{want}: {text}");
            }
            let (_, v) = post(&sb, "/orders/cancel_ssl_order/", Some(&key), FORM, "order_id=abc&reason=x".into()).await;
            assert_eq!(v["message"], "Invalid value for order_id", "{v}");
            let (s, v) = post(&sb, "/tools/domain/emails/", Some(&key), FORM, "domain=shop.example.com".into()).await;
            assert_eq!(s, 200);
            assert!(v["ComodoApprovalEmails"].as_array().unwrap().contains(&json!("admin@example.com")));
        }

        #[tokio::test]
        async fn an_order_with_many_problems_lists_them_all() {
            let sb = start().await;
            let key = login(&sb).await;
            // Product 101 takes no SANs; dns_names repeats the primary; approver_emails is short; email DCV has no
            // approver_email; 48 months is not sold.
            let body = order_form(
                101,
                "a.example.com",
                &[("dns_names", "a.example.com,b.example.com"), ("approver_emails", "dns")],
            )
            .replace("dcv_method=dns", "dcv_method=email")
            .replace("period=12", "period=48");
            let (s, v) = post(&sb, "/orders/add_ssl_order/", Some(&key), FORM, body).await;
            assert_eq!((s, v["error"].clone()), (200, json!(true)), "{v}");
            let d = v["description"].as_str().unwrap();
            for want in ["approver_email", "approver_emails", "primary domain", "not a SAN product", "48"] {
                assert!(d.contains(want), "{want}: {d}");
            }
            assert!(sb.orders("gogetssl").is_empty());
            let garbage: Vec<String> = order_form(101, "a.example.com", &[])
                .split('&')
                .map(|p| if p.starts_with("csr=") { "csr=garbage".to_owned() } else { p.to_owned() })
                .collect();
            let (_, v) = post(&sb, "/orders/add_ssl_order/", Some(&key), FORM, garbage.join("&")).await;
            assert!(v["message"].as_str().unwrap().starts_with("CSR Error"), "{v}");
        }

        #[tokio::test]
        async fn an_order_moves_from_processing_to_active_with_a_real_certificate() {
            let sb = start().await;
            let key = login(&sb).await;
            let (_, v) = post(
                &sb,
                "/orders/add_ssl_order/",
                Some(&key),
                FORM,
                order_form(101, "a.example.com", &[("only_validate", "true")]),
            )
            .await;
            assert_eq!((v["success"].clone(), v["order_amount"].clone()), (json!(true), json!(5.0)), "{v}");
            assert!(v.get("order_id").is_none() && sb.orders("gogetssl").is_empty());
            let (_, v) =
                post(&sb, "/orders/add_ssl_order/", Some(&key), FORM, order_form(101, "a.example.com", &[])).await;
            assert_eq!(v["order_status"], "processing", "{v}");
            assert_eq!((v["tax"].clone(), v["currency"].clone()), (json!("0.00"), json!("EUR")));
            let record = v["approver_method"]["dns"]["record"].as_str().unwrap();
            assert!(record.contains(" CNAME ") && record.ends_with(".comodoca.com"), "{record}");
            let id = v["order_id"].as_i64().unwrap();
            let (_, st) = get(&sb, &format!("/orders/status/{id}"), &key).await;
            assert_eq!(
                (st["status"].clone(), st["dcv_status"].clone(), st["crt_code"].clone()),
                (json!("processing"), json!(1), json!(""))
            );
            let (_, r) =
                post(&sb, &format!("/orders/ssl/revalidate/{id}"), Some(&key), FORM, "domain=a.example.com".into())
                    .await;
            assert_eq!(r["success"], true, "{r}");
            let (_, st) = get(&sb, &format!("/orders/status/{id}"), &key).await;
            assert_eq!((st["status"].clone(), st["dcv_status"].clone()), (json!("active"), json!(2)));
            assert!(st["crt_code"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
            assert_eq!(st["ca_code"].as_str().unwrap().matches("BEGIN CERTIFICATE").count(), 2);
            let (_, c) =
                post(&sb, "/orders/cancel_ssl_order/", Some(&key), FORM, format!("order_id={id}&reason=test")).await;
            assert_eq!(c["success"], true, "refund window: {c}");
        }

        #[tokio::test]
        async fn routes_faults_and_the_45_day_rule() {
            let sb = start().await;
            let r = http().get(format!("{}/nope", sb.base_url("gogetssl").unwrap())).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 404);
            let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            assert_eq!(v["error"], true);
            let key = login(&sb).await;
            sb.set_knobs(Knobs::default().fault(Fault::rate_limit(3).provider("gogetssl").times(1)));
            let r = http()
                .get(format!("{}/account/balance/?auth_key={key}", sb.base_url("gogetssl").unwrap()))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 429);
            assert_eq!(r.headers()["retry-after"], "3");
            let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
            assert_eq!(v["error"], true);
            sb.set_knobs(Knobs::default());
            let key = login(&sb).await;
            let (_, v) =
                post(&sb, "/orders/add_ssl_order/", Some(&key), FORM, order_form(101, "old.example.com", &[])).await;
            let id = v["order_id"].as_i64().unwrap();
            sb.advance_clock(std::time::Duration::from_secs(46 * 86_400));
            let (_, st) = get(&sb, &format!("/orders/status/{id}"), &key).await;
            assert_eq!(st["status"], "cancelled");
            let (_, b) = get(&sb, "/account/balance/", &key).await;
            assert_eq!(b["balance"], "1000.00", "refunded");
        }
    }

    #[test]
    fn the_catalog_maps_to_neutral_rules() {
        let rules: Vec<_> = catalog().iter().map(rules::product_rules).collect();
        assert!(rules.iter().any(|r| r.multi_domain && r.max_names == Some(100)));
        assert!(rules.iter().any(|r| r.wildcard && !r.multi_domain));
        assert!(rules.iter().any(|r| r.validation == ValidationLevel::Ev));
        assert!(rules.iter().all(|r| r.periods_months == vec![12, 24, 36]));
    }
}
