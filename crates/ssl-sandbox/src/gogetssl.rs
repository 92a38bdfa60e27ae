//! GoGetSSL API v1, as the sandbox serves it under `/api`.
//!
//! Auth: `POST /auth/` with the form fields `user` = [`USER`] and `pass` = [`PASSWORD`] answers `{key, success}`.
//! Every other call needs the key as the `auth_key` query parameter. Auth errors come **with HTTP 200**, as
//! GoGetSSL sends them: no user or password `{"error":true,"message":"Username and/or password not supplied"}`, a
//! wrong one `"Invalid username or password"`, no key `"auth_key not supplied"`, an unknown or expired key exactly
//! [`EXPIRED_KEY`] (the client re-logs in on it). With the knob `session_calls: N` a key serves N calls.
//!
//! Bodies are `application/x-www-form-urlencoded`, lists (`dns_names`, `approver_emails`) comma-joined; another
//! content type, a parameter given twice, an unknown parameter or a wrong type is an error. Bodies are read with the
//! generated types of `ssl_gogetssl` (the spec is data) and judged by the sandbox's own [`catalog`] and rules,
//! written from the provider notes; every problem is listed in `description`, the first in `message`. Every error
//! is `{"error":true,"message","description"}` with HTTP 200, except an unknown path (404) and the fault knobs.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /auth/` | `{key, success}` |
//! | `GET /products/ssl/`, `GET /products/ssl/{id}` | `{products}` / `{product}` ([`catalog`]) |
//! | `GET /products/agreement/{id}` | `{product_id, product_agreement}` |
//! | `POST /tools/csr/decode/` | `{csrResult: {CN, Key Size}}` |
//! | `POST /tools/domain/emails/` | `{ComodoApprovalEmails, GeotrustApprovalEmails}` |
//! | `POST /orders/add_ssl_order/`, `/orders/add_ssl_renew_order/` | `{approver_method, order_id, invoice_id, order_status, success, order_amount (number), currency, tax ("0.00"), tax_rate}`; `only_validate=true`: the price, nothing stored |
//! | `POST /orders/add_ssl_san_order/` | `{order_id, invoice_id, success}` |
//! | `POST /orders/ssl/reissue/{id}` | `{order_id, order_status, approver_method, success}` |
//! | `GET /orders/ssl/all?limit=&offset=` | `{orders: [{order_id, status}], limit, offset, count}`, oldest first |
//! | `GET /orders/status/{id}` | status, `dcv_status` (1 pending, 2 passed), `san[]`, `crt_code`/`ca_code` once active |
//! | `POST /orders/ssl/change_dcv/{id}`, `/orders/ssl/change_validation_email/{id}` | `{message, success}` / the new method's details |
//! | `GET /orders/ssl/resend_validation_email/{id}` | `{message, success}` (mails the approvers again) |
//! | `POST /orders/ssl/revalidate/{id}` | `{message, success}`; runs the DCV check of that domain |
//! | `POST /orders/cancel_ssl_order/` | `{order_id, success}` (open orders, or active within 30 days: refunded) |
//! | `GET /account/balance/` | `{balance: "1000.00", currency, success}` |
//!
//! Statuses: `processing` (or `pending` until approved) → `active` when every name passed DCV; `reissue` while a
//! reissue for new names waits; `cancelled`, `rejected`, `revoked`; `expired` once the leaf ended. Open orders not
//! validated within 45 days (DV) or 60 days (OV/EV) are cancelled and refunded. DCV: `auto` passes a DNS or file
//! name on `revalidate` and an email name when the order is read; `manual` only through the inspection API (or the
//! mailbox link); `real` checks on `revalidate`. Sectigo brands: CNAME `_<H32>.<host>` →
//! `<sha[0..32]>.<sha[32..64]>.<token>.comodoca.com`, file `/.well-known/pki-validation/<H32>.txt` =
//! `<SHA256>\r\ncomodoca.com\r\n<token>` (H32, SHA of the CSR); RapidSSL: TXT `_dnsauth.<host>` = token, file
//! `/.well-known/pki-validation/fileauth.txt` = token.

use axum::routing::{get, post};
use serde::de::DeserializeOwned;
use ssl_core::validate::Validate;
use ssl_gogetssl::generated as g;
use time::OffsetDateTime;

use crate::ca::parse_csr;
use crate::kit::app::Shared;
use crate::kit::catalog::{self, Issue, Names};
use crate::kit::dcv::{self, Challenge, Verdict};
use crate::kit::order::Closed;
use crate::kit::prelude::*;
use crate::kit::time::{add_months, parse_rfc3339};
use crate::kit::wire;
use crate::knobs::{Approval, DcvMode};

/// The user the sandbox accepts (`SSL_ORDERS_GOGETSSL_USER`).
pub const USER: &str = "sandbox-gogetssl-user";
/// The API password the sandbox accepts (`SSL_ORDERS_GOGETSSL_PASSWORD`).
pub const PASSWORD: &str = "sandbox-gogetssl-password";
/// The account's starting balance (EUR).
pub const START_BALANCE: f64 = 1000.0;
/// The `message` of the answer to an unknown or expired `auth_key` (HTTP 200).
pub const EXPIRED_KEY: &str = "Invalid or expired auth_key";

