use std::time::{Duration, Instant};

use serde_json::json;
use ssl_sandbox::{Fault, Knobs, SandboxConfig};

use crate::*;

#[tokio::test]
async fn rate_limit_has_retry_after_and_fires_times() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    sb.set_knobs(Knobs::default().fault(Fault::rate_limit(7).provider("digicert").path("/product").times(2)));
    for _ in 0..2 {
        let r = dc(&http, &sb, "GET", "/product", None).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.headers.get("retry-after").unwrap(), "7");
        assert_eq!(error_codes(&r.json), vec!["request_limit_exceeded"]);
    }
    assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200);
    assert_eq!(sb.knobs().faults[0].fired, 2);
    // Filters: another path is untouched.
    sb.set_knobs(Knobs::default().fault(Fault::rate_limit(1).path("/order/")));
    assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200);
    let faults: Vec<_> = sb.requests().into_iter().filter(|r| !r.faults.is_empty()).collect();
    assert_eq!(faults.len(), 2);
    assert_eq!(faults[0].faults, vec!["rate_limit"]);
    assert_eq!(faults[0].status, 429);
}

#[tokio::test]
async fn server_error_and_delay() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    sb.set_knobs(
        Knobs::default().fault(Fault::server_error(502).method("GET").times(1)).fault(Fault::delay(300).times(1)),
    );
    let t = Instant::now();
    let r = dc(&http, &sb, "GET", "/product", None).await;
    assert_eq!(r.status, 502);
    assert!(t.elapsed() >= Duration::from_millis(300), "delay applies with the error");
    assert!(r.json["errors"][0]["code"].is_string());
    let t = Instant::now();
    assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200);
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn server_error_after_commit_stores_the_order() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    sb.set_knobs(Knobs::default().fault(Fault::server_error(503).method("POST").after_commit().times(1)));
    let (csr_pem, _) = csr(&["commit.example.com"]);
    let r = dc(
        &http,
        &sb,
        "POST",
        "/order/certificate/ssl_dv_geotrust",
        Some(order_body("commit.example.com", &[], &csr_pem, "email")),
    )
    .await;
    assert_eq!(r.status, 503);
    assert_eq!(sb.orders("digicert").len(), 1);
}

#[tokio::test]
async fn commit_then_drop_closes_the_connection_after_storing() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    sb.set_knobs(
        Knobs::default()
            .fault(Fault::drop_after_commit().provider("digicert").method("POST").path("/order/certificate/").times(1)),
    );
    let (csr_pem, _) = csr(&["drop.example.com"]);
    let url = format!("{}/order/certificate/ssl_dv_geotrust", sb.base_url("digicert").unwrap());
    let result = http
        .post(&url)
        .header("X-DC-DEVKEY", KEY)
        .header("content-type", "application/json")
        .body(order_body("drop.example.com", &[], &csr_pem, "email").to_string())
        .send()
        .await;
    let err = result.expect_err("the client sees the connection close without a response");
    assert!(!err.is_timeout(), "{err:?}");
    let orders = sb.orders("digicert");
    assert_eq!(orders.len(), 1, "exactly one order was stored");
    assert_eq!(orders[0]["leaves"][0]["names"][0], "drop.example.com");
    // The order can be found by the listing a client reconciles with.
    let list = dc(&http, &sb, "GET", "/order/certificate?filters[common_name]=drop.example.com", None).await.json;
    assert_eq!(list["page"]["total"], 1);
    // The knob fired once: the next order goes through.
    let r = dc(
        &http,
        &sb,
        "POST",
        "/order/certificate/ssl_dv_geotrust",
        Some(order_body("drop.example.com", &[], &csr_pem, "email")),
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(sb.orders("digicert").len(), 2);
}

#[tokio::test]
async fn per_request_header_forces_a_fault() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let url = format!("{}/product", sb.base_url("digicert").unwrap());
    let r = http.get(&url).header("X-DC-DEVKEY", KEY).header("X-Sandbox-Fault", "rate_limit").send().await.unwrap();
    assert_eq!(r.status(), 429);
    let r = http
        .get(&url)
        .header("X-DC-DEVKEY", KEY)
        .header("X-Sandbox-Fault", json!({"kind": "server_error", "status": 500}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200);
}

#[tokio::test]
async fn seeded_probability_is_reproducible() {
    async fn run(seed: u64) -> Vec<u16> {
        let sb = start(SandboxConfig { seed: Some(seed), ..SandboxConfig::default() }).await;
        let http = client();
        let mut k = sb.knobs();
        k.faults.push(Fault::server_error(503).probability(0.5));
        sb.set_knobs(k);
        let mut out = Vec::new();
        for _ in 0..16 {
            out.push(dc(&http, &sb, "GET", "/product", None).await.status);
        }
        out
    }
    let a = run(11).await;
    assert_eq!(a, run(11).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn seeded_tokens_are_reproducible() {
    async fn token(seed: u64) -> String {
        let sb = start(SandboxConfig { seed: Some(seed), ..SandboxConfig::default() }).await;
        let http = client();
        let (csr_pem, _) = csr(&["seed.example.com"]);
        let created =
            place(&http, &sb, "ssl_dv_geotrust", order_body("seed.example.com", &[], &csr_pem, "dns-txt-token")).await;
        created["dcv_random_value"].as_str().unwrap().to_owned()
    }
    assert_eq!(token(5).await, token(5).await);
    assert_ne!(token(5).await, token(6).await);
}
