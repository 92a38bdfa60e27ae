//! DigiCert CertCentral Services API v2, as the sandbox serves it under `/services/v2`.
//!
//! Auth: `X-DC-DEVKEY: sandbox-digicert-key` ([`API_KEY`]); a missing or wrong key is 403
//! `access_denied|access_denied_invalid_key`. Every error is `{"errors":[{"code","message"}]}`; an unknown path is
//! 404 `not_found|route`; over 100 requests / 5 s or 1000 / 3 min per key is 429 `request_limit_exceeded`.
//!
//! | endpoint | answer |
//! |---|---|
//! | `GET /product`, `GET /product/{name_id}` | the sandbox's own catalog (`PRODUCTS`; 404 `not_found\|product`) |
//! | `POST /order/certificate/{product}` | 201 `{id, certificate_id[, dcv_random_value]}`, or `{id, requests}` when approval is needed; 400 with one entry per problem |
//! | `GET /order/certificate/{id}` | order info (404 `not_found\|order`) |
//! | `GET /order/certificate?filters[common_name]=&filters[status]=&filters[product_name_id]=&filters[search]=&limit=&offset=` | `{orders, page}`, newest first |
//! | `GET /order/certificate/{id}/validation` | DCV state per domain |
//! | `PUT /order/certificate/{id}/check-dcv` | `{order_status, certificate_id, dcv_status}`; 400 `invalid_dns_txt`, `invalid_dns_cname`, `file_random_value_not_found` in real mode |
//! | `PUT /order/certificate/{id}/dcv-method`, `/dcv-random-value` | `{dcv_random_value}` (new token) |
//! | `PUT /order/certificate/{id}/resend-emails` | 204 |
//! | `POST /order/certificate/{id}/reissue`, `/duplicate` | 201 `{id, requests, certificate_id}`; `GET .../duplicate` lists duplicates |
//! | `PUT /order/certificate/{id}/status` `{"status":"CANCELED","note"}` | 204 (needs_approval / pending only) |
//! | `GET /certificate/{id}/download/format/{format}` | `pem_all`, `pem_noroot`, `pem_nointermediate`, `default`: PEM; `p7b`: PKCS#7 PEM; `apache`: zip |
//! | `GET /certificate/{id}/download/platform` | zip for the order's server platform |
//! | `PUT /certificate/{id}/revoke`, `PUT /order/certificate/{id}/revoke` | 201 |
//! | `PUT /order/certificate/{id}/auto-reissue` `{"auto_reissue": 0\|1}` | 204 |
//!
//! Statuses: `needs_approval` → `pending` → `issued`; `reissue_pending` while a reissue for new names waits for
//! DCV; `canceled`, `rejected`, `revoked`; `expired` once the current leaf's `not_after` is behind the clock. Leaves
//! live at most 199 days and never past the coverage (`order_valid_till`). DCV: TXT `_dnsauth.<host>` (or the host)
//! = random value; CNAME `<random>.<host>` → `dcv.digicert.com`; HTTP `http://<host>/.well-known/pki-validation/
//! fileauth.txt` holding the random value; a record at a parent domain covers its subdomains. Email DCV mails
//! `admin@<base domain>` (see the inspection mailbox).

use axum::routing::{get, put};
use ssl_core::validate::Validate;
use ssl_digicert::generated as g;
use time::{Date, Duration, OffsetDateTime};

use crate::ca::parse_csr;
use crate::kit::archive;
use crate::kit::catalog::{self, Issue, Names};
use crate::kit::dcv::{self, Challenge, Verdict};
use crate::kit::order::Closed;
use crate::kit::prelude::*;
use crate::kit::time::{add_years, parse_date, ymd};
use crate::kit::wire::{self, int_at, num, str_at};
use crate::knobs::Approval;

/// The API key the sandbox accepts (`X-DC-DEVKEY`).
pub const API_KEY: &str = "sandbox-digicert-key";
/// The DCV methods DigiCert knows.
pub const DCV_METHODS: &[&str] = &["email", "dns-txt-token", "dns-cname-token", "http-token", "http-token-dynamic"];
/// The target of every `dns-cname-token` CNAME.
pub const CNAME_TARGET: &str = "dcv.digicert.com";
/// The file path of `http-token` DCV.
pub const HTTP_TOKEN_PATH: &str = "/.well-known/pki-validation/fileauth.txt";

pub(crate) const DEF: ProviderDef = ProviderDef {
    credentials: &[("SSL_ORDERS_DIGICERT_API_KEY", API_KEY)],
    secret_headers: &["x-dc-devkey"],
    rate_limits: &[Limit::per(100, 5), Limit::per(1000, 180)],
    ..ProviderDef::new::<DcState>("/services/v2", ROUTES, auth, failure, catalog)
};

