use serde_json::json;
use ssl_sandbox::{SandboxConfig, SandboxHandle};

use crate::*;

#[tokio::test]
async fn inspection_api() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let idx = inspect(&http, &sb, "GET", "", None).await;
    assert_eq!(idx.status, 200, "{}", idx.text);
    assert_eq!(idx.json["providers"][0]["name"], "digicert");
    assert_eq!(idx.json["providers"][0]["base_url"], sb.base_url("digicert").unwrap().as_str());

    assert_eq!(inspect(&http, &sb, "GET", "/ca/root.pem", None).await.text, sb.root_pem());
    assert_eq!(inspect(&http, &sb, "GET", "/ca/intermediate.pem", None).await.text, sb.intermediate_pem());
    assert_ne!(sb.root_pem(), sb.intermediate_pem());

    let (csr_pem, _) = csr(&["log.example.com"]);
    let id =
        place(&http, &sb, "ssl_dv_geotrust", order_body("log.example.com", &[], &csr_pem, "email")).await["id"].clone();
    let orders = inspect(&http, &sb, "GET", "/orders/digicert", None).await.json;
    assert_eq!(orders[0]["id"], id);
    assert_eq!(inspect(&http, &sb, "GET", &format!("/orders/digicert/{id}"), None).await.json["id"], id);
    assert_eq!(inspect(&http, &sb, "GET", "/orders", None).await.json["digicert"][0]["id"], id);
    assert_eq!(inspect(&http, &sb, "GET", "/orders/nope", None).await.status, 404);

    // Requests are logged with the key redacted, everywhere.
    let reqs = inspect(&http, &sb, "GET", "/requests?provider=digicert", None).await;
    assert!(!reqs.text.contains(KEY), "the API key leaks into the request log");
    let last = reqs.json.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["method"], "POST");
    assert_eq!(last["path"], "/services/v2/order/certificate/ssl_dv_geotrust");
    assert_eq!(last["headers"]["x-dc-devkey"], "[redacted]");
    assert_eq!(last["status"], 201);
    assert!(last["body"].as_str().unwrap().contains("log.example.com"));
    assert!(!serde_json::to_string(&sb.requests()).unwrap().contains(KEY));

    // Knobs round-trip.
    let knobs =
        json!({"approval": "required", "dcv": "manual", "faults": [{"kind": "delay", "delay_ms": 1, "times": 3}]});
    let r = inspect(&http, &sb, "PUT", "/knobs", Some(knobs)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["approval"], "required");
    assert_eq!(sb.knobs().faults[0].times, Some(3));
    assert_eq!(inspect(&http, &sb, "PUT", "/knobs", Some(json!({"faults": [{"kind": "boom"}]}))).await.status, 400);
    let r = inspect(&http, &sb, "POST", "/knobs/faults", Some(json!({"kind": "rate_limit", "retry_after": 3}))).await;
    assert_eq!(r.json["faults"].as_array().unwrap().len(), 2);
    let r = inspect(&http, &sb, "DELETE", "/knobs/faults", None).await;
    assert_eq!(r.json["faults"], json!([]));

    // DNS and host mappings.
    inspect(&http, &sb, "POST", "/dns", Some(json!({"name": "_dnsauth.x.example.com", "type": "txt", "value": "v"})))
        .await;
    assert_eq!(inspect(&http, &sb, "GET", "/dns", None).await.json[0]["type"], "TXT");
    assert_eq!(
        inspect(&http, &sb, "POST", "/dns", Some(json!({"name": "a", "type": "MX", "value": "v"}))).await.status,
        400
    );
    inspect(&http, &sb, "POST", "/http-hosts", Some(json!({"host": "x.example.com", "addr": "127.0.0.1:8080"}))).await;
    assert_eq!(inspect(&http, &sb, "GET", "/http-hosts", None).await.json["x.example.com"], "127.0.0.1:8080");

    // Reset forgets everything but the CA; knobs go back to the start config.
    let root = sb.root_pem();
    let r = inspect(&http, &sb, "POST", "/reset", None).await;
    assert_eq!(r.status, 200);
    assert!(sb.orders("digicert").is_empty());
    assert!(sb.requests().is_empty());
    assert_eq!(inspect(&http, &sb, "GET", "/dns", None).await.json, json!([]));
    assert_eq!(sb.knobs(), ssl_sandbox::Knobs::default());
    assert_eq!(inspect(&http, &sb, "GET", "/ca/root.pem", None).await.text, root);
    // Order ids keep counting after a reset.
    let id2 =
        place(&http, &sb, "ssl_dv_geotrust", order_body("log.example.com", &[], &csr_pem, "email")).await["id"].clone();
    assert!(id2.as_i64() > id.as_i64());
}

#[tokio::test]
async fn handle_basics() {
    let sb = start(SandboxConfig::default()).await;
    assert!(sb.addr().ip().is_loopback());
    assert_eq!(sb.base_url("digicert").unwrap().path(), "/services/v2");
    assert!(sb.base_url("nope").is_none());
    assert_eq!(sb.inspect_url().path(), "/_sandbox");
    let creds = SandboxHandle::credentials();
    assert_eq!(creds[0], ("digicert", vec![("SSL_ORDERS_DIGICERT_API_KEY", KEY)]));
    assert!(ssl_sandbox::Sandbox::start(SandboxConfig::default(), "0.0.0.0:0".parse().unwrap()).await.is_err());
}
