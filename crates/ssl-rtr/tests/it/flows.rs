//! Flows over a mock RTR: 201, 202, quote, violations, 401, 429, ambiguous failures, and the lifecycle verbs.

use serde_json::Value;
use ssl_core::model::{DcvMethod, OrderFilter, OrderSpec, OrderStatus, ReissueSpec};
use ssl_core::{Error, ErrorKind, Provider};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{csr, json, received, server};

fn dv_spec() -> OrderSpec {
    OrderSpec::new("sectigo_dv", "shop.example.com", DcvMethod::Dns).csr(csr("shop.example.com", &[]))
}

async fn mount_product(s: &wiremock::MockServer, id: &str, fixture: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v2/ssl/products/{id}")))
        .respond_with(json(200, fixture))
        .mount(s)
        .await;
}

#[tokio::test]
async fn accepted_202_gives_the_process_id_and_dns_instructions() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .and(header("authorization", "ApiKey rtr-test-key"))
        .respond_with(json(202, "request_202.json").insert_header("x-process-id", "20"))
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(200, "process_running.json"))
        .mount(&s)
        .await;
    let order = c.place(&dv_spec()).await.unwrap();
    assert_eq!(order.order_id, "20");
    assert_eq!(order.certificate_id, None);
    assert_eq!(order.status, OrderStatus::PendingValidation);
    assert_eq!(order.provider_status, "RUNNING");
    let dns: Vec<_> = order.dcv.iter().filter_map(|d| d.dns()).map(|r| r.name.as_str()).collect();
    assert_eq!(dns, ["_dnsauth.shop.example.com", "_dnsauth.www.shop.example.com"]);
    let body: Value = serde_json::from_slice(&received(&s, "POST", "/v2/ssl/certificates").await[0].body).unwrap();
    assert_eq!(body["period"], 12);
    assert_eq!(body["customer"], "acme-handle");
    assert!(body.get("san").is_none(), "single-domain: no san, not even []");
    assert!(received(&s, "POST", "/v2/ssl/certificates").await[0].url.query().is_none());
}

#[tokio::test]
async fn created_201_with_a_certificate_id_is_issued() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .respond_with(json(201, "request_201_authkey.json").insert_header("x-process-id", "21"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/21"))
        .respond_with(json(200, "process_completed.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/ssl/certificates/90210"))
        .respond_with(json(200, "certificate_active.json"))
        .mount(&s)
        .await;
    let order = c.place(&dv_spec()).await.unwrap();
    assert_eq!(order.order_id, "21");
    assert_eq!(order.certificate_id.as_deref(), Some("90210"));
    assert_eq!(order.status, OrderStatus::Issued);
    assert_eq!(order.provider_status, "ACTIVE");
    assert_eq!(order.dns_names, ["shop.example.com", "www.shop.example.com"]);
    assert_eq!(order.coverage_ends.unwrap().to_string(), "2027-11-29");
}

#[tokio::test]
async fn quote_prints_cents_as_a_decimal_and_places_nothing() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .and(query_param("quote", "true"))
        .respond_with(json(200, "quote.json"))
        .expect(1)
        .mount(&s)
        .await;
    let q = c.quote(&dv_spec()).await.unwrap();
    assert_eq!((q.price.as_deref(), q.currency.as_deref()), (Some("24.95"), Some("EUR")));
    assert_eq!((q.lines[0].action.as_deref(), q.lines[0].price.as_deref()), (Some("REQUEST"), Some("24.95")));
}

#[tokio::test]
async fn a_quote_answered_with_a_process_id_is_a_placed_order() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .respond_with(json(202, "request_202.json").insert_header("x-process-id", "22"))
        .mount(&s)
        .await;
    let e = c.quote(&dv_spec()).await.unwrap_err();
    assert_eq!(e.placed().and_then(|p| p.order_id.as_deref()), Some("22"), "{e}");
}

#[tokio::test]
async fn zero_quote_has_no_currency() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .respond_with(json(200, "quote_zero.json"))
        .mount(&s)
        .await;
    let q = c.quote(&dv_spec()).await.unwrap();
    assert_eq!((q.price.as_deref(), q.currency), (Some("0.00"), None));
}

