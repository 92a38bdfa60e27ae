//! CSR inspection: what a request holds and every reason a public CA would refuse it.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};
use ssl_core::Problem;
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::cri_attributes::ParsedCriAttribute;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use crate::algs::{self, Curve, Hash, KeyAlg, SigKind, Verification};
use crate::names::normalized_set;
use crate::pem;

/// Most names (common name and SANs) a request may carry before `too_many_names`.
pub const MAX_CSR_NAMES: usize = 250;

/// Inputs larger than this are refused as `malformed` without parsing (a request is a few kilobytes; one with
/// 250 names about 10 KiB).
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// The kind of a public key, as the JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    /// RSA.
    Rsa,
    /// Elliptic curve (ECDSA).
    Ec,
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// DSA.
    Dsa,
    /// Anything else, or no key could be read.
    Unknown,
}

impl KeyKind {
    /// The JSON name (`rsa`, `ec`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Rsa => "rsa",
            KeyKind::Ec => "ec",
            KeyKind::Ed25519 => "ed25519",
            KeyKind::Ed448 => "ed448",
            KeyKind::Dsa => "dsa",
            KeyKind::Unknown => "unknown",
        }
    }
}

/// The subject public key: type and size. Serializes as `{"type": ..., "bits": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// Key type.
    #[serde(rename = "type")]
    pub kind: KeyKind,
    /// RSA modulus bits, EC curve size (256, 384, 521), DSA prime bits, 256 for Ed25519, 456 for Ed448.
    pub bits: Option<u32>,
    /// The EC curve (`P-256`, `P-384`, ...). Not part of the JSON.
    #[serde(skip)]
    pub curve: Option<String>,
}

impl KeyInfo {
    /// No key could be read.
    pub fn unknown() -> Self {
        Self { kind: KeyKind::Unknown, bits: None, curve: None }
    }
}

impl std::fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.kind, self.bits, &self.curve) {
            (KeyKind::Rsa, Some(bits), _) => write!(f, "RSA {bits} bits"),
            (KeyKind::Ec, _, Some(curve)) => write!(f, "EC {curve}"),
            (KeyKind::Ec, Some(bits), None) => write!(f, "EC {bits} bits"),
            (KeyKind::Ed25519, ..) => f.write_str("Ed25519"),
            (KeyKind::Ed448, ..) => f.write_str("Ed448"),
            (KeyKind::Dsa, Some(bits), _) => write!(f, "DSA {bits} bits"),
            (kind, ..) => f.write_str(match kind {
                KeyKind::Rsa => "RSA (size unknown)",
                KeyKind::Ec => "EC (curve unknown)",
                KeyKind::Dsa => "DSA (size unknown)",
                _ => "unknown",
            }),
        }
    }
}

/// What [`inspect`] found in a certificate request.
///
/// Serializes (with `serde_json::to_string`) to exactly the `csr inspect --json` object:
/// `{"ok", "common_name", "dns_names", "other_names", "key": {"type", "bits"}, "signature_algorithm",
/// "signature_valid", "problems": [{"code", "severity", "message"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CsrInfo {
    /// The subject's common name (UTF-8), if there is one.
    pub common_name: Option<String>,
    /// The DNS names of the subjectAltName extension only, as written in the request (`[]` without the
    /// extension, even with a common name).
    pub dns_names: Vec<String>,
    /// Other SAN entries: `IP:192.0.2.1`, `IP:2001:db8::1`, `email:a@example.com`, `URI:...`, ...
    pub other_names: Vec<String>,
    /// The subject public key.
    pub key: KeyInfo,
    /// The signature algorithm by its OpenSSL name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`, ...).
    pub signature_algorithm: Option<String>,
    /// Whether the self-signature verifies; `None` when it could not be checked.
    pub signature_valid: Option<bool>,
    /// Every problem found, errors and warnings. Their `field` is always `None`.
    pub problems: Vec<Problem>,
    /// The other subject attributes by their short name (`O`, `OU`, `L`, `ST`, `C`, `street`, `postalCode`),
    /// first value of each; providers read an order's organization or address from here when the CSR carries them.
    #[serde(default)]
    pub subject: std::collections::BTreeMap<String, String>,
}