/// A product the sandbox sells: `(name_id, name, validation level, wildcard names allowed, names)`.
/// Written from the provider notes (DigiCert publishes no machine-readable rules): a single-name product secures
/// one name plus, free, its other version (`www.` ↔ bare: "get both versions of a domain for free", the order
/// docs' `dns_names`); multi-domain products up to [`MAX_NAMES`] names.
pub(crate) const PRODUCTS: &[Product] = &[
    ("ssl_dv_geotrust", "GeoTrust Standard DV", "dv", false, ONE),
    ("ssl_dv_rapidssl", "RapidSSL Standard DV", "dv", false, ONE),
    ("wildcard_dv_geotrust", "GeoTrust Wildcard DV", "dv", true, ONE),
    ("wildcard_dv_rapidssl", "RapidSSL Wildcard DV", "dv", true, ONE),
    ("cloud_dv_geotrust", "GeoTrust Cloud DV", "dv", true, MANY),
    ("ssl_plus", "Standard SSL", "ov", false, ONE),
    ("ssl_multi_domain", "Multi-Domain SSL", "ov", false, MANY),
    ("ssl_wildcard", "Wildcard SSL", "ov", true, ONE),
    ("ssl_securesite_pro", "Secure Site Pro SSL", "ov", false, MANY),
    ("ssl_securesite_flex", "Secure Site OV", "ov", true, MANY),
    ("ssl_ev_plus", "EV SSL", "ev", false, ONE),
    ("ssl_ev_multi_domain", "EV Multi-Domain SSL", "ev", false, MANY),
    ("ssl_ev_securesite_pro", "Secure Site Pro EV SSL", "ev", false, MANY),
    ("ssl_ev_securesite_flex", "Secure Site EV", "ev", false, MANY),
    ("private_ssl_plus", "Private SSL", "ov", false, ONE),
    ("private_ssl_wildcard", "Private Wildcard SSL", "ov", true, ONE),
];
/// Most names on a multi-domain order.
pub const MAX_NAMES: usize = 250;
const ONE: Names = Names::One;
const MANY: Names = Names::UpTo(MAX_NAMES);

type Product = (&'static str, &'static str, &'static str, bool, Names);
/// A judged order: product, names, coverage end, DigiCert's fields.
type Placed = (Product, Vec<Name>, Date, DcExtra);
type R = Answer;

/// DigiCert's part of the sandbox state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DcState {
    /// Every order, oldest first.
    pub orders: Vec<Order<DcExtra>>,
}

/// What only DigiCert keeps per order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DcExtra {
    /// The order's DCV method.
    pub dcv_method: String,
    /// `dcv_emails` as sent.
    pub dcv_emails: Vec<Value>,
    /// `sha256`, `sha384` or `sha512`.
    pub signature_hash: String,
    /// Server platform id (-1: OTHER).
    pub server_platform_id: i64,
    /// `validity_years` as asked.
    pub validity_years: Option<i64>,
    /// `validity_days` as asked.
    pub validity_days: Option<i64>,
    /// `custom_expiration_date` as asked.
    pub custom_expiration_date: Option<String>,
    /// `organization.id`.
    pub organization_id: Option<i64>,
    /// Requests on the order: `{id, date, type, status}`.
    pub requests: Vec<Value>,
    /// Automatic reissue (0 or 1).
    pub auto_reissue: i64,
    /// The order body as received.
    pub body: Value,
}

part!(DcState, "digicert", DcExtra);

impl Book for DcState {
    fn status(o: &Order<DcExtra>, s: Stage) -> &'static str {
        let reissue = o.leaves.iter().any(|l| l.kind == LeafKind::Reissue);
        let pending = if reissue { "reissue_pending" } else { "pending" };
        s.pick(["needs_approval", pending, pending, "issued", "rejected", "canceled", "revoked", "expired"])
    }

    fn sample(kit: &mut Kit, csr: &str, cn: &str) -> Order<DcExtra> {
        let (now, token) = (kit.now(), kit.token(32));
        let (id, leaf_id, _) = ids(kit);
        let x = DcExtra { dcv_method: "dns-txt-token".into(), signature_hash: "sha256".into(), ..DcExtra::default() };
        let names = vec![Name::new(cn, "dns-txt-token", None)];
        let (product, coverage_end) = ("ssl_dv_geotrust".into(), Some(add_years(now.date(), 1)));
        let n = NewOrder { id, leaf_id, product, csr: csr.into(), names, token, coverage_end, ..NewOrder::default() };
        Order::new(n, now, x)
    }
}

fn ids(kit: &mut Kit) -> (String, String, i64) {
    let order = kit.ids.next("digicert.order", 1_000_001);
    let cert = kit.ids.next("digicert.certificate", 2_000_001);
    (order.to_string(), cert.to_string(), kit.ids.next("digicert.request", 3_000_001))
}

// ---------------------------------------------------------------------------------------------------------------
// Answers and auth

fn errors(status: StatusCode, problems: Problems) -> Refusal {
    let list: Vec<Value> =
        problems.into_iter().map(|(code, message)| json!({"code": code, "message": message})).collect();
    (status, axum::Json(json!({"errors": list}))).into_response().into()
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Refusal {
    errors(status, vec![(code.to_owned(), message.into())])
}

fn bad(code: &str, message: impl Into<String>) -> Refusal {
    error(StatusCode::BAD_REQUEST, code, message)
}

fn failure(f: &Failure) -> Response {
    match f {
        Failure::RateLimited { .. } => {
            error(f.status(), "request_limit_exceeded", "Service unavailable, please limit request volume")
        }
        Failure::ServerError { .. } => error(f.status(), "internal_error", "The server encountered an error"),
        Failure::NoRoute { .. } => error(f.status(), "not_found|route", "Route not found"),
    }
    .into_response()
}

fn auth(h: &Head<'_>, _: &mut State) -> Result<String, Refusal> {
    let message = match h.header("x-dc-devkey") {
        Some(k) if k == API_KEY => return Ok(k.to_owned()),
        Some(_) => "The API key provided is invalid",
        None => "No API key was provided (X-DC-DEVKEY)",
    };
    Err(error(StatusCode::FORBIDDEN, "access_denied|access_denied_invalid_key", message))
}

fn body_json(body: &Bytes) -> Result<Value, Refusal> {
    wire::json_body(body).map_err(|e| bad("bad_request_format", e.1))
}

fn find<'a>(dc: &'a mut DcState, id: &str) -> Result<&'a mut Order<DcExtra>, Refusal> {
    dc.by_id(id)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found|order", format!("Order {} not found", id.trim())))
}

