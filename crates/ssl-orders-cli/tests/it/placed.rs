//! Money stays traceable in the CLI: after a spend got a 2xx, exit 7 `placed_unreadable` with the order id; the
//! status of an issued order survives a failing download (exit 0, `warnings`); the provider's own error entries
//! reach `problems[]`; the help and `--environment` come from the descriptors.

use ssl_sandbox::{DcvMode, Fault, FaultKind, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::*;

async fn sandbox() -> SandboxHandle {
    let cfg = SandboxConfig { dcv: DcvMode::Auto, ..SandboxConfig::default() };
    Sandbox::start(cfg, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn key() -> String {
    ssl_sandbox::SandboxHandle::credentials()
        .into_iter()
        .find(|(p, _)| *p == "digicert")
        .and_then(|(_, vars)| vars.first().map(|(_, v)| (*v).to_owned()))
        .unwrap()
}

fn fault(sb: &SandboxHandle, method: &str, path: &str, status: u16) {
    let mut knobs = sb.knobs();
    let mut f = Fault::new(FaultKind::ServerError);
    f.method = Some(method.into());
    f.path = Some(path.into());
    f.status = Some(status);
    f.times = Some(1);
    knobs.faults.push(f);
    sb.set_knobs(knobs);
}

async fn digicert(sb: &SandboxHandle, args: &[&str]) -> std::process::Output {
    let base = sb.base_url("digicert").unwrap().to_string();
    let mut all: Vec<String> = ["--json", "--provider", "digicert", "--base-url", &base].map(String::from).to_vec();
    all.extend(args.iter().map(|s| s.to_string()));
    let key = key();
    tokio::task::spawn_blocking(move || bin().args(&all).env("SSL_ORDERS_DIGICERT_API_KEY", key).output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placed_order_whose_read_back_fails_exits_7_with_its_id() {
    let sb = sandbox().await;
    fault(&sb, "GET", "/order/certificate/", 500);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = digicert(
        &sb,
        &[
            "order",
            "--product",
            "ssl_dv_geotrust",
            "--cn",
            "paid.example.com",
            "--dcv",
            "dns",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(7), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["error"]["kind"], "placed_unreadable", "{v:#}");
    let stored = sb.orders("digicert");
    assert_eq!(stored.len(), 1, "one order, never re-sent");
    let id = v["error"]["order_id"].as_str().unwrap();
    assert!(!id.is_empty() && id != "0", "{v:#}");
    assert!(v["error"]["lookup"].is_string(), "{v:#}");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_of_an_issued_order_whose_download_fails_exits_0_with_a_warning() {
    let sb = sandbox().await;
    let o = digicert(
        &sb,
        &["order", "--product", "ssl_dv_geotrust", "--cn", "warn.example.com", "--dcv", "dns", "--dry-run"],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = digicert(
        &sb,
        &[
            "order",
            "--product",
            "ssl_dv_geotrust",
            "--cn",
            "warn.example.com",
            "--dcv",
            "dns",
            "--wait",
            "--timeout",
            "60",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let id = stdout_json(&o)["order_id"].as_str().unwrap().to_owned();
    fault(&sb, "GET", "/download/", 500);
    let o = digicert(&sb, &["status", &id]).await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["status"], "issued");
    assert_eq!(v["warnings"][0]["code"], "download_failed", "{v:#}");
    assert!(v["warnings"][0]["message"].is_string());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_own_error_entries_reach_problems() {
    let sb = sandbox().await;
    let o = digicert(&sb, &["status", "999999"]).await;
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    let p = &v["error"]["problems"][0];
    assert_eq!(p["code"], v["error"]["code"], "{v:#}");
    assert!(p["code"].as_str().unwrap().starts_with("not_found"), "{v:#}");
    assert!(p["message"].is_string());
    sb.shutdown().await;
}

#[test]
fn help_and_environment_come_from_the_descriptors() {
    let o = run(&["--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for d in ssl_orders::PROVIDERS {
        assert!(help.contains(d.name), "{} missing from:\n{help}", d.name);
        for c in d.credentials {
            assert!(help.contains(c.env), "{} missing", c.env);
        }
    }
    assert!(help.contains("--environment"));
    // DigiCert documents no test environment: asking for it is a usage error naming the way out.
    let o = bin()
        .args(["--provider", "digicert", "--environment", "test", "status", "1"])
        .env("SSL_ORDERS_DIGICERT_API_KEY", "k")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--base-url"));
}

#[test]
fn a_dry_run_without_credentials_works_offline_from_the_spec_tables() {
    let o = bin()
        .args(["--json", "--provider", "digicert", "order", "--product", "ssl_dv_geotrust", "--cn", "off.example.com"])
        .args(["--dcv", "dns", "--dry-run"])
        .env_remove("SSL_ORDERS_DIGICERT_API_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["request"]["body"]["media_type"], "application/json");
    assert!(v["request"]["body"]["json"]["certificate"]["common_name"] == "off.example.com", "{v:#}");
    // Anything that needs the network says credentials are missing.
    let o = bin()
        .args(["--provider", "digicert", "status", "1"])
        .env_remove("SSL_ORDERS_DIGICERT_API_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SSL_ORDERS_DIGICERT_API_KEY"));
}
