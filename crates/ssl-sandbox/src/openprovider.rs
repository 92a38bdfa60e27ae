//! Openprovider REST API v1beta (SSL part), as the sandbox serves it under `/v1beta`.
//!
//! Login: `POST /auth/login {"username","password","ip"}` with [`USER`] / [`PASSWORD`] answers
//! `{"code":0,"data":{"token","reseller_id"}}`; a wrong login is code 196 **inside HTTP 200**. Every other call needs
//! `Authorization: Bearer <token>`: none is code 196 under HTTP 401; an unknown or expired token is code 196 under
//! **HTTP 500**. A token expires after [`TOKEN_SECS`] seconds of the (virtual) clock, or after `session_calls` calls
//! when that knob is set. Bodies are snake_case JSON, read with the generated types of `ssl_openprovider` (the spec is
//! data) and judged by this module's own `CATALOG`.
//!
//! Every answer is the envelope `{"code","data","desc"}`. Refusals: code 1000 (a bad request: every problem in
//! `desc`), 1004 (an approver address not accepted) and 1003 (not allowed in this status) under **HTTP 500**; code
//! 1001 (no such product) and 1002 (no such order) inside **HTTP 200**. Kit errors: 429 and 5xx come as plain text
//! (a gateway's answer, no envelope: an order's outcome is then unknown), an unknown route as a 404 envelope.
//!
//! | endpoint | answer |
//! |---|---|
//! | `GET/POST /ssl/orders` | `{results, total}` (`limit` ≤ 1000, `offset`, `common_name_pattern` with `*`, `status`) / `{id}`: `start_provision` true → `REQ`, false → `PAI` |
//! | `GET/PUT /ssl/orders/{id}` | the order (reading it runs DCV) / `PAI`: any field, `start_provision=true` sends it; `REQ`: `domain_validation_methods`; `autorenew` always |
//! | `POST /ssl/orders/{id}/reissue` `/renew` `/cancel` | `ACT` → `REQ` (DCV again, then `ACT`) / only `ACT` within 30 days of `order_ends_at`: coverage + `period` years / → `FAI` |
//! | `GET /ssl/approver-emails`, `GET …/reissue-approver-emails`, `PUT …/approver-email`, `POST …/approver-email/resend` | the five generic addresses of the bare domain |
//! | `POST …/otp-tokens`, `POST /ssl/csr/decode`, `GET /ssl/products[/{id}]` | `{token, uri, expire_at}`, the CSR's subject and key, the catalog |
//!
//! Bodies of renew, cancel, reissue, resend, OTP and approver email must carry `"id"` equal to the path id (1000).
//! Statuses: `PAI` (a draft: no DCV), `REQ` (DCV running, or an approval with the approval knob), `ACT`, `FAI`
//! (cancelled), `EXP`. Dates are written `YYYY-MM-DD H:MM:SS` (hour not padded), `""` until known and
//! `0000-00-00 00:00:00` for no reissue date; the certificate, intermediate and root come inline (`""` until
//! issued); `vendor_order_id` is an integer, `vendor_reference_id` a string. DCV per host, Sectigo-style: `dns` a
//! CNAME `_<md5>.<host>` → `<hash>.<hash>.sectigo.com`; `http`/`https` a file
//! `<host>/.well-known/pki-validation/<MD5>.txt`; `email` a mail to the approver (mailbox). `auto` passes names when
//! the order is read, `manual` only through the inspection API, `real` checks DNS/HTTP when the order is read.

use axum::routing::{get, post};
use sha2::Digest;
use ssl_core::validate::Validate;
use ssl_openprovider::generated as g;

use crate::kit::app::Shared;
use crate::kit::dcv::{self, Challenge};
use crate::kit::prelude::*;
use crate::kit::time::{add_years, parse_rfc3339, rfc3339, ymd};
use crate::knobs::Approval;

