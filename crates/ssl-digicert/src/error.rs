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
        .map(|e| {
            let message = e.message.unwrap_or_else(|| e.code.clone().unwrap_or_else(|| format!("HTTP {status}")));
            let field = e.field.or_else(|| e.code.as_deref().and_then(field_of_code));
            ProviderErrorEntry::new(e.code, message, field)
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
