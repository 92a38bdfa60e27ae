//! wiremock flows: code 196 under HTTP 200 and 500 (reads: one re-login and one retry; orders: never resent),
//! one login per process, refusals under HTTP 500, unknown outcomes, drafts and submit, email approvers,
//! multi-domain bodies, the renew window, listing and download.

use std::time::Duration;

use serde_json::json;
use ssl_core::model::{DcvMethod, OrderFilter, OrderStatus};
use ssl_core::{ErrorKind, Provider};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn refused_196(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(fixture("login_refused_196.json"))
}

async fn read_retried_after_196(status: u16) {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    Mock::given(method("GET"))
        .and(path("/v1beta/ssl/orders/31027"))
        .respond_with(refused_196(status))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_order(&server, "31027", "order_req_dns.json").await;
    let p = provider(&server);
    let o = p.get("31027").await.unwrap();
    assert_eq!(o.status, OrderStatus::PendingValidation);
    assert_eq!(p.client.logins().await, 2, "one fresh login");
    assert_eq!(bodies(&server, "GET", "/v1beta/ssl/orders/31027").await.len(), 2, "one retry");
}

#[tokio::test]
async fn a_read_refused_with_196_under_200_logs_in_again_once() {
    read_retried_after_196(200).await;
}

#[tokio::test]
async fn a_read_refused_with_196_under_500_logs_in_again_once() {
    read_retried_after_196(500).await;
}

#[tokio::test]
async fn a_read_refused_twice_is_an_auth_error() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    Mock::given(method("GET")).and(path("/v1beta/ssl/orders/1")).respond_with(refused_196(500)).mount(&server).await;
    let e = provider(&server).get("1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(bodies(&server, "GET", "/v1beta/ssl/orders/1").await.len(), 2);
}

#[tokio::test]
async fn an_order_answered_196_is_never_resent() {
    for status in [200, 500] {
        let server = MockServer::start().await;
        mount_login(&server, TOKEN).await;
        mount_product(&server, "product_single.json", "5").await;
        Mock::given(method("POST"))
            .and(path("/v1beta/ssl/orders"))
            .respond_with(refused_196(status))
            .mount(&server)
            .await;
        let e = provider(&server).place(&spec("5", &["example.com"], DcvMethod::Dns)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth, "HTTP {status}: {e}");
        assert_eq!(bodies(&server, "POST", "/v1beta/ssl/orders").await.len(), 1, "HTTP {status}: sent once");
    }
}

#[tokio::test]
async fn one_login_for_many_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/auth/login"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("login_no_code.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_order(&server, "31027", "order_act.json").await;
    let p = provider(&server);
    for _ in 0..3 {
        p.get("31027").await.unwrap();
    }
    p.download("31027").await.unwrap();
    assert_eq!(p.client.logins().await, 1);
    let reqs = server.received_requests().await.unwrap();
    for r in &reqs[1..] {
        let auth = r.headers.get("authorization").unwrap().to_str().unwrap();
        assert!(auth.starts_with("Bearer 9f8e7d6c"), "{auth}");
    }
}

#[tokio::test]
async fn an_order_refused_under_500_is_a_definite_refusal() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    mount_product(&server, "product_single.json", "5").await;
    Mock::given(method("POST"))
        .and(path("/v1beta/ssl/orders"))
        .respond_with(ResponseTemplate::new(500).set_body_json(fixture("error_309_contract.json")))
        .mount(&server)
        .await;
    let e = provider(&server).place(&spec("5", &["example.com"], DcvMethod::Dns)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Provider, "{e}");
    assert_eq!(e.code(), Some("309"));
    assert_eq!(bodies(&server, "POST", "/v1beta/ssl/orders").await.len(), 1);
}

#[tokio::test]
async fn an_order_answered_by_a_bare_500_or_too_late_is_an_unknown_outcome() {
    for slow in [false, true] {
        let server = MockServer::start().await;
        mount_login(&server, TOKEN).await;
        mount_product(&server, "product_single.json", "5").await;
        let r = if slow {
            ok(json!({"id": 1})).set_delay(Duration::from_secs(3))
        } else {
            ResponseTemplate::new(500).set_body_string("<html>Internal Server Error</html>")
        };
        Mock::given(method("POST")).and(path("/v1beta/ssl/orders")).respond_with(r).mount(&server).await;
        let transport = std::sync::Arc::new(
            ssl_core::ReqwestTransport::new(
                &ssl_core::TransportConfig::default().with_request_timeout(Duration::from_millis(500)),
            )
            .unwrap(),
        );
        let c =
            ssl_openprovider::OpenproviderClient::new(user(), CANARY_PASS.into(), &base(&server), transport).unwrap();
        let p = ssl_openprovider::Openprovider::new(c, ssl_csr::CHECKS);
        let e = p.place(&spec("5", &["example.com"], DcvMethod::Dns)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "slow={slow}: {e}");
        assert!(e.to_string().contains("common_name_pattern=example.com"), "{e}");
        assert_eq!(bodies(&server, "POST", "/v1beta/ssl/orders").await.len(), 1, "never resent");
    }
}