impl Serialize for CsrInfo {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("CsrInfo", 8)?;
        s.serialize_field("ok", &self.ok())?;
        s.serialize_field("common_name", &self.common_name)?;
        s.serialize_field("dns_names", &self.dns_names)?;
        s.serialize_field("other_names", &self.other_names)?;
        s.serialize_field("key", &self.key)?;
        s.serialize_field("signature_algorithm", &self.signature_algorithm)?;
        s.serialize_field("signature_valid", &self.signature_valid)?;
        s.serialize_field("problems", &self.problems)?;
        s.end()
    }
}

impl CsrInfo {
    fn empty() -> Self {
        Self {
            common_name: None,
            dns_names: Vec::new(),
            other_names: Vec::new(),
            key: KeyInfo::unknown(),
            signature_algorithm: None,
            signature_valid: None,
            problems: Vec::new(),
            subject: std::collections::BTreeMap::new(),
        }
    }

    fn failed(problem: Problem) -> Self {
        let mut info = Self::empty();
        info.problems.push(problem);
        info
    }

    /// True when no problem is an error.
    pub fn ok(&self) -> bool {
        !ssl_core::problem::has_errors(&self.problems)
    }

    /// The common name and the DNS names, as lowercase punycode, without duplicates (common name first).
    pub fn names(&self) -> Vec<String> {
        normalized_set(self.common_name.iter().map(String::as_str).chain(self.dns_names.iter().map(String::as_str)))
    }

    /// True when a problem has this code.
    pub fn has(&self, code: &str) -> bool {
        self.problems.iter().any(|p| p.code == code)
    }

    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}

fn malformed(message: impl Into<String>) -> Problem {
    Problem::error("malformed", message)
}

/// Inspects a certificate request in PEM (any line endings, whitespace around it, `CERTIFICATE REQUEST` or
/// `NEW CERTIFICATE REQUEST` label) or DER.
///
/// Never panics: input that is not a request gives a [`CsrInfo`] with a `malformed` or `not_a_csr` problem.
pub fn inspect(bytes: &[u8]) -> CsrInfo {
    // The parsers are not expected to panic (the fuzz target and a property test look for it); should one, the
    // caller still gets an answer.
    std::panic::catch_unwind(|| inspect_inner(bytes, true))
        .unwrap_or_else(|_| CsrInfo::failed(malformed("the request could not be parsed (parser failure)")))
}

/// [`inspect`] without the self-signature verification (an RSA-2048 verification is most of an inspection's
/// cost): the same names, key, subject and every problem but the signature's (`bad_signature`,
/// `signature_not_checked`); `signature_valid` stays `None`. For a check that runs after the full [`inspect`]
/// already ran on the same request (a provider client's wire pre-check behind the neutral pre-flight), never
/// instead of it.
pub fn inspect_unverified(bytes: &[u8]) -> CsrInfo {
    std::panic::catch_unwind(|| inspect_inner(bytes, false))
        .unwrap_or_else(|_| CsrInfo::failed(malformed("the request could not be parsed (parser failure)")))
}

/// [`inspect`] without its guard against a parser panic, for the fuzz target and the property tests (which must
/// see a panic to report it).
#[doc(hidden)]
pub fn inspect_unguarded(bytes: &[u8]) -> CsrInfo {
    inspect_inner(bytes, true)
}

/// Reads a file and [`inspect`]s it. A file that cannot be read (missing, a directory, no permission) gives an
/// `unreadable` problem saying why; files over [`MAX_INPUT_BYTES`] are not read whole.
pub fn inspect_file(path: &Path) -> CsrInfo {
    use std::io::Read as _;
    let file = std::fs::File::open(path).and_then(|f| {
        if f.metadata()?.is_dir() {
            return Err(std::io::Error::other("it is a directory"));
        }
        Ok(f)
    });
    let mut buf = Vec::new();
    let read = file.and_then(|f| f.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut buf));
    match read {
        Ok(_) => inspect(&buf),
        Err(e) => CsrInfo::failed(Problem::error("unreadable", format!("cannot read `{}`: {e}", path.display()))),
    }
}