#[tokio::test]
async fn violations_become_one_problem_each() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .respond_with(json(400, "error_violations.json"))
        .mount(&s)
        .await;
    let e = c.place(&dv_spec()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Provider);
    assert_eq!(e.code(), Some("ConstraintViolationException"));
    let fields: Vec<_> = e.all_problems().into_iter().map(|p| p.field.unwrap_or_default()).collect();
    assert_eq!(fields, ["approver.voice", "postalCode"]);
}

#[tokio::test]
async fn authentication_error_is_auth() {
    let (s, c) = server().await;
    Mock::given(method("GET")).respond_with(json(401, "error_auth.json")).mount(&s).await;
    let e = c.get("20").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(!e.to_string().contains("rtr-test-key"));
}

#[tokio::test]
async fn a_read_refused_with_429_is_retried() {
    let (s, c) = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(429, "error_too_many.json").insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(200, "process_running.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20/info"))
        .respond_with(json(200, "info_file.json"))
        .mount(&s)
        .await;
    let order = c.get("20").await.unwrap();
    assert_eq!(order.status, OrderStatus::PendingValidation);
    let http = order.dcv[0].http().unwrap();
    assert_eq!(http.url, "http://shop.example.com/.well-known/pki-validation/0B2E4D1C7F.txt");
    assert_eq!(received(&s, "GET", "/v2/processes/20").await.len(), 2);
}

#[tokio::test]
async fn an_order_refused_with_429_is_not_resent() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST")).respond_with(json(429, "error_too_many.json")).mount(&s).await;
    let e = c.place(&dv_spec()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(received(&s, "POST", "/v2/ssl/certificates").await.len(), 1);
}

#[tokio::test]
async fn a_5xx_on_an_order_is_an_unknown_outcome_with_the_process_search() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502).set_body_string("bad gateway")).mount(&s).await;
    let e = c.place(&dv_spec()).await.unwrap_err();
    assert!(matches!(e, Error::OutcomeUnknown(_)), "{e}");
    assert!(e.to_string().contains("/processes?identifier:eq=shop.example.com"), "{e}");
    assert_eq!(received(&s, "POST", "/v2/ssl/certificates").await.len(), 1);
}

#[tokio::test]
async fn a_bad_voice_is_refused_before_anything_is_sent() {
    let (s, c) = server().await;
    mount_product(&s, "sectigo_ov", "product_ov.json").await;
    let mut spec = OrderSpec::new("sectigo_ov", "shop.example.com", DcvMethod::Dns).csr(csr("shop.example.com", &[]));
    spec.contacts = serde_json::from_value(serde_json::json!({
        "admin": {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "020 1234567"},
        "organization": {"name": "Example B.V.", "address": "Keizersgracht 1", "city": "Amsterdam"}
    }))
    .unwrap();
    let Error::Invalid(problems) = c.place(&spec).await.unwrap_err() else { panic!("expected Invalid") };
    let fields: Vec<_> = problems.iter().filter_map(|p| p.field.as_deref()).collect();
    assert!(fields.contains(&"admin.phone"), "{fields:?}");
    assert!(fields.contains(&"organization.postal_code"), "{fields:?}");
    assert!(fields.contains(&"organization.country"), "{fields:?}");
    assert!(received(&s, "POST", "/v2/ssl/certificates").await.is_empty());
}

async fn mount_issued(s: &wiremock::MockServer) {
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(200, "process_completed.json"))
        .mount(s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20/info"))
        .respond_with(json(200, "info_minimal.json"))
        .mount(s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/ssl/certificates"))
        .and(query_param("process:eq", "20"))
        .respond_with(json(200, "certificate_list.json"))
        .mount(s)
        .await;
}

#[tokio::test]
async fn status_finds_the_certificate_by_process_once_completed() {
    let (s, c) = server().await;
    mount_issued(&s).await;
    let order = c.get("20").await.unwrap();
    assert_eq!((order.status, order.provider_status.as_str()), (OrderStatus::Issued, "ACTIVE"));
    assert_eq!(order.certificate_id.as_deref(), Some("90210"));
}

#[tokio::test]
async fn a_failed_process_is_rejected_even_with_a_certificate() {
    let (s, c) = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(200, "process_failed.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20/info"))
        .respond_with(json(200, "request_201_authkey.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/ssl/certificates/90210"))
        .respond_with(json(200, "certificate_active.json"))
        .mount(&s)
        .await;
    let order = c.get("20").await.unwrap();
    assert_eq!((order.status, order.provider_status.as_str()), (OrderStatus::Rejected, "FAILED"));
}

