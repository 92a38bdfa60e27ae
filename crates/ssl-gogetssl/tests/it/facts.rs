//! The GoGetSSL facts the provider notes list (9–18), one test each.

use serde_json::json;
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::validate::Validate;
use ssl_core::{ErrorKind, Provider};
use ssl_gogetssl::generated::{self as g, ops, requests};
use ssl_gogetssl::neutral::{DCV_TABLE, build_order_request, resolve_contacts, to_neutral};
use ssl_gogetssl::rules;

use crate::common::*;

fn form(req: &ssl_core::HttpRequest) -> Vec<String> {
    let v = serde_json::to_value(&req.body).unwrap();
    v["form"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_owned()).collect()
}

fn has(lines: &[String], line: &str) -> bool {
    lines.iter().any(|l| l == line)
}

fn wire(spec: &OrderSpec) -> g::AddSslOrderRequest {
    let mut problems = Vec::new();
    let o = build_order_request(&resolve_contacts(spec), &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    o
}

fn details(id: i64) -> g::ProductDetails {
    products().into_iter().find(|p| p.id == id).unwrap()
}

fn codes(problems: &[ssl_core::Problem]) -> Vec<String> {
    problems.iter().map(|p| format!("{}:{}", p.code, p.field.clone().unwrap_or_default())).collect()
}

/// 9: `auth_key` goes in the query string, never in the body; the body is form-encoded.
#[tokio::test]
async fn fact_09_auth_key_in_the_query_and_a_form_body() {
    let (c, mock) = mock_client();
    reply_login(&mock, CANARY_KEY);
    mock.reply_json(200, json!({"message": "ok", "success": true}));
    c.send(&ops::Revalidate::new("42", g::RevalidateRequest::new("shop.example.com"))).await.unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs[0].url, "https://my.gogetssl.com/api/auth/", "the login itself carries no key");
    assert_eq!(reqs[1].url, "https://my.gogetssl.com/api/orders/ssl/revalidate/42?auth_key=[redacted]");
    assert_eq!(reqs[1].body, "domain=shop.example.com");
    assert!(!reqs[1].body.contains("auth_key"));
    for r in &reqs {
        assert!(r.headers.iter().any(|(k, v)| k == "content-type" && v == "application/x-www-form-urlencoded"));
        assert!(r.secret_header_names.is_empty(), "no credential header");
    }
    let req = requests::add_ssl_order(&dv_order("CSR"));
    assert!(req.query.is_empty() && !form(&req).iter().any(|l| l.starts_with("auth_key")));
    assert_eq!(req.body.content_type(), Some("application/x-www-form-urlencoded"));
}

/// 10: `{"error":true,...}` is a failure even with HTTP 200; `message` and `description` are exposed.
#[tokio::test]
async fn fact_10_errors_inside_http_200() {
    let (c, mock) = mock_client();
    reply_login(&mock, "k");
    mock.reply_json(
        200,
        json!({"error": true, "message": "Order not found", "description": "No order 9 in this account"}),
    );
    let e = c.send(&ops::OrderStatus::new("9")).await.unwrap_err();
    let p = e.provider_error().unwrap();
    assert_eq!((p.status, p.message.as_str()), (200, "Order not found"));
    assert_eq!(p.description.as_deref(), Some("No order 9 in this account"));
    assert_eq!(e.kind(), ErrorKind::Provider);
}

/// 11: `period` is in months; `server_count` is -1 for unlimited.
#[test]
fn fact_11_period_in_months_and_unlimited_servers() {
    let spec = OrderSpec::new("101", "a.example.com", DcvMethod::Dns).term_months(24).csr(csr(&["a.example.com"]));
    let o = wire(&spec.contacts(dv_contacts()));
    let lines = form(&requests::add_ssl_order(&o));
    assert!(has(&lines, "period=24"), "{lines:?}");
    assert!(has(&lines, "server_count=-1"), "{lines:?}");
    let mut zero = dv_order("CSR");
    zero.server_count = 0;
    assert!(codes(&rules::wire_rules(&zero, None, None)).contains(&"range:server_count".into()));
    let mut twelve = dv_order("CSR");
    twelve.period = 36;
    let c = codes(&rules::wire_rules(&twelve, None, Some(&details(101))));
    assert!(c.contains(&"period_not_offered:period".into()), "only the product's periods (12, 24): {c:?}");
}

