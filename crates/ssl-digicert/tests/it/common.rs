use std::sync::Arc;

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
    DigiCertClient::new(key.into(), base).unwrap().with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_secs(5),
        max_retry_after: std::time::Duration::from_secs(5),
    })
}
