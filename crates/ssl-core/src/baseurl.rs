//! Base URL checks: `https` everywhere, plain `http` only for loopback hosts (the sandbox, tests).

use crate::error::{Error, Result};

/// Parse a base URL (which includes the provider's version prefix) and refuse `http` to non-loopback hosts.
///
/// ```
/// assert!(ssl_core::baseurl::parse_base_url("https://www.digicert.com/services/v2").is_ok());
/// assert!(ssl_core::baseurl::parse_base_url("http://127.0.0.1:8080/services/v2").is_ok());
/// assert!(ssl_core::baseurl::parse_base_url("http://example.com/services/v2").is_err());
/// ```
pub fn parse_base_url(s: &str) -> Result<url::Url> {
    let url = url::Url::parse(s.trim()).map_err(|e| Error::Config(format!("base URL `{s}`: {e}")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!("base URL `{s}` must not have a query or fragment")));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::Config(format!(
            "base URL `{s}`: plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https"
        ))),
        other => Err(Error::Config(format!("base URL `{s}`: unsupported scheme `{other}`"))),
    }
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
