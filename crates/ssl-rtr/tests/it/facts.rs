//! One test per Realtime Register fact of `providers/openprovider-rtr.md` §3 (facts 11–22).

use serde_json::{Value, json};
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::validate::Validate;
use ssl_core::{ErrorKind, Provider};
use ssl_rtr::generated::{self as g, requests};
use ssl_rtr::neutral::build_request;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{CSR, csr, fixture, json, product, received, server};

fn body_of(req: &ssl_core::HttpRequest) -> Value {
    serde_json::to_value(req).unwrap()["body"]["json"].clone()
}

#[tokio::test]
async fn fact_11_request_goes_to_v2_ssl_certificates_with_the_api_key() {
    let (s, c) = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/ssl/products/sectigo_dv"))
        .respond_with(json(200, "product_dv.json"))
        .mount(&s)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/ssl/certificates"))
        .and(header("authorization", "ApiKey rtr-test-key"))
        .and(query_param("quote", "true"))
        .respond_with(json(200, "quote.json"))
        .expect(1)
        .mount(&s)
        .await;
    c.quote(&OrderSpec::new("sectigo_dv", "shop.example.com", DcvMethod::Dns).csr(csr("shop.example.com", &[])))
        .await
        .unwrap();
    assert_eq!(requests::request_certificate(&g::CertificateRequest::default(), None).query, vec![]);
}

#[test]
fn fact_12_camel_case_period_in_months_and_no_null_optionals() {
    let body =
        body_of(&requests::request_certificate(&g::CertificateRequest::new("acme", "sectigo_dv", 24, CSR), None));
    assert_eq!(body, json!({"customer": "acme", "product": "sectigo_dv", "period": 24, "csr": CSR}));
    let full = body_of(&requests::request_certificate(
        &g::CertificateRequest::default().postal_code("1015AA").sa_email("a@b.nl"),
        None,
    ));
    assert!(full.get("postalCode").is_some() && full.get("saEmail").is_some() && full.get("postal_code").is_none());
}

#[test]
fn fact_13_san_is_a_string_array_only_for_multi_domain() {
    let spec = OrderSpec::new("p", "shop.example.com", DcvMethod::Dns).san("api.example.com").csr(CSR);
    let mut problems = Vec::new();
    let multi = build_request(&spec, &product("product_multi.json"), "acme", &mut problems);
    assert_eq!(multi.san, Some(vec!["api.example.com".to_string()]));
    let alone = OrderSpec::new("p", "shop.example.com", DcvMethod::Dns).csr(CSR);
    assert_eq!(build_request(&alone, &product("product_multi.json"), "acme", &mut problems).san, None);
    let www = OrderSpec::new("p", "shop.example.com", DcvMethod::Dns).san("www.shop.example.com").csr(CSR);
    assert_eq!(build_request(&www, &product("product_dv.json"), "acme", &mut problems).san, None);
    assert!(problems.is_empty(), "{problems:?}");
    build_request(&spec, &product("product_dv.json"), "acme", &mut problems);
    assert_eq!(problems.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["product_rule"]);
}

#[test]
fn fact_14_dcv_is_a_list_per_name_with_email_only_for_email_and_http_as_file() {
    let spec = OrderSpec::new("p", "shop.example.com", DcvMethod::Email)
        .san("api.example.com")
        .dcv_for("api.example.com", DcvMethod::Http)
        .approver_email("*", "admin@example.com")
        .csr(CSR);
    let body = build_request(&spec, &product("product_multi.json"), "acme", &mut Vec::new());
    let dcv = serde_json::to_value(body.dcv).unwrap();
    assert_eq!(
        dcv,
        json!([
            {"commonName": "shop.example.com", "type": "EMAIL", "email": "admin@example.com"},
            {"commonName": "api.example.com", "type": "FILE"}
        ])
    );
    let missing = g::Dcv::new("shop.example.com", g::DcvType::Email);
    assert!(missing.validate().is_empty(), "email-for-EMAIL is checked by the pre-flight (approver_email_missing)");
}

#[test]
fn fact_15_approver_is_an_object_with_a_normalized_voice() {
    let mut spec = OrderSpec::new("p", "shop.example.com", DcvMethod::Dns).csr(CSR);
    spec.contacts = serde_json::from_value(json!({
        "admin": {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "+31 20 1234567"},
        "organization": {"name": "Example B.V.", "address": "Keizersgracht 1", "postal_code": "1015AA", "city": "Amsterdam", "country": "NL"}
    }))
    .unwrap();
    let body = build_request(&spec, &product("product_ov.json"), "acme", &mut Vec::new());
    assert_eq!(
        serde_json::to_value(&body.approver).unwrap(),
        json!({"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com", "voice": "+31.201234567"})
    );
    let bad = g::Approver::new("J", "D", "j@example.com", "+31 20 1234567");
    assert_eq!(bad.validate()[0].field.as_deref(), Some("voice"));
}

