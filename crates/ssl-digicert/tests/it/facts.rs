//! The DigiCert facts the provider notes list (19–26), one test each.

use ssl_core::Provider;
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::validate::Validate;
use ssl_digicert::Region;
use ssl_digicert::generated::{self as g, requests};
use ssl_digicert::neutral::build_order_request;

use crate::common::{csr, mock_client, order};

fn rules(id: &str) -> ssl_core::model::ProductRules {
    g::product_table().into_iter().find(|p| p.id == id).unwrap()
}

fn wire(spec: &OrderSpec) -> serde_json::Value {
    let mut problems = Vec::new();
    let o = build_order_request(spec, &rules(&spec.product), None, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    serde_json::to_value(o).unwrap()
}

/// 19: `X-DC-DEVKEY` header; `{base}/order/certificate/{product}` with the US or EU base.
#[tokio::test]
async fn fact_19_header_and_url() {
    assert_eq!(Region::Us.base_url().as_str(), "https://www.digicert.com/services/v2");
    assert_eq!(Region::Eu.base_url().as_str(), "https://certcentral.digicert.eu/services/v2");
    let (c, mock) = mock_client();
    mock.reply_json(201, serde_json::json!({"id": 1, "certificate_id": 2}));
    c.place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.url, "https://www.digicert.com/services/v2/order/certificate/ssl_dv_geotrust");
    assert_eq!(r.secret_header_names, vec!["X-DC-DEVKEY".to_string()]);
    assert!(r.headers.iter().any(|(k, v)| k == "content-type" && v == "application/json"));
}

