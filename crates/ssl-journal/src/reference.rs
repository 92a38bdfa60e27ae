//! The reference of a money call: what makes two attempts "the same order".
//!
//! Unless the caller gives one (`--reference`), the reference is a **versioned digest of a canonical form**. The
//! canonical form, version 1, is the compact JSON array
//!
//! ```text
//! ["ssl-orders-reference/1", VERB, PROVIDER, ACCOUNT, PRODUCT, [NAMES…], TERM_MONTHS, PREDECESSOR|null, CSR_KEY]
//! ```
//!
//! | field | value |
//! |---|---|
//! | `VERB` | `order`, `renew` or `reissue` |
//! | `PROVIDER` | the provider's short name (`digicert`) |
//! | `ACCOUNT` | the account identity ([`crate::account`]): user name / customer handle, or `hmac-sha256:…` |
//! | `PRODUCT` | the provider's product id, as given (product ids are case-sensitive on some APIs) |
//! | `NAMES` | every name on the order, common name included: trimmed, trailing dot removed, IDNA A-labels, lower case, deduplicated, sorted |
//! | `TERM_MONTHS` | the term in months, a JSON number (`0` for a reissue, which buys no term) |
//! | `PREDECESSOR` | the order renewed or reissued; `null` for a new order |
//! | `CSR_KEY` | lower-case hex SHA-256 of the CSR's DER SubjectPublicKeyInfo |
//!
//! The reference is `sor1-` followed by the first 32 hex digits (128 bits) of the SHA-256 of that JSON text.
//! Changing the canonical form means a new version prefix, so old journal rows are never confused with new ones.
//!
//! The default reference never goes to the provider: it identifies the attempt in the journal only. A caller's own
//! reference goes only where the API has a customer-reference field.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The tag that opens canonical form version 1.
pub const CANONICAL_V1: &str = "ssl-orders-reference/1";
/// The prefix of a version-1 default reference.
pub const PREFIX_V1: &str = "sor1-";

/// What kind of money call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SpendVerb {
    /// A new order.
    Order,
    /// A renewal: a new order for the next term, linked to a predecessor.
    Renew,
    /// A reissue inside the predecessor's coverage.
    Reissue,
}

impl SpendVerb {
    /// `order`, `renew` or `reissue`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Order => "order",
            Self::Renew => "renew",
            Self::Reissue => "reissue",
        }
    }

    /// Parse the name written by [`SpendVerb::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Order, Self::Renew, Self::Reissue].into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for SpendVerb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the default reference is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceInput<'a> {
    /// The kind of call.
    pub verb: SpendVerb,
    /// Provider short name.
    pub provider: &'a str,
    /// Account identity (never a secret, see [`crate::account`]).
    pub account: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Every name on the order, in any order and case.
    pub names: Vec<&'a str>,
    /// Term in months (0 for a reissue).
    pub term_months: u32,
    /// The predecessor order id (renew, reissue).
    pub predecessor: Option<&'a str>,
    /// Lower-case hex SHA-256 of the CSR's SubjectPublicKeyInfo ([`crate::csr_key::csr_key_digest`]).
    pub csr_key: &'a str,
}

/// One name as the canonical form holds it: trimmed, without a trailing dot, IDNA A-labels, lower case. A name
/// IDNA refuses is kept lower-cased (the pre-flight reports it; the reference must still be stable).
pub fn canonical_name(name: &str) -> String {
    let end = |c: char| c == '.' || c.is_whitespace();
    let n = name.trim_start().trim_end_matches(end);
    let (wild, rest) = match n.strip_prefix("*.") {
        Some(r) => ("*.", r),
        None => ("", n),
    };
    let ascii = idna::domain_to_ascii(rest).unwrap_or_else(|_| rest.to_lowercase());
    // IDNA may map a character to a dot (U+FF0E): trim again, so that the form is a fixed point.
    format!("{wild}{}", ascii.to_ascii_lowercase().trim_end_matches(end))
}

/// The names, canonical, deduplicated and sorted.
pub fn canonical_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut v: Vec<String> = names.into_iter().map(canonical_name).filter(|n| !n.is_empty()).collect();
    v.sort();
    v.dedup();
    v
}

impl ReferenceInput<'_> {
    /// The canonical form (version 1), as JSON text.
    pub fn canonical(&self) -> String {
        let value = serde_json::json!([
            CANONICAL_V1,
            self.verb.as_str(),
            self.provider,
            self.account,
            self.product,
            canonical_names(self.names.iter().copied()),
            self.term_months,
            self.predecessor,
            self.csr_key.trim().to_ascii_lowercase(),
        ]);
        value.to_string()
    }

    /// The default reference: `sor1-` + 32 hex digits of the canonical form's SHA-256.
    pub fn reference(&self) -> String {
        let digest = Sha256::digest(self.canonical().as_bytes());
        format!("{PREFIX_V1}{}", &hex::encode(digest)[..32])
    }
}

/// Whether `reference` has the shape of a default (digest) reference of any version.
pub fn is_default_reference(reference: &str) -> bool {
    reference
        .strip_prefix(PREFIX_V1)
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
}

/// Check a caller's own reference: 1 to 128 printable characters, no control characters, not shaped like a
/// default reference (so the two kinds never collide).
pub fn check_user_reference(reference: &str) -> Result<(), String> {
    if reference.trim().is_empty() {
        return Err("a reference cannot be empty".into());
    }
    if reference.chars().count() > 128 {
        return Err("a reference is at most 128 characters".into());
    }
    if reference.chars().any(char::is_control) {
        return Err("a reference cannot hold control characters".into());
    }
    if is_default_reference(reference) {
        return Err(format!("`{reference}` looks like a generated reference ({PREFIX_V1}…); choose another"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base<'a>() -> ReferenceInput<'a> {
        ReferenceInput {
            verb: SpendVerb::Order,
            provider: "digicert",
            account: "hmac-sha256:00",
            product: "ssl_dv_geotrust",
            names: vec!["shop.example.com", "www.shop.example.com"],
            term_months: 12,
            predecessor: None,
            csr_key: "ab",
        }
    }

    #[test]
    fn canonical_form_is_pinned() {
        assert_eq!(
            base().canonical(),
            r#"["ssl-orders-reference/1","order","digicert","hmac-sha256:00","ssl_dv_geotrust",["shop.example.com","www.shop.example.com"],12,null,"ab"]"#
        );
        let r = base().reference();
        assert!(is_default_reference(&r), "{r}");
        assert_eq!(r.len(), PREFIX_V1.len() + 32);
    }

    #[test]
    fn names_become_sorted_lower_case_a_labels() {
        assert_eq!(
            canonical_names(["WWW.Bücher.example.", "*.Example.COM", "bücher.example", "www.xn--bcher-kva.example"]),
            vec!["*.example.com", "www.xn--bcher-kva.example", "xn--bcher-kva.example"]
        );
    }

    #[test]
    fn user_references_are_checked() {
        assert!(check_user_reference("invoice-2026-0042").is_ok());
        assert!(check_user_reference("").is_err());
        assert!(check_user_reference("a\nb").is_err());
        assert!(check_user_reference(&"x".repeat(129)).is_err());
        assert!(check_user_reference(&base().reference()).is_err());
    }
}