#[tokio::test]
async fn attention_is_shown_with_the_one_time_link() {
    let (s, c) = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(200, "process_suspended.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20/info"))
        .respond_with(json(200, "info_attention.json"))
        .mount(&s)
        .await;
    let order = c.get("20").await.unwrap();
    assert_eq!(order.status, OrderStatus::Processing);
    let w = order.attention.expect("attention");
    assert!(w.contains("https://secure.sectigo.com/products/EnterpriseOrder?otl=6f0e3f"), "{w}");
}

#[tokio::test]
async fn revoke_resolves_the_certificate_and_sends_the_reason() {
    let (s, c) = server().await;
    mount_issued(&s).await;
    Mock::given(method("DELETE"))
        .and(path("/v2/ssl/certificates/90210"))
        .and(body_partial_json(serde_json::json!({"reason": "key compromise"})))
        .respond_with(ResponseTemplate::new(202).insert_header("x-process-id", "30"))
        .expect(1)
        .mount(&s)
        .await;
    c.revoke("20", Some("key compromise")).await.unwrap();
}

#[tokio::test]
async fn renew_returns_the_new_process_id() {
    let (s, c) = server().await;
    mount_issued(&s).await;
    mount_product(&s, "sectigo_dv", "product_dv.json").await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates/90210/renew"))
        .respond_with(json(202, "request_202.json").insert_header("x-process-id", "31"))
        .expect(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/31"))
        .respond_with(json(200, "process_running.json"))
        .mount(&s)
        .await;
    let order = c.renew("20", &dv_spec()).await.unwrap();
    assert_eq!(order.order_id, "31");
    let body: Value =
        serde_json::from_slice(&received(&s, "POST", "/v2/ssl/certificates/90210/renew").await[0].body).unwrap();
    assert!(body.get("customer").is_none() && body.get("country").is_none(), "{body}");
}

#[tokio::test]
async fn reissue_returns_the_new_process_id_and_quotes() {
    let (s, c) = server().await;
    mount_issued(&s).await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates/90210/reissue"))
        .and(query_param("quote", "true"))
        .respond_with(json(200, "quote.json"))
        .mount(&s)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates/90210/reissue"))
        .respond_with(json(202, "request_202.json").insert_header("x-process-id", "32"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/32"))
        .respond_with(json(200, "process_running.json"))
        .mount(&s)
        .await;
    let spec = ReissueSpec::new().with_csr(csr("shop.example.com", &[]));
    assert_eq!(c.quote_reissue("20", &spec).await.unwrap().price.as_deref(), Some("24.95"));
    assert_eq!(c.reissue("20", &spec).await.unwrap().order_id, "32");
}

#[tokio::test]
async fn cancel_deletes_the_process() {
    let (s, c) = server().await;
    Mock::given(method("DELETE"))
        .and(path("/v2/processes/20"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&s)
        .await;
    c.cancel("20", None).await.unwrap();
}

#[tokio::test]
async fn listing_searches_processes_for_the_common_name() {
    let (s, c) = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/processes"))
        .and(query_param("identifier:eq", "shop.example.com"))
        .respond_with(json(200, "process_list.json"))
        .expect(1)
        .mount(&s)
        .await;
    let page = c.list_orders(&OrderFilter::new().common_name("shop.example.com")).await.unwrap();
    let ids: Vec<_> = page.orders.iter().map(|o| (o.order_id.as_str(), o.status)).collect();
    assert_eq!(ids, [("20", OrderStatus::Processing), ("19", OrderStatus::Issued)]);
}

#[tokio::test]
async fn change_dcv_to_email_resends_with_an_approver() {
    let (s, c) = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20"))
        .respond_with(json(200, "process_running.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/20/info"))
        .respond_with(json(200, "info_file.json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/ssl/dcvemailaddresslist/shop.example.com"))
        .respond_with(json(200, "dcv_emails.json"))
        .mount(&s)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/processes/20/resend"))
        .and(body_partial_json(serde_json::json!({"dcv": [{"commonName": "shop.example.com", "type": "EMAIL", "email": "admin@example.com"}]})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&s)
        .await;
    c.change_dcv("20", DcvMethod::Email).await.unwrap();
}
