//! Money stays traceable (orders lost after payment), status survives a failing download, listings page, and an
//! unknown wire DCV method stays unknown.

use serde_json::json;
use ssl_core::model::{DcvMethod, OrderFilter, OrderSpec, OrderStatus};
use ssl_core::testing::MockTransport;
use ssl_core::{ErrorKind, Provider, WireResponse};

use crate::common::{csr, mock_client, reply_product};

fn spec() -> OrderSpec {
    OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Dns).csr(csr(&["shop.example.com"]))
}

fn info(status: &str, cert_id: Option<i64>) -> serde_json::Value {
    json!({
        "id": 42, "status": status, "dcv_method": "dns-txt-token", "dcv_random_value": "rnd",
        "certificate": {"id": cert_id, "common_name": "shop.example.com", "dns_names": ["shop.example.com"]},
        "product": {"name_id": "ssl_dv_geotrust"}, "date_created": "2026-11-01T10:00:00+00:00"
    })
}

fn fail(mock: &MockTransport, status: u16) {
    mock.reply(Ok(WireResponse::new(status, vec![], b"<html>bad gateway</html>".to_vec())));
}

#[tokio::test]
async fn an_order_whose_read_back_fails_is_reported_with_its_id() {
    let (c, mock) = mock_client();
    reply_product(&mock, "ssl_dv_geotrust");
    mock.reply_json(201, json!({"id": 42, "dcv_random_value": "rnd"}));
    fail(&mock, 502);
    let e = c.place(&spec()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PlacedUnreadable, "{e}");
    let placed = e.placed().unwrap();
    assert_eq!(placed.order_id.as_deref(), Some("42"));
    assert!(placed.lookup.contains("/order/certificate"), "{}", placed.lookup);
    assert_eq!(mock.requests().iter().filter(|r| r.method == ssl_core::Method::Post).count(), 1, "never re-sent");
}

#[tokio::test]
async fn an_order_answer_without_an_id_keeps_the_raw_answer() {
    let (c, mock) = mock_client();
    reply_product(&mock, "ssl_dv_geotrust");
    mock.reply_json(201, json!({"requests": [{"id": 7}]}));
    let e = c.place(&spec()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PlacedUnreadable, "{e}");
    let placed = e.placed().unwrap();
    assert_eq!(placed.order_id, None);
    let raw = placed.raw.as_deref().unwrap();
    assert!(raw.contains("requests"), "{raw}");
    assert_eq!(mock.requests().len(), 2, "the product read and the order, once");
}

#[tokio::test]
async fn the_dry_run_value_is_the_value_placed() {
    let (c, mock) = mock_client();
    reply_product(&mock, "ssl_dv_geotrust");
    let prepared = c.prepare(&spec()).await.unwrap();
    mock.reply_json(201, json!({"id": 42}));
    mock.reply_json(200, info("pending", None));
    let order = c.place_prepared(&prepared).await.unwrap();
    assert_eq!(order.order_id, "42");
    let sent = &mock.requests()[1];
    let printed = prepared.request.body.redacted_text();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&sent.body).unwrap(),
        serde_json::from_str::<serde_json::Value>(&printed).unwrap()
    );
}

#[tokio::test]
async fn status_of_an_issued_order_survives_a_failing_download() {
    let (c, mock) = mock_client();
    mock.reply_json(200, info("issued", Some(9)));
    fail(&mock, 500);
    let o = c.get("42").await.unwrap();
    assert_eq!(o.status, OrderStatus::Issued);
    assert_eq!(o.certificate_id.as_deref(), Some("9"));
    assert!(o.certificate.is_none());
    assert_eq!(o.warnings.len(), 1);
    assert_eq!(o.warnings[0].code, "download_failed");
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(v["warnings"][0]["code"], "download_failed");
}

#[tokio::test]
async fn an_unknown_wire_dcv_method_stays_unknown() {
    let (c, mock) = mock_client();
    let mut body = info("pending", None);
    body["dcv_method"] = json!("dns-magic-token");
    mock.reply_json(200, body);
    let o = c.get("42").await.unwrap();
    assert_eq!(o.dcv[0].method(), None);
    let v = serde_json::to_value(&o.dcv[0]).unwrap();
    assert_eq!(v["method"], "unknown");
    assert_eq!(v["provider_method"], "dns-magic-token");
    assert!(v["dns"].is_null() && v["http"].is_null() && v["email"].is_null());
}

#[tokio::test]
async fn orders_are_listed_page_by_page() {
    let (c, mock) = mock_client();
    let row = |id: i64, cn: &str| {
        json!({"id": id, "status": "issued", "date_created": "2026-11-02T00:00:00+00:00",
               "certificate": {"id": id + 1000, "common_name": cn}, "product": {"name_id": "ssl_dv_geotrust"}})
    };
    mock.reply_json(200, json!({"orders": [row(1, "a.example.com"), row(2, "b.example.com")], "page": {"total": 3, "limit": 2, "offset": 0}}));
    let page = c.list_orders(&OrderFilter::new().limit(2)).await.unwrap();
    assert_eq!(page.orders.len(), 2);
    assert_eq!(page.next.as_deref(), Some("2"));
    assert_eq!(page.total, Some(3));
    assert_eq!(page.orders[0].certificate_id.as_deref(), Some("1001"));
    assert!(mock.requests()[0].url.contains("limit=2") && mock.requests()[0].url.contains("offset=0"));
    mock.reply_json(200, json!({"orders": [row(3, "a.example.com")], "page": {"total": 3}}));
    let page = c.list_orders(&OrderFilter::new().limit(2).cursor("2").common_name("a.example.com")).await.unwrap();
    assert_eq!(page.next, None);
    assert_eq!(page.orders[0].order_id, "3");
    assert!(mock.requests()[1].url.contains("offset=2"));
    assert!(mock.requests()[1].url.contains("filters%5Bcommon_name%5D=a.example.com"), "{}", mock.requests()[1].url);
    // An account without orders answers without an `orders` key.
    mock.reply_json(200, json!({"page": {"total": 0}}));
    assert!(c.list_orders(&OrderFilter::new()).await.unwrap().orders.is_empty());
}

#[tokio::test]
async fn the_catalog_and_the_preflight_read_the_account() {
    let (c, mock) = mock_client();
    mock.reply_json(
        200,
        json!({"products": [{"name_id": "ssl_dv_geotrust", "name": "GeoTrust DV (account)", "validation_type": "dv"}]}),
    );
    let products = c.products().await.unwrap();
    assert_eq!(products.len(), 1, "the account's products, not the built-in table");
    assert_eq!(products[0].name, "GeoTrust DV (account)");
    assert!(mock.requests()[0].url.ends_with("/product"), "{}", mock.requests()[0].url);
    // A product the account does not have is refused before anything is ordered.
    mock.reply_json(404, json!({"errors": [{"code": "not_found|product", "message": "Product not found"}]}));
    let e = c.prepare(&spec()).await.unwrap_err();
    assert_eq!(e.problems()[0].code, "unknown_product", "{e}");
    // Validity years come from the account.
    mock.reply_json(
        200,
        json!({"name_id": "ssl_dv_geotrust", "name": "x", "validation_type": "dv", "allowed_validity_years": [1]}),
    );
    let e = c.prepare(&spec().term_months(24)).await.unwrap_err();
    assert!(e.problems().iter().any(|p| p.code == "period_not_offered"), "{e}");
}
