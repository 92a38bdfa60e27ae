//! DigiCert's error shape, decoded into [`ssl_core::ProviderError`].
//!
//! DigiCert answers 4xx/5xx with `{"errors":[{"code","message"}]}`; some responses (and SDK fixtures) carry
//! `errors` as a single object. Both decode. Codes keep their `|` and `:` parts intact (`not_found|order`,
//! `invalid_value:validity_years`). 429 `request_limit_exceeded` is retryable for reads (see
//! [`ssl_core::retry`]); 404 `not_found|…` is [`ssl_core::ErrorKind::NotFound`]. A bad API key is HTTP 401, or
//! HTTP 403 with a code starting `access_denied` (`access_denied|access_denied_invalid_key`, as DigiCert answers
//! it): an auth failure ([`ssl_core::ErrorKind::Auth`], exit 5), whatever a 403 means elsewhere.

use serde::Deserialize;
use ssl_core::{ProviderError, ProviderErrorEntry};

#[derive(Deserialize)]
struct Envelope {
    errors: OneOrMany,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Entry>),
    One(Entry),
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    field: Option<String>,
}

/// The [`ssl_core::client::ErrorDecoder`] of DigiCert: any status ≥ 400, in DigiCert's shape when it is one.
pub fn decode(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    if status < 400 {
        return None;
    }
    let Ok(env) = serde_json::from_slice::<Envelope>(body) else {
        return Some(ProviderError::from_body(provider, status, body));
    };
    let entries = match env.errors {
        OneOrMany::Many(v) => v,
        OneOrMany::One(e) => vec![e],
    };
    let entries: Vec<ProviderErrorEntry> = entries
        .into_iter()
        .map(|e| ProviderErrorEntry {
            message: e.message.unwrap_or_else(|| e.code.clone().unwrap_or_else(|| format!("HTTP {status}"))),
            field: e.field.or_else(|| e.code.as_deref().and_then(field_of_code)),
            code: e.code,
        })
        .collect();
    if entries.is_empty() {
        return Some(ProviderError::from_body(provider, status, body));
    }
    let mut e = ProviderError::new(provider, status, entries);
    e.auth_failure =
        status == 401 || (status == 403 && e.code.as_deref().is_some_and(|c| c.starts_with("access_denied")));
    Some(e)
}

/// `invalid_value:validity_years` names the field `validity_years`.
fn field_of_code(code: &str) -> Option<String> {
    let (_, field) = code.split_once(':')?;
    (!field.is_empty()).then(|| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssl_core::ErrorKind;

    #[test]
    fn errors_as_array_keep_codes_intact() {
        let body = br#"{"errors":[{"code":"invalid_value:validity_years","message":"Too long."},{"code":"not_found|product","message":"No product."}]}"#;
        let e = decode("digicert", 400, body).unwrap();
        assert_eq!(e.code.as_deref(), Some("invalid_value:validity_years"));
        assert_eq!(e.field.as_deref(), Some("validity_years"));
        assert_eq!(e.errors.len(), 2);
        assert_eq!(e.errors[1].code.as_deref(), Some("not_found|product"));
        assert!(e.to_string().contains("not_found|product"));
    }

    #[test]
    fn errors_as_object() {
        let body = br#"{"errors":{"code":"not_found|route","message":"The specified route was not found."}}"#;
        let e = decode("digicert", 404, body).unwrap();
        assert_eq!(e.code.as_deref(), Some("not_found|route"));
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn rate_limit_is_retryable() {
        let body = br#"{"errors":[{"code":"request_limit_exceeded","message":"Service unavailable, please limit request volume"}]}"#;
        let e = decode("digicert", 429, body).unwrap();
        assert!(e.is_retryable());
        assert_eq!(e.kind(), ErrorKind::RateLimited);
    }

    #[test]
    fn a_bad_api_key_is_an_auth_failure() {
        let body = br#"{"errors":[{"code":"access_denied|access_denied_invalid_key","message":"Access denied. Invalid API key."}]}"#;
        let e = decode("digicert", 403, body).unwrap();
        assert!(e.auth_failure);
        assert_eq!(e.kind(), ErrorKind::Auth);
        assert_eq!(e.code.as_deref(), Some("access_denied|access_denied_invalid_key"));
        let e = decode("digicert", 403, br#"{"errors":{"code":"access_denied","message":"No permission."}}"#).unwrap();
        assert!(e.auth_failure, "errors as one object too");
        let e = decode("digicert", 401, br#"{"errors":[{"code":"unauthorized","message":"No key."}]}"#).unwrap();
        assert!(e.auth_failure);
        let e = decode("digicert", 400, br#"{"errors":[{"code":"access_denied_for_product","message":"x"}]}"#).unwrap();
        assert!(!e.auth_failure, "only 401/403 answers are auth failures");
    }

    #[test]
    fn success_and_non_json() {
        assert!(decode("digicert", 201, b"{}").is_none());
        let e = decode("digicert", 502, b"<html>Bad gateway</html>").unwrap();
        assert!(e.message.contains("Bad gateway"));
        assert!(e.is_retryable());
    }
}