fn not_found_leaf(id: &str) -> Refusal {
    error(StatusCode::NOT_FOUND, "not_found|certificate", format!("Certificate {id} not found"))
}

fn wrong_status(o: &Order<DcExtra>, what: &str) -> Refusal {
    bad("invalid_order_status", format!("{what}; the order is {}", o.wire(DcState::status)))
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog

fn product(id: &str) -> Option<Product> {
    PRODUCTS.iter().copied().find(|p| p.0 == id)
}

fn product_json(p: Product, full: bool) -> Value {
    let mut v = json!({
        "group_name": format!("{}_ssl_certificate", p.2), "name_id": p.0, "name": p.1, "type": "ssl_certificate",
        "validation_type": p.2, "validation_name": p.2.to_ascii_uppercase(),
        "allowed_validity_years": [1, 2, 3], "allowed_order_validity_years": [1, 2, 3], "csr_required": true,
    });
    if full {
        v["signature_hash_types"] = json!({"allowed_hash_types": [{"id": "sha256", "name": "SHA-256"},
            {"id": "sha384", "name": "SHA-384"}, {"id": "sha512", "name": "SHA-512"}], "default_hash_type_id": "sha256"});
        v["server_platforms"] =
            json!([{"id": -1, "name": "OTHER"}, {"id": 2, "name": "Apache"}, {"id": 45, "name": "nginx"}]);
        let methods: Vec<&str> =
            DCV_METHODS.iter().copied().filter(|m| *m != "http-token-dynamic" || p.2 != "dv").collect();
        v["allowed_dcv_methods"] = json!(methods);
        v["wildcard"] = json!(p.3);
        v["multi_domain"] = json!(p.4 != Names::One);
        v["max_names"] = json!(p.4.most());
        v["other_version_free"] = json!(p.4 == Names::One);
        v["duplicates_allowed"] = json!(true);
        v["allow_auto_reissue"] = json!(true);
    }
    v
}

fn catalog() -> Value {
    json!({"products": PRODUCTS.iter().map(|p| product_json(*p, true)).collect::<Vec<_>>()})
}

const PRODUCT_LIST: Route = ("/product", || get(products));
const PRODUCT_INFO: Route = ("/product/{name_id}", || get(products));
/// The catalog, or one product of it in full.
async fn products(id: Option<Path<String>>) -> R {
    let all = || PRODUCTS.iter().map(|p| product_json(*p, false)).collect::<Vec<_>>();
    let Some(Path(id)) = id else { return ok(json!({"products": all()})) };
    let p = product(&id)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "not_found|product", format!("Product {id} not found")))?;
    ok(product_json(p, true))
}

const ROUTES: &[Route] = &[
    PRODUCT_LIST,
    PRODUCT_INFO,
    ORDER_LIST,
    PLACE_ORDER,
    VALIDATION,
    CHECK_DCV,
    CHANGE_DCV_METHOD,
    NEW_RANDOM_VALUE,
    RESEND_EMAILS,
    REISSUE,
    DUPLICATE,
    CANCEL,
    REVOKE_ORDER,
    AUTO_REISSUE,
    DOWNLOAD,
    DOWNLOAD_PLATFORM,
    REVOKE_CERTIFICATE,
];

// ---------------------------------------------------------------------------------------------------------------
// Judging orders: the spec's schema (shared data), then the sandbox's own catalog and rules

fn schema<T: serde::de::DeserializeOwned + Validate>(body: &Value) -> Problems {
    let code = |f: &str, c: &str| match (f, c) {
        (f, _) if f.contains('|') => "missing_field:validity_years".to_owned(),
        ("dcv_method", c) if c != "required" => "invalid_dcv_method".to_owned(),
        (f, "required") => format!("missing_field:{f}"),
        (f, _) => format!("invalid_value:{f}"),
    };
    match wire::typed::<T>(body.clone()) {
        Ok((_, ps)) => catalog::coded(&ps, code),
        Err((path, why)) => vec![(format!("invalid_value:{path}"), format!("`{path}` has the wrong type: {why}"))],
    }
}

/// The schema problems first, then the sandbox's own whose code the schema did not report.
fn merge(mut out: Problems, own: Problems) -> Problems {
    for p in own {
        if !out.iter().any(|(c, _)| *c == p.0) && !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Names and DCV method against the product (the kit's judgement by the catalog, in DigiCert's words).
fn judge(p: Product, names: &[String], method: Option<&str>, out: &mut Problems) {
    let m = method.unwrap_or("");
    let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), m)).collect();
    for issue in catalog::judge(&pairs, p.3, p.4, |m| m.starts_with("http-token")) {
        match issue {
            Issue::NotHostname(n) => out.add("invalid_value:dns_names", format!("`{n}` is not a valid domain name")),
            Issue::Repeated(n) => out.add("invalid_value:dns_names", format!("`{n}` is given twice")),
            Issue::Wildcard(_) => {
                out.add("invalid_value:common_name", format!("{} does not allow wildcard names", p.0))
            }
            Issue::FileWildcard(..) => out.add("invalid_dcv_method", format!("{m} cannot validate wildcard names")),
            Issue::TooMany(1, got) => out
                .add("invalid_value:dns_names", format!("{} secures one name (plus its www variant); got {got}", p.0)),
            Issue::TooMany(most, got) => {
                out.add("invalid_value:dns_names", format!("{} allows at most {most} names; got {got}", p.0))
            }
        }
    }
    match method {
        Some(m) if !DCV_METHODS.contains(&m) => {
            out.add("invalid_dcv_method", format!("`{m}` is not a DCV method ({})", DCV_METHODS.join(", ")))
        }
        Some("http-token-dynamic") if p.2 == "dv" => {
            out.add("invalid_dcv_method", "http-token-dynamic is not available for DV products")
        }
        _ => {}
    }
}