pub(crate) const DEF: ProviderDef = ProviderDef {
    credentials: &[("SSL_ORDERS_GOGETSSL_USER", USER), ("SSL_ORDERS_GOGETSSL_PASSWORD", PASSWORD)],
    secret_params: &["auth_key", "pass"],
    public_paths: &["/auth/", "/auth"],
    ..ProviderDef::new::<GgState>("/api", ROUTES, auth, failure, || json!({"products": catalog()}))
};

type R = Answer;

/// GoGetSSL's part of the sandbox state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GgState {
    /// Money spent (EUR); the balance is [`START_BALANCE`] (or the `balance` knob) minus this.
    pub spent: f64,
    /// Every order, oldest first.
    pub orders: Vec<Order<GgExtra>>,
}

/// What only GoGetSSL keeps per order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GgExtra {
    /// Invoice id.
    pub invoice_id: i64,
    /// Term in months.
    pub period: i64,
    /// Server licences.
    pub server_count: i64,
    /// Web server type.
    pub webserver_type: i64,
    /// Price charged (EUR).
    pub amount: f64,
    /// Placed with `add_ssl_renew_order`.
    pub renew: bool,
    /// SAN slots bought with `add_ssl_san_order`.
    pub extra_san_slots: i64,
    /// The order form as received.
    pub body: Value,
}

part!(GgState, "gogetssl", GgExtra);

