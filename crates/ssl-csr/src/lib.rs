//! Keys and certificate requests for ssl-orders: generation, inspection, and the pre-flight that stops a bad
//! order before money moves.
//!
//! - [`generate`] makes an RSA (2048/3072/4096) or EC (P-256/P-384) key and a CSR for the names asked for
//!   (punycode, wildcards allowed); [`write_key_file`] and [`write_files`] write them (the key 0600, never over an
//!   existing file).
//! - [`inspect`] reads a CSR in PEM or DER and reports its names, key, signature algorithm, whether the signature
//!   verifies, and every problem a public CA would refuse it for, each with a stable code:
//!
//! | code                    | severity | when                                                                 |
//! |-------------------------|----------|----------------------------------------------------------------------|
//! | `malformed`             | error    | not PEM/DER, truncated, unreadable parts                             |
//! | `not_a_csr`             | error    | a certificate, a key or another PEM type                             |
//! | `bad_signature`         | error    | the self-signature does not verify                                   |
//! | `weak_key`              | error    | RSA under 2048 bits                                                  |
//! | `unsupported_key`       | error    | Ed25519, Ed448, DSA, EC curves other than P-256/P-384, RSA over 8192 |
//! | `weak_signature`        | error    | MD2/MD5 signature                                                    |
//! | `unsupported_signature` | error    | a signature algorithm nobody knows                                   |
//! | `sha1_signature`        | warning  | SHA-1 signature                                                      |
//! | `signature_not_checked` | warning  | an acceptable key whose signature variant aws-lc cannot verify        |
//! | `unreadable`            | error    | [`inspect_file`] could not read the file (missing, a directory)      |
//! | `no_names`              | error    | no common name and no subjectAltName                                 |
//! | `too_many_names`        | error    | more than 250 names                                                  |
//!
//! - [`preflight`] checks an order ([`ssl_core::model::OrderSpec`]) against the CSR, the product's rules and the
//!   provider's DCV table.
//! - [`render_human`] and `serde_json::to_string(&info)` are the two outputs of `ssl-orders csr inspect`.

mod algs;
mod generate;
mod inspect;
mod names;
mod pem;
mod preflight;

pub use generate::{CsrError, GeneratedKey, KeyType, WrittenFiles, csr_names, generate, write_files, write_key_file};
pub use inspect::{
    CsrInfo, KeyInfo, KeyKind, MAX_CSR_NAMES, MAX_INPUT_BYTES, inspect, inspect_file, inspect_unguarded,
    inspect_unverified, render_human,
};
pub use names::{is_wildcard, normalize_name, to_ascii_name};
pub use pem::{canonical_pem, encode_pem};
pub use preflight::{FieldState, field_state, preflight};

/// The CSR checks of the neutral kit ([`ssl_core::kit::CsrChecks`]): the pre-flight, and the errors a CA would
/// refuse a CSR for.
pub const CHECKS: ssl_core::kit::CsrChecks = ssl_core::kit::CsrChecks::new(
    |spec, rules, dcv| preflight(spec, None, rules, dcv),
    |pem| inspect(pem.as_bytes()).problems.into_iter().filter(|p| p.is_error()).collect(),
);
