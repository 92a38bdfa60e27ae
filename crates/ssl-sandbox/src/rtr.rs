//! Realtime Register REST API v2 (SSL part), as the sandbox serves it under `/v2`.
//!
//! Auth: `Authorization: ApiKey` [`API_KEY`] (else 401 `AuthenticationError`); the customer handle is
//! [`CUSTOMER`] (another one: 403 `AuthorizationError`). Bodies are camelCase JSON, read with the generated types of
//! `ssl_rtr` (the spec is data) and judged by this module's own `CATALOG`: an unknown field is 400
//! `UnrecognizedPropertyException {property}`, broken rules are 400 `ConstraintViolationException` with one
//! `violations[{field, message}]` entry each (a product's missing `requiredFields` included; `organization`,
//! `address`, `postalCode`, `city`, `state` and `country` count as present when the CSR's subject has them).
//! Every error is `{type, message, …}`.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /ssl/certificates[?quote=true]` | 202 + `x-process-id` + process info; 201 with `certificateId` when `authKey` issues at once; `quote=true`: `{"quote":{currency,total,billables}}` in cents, nothing stored |
//! | `GET /ssl/certificates[?process:eq=&domainName:eq=&status:eq=&limit&offset]`, `GET /ssl/certificates/{id}` | `{entities, pagination}` / the certificate |
//! | `GET /ssl/certificates/{id}/download?format=` | `CRT`, `CA_BUNDLE`, `CA`, `PKCS7`, `CSR`, `ZIP` (default), `application/octet-stream` |
//! | `POST /ssl/certificates/{id}/renew[?quote]`, `/reissue[?quote]` | a new process (202 + `x-process-id`); renew only inside the product's `renewalWindow` (days before the subscription ends); a reissue is free (`{"quote":{"total":0}}`) |
//! | `DELETE /ssl/certificates/{id}` `{reason?}` | revoked (200) |
//! | `GET /processes[?identifier:eq=&status:eq=&order&limit&offset]`, `GET /processes/{id}`, `GET /processes/{id}/info` | processes; the info runs DCV |
//! | `POST /processes/{id}/resend {dcv}` | switches types/addresses and checks again (200, empty) |
//! | `DELETE /processes/{id}` | cancels a running process |
//! | `GET /ssl/products[/{product}]`, `GET /ssl/dcvemailaddresslist/{domain}`, `POST /ssl/authkey` | catalog, approver addresses, an auth key (the next `authKey: true` request for that CSR's key issues at once) |
//!
//! Process statuses: `RUNNING` (DCV, issuance), `SUSPENDED` with `requiresAttention` and a `oneTimeLink` while an
//! approval is needed (approval knob), `COMPLETED` once issued, `FAILED` (rejected), `CANCELLED`. Certificate
//! statuses: `ACTIVE`, `REVOKED`, `EXPIRED`, and `REISSUED`/`RENEWED` once a reissue/renewal of it is issued.
//! DCV: DNS `_dnsauth` (relative, TXT) = token; FILE `<host>/.well-known/pki-validation/<TOKEN>.txt` (no scheme) =
//! token; EMAIL to the address given. `auto` passes every name when the info is read, `manual` only through the
//! inspection API, `real` checks DNS/HTTP when the info is read or DCV is resent.

use axum::routing::{delete, get, post};
use ssl_core::validate::Validate;
use ssl_rtr::generated as g;
use x509_parser::prelude::FromDer;

use crate::kit::app::Shared;
use crate::kit::archive;
use crate::kit::dcv::{self, Challenge};
use crate::kit::prelude::*;
use crate::kit::time::{add_months, rfc3339};
use crate::knobs::Approval;

/// The API key the sandbox accepts (`SSL_ORDERS_RTR_API_KEY`).
pub const API_KEY: &str = "sandbox-rtr-api-key";
/// The customer handle of the sandbox account (`SSL_ORDERS_RTR_CUSTOMER`).
pub const CUSTOMER: &str = "sandbox-customer";
/// The account's credit, in cents (an order above what is left: `InsufficientCreditException`).
pub const CREDIT: i64 = 100_000;

pub(crate) const DEF: ProviderDef = ProviderDef {
    credentials: &[("SSL_ORDERS_RTR_API_KEY", API_KEY), ("SSL_ORDERS_RTR_CUSTOMER", CUSTOMER)],
    secret_headers: &["authorization"],
    ..ProviderDef::new::<RtrState>("/v2", ROUTES, auth, failure, || json!({"entities": catalog()}))
};

type R = Answer;

