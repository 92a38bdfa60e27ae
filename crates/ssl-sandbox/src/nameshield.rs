//! Nameshield Certificates API (JSON:API) as the sandbox serves it under `/ssl/v2`.
//!
//! | endpoint | what |
//! |---|---|
//! | `GET /products`, `GET /organizations` | the catalog below, as resource lists |
//! | `POST /orders` | `create`, `renew`, `reissue` (201, `{"message":"Created","data":…}`) |
//! | `GET /orders/{id}`, `GET /orders/{id}/contacts` | an order (sparse fieldsets honoured) and its contacts |
//! | `GET /certificates` | certificates, 10 a page (`page[number]`, `page[size]`), absolute `links.next` |
//! | `GET /certificates/{id}`, `…/current-order`, `POST …/revoke` | a certificate, its current order, revocation |
//! | `GET /domains/{id}` | a domain of an order, with its DCV state |
//!
//! Documents go both ways as JSON:API; a sparse fieldset `fields[<type>]` returns exactly the attributes **and
//! relationships** it lists (hidden attributes — `csr`, `infos`, `dcv`, `x509`, `cacert_inter`, `cacert_root`,
//! `pem`, and `pkcs7`/`pkcs12` on certificates — come only that way). Orders move `CHECKED_OUT` → `DELIVERED` when
//! every name passed DCV (`REJECTED` when the CA refuses); a delivered order's certificate is `ACTIVE`, then
//! `REVOKED` or `EXPIRED`; before that `WAITING`.
//!
//! The sandbox judges orders by its own catalog and rules, written from the provider notes: relationship ids must
//! be JSON strings; `product` only with `create`, `certificate` only (and always) with `renew`/`reissue`; contacts
//! are one `admin` and one `tech` or none; OV/EV products need an organization; `duration` must be one of the
//! product's `allowed_durations`; no optional attribute or relationship may be sent empty (`null`, `""`, `{}`,
//! `[]`); no `VALIDATE_HTTP` for wildcard names.
//!
//! DCV per name (one random token per order): `VALIDATE_DNS` TXT `_dnsauth.<host>` = token; `VALIDATE_DNS_CNAME`
//! CNAME `<token>.<host>` → `dcv.digicert.com`; `VALIDATE_HTTP` `http://<host>/.well-known/pki-validation/fileauth.txt`
//! = token; `VALIDATE_EMAIL` a mail to `admin@<domain>` (the domain resource lists the five base addresses) with
//! an approval link in the kit's mailbox.
//!
//! Errors: `{"errors":[{"status","title","detail","source"}]}` on every route, except that a refused token answers
//! 401 `{"errors":{"code":"unauthenticated","message":"Unauthenticated."}}`. `PUT /ssl/v2/_sandbox/error-shape`
//! (`{"route":"/orders","shape":"object"}`, with the token) switches a route (path prefix after `/ssl/v2`) to the object shape
//! `{"errors":{"code","message","details"}}`.

use std::collections::BTreeMap;

use axum::http::HeaderValue;
use axum::routing::{get, post, put};
use serde_json::Map;

use crate::ca::{Ca, parse_csr};
use crate::kit::dcv::{self, Challenge, Verdict};
use crate::kit::prelude::*;
use crate::kit::time::{add_years, parse_rfc3339};
use crate::kit::wire::{json_body, valid_hostname};
use crate::knobs::{Approval, DcvMode};
use ssl_core::validate::Validate;
use ssl_jsonapi::generated as g;

/// The token the sandbox accepts (`SSL_ORDERS_NAMESHIELD_TOKEN`).
pub const TOKEN: &str = "sandbox-nameshield-token";
const CNAME_TARGET: &str = "dcv.digicert.com";
const HTTP_PATH: &str = "/.well-known/pki-validation/fileauth.txt";
const ORDER_HIDDEN: &[&str] = &["csr", "infos", "dcv", "x509", "cacert_inter", "cacert_root", "pem"];
const CERT_HIDDEN: &[&str] = &["csr", "x509", "cacert_inter", "cacert_root", "pem", "pkcs7", "pkcs12"];

pub(crate) const DEF: ProviderDef = ProviderDef {
    credentials: &[("SSL_ORDERS_NAMESHIELD_TOKEN", TOKEN)],
    secret_headers: &["authorization"],
    rate_limits: &[Limit::per(600, 300)],
    ..ProviderDef::new::<NsState>("/ssl/v2", ROUTES, auth, error, catalog)
};

/// A product of the sandbox catalog: `(id, name, can_be_ordered, accept_reissue, allowed_durations, validation
/// level, wildcard names allowed, most names)`. OV and EV need an organization.
type Product = (&'static str, &'static str, bool, bool, &'static [&'static str], &'static str, bool, usize);

