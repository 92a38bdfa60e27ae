//! validate() and the pre-flight list every problem at once, and the client sends nothing.

use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::validate::Validate;
use ssl_core::{Error, Provider};
use ssl_digicert::generated::{DcvEmail, DcvMethod as WireDcv, OrderCertificate, OrderRequest};

use crate::common::{assert_only_product_reads, csr, mock_client, reply_product};

fn codes(e: &Error) -> Vec<String> {
    let mut c: Vec<String> = e.problems().iter().filter(|p| p.is_error()).map(|p| p.code.clone()).collect();
    c.sort();
    c
}

#[tokio::test]
async fn wildcard_with_http_and_four_years_gives_three_problems_and_sends_nothing() {
    let (client, mock) = mock_client();
    let spec = OrderSpec::new("wildcard_dv_geotrust", "*.shop.example.com", DcvMethod::Http)
        .term_months(48)
        .csr(csr(&["*.shop.example.com"]));
    reply_product(&mock, &spec.product);
    let e = client.place(&spec).await.unwrap_err();
    assert_eq!(codes(&e), vec!["dcv_not_allowed", "enum", "period_not_offered"], "{:#?}", e.problems());
    assert_only_product_reads(&mock); // a bad order sends no write and no spend
    // prepare (what --dry-run uses) reports the same and sends nothing either.
    reply_product(&mock, &spec.product);
    let e = client.prepare(&spec).await.unwrap_err();
    assert_eq!(codes(&e).len(), 3);
    assert_only_product_reads(&mock);
}

#[tokio::test]
async fn wire_level_place_order_also_refuses_product_rule_breaks() {
    let (client, mock) = mock_client();
    let order = OrderRequest::new(
        OrderCertificate::new("*.shop.example.com", csr(&["*.shop.example.com"])),
        WireDcv::HttpToken,
    )
    .validity_years(4);
    let e = client.place_order("wildcard_dv_geotrust", &order).await.unwrap_err();
    let c = codes(&e);
    assert!(c.contains(&"enum".to_string()) && c.contains(&"dcv_not_allowed".to_string()), "{c:?}");
    let dynamic = OrderRequest::new(
        OrderCertificate::new("shop.example.com", csr(&["shop.example.com"])),
        WireDcv::HttpTokenDynamic,
    )
    .validity_years(1);
    let e = client.place_order("ssl_dv_geotrust", &dynamic).await.unwrap_err();
    assert_eq!(codes(&e), vec!["dcv_not_allowed"], "DV refuses http-token-dynamic");
    assert_only_product_reads(&mock);
}

#[test]
fn validate_reports_every_field_constraint_at_once() {
    let order = OrderRequest::new(OrderCertificate::new("", ""), WireDcv::Unknown("carrier-pigeon".into()))
        .validity_years(4)
        .custom_expiration_date("")
        .dcv_emails(vec![DcvEmail::new("", "example.com")]);
    let problems = order.validate();
    let fields: Vec<&str> = problems.iter().filter_map(|p| p.field.as_deref()).collect();
    for f in [
        "certificate.common_name",
        "certificate.csr",
        "dcv_method",
        "validity_years",
        "custom_expiration_date",
        "dcv_emails[0].dns_name",
    ] {
        assert!(fields.contains(&f), "missing {f} in {fields:?}");
    }
}

#[tokio::test]
async fn the_csr_must_match_the_order_names() {
    let (client, mock) = mock_client();
    let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Dns)
        .san("www.shop.example.com")
        .csr(csr(&["other.example.com"]));
    reply_product(&mock, &spec.product);
    let e = client.place(&spec).await.unwrap_err();
    assert!(codes(&e).contains(&"name_mismatch".to_string()), "{:?}", codes(&e));
    assert_only_product_reads(&mock);
}

#[tokio::test]
async fn email_dcv_needs_an_approver_per_host_and_unknown_options_are_refused() {
    let (client, mock) = mock_client();
    let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Email)
        .csr(csr(&["shop.example.com"]))
        .option("colour", "blue");
    reply_product(&mock, &spec.product);
    let e = client.place(&spec).await.unwrap_err();
    let c = codes(&e);
    assert!(c.contains(&"approver_email_missing".to_string()), "{c:?}");
    assert!(c.contains(&"unknown_option".to_string()), "{c:?}");
    assert_only_product_reads(&mock);
}

#[tokio::test]
async fn ov_needs_an_organization_id() {
    let (client, mock) = mock_client();
    let spec = OrderSpec::new("ssl_plus", "shop.example.com", DcvMethod::Dns).csr(csr(&["shop.example.com"]));
    reply_product(&mock, &spec.product);
    let e = client.place(&spec).await.unwrap_err();
    assert!(codes(&e).contains(&"field_required".to_string()), "{:?}", codes(&e));
    assert_only_product_reads(&mock);
}
