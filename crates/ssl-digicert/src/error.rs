//! DigiCert's error shape, decoded into [`ssl_core::ProviderError`].
//!
//! DigiCert answers 4xx/5xx with `{"errors":[{"code","message"}]}`; some responses (and SDK fixtures) carry
//! `errors` as a single object. Both decode (the kit's [`ssl_core::jsonapi::decode_errors`] reads this shape; an
//! entry without a message says its code). Codes keep their `|` and `:` parts intact (`not_found|order`,
//! `invalid_value:validity_years`, which names the field `validity_years`). 429 `request_limit_exceeded` is
//! retryable for reads (see [`ssl_core::retry`]); 404 `not_found|…` is [`ssl_core::ErrorKind::NotFound`]. A bad API
//! key is HTTP 401, or HTTP 403 with a code starting `access_denied` (`access_denied|access_denied_invalid_key`, as
//! DigiCert answers it): an auth failure ([`ssl_core::ErrorKind::Auth`], exit 5), whatever a 403 means elsewhere.

use ssl_core::ProviderError;

/// The [`ssl_core::client::ErrorDecoder`] of DigiCert: any status ≥ 400, in DigiCert's shape when it is one.
pub fn decode(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    if status < 400 {
        return None;
    }
    let mut e = ssl_core::jsonapi::decode_errors(provider, status, body)?.with_fields_from_codes();
    e.auth_failure =
        status == 401 || (status == 403 && e.code.as_deref().is_some_and(|c| c.starts_with("access_denied")));
    Some(e)
}