const Y12: &[&str] = &["1 year", "2 years"];
const Y123: &[&str] = &["1 year", "2 years", "3 years"];
const PRODUCTS: &[Product] = &[
    ("11", "DigiCert Basic DV", true, true, Y12, "dv", false, 5),
    ("12", "DigiCert Basic DV Wildcard", true, true, Y123, "dv", true, 2),
    ("13", "DigiCert Secure Site OV Multi-Domain", true, true, Y123, "ov", true, 250),
    ("14", "DigiCert Secure Site EV", true, false, &["1 year"], "ev", false, 25),
    ("27", "RapidSSL (retired)", false, false, &[], "dv", false, 1),
];
const ORGANIZATIONS: &[(&str, &str)] = &[("BSVBG", "Example SAS"), ("ORG77", "Example Labs")];
const CONTACTS: &[(&str, &str, &str, &str)] =
    &[("CT01", "Alice", "Martin", "alice@example.com"), ("CT02", "Bob", "Durand", "bob@example.com")];
const EMAIL: &str = "VALIDATE_EMAIL";
const METHODS: &[&str] = &["VALIDATE_DNS", "VALIDATE_DNS_CNAME", "VALIDATE_HTTP", EMAIL];

fn catalog() -> Value {
    let products: Vec<Value> = PRODUCTS
        .iter()
        .map(|&(id, name, ord, re, durations, level, wildcard, max)| {
            json!({"id": id,
        "name": name, "can_be_ordered": ord, "accept_reissue": re, "allowed_durations": durations, "validation": level,
        "wildcard": wildcard, "max_names": max})
        })
        .collect();
    json!({"products": products, "organizations": ORGANIZATIONS, "contacts": CONTACTS, "validation_methods": METHODS})
}

/// Nameshield's part of the state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NsState {
    /// Orders (a renewal or reissue is a new order).
    pub orders: Vec<Order<NsExtra>>,
    /// Routes (path prefixes after `/ssl/v2`) answering errors in the object shape.
    pub object_errors: Vec<String>,
}

/// What only Nameshield keeps per order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NsExtra {
    /// `create`, `renew` or `reissue`.
    pub action: String,
    /// `1 year`, ...
    pub duration: String,
    /// `order_reference`.
    pub reference: Option<String>,
    /// The certificate resource: made by a `create`, kept by its renewals and reissues.
    pub certificate: String,
    /// `infos.validation_method`.
    pub method: String,
    /// `infos.web_server`.
    pub web_server: String,
    /// The organization id.
    pub organization: Option<String>,
    /// `(contact id, contact_type)`.
    pub contacts: Vec<(String, String)>,
    /// `customer_id`, `billing_number`.
    pub customer_id: Option<i64>,
    /// Invoicing identifier.
    pub billing_number: Option<String>,
}

part!(NsState, "nameshield", NsExtra);

impl Book for NsState {
    fn status(o: &Order<NsExtra>, s: Stage) -> &'static str {
        wire_status(o, s)
    }

    fn sample(kit: &mut Kit, csr: &str, cn: &str) -> Order<NsExtra> {
        let x = NsExtra {
            action: "create".into(),
            duration: "1 year".into(),
            method: "VALIDATE_DNS".into(),
            ..NsExtra::default()
        };
        new_order(kit, "11".into(), csr.into(), &[cn.into()], x, None, false)
    }
}

fn wire_status(_: &Order<NsExtra>, s: Stage) -> &'static str {
    let open = "CHECKED_OUT";
    s.pick([open, open, open, "DELIVERED", "REJECTED", "CANCELLED", "DELIVERED", "DELIVERED"])
}

// ---------------------------------------------------------------- errors

/// One error entry: HTTP status, title, detail, JSON pointer.
struct E(u16, &'static str, String, Option<String>);

fn e(status: u16, title: &'static str, detail: impl Into<String>) -> E {
    E(status, title, detail.into(), None)
}

fn at(status: u16, title: &'static str, pointer: &str, detail: impl Into<String>) -> E {
    E(status, title, detail.into(), Some(pointer.to_owned()))
}

/// Answer `errors` (the first entry's status) in the route's shape.
fn fail(errors: Vec<E>, object: bool) -> Response {
    let status = StatusCode::from_u16(errors.first().map_or(500, |e| e.0)).unwrap_or(StatusCode::BAD_REQUEST);
    let body = if object {
        // The object shape carries one error; the others go in its `details`.
        let more: Vec<Value> = errors.iter().skip(1).map(|e| json!({"message": e.2, "pointer": e.3})).collect();
        let E(_, title, detail, pointer) = &errors[0];
        json!({"errors": {"code": title.to_ascii_lowercase().replace(' ', "_"), "message": detail,
            "details": {"pointer": pointer, "errors": more}}})
    } else {
        let list = errors.iter().map(|E(status, title, detail, pointer)| {
            json!({"status": status.to_string(),
            "title": title, "detail": detail, "source": {"pointer": pointer}})
        });
        json!({"errors": list.collect::<Vec<_>>()})
    };
    api_json(status, body)
}

fn api_json(status: StatusCode, body: Value) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.api+json"));
    r
}

