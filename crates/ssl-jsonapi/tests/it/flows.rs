//! Flows over wiremock: placing (created answer shapes, both error shapes, 401, 5xx), reading (hidden attributes
//! missing, unknown statuses, revoked certificates, DCV from domains), listing with `links.next` (never to
//! another host), download, reissue, renew, revoke, cancel.

use serde_json::json;
use ssl_core::model::{DcvMethod, DcvStatus, OrderFilter, OrderStatus, ReissueSpec};
use ssl_core::{ErrorKind, Provider};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

async fn placed_order_server() -> MockServer {
    let server = MockServer::start().await;
    mount(&server, "GET", "/products", 200, fixture("products.json")).await;
    server
}

#[tokio::test]
async fn place_reads_the_order_back_with_dcv_per_host() {
    let server = placed_order_server().await;
    mount(&server, "POST", "/orders", 201, fixture_at("order_created.json", &base(&server))).await;
    mount(&server, "GET", "/orders/ORD7Q2", 200, fixture("order_checked_out_dcv.json")).await;
    mount(&server, "GET", "/domains/DOM1", 200, fixture("domain_dns.json")).await;
    mount(&server, "GET", "/domains/2", 200, fixture("domain_complete.json")).await;
    mount(&server, "GET", "/domains/DOM3", 404, fixture("error_404.json")).await;
    let c = client(&server);
    let mut s = spec();
    s.client_reference = Some("PO-2026-118".into());
    let order = c.place(&s).await.unwrap();
    assert_eq!(
        (order.order_id.as_str(), order.status, order.provider_status.as_str()),
        ("ORD7Q2", OrderStatus::Processing, "CHECKED_OUT")
    );
    assert_eq!(order.dns_names, ["shop.example.com", "www.shop.example.com", "*.api.example.com"]);
    assert_eq!(order.certificate_id.as_deref(), Some("CRT55"));
    assert_eq!(order.client_reference.as_deref(), Some("PO-2026-118"));
    let dns = order.dcv[0].dns().unwrap();
    assert_eq!(
        (dns.name.as_str(), dns.record_type.as_str(), dns.value.as_str()),
        ("_dnsauth.shop.example.com", "TXT", "7x9qk2m4p8w1r5t3")
    );
    assert_eq!(order.dcv[0].status, DcvStatus::Pending);
    assert_eq!(order.dcv[1].status, DcvStatus::Valid, "the order's dcv entry read with `domain`");
    assert_eq!(order.dcv[2].dns().unwrap().name, "_dnsauth.api.example.com", "wildcard: base name");
    assert!(order.warnings.iter().any(|w| w.message.contains("DOM3")), "{:?}", order.warnings);
    let sent = received(&server, "POST", "/orders").await;
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(body["data"]["attributes"]["order_reference"], "PO-2026-118");
    let ct = sent[0].headers.get("content-type").unwrap().to_str().unwrap();
    assert!(ct.starts_with("application/json") || ct.starts_with(JSONAPI), "{ct}");
}

#[tokio::test]
async fn a_422_in_the_jsonapi_shape_lists_every_entry() {
    let server = placed_order_server().await;
    mount(&server, "POST", "/orders", 422, fixture("error_jsonapi_422.json")).await;
    let err = client(&server).place(&spec()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Provider, "{err}");
    let problems = err.all_problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    let text = format!("{err} {problems:?}");
    for s in ["Invalid attribute", "duration", "Invalid relationship", "contacts"] {
        assert!(text.contains(s), "{s} in {text}");
    }
}

#[tokio::test]
async fn an_error_object_is_read_too() {
    let server = placed_order_server().await;
    mount(&server, "POST", "/orders", 400, fixture("error_object.json")).await;
    let err = client(&server).place(&spec()).await.unwrap_err();
    assert_eq!(err.code(), Some("invalid_csr"));
    assert!(err.to_string().contains("The CSR could not be parsed."), "{err}");
}

#[tokio::test]
async fn a_bad_token_is_an_auth_failure_and_is_never_printed() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/orders/ORD1", 401, fixture("error_401.json")).await;
    let err = client(&server).get("ORD1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!format!("{err} {err:?}").contains(TOKEN));
    assert!(!format!("{:?}", client(&server)).contains(TOKEN));
}

