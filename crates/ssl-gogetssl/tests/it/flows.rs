//! wiremock flows over real HTTP: login, errors inside HTTP 200 (login and order), key expiry and one re-login,
//! every status, mixed-type decoding, retries and outcome unknown.

use std::time::Duration;

use serde_json::json;
use ssl_core::model::OrderStatus;
use ssl_core::{Error, ErrorKind, Provider};
use ssl_gogetssl::generated::ops;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn expired() -> serde_json::Value {
    json!({"error": true, "message": "Invalid or expired auth_key", "description": "Log in again"})
}

#[tokio::test]
async fn login_then_every_call_carries_the_key_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("user=reseller%40example.com"))
        .and(body_string_contains(format!("pass={CANARY_PASS}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "k1", "success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/account/balance/"))
        .and(query_param("auth_key", "k1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"balance": "12.50", "currency": "EUR", "success": true})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let b = c.send(&ops::AccountBalance::new()).await.unwrap();
    assert_eq!((b.balance, b.currency.as_deref()), (Some(12.5), Some("EUR")), "a money string reads as a number");
    c.send(&ops::AccountBalance::new()).await.unwrap();
    assert_eq!(c.logins().await, 1, "the key is cached");
    let reqs = server.received_requests().await.unwrap();
    assert!(String::from_utf8_lossy(&reqs[0].body).contains("pass="), "the password goes in the login form");
    for r in &reqs[1..] {
        assert!(r.body.is_empty(), "GETs have no body");
        assert!(!r.url.query().unwrap_or("").contains("pass"));
    }
}

#[tokio::test]
async fn a_refused_login_inside_http_200_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "error": true,
            "message": "Username and/or password not supplied",
            "description": "This request requires username and password"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let e = wiremock_client(&server).send(&ops::OrderStatus::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    let p = e.provider_error().unwrap();
    assert_eq!(p.status, 200);
    assert_eq!(p.operation, "auth");
    assert_eq!(p.message, "Username and/or password not supplied");
    assert_eq!(p.description.as_deref(), Some("This request requires username and password"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "nothing after a refused login");
}

#[tokio::test]
async fn an_order_refused_inside_http_200_is_a_provider_error_sent_once() {
    let server = MockServer::start().await;
    mount_login(&server, "k1").await;
    mount_products(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "error": true,
            "message": "CSR Error: Common name(kasihcyber.wifi) from your CSR is invalid.",
            "description": "Please provide valid CSR code with valid TLDN (Top-Level-Domain-Name) common name."
        })))
        .expect(1)
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let e = c.add_ssl_order(&dv_order(csr(&["shop.example.com"]))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Provider);
    assert!(!e.is_retryable());
    let p = e.provider_error().unwrap();
    assert!(p.message.starts_with("CSR Error"));
    assert!(p.description.as_deref().unwrap().contains("TLDN"));
    assert!(e.to_string().contains("TLDN"), "Display shows the description: {e}");
}

#[tokio::test]
async fn an_expired_key_means_one_new_login_and_one_resend() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "old", "success": true})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "new", "success": true})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/orders/status/7"))
        .and(query_param("auth_key", "old"))
        .respond_with(ResponseTemplate::new(200).set_body_json(expired()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/orders/status/7"))
        .and(query_param("auth_key", "new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(status_answer(7, "processing")))
        .expect(2)
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let st = c.send(&ops::OrderStatus::new("7")).await.unwrap();
    assert_eq!(st.order_id, 7);
    assert_eq!(c.logins().await, 2);
    c.send(&ops::OrderStatus::new("7")).await.unwrap();
    assert_eq!(c.logins().await, 2, "the new key is kept");
}

#[tokio::test]
async fn a_key_refused_twice_is_an_auth_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    Mock::given(method("GET"))
        .and(path("/api/orders/status/7"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": true, "message": "Not authorized"})))
        .expect(2)
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let e = c.send(&ops::OrderStatus::new("7")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(c.logins().await, 2, "one re-login, then give up");
}

#[tokio::test]
async fn an_order_refused_for_its_key_is_never_resent_and_the_next_one_logs_in_first() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    mount_products(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(expired()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(seed_answer()))
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let order = dv_order(csr(&["shop.example.com"]));
    let e = c.add_ssl_order(&order).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
    let orders = |reqs: Vec<wiremock::Request>| {
        reqs.into_iter().filter(|r| r.url.path() == "/api/orders/add_ssl_order/").count()
    };
    assert_eq!(orders(server.received_requests().await.unwrap()), 1, "a spend is never sent twice");
    assert_eq!(c.logins().await, 1);
    // The session was just refused: the next spend logs in before it is sent.
    let created = c.add_ssl_order(&order).await.unwrap();
    assert_eq!(created.order_id, Some(783956));
    assert_eq!(c.logins().await, 2);
    assert_eq!(orders(server.received_requests().await.unwrap()), 2);
}

#[tokio::test]
async fn a_csr_error_that_mentions_a_key_is_not_a_session_refusal() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    mount_products(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"error": true, "message": "Invalid key: RSA 1024"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let e = c.add_ssl_order(&dv_order(csr(&["shop.example.com"]))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Provider, "{e}");
    assert_eq!(c.logins().await, 1, "no new login for a CSR error");
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_key_log_in_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "old", "success": true})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "new", "success": true})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("auth_key", "old"))
        .respond_with(ResponseTemplate::new(200).set_body_json(expired()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("auth_key", "new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"balance": 1, "success": true})))
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    c.login().await.unwrap();
    let balance = ops::AccountBalance::new();
    let (a, b, d) = tokio::join!(c.send(&balance), c.send(&balance), c.send(&balance));
    a.unwrap();
    b.unwrap();
    d.unwrap();
    assert_eq!(c.logins().await, 2, "one explicit login, one renewal shared by the three calls");
}

#[tokio::test]
async fn every_status_maps_through_the_table() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    let table = [
        ("active", OrderStatus::Issued),
        ("cancelled", OrderStatus::Cancelled),
        ("expired", OrderStatus::Expired),
        ("incomplete", OrderStatus::Draft),
        ("new_order", OrderStatus::Draft),
        ("unpaid", OrderStatus::Draft),
        ("pending", OrderStatus::PendingValidation),
        ("processing", OrderStatus::PendingValidation),
        ("reissue", OrderStatus::PendingValidation),
        ("rejected", OrderStatus::Rejected),
        ("on_hold_by_ca", OrderStatus::Unknown),
    ];
    for (i, (raw, _)) in table.iter().enumerate() {
        Mock::given(method("GET"))
            .and(path(format!("/api/orders/status/{}", i + 1)))
            .respond_with(ResponseTemplate::new(200).set_body_json(status_answer(i as i64 + 1, raw)))
            .mount(&server)
            .await;
    }
    // `processing` with every name validated is the CA's own work.
    let mut done = status_answer(99, "processing");
    done["dcv_status"] = json!(2);
    done["san"][0]["status"] = json!(2);
    Mock::given(method("GET"))
        .and(path("/api/orders/status/99"))
        .respond_with(ResponseTemplate::new(200).set_body_json(done))
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    for (i, (raw, want)) in table.iter().enumerate() {
        let o = c.get(&(i + 1).to_string()).await.unwrap();
        assert_eq!(o.status, *want, "{raw}");
        assert_eq!(o.provider_status, *raw, "raw status kept");
    }
    let o = c.get("99").await.unwrap();
    assert_eq!(o.status, OrderStatus::Processing);
    let unknown = c.send(&ops::OrderStatus::new("11")).await.unwrap();
    assert_eq!(unknown.status.as_str(), "on_hold_by_ca");
    assert!(!unknown.status.is_known());
}

#[tokio::test]
async fn mixed_number_and_string_fields_decode() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    mount_products(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(seed_answer()))
        .mount(&server)
        .await;
    let mut odd = status_answer(5, "processing");
    odd["order_id"] = json!("5");
    odd["product_id"] = json!("102");
    odd["validity_period"] = json!("12");
    odd["partner_order_id"] = json!(987654);
    odd["dcv_status"] = json!("2");
    odd["server_count"] = json!("-1");
    Mock::given(method("GET"))
        .and(path("/api/orders/status/5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(odd))
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let created = c.add_ssl_order(&dv_order(csr(&["shop.example.com"]))).await.unwrap();
    assert_eq!(created.order_amount, Some(0.0));
    assert_eq!(created.tax.as_deref(), Some("0.00"));
    assert_eq!(created.tax_rate.as_deref(), Some("21%"));
    let http = created.approver_method.unwrap().http.unwrap();
    assert_eq!(http.filename.as_deref(), Some("37D0C93EE263FF9EEEA799215A9C3225.txt"));
    let st = c.send(&ops::OrderStatus::new("5")).await.unwrap();
    assert_eq!((st.order_id, st.product_id, st.validity_period, st.server_count), (5, Some(102), Some(12), Some(-1)));
    assert_eq!(st.partner_order_id, Some(json!(987654)));
}

#[tokio::test]
async fn a_429_on_a_read_is_retried_honouring_retry_after() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"error": true, "message": "Too many requests"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(status_answer(3, "active")))
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let st = wiremock_client(&server).send(&ops::OrderStatus::new("3")).await.unwrap();
    assert_eq!(st.order_id, 3);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_5xx_on_an_order_is_outcome_unknown_and_never_resent() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    mount_products(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .expect(1)
        .mount(&server)
        .await;
    let e = wiremock_client(&server).add_ssl_order(&dv_order(csr(&["shop.example.com"]))).await.unwrap_err();
    let Error::OutcomeUnknown(o) = &e else { panic!("{e:?}") };
    assert!(o.match_on.iter().any(|m| m == "domain=shop.example.com"), "{:?}", o.match_on);
    assert!(o.match_on.iter().any(|m| m.starts_with("csr_sha256=")));
    assert!(o.lookup.contains("orders/status"), "{}", o.lookup);
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn a_timeout_after_sending_an_order_is_outcome_unknown() {
    let server = MockServer::start().await;
    mount_login(&server, "k").await;
    mount_products(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)).set_body_json(seed_answer()))
        .mount(&server)
        .await;
    let t = std::sync::Arc::new(
        ssl_core::ReqwestTransport::new(
            &ssl_core::TransportConfig::default().with_request_timeout(Duration::from_millis(400)),
        )
        .unwrap(),
    );
    let base = url::Url::parse(&format!("{}/api", server.uri())).unwrap();
    let c = ssl_gogetssl::GoGetSslClient::with_transport(USER, CANARY_PASS.into(), base, t).unwrap();
    let e = c.add_ssl_order(&dv_order(csr(&["shop.example.com"]))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.iter().filter(|r| r.url.path() == "/api/orders/add_ssl_order/").count(), 1);
}