/// The coverage an order asks for: custom date > days > years, at most 3 years.
fn coverage(body: &Value, today: Date, out: &mut Problems) -> Option<(Date, DcExtra)> {
    let ov = body.get("order_validity").cloned().unwrap_or(Value::Null);
    let custom = str_at(body, &["custom_expiration_date"]).or_else(|| str_at(&ov, &["custom_expiration_date"]));
    let days = int_at(body, &["validity_days"]).or_else(|| int_at(&ov, &["days"]));
    let years = int_at(body, &["validity_years"]).or_else(|| int_at(&ov, &["years"]));
    let max = add_years(today, 3);
    let mut x = DcExtra::default();
    let mut fail = |c: &str, m: String| {
        out.add(c, m);
        None
    };
    if let Some(c) = custom.filter(|s| !s.trim().is_empty()) {
        x.custom_expiration_date = Some(c.to_owned());
        return match parse_date(c) {
            Some(d) if d > today && d <= max => Some((d, x)),
            _ => fail(
                "invalid_value:custom_expiration_date",
                format!(
                    "custom_expiration_date `{c}` must be a yyyy-MM-dd date after today and at most 3 years out ({})",
                    ymd(max)
                ),
            ),
        };
    }
    match (days, years) {
        (Some(Some(d)), _) if (1..=1095).contains(&d) => {
            Some((today + Duration::days(d), DcExtra { validity_days: Some(d), ..x }))
        }
        (Some(_), _) => fail("invalid_value:validity_days", "validity_days must be 1 to 1095 (at most 3 years)".into()),
        (None, Some(Some(y))) if (1..=3).contains(&y) => {
            Some((add_years(today, y), DcExtra { validity_years: Some(y), ..x }))
        }
        (None, Some(_)) => {
            fail("invalid_value:validity_years", "validity_years must be 1, 2 or 3 (at most 3 years)".into())
        }
        (None, None) => fail(
            "missing_field:validity_years",
            "validity_years is required (or validity_days / custom_expiration_date)".into(),
        ),
    }
}

/// The approver address for email DCV of `host`: `admin@` the `dcv_emails` domain, else the last two labels.
fn approver(host: &str, dcv_emails: &[Value]) -> String {
    let given = dcv_emails.iter().find(|e| str_at(e, &["dns_name"]).is_some_and(|d| d.eq_ignore_ascii_case(host)));
    let fallback = dcv::registrable(host);
    format!("admin@{}", given.and_then(|e| str_at(e, &["email_domain"])).unwrap_or(&fallback))
}

/// A new order body, judged: the parts of the order or every problem.
fn check_order(product_id: &str, body: &Value, today: Date) -> Result<Placed, Problems> {
    let mut out = Problems::new();
    let p = product(product_id);
    if p.is_none() {
        out.add("not_found|product", format!("Product {product_id} not found"));
    }
    // Required fields, types and enums are the schema's (merged below); these are the catalog's and the rules'.
    let cn = str_at(body, &["certificate", "common_name"]).unwrap_or("").trim().to_ascii_lowercase();
    let sans = wire::string_list(body.pointer("/certificate/dns_names")).unwrap_or_default();
    let csr = str_at(body, &["certificate", "csr"]).unwrap_or("");
    if let (Err(e), false) = (parse_csr(csr), csr.trim().is_empty()) {
        out.add("invalid_csr", format!("The CSR is invalid: {}", e.0));
    }
    let method = str_at(body, &["dcv_method"]);
    let hash = str_at(body, &["certificate", "signature_hash"]).unwrap_or("sha256").to_ascii_lowercase();
    let org = int_at(body, &["organization", "id"]).flatten();
    if p.is_some_and(|p| p.2 != "dv") && org.is_none() {
        out.add("missing_field:organization.id", format!("{product_id} needs organization.id"));
    }
    let dcv_emails = body.get("dcv_emails").and_then(Value::as_array).cloned().unwrap_or_default();
    for e in &dcv_emails {
        let (host, domain) = (str_at(e, &["dns_name"]).unwrap_or(""), str_at(e, &["email_domain"]).unwrap_or(""));
        let bare = host.trim_start_matches("*.").to_ascii_lowercase();
        if domain.is_empty() || !(bare == domain || bare.ends_with(&format!(".{domain}"))) {
            out.add("invalid_value:dcv_emails", format!("email_domain `{domain}` is not the base domain of `{host}`"));
        }
    }
    let names = wire::names_with(&cn, &sans);
    if let (Some(p), false) = (p, cn.is_empty()) {
        judge(p, &names, method, &mut out);
    }
    let cov = coverage(body, today, &mut out);
    let out = merge(schema::<g::OrderRequest>(body), out);
    let (Some(p), Some((till, x)), Some(m), true) = (p, cov, method, out.is_empty()) else { return Err(out) };
    let names = Name::all(&names, m, |n| (m == "email").then(|| approver(n, &dcv_emails)));
    let x = DcExtra {
        dcv_method: m.to_owned(),
        dcv_emails,
        signature_hash: hash,
        organization_id: org,
        server_platform_id: int_at(body, &["certificate", "server_platform", "id"]).flatten().unwrap_or(-1),
        auto_reissue: int_at(body, &["auto_reissue"]).flatten().unwrap_or(0),
        body: body.clone(),
        ..x
    };
    Ok((p, names, till, x))
}