#[test]
fn fact_16_client_side_checks_from_the_seed() {
    let mut body = g::CertificateRequest::new("a b", "sectigo_dv", 12, CSR)
        .domain_name("a.b")
        .san(vec!["x.y".to_string()])
        .unique_value("not-alnum")
        .country("NLD")
        .postal_code("12345678901")
        .dcv(vec![g::Dcv::new("e.f", g::DcvType::Dns)]);
    let fields = |b: &g::CertificateRequest| b.validate().into_iter().filter_map(|p| p.field).collect::<Vec<_>>();
    let f = fields(&body);
    for want in ["customer", "domainName", "san[0]", "uniqueValue", "country", "postalCode", "dcv[0].commonName"] {
        assert!(f.iter().any(|x| x == want), "{want} not in {f:?}");
    }
    body.customer = "x".repeat(41);
    assert!(fields(&body).contains(&"customer".to_string()));
}

#[tokio::test]
async fn fact_17_201_and_202_are_success_and_the_id_is_the_header() {
    for status in [201, 202] {
        let (s, c) = server().await;
        Mock::given(method("GET"))
            .and(path("/v2/ssl/products/sectigo_dv"))
            .respond_with(json(200, "product_dv.json"))
            .mount(&s)
            .await;
        Mock::given(method("POST"))
            .respond_with(json(status, "info_minimal.json").insert_header("x-process-id", "77"))
            .mount(&s)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/processes/77"))
            .respond_with(json(200, "process_running.json"))
            .mount(&s)
            .await;
        let spec = OrderSpec::new("sectigo_dv", "shop.example.com", DcvMethod::Dns).csr(csr("shop.example.com", &[]));
        let order = c.place(&spec).await.unwrap();
        assert_eq!((order.order_id.as_str(), order.dcv.len()), ("77", 0), "HTTP {status}: no validations tolerated");
    }
    let info: g::CertificateProcessInfo = serde_json::from_slice(&fixture("request_202_sdk.json")).unwrap();
    assert_eq!((info.requires_attention, info.certificate_id), (Some(true), None));
    let info: g::CertificateProcessInfo = serde_json::from_slice(&fixture("request_201_authkey.json")).unwrap();
    assert_eq!((info.requires_attention, info.certificate_id), (Some(false), Some(90210)));
}

#[test]
fn fact_18_quote_shape() {
    let q: g::QuoteResponse = serde_json::from_slice(&fixture("quote.json")).unwrap();
    assert_eq!((q.quote.total, q.quote.currency.as_deref()), (2495, Some("EUR")));
    assert_eq!(q.quote.billables.unwrap()[0].amount, Some(2495));
}

#[tokio::test]
async fn fact_19_errors_by_status_then_type_and_non_json_never_panics() {
    let (s, c) = server().await;
    Mock::given(method("GET")).and(path("/v2/processes/1")).respond_with(json(403, "error_auth.json")).mount(&s).await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/2"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(fixture("error_not_found.json"), "application/json"))
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/processes/3"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(fixture("error_internal.html"), "text/html"))
        .mount(&s)
        .await;
    assert_eq!(c.get("1").await.unwrap_err().kind(), ErrorKind::Auth);
    assert_eq!(c.get("2").await.unwrap_err().kind(), ErrorKind::NotFound);
    let e = c.get("3").await.unwrap_err();
    assert!(e.to_string().contains("500"), "{e}");
}

#[tokio::test]
async fn fact_20_download_returns_bytes_zip_by_default() {
    let (s, c) = server().await;
    let zip = b"PK\x03\x04\x00binary".to_vec();
    Mock::given(method("GET"))
        .and(path("/v2/ssl/certificates/90210/download"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(zip.clone(), "application/octet-stream"))
        .mount(&s)
        .await;
    let answer = c.send(&requests::download_certificate("90210", None)).await.unwrap();
    assert_eq!(answer.body, zip);
    assert!(received(&s, "GET", "/v2/ssl/certificates/90210/download").await[0].url.query().is_none());
    assert_eq!(g::DownloadFormat::VALUES, ["CSR", "CRT", "ZIP", "PKCS7", "CA", "CA_BUNDLE"]);
}

#[test]
fn fact_21_revoke_is_a_delete_with_an_optional_reason() {
    let req = requests::revoke_certificate("90210", &g::RevokeRequest::default().reason("superseded"));
    assert_eq!((req.method.as_str(), req.path.as_str()), ("DELETE", "/ssl/certificates/90210"));
    assert_eq!(body_of(&req), json!({"reason": "superseded"}));
}

#[test]
fn fact_22_base_urls_include_v2() {
    assert_eq!(ssl_rtr::DESCRIPTOR.production_url, "https://api.yoursrs.com/v2");
    assert_eq!(ssl_rtr::DESCRIPTOR.test_url, Some("https://api.yoursrs-ote.com/v2"));
    assert!(requests::get_process("1").path.starts_with("/processes"), "paths never repeat /v2");
}