/// 12: `dcv_method` is email, http, https or dns; `approver_email` only with email.
#[test]
fn fact_12_dcv_methods_and_approver_email_only_with_email() {
    assert_eq!(g::DcvMethod::VALUES, ["email", "http", "https", "dns"]);
    let mut bad = dv_order("CSR");
    bad.dcv_method = g::DcvMethod::Unknown("cname".into());
    assert!(bad.validate().iter().any(|p| p.field.as_deref() == Some("dcv_method")));
    let dns_with_approver = dv_order("CSR").approver_email("admin@example.com");
    assert!(
        codes(&rules::wire_rules(&dns_with_approver, None, None)).contains(&"field_not_allowed:approver_email".into())
    );
    let mut email_without = dv_order("CSR");
    email_without.dcv_method = g::DcvMethod::Email;
    assert!(codes(&rules::wire_rules(&email_without, None, None)).contains(&"field_required:approver_email".into()));
    // The neutral mapping sends it only for email.
    let base = OrderSpec::new("101", "a.example.com", DcvMethod::Dns)
        .contacts(dv_contacts())
        .approver_email("*", "admin@example.com");
    assert!(wire(&base).approver_email.is_none());
    let email = base.dcv(DcvMethod::Email);
    assert_eq!(wire(&email).approver_email.as_deref(), Some("admin@example.com"));
    assert_eq!(DCV_TABLE.wire(DcvMethod::DnsCname), Some("dns"));
    assert_eq!(DCV_TABLE.wire(DcvMethod::DnsTxt), None);
}

/// 13: `dns_names` comma-joined without the primary; `approver_emails` one per `dns_names` entry, without the
/// primary's address.
#[test]
fn fact_13_dns_names_and_approver_emails() {
    let spec = OrderSpec::new("102", "shop.example.com", DcvMethod::Email)
        .contacts(dv_contacts())
        .san("www.shop.example.com")
        .san("shop.example.com")
        .san("mail.shop.example.com")
        .dcv_for("mail.shop.example.com", DcvMethod::Dns)
        .approver_email("shop.example.com", "admin@shop.example.com")
        .approver_email("www.shop.example.com", "webmaster@shop.example.com");
    let o = wire(&spec);
    let lines = form(&requests::add_ssl_order(&o));
    assert!(has(&lines, "dns_names=www.shop.example.com,mail.shop.example.com"), "{lines:?}");
    assert!(has(&lines, "approver_emails=webmaster@shop.example.com,dns"), "{lines:?}");
    assert!(has(&lines, "approver_email=admin@shop.example.com"), "{lines:?}");
    // On the wire the list is one comma-joined field.
    assert!(o.approver_emails.as_ref().unwrap().len() == o.dns_names.as_ref().unwrap().len());
    let short = o.clone().approver_emails(vec!["dns".to_string()]);
    assert!(codes(&rules::wire_rules(&short, None, None)).contains(&"approver_emails_count:approver_emails".into()));
    let with_primary = o.clone().dns_names(vec!["shop.example.com".to_string(), "www.shop.example.com".to_string()]);
    assert!(
        codes(&rules::wire_rules(&with_primary, Some("shop.example.com"), None))
            .contains(&"primary_in_dns_names:dns_names".into())
    );
    let comma = o.dns_names(vec!["a.example.com,b.example.com".to_string(), "c.example.com".to_string()]);
    assert!(
        comma.validate().iter().any(|p| p.field.as_deref() == Some("dns_names[0]")),
        "a comma cannot hide in a name"
    );
}