/// The sandbox's products as `GET /ssl/products/{product}` answers them (written from the provider notes,
/// `providers/openprovider-rtr.md` §2.5), plus `price`: cents per 12 months, and per extra name per 12 months.
const CATALOG: &str = r#"[
{"product":"sectigo_dv","brand":"sectigo","name":"Sectigo PositiveSSL","validationType":"DOMAIN_VALIDATION","certificateType":"SINGLE_DOMAIN","features":["REISSUE","WWW_INCLUDED","NON_WWW_INCLUDED"],"periods":[12,24],"includedDomains":1,"maxDomains":1,"requiredFields":["dcv"],"optionalFields":["domainName","language"],"price":[2495,0]},
{"product":"sectigo_dv_wildcard","brand":"sectigo","name":"Sectigo PositiveSSL Wildcard","validationType":"DOMAIN_VALIDATION","certificateType":"WILDCARD","features":["REISSUE"],"periods":[12,24],"includedDomains":1,"maxDomains":1,"requiredFields":["dcv"],"optionalFields":["language"],"price":[9900,0]},
{"product":"sectigo_multi_domain","brand":"sectigo","name":"Sectigo PositiveSSL Multi-Domain","validationType":"DOMAIN_VALIDATION","certificateType":"MULTI_DOMAIN","features":["REISSUE","WILDCARD"],"periods":[12,24],"includedDomains":3,"maxDomains":100,"requiredFields":["dcv"],"optionalFields":["san","language"],"price":[4500,1500]},
{"product":"sectigo_ov","brand":"sectigo","name":"Sectigo OV SSL","validationType":"ORGANIZATION_VALIDATION","certificateType":"SINGLE_DOMAIN","features":["REISSUE","WWW_INCLUDED"],"periods":[12],"includedDomains":1,"maxDomains":1,"requiredFields":["dcv","approver","organization","address","postalCode","city","country"],"optionalFields":["coc","saEmail","language","department","state"],"price":[7900,0]},
{"product":"digicert_basic_dv","brand":"digicert","name":"DigiCert Basic DV (AuthKey)","validationType":"DOMAIN_VALIDATION","certificateType":"SINGLE_DOMAIN","features":["REISSUE"],"periods":[12],"includedDomains":1,"maxDomains":1,"requiredFields":["dcv"],"optionalFields":["authKey"],"price":[3900,0]}
]"#;

/// Days before the subscription ends a renewal is allowed.
const RENEWAL_WINDOW: i64 = 90;

/// The catalog, each product with the fields every product shares.
fn catalog() -> Vec<Value> {
    let mut all: Vec<Value> = serde_json::from_str(CATALOG).unwrap_or_default();
    for p in &mut all {
        p["warranty"] = json!(10000);
        p["issueTime"] = json!("5 minutes");
        p["renewalWindow"] = json!(RENEWAL_WINDOW);
        p["renewFrom"] = json!([]);
    }
    all
}

/// A product's string list (`features`, `requiredFields`, …).
fn list<'a>(p: &'a Value, key: &str) -> Vec<&'a str> {
    p[key].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

fn int(p: &Value, key: &str, i: usize) -> i64 {
    p[key].as_i64().or_else(|| p[key][i].as_i64()).unwrap_or(0)
}

/// Realtime Register's part of the sandbox state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RtrState {
    /// Cents spent.
    pub spent: i64,
    /// SHA-256 of the public keys of CSRs with an auth key.
    pub auth_keys: Vec<String>,
    /// Every process, oldest first.
    pub orders: Vec<Order<RtrExtra>>,
}

/// What only Realtime Register keeps per process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RtrExtra {
    /// `request`, `renew`, `reissue` or `import`.
    pub action: String,
    /// Months.
    pub period: i64,
    /// Cents charged.
    pub total: i64,
    /// The certificate id, once issued.
    pub certificate: Option<i64>,
    /// Issued at once through an auth key (the info then carries `certificateId`).
    pub instant: bool,
    /// `REISSUED` or `RENEWED` once a successor is issued.
    pub superseded: Option<String>,
}

part!(RtrState, "rtr", RtrExtra);

impl Book for RtrState {
    fn status(_: &Order<RtrExtra>, s: Stage) -> &'static str {
        s.pick(["SUSPENDED", "RUNNING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED", "COMPLETED", "COMPLETED"])
    }

    fn sample(kit: &mut Kit, csr: &str, cn: &str) -> Order<RtrExtra> {
        let end = add_months(kit.now().date(), 12);
        let x = RtrExtra { action: "request".into(), period: 12, ..RtrExtra::default() };
        new_order(kit, ("sectigo_dv", csr), vec![Name::new(cn, "DNS", None)], Some(end), (false, None), x)
    }
}

/// A new process waiting for DCV (or approval: `wait.0`), renewing or reissuing `wait.1`.
fn new_order(
    kit: &mut Kit,
    (product, csr): (&str, &str),
    names: Vec<Name>,
    coverage_end: Option<time::Date>,
    (needs_approval, renewal_of): (bool, Option<String>),
    x: RtrExtra,
) -> Order<RtrExtra> {
    let (now, token) = (kit.now(), kit.token(32));
    let id = kit.ids.next("rtr.process", 20).to_string();
    let (product, csr) = (product.to_owned(), csr.to_owned());
    let n = NewOrder { leaf_id: id.clone(), id, product, csr, names, token, coverage_end, needs_approval, renewal_of };
    Order::new(n, now, x)
}

// ---------------------------------------------------------------------------------------------------------------
// Answers, auth, bodies

