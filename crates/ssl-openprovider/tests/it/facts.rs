//! One test per numbered Openprovider fact of `shared/providers/openprovider-rtr.md` §3 (1–10), plus the
//! User-Agent decision of issue 13.

use serde_json::{Value, json};
use ssl_core::model::{DcvMethod, OrderStatus};
use ssl_core::validate::Validate;
use ssl_core::{ErrorKind, Provider};
use ssl_openprovider::generated::{self as g, requests};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn body_of(req: &ssl_core::HttpRequest) -> Value {
    match req.body.json_value() {
        Some(value) => value,
        None => panic!("not JSON: {:?}", req.body),
    }
}

/// Fact 1: create sends snake_case JSON to `{host}/v1beta/ssl/orders` with `Authorization: Bearer <token>`.
#[tokio::test]
async fn fact_01_create_is_snake_case_json_with_a_bearer_token() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    mount_product(&server, "product_single.json", "5").await;
    Mock::given(method("POST"))
        .and(path("/v1beta/ssl/orders"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ok(json!({"id": 31027})))
        .expect(1)
        .mount(&server)
        .await;
    mount_order(&server, "31027", "order_req_dns.json").await;
    provider(&server).place(&spec("5", &["example.com"], DcvMethod::Dns)).await.unwrap();
    let sent = &bodies(&server, "POST", "/v1beta/ssl/orders").await[0];
    for key in sent.as_object().unwrap().keys() {
        assert!(key.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{key} is snake_case");
    }
    assert!(sent.get("organization_handle").is_some() && sent.get("domain_validation_methods").is_some());
}

/// Fact 2: integers are integers, booleans booleans, `autorenew` the string `on`/`off`.
#[test]
fn fact_02_wire_types() {
    let w = g::CreateOrderRequest::new(5, 1, "csr", g::SoftwareId::Linux, g::SignatureHashAlgorithm::Sha2, "XY1-NL")
        .domain_amount(3)
        .wildcard_domain_amount(1)
        .start_provision(true)
        .enable_dns_automation(false)
        .autorenew(g::Autorenew::On);
    let b = body_of(&requests::create_order(&w));
    for k in ["product_id", "period", "domain_amount", "wildcard_domain_amount"] {
        assert!(b[k].is_i64(), "{k}: {}", b[k]);
    }
    assert_eq!((b["start_provision"].clone(), b["enable_dns_automation"].clone()), (json!(true), json!(false)));
    assert_eq!(b["autorenew"], "on");
}

/// Fact 3: `domain_validation_methods` is `[{"host_name","method"}]`, and every method of email|dns|http|https is
/// accepted, one entry per name.
#[tokio::test]
async fn fact_03_domain_validation_methods_per_name() {
    for m in [DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http, DcvMethod::Https] {
        let spec = spec("32", &["a.example.com", "b.example.com"], m).approver_email("*", "admin@example.com");
        let b = body_of(&offline_provider().prepare(&spec).await.unwrap().request);
        assert_eq!(
            b["domain_validation_methods"],
            json!([{"host_name": "a.example.com", "method": m.as_str()}, {"host_name": "b.example.com", "method": m.as_str()}])
        );
    }
    assert!(g::DcvMethod::VALUES == ["email", "dns", "http", "https"]);
}

/// Fact 4: unset optionals are omitted, and the client enforces what the spec does not mark required.
#[tokio::test]
async fn fact_04_no_empty_optionals_and_local_required_fields() {
    let w = g::CreateOrderRequest::default();
    let fields: Vec<String> = w.validate().into_iter().filter_map(|p| p.field).collect();
    for f in ["product_id", "period", "csr", "software_id", "organization_handle"] {
        assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
    }
    let b = body_of(&offline_provider().prepare(&spec("5", &["example.com"], DcvMethod::Dns)).await.unwrap().request);
    for absent in
        ["technical_handle", "approver_email", "host_names", "domain_amount", "autorenew", "enable_dns_automation"]
    {
        assert!(b.get(absent).is_none(), "{absent} sent: {b}");
    }
    let server = MockServer::start().await;
    let mut no_handle = spec("5", &["example.com"], DcvMethod::Dns);
    no_handle.options.clear();
    let e = provider(&server).prepare(&no_handle).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("organization_handle"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty(), "checked before logging in");
}

/// Fact 5: login sends `{"username","password","ip"}` and reads `data.token`; code 196 (any status) or 401 on a
/// read logs in again once.
#[tokio::test]
async fn fact_05_login_body_and_one_relogin() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    Mock::given(method("GET"))
        .and(path("/v1beta/ssl/orders/31027"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture("error_196_no_data.json")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_order(&server, "31027", "order_pai.json").await;
    let p = provider(&server);
    assert_eq!(p.get("31027").await.unwrap().status, OrderStatus::Draft);
    assert_eq!(p.client.logins().await, 2);
    let login = &bodies(&server, "POST", "/v1beta/auth/login").await[0];
    assert_eq!(login["password"], CANARY_PASS);
    assert_eq!(login["ip"], "0.0.0.0");
    assert!(login["username"].as_str().unwrap().starts_with(USER));
    assert_eq!(login.as_object().unwrap().len(), 3, "{login}");
}

/// Fact 6: `{"code":0,"data":{"id":1},"desc":""}` gives order id 1; `maintenance` and `warnings` are tolerated
/// (and shown).
#[test]
fn fact_06_create_answer() {
    let a: g::CreateOrderResponse = serde_json::from_value(fixture("create_ok.json")).unwrap();
    assert_eq!(a.data.unwrap().id, 1);
    let a: g::CreateOrderResponse = serde_json::from_value(fixture("create_ok_id_string_warnings.json")).unwrap();
    assert_eq!(a.data.unwrap().id, 31027);
    assert_eq!(a.maintenance, Some(true));
    assert_eq!(a.warnings.unwrap()[0].code, Some(1100));
}

/// Fact 7: non-200 or `code != 0` is an error; `{code, desc, data}` parsed; `data` may be empty, null, absent or an
/// object; the code is kept.
#[test]
fn fact_07_errors() {
    let decode = ssl_openprovider::error::decode;
    for (name, status, code) in [
        ("error_ssl_product.json", 200, "1001"),
        ("error_309_contract.json", 500, "309"),
        ("error_10005_user_agent.json", 400, "10005"),
        ("error_data_object.json", 200, "1014"),
        ("error_196_no_data.json", 500, "196"),
    ] {
        let body = serde_json::to_vec(&fixture(name)).unwrap();
        let e = decode("openprovider", status, &body).unwrap_or_else(|| panic!("{name} is an error"));
        assert_eq!(e.code.as_deref(), Some(code), "{name}");
        assert!(e.definite, "{name}: a parseable envelope is a definite refusal");
        assert_eq!(e.auth_failure, code == "196");
    }
    assert!(decode("openprovider", 200, &serde_json::to_vec(&fixture("create_ok.json")).unwrap()).is_none());
    assert!(decode("openprovider", 500, b"Internal Server Error").is_some_and(|e| !e.definite));
}

/// Fact 8: every status reads (unknown ones kept raw), odd dates never fail, certificates are empty until issued.
#[test]
fn fact_08_get_order_shapes() {
    for (name, want) in [
        ("order_pai.json", OrderStatus::Draft),
        ("order_req_dns.json", OrderStatus::PendingValidation),
        ("order_req_validated.json", OrderStatus::Processing),
        ("order_req_email.json", OrderStatus::Processing),
        ("order_act.json", OrderStatus::Issued),
        ("order_fai.json", OrderStatus::Cancelled),
        ("order_unknown_status.json", OrderStatus::Unknown),
    ] {
        let a: g::GetOrderResponse = serde_json::from_value(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let o = ssl_openprovider::wire::order(&a.data.unwrap());
        assert_eq!(o.status, want, "{name}");
        assert_eq!(o.certificate.is_some(), want == OrderStatus::Issued, "{name}");
    }
    let a: g::GetOrderResponse = serde_json::from_value(fixture("order_unknown_status.json")).unwrap();
    let o = ssl_openprovider::wire::order(&a.data.unwrap());
    assert_eq!((o.provider_status.as_str(), o.created), ("HLD", None));
    let a: g::GetOrderResponse = serde_json::from_value(fixture("order_act.json")).unwrap();
    let d = a.data.unwrap();
    assert_eq!(ssl_openprovider::wire::coverage_ends(&d).unwrap().to_string(), "2027-11-29");
    assert_eq!(ssl_openprovider::wire::date(Some("2019-01-01 0:00:01")).unwrap().to_string(), "2019-01-01");
    assert_eq!(ssl_openprovider::wire::date(Some("0000-00-00 00:00:00")), None);
    assert_eq!(ssl_openprovider::wire::date(Some("")), None);
    assert_eq!(d.vendor_order_id.as_deref(), Some("1873456012"), "an integer vendor id reads as text");
}

/// Fact 9: renew, cancel and reissue bodies carry `"id": <int>` as well as the path id.
#[test]
fn fact_09_bodies_carry_the_id() {
    let reqs = [
        requests::renew_order("7", &g::RenewOrderRequest::new(7)),
        requests::cancel_order("7", &g::CancelOrderRequest::new(7)),
        requests::reissue_order("7", &g::ReissueOrderRequest::new(7, "csr")),
    ];
    for r in reqs {
        assert!(r.path.starts_with("/ssl/orders/7/"), "{}", r.path);
        assert_eq!(body_of(&r)["id"], json!(7));
    }
}

/// Fact 10: the CTE and production base URLs never end up with a doubled `/v1beta`.
#[test]
fn fact_10_base_urls_are_not_doubled() {
    for base in [ssl_openprovider::PRODUCTION, ssl_openprovider::TEST, "https://api.openprovider.eu/v1beta/"] {
        let url = url::Url::parse(base).unwrap();
        let full = requests::get_order("1").render_redacted(&url, &[]);
        assert_eq!(full.matches("/v1beta").count(), 1, "{full}");
        assert!(full.contains("/v1beta/ssl/orders/1"), "{full}");
    }
    assert_eq!(ssl_openprovider::DESCRIPTOR.base_url(ssl_core::Environment::Test).unwrap(), ssl_openprovider::TEST);
}

/// Issue 13's decision: Openprovider answered code 10005 to a custom User-Agent, so the descriptor sets none.
#[test]
fn no_custom_user_agent() {
    assert_eq!(ssl_openprovider::DESCRIPTOR.user_agent, None);
}
