//! Fuzz target: the CSR inspector never panics, and its answer is coherent, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Unguarded: a parser panic must reach libFuzzer, not be turned into a `malformed` problem.
    let info = ssl_csr::inspect_unguarded(data);
    assert_eq!(info.ok(), !info.problems.iter().any(|p| p.is_error()));
    if info.signature_valid == Some(false) {
        assert!(info.problems.iter().any(|p| p.code == "bad_signature"));
    }
    let _ = info.names();
    let _ = ssl_csr::render_human(&info);
    let json = serde_json::to_string(&info).expect("serializable");
    assert!(json.starts_with("{\"ok\":"));
});
