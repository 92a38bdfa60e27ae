//! DNS names: IDN → punycode, wildcard handling and host name checks.

/// Converts a DNS name to the form certificates carry: lowercase ASCII, internationalised labels as punycode
/// (`Bücher.example` → `xn--bcher-kva.example`). A leading `*.` label (wildcard) is kept.
///
/// Fails, with a reason, on names that are not valid host names (empty labels, spaces, labels over 63 octets,
/// names over 253 octets, a `*` anywhere but as the whole leftmost label, ...).
///
/// ```
/// assert_eq!(ssl_csr::to_ascii_name("*.Bücher.Example").unwrap(), "*.xn--bcher-kva.example");
/// assert!(ssl_csr::to_ascii_name("bad name.example").is_err());
/// ```
pub fn to_ascii_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let (wildcard, rest) = match name.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    if rest.contains('*') {
        return Err("`*` is only allowed as the whole leftmost label (`*.example.com`)".into());
    }
    let ascii = idna::domain_to_ascii_strict(rest).map_err(|_| {
        "not a valid host name (letters, digits and hyphens in labels of 1 to 63 characters, 253 at most in all)"
            .to_string()
    })?;
    if ascii.is_empty() {
        return Err("the name is empty".into());
    }
    if !ascii.contains('.') && wildcard {
        return Err("a wildcard needs a domain with at least two labels (`*.example.com`)".into());
    }
    let out = if wildcard { format!("*.{ascii}") } else { ascii };
    if out.len() > 253 {
        return Err("longer than 253 characters".into());
    }
    Ok(out)
}

/// The comparison form of a name: [`to_ascii_name`] when the name is valid, else the trimmed name in lowercase.
pub fn normalize_name(name: &str) -> String {
    to_ascii_name(name).unwrap_or_else(|_| name.trim().to_lowercase())
}

/// True for a wildcard name (`*.example.com`).
pub fn is_wildcard(name: &str) -> bool {
    name.trim_start().starts_with("*.")
}

/// Normalized, deduplicated names, in first-seen order.
pub(crate) fn normalized_set<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = normalize_name(n);
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idn_and_case() {
        assert_eq!(to_ascii_name("WWW.Example.COM").unwrap(), "www.example.com");
        assert_eq!(to_ascii_name("bücher.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(to_ascii_name("xn--bcher-kva.example").unwrap(), "xn--bcher-kva.example");
        assert_eq!(to_ascii_name("日本語.jp").unwrap(), "xn--wgv71a119e.jp");
        assert_eq!(to_ascii_name(" *.example.com ").unwrap(), "*.example.com");
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["", " ", "a b.example", "*.*.example.com", "www.*.example.com", "*", "*.com.", "a..b", "-a.example"]
        {
            assert!(to_ascii_name(bad).is_err(), "{bad:?} should be rejected");
        }
        let long_label = format!("{}.example", "a".repeat(64));
        assert!(to_ascii_name(&long_label).is_err());
    }

    #[test]
    fn normalized_set_dedups() {
        assert_eq!(
            normalized_set(["Bücher.example", "xn--bcher-kva.example", "WWW.example"]),
            vec!["xn--bcher-kva.example", "www.example"]
        );
    }
}
