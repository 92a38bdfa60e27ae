//! The sandbox's test CA: a root and an intermediate (ECDSA P-256, made with rcgen on first start and kept in
//! `<state dir>/ca/*.pem`, keys `0600`), and leaf issuance for a CSR's public key and the ordered names.
//!
//! Leaves are valid for at most [`MAX_LEAF_DAYS`] days whatever the coverage bought, as public CAs do since 2026.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, SanType, SerialNumber, SignatureAlgorithm,
};
use sha2::Digest;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::FromDer;

use crate::error::SandboxError;

/// The longest a leaf lives, in days (public TLS rule from 2026-02-24).
pub const MAX_LEAF_DAYS: i64 = 199;

/// The root and intermediate, PEM-encoded, with their keys.
#[derive(Clone)]
pub struct Ca {
    /// Root certificate (self-signed).
    pub root_pem: String,
    root_key_pem: String,
    /// Intermediate certificate (signed by the root; signs every leaf).
    pub intermediate_pem: String,
    intermediate_key_pem: String,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").field("keys", &"[redacted]").finish_non_exhaustive()
    }
}

/// A leaf the CA issued.
#[derive(Debug, Clone)]
pub struct IssuedLeaf {
    /// The leaf in PEM.
    pub pem: String,
    /// Serial number, lowercase hex.
    pub serial_hex: String,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// SHA-1 of the DER, uppercase hex (DigiCert's `thumbprint`).
    pub thumbprint: String,
}

/// Why a CSR was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrError(pub String);

/// The public key of a checked CSR, as rcgen needs it to sign a leaf.
#[derive(Debug, Clone)]
pub struct CsrKey {
    raw: Vec<u8>,
    alg: &'static SignatureAlgorithm,
    /// Subject common name of the CSR, when it has one.
    pub common_name: Option<String>,
    /// Key description (`RSA 2048`, `EC P-256`...).
    pub key_type: String,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex: the same key gives the same value however the CSR
    /// was written.
    pub spki_sha256: String,
    /// DNS names of the CSR's subjectAltName extension request, as written (empty when it has none).
    pub dns_names: Vec<String>,
}

impl CsrKey {
    /// The number `key_type` ends with (RSA modulus bits, EC curve size), if any.
    pub fn bits(&self) -> Option<i64> {
        self.key_type.rsplit(|c: char| !c.is_ascii_digit()).next().and_then(|b| b.parse().ok())
    }
}

impl PublicKeyData for CsrKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.alg
    }
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// Parse a PEM (or bare base64) CSR, check its signature and return its public key.
pub fn parse_csr(text: &str) -> Result<CsrKey, CsrError> {
    let der = csr_der(text).ok_or_else(|| CsrError("the CSR is not PEM or base64 DER".into()))?;
    let (_, csr) = x509_parser::certification_request::X509CertificationRequest::from_der(&der)
        .map_err(|e| CsrError(format!("the CSR does not parse: {e}")))?;
    csr.verify_signature().map_err(|_| CsrError("the CSR's signature does not verify".into()))?;
    let info = &csr.certification_request_info;
    let spki = &info.subject_pki;
    let alg_oid = spki.algorithm.algorithm.to_id_string();
    let param_oid = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).map(|o| o.to_id_string());
    let raw = spki.subject_public_key.data.to_vec();
    let (alg, key_type): (&'static SignatureAlgorithm, String) = match (alg_oid.as_str(), param_oid.as_deref()) {
        (OID_RSA, _) => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(k)) => k.key_size(),
                _ => 0,
            };
            (&rcgen::PKCS_RSA_SHA256, format!("RSA {bits}"))
        }
        (OID_EC, Some(OID_P256)) => (&rcgen::PKCS_ECDSA_P256_SHA256, "EC P-256".into()),
        (OID_EC, Some(OID_P384)) => (&rcgen::PKCS_ECDSA_P384_SHA384, "EC P-384".into()),
        (OID_ED25519, _) => (&rcgen::PKCS_ED25519, "Ed25519".into()),
        (other, p) => {
            return Err(CsrError(format!("unsupported CSR key algorithm {other} {}", p.unwrap_or(""))));
        }
    };
    let common_name = info.subject.iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(str::to_owned);
    let spki_sha256 = hex::encode(sha2::Sha256::digest(spki.raw));
    let dns_names = csr
        .requested_extensions()
        .into_iter()
        .flatten()
        .filter_map(|e| match e {
            x509_parser::extensions::ParsedExtension::SubjectAlternativeName(san) => Some(&san.general_names),
            _ => None,
        })
        .flatten()
        .filter_map(|n| match n {
            x509_parser::extensions::GeneralName::DNSName(d) => Some((*d).to_owned()),
            _ => None,
        })
        .collect();
    Ok(CsrKey { raw, alg, common_name, key_type, spki_sha256, dns_names })
}

fn csr_der(text: &str) -> Option<Vec<u8>> {
    let t = text.trim().replace("\\n", "\n");
    if t.contains("-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(t.as_bytes()).ok()?;
        return Some(pem.contents);
    }
    let b64: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let wrapped = format!("-----BEGIN CERTIFICATE REQUEST-----\n{b64}\n-----END CERTIFICATE REQUEST-----\n");
    let (_, pem) = x509_parser::pem::parse_x509_pem(wrapped.as_bytes()).ok()?;
    Some(pem.contents)
}