fn fail(status: StatusCode, kind: &str, message: impl Into<String>) -> Refusal {
    (status, axum::Json(json!({"type": kind, "message": message.into()}))).into_response().into()
}

fn prohibited(why: String) -> Refusal {
    fail(StatusCode::BAD_REQUEST, "ObjectStatusProhibitsOperation", why)
}

fn violations(list: Vec<(String, String)>) -> Refusal {
    let v: Vec<Value> = list.iter().map(|(f, m)| json!({"field": f, "message": m})).collect();
    let body = json!({"type": "ConstraintViolationException", "message": "The request parameters did not meet validation", "violations": v});
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response().into()
}

fn failure(f: &Failure) -> Response {
    let kinds =
        [(429, "TooManyRequests"), (404, "NotFound"), (502, "ProviderConnectionError"), (503, "ProviderUnavailable")];
    let kind = kinds.iter().find(|(c, _)| *c == f.status().as_u16()).map_or("InternalSRSError", |(_, k)| k);
    fail(f.status(), kind, format!("{kind} ({})", f.status())).into_response()
}

fn auth(h: &Head<'_>, _: &mut State) -> Result<String, Refusal> {
    match h.header("authorization").map(str::trim).and_then(|v| v.strip_prefix("ApiKey ")) {
        Some(key) if key.trim() == API_KEY => Ok(CUSTOMER.to_owned()),
        _ => Err(fail(StatusCode::UNAUTHORIZED, "AuthenticationError", "Authentication failed")),
    }
}

fn with_process(status: StatusCode, id: &str, v: Value) -> R {
    Ok((status, [("x-process-id", id.to_owned())], axum::Json(v)).into_response())
}

/// The first property of `input` that its typed reading `known` does not have (nested objects and lists too).
fn unknown_property(input: &Value, known: &Value) -> Option<String> {
    match (input, known) {
        (Value::Object(i), Value::Object(k)) => {
            i.iter().filter(|(_, v)| !v.is_null()).find_map(|(key, v)| match k.get(key) {
                None => Some(key.clone()),
                Some(kv) => unknown_property(v, kv).map(|p| format!("{key}.{p}")),
            })
        }
        (Value::Array(i), Value::Array(k)) => i.iter().zip(k).find_map(|(v, kv)| unknown_property(v, kv)),
        _ => None,
    }
}

/// A JSON body as `T` and as JSON, refusing broken JSON (`InvalidMessage`) and unknown properties
/// (`UnrecognizedPropertyException`) the way RTR does.
fn body<T: serde::de::DeserializeOwned + Serialize + Default>(bytes: &Bytes) -> Result<(T, Value), Refusal> {
    let invalid = |e: serde_json::Error| {
        fail(StatusCode::BAD_REQUEST, "InvalidMessage", format!("The message could not be parsed: {e}"))
    };
    let v: Value = if bytes.is_empty() { json!({}) } else { serde_json::from_slice(bytes).map_err(invalid)? };
    let typed: T = serde_json::from_value(v.clone()).map_err(invalid)?;
    if let Some(p) = unknown_property(&v, &serde_json::to_value(&typed).unwrap_or_default()) {
        let body = json!({"type": "UnrecognizedPropertyException", "message": format!("Unrecognized field \"{p}\""), "property": p});
        return Err((StatusCode::BAD_REQUEST, axum::Json(body)).into_response().into());
    }
    Ok((typed, v))
}

fn find_product(id: &str) -> Result<Value, Refusal> {
    catalog()
        .into_iter()
        .find(|p| p["product"] == id)
        .ok_or_else(|| fail(StatusCode::NOT_FOUND, "ObjectDoesNotExist", format!("SSL product {id} does not exist")))
}

/// The RTR fields a CSR's subject carries (`organization`, `city`, …).
fn csr_fields(pem_text: &str) -> Vec<&'static str> {
    let Some(der) = pem::parse(pem_text.trim()).ok() else { return Vec::new() };
    let Ok((_, csr)) = x509_parser::certification_request::X509CertificationRequest::from_der(der.contents()) else {
        return Vec::new();
    };
    let has = |oid: &str| {
        csr.certification_request_info.subject.iter_attributes().any(|a| a.attr_type().to_id_string() == oid)
    };
    let map = "organization=2.5.4.10 city=2.5.4.7 state=2.5.4.8 country=2.5.4.6 address=2.5.4.9 postalCode=2.5.4.17";
    map.split(' ').filter_map(|m| m.split_once('=')).filter(|(_, oid)| has(oid)).map(|(f, _)| f).collect()
}

/// An order checked against the catalog: its names with their DCV and its price.
struct Checked {
    product: Value,
    names: Vec<Name>,
    period: i64,
    total: i64,
}

