//! DCV instructions from what a provider's answer says: a DNS record line, a file, approver addresses, a state.

use serde_json::Value;

use crate::model::{DcvCheck, DcvInstruction, DcvMethod, DcvStatus, DcvTable, DnsRecord, HttpFile};

/// Parse a one-line DNS record: `NAME CNAME VALUE` or `NAME [IN] TXT VALUE` (quotes and spacing tolerated,
/// trailing dots dropped; names and CNAME values lower case).
pub fn parse_record(record: &str) -> Option<DnsRecord> {
    let tokens: Vec<&str> = record.split_whitespace().collect();
    let at = tokens.iter().position(|t| t.eq_ignore_ascii_case("CNAME") || t.eq_ignore_ascii_case("TXT"))?;
    let name = tokens[..at].iter().rev().find(|t| !t.eq_ignore_ascii_case("IN"))?;
    let value = tokens[at + 1..].join(" ");
    let value = value.trim().trim_matches('"').trim_end_matches('.').to_owned();
    if value.is_empty() {
        return None;
    }
    let cname = tokens[at].eq_ignore_ascii_case("CNAME");
    Some(DnsRecord::new(
        name.trim_end_matches('.').to_ascii_lowercase(),
        tokens[at].to_ascii_uppercase(),
        if cname { value.to_ascii_lowercase() } else { value },
    ))
}

/// What a provider gives for a file check: a full link, or a file name (served under
/// `/.well-known/pki-validation/` of the host), and the content.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct FileParts<'a> {
    /// The full URL, when given (blank is none).
    pub link: Option<&'a str>,
    /// The file name.
    pub filename: Option<&'a str>,
    /// The exact content.
    pub content: Option<&'a str>,
}

impl<'a> FileParts<'a> {
    /// The parts of a file check (each `None` when the provider does not give it).
    pub const fn new(link: Option<&'a str>, filename: Option<&'a str>, content: Option<&'a str>) -> Self {
        Self { link, filename, content }
    }

    /// The file to serve for `host` (a wildcard's base name) over `method`'s scheme (`http`, else `https`).
    pub fn file(&self, method: DcvMethod, host: &str) -> HttpFile {
        let scheme = if method == DcvMethod::Https { "https" } else { "http" };
        let bare = host.trim_start_matches("*.");
        let url = self.link.filter(|l| !l.trim().is_empty()).map(str::to_owned).unwrap_or_else(|| {
            format!("{scheme}://{bare}/.well-known/pki-validation/{}", self.filename.unwrap_or_default())
        });
        HttpFile::new(url, self.content.unwrap_or_default().to_owned())
    }
}

/// The instruction of one host from its wire method (read through `table`: an unknown one is
/// [`DcvCheck::Unknown`], never coerced), with the record line, the file and the approvers the provider gave.
pub fn instruction(
    table: &DcvTable,
    host: &str,
    wire: &str,
    status: DcvStatus,
    (record, file, approvers): (Option<&str>, Option<FileParts<'_>>, Vec<String>),
) -> DcvInstruction {
    let check = match table.neutral(wire) {
        Some(method @ (DcvMethod::Dns | DcvMethod::DnsTxt | DcvMethod::DnsCname)) => {
            DcvCheck::Dns { method, record: record.and_then(parse_record) }
        }
        Some(method @ (DcvMethod::Http | DcvMethod::Https)) => {
            DcvCheck::Http { method, file: file.map(|f| f.file(method, host)) }
        }
        Some(DcvMethod::Email) => DcvCheck::Email { approvers },
        None => DcvCheck::Unknown,
    };
    DcvInstruction::new(host, wire, status, check)
}

/// A DCV state from a provider's value: `true` or one of `valid` is valid, one of `failed` failed, anything else
/// pending. Compared trimmed and lower case.
pub fn state(v: Option<&Value>, valid: &[&str], failed: &[&str]) -> DcvStatus {
    let text = match v {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        Some(Value::Bool(true)) => return DcvStatus::Valid,
        _ => return DcvStatus::Pending,
    };
    if valid.contains(&text.as_str()) {
        DcvStatus::Valid
    } else if failed.contains(&text.as_str()) {
        DcvStatus::Failed
    } else {
        DcvStatus::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: DcvTable =
        DcvTable::new(&[(DcvMethod::Dns, "dns"), (DcvMethod::Https, "https"), (DcvMethod::Email, "email")]);

    #[test]
    fn instructions_follow_the_table_and_never_coerce() {
        let file = FileParts::new(Some(" "), Some("AB.txt"), Some("x"));
        let i = instruction(&TABLE, "*.a.example", "https", DcvStatus::Pending, (None, Some(file), Vec::new()));
        assert_eq!(i.http().map(|f| f.url.as_str()), Some("https://a.example/.well-known/pki-validation/AB.txt"));
        let i = instruction(
            &TABLE,
            "a.example",
            "dns",
            DcvStatus::Valid,
            (Some("x.a.example. IN TXT \"t\""), None, vec![]),
        );
        assert_eq!(i.dns().map(|r| (r.name.as_str(), r.value.as_str())), Some(("x.a.example", "t")));
        let i = instruction(&TABLE, "a.example", "pigeon", DcvStatus::Pending, (None, None, Vec::new()));
        assert_eq!((i.method(), i.provider_method.as_str()), (None, "pigeon"));
        assert_eq!(state(Some(&Value::Bool(true)), &[], &[]), DcvStatus::Valid);
        assert_eq!(state(Some(&serde_json::json!(" Failed ")), &["2"], &["failed"]), DcvStatus::Failed);
        assert_eq!(state(Some(&serde_json::json!(1)), &["2"], &["failed"]), DcvStatus::Pending);
    }
}
