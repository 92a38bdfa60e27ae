//! Certificates as the providers hand them out: split PEM chains, order them leaf → intermediates → root, and
//! summarize the leaf for the neutral [`CertificateInfo`].

use ::time::OffsetDateTime;
use sha2::{Digest, Sha256};
use x509_parser::prelude::*;

use crate::model::{CertificateBundle, CertificateInfo};

/// SHA-256 (lowercase hex) of a PEM CSR with all whitespace removed: providers echo the CSR in an order, so this
/// identifies an order after an ambiguous failure.
pub fn csr_digest(csr_pem: &str) -> String {
    use sha2::Digest;
    let compact: String = csr_pem.split_whitespace().collect();
    hex::encode(sha2::Sha256::digest(compact.as_bytes()))
}

/// Every `-----BEGIN CERTIFICATE-----` block in `text`, normalized to `\n` line endings.
pub fn split_pem_certificates(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace("\\n", "\n");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    while let Some(start) = rest.find(BEGIN) {
        let Some(end) = rest[start..].find(END) else { break };
        let block = &rest[start..start + end + END.len()];
        out.push(format!("{}\n", block.trim()));
        rest = &rest[start + end + END.len()..];
    }
    out
}

fn der_of(pem: &str) -> Option<Vec<u8>> {
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    Some(p.contents)
}

/// Summarize a PEM certificate.
pub fn certificate_info(pem: &str) -> Result<CertificateInfo, String> {
    let der = der_of(pem).ok_or("not a PEM certificate")?;
    let (_, cert) = X509Certificate::from_der(&der).map_err(|e| format!("bad certificate: {e}"))?;
    let v = cert.validity();
    let ts = |t: ASN1Time| OffsetDateTime::from_unix_timestamp(t.timestamp()).map_err(|e| e.to_string());
    Ok(CertificateInfo::new(
        hex::encode(cert.raw_serial()),
        ts(v.not_before)?,
        ts(v.not_after)?,
        hex::encode(Sha256::digest(&der)),
    ))
}

/// Order a set of certificates into a bundle: the leaf is the one that issued nothing else, then each issuer in
/// turn; a self-signed certificate is the root and kept apart.
pub fn bundle_from_pems(pems: &[String]) -> Result<CertificateBundle, String> {
    struct C {
        pem: String,
        subject: Vec<u8>,
        issuer: Vec<u8>,
    }
    let mut certs = Vec::new();
    for p in pems {
        let der = der_of(p).ok_or("not a PEM certificate")?;
        let (_, c) = X509Certificate::from_der(&der).map_err(|e| format!("bad certificate: {e}"))?;
        certs.push(C { pem: p.clone(), subject: c.subject().as_raw().to_vec(), issuer: c.issuer().as_raw().to_vec() });
    }
    if certs.is_empty() {
        return Err("no certificate in the response".into());
    }
    let (roots, mut rest): (Vec<C>, Vec<C>) = certs.into_iter().partition(|c| c.subject == c.issuer);
    let root_pem = roots.into_iter().next().map(|c| c.pem);
    let leaf_idx =
        rest.iter().position(|c| !rest.iter().any(|o| o.issuer == c.subject && o.subject != c.subject)).unwrap_or(0);
    if rest.is_empty() {
        return Err("only a self-signed certificate in the response".into());
    }
    let leaf = rest.remove(leaf_idx);
    let mut chain = Vec::new();
    let mut issuer = leaf.issuer.clone();
    while let Some(i) = rest.iter().position(|c| c.subject == issuer) {
        let c = rest.remove(i);
        issuer = c.issuer.clone();
        chain.push(c.pem);
    }
    chain.extend(rest.into_iter().map(|c| c.pem));
    Ok(CertificateBundle { leaf_pem: leaf.pem, intermediates_pem: chain, root_pem })
}

/// The subject alternative DNS names of a PEM certificate (for checks and tests).
pub fn certificate_dns_names(pem: &str) -> Result<Vec<String>, String> {
    let der = der_of(pem).ok_or("not a PEM certificate")?;
    let (_, cert) = X509Certificate::from_der(&der).map_err(|e| format!("bad certificate: {e}"))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for n in &san.value.general_names {
            if let GeneralName::DNSName(d) = n {
                names.push((*d).to_owned());
            }
        }
    }
    Ok(names)
}
