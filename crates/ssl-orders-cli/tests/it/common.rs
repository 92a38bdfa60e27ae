use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssl-orders"));
    // Never pick up a developer's real credentials or provider.
    for (k, _) in std::env::vars() {
        if k.starts_with("SSL_ORDERS_") {
            c.env_remove(k);
        }
    }
    // Never write a developer's real journal: one journal file per test process (rows are keyed by base URL, so
    // tests with different simulators never mix).
    c.env("SSL_ORDERS_JOURNAL", test_journal());
    c
}

fn test_journal() -> &'static str {
    static DIR: std::sync::OnceLock<(tempfile::TempDir, String)> = std::sync::OnceLock::new();
    &DIR.get_or_init(|| {
        let d = tempfile::tempdir().expect("temp dir");
        let p = d.path().join("journal.sqlite3").display().to_string();
        (d, p)
    })
    .1
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run ssl-orders")
}

pub fn stdout_json(out: &Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("stdout is not one JSON document ({e}):\n{text}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr))
    })
}

pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

pub fn sandbox_args(state: &Path) -> Vec<&str> {
    vec!["--sandbox", "--sandbox-state", state.to_str().unwrap(), "--provider", "digicert"]
}

/// The SPKI (DER) of the public key of a PKCS#8 PEM private key.
pub fn key_spki(key_pem: &str) -> Vec<u8> {
    use rcgen::PublicKeyData;
    rcgen::KeyPair::from_pem(key_pem).unwrap().subject_public_key_info()
}

/// (SPKI DER, DNS SANs) of a PEM certificate.
pub fn cert_facts(pem: &str) -> (Vec<u8>, Vec<String>) {
    use x509_parser::prelude::*;
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    let (_, c) = X509Certificate::from_der(&p.contents).unwrap();
    let mut names = Vec::new();
    if let Ok(Some(san)) = c.subject_alternative_name() {
        for n in &san.value.general_names {
            if let GeneralName::DNSName(d) = n {
                names.push(d.to_string());
            }
        }
    }
    names.sort();
    (c.public_key().raw.to_vec(), names)
}

/// The issued files verify: the leaf carries key.pem's key and the names, the chain leads to the sandbox root.
pub fn assert_issued_files(out: &Path, names: &[&str]) {
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    let leaf = std::fs::read_to_string(out.join("cert.pem")).unwrap();
    let (spki, got) = cert_facts(&leaf);
    assert_eq!(spki, key_spki(&key), "the leaf carries key.pem's public key");
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    let chain = std::fs::read_to_string(out.join("chain.pem")).unwrap();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 1, "intermediates only, no root");
    {
        use x509_parser::prelude::*;
        let der = |pem: &str| x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap().1.contents;
        let root_pem = std::fs::read_to_string(out.join("sandbox-root.pem")).unwrap();
        let (l, i, r) = (der(&leaf), der(&chain), der(&root_pem));
        let (_, leaf) = X509Certificate::from_der(&l).unwrap();
        let (_, int) = X509Certificate::from_der(&i).unwrap();
        let (_, root) = X509Certificate::from_der(&r).unwrap();
        leaf.verify_signature(Some(int.public_key())).expect("the intermediate signed the leaf");
        int.verify_signature(Some(root.public_key())).expect("the root signed the intermediate");
    }
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
}

pub fn run_owned(args: &[String]) -> Output {
    bin().args(args).output().expect("run ssl-orders")
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A simulator over `state`, the state directory earlier `--sandbox-state` runs used: what they stored and sent.
pub fn sandbox_over(state: &Path) -> ssl_sandbox::SandboxHandle {
    let config = ssl_sandbox::SandboxConfig { state_dir: Some(state.to_path_buf()), ..Default::default() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(ssl_sandbox::Sandbox::start(config, "127.0.0.1:0".parse().unwrap())).unwrap()
}