/// 14: `dns_names` must be absent for non-SAN products.
#[test]
fn fact_14_no_dns_names_for_single_name_products() {
    let o = dv_order("CSR").dns_names(vec!["www.a.example.com".to_string()]).approver_emails(vec!["dns".to_string()]);
    let c = codes(&rules::wire_rules(&o, Some("a.example.com"), Some(&details(101))));
    assert!(c.contains(&"field_not_allowed:dns_names".into()), "{c:?}");
    let mut san = o.clone();
    san.product_id = 102;
    assert!(
        !codes(&rules::wire_rules(&san, Some("a.example.com"), Some(&details(102))))
            .iter()
            .any(|c| c.ends_with(":dns_names"))
    );
    let single = wire(&OrderSpec::new("101", "a.example.com", DcvMethod::Dns).contacts(dv_contacts()));
    assert!(single.dns_names.is_none() && single.approver_emails.is_none());
    assert!(
        !form(&requests::add_ssl_order(&single))
            .iter()
            .any(|l| l.starts_with("dns_names") || l.starts_with("approver_emails"))
    );
}

/// 15: organisation/admin fields for OV/EV, not DV; `admin_title` and `tech_title` always.
#[test]
fn fact_15_ov_ev_fields_and_titles() {
    let mut dv = dv_order("CSR");
    let c = codes(&rules::wire_rules(&dv, None, Some(&details(101))));
    assert!(!c.iter().any(|c| c.starts_with("field_required")), "{c:?}");
    dv.admin_title = String::new();
    dv.tech_title = " ".into();
    let fields: Vec<String> = dv.validate().into_iter().filter_map(|p| p.field).collect();
    assert!(fields.contains(&"admin_title".into()) && fields.contains(&"tech_title".into()), "{fields:?}");
    let mut ov = dv_order("CSR");
    ov.product_id = 104;
    let c = codes(&rules::wire_rules(&ov, None, Some(&details(104))));
    for f in [
        "admin_organization",
        "admin_city",
        "admin_fax",
        "tech_organization",
        "org_name",
        "org_region",
        "org_postalcode",
    ] {
        assert!(c.contains(&format!("field_required:{f}")), "OV needs {f}: {c:?}");
    }
    let mut ev = dv_order("CSR");
    ev.product_id = 105;
    let c = codes(&rules::wire_rules(&ev, None, Some(&details(105))));
    assert!(c.contains(&"field_required:org_name".into()) && c.contains(&"field_required:tech_city".into()));
    assert!(!c.contains(&"field_required:admin_city".into()), "the seed marks admin_city for OV only: {c:?}");
    assert!(!c.contains(&"field_required:org_region".into()), "the seed marks org_region for OV only");
}

/// 16: mixed types (`tax` "0.00", `order_amount` 0) and every `approver_method` shape decode.
#[test]
fn fact_16_mixed_types_and_approver_methods() {
    let created: g::AddSslOrderResponse = serde_json::from_value(seed_answer()).unwrap();
    assert_eq!((created.order_amount, created.tax.as_deref()), (Some(0.0), Some("0.00")));
    assert_eq!(created.order_id, Some(783956));
    let http = created.approver_method.as_ref().unwrap().http.as_ref().unwrap();
    assert!(http.content.as_deref().unwrap().contains("\r\nCOMODOCA.COM\r\n"));
    let mut st = crate::common::status_answer(1, "processing");
    st["approver_method"] = json!({
        "dns": {"record": "_37D0C93EE263FF9EEEA799215A9C3225.shop.example.com CNAME d30c576bf9eb30a75211cb799848ee5c.abfce3d8ee13212a57c9b7e42ef9baa2.t0837512001533895392.comodoca.com"}
    });
    st["san"] = json!([
        {"san_name": "www.shop.example.com", "validation_method": "https", "status": 1,
         "validation": {"https": {"link": "https://www.shop.example.com/.well-known/pki-validation/AB.txt", "filename": "AB.txt", "content": "x"}}},
        {"san_name": "mail.shop.example.com", "validation_method": "email", "email": "admin@shop.example.com", "status": "2"},
        {"san_name": "api.shop.example.com", "validation_method": "admin@shop.example.com", "status": 1}
    ]);
    let order = to_neutral(&serde_json::from_value(st).unwrap()).unwrap();
    let dns = order.dcv[0].dns().unwrap();
    assert_eq!(
        (dns.name.as_str(), dns.record_type.as_str()),
        ("_37d0c93ee263ff9eeea799215a9c3225.shop.example.com", "CNAME")
    );
    assert!(dns.value.ends_with(".comodoca.com"));
    let https = order.dcv[1].http().unwrap();
    assert_eq!(https.url, "https://www.shop.example.com/.well-known/pki-validation/AB.txt");
    assert_eq!(order.dcv[2].approvers().unwrap(), ["admin@shop.example.com"]);
    assert_eq!(order.dcv[2].status, ssl_core::model::DcvStatus::Valid);
    assert_eq!(order.dcv[3].method(), Some(DcvMethod::Email), "an address as the method is email DCV");
    assert_eq!(order.dcv[3].approvers().unwrap(), ["admin@shop.example.com"]);
    let email_obj: g::ApproverMethod = serde_json::from_value(json!({"email": {"email": "a@b.example"}})).unwrap();
    let i = ssl_gogetssl::neutral::instruction(
        "b.example",
        "email",
        Some(&email_obj),
        None,
        ssl_core::model::DcvStatus::Pending,
    );
    assert_eq!(i.approvers().unwrap(), ["a@b.example"]);
}