fn is_csr_label(label: &str) -> bool {
    matches!(label, "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST")
}

fn describe_label(label: &str) -> String {
    let what = match label {
        "CERTIFICATE" | "X509 CERTIFICATE" => "an X.509 certificate",
        "TRUSTED CERTIFICATE" => "an OpenSSL trusted certificate",
        "X509 CRL" => "a certificate revocation list",
        "PKCS7" | "CMS" => "a PKCS#7 / CMS bundle",
        "PRIVATE KEY"
        | "RSA PRIVATE KEY"
        | "EC PRIVATE KEY"
        | "DSA PRIVATE KEY"
        | "ENCRYPTED PRIVATE KEY"
        | "OPENSSH PRIVATE KEY" => "a private key (keep it secret: a CA needs the request, never the key)",
        "PUBLIC KEY" | "RSA PUBLIC KEY" => "a public key",
        "EC PARAMETERS" | "DH PARAMETERS" | "DSA PARAMETERS" => "key parameters",
        _ => return format!("a PEM `{label}` block"),
    };
    format!("{what} (PEM `{label}`)")
}

fn inspect_inner(bytes: &[u8], verify: bool) -> CsrInfo {
    if bytes.len() > MAX_INPUT_BYTES {
        return CsrInfo::failed(malformed(format!(
            "the input is over {} KiB; a certificate request is a few kilobytes",
            MAX_INPUT_BYTES / 1024
        )));
    }
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if text.trim_ascii().is_empty() {
        return CsrInfo::failed(malformed("the input is empty"));
    }
    if pem::looks_like_pem(text) {
        let blocks = pem::parse_blocks(text);
        if let Some(block) = blocks.iter().find(|b| is_csr_label(&b.label)) {
            return match &block.der {
                Ok(der) => inspect_der(der, verify),
                Err(e) => CsrInfo::failed(malformed(format!("PEM `{}`: {e}", block.label))),
            };
        }
        let Some(first) = blocks.first() else {
            return CsrInfo::failed(malformed("a `-----BEGIN` line without a block"));
        };
        if first.label.is_empty() {
            return CsrInfo::failed(malformed(first.der.clone().err().unwrap_or_default()));
        }
        if let Some(problem) = first.der.as_deref().ok().and_then(certificate_problem) {
            return CsrInfo::failed(problem);
        }
        return CsrInfo::failed(Problem::error(
            "not_a_csr",
            format!("this is {}, not a certificate request (PEM `CERTIFICATE REQUEST`)", describe_label(&first.label)),
        ));
    }
    if bytes.first() == Some(&0x30) {
        return inspect_der(bytes, verify);
    }
    let message = if std::str::from_utf8(text).is_ok() {
        "neither PEM nor DER: text without a `-----BEGIN CERTIFICATE REQUEST-----` line"
    } else {
        "neither PEM nor DER: binary data that does not start with an ASN.1 SEQUENCE"
    };
    CsrInfo::failed(malformed(message))
}

/// The total length (header included) that a DER element at the start of `der` declares, if it can be read.
fn declared_der_len(der: &[u8]) -> Option<usize> {
    let first_len = *der.get(1)?;
    if first_len < 0x80 {
        return Some(2 + usize::from(first_len));
    }
    let n = usize::from(first_len & 0x7f);
    if n == 0 || n > 4 {
        return None;
    }
    let len_bytes = der.get(2..2 + n)?;
    let len = len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Some(2 + n + len)
}

/// `not_a_csr` when `der` is an X.509 certificate.
fn certificate_problem(der: &[u8]) -> Option<Problem> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let subject =
        cert.subject().iter_common_name().next().map(|cn| format!(" for `{}`", attr_string(cn))).unwrap_or_default();
    Some(Problem::error(
        "not_a_csr",
        format!("this is an X.509 certificate{subject}, not a certificate request: send the CSR the key made"),
    ))
}