// ---------------------------------------------------------------------------------------------------------------
// Orders

fn request(kit_id: i64, kind: &str, status: &str, now: OffsetDateTime) -> Value {
    json!({"id": kit_id, "date": crate::kit::time::rfc3339(now), "type": kind, "status": status})
}

const PLACE_ORDER: Route =
    ("/order/certificate/{id}", || locked(POST, place_order).merge(on_order(GET, find, order_info)));
fn place_order(dc: &mut DcState, c: &mut Call<'_>) -> R {
    let (body, product_id) = (body_json(&c.body)?, c.param("id").to_owned());
    let now = c.kit.now();
    let (p, names, till, mut x) =
        check_order(&product_id, &body, now.date()).map_err(|e| errors(StatusCode::BAD_REQUEST, e))?;
    let skip = body.get("skip_approval").is_some_and(|v| v == &json!(true) || v == &json!(1));
    let needs_approval = c.kit.knobs.approval == Approval::Required && !skip;
    let (id, leaf_id, req) = ids(c.kit);
    let status = if needs_approval { "pending" } else { "approved" };
    x.requests.push(request(req, "new_request", status, now));
    let renewal_of = int_at(&body, &["renewal_of_order_id"]).flatten().map(|r| r.to_string());
    let (token, method) = (c.kit.token(32), x.dcv_method.clone());
    let n = NewOrder {
        id: id.clone(),
        leaf_id: leaf_id.clone(),
        product: p.0.into(),
        csr: str_at(&body, &["certificate", "csr"]).unwrap_or("").into(),
        names,
        token: token.clone(),
        coverage_end: Some(till),
        needs_approval,
        renewal_of,
    };
    dc.orders.push(Order::new(n, now, x));
    let (id, leaf_id) = (id.parse::<i64>().unwrap_or(0), leaf_id.parse::<i64>().unwrap_or(0));
    if needs_approval {
        return reply(StatusCode::CREATED, json!({"id": id, "requests": [{"id": req, "status": "pending"}]}));
    }
    let mut v = json!({"id": id, "certificate_id": leaf_id});
    if matches!(method.as_str(), "dns-txt-token" | "http-token") {
        v["dcv_random_value"] = json!(token);
    }
    reply(StatusCode::CREATED, v)
}

/// Order info in DigiCert's shape.
fn order_json(o: &Order<DcExtra>) -> Value {
    let leaf = o.current();
    let mut cert = json!({
        "id": leaf.map(|l| num(&l.id)), "common_name": o.primary(), "dns_names": o.name_list(),
        "date_created": leaf.map(|l| l.created.clone()), "csr": o.csr, "signature_hash": o.x.signature_hash,
        "server_platform": {"id": o.x.server_platform_id, "name": match o.x.server_platform_id { 2 => "Apache", 45 => "nginx", _ => "OTHER" }},
    });
    if let Some(l) = leaf.filter(|l| l.pem.is_some()) {
        let (from, till) = l.dates();
        cert["serial_number"] = json!(l.serial.as_deref().map(str::to_ascii_uppercase));
        (cert["thumbprint"], cert["valid_from"], cert["valid_till"]) = (json!(l.thumbprint), json!(from), json!(till));
    }
    let p = product(&o.product).unwrap_or(PRODUCTS[0]);
    let mut v = json!({
        "id": num(&o.id), "certificate": cert, "status": o.wire(DcState::status), "is_renewal": o.renewal_of.is_some(),
        "date_created": o.created, "order_valid_from": o.created.get(..10),
        "disable_renewal_notifications": false, "auto_renew": 0, "auto_reissue": o.x.auto_reissue,
        "container": {"id": 1, "name": "Sandbox"}, "payment_method": "balance", "requests": o.x.requests,
        "product": {"name_id": p.0, "name": p.1, "type": "ssl_certificate", "validation_type": p.2},
        "dcv_method": o.x.dcv_method,
    });
    wire::put_some(
        &mut v,
        [
            ("order_valid_till", o.coverage_end.as_ref().map(|d| json!(d))),
            ("validity_years", o.x.validity_years.map(|y| json!(y))),
            ("dcv_random_value", (o.x.dcv_method != "email").then(|| json!(o.token))),
            ("dcv_emails", (!o.x.dcv_emails.is_empty()).then(|| json!(o.x.dcv_emails))),
            ("validity_days", o.x.validity_days.map(|d| json!(d))),
            ("custom_expiration_date", o.x.custom_expiration_date.as_ref().map(|d| json!(d))),
            ("renewal_of_order_id", o.renewal_of.as_deref().map(num)),
            ("organization", o.x.organization_id.map(|id| json!({"id": id}))),
            ("note", o.note.as_ref().map(|n| json!(n))),
        ],
    );
    v
}

fn order_info(o: &mut Order<DcExtra>, _: &mut Call<'_>) -> R {
    ok(order_json(o))
}

/// The keys of an order-list row (the certificate without its CSR, platform and date).
const ROW: &[&str] =
    &["id", "certificate", "status", "date_created", "order_valid_till", "validity_years", "container", "product"];

