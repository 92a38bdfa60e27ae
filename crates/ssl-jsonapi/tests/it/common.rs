use std::sync::Arc;

use serde_json::Value;
use ssl_core::ClientKit;
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::retry::RetryPolicy;
use ssl_jsonapi::NameshieldClient;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A canary token: it must appear nowhere but in the `Authorization` header sent to the base URL's host.
pub const TOKEN: &str = "canary-ns-token-5b7e21";
pub const JSONAPI: &str = "application/vnd.api+json";

/// A real CSR for `names` (first = CN), EC P-256.
pub fn csr(names: &[&str]) -> String {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, names[0], &owned[1..]).unwrap().csr_pem
}

/// A recorded-style body from `tests/fixtures/`.
pub fn fixture(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

/// A fixture with its absolute `https://api.nameshield.net/ssl/v2` links pointing at `base`.
pub fn fixture_at(name: &str, base: &str) -> Value {
    let text = fixture(name).to_string().replace("https://api.nameshield.net/ssl/v2", base);
    serde_json::from_str(&text).unwrap()
}

pub fn base(server: &MockServer) -> String {
    format!("{}/ssl/v2", server.uri())
}

/// A client for a wiremock server, retries off.
pub fn client(server: &MockServer) -> NameshieldClient {
    let url = url::Url::parse(&base(server)).unwrap();
    NameshieldClient::new(TOKEN.to_owned().into(), url).unwrap().with_retry(RetryPolicy::none())
}

/// An offline client (no token) at the production URL, over a transport that must never be used.
pub fn offline() -> NameshieldClient {
    let transport = Arc::new(ssl_core::testing::MockTransport::new());
    NameshieldClient::offline(url::Url::parse(ssl_jsonapi::PRODUCTION_URL).unwrap(), transport).unwrap()
}

/// `GET|POST {path}` (under `/ssl/v2`) answers `status` with `body` as `application/vnd.api+json`.
pub async fn mount(server: &MockServer, verb: &str, p: &str, status: u16, body: Value) {
    Mock::given(method(verb))
        .and(path(format!("/ssl/v2{p}")))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_string(), JSONAPI))
        .mount(server)
        .await;
}

/// An order for shop.example.com + www, product "11", DNS DCV, one year.
pub fn spec() -> OrderSpec {
    OrderSpec::new("11", "shop.example.com", DcvMethod::Dns)
        .san("www.shop.example.com")
        .csr(csr(&["shop.example.com", "www.shop.example.com"]))
}

/// The bodies of the requests the server received for `verb path`.
pub async fn received(server: &MockServer, verb: &str, p: &str) -> Vec<wiremock::Request> {
    let full = format!("/ssl/v2{p}");
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == full)
        .collect()
}

/// A real chain: root → intermediate → leaf for `cn`.
pub struct Chain {
    pub leaf: String,
    pub inter: String,
    pub root: String,
}

pub fn chain(cn: &str) -> Chain {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let ca = |name: &str| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    };
    let root = CertifiedIssuer::self_signed(ca("Test Root"), KeyPair::generate().unwrap()).unwrap();
    let inter = CertifiedIssuer::signed_by(ca("Test Intermediate"), KeyPair::generate().unwrap(), &root).unwrap();
    let mut lp = CertificateParams::new(vec![cn.to_string()]).unwrap();
    lp.distinguished_name.push(DnType::CommonName, cn);
    let leaf = lp.signed_by(&KeyPair::generate().unwrap(), &inter).unwrap();
    Chain { leaf: leaf.pem(), inter: inter.pem(), root: root.pem() }
}
