use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::*;

/// `ssl-orders sandbox` prints its base URLs, credentials and inspection URL, then serves until stopped; a second
/// process orders against it with `--base-url`.
#[test]
fn standalone_sandbox_serves_other_processes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = bin()
        .args(["--json", "--sandbox-state", tmp.path().to_str().unwrap(), "sandbox", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut doc = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        doc.push_str(&line);
        if line.starts_with('}') {
            break;
        }
    }
    let info: serde_json::Value = serde_json::from_str(&doc).unwrap_or_else(|e| panic!("{e}: {doc}"));
    let dc = info["providers"].as_array().unwrap().iter().find(|p| p["provider"] == "digicert").unwrap().clone();
    let base = dc["base_url"].as_str().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with("/services/v2"), "{base}");
    let key = dc["credentials"][0]["value"].as_str().unwrap().to_owned();
    assert_eq!(dc["credentials"][0]["env"], "SSL_ORDERS_DIGICERT_API_KEY");
    assert!(info["inspect_url"].as_str().unwrap().ends_with("/_sandbox"));

    let out = tmp.path().join("o");
    let o = bin()
        .args(["--json", "--provider", "digicert", "--base-url", &base, "order", "--product", "ssl_dv_geotrust"])
        .args(["--cn", "standalone.example.com", "--dcv", "email", "--approver-email", "admin@example.com", "--wait"])
        .args(["--timeout", "20", "--out", out.to_str().unwrap()])
        .env("SSL_ORDERS_DIGICERT_API_KEY", &key)
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["status"], "issued");
    assert_eq!(v["dcv"][0]["method"], "email");
    assert_eq!(v["dcv"][0]["provider_method"], "email");
    assert!(out.join("fullchain.pem").exists());
    assert!(!out.join("sandbox-root.pem").exists(), "only --sandbox writes the simulator's root");
}