fn list_row(o: &Order<DcExtra>) -> Value {
    let full = order_json(o);
    let mut row = json!({"product_name_id": o.product, "is_renewed": false});
    ROW.iter().filter_map(|k| full.get(k).map(|v| (k, v))).for_each(|(k, v)| row[*k] = v.clone());
    if let Some(c) = row["certificate"].as_object_mut() {
        c.retain(|k, _| !["csr", "server_platform", "date_created"].contains(&k.as_str()));
    }
    row
}

const ORDER_LIST: Route = ("/order/certificate", || locked(GET, order_list));
fn order_list(dc: &mut DcState, c: &mut Call<'_>) -> R {
    let q = &c.query;
    let f = |k: &str| q.get(&format!("filters[{k}]")).map(|s| s.trim().to_ascii_lowercase());
    let (cn, status, product, search) = (f("common_name"), f("status"), f("product_name_id"), f("search"));
    let (limit, offset) = wire::paging(q.get("limit"), q.get("offset"), 1000, 1000);
    let keep = |o: &&Order<DcExtra>| {
        cn.as_ref().is_none_or(|c| o.primary() == c)
            && status.as_ref().is_none_or(|s| o.wire(DcState::status) == *s)
            && product.as_ref().is_none_or(|p| o.product == *p)
            && search.as_ref().is_none_or(|s| o.names.iter().any(|n| n.name.contains(s.as_str())) || o.id == *s)
    };
    let matching: Vec<&Order<DcExtra>> = dc.orders.iter().filter(keep).collect();
    let page: Vec<Value> = matching.iter().rev().skip(offset).take(limit).map(|o| list_row(o)).collect();
    ok(json!({"orders": page, "page": {"total": matching.len(), "limit": limit, "offset": offset}}))
}

// ---------------------------------------------------------------------------------------------------------------
// DCV

/// What proves control of `host` for the order's method.
fn challenges(o: &Order<DcExtra>, host: &str) -> Vec<Challenge> {
    let kind = match o.x.dcv_method.as_str() {
        "dns-txt-token" => "dns",
        "dns-cname-token" => "cname",
        m if m.starts_with("http-token") => return vec![dcv::digicert_family("file", host, &o.token).0],
        _ => return Vec::new(),
    };
    // A record at the host itself (TXT) or at a parent domain covers it too.
    let bare_txt = Challenge::Record { name: dcv::bare(host), record_type: "TXT", value: o.token.clone() };
    let parents = dcv::self_and_parents(host).into_iter().map(|h| dcv::digicert_family(kind, &h, &o.token).0);
    parents.chain((kind == "dns").then_some(bare_txt)).collect()
}

fn dcv_status(o: &Order<DcExtra>) -> &'static str {
    if o.all_validated() || o.stage == Stage::Issued { "valid" } else { "pending" }
}

const VALIDATION: Route = ("/order/certificate/{id}/validation", || on_order(GET, find, validation));
fn validation(o: &mut Order<DcExtra>, _: &mut Call<'_>) -> R {
    let domains: Vec<Value> = o.names.iter().map(|n| {
        let bare = dcv::bare(&n.name);
        let mut v = json!({"name": n.name, "dcv_method": o.x.dcv_method, "dcv_status": if n.validated || o.validated_names.contains(&n.name) { "valid" } else { "pending" }});
        let token = json!({"token": o.token, "status": "pending"});
        v["dcv_token"] = match o.x.dcv_method.as_str() {
            "dns-txt-token" => json!({"record_name": format!("_dnsauth.{bare}"), "record_type": "TXT"}),
            "dns-cname-token" => json!({"record_name": format!("{}.{bare}", o.token), "record_type": "CNAME", "verification_value": CNAME_TARGET}),
            "http-token" | "http-token-dynamic" => json!({"http_token_url": format!("http://{bare}{HTTP_TOKEN_PATH}")}),
            _ => return v,
        };
        wire::extend(&mut v["dcv_token"], token);
        v
    }).collect();
    let s = dcv_status(o);
    ok(
        json!({"order_id": num(&o.id), "order_status": o.wire(DcState::status), "dcv_method": o.x.dcv_method, "dcv_status": s,
        "order_validation": [{"type": "dcv", "name": "DCV", "description": "Domain Control Validation", "date_created": o.created, "status": s}],
        "domains": domains}),
    )
}

const CHECK_DCV: Route = ("/order/certificate/{id}/check-dcv", || put(check_dcv));
async fn check_dcv(AxState(app): AxState<App>, Path(id): Path<String>) -> R {
    let (verdict, _) = dcv::run::<DcState>(&app, &id, |dc| {
        let o = find(dc, &id)?;
        if !o.stage.is_open() && o.stage != Stage::Issued {
            return Err(wrong_status(o, "DCV can be checked on open orders only"));
        }
        Ok(dcv::checks(o, o.stage.is_open(), "email", |n| challenges(o, &n.name)))
    })
    .await?;
    let mut st = app.state();
    let o = find(st.split::<DcState>().0, &id)?;
    if let Verdict::Fail(host, why) = verdict {
        let code = match o.x.dcv_method.as_str() {
            "dns-txt-token" => "invalid_dns_txt",
            "dns-cname-token" => "invalid_dns_cname",
            _ => "file_random_value_not_found",
        };
        return Err(bad(code, format!("DCV of {host} failed: {why}")));
    }
    let cert = o.current().map(|l| num(&l.id));
    ok(json!({"order_status": o.wire(DcState::status), "certificate_id": cert, "dcv_status": dcv_status(o)}))
}

