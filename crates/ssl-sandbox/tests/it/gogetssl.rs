//! The GoGetSSL wire protocol over HTTP: auth with errors in HTTP 200, form parsing errors, the route and fault
//! shapes, key expiry, an order's way from `processing` to `active`, and the 45-day rule.

use serde_json::{Value, json};

use ssl_sandbox::gogetssl::{PASSWORD, USER};
use ssl_sandbox::{Fault, Knobs, Sandbox, SandboxConfig, SandboxHandle};

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
    let (s, v) = post(sb, "/auth/", None, FORM, format!("user={}&pass={}", USER, PASSWORD)).await;
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
    let mut pairs: Vec<(&str, &str)> =
        vec![("period", "12"), ("csr", &csr), ("server_count", "-1"), ("webserver_type", "1"), ("dcv_method", "dns")];
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
    let (s, v) = post(&sb, "/auth/", None, FORM, format!("user={}&pass=nope", USER)).await;
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
async fn the_balance_knob_sets_the_starting_balance() {
    let sb = start().await;
    let key = login(&sb).await;
    sb.set_knobs(Knobs { balance: Some(25_000.0), ..sb.knobs() });
    assert_eq!(get(&sb, "/account/balance/", &key).await.1["balance"], "25000.00");
    sb.set_knobs(Knobs { balance: Some(0.0), ..sb.knobs() });
    assert_eq!(get(&sb, "/account/balance/", &key).await.1["balance"], "0.00");
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
    let body =
        order_form(101, "a.example.com", &[("dns_names", "a.example.com,b.example.com"), ("approver_emails", "dns")])
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
    let (_, v) = post(&sb, "/orders/add_ssl_order/", Some(&key), FORM, order_form(101, "a.example.com", &[])).await;
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
        post(&sb, &format!("/orders/ssl/revalidate/{id}"), Some(&key), FORM, "domain=a.example.com".into()).await;
    assert_eq!(r["success"], true, "{r}");
    let (_, st) = get(&sb, &format!("/orders/status/{id}"), &key).await;
    assert_eq!((st["status"].clone(), st["dcv_status"].clone()), (json!("active"), json!(2)));
    assert!(st["crt_code"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
    assert_eq!(st["ca_code"].as_str().unwrap().matches("BEGIN CERTIFICATE").count(), 2);
    let (_, c) = post(&sb, "/orders/cancel_ssl_order/", Some(&key), FORM, format!("order_id={id}&reason=test")).await;
    assert_eq!(c["success"], true, "refund window: {c}");
}

#[tokio::test]
async fn routes_faults_and_the_45_day_rule() {
    let sb = start().await;
    let key = login(&sb).await;
    let r = http().get(format!("{}/nope?auth_key={key}", sb.base_url("gogetssl").unwrap())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!((v["error"].clone(), v["message"].clone()), (json!(true), json!("Method not found")));
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
    let (_, v) = post(&sb, "/orders/add_ssl_order/", Some(&key), FORM, order_form(101, "old.example.com", &[])).await;
    let id = v["order_id"].as_i64().unwrap();
    sb.advance_clock(std::time::Duration::from_secs(46 * 86_400));
    let (_, st) = get(&sb, &format!("/orders/status/{id}"), &key).await;
    assert_eq!(st["status"], "cancelled");
    let (_, b) = get(&sb, "/account/balance/", &key).await;
    assert_eq!(b["balance"], "1000.00", "refunded");
}
