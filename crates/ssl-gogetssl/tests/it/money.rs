//! Orders are never lost after payment, status survives an unreadable certificate, listings page.

use serde_json::json;
use ssl_core::model::{DcvMethod, OrderFilter, OrderSpec, OrderStatus};
use ssl_core::{ErrorKind, Provider};

use crate::common::{csr, dv_contacts, mock_client, products, reply_login, status_answer};

#[tokio::test]
async fn an_order_whose_status_cannot_be_read_is_reported_with_its_id() {
    let (c, mock) = mock_client();
    let c = c.with_products(products());
    reply_login(&mock, "k");
    mock.reply_json(200, json!({"order_id": "783956", "success": true}));
    mock.reply_json(200, json!({"error": true, "message": "Order not found yet"}));
    let spec = OrderSpec::new("101", "shop.example.com", DcvMethod::Dns)
        .contacts(dv_contacts())
        .csr(csr(&["shop.example.com"]));
    let e = c.place(&spec).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PlacedUnreadable, "{e}");
    assert_eq!(e.placed().unwrap().order_id.as_deref(), Some("783956"));
    let orders = mock.requests().iter().filter(|r| r.url.contains("add_ssl_order")).count();
    assert_eq!(orders, 1, "never sent twice");
}

#[tokio::test]
async fn an_active_order_with_an_unreadable_certificate_still_reads() {
    let (c, mock) = mock_client();
    reply_login(&mock, "k");
    let mut st = status_answer(7, "active");
    st["crt_code"] = json!("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----");
    mock.reply_json(200, st);
    let o = c.get("7").await.unwrap();
    assert_eq!(o.status, OrderStatus::Issued);
    assert_eq!(o.warnings[0].code, "certificate_unreadable");
}

#[tokio::test]
async fn orders_are_listed_by_offset() {
    let (c, mock) = mock_client();
    reply_login(&mock, "k");
    mock.reply_json(
        200,
        json!({"orders": [{"order_id": "1", "status": "active"}, {"order_id": 2, "status": "processing"}],
               "limit": 2, "offset": 0, "count": 2, "success": true}),
    );
    let page = c.list_orders(&OrderFilter::new().limit(2)).await.unwrap();
    assert_eq!(page.orders.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
    assert_eq!(page.orders[0].status, OrderStatus::Issued);
    assert_eq!(page.next.as_deref(), Some("2"));
    let url = &mock.requests()[1].url;
    assert!(url.contains("/orders/ssl/all") && url.contains("limit=2") && url.contains("offset=0"), "{url}");
    assert!(url.contains("auth_key=[redacted]"));
    // With a name filter each listed order is read for its names.
    mock.reply_json(200, json!({"orders": [{"order_id": 7, "status": "processing"}], "success": true}));
    mock.reply_json(200, status_answer(7, "processing"));
    let page = c.list_orders(&OrderFilter::new().common_name("shop.example.com").cursor("2")).await.unwrap();
    assert_eq!(page.orders.len(), 1);
    assert_eq!(page.orders[0].common_name, "shop.example.com");
    assert_eq!(page.next, None);
}