const CHANGE_DCV_METHOD: Route = ("/order/certificate/{id}/dcv-method", || locked(PUT, new_token::<true>));
const NEW_RANDOM_VALUE: Route = ("/order/certificate/{id}/dcv-random-value", || locked(PUT, new_token::<false>));
/// A new DCV random value for an open order; with `METHOD`, for the DCV method the body names.
fn new_token<const METHOD: bool>(dc: &mut DcState, c: &mut Call<'_>) -> R {
    let body = if METHOD { body_json(&c.body)? } else { Value::Null };
    let method = str_at(&body, &["dcv_method"]).map(str::to_owned);
    if METHOD && method.is_none() {
        return Err(bad("missing_field:dcv_method", "dcv_method is required"));
    }
    let token = c.kit.token(32);
    let o = find(dc, c.id())?;
    if !o.stage.is_open() {
        let what = if METHOD { "The DCV method can be changed" } else { "A new random value is for" };
        return Err(wrong_status(o, &format!("{what} on open orders only")));
    }
    let Some(method) = method else {
        o.token = token.clone();
        return ok(json!({"dcv_random_value": token}));
    };
    let mut problems = schema::<g::ChangeDcvMethodRequest>(&body);
    judge(product(&o.product).unwrap_or(PRODUCTS[0]), &o.name_list(), Some(&method), &mut problems);
    if !problems.is_empty() {
        return Err(errors(StatusCode::BAD_REQUEST, problems));
    }
    let emails = o.x.dcv_emails.clone();
    for n in &mut o.names {
        n.method = method.clone();
        n.approver = (method == "email").then(|| approver(&n.name, &emails));
    }
    (o.x.dcv_method, o.token) = (method.clone(), token.clone());
    ok(if method == "email" { json!({}) } else { json!({"dcv_random_value": token}) })
}