#[tokio::test]
async fn an_html_5xx_on_the_order_is_an_unknown_outcome_sent_once() {
    let server = placed_order_server().await;
    let html =
        std::fs::read_to_string(format!("{}/tests/fixtures/error_502.html", env!("CARGO_MANIFEST_DIR"))).unwrap();
    Mock::given(method("POST"))
        .and(path("/ssl/v2/orders"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let err = client(&server).place(&spec()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.to_string().contains("/certificates"), "names where to look: {err}");
    assert_eq!(received(&server, "POST", "/orders").await.len(), 1);
    let server = placed_order_server().await;
    mount(&server, "POST", "/orders", 500, fixture("error_500_jsonapi.json")).await;
    let err = client(&server).place(&spec()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "a JSON 5xx too: {err}");
}

#[tokio::test]
async fn a_created_answer_without_an_id_keeps_the_raw_answer() {
    let server = placed_order_server().await;
    mount(&server, "POST", "/orders", 201, fixture("order_without_id.json")).await;
    let err = client(&server).place(&spec()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PlacedUnreadable, "{err}");
    assert!(err.placed().unwrap().raw.as_deref().unwrap().contains("CHECKED_OUT"));
}

#[tokio::test]
async fn status_survives_missing_hidden_attributes_and_unknown_statuses() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/orders/ORD7Q2", 200, fixture("order_status_only.json")).await;
    mount(&server, "GET", "/orders/ORD9", 200, fixture("order_unknown_status.json")).await;
    let c = client(&server);
    let o = c.get("ORD7Q2").await.unwrap();
    assert_eq!((o.status, o.provider_status.as_str()), (OrderStatus::Processing, "Checked_Out"));
    assert!(o.dns_names.is_empty() && o.dcv.is_empty());
    let o = c.get("ORD9").await.unwrap();
    assert_eq!((o.status, o.provider_status.as_str()), (OrderStatus::Unknown, "WAITING_FOR_PAYMENT"));
    assert_eq!(o.dns_names, ["a.example.com"]);
    let q = received(&server, "GET", "/orders/ORD7Q2").await[0].url.query().unwrap_or("").to_owned();
    let fields: String =
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "fields[order]").unwrap().1.into();
    for f in ["status", "common_name", "sans", "dcv", "certificate", "domains"] {
        assert!(fields.split(',').any(|x| x == f), "{f} in {fields}");
    }
}

#[tokio::test]
async fn a_delivered_order_with_a_revoked_certificate_is_revoked() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/orders/ORD7Q2", 200, fixture("order_delivered.json")).await;
    mount(&server, "GET", "/certificates/CRT55", 200, fixture("certificate_revoked.json")).await;
    let o = client(&server).get("ORD7Q2").await.unwrap();
    assert_eq!((o.status, o.provider_status.as_str()), (OrderStatus::Revoked, "delivered"));
    assert!(o.dcv.iter().all(|d| d.status == DcvStatus::Valid));
}

#[tokio::test]
async fn download_orders_the_chain_and_keeps_the_root_apart() {
    let server = MockServer::start().await;
    let ch = chain("shop.example.com");
    let mut order = fixture("order_delivered.json");
    order["data"]["attributes"]["cacert_inter"] = json!(ch.inter);
    order["data"]["attributes"]["cacert_root"] = json!(ch.root);
    mount(&server, "GET", "/orders/ORD7Q2", 200, order).await;
    let mut cert = fixture("certificate_pem.json");
    cert["data"]["attributes"]["pem"] = json!(ch.leaf);
    mount(&server, "GET", "/certificates/CRT55", 200, cert).await;
    let b = client(&server).download("ORD7Q2").await.unwrap();
    assert_eq!(b.leaf_pem.trim(), ch.leaf.trim());
    assert_eq!(b.intermediates_pem.len(), 1);
    assert_eq!(b.intermediates_pem[0].trim(), ch.inter.trim());
    assert_eq!(b.root_pem.as_deref().map(str::trim), Some(ch.root.trim()));
    let q = received(&server, "GET", "/certificates/CRT55").await[0].url.query().unwrap_or("").to_owned();
    assert!(q.contains("status%2Cserial%2Cpem") || q.contains("status,serial,pem"), "{q}");
}

#[tokio::test]
async fn download_gives_the_orders_own_leaf_over_the_certificates_newest() {
    let server = MockServer::start().await;
    let (own, newer) = (chain("shop.example.com"), chain("shop.example.com"));
    let mut order = fixture("order_delivered.json");
    order["data"]["attributes"]["pem"] = json!(own.leaf);
    order["data"]["attributes"]["cacert_inter"] = json!(own.inter);
    order["data"]["attributes"]["cacert_root"] = json!(own.root);
    mount(&server, "GET", "/orders/ORD7Q2", 200, order).await;
    let mut cert = fixture("certificate_pem.json");
    cert["data"]["attributes"]["pem"] = json!(newer.leaf);
    mount(&server, "GET", "/certificates/CRT55", 200, cert).await;
    let b = client(&server).download("ORD7Q2").await.unwrap();
    assert_eq!(b.leaf_pem.trim(), own.leaf.trim());
    assert!(received(&server, "GET", "/certificates/CRT55").await.is_empty(), "the certificate is not read");
}

