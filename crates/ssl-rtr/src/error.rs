//! Realtime Register's error shape, decoded into [`ssl_core::ProviderError`].
//!
//! Every error is `{"type": "<Name>", "message": "...", …}` ([`crate::generated::ErrorResponse`]):
//! - `code` is the `type` (`ConstraintViolationException`, `AuthenticationError`, …), `message` the message;
//! - `ConstraintViolationException` gives one entry per `violations[{field, message, value?}]`, each with its field
//!   (the CLI lists them as `problems[]`);
//! - `UnrecognizedPropertyException` names its `property` as the field;
//! - `InsufficientCreditException` and `BillableAcknowledgmentNeededException` get a description that says what to
//!   do, the second with the price of its `quote` (cents shown as a decimal);
//! - `ProviderUnavailable` shows its maintenance window;
//! - `AuthenticationError` (HTTP 401) is an auth failure whatever the status.
//!
//! The classification by HTTP status is the kit's: 401/403 auth, 404 not found, 429 rate limited (reads are
//! retried, a spend is not), 502/503/504 retryable. A body that is not this JSON (an HTML 500 from a proxy) gives
//! `None`, and the kit keeps a snippet of it.

use ssl_core::{ProviderError, ProviderErrorEntry};

use crate::generated::{ErrorResponse, Quote};
use crate::mapping::cents;

/// Decode an RTR error body; `None` for a success (RTR sends no errors inside 2xx: a process's `type` is not an
/// error) and for a body that is not RTR's `{type, message}`.
pub fn decode(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    if status < 400 {
        return None;
    }
    let e: ErrorResponse = serde_json::from_slice(body).ok()?;
    let kind = e.r#type.filter(|t| !t.trim().is_empty())?;
    let message = e.message.unwrap_or_else(|| kind.clone());
    let entry = |field: Option<String>, message: String| ProviderErrorEntry::new(Some(kind.clone()), message, field);
    let mut entries: Vec<ProviderErrorEntry> = e
        .violations
        .unwrap_or_default()
        .into_iter()
        .map(|v| entry(v.field, v.message.unwrap_or_else(|| "invalid".into())))
        .collect();
    if entries.is_empty() {
        entries.push(entry(e.property.clone(), message.clone()));
    }
    let mut err = ProviderError::new(provider, status, entries);
    err.code = Some(kind.clone());
    err.message = message;
    err.field = e.property;
    err.description = match kind.as_str() {
        "InsufficientCreditException" => Some(
            "your Realtime Register balance is too low for this order: top up the account, then order again".into(),
        ),
        "BillableAcknowledgmentNeededException" => Some(format!(
            "this action must be acknowledged as billable{}; nothing was placed",
            e.quote.as_ref().map(price).unwrap_or_default()
        )),
        "ProviderUnavailable" => Some(format!(
            "the CA is in maintenance{}{}; try again later",
            e.start_date.map(|d| format!(" from {d}")).unwrap_or_default(),
            e.end_date.map(|d| format!(" until {d}")).unwrap_or_default()
        )),
        _ => None,
    };
    err.auth_failure = status == 401 || kind == "AuthenticationError";
    Some(err)
}

fn price(q: &Quote) -> String {
    format!(" (price {} {})", cents(q.total), q.currency.as_deref().unwrap_or("")).replace(" )", ")")
}
