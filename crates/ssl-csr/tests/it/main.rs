//! Integration tests of ssl-csr, in one binary.

mod fixtures;
mod generate;
mod inspect;
mod json;
mod preflight;
mod props;

use std::path::PathBuf;

/// `fixtures/csr/NAME` at the repository root.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/csr").join(name)
}

/// The bytes of a fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The problem codes of an inspection, sorted.
pub fn codes(info: &ssl_csr::CsrInfo) -> Vec<&str> {
    let mut c: Vec<&str> = info.problems.iter().map(|p| p.code.as_str()).collect();
    c.sort_unstable();
    c
}
