//! `cargo test` fails when generated code is stale, and the staleness check really notices spec edits.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::codegen;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask has a parent").to_path_buf()
}

/// Every `crates/*/src/generated.rs` is what its spec generates now.
#[test]
fn generated_code_is_fresh() {
    let root = repo_root();
    let jobs = codegen::find_specs(&root).expect("specs are readable");
    assert!(
        jobs.iter().any(|j| j.spec.ends_with("ssl-digicert/spec/digicert.json")),
        "the DigiCert spec is found: {jobs:?}"
    );
    let stale = codegen::stale(&root).expect("every spec generates");
    assert!(
        stale.is_empty(),
        "generated code is stale; run `cargo xtask codegen` and commit the result:\n{}",
        stale.iter().map(|p| format!("  {}", p.display())).collect::<Vec<_>>().join("\n")
    );
}

/// The fixture compiled by `tests/roundtrip.rs` is fresh too (`XTASK_BLESS=1 cargo test -p xtask` rewrites it).
#[test]
fn fixture_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture");
    let spec = std::fs::read_to_string(dir.join("spec.json")).unwrap();
    let want = codegen::generate(&spec, "spec.json").unwrap();
    let path = dir.join("generated.rs");
    if std::env::var_os("XTASK_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "{} is stale; rerun with XTASK_BLESS=1", path.display());
}

fn temp_workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("crates/ssl-digicert/spec/digicert.json");
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    std::fs::copy(repo_root().join("crates/ssl-digicert/spec/digicert.json"), &spec).unwrap();
    let out = tmp.path().join("crates/ssl-digicert/src/generated.rs");
    (tmp, spec, out)
}

fn add_property(spec: &Path) {
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(spec).unwrap()).unwrap();
    doc["components"]["schemas"]["OrderRequest"]["properties"]["x_added_in_test"] =
        serde_json::json!({"type": "string", "description": "Added by the stale-detection test."});
    std::fs::write(spec, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

/// Write, check (fresh), edit the spec, check (stale, naming the file), write again (fresh).
#[test]
fn editing_a_spec_makes_its_output_stale() {
    let (tmp, spec, out) = temp_workspace();
    let root = tmp.path();

    assert_eq!(codegen::stale(root).unwrap(), vec![out.clone()], "missing output counts as stale");
    assert_eq!(codegen::write_all(root).unwrap(), vec![out.clone()]);
    assert!(codegen::stale(root).unwrap().is_empty());
    assert!(codegen::write_all(root).unwrap().is_empty(), "an unchanged spec rewrites nothing");

    add_property(&spec);
    assert_eq!(codegen::stale(root).unwrap(), vec![out.clone()]);

    codegen::write_all(root).unwrap();
    assert!(codegen::stale(root).unwrap().is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("pub x_added_in_test: Option<String>,"), "the new property is generated");
}

/// `cargo xtask codegen --check` exits 1 and names the stale file; `cargo xtask codegen` fixes it.
#[test]
fn check_command_exits_1_naming_stale_files() {
    let (tmp, spec, _out) = temp_workspace();
    let xtask = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).env("XTASK_WORKSPACE_ROOT", tmp.path()).output().unwrap()
    };
    assert!(xtask(&["codegen"]).status.success());
    let ok = xtask(&["codegen", "--check"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));

    add_property(&spec);
    let stale = xtask(&["codegen", "--check"]);
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert_eq!(stale.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stale: crates/ssl-digicert/src/generated.rs"), "{stderr}");

    assert_eq!(xtask(&["bogus"]).status.code(), Some(2));
}
