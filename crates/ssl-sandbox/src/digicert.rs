//! DigiCert CertCentral Services API v2, as the sandbox serves it under `/services/v2`.
//!
//! Auth: `X-DC-DEVKEY: sandbox-digicert-key` ([`API_KEY`]); a missing or wrong key is 401 in DigiCert's error
//! shape `{"errors":[{"code","message"}]}`. Every error uses that shape; an unknown path is 404
//! `not_found|route`.
//!
//! | endpoint | answer |
//! |---|---|
//! | `GET /product`, `GET /product/{name_id}` | product list / info (404 `not_found\|product`) |
//! | `POST /order/certificate/{product}` | 201 `{id, certificate_id[, dcv_random_value]}`, or `{id, requests}` when approval is needed; 400 with one entry per problem |
//! | `GET /order/certificate/{id}` | order info (404 `not_found\|order`) |
//! | `GET /order/certificate?filters[common_name]=&filters[status]=&limit=&offset=` | `{orders, page}` |
//! | `GET /order/certificate/{id}/validation` | DCV state per domain |
//! | `PUT /order/certificate/{id}/check-dcv` | `{order_status, certificate_id, dcv_status}`; 400 `invalid_dns_txt`, `invalid_dns_cname`, `file_random_value_not_found` in real mode |
//! | `PUT /order/certificate/{id}/dcv-method` | `{dcv_random_value}` (new token) |
//! | `PUT /order/certificate/{id}/dcv-random-value` | `{dcv_random_value}` (new token) |
//! | `PUT /order/certificate/{id}/resend-emails` | 204 |
//! | `POST /order/certificate/{id}/reissue`, `/duplicate` | 201 `{id, requests, certificate_id}`; `GET .../duplicate` lists duplicates |
//! | `PUT /order/certificate/{id}/status` `{"status":"CANCELED","note"}` | 204 (needs_approval / pending only) |
//! | `GET /certificate/{id}/download/format/{pem_all\|pem_noroot\|pem_nointermediate\|default}` | PEM text |
//! | `PUT /certificate/{id}/revoke`, `PUT /order/certificate/{id}/revoke` | 201 |
//! | `PUT /order/certificate/{id}/auto-reissue` `{"auto_reissue": 0\|1}` | 204 |
//!
//! Statuses: `needs_approval` (approval knob) → `pending` (DCV) → `issued`; `reissue_pending` while a reissue
//! for new names waits for DCV; `canceled`, `rejected`, `revoked`; `expired` once the current leaf's `not_after`
//! is behind the (virtual) clock. Leaves live at most 199 days and never past the coverage
//! (`order_valid_till` = created + validity years/days, or the custom date); a reissue is accepted while the
//! coverage lasts (else 400 `order_expired`) and issues at once for names already validated. DCV records: TXT `_dnsauth.<host>` (or the
//! host itself) = random value; CNAME `<random>.<host>` → `dcv.digicert.com`; HTTP
//! `http://<host>/.well-known/pki-validation/fileauth.txt` containing the random value. A record at a parent
//! domain covers its subdomains.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State as AxState};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ssl_core::model::{ProductRules, ValidationLevel};
use time::{Date, Duration, OffsetDateTime};

use crate::ca::{Ca, parse_csr};
use crate::dcv;
use crate::knobs::{Approval, DcvMode, Fault, FaultKind};
use crate::server::{ActionError, App, OrderAction, ProviderDef, Shared};
use crate::state::State;

/// The API key the sandbox accepts (`X-DC-DEVKEY`).
pub const API_KEY: &str = "sandbox-digicert-key";

/// The DCV methods DigiCert knows.
pub const DCV_METHODS: &[&str] = &["email", "dns-txt-token", "dns-cname-token", "http-token", "http-token-dynamic"];

/// The target of every `dns-cname-token` CNAME.
pub const CNAME_TARGET: &str = "dcv.digicert.com";

/// The file path of `http-token` DCV.
pub const HTTP_TOKEN_PATH: &str = "/.well-known/pki-validation/fileauth.txt";

pub(crate) const DEF: ProviderDef = ProviderDef {
    tick,
    name: "digicert",
    prefix: "/services/v2",
    credentials: &[("SSL_ORDERS_DIGICERT_API_KEY", API_KEY)],
    secret_headers: &["x-dc-devkey"],
    secret_params: &[],
    router,
    fault_response,
    orders: orders_json,
    order_action,
};

// ---------------------------------------------------------------------------------------------------------------
// State

/// DigiCert's part of the sandbox state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DcState {
    /// Next order id.
    pub next_order_id: i64,
    /// Next certificate id.
    pub next_certificate_id: i64,
    /// Next request id.
    pub next_request_id: i64,
    /// Every order, oldest first.
    pub orders: Vec<DcOrder>,
}

impl DcState {
    pub(crate) fn counters(&self) -> (i64, i64, i64) {
        (self.next_order_id, self.next_certificate_id, self.next_request_id)
    }

    pub(crate) fn restore_counters(&mut self, c: (i64, i64, i64)) {
        (self.next_order_id, self.next_certificate_id, self.next_request_id) = c;
    }

    fn next(counter: &mut i64, base: i64) -> i64 {
        if *counter < base {
            *counter = base;
        }
        let v = *counter;
        *counter += 1;
        v
    }

    fn order_id(&mut self) -> i64 {
        Self::next(&mut self.next_order_id, 1_000_001)
    }

    fn certificate_id(&mut self) -> i64 {
        Self::next(&mut self.next_certificate_id, 2_000_001)
    }

    fn request_id(&mut self) -> i64 {
        Self::next(&mut self.next_request_id, 3_000_001)
    }

    fn order_mut(&mut self, id: i64) -> Option<&mut DcOrder> {
        self.orders.iter_mut().find(|o| o.id == id)
    }
}

/// The product an order is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcProduct {
    /// `ssl_dv_geotrust`, ...
    pub name_id: String,
    /// Display name.
    pub name: String,
    /// `ssl_certificate`.
    #[serde(rename = "type")]
    pub product_type: String,
    /// `dv`, `ov` or `ev`.
    pub validation_type: String,
}

/// One certificate of an order (the primary, a reissue or a duplicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcCertificate {
    /// Certificate id.
    pub id: i64,
    /// `primary`, `reissue` or `duplicate`.
    pub kind: String,
    /// `pending`, `issued` or `revoked`.
    pub status: String,
    /// Common name.
    pub common_name: String,
    /// Every name (common name first).
    pub dns_names: Vec<String>,
    /// The CSR it was made for.
    pub csr: String,
    /// Signature hash asked for.
    pub signature_hash: String,
    /// Server platform id.
    pub server_platform_id: i64,
    /// When requested (RFC 3339).
    pub date_created: String,
    /// The leaf, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
    /// Serial, uppercase hex, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// Thumbprint once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    /// `yyyy-MM-dd` once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// `yyyy-MM-dd` once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_till: Option<String>,
    /// Exact `not_before` (RFC 3339) once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// Exact `not_after` (RFC 3339) once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
}

