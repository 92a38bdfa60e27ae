//! Generation: every key type round-trips through the inspector; names, DN, files.

use rcgen::PublicKeyData as _;
use secrecy::ExposeSecret as _;
use ssl_csr::{CsrError, KeyKind, KeyType, generate, inspect, write_files, write_key_file};
use x509_parser::prelude::FromDer as _;

fn subject_and_spki(csr_pem: &str) -> (String, Vec<u8>) {
    let (_, pem) = x509_parser::pem::parse_x509_pem(csr_pem.as_bytes()).unwrap();
    let (_, csr) = x509_parser::certification_request::X509CertificationRequest::from_der(&pem.contents).unwrap();
    let info = &csr.certification_request_info;
    (info.subject.to_string(), info.subject_pki.raw.to_vec())
}

#[test]
fn every_key_type_round_trips() {
    for key in KeyType::ALL {
        let sans = vec!["www.example.com".to_string(), "API.Example.com".to_string()];
        let generated = generate(key, "example.com", &sans).unwrap();
        let info = inspect(generated.csr_pem.as_bytes());
        assert!(info.ok(), "{key}: {:?}", info.problems);
        assert!(info.problems.is_empty(), "{key}: {:?}", info.problems);
        assert_eq!(info.signature_valid, Some(true), "{key}");
        assert_eq!(info.common_name.as_deref(), Some("example.com"), "{key}");
        assert_eq!(info.dns_names, ["example.com", "www.example.com", "api.example.com"], "{key}: CN is a SAN");
        assert_eq!(info.key.bits, Some(key.bits()), "{key}");
        let (kind, alg) = match key {
            KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => (KeyKind::Rsa, "sha256WithRSAEncryption"),
            KeyType::EcP256 => (KeyKind::Ec, "ecdsa-with-SHA256"),
            KeyType::EcP384 => (KeyKind::Ec, "ecdsa-with-SHA384"),
        };
        assert_eq!(info.key.kind, kind, "{key}");
        assert_eq!(info.signature_algorithm.as_deref(), Some(alg), "{key}");

        // The key is PKCS#8 PEM and belongs to the CSR.
        let key_pem = generated.key_pem.expose_secret();
        assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{key}: PKCS#8");
        let pair = rcgen::KeyPair::from_pem(key_pem).unwrap();
        let (subject, spki) = subject_and_spki(&generated.csr_pem);
        assert_eq!(pair.subject_public_key_info(), spki, "{key}: the key is the CSR's");
        assert_eq!(subject, "CN=example.com", "{key}: an explicit DN with the CN only");
    }
}

#[test]
fn idn_and_wildcard_names_become_punycode() {
    let generated = generate(KeyType::EcP256, "*.Bücher.example", &["bücher.example".into()]).unwrap();
    let info = inspect(generated.csr_pem.as_bytes());
    assert!(info.ok(), "{:?}", info.problems);
    assert_eq!(info.common_name.as_deref(), Some("*.xn--bcher-kva.example"));
    assert_eq!(info.dns_names, ["*.xn--bcher-kva.example", "xn--bcher-kva.example"]);
}

#[test]
fn duplicate_names_are_written_once() {
    let generated =
        generate(KeyType::EcP256, "example.com", &["EXAMPLE.com".into(), "www.example.com".into()]).unwrap();
    assert_eq!(inspect(generated.csr_pem.as_bytes()).dns_names, ["example.com", "www.example.com"]);
}

#[test]
fn invalid_names_and_too_many_names_are_refused() {
    for bad in ["", "exa mple.com", "*.*.example.com", "www.*.example.com", "-bad.example"] {
        let err = generate(KeyType::EcP256, bad, &[]).unwrap_err();
        assert!(matches!(err, CsrError::InvalidName { .. }), "{bad:?}: {err}");
    }
    let err = generate(KeyType::EcP256, "example.com", &["bad name".into()]).unwrap_err();
    assert!(err.to_string().contains("bad name"), "{err}");
    let sans: Vec<String> = (0..250).map(|i| format!("h{i}.example.com")).collect();
    let err = generate(KeyType::EcP256, "example.com", &sans).unwrap_err();
    assert!(matches!(err, CsrError::TooManyNames { count: 251, max: 250 }), "{err}");
    assert!(generate(KeyType::EcP256, "example.com", &sans[..249]).is_ok());
}

#[test]
fn key_type_names() {
    assert_eq!(KeyType::default(), KeyType::Rsa2048);
    for (s, k) in [
        ("rsa2048", KeyType::Rsa2048),
        ("rsa3072", KeyType::Rsa3072),
        ("rsa4096", KeyType::Rsa4096),
        ("ec256", KeyType::EcP256),
        ("ec384", KeyType::EcP384),
    ] {
        assert_eq!(s.parse::<KeyType>().unwrap(), k);
        assert_eq!(k.to_string(), s);
    }
    assert_eq!("EC256".parse::<KeyType>().unwrap(), KeyType::EcP256);
    let err = "dsa".parse::<KeyType>().unwrap_err();
    assert!(err.contains("rsa2048") && err.contains("ec384"), "{err}");
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_file_is_0600_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    let first = generate(KeyType::EcP256, "example.com", &[]).unwrap();
    write_key_file(&path, &first).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first.key_pem.expose_secret());
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let second = generate(KeyType::EcP256, "example.com", &[]).unwrap();
    let err = write_key_file(&path, &second).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first.key_pem.expose_secret(), "unchanged");
}

#[test]
fn write_files_writes_key_and_csr_and_refuses_existing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let generated = generate(KeyType::EcP384, "example.com", &[]).unwrap();
    let files = write_files(&out, &generated).unwrap();
    assert_eq!(files.key, out.join("key.pem"));
    assert_eq!(files.csr, out.join("csr.pem"));
    #[cfg(unix)]
    assert_eq!(mode(&files.key), 0o600);
    assert!(ssl_csr::inspect_file(&files.csr).ok());

    // A second run writes nothing: neither the key nor the CSR change.
    let other = generate(KeyType::EcP384, "example.com", &[]).unwrap();
    let err = write_files(&out, &other).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read_to_string(&files.key).unwrap(), generated.key_pem.expose_secret());
    assert_eq!(std::fs::read_to_string(&files.csr).unwrap(), generated.csr_pem);

    // Only csr.pem there: refused before the key is written.
    let only_csr = dir.path().join("only-csr");
    std::fs::create_dir(&only_csr).unwrap();
    std::fs::write(only_csr.join("csr.pem"), "x").unwrap();
    assert!(write_files(&only_csr, &other).is_err());
    assert!(!only_csr.join("key.pem").exists());
}

#[test]
fn generated_key_debug_does_not_leak_the_key() {
    let generated = generate(KeyType::EcP256, "example.com", &[]).unwrap();
    let debug = format!("{generated:?}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
}