const RESEND_EMAILS: Route = ("/order/certificate/{id}/resend-emails", || on_order(PUT, find, resend_emails));
fn resend_emails(o: &mut Order<DcExtra>, c: &mut Call<'_>) -> R {
    c.kit.mail_waiting("digicert", o, "email");
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------------------------------
// Reissue, duplicate, cancel, revoke

const REISSUE: Route = ("/order/certificate/{id}/reissue", || locked(POST, new_leaf::<false>));
const DUPLICATE: Route = ("/order/certificate/{id}/duplicate", || {
    locked(POST, new_leaf::<true>).merge(on_order(GET, find, list_duplicates))
});
/// Reissue / duplicate body: `{certificate: {csr?, common_name?, dns_names?, signature_hash?, server_platform?}, dcv_method?}`.
fn new_leaf<const DUP: bool>(dc: &mut DcState, c: &mut Call<'_>) -> R {
    let (body, dup, id) = (body_json(&c.body)?, DUP, c.id().to_owned());
    let (kind, word) = if dup { (LeafKind::Duplicate, "duplicate") } else { (LeafKind::Reissue, "reissue") };
    let (now, token) = (c.kit.now(), c.kit.token(32));
    let (_, leaf_id, req) = ids(c.kit);
    let o = find(dc, &id)?;
    match o.reissuable(now) {
        Err(Closed::NotIssued) => return Err(wrong_status(o, &format!("Only issued orders can be {word}d"))),
        Err(Closed::TermEnded) => return Err(bad("order_expired", "The order's coverage has ended; renew it instead")),
        Ok(()) => {}
    }
    let cert = body.get("certificate").cloned().unwrap_or(json!({}));
    let mut problems = if dup { schema::<g::DuplicateRequest>(&body) } else { schema::<g::ReissueRequest>(&body) };
    let csr = str_at(&cert, &["csr"]).filter(|s| !s.trim().is_empty()).unwrap_or(&o.csr).to_owned();
    if let Err(e) = parse_csr(&csr) {
        problems.add("invalid_csr", format!("The CSR is invalid: {}", e.0));
    }
    let cn = str_at(&cert, &["common_name"]).map_or_else(|| o.primary().to_owned(), |s| s.trim().to_ascii_lowercase());
    let sans = cert.get("dns_names").map_or_else(|| o.name_list(), |v| wire::string_list(Some(v)).unwrap_or_default());
    let names = wire::names_with(&cn, &sans);
    let method = str_at(&body, &["dcv_method"]).unwrap_or(&o.x.dcv_method).to_owned();
    judge(product(&o.product).unwrap_or(PRODUCTS[0]), &names, Some(&method), &mut problems);
    let hash = str_at(&cert, &["signature_hash"]).map_or_else(|| o.x.signature_hash.clone(), str::to_ascii_lowercase);
    if !["sha256", "sha384", "sha512"].contains(&hash.as_str()) {
        problems.add("invalid_value:certificate.signature_hash", "signature_hash must be sha256, sha384 or sha512");
    }
    if dup && names.iter().any(|n| !o.validated_names.contains(n)) {
        problems.add("invalid_value:dns_names", "A duplicate can only name domains already on the order");
    }
    if !problems.is_empty() {
        return Err(errors(StatusCode::BAD_REQUEST, problems));
    }
    let pending = names.iter().any(|n| !o.validated_names.contains(n));
    let status = if pending { "pending" } else { "approved" };
    o.x.requests.push(request(req, word, status, now));
    let internal = |e: String| error(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", e);
    if dup {
        o.duplicate(&c.app.ca, Leaf::new(leaf_id.clone(), kind, &csr, names, now), now).map_err(internal)?;
    } else {
        let emails = o.x.dcv_emails.clone();
        let names = Name::all(&names, &method, |n| (method == "email").then(|| approver(n, &emails)));
        (o.x.dcv_method, o.x.signature_hash) = (method, hash);
        o.x.server_platform_id = int_at(&cert, &["server_platform", "id"]).flatten().unwrap_or(o.x.server_platform_id);
        o.reissue(&c.app.ca, (leaf_id.clone(), kind, &csr), names, token, now).map_err(internal)?;
    }
    reply(
        StatusCode::CREATED,
        json!({"id": num(&o.id), "requests": [{"id": req, "status": status}], "certificate_id": num(&leaf_id)}),
    )
}

fn list_duplicates(o: &mut Order<DcExtra>, _: &mut Call<'_>) -> R {
    let list: Vec<Value> = o.leaves.iter().filter(|l| l.kind == LeafKind::Duplicate).map(|l| {
        let (from, till) = l.dates();
        json!({"id": num(&l.id), "common_name": l.names.first(), "dns_names": l.names, "status": if l.revoked { "revoked" } else { "issued" },
            "serial_number": l.serial.as_deref().map(str::to_ascii_uppercase), "valid_from": from, "valid_till": till, "date_created": l.created})
    }).collect();
    ok(json!({"certificates": list}))
}

const AUTO_REISSUE: Route = ("/order/certificate/{id}/auto-reissue", || on_order(PUT, find, auto_reissue));
fn auto_reissue(o: &mut Order<DcExtra>, c: &mut Call<'_>) -> R {
    o.x.auto_reissue = match int_at(&body_json(&c.body)?, &["auto_reissue"]) {
        Some(Some(v @ (0 | 1))) => v,
        Some(_) => return Err(bad("invalid_value:auto_reissue", "auto_reissue must be 0 or 1")),
        None => return Err(bad("missing_field:auto_reissue", "auto_reissue is required")),
    };
    Ok(StatusCode::NO_CONTENT.into_response())
}

const CANCEL: Route = ("/order/certificate/{id}/status", || on_order(PUT, find, cancel));
fn cancel(o: &mut Order<DcExtra>, c: &mut Call<'_>) -> R {
    let body = body_json(&c.body)?;
    match str_at(&body, &["status"]).map(str::to_ascii_lowercase).as_deref() {
        Some("canceled") => {}
        Some(_) => return Err(bad("invalid_value:status", "status can only be CANCELED")),
        None => return Err(bad("missing_field:status", "status is required")),
    }
    if !o.stage.is_open() || o.apply(Event::Cancel).is_err() {
        return Err(wrong_status(o, "Only needs_approval or pending orders can be canceled"));
    }
    o.note = str_at(&body, &["note"]).map(str::to_owned);
    o.x.requests.iter_mut().filter(|r| r["status"] == "pending").for_each(|r| r["status"] = json!("rejected"));
    Ok(StatusCode::NO_CONTENT.into_response())
}

const REVOKE_ORDER: Route = ("/order/certificate/{id}/revoke", || locked(PUT, revoke::<false>));
const REVOKE_CERTIFICATE: Route = ("/certificate/{id}/revoke", || locked(PUT, revoke::<true>));
/// Revoke an order's certificates or (`LEAF`) one certificate.
fn revoke<const LEAF: bool>(dc: &mut DcState, c: &mut Call<'_>) -> R {
    let (comments, id) = (str_at(&body_json(&c.body)?, &["comments"]).map(str::to_owned), c.id().to_owned());
    let (now, req) = (c.kit.now(), c.kit.ids.next("digicert.request", 3_000_001));
    let leaf = LEAF.then(|| id.trim());
    let o = if let Some(l) = leaf { dc.by_leaf(l).ok_or_else(|| not_found_leaf(l))? } else { find(dc, &id)? };
    if o.revoke(leaf).is_err() {
        return Err(wrong_status(o, "Only issued certificates can be revoked"));
    }
    o.note = comments.or(o.note.take());
    o.x.requests.push(request(req, "revoke", "approved", now));
    let mut v = request(req, "revoke", "approved", now);
    v["requester"] = json!({"id": 1, "first_name": "Sandbox", "last_name": "User", "email": "sandbox@example.invalid"});
    v["comments"] = json!(o.note);
    reply(StatusCode::CREATED, v)
}

// ---------------------------------------------------------------------------------------------------------------
// Downloads

const DOWNLOAD: Route = ("/certificate/{id}/download/format/{format}", || locked(GET, download));
const DOWNLOAD_PLATFORM: Route = ("/certificate/{id}/download/platform", || locked(GET, download));
/// Leaf `id` in `format` (PEM, `p7b` or zip formats: [`archive::bundle`]); no format (`platform`): the zip for the
/// order's server platform (nginx: one PEM; else the apache layout).
fn download(dc: &mut DcState, c: &mut Call<'_>) -> R {
    let (id, format) = (c.id().trim(), c.params.get("format").map(String::as_str));
    let o = dc.by_leaf(id).ok_or_else(|| not_found_leaf(id))?;
    let l = o.leaf(id).ok_or_else(|| not_found_leaf(id))?;
    let Some(pem) = l.pem.as_deref() else {
        return Err(bad("cert_unavailable_processing", "The certificate has not been issued yet"));
    };
    let format = format.unwrap_or(if o.x.server_platform_id == 45 { "nginx" } else { "apache" });
    let cn = l.names.first().map_or("", String::as_str);
    let (content_type, body) = archive::bundle(format, pem, &c.app.ca, cn).ok_or_else(|| {
        bad("invalid_value:format", format!("The sandbox serves pem_all, pem_noroot, pem_nointermediate, default, p7b, apache and nginx; not `{format}`"))
    })?;
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}
