//! Every file of `fixtures/csr/` (made with `openssl req`, see its README) and what inspecting it must give.

use ssl_csr::{KeyKind, inspect};

use crate::{codes, fixture};

/// What one fixture must give.
pub struct Expect {
    pub file: &'static str,
    pub common_name: Option<&'static str>,
    /// `None`: not checked here (long lists; checked by count in their own tests).
    pub dns_names: Option<&'static [&'static str]>,
    pub other_names: &'static [&'static str],
    pub key: KeyKind,
    pub bits: Option<u32>,
    pub signature_algorithm: Option<&'static str>,
    pub signature_valid: Option<bool>,
    /// Every problem code, sorted.
    pub codes: &'static [&'static str],
}

const WWW: &[&str] = &["www.example.com", "example.com"];

const fn csr(
    file: &'static str,
    key: KeyKind,
    bits: u32,
    alg: &'static str,
    valid: Option<bool>,
    codes: &'static [&'static str],
) -> Expect {
    Expect {
        file,
        common_name: Some("www.example.com"),
        dns_names: Some(WWW),
        other_names: &[],
        key,
        bits: Some(bits),
        signature_algorithm: Some(alg),
        signature_valid: valid,
        codes,
    }
}

const fn unreadable(file: &'static str, code: &'static [&'static str]) -> Expect {
    Expect {
        file,
        common_name: None,
        dns_names: Some(&[]),
        other_names: &[],
        key: KeyKind::Unknown,
        bits: None,
        signature_algorithm: None,
        signature_valid: None,
        codes: code,
    }
}

pub const EXPECTATIONS: &[Expect] = &[
    csr("rsa2048.csr.pem", KeyKind::Rsa, 2048, "sha256WithRSAEncryption", Some(true), &[]),
    csr("rsa2048.csr.der", KeyKind::Rsa, 2048, "sha256WithRSAEncryption", Some(true), &[]),
    csr("rsa4096.csr.pem", KeyKind::Rsa, 4096, "sha256WithRSAEncryption", Some(true), &[]),
    csr("ec-p256.csr.pem", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[]),
    csr("ec-p384.csr.pem", KeyKind::Ec, 384, "ecdsa-with-SHA384", Some(true), &[]),
    csr("crlf.csr.pem", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[]),
    csr("new-label.csr.pem", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[]),
    csr("rsa-pss.csr.pem", KeyKind::Rsa, 2048, "rsassaPss", Some(true), &[]),
    // Key types public CAs refuse; the signature is still checked where aws-lc can.
    csr("ed25519.csr.pem", KeyKind::Ed25519, 256, "ED25519", Some(true), &["unsupported_key"]),
    csr("ed448.csr.pem", KeyKind::Ed448, 456, "ED448", None, &["unsupported_key"]),
    csr("dsa2048.csr.pem", KeyKind::Dsa, 2048, "dsa_with_SHA256", None, &["unsupported_key"]),
    csr("ec-p521.csr.pem", KeyKind::Ec, 521, "ecdsa-with-SHA512", Some(true), &["unsupported_key"]),
    csr("ec-secp256k1.csr.pem", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &["unsupported_key"]),
    // A valid RSA-1024 request: weak_key alone, never bad_signature.
    csr("rsa1024.csr.pem", KeyKind::Rsa, 1024, "sha256WithRSAEncryption", Some(true), &["weak_key"]),
    csr("sha1.csr.pem", KeyKind::Rsa, 2048, "sha1WithRSAEncryption", Some(true), &["sha1_signature"]),
    csr("tampered.csr.pem", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(false), &["bad_signature"]),
    Expect {
        file: "wildcard.csr.pem",
        common_name: Some("*.example.com"),
        dns_names: Some(&["*.example.com", "example.com"]),
        ..csr("", KeyKind::Rsa, 2048, "sha256WithRSAEncryption", Some(true), &[])
    },
    Expect {
        file: "many-sans.csr.pem",
        common_name: Some("host001.example.com"),
        dns_names: None,
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[])
    },
    Expect {
        file: "too-many-names.csr.pem",
        common_name: Some("host001.example.com"),
        dns_names: None,
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &["too_many_names"])
    },
    Expect {
        file: "idn.csr.pem",
        common_name: Some("bücher.example"),
        dns_names: Some(&["xn--bcher-kva.example", "www.xn--bcher-kva.example"]),
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[])
    },
    Expect {
        file: "utf8-subject.csr.pem",
        common_name: Some("日本語.jp"),
        dns_names: Some(&["xn--wgv71a119e.jp"]),
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[])
    },
    Expect {
        file: "bmp-subject.csr.pem",
        common_name: Some("日本語.jp"),
        dns_names: Some(&["xn--wgv71a119e.jp"]),
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[])
    },
    Expect {
        file: "ip-email.csr.pem",
        dns_names: Some(&["www.example.com"]),
        other_names: &["IP:192.0.2.1", "IP:2001:db8::1", "email:a@example.com"],
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[])
    },
    Expect {
        file: "cn-only.csr.pem",
        dns_names: Some(&[]),
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &[])
    },
    Expect {
        file: "no-names.csr.pem",
        common_name: None,
        dns_names: Some(&[]),
        ..csr("", KeyKind::Ec, 256, "ecdsa-with-SHA256", Some(true), &["no_names"])
    },
    unreadable("truncated.csr.pem", &["malformed"]),
    unreadable("truncated.csr.der", &["malformed"]),
    unreadable("empty.csr", &["malformed"]),
    unreadable("text.txt", &["malformed"]),
    unreadable("junk.bin", &["malformed"]),
    unreadable("certificate.pem", &["not_a_csr"]),
    unreadable("certificate.der", &["not_a_csr"]),
    unreadable("public-key.pem", &["not_a_csr"]),
];