fn error(f: &Failure) -> Response {
    match f {
        Failure::RateLimited { .. } => fail(vec![e(429, "Too Many Requests", "Too many attempts.")], false),
        Failure::ServerError { status } => fail(vec![e(status.as_u16(), "Server Error", "Server Error")], false),
        Failure::NoRoute { path } => {
            fail(vec![e(404, "Not Found", format!("The route {path} could not be found."))], false)
        }
    }
}

fn auth(h: &Head<'_>, _st: &mut State) -> Result<String, Refusal> {
    match h.bearer() {
        Some(t) if t == TOKEN => Ok(t.to_owned()),
        _ => Err(api_json(
            StatusCode::UNAUTHORIZED,
            json!({"errors": {"code": "unauthenticated", "message": "Unauthenticated."}}),
        )
        .into()),
    }
}

// ---------------------------------------------------------------- JSON:API documents

/// Where the client reached us (`links` are absolute, as the real API writes them).
fn base(h: &HeaderMap) -> String {
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}/ssl/v2")
}

/// The fieldset asked for `rtype` (`fields[order]=status,dcv`).
fn fieldset(q: &Q, rtype: &str) -> Option<Vec<String>> {
    q.get(&format!("fields[{rtype}]"))
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
}

/// A resource object: every attribute and relationship, the hidden ones only when the fieldset lists them, and
/// exactly what it lists when there is one.
fn resource(
    base: &str,
    (rtype, plural, id): (&str, &str, &str),
    attrs: Value,
    hidden: &[&str],
    rels: Value,
    fields: Option<&[String]>,
) -> Value {
    let shown = |k: &str| fields.map_or(!hidden.contains(&k), |f| f.iter().any(|x| x == k));
    let me = format!("{base}/{plural}/{id}");
    let pick = |v: Value| -> Map<String, Value> {
        v.as_object().into_iter().flatten().filter(|(k, _)| shown(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    let mut rels = pick(rels);
    for (k, data) in rels.iter_mut() {
        *data = json!({"links": {"related": format!("{me}/{k}")}, "data": data});
    }
    let mut v = json!({"type": rtype, "id": id, "links": {"self": me}, "attributes": pick(attrs)});
    if !rels.is_empty() {
        v["relationships"] = Value::Object(rels);
    }
    v
}

fn ident(rtype: &str, id: &str) -> Value {
    json!({"type": rtype, "id": id})
}

fn order_json(o: &Order<NsExtra>, ca: &Ca, base: &str, fields: Option<&[String]>) -> Value {
    let (x, names) = (&o.x, o.name_list());
    let delivered = wire_status(o, o.stage) == "DELIVERED";
    let leaf = o.current().and_then(|l| l.pem.clone()).filter(|_| delivered);
    let dcv: Vec<Value> = o
        .names
        .iter()
        .map(|n| {
            json!({"name": n.name, "validation_method": n.method,
        "token": o.token, "status": if n.validated { "complete" } else { "pending" }})
        })
        .collect();
    let domains: Vec<Value> = (1..=names.len()).map(|i| ident("domain", &format!("{}-{i}", o.id))).collect();
    let attrs = json!({"action": x.action, "status": o.wire(wire_status), "customer_id": x.customer_id.unwrap_or(9954),
        "billing_number": x.billing_number.clone().unwrap_or_else(|| format!("B{}", o.id)),
        "order_reference": x.reference, "common_name": names[0], "sans": names[1..], "duration": x.duration,
        "updated_at": o.created, "created_at": o.created, "csr": o.csr,
        "infos": {"validation_method": x.method, "web_server": x.web_server}, "dcv": dcv, "x509": leaf, "pem": leaf,
        "cacert_inter": delivered.then_some(&ca.intermediate_pem), "cacert_root": delivered.then_some(&ca.root_pem)});
    let rels = json!({"product": ident("product", &o.product), "certificate": ident("certificate", &x.certificate),
        "organization": x.organization.as_deref().map(|id| ident("organization", id)), "contacts": contacts_json(x),
        "comments": [], "domains": domains});
    resource(base, ("order", "orders", &o.id), attrs, ORDER_HIDDEN, rels, fields)
}

/// A certificate's status and the order whose leaf it shows: its latest order with an issued leaf.
fn cert_state<'a>(orders: &[&'a Order<NsExtra>]) -> (&'static str, Option<&'a Order<NsExtra>>) {
    let shown = orders.iter().rev().find(|o| o.current().is_some_and(|l| l.pem.is_some())).copied();
    let status = match shown.map(|o| o.stage) {
        None => "WAITING",
        Some(Stage::Revoked) => "REVOKED",
        Some(Stage::Expired) => "EXPIRED",
        Some(_) => "ACTIVE",
    };
    (status, shown)
}

fn cert_json(id: &str, orders: &[&Order<NsExtra>], ca: &Ca, base: &str, fields: Option<&[String]>) -> Value {
    let (status, shown) = cert_state(orders);
    let (first, last) = (orders[0], orders[orders.len() - 1]);
    let leaf = shown.and_then(|o| o.current());
    let names = shown.unwrap_or(first).name_list();
    let (start, end) = leaf.map(|l| l.dates()).unwrap_or_default();
    let pem = leaf.and_then(|l| l.pem.clone());
    let chain = pem.as_ref().map(|p| format!("{}\n{}\n", p.trim(), ca.intermediate_pem.trim()));
    // PKCS#7 of the chain; no PKCS#12 (it needs the private key, which only the customer has).
    let p7 = pem.as_ref().and_then(|p| crate::kit::archive::bundle("p7b", p, ca, &names[0]));
    let attrs = json!({"status": status, "common_name": names[0], "sans": names[1..],
        "serial": leaf.and_then(|l| l.serial.clone()).map(|s| s.to_ascii_uppercase()),
        "customer_id": first.x.customer_id.unwrap_or(9954), "validity_start": start, "validity_end": end,
        "csr": shown.unwrap_or(first).csr, "x509": pem, "pem": chain, "pkcs7": p7.map(|b| String::from_utf8_lossy(&b.1).into_owned()), "pkcs12": null,
        "cacert_inter": shown.map(|_| &ca.intermediate_pem), "cacert_root": shown.map(|_| &ca.root_pem)});
    let rels = json!({"product": ident("product", &first.product), "contacts": contacts_json(&first.x),
        "organization": first.x.organization.as_deref().map(|o| ident("organization", o)), "comments": [],
        "current-order": ident("order", &last.id)});
    resource(base, ("certificate", "certificates", id), attrs, CERT_HIDDEN, rels, fields)
}

fn contacts_json(x: &NsExtra) -> Value {
    x.contacts.iter().map(|(id, t)| json!({"type": "contact", "id": id, "meta": {"contact_type": t}})).collect()
}

fn domain_json(o: &Order<NsExtra>, i: usize, base: &str) -> Value {
    let (n, bare) = (&o.names[i], dcv::bare(&o.names[i].name));
    let mut d = json!({"status": if n.validated { "complete" } else { "pending" }, "created_at": o.created});
    match n.method.as_str() {
        EMAIL => d.as_object_mut().map(|d| {
            d.extend([
                ("name_scope".into(), json!(dcv::registrable(&bare))),
                ("base_emails".into(), json!(base_emails(&bare))),
            ])
        }),
        "VALIDATE_DNS_CNAME" => d
            .as_object_mut()
            .map(|d| d.extend([("token".into(), json!(o.token)), ("verification_value".into(), json!(CNAME_TARGET))])),
        "VALIDATE_HTTP" => d.as_object_mut().map(|d| {
            d.extend([
                ("token".into(), json!(o.token)),
                ("token_url".into(), json!(format!("http://{bare}{HTTP_PATH}"))),
            ])
        }),
        _ => d.as_object_mut().map(|d| d.extend([("token".into(), json!(o.token))])),
    };
    let attrs = json!({"name": n.name, "authority_name": "Digicert", "customer_id": o.x.customer_id.unwrap_or(9954),
        "status": "active", "validation_method": n.method, "valid_until": null, "dcv": d});
    let rels = json!({"organization": o.x.organization.as_deref().map(|id| ident("organization", id))});
    resource(base, ("domain", "domains", &format!("{}-{}", o.id, i + 1)), attrs, &[], rels, None)
}

/// Email DCV mails `admin@<domain>`: the kit's mailbox then carries the approval link.
fn approver(method: &str, host: &str) -> Option<String> {
    (method == "VALIDATE_EMAIL").then(|| format!("admin@{}", dcv::registrable(host)))
}

fn base_emails(host: &str) -> Vec<String> {
    dcv::approver_addresses(&dcv::registrable(host))
}

impl NsState {
    fn order(&self, id: &str) -> Option<&Order<NsExtra>> {
        self.orders.iter().find(|o| o.id == id)
    }

    /// The orders of certificate `id`, oldest first (the last is its current order); empty when there is none.
    fn cert(&self, id: &str) -> Vec<&Order<NsExtra>> {
        self.orders.iter().filter(|o| o.x.certificate == id).collect()
    }

    /// Every certificate id, in creation order.
    fn cert_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for o in &self.orders {
            if !ids.contains(&o.x.certificate.as_str()) {
                ids.push(&o.x.certificate);
            }
        }
        ids
    }

    fn object_errors(&self, path: &str) -> bool {
        self.object_errors.iter().any(|r| path.starts_with(r.as_str()))
    }
}