/// The user name the sandbox accepts (`SSL_ORDERS_OPENPROVIDER_USER`).
pub const USER: &str = "sandbox-openprovider-user";
/// The password the sandbox accepts (`SSL_ORDERS_OPENPROVIDER_PASSWORD`).
pub const PASSWORD: &str = "sandbox-openprovider-password";
/// How long a token lives, in seconds of the sandbox clock.
pub const TOKEN_SECS: i64 = 2 * 3600;
/// Days before the end of the coverage from which a renewal is accepted.
pub const RENEW_DAYS: i64 = 30;

pub(crate) const DEF: ProviderDef = ProviderDef {
    credentials: &[("SSL_ORDERS_OPENPROVIDER_USER", USER), ("SSL_ORDERS_OPENPROVIDER_PASSWORD", PASSWORD)],
    secret_headers: &["authorization"],
    public_paths: &["/auth/login"],
    ..ProviderDef::new::<OpState>("/v1beta", ROUTES, auth, failure, products_json)
};

type R = Answer;

/// A product of the catalog.
struct Product {
    id: i64,
    name: &'static str,
    category: &'static str,
    /// Most names.
    max: i64,
    /// Names included in the price (-1: a wildcard product).
    included: i64,
    /// Longest period, in years.
    years: i64,
    /// Reseller price per year, EUR, and per extra name per year.
    price: (f64, f64),
}

/// A catalog row: `(id, name, category, max, included, years, price)`.
type Row = (i64, &'static str, &'static str, i64, i64, i64, (f64, f64));

const fn product_row((id, name, category, max, included, years, price): Row) -> Product {
    Product { id, name, category, max, included, years, price }
}

/// The products (written from the provider notes §1.8, not from the client's tables).
const CATALOG: &[Product] = &[
    product_row((5, "EssentialSSL", "domain_validation", 1, 1, 2, (18.50, 0.0))),
    product_row((9, "EssentialSSL Wildcard", "domain_validation", 1, -1, 2, (88.0, 0.0))),
    product_row((32, "PositiveSSL Multi-Domain", "multi_domain", 250, 3, 2, (41.95, 13.90))),
    product_row((40, "InstantSSL", "organization_validation", 1, 1, 1, (59.0, 0.0))),
];

fn product_json(p: &Product) -> Value {
    let Product { id, name, category, max, included, years, price: (price, extra) } = *p;
    let money = |eur: f64| json!({"product": {"currency": "USD", "price": eur * 1.08}, "reseller": {"currency": "EUR", "price": eur}});
    let prices: Vec<Value> = (1..=years)
        .map(|y| json!({"period": y, "price": money(price * y as f64), "extra_domain_price": money(extra * y as f64), "extra_wildcard_domain_price": money(0.0)}))
        .collect();
    let validation = category.split('_').next().unwrap_or("domain");
    json!({"id": id, "name": name, "brand_name": "Sectigo", "order_module": "comodo", "category": category,
        "validation_method": if category == "multi_domain" { "domain" } else { validation },
        "included_domains_count": included, "number_of_domains": included.max(1), "max_domains": max, "max_period": years,
        "is_wildcard_supported": included == -1, "is_extended_validation_supported": false, "delivery_time": "10m",
        "free_refund_period": "30d", "free_reissue_period": "lifetime", "prices": prices,
        "supported_software": [{"id": "linux", "title": "Linux"}, {"id": "windows", "title": "Windows"}]})
}

fn catalog() -> Vec<Value> {
    CATALOG.iter().map(product_json).collect()
}

/// Openprovider's part of the sandbox state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpState {
    /// When each live login token was issued (RFC 3339); the kit's sessions count the calls.
    pub issued: std::collections::BTreeMap<String, String>,
    /// Every order, oldest first.
    pub orders: Vec<Order<OpExtra>>,
}

/// What only Openprovider keeps per order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpExtra {
    /// Paid, not sent to the CA (`PAI`).
    pub draft: bool,
    /// Years.
    pub period: i64,
    /// `linux` or `windows`.
    pub software: String,
    /// Contact handles: organization, technical.
    pub handles: (String, Option<String>),
    /// `on` or `off`.
    pub autorenew: String,
    /// The CA's order number.
    pub vendor: i64,
}

part!(OpState, "openprovider", OpExtra);

