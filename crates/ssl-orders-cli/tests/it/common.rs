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