fn err(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Ca(format!("{what}: {e}"))
}

fn ca_params(cn: &str, path_len: Option<u8>, years: i64) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "ssl-orders sandbox (NOT TRUSTED)");
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(365 * years);
    p.serial_number = Some(random_serial());
    p.use_authority_key_identifier_extension = true;
    p
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    fastrand::fill(&mut bytes);
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

impl Ca {
    /// A fresh root and intermediate.
    pub fn generate() -> Result<Self, SandboxError> {
        let root_key = KeyPair::generate().map_err(|e| err("root key", e))?;
        let root_params = ca_params("ssl-orders sandbox root", None, 20);
        let root_cert = root_params.self_signed(&root_key).map_err(|e| err("root certificate", e))?;
        let root_issuer = Issuer::new(root_params, &root_key);
        let int_key = KeyPair::generate().map_err(|e| err("intermediate key", e))?;
        let int_params = ca_params("ssl-orders sandbox intermediate", Some(0), 10);
        let int_cert = int_params.signed_by(&int_key, &root_issuer).map_err(|e| err("intermediate certificate", e))?;
        Ok(Self {
            root_pem: root_cert.pem(),
            root_key_pem: root_key.serialize_pem(),
            intermediate_pem: int_cert.pem(),
            intermediate_key_pem: int_key.serialize_pem(),
        })
    }

    /// Load the CA from `dir/ca/`, or create and save it there on first start.
    pub fn load_or_create(dir: &Path) -> Result<Self, SandboxError> {
        let ca_dir = dir.join("ca");
        let files = ["root.pem", "root.key.pem", "intermediate.pem", "intermediate.key.pem"];
        let paths: Vec<_> = files.iter().map(|f| ca_dir.join(f)).collect();
        if paths.iter().all(|p| p.exists()) {
            let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| SandboxError::io(p, e));
            let ca = Self {
                root_pem: read(&paths[0])?,
                root_key_pem: read(&paths[1])?,
                intermediate_pem: read(&paths[2])?,
                intermediate_key_pem: read(&paths[3])?,
            };
            // Fail now rather than at the first issuance.
            ca.issuer()?;
            return Ok(ca);
        }
        let ca = Self::generate()?;
        std::fs::create_dir_all(&ca_dir).map_err(|e| SandboxError::io(&ca_dir, e))?;
        let contents = [&ca.root_pem, &ca.root_key_pem, &ca.intermediate_pem, &ca.intermediate_key_pem];
        for (i, (path, body)) in paths.iter().zip(contents).enumerate() {
            crate::files::write_file(path, body.as_bytes(), i % 2 == 1)?;
        }
        Ok(ca)
    }

    fn issuer(&self) -> Result<Issuer<'static, KeyPair>, SandboxError> {
        let key = KeyPair::from_pem(&self.intermediate_key_pem).map_err(|e| err("intermediate key", e))?;
        Issuer::from_ca_cert_pem(&self.intermediate_pem, key).map_err(|e| err("intermediate certificate", e))
    }

    /// Issue a leaf for `key` naming `common_name` and `names` (SANs; the common name is added when missing),
    /// valid from `now` until `min(now + 199 days, coverage_end)`.
    pub fn issue_leaf(
        &self,
        key: &CsrKey,
        common_name: &str,
        names: &[String],
        now: OffsetDateTime,
        coverage_end: Option<OffsetDateTime>,
    ) -> Result<IssuedLeaf, SandboxError> {
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        p.distinguished_name = dn;
        let mut sans: Vec<String> = vec![common_name.to_owned()];
        for n in names {
            if !sans.iter().any(|s| s.eq_ignore_ascii_case(n)) {
                sans.push(n.clone());
            }
        }
        p.subject_alt_names = sans
            .iter()
            .map(|n| {
                let ia5 = n.clone().try_into().map_err(|e| err("SAN", e))?;
                Ok(SanType::DnsName(ia5))
            })
            .collect::<Result<_, SandboxError>>()?;
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
        p.use_authority_key_identifier_extension = true;
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let not_before = now - Duration::minutes(5);
        let mut not_after = not_before + Duration::days(MAX_LEAF_DAYS);
        if let Some(end) = coverage_end {
            if end < not_after && end > now {
                not_after = end;
            }
        }
        p.not_before = not_before;
        p.not_after = not_after;
        let serial = random_serial();
        let serial_hex = hex::encode(serial.to_bytes());
        p.serial_number = Some(serial);
        let cert = p.signed_by(key, &self.issuer()?).map_err(|e| err("leaf", e))?;
        // SHA-1 is not among the workspace dependencies; DigiCert's `thumbprint` is only an identifier here, so
        // the sandbox uses the first 20 bytes of SHA-256 in its place.
        let thumbprint = hex::encode_upper(&sha2::Sha256::digest(cert.der())[..20]);
        Ok(IssuedLeaf { pem: cert.pem(), serial_hex, not_before, not_after, thumbprint })
    }
}