#[tokio::test]
async fn nothing_to_download_before_delivery() {
    let server = MockServer::start().await;
    mount(&server, "GET", "/orders/ORD7Q2", 200, fixture("order_status_only.json")).await;
    let err = client(&server).download("ORD7Q2").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
}

#[tokio::test]
async fn listing_follows_next_on_the_same_host_only() {
    let server = MockServer::start().await;
    let b = base(&server);
    Mock::given(method("GET"))
        .and(path("/ssl/v2/certificates"))
        .and(wiremock::matchers::query_param("page[number]", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture_at("certificates_page2.json", &b).to_string(), JSONAPI),
        )
        .mount(&server)
        .await;
    mount(&server, "GET", "/certificates", 200, fixture_at("certificates_page1.json", &b)).await;
    let c = client(&server);
    let first = c.list_orders(&OrderFilter::new()).await.unwrap();
    assert_eq!(first.orders.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["ORD7Q2", "ORD7Q3"]);
    assert_eq!((first.orders[0].status, first.orders[1].status), (OrderStatus::Issued, OrderStatus::Processing));
    let second = c.list_orders(&OrderFilter::new().cursor(first.next.clone().unwrap())).await.unwrap();
    assert_eq!(second.orders[0].status, OrderStatus::Revoked);
    assert!(second.next.is_none());

    // A next link to another host is refused, and that host never sees the token.
    let elsewhere = MockServer::start().await;
    let foreign = MockServer::start().await;
    let mut page = fixture_at("certificates_foreign_next.json", &base(&elsewhere));
    page["links"]["next"] = json!(format!("{}/ssl/v2/certificates?page%5Bnumber%5D=2", foreign.uri()));
    mount(&elsewhere, "GET", "/certificates", 200, page).await;
    let c = client(&elsewhere);
    let first = c.list_orders(&OrderFilter::new()).await.unwrap();
    let err = c.list_orders(&OrderFilter::new().cursor(first.next.unwrap())).await.unwrap_err();
    assert!(err.to_string().contains("not followed"), "{err}");
    assert!(foreign.received_requests().await.unwrap_or_default().is_empty(), "the other host saw nothing");
}

#[tokio::test]
async fn reissue_renew_revoke_and_cancel() {
    let server = placed_order_server().await;
    let mut old = fixture("order_delivered.json");
    old["data"]["attributes"]["csr"] = json!(csr(&["shop.example.com"]));
    old["data"]["attributes"]["infos"] = json!({"validation_method": "VALIDATE_HTTP", "web_server": "others"});
    mount(&server, "GET", "/orders/ORD7Q2", 200, old).await;
    let mut created = fixture("order_created.json");
    created["data"]["id"] = json!("ORD8");
    mount(&server, "POST", "/orders", 201, created).await;
    let mut read = fixture("order_status_only.json");
    read["data"]["id"] = json!("ORD8");
    mount(&server, "GET", "/orders/ORD8", 200, read).await;
    Mock::given(method("POST"))
        .and(path("/ssl/v2/certificates/CRT55/revoke"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let new_csr = csr(&["shop.example.com"]);
    let o = c.reissue("ORD7Q2", &ReissueSpec::new().with_csr(new_csr.clone())).await.unwrap();
    assert_eq!(o.order_id, "ORD8");
    let r = c.renew("ORD7Q2", &spec().term_months(24)).await.unwrap();
    assert_eq!(r.order_id, "ORD8");
    let posts = received(&server, "POST", "/orders").await;
    let bodies: Vec<serde_json::Value> = posts.iter().map(|p| serde_json::from_slice(&p.body).unwrap()).collect();
    assert_eq!(bodies[0]["data"]["attributes"]["action"], "reissue");
    assert_eq!(bodies[0]["data"]["attributes"]["duration"], "2 years", "the order's duration is kept");
    assert_eq!(bodies[0]["data"]["attributes"]["infos"]["validation_method"], "VALIDATE_HTTP");
    assert_eq!(bodies[0]["data"]["attributes"]["csr"], json!(new_csr));
    assert_eq!(bodies[1]["data"]["attributes"]["action"], "renew");
    for b in &bodies {
        assert_eq!(b["data"]["relationships"]["certificate"]["data"], json!({"type": "certificate", "id": "CRT55"}));
        assert!(b["data"]["relationships"].get("product").is_none());
    }
    c.revoke("ORD7Q2", Some("key compromise")).await.unwrap();
    let revoke = received(&server, "POST", "/certificates/CRT55/revoke").await;
    assert!(revoke[0].body.is_empty());
    let err = c.cancel("ORD7Q2", None).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert!(!c.capabilities().supports(ssl_core::model::Verb::Cancel));
    let mut s = spec();
    s.dcv = DcvMethod::Https;
    assert!(c.prepare(&s).await.is_err(), "https DCV is not offered");
}
