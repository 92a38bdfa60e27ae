//! `--provider gogetssl` end to end against the simulator: orders with email, http and dns DCV, wait, download,
//! a chain that verifies and a leaf carrying the generated key; contacts from a file; key expiry; exit codes; and
//! neither the API password nor an `auth_key` in any output, even at trace level.

use std::path::Path;
use std::process::Output;

use ssl_sandbox::{DcvMode, Fault, FaultKind, Knobs, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::*;

const CONTACTS_TOML: &str = r#"
[admin]
first_name = "John"
last_name = "Silver"
email = "webmaster@example.com"
phone = "003719999999"
title = "Mr"
"#;

fn gg_args(state: &Path) -> Vec<String> {
    ["--sandbox", "--sandbox-state", state.to_str().unwrap(), "--provider", "gogetssl"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn contacts(dir: &Path) -> String {
    let p = dir.join("contacts.toml");
    std::fs::write(&p, CONTACTS_TOML).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn orders_with_email_http_and_dns_dcv_wait_and_download() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let contacts = contacts(tmp.path());
    let cases: [(&str, &[&str], &str, &[&str]); 3] = [
        ("email", &["mail.example.com"], "101", &["--approver-email", "admin@mail.example.com"]),
        ("http", &["web.example.com"], "101", &[]),
        ("dns", &["shop.example.com", "www.shop.example.com", "api.shop.example.com"], "102", &[]),
    ];
    for (dcv, names, product, extra) in cases {
        let out = tmp.path().join(dcv);
        let mut args = gg_args(&state);
        args.extend(["--json", "order", "--product", product, "--cn", names[0]].iter().map(|s| s.to_string()));
        for san in &names[1..] {
            args.extend(["--san".to_string(), san.to_string()]);
        }
        args.extend(
            [
                "--dcv",
                dcv,
                "--contacts",
                &contacts,
                "--wait",
                "--timeout",
                "30",
                "--key",
                "ec256",
                "--out",
                out.to_str().unwrap(),
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        args.extend(extra.iter().map(|s| s.to_string()));
        let o = run_owned(&args);
        assert_eq!(o.status.code(), Some(0), "{dcv}: {}", String::from_utf8_lossy(&o.stderr));
        let v = stdout_json(&o);
        assert_eq!(v["provider"], "gogetssl");
        assert_eq!(v["status"], "issued", "{v:#}");
        assert_eq!(v["provider_status"], "active");
        assert_eq!(v["dns_names"], serde_json::json!(names));
        for d in v["dcv"].as_array().unwrap() {
            assert_eq!(d["provider_method"], dcv, "{d:#}");
            assert_eq!(d["status"], "valid");
        }
        assert!(v["certificate"]["fingerprint_sha256"].as_str().unwrap().len() == 64);
        if dcv == "dns" {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(".www.shop.example.com CNAME ") && err.contains(".comodoca.com"), "{err}");
        }
        assert_issued_files(&out, names);
    }
}

#[test]
fn separate_runs_status_dcv_download_reissue_renew_cancel() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let contacts = contacts(tmp.path());
    let out = tmp.path().join("o");
    let mut args = gg_args(&state);
    args.extend(
        [
            "--json",
            "order",
            "--product",
            "101",
            "--cn",
            "api.example.com",
            "--dcv",
            "http",
            "--contacts",
            &contacts,
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let o = run_owned(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!((v["status"].as_str(), v["provider_status"].as_str()), (Some("pending_validation"), Some("processing")));
    let id = v["order_id"].as_str().unwrap().to_owned();
    let http = &v["dcv"][0]["http"];
    assert!(http["url"].as_str().unwrap().starts_with("http://api.example.com/.well-known/pki-validation/"));
    assert!(http["content"].as_str().unwrap().contains("comodoca.com"));

    let cmd = |extra: &[&str]| {
        let mut a = gg_args(&state);
        a.extend(extra.iter().map(|s| s.to_string()));
        run_owned(&a)
    };
    let s = stdout_json(&cmd(&["--json", "status", &id]));
    assert_eq!(s["status"], "pending_validation");
    let d = stdout_json(&cmd(&["--json", "dcv", &id, "--method", "dns"]));
    assert_eq!(d["dcv"][0]["dns"]["type"], "CNAME");
    let d = stdout_json(&cmd(&["--json", "dcv", &id, "--recheck"]));
    assert_eq!(d["status"], "issued");
    let o = cmd(&["--json", "download", &id, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_issued_files(&out, &["api.example.com"]);

    let re = tmp.path().join("re");
    let o = cmd(&["--json", "reissue", &id, "--key", "ec384", "--wait", "--out", re.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_issued_files(&re, &["api.example.com"]);

    let rn = tmp.path().join("rn");
    let o = cmd(&[
        "--json",
        "renew",
        &id,
        "--product",
        "101",
        "--dcv",
        "dns",
        "--contacts",
        &contacts,
        "--out",
        rn.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let renewal = stdout_json(&o)["order_id"].as_str().unwrap().to_owned();
    assert_ne!(renewal, id);
    let o = cmd(&["--json", "cancel", &renewal, "--reason", "test"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout_json(&cmd(&["--json", "status", &renewal]))["status"], "cancelled");

    let o = cmd(&["--json", "revoke", &id]);
    assert_eq!(o.status.code(), Some(1), "GoGetSSL has no revoke: {}", text(&o));
    assert_eq!(stdout_json(&o)["error"]["kind"], "unsupported");
    let o = cmd(&["--json", "products"]);
    let p = stdout_json(&o);
    assert!(p.as_array().unwrap().iter().any(|r| r["id"] == "102" && r["multi_domain"] == true));
}

#[test]
fn missing_contacts_are_listed_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let mut args = gg_args(&state);
    args.extend(
        ["--json", "order", "--product", "104", "--cn", "corp.example.com", "--dcv", "email", "--dry-run"]
            .iter()
            .map(|s| s.to_string()),
    );
    let o = run_owned(&args);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!(v["error"]["kind"], "invalid");
    let fields: Vec<&str> =
        v["error"]["problems"].as_array().unwrap().iter().filter_map(|p| p["field"].as_str()).collect();
    for f in ["admin.title", "tech.title", "admin.first_name", "organization.name", "approver_emails.corp.example.com"]
    {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    // The dry run printed nothing to place, and the simulator holds no order.
    let sb = sandbox_over(&state);
    assert!(sb.orders("gogetssl").is_empty());
    assert!(!sb.requests().iter().any(|r| r.path.contains("add_ssl_order")), "no order request reached the simulator");
}

#[test]
fn the_help_documents_contacts_and_gogetssl_credentials() {
    let o = run(&["order", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    for want in
        ["--contacts", "admin", "tech", "organization", "first_name", "postal_code", "--approver-email", "[HOST=]EMAIL"]
    {
        assert!(help.contains(want), "{want} missing from:\n{help}");
    }
    let o = run(&["--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("SSL_ORDERS_GOGETSSL_USER") && help.contains("SSL_ORDERS_GOGETSSL_PASSWORD"), "{help}");
}

async fn sandbox_at(dir: &Path) -> SandboxHandle {
    Sandbox::start(
        SandboxConfig { state_dir: Some(dir.to_path_buf()), dcv: DcvMode::Auto, ..SandboxConfig::default() },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn session_keys(state: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(state.join("state.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["sessions"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap().to_owned()).collect()
}

async fn run_env(args: Vec<String>, user: &str, pass: &str) -> Output {
    let (user, pass) = (user.to_owned(), pass.to_owned());
    tokio::task::spawn_blocking(move || {
        bin()
            .args(&args)
            .env("SSL_ORDERS_GOGETSSL_USER", user)
            .env("SSL_ORDERS_GOGETSSL_PASSWORD", pass)
            .env("SSL_ORDERS_LOG", "trace")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neither_the_password_nor_an_auth_key_shows_even_at_trace_level() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let sb = sandbox_at(&state).await;
    // Keys expire after two calls: the run logs in several times, and still succeeds.
    sb.set_knobs(Knobs { session_calls: Some(2), ..sb.knobs() });
    let base = sb.base_url("gogetssl").unwrap().to_string();
    let contacts = contacts(tmp.path());
    let out = tmp.path().join("o");
    let args: Vec<String> = [
        "--provider",
        "gogetssl",
        "--base-url",
        &base,
        "order",
        "--product",
        "101",
        "--cn",
        "trace.example.com",
        "--dcv",
        "dns",
        "--contacts",
        &contacts,
        "--wait",
        "--timeout",
        "30",
        "--out",
        out.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = run_env(args, ssl_sandbox::gogetssl::USER, ssl_sandbox::gogetssl::PASSWORD).await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(out.join("sandbox-root.pem"), sb.root_pem()).unwrap();
    assert_issued_files(&out, &["trace.example.com"]);
    let all = text(&o);
    assert!(all.contains("auth_key") && all.contains("redacted"), "trace output was produced: {all}");
    assert!(!all.contains(ssl_sandbox::gogetssl::PASSWORD), "the password leaked: {all}");
    let logins = sb.requests().iter().filter(|r| r.path == "/api/auth/").count();
    assert!(logins >= 2, "keys expired and the CLI logged in again ({logins} logins)");
    sb.shutdown().await;
    let keys = session_keys(&state);
    assert!(!keys.is_empty());
    for k in keys {
        assert!(!all.contains(&k), "an auth_key leaked: {k}");
    }

    // A wrong password: exit 5, the canary nowhere.
    let canary = "canary-ggs-password-91c2";
    let sb = sandbox_at(&tmp.path().join("state2")).await;
    let base = sb.base_url("gogetssl").unwrap().to_string();
    let o = run_env(
        vec![
            "--json".into(),
            "--provider".into(),
            "gogetssl".into(),
            "--base-url".into(),
            base,
            "status".into(),
            "1".into(),
        ],
        ssl_sandbox::gogetssl::USER,
        canary,
    )
    .await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!(v["error"]["kind"], "auth");
    assert!(!text(&o).contains(canary));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_order_exits_7_then_a_rerun_adopts_it_from_the_listing_and_never_resends() {
    let tmp = tempfile::tempdir().unwrap();
    let sb = sandbox_at(&tmp.path().join("state")).await;
    let mut knobs = sb.knobs();
    let mut fault = Fault::new(FaultKind::DropAfterCommit);
    fault.path = Some("add_ssl_order".into());
    fault.times = Some(1);
    knobs.faults.push(fault);
    sb.set_knobs(knobs);
    let base = sb.base_url("gogetssl").unwrap().to_string();
    let contacts = contacts(tmp.path());
    let args: Vec<String> = [
        "--json",
        "--provider",
        "gogetssl",
        "--base-url",
        &base,
        "order",
        "--product",
        "101",
        "--cn",
        "drop.example.com",
        "--dcv",
        "dns",
        "--contacts",
        &contacts,
        "--out",
        tmp.path().join("o").to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let posts = || sb.requests().iter().filter(|r| r.method == "POST" && r.path.contains("add_ssl_order")).count();
    let o = run_env(args.clone(), ssl_sandbox::gogetssl::USER, ssl_sandbox::gogetssl::PASSWORD).await;
    // This run: one request, exit 7, nothing listed or re-sent.
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert_eq!(stdout_json(&o)["error"]["kind"], "outcome_unknown");
    assert_eq!(posts(), 1);
    // The same command again: the journal lists the account's orders (`/orders/ssl/all`), matches the CSR echoed in
    // `csr_code` (the key generated by the first run is reused), and adopts the order (issue 11).
    let o = run_env(args, ssl_sandbox::gogetssl::USER, ssl_sandbox::gogetssl::PASSWORD).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(posts(), 1, "never resent");
    let v = stdout_json(&o);
    assert_eq!(v["journal"]["how"], "adopted", "{v:#}");
    assert_eq!(sb.orders("gogetssl").len(), 1, "exactly one order, never resent");
    sb.shutdown().await;
}
