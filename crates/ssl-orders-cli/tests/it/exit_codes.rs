use ssl_sandbox::{DcvMode, Fault, FaultKind, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::*;

const CANARY: &str = "canary-cli-key-5b7a";

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/csr/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn dead_base() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/services/v2")
}

fn assert_error_doc(out: &std::process::Output, kind: &str) -> serde_json::Value {
    let v = stdout_json(out);
    assert_eq!(keys(&v), ["error"]);
    assert_eq!(keys(&v["error"]), ["code", "kind", "message", "problems"], "{v:#}");
    assert_eq!(v["error"]["kind"], kind, "{v:#}");
    v
}

async fn sandbox(dcv: DcvMode) -> SandboxHandle {
    Sandbox::start(SandboxConfig { dcv, ..SandboxConfig::default() }, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn sandbox_key() -> String {
    SandboxHandle::credentials().into_iter().find(|(p, _)| *p == "digicert").map(|(_, v)| v[0].1.to_owned()).unwrap()
}

async fn run_async(args: Vec<String>, key: String) -> std::process::Output {
    tokio::task::spawn_blocking(move || bin().args(&args).env("SSL_ORDERS_DIGICERT_API_KEY", key).output().unwrap())
        .await
        .unwrap()
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["status", "1"]).status.code(), Some(2), "no --provider");
    assert_eq!(run(&["--provider", "digicert", "frobnicate"]).status.code(), Some(2));
    let tmp = tempfile::tempdir().unwrap();
    let mut args = sandbox_args(tmp.path());
    args.extend(["order", "--product", "ssl_dv_geotrust", "--cn", "a.example.com", "--dcv", "dns"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2), "a generated key needs --out");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"));
    // Global flags are accepted after the subcommand too.
    let o = run(&[
        "status",
        "1",
        "--provider",
        "digicert",
        "--sandbox",
        "--sandbox-state",
        tmp.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let v = assert_error_doc(&o, "not_found");
    assert_eq!(v["error"]["code"], "not_found|order");
}

#[test]
fn a_bad_csr_is_rejected_locally_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let csr = fixture("rsa1024.csr.pem");
    let mut args = sandbox_args(tmp.path());
    args.extend(["--json", "order", "--product", "ssl_dv_geotrust", "--csr", &csr, "--dcv", "dns"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    let v = assert_error_doc(&o, "invalid");
    assert!(v["error"]["problems"].as_array().unwrap().iter().any(|p| p["code"] == "weak_key"), "{v:#}");
    // Pre-flight: wildcard + http + 4 years: three problems, nothing sent, exit 1.
    let mut args = sandbox_args(tmp.path());
    args.extend([
        "--json",
        "order",
        "--product",
        "wildcard_dv_geotrust",
        "--cn",
        "*.example.com",
        "--dcv",
        "http",
        "--months",
        "48",
        "--dry-run",
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    let v = assert_error_doc(&o, "invalid");
    assert_eq!(v["error"]["problems"].as_array().unwrap().len(), 3, "{v:#}");
}

/// With credentials the dry run reads the account's product (`GET /product/{id}`) before it builds the order, so
/// it runs against the simulator (it used to demand a dead base URL, i.e. zero requests); it never writes or spends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_request_and_never_the_key() {
    let sb = sandbox(DcvMode::Auto).await;
    let base = sb.base_url("digicert").unwrap().to_string();
    let key = sandbox_key();
    let args = |json: bool| -> Vec<String> {
        let mut a: Vec<String> = if json { vec!["--json".into()] } else { vec![] };
        a.extend(
            ["--provider", "digicert", "--base-url", &base, "order", "--product", "ssl_dv_geotrust"]
                .into_iter()
                .chain(["--cn", "shop.example.com", "--dcv", "dns", "--dry-run"])
                .map(String::from),
        );
        a
    };
    let o = run_async(args(false), key.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(text.contains("POST http://127.0.0.1:"), "{text}");
    assert!(text.contains("/services/v2/order/certificate/ssl_dv_geotrust"));
    assert!(text.contains("X-DC-DEVKEY: [redacted]"));
    assert!(text.contains("\"dcv_method\": \"dns-txt-token\""), "{text}");
    assert!(!text.contains(&key), "{text}");
    // JSON form.
    let o = run_async(args(true), key.clone()).await;
    let v = stdout_json(&o);
    assert_eq!(v["request"]["path"], "/order/certificate/ssl_dv_geotrust");
    assert!(!String::from_utf8_lossy(&o.stdout).contains(&key));
    assert!(sb.orders("digicert").is_empty(), "nothing was ordered");
    assert!(sb.requests().iter().all(|r| r.method == "GET"), "no write, no spend");
    sb.shutdown().await;
}

#[test]
fn network_failure_exit_4_and_https_only_for_remote_hosts() {
    let base = dead_base();
    let o = bin()
        .args(["--json", "--provider", "digicert", "--base-url", &base, "status", "1"])
        .env("SSL_ORDERS_DIGICERT_API_KEY", CANARY)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
    assert_error_doc(&o, "network");
    let o = bin()
        .args(["--provider", "digicert", "--base-url", "http://example.com/services/v2", "status", "1"])
        .env("SSL_ORDERS_DIGICERT_API_KEY", CANARY)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("loopback"));
    let o = run(&["--provider", "digicert", "status", "1"]);
    assert_eq!(o.status.code(), Some(2), "no credentials");
    assert!(String::from_utf8_lossy(&o.stderr).contains("SSL_ORDERS_DIGICERT_API_KEY"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_exits_5() {
    let sb = sandbox(DcvMode::Auto).await;
    let base = sb.base_url("digicert").unwrap().to_string();
    let o = run_async(
        vec![
            "--json".into(),
            "--provider".into(),
            "digicert".into(),
            "--base-url".into(),
            base,
            "status".into(),
            "1".into(),
        ],
        CANARY.into(),
    )
    .await;
    assert_eq!(o.status.code(), Some(5), "{}", String::from_utf8_lossy(&o.stderr));
    assert_error_doc(&o, "auth");
    assert!(!String::from_utf8_lossy(&o.stdout).contains(CANARY));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_then_drop_exits_7_after_one_request_and_the_same_command_run_again_adopts_the_order() {
    let sb = sandbox(DcvMode::Auto).await;
    let mut knobs = sb.knobs();
    let mut fault = Fault::new(FaultKind::DropAfterCommit);
    fault.method = Some("POST".into());
    fault.times = Some(1);
    knobs.faults.push(fault);
    sb.set_knobs(knobs);
    let tmp = tempfile::tempdir().unwrap();
    let base = sb.base_url("digicert").unwrap().to_string();
    let out = tmp.path().join("o");
    let args: Vec<String> = [
        "--json",
        "--provider",
        "digicert",
        "--base-url",
        &base,
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "drop.example.com",
        "--dcv",
        "dns",
        "--out",
        out.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let posts = || sb.requests().iter().filter(|r| r.method == "POST" && r.path.contains("/order/certificate")).count();
    let o = run_async(args.clone(), sandbox_key()).await;
    // The reply was lost after the order was stored: exactly one request, exit 7, nothing listed or re-sent in
    // this run (issues 9, 11, 12).
    assert_eq!(o.status.code(), Some(7), "{}", String::from_utf8_lossy(&o.stderr));
    let v = assert_error_doc(&o, "outcome_unknown");
    assert!(v["error"]["message"].as_str().unwrap().contains("re-run the same command"), "{v:#}");
    assert_eq!(posts(), 1, "one request");
    assert_eq!(sb.orders("digicert").len(), 1);
    let key = std::fs::read_to_string(out.join("key.pem")).expect("the key was written before the order was placed");
    // The same command again: it reuses the key it generated (the reference hashes the CSR's key), finds the order
    // in the listing and adopts it; nothing is sent.
    let o = run_async(args, sandbox_key()).await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["journal"]["how"], "adopted", "{v:#}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("found the order of an earlier attempt"), "{stderr}");
    assert!(stderr.contains("reusing"), "{stderr}");
    assert_eq!((posts(), sb.orders("digicert").len()), (1, 1), "exactly one order, never resent");
    assert_eq!(std::fs::read_to_string(out.join("key.pem")).unwrap(), key, "the key is the first run's");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_timeout_exits_6_with_the_order_id() {
    let sb = sandbox(DcvMode::Manual).await;
    let tmp = tempfile::tempdir().unwrap();
    let base = sb.base_url("digicert").unwrap().to_string();
    let args: Vec<String> = [
        "--provider",
        "digicert",
        "--base-url",
        &base,
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "slow.example.com",
        "--dcv",
        "dns",
        "--wait",
        "--timeout",
        "1",
        "--out",
        tmp.path().join("o").to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = run_async(args, sandbox_key()).await;
    assert_eq!(o.status.code(), Some(6), "{}", String::from_utf8_lossy(&o.stderr));
    let id = sb.orders("digicert")[0]["id"].to_string();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("status {}", id.trim_matches('"'))), "{err}");
    sb.shutdown().await;
}
