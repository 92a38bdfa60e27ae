//! The CSR key digest: lower-case hex SHA-256 of the DER SubjectPublicKeyInfo of a CSR.
//!
//! Providers echo CSRs reformatted (other line lengths, `\r\n`, escaped `\n`, no PEM armour, another label), so
//! matching is on the public key the CSR carries, never on its text.

use sha2::{Digest, Sha256};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;

/// The SPKI SHA-256 of a CSR given as PEM (any label, any line endings, escaped newlines), bare base64, or DER.
/// `None` when no CSR can be read.
pub fn csr_key_digest(csr: &[u8]) -> Option<String> {
    let der = csr_der(csr)?;
    let (_, req) = X509CertificationRequest::from_der(&der).ok()?;
    Some(hex::encode(Sha256::digest(req.certification_request_info.subject_pki.raw)))
}

/// The digest of a DER SubjectPublicKeyInfo itself (lower-case hex SHA-256): what [`csr_key_digest`] gives for
/// any CSR carrying that key.
pub fn spki_digest(spki_der: &[u8]) -> String {
    hex::encode(Sha256::digest(spki_der))
}

/// The SPKI SHA-256 of a CSR in text form ([`csr_key_digest`]).
pub fn csr_key_digest_str(csr: &str) -> Option<String> {
    csr_key_digest(csr.as_bytes())
}

fn csr_der(input: &[u8]) -> Option<Vec<u8>> {
    if input.first() == Some(&0x30) {
        return Some(input.to_vec());
    }
    let text = std::str::from_utf8(input).ok()?.replace("\\r", "").replace("\\n", "\n");
    let body = match text.find("-----BEGIN") {
        Some(start) => {
            let after = &text[start..];
            let header_end = after.find('\n').map(|i| i + 1).or_else(|| after[10..].find("-----").map(|i| i + 15))?;
            let rest = &after[header_end..];
            let end = rest.find("-----END")?;
            rest[..end].to_owned()
        }
        None => text,
    };
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    use base64_engine::decode;
    decode(&b64)
}

/// A small standard-alphabet base64 decoder (padding optional), so the crate needs no extra dependency for it.
mod base64_engine {
    pub(super) fn decode(s: &str) -> Option<Vec<u8>> {
        let s = s.trim_end_matches('=');
        let mut out = Vec::with_capacity(s.len() * 3 / 4);
        let mut acc = 0u32;
        let mut bits = 0u32;
        for c in s.bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                _ => return None,
            } as u32;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr() -> String {
        ssl_csr::generate(ssl_csr::KeyType::EcP256, "shop.example.com", &[]).unwrap().csr_pem
    }

    #[test]
    fn reformatted_csrs_have_the_same_key_digest() {
        let pem = csr();
        let d = csr_key_digest_str(&pem).unwrap();
        assert_eq!(d.len(), 64);
        let crlf = pem.replace('\n', "\r\n");
        let escaped = pem.replace('\n', "\\n");
        let relabelled = pem.replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
        let bare: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let one_line = pem.lines().collect::<Vec<_>>().join("");
        for v in [crlf, escaped, relabelled, bare, one_line] {
            assert_eq!(csr_key_digest_str(&v).as_deref(), Some(d.as_str()), "{v}");
        }
        let other = csr();
        assert_ne!(csr_key_digest_str(&other).unwrap(), d, "another key, another digest");
        assert!(csr_key_digest_str("not a csr").is_none());
    }
}
