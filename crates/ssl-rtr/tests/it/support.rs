//! Fixtures.

use ssl_core::ClientKit;

/// A fixture file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A placeholder CSR for request snapshots (never parsed by the request builders).
pub const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n";

/// A product fixture.
pub fn product(name: &str) -> ssl_rtr::generated::Product {
    serde_json::from_slice(&fixture(name)).unwrap()
}

/// A mock RTR under `/v2` and a client for it (fast retries).
pub async fn server() -> (wiremock::MockServer, ssl_rtr::RtrClient) {
    let server = wiremock::MockServer::start().await;
    let base = format!("{}/v2", server.uri());
    let transport = std::sync::Arc::new(ssl_core::ReqwestTransport::new(&Default::default()).unwrap());
    let client =
        ssl_rtr::RtrClient::with_transport("rtr-test-key".into(), "acme-handle", &base, transport).unwrap().with_retry(
            ssl_core::retry::RetryPolicy::default()
                .base_delay(std::time::Duration::from_millis(5))
                .max_delay(std::time::Duration::from_millis(20)),
        );
    (server, client)
}

/// A JSON answer from a fixture.
pub fn json(status: u16, name: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// A real CSR for these names (the pre-flight parses it).
pub fn csr(cn: &str, sans: &[&str]) -> String {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, cn, &sans).unwrap().csr_pem
}

/// Requests the server received with this method and path.
pub async fn received(server: &wiremock::MockServer, method: &str, path: &str) -> Vec<wiremock::Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter().filter(|r| r.method.as_str() == method && r.url.path() == path).collect()
}
