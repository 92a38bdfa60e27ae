//! Openprovider's error shape, decoded into [`ssl_core::ProviderError`].
//!
//! Every answer is the envelope `{"code", "data", "desc", "maintenance"?, "warnings"?}`. The decoder reads every
//! body, whatever the HTTP status:
//!
//! | body | HTTP status | result |
//! |---|---|---|
//! | envelope with `code` 0, or no `code` | any 2xx | success |
//! | envelope with `code != 0` | **any** (200, 4xx, 500) | a refusal: code and `desc` (and `data` when it says more) kept; [`ProviderError::definite`] is set, so even an order answered this way under HTTP 500 is known to be refused, never an unknown outcome |
//! | envelope with `code` 196 | any | as above, and an authentication failure ([`ProviderError::auth_failure`], exit 5) |
//! | anything else | 4xx / 5xx | an error with a snippet of the body; a 5xx of this kind stays ambiguous for an order |
//!
//! Code ranges (Openprovider's error handling page): 1xx customer and authentication, 9xx authorization, payments
//! and invoicing, 10xx SSL, 3xxx licenses. Code 10005 was observed for a request with a custom `User-Agent`.

use serde_json::Value;
use ssl_core::{ProviderError, ProviderErrorEntry};

/// The code of an authentication failure (also sent under HTTP 500 or inside HTTP 200).
pub const AUTH_CODE: i64 = 196;

/// The `code` of an envelope: a number or a numeric string; `None` when absent or unreadable.
pub(crate) fn envelope_code(v: &Value) -> Option<i64> {
    code_of(v.get("code")?)
}

/// A `code` value as a number, read by the kit's tolerant reader (a number or a numeric string).
fn code_of(code: &Value) -> Option<i64> {
    ssl_core::lenient::value_i64(code).ok()
}

/// True when `body` is a JSON object whose `code` is absent or 0: the hot path of every 2xx answer, which reads
/// only `code` and skips every other key without building it (a whole `Value` of an order with its certificates
/// cost more than the typed decode). Any other body (not an object, two `code` keys, not JSON) is left to the full
/// rules.
fn plain_success(body: &[u8]) -> bool {
    if only_zero_codes(body) {
        return true;
    }
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(default)]
        code: Option<Value>,
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return false;
    }
    serde_json::from_slice::<Head>(body).is_ok_and(|h| h.code.as_ref().and_then(code_of).is_none_or(|c| c == 0))
}

/// True when every `"code"` in the body is a key whose value is the number `0`, and no `\u` escape could spell
/// another one: then no member `code`, the envelope's included, holds anything but 0 (a scan of the bytes instead
/// of a parse; an Openprovider success has one such key). Anything else is left to the parse.
fn only_zero_codes(body: &[u8]) -> bool {
    ssl_core::probe::every_member_is(body, "code", &[b"0"])
}

/// `data` of an error as text, when it says anything (`""`, `null` and `{}` say nothing).
fn data_text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::Null => return None,
        Value::String(s) => s.trim().to_owned(),
        Value::Object(o) if o.is_empty() => return None,
        Value::Array(a) if a.is_empty() => return None,
        other => other.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// Decode an Openprovider error from any response (the rule in the module docs). `None` means success.
pub fn decode(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    if status < 400 && plain_success(body) {
        return None;
    }
    let v: Option<Value> = serde_json::from_slice(body).ok();
    let code = v.as_ref().and_then(envelope_code);
    match (v.as_ref(), code) {
        (Some(v), Some(code)) if code != 0 => {
            let desc = v.get("desc").and_then(Value::as_str).map(str::trim).filter(|d| !d.is_empty());
            let message = desc.map_or_else(|| format!("Openprovider error code {code}"), str::to_owned);
            let entry = ProviderErrorEntry::new(Some(code.to_string()), message, None);
            let mut e = ProviderError::new(provider, status, vec![entry]);
            e.description = data_text(v.get("data"));
            e.definite = true;
            e.auth_failure = code == AUTH_CODE;
            Some(e)
        }
        _ if status >= 400 => Some(ProviderError::from_body(provider, status, body)),
        _ => None,
    }
}
