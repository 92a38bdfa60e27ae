//! Algorithm identification (OpenSSL names) and signature verification with aws-lc.
//!
//! x509-parser's own `verify_signature` uses aws-lc's `RSA_PKCS1_2048_8192_*` for RSA, which refuses keys under
//! 2048 bits: a valid RSA-1024 request would read as a bad signature. Here the algorithm is picked from the key
//! size, with aws-lc's legacy 1024–8192 algorithms for small keys, so such a request reports `weak_key` alone.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::der_parser::der::parse_der_integer;
use x509_parser::oid_registry::Oid;
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// A digest named by a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Md2,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Other,
}

impl Hash {
    fn from_oid(oid: &str) -> Hash {
        match oid {
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            "1.2.840.113549.2.5" => Hash::Md5,
            "1.2.840.113549.2.2" => Hash::Md2,
            _ => Hash::Other,
        }
    }

    fn output_len(self) -> Option<u32> {
        match self {
            Hash::Sha1 => Some(20),
            Hash::Sha224 => Some(28),
            Hash::Sha256 => Some(32),
            Hash::Sha384 => Some(48),
            Hash::Sha512 => Some(64),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Hash::Md2 => "MD2",
            Hash::Md5 => "MD5",
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
            Hash::Other => "an unknown digest",
        }
    }
}

/// RSASSA-PSS parameters that matter for verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pss {
    pub hash: Hash,
    pub mgf_hash: Hash,
    pub salt_len: u32,
}

/// What a signature algorithm is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigKind {
    RsaPkcs1(Hash),
    /// `None` when the parameters cannot be read.
    RsaPss(Option<Pss>),
    Ecdsa(Hash),
    Ed25519,
    Ed448,
    Dsa(Hash),
    Unknown,
}

impl SigKind {
    /// The digest, where there is one.
    pub(crate) fn hash(self) -> Option<Hash> {
        match self {
            SigKind::RsaPkcs1(h) | SigKind::Ecdsa(h) | SigKind::Dsa(h) => Some(h),
            SigKind::RsaPss(p) => p.map(|p| p.hash),
            _ => None,
        }
    }
}

/// A signature algorithm: its OpenSSL name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SigAlg {
    pub name: String,
    pub kind: SigKind,
}

/// Names a signature algorithm the way `openssl req -text` does.
pub(crate) fn classify_signature(alg: &AlgorithmIdentifier<'_>) -> SigAlg {
    let oid = alg.algorithm.to_id_string();
    let (name, kind): (&str, SigKind) = match oid.as_str() {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", SigKind::RsaPkcs1(Hash::Md2)),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", SigKind::RsaPkcs1(Hash::Md5)),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", SigKind::RsaPkcs1(Hash::Sha1)),
        "1.3.14.3.2.29" => ("sha1WithRSA", SigKind::RsaPkcs1(Hash::Sha1)),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", SigKind::RsaPkcs1(Hash::Sha224)),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", SigKind::RsaPkcs1(Hash::Sha256)),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", SigKind::RsaPkcs1(Hash::Sha384)),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", SigKind::RsaPkcs1(Hash::Sha512)),
        "1.2.840.113549.1.1.10" => ("rsassaPss", SigKind::RsaPss(pss_params(alg))),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", SigKind::Ecdsa(Hash::Sha1)),
        "1.2.840.10045.4.3.1" => ("ecdsa-with-SHA224", SigKind::Ecdsa(Hash::Sha224)),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", SigKind::Ecdsa(Hash::Sha256)),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", SigKind::Ecdsa(Hash::Sha384)),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", SigKind::Ecdsa(Hash::Sha512)),
        "1.3.101.112" => ("ED25519", SigKind::Ed25519),
        "1.3.101.113" => ("ED448", SigKind::Ed448),
        "1.2.840.10040.4.3" => ("dsaWithSHA1", SigKind::Dsa(Hash::Sha1)),
        "2.16.840.1.101.3.4.3.1" => ("dsa_with_SHA224", SigKind::Dsa(Hash::Sha224)),
        "2.16.840.1.101.3.4.3.2" => ("dsa_with_SHA256", SigKind::Dsa(Hash::Sha256)),
        "2.16.840.1.101.3.4.3.3" => ("dsa_with_SHA384", SigKind::Dsa(Hash::Sha384)),
        "2.16.840.1.101.3.4.3.4" => ("dsa_with_SHA512", SigKind::Dsa(Hash::Sha512)),
        _ => {
            return SigAlg { name: oid, kind: SigKind::Unknown };
        }
    };
    SigAlg { name: name.to_string(), kind }
}

fn pss_params(alg: &AlgorithmIdentifier<'_>) -> Option<Pss> {
    let params = RsaSsaPssParams::try_from(alg.parameters.as_ref()?).ok()?;
    let hash = Hash::from_oid(&params.hash_algorithm_oid().to_id_string());
    let mgf = params.mask_gen_algorithm().ok()?;
    if mgf.mgf.to_id_string() != "1.2.840.113549.1.1.8" {
        return None;
    }
    let mgf_hash = Hash::from_oid(&mgf.hash.to_id_string());
    Some(Pss { hash, mgf_hash, salt_len: params.salt_length() })
}

