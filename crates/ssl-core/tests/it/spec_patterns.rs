//! Every `pattern` in every provider spec compiles with the engine that checks it at run time.
//!
//! `ssl_core::validate::pattern` (what the generated `validate()` calls) cannot report a pattern it cannot compile
//! as a problem of the user's input, so it lets the value through. A spec pattern regex-lite rejects (a lookahead,
//! a backreference) would be a check that silently never runs: RTR's published approver-email pattern started with
//! `(?=.{1,64}@)` and was never enforced until this test found it.

use std::path::{Path, PathBuf};

use ssl_core::validate;

fn spec_files() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for krate in std::fs::read_dir(&crates).expect("crates/") {
        let spec = krate.expect("entry").path().join("spec");
        let Ok(entries) = std::fs::read_dir(&spec) else { continue };
        for e in entries {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn patterns(v: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("pattern", serde_json::Value::String(re)) => out.push((path.to_owned(), re.clone())),
                    _ => patterns(x, &format!("{path}/{k}"), out),
                }
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                patterns(x, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_spec_pattern_compiles_with_regex_lite() {
    let files = spec_files();
    assert!(files.len() >= 5, "expected the five provider specs, found {files:?}");
    let mut bad = Vec::new();
    let mut seen = 0;
    for f in &files {
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).expect("read spec")).expect("spec is JSON");
        let mut found = Vec::new();
        patterns(&spec, "", &mut found);
        seen += found.len();
        for (at, re) in found {
            if let Err(e) = regex_lite::Regex::new(&re) {
                bad.push(format!("{}{at}: `{re}`: {e}", f.display()));
            }
        }
    }
    assert!(seen > 0, "no pattern found in {files:?}");
    assert!(bad.is_empty(), "patterns regex-lite cannot compile (never enforced):\n{}", bad.join("\n"));
}

#[test]
fn rtr_approver_email_pattern_is_enforced() {
    // The same pattern as crates/ssl-rtr/spec/rtr.json's approver email, through the run-time check.
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../ssl-rtr/spec/rtr.json")).expect("read"),
    )
    .expect("json");
    let mut found = Vec::new();
    patterns(&spec, "", &mut found);
    let re = found.iter().map(|(_, re)| re).find(|re| re.contains('@')).expect("an email pattern").clone();
    let check = |v: &str| {
        let mut out = Vec::new();
        validate::pattern("", "email", v, &re, &mut out);
        out.is_empty()
    };
    assert!(check("admin@example.com"));
    assert!(check("first.last+tag@mail.example.co.uk"));
    assert!(!check("not-an-email"), "a value without @ passes");
    assert!(!check(".admin@example.com"), "a local part starting with a dot passes");
    assert!(!check("admin.@example.com"), "a local part ending with a dot passes");
    assert!(!check(&format!("{}@example.com", "a".repeat(65))), "a 65-character local part passes");
    assert!(check(&format!("{}@example.com", "a".repeat(64))), "a 64-character local part fails");
}