/// A request (new order, reissue, duplicate, revoke) on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DcRequest {
    /// Request id.
    pub id: i64,
    /// RFC 3339.
    pub date: String,
    /// `new_request`, `reissue`, `duplicate`, `revoke`.
    #[serde(rename = "type")]
    pub request_type: String,
    /// `pending`, `approved`, `rejected`.
    pub status: String,
}

/// An order as the sandbox keeps it (this is what [`crate::SandboxHandle::orders`] returns as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DcOrder {
    /// Order id.
    pub id: i64,
    /// DigiCert status.
    pub status: String,
    /// Product.
    pub product: DcProduct,
    /// The current certificate's id.
    pub certificate_id: i64,
    /// Every certificate of the order.
    pub certificates: Vec<DcCertificate>,
    /// DCV method.
    pub dcv_method: String,
    /// Current random value (every method gets one; the create answer shows it for dns-txt-token and
    /// http-token only, as DigiCert does).
    pub dcv_random_value: String,
    /// `dcv_emails` as sent.
    #[serde(default)]
    pub dcv_emails: Vec<Value>,
    /// Whether DCV passed for the names of the current certificate.
    pub dcv_passed: bool,
    /// Names DCV passed for (a reissue for these only needs no new DCV).
    #[serde(default)]
    pub validated_names: Vec<String>,
    /// Whether the order waited for and got approval.
    pub approved: bool,
    /// Coverage start, `yyyy-MM-dd`.
    pub order_valid_from: String,
    /// Coverage end, `yyyy-MM-dd`.
    pub order_valid_till: String,
    /// `validity_years` as asked (or derived).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_years: Option<i64>,
    /// `validity_days` as asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_days: Option<i64>,
    /// `custom_expiration_date` as asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_expiration_date: Option<String>,
    /// RFC 3339.
    pub date_created: String,
    /// Previous order when this is a renewal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_of_order_id: Option<i64>,
    /// `organization.id` as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<i64>,
    /// Requests on the order.
    pub requests: Vec<DcRequest>,
    /// Automatic reissue inside the coverage (0 or 1), as set at order time or by `PUT .../auto-reissue`.
    #[serde(default)]
    pub auto_reissue: i64,
    /// Cancellation or revocation note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The order body as received.
    pub body: Value,
}

impl DcOrder {
    fn current(&self) -> Option<&DcCertificate> {
        self.certificates.iter().find(|c| c.id == self.certificate_id)
    }

    fn current_mut(&mut self) -> Option<&mut DcCertificate> {
        let id = self.certificate_id;
        self.certificates.iter_mut().find(|c| c.id == id)
    }

    fn names(&self) -> Vec<String> {
        self.current().map(|c| c.dns_names.clone()).unwrap_or_default()
    }

    fn is_wildcard(&self) -> bool {
        self.names().iter().any(|n| n.starts_with("*."))
    }

    fn coverage_end(&self) -> Option<OffsetDateTime> {
        parse_date(&self.order_valid_till).map(|d| d.with_hms(23, 59, 59).unwrap_or(d.midnight()).assume_utc())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/// RFC 3339 with `+00:00`, as DigiCert writes `date_created`.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    t.to_offset(time::UtcOffset::UTC).format(&f).unwrap_or_default()
}

fn ymd(d: Date) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&f).unwrap_or_default()
}

fn parse_date(s: &str) -> Option<Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &f).ok()
}

fn add_years(d: Date, years: i64) -> Date {
    let y = d.year() + years as i32;
    d.replace_year(y).unwrap_or_else(|_| Date::from_calendar_date(y, d.month(), 28).unwrap_or(d))
}

/// One `{"code","message"}` entry.
type Problem = (String, String);

fn p(code: impl Into<String>, message: impl Into<String>) -> Problem {
    (code.into(), message.into())
}

fn errors(status: StatusCode, problems: Vec<Problem>) -> Response {
    let list: Vec<Value> =
        problems.into_iter().map(|(code, message)| json!({"code": code, "message": message})).collect();
    (status, axum::Json(json!({"errors": list}))).into_response()
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    errors(status, vec![p(code, message)])
}

fn order_not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, "not_found|order", format!("Order {id} not found"))
}

