//! GoGetSSL's error shape, decoded into [`ssl_core::ProviderError`].
//!
//! GoGetSSL answers errors as `{"error": true, "message": "...", "description": "..."}`, **often with HTTP 200**
//! (a real capture in `gogetssl/whmcs-addon#43`: a failed login with `http_code 200`). The decoder therefore looks
//! at every body, whatever the status:
//!
//! - `error` is true (`true`, `1`, `"1"`, `"true"`): an error. `message` becomes [`ProviderError::message`],
//!   `description` [`ProviderError::description`]; GoGetSSL sends no error codes, so `code` stays empty.
//! - `success` is explicitly false (`false`, `0`, `"0"`, `"false"`) and there is a `message` or `description`:
//!   an error too.
//! - any other body with a status of 400 or more: an error with a snippet of the body.
//!
//! A 2xx body is parsed only when a cheap look ([`may_flag`]: a scan for the `"error"` and `"success"` keys and
//! the literal after each) says it may be an error; an ordinary answer (`"success":true`, no `error` key) costs a
//! scan instead of a parse into a `Value`. The look never says "no" to a body the parse would flag (a test runs
//! both over the tricky spellings).
//!
//! ## Auth failures
//!
//! [`ProviderError::auth_failure`] is set here only for HTTP 401. Whether an answer means "the session key was
//! refused" is decided by the exact rule [`crate::client::REFUSAL`] (HTTP 401, or a whole message such as
//! `Invalid or expired auth_key` compared exactly), applied by the session ([`ssl_core::SessionAuth`]), which
//! marks such answers as auth failures; never by a substring of free text, so a CSR error "Invalid key: RSA 1024"
//! stays a provider refusal. Errors of the login call itself are auth failures.

use serde_json::Value;
use ssl_core::lenient::{text, truthy};
use ssl_core::{ProviderError, ProviderErrorEntry};

/// The [`ssl_core::client::ErrorDecoder`] of GoGetSSL (rules in the module docs). Called for every response.
pub fn decode(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    if status < 400 && !may_flag(body) {
        return None;
    }
    decode_parsed(provider, status, body)
}

/// [`decode`] without the cheap look first: the whole body parsed (tests compare both).
#[doc(hidden)]
pub fn decode_parsed(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    let parsed: Option<serde_json::Map<String, Value>> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    if let Some(map) = &parsed {
        let message = text(map.get("message"));
        let description = text(map.get("description"));
        let flagged = truthy(map.get("error")) == Some(true)
            || (truthy(map.get("success")) == Some(false) && (message.is_some() || description.is_some()));
        if flagged {
            let shown = message
                .clone()
                .or_else(|| description.clone())
                .unwrap_or_else(|| format!("GoGetSSL reported an error without a message (HTTP {status})"));
            let mut e = ProviderError::new(provider, status, vec![ProviderErrorEntry::new(None, shown, None)]);
            e.description = description.filter(|d| Some(d) != message.as_ref());
            e.auth_failure = status == 401;
            return Some(e);
        }
    }
    if status >= 400 {
        let mut e = ProviderError::from_body(provider, status, body);
        if let Some(map) = &parsed {
            if let Some(m) = text(map.get("message")) {
                e.message = m;
                e.errors[0].message = e.message.clone();
            }
            e.description = text(map.get("description"));
        }
        e.auth_failure = status == 401;
        return Some(e);
    }
    None
}

/// Whether a body may hold a top-level `error` that is true or a `success` that is false: the cheap look at a
/// 2xx answer before the full parse ([`decode`] parses only when this says yes), by the kit's
/// [`ssl_core::probe::every_member_is`]: every `"error"` member (at any depth) holding `false`, `0`, `null`, `"0"` or
/// `"false"` and every `"success"` member holding `true`, `1`, `"1"` or `"true"` cannot flag; any other value, the
/// words as string values, or a `\u` escape anywhere (a key could be spelled with one), means "maybe" and the body is
/// parsed. A body without either key cannot flag. Never a false "no": a key that flags is always found.
#[doc(hidden)]
pub fn may_flag(body: &[u8]) -> bool {
    use ssl_core::probe::every_member_is;
    !(every_member_is(body, "error", &[b"false", b"0", b"null", b"\"0\"", b"\"false\""])
        && every_member_is(body, "success", &[b"true", b"1", b"\"1\"", b"\"true\""]))
}
