//! Helpers called by generated `validate()` methods. Each check pushes a [`Problem`] (code `required`, `enum`,
//! `length`, `pattern`, `range`, `items`) naming the wire field path, so every violation is reported at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::problem::Problem;

/// Types with field constraints.
pub trait Validate {
    /// Every violated constraint, field paths prefixed with `prefix` (`""` at the top).
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>);

    /// Every violated constraint.
    fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        self.validate_at("", &mut out);
        out
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        if let Some(v) = self {
            v.validate_at(prefix, out);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        for (i, v) in self.iter().enumerate() {
            v.validate_at(&format!("{prefix}[{i}]"), out);
        }
    }
}

/// `a.b` path join.
pub fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() { field.to_owned() } else { format!("{prefix}.{field}") }
}

/// A required string must not be empty.
pub fn required_str(prefix: &str, field: &str, value: &str, out: &mut Vec<Problem>) {
    if value.trim().is_empty() {
        let f = join(prefix, field);
        out.push(Problem::error("required", format!("`{f}` is required and must not be empty")).with_field(f));
    }
}

/// String length in characters within `[min, max]`.
pub fn length(prefix: &str, field: &str, value: &str, min: Option<usize>, max: Option<usize>, out: &mut Vec<Problem>) {
    let n = value.chars().count();
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        let f = join(prefix, field);
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => String::new(),
        };
        out.push(Problem::error("length", format!("`{f}` has {n} characters; {range} allowed")).with_field(f));
    }
}

/// Array length within `[min, max]`.
pub fn items(prefix: &str, field: &str, n: usize, min: Option<usize>, max: Option<usize>, out: &mut Vec<Problem>) {
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        let f = join(prefix, field);
        out.push(Problem::error("items", format!("`{f}` has {n} items; allowed {:?}..={:?}", min, max)).with_field(f));
    }
}

/// Number within `[min, max]`.
pub fn range(prefix: &str, field: &str, value: f64, min: Option<f64>, max: Option<f64>, out: &mut Vec<Problem>) {
    if min.is_some_and(|m| value < m) || max.is_some_and(|m| value > m) {
        let f = join(prefix, field);
        let lo = min.map(|m| m.to_string()).unwrap_or_else(|| "-∞".into());
        let hi = max.map(|m| m.to_string()).unwrap_or_else(|| "∞".into());
        out.push(Problem::error("range", format!("`{f}` is {value}; allowed {lo} to {hi}")).with_field(f));
    }
}

/// Value is one of `allowed`.
pub fn one_of(prefix: &str, field: &str, value: &str, allowed: &[&str], out: &mut Vec<Problem>) {
    if !allowed.contains(&value) {
        let f = join(prefix, field);
        out.push(Problem::error("enum", format!("`{f}` is `{value}`; allowed: {}", allowed.join(", "))).with_field(f));
    }
}

/// Integer value is one of `allowed`.
pub fn one_of_int(prefix: &str, field: &str, value: i64, allowed: &[i64], out: &mut Vec<Problem>) {
    if !allowed.contains(&value) {
        let f = join(prefix, field);
        let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
        out.push(Problem::error("enum", format!("`{f}` is {value}; allowed: {}", list.join(", "))).with_field(f));
    }
}

/// Value matches the (anchored by the caller) regular expression. Compiled once per pattern text (a lookup per
/// call); generated code uses a [`Pattern`] per call site instead (no lookup).
pub fn pattern(prefix: &str, field: &str, value: &str, re: &str, out: &mut Vec<Problem>) {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Option<Compiled>>>>> = OnceLock::new();
    let compiled = {
        let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(cache.entry(re.to_owned()).or_insert_with(|| Arc::new(Compiled::new(re))))
    };
    if !Compiled::matches(compiled.as_ref().as_ref(), value) {
        pattern_problem(prefix, field, value, re, out);
    }
}

/// A spec's `pattern`, compiled on first use and kept (a `static` per generated call site):
/// `static P: Pattern = Pattern::new("^[a-z]+$"); P.check(prefix, "name", value, out);`
///
/// The semantics are regex-lite's (ASCII classes, ASCII case folding; a pattern it cannot compile, such as a
/// lookahead, is not enforced). An ASCII value against an ASCII pattern is matched by the `regex` crate's
/// lazy DFA instead, which agrees with regex-lite there and costs a few instructions per byte instead of
/// hundreds; anything else goes through regex-lite.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Compiled>>,
}

#[derive(Debug)]
struct Compiled {
    lite: regex_lite::Regex,
    /// The same pattern for ASCII values; `None` when the pattern is not ASCII or `regex` refuses it.
    fast: Option<regex::Regex>,
}