/// An elliptic curve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
    Secp256k1,
    /// Another named curve (dotted OID), or explicit parameters (`None`).
    Other(Option<String>),
}

impl Curve {
    pub(crate) fn name(&self) -> String {
        match self {
            Curve::P256 => "P-256".into(),
            Curve::P384 => "P-384".into(),
            Curve::P521 => "P-521".into(),
            Curve::Secp256k1 => "secp256k1".into(),
            Curve::Other(Some(oid)) => match oid.as_str() {
                "1.3.132.0.33" => "P-224".into(),
                "1.2.840.10045.3.1.1" => "P-192".into(),
                "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
                "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".into(),
                "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1".into(),
                _ => format!("curve {oid}"),
            },
            Curve::Other(None) => "explicit curve parameters".into(),
        }
    }
}

/// What the subject public key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyAlg {
    /// `bits` is `None` when the modulus cannot be read.
    Rsa {
        bits: Option<u32>,
    },
    Ec {
        curve: Curve,
        bits: Option<u32>,
    },
    Ed25519,
    Ed448,
    Dsa {
        bits: Option<u32>,
    },
    Unknown {
        oid: String,
    },
}

/// Bit length of a big-endian unsigned integer (leading zero bytes ignored).
pub(crate) fn bit_len(bytes: &[u8]) -> u32 {
    let trimmed = match bytes.iter().position(|&b| b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    let len = u32::try_from(trimmed.len()).unwrap_or(u32::MAX / 8);
    (len - 1).saturating_mul(8).saturating_add(8 - trimmed[0].leading_zeros())
}

/// Identifies the key and its size.
pub(crate) fn classify_key(spki: &SubjectPublicKeyInfo<'_>) -> KeyAlg {
    let oid = spki.algorithm.algorithm.to_id_string();
    let key = &spki.subject_public_key.data;
    match oid.as_str() {
        // rsaEncryption, and RSASSA-PSS keys
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let bits = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => Some(bit_len(rsa.modulus)).filter(|&b| b > 0),
                _ => rsa_modulus_bits(key),
            };
            KeyAlg::Rsa { bits }
        }
        "1.2.840.10045.2.1" => {
            let curve_oid = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok());
            let curve = match curve_oid.as_ref().map(Oid::to_id_string).as_deref() {
                Some("1.2.840.10045.3.1.7") => Curve::P256,
                Some("1.3.132.0.34") => Curve::P384,
                Some("1.3.132.0.35") => Curve::P521,
                Some("1.3.132.0.10") => Curve::Secp256k1,
                Some(other) => Curve::Other(Some(other.to_string())),
                None => Curve::Other(None),
            };
            let bits = match &curve {
                Curve::P256 | Curve::Secp256k1 => Some(256),
                Curve::P384 => Some(384),
                Curve::P521 => Some(521),
                Curve::Other(_) => {
                    let size = x509_parser::public_key::ECPoint::from(key.as_ref()).key_size();
                    u32::try_from(size).ok().filter(|&b| b > 0)
                }
            };
            KeyAlg::Ec { curve, bits }
        }
        "1.3.101.112" => KeyAlg::Ed25519,
        "1.3.101.113" => KeyAlg::Ed448,
        "1.2.840.10040.4.1" => {
            // Dss-Parms ::= SEQUENCE { p INTEGER, q INTEGER, g INTEGER }: the size is that of p.
            let from_params = spki.algorithm.parameters.as_ref().and_then(|p| {
                let (_, p_int) = parse_der_integer(p.data).ok()?;
                Some(bit_len(p_int.as_slice().ok()?))
            });
            let from_y = || {
                let (_, y) = parse_der_integer(key.as_ref()).ok()?;
                Some(bit_len(y.as_slice().ok()?))
            };
            KeyAlg::Dsa { bits: from_params.or_else(from_y).filter(|&b| b > 0) }
        }
        _ => KeyAlg::Unknown { oid },
    }
}

fn rsa_modulus_bits(key: &[u8]) -> Option<u32> {
    use x509_parser::der_parser::der::parse_der_sequence;
    let (_, seq) = parse_der_sequence(key).ok()?;
    let items = seq.as_sequence().ok()?;
    let modulus = items.first()?.as_slice().ok()?;
    Some(bit_len(modulus)).filter(|&b| b > 0)
}

/// Outcome of a signature check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verification {
    Valid,
    Invalid,
    /// The signature algorithm does not fit the key (an ECDSA signature with an RSA key, ...).
    Mismatch,
    /// No verifier for this combination; the reason says which.
    Unchecked(String),
    /// Not attempted (`inspect_unverified`).
    Skipped,
}

