use std::sync::Arc;

use serde_json::{Value, json};
pub use ssl_core::ClientKit;
use ssl_core::model::{Contact, Contacts, Organization};
use ssl_core::retry::RetryPolicy;
use ssl_core::testing::MockTransport;
use ssl_gogetssl::GoGetSslClient;
use ssl_gogetssl::generated::{self as g, AddSslOrderRequest, DcvMethod};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A canary API password: it must never show up anywhere but in the login form on the wire.
pub const CANARY_PASS: &str = "canary-pass-3f9a71";
/// A canary session key: it must never show up anywhere but in the query string on the wire.
pub const CANARY_KEY: &str = "canary-authkey-c41d";
pub const USER: &str = "reseller@example.com";

/// A real CSR for `names` (first = CN), EC P-256.
pub fn csr(names: &[&str]) -> String {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, names[0], &owned[1..]).unwrap().csr_pem
}

/// A product in GoGetSSL's shape.
pub fn product(id: i64, brand: &str, level: &str, wildcard: bool, san: bool) -> g::ProductDetails {
    let mut p = g::ProductDetails::new(id)
        .product(format!("Test product {id}"))
        .brand(brand)
        .product_type(level)
        .wildcard_enabled(wildcard)
        .san_enabled(san)
        .prices(json!({"12": "9.95", "24": "18.50", "vendor": {"12": "5.00"}}));
    if san {
        p = p.multidomains_maximum(5);
    }
    p
}

/// The products the tests order: 101 DV single, 102 DV SAN (max 5), 103 DV wildcard, 104 OV, 105 EV, 107 RapidSSL.
pub fn products() -> Vec<g::ProductDetails> {
    vec![
        product(101, "comodo_ggssl", "domain", false, false),
        product(102, "comodo", "domain", false, true),
        product(103, "comodo", "domain", true, false),
        product(104, "comodo", "business", false, false),
        product(105, "comodo", "extended", false, false),
        product(107, "rapidssl", "domain", false, true),
    ]
}

pub fn admin() -> Contact {
    Contact::new()
        .with_first_name("John")
        .with_last_name("Silver")
        .with_email("webmaster@example.com")
        .with_phone("003719999999")
        .with_title("Mr")
}

pub fn dv_contacts() -> Contacts {
    Contacts::new().with_admin(admin())
}

pub fn ov_contacts() -> Contacts {
    let full = admin()
        .with_organization("Some Company")
        .with_address("Street 123")
        .with_city("Riga")
        .with_country("LV")
        .with_fax("003718888888");
    Contacts::new().with_admin(full.clone()).with_tech(full).with_organization(
        Organization::new()
            .with_name("Some Company")
            .with_division("Hosting")
            .with_address("Street 123")
            .with_city("Riga")
            .with_region("Riga")
            .with_postal_code("LV-1010")
            .with_country("LV")
            .with_phone("003719999999"),
    )
}

/// A DV order for product 101 with DNS DCV.
pub fn dv_order(csr: impl Into<String>) -> AddSslOrderRequest {
    AddSslOrderRequest::new(
        101,
        12,
        csr,
        -1,
        1,
        "John",
        "Silver",
        "003719999999",
        "Mr",
        "webmaster@example.com",
        DcvMethod::Dns,
        "John",
        "Silver",
        "003719999999",
        "Mr",
        "webmaster@example.com",
    )
}

pub fn base() -> url::Url {
    url::Url::parse("https://my.gogetssl.com/api").unwrap()
}

/// A client over a mock transport with the test products preloaded, no retries.
pub fn mock_client() -> (GoGetSslClient, MockTransport) {
    let mock = MockTransport::new();
    let c = GoGetSslClient::with_transport(USER, CANARY_PASS.into(), base(), Arc::new(mock.clone()))
        .unwrap()
        .with_retry(RetryPolicy::none())
        .with_products(products());
    (c, mock)
}

/// Queue a successful login on a mock.
pub fn reply_login(mock: &MockTransport, key: &str) {
    mock.reply_json(200, json!({"key": key, "success": true}));
}

pub fn wiremock_client(server: &MockServer) -> GoGetSslClient {
    let base = url::Url::parse(&format!("{}/api", server.uri())).unwrap();
    GoGetSslClient::new(USER, CANARY_PASS.into(), base).unwrap().with_retry(
        RetryPolicy::default()
            .max_attempts(3)
            .base_delay(std::time::Duration::from_millis(5))
            .max_delay(std::time::Duration::from_secs(5))
            .max_retry_after(std::time::Duration::from_secs(5)),
    )
}

/// Mount `POST /api/auth/` answering `key` (for every login).
pub async fn mount_login(server: &MockServer, key: &str) {
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": key, "success": true})))
        .mount(server)
        .await;
}

/// Mount `GET /api/products/ssl/{id}` for every test product.
pub async fn mount_products(server: &MockServer) {
    for p in products() {
        Mock::given(method("GET"))
            .and(path(format!("/api/products/ssl/{}", p.id)))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"product": p, "success": true})))
            .mount(server)
            .await;
    }
}

/// The seed's success answer.
pub fn seed_answer() -> Value {
    json!({
        "approver_method": {
            "http": {
                "link": "http://demo.gogetssl.com/.well-known/pki-validation/37D0C93EE263FF9EEEA799215A9C3225.txt",
                "filename": "37D0C93EE263FF9EEEA799215A9C3225.txt",
                "content": "D30C576BF9EB30A75211CB799848EE5CABFCE3D8EE13212A57C9B7E42EF9BAA2\r\nCOMODOCA.COM\r\nt0827792001533920169"
            }
        },
        "order_id": 783956,
        "invoice_id": 574941,
        "order_status": "active",
        "success": true,
        "order_amount": 0,
        "currency": "EUR",
        "tax": "0.00",
        "tax_rate": "21%"
    })
}

/// A status answer for `order_id` in `status`.
pub fn status_answer(order_id: i64, status: &str) -> Value {
    json!({
        "order_id": order_id,
        "status": status,
        "product_id": 102,
        "domain": "shop.example.com",
        "dcv_method": "dns",
        "dcv_status": 1,
        "approver_method": {"dns": {"record": "_ABC.shop.example.com CNAME abc.def.t1.comodoca.com"}},
        "san": [{"san_name": "www.shop.example.com", "validation_method": "http", "status": "1",
                 "validation": {"http": {"link": "http://www.shop.example.com/.well-known/pki-validation/ABC.txt",
                                         "filename": "ABC.txt", "content": "SHA\r\ncomodoca.com\r\nt1"}}}],
        "end_date": "2027-11-23",
        "success": true
    })
}
