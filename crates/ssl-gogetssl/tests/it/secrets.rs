//! A canary password and a canary auth_key never appear in Debug output, errors, trace-level logs, dry-run output,
//! request values or the simulator's request log — while both really went out on the wire.

use serde_json::json;
use ssl_core::Provider;
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_gogetssl::generated::ops;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn the_password_and_the_key_never_leak() {
    let capture = ssl_core::testing::LogCapture::trace();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/auth/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": CANARY_KEY, "success": true})))
        .mount(&server)
        .await;
    mount_products(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/orders/status/1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"error": true, "message": "Invalid or expired auth_key"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/orders/add_ssl_order/"))
        .respond_with(ResponseTemplate::new(503).set_body_string("unavailable"))
        .mount(&server)
        .await;
    let base = url::Url::parse(&format!("{}/api", server.uri())).unwrap();
    let client = ssl_gogetssl::GoGetSslClient::new(USER, CANARY_PASS.into(), base).unwrap();
    let auth_err = client.send(&ops::OrderStatus::new("1")).await.unwrap_err();
    let unknown = client.add_ssl_order(&dv_order(csr(&["shop.example.com"]))).await.unwrap_err();

    // Both secrets did go out: the password in the login form, the key in the query.
    let sent = server.received_requests().await.unwrap();
    assert!(String::from_utf8_lossy(&sent[0].body).contains(CANARY_PASS));
    assert!(sent[1].url.query().unwrap().contains(&format!("auth_key={CANARY_KEY}")));

    // A refused login.
    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"error": true, "message": "Invalid username or password"})),
        )
        .mount(&refusing)
        .await;
    let base = url::Url::parse(&format!("{}/api", refusing.uri())).unwrap();
    let login_err =
        ssl_gogetssl::GoGetSslClient::new(USER, CANARY_PASS.into(), base).unwrap().login().await.unwrap_err();

    let (mock_client, _mock) = mock_client();
    let spec = OrderSpec::new("101", "shop.example.com", DcvMethod::Dns)
        .contacts(dv_contacts())
        .csr(csr(&["shop.example.com"]));
    let prepared = mock_client.prepare(&spec).await.unwrap();
    let login = ssl_gogetssl::login_request(USER, &CANARY_PASS.into());

    let logs = capture.text();
    assert!(logs.contains("add_ssl_order") && logs.contains("auth_key=[redacted]"), "trace logs were captured: {logs}");
    for (what, text) in [
        ("client Debug", format!("{client:?}")),
        ("auth error", format!("{auth_err} {auth_err:?}")),
        ("outcome unknown", format!("{unknown} {unknown:?}")),
        ("login error", format!("{login_err} {login_err:?}")),
        ("trace logs", logs),
        ("dry-run", prepared.rendered.clone()),
        ("request value", serde_json::to_string(&prepared.request).unwrap()),
        ("request Debug", format!("{:?}", prepared.request)),
        ("login value", format!("{} {login:?} {}", serde_json::to_string(&login).unwrap(), client.render(&login))),
    ] {
        assert!(!text.contains(CANARY_PASS), "{what} leaks the password: {text}");
        assert!(!text.contains(CANARY_KEY), "{what} leaks the key: {text}");
    }
    assert!(prepared.rendered.contains("?auth_key=[redacted]"), "{}", prepared.rendered);
    assert!(client.render(&login).contains("pass=[redacted]"), "{}", client.render(&login));
}

#[tokio::test]
async fn the_simulator_logs_requests_with_both_secrets_redacted() {
    let sb = ssl_sandbox::Sandbox::start(ssl_sandbox::SandboxConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (user, pass) = sandbox_credentials();
    let c = ssl_gogetssl::GoGetSslClient::new(user, pass.into(), sb.base_url("gogetssl").unwrap()).unwrap();
    c.send(&ops::AccountBalance::new()).await.unwrap();
    let log = serde_json::to_string(&sb.requests()).unwrap();
    assert!(!log.contains(ssl_sandbox::gogetssl::PASSWORD), "{log}");
    assert!(log.contains("pass=[redacted]") && log.contains("auth_key=[redacted]"), "{log}");
    sb.shutdown().await;
}

pub fn sandbox_credentials() -> (String, String) {
    let vars = ssl_sandbox::SandboxHandle::credentials().into_iter().find(|(p, _)| *p == "gogetssl").unwrap().1;
    let get = |k: &str| vars.iter().find(|(v, _)| *v == k).unwrap().1.to_owned();
    (get("SSL_ORDERS_GOGETSSL_USER"), get("SSL_ORDERS_GOGETSSL_PASSWORD"))
}
