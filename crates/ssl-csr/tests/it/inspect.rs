//! Inspection edge cases: sizes, junk, labels, trailing data, several blocks, and the human renderer.

use ssl_csr::{encode_pem, inspect, inspect_file, render_human};

use crate::{codes, fixture};

fn der_of(pem_fixture: &str) -> Vec<u8> {
    let pem = String::from_utf8(fixture(pem_fixture)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    // A tiny base64 decoder of its own, so that the test does not trust the crate's.
    let mut out = Vec::new();
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = body.bytes().filter(|&c| c != b'=').collect();
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| acc | (u32::from(val(c)) << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[test]
fn der_helper_matches_der_fixture() {
    assert_eq!(der_of("rsa2048.csr.pem"), fixture("rsa2048.csr.der"));
}

#[test]
fn empty_and_whitespace_inputs_are_malformed() {
    for input in [&b""[..], b"   \n\r\n\t", b"\xef\xbb\xbf"] {
        let info = inspect(input);
        assert_eq!(codes(&info), ["malformed"], "{input:?}");
    }
}

#[test]
fn ten_megabytes_are_refused_without_panic() {
    let zeros = vec![0u8; 10 * 1024 * 1024];
    assert_eq!(codes(&inspect(&zeros)), ["malformed"]);
    let mut der_like = vec![0x30u8, 0x84, 0x00, 0xa0, 0x00, 0x00];
    der_like.resize(10 * 1024 * 1024, 0x41);
    assert_eq!(codes(&inspect(&der_like)), ["malformed"]);
    // Just under the limit: parsed, still malformed, still quick.
    let mut pem = b"-----BEGIN CERTIFICATE REQUEST-----\n".to_vec();
    pem.resize(ssl_csr::MAX_INPUT_BYTES - 100, b'A');
    assert_eq!(codes(&inspect(&pem)), ["malformed"]);
}

#[test]
fn ten_megabyte_file_directory_and_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pem");
    std::fs::write(&big, vec![b'x'; 10 * 1024 * 1024]).unwrap();
    assert_eq!(codes(&inspect_file(&big)), ["malformed"]);
    assert_eq!(codes(&inspect_file(dir.path())), ["unreadable"]);
    assert_eq!(codes(&inspect_file(&dir.path().join("nope.pem"))), ["unreadable"]);
    assert!(inspect_file(&crate::fixture_path("ec-p256.csr.pem")).ok());
}

#[test]
fn pem_with_text_around_and_other_blocks_first() {
    let csr = String::from_utf8(fixture("ec-p256.csr.pem")).unwrap();
    let cert = String::from_utf8(fixture("certificate.pem")).unwrap();
    let mixed = format!("Subject: example\n{cert}\nsome notes\n{csr}\ntrailer\n");
    let info = inspect(mixed.as_bytes());
    assert!(info.ok(), "{:?}", info.problems);
    assert_eq!(info.common_name.as_deref(), Some("www.example.com"));
}

#[test]
fn label_must_match_and_body_must_be_base64() {
    let csr = String::from_utf8(fixture("ec-p256.csr.pem")).unwrap();
    let wrong_end = csr.replace("-----END CERTIFICATE REQUEST-----", "-----END CERTIFICATE-----");
    assert_eq!(codes(&inspect(wrong_end.as_bytes())), ["malformed"]);
    let bad_b64 = csr.replacen("MII", "M*I", 1);
    assert_eq!(codes(&inspect(bad_b64.as_bytes())), ["malformed"]);
    // Lines rewrapped to 76 columns, spaces and tabs: still fine.
    let der = der_of("ec-p256.csr.pem");
    let rewrapped = encode_pem("CERTIFICATE REQUEST", &der).replace('\n', " \t\n");
    assert!(inspect(rewrapped.as_bytes()).ok());
}

#[test]
fn trailing_data_after_der_is_malformed_but_trailing_whitespace_is_not() {
    let mut der = fixture("rsa2048.csr.der");
    der.extend_from_slice(b"\n\n");
    assert!(inspect(&der).ok());
    der.extend_from_slice(b"junk");
    let info = inspect(&der);
    assert_eq!(codes(&info), ["malformed"]);
    assert_eq!(info.common_name.as_deref(), Some("www.example.com"), "what was read is still reported");
}

#[test]
fn a_certificate_in_a_csr_block_is_not_a_csr() {
    let cert_der = fixture("certificate.der");
    let pem = encode_pem("CERTIFICATE REQUEST", &cert_der);
    assert_eq!(codes(&inspect(pem.as_bytes())), ["not_a_csr"]);
}

#[test]
fn a_private_key_is_named_as_such() {
    let key = ssl_csr::generate(ssl_csr::KeyType::EcP256, "example.com", &[]).unwrap();
    use secrecy::ExposeSecret as _;
    let info = inspect(key.key_pem.expose_secret().as_bytes());
    assert_eq!(codes(&info), ["not_a_csr"]);
    assert!(info.problems[0].message.contains("private key"), "{}", info.problems[0].message);
}

#[test]
fn truncated_der_at_every_length_is_malformed() {
    let der = der_of("ec-p256.csr.pem");
    for len in 0..der.len() {
        let info = inspect(&der[..len]);
        assert_eq!(codes(&info), ["malformed"], "cut at {len}");
    }
}

#[test]
fn human_output() {
    let out = render_human(&inspect(&fixture("rsa1024.csr.pem")));
    assert!(out.starts_with("Certificate request: NOT OK (1 error)\n"), "{out}");
    assert!(out.contains("Key:          RSA 1024 bits"), "{out}");
    assert!(out.contains("sha256WithRSAEncryption, valid"), "{out}");
    assert!(out.contains("error   weak_key: "), "{out}");
    let ok = render_human(&inspect(&fixture("ip-email.csr.pem")));
    assert!(ok.starts_with("Certificate request: OK\n"), "{ok}");
    assert!(ok.contains("Other names:  IP:192.0.2.1, IP:2001:db8::1, email:a@example.com"), "{ok}");
    assert!(ok.contains("Key:          EC P-256"), "{ok}");
    let sha1 = render_human(&inspect(&fixture("sha1.csr.pem")));
    assert!(sha1.starts_with("Certificate request: OK (1 warning)\n"), "{sha1}");
    let junk = render_human(&inspect(b"hello"));
    assert_eq!(junk.lines().count(), 3, "no empty detail lines for unreadable input: {junk}");
}

#[test]
fn subject_attributes_are_read() {
    let info = inspect(&fixture("ec-p256.csr.pem"));
    let s: Vec<(&str, &str)> = info.subject.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(s, [("C", "US"), ("L", "San Francisco"), ("O", "Example Inc"), ("ST", "California")]);
    let bmp = inspect(&fixture("bmp-subject.csr.pem"));
    assert_eq!(bmp.subject.get("OU").map(String::as_str), Some("Zoë's Café ☕"));
    assert!(!inspect(&fixture("no-names.csr.pem")).subject.contains_key("postalCode"));
}

/// Every subject attribute `CsrInfo.subject` names is found by its OID (2.5.4.6 C, .7 L, .8 ST, .9 street,
/// .10 O, .11 OU, .17 postalCode); others (title, 2.5.4.12) are left out.
#[test]
fn every_subject_attribute_is_read_by_its_oid() {
    use rcgen::{CertificateParams, DnType, KeyPair};
    let mut params = CertificateParams::new(vec!["a.example".to_string()]).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    let attrs: [(u64, &str); 8] = [
        (3, "a.example"),
        (6, "LV"),
        (7, "Riga"),
        (8, "Vidzeme"),
        (9, "Street 1"),
        (10, "Org"),
        (11, "Unit"),
        (17, "LV-1010"),
    ];
    for (n, v) in attrs.into_iter().chain([(12, "Mr")]) {
        params.distinguished_name.push(DnType::CustomDnType(vec![2, 5, 4, n]), v);
    }
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let pem = params.serialize_request(&key).unwrap().pem().unwrap();
    let info = inspect(pem.as_bytes());
    let s: Vec<(&str, &str)> = info.subject.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        s,
        [
            ("C", "LV"),
            ("L", "Riga"),
            ("O", "Org"),
            ("OU", "Unit"),
            ("ST", "Vidzeme"),
            ("postalCode", "LV-1010"),
            ("street", "Street 1")
        ]
    );
    assert_eq!(info.common_name.as_deref(), Some("a.example"));
}