impl Book for OpState {
    fn status(o: &Order<OpExtra>, s: Stage) -> &'static str {
        match s {
            Stage::AwaitingApproval if o.x.draft => "PAI",
            Stage::AwaitingApproval | Stage::PendingValidation | Stage::Validated => "REQ",
            Stage::Issued => "ACT",
            Stage::Rejected | Stage::Cancelled | Stage::Revoked => "FAI",
            Stage::Expired => "EXP",
        }
    }

    /// An order is `EXP` when its term (`order_ends_at`) has ended, not when a leaf has.
    fn tick(&mut self, now: time::OffsetDateTime) {
        self.orders.iter_mut().for_each(|o| o.tick_term(now));
    }

    fn sample(kit: &mut Kit, csr: &str, cn: &str) -> Order<OpExtra> {
        let x = OpExtra { period: 1, software: "linux".into(), autorenew: "off".into(), ..OpExtra::default() };
        new_order(kit, 5, csr, vec![Name::new(cn, "dns", None)], false, x)
    }
}

fn new_order(kit: &mut Kit, product: i64, csr: &str, names: Vec<Name>, wait: bool, mut x: OpExtra) -> Order<OpExtra> {
    let (now, token) = (kit.now(), kit.token(32));
    let id = kit.ids.next("openprovider.order", 31000).to_string();
    x.vendor = kit.ids.next("openprovider.vendor", 1_873_456_000);
    let end = Some(add_years(now.date(), x.period.max(1)));
    let (product, csr) = (product.to_string(), csr.to_owned());
    let n = NewOrder {
        leaf_id: id.clone(),
        id,
        product,
        csr,
        names,
        token,
        coverage_end: end,
        needs_approval: wait,
        renewal_of: None,
    };
    Order::new(n, now, x)
}

// ---------------------------------------------------------------------------------------------------------------
// The envelope, auth, bodies

fn ok(data: Value) -> R {
    Ok(axum::Json(json!({"code": 0, "data": data, "desc": ""})).into_response())
}

fn envelope(status: StatusCode, code: i64, desc: impl Into<String>) -> Response {
    (status, axum::Json(json!({"code": code, "desc": desc.into(), "data": ""}))).into_response()
}

fn refuse(status: StatusCode, code: i64, desc: impl Into<String>) -> Refusal {
    envelope(status, code, desc).into()
}

fn bad(desc: impl Into<String>) -> Refusal {
    refuse(StatusCode::INTERNAL_SERVER_ERROR, 1000, desc)
}

fn not_now(desc: impl Into<String>) -> Refusal {
    refuse(StatusCode::INTERNAL_SERVER_ERROR, 1003, desc)
}

fn failure(f: &Failure) -> Response {
    match f {
        Failure::NoRoute { path } => envelope(StatusCode::NOT_FOUND, 404, format!("No route {path}")),
        other => (other.status(), format!("{} (gateway)", other.status())).into_response(),
    }
}

fn auth(h: &Head<'_>, st: &mut State) -> Result<String, Refusal> {
    let Some(bearer) = h.bearer() else {
        return Err(refuse(StatusCode::UNAUTHORIZED, 196, "Authentication/Authorization Failed"));
    };
    let (op, kit) = st.split::<OpState>();
    let now = kit.now();
    let young =
        op.issued.get(bearer).and_then(|t| parse_rfc3339(t)).is_some_and(|i| (now - i).whole_seconds() < TOKEN_SECS);
    match kit.use_session(DEF.name, bearer) {
        Some(account) if young => Ok(account),
        _ => Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, 196, "Authentication/Authorization Failed")),
    }
}

/// A JSON body as `T` (the generated, tolerant type) with every `validate()` problem refused at once (1000).
fn body<T: serde::de::DeserializeOwned + Validate>(bytes: &Bytes) -> Result<T, Refusal> {
    let v: T = serde_json::from_slice(bytes).map_err(|e| bad(format!("Invalid request body: {e}")))?;
    let problems: Vec<String> =
        v.validate().into_iter().map(|p| format!("{}: {}", p.field.unwrap_or_default(), p.message)).collect();
    if problems.is_empty() { Ok(v) } else { Err(bad(problems.join("; "))) }
}

