use std::os::unix::fs::PermissionsExt;

use crate::common::*;

const ORDER_KEYS: [&str; 10] = [
    "certificate",
    "common_name",
    "coverage_ends",
    "dcv",
    "dns_names",
    "order_id",
    "provider",
    "provider_status",
    "status",
    "dcv",
];

/// Keys added since (fields may be added, never removed).
const ADDED_KEYS: [&str; 6] = ["certificate_id", "client_reference", "created", "journal", "product", "warnings"];

fn assert_order_schema(v: &serde_json::Value) {
    let have = keys(v);
    for k in ORDER_KEYS.iter().chain(&["certificate_id", "warnings"]) {
        assert!(have.iter().any(|h| h == k), "`{k}` missing: {v:#}");
    }
    for k in &have {
        assert!(ORDER_KEYS.contains(&k.as_str()) || ADDED_KEYS.contains(&k.as_str()), "unexpected `{k}`: {v:#}");
    }
    for d in v["dcv"].as_array().unwrap() {
        assert_eq!(keys(d), ["dns", "email", "host", "http", "method", "provider_method", "status"], "{d:#}");
    }
}

#[test]
fn order_wait_out_gives_a_verifiable_chain_for_the_generated_key() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let out = tmp.path().join("certs");
    let mut args = sandbox_args(&state);
    args.extend([
        "--json",
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "shop.example.com",
        "--san",
        "www.shop.example.com",
        "--dcv",
        "dns",
        "--wait",
        "--timeout",
        "30",
        "--out",
        out.to_str().unwrap(),
        "--key",
        "ec256",
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_order_schema(&v);
    assert_eq!(v["status"], "issued");
    assert_eq!(v["provider"], "digicert");
    assert_eq!(v["dns_names"], serde_json::json!(["shop.example.com", "www.shop.example.com"]));
    let cert = &v["certificate"];
    assert_eq!(keys(cert), ["fingerprint_sha256", "not_after", "not_before", "serial"]);
    assert!(v["coverage_ends"].as_str().unwrap().len() == 10, "a date");
    // DCV instructions went to stderr at once.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("_dnsauth.shop.example.com TXT"), "{err}");

    for f in ["key.pem", "csr.pem", "cert.pem", "chain.pem", "fullchain.pem", "sandbox-root.pem"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let mode = std::fs::metadata(out.join("key.pem")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    let leaf = std::fs::read_to_string(out.join("cert.pem")).unwrap();
    let (spki, names) = cert_facts(&leaf);
    assert_eq!(spki, key_spki(&key), "the leaf carries key.pem's public key");
    assert_eq!(names, ["shop.example.com", "www.shop.example.com"]);
    let chain = std::fs::read_to_string(out.join("chain.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 1, "intermediates only, no root");
    let full = std::fs::read_to_string(out.join("fullchain.pem")).unwrap();
    assert_eq!(full.matches("BEGIN CERTIFICATE").count(), 2);

    if let Ok(v) = std::process::Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(out.join("sandbox-root.pem"))
        .arg("-untrusted")
        .arg(out.join("chain.pem"))
        .arg(out.join("cert.pem"))
        .output()
    {
        assert!(
            v.status.success(),
            "openssl verify: {}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    }

    // The key is never overwritten: a second order into the same directory is refused before anything is sent.
    let before = std::fs::read(out.join("key.pem")).unwrap();
    let mut again = sandbox_args(&state);
    again.extend([
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "b.example.com",
        "--dcv",
        "dns",
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = run(&again);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(out.join("key.pem")).unwrap(), before);
}

#[test]
fn order_then_status_then_download_in_separate_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let out = tmp.path().join("o");
    let mut args = sandbox_args(&state);
    args.extend([
        "--json",
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "api.example.com",
        "--dcv",
        "http",
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_eq!(v["status"], "pending_validation");
    let id = v["order_id"].as_str().unwrap().to_owned();
    let http = &v["dcv"][0]["http"];
    assert_eq!(http["url"], "http://api.example.com/.well-known/pki-validation/fileauth.txt");
    assert!(!http["content"].as_str().unwrap().is_empty());

    let mut args = sandbox_args(&state);
    args.extend(["--json", "status", &id]);
    let s = stdout_json(&run(&args));
    assert_eq!(s["order_id"], id.as_str());
    assert_eq!(s["status"], "pending_validation");

    let mut args = sandbox_args(&state);
    args.extend(["--json", "dcv", &id, "--recheck"]);
    let d = stdout_json(&run(&args));
    assert_eq!(d["status"], "issued");

    let mut args = sandbox_args(&state);
    args.extend(["--json", "download", &id, "--out", out.to_str().unwrap()]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let dl = stdout_json(&o);
    assert_eq!(dl["order_id"], id.as_str());
    let leaf = std::fs::read_to_string(out.join("cert.pem")).unwrap();
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    assert_eq!(cert_facts(&leaf).0, key_spki(&key));

    // Reissue with a new key into another directory, then revoke.
    let out2 = tmp.path().join("re");
    let mut args = sandbox_args(&state);
    args.extend(["--json", "reissue", &id, "--key", "ec384", "--wait", "--out", out2.to_str().unwrap()]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let leaf2 = std::fs::read_to_string(out2.join("cert.pem")).unwrap();
    let key2 = std::fs::read_to_string(out2.join("key.pem")).unwrap();
    assert_eq!(cert_facts(&leaf2).0, key_spki(&key2), "the reissued leaf carries the new key");
    assert_ne!(cert_facts(&leaf2).0, cert_facts(&leaf).0);

    let mut args = sandbox_args(&state);
    args.extend(["--json", "revoke", &id, "--reason", "test"]);
    assert_eq!(run(&args).status.code(), Some(0));
    let mut args = sandbox_args(&state);
    args.extend(["--json", "status", &id]);
    assert_eq!(stdout_json(&run(&args))["status"], "revoked");
}

#[test]
fn renew_places_a_new_linked_order_for_the_same_names() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let first = tmp.path().join("first");
    let mut args = sandbox_args(&state);
    args.extend([
        "--json",
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "renew.example.com",
        "--san",
        "www.renew.example.com",
    ]);
    args.extend(["--dcv", "dns", "--wait", "--out", first.to_str().unwrap()]);
    let v = stdout_json(&run(&args));
    let old = v["order_id"].as_str().unwrap().to_owned();

    let next = tmp.path().join("next");
    let mut args = sandbox_args(&state);
    args.extend(["--json", "renew", &old, "--product", "ssl_dv_geotrust", "--dcv", "dns", "--months", "24", "--wait"]);
    args.extend(["--out", next.to_str().unwrap()]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v = stdout_json(&o);
    assert_ne!(v["order_id"].as_str().unwrap(), old, "a renewal is a new order");
    assert_eq!(
        v["dns_names"],
        serde_json::json!(["renew.example.com", "www.renew.example.com"]),
        "names default to the old order's"
    );
    assert_eq!(v["status"], "issued");
    let (_, names) = cert_facts(&std::fs::read_to_string(next.join("cert.pem")).unwrap());
    assert_eq!(names, ["renew.example.com", "www.renew.example.com"]);
}

#[test]
fn der_and_crlf_csrs_are_sent_as_canonical_pem() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    for fixture in ["rsa2048.csr.der", "crlf.csr.pem", "new-label.csr.pem"] {
        let path = format!("{}/../../fixtures/csr/{fixture}", env!("CARGO_MANIFEST_DIR"));
        let mut args = sandbox_args(&state);
        args.extend(["--json", "order", "--product", "ssl_dv_geotrust", "--csr", &path, "--dcv", "dns", "--wait"]);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{fixture}: {}", String::from_utf8_lossy(&o.stderr));
        let v = stdout_json(&o);
        assert_eq!(v["status"], "issued", "{fixture}");
        assert_eq!(v["common_name"], "www.example.com");
    }
    let mut args = sandbox_args(&state);
    let der = format!("{}/../../fixtures/csr/rsa2048.csr.der", env!("CARGO_MANIFEST_DIR"));
    args.extend(["order", "--product", "ssl_dv_geotrust", "--csr", &der, "--dcv", "dns", "--dry-run"]);
    let text = String::from_utf8_lossy(&run(&args).stdout).into_owned();
    assert!(text.contains(r#""csr": "-----BEGIN CERTIFICATE REQUEST-----\nMII"#), "{text}");
    assert!(!text.contains("\\r\\n"));
}