/// 17: `only_validate` is the dry-run switch: `quote` sends it as `1` (the official client's `http_build_query`
/// of `true`), once, like a spend, and nothing is placed.
#[tokio::test]
async fn fact_17_only_validate_backs_quote() {
    let (c, mock) = mock_client();
    reply_login(&mock, "k");
    mock.reply_json(200, json!({"success": true, "order_amount": "18.50", "currency": "EUR"}));
    let spec = OrderSpec::new("101", "a.example.com", DcvMethod::Dns)
        .contacts(dv_contacts())
        .term_months(24)
        .csr(csr(&["a.example.com"]));
    let q = c.quote(&spec).await.unwrap();
    assert!(q.validated);
    assert_eq!((q.price.as_deref(), q.currency.as_deref()), (Some("18.50"), Some("EUR")));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2, "login and the validation only");
    assert!(reqs[1].url.starts_with("https://my.gogetssl.com/api/orders/add_ssl_order/?auth_key="));
    assert!(reqs[1].body.ends_with("&only_validate=1"), "{}", reqs[1].body);
    assert!(!reqs[1].body.contains("only_validate=true"));
    assert!(c.capabilities().supports(ssl_core::model::Verb::Quote));
}

/// A quote answered with an `order_id` placed an order: it is reported as one (exit 7 with the id), never lost,
/// and never sent again.
#[tokio::test]
async fn a_quote_answered_with_an_order_id_is_a_placed_order() {
    let (c, mock) = mock_client();
    reply_login(&mock, "k");
    mock.reply_json(200, json!({"success": true, "order_id": "4242", "order_amount": "18.50"}));
    let spec =
        OrderSpec::new("101", "a.example.com", DcvMethod::Dns).contacts(dv_contacts()).csr(csr(&["a.example.com"]));
    let e = c.quote(&spec).await.unwrap_err();
    assert_eq!(e.kind(), ssl_core::ErrorKind::PlacedUnreadable, "{e}");
    assert_eq!(e.placed().unwrap().order_id.as_deref(), Some("4242"));
    assert_eq!(mock.requests().len(), 2, "login and the quote, sent once");
}

/// 18: `POST /auth/` with `user` and `pass` returns `key`.
#[tokio::test]
async fn fact_18_login_returns_the_key() {
    let (c, mock) = mock_client();
    reply_login(&mock, CANARY_KEY);
    c.login().await.unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.method, ssl_core::Method::Post);
    assert_eq!(r.url, "https://my.gogetssl.com/api/auth/");
    assert_eq!(r.body, format!("user=reseller%40example.com&pass={CANARY_PASS}"));
    let auth: g::AuthResponse = serde_json::from_value(json!({"key": "abc", "success": true})).unwrap();
    assert_eq!(auth.key.as_deref(), Some("abc"));
    assert_eq!(c.logins().await, 1);
}