fn created(v: Value) -> Response {
    (StatusCode::CREATED, axum::Json(v)).into_response()
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn fault_response(f: &Fault) -> Response {
    match f.kind {
        FaultKind::RateLimit => {
            let secs = f.retry_after.unwrap_or(1);
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "request_limit_exceeded",
                "Service unavailable, please limit request volume",
            );
            if let Ok(v) = secs.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        _ => {
            let status = f.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            error(status, "internal_error", "The server encountered an error (sandbox fault)")
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Products

/// The products the sandbox sells: the spec's product table.
pub fn products() -> Vec<ProductRules> {
    crate::digicert_products::table()
}

fn product(name_id: &str) -> Option<ProductRules> {
    products().into_iter().find(|p| p.id == name_id)
}

fn level(r: &ProductRules) -> &'static str {
    match r.validation {
        ValidationLevel::Dv => "dv",
        ValidationLevel::Ov => "ov",
        _ => "ev",
    }
}

fn product_json(r: &ProductRules, full: bool) -> Value {
    let years: Vec<u32> = r.periods_months.iter().filter(|m| *m % 12 == 0).map(|m| m / 12).collect();
    let mut v = json!({
        "group_name": format!("{}_ssl_certificate", level(r)),
        "name_id": r.id,
        "name": r.name,
        "type": "ssl_certificate",
        "validation_type": level(r),
        "validation_name": level(r).to_ascii_uppercase(),
        "validation_description": match r.validation {
            ValidationLevel::Dv => "Domain validation",
            ValidationLevel::Ov => "Organization validation",
            _ => "Extended validation",
        },
        "allowed_validity_years": years,
        "allowed_order_validity_years": years,
        "csr_required": true,
    });
    if full {
        v["signature_hash_types"] = json!({
            "allowed_hash_types": [
                {"id": "sha256", "name": "SHA-256"},
                {"id": "sha384", "name": "SHA-384"},
                {"id": "sha512", "name": "SHA-512"}
            ],
            "default_hash_type_id": "sha256"
        });
        v["server_platforms"] = json!([
            {"id": -1, "name": "OTHER", "install_url": "", "csr_url": ""},
            {"id": 2, "name": "Apache", "install_url": "", "csr_url": ""},
            {"id": 45, "name": "nginx", "install_url": "", "csr_url": ""}
        ]);
        v["allowed_ca_certs"] = json!([{"id": "sandbox", "name": "ssl-orders sandbox intermediate"}]);
        v["default_intermediate"] = json!("sandbox");
        v["allow_auto_renew"] = json!(true);
        v["allow_auto_reissue"] = json!(true);
        v["duplicates_allowed"] = json!(true);
        v["allowed_dcv_methods"] = json!(allowed_dcv(r));
        v["wildcard"] = json!(r.wildcard);
        v["multi_domain"] = json!(r.multi_domain);
        if let Some(m) = r.max_names {
            v["max_names"] = json!(m);
        }
    }
    v
}

fn allowed_dcv(r: &ProductRules) -> Vec<&'static str> {
    DCV_METHODS.iter().copied().filter(|m| *m != "http-token-dynamic" || r.validation != ValidationLevel::Dv).collect()
}

async fn product_list() -> Response {
    let list: Vec<Value> = products().iter().map(|r| product_json(r, false)).collect();
    ok(json!({"products": list}))
}

async fn product_info(Path(name_id): Path<String>) -> Response {
    match product(&name_id) {
        Some(r) => ok(product_json(&r, true)),
        None => error(StatusCode::NOT_FOUND, "not_found|product", format!("Product {name_id} not found")),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Router and auth

fn router(app: App) -> Router {
    Router::new()
        .route("/product", get(product_list))
        .route("/product/{name_id}", get(product_info))
        .route("/order/certificate", get(order_list))
        .route("/order/certificate/{id}", post(place_order).get(order_info))
        .route("/order/certificate/{id}/validation", get(validation))
        .route("/order/certificate/{id}/check-dcv", put(check_dcv))
        .route("/order/certificate/{id}/dcv-method", put(change_dcv_method))
        .route("/order/certificate/{id}/dcv-random-value", put(new_random_value))
        .route("/order/certificate/{id}/resend-emails", put(resend_emails))
        .route("/order/certificate/{id}/reissue", post(reissue))
        .route("/order/certificate/{id}/duplicate", post(duplicate).get(list_duplicates))
        .route("/order/certificate/{id}/status", put(update_status))
        .route("/order/certificate/{id}/revoke", put(revoke_order))
        .route("/order/certificate/{id}/auto-reissue", put(auto_reissue))
        .route("/certificate/{id}/download/format/{format}", get(download))
        .route("/certificate/{id}/revoke", put(revoke_certificate))
        .fallback(route_not_found)
        .method_not_allowed_fallback(route_not_found)
        .layer(middleware::from_fn(auth))
        .with_state(app)
}

async fn route_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found|route", "Route not found")
}

async fn auth(req: Request, next: Next) -> Response {
    match req.headers().get("x-dc-devkey").map(|v| v.as_bytes()) {
        None => {
            error(StatusCode::UNAUTHORIZED, "access_denied|invalid_api_key", "No API key was provided (X-DC-DEVKEY)")
        }
        Some(k) if k != API_KEY.as_bytes() => {
            error(StatusCode::UNAUTHORIZED, "access_denied|invalid_api_key", "The API key provided is invalid")
        }
        Some(_) => next.run(req).await,
    }
}

#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn parse_body(body: &Bytes) -> Result<Value, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice::<Value>(body).map_err(|e| {
        error(StatusCode::BAD_REQUEST, "bad_request_format", format!("The request body is not valid JSON: {e}"))
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Order validation

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

/// Names on the order: common name first, then the SANs not equal to it.
fn all_names(cn: &str, sans: &[String]) -> Vec<String> {
    let mut names = vec![cn.to_ascii_lowercase()];
    for s in sans {
        let s = s.trim().to_ascii_lowercase();
        if !s.is_empty() && !names.contains(&s) {
            names.push(s);
        }
    }
    names
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for k in path {
        cur = cur.get(k)?;
    }
    cur.as_str()
}

fn int_at(v: &Value, path: &[&str]) -> Option<Option<i64>> {
    let mut cur = v;
    for k in path {
        match cur.get(k) {
            Some(x) => cur = x,
            None => return None,
        }
    }
    Some(match cur {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn string_list(v: Option<&Value>) -> Result<Vec<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_owned).ok_or(())).collect(),
        Some(_) => Err(()),
    }
}

/// Coverage asked for by an order body: `(from, till, years, days, custom)`.
struct Coverage {
    till: Date,
    years: Option<i64>,
    days: Option<i64>,
    custom: Option<String>,
}

fn coverage(body: &Value, today: Date, out: &mut Vec<Problem>) -> Option<Coverage> {
    let ov = body.get("order_validity").cloned().unwrap_or(Value::Null);
    let custom = str_at(body, &["custom_expiration_date"])
        .or_else(|| str_at(&ov, &["custom_expiration_date"]))
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned);
    let days = int_at(body, &["validity_days"]).or_else(|| int_at(&ov, &["days"]));
    let years = int_at(body, &["validity_years"]).or_else(|| int_at(&ov, &["years"]));
    let max = add_years(today, 3);
    if let Some(c) = custom {
        return match parse_date(&c) {
            Some(d) if d > today && d <= max => Some(Coverage { till: d, years: None, days: None, custom: Some(c) }),
            Some(_) => {
                out.push(p(
                    "invalid_value:custom_expiration_date",
                    format!("custom_expiration_date {c} must be after today and at most 3 years out ({})", ymd(max)),
                ));
                None
            }
            None => {
                out.push(p(
                    "invalid_value:custom_expiration_date",
                    format!("custom_expiration_date `{c}` is not a yyyy-MM-dd date"),
                ));
                None
            }
        };
    }
    if let Some(d) = days {
        return match d {
            Some(d) if (1..=1095).contains(&d) => {
                Some(Coverage { till: today + Duration::days(d), years: None, days: Some(d), custom: None })
            }
            _ => {
                out.push(p("invalid_value:validity_days", "validity_days must be 1 to 1095 (at most 3 years)"));
                None
            }
        };
    }
    match years {
        Some(Some(y)) if (1..=3).contains(&y) => {
            Some(Coverage { till: add_years(today, y), years: Some(y), days: None, custom: None })
        }
        Some(_) => {
            out.push(p("invalid_value:validity_years", "validity_years must be 1, 2 or 3 (at most 3 years)"));
            None
        }
        None => {
            out.push(p(
                "missing_field:validity_years",
                "validity_years is required (or validity_days / custom_expiration_date)",
            ));
            None
        }
    }
}

/// Checks that need the product and the names: wildcard, multi-domain, names count, DCV method for the names.
fn name_rules(rules: &ProductRules, names: &[String], dcv_method: Option<&str>, out: &mut Vec<Problem>) {
    for n in names {
        if !valid_hostname(n) {
            out.push(p("invalid_value:dns_names", format!("`{n}` is not a valid domain name")));
        }
    }
    let wildcard = names.iter().any(|n| n.starts_with("*."));
    if wildcard && !rules.wildcard {
        out.push(p("invalid_value:common_name", format!("{} does not allow wildcard names", rules.id)));
    }
    if !rules.wildcard || !wildcard {
        // Nothing more for wildcards.
    }
    if names.len() > 1 && !rules.multi_domain {
        // DigiCert adds the www / bare variant for free on single-name products.
        let cn = names[0].trim_start_matches("*.").trim_start_matches("www.");
        let extra_ok = names.len() == 2 && names[1].trim_start_matches("www.") == cn;
        if !extra_ok {
            out.push(p(
                "invalid_value:dns_names",
                format!("{} secures one name (plus its www variant); got {}", rules.id, names.len()),
            ));
        }
    }
    if let Some(max) = rules.max_names {
        if names.len() > max as usize {
            out.push(p(
                "invalid_value:dns_names",
                format!("{} allows at most {max} names; got {}", rules.id, names.len()),
            ));
        }
    }
    if let Some(m) = dcv_method {
        if !DCV_METHODS.contains(&m) {
            out.push(p("invalid_dcv_method", format!("`{m}` is not a DCV method ({})", DCV_METHODS.join(", "))));
        } else if m.starts_with("http-token") && wildcard {
            out.push(p("invalid_dcv_method", format!("{m} cannot validate wildcard names")));
        } else if m == "http-token-dynamic" && rules.validation == ValidationLevel::Dv {
            out.push(p("invalid_dcv_method", "http-token-dynamic is not available for DV products"));
        }
    }
}

/// Everything wrong with an order body (one entry per problem), or the parsed order pieces.
struct NewOrder {
    rules: ProductRules,
    common_name: String,
    names: Vec<String>,
    csr: String,
    dcv_method: String,
    signature_hash: String,
    server_platform_id: i64,
    coverage: Coverage,
    skip_approval: bool,
    renewal_of_order_id: Option<i64>,
    organization_id: Option<i64>,
    dcv_emails: Vec<Value>,
}

fn check_order(product_id: &str, body: &Value, today: Date) -> Result<NewOrder, Vec<Problem>> {
    let mut out = Vec::new();
    if !body.is_object() {
        return Err(vec![p("bad_request_format", "The request body must be a JSON object")]);
    }
    let schema = crate::digicert_products::order_problems(body);
    let rules = product(product_id);
    if rules.is_none() {
        out.push(p("not_found|product", format!("Product {product_id} not found")));
    }
    let cert = body.get("certificate");
    if cert.is_none_or(|c| !c.is_object()) {
        out.push(p("missing_field:certificate", "certificate is required"));
    }
    let cn = str_at(body, &["certificate", "common_name"]).unwrap_or("").trim().to_ascii_lowercase();
    if cn.is_empty() {
        out.push(p("missing_field:certificate.common_name", "certificate.common_name is required"));
    }
    let sans = match string_list(body.get("certificate").and_then(|c| c.get("dns_names"))) {
        Ok(s) => s,
        Err(()) => {
            out.push(p("invalid_value:dns_names", "certificate.dns_names must be an array of strings"));
            Vec::new()
        }
    };
    let names = all_names(&cn, &sans);
    let csr = str_at(body, &["certificate", "csr"]).unwrap_or("").to_owned();
    if csr.trim().is_empty() {
        out.push(p("missing_field:certificate.csr", "certificate.csr is required"));
    } else if let Err(e) = parse_csr(&csr) {
        out.push(p("invalid_csr", format!("The CSR is invalid: {}", e.0)));
    }
    let dcv_method = str_at(body, &["dcv_method"]).map(str::to_owned);
    if dcv_method.is_none() {
        out.push(p("missing_field:dcv_method", "dcv_method is required"));
    }
    let signature_hash = str_at(body, &["certificate", "signature_hash"]).unwrap_or("sha256").to_ascii_lowercase();
    if !["sha256", "sha384", "sha512"].contains(&signature_hash.as_str()) {
        out.push(p("invalid_value:certificate.signature_hash", "signature_hash must be sha256, sha384 or sha512"));
    }
    let server_platform_id = int_at(body, &["certificate", "server_platform", "id"]).flatten().unwrap_or(-1);
    let cov = coverage(body, today, &mut out);
    if let Some(r) = &rules {
        if !cn.is_empty() {
            name_rules(r, &names, dcv_method.as_deref(), &mut out);
        }
        if r.validation != ValidationLevel::Dv && int_at(body, &["organization", "id"]).flatten().is_none() {
            out.push(p("missing_field:organization.id", format!("{} needs organization.id", r.id)));
        }
    }
    let dcv_emails = match body.get("dcv_emails") {
        Some(Value::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    for e in &dcv_emails {
        let host = e.get("dns_name").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
        let domain = e.get("email_domain").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
        let bare = host.trim_start_matches("*.");
        if domain.is_empty() || !(bare == domain || bare.ends_with(&format!(".{domain}"))) {
            out.push(p(
                "invalid_value:dcv_emails",
                format!("email_domain `{domain}` is not the base domain of `{host}`"),
            ));
        }
    }
    if let Some(pm) = str_at(body, &["payment_method"]) {
        if !["balance", "card", "profile"].contains(&pm) {
            out.push(p("invalid_value:payment_method", "payment_method must be balance, card or profile"));
        }
    }
    let out = merge(schema, out);
    match (out.is_empty(), rules, cov, dcv_method) {
        (true, Some(rules), Some(coverage), Some(dcv_method)) => Ok(NewOrder {
            rules,
            common_name: cn,
            names,
            csr,
            dcv_method,
            signature_hash,
            server_platform_id,
            coverage,
            skip_approval: body.get("skip_approval").is_some_and(|v| v == &json!(true) || v == &json!(1)),
            renewal_of_order_id: int_at(body, &["renewal_of_order_id"]).flatten(),
            organization_id: int_at(body, &["organization", "id"]).flatten(),
            dcv_emails,
        }),
        _ => Err(out),
    }
}

/// The generated schema problems first, then the sandbox's own checks whose code the schema did not report.
fn merge(schema: Vec<Problem>, own: Vec<Problem>) -> Vec<Problem> {
    let mut out = schema;
    for (code, msg) in own {
        if !out.iter().any(|(c, _)| *c == code) {
            out.push((code, msg));
        }
    }
    dedup(&mut out);
    out
}

fn dedup(out: &mut Vec<Problem>) {
    let mut seen = std::collections::HashSet::new();
    out.retain(|(c, m)| seen.insert((c.clone(), m.clone())));
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers: orders

fn token(st: &mut State) -> String {
    st.token(32)
}

async fn place_order(AxState(app): AxState<App>, Path(product_id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let now = app.store.lock().now();
    let new = match check_order(&product_id, &body, now.date()) {
        Ok(n) => n,
        Err(problems) => return errors(StatusCode::BAD_REQUEST, problems),
    };
    let mut st = app.store.lock();
    let needs_approval = st.knobs.approval == Approval::Required && !new.skip_approval;
    let random = token(&mut st);
    let dc = &mut st.digicert;
    let id = dc.order_id();
    let certificate_id = dc.certificate_id();
    let request_id = dc.request_id();
    let order = DcOrder {
        id,
        status: if needs_approval { "needs_approval" } else { "pending" }.into(),
        product: DcProduct {
            name_id: new.rules.id.clone(),
            name: new.rules.name.clone(),
            product_type: "ssl_certificate".into(),
            validation_type: level(&new.rules).into(),
        },
        certificate_id,
        certificates: vec![DcCertificate {
            id: certificate_id,
            kind: "primary".into(),
            status: "pending".into(),
            common_name: new.common_name.clone(),
            dns_names: new.names.clone(),
            csr: new.csr.clone(),
            signature_hash: new.signature_hash.clone(),
            server_platform_id: new.server_platform_id,
            date_created: rfc3339(now),
            pem: None,
            serial_number: None,
            thumbprint: None,
            valid_from: None,
            valid_till: None,
            not_before: None,
            not_after: None,
        }],
        dcv_method: new.dcv_method.clone(),
        dcv_random_value: random.clone(),
        dcv_emails: new.dcv_emails,
        dcv_passed: false,
        validated_names: Vec::new(),
        approved: !needs_approval,
        order_valid_from: ymd(now.date()),
        order_valid_till: ymd(new.coverage.till),
        validity_years: new.coverage.years,
        validity_days: new.coverage.days,
        custom_expiration_date: new.coverage.custom,
        date_created: rfc3339(now),
        renewal_of_order_id: new.renewal_of_order_id,
        organization_id: new.organization_id,
        requests: vec![DcRequest {
            id: request_id,
            date: rfc3339(now),
            request_type: "new_request".into(),
            status: if needs_approval { "pending" } else { "approved" }.into(),
        }],
        note: None,
        auto_reissue: int_at(&body, &["auto_reissue"]).flatten().unwrap_or(0),
        body,
    };
    dc.orders.push(order);
    if needs_approval {
        return created(json!({"id": id, "requests": [{"id": request_id, "status": "pending"}]}));
    }
    let mut v = json!({"id": id, "certificate_id": certificate_id});
    if matches!(new.dcv_method.as_str(), "dns-txt-token" | "http-token") {
        v["dcv_random_value"] = json!(random);
    }
    created(v)
}

fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Order info in DigiCert's shape.
fn order_info_json(o: &DcOrder) -> Value {
    let c = o.current();
    let mut cert = json!({
        "id": o.certificate_id,
        "common_name": c.map(|c| c.common_name.clone()).unwrap_or_default(),
        "dns_names": c.map(|c| c.dns_names.clone()).unwrap_or_default(),
        "date_created": c.map(|c| c.date_created.clone()).unwrap_or_default(),
        "csr": c.map(|c| c.csr.clone()).unwrap_or_default(),
        "signature_hash": c.map(|c| c.signature_hash.clone()).unwrap_or_else(|| "sha256".into()),
        "server_platform": platform(c.map_or(-1, |c| c.server_platform_id)),
    });
    if let Some(c) = c.filter(|c| c.pem.is_some()) {
        cert["serial_number"] = json!(c.serial_number);
        cert["thumbprint"] = json!(c.thumbprint);
        cert["valid_from"] = json!(c.valid_from);
        cert["valid_till"] = json!(c.valid_till);
    }
    let mut v = json!({
        "id": o.id,
        "certificate": cert,
        "status": o.status,
        "is_renewal": o.renewal_of_order_id.is_some(),
        "date_created": o.date_created,
        "order_valid_from": o.order_valid_from,
        "order_valid_till": o.order_valid_till,
        "disable_renewal_notifications": false,
        "auto_renew": 0,
        "auto_reissue": o.auto_reissue,
        "container": {"id": 1, "name": "Sandbox"},
        "product": {
            "name_id": o.product.name_id,
            "name": o.product.name,
            "type": o.product.product_type,
            "validation_type": o.product.validation_type,
        },
        "dcv_method": o.dcv_method,
        "payment_method": "balance",
        "requests": o.requests,
    });
    if o.dcv_method != "email" {
        v["dcv_random_value"] = json!(o.dcv_random_value);
    }
    if !o.dcv_emails.is_empty() {
        v["dcv_emails"] = json!(o.dcv_emails);
    }
    if let Some(y) = o.validity_years {
        v["validity_years"] = json!(y);
    }
    if let Some(d) = o.validity_days {
        v["validity_days"] = json!(d);
    }
    if let Some(d) = &o.custom_expiration_date {
        v["custom_expiration_date"] = json!(d);
    }
    if let Some(r) = o.renewal_of_order_id {
        v["renewal_of_order_id"] = json!(r);
    }
    if let Some(org) = o.organization_id {
        v["organization"] = json!({"id": org});
    }
    if let Some(n) = &o.note {
        v["note"] = json!(n);
    }
    v
}

fn platform(id: i64) -> Value {
    let name = match id {
        2 => "Apache",
        45 => "nginx",
        _ => "OTHER",
    };
    json!({"id": id, "name": name})
}

async fn order_info(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let st = app.store.lock();
    match parse_id(&id).and_then(|n| st.digicert.orders.iter().find(|o| o.id == n)) {
        Some(o) => ok(order_info_json(o)),
        None => order_not_found(&id),
    }
}

async fn order_list(AxState(app): AxState<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    let st = app.store.lock();
    let f = |k: &str| q.get(&format!("filters[{k}]")).map(|s| s.trim().to_ascii_lowercase());
    let cn = f("common_name");
    let status = f("status");
    let product = f("product_name_id");
    let search = f("search");
    let limit: usize = q.get("limit").and_then(|s| s.parse().ok()).unwrap_or(1000).clamp(1, 1000);
    let offset: usize = q.get("offset").and_then(|s| s.parse().ok()).unwrap_or(0);
    let matching: Vec<&DcOrder> = st
        .digicert
        .orders
        .iter()
        .filter(|o| {
            let names = o.names();
            let ocn = names.first().cloned().unwrap_or_default();
            cn.as_ref().is_none_or(|c| &ocn == c)
                && status.as_ref().is_none_or(|s| &o.status == s)
                && product.as_ref().is_none_or(|p| &o.product.name_id == p)
                && search
                    .as_ref()
                    .is_none_or(|s| names.iter().any(|n| n.contains(s.as_str())) || o.id.to_string() == *s)
        })
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .rev()
        .skip(offset)
        .take(limit)
        .map(|o| {
            let c = o.current();
            json!({
                "id": o.id,
                "certificate": {
                    "id": o.certificate_id,
                    "common_name": c.map(|c| c.common_name.clone()).unwrap_or_default(),
                    "dns_names": c.map(|c| c.dns_names.clone()).unwrap_or_default(),
                    "valid_till": c.and_then(|c| c.valid_till.clone()),
                    "signature_hash": c.map(|c| c.signature_hash.clone()).unwrap_or_default(),
                },
                "status": o.status,
                "is_renewed": false,
                "date_created": o.date_created,
                "order_valid_till": o.order_valid_till,
                "validity_years": o.validity_years,
                "container": {"id": 1, "name": "Sandbox"},
                "product": {"name_id": o.product.name_id, "name": o.product.name, "type": o.product.product_type},
                "product_name_id": o.product.name_id,
            })
        })
        .collect();
    ok(json!({"orders": page, "page": {"total": total, "limit": limit, "offset": offset}}))
}

fn dcv_records(o: &DcOrder) -> Vec<Value> {
    o.names()
        .iter()
        .map(|host| {
            let bare = dcv::bare(host);
            let mut v = json!({
                "name": host,
                "dcv_method": o.dcv_method,
                "dcv_status": if o.dcv_passed || o.validated_names.contains(host) { "valid" } else { "pending" },
            });
            match o.dcv_method.as_str() {
                "dns-txt-token" => {
                    v["dcv_token"] = json!({"token": o.dcv_random_value, "status": "pending",
                        "record_name": format!("_dnsauth.{bare}"), "record_type": "TXT"});
                }
                "dns-cname-token" => {
                    v["dcv_token"] = json!({"token": o.dcv_random_value, "status": "pending",
                        "record_name": format!("{}.{bare}", o.dcv_random_value), "record_type": "CNAME",
                        "verification_value": CNAME_TARGET});
                }
                "http-token" | "http-token-dynamic" => {
                    v["dcv_token"] = json!({"token": o.dcv_random_value, "status": "pending",
                        "http_token_url": format!("http://{bare}{HTTP_TOKEN_PATH}")});
                }
                _ => {}
            }
            v
        })
        .collect()
}

async fn validation(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let st = app.store.lock();
    let Some(o) = parse_id(&id).and_then(|n| st.digicert.orders.iter().find(|o| o.id == n)) else {
        return order_not_found(&id);
    };
    let dcv_status = if o.dcv_passed || o.status == "issued" { "valid" } else { "pending" };
    ok(json!({
        "order_id": o.id,
        "order_status": o.status,
        "dcv_method": o.dcv_method,
        "dcv_status": dcv_status,
        "order_validation": [{
            "type": "dcv",
            "name": "DCV",
            "description": "Domain Control Validation",
            "date_created": o.date_created,
            "status": dcv_status,
        }],
        "domains": dcv_records(o),
    }))
}

/// Issue the order's current certificate (DCV passed and approved).
fn issue(ca: &Ca, o: &mut DcOrder, now: OffsetDateTime) -> Result<(), String> {
    let coverage_end = o.coverage_end();
    let cert = o.current_mut().ok_or("order has no certificate")?;
    if cert.pem.is_none() {
        let key = parse_csr(&cert.csr).map_err(|e| e.0)?;
        let leaf =
            ca.issue_leaf(&key, &cert.common_name, &cert.dns_names, now, coverage_end).map_err(|e| e.to_string())?;
        cert.pem = Some(leaf.pem);
        cert.serial_number = Some(leaf.serial_hex.to_ascii_uppercase());
        cert.thumbprint = Some(leaf.thumbprint);
        cert.valid_from = Some(ymd(leaf.not_before.date()));
        cert.valid_till = Some(ymd(leaf.not_after.date()));
        cert.not_before = Some(rfc3339(leaf.not_before));
        cert.not_after = Some(rfc3339(leaf.not_after));
        cert.status = "issued".into();
    }
    let names = cert.dns_names.clone();
    for n in names {
        if !o.validated_names.contains(&n) {
            o.validated_names.push(n);
        }
    }
    o.dcv_passed = true;
    o.status = "issued".into();
    for r in &mut o.requests {
        if r.status == "pending" {
            r.status = "approved".into();
        }
    }
    Ok(())
}

fn issue_or_500(ca: &Ca, o: &mut DcOrder, now: OffsetDateTime) -> Option<Response> {
    issue(ca, o, now)
        .err()
        .map(|e| error(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", format!("issuance failed: {e}")))
}

enum Check {
    Pass,
    Pending,
    Fail(&'static str, String),
}

async fn real_check(
    method: &str,
    token: &str,
    names: &[String],
    records: &[ssl_core::model::DnsRecord],
    hosts: &std::collections::BTreeMap<String, std::net::SocketAddr>,
) -> Check {
    for host in names {
        let candidates = dcv::self_and_parents(host);
        let found = match method {
            "dns-txt-token" => candidates.iter().any(|h| {
                dcv::has_record(records, &format!("_dnsauth.{h}"), "TXT", token)
                    || dcv::has_record(records, h, "TXT", token)
            }),
            "dns-cname-token" => {
                candidates.iter().any(|h| dcv::has_record(records, &format!("{token}.{h}"), "CNAME", CNAME_TARGET))
            }
            "http-token" | "http-token-dynamic" => match dcv::fetch_http(hosts, host, HTTP_TOKEN_PATH).await {
                Ok(body) => body.contains(token),
                Err(e) => {
                    return Check::Fail(
                        "file_random_value_not_found",
                        format!("The random value was not found at http://{}{HTTP_TOKEN_PATH}: {e}", dcv::bare(host)),
                    );
                }
            },
            _ => return Check::Pending,
        };
        if !found {
            return match method {
                "dns-txt-token" => Check::Fail(
                    "invalid_dns_txt",
                    format!("No TXT record _dnsauth.{} with the random value was found", dcv::bare(host)),
                ),
                "dns-cname-token" => Check::Fail(
                    "invalid_dns_cname",
                    format!("No CNAME {token}.{} pointing to {CNAME_TARGET} was found", dcv::bare(host)),
                ),
                _ => Check::Fail(
                    "file_random_value_not_found",
                    format!(
                        "The file at http://{}{HTTP_TOKEN_PATH} does not contain the random value",
                        dcv::bare(host)
                    ),
                ),
            };
        }
    }
    Check::Pass
}

fn check_answer(o: &DcOrder) -> Response {
    let dcv_status = if o.dcv_passed || o.status == "issued" { "valid" } else { "pending" };
    ok(json!({"order_status": o.status, "certificate_id": o.certificate_id, "dcv_status": dcv_status}))
}

async fn check_dcv(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let Some(oid) = parse_id(&id) else {
        return order_not_found(&id);
    };
    let (mode, method, token, names, records, hosts) = {
        let st = app.store.lock();
        let Some(o) = st.digicert.orders.iter().find(|o| o.id == oid) else {
            return order_not_found(&id);
        };
        match o.status.as_str() {
            "pending" | "reissue_pending" | "needs_approval" => {}
            "issued" => return check_answer(o),
            other => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_order_status",
                    format!("DCV cannot be checked on a {other} order"),
                );
            }
        }
        if o.dcv_passed {
            return check_answer(o);
        }
        (
            st.knobs.dcv,
            o.dcv_method.clone(),
            o.dcv_random_value.clone(),
            o.names(),
            st.dns.clone(),
            st.http_hosts.clone(),
        )
    };
    let check = match (mode, method.as_str()) {
        (DcvMode::Auto, _) => Check::Pass,
        (DcvMode::Manual, _) | (DcvMode::Real, "email") => Check::Pending,
        (DcvMode::Real, m) => real_check(m, &token, &names, &records, &hosts).await,
    };
    let mut st = app.store.lock();
    let now = st.now();
    let Some(o) = st.digicert.order_mut(oid) else {
        return order_not_found(&id);
    };
    match check {
        Check::Pass => {
            o.dcv_passed = true;
            if o.status != "needs_approval" {
                if let Some(r) = issue_or_500(&app.ca, o, now) {
                    return r;
                }
            }
            check_answer(o)
        }
        Check::Pending => check_answer(o),
        Check::Fail(code, msg) => error(StatusCode::BAD_REQUEST, code, msg),
    }
}

#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn open_order<'a>(st: &'a mut State, id: &str) -> Result<&'a mut DcOrder, Response> {
    parse_id(id).and_then(|n| st.digicert.order_mut(n)).ok_or_else(|| order_not_found(id))
}

const OPEN: &[&str] = &["needs_approval", "pending", "reissue_pending"];

async fn change_dcv_method(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(method) = str_at(&body, &["dcv_method"]).map(str::to_owned) else {
        return error(StatusCode::BAD_REQUEST, "missing_field:dcv_method", "dcv_method is required");
    };
    let mut st = app.store.lock();
    let new_token = st.token(32);
    let o = match open_order(&mut st, &id) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if !OPEN.contains(&o.status.as_str()) {
        return error(StatusCode::BAD_REQUEST, "invalid_order_status", format!("The order is {}", o.status));
    }
    let mut problems = Vec::new();
    if let Some(rules) = product(&o.product.name_id) {
        name_rules(&rules, &[], Some(&method), &mut problems);
    } else if !DCV_METHODS.contains(&method.as_str()) {
        problems.push(p("invalid_dcv_method", format!("`{method}` is not a DCV method")));
    }
    if method.starts_with("http-token") && o.is_wildcard() {
        problems.push(p("invalid_dcv_method", format!("{method} cannot validate wildcard names")));
    }
    let problems = merge(crate::digicert_products::dcv_method_problems(&body), problems);
    if !problems.is_empty() {
        return errors(StatusCode::BAD_REQUEST, problems);
    }
    o.dcv_method = method;
    o.dcv_random_value = new_token.clone();
    if o.dcv_method == "email" { ok(json!({})) } else { ok(json!({"dcv_random_value": new_token})) }
}

async fn new_random_value(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let mut st = app.store.lock();
    let new_token = st.token(32);
    let o = match open_order(&mut st, &id) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if !OPEN.contains(&o.status.as_str()) {
        return error(StatusCode::BAD_REQUEST, "invalid_order_status", format!("The order is {}", o.status));
    }
    o.dcv_random_value = new_token.clone();
    ok(json!({"dcv_random_value": new_token}))
}

async fn resend_emails(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let mut st = app.store.lock();
    match open_order(&mut st, &id) {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(r) => r,
    }
}

/// Reissue / duplicate body: `{certificate: {csr?, common_name?, dns_names?, signature_hash?, server_platform?},
/// dcv_method?, ...}`.
async fn reissue(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    reissue_or_duplicate(app, id, body, false)
}

async fn duplicate(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    reissue_or_duplicate(app, id, body, true)
}

fn reissue_or_duplicate(app: App, id: String, body: Bytes, dup: bool) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut st = app.store.lock();
    let now = st.now();
    let new_token = st.token(32);
    let dc = &mut st.digicert;
    let Some(idx) = parse_id(&id).and_then(|n| dc.orders.iter().position(|o| o.id == n)) else {
        return order_not_found(&id);
    };
    let (cert_id, req_id) = (dc.certificate_id(), dc.request_id());
    let o = &mut dc.orders[idx];
    if !matches!(o.status.as_str(), "issued" | "expired") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_order_status",
            format!(
                "Only issued orders can be {}; this one is {}",
                if dup { "duplicated" } else { "reissued" },
                o.status
            ),
        );
    }
    if o.coverage_end().is_some_and(|end| end < now) {
        return error(StatusCode::BAD_REQUEST, "order_expired", "The order's coverage has ended; renew it instead");
    }
    let mut problems = Vec::new();
    let Some(cur) = o.current().cloned() else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "order has no certificate");
    };
    let cert = body.get("certificate").cloned().unwrap_or(json!({}));
    let csr = str_at(&cert, &["csr"]).filter(|s| !s.trim().is_empty()).map(str::to_owned).unwrap_or(cur.csr.clone());
    if let Err(e) = parse_csr(&csr) {
        problems.push(p("invalid_csr", format!("The CSR is invalid: {}", e.0)));
    }
    let cn = str_at(&cert, &["common_name"]).map(|s| s.trim().to_ascii_lowercase()).unwrap_or(cur.common_name.clone());
    let sans = match cert.get("dns_names") {
        Some(v) => string_list(Some(v)).unwrap_or_else(|()| {
            problems.push(p("invalid_value:dns_names", "certificate.dns_names must be an array of strings"));
            Vec::new()
        }),
        None => cur.dns_names.clone(),
    };
    let names = all_names(&cn, &sans);
    let method = str_at(&body, &["dcv_method"]).map(str::to_owned);
    if let Some(rules) = product(&o.product.name_id) {
        name_rules(&rules, &names, Some(method.as_deref().unwrap_or(&o.dcv_method)), &mut problems);
    }
    if dup && names.iter().any(|n| !o.validated_names.contains(n)) {
        problems.push(p("invalid_value:dns_names", "A duplicate can only name domains already on the order"));
    }
    let hash = str_at(&cert, &["signature_hash"]).map(str::to_ascii_lowercase).unwrap_or(cur.signature_hash.clone());
    if !["sha256", "sha384", "sha512"].contains(&hash.as_str()) {
        problems.push(p("invalid_value:certificate.signature_hash", "signature_hash must be sha256, sha384 or sha512"));
    }
    let schema = if dup {
        crate::digicert_products::duplicate_problems(&body)
    } else {
        crate::digicert_products::reissue_problems(&body)
    };
    let problems = merge(schema, problems);
    if !problems.is_empty() {
        return errors(StatusCode::BAD_REQUEST, problems);
    }
    let new_cert = DcCertificate {
        id: cert_id,
        kind: if dup { "duplicate" } else { "reissue" }.into(),
        status: "pending".into(),
        common_name: cn,
        dns_names: names.clone(),
        csr,
        signature_hash: hash,
        server_platform_id: int_at(&cert, &["server_platform", "id"]).flatten().unwrap_or(cur.server_platform_id),
        date_created: rfc3339(now),
        pem: None,
        serial_number: None,
        thumbprint: None,
        valid_from: None,
        valid_till: None,
        not_before: None,
        not_after: None,
    };
    let needs_dcv = names.iter().any(|n| !o.validated_names.contains(n));
    let status = if needs_dcv { "pending" } else { "approved" };
    o.requests.push(DcRequest {
        id: req_id,
        date: rfc3339(now),
        request_type: if dup { "duplicate" } else { "reissue" }.into(),
        status: status.into(),
    });
    if dup {
        let previous = o.certificate_id;
        o.certificates.push(new_cert);
        o.certificate_id = cert_id;
        let r = issue(&app.ca, o, now);
        o.certificate_id = previous;
        if let Err(e) = r {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", format!("issuance failed: {e}"));
        }
    } else {
        o.certificates.push(new_cert);
        o.certificate_id = cert_id;
        if let Some(m) = method {
            o.dcv_method = m;
        }
        if needs_dcv {
            o.status = "reissue_pending".into();
            o.dcv_passed = false;
            o.dcv_random_value = new_token;
        } else if let Some(r) = issue_or_500(&app.ca, o, now) {
            return r;
        }
    }
    created(json!({"id": o.id, "requests": [{"id": req_id, "status": status}], "certificate_id": cert_id}))
}

