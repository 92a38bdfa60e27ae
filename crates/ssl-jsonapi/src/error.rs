//! Nameshield's errors: `{"errors":[{"status","title","detail"}]}` (JSON:API, `status` a string such as `"422"`)
//! and `{"errors":{"code","message","details"}}` (getting-started) are both read by the kit's JSON:API decoder;
//! every entry is kept. HTTP 401 is an auth failure. Any 5xx (an error envelope or a proxy's HTML page) leaves an
//! order's outcome unknown: Nameshield documents no 5xx that refuses before doing anything.

use ssl_core::ProviderError;

/// The [`ssl_core::client::ErrorDecoder`] for Nameshield.
pub fn decode(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    let mut e = ssl_core::jsonapi::decode_errors(provider, status, body)?;
    e.auth_failure |= status == 401;
    e.definite = false;
    Some(e)
}