fn same_id(path: &str, body_id: i64) -> Result<(), Refusal> {
    if path.trim() == body_id.to_string() {
        Ok(())
    } else {
        Err(bad(format!("id {body_id} in the body is not order {path}")))
    }
}

fn product(id: i64) -> Result<&'static Product, Refusal> {
    CATALOG.iter().find(|p| p.id == id).ok_or_else(|| refuse(StatusCode::OK, 1001, format!("Product {id} not found")))
}

/// `YYYY-MM-DD H:MM:SS`, the hour not padded.
fn op_date(t: time::OffsetDateTime) -> String {
    format!("{} {}:{:02}:{:02}", ymd(t.date()), t.hour(), t.minute(), t.second())
}

fn approvers(domain: &str) -> Vec<String> {
    dcv::approver_addresses(&dcv::bare(domain))
}

// ---------------------------------------------------------------------------------------------------------------
// DCV and the order as JSON

/// The md5-like and the long hash of a host's validation (from the order's token).
fn hashes(o: &Order<OpExtra>, host: &str) -> (String, String) {
    let h = hex::encode(sha2::Sha256::digest(format!("{}{}", o.token, dcv::bare(host))));
    (h[..32].to_owned(), h[32..].to_owned())
}

fn challenge(o: &Order<OpExtra>, n: &Name) -> Option<Challenge> {
    let (md5, long) = hashes(o, &n.name);
    let bare = dcv::bare(&n.name);
    match n.method.as_str() {
        "dns" => Some(Challenge::Record {
            name: format!("_{md5}.{bare}"),
            record_type: "CNAME",
            value: format!("{md5}.{long}.sectigo.com"),
        }),
        "http" | "https" => {
            let path = format!("/.well-known/pki-validation/{}.txt", md5.to_uppercase());
            Some(Challenge::File {
                host: bare,
                path,
                content: format!("{md5}{long}\nsectigo.com\n{}", &o.token[..8]),
                contains: false,
            })
        }
        _ => None,
    }
}

fn additional_data(o: &Order<OpExtra>) -> Vec<Value> {
    let entry = |n: &Name| match challenge(o, n) {
        Some(Challenge::Record { name, value, .. }) => {
            json!({"domain": n.name, "dns_record": name, "dns_value": value})
        }
        Some(Challenge::File { host, path, content, .. }) => {
            json!({"domain": n.name, "file_location": format!("{host}{path}"), "file_contents": content})
        }
        None => json!({"domain": n.name}),
    };
    o.names.iter().map(entry).collect()
}

fn order_json(o: &Order<OpExtra>, ca: &crate::ca::Ca) -> Value {
    let leaf = o.current().filter(|l| l.pem.is_some() && o.stage != Stage::PendingValidation);
    let date = |t: Option<&String>| t.and_then(|t| parse_rfc3339(t)).map(op_date).unwrap_or_default();
    let issued = leaf.is_some();
    let pem = |s: &str| if issued { s.trim().to_owned() + "\n" } else { String::new() };
    let statuses: serde_json::Map<String, Value> = o
        .names
        .iter()
        .map(|n| {
            (n.name.clone(), json!({"status": if n.validated { "validated" } else { "pending" }, "method": n.method}))
        })
        .collect();
    let name = product(o.product.parse().unwrap_or(0)).map(|p| p.name).unwrap_or("unknown");
    json!({
        "id": o.id.parse::<i64>().unwrap_or(0), "status": o.wire(OpState::status), "product_id": o.product.parse::<i64>().unwrap_or(0),
        "product_name": name, "brand_name": "Sectigo", "period": o.x.period, "validation_method": "domain",
        "order_date": date(Some(&o.created)), "active_date": date(leaf.and_then(|l| l.not_before.as_ref())),
        "expiration_date": date(leaf.and_then(|l| l.not_after.as_ref())),
        "order_ends_at": o.coverage_end.as_ref().map(|d| format!("{d} 0:00:00")).unwrap_or_default(),
        "reissue_at": "0000-00-00 00:00:00", "common_name": o.primary(), "host_names": &o.name_list()[1..],
        "csr": o.csr, "software": o.x.software, "autorenew": o.x.autorenew,
        "certificate": leaf.and_then(|l| l.pem.clone()).unwrap_or_default(),
        "intermediate_certificate": pem(&ca.intermediate_pem), "root_certificate": pem(&ca.root_pem),
        "domain_validation_methods": o.names.iter().map(|n| json!({"host_name": n.name, "method": n.method})).collect::<Vec<_>>(),
        "domain_validation_statuses": statuses, "additional_data": additional_data(o),
        "email_approver": o.names.iter().find_map(|n| n.approver.clone()).unwrap_or_default(), "email_reissue": "",
        "organization_handle": o.x.handles.0, "technical_handle": o.x.handles.1.clone().unwrap_or_default(),
        "vendor_order_id": o.x.vendor, "vendor_reference_id": format!("SB-{}", o.x.vendor), "options": {"features": ""},
    })
}

