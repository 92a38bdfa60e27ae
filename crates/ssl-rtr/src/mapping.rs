//! Pure wire ↔ neutral conversions: telephone numbers, cents, DCV record names, and the status order.

use ssl_core::model::OrderStatus;

use crate::generated::{CertificateStatus, DcvValidation, ProcessStatus, ValidationStatus};

/// E.164 country codes of two digits (one-digit codes are 1 and 7; every other code has three). Country codes are
/// prefix-free, so this splits any international number without separators.
const CC2: &[u8] = &[
    20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62,
    63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
];

/// RTR's `voice` format `+CC.NUMBER` from what people write: `+31 20 1234567`, `+31 (0)20-123 45 67`,
/// `0031201234567`, `+31.201234567`. `None` when it is not an international number RTR accepts.
///
/// ```
/// assert_eq!(ssl_rtr::mapping::normalize_voice("+31 (0)20 123 4567").as_deref(), Some("+31.201234567"));
/// assert_eq!(ssl_rtr::mapping::normalize_voice("+1-212-555-0100").as_deref(), Some("+1.2125550100"));
/// assert_eq!(ssl_rtr::mapping::normalize_voice("020 1234567"), None);
/// ```
pub fn normalize_voice(raw: &str) -> Option<String> {
    let s = raw.trim().replace("(0)", "");
    let rest = s.strip_prefix('+').or_else(|| s.strip_prefix("00"))?;
    if !rest.chars().all(|c| c.is_ascii_digit() || " .-/()".contains(c)) {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let first = *digits.as_bytes().first()?;
    let cc_len = match first {
        b'1' | b'7' => 1,
        b'0' => return None,
        _ if digits.len() >= 2 && CC2.contains(&digits[..2].parse::<u8>().ok()?) => 2,
        _ => 3,
    };
    let national = digits.get(cc_len..)?;
    (!national.is_empty() && national.len() <= 14).then(|| format!("+{}.{national}", &digits[..cc_len]))
}

/// A price in cents as a decimal (`2495` → `24.95`).
///
/// ```
/// assert_eq!(ssl_rtr::mapping::cents(2495), "24.95");
/// assert_eq!(ssl_rtr::mapping::cents(5), "0.05");
/// assert_eq!(ssl_rtr::mapping::cents(-150), "-1.50");
/// ```
pub fn cents(total: i64) -> String {
    let sign = if total < 0 { "-" } else { "" };
    let abs = total.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The fully qualified name of a DCV record: a relative `dnsRecord` (`acme`, `_dnsauth`) is joined to the entry's
/// name (a wildcard's base name); a name already under it, or ending with a dot, is kept.
///
/// ```
/// use ssl_rtr::mapping::dns_record_name;
/// assert_eq!(dns_record_name("acme", "shop.example.com"), "acme.shop.example.com");
/// assert_eq!(dns_record_name("_dnsauth.shop.example.com.", "shop.example.com"), "_dnsauth.shop.example.com");
/// assert_eq!(dns_record_name("_dnsauth", "*.example.com"), "_dnsauth.example.com");
/// ```
pub fn dns_record_name(record: &str, common_name: &str) -> String {
    let base = common_name.trim().trim_end_matches('.').trim_start_matches("*.").to_ascii_lowercase();
    let rec = record.trim();
    if let Some(abs) = rec.strip_suffix('.') {
        return abs.to_ascii_lowercase();
    }
    let lower = rec.to_ascii_lowercase();
    if base.is_empty() || lower == base || lower.ends_with(&format!(".{base}")) {
        lower
    } else {
        format!("{lower}.{base}")
    }
}

/// The URL of a DCV file: `fileLocation` may be a full URL, lack its scheme (`host/path`), or be a bare path.
///
/// ```
/// use ssl_rtr::mapping::file_url;
/// assert_eq!(file_url("a.example/.well-known/pki-validation/x.txt", "a.example"), "http://a.example/.well-known/pki-validation/x.txt");
/// assert_eq!(file_url("/.well-known/pki-validation/x.txt", "a.example"), "http://a.example/.well-known/pki-validation/x.txt");
/// assert_eq!(file_url("https://a.example/x.txt", "a.example"), "https://a.example/x.txt");
/// ```
pub fn file_url(location: &str, common_name: &str) -> String {
    let loc = location.trim();
    if loc.starts_with("http://") || loc.starts_with("https://") {
        loc.to_owned()
    } else if loc.starts_with('/') {
        format!("http://{}{loc}", common_name.trim_start_matches("*."))
    } else {
        format!("http://{loc}")
    }
}

/// The normalized status, evaluated in this order:
/// 1. the process `FAILED` or `INVALID` → rejected, `CANCELLED` → cancelled;
/// 2. a certificate: `ACTIVE`, `REISSUED` and `RENEWED` → issued (a reissued or renewed certificate stays valid
///    until it expires; its successor belongs to the reissue's or renewal's own process), `REVOKED` → revoked,
///    `EXPIRED` → expired, anything else → unknown;
/// 3. no certificate and a process status not in the spec → unknown (kept raw);
/// 4. any DCV entry not `VALIDATED` → pending validation;
/// 5. otherwise processing.
pub fn status(process: &ProcessStatus, certificate: Option<&CertificateStatus>, dcv: &[DcvValidation]) -> OrderStatus {
    match (process, certificate) {
        (ProcessStatus::Failed | ProcessStatus::Invalid, _) => OrderStatus::Rejected,
        (ProcessStatus::Cancelled, _) => OrderStatus::Cancelled,
        (_, Some(CertificateStatus::Active | CertificateStatus::Reissued | CertificateStatus::Renewed)) => {
            OrderStatus::Issued
        }
        (_, Some(CertificateStatus::Revoked)) => OrderStatus::Revoked,
        (_, Some(CertificateStatus::Expired)) => OrderStatus::Expired,
        (_, Some(_)) | (ProcessStatus::Unknown(_), None) => OrderStatus::Unknown,
        _ if dcv.iter().any(|d| d.status != Some(ValidationStatus::Validated)) => OrderStatus::PendingValidation,
        _ => OrderStatus::Processing,
    }
}