/// Judge a request, renewal or reissue body (`raw`, already read as its generated type with `problems`) by the
/// product's rules; every broken rule is one violation.
fn judge(
    p: Value,
    raw: &Value,
    csr: &str,
    period: i64,
    problems: Vec<ssl_core::Problem>,
    charge: bool,
) -> Result<Checked, Refusal> {
    let mut v: Vec<(String, String)> = problems.into_iter().map(|p| (p.field.unwrap_or_default(), p.message)).collect();
    let mut bad = |f: &str, m: String| v.push((f.to_owned(), m));
    let (id, kind, required) = (
        p["product"].as_str().unwrap_or_default(),
        p["certificateType"].as_str().unwrap_or_default(),
        list(&p, "requiredFields"),
    );
    let key = crate::ca::parse_csr(csr);
    let subject = csr_fields(csr);
    if key.is_err() {
        bad("csr", "Invalid CSR".into());
    }
    let cn = raw["domainName"].as_str().map(str::to_owned).or_else(|| key.ok()?.common_name);
    let cn = cn.unwrap_or_default().to_ascii_lowercase();
    let san: Option<Vec<String>> = serde_json::from_value(raw["san"].clone()).ok();
    let mut names = vec![cn.clone()];
    match (kind, san) {
        ("MULTI_DOMAIN", san) => {
            names.extend(san.unwrap_or_default().into_iter().map(|s| s.to_ascii_lowercase()).filter(|s| *s != cn))
        }
        (_, Some(s)) if !s.is_empty() => bad("san", format!("SAN names are only for multi domain products, not {id}")),
        _ => {}
    }
    if names.len() as i64 > int(&p, "maxDomains", 0) {
        bad("san", format!("at most {} domains for {id}", int(&p, "maxDomains", 0)));
    }
    let wildcards = names.iter().filter(|n| n.starts_with("*.")).count();
    let mixed = list(&p, "features").contains(&"WILDCARD") && kind == "MULTI_DOMAIN";
    if (kind == "WILDCARD") != (wildcards > 0) && !mixed {
        bad(
            "domainName",
            format!("{} names do not fit {id} ({kind})", ["non-wildcard", "wildcard"][usize::from(wildcards > 0)]),
        );
    }
    if !p["periods"].as_array().is_some_and(|a| a.contains(&json!(period))) {
        bad("period", format!("must be one of {} months for {id}", p["periods"]));
    }
    let always = "country state language uniqueValue csr customer product period dcv saLanguage";
    let accepted = |f: &str| required.contains(&f) || list(&p, "optionalFields").contains(&f) || always.contains(f);
    for (field, value) in raw.as_object().into_iter().flatten() {
        if !value.is_null() && !accepted(field) {
            bad(field, format!("not supported for product {id}"));
        }
    }
    for f in required.iter().filter(|f| !["dcv", "san"].contains(f)) {
        if raw[*f].is_null() && !subject.contains(f) {
            bad(f, format!("required for product {id}"));
        }
    }
    let dcv: Vec<g::Dcv> = serde_json::from_value(raw["dcv"].clone()).unwrap_or_default();
    let mut out = Vec::new();
    for name in &names {
        let Some((i, d)) = dcv.iter().enumerate().find(|(_, d)| d.common_name.eq_ignore_ascii_case(name)) else {
            bad("dcv", format!("no DCV entry for {name}"));
            continue;
        };
        let kind = d.r#type.as_str();
        if kind == "EMAIL" && d.email.is_none() {
            bad(&format!("dcv[{i}].email"), EMAIL_NEEDED.into());
        }
        if kind == "FILE" && name.starts_with("*.") {
            bad(&format!("dcv[{i}].type"), format!("FILE validation is not possible for {name}"));
        }
        out.push(Name::new(name, kind, d.email.clone().filter(|_| kind == "EMAIL")));
    }
    if !v.is_empty() {
        return Err(violations(v));
    }
    let extra = (names.len() as i64 - int(&p, "includedDomains", 0)).max(0);
    let total = if charge { (int(&p, "price", 0) + extra * int(&p, "price", 1)) * period / 12 } else { 0 };
    Ok(Checked { product: p, names: out, period, total })
}

fn quote_json(c: &Checked, action: &str) -> Value {
    if c.total == 0 {
        return json!({"quote": {"total": 0}});
    }
    let (id, p) = (&c.product["product"], &c.product);
    let extra = (c.names.len() as i64 - int(p, "includedDomains", 0)).max(0);
    let base = int(p, "price", 0) * c.period / 12;
    let mut billables = vec![
        json!({"product": id, "action": action.to_uppercase(), "quantity": 1, "amount": base, "refundable": true, "total": base}),
    ];
    if extra > 0 {
        let amount = int(p, "price", 1) * c.period / 12;
        billables.push(json!({"product": id, "action": "EXTRA_DOMAIN", "quantity": extra, "amount": amount, "refundable": true, "total": amount * extra}));
    }
    json!({"quote": {"currency": "EUR", "total": c.total, "billables": billables}})
}

const EMAIL_NEEDED: &str = "required when type is EMAIL";

