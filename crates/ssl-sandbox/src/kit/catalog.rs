//! Judging an order's names by a product of a provider's own catalog (the sandbox's data, written from the provider
//! notes, never the client's tables). The kit finds the problems; each provider words them in its error shape.

use super::wire::valid_hostname;

/// The problems found in a request, `(field or the provider's code, message)`, in the order found: a provider
/// refuses with all of them in its error shape.
pub(crate) type Problems = Vec<(String, String)>;

/// Adding to [`Problems`].
pub(crate) trait AddProblem {
    /// Add the problem `message` on `code`.
    fn add(&mut self, code: &str, message: impl Into<String>);
}

impl AddProblem for Problems {
    fn add(&mut self, code: &str, message: impl Into<String>) {
        self.push((code.to_owned(), message.into()));
    }
}

/// The schema's problems (generated `validate()`) as [`Problems`], each coded by the provider's
/// `code(field, problem code)`.
pub(crate) fn coded(ps: &[ssl_core::Problem], code: impl Fn(&str, &str) -> String) -> Problems {
    ps.iter().map(|p| (code(p.field.as_deref().unwrap_or(""), &p.code), p.message.clone())).collect()
}

/// How many names a product secures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    /// One name, plus its other version for free (`www.` ↔ bare; bare with `*.`): DigiCert's "get both versions of
    /// a domain for free" on single-name products.
    One,
    /// Up to this many names, common name included.
    UpTo(usize),
}

impl Names {
    /// The most names an order can carry.
    pub(crate) fn most(self) -> usize {
        match self {
            Self::One => 2,
            Self::UpTo(n) => n,
        }
    }
}

/// What is wrong with an order's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Issue {
    /// Not a host name.
    NotHostname(String),
    /// A wildcard on a product without wildcards.
    Wildcard(String),
    /// More names than the product takes: `(most, got)`.
    TooMany(usize, usize),
    /// A name given twice.
    Repeated(String),
    /// A wildcard name with a file-based DCV method: `(name, method)`.
    FileWildcard(String, String),
}

/// The other version of `name`: `www.` ↔ bare, and bare for a wildcard.
fn base(name: &str) -> &str {
    name.trim_start_matches("*.").trim_start_matches("www.")
}

/// Everything wrong with `names` (`(name, DCV method)`, common name first) for a product taking `names_rule`
/// names and wildcards when `wildcard`; `file` tells the file-based methods (which cannot validate a wildcard).
pub(crate) fn judge(names: &[(&str, &str)], wildcard: bool, names_rule: Names, file: fn(&str) -> bool) -> Vec<Issue> {
    let mut out = Vec::new();
    for (i, (n, m)) in names.iter().enumerate() {
        if !valid_hostname(n) {
            out.push(Issue::NotHostname((*n).to_owned()));
        }
        if names[..i].iter().any(|(p, _)| p.eq_ignore_ascii_case(n)) {
            out.push(Issue::Repeated((*n).to_owned()));
        }
        if n.starts_with("*.") && !wildcard {
            out.push(Issue::Wildcard((*n).to_owned()));
        }
        if n.starts_with("*.") && file(m) {
            out.push(Issue::FileWildcard((*n).to_owned(), (*m).to_owned()));
        }
    }
    let other_version = names.len() == 2 && base(names[0].0).eq_ignore_ascii_case(base(names[1].0));
    let too_many = match names_rule {
        Names::One => names.len() > 1 && !other_version,
        Names::UpTo(most) => names.len() > most,
    };
    if too_many {
        out.push(Issue::TooMany(if names_rule == Names::One { 1 } else { names_rule.most() }, names.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(m: &str) -> bool {
        m == "http"
    }

    #[test]
    fn one_name_takes_its_other_version_free_and_nothing_else() {
        assert!(judge(&[("example.com", "dns"), ("www.example.com", "dns")], false, Names::One, http).is_empty());
        assert!(judge(&[("www.example.com", "dns"), ("example.com", "dns")], false, Names::One, http).is_empty());
        let two = judge(&[("a.example.com", "dns"), ("b.example.com", "dns")], false, Names::One, http);
        assert_eq!(two, [Issue::TooMany(1, 2)]);
        let three = [("example.com", "dns"), ("www.example.com", "dns"), ("m.example.com", "dns")];
        assert_eq!(judge(&three, false, Names::One, http), [Issue::TooMany(1, 3)]);
        assert_eq!(Names::One.most(), 2);
    }

    #[test]
    fn every_issue_is_found() {
        let names = [("*.example.com", "http"), ("bad host", "dns"), ("*.EXAMPLE.com", "dns")];
        let got = judge(&names, false, Names::UpTo(2), http);
        assert!(got.contains(&Issue::Wildcard("*.example.com".into())));
        assert!(got.contains(&Issue::FileWildcard("*.example.com".into(), "http".into())));
        assert!(got.contains(&Issue::NotHostname("bad host".into())));
        assert!(got.contains(&Issue::Repeated("*.EXAMPLE.com".into())));
        assert!(got.contains(&Issue::TooMany(2, 3)));
        assert!(judge(&[("*.example.com", "dns"), ("example.com", "dns")], true, Names::One, http).is_empty());
    }
}
