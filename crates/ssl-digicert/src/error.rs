//! DigiCert's error shape, decoded into [`ssl_core::ProviderError`].
//!
//! DigiCert answers 4xx/5xx with `{"errors":[{"code","message"}]}`; some responses (and SDK fixtures) carry
//! `errors` as a single object. Both decode. Codes keep their `|` and `:` parts intact (`not_found|order`,
//! `invalid_value:validity_years`). 429 `request_limit_exceeded` is retryable for reads (see
//! [`ssl_core::retry`]); 404 `not_found|…` is [`ssl_core::ErrorKind::NotFound`].

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
    Some(ProviderError::new(provider, status, entries))
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
    fn success_and_non_json() {
        assert!(decode("digicert", 201, b"{}").is_none());
        let e = decode("digicert", 502, b"<html>Bad gateway</html>").unwrap();
        assert!(e.message.contains("Bad gateway"));
        assert!(e.is_retryable());
    }
}
