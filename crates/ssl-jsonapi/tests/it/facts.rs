//! One test per numbered Nameshield fact of `providers/nameshield-gogetssl-digicert.md` §4 (facts 1–8).

use serde_json::{Value, json};
use ssl_core::model::DcvMethod;
use ssl_core::operation::Operation;
use ssl_core::{ErrorKind, Provider};
use ssl_jsonapi::generated::{OrderAction, ops};
use ssl_jsonapi::neutral;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn body_of(req: &ssl_core::HttpRequest) -> Value {
    serde_json::to_value(req).unwrap()["body"]["json"].clone()
}

fn create_body(spec: &ssl_core::model::OrderSpec, action: OrderAction, cert: Option<&str>) -> Value {
    let mut problems = Vec::new();
    let doc = neutral::order_document(spec, action, cert, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    body_of(&ops::CreateOrder::new(doc).request())
}

/// Fact 1: the POST goes to `{base}/orders` with `/ssl/v2` exactly once, with `Authorization: Bearer <token>`.
#[tokio::test]
async fn fact_1_url_and_bearer_header() {
    for (env, url) in [
        (ssl_core::Environment::Production, "https://api.nameshield.net/ssl/v2"),
        (ssl_core::Environment::Test, "https://ote-api.nameshield.net/ssl/v2"),
    ] {
        assert_eq!(ssl_jsonapi::DESCRIPTOR.base_url(env).unwrap(), url);
    }
    let offline = offline();
    let prepared = offline.prepare(&spec()).await.unwrap();
    assert!(prepared.rendered.contains("POST https://api.nameshield.net/ssl/v2/orders"), "{}", prepared.rendered);
    assert_eq!(prepared.rendered.matches("/ssl/v2").count(), 1);

    let server = MockServer::start().await;
    mount(&server, "GET", "/products", 200, fixture("products.json")).await;
    Mock::given(method("POST"))
        .and(path("/ssl/v2/orders"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(201).set_body_raw(fixture("order_created.json").to_string(), JSONAPI))
        .expect(1)
        .mount(&server)
        .await;
    mount(&server, "GET", "/orders/ORD7Q2", 200, fixture("order_checked_out_dcv.json")).await;
    mount(&server, "GET", "/domains/DOM1", 200, fixture("domain_dns.json")).await;
    mount(&server, "GET", "/domains/2", 200, fixture("domain_complete.json")).await;
    mount(&server, "GET", "/domains/DOM3", 404, fixture("error_404.json")).await;
    let c = client(&server);
    let order = c.place_prepared(&c.prepare(&spec()).await.unwrap()).await.unwrap();
    assert_eq!(order.order_id, "ORD7Q2");
}

/// Fact 2: `data.type` is `order`; `action` is create, renew or reissue; `duration` is text.
#[test]
fn fact_2_type_action_duration() {
    let b = create_body(&spec(), OrderAction::Create, None);
    assert_eq!(b["data"]["type"], "order");
    assert_eq!(b["data"]["attributes"]["action"], "create");
    assert_eq!(b["data"]["attributes"]["duration"], "1 year");
    for (months, text) in [(12, "1 year"), (24, "2 years"), (36, "3 years")] {
        let b = create_body(&spec().term_months(months), OrderAction::Renew, Some("CRT55"));
        assert_eq!(b["data"]["attributes"]["duration"], text);
        assert_eq!(b["data"]["attributes"]["action"], "renew");
    }
    let mut problems = Vec::new();
    neutral::order_document(&spec().term_months(6), OrderAction::Create, None, &mut problems);
    assert!(problems.iter().any(|p| p.code == "term"), "{problems:?}");
    let re = neutral::reissue_document("csr".into(), "1 year", None, "CRT55");
    assert_eq!(body_of(&ops::CreateOrder::new(re).request())["data"]["attributes"]["action"], "reissue");
}

/// Fact 3: `infos` carries only what is set; `web_server` is left to the server's default `others`.
#[test]
fn fact_3_infos() {
    for (m, wire) in [
        (DcvMethod::Dns, "VALIDATE_DNS"),
        (DcvMethod::DnsTxt, "VALIDATE_DNS"),
        (DcvMethod::DnsCname, "VALIDATE_DNS_CNAME"),
        (DcvMethod::Http, "VALIDATE_HTTP"),
        (DcvMethod::Email, "VALIDATE_EMAIL"),
    ] {
        let mut s = spec();
        s.dcv = m;
        let b = create_body(&s, OrderAction::Create, None);
        assert_eq!(b["data"]["attributes"]["infos"], json!({"validation_method": wire}));
    }
    let b = create_body(&spec().option("web_server", "nginx"), OrderAction::Create, None);
    assert_eq!(b["data"]["attributes"]["infos"]["web_server"], "nginx");
    let re = neutral::reissue_document("csr".into(), "1 year", None, "CRT55");
    assert!(body_of(&ops::CreateOrder::new(re).request())["data"]["attributes"].get("infos").is_none());
}

/// Fact 4: relationships are `{"data":{"type","id"}}` with string ids; contacts carry `meta.contact_type`.
#[test]
fn fact_4_relationships() {
    let s = spec().option("organization", 4711).option("admin_contact", "CT01").option("tech_contact", 12);
    let b = create_body(&s, OrderAction::Create, None);
    let r = &b["data"]["relationships"];
    assert_eq!(r["product"], json!({"data": {"type": "product", "id": "11"}}));
    assert_eq!(r["organization"], json!({"data": {"type": "organization", "id": "4711"}}));
    assert_eq!(
        r["contacts"],
        json!({"data": [
            {"type": "contact", "id": "CT01", "meta": {"contact_type": "admin"}},
            {"type": "contact", "id": "12", "meta": {"contact_type": "tech"}}
        ]})
    );
    let mut problems = Vec::new();
    neutral::order_document(&spec().option("admin_contact", "CT01"), OrderAction::Create, None, &mut problems);
    assert!(problems.iter().any(|p| p.code == "contacts"), "one contact without the other: {problems:?}");
}

/// Fact 5: `create` sends `product` and no `certificate`; renew and reissue send `certificate` and no `product`.
#[test]
fn fact_5_create_vs_renew() {
    let b = create_body(&spec(), OrderAction::Create, None);
    assert!(b["data"]["relationships"].get("certificate").is_none());
    let b = create_body(&spec(), OrderAction::Renew, Some("CRT55"));
    assert_eq!(b["data"]["relationships"], json!({"certificate": {"data": {"type": "certificate", "id": "CRT55"}}}));
    let re = neutral::reissue_document("csr".into(), "1 year", None, "CRT55");
    let b = body_of(&ops::CreateOrder::new(re).request());
    assert_eq!(b["data"]["relationships"], json!({"certificate": {"data": {"type": "certificate", "id": "CRT55"}}}));
}

/// Fact 6: ids are strings (a numeric id reads as text); `customer_id` is written as an integer.
#[test]
fn fact_6_ids_and_customer_id() {
    let b = create_body(&spec().option("customer_id", "9954"), OrderAction::Create, None);
    assert_eq!(b["data"]["attributes"]["customer_id"], json!(9954));
    let mut problems = Vec::new();
    neutral::order_document(&spec().option("customer_id", "abc"), OrderAction::Create, None, &mut problems);
    assert!(problems.iter().any(|p| p.code == "option_type"), "{problems:?}");
    let products: ssl_jsonapi::generated::ProductListDocument =
        serde_json::from_value(fixture("products.json")).unwrap();
    assert_eq!(products.data[1].id, "12", "a numeric id reads as its text");
}

/// Fact 7: errors read as an array or an object, `status/title/detail` or `code/message/details`; every entry kept.
#[test]
fn fact_7_both_error_shapes() {
    let body = fixture("error_jsonapi_422.json").to_string();
    let e = ssl_jsonapi::error::decode("nameshield", 422, body.as_bytes()).unwrap();
    assert_eq!(e.errors.len(), 2);
    assert_eq!(e.code.as_deref(), Some("422"));
    let text = ssl_core::Error::Provider(Box::new(e)).to_string();
    assert!(text.contains("Invalid attribute") && text.contains("Invalid relationship"), "{text}");
    let body = fixture("error_object.json").to_string();
    let e = ssl_jsonapi::error::decode("nameshield", 422, body.as_bytes()).unwrap();
    assert_eq!(e.code.as_deref(), Some("invalid_csr"));
    assert!(e.message.starts_with("The CSR could not be parsed."), "{}", e.message);
    let body = fixture("error_401.json").to_string();
    let e = ssl_jsonapi::error::decode("nameshield", 401, body.as_bytes()).unwrap();
    assert_eq!(ssl_core::Error::Provider(Box::new(e)).kind(), ErrorKind::Auth);
}

/// Fact 8: a read refused with 429 is retried after `Retry-After`; the order is not (exit 3, nothing resent).
#[tokio::test]
async fn fact_8_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ssl/v2/products"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(fixture("error_429.json")),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount(&server, "GET", "/products", 200, fixture("products.json")).await;
    Mock::given(method("POST"))
        .and(path("/ssl/v2/orders"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", "297").set_body_json(fixture("error_429.json")),
        )
        .mount(&server)
        .await;
    let url = url::Url::parse(&base(&server)).unwrap();
    let c = ssl_jsonapi::NameshieldClient::new(TOKEN.to_owned().into(), url).unwrap();
    let products = c.products().await.unwrap();
    assert_eq!(products.len(), 2, "retried after Retry-After: 1, the retired product left out");
    let started = std::time::Instant::now();
    let err = c.place(&spec()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(err.to_string().contains("297"), "the Retry-After is shown: {err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "never waited out");
    assert_eq!(received(&server, "POST", "/orders").await.len(), 1, "sent once");
}

/// The published limit, 600 requests per 5 minutes per token: the client enforces it and the descriptor declares
/// it (a PostgreSQL journal shares that window between processes).
#[test]
fn the_published_rate_limit() {
    let w = ssl_core::ratelimit::Window::new(600, std::time::Duration::from_secs(300));
    assert_eq!(ssl_jsonapi::RATE_LIMITS, [w]);
    assert_eq!(ssl_jsonapi::DESCRIPTOR.rate_limits, [w]);
}