fn is_quote(q: &std::collections::BTreeMap<String, String>) -> bool {
    q.get("quote").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

// ---------------------------------------------------------------------------------------------------------------
// Processes, certificates

fn challenge(o: &Order<RtrExtra>, n: &Name) -> Option<Challenge> {
    let bare = dcv::bare(&n.name);
    match n.method.as_str() {
        "DNS" => {
            Some(Challenge::Record { name: format!("_dnsauth.{bare}"), record_type: "TXT", value: o.token.clone() })
        }
        "FILE" => Some(Challenge::File { path: file_path(o), content: o.token.clone(), host: bare, contains: false }),
        _ => None,
    }
}

fn file_path(o: &Order<RtrExtra>) -> String {
    format!("/.well-known/pki-validation/{}.txt", o.token.get(..12).unwrap_or(&o.token).to_uppercase())
}

fn info_json(o: &Order<RtrExtra>) -> Value {
    let entry = |n: &Name| {
        let (cn, kind, status) = (&n.name, &n.method, if n.validated { "VALIDATED" } else { "WAITING" });
        match kind.as_str() {
            "DNS" => {
                json!({"commonName": cn, "type": kind, "status": status, "dnsRecord": "_dnsauth", "dnsType": "TXT", "dnsContents": o.token})
            }
            "FILE" => {
                json!({"commonName": cn, "type": kind, "status": status, "fileLocation": format!("{}{}", dcv::bare(cn), file_path(o)), "fileContents": o.token})
            }
            _ => json!({"commonName": cn, "type": kind, "status": status, "email": n.approver}),
        }
    };
    let dcv: Vec<Value> = o.names.iter().map(entry).collect();
    let attention = o.stage == Stage::AwaitingApproval;
    let mut v = json!({"commonName": o.primary(), "requiresAttention": attention, "validations": {"dcv": dcv}});
    if attention {
        v["oneTimeLink"] = json!(format!("https://sectigo.sandbox.invalid/otl/{}", o.id));
        v["validations"]["organization"] = json!("ATTENTION");
    }
    if o.x.instant {
        v["certificateId"] = json!(o.x.certificate);
    }
    v
}

fn process_json(o: &Order<RtrExtra>) -> Value {
    let mut v = json!({"id": o.id.parse::<i64>().unwrap_or(0), "user": format!("{CUSTOMER}/api"), "customer": CUSTOMER,
        "status": o.wire(RtrState::status), "createdDate": o.created, "updatedDate": o.created, "startedDate": o.created,
        "action": o.x.action, "type": "sslcertificate", "identifier": o.primary(), "command": {"product": o.product, "period": o.x.period, "csr": o.csr},
        "billables": [{"product": o.product, "action": o.x.action.to_uppercase(), "quantity": 1, "amount": o.x.total}]});
    if o.stage == Stage::AwaitingApproval {
        v["statusDetail"] = json!("SSL_REQUIRES_ATTENTION");
    }
    v
}

fn cert_status(o: &Order<RtrExtra>) -> &str {
    match o.stage {
        Stage::Revoked => "REVOKED",
        Stage::Expired => "EXPIRED",
        _ => o.x.superseded.as_deref().unwrap_or("ACTIVE"),
    }
}

fn cert_json(o: &Order<RtrExtra>) -> Option<Value> {
    let leaf = o.current().filter(|l| l.pem.is_some())?;
    let p = find_product(&o.product).unwrap_or_default();
    Some(json!({"id": o.x.certificate?, "process": o.id.parse::<i64>().unwrap_or(0), "product": o.product,
        "validationType": p["validationType"], "certificateType": p["certificateType"], "status": cert_status(o),
        "domainName": o.primary(), "san": &o.name_list()[1..], "startDate": leaf.not_before, "expiryDate": leaf.not_after,
        "subscriptionEndDate": o.coverage_end.as_ref().map(|d| format!("{d}T00:00:00Z")), "csr": leaf.csr,
        "certificate": leaf.pem, "fingerprint": leaf.thumbprint}))
}

fn find<'a>(rs: &'a mut RtrState, id: &str) -> Result<&'a mut Order<RtrExtra>, Refusal> {
    rs.by_id(id)
        .ok_or_else(|| fail(StatusCode::NOT_FOUND, "ObjectDoesNotExist", format!("Process {id} does not exist")))
}

fn by_certificate(rs: &RtrState, id: &str) -> Result<usize, Refusal> {
    rs.orders
        .iter()
        .position(|o| o.x.certificate.is_some_and(|c| c.to_string() == id.trim()))
        .ok_or_else(|| fail(StatusCode::NOT_FOUND, "ObjectDoesNotExist", format!("Certificate {id} does not exist")))
}

/// After order `i` issued: its certificate id, and its predecessor marked `RENEWED`/`REISSUED`.
fn issued(rs: &mut RtrState, i: usize, kit: &mut Kit) {
    if rs.orders[i].x.certificate.is_some() {
        return;
    }
    rs.orders[i].x.certificate = Some(kit.ids.next("rtr.certificate", 90_001));
    let (prev, action) = (rs.orders[i].renewal_of.clone(), rs.orders[i].x.action.clone());
    if let Some(prev) = rs.orders.iter_mut().find(|o| Some(&o.id) == prev.as_ref()) {
        prev.x.superseded = Some(if action == "renew" { "RENEWED" } else { "REISSUED" }.into());
    }
}

