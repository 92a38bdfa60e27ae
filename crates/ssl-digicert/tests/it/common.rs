use std::sync::Arc;

use ssl_core::ClientKit;
use ssl_core::retry::RetryPolicy;
use ssl_core::testing::MockTransport;
use ssl_digicert::DigiCertClient;
use ssl_digicert::generated::{DcvMethod, OrderCertificate, OrderRequest};

pub const CANARY: &str = "canary-devkey-7d1e0c";

/// A real CSR for `names` (first = CN), EC P-256.
pub fn csr(names: &[&str]) -> String {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, names[0], &owned[1..]).unwrap().csr_pem
}

pub fn order(cn: &str) -> OrderRequest {
    OrderRequest::new(OrderCertificate::new(cn, csr(&[cn])), DcvMethod::DnsTxtToken).validity_years(1)
}

pub fn mock_client() -> (DigiCertClient, MockTransport) {
    let mock = MockTransport::new();
    let base = url::Url::parse("https://www.digicert.com/services/v2").unwrap();
    let c = DigiCertClient::with_transport(CANARY.into(), base, Arc::new(mock.clone()))
        .unwrap()
        .with_retry(RetryPolicy::none());
    (c, mock)
}

pub fn wiremock_client(server: &wiremock::MockServer) -> DigiCertClient {
    let base = url::Url::parse(&format!("{}/services/v2", server.uri())).unwrap();
    // A distinct key per server so the shared per-key rate limiter of one test does not affect another.
    let key = format!("{CANARY}-{}", server.address().port());
    DigiCertClient::new(key.into(), base).unwrap().with_retry(
        RetryPolicy::default()
            .max_attempts(3)
            .base_delay(std::time::Duration::from_millis(5))
            .max_delay(std::time::Duration::from_secs(5))
            .max_retry_after(std::time::Duration::from_secs(5)),
    )
}

/// Queue the account's answer to `GET /product/{id}` (the pre-flight reads it first) for a product of the
/// spec's table.
pub fn reply_product(mock: &MockTransport, id: &str) {
    let rules = ssl_digicert::generated::product_table().into_iter().find(|p| p.id == id);
    let level = rules.as_ref().map_or("ov", |r| match r.validation {
        ssl_core::model::ValidationLevel::Dv => "dv",
        ssl_core::model::ValidationLevel::Ev => "ev",
        _ => "ov",
    });
    mock.reply_json(
        200,
        serde_json::json!({"name_id": id, "name": id, "validation_type": level, "allowed_validity_years": [1, 2, 3]}),
    );
}

/// Only reads of the product endpoints went out: no write, no spend.
pub fn assert_only_product_reads(mock: &MockTransport) {
    for r in mock.requests() {
        assert!(r.method == ssl_core::Method::Get && r.url.contains("/product/"), "{} {}", r.method.as_str(), r.url);
    }
}
