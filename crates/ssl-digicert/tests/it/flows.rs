//! wiremock flows over real HTTP: the three 201 shapes, error shapes, auth, not found, retries, outcome unknown.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use ssl_core::{ClientKit, Error, ErrorKind, ReqwestTransport, TransportConfig};
use ssl_digicert::DigiCertClient;
use ssl_digicert::generated::ops;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{order, wiremock_client};

#[tokio::test]
async fn created_with_a_random_value() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/v2/order/certificate/ssl_dv_geotrust"))
        .and(header("content-type", "application/json"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 6484932, "certificate_id": 6079436, "dcv_random_value": "icru1984rnekfj"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = wiremock_client(&server);
    let created = c.place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap();
    assert_eq!(created.id, 6484932);
    assert_eq!(created.certificate_id, Some(6079436));
    assert_eq!(created.dcv_random_value.as_deref(), Some("icru1984rnekfj"));
}

#[tokio::test]
async fn created_with_requests_awaiting_approval() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 542772, "requests": [{"id": 922432, "status": "pending"}]})),
        )
        .mount(&server)
        .await;
    let created = wiremock_client(&server).place_order("ssl_plus", &order("shop.example.com")).await.unwrap();
    assert_eq!(created.id, 542772);
    let reqs = created.requests.unwrap();
    assert_eq!(reqs[0].id, 922432);
    assert!(created.certificate_id.is_none());
}

#[tokio::test]
async fn created_with_immediate_issuance() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "112233", "certificate_id": "445566",
            "certificate_chain": [
                {"subject_common_name": "shop.example.com", "pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
                {"subject_common_name": "Intermediate", "pem": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----"}
            ]})))
        .mount(&server)
        .await;
    let created = wiremock_client(&server).place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap();
    assert_eq!(created.id, 112233, "ids that arrive as strings decode");
    assert_eq!(created.certificate_id, Some(445566));
    assert_eq!(created.certificate_chain.unwrap().len(), 2);
}

#[tokio::test]
async fn errors_as_an_array_keep_every_code() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"errors": [
            {"code": "invalid_value:validity_years", "message": "Validity years must be 1 to 3."},
            {"code": "caa_check_failed|shop.example.com", "message": "CAA forbids DigiCert."}]})))
        .mount(&server)
        .await;
    let e = wiremock_client(&server).place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap_err();
    let p = e.provider_error().expect("provider error");
    assert_eq!(p.status, 400);
    assert_eq!(p.code.as_deref(), Some("invalid_value:validity_years"));
    assert_eq!(p.field.as_deref(), Some("validity_years"));
    assert_eq!(p.errors[1].code.as_deref(), Some("caa_check_failed|shop.example.com"));
    assert_eq!(e.kind(), ErrorKind::Provider);
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn errors_as_an_object() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"errors": {"code": "not_found|route", "message": "The specified route was not found."}}),
        ))
        .mount(&server)
        .await;
    let e = wiremock_client(&server).send(&ops::ProductInfo::new("nope")).await.unwrap_err();
    assert_eq!(e.code(), Some("not_found|route"));
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn unauthorized_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"errors": [{"code": "access_denied|invalid_api_key", "message": "Invalid API key."}]}),
        ))
        .mount(&server)
        .await;
    let e = wiremock_client(&server).send(&ops::OrderInfo::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(e.code(), Some("access_denied|invalid_api_key"));
}

#[tokio::test]
async fn order_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/services/v2/order/certificate/99"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"errors": [{"code": "not_found|order", "message": "Order not found."}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = wiremock_client(&server).send(&ops::OrderInfo::new("99")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.code(), Some("not_found|order"));
}

#[tokio::test]
async fn a_429_is_retried_on_a_read_honouring_retry_after() {
    let server = MockServer::start().await;
    let limited = json!({"errors": [{"code": "request_limit_exceeded", "message": "Service unavailable, please limit request volume"}]});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(limited))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": 7, "status": "pending", "certificate": {"common_name": "a.example"}})),
        )
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let info = wiremock_client(&server).send(&ops::OrderInfo::new("7")).await.unwrap();
    assert_eq!(info.id, 7);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_429_is_not_retried_on_place_order() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(json!({"errors": [{"code": "request_limit_exceeded", "message": "slow down"}]})),
        )
        .mount(&server)
        .await;
    let e = wiremock_client(&server).place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.code(), Some("request_limit_exceeded"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "place-order is sent once");
}

#[tokio::test]
async fn a_5xx_on_place_order_is_outcome_unknown_with_where_to_look() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .mount(&server)
        .await;
    let e = wiremock_client(&server).place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap_err();
    let Error::OutcomeUnknown(o) = &e else { panic!("{e:?}") };
    assert!(o.lookup.contains("/order/certificate?filters[common_name]=shop.example.com"), "{}", o.lookup);
    assert!(o.match_on.iter().any(|m| m == "common_name=shop.example.com"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_5xx_on_a_read_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).up_to_n_times(2).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "status": "issued"})))
        .mount(&server)
        .await;
    let info = wiremock_client(&server).send(&ops::OrderInfo::new("1")).await.unwrap();
    assert_eq!(info.id, 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_non_json_success_body_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"))
        .mount(&server)
        .await;
    let e = wiremock_client(&server).send(&ops::OrderInfo::new("1")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("order_info"), "{e}");
}

#[tokio::test]
async fn a_non_json_error_body_is_shown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Internal failure ref 42"))
        .mount(&server)
        .await;
    let e = wiremock_client(&server).send(&ops::OrderInfo::new("1")).await.unwrap_err();
    assert!(e.to_string().contains("Internal failure ref 42"), "{e}");
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(64 * 1024)))
        .mount(&server)
        .await;
    let t = Arc::new(ReqwestTransport::new(&TransportConfig::default().with_max_body_bytes(16 * 1024)).unwrap());
    let base = url::Url::parse(&format!("{}/services/v2", server.uri())).unwrap();
    let c = DigiCertClient::with_transport("k-cap".into(), base, t).unwrap();
    let e = c.send(&ops::DownloadByFormat::new("5", "pem_all")).await.unwrap_err();
    assert!(matches!(e, Error::ResponseTooLarge { .. }), "{e:?}");
}

#[tokio::test]
async fn a_timeout_after_sending_place_order_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(5)).set_body_json(json!({"id": 1})))
        .mount(&server)
        .await;
    let t = Arc::new(
        ReqwestTransport::new(&TransportConfig::default().with_request_timeout(Duration::from_millis(300))).unwrap(),
    );
    let base = url::Url::parse(&format!("{}/services/v2", server.uri())).unwrap();
    let c = DigiCertClient::with_transport("k-timeout".into(), base, t).unwrap();
    let e = c.place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown);
    assert!(!e.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "never resent");
}