async fn auto_reissue(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let v = match int_at(&body, &["auto_reissue"]) {
        Some(Some(v @ (0 | 1))) => v,
        Some(_) => return error(StatusCode::BAD_REQUEST, "invalid_value:auto_reissue", "auto_reissue must be 0 or 1"),
        None => return error(StatusCode::BAD_REQUEST, "missing_field:auto_reissue", "auto_reissue is required"),
    };
    let mut st = app.store.lock();
    match open_order(&mut st, &id) {
        Ok(o) => {
            o.auto_reissue = v;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(r) => r,
    }
}

async fn list_duplicates(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let st = app.store.lock();
    let Some(o) = parse_id(&id).and_then(|n| st.digicert.orders.iter().find(|o| o.id == n)) else {
        return order_not_found(&id);
    };
    let list: Vec<Value> = o
        .certificates
        .iter()
        .filter(|c| c.kind == "duplicate")
        .map(|c| {
            json!({"id": c.id, "common_name": c.common_name, "dns_names": c.dns_names, "status": c.status,
                "serial_number": c.serial_number, "valid_from": c.valid_from, "valid_till": c.valid_till,
                "date_created": c.date_created})
        })
        .collect();
    ok(json!({"certificates": list}))
}

async fn update_status(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(status) = str_at(&body, &["status"]).map(str::to_ascii_lowercase) else {
        return error(StatusCode::BAD_REQUEST, "missing_field:status", "status is required");
    };
    if status != "canceled" {
        return error(StatusCode::BAD_REQUEST, "invalid_value:status", "status can only be CANCELED");
    }
    let mut st = app.store.lock();
    let o = match open_order(&mut st, &id) {
        Ok(o) => o,
        Err(r) => return r,
    };
    if !matches!(o.status.as_str(), "needs_approval" | "pending") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_order_status",
            format!("Only needs_approval or pending orders can be canceled; this one is {}", o.status),
        );
    }
    o.status = "canceled".into();
    o.note = str_at(&body, &["note"]).map(str::to_owned);
    for r in &mut o.requests {
        if r.status == "pending" {
            r.status = "rejected".into();
        }
    }
    StatusCode::NO_CONTENT.into_response()
}