/// Run DCV for the open names of process `id` (by the knob) and issue when everything passed.
async fn advance(app: &Shared, id: &str) -> Result<(), Refusal> {
    let (_, issued_now) = dcv::run::<RtrState>(app, id, |rs| {
        let o = find(rs, id)?;
        Ok(dcv::checks(o, true, "EMAIL", |n| challenge(o, n).into_iter().collect()))
    })
    .await?;
    if issued_now {
        let mut st = app.state();
        let (rs, kit) = st.split::<RtrState>();
        let i = rs.orders.iter().position(|o| o.id == id).unwrap_or_default();
        issued(rs, i, kit);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers

const ROUTES: &[Route] = &[
    REQUEST,
    LIST_CERTIFICATES,
    CERTIFICATE,
    REVOKE,
    DOWNLOAD,
    RENEW,
    REISSUE,
    PRODUCTS,
    PRODUCT_INFO,
    DCV_EMAILS,
    AUTHKEY,
    LIST_PROCESSES,
    PROCESS,
    CANCEL,
    INFO,
    RESEND,
];

const PRODUCTS: Route = ("/ssl/products", || get(products));
async fn products(Query(q): Q) -> axum::Json<Value> {
    axum::Json(page(catalog(), &q))
}

const PRODUCT_INFO: Route = ("/ssl/products/{id}", || get(product_info));
async fn product_info(Path(id): Path<String>) -> Result<axum::Json<Value>, Refusal> {
    find_product(&id).map(axum::Json)
}

const REQUEST: Route = ("/ssl/certificates", || post(request));
async fn request(AxState(app): AxState<App>, Query(q): Q, bytes: Bytes) -> R {
    let (req, raw): (g::CertificateRequest, _) = body(&bytes)?;
    if req.customer != CUSTOMER {
        return Err(fail(StatusCode::FORBIDDEN, "AuthorizationError", format!("No customer {}", req.customer)));
    }
    let p = find_product(&req.product)?;
    let c = judge(p, &raw, &req.csr, req.period, req.validate(), true)?;
    if is_quote(&q) {
        return ok(quote_json(&c, "request"));
    }
    place(&app, c, &req.csr, "request", None, req.auth_key == Some(true))
}

/// Store a new process; issue at once for an auth key prepared for this CSR's key.
fn place(app: &Shared, c: Checked, csr: &str, action: &str, prev: Option<&Order<RtrExtra>>, auth_key: bool) -> R {
    let mut st = app.state();
    let (rs, kit) = st.split::<RtrState>();
    if CREDIT - rs.spent < c.total {
        return Err(fail(StatusCode::BAD_REQUEST, "InsufficientCreditException", "Insufficient credit"));
    }
    let key = crate::ca::parse_csr(csr).map(|k| k.spki_sha256).unwrap_or_default();
    let instant = auth_key && list(&c.product, "optionalFields").contains(&"authKey") && rs.auth_keys.contains(&key);
    let now = kit.now();
    let coverage_end = match (prev, action) {
        (Some(p), "reissue") => p.coverage_end.as_deref().and_then(crate::kit::time::parse_date),
        (Some(p), _) => {
            p.coverage_end.as_deref().and_then(crate::kit::time::parse_date).map(|d| add_months(d, c.period))
        }
        (None, _) => Some(add_months(now.date(), c.period)),
    };
    let wait = (kit.knobs.approval == Approval::Required && !instant, prev.map(|p| p.id.clone()));
    let x = RtrExtra { action: action.into(), period: c.period, total: c.total, instant, ..RtrExtra::default() };
    let product = c.product["product"].as_str().unwrap_or_default();
    let mut o = new_order(kit, (product, csr), c.names, coverage_end, wait, x);
    let id = o.id.clone();
    kit.mail_waiting("rtr", &o, "EMAIL");
    if instant {
        o.pass_dcv(None);
        o.settle(&app.ca, now).map_err(|e| fail(StatusCode::INTERNAL_SERVER_ERROR, "InternalSRSError", e))?;
    }
    rs.spent += c.total;
    rs.orders.push(o);
    let i = rs.orders.len() - 1;
    if instant {
        issued(rs, i, kit);
    }
    let status = if instant { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    with_process(status, &id, info_json(&rs.orders[i]))
}

const RENEW: Route = ("/ssl/certificates/{id}/renew", || post(renew));
/// The fields of a renewal; a reissue takes them without `product`, `period` and `saEmail`.
async fn renew(AxState(app): AxState<App>, Path(id): Path<String>, Query(q): Q, bytes: Bytes) -> R {
    again(&app, &id, &q, &bytes, "renew")
}

const REISSUE: Route = ("/ssl/certificates/{id}/reissue", || post(reissue));
async fn reissue(AxState(app): AxState<App>, Path(id): Path<String>, Query(q): Q, bytes: Bytes) -> R {
    again(&app, &id, &q, &bytes, "reissue")
}

/// A renewal (inside the renewal window, charged) or a reissue (same term, free) of certificate `id`: a new process.
fn again(app: &Shared, id: &str, q: &std::collections::BTreeMap<String, String>, bytes: &Bytes, action: &str) -> R {
    let renew = action == "renew";
    let prev = active(app, id, renew)?;
    let (raw, csr, period, product, problems, auth_key) = if renew {
        let (r, raw): (g::RenewRequest, _) = body(bytes)?;
        (raw, r.csr.clone(), r.period, r.product.clone(), r.validate(), r.auth_key)
    } else {
        let (r, raw): (g::ReissueRequest, _) = body(bytes)?;
        (raw, r.csr.clone(), prev.x.period, None, r.validate(), r.auth_key)
    };
    let p = find_product(product.as_deref().unwrap_or(&prev.product))?;
    let now = app.state().split::<RtrState>().1.now();
    let opens = prev.coverage_until().unwrap_or(now) - time::Duration::days(RENEWAL_WINDOW);
    if renew && opens > now {
        return Err(prohibited(format!("Certificate {id} can be renewed from {}", rfc3339(opens))));
    }
    let c = judge(p, &raw, &csr, period, problems, renew)?;
    if is_quote(q) {
        return ok(quote_json(&c, action));
    }
    place(app, c, &csr, action, Some(&prev), auth_key == Some(true))
}

/// The process of a certificate that is `ACTIVE` (or `EXPIRED`, for a renewal).
fn active(app: &Shared, cert: &str, renew: bool) -> Result<Order<RtrExtra>, Refusal> {
    let mut st = app.state();
    let rs = st.split::<RtrState>().0;
    let i = by_certificate(rs, cert)?;
    let o = rs.orders[i].clone();
    if cert_status(&o) != "ACTIVE" && !(renew && cert_status(&o) == "EXPIRED") {
        return Err(prohibited(format!("Certificate {cert} is {}", cert_status(&o))));
    }
    Ok(o)
}

fn page(items: Vec<Value>, q: &std::collections::BTreeMap<String, String>) -> Value {
    let num = |k: &str, d: usize| q.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
    let (limit, offset, total) = (num("limit", 10), num("offset", 0), items.len());
    let entities: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    json!({"entities": entities, "pagination": {"limit": limit, "offset": offset, "total": total}})
}

/// `field:eq=value` or `field=value`.
fn filter<'a>(q: &'a std::collections::BTreeMap<String, String>, field: &str) -> Option<&'a str> {
    q.get(&format!("{field}:eq")).or_else(|| q.get(field)).map(String::as_str)
}

const LIST_PROCESSES: Route = ("/processes", || get(list_processes));
async fn list_processes(AxState(app): AxState<App>, Query(q): Q) -> R {
    let mut st = app.state();
    let rs = st.split::<RtrState>().0;
    let mut items: Vec<Value> = rs
        .orders
        .iter()
        .map(process_json)
        .filter(|p| {
            filter(&q, "identifier").is_none_or(|i| p["identifier"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(i)))
        })
        .filter(|p| filter(&q, "status").is_none_or(|s| p["status"] == s))
        .collect();
    if q.get("order").is_some_and(|o| o.starts_with('-')) {
        items.reverse();
    }
    ok(page(items, &q))
}

const PROCESS: Route = ("/processes/{id}", || get(process));
async fn process(AxState(app): AxState<App>, Path(id): Path<String>) -> R {
    advance(&app, &id).await?;
    ok(process_json(find(app.state().split::<RtrState>().0, &id)?))
}

const INFO: Route = ("/processes/{id}/info", || get(info));
async fn info(AxState(app): AxState<App>, Path(id): Path<String>) -> R {
    advance(&app, &id).await?;
    ok(info_json(find(app.state().split::<RtrState>().0, &id)?))
}

const CANCEL: Route = ("/processes/{id}", || delete(cancel));
async fn cancel(AxState(app): AxState<App>, Path(id): Path<String>) -> R {
    let mut st = app.state();
    let (rs, _) = st.split::<RtrState>();
    let o = find(rs, &id)?;
    if !o.stage.is_open() || o.apply(Event::Cancel).is_err() {
        return Err(prohibited(format!("Process {id} is {}", o.wire(RtrState::status))));
    }
    rs.spent -= o.x.total;
    Ok(StatusCode::OK.into_response())
}

const RESEND: Route = ("/processes/{id}/resend", || post(resend));
async fn resend(AxState(app): AxState<App>, Path(id): Path<String>, bytes: Bytes) -> R {
    let (req, _): (g::ResendDcvRequest, _) = body(&bytes)?;
    let mut bad = req.validate().into_iter().map(|p| (p.field.unwrap_or_default(), p.message)).collect::<Vec<_>>();
    {
        let mut st = app.state();
        let (rs, kit) = st.split::<RtrState>();
        let o = find(rs, &id)?;
        if !o.stage.is_open() {
            return Err(prohibited(format!("Process {id} is not running")));
        }
        for (i, d) in req.dcv.iter().enumerate() {
            let kind = d.r#type.as_str();
            let why = format!("{} is not a name of process {id}", d.common_name);
            match o.names.iter_mut().find(|n| n.name.eq_ignore_ascii_case(&d.common_name)) {
                None => bad.push((format!("dcv[{i}].commonName"), why)),
                Some(_) if kind == "EMAIL" && d.email.is_none() => {
                    bad.push((format!("dcv[{i}].email"), EMAIL_NEEDED.into()))
                }
                Some(n) if !n.validated => {
                    n.method = kind.to_owned();
                    n.approver = d.email.clone().filter(|_| kind == "EMAIL");
                    if kind == "EMAIL" {
                        kit.mail("rtr", &id, &n.name, n.approver.as_deref().unwrap_or_default());
                    }
                }
                Some(_) => {}
            }
        }
    }
    if !bad.is_empty() {
        return Err(violations(bad));
    }
    advance(&app, &id).await?;
    Ok(StatusCode::OK.into_response())
}

const LIST_CERTIFICATES: Route = ("/ssl/certificates", || get(list_certificates));
async fn list_certificates(AxState(app): AxState<App>, Query(q): Q) -> R {
    let mut st = app.state();
    let rs = st.split::<RtrState>().0;
    let items: Vec<Value> = rs
        .orders
        .iter()
        .filter_map(cert_json)
        .filter(|c| filter(&q, "process").is_none_or(|p| p.parse::<i64>().ok() == c["process"].as_i64()))
        .filter(|c| filter(&q, "domainName").is_none_or(|d| c["domainName"] == d))
        .filter(|c| filter(&q, "status").is_none_or(|s| c["status"] == s))
        .collect();
    ok(page(items, &q))
}

const CERTIFICATE: Route = ("/ssl/certificates/{id}", || get(certificate));
async fn certificate(AxState(app): AxState<App>, Path(id): Path<String>) -> R {
    let mut st = app.state();
    let rs = st.split::<RtrState>().0;
    let i = by_certificate(rs, &id)?;
    ok(cert_json(&rs.orders[i]).unwrap_or_default())
}

const DOWNLOAD: Route = ("/ssl/certificates/{id}/download", || get(download));
async fn download(AxState(app): AxState<App>, Path(id): Path<String>, Query(q): Q) -> R {
    let mut st = app.state();
    let rs = st.split::<RtrState>().0;
    let i = by_certificate(rs, &id)?;
    let o = &rs.orders[i];
    let leaf = o.current().and_then(|l| l.pem.clone()).unwrap_or_default();
    let (inter, root) = (app.ca.intermediate_pem.trim().to_owned() + "\n", app.ca.root_pem.trim().to_owned() + "\n");
    let bytes: Vec<u8> = match q.get("format").map_or("ZIP", String::as_str) {
        "CRT" => leaf.into_bytes(),
        "CA_BUNDLE" => inter.into_bytes(),
        "CA" => format!("{inter}{root}").into_bytes(),
        "CSR" => o.csr.clone().into_bytes(),
        "PKCS7" => archive::armour("PKCS7", &archive::p7b(&archive::pem_certs(&format!("{leaf}{inter}")))).into_bytes(),
        "ZIP" => {
            let cn = o.primary().replace("*.", "star.");
            archive::zip(&[(format!("{cn}.crt"), leaf.into_bytes()), (format!("{cn}.ca-bundle"), inter.into_bytes())])
        }
        other => return Err(violations(vec![("format".into(), format!("unknown format {other}"))])),
    };
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

const REVOKE: Route = ("/ssl/certificates/{id}", || delete(revoke));
async fn revoke(AxState(app): AxState<App>, Path(id): Path<String>, bytes: Bytes) -> R {
    let (req, _): (g::RevokeRequest, _) = body(&bytes)?;
    let mut st = app.state();
    let rs = st.split::<RtrState>().0;
    let i = by_certificate(rs, &id)?;
    let o = &mut rs.orders[i];
    o.revoke(None).map_err(|e| prohibited(e.to_string()))?;
    o.note = req.reason;
    Ok(StatusCode::OK.into_response())
}

const DCV_EMAILS: Route = ("/ssl/dcvemailaddresslist/{domain}", || get(dcv_emails));
async fn dcv_emails(Path(domain): Path<String>) -> R {
    ok(json!(dcv::approver_addresses(&dcv::bare(&domain))))
}

const AUTHKEY: Route = ("/ssl/authkey", || post(authkey));
async fn authkey(AxState(app): AxState<App>, bytes: Bytes) -> R {
    let (req, _): (g::AuthKeyRequest, _) = body(&bytes)?;
    find_product(&req.product)?;
    let key = crate::ca::parse_csr(&req.csr)
        .map_err(|e| violations(vec![("csr".into(), format!("Invalid CSR: {}", e.0))]))?;
    let mut st = app.state();
    let (rs, kit) = st.split::<RtrState>();
    rs.auth_keys.push(key.spki_sha256);
    let validity = rfc3339(kit.now() + time::Duration::days(7));
    ok(json!({"authKey": kit.token(44), "validity": validity}))
}