/// The generated typed accessors (`ssl_core::facts::Fields`) read every field as the value's JSON shows it, and
/// the `x-rules`, the product facts and the per-SAN rule give over them exactly what they give over the JSON.
#[test]
fn typed_accessors_read_what_the_json_shows() {
    use ssl_core::facts::{Fields, check_rules};
    fn same<T: Fields + serde::Serialize>(v: &T) -> serde_json::Value {
        let json = serde_json::to_value(v).unwrap();
        for (k, want) in json.as_object().unwrap() {
            assert_eq!(v.field(k).to_json().as_ref(), want, "{k}");
        }
        assert!(v.field("no_such_field").is_null());
        json
    }
    let san = |o: g::AddSslOrderRequest, names: &[&str], entries: &[&str]| {
        o.dns_names(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .approver_emails(entries.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    };
    let ov = wire(&OrderSpec::new("104", "a.example.com", DcvMethod::Email).contacts(ov_contacts()));
    let mut orders = vec![
        dv_order(csr(&["a.example.com"])),
        dv_order("CSR").only_validate(true),
        dv_order("CSR").only_validate(false).approver_email("admin@a.example.com"),
        san(dv_order("CSR"), &["*.a.example.com", "b.example.com", "B.example.com "], &["http", "dns"]),
        san(dv_order("CSR"), &["b.example.com"], &["admin@b.example.com"]).approver_email("x@a.example.com"),
        dv_order("").approver_emails(vec!["dns".to_string()]),
        ov.clone(),
        g::AddSslOrderRequest { period: 48, server_count: 0, dcv_method: g::DcvMethod::Http, ..ov },
        g::AddSslOrderRequest::default(),
    ];
    orders[0].signature_hash = Some(g::SignatureHash::Sha2);
    orders[0].dcv_method = g::DcvMethod::Unknown(" EMAIL ".into());
    let mut products = products();
    products.push(g::ProductDetails::default());
    products.push(g::ProductDetails::new(9).max_period(36).org_required(true).dcv_email(false).dcv_http(true));
    let fmt = |p: &[ssl_core::Problem]| format!("{p:?}");
    for p in &products {
        let pj = same(p);
        let id = p.id.to_string();
        assert_eq!(rules::FACTS.rules(&id, p), rules::FACTS.rules(&id, &pj));
        for months in [12, 24, 36] {
            assert_eq!(rules::FACTS.price_of(p, months), rules::FACTS.price_of(&pj, months));
        }
        for o in &orders {
            let oj = same(o);
            let (mut typed, mut json) = (Vec::new(), Vec::new());
            check_rules(o, g::AddSslOrderRequest::RULES, "order", &mut typed);
            check_rules(&oj, g::AddSslOrderRequest::RULES, "order", &mut json);
            assert_eq!(fmt(&typed), fmt(&json));
            let f = &rules::ORDER;
            for primary in [None, Some("*.a.example.com")] {
                assert_eq!(
                    fmt(&rules::FACTS.check_order((&id, p), o, f, primary, &DCV_TABLE)),
                    fmt(&rules::FACTS.check_order((&id, &pj), &oj, f, primary, &DCV_TABLE)),
                    "{id} {o:?}"
                );
            }
            assert_eq!(
                rules::FACTS.per_san_problem(&id, p, o, f).map(|p| p.message),
                rules::FACTS.per_san_problem(&id, &pj, &oj, f).map(|p| p.message)
            );
        }
    }
    // What the rules found over these orders is not nothing (the comparison above compares failures too).
    let mut found = Vec::new();
    for o in &orders {
        check_rules(o, g::AddSslOrderRequest::RULES, "", &mut found);
    }
    let found: std::collections::BTreeSet<String> = found.into_iter().map(|p| p.code).collect();
    assert!(found.len() >= 5, "{found:?}");
}
