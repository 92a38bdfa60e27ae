//! A canary API key never appears in Debug output, errors, trace-level logs, dry-run output or snapshots.

use ssl_core::Provider;
use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_digicert::DigiCertClient;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{CANARY, csr, mock_client, order};

#[tokio::test]
async fn the_api_key_never_leaks() {
    let capture = ssl_core::testing::LogCapture::trace();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"errors": [{"code": "access_denied|invalid_api_key", "message": "Invalid API key."}]}),
        ))
        .mount(&server)
        .await;
    let base = url::Url::parse(&format!("{}/services/v2", server.uri())).unwrap();
    let client = DigiCertClient::new(CANARY.into(), base).unwrap();
    let err = client.place_order("ssl_dv_geotrust", &order("shop.example.com")).await.unwrap_err();
    // The key did go out, in its header.
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.headers.get("x-dc-devkey").unwrap().to_str().unwrap(), CANARY);

    let (mock_client, mock) = mock_client();
    crate::common::reply_product(&mock, "ssl_dv_geotrust");
    let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Dns).csr(csr(&["shop.example.com"]));
    let prepared = mock_client.prepare(&spec).await.unwrap();

    let logs = capture.text();
    assert!(logs.contains("place_order"), "trace logs were captured: {logs}");
    for (what, text) in [
        ("client Debug", format!("{client:?}")),
        ("error Display", err.to_string()),
        ("error Debug", format!("{err:?}")),
        ("trace logs", logs),
        ("dry-run", prepared.rendered.clone()),
        ("request value", serde_json::to_string(&prepared.request).unwrap()),
        ("request Debug", format!("{:?}", prepared.request)),
    ] {
        assert!(!text.contains(CANARY), "{what} leaks the key: {text}");
    }
    assert!(prepared.rendered.contains("X-DC-DEVKEY: [redacted]"), "{}", prepared.rendered);
}