#[tokio::test]
async fn a_draft_is_submitted_with_start_provision() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    mount_product(&server, "product_single.json", "5").await;
    Mock::given(method("POST"))
        .and(path("/v1beta/ssl/orders"))
        .and(body_partial_json(json!({"start_provision": false, "period": 1, "software_id": "linux"})))
        .respond_with(ok(json!({"id": 31027})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1beta/ssl/orders/31027"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("order_pai.json")))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v1beta/ssl/orders/31027"))
        .and(body_partial_json(json!({"id": 31027, "start_provision": true})))
        .respond_with(ok(json!({"id": 31027})))
        .expect(1)
        .mount(&server)
        .await;
    mount_order(&server, "31027", "order_req_dns.json").await;
    let p = provider(&server);
    let draft = spec("5", &["example.com"], DcvMethod::Dns).option("start_provision", "false");
    assert_eq!(p.place(&draft).await.unwrap().status, OrderStatus::Draft);
    assert_eq!(p.submit("31027").await.unwrap().status, OrderStatus::PendingValidation);
    let e = p.submit("31027").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "only a PAI draft is submitted");
}

#[tokio::test]
async fn email_without_an_approver_shows_the_choices_and_orders_nothing() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    mount_product(&server, "product_single.json", "5").await;
    Mock::given(method("GET"))
        .and(path("/v1beta/ssl/approver-emails"))
        .and(query_param("product_id", "5"))
        .and(query_param("domain", "example.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("approver_emails.json")))
        .expect(1)
        .mount(&server)
        .await;
    let e = provider(&server).place(&spec("5", &["example.com"], DcvMethod::Email)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(e.to_string().contains("hostmaster@example.com"), "{e}");
    assert!(bodies(&server, "POST", "/v1beta/ssl/orders").await.is_empty());
}

#[tokio::test]
async fn multi_domain_products_send_host_names_and_domain_amount() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    mount_product(&server, "product_multi.json", "32").await;
    let p = provider(&server);
    let names = ["shop.example.com", "www.shop.example.com", "api.example.com"];
    let req = p.prepare(&spec("32", &names, DcvMethod::Http)).await.unwrap().request;
    let value = req.body.json_value().expect("a JSON body");
    assert_eq!(value["host_names"], json!(["www.shop.example.com", "api.example.com"]));
    assert_eq!(value["domain_amount"], json!(3));
    mount_product(&server, "product_single.json", "5").await;
    let single = p.prepare(&spec("5", &["example.com"], DcvMethod::Dns)).await.unwrap().request;
    let value = single.body.json_value().expect("a JSON body");
    assert!(value.get("host_names").is_none() && value.get("domain_amount").is_none());
}

#[tokio::test]
async fn renew_only_in_the_window() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    let mut order = fixture("order_act.json");
    let soon = time::OffsetDateTime::now_utc().date() + time::Duration::days(20);
    order["data"]["order_ends_at"] = json!(format!("{soon} 0:00:00"));
    Mock::given(method("GET"))
        .and(path("/v1beta/ssl/orders/31027"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order))
        .mount(&server)
        .await;
    mount_order(&server, "31028", "order_act.json").await;
    Mock::given(method("POST"))
        .and(path("/v1beta/ssl/orders/31027/renew"))
        .and(body_partial_json(json!({"id": 31027})))
        .respond_with(ok(json!({"id": 31027})))
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(&server);
    let s = spec("5", &["www.example.com"], DcvMethod::Dns);
    p.renew("31027", &s).await.unwrap();
    let e = p.renew("31028", &s).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid, "coverage ends 2027-11-29: outside the window");
    assert!(e.to_string().contains("30 days"), "{e}");
    assert!(bodies(&server, "POST", "/v1beta/ssl/orders/31028/renew").await.is_empty());
}

#[tokio::test]
async fn listing_pages_by_offset_with_the_common_name_pattern() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    Mock::given(method("GET"))
        .and(path("/v1beta/ssl/orders"))
        .and(query_param("common_name_pattern", "www.example.com"))
        .and(query_param("offset", "0"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("list_orders.json")))
        .expect(1)
        .mount(&server)
        .await;
    let page =
        provider(&server).list_orders(&OrderFilter::new().common_name("www.example.com").limit(1)).await.unwrap();
    assert_eq!(page.orders.len(), 2);
    assert_eq!(page.total, Some(2));
    assert_eq!(page.next, None);
}

#[tokio::test]
async fn download_takes_the_inline_certificate_and_dcv_comes_from_additional_data() {
    let server = MockServer::start().await;
    mount_login(&server, TOKEN).await;
    mount_order(&server, "31027", "order_act.json").await;
    mount_order(&server, "31029", "order_req_dns.json").await;
    let p = provider(&server);
    let b = p.download("31027").await.unwrap();
    assert!(b.leaf_pem.contains("BEGIN CERTIFICATE"));
    let o = p.get("31029").await.unwrap();
    let www = o.dcv.iter().find(|d| d.host == "www.example.com").unwrap().dns().unwrap().clone();
    assert_eq!(www.record_type, "CNAME");
    let bare = o.dcv.iter().find(|d| d.host == "example.com").unwrap().dns().unwrap().clone();
    assert_eq!((bare.record_type.as_str(), bare.name.as_str()), ("TXT", "_dnsauth.example.com"));
    assert_eq!(p.download("31029").await.unwrap_err().kind(), ErrorKind::Invalid);
}
