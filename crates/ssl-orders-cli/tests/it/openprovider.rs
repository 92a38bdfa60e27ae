//! `--provider openprovider` end to end against the simulator, with exactly the issue's flags: an order that waits
//! and writes a chain that verifies (leaf key == key.pem), multi-domain and email orders, the required
//! `organization_handle` (exit 1, nothing sent), a PAI draft that `--wait` leaves at once and `submit` sends, the
//! status keys, cancel to FAI, renew outside the window, and the dry run's body.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::common::*;

fn op(state: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--sandbox", "--sandbox-state", state.to_str().unwrap(), "--provider", "openprovider"];
    all.extend_from_slice(args);
    bin().args(&all).output().expect("run ssl-orders")
}

fn ok_json(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    stdout_json(o)
}

/// The files of an issued order: the chain verifies up to the sandbox root, and the leaf carries key.pem's key.
fn assert_chain(out: &Path, names: &[&str]) {
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    let leaf = std::fs::read_to_string(out.join("cert.pem")).unwrap();
    let (spki, got) = cert_facts(&leaf);
    assert_eq!(spki, key_spki(&key), "the leaf carries key.pem's public key");
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    use x509_parser::prelude::*;
    let der =
        |f: &str| x509_parser::pem::parse_x509_pem(std::fs::read(out.join(f)).unwrap().as_slice()).unwrap().1.contents;
    let (l, i, r) = (der("cert.pem"), der("chain.pem"), der("sandbox-root.pem"));
    let (_, leaf) = X509Certificate::from_der(&l).unwrap();
    let (_, int) = X509Certificate::from_der(&i).unwrap();
    let (_, root) = X509Certificate::from_der(&r).unwrap();
    leaf.verify_signature(Some(int.public_key())).expect("the intermediate signed the leaf");
    int.verify_signature(Some(root.public_key())).expect("the root signed the intermediate");
}

const HANDLE: &str = "organization_handle=XY123456-NL";

#[test]
fn order_wait_out_gives_a_chain_that_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let cases: [(&str, &str, &[&str], &[&str]); 3] = [
        ("dns", "5", &["shop.example.com"], &[]),
        ("http", "32", &["multi.example.com", "www.multi.example.com"], &[]),
        ("email", "5", &["mail.example.com"], &["--approver-email", "admin@mail.example.com"]),
    ];
    for (dcv, product, names, extra) in cases {
        let out = tmp.path().join(dcv);
        let mut args = vec!["--json", "order", "--product", product, "--cn", names[0], "--dcv", dcv, "--months", "12"];
        for san in &names[1..] {
            args.extend(["--san", san]);
        }
        args.extend([
            "--option",
            HANDLE,
            "--wait",
            "--timeout",
            "30",
            "--key",
            "ec256",
            "--out",
            out.to_str().unwrap(),
        ]);
        args.extend_from_slice(extra);
        let v = ok_json(&op(&state, &args));
        assert_eq!((v["status"].as_str(), v["provider_status"].as_str()), (Some("issued"), Some("ACT")), "{v:#}");
        assert_eq!(v["dcv"][0]["provider_method"], dcv);
        assert_chain(&out, names);
        let id = v["order_id"].as_str().unwrap();
        let s = ok_json(&op(&state, &["--json", "status", id]));
        for k in ["order_id", "provider", "status", "provider_status", "certificate"] {
            assert!(s.get(k).is_some(), "{k} in {s:#}");
        }
        assert_eq!(s["provider"], "openprovider");
        assert!(s["certificate"]["fingerprint_sha256"].is_string());
    }
}