fn revoke(o: &mut DcOrder, cert_id: Option<i64>, note: Option<String>, req_id: i64, now: OffsetDateTime) -> Response {
    if !matches!(o.status.as_str(), "issued" | "reissue_pending") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_order_status",
            format!("Only issued certificates can be revoked; the order is {}", o.status),
        );
    }
    let now = rfc3339(now);
    for c in &mut o.certificates {
        if c.pem.is_some() && cert_id.is_none_or(|id| id == c.id) {
            c.status = "revoked".into();
        }
    }
    if cert_id.is_none_or(|id| id == o.certificate_id) {
        o.status = "revoked".into();
    }
    o.note = note.or(o.note.take());
    o.requests.push(DcRequest {
        id: req_id,
        date: now.clone(),
        request_type: "revoke".into(),
        status: "approved".into(),
    });
    created(json!({
        "id": req_id,
        "date": now,
        "type": "revoke",
        "status": "approved",
        "requester": {"id": 1, "first_name": "Sandbox", "last_name": "User", "email": "sandbox@example.invalid"},
        "comments": o.note,
    }))
}

async fn revoke_order(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut st = app.store.lock();
    let now = st.now();
    let req_id = st.digicert.request_id();
    match open_order(&mut st, &id) {
        Ok(o) => revoke(o, None, str_at(&body, &["comments"]).map(str::to_owned), req_id, now),
        Err(r) => r,
    }
}

