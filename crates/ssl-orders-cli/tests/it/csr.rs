use std::os::unix::fs::PermissionsExt;

use crate::common::*;

fn fixture(name: &str) -> String {
    format!("{}/../../fixtures/csr/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn csr_generate_then_inspect() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("k");
    let o = run(&[
        "csr",
        "generate",
        "--cn",
        "bücher.example",
        "--san",
        "www.example.com",
        "--key",
        "ec384",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::metadata(dir.join("key.pem")).unwrap().permissions().mode() & 0o777, 0o600);
    let o = run(&["csr", "inspect", dir.join("csr.pem").to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = stdout_json(&o);
    assert_eq!(
        keys(&v),
        ["common_name", "dns_names", "key", "ok", "other_names", "problems", "signature_algorithm", "signature_valid"]
    );
    assert_eq!(v["common_name"], "xn--bcher-kva.example");
    assert_eq!(v["key"]["type"], "ec");
    assert_eq!(v["key"]["bits"], 384);
    assert_eq!(v["signature_algorithm"], "ecdsa-with-SHA384");
    // Never over an existing key.
    let o = run(&["csr", "generate", "--cn", "a.example", "--out", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn csr_inspect_never_panics_and_exits_1_on_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big");
    std::fs::write(&big, vec![0x30u8; 10 * 1024 * 1024]).unwrap();
    let empty = tmp.path().join("empty");
    std::fs::write(&empty, b"").unwrap();
    for path in [
        fixture("junk.bin"),
        fixture("certificate.pem"),
        fixture("rsa1024.csr.pem"),
        big.display().to_string(),
        empty.display().to_string(),
        tmp.path().display().to_string(),
        "/nonexistent/x.pem".into(),
    ] {
        let o = run(&["csr", "inspect", &path, "--json"]);
        assert_eq!(o.status.code(), Some(1), "{path}");
        let v = stdout_json(&o);
        assert_eq!(v["ok"], false, "{path}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{path}: {err}");
    }
    let o = run(&["csr", "inspect", &fixture("rsa2048.csr.pem")]);
    assert_eq!(o.status.code(), Some(0));
}