fn find<'a>(op: &'a mut OpState, id: &str) -> Result<&'a mut Order<OpExtra>, Refusal> {
    op.by_id(id).ok_or_else(|| refuse(StatusCode::OK, 1002, format!("Order {id} not found")))
}

/// Run DCV for the open names of order `id` (by the knob) and issue when everything passed.
async fn advance(app: &Shared, id: &str) -> Result<(), Refusal> {
    dcv::run::<OpState>(app, id, |op| {
        let o = find(op, id)?;
        let open = o.stage == Stage::PendingValidation;
        Ok(dcv::checks(o, open, "email", |n| challenge(o, n).into_iter().collect()))
    })
    .await
    .map(drop)
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers

const ROUTES: &[Route] = &[
    LOGIN,
    LIST,
    CREATE,
    SHOW,
    UPDATE,
    REISSUE,
    RENEW,
    CANCEL,
    REISSUE_APPROVERS,
    CHANGE_APPROVER,
    RESEND,
    OTP,
    APPROVER_EMAILS,
    DECODE_CSR,
    PRODUCTS,
    PRODUCT_INFO,
];

fn products_json() -> Value {
    json!({"results": catalog(), "total": CATALOG.len()})
}

const PRODUCTS: Route = ("/ssl/products", || get(products));
async fn products() -> R {
    ok(products_json())
}

const PRODUCT_INFO: Route = ("/ssl/products/{id}", || get(product_info));
async fn product_info(Path(id): Path<String>) -> R {
    ok(product_json(product(id.parse().unwrap_or(0))?))
}

const LOGIN: Route = ("/auth/login", || post(login));
async fn login(AxState(app): AxState<App>, bytes: Bytes) -> R {
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("Invalid request body: {e}")))?;
    if v["username"] != USER || v["password"] != PASSWORD {
        return Err(refuse(StatusCode::OK, 196, "Authentication/Authorization Failed"));
    }
    let mut st = app.state();
    let (op, kit) = st.split::<OpState>();
    let (token, now) = (kit.open_session(DEF.name, USER), kit.now());
    op.issued.retain(|_, t| parse_rfc3339(t).is_some_and(|i| (now - i).whole_seconds() < TOKEN_SECS));
    op.issued.insert(token.clone(), rfc3339(now));
    ok(json!({"token": token, "reseller_id": 123456}))
}