fn cert_not_found(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, "not_found|certificate", format!("Certificate {id} not found"))
}

async fn revoke_certificate(AxState(app): AxState<App>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(cid) = parse_id(&id) else {
        return cert_not_found(&id);
    };
    let mut st = app.store.lock();
    let now = st.now();
    let req_id = st.digicert.request_id();
    match st.digicert.orders.iter_mut().find(|o| o.certificates.iter().any(|c| c.id == cid)) {
        Some(o) => revoke(o, Some(cid), str_at(&body, &["comments"]).map(str::to_owned), req_id, now),
        None => cert_not_found(&id),
    }
}

async fn download(AxState(app): AxState<App>, Path((id, format)): Path<(String, String)>) -> Response {
    let Some(cid) = parse_id(&id) else {
        return cert_not_found(&id);
    };
    let st = app.store.lock();
    let Some(cert) = st.digicert.orders.iter().flat_map(|o| o.certificates.iter()).find(|c| c.id == cid) else {
        return cert_not_found(&id);
    };
    let Some(leaf) = &cert.pem else {
        return error(
            StatusCode::BAD_REQUEST,
            "cert_unavailable_processing",
            "The certificate has not been issued yet",
        );
    };
    let (int, root) = (&app.ca.intermediate_pem, &app.ca.root_pem);
    let parts: Vec<&String> = match format.as_str() {
        "pem_all" => vec![leaf, int, root],
        "pem_noroot" | "default" | "default_pem" => vec![leaf, int],
        "pem_nointermediate" => vec![leaf, root],
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_value:format",
                format!("The sandbox serves pem_all, pem_noroot, pem_nointermediate and default; not `{other}`"),
            );
        }
    };
    let text: String = parts.iter().map(|p| format!("{}\n", p.trim())).collect();
    ([(header::CONTENT_TYPE, "application/x-pem-file")], text).into_response()
}