// ---------------------------------------------------------------- reading an order body

/// The parts of a valid `POST /orders` document.
struct NewNs {
    action: String,
    csr: String,
    names: Vec<String>,
    product: String,
    x: NsExtra,
}

/// A value that must not be sent empty.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// `/data/attributes/<k>` or `/data/relationships/<k>` refused with 422.
fn bad(part: &str, k: &str, detail: impl Into<String>) -> E {
    at(422, "Invalid order", &format!("/data/{part}/{k}"), detail)
}

/// What a tolerant reader lets through but Nameshield refuses: empty optionals and ids that are not strings.
fn strict(doc: &Value, errs: &mut Vec<E>) {
    if doc.pointer("/data/type").and_then(Value::as_str) != Some("order") {
        errs.push(at(409, "Type mismatch", "/data/type", "`data.type` must be `order`"));
    }
    for part in ["attributes", "relationships"] {
        for (k, v) in doc.pointer(&format!("/data/{part}")).and_then(Value::as_object).into_iter().flatten() {
            if is_empty(v) || (part == "relationships" && v.get("data").is_none_or(is_empty)) {
                errs.push(bad(part, k, format!("`{k}` must not be empty; leave it out instead")));
            }
            let ids = match v.get("data") {
                Some(Value::Array(a)) => a.iter().collect(),
                Some(d) if part == "relationships" && !d.is_null() => vec![d],
                _ => Vec::new(),
            };
            if ids.iter().any(|d| !d["id"].is_string()) {
                errs.push(bad(part, k, "resource identifier ids are JSON strings"));
            }
        }
    }
}