/// The names of an order: the CSR's common name, then `host_names` (multi-domain products only), each with its
/// method (`domain_validation_methods`, else `email` with an approver address, else `dns`).
fn names_of(
    p: &Product,
    csr: &str,
    hosts: Option<&Vec<String>>,
    methods: Option<&Vec<g::DomainValidationMethod>>,
    approver: Option<&String>,
) -> Result<Vec<Name>, Refusal> {
    let key = crate::ca::parse_csr(csr).map_err(|e| bad(format!("Invalid CSR: {}", e.0)))?;
    let cn = key.common_name.unwrap_or_default().to_ascii_lowercase();
    let mut names = vec![cn.clone()];
    match hosts {
        Some(h) if !h.is_empty() && p.max <= 1 => {
            return Err(bad(format!("host_names are only for multi-domain products, not {}", p.name)));
        }
        Some(h) => names.extend(h.iter().map(|n| n.trim().to_ascii_lowercase()).filter(|n| *n != cn)),
        None => {}
    }
    if names.len() as i64 > p.max
        || (p.included == -1) != cn.starts_with("*.")
        || names.iter().any(|n| !crate::kit::wire::valid_hostname(n))
    {
        return Err(bad(format!(
            "the names {names:?} do not fit product {} (at most {}, wildcard {})",
            p.name,
            p.max,
            p.included == -1
        )));
    }
    let mut out = Vec::new();
    for m in methods.into_iter().flatten() {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&m.host_name)) {
            return Err(bad(format!("domain_validation_methods: {} is not a name of the order", m.host_name)));
        }
    }
    for n in &names {
        let given = methods
            .into_iter()
            .flatten()
            .find(|m| m.host_name.eq_ignore_ascii_case(n))
            .map(|m| m.method.as_str().to_owned());
        let method = given.unwrap_or_else(|| if approver.is_some() { "email".into() } else { "dns".into() });
        if !["email", "dns", "http", "https"].contains(&method.as_str())
            || (n.starts_with("*.") && method.starts_with("http"))
        {
            return Err(bad(format!("validation method `{method}` is not possible for {n}")));
        }
        let mail = approver.filter(|_| method == "email").cloned();
        if method == "email" && !mail.as_ref().is_some_and(|a| approvers(n).contains(a)) {
            return Err(refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                1004,
                format!("approver_email must be one of {}", approvers(n).join(", ")),
            ));
        }
        out.push(Name::new(n, &method, mail));
    }
    Ok(out)
}

const CREATE: Route = ("/ssl/orders", || post(create));
async fn create(AxState(app): AxState<App>, bytes: Bytes) -> R {
    let req: g::CreateOrderRequest = body(&bytes)?;
    let p = product(req.product_id)?;
    if req.period > p.years {
        return Err(bad(format!("period {} is longer than {} year(s) for {}", req.period, p.years, p.name)));
    }
    let names = names_of(
        p,
        &req.csr,
        req.host_names.as_ref(),
        req.domain_validation_methods.as_ref(),
        req.approver_email.as_ref(),
    )?;
    if req.domain_amount.is_some_and(|a| a < names.len() as i64) {
        return Err(bad(format!(
            "domain_amount {} is less than the {} names",
            req.domain_amount.unwrap_or(0),
            names.len()
        )));
    }
    let draft = req.start_provision != Some(true);
    let mut st = app.state();
    let (op, kit) = st.split::<OpState>();
    let wait = draft || kit.knobs.approval == Approval::Required;
    let autorenew = req.autorenew.map_or("off".into(), |a| a.as_str().to_owned());
    let x = OpExtra {
        draft,
        period: req.period,
        software: req.software_id.as_str().into(),
        handles: (req.organization_handle, req.technical_handle),
        autorenew,
        vendor: 0,
    };
    let o = new_order(kit, p.id, &req.csr, names, wait, x);
    let id = o.id.clone();
    op.orders.push(o);
    ok(json!({"id": id.parse::<i64>().unwrap_or(0)}))
}

const SHOW: Route = ("/ssl/orders/{id}", || get(show));
async fn show(AxState(app): AxState<App>, Path(id): Path<String>) -> R {
    advance(&app, &id).await?;
    let mut st = app.state();
    let o = find(st.split::<OpState>().0, &id)?;
    ok(order_json(o, &app.ca))
}