#[test]
fn organization_handle_is_required_and_nothing_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let o = op(
        &state,
        &[
            "--json",
            "order",
            "--product",
            "5",
            "--cn",
            "a.example.com",
            "--dcv",
            "dns",
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = stdout_json(&o);
    assert_eq!(v["error"]["problems"][0]["field"], "organization_handle", "{v:#}");
    assert_eq!(v["error"]["kind"], "invalid");
    let events = std::fs::read_to_string(state.join("events.jsonl")).unwrap_or_default();
    assert!(!events.contains("/v1beta"), "no request reached the simulator: {events}");
}

#[test]
fn email_without_an_approver_lists_the_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let o = op(
        &state,
        &[
            "--json",
            "order",
            "--product",
            "5",
            "--cn",
            "e.example.com",
            "--dcv",
            "email",
            "--option",
            HANDLE,
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("hostmaster@e.example.com"), "{text}");
    let events = std::fs::read_to_string(state.join("events.jsonl")).unwrap_or_default();
    assert!(!events.contains("\"POST\",\"path\":\"/v1beta/ssl/orders\""), "no order was placed");
}

#[test]
fn a_draft_returns_at_once_and_submit_sends_it() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let out = tmp.path().join("o");
    let v = ok_json(&op(
        &state,
        &[
            "--json",
            "order",
            "--product",
            "5",
            "--cn",
            "draft.example.com",
            "--dcv",
            "dns",
            "--option",
            HANDLE,
            "--option",
            "start_provision=false",
            "--wait",
            "--timeout",
            "30",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert_eq!((v["status"].as_str(), v["provider_status"].as_str()), (Some("draft"), Some("PAI")));
    assert_eq!(v["certificate"], Value::Null);
    let events = std::fs::read_to_string(state.join("events.jsonl")).unwrap();
    assert!(events.contains("/v1beta/ssl/orders"), "the simulator's event log is where the other tests look");
    let id = v["order_id"].as_str().unwrap().to_owned();
    let human = op(&state, &["status", &id]);
    assert!(String::from_utf8_lossy(&human.stdout).contains(&format!("ssl-orders submit {id}")));
    let s = ok_json(&op(&state, &["--json", "submit", &id]));
    assert_ne!(s["provider_status"], "PAI", "{s:#}");
    assert_eq!(op(&state, &["--json", "submit", &id]).status.code(), Some(1), "not a draft any more");
    let c = op(&state, &["--json", "cancel", &id]);
    assert_eq!(c.status.code(), Some(0), "{}", String::from_utf8_lossy(&c.stderr));
    let s = ok_json(&op(&state, &["--json", "status", &id]));
    assert_eq!((s["status"].as_str(), s["provider_status"].as_str()), (Some("cancelled"), Some("FAI")));
}

#[test]
fn renew_is_refused_outside_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let out = tmp.path().join("o");
    let v = ok_json(&op(
        &state,
        &[
            "--json",
            "order",
            "--product",
            "5",
            "--cn",
            "r.example.com",
            "--dcv",
            "dns",
            "--option",
            HANDLE,
            "--wait",
            "--timeout",
            "30",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let id = v["order_id"].as_str().unwrap();
    let o = op(
        &state,
        &[
            "--json",
            "renew",
            id,
            "--product",
            "5",
            "--cn",
            "r.example.com",
            "--dcv",
            "dns",
            "--option",
            HANDLE,
            "--out",
            tmp.path().join("r").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("30 days"));
}

#[test]
fn dry_run_prints_the_body_and_sends_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .args([
            "--provider",
            "openprovider",
            "--json",
            "order",
            "--product",
            "32",
            "--cn",
            "d.example.com",
            "--san",
            "www.d.example.com",
            "--dcv",
            "https",
            "--months",
            "24",
            "--option",
            HANDLE,
            "--dry-run",
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v = ok_json(&o);
    let body = &v["request"]["body"]["json"];
    assert_eq!(body["period"], 2);
    assert_eq!(body["software_id"], "linux");
    assert_eq!(body["signature_hash_algorithm"], "sha2");
    assert_eq!(body["start_provision"], true);
    assert_eq!(body["domain_validation_methods"][1], json!({"host_name": "www.d.example.com", "method": "https"}));
    assert!(v["rendered"].as_str().unwrap().starts_with("POST https://api.openprovider.eu/v1beta/ssl/orders"));
}