/// 20: 201 `{id, certificate_id[, dcv_random_value]}`; the random value only for dns-txt-token/http-token.
#[test]
fn fact_20_created_shapes() {
    let email: g::OrderCreated = serde_json::from_str(r#"{"id": 6484932, "certificate_id": 6079436}"#).unwrap();
    assert_eq!((email.id, email.certificate_id, email.dcv_random_value), (6484932, Some(6079436), None));
    let dns: g::OrderCreated =
        serde_json::from_str(r#"{"id": 6484932, "certificate_id": 6079436, "dcv_random_value": "icru1984rnekfj"}"#)
            .unwrap();
    assert_eq!(dns.dcv_random_value.as_deref(), Some("icru1984rnekfj"));
}

/// 21: the five wire DCV names; http-token refused for wildcards; DV refuses http-token-dynamic.
#[test]
fn fact_21_dcv_methods() {
    let names: Vec<String> = [
        g::DcvMethod::Email,
        g::DcvMethod::DnsTxtToken,
        g::DcvMethod::DnsCnameToken,
        g::DcvMethod::HttpToken,
        g::DcvMethod::HttpTokenDynamic,
    ]
    .iter()
    .map(|m| serde_json::to_value(m).unwrap().as_str().unwrap().to_owned())
    .collect();
    assert_eq!(names, ["email", "dns-txt-token", "dns-cname-token", "http-token", "http-token-dynamic"]);
    let unknown: g::DcvMethod = serde_json::from_str(r#""dns-future-token""#).unwrap();
    assert_eq!(unknown, g::DcvMethod::Unknown("dns-future-token".into()));
    let spec = OrderSpec::new("wildcard_dv_geotrust", "*.example.com", DcvMethod::Http).csr(csr(&["*.example.com"]));
    let p = ssl_csr::preflight(&spec, None, &rules("wildcard_dv_geotrust"), &ssl_digicert::neutral::DCV_TABLE);
    assert!(p.iter().any(|p| p.code == "dcv_not_allowed"), "{p:?}");
}

/// 22: custom_expiration_date > validity_days > validity_years; at most 3 years; yyyy-MM-dd.
#[test]
fn fact_22_validity_precedence() {
    let base =
        OrderSpec::new("ssl_dv_geotrust", "a.example.com", DcvMethod::Dns).csr(csr(&["a.example.com"])).term_months(24);
    let years = wire(&base);
    assert_eq!(years["validity_years"], 2);
    let days = wire(&base.clone().option("validity_days", 90));
    assert_eq!(days["validity_days"], 90);
    assert!(days.get("validity_years").is_none());
    let custom = wire(&base.clone().option("validity_days", 90).option("custom_expiration_date", "2027-03-01"));
    assert_eq!(custom["custom_expiration_date"], "2027-03-01");
    assert!(custom.get("validity_days").is_none() && custom.get("validity_years").is_none());
    let bad = order("a.example.com").custom_expiration_date("01/03/2027").validity_years(4);
    let fields: Vec<_> = bad.validate().into_iter().filter_map(|p| p.field).collect();
    assert!(
        fields.contains(&"custom_expiration_date".to_string()) && fields.contains(&"validity_years".to_string()),
        "{fields:?}"
    );
}

/// 23: server_platform.id defaults to -1; payment_method is balance, card or profile.
#[test]
fn fact_23_platform_and_payment() {
    let spec = OrderSpec::new("ssl_dv_geotrust", "a.example.com", DcvMethod::Dns).csr(csr(&["a.example.com"]));
    let body = wire(&spec);
    assert_eq!(body["certificate"]["server_platform"]["id"], -1);
    assert!(body.get("payment_method").is_none(), "default (balance) is the provider's");
    let card = wire(&spec.clone().option("payment_method", "card"));
    assert_eq!(card["payment_method"], "card");
    let bad = order("a.example.com").payment_method(g::OrderRequestPaymentMethod::Unknown("cash".into()));
    assert!(bad.validate().iter().any(|p| p.field.as_deref() == Some("payment_method")));
}

/// 24: dcv_emails[].email_domain is the base domain of dns_name.
#[test]
fn fact_24_dcv_emails() {
    let spec = OrderSpec::new("ssl_dv_geotrust", "example.com", DcvMethod::Email)
        .san("sub.example.com")
        .csr(csr(&["example.com", "sub.example.com"]))
        .approver_email("*", "admin@example.com");
    let body = wire(&spec);
    assert_eq!(
        body["dcv_emails"],
        serde_json::json!([
            {"dns_name": "example.com", "email_domain": "example.com", "email": "admin@example.com"},
            {"dns_name": "sub.example.com", "email_domain": "example.com", "email": "admin@example.com"}
        ])
    );
    let mut problems = Vec::new();
    let wrong = spec.clone().approver_email("sub.example.com", "it@other.org");
    build_order_request(&wrong, &rules("ssl_dv_geotrust"), None, &mut problems);
    assert!(problems.iter().any(|p| p.code == "approver_email_domain"), "{problems:?}");
}

/// 25: errors keep `|`/`:` codes; 429 retryable; 404 not found (see also `flows`).
#[test]
fn fact_25_error_codes() {
    let e = ssl_digicert::error::decode("digicert", 404, br#"{"errors":[{"code":"not_found|order","message":"x"}]}"#)
        .unwrap();
    assert_eq!(e.code.as_deref(), Some("not_found|order"));
    assert_eq!(e.kind(), ssl_core::ErrorKind::NotFound);
    let e = ssl_digicert::error::decode(
        "digicert",
        429,
        br#"{"errors":[{"code":"request_limit_exceeded","message":"x"}]}"#,
    )
    .unwrap();
    assert!(e.is_retryable());
}

/// 26: empty optionals such as `custom_expiration_date: ""` are never sent.
#[tokio::test]
async fn fact_26_no_empty_optionals() {
    let spec = OrderSpec::new("ssl_dv_geotrust", "a.example.com", DcvMethod::Dns)
        .csr(csr(&["a.example.com"]))
        .option("custom_expiration_date", "");
    let body = wire(&spec);
    assert!(body.get("custom_expiration_date").is_none());
    let text = serde_json::to_string(&body).unwrap();
    assert!(!text.contains("\"\"") && !text.contains("null"), "{text}");
    let (c, mock) = mock_client();
    crate::common::reply_product(&mock, &spec.product);
    let prepared = c.prepare(&spec).await.unwrap();
    assert!(!prepared.rendered.contains("custom_expiration_date"));
    let req = requests::place_order("ssl_dv_geotrust", &order("a.example.com"));
    assert!(!serde_json::to_string(&req).unwrap().contains("null"));
    crate::common::assert_only_product_reads(&mock);
}