const LIST: Route = ("/ssl/orders", || get(list));
async fn list(AxState(app): AxState<App>, Query(q): Q) -> R {
    let mut st = app.state();
    let op = st.split::<OpState>().0;
    let pattern = q.get("common_name_pattern").map(|p| p.to_ascii_lowercase());
    let fits = |cn: &str| match pattern.as_deref().map(|p| p.split('*').collect::<Vec<_>>()) {
        None => true,
        Some(parts) if parts.len() == 1 => cn == parts[0],
        Some(parts) => {
            cn.starts_with(parts[0]) && cn.ends_with(parts[parts.len() - 1]) && parts.iter().all(|s| cn.contains(s))
        }
    };
    let all: Vec<Value> = op
        .orders
        .iter()
        .filter(|o| fits(o.primary()) && q.get("status").is_none_or(|s| o.wire(OpState::status) == *s))
        .map(|o| order_json(o, &app.ca))
        .collect();
    let num = |k: &str, d: usize| q.get(k).and_then(|v| v.parse::<usize>().ok()).unwrap_or(d);
    let (offset, limit) = (num("offset", 0), num("limit", 100).min(1000));
    ok(json!({"total": all.len(), "results": all.into_iter().skip(offset).take(limit).collect::<Vec<_>>()}))
}

const UPDATE: Route = ("/ssl/orders/{id}", || locked(PUT, update));
fn update(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::UpdateOrderRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    let o = find(op, &id)?;
    let p = product(o.product.parse().unwrap_or(0))?;
    if let Some(a) = &req.autorenew {
        o.x.autorenew = a.as_str().into();
    }
    let edits = req.csr.is_some()
        || req.host_names.is_some()
        || req.approver_email.is_some()
        || req.organization_handle.is_some();
    let draft = o.stage == Stage::AwaitingApproval && o.x.draft;
    if (edits && !draft) || (req.domain_validation_methods.is_some() && !draft && o.stage != Stage::PendingValidation) {
        return Err(not_now(format!("order {id} is {}: these fields cannot change now", o.wire(OpState::status))));
    }
    if req.domain_validation_methods.is_some() || edits {
        let csr = req.csr.clone().unwrap_or_else(|| o.csr.clone());
        let hosts = req.host_names.clone().or_else(|| Some(o.name_list()[1..].to_vec()).filter(|h| !h.is_empty()));
        let approver = req.approver_email.clone().or_else(|| o.names.iter().find_map(|n| n.approver.clone()));
        let methods = req.domain_validation_methods.clone().unwrap_or_else(|| {
            o.names
                .iter()
                .map(|n| g::DomainValidationMethod::new(&n.name, g::DcvMethod::from_wire(&n.method)))
                .collect()
        });
        o.names = names_of(p, &csr, hosts.as_ref(), Some(&methods), approver.as_ref())?;
        o.csr = csr;
    }
    if let Some(h) = req.organization_handle {
        o.x.handles.0 = h;
    }
    if req.start_provision == Some(true) && draft {
        o.x.draft = false;
        o.apply(Event::Approve).map_err(|e| not_now(e.to_string()))?;
    }
    ok(json!({"id": o.id.parse::<i64>().unwrap_or(0)}))
}

const REISSUE: Route = ("/ssl/orders/{id}/reissue", || locked(POST, reissue));
fn reissue(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::ReissueOrderRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    let (now, token) = (c.kit.now(), c.kit.token(32));
    let o = find(op, &id)?;
    if o.stage != Stage::Issued {
        return Err(not_now(format!("only an ACT order can be reissued; order {id} is {}", o.wire(OpState::status))));
    }
    let p = product(o.product.parse().unwrap_or(0))?;
    let hosts = req.host_names.clone().or_else(|| Some(o.name_list()[1..].to_vec()).filter(|h| !h.is_empty()));
    let names =
        names_of(p, &req.csr, hosts.as_ref(), req.domain_validation_methods.as_ref(), req.approver_email.as_ref())?;
    let leaf = (format!("{id}-{}", o.leaves.len()), LeafKind::Reissue, req.csr.as_str());
    o.validated_names.clear();
    o.reissue(&c.app.ca, leaf, names, token, now).map_err(not_now)?;
    ok(json!({"id": req.id}))
}

const RENEW: Route = ("/ssl/orders/{id}/renew", || locked(POST, renew));
fn renew(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::RenewOrderRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    let today = c.kit.now().date();
    let o = find(op, &id)?;
    let end = o.coverage_end.as_deref().and_then(crate::kit::time::parse_date);
    let window = end.is_some_and(|e| e >= today && (e - today).whole_days() <= RENEW_DAYS);
    if o.stage != Stage::Issued || !window {
        return Err(not_now(format!(
            "order {id} can be renewed only when ACT and within {RENEW_DAYS} days before it ends"
        )));
    }
    o.coverage_end = end.map(|e| ymd(add_years(e, o.x.period.max(1))));
    ok(json!({"id": req.id}))
}