impl Compiled {
    /// `None` when regex-lite cannot compile the pattern (it is then not enforced, as before).
    fn new(re: &str) -> Option<Self> {
        let lite = regex_lite::Regex::new(re).ok()?;
        let fast = if re.is_ascii() { regex::Regex::new(re).ok() } else { None };
        Some(Self { lite, fast })
    }

    fn matches(this: Option<&Self>, value: &str) -> bool {
        match this {
            None => true,
            Some(Self { fast: Some(fast), .. }) if value.is_ascii() => fast.is_match(value),
            Some(c) => c.lite.is_match(value),
        }
    }
}

impl Pattern {
    /// A pattern, compiled on first use.
    pub const fn new(source: &'static str) -> Self {
        Self { source, compiled: OnceLock::new() }
    }

    /// The pattern's text.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches (always true for a pattern regex-lite cannot compile).
    pub fn is_match(&self, value: &str) -> bool {
        Compiled::matches(self.compiled.get_or_init(|| Compiled::new(self.source)).as_ref(), value)
    }

    /// Push a `pattern` problem for `field` when `value` does not match.
    pub fn check(&self, prefix: &str, field: &str, value: &str, out: &mut Vec<Problem>) {
        if !self.is_match(value) {
            pattern_problem(prefix, field, value, self.source, out);
        }
    }
}

fn pattern_problem(prefix: &str, field: &str, value: &str, re: &str, out: &mut Vec<Problem>) {
    let f = join(prefix, field);
    out.push(Problem::error("pattern", format!("`{f}` = `{value}` does not match `{re}`")).with_field(f));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_reports_with_its_path() {
        let mut out = Vec::new();
        required_str("certificate", "common_name", " ", &mut out);
        length("", "comments", "abcdef", None, Some(3), &mut out);
        one_of("", "payment_method", "cash", &["balance", "card", "profile"], &mut out);
        one_of_int("", "validity_years", 4, &[1, 2, 3], &mut out);
        pattern("", "custom_expiration_date", "2026/01/01", r"^\d{4}-\d{2}-\d{2}$", &mut out);
        range("", "validity_days", 0.0, Some(1.0), None, &mut out);
        items("", "dns_names", 300, None, Some(250), &mut out);
        let codes: Vec<_> = out.iter().map(|p| (p.code.as_str(), p.field.clone().unwrap())).collect();
        assert_eq!(
            codes,
            vec![
                ("required", "certificate.common_name".to_string()),
                ("length", "comments".into()),
                ("enum", "payment_method".into()),
                ("enum", "validity_years".into()),
                ("pattern", "custom_expiration_date".into()),
                ("range", "validity_days".into()),
                ("items", "dns_names".into()),
            ]
        );
    }

    #[test]
    fn valid_values_pass() {
        let mut out = Vec::new();
        required_str("", "a", "x", &mut out);
        length("", "b", "abc", Some(1), Some(3), &mut out);
        one_of("", "c", "card", &["balance", "card"], &mut out);
        pattern("", "d", "2026-01-01", r"^\d{4}-\d{2}-\d{2}$", &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn the_fast_engine_agrees_with_regex_lite() {
        let patterns = [
            r"^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z][a-z0-9-]{0,61}[a-z0-9])$",
            r"^[a-z0-9_\-+](?:[a-z0-9_\-+.]{0,62}[a-z0-9_\-+])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z][a-z0-9-]{0,61}[a-z0-9])$",
            r"^[^,\s]+$",
            r"^\d{4}-\d{2}-\d{2}$",
            r"^\w+\b.$",
            r"(?i)^[a-k]+$",
            r"^\+[0-9]{1,3}\.[0-9]{1,14}$",
            r"^\S(?:.*\S)?$",
        ];
        let values = [
            "www.example.com",
            "*.example.com",
            "-bad.example.com",
            "a.b",
            "admin+x@example.com",
            ".a@example.com",
            "a,b",
            "a b",
            "2026-01-01",
            "2026-1-01",
            "abc_9!",
            "ABCK",
            "+31.201234567",
            " x",
            "x\x0b",
            "\u{212a}",
            "é.example.com",
            "١٢٣٤-٠١-٠١",
            "",
        ];
        for re in patterns {
            let lite = regex_lite::Regex::new(re).unwrap();
            let p = Pattern::new(re);
            for v in values {
                assert_eq!(p.is_match(v), lite.is_match(v), "{re} on {v:?}");
                let mut out = Vec::new();
                pattern("", "f", v, re, &mut out);
                assert_eq!(out.is_empty(), lite.is_match(v), "{re} on {v:?}");
            }
        }
        // regex-lite cannot compile a lookahead: such a pattern is not enforced.
        assert!(Pattern::new("^(?=.{1,3}$)a+$").is_match("aaaaa"));
    }
}