fn inspect_der(der: &[u8], verify: bool) -> CsrInfo {
    match X509CertificationRequest::from_der(der) {
        Ok((rest, csr)) => {
            let mut info = describe(&csr, verify);
            if !rest.trim_ascii().is_empty() {
                info.problems.insert(0, malformed(format!("{} bytes of data after the request", rest.len())));
            }
            info
        }
        Err(err) => {
            if let Some(problem) = certificate_problem(der) {
                return CsrInfo::failed(problem);
            }
            if let Some(declared) = declared_der_len(der).filter(|&d| d > der.len()) {
                return CsrInfo::failed(malformed(format!(
                    "truncated: the request declares {declared} bytes but only {} are there",
                    der.len()
                )));
            }
            let reason = match err {
                x509_parser::nom::Err::Incomplete(_) => "truncated".to_string(),
                x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e.to_string(),
            };
            CsrInfo::failed(malformed(format!("not a valid certificate request: {reason}")))
        }
    }
}

/// Decodes a directory string of any ASN.1 string type (UTF8String, PrintableString, IA5String, BMPString,
/// UniversalString, TeletexString, ...).
fn attr_string(attr: &AttributeTypeAndValue<'_>) -> String {
    let value = attr.attr_value();
    let data: &[u8] = value.data;
    match value.tag() {
        Tag::BmpString => {
            let units: Vec<u16> = data.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            String::from_utf16_lossy(&units)
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                char::from_u32(u32::from_be_bytes(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        // TeletexString is in practice Latin-1.
        Tag::T61String => match std::str::from_utf8(data) {
            Ok(s) => s.to_string(),
            Err(_) => data.iter().map(|&b| char::from(b)).collect(),
        },
        _ => String::from_utf8_lossy(data).into_owned(),
    }
}

fn common_name(subject: &X509Name<'_>) -> Option<String> {
    subject.iter_common_name().next().map(attr_string)
}

fn general_name(name: &GeneralName<'_>) -> Result<Option<String>, String> {
    Ok(Some(match name {
        GeneralName::DNSName(_) => return Ok(None),
        GeneralName::IPAddress(ip) => match ip.len() {
            4 => format!("IP:{}", Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3])),
            16 => {
                let mut b = [0u8; 16];
                b.copy_from_slice(ip);
                format!("IP:{}", Ipv6Addr::from(b))
            }
            _ => return Err(format!("an IP address entry of {} bytes", ip.len())),
        },
        GeneralName::RFC822Name(email) => format!("email:{email}"),
        GeneralName::URI(uri) => format!("URI:{uri}"),
        GeneralName::DirectoryName(dn) => format!("DirName:{dn}"),
        GeneralName::OtherName(oid, _) => format!("othername:{}", oid.to_id_string()),
        GeneralName::RegisteredID(oid) => format!("RID:{}", oid.to_id_string()),
        GeneralName::X400Address(_) => "X400Name:<unsupported>".to_string(),
        GeneralName::EDIPartyName(_) => "EdiPartyName:<unsupported>".to_string(),
        GeneralName::Invalid(tag, _) => {
            return Err(format!("an entry that cannot be read (tag {})", tag.0));
        }
    }))
}

fn describe(csr: &X509CertificationRequest<'_>, verify: bool) -> CsrInfo {
    let mut info = CsrInfo::empty();
    let cri = &csr.certification_request_info;
    info.common_name = common_name(&cri.subject);
    for attr in cri.subject.iter_attributes() {
        // The OID's DER content (2.5.4.n is `55 04 n`), compared as bytes: no dotted text built per attribute.
        let key = match attr.attr_type().as_bytes() {
            [0x55, 0x04, 10] => "O",
            [0x55, 0x04, 11] => "OU",
            [0x55, 0x04, 7] => "L",
            [0x55, 0x04, 8] => "ST",
            [0x55, 0x04, 6] => "C",
            [0x55, 0x04, 9] => "street",
            [0x55, 0x04, 17] => "postalCode",
            _ => continue,
        };
        info.subject.entry(key.to_owned()).or_insert_with(|| attr_string(attr));
    }

    // Names: the subjectAltName extension(s) of the extension request.
    for attr in cri.iter_attributes() {
        let ParsedCriAttribute::ExtensionRequest(req) = attr.parsed_attribute() else {
            continue;
        };
        for ext in &req.extensions {
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        match (name, general_name(name)) {
                            (GeneralName::DNSName(dns), _) => info.dns_names.push((*dns).to_string()),
                            (_, Ok(Some(other))) => info.other_names.push(other),
                            (_, Ok(None)) => {}
                            (_, Err(e)) => info.push(malformed(format!("subjectAltName: {e}"))),
                        }
                    }
                }
                ParsedExtension::ParseError { error } if ext.oid.to_id_string() == "2.5.29.17" => {
                    info.push(malformed(format!("the subjectAltName extension cannot be read: {error}")));
                }
                _ => {}
            }
        }
    }

    // Key.
    let spki = &cri.subject_pki;
    let key = algs::classify_key(spki);
    info.key = match &key {
        KeyAlg::Rsa { bits } => KeyInfo { kind: KeyKind::Rsa, bits: *bits, curve: None },
        KeyAlg::Ec { curve, bits } => KeyInfo { kind: KeyKind::Ec, bits: *bits, curve: Some(curve.name()) },
        KeyAlg::Ed25519 => KeyInfo { kind: KeyKind::Ed25519, bits: Some(256), curve: None },
        KeyAlg::Ed448 => KeyInfo { kind: KeyKind::Ed448, bits: Some(456), curve: None },
        KeyAlg::Dsa { bits } => KeyInfo { kind: KeyKind::Dsa, bits: *bits, curve: None },
        KeyAlg::Unknown { .. } => KeyInfo::unknown(),
    };

    // Signature.
    let sig = algs::classify_signature(&csr.signature_algorithm);
    info.signature_algorithm = Some(sig.name.clone());
    let verification =
        if verify { algs::verify(&key, spki, &sig, cri.raw, &csr.signature_value.data) } else { Verification::Skipped };
    info.signature_valid = match verification {
        Verification::Valid => Some(true),
        Verification::Invalid | Verification::Mismatch => Some(false),
        Verification::Unchecked(_) | Verification::Skipped => None,
    };

    // Rules, in a stable order.
    match &verification {
        Verification::Invalid => info.push(Problem::error(
            "bad_signature",
            format!("the {} signature does not verify with the request's own key: the file was altered", sig.name),
        )),
        Verification::Mismatch => info.push(Problem::error(
            "bad_signature",
            format!("the signature algorithm {} does not fit the {} key", sig.name, info.key),
        )),
        _ => {}
    }
    let mut key_refused = true;
    match &key {
        KeyAlg::Rsa { bits: Some(bits) } if *bits < 2048 => info
            .push(Problem::error("weak_key", format!("RSA key of {bits} bits: public CAs require 2048 bits or more"))),
        KeyAlg::Rsa { bits: None } => info.push(malformed("the RSA public key cannot be read")),
        KeyAlg::Rsa { bits: Some(bits) } if *bits > 8192 => info.push(Problem::error(
            "unsupported_key",
            format!("RSA key of {bits} bits: public CAs accept 2048 to 4096 (some 8192) bits"),
        )),
        KeyAlg::Rsa { .. } | KeyAlg::Ec { curve: Curve::P256 | Curve::P384, .. } => key_refused = false,
        KeyAlg::Ec { curve, .. } => info.push(Problem::error(
            "unsupported_key",
            format!("EC key on {}: public CAs accept the curves P-256 and P-384 only", curve.name()),
        )),
        KeyAlg::Ed25519 | KeyAlg::Ed448 | KeyAlg::Dsa { .. } => info.push(Problem::error(
            "unsupported_key",
            format!("key type {}: public CAs accept RSA (2048+ bits) and EC P-256/P-384 keys only", info.key),
        )),
        KeyAlg::Unknown { oid } => info.push(Problem::error(
            "unsupported_key",
            format!("unknown key algorithm {oid}: public CAs accept RSA and EC P-256/P-384 keys only"),
        )),
    }
    match sig.kind.hash() {
        Some(Hash::Sha1) => info.push(Problem::warning(
            "sha1_signature",
            format!("signed with SHA-1 ({}); CAs re-sign with SHA-256, but some refuse SHA-1 requests", sig.name),
        )),
        Some(h @ (Hash::Md2 | Hash::Md5)) => info.push(Problem::error(
            "weak_signature",
            format!("signed with {} ({}), which public CAs refuse", h.name(), sig.name),
        )),
        _ => {}
    }
    if let (Verification::Unchecked(reason), false) = (&verification, key_refused) {
        info.push(Problem::warning("signature_not_checked", format!("the signature was not checked: {reason}")));
    }
    if sig.kind == SigKind::Unknown && !key_refused {
        info.push(Problem::error("unsupported_signature", format!("unknown signature algorithm {}", sig.name)));
    }

    let has_cn = info.common_name.as_deref().is_some_and(|cn| !cn.trim().is_empty());
    if !has_cn && info.dns_names.is_empty() && info.other_names.is_empty() {
        info.push(Problem::error("no_names", "the request has no common name and no subjectAltName"));
    }
    let count = info.names().len() + info.other_names.len();
    if count > MAX_CSR_NAMES {
        info.push(Problem::error(
            "too_many_names",
            format!("the request has {count} names; public CAs take at most {MAX_CSR_NAMES}"),
        ));
    }
    info
}