#[test]
fn every_fixture_meets_its_expectation() {
    let mut failures = Vec::new();
    for e in EXPECTATIONS {
        let info = inspect(&fixture(e.file));
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                failures.push(format!("{}: {what}: got {got}", e.file));
            }
        };
        check("common_name", info.common_name.as_deref() == e.common_name, format!("{:?}", info.common_name));
        if let Some(dns) = e.dns_names {
            check("dns_names", info.dns_names == dns, format!("{:?}", info.dns_names));
        }
        check("other_names", info.other_names == e.other_names, format!("{:?}", info.other_names));
        check("key.type", info.key.kind == e.key, format!("{:?}", info.key.kind));
        check("key.bits", info.key.bits == e.bits, format!("{:?}", info.key.bits));
        check(
            "signature_algorithm",
            info.signature_algorithm.as_deref() == e.signature_algorithm,
            format!("{:?}", info.signature_algorithm),
        );
        check("signature_valid", info.signature_valid == e.signature_valid, format!("{:?}", info.signature_valid));
        check("problems", codes(&info) == e.codes, format!("{:?}", info.problems));
        let has_error = info.problems.iter().any(|p| p.is_error());
        check("ok", info.ok() != has_error, format!("{}", info.ok()));
        check("field", info.problems.iter().all(|p| p.field.is_none()), format!("{:?}", info.problems));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `inspect_unverified` gives what `inspect` gives for every fixture, but the signature's verdict: no
/// `bad_signature` / `signature_not_checked` problem and `signature_valid` `None`.
#[test]
fn inspect_unverified_is_inspect_without_the_signature_verdict() {
    const SIGNATURE: &[&str] = &["bad_signature", "signature_not_checked"];
    for e in EXPECTATIONS {
        let (full, fast) = (inspect(&fixture(e.file)), ssl_csr::inspect_unverified(&fixture(e.file)));
        let mut want = full.clone();
        want.problems.retain(|p| !SIGNATURE.contains(&p.code.as_str()));
        want.signature_valid = None;
        assert_eq!(fast, want, "{}", e.file);
    }
}

#[test]
fn every_fixture_file_has_an_expectation() {
    let dir = crate::fixture_path("");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "README.md" || name == "make.sh" {
            continue;
        }
        if !EXPECTATIONS.iter().any(|e| e.file == name) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "fixtures without an expectation: {missing:?}");
}

#[test]
fn many_sans_and_too_many_names_counts() {
    let many = inspect(&fixture("many-sans.csr.pem"));
    assert_eq!(many.dns_names.len(), 100);
    assert_eq!(many.names().len(), 100, "the CN is one of the SANs");
    let too_many = inspect(&fixture("too-many-names.csr.pem"));
    assert_eq!(too_many.dns_names.len(), 251);
    let p = too_many.problems.iter().find(|p| p.code == "too_many_names").unwrap();
    assert!(p.message.contains("251"), "{}", p.message);
}

#[test]
fn names_are_lowercase_punycode_and_deduplicated() {
    let idn = inspect(&fixture("idn.csr.pem"));
    assert_eq!(idn.names(), ["xn--bcher-kva.example", "www.xn--bcher-kva.example"]);
    let utf8 = inspect(&fixture("utf8-subject.csr.pem"));
    assert_eq!(utf8.names(), ["xn--wgv71a119e.jp"]);
    let cn_only = inspect(&fixture("cn-only.csr.pem"));
    assert_eq!(cn_only.names(), ["www.example.com"]);
    let wildcard = inspect(&fixture("wildcard.csr.pem"));
    assert_eq!(wildcard.names(), ["*.example.com", "example.com"]);
}

#[test]
fn pem_der_crlf_and_new_label_read_the_same() {
    let pem = inspect(&fixture("rsa2048.csr.pem"));
    let der = inspect(&fixture("rsa2048.csr.der"));
    assert_eq!(pem, der);
    let p256 = inspect(&fixture("ec-p256.csr.pem"));
    assert_eq!(inspect(&fixture("crlf.csr.pem")), p256);
    assert_eq!(inspect(&fixture("new-label.csr.pem")), p256);
    assert!(fixture("crlf.csr.pem").windows(2).any(|w| w == b"\r\n"), "the CRLF fixture has CRLF line endings");
}

#[test]
fn not_a_csr_says_what_it_is() {
    for (file, what) in
        [("certificate.pem", "certificate"), ("certificate.der", "certificate"), ("public-key.pem", "public key")]
    {
        let info = inspect(&fixture(file));
        let message = &info.problems[0].message;
        assert!(message.contains(what), "{file}: {message}");
    }
}
