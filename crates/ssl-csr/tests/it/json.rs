//! The `csr inspect --json` object follows the schema exactly, on every fixture and on inputs that are not CSRs.

use serde_json::Value;
use ssl_csr::{inspect, inspect_file};

use crate::fixture;
use crate::fixtures::EXPECTATIONS;

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().expect("an object").keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

/// Asserts the schema: exact key sets, types, enumerations, and `ok` iff no error problem.
pub fn assert_schema(json: &str, what: &str) {
    assert!(!json.contains('\n'), "{what}: one line");
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        keys(&v),
        ["common_name", "dns_names", "key", "ok", "other_names", "problems", "signature_algorithm", "signature_valid"],
        "{what}"
    );
    let ok = v["ok"].as_bool().unwrap_or_else(|| panic!("{what}: ok is a bool"));
    assert!(v["common_name"].is_string() || v["common_name"].is_null(), "{what}: common_name");
    for list in ["dns_names", "other_names"] {
        let items = v[list].as_array().unwrap_or_else(|| panic!("{what}: {list} is an array"));
        assert!(items.iter().all(Value::is_string), "{what}: {list} holds strings");
    }
    assert_eq!(keys(&v["key"]), ["bits", "type"], "{what}: key");
    let key_type = v["key"]["type"].as_str().unwrap_or_else(|| panic!("{what}: key.type is a string"));
    assert!(["rsa", "ec", "ed25519", "ed448", "dsa", "unknown"].contains(&key_type), "{what}: {key_type}");
    assert!(v["key"]["bits"].is_u64() || v["key"]["bits"].is_null(), "{what}: key.bits is an int or null");
    assert!(v["signature_algorithm"].is_string() || v["signature_algorithm"].is_null(), "{what}: signature_algorithm");
    assert!(v["signature_valid"].is_boolean() || v["signature_valid"].is_null(), "{what}: signature_valid");
    let problems = v["problems"].as_array().unwrap_or_else(|| panic!("{what}: problems is an array"));
    let mut any_error = false;
    for p in problems {
        assert_eq!(keys(p), ["code", "message", "severity"], "{what}: problem {p}");
        assert!(p["code"].is_string() && p["message"].is_string(), "{what}: {p}");
        let severity = p["severity"].as_str().unwrap();
        assert!(severity == "error" || severity == "warning", "{what}: {severity}");
        any_error |= severity == "error";
    }
    assert_eq!(ok, !any_error, "{what}: ok is false iff a problem is an error");
}

#[test]
fn json_schema_on_every_fixture() {
    for e in EXPECTATIONS {
        let info = inspect(&fixture(e.file));
        assert_schema(&serde_json::to_string(&info).unwrap(), e.file);
    }
}

#[test]
fn json_schema_on_files_that_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().to_path_buf(), dir.path().join("missing.pem")] {
        let info = inspect_file(&path);
        assert!(!info.ok());
        assert_eq!(info.problems[0].code, "unreadable");
        assert_schema(&serde_json::to_string(&info).unwrap(), &path.display().to_string());
    }
}

#[test]
fn json_values_and_field_order() {
    let info = inspect(&fixture("rsa1024.csr.pem"));
    let json = serde_json::to_string(&info).unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["key"], serde_json::json!({"type": "rsa", "bits": 1024}));
    assert_eq!(v["signature_valid"], true);
    assert_eq!(v["problems"][0]["code"], "weak_key");
    assert_eq!(v["problems"][0]["severity"], "error");
    assert!(json.starts_with(r#"{"ok":false,"common_name":"www.example.com","dns_names":"#), "{json}");
}

#[test]
fn json_round_trips_into_csr_info() {
    let info = inspect(&fixture("ip-email.csr.pem"));
    let back: ssl_csr::CsrInfo = serde_json::from_str(&serde_json::to_string(&info).unwrap()).unwrap();
    assert_eq!(back.names(), info.names());
    assert_eq!(back.other_names, info.other_names);
    assert_eq!(back.key.kind, info.key.kind);
}