/// Human-readable report for `ssl-orders csr inspect FILE`.
pub fn render_human(info: &CsrInfo) -> String {
    let mut out = String::new();
    let errors = info.problems.iter().filter(|p| p.is_error()).count();
    let warnings = info.problems.len() - errors;
    let status = if info.ok() { "OK" } else { "NOT OK" };
    let mut counts = Vec::new();
    if errors > 0 {
        counts.push(format!("{errors} error{}", if errors == 1 { "" } else { "s" }));
    }
    if warnings > 0 {
        counts.push(format!("{warnings} warning{}", if warnings == 1 { "" } else { "s" }));
    }
    let _ = write!(out, "Certificate request: {status}");
    if !counts.is_empty() {
        let _ = write!(out, " ({})", counts.join(", "));
    }
    out.push('\n');
    if info.signature_algorithm.is_none() {
        // Nothing was parsed: the problems say why.
        render_problems(&mut out, info);
        return out;
    }
    let _ = writeln!(out, "  Common name:  {}", info.common_name.as_deref().unwrap_or("(none)"));
    let list = |out: &mut String, title: &str, items: &[String]| {
        if items.is_empty() {
            let _ = writeln!(out, "  {title:<13} (none)");
        } else if items.len() <= 4 {
            let _ = writeln!(out, "  {title:<13} {}", items.join(", "));
        } else {
            let _ = writeln!(out, "  {title:<13} {} names", items.len());
            for item in items {
                let _ = writeln!(out, "                  {item}");
            }
        }
    };
    list(&mut out, "DNS names:", &info.dns_names);
    if !info.other_names.is_empty() {
        list(&mut out, "Other names:", &info.other_names);
    }
    let _ = writeln!(out, "  Key:          {}", info.key);
    let signature = match (&info.signature_algorithm, info.signature_valid) {
        (None, _) => "(none)".to_string(),
        (Some(alg), Some(true)) => format!("{alg}, valid"),
        (Some(alg), Some(false)) => format!("{alg}, DOES NOT VERIFY"),
        (Some(alg), None) => format!("{alg}, not checked"),
    };
    let _ = writeln!(out, "  Signature:    {signature}");
    render_problems(&mut out, info);
    out
}

fn render_problems(out: &mut String, info: &CsrInfo) {
    if !info.problems.is_empty() {
        out.push_str("Problems:\n");
        for p in &info.problems {
            let severity = if p.is_error() { "error" } else { "warning" };
            let _ = writeln!(out, "  {severity:<7} {}: {}", p.code, p.message);
        }
    }
}
