//! Base URL checks: `https` everywhere, plain `http` only for loopback hosts (the sandbox, tests), and never a
//! user name or password in the URL (it would be printed wherever the URL is: `Debug`, logs, error texts).

use crate::error::{Error, Result};

/// Parse a base URL (which includes the provider's version prefix) and refuse `http` to non-loopback hosts and
/// `user:pass@` userinfo. Error texts show the URL with any userinfo `[redacted]`.
///
/// ```
/// assert!(ssl_core::baseurl::parse_base_url("https://www.digicert.com/services/v2").is_ok());
/// assert!(ssl_core::baseurl::parse_base_url("http://127.0.0.1:8080/services/v2").is_ok());
/// assert!(ssl_core::baseurl::parse_base_url("http://example.com/services/v2").is_err());
/// let e = ssl_core::baseurl::parse_base_url("https://me:s3cret@api.example/v2").unwrap_err();
/// assert!(!e.to_string().contains("s3cret"));
/// ```
pub fn parse_base_url(s: &str) -> Result<url::Url> {
    let shown = redact_userinfo(s.trim());
    let url = url::Url::parse(s.trim()).map_err(|e| Error::Config(format!("base URL `{shown}`: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(format!(
            "base URL `{shown}` must not contain a user name or password (`user:pass@`): credentials in a URL end up \
             in logs and error messages; give them through the provider's credential settings instead"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!("base URL `{shown}` must not have a query or fragment")));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::Config(format!(
            "base URL `{shown}`: plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https"
        ))),
        other => Err(Error::Config(format!("base URL `{shown}`: unsupported scheme `{other}`"))),
    }
}

/// A documented base URL written in the code (a provider's production or test URL, a region's): parsed, and known
/// to parse.
pub fn fixed(s: &'static str) -> url::Url {
    url::Url::parse(s).unwrap_or_else(|e| unreachable!("the fixed base URL `{s}` does not parse: {e}"))
}

/// The URL text with anything between `://` and the last `@` of the authority replaced by `[redacted]`, so an
/// error can show the URL someone gave without the password in it (also when it does not parse).
///
/// ```
/// use ssl_core::baseurl::redact_userinfo;
/// assert_eq!(redact_userinfo("https://u:p@h.example/v2"), "https://[redacted]@h.example/v2");
/// assert_eq!(redact_userinfo("https://h.example/v2?a=b@c"), "https://h.example/v2?a=b@c");
/// ```
pub fn redact_userinfo(s: &str) -> String {
    let Some(start) = s.find("://").map(|i| i + 3) else { return s.to_owned() };
    let rest = &s[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}{}", &s[..start], crate::request::REDACTED, &rest[at..]),
        None => s.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_refused_and_never_echoed() {
        for s in [
            "https://user:canary-pw-71@api.example/v2",
            "https://canary-pw-71@api.example/v2",
            "http://user:canary-pw-71@127.0.0.1:9/v2",
            "https://user:canary-pw-71@api.example/v2?x=1",
            "ftp://user:canary-pw-71@api.example/v2",
            "https://user:canary pw 71@api.example:notaport/v2",
        ] {
            let e = parse_base_url(s).unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(!text.contains("canary"), "{s}: {text}");
            assert!(text.contains("[redacted]@"), "{s}: {text}");
        }
        let e = parse_base_url("https://user:canary-pw-71@api.example/v2").unwrap_err();
        assert!(e.to_string().contains("user name or password"), "{e}");
    }

    #[test]
    fn redaction_stops_at_the_authority() {
        assert_eq!(redact_userinfo("https://a@b@h/x@y"), "https://[redacted]@h/x@y");
        assert_eq!(redact_userinfo("not a url"), "not a url");
        assert_eq!(redact_userinfo("https://h"), "https://h");
    }
}