// ---------------------------------------------------------------------------------------------------------------
// Inspection hooks

/// Time passes: an issued order whose current certificate's `not_after` is behind the (virtual) clock is
/// `expired` (it can still be reissued while its coverage lasts).
fn tick(st: &mut State) {
    let now = st.now();
    for o in &mut st.digicert.orders {
        let ended = o
            .current()
            .and_then(|c| c.not_after.as_deref())
            .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
        if o.status == "issued" && ended.is_some_and(|end| end < now) {
            o.status = "expired".into();
        }
    }
}

fn orders_json(st: &State) -> Vec<Value> {
    st.digicert.orders.iter().map(|o| serde_json::to_value(o).unwrap_or(Value::Null)).collect()
}

fn order_action(shared: &Shared, st: &mut State, id: &str, action: OrderAction) -> Result<Value, ActionError> {
    let now = st.now();
    let not_found = || (StatusCode::NOT_FOUND, format!("no digicert order `{id}`"));
    let o = parse_id(id).and_then(|n| st.digicert.order_mut(n)).ok_or_else(not_found)?;
    let conflict = |what: &str, o: &DcOrder| (StatusCode::CONFLICT, format!("cannot {what} a {} order", o.status));
    match action {
        OrderAction::Approve => {
            if o.status != "needs_approval" {
                return Err(conflict("approve", o));
            }
            o.approved = true;
            o.status = "pending".into();
            for r in &mut o.requests {
                if r.status == "pending" {
                    r.status = "approved".into();
                }
            }
            if o.dcv_passed {
                issue(&shared.ca, o, now).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
            }
        }
        OrderAction::PassDcv => {
            if !OPEN.contains(&o.status.as_str()) {
                return Err(conflict("pass DCV of", o));
            }
            o.dcv_passed = true;
            if o.status != "needs_approval" {
                issue(&shared.ca, o, now).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
            }
        }
        OrderAction::Reject => {
            if !OPEN.contains(&o.status.as_str()) {
                return Err(conflict("reject", o));
            }
            o.status = "rejected".into();
            for r in &mut o.requests {
                if r.status == "pending" {
                    r.status = "rejected".into();
                }
            }
        }
    }
    serde_json::to_value(&*o).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}
