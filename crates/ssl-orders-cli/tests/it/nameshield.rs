//! `--provider nameshield` end to end against the simulator: orders with dns, dns-cname, http and email DCV, wait,
//! download, a chain that verifies and a leaf carrying the generated key; status, reissue, renew, revoke and an
//! unsupported cancel in separate runs; the dry run; contacts both or neither;
//! both error shapes; the order sent exactly once (429: exit 3 at once, Retry-After shown; an HTML 5xx, a timeout or
//! a drop after the send: exit 7); and the token in no output, even at trace level.

use std::path::Path;
use std::process::Output;

use ssl_sandbox::{DcvMode, Fault, FaultKind, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::*;

const TOKEN: &str = ssl_sandbox::nameshield::TOKEN;

fn ns_args(state: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["--sandbox", "--sandbox-state", state.to_str().unwrap(), "--provider", "nameshield"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn orders_with_each_dcv_method_wait_and_download() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let cases: [(&str, &[&str], &str, &str); 4] = [
        ("dns", &["shop.example.com", "www.shop.example.com"], "11", "VALIDATE_DNS"),
        ("dns-cname", &["*.api.example.com"], "12", "VALIDATE_DNS_CNAME"),
        ("http", &["web.example.com"], "11", "VALIDATE_HTTP"),
        ("email", &["mail.example.com"], "11", "VALIDATE_EMAIL"),
    ];
    for (dcv, names, product, wire) in cases {
        let out = tmp.path().join(dcv);
        let mut args = ns_args(&state, &["--json", "order", "--product", product, "--cn", names[0]]);
        for san in &names[1..] {
            args.extend(["--san".to_string(), san.to_string()]);
        }
        let out_s = out.to_str().unwrap();
        let rest = ["--dcv", dcv, "--months", "24", "--wait", "--timeout", "30", "--key", "ec256", "--out", out_s];
        args.extend(rest.iter().map(|s| s.to_string()));
        let o = run_owned(&args);
        assert_eq!(o.status.code(), Some(0), "{dcv}: {}", text(&o));
        let v = stdout_json(&o);
        assert_eq!((v["provider"].as_str(), v["status"].as_str()), (Some("nameshield"), Some("issued")), "{v:#}");
        assert_eq!(v["provider_status"], "DELIVERED");
        assert_eq!(v["dns_names"], serde_json::json!(names));
        assert!(v["certificate_id"].as_str().unwrap().starts_with("CRT"));
        for d in v["dcv"].as_array().unwrap() {
            assert_eq!((d["provider_method"].as_str(), d["status"].as_str()), (Some(wire), Some("valid")), "{d:#}");
        }
        assert_issued_files(&out, names);
    }
}

#[test]
fn separate_runs_status_download_reissue_renew_revoke_cancel() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let out = tmp.path().join("o");
    let args = ["--json", "order", "--product", "11", "--cn", "api.example.com", "--dcv", "dns"];
    let o =
        run_owned(&ns_args(&state, &[&args[..], &["--reference", "PO-7", "--out", out.to_str().unwrap()]].concat()));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!((v["status"].as_str(), v["provider_status"].as_str()), (Some("processing"), Some("CHECKED_OUT")));
    let id = v["order_id"].as_str().unwrap().to_owned();
    assert_eq!(v["dcv"][0]["dns"]["name"], "_dnsauth.api.example.com");
    std::thread::sleep(std::time::Duration::from_millis(1100));

    let cmd = |extra: &[&str]| run_owned(&ns_args(&state, extra));
    let s = stdout_json(&cmd(&["--json", "status", &id]));
    assert_eq!((s["status"].as_str(), s["provider_status"].as_str()), (Some("issued"), Some("DELIVERED")), "{s:#}");
    let o = cmd(&["--json", "download", &id, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_issued_files(&out, &["api.example.com"]);

    let re = tmp.path().join("re");
    let o =
        cmd(&["--json", "reissue", &id, "--key", "ec384", "--wait", "--timeout", "30", "--out", re.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_ne!(stdout_json(&o)["order_id"].as_str(), Some(id.as_str()), "a reissue is a new order");
    assert_issued_files(&re, &["api.example.com"]);

    let rn = tmp.path().join("rn");
    let o = cmd(&["--json", "renew", &id, "--product", "11", "--dcv", "http", "--out", rn.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let renewal = stdout_json(&o);
    assert_ne!(renewal["order_id"].as_str(), Some(id.as_str()));
    assert_eq!(renewal["certificate_id"], stdout_json(&cmd(&["--json", "status", &id]))["certificate_id"]);

    let o = cmd(&["--json", "cancel", &id]);
    assert_eq!(o.status.code(), Some(1), "no cancel endpoint: {}", text(&o));
    let v = stdout_json(&o);
    assert_eq!(v["error"]["kind"], "unsupported");
    assert!(v["error"]["message"].as_str().unwrap().contains("cancel"), "{v:#}");

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let o = cmd(&["--json", "revoke", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = stdout_json(&cmd(&["--json", "status", &id]));
    assert_eq!((s["status"].as_str(), s["provider_status"].as_str()), (Some("revoked"), Some("DELIVERED")), "{s:#}");
    let p = stdout_json(&cmd(&["--json", "products"]));
    assert!(
        p.as_array().unwrap().iter().any(|r| r["id"] == "12" && r["periods_months"] == serde_json::json!([12, 24, 36]))
    );
}

#[test]
fn the_dry_run_prints_the_body_and_bad_contacts_send_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let csr = tmp.path().join("csr.pem");
    let names = vec!["shop.example.com".to_string(), "www.shop.example.com".to_string()];
    let mut params = rcgen::CertificateParams::new(names).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "shop.example.com");
    std::fs::write(&csr, params.serialize_request(&rcgen::KeyPair::generate().unwrap()).unwrap().pem().unwrap())
        .unwrap();
    let base = ["--json", "order", "--product", "12", "--csr", csr.to_str().unwrap(), "--dcv", "dns-cname"];
    let opts = ["--months", "36", "--option", "organization=4711", "--option", "web_server=nginx", "--dry-run"];
    let opts = [&opts[..], &["--reference", "PO-2026-11"]].concat();
    let o = run_owned(&ns_args(&state, &[&base[..], &opts[..]].concat()));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = stdout_json(&o);
    let body = &v["request"]["body"]["json"]["data"];
    assert_eq!(body["attributes"]["duration"], "3 years");
    assert_eq!(body["attributes"]["order_reference"], "PO-2026-11");
    assert_eq!(
        body["attributes"]["infos"],
        serde_json::json!({"validation_method": "VALIDATE_DNS_CNAME", "web_server": "nginx"})
    );
    assert_eq!(body["relationships"]["organization"]["data"]["id"], "4711", "ids are strings");
    assert!(body["relationships"].get("contacts").is_none());
    assert!(!text(&o).contains(TOKEN));

    let one = ["--option", "admin_contact=CT01"];
    let o = run_owned(&ns_args(&state, &[&base[..], &one[..]].concat()));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = stdout_json(&o);
    assert!(v["error"]["problems"].as_array().unwrap().iter().any(|p| p["code"] == "contacts"), "{v:#}");
    let sb = sandbox_over(&state);
    assert!(sb.orders("nameshield").is_empty());
    assert!(!sb.requests().iter().any(|r| r.method == "POST"), "only reads were sent");
}

async fn sandbox_at(dir: &Path) -> SandboxHandle {
    let config = SandboxConfig { state_dir: Some(dir.to_path_buf()), dcv: DcvMode::Auto, ..SandboxConfig::default() };
    Sandbox::start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

async fn run_env(args: Vec<String>, token: &str) -> Output {
    let token = token.to_owned();
    tokio::task::spawn_blocking(move || {
        bin().args(&args).env("SSL_ORDERS_NAMESHIELD_TOKEN", token).env("SSL_ORDERS_LOG", "trace").output().unwrap()
    })
    .await
    .unwrap()
}

fn order_args(base: &str, cn: &str, out: &Path) -> Vec<String> {
    let a = ["--json", "--provider", "nameshield", "--base-url", base, "order", "--product", "11", "--cn", cn];
    let b = ["--dcv", "dns", "--out", out.to_str().unwrap()];
    a.iter().chain(b.iter()).map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_shows_and_a_bad_one_is_exit_5() {
    let tmp = tempfile::tempdir().unwrap();
    let sb = sandbox_at(&tmp.path().join("state")).await;
    let base = sb.base_url("nameshield").unwrap().to_string();
    assert!(base.ends_with("/ssl/v2"), "{base}");

    let o = run_env(order_args(&base, "ok.example.com", &tmp.path().join("ok")), TOKEN).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("TRACE") && err.contains("create_order"), "trace output was produced: {err}");
    assert!(!text(&o).contains(TOKEN), "the token leaked: {}", text(&o));

    let canary = "canary-ns-token-77a1";
    let o = run_env(
        vec![
            "--json".into(),
            "--provider".into(),
            "nameshield".into(),
            "--base-url".into(),
            base.clone(),
            "status".into(),
            "ORD1".into(),
        ],
        canary,
    )
    .await;
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    assert_eq!(stdout_json(&o)["error"]["kind"], "auth");
    assert!(!text(&o).contains(canary));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_error_shapes_show_every_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let sb = sandbox_at(&tmp.path().join("state")).await;
    let base = sb.base_url("nameshield").unwrap().to_string();
    for shape in ["jsonapi", "object"] {
        set_error_shape(sb.addr(), shape);
        let args = ["--json", "--provider", "nameshield", "--base-url", &base, "status", "NOPE"];
        let o = run_env(args.iter().map(|s| s.to_string()).collect(), TOKEN).await;
        assert_eq!(o.status.code(), Some(3), "{shape}: {}", text(&o));
        let v = stdout_json(&o);
        assert!(v["error"]["message"].as_str().unwrap().contains("does not exist"), "{shape}: {v:#}");
        assert!(!v["error"]["problems"].as_array().unwrap().is_empty(), "{shape}: {v:#}");

        // An order the server refuses for three reasons: each one is in `problems`, nothing is ordered.
        let mut args = order_args(&base, &format!("{shape}.example.com"), &tmp.path().join(shape));
        for o in ["organization=NOPE", "admin_contact=CTX1", "tech_contact=CTX2"] {
            args.extend(["--option".to_string(), o.to_string()]);
        }
        let o = run_env(args, TOKEN).await;
        assert_eq!(o.status.code(), Some(3), "{shape}: {}", text(&o));
        let v = stdout_json(&o);
        let shown = v["error"]["problems"].to_string();
        for entry in ["no organization `NOPE`", "no contact `CTX1`", "no contact `CTX2`"] {
            assert!(shown.contains(entry), "{shape}: `{entry}` is not shown: {v:#}");
        }
    }
    assert!(sb.orders("nameshield").is_empty());
    sb.shutdown().await;
}

/// `PUT /ssl/v2/_sandbox/error-shape` for `/orders`, over a plain socket.
fn set_error_shape(addr: std::net::SocketAddr, shape: &str) {
    use std::io::{Read, Write};
    let body = format!(r#"{{"route":"/orders","shape":"{shape}"}}"#);
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "PUT /ssl/v2/_sandbox/error-shape HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// One fault on the next `POST /ssl/v2/orders`.
fn on_the_order(kind: FaultKind) -> Fault {
    Fault { method: Some("POST".into()), path: Some("/ssl/v2/orders".into()), times: Some(1), ..Fault::new(kind) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_is_sent_exactly_once_429_is_exit_3_and_an_unknown_outcome_exit_7() {
    let tmp = tempfile::tempdir().unwrap();
    let sb = sandbox_at(&tmp.path().join("state")).await;
    let base = sb.base_url("nameshield").unwrap().to_string();
    let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";
    let cases = [
        ("rate", Fault { retry_after: Some(297), ..on_the_order(FaultKind::RateLimit) }, 3, "rate_limited"),
        (
            "html",
            Fault {
                status: Some(502),
                after_commit: true,
                body: Some(html.into()),
                ..on_the_order(FaultKind::ServerError)
            },
            7,
            "outcome_unknown",
        ),
        ("slow", Fault { delay_ms: Some(4000), ..on_the_order(FaultKind::DelayAfterCommit) }, 7, "outcome_unknown"),
        ("drop", on_the_order(FaultKind::DropAfterCommit), 7, "outcome_unknown"),
    ];
    for (case, fault, code, kind) in cases {
        sb.set_knobs(sb.knobs().fault(fault));
        let posts = || sb.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/orders")).count();
        let before = posts();
        let args = order_args(&base, &format!("{case}.example.com"), &tmp.path().join(case));
        let started = std::time::Instant::now();
        let o = tokio::task::spawn_blocking(move || {
            bin().args(&args).env("SSL_ORDERS_NAMESHIELD_TOKEN", TOKEN).env("SSL_ORDERS_TIMEOUT_SECS", "1.5").output()
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(o.status.code(), Some(code), "{case}: {}", text(&o));
        assert_eq!(stdout_json(&o)["error"]["kind"], kind, "{case}: {}", text(&o));
        assert_eq!(posts() - before, 1, "{case}: the order is sent exactly once");
        if case == "rate" {
            assert!(text(&o).contains("297"), "the Retry-After is shown: {}", text(&o));
            // Not waited out: the run ends long before the 297 s it was told.
            assert!(started.elapsed() < std::time::Duration::from_secs(120), "{:?}", started.elapsed());
        } else {
            let msg = stdout_json(&o)["error"]["message"].as_str().unwrap_or_default().to_owned();
            assert!(msg.contains("NOT resent"), "{case}: {msg}");
        }
    }
    assert_eq!(sb.orders("nameshield").len(), 3, "the three unknown outcomes each left one order, the 429 none");
    sb.shutdown().await;
}