const CANCEL: Route = ("/ssl/orders/{id}/cancel", || locked(POST, cancel));
fn cancel(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::CancelOrderRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    let o = find(op, &id)?;
    o.apply(Event::Cancel).map_err(|e| not_now(e.to_string()))?;
    ok(json!({"id": req.id}))
}

const APPROVER_EMAILS: Route = ("/ssl/approver-emails", || get(approver_emails));
async fn approver_emails(Query(q): Q) -> R {
    product(q.get("product_id").and_then(|p| p.parse().ok()).unwrap_or(0))?;
    let domain = q
        .get("domain")
        .filter(|d| crate::kit::wire::valid_hostname(d))
        .ok_or_else(|| bad("domain is not a domain name"))?;
    ok(json!({"results": approvers(domain)}))
}

const REISSUE_APPROVERS: Route = ("/ssl/orders/{id}/reissue-approver-emails", || locked(GET, reissue_approvers));
fn reissue_approvers(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let o = find(op, &id)?;
    ok(json!({"results": approvers(o.primary())}))
}

/// An order in `REQ` that is validated by email, for the approver-email calls.
fn emailed<'a>(op: &'a mut OpState, id: &str) -> Result<&'a mut Order<OpExtra>, Refusal> {
    let o = find(op, id)?;
    if o.stage != Stage::PendingValidation || !o.names.iter().any(|n| n.method == "email") {
        return Err(not_now(format!("order {id} is not waiting for an approver email")));
    }
    Ok(o)
}

const CHANGE_APPROVER: Route = ("/ssl/orders/{id}/approver-email", || locked(PUT, change_approver));
fn change_approver(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::UpdateApproverEmailRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    let o = emailed(op, &id)?;
    if !approvers(o.primary()).contains(&req.approver_email) {
        return Err(refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            1004,
            format!("approver_email must be one of {}", approvers(o.primary()).join(", ")),
        ));
    }
    for n in o.names.iter_mut().filter(|n| n.method == "email") {
        (n.approver, n.mailed) = (Some(req.approver_email.clone()), false);
    }
    ok(json!({"id": req.id}))
}

const RESEND: Route = ("/ssl/orders/{id}/approver-email/resend", || locked(POST, resend));
fn resend(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::ResendApproverEmailRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    emailed(op, &id)?.names.iter_mut().for_each(|n| n.mailed = false);
    ok(json!({"id": req.id}))
}

const OTP: Route = ("/ssl/orders/{id}/otp-tokens", || locked(POST, otp));
fn otp(op: &mut OpState, c: &mut Call<'_>) -> R {
    let id = c.id().to_owned();
    let req: g::CreateOtpTokenRequest = body(&c.body)?;
    same_id(&id, req.id)?;
    let (token, expire) = (c.kit.token(24), op_date(c.kit.now() + time::Duration::days(1)));
    find(op, &id)?;
    ok(
        json!({"token": token, "uri": format!("https://sslpanel.sandbox.invalid/auth-order-otp-token?token={token}"), "expire_at": expire}),
    )
}

const DECODE_CSR: Route = ("/ssl/csr/decode", || post(decode_csr));
async fn decode_csr(bytes: Bytes) -> R {
    let req: g::DecodeCsrRequest = body(&bytes)?;
    let key = crate::ca::parse_csr(&req.csr).map_err(|e| bad(format!("Invalid CSR: {}", e.0)))?;
    let bits = key.bits().unwrap_or(0);
    let subject = json!({"common_name": key.common_name.unwrap_or_default()});
    ok(
        json!({"subject": subject, "public_key": {"bits": bits, "key": ""}, "signature_hash_algorithm": "sha2", "subject_alternative_name": [], "domain_names_count": 1}),
    )
}