impl Book for GgState {
    fn status(o: &Order<GgExtra>, s: Stage) -> &'static str {
        let open = if o.leaves.len() > 1 { "reissue" } else { "processing" };
        s.pick(["pending", open, open, "active", "rejected", "cancelled", "revoked", "expired"])
    }

    fn sample(kit: &mut Kit, csr: &str, cn: &str) -> Order<GgExtra> {
        let (now, token) = (kit.now(), format!("t{}", kit.token(19)));
        let id = kit.ids.next("gogetssl.order", 700_001).to_string();
        let x = GgExtra {
            invoice_id: kit.ids.next("gogetssl.invoice", 500_001),
            period: 12,
            server_count: -1,
            webserver_type: 1,
            ..GgExtra::default()
        };
        let (names, coverage_end) = (vec![Name::new(cn, "dns", None)], Some(add_months(now.date(), 12)));
        let (leaf_id, product, csr) = (id.clone(), "101".into(), csr.into());
        Order::new(NewOrder { id, leaf_id, product, csr, names, token, coverage_end, ..NewOrder::default() }, now, x)
    }

    /// Expiry, and GoGetSSL's rule: open orders not validated in 45 days (DV) or 60 days (OV/EV) are cancelled
    /// and refunded.
    fn tick(&mut self, now: OffsetDateTime) {
        for o in &mut self.orders {
            o.tick(now);
            let dv = find_product(&o.product).is_none_or(|p| p.product_type.as_deref() == Some("domain"));
            let days = if dv { 45 } else { 60 };
            if o.lapse(now, days) {
                o.note = Some(format!("Not validated within {days} days (automatic rule)"));
                self.spent -= o.x.amount;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Answers, auth, forms

/// GoGetSSL's error shape, with HTTP 200.
fn error(message: impl Into<String>, description: impl Into<String>) -> Refusal {
    axum::Json(json!({"error": true, "message": message.into(), "description": description.into()}))
        .into_response()
        .into()
}

fn problems_error(problems: &[(String, String)]) -> Refusal {
    let first = problems.first().map_or_else(|| "Invalid request".to_owned(), |(_, m)| m.clone());
    let all: Vec<String> =
        problems.iter().map(|(f, m)| if f.is_empty() { m.clone() } else { format!("{f}: {m}") }).collect();
    error(first, all.join("; "))
}

fn failure(f: &Failure) -> Response {
    match f {
        Failure::RateLimited { .. } => error("Too many requests", "Rate limit reached"),
        Failure::ServerError { .. } => error("Internal server error", "The server encountered an error"),
        Failure::NoRoute { path } => error("Method not found", format!("No API method at {path}")),
    }
    .into_response()
}

fn auth(h: &Head<'_>, st: &mut State) -> Result<String, Refusal> {
    let Some(key) = h.query("auth_key").filter(|k| !k.is_empty()) else {
        return Err(error(
            "auth_key not supplied",
            "Every call needs the auth_key query parameter; log in with POST /auth/ (user, pass) to get one",
        ));
    };
    st.kit.use_session("gogetssl", &key).ok_or_else(|| {
        error(EXPIRED_KEY, "The auth_key has expired or was never issued; log in again with POST /auth/")
    })
}

fn pairs(headers: &HeaderMap, body: &Bytes) -> Result<Vec<(String, String)>, Refusal> {
    wire::form_pairs(headers, body).map_err(|e| error(e.0, e.1))
}

/// Read a form as the generated type `T` (lists split on commas); parameters `T` does not know are refused; then
/// its schema checks.
fn form<T: DeserializeOwned + Serialize + Validate>(
    headers: &HeaderMap,
    body: &Bytes,
    lists: &[&str],
) -> Result<(T, Problems), Refusal> {
    let (t, problems) = wire::typed_form::<T>(&pairs(headers, body)?, lists).map_err(|e| error(e.0, e.1))?;
    Ok((t, catalog::coded(&problems, |field, _| field.to_owned())))
}

fn checked<T>(r: (T, Problems)) -> Result<T, Refusal> {
    if r.1.is_empty() { Ok(r.0) } else { Err(problems_error(&r.1)) }
}

const LOGIN: Route = ("/auth/", || post(login));
const LOGIN_2: Route = ("/auth", || post(login));
async fn login(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> R {
    let pairs = pairs(&headers, &body)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let (Some(user), Some(pass)) = (get("user"), get("pass")) else {
        return Err(error("Username and/or password not supplied", "This request requires username and password"));
    };
    if user != USER || pass != PASSWORD {
        return Err(error(
            "Invalid username or password",
            "Check the client-area login and the API password (Reseller Modules → API settings)",
        ));
    }
    let key = app.state().kit.open_session("gogetssl", USER);
    ok(json!({"key": key, "success": true}))
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog (the sandbox's own; the real one is per account)

/// A product: `(id, name, brand, level, wildcard, SAN, most SANs, prices for 12/24/36 months)`.
type Row = (i64, &'static str, &'static str, &'static str, bool, bool, i64, [&'static str; 3]);

/// The products the sandbox sells.
const PRODUCTS: &[Row] = &[
    (101, "GoGetSSL Domain SSL", "comodo_ggssl", "domain", false, false, 0, ["5.00", "9.50", "13.50"]),
    (102, "Sectigo PositiveSSL Multi-Domain", "comodo", "domain", false, true, 100, ["19.00", "36.00", "51.00"]),
    (103, "Sectigo PositiveSSL Wildcard", "comodo", "domain", true, false, 0, ["49.00", "93.00", "132.00"]),
    (104, "Sectigo OV SSL", "comodo", "business", false, false, 0, ["39.00", "74.00", "105.00"]),
    (105, "Sectigo EV SSL", "comodo", "extended", false, false, 0, ["79.00", "150.00", "213.00"]),
    (106, "Sectigo Multi-Domain Wildcard", "comodo", "domain", true, true, 100, ["99.00", "188.00", "267.00"]),
    (107, "RapidSSL Standard DV", "rapidssl", "domain", false, false, 0, ["8.00", "15.00", "21.00"]),
];

/// The catalog as GoGetSSL's product details.
pub fn catalog() -> Vec<g::ProductDetails> {
    PRODUCTS
        .iter()
        .map(|&(id, name, brand, level, wildcard, san, max, prices)| {
            let p = g::ProductDetails::new(id)
                .product(name)
                .brand(brand)
                .product_type(level)
                .wildcard_enabled(wildcard)
                .san_enabled(san)
                .max_period(36)
                .org_required(level != "domain")
                .prices(json!({"12": prices[0], "24": prices[1], "36": prices[2], "vendor": {"12": prices[0]}}));
            if san { p.multidomains_maximum(max).multidomains_included(3) } else { p }
        })
        .collect()
}

fn find_product(id: &str) -> Option<g::ProductDetails> {
    catalog().into_iter().find(|p| p.id.to_string() == id.trim())
}

fn price(p: &g::ProductDetails, period: i64) -> Option<f64> {
    p.prices.as_ref()?.get(period.to_string())?.as_str()?.parse().ok()
}

fn sectigo(p: &g::ProductDetails) -> bool {
    p.brand.as_deref().is_some_and(|b| b.starts_with("comodo") || b == "sectigo")
}

const PRODUCT_LIST: Route = ("/products/ssl/", || get(product_list));
async fn product_list() -> R {
    ok(json!({"products": catalog(), "success": true}))
}

const PRODUCT_DETAILS: Route = ("/products/ssl/{id}", || get(product::<false>));
const PRODUCT_AGREEMENT: Route = ("/products/agreement/{id}", || get(product::<true>));
/// A product's details, or (`AGREEMENT`) its subscriber agreement.
async fn product<const AGREEMENT: bool>(Path(id): Path<String>) -> R {
    let p =
        find_product(&id).ok_or_else(|| error("Product not found", format!("There is no SSL product with id {id}")))?;
    if !AGREEMENT {
        return ok(json!({"product": p, "success": true}));
    }
    let text = format!("Sandbox subscriber agreement for {}. Nothing here is binding.", p.product.unwrap_or_default());
    ok(json!({"product_id": p.id, "product_agreement": text, "success": true}))
}

const ROUTES: &[Route] = &[
    LOGIN,
    LOGIN_2,
    PRODUCT_LIST,
    PRODUCT_DETAILS,
    PRODUCT_AGREEMENT,
    DECODE_CSR,
    DOMAIN_EMAILS,
    ADD_SSL_ORDER,
    ADD_SSL_RENEW_ORDER,
    ADD_SSL_SAN_ORDER,
    REISSUE,
    ORDER_STATUS,
    ALL_ORDERS,
    CHANGE_DCV,
    CHANGE_VALIDATION_EMAIL,
    RESEND_VALIDATION_EMAIL,
    REVALIDATE,
    CANCEL_ORDER,
    BALANCE,
];

// ---------------------------------------------------------------------------------------------------------------
// Tools

const DECODE_CSR: Route = ("/tools/csr/decode/", || post(decode_csr));
async fn decode_csr(headers: HeaderMap, body: Bytes) -> R {
    let req: g::DecodeCsrRequest = checked(form(&headers, &body, &[])?)?;
    let key =
        parse_csr(&req.csr).map_err(|e| error(format!("CSR Error: {}", e.0), "Please provide a valid CSR code"))?;
    let mut result = json!({"CN": key.common_name.clone().unwrap_or_default()});
    wire::put_some(
        &mut result,
        [("Key Size", key.bits().filter(|_| key.key_type.starts_with("RSA")).map(|b| json!(b)))],
    );
    ok(json!({"csrResult": result, "success": true}))
}

const DOMAIN_EMAILS: Route = ("/tools/domain/emails/", || post(domain_emails));
async fn domain_emails(headers: HeaderMap, body: Bytes) -> R {
    let req: g::DomainEmailsRequest = checked(form(&headers, &body, &[])?)?;
    if !wire::valid_hostname(req.domain.trim()) {
        return Err(error("Invalid domain", format!("`{}` is not a domain name", req.domain)));
    }
    let list: Vec<String> =
        dcv::self_and_parents(&req.domain).iter().flat_map(|d| dcv::approver_addresses(d)).collect();
    ok(json!({"ComodoApprovalEmails": list, "GeotrustApprovalEmails": list, "success": true}))
}

// ---------------------------------------------------------------------------------------------------------------
// DCV values

/// What proves control of `n` (Sectigo brands: Sectigo's CNAME and file; the others DigiCert's TXT and file),
/// with its display form.
fn challenge(o: &Order<GgExtra>, n: &Name) -> (Challenge, String) {
    let (kind, scheme) = if n.method == "dns" { ("dns", "") } else { ("file", n.method.as_str()) };
    let (c, shown) = if find_product(&o.product).is_some_and(|p| sectigo(&p)) {
        dcv::sectigo(kind, &n.name, &o.csr, &o.token)
    } else {
        dcv::digicert_family(kind, &n.name, &o.token)
    };
    (c, if scheme == "https" { shown.replacen("http://", "https://", 1) } else { shown })
}

/// `approver_method` / `validation` details of one name.
fn details(o: &Order<GgExtra>, n: &Name) -> Value {
    match (n.method.as_str(), challenge(o, n)) {
        ("dns", (_, record)) => json!({"dns": {"record": record}}),
        (m @ ("http" | "https"), (Challenge::File { path, content, .. }, link)) => {
            json!({m: {"link": link, "filename": path.rsplit('/').next(), "content": content}})
        }
        _ => json!({"email": n.approver.clone().unwrap_or_default()}),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Judging orders (the sandbox's own rules, from the provider notes)

/// Names with their DCV: the primary (`method`, `approver`), then each SAN with its `approver_emails` entry (an
/// address means email; else the method).
fn names_of(
    primary: &str,
    method: &str,
    approver: Option<&String>,
    sans: &[String],
    approvers: &[String],
) -> Vec<Name> {
    let mut out = vec![Name::new(primary, method, approver.cloned())];
    for (i, san) in sans.iter().enumerate() {
        let entry = approvers.get(i).cloned().unwrap_or_else(|| method.to_owned());
        let (m, a) = if entry.contains('@') { ("email", Some(entry)) } else { (entry.as_str(), None) };
        out.push(Name::new(san, m, a.clone()));
    }
    out
}

/// Everything wrong with the names, DCV and term of an order or reissue for product `p`.
#[allow(clippy::too_many_arguments, reason = "the fields of the two forms that carry names and DCV")]
fn judge(
    p: &g::ProductDetails,
    primary: &str,
    sans: Option<&Vec<String>>,
    approvers: Option<&Vec<String>>,
    method: &g::DcvMethod,
    approver: Option<&String>,
    out: &mut Problems,
) {
    let email = *method == g::DcvMethod::Email;
    if email != approver.is_some() {
        out.add(
            "approver_email",
            "approver_email goes with email DCV (the primary domain's approver), and only with it",
        );
    }
    let list = sans.map_or(&[][..], Vec::as_slice);
    let san_product = p.san_enabled == Some(true);
    if sans.is_some() && !san_product {
        out.add("dns_names", format!("dns_names: product {} is not a SAN product", p.id));
    }
    if sans.map(Vec::len) != approvers.map(Vec::len) {
        out.add(
            "approver_emails",
            format!("approver_emails needs exactly one entry per dns_names entry ({})", list.len()),
        );
    }
    let max = p.multidomains_maximum.unwrap_or(0);
    let method_of = |i: usize| match i {
        0 => method.as_str(),
        i => approvers.and_then(|a| a.get(i - 1)).map_or(method.as_str(), String::as_str),
    };
    let names: Vec<(&str, &str)> = std::iter::once(primary)
        .chain(list.iter().map(String::as_str))
        .enumerate()
        .map(|(i, n)| (n, method_of(i)))
        .collect();
    let rule = Names::UpTo(if san_product { usize::try_from(max).unwrap_or(0) + 1 } else { usize::MAX });
    for issue in catalog::judge(&names, p.wildcard_enabled == Some(true), rule, |m| matches!(m, "http" | "https")) {
        match issue {
            Issue::NotHostname(n) => out.add("dns_names", format!("`{n}` is not a valid domain name")),
            Issue::Repeated(n) => out.add("dns_names", format!("dns_names must not repeat the domain `{n}`")),
            Issue::Wildcard(n) => {
                out.add("csr", format!("`{n}` is a wildcard; product {} takes no wildcard names", p.id))
            }
            Issue::FileWildcard(n, m) => {
                out.add("dcv_method", format!("`{n}` is a wildcard; {m} DCV cannot validate it"))
            }
            Issue::TooMany(_, got) => {
                out.add("dns_names", format!("product {} takes at most {max} SANs; got {}", p.id, got - 1))
            }
        }
    }
    for (n, m) in names.iter().skip(1) {
        if !m.contains('@') && *m != method.as_str() && !sectigo(p) {
            let brand = p.brand.as_deref().unwrap_or("these");
            out.add("approver_emails", format!("{brand} products take one DCV method per order; `{n}` asks for {m}"));
        }
    }
}

struct NewGg {
    order: g::AddSslOrderRequest,
    product: g::ProductDetails,
    primary: String,
    amount: f64,
}

fn check_new_order(headers: &HeaderMap, body: &Bytes) -> Result<NewGg, Refusal> {
    let (order, mut problems): (g::AddSslOrderRequest, _) = form(headers, body, &["dns_names", "approver_emails"])?;
    let product = find_product(&order.product_id.to_string());
    if product.is_none() && order.product_id != 0 {
        problems.add("product_id", format!("Product {} not found", order.product_id));
    }
    let primary = match parse_csr(&order.csr) {
        Ok(k) => k.common_name.unwrap_or_default().to_ascii_lowercase(),
        Err(e) if !order.csr.trim().is_empty() => {
            problems.add("csr", format!("CSR Error: {}", e.0));
            String::new()
        }
        Err(_) => String::new(),
    };
    if !order.csr.trim().is_empty() && primary.is_empty() && !problems.iter().any(|(f, _)| f == "csr") {
        problems.add("csr", "CSR Error: the CSR has no common name (the primary domain)");
    }
    let amount = product.as_ref().and_then(|p| price(p, order.period));
    if let Some(p) = &product {
        if amount.is_none() {
            problems.add("period", format!("product {} is not sold for {} months (12, 24 or 36)", p.id, order.period));
        }
        if !primary.is_empty() {
            judge(
                p,
                &primary,
                order.dns_names.as_ref(),
                order.approver_emails.as_ref(),
                &order.dcv_method,
                order.approver_email.as_ref(),
                &mut problems,
            );
        }
        if p.org_required == Some(true)
            && [&order.org_name, &order.org_addressline1, &order.org_city, &order.org_country, &order.org_phone]
                .iter()
                .any(|f| f.is_none())
        {
            let need = "org_name, org_addressline1, org_city, org_country and org_phone are required";
            problems.add("org_name", format!("product {} is OV/EV: {need}", p.id));
        }
    }
    if order.server_count == 0 {
        problems.add("server_count", "server_count is -1 (unlimited) or at least 1");
    }
    match (product, amount) {
        (Some(product), Some(amount)) if problems.is_empty() => Ok(NewGg { order, product, primary, amount }),
        _ => Err(problems_error(&problems)),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

const ADD_SSL_ORDER: Route = ("/orders/add_ssl_order/", || locked(POST, place::<false>));
const ADD_SSL_RENEW_ORDER: Route = ("/orders/add_ssl_renew_order/", || locked(POST, place::<true>));
fn place<const RENEW: bool>(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let (renew, NewGg { order: o, product, primary, amount }) = (RENEW, check_new_order(&c.headers, &c.body)?);
    let price = json!({"order_amount": amount, "currency": "EUR", "tax": "0.00", "tax_rate": "0%", "success": true});
    if o.only_validate == Some(true) {
        let mut v = price;
        v["message"] = json!("The order is valid; nothing was placed (only_validate)");
        return ok(v);
    }
    if c.kit.knobs.balance.unwrap_or(START_BALANCE) - gg.spent < amount {
        return Err(error("Insufficient funds", "The account balance does not cover the order"));
    }
    let (now, token) = (c.kit.now(), format!("t{}", c.kit.token(19)));
    let needs_approval = c.kit.knobs.approval == Approval::Required;
    let id = c.kit.ids.next("gogetssl.order", 700_001).to_string();
    let invoice_id = c.kit.ids.next("gogetssl.invoice", 500_001);
    gg.spent += amount;
    let renewal_of =
        renew.then(|| gg.orders.iter().rev().find(|x| x.primary() == primary).map(|x| x.id.clone())).flatten();
    let names = names_of(
        &primary,
        o.dcv_method.as_str(),
        o.approver_email.as_ref(),
        o.dns_names.as_deref().unwrap_or(&[]),
        o.approver_emails.as_deref().unwrap_or(&[]),
    );
    let x = GgExtra {
        invoice_id,
        period: o.period,
        server_count: o.server_count,
        webserver_type: o.webserver_type,
        amount,
        renew,
        extra_san_slots: 0,
        body: serde_json::to_value(&o).unwrap_or(Value::Null),
    };
    let n = NewOrder {
        id: id.clone(),
        leaf_id: id.clone(),
        product: product.id.to_string(),
        csr: o.csr.clone(),
        names,
        token,
        coverage_end: Some(add_months(now.date(), o.period)),
        needs_approval,
        renewal_of,
    };
    let order = Order::new(n, now, x);
    let mut v = json!({"approver_method": details(&order, &order.names[0]), "order_id": id.parse::<i64>().unwrap_or(0), "invoice_id": invoice_id, "order_status": order.wire(GgState::status)});
    wire::extend(&mut v, price);
    gg.orders.push(order);
    ok(v)
}

fn find<'a>(gg: &'a mut GgState, id: &str) -> Result<&'a mut Order<GgExtra>, Refusal> {
    gg.by_id(id).ok_or_else(|| error("Order not found", format!("There is no order {} in this account", id.trim())))
}

const ADD_SSL_SAN_ORDER: Route = ("/orders/add_ssl_san_order/", || locked(POST, add_ssl_san_order));
fn add_ssl_san_order(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let req: g::AddSslSanOrderRequest = checked(form(&c.headers, &c.body, &[])?)?;
    let invoice_id = c.kit.ids.next("gogetssl.invoice", 500_001);
    let o = find(gg, &req.order_id.to_string())?;
    if find_product(&o.product).is_none_or(|p| p.san_enabled != Some(true)) {
        return Err(error("SAN slots are not available", format!("Order {} is not for a SAN product", o.id)));
    }
    o.x.extra_san_slots += req.count;
    ok(json!({"order_id": req.order_id, "invoice_id": invoice_id, "success": true}))
}

fn status_json(o: &Order<GgExtra>, app: &Shared) -> Value {
    let state = |n: &Name| if n.validated || o.stage == Stage::Issued { 2 } else { 1 };
    let san: Vec<Value> = o.names.iter().skip(1).map(|n| {
        let mut v = json!({"san_name": n.name, "validation_method": n.method, "status": state(n),
            "status_description": if state(n) == 2 { "Validated" } else { "Awaiting validation" }, "validation": details(o, n)});
        wire::put_some(&mut v, [("email", n.approver.as_ref().map(|a| json!(a)))]);
        v
    }).collect();
    let leaf = o.current().filter(|l| l.pem.is_some() && matches!(o.stage, Stage::Issued | Stage::Expired));
    let (from, till) = leaf.map(|l| l.dates()).unwrap_or_default();
    let primary = &o.names[0];
    let status = o.wire(GgState::status);
    let description = match status.as_str() {
        "processing" => "Awaiting domain control validation",
        "pending" => "Waiting for the order to be approved",
        "active" => "Certificate issued",
        "reissue" => "Reissue awaiting domain control validation",
        "cancelled" => "Cancelled",
        "rejected" => "Rejected by the CA",
        "expired" => "Expired",
        _ => "",
    };
    let approvers: Vec<String> =
        o.names.iter().skip(1).map(|n| n.approver.clone().unwrap_or_else(|| n.method.clone())).collect();
    json!({
        "order_id": o.id.parse::<i64>().unwrap_or(0), "partner_order_id": o.id.parse::<i64>().unwrap_or(0) * 3 + 11,
        "status": status, "status_description": description, "dcv_status": state(primary), "product_id": o.product.parse::<i64>().unwrap_or(0),
        "domain": primary.name, "domains": o.name_list().join(","), "total_domains": o.names.len(), "validity_period": o.x.period,
        "valid_from": from.unwrap_or_default(), "valid_till": till.unwrap_or_default(), "begin_date": o.created.get(..10), "end_date": o.coverage_end,
        "csr_code": o.csr, "crt_code": leaf.and_then(|l| l.pem.clone()).unwrap_or_default(),
        "ca_code": if leaf.is_some() { format!("{}\n{}\n", app.ca.intermediate_pem.trim(), app.ca.root_pem.trim()) } else { String::new() },
        "server_count": o.x.server_count, "webserver_type": o.x.webserver_type, "reissue": u8::from(status == "reissue"), "renew": u8::from(o.x.renew),
        "dcv_method": primary.method, "approver_email": primary.approver.clone().unwrap_or_default(), "approver_emails": approvers.join(","),
        "approver_method": details(o, primary), "san": san, "success": true,
    })
}

const ORDER_STATUS: Route = ("/orders/status/{id}", || on_order(GET, find, order_status));
fn order_status(o: &mut Order<GgExtra>, c: &mut Call<'_>) -> R {
    let (now, auto) = (c.kit.now(), c.kit.knobs.dcv == DcvMode::Auto);
    if auto && matches!(o.stage, Stage::PendingValidation | Stage::Validated) {
        // The approver clicks at once.
        for n in o.names.iter_mut().filter(|n| n.method == "email") {
            n.validated = true;
        }
        o.settle(&c.app.ca, now).map_err(|e| error("Issuance failed", e))?;
    }
    ok(status_json(o, c.app))
}

const ALL_ORDERS: Route = ("/orders/ssl/all", || locked(GET, all_orders));
fn all_orders(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let (limit, offset) = wire::paging(c.query.get("limit"), c.query.get("offset"), 100, 1000);
    let orders = &gg.orders;
    let rows: Vec<Value> = orders
        .iter()
        .skip(offset)
        .take(limit)
        .map(|o| json!({"order_id": o.id, "status": o.wire(GgState::status)}))
        .collect();
    ok(json!({"orders": rows, "limit": limit, "offset": offset, "count": orders.len(), "success": true}))
}

const REISSUE: Route = ("/orders/ssl/reissue/{id}", || locked(POST, reissue));
fn reissue(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let (req, mut problems): (g::ReissueRequest, _) = form(&c.headers, &c.body, &["dns_names", "approver_emails"])?;
    let primary =
        parse_csr(&req.csr).map(|k| k.common_name.unwrap_or_default().to_ascii_lowercase()).unwrap_or_else(|e| {
            problems.add("csr", format!("CSR Error: {}", e.0));
            String::new()
        });
    let (now, token) = (c.kit.now(), format!("t{}", c.kit.token(19)));
    let o = find(gg, c.id())?;
    let status = o.wire(GgState::status);
    match o.reissuable(now) {
        Err(Closed::NotIssued) => Err(error(
            "The order cannot be reissued",
            format!("Only active orders can be reissued; order {} is {status}", o.id),
        )),
        Err(Closed::TermEnded) => {
            Err(error("The order has expired", "The coverage has ended; renew the certificate instead"))
        }
        Ok(()) => Ok(()),
    }?;
    let sans = req.dns_names.clone().unwrap_or_else(|| o.name_list().split_off(1));
    let approvers = req.approver_emails.clone().unwrap_or_else(|| vec![req.dcv_method.as_str().to_owned(); sans.len()]);
    if let (Some(p), false) = (find_product(&o.product), primary.is_empty()) {
        let (s, a) = ((!sans.is_empty()).then_some(&sans), (!sans.is_empty()).then_some(&approvers));
        judge(&p, &primary, s, a, &req.dcv_method, req.approver_email.as_ref(), &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems_error(&problems));
    }
    let names = names_of(&primary, req.dcv_method.as_str(), req.approver_email.as_ref(), &sans, &approvers);
    let leaf = (format!("{}-{}", o.id, o.leaves.len()), LeafKind::Reissue, req.csr.as_str());
    o.x.webserver_type = req.webserver_type;
    o.reissue(&c.app.ca, leaf, names, token, now).map_err(|e| error("Issuance failed", e))?;
    ok(
        json!({"order_id": o.id.parse::<i64>().unwrap_or(0), "order_status": o.wire(GgState::status), "approver_method": details(o, &o.names[0]), "success": true}),
    )
}

const CHANGE_DCV: Route = ("/orders/ssl/change_dcv/{id}", || locked(POST, change_dcv));
fn change_dcv(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let req: g::ChangeDcvRequest = checked(form(&c.headers, &c.body, &[])?)?;
    if (req.new_method == g::DcvMethod::Email) != req.approver_email.is_some() {
        return Err(problems_error(&[(
            "approver_email".into(),
            "approver_email goes with new_method=email, and only with it".into(),
        )]));
    }
    let o = find(gg, c.id())?;
    let domain = req.domain_name.trim().to_ascii_lowercase();
    let per_san = find_product(&o.product).is_some_and(|p| sectigo(&p));
    let i = o
        .names
        .iter()
        .position(|n| n.name == domain)
        .ok_or_else(|| error("Domain not found", format!("`{domain}` is not a domain of order {}", o.id)))?;
    if !o.stage.is_open() || o.names[i].validated {
        return Err(error(
            "DCV cannot be changed",
            format!("Order {} is {}; `{domain}` validated: {}", o.id, o.wire(GgState::status), o.names[i].validated),
        ));
    }
    if matches!(req.new_method, g::DcvMethod::Http | g::DcvMethod::Https) && domain.starts_with("*.") {
        return Err(error("Invalid DCV method", format!("{} cannot validate the wildcard `{domain}`", req.new_method)));
    }
    // Sectigo takes a method per name; the other brands one per order: every name not validated follows.
    for (_, n) in o.names.iter_mut().enumerate().filter(|(j, n)| *j == i || (!per_san && !n.validated)) {
        (n.method, n.approver, n.mailed) = (req.new_method.as_str().to_owned(), req.approver_email.clone(), false);
    }
    ok(json!({"message": format!("DCV method of {domain} changed to {}", req.new_method), "success": true}))
}

const CHANGE_VALIDATION_EMAIL: Route = ("/orders/ssl/change_validation_email/{id}", || locked(POST, change_email));
fn change_email(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let req: g::ChangeValidationEmailRequest = checked(form(&c.headers, &c.body, &[])?)?;
    let o = find(gg, c.id())?;
    if !o.stage.is_open() {
        return Err(error("The approver cannot be changed", format!("Order {} is {}", o.id, o.wire(GgState::status))));
    }
    let value = req.approver_email.trim().to_owned();
    let primary = &mut o.names[0];
    if matches!(value.as_str(), "http" | "https") && primary.name.starts_with("*.") {
        return Err(error("Invalid DCV method", format!("{value} cannot validate a wildcard")));
    }
    let email = value.contains('@');
    (primary.method, primary.approver, primary.mailed) =
        (if email { "email".into() } else { value.clone() }, email.then(|| value.clone()), false);
    if email {
        return ok(json!({"dcv_method": "email", "approver_email": value, "success": true}));
    }
    let mut v = details(o, &o.names[0]);
    v["success"] = json!(true);
    ok(v)
}

const RESEND_VALIDATION_EMAIL: Route =
    ("/orders/ssl/resend_validation_email/{id}", || on_order(GET, find, resend_validation_email));
fn resend_validation_email(o: &mut Order<GgExtra>, c: &mut Call<'_>) -> R {
    if !o.stage.is_open() || c.kit.mail_waiting("gogetssl", o, "email") == 0 {
        return Err(error("Nothing to resend", format!("No domain of order {} waits for an approval email", o.id)));
    }
    ok(json!({"message": "Validation email sent", "success": true}))
}

const REVALIDATE: Route = ("/orders/ssl/revalidate/{id}", || post(revalidate));
async fn revalidate(AxState(app): AxState<App>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> R {
    let req: g::RevalidateRequest = checked(form(&headers, &body, &[])?)?;
    let domain = req.domain.trim().to_ascii_lowercase();
    let (verdict, _) = dcv::run::<GgState>(&app, &id, |gg| {
        let o = find(gg, &id)?;
        let n = o.names.iter().find(|n| n.name == domain && o.stage.is_open()).ok_or_else(|| {
            error("Nothing to revalidate", format!("`{domain}` is not a domain of open order {}", o.id))
        })?;
        Ok(if n.validated { Vec::new() } else { vec![(n.name.clone(), n.method == "email", vec![challenge(o, n).0])] })
    })
    .await?;
    match verdict {
        Verdict::Pass => ok(json!({"message": format!("{domain} validated"), "success": true})),
        Verdict::Wait(why) | Verdict::Fail(_, why) => {
            ok(json!({"message": format!("Revalidation of {domain} requested: {why}"), "success": true}))
        }
    }
}

const CANCEL_ORDER: Route = ("/orders/cancel_ssl_order/", || locked(POST, cancel_order));
fn cancel_order(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let req: g::CancelOrderRequest = checked(form(&c.headers, &c.body, &[])?)?;
    let now = c.kit.now();
    let o = find(gg, &req.order_id.to_string())?;
    let created = parse_rfc3339(&o.created).unwrap_or(now);
    let refundable = o.stage.is_open() || (o.stage == Stage::Issued && now - created <= time::Duration::days(30));
    if !refundable || o.apply(Event::Cancel).is_err() {
        return Err(error(
            "The order cannot be cancelled",
            format!("Order {} is {} (refund window: 30 days)", o.id, o.wire(GgState::status)),
        ));
    }
    o.note = Some(req.reason.clone());
    let refund = o.x.amount;
    gg.spent -= refund;
    ok(json!({"order_id": req.order_id, "message": "Order cancelled", "success": true}))
}

const BALANCE: Route = ("/account/balance/", || locked(GET, balance));
fn balance(gg: &mut GgState, c: &mut Call<'_>) -> R {
    let left = c.kit.knobs.balance.unwrap_or(START_BALANCE) - gg.spent;
    ok(json!({"balance": format!("{left:.2}"), "currency": "EUR", "success": true}))
}