fn read_order(doc: &Value, ns: &NsState) -> Result<NewNs, Vec<E>> {
    let mut errs = Vec::new();
    strict(doc, &mut errs);
    let wire: g::NewOrderRequestDocument = serde_json::from_value(doc.clone()).unwrap_or_default();
    for p in wire.validate() {
        let k = p.field.unwrap_or_default().replace("data.attributes.", "").replace('.', "/");
        errs.push(bad("attributes", &k, p.message));
    }
    let (a, r) = (&wire.data.attributes, &wire.data.relationships);
    let id = |t: &Option<ssl_core::jsonapi::ToOne>| t.as_ref().and_then(|t| t.id()).map(str::to_owned);
    let (product, certificate, organization) = (id(&r.product), id(&r.certificate), id(&r.organization));
    let contacts: Vec<(String, String)> = r
        .contacts
        .iter()
        .flat_map(|c| &c.data)
        .map(|i| (i.id.clone(), i.meta.as_ref().map_or(String::new(), |m| m.contact_type.as_str().to_owned())))
        .collect();
    let mut types: Vec<&str> = contacts.iter().map(|c| c.1.as_str()).collect();
    types.sort_unstable();
    if r.contacts.is_some() && types != ["admin", "tech"] {
        errs.push(bad("relationships", "contacts", "one `admin` and one `tech` contact (`meta.contact_type`)"));
    }
    for (c, _) in contacts.iter().filter(|(c, _)| !CONTACTS.iter().any(|k| k.0 == c)) {
        errs.push(bad("relationships", "contacts", format!("no contact `{c}`")));
    }
    if let Some(o) = organization.as_ref().filter(|o| !ORGANIZATIONS.iter().any(|k| k.0 == *o)) {
        errs.push(bad("relationships", "organization", format!("no organization `{o}`")));
    }
    let names = parse_csr(&a.csr).map(|k| {
        let all = k.common_name.into_iter().chain(k.dns_names).map(|n| n.trim().to_ascii_lowercase());
        all.fold(Vec::new(), |mut v: Vec<String>, n| {
            if !n.is_empty() && !v.contains(&n) {
                v.push(n);
            }
            v
        })
    });
    let names = names.unwrap_or_else(|e| {
        errs.push(bad("attributes", "csr", e.0));
        Vec::new()
    });
    let action = a.action.as_str().to_owned();
    let method = a.infos.as_ref().and_then(|i| i.validation_method.as_ref()).map_or("VALIDATE_DNS", |m| m.as_str());
    // The product: the relationship (create) or the certificate's (renew, reissue), which also keep the
    // certificate's organization unless they name one.
    let (pid, organization) = match (action.as_str(), &product, &certificate) {
        ("create", Some(p), None) => (Some(p.clone()), organization),
        (a, None, Some(c)) if a != "create" => match ns.cert(c).first() {
            Some(o) => (Some(o.product.clone()), organization.or_else(|| o.x.organization.clone())),
            None => {
                return Err(vec![at(
                    404,
                    "Not Found",
                    "/data/relationships/certificate",
                    format!("no certificate `{c}`"),
                )]);
            }
        },
        _ => {
            errs.push(bad("relationships", "", "`create` takes `product`; `renew` and `reissue` take `certificate`"));
            (None, organization)
        }
    };
    match pid.as_deref().map(|id| PRODUCTS.iter().find(|p| p.0 == id).ok_or(id)) {
        Some(Err(id)) => errs.push(bad("relationships", "product", format!("no product `{id}`"))),
        Some(Ok(p)) => judge(p, &action, a.duration.as_str(), method, &names, organization.is_some(), &mut errs),
        None => {}
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let infos = a.infos.clone().unwrap_or_default();
    let x = NsExtra {
        action: action.clone(),
        duration: a.duration.as_str().to_owned(),
        reference: a.order_reference.clone(),
        certificate: certificate.unwrap_or_default(),
        method: method.to_owned(),
        web_server: infos.web_server.unwrap_or_else(|| "others".into()),
        organization,
        contacts,
        customer_id: a.customer_id,
        billing_number: a.billing_number.clone(),
    };
    Ok(NewNs { action, csr: a.csr.clone(), names, product: pid.unwrap_or_default(), x })
}

/// The catalog's rules for one product.
fn judge(p: &Product, action: &str, duration: &str, method: &str, names: &[String], org: bool, errs: &mut Vec<E>) {
    let &(id, _, orderable, reissue, durations, level, wildcard, max_names) = p;
    let mut refuse = |part: &str, k: &str, d: String| errs.push(bad(part, k, d));
    if action == "create" && !orderable {
        refuse("relationships", "product", format!("product {id} cannot be ordered"));
    }
    if action == "reissue" && !reissue {
        refuse("attributes", "action", format!("product {id} does not accept reissues"));
    }
    if !durations.contains(&duration) {
        refuse("attributes", "duration", format!("`{duration}` is not one of {}", durations.join(", ")));
    }
    if level != "dv" && !org {
        refuse("relationships", "organization", format!("product {id} ({level}) needs an organization"));
    }
    if names.len() > max_names {
        refuse("attributes", "csr", format!("product {id} takes at most {max_names} names"));
    }
    for n in names {
        if !valid_hostname(n) {
            refuse("attributes", "csr", format!("`{n}` is not a valid host name"));
        } else if n.starts_with("*.") && !wildcard {
            refuse("attributes", "csr", format!("product {id} takes no wildcard names (`{n}`)"));
        } else if n.starts_with("*.") && method == "VALIDATE_HTTP" {
            refuse("attributes", "infos/validation_method", format!("no VALIDATE_HTTP for the wildcard `{n}`"));
        }
    }
}

// ---------------------------------------------------------------- handlers

type Q = BTreeMap<String, String>;

const ROUTES: &[Route] = &[GET_PRODUCTS, GET_ORGANIZATIONS, CREATE, CERTIFICATES, SHOW, SHOW_2, REVOKE, ERROR_SHAPE];

fn list(items: Vec<Value>, next: Option<String>) -> Response {
    api_json(StatusCode::OK, json!({"data": items, "links": {"next": next}}))
}

fn one(data: Value) -> Response {
    api_json(StatusCode::OK, json!({"data": data}))
}

const GET_PRODUCTS: Route = ("/products", || get(products));
async fn products(headers: HeaderMap, Query(q): Query<Q>) -> Response {
    let (b, f) = (base(&headers), fieldset(&q, "product"));
    let items = PRODUCTS.iter().map(|&(id, name, orderable, reissue, durations, ..)| {
        let attrs = json!({"name": name, "can_be_ordered": orderable, "accept_reissue": reissue, "allowed_durations": durations});
        resource(&b, ("product", "products", id), attrs, &[], json!({}), f.as_deref())
    });
    list(items.collect(), None)
}

const GET_ORGANIZATIONS: Route = ("/organizations", || get(organizations));
async fn organizations(headers: HeaderMap) -> Response {
    let b = base(&headers);
    let org = |&(id, name): &(&str, &str)| {
        resource(&b, ("organization", "organizations", id), json!({"name": name}), &[], json!({}), None)
    };
    list(ORGANIZATIONS.iter().map(org).collect(), None)
}

const CREATE: Route = ("/orders", || post(create));
async fn create(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    let mut st = app.state();
    let (ns, kit) = st.split::<NsState>();
    let object = ns.object_errors("/orders");
    let read = json_body(&body).map_err(|b| vec![e(400, "Malformed request body", b.1)]);
    let n = match read.and_then(|doc| read_order(&doc, ns)) {
        Ok(n) => n,
        Err(errs) => return fail(errs, object),
    };
    let renews = ns.cert(&n.x.certificate).last().map(|o| o.id.clone()).filter(|_| n.action == "renew");
    let approval = kit.knobs.approval == Approval::Required;
    let o = new_order(kit, n.product, n.csr, &n.names, n.x, renews, approval);
    let mut data = order_json(&o, &app.ca, &base(&headers), None);
    if n.action == "create" {
        // As in the docs' sample: the certificate relationship is empty on creation.
        data["relationships"]["certificate"]["data"] = Value::Null;
    }
    ns.orders.push(o);
    api_json(StatusCode::CREATED, json!({"message": "Created", "data": data}))
}

/// A new order for `names`; a `create` (empty `x.certificate`) makes a new certificate resource.
fn new_order(
    kit: &mut Kit,
    product: String,
    csr: String,
    names: &[String],
    mut x: NsExtra,
    renewal_of: Option<String>,
    needs_approval: bool,
) -> Order<NsExtra> {
    let (now, id) = (kit.now(), format!("ORD{}", kit.ids.next("nameshield.order", 7100)));
    if x.certificate.is_empty() {
        x.certificate = format!("CRT{}", kit.ids.next("nameshield.certificate", 5500));
    }
    let years = x.duration.split_whitespace().next().and_then(|y| y.parse().ok()).unwrap_or(1);
    let names = Name::all(names, &x.method, |h| approver(&x.method, h));
    let (leaf_id, token, coverage_end) = (format!("{id}-1"), kit.token(24), Some(add_years(now.date(), years)));
    let n = NewOrder { id, leaf_id, product, csr, names, token, coverage_end, needs_approval, renewal_of };
    Order::new(n, now, x)
}

/// A name to check: `(name, by email, challenges)`.
type Check = (String, bool, Vec<Challenge>);

/// Let DCV and issuance move on, as Nameshield does on its own (there is no re-check call): with `dcv: auto` a
/// name passes once its order is a second old (the answer to the create still says `CHECKED_OUT`), with `real`
/// when its record or file is in place, with `manual` (and for email names) through the inspection API.
async fn progress(app: &App) {
    let (mode, todo, dns, hosts, now) = {
        let mut st = app.state();
        let (ns, kit) = st.split::<NsState>();
        let now = kit.now();
        let young =
            |o: &Order<NsExtra>| parse_rfc3339(&o.created).is_some_and(|c| now - c < time::Duration::seconds(1));
        let todo: Vec<(String, Vec<Check>)> = ns
            .orders
            .iter()
            .filter(|o| o.stage.is_open() && !(kit.knobs.dcv == DcvMode::Auto && young(o)))
            .map(|o| {
                let names = o.names.iter().filter(|n| !n.validated);
                (o.id.clone(), names.map(|n| (n.name.clone(), n.method == EMAIL, challenge(o, n))).collect())
            })
            .collect();
        (kit.knobs.dcv, todo, kit.dns.clone(), kit.http_hosts.clone(), now)
    };
    let mut passed = Vec::new();
    for (id, names) in todo {
        for name in names {
            if dcv::verify(mode, std::slice::from_ref(&name), (&dns, &hosts)).await == Verdict::Pass {
                passed.push((id.clone(), name.0));
            }
        }
    }
    let mut st = app.state();
    let (ns, _) = st.split::<NsState>();
    for o in ns.orders.iter_mut().filter(|o| o.stage.is_open()) {
        let id = o.id.clone();
        for (_, n) in passed.iter().filter(|(i, _)| *i == id) {
            o.pass_dcv(Some(n));
        }
        let _ = o.settle(&app.ca, now);
    }
}

fn challenge(o: &Order<NsExtra>, n: &Name) -> Vec<Challenge> {
    let bare = dcv::bare(&n.name);
    let record = |name: String, record_type, value: &str| Challenge::Record { name, record_type, value: value.into() };
    match n.method.as_str() {
        "VALIDATE_DNS" => vec![record(format!("_dnsauth.{bare}"), "TXT", &o.token)],
        "VALIDATE_DNS_CNAME" => vec![record(format!("{}.{bare}", o.token), "CNAME", CNAME_TARGET)],
        "VALIDATE_HTTP" => {
            vec![Challenge::File { host: bare, path: HTTP_PATH.into(), content: o.token.clone(), contains: false }]
        }
        _ => Vec::new(),
    }
}

fn not_found(what: &str, id: &str, object: bool) -> Response {
    fail(vec![e(404, "Not Found", format!("{what} {id} does not exist."))], object)
}

const CERTIFICATES: Route = ("/certificates", || get(certificates));
async fn certificates(AxState(app): AxState<App>, headers: HeaderMap, Query(q): Query<Q>) -> Response {
    progress(&app).await;
    let mut st = app.state();
    let (ns, _) = st.split::<NsState>();
    let num = |k: &str, d: usize| q.get(k).and_then(|v| v.parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(d);
    let (page, size) = (num("page[number]", 1), num("page[size]", 10).min(100));
    let (b, f) = (base(&headers), fieldset(&q, "certificate"));
    let ids = ns.cert_ids();
    let items = ids.iter().skip((page - 1) * size).take(size);
    let items = items.map(|id| cert_json(id, &ns.cert(id), &app.ca, &b, f.as_deref())).collect();
    let next = (ids.len() > page * size)
        .then(|| format!("{b}/certificates?page%5Bnumber%5D={}&page%5Bsize%5D={size}", page + 1));
    list(items, next)
}

const REVOKE: Route = ("/certificates/{id}/revoke", || post(revoke));
async fn revoke(AxState(app): AxState<App>, Path(id): Path<String>) -> Response {
    let mut st = app.state();
    let (ns, _) = st.split::<NsState>();
    let object = ns.object_errors("/certificates");
    let orders = ns.cert(&id);
    if orders.is_empty() {
        return not_found("Certificate", &id, object);
    }
    let (status, shown) = cert_state(&orders);
    let Some(oid) = shown.map(|o| o.id.clone()).filter(|_| status == "ACTIVE") else {
        return fail(vec![e(422, "Invalid state", format!("certificate {id} is {status}, not ACTIVE"))], object);
    };
    match ns.orders.iter_mut().find(|o| o.id == oid).map(|o| o.revoke(None)) {
        Some(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        _ => fail(vec![e(422, "Invalid state", format!("certificate {id} cannot be revoked"))], object),
    }
}

const SHOW: Route = ("/{kind}/{id}", || get(show));
const SHOW_2: Route = ("/{kind}/{id}/{rel}", || get(show));
/// `GET /orders/{id}`, `/orders/{id}/contacts`, `/certificates/{id}`, `/certificates/{id}/current-order`,
/// `/domains/{id}`.
async fn show(
    AxState(app): AxState<App>,
    headers: HeaderMap,
    Path(p): Path<Vec<String>>,
    Query(q): Query<Q>,
) -> Response {
    progress(&app).await;
    let mut st = app.state();
    let (ns, _) = st.split::<NsState>();
    let (b, ca) = (base(&headers), &app.ca);
    let (kind, id, rel) = (p[0].as_str(), p[1].as_str(), p.get(2).map_or("", String::as_str));
    let order = |o: &Order<NsExtra>| one(order_json(o, ca, &b, fieldset(&q, "order").as_deref()));
    let found = match (kind, rel) {
        ("orders", "") => ns.order(id).map(order),
        ("orders", "contacts") => ns.order(id).map(|o| contacts(o, &b)),
        ("certificates", "current-order") => ns.cert(id).last().map(|o| order(o)),
        ("certificates", "") => {
            ns.cert(id).last().map(|_| one(cert_json(id, &ns.cert(id), ca, &b, fieldset(&q, "certificate").as_deref())))
        }
        ("domains", "") => {
            let (oid, i) = id.rsplit_once('-').unwrap_or_default();
            let i = i.parse::<usize>().unwrap_or(0);
            ns.order(oid).filter(|o| (1..=o.names.len()).contains(&i)).map(|o| one(domain_json(o, i - 1, &b)))
        }
        _ => {
            return fail(vec![e(404, "Not Found", format!("The route /{kind}/{id}/{rel} could not be found."))], false);
        }
    };
    found.unwrap_or_else(|| not_found(kind.trim_end_matches('s'), id, ns.object_errors(&format!("/{kind}"))))
}

/// An order's contacts.
fn contacts(o: &Order<NsExtra>, b: &str) -> Response {
    let known = o.x.contacts.iter().filter_map(|(cid, _)| CONTACTS.iter().find(|c| c.0 == cid));
    let items = known.map(|(cid, first, last, email)| {
        let attrs = json!({"first_name": first, "last_name": last, "email": email});
        resource(b, ("contact", "contacts", cid), attrs, &[], json!({}), None)
    });
    list(items.collect(), None)
}

const ERROR_SHAPE: Route = ("/_sandbox/error-shape", || put(error_shape));
/// `PUT /ssl/v2/_sandbox/error-shape` `{"route": "/orders", "shape": "object" | "jsonapi"}`.
async fn error_shape(AxState(app): AxState<App>, body: Bytes) -> Response {
    let mut st = app.state();
    let (ns, _) = st.split::<NsState>();
    let v = json_body(&body).unwrap_or_default();
    let (Some(route), Some(shape)) = (v["route"].as_str(), v["shape"].as_str()) else {
        return fail(vec![e(422, "Invalid document", "give `route` and `shape` (`object` or `jsonapi`)")], false);
    };
    ns.object_errors.retain(|r| r != route);
    if shape == "object" {
        ns.object_errors.push(route.to_owned());
    }
    api_json(StatusCode::OK, json!({"object_errors": ns.object_errors}))
}
