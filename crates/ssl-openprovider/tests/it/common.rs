use std::sync::Arc;

use serde_json::{Value, json};
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::retry::RetryPolicy;
use ssl_openprovider::{Openprovider, OpenproviderClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A canary password: it must never show up anywhere but in the login body on the wire.
pub const CANARY_PASS: &str = "canary-pass-7d21e9";
/// The token the mocked login hands out.
pub const TOKEN: &str = "canary-token-5be3f0";
pub const USER: &str = "reseller-user";

/// A fixture body from `fixtures/openprovider/`.
pub fn fixture(name: &str) -> Value {
    let p = format!("{}/../../fixtures/openprovider/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))).unwrap()
}

/// A real CSR for `names` (first = CN).
pub fn csr(names: &[&str]) -> String {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, names[0], &owned[1..]).unwrap().csr_pem
}

/// `{server}/v1beta` as the base URL.
pub fn base(server: &MockServer) -> url::Url {
    url::Url::parse(&format!("{}/v1beta", server.uri())).unwrap()
}

/// A user name of its own per client: sessions are shared per user and base URL, and wiremock reuses ports.
pub fn user() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    format!("{USER}-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

pub fn client(server: &MockServer) -> OpenproviderClient {
    let transport = Arc::new(ssl_core::ReqwestTransport::new(&ssl_core::TransportConfig::default()).unwrap());
    OpenproviderClient::new(user(), CANARY_PASS.into(), &base(server), transport)
        .unwrap()
        .configure(|api| api.with_retry(RetryPolicy::none()))
}

pub fn provider(server: &MockServer) -> Openprovider {
    Openprovider::new(client(server), ssl_csr::CHECKS)
}

/// An order for `names` with the required option.
pub fn spec(product: &str, names: &[&str], dcv: DcvMethod) -> OrderSpec {
    let mut s = OrderSpec::new(product, names[0], dcv).csr(csr(names)).option("organization_handle", "XY123456-NL");
    for n in &names[1..] {
        s = s.san(*n);
    }
    s
}

pub fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": data, "desc": ""}))
}

pub async fn mount_login(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/v1beta/auth/login"))
        .respond_with(ok(json!({"reseller_id": 123456, "token": token})))
        .mount(server)
        .await;
}

pub async fn mount_product(server: &MockServer, fixture_name: &str, id: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v1beta/ssl/products/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture(fixture_name)))
        .mount(server)
        .await;
}

pub async fn mount_order(server: &MockServer, id: &str, fixture_name: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v1beta/ssl/orders/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture(fixture_name)))
        .mount(server)
        .await;
}

/// The JSON bodies the server received for `method` + `path`.
pub async fn bodies(server: &MockServer, m: &str, p: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == m && r.url.path() == p)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

/// A provider without credentials (dry runs).
pub fn offline_provider() -> Openprovider {
    let base = url::Url::parse(ssl_openprovider::TEST).unwrap();
    let transport = Arc::new(ssl_core::testing::MockTransport::new());
    Openprovider::new(OpenproviderClient::offline(&base, transport).unwrap(), ssl_csr::CHECKS)
}