/// Verifies `signature` over `message` with the subject public key.
pub(crate) fn verify(
    key: &KeyAlg,
    spki: &SubjectPublicKeyInfo<'_>,
    sig: &SigAlg,
    message: &[u8],
    signature: &[u8],
) -> Verification {
    let public_key: &[u8] = &spki.subject_public_key.data;
    let alg: &'static dyn VerificationAlgorithm = match (key, sig.kind) {
        (KeyAlg::Rsa { bits }, SigKind::RsaPkcs1(hash) | SigKind::RsaPss(Some(Pss { hash, .. }))) => {
            let Some(bits) = *bits else {
                return Verification::Unchecked("the RSA key cannot be read".into());
            };
            if !(1024..=8192).contains(&bits) {
                return Verification::Unchecked(format!("no verifier for {bits}-bit RSA keys"));
            }
            let small = bits < 2048;
            match sig.kind {
                SigKind::RsaPss(Some(pss)) => {
                    if pss.mgf_hash != hash || hash.output_len() != Some(pss.salt_len) || small {
                        return Verification::Unchecked(
                            "aws-lc verifies RSA-PSS only with MGF1 on the same digest, a salt as long as the \
                             digest and keys of 2048 bits or more"
                                .into(),
                        );
                    }
                    match hash {
                        Hash::Sha256 => &signature::RSA_PSS_2048_8192_SHA256,
                        Hash::Sha384 => &signature::RSA_PSS_2048_8192_SHA384,
                        Hash::Sha512 => &signature::RSA_PSS_2048_8192_SHA512,
                        _ => return unchecked_hash(hash),
                    }
                }
                _ => match (hash, small) {
                    (Hash::Sha1, _) => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    (Hash::Sha256, true) => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                    (Hash::Sha256, false) => &signature::RSA_PKCS1_2048_8192_SHA256,
                    (Hash::Sha384, false) => &signature::RSA_PKCS1_2048_8192_SHA384,
                    (Hash::Sha512, true) => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                    (Hash::Sha512, false) => &signature::RSA_PKCS1_2048_8192_SHA512,
                    (hash, _) => return unchecked_hash(hash),
                },
            }
        }
        (KeyAlg::Rsa { .. }, SigKind::RsaPss(None)) => {
            return Verification::Unchecked("the RSA-PSS parameters cannot be read".into());
        }
        (KeyAlg::Ec { curve, .. }, SigKind::Ecdsa(hash)) => match (curve, hash) {
            (Curve::P256, Hash::Sha1) => &signature::ECDSA_P256_SHA1_ASN1,
            (Curve::P256, Hash::Sha256) => &signature::ECDSA_P256_SHA256_ASN1,
            (Curve::P256, Hash::Sha384) => &signature::ECDSA_P256_SHA384_ASN1,
            (Curve::P256, Hash::Sha512) => &signature::ECDSA_P256_SHA512_ASN1,
            (Curve::P384, Hash::Sha256) => &signature::ECDSA_P384_SHA256_ASN1,
            (Curve::P384, Hash::Sha384) => &signature::ECDSA_P384_SHA384_ASN1,
            (Curve::P384, Hash::Sha512) => &signature::ECDSA_P384_SHA512_ASN1,
            (Curve::P521, Hash::Sha1) => &signature::ECDSA_P521_SHA1_ASN1,
            (Curve::P521, Hash::Sha224) => &signature::ECDSA_P521_SHA224_ASN1,
            (Curve::P521, Hash::Sha256) => &signature::ECDSA_P521_SHA256_ASN1,
            (Curve::P521, Hash::Sha384) => &signature::ECDSA_P521_SHA384_ASN1,
            (Curve::P521, Hash::Sha512) => &signature::ECDSA_P521_SHA512_ASN1,
            (Curve::Secp256k1, Hash::Sha256) => &signature::ECDSA_P256K1_SHA256_ASN1,
            (curve, hash) => {
                return Verification::Unchecked(format!(
                    "no verifier for ECDSA on {} with {}",
                    curve.name(),
                    hash.name()
                ));
            }
        },
        (KeyAlg::Ed25519, SigKind::Ed25519) => &signature::ED25519,
        (KeyAlg::Ed448, SigKind::Ed448) => {
            return Verification::Unchecked("no verifier for Ed448".into());
        }
        (KeyAlg::Dsa { .. }, SigKind::Dsa(_)) => {
            return Verification::Unchecked("no verifier for DSA".into());
        }
        (KeyAlg::Unknown { .. }, _) | (_, SigKind::Unknown) => {
            return Verification::Unchecked(format!("no verifier for {}", sig.name));
        }
        _ => return Verification::Mismatch,
    };
    match UnparsedPublicKey::new(alg, public_key).verify(message, signature) {
        Ok(()) => Verification::Valid,
        Err(_) => Verification::Invalid,
    }
}

fn unchecked_hash(hash: Hash) -> Verification {
    Verification::Unchecked(format!("no verifier for RSA with {} at this key size", hash.name()))
}

#[cfg(test)]
mod tests {
    use super::bit_len;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x7f, 0xff]), 15);
    }
}
