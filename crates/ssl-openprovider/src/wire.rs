//! Wire → neutral: statuses, validation details, dates, certificates and product rules (the tables are in the
//! crate docs).

use serde_json::Value;
use ssl_core::model::{
    DcvCheck, DcvInstruction, DcvMethod, DcvStatus, DcvTable, DnsRecord, HttpFile, Order, OrderStatus, ProductRules,
    ValidationLevel, parse_date,
};
use time::Date;

use crate::generated::{self as g, SslOrderStatus};

/// Neutral ↔ wire DCV names: Openprovider's wire names are the neutral ones.
pub const DCV: DcvTable = DcvTable::new(&[
    (DcvMethod::Email, "email"),
    (DcvMethod::Dns, "dns"),
    (DcvMethod::Http, "http"),
    (DcvMethod::Https, "https"),
]);

/// Validation words that mean "this host passed" (case-insensitive).
const VALIDATED: &[&str] = &["validated", "valid", "approved", "verified", "completed", "complete", "done", "issued"];

/// A status value (`"open"`, or an object with `status`) says validated.
fn validated(v: &Value) -> bool {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("status").and_then(Value::as_str).unwrap_or(""),
        Value::Bool(b) => return *b,
        _ => "",
    };
    VALIDATED.iter().any(|w| s.trim().eq_ignore_ascii_case(w))
}

/// The validation state per host from `domain_validation_statuses`: `Some(None)` is the swagger's single object
/// (one state for every host), `Some(Some(map))` a state per host name, `None` nothing said.
fn host_states(o: &g::SslOrder) -> Option<Result<bool, Vec<(String, bool)>>> {
    match o.domain_validation_statuses.as_ref()? {
        Value::Object(m) if m.contains_key("status") && !m.get("status").is_some_and(Value::is_object) => {
            Some(Ok(validated(&Value::Object(m.clone()))))
        }
        Value::Object(m) if !m.is_empty() => {
            Some(Err(m.iter().map(|(h, v)| (h.to_lowercase(), validated(v))).collect()))
        }
        Value::Array(a) if !a.is_empty() => Some(Err(a
            .iter()
            .filter_map(|e| {
                let host = e.get("host_name").or_else(|| e.get("domain")).and_then(Value::as_str)?;
                Some((host.to_lowercase(), validated(e)))
            })
            .collect())),
        _ => None,
    }
}

/// The DCV state of one host.
fn host_status(o: &g::SslOrder, host: &str) -> DcvStatus {
    if o.status == SslOrderStatus::Act {
        return DcvStatus::Valid;
    }
    match host_states(o) {
        Some(Ok(true)) => DcvStatus::Valid,
        Some(Ok(false)) => DcvStatus::Pending,
        Some(Err(hosts)) => match hosts.iter().find(|(h, _)| h.eq_ignore_ascii_case(host)) {
            Some((_, true)) => DcvStatus::Valid,
            Some((_, false)) => DcvStatus::Pending,
            None => DcvStatus::Unknown,
        },
        None => DcvStatus::Unknown,
    }
}

/// The status table of the crate docs.
pub fn status(o: &g::SslOrder) -> OrderStatus {
    match &o.status {
        SslOrderStatus::Act => OrderStatus::Issued,
        SslOrderStatus::Pai => OrderStatus::Draft,
        SslOrderStatus::Req => match host_states(o) {
            Some(Ok(false)) => OrderStatus::PendingValidation,
            Some(Err(hosts)) if hosts.iter().any(|(_, ok)| !ok) => OrderStatus::PendingValidation,
            _ => OrderStatus::Processing,
        },
        SslOrderStatus::Rej | SslOrderStatus::Fai => OrderStatus::Cancelled,
        SslOrderStatus::Exp => OrderStatus::Expired,
        _ => OrderStatus::Unknown,
    }
}

/// A date of an order: `None` for `""`, `0000-00-00 00:00:00` and anything else that is not a date.
pub fn date(s: Option<&str>) -> Option<Date> {
    parse_date(s?)
}

/// When the paid coverage ends: `order_ends_at` when present, else `expiration_date` (the renew window counts
/// from it).
pub fn coverage_ends(o: &g::SslOrder) -> Option<Date> {
    date(o.order_ends_at.as_deref()).or_else(|| date(o.expiration_date.as_deref()))
}

/// Every name of the order: the common name, then `host_names` (lowercase, without repeats).
pub fn names(o: &g::SslOrder) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in o.common_name.iter().chain(o.host_names.iter().flatten()) {
        let n = n.trim().to_lowercase();
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The DNS record of an `additional_data` entry, by the rule of the crate docs: the record type comes from the
/// value (a host name → `CNAME`, anything else → `TXT`); a bare-label record name is relative to the host.
pub fn dns_record(host: &str, d: &g::AdditionalData) -> Option<DnsRecord> {
    let bare = host.trim_start_matches("*.");
    let (name, value) = match (d.dns_record.as_deref(), d.dns_value.as_deref(), d.dns.as_deref()) {
        (Some(r), Some(v), _) => (r.trim().trim_end_matches('.'), v.trim()),
        (_, _, Some(v)) => (bare, v.trim()),
        _ => return None,
    };
    let name = if name.is_empty() {
        bare.to_owned()
    } else if name.eq_ignore_ascii_case(bare)
        || name.to_lowercase().ends_with(&format!(".{bare}"))
        || name.contains('.')
    {
        name.to_owned()
    } else {
        format!("{name}.{bare}")
    };
    let v = value.trim_end_matches('.');
    let host_like = v.contains('.')
        && v.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        && v.rsplit('.').next().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()));
    let record_type = if host_like { "CNAME" } else { "TXT" };
    Some(DnsRecord::new(name, record_type, value))
}

/// The file of an `additional_data` entry: `file_location` (`<host>/.well-known/...`) served over `scheme`, or
/// `url`.
pub fn http_file(method: DcvMethod, d: &g::AdditionalData) -> Option<HttpFile> {
    let content = d.file_contents.clone().or_else(|| d.file_content.clone())?;
    let url = match d.file_location.as_deref().map(str::trim) {
        Some(loc) if loc.contains("://") => loc.to_owned(),
        Some(loc) if !loc.is_empty() => format!("{}://{}", method.as_str(), loc.trim_start_matches('/')),
        _ => d.url.clone()?,
    };
    Some(HttpFile::new(url, content))
}

/// The DCV instructions per host: the method from `domain_validation_methods` (else the order's approver email
/// means `email`), the details from the `additional_data` entry of that host (or the only entry).
pub fn dcv(o: &g::SslOrder) -> Vec<DcvInstruction> {
    let data = o.additional_data.as_deref().unwrap_or_default();
    let approver = o.email_approver.clone().filter(|e| e.contains('@'));
    names(o)
        .into_iter()
        .map(|host| {
            let wire = o
                .domain_validation_methods
                .iter()
                .flatten()
                .find(|m| m.host_name.eq_ignore_ascii_case(&host))
                .map(|m| m.method.as_str().to_owned())
                .or_else(|| approver.as_ref().map(|_| "email".to_owned()))
                .unwrap_or_default();
            let d = data
                .iter()
                .find(|d| d.domain.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(&host)))
                .or_else(|| (data.len() == 1).then(|| &data[0]));
            let check = match DCV.neutral(&wire) {
                Some(DcvMethod::Email) => DcvCheck::Email { approvers: approver.iter().cloned().collect() },
                Some(m @ (DcvMethod::Http | DcvMethod::Https)) => {
                    DcvCheck::Http { method: m, file: d.and_then(|d| http_file(m, d)) }
                }
                Some(m) => DcvCheck::Dns { method: m, record: d.and_then(|d| dns_record(&host, d)) },
                None => DcvCheck::Unknown,
            };
            let st = host_status(o, &host);
            DcvInstruction::new(host, wire, st, check)
        })
        .collect()
}

/// The neutral order of a wire order (the certificate summarized when one is inline).
pub fn order(o: &g::SslOrder) -> Order {
    let mut out = Order::new(crate::NAME, o.id.to_string(), status(o), o.status.as_str());
    let names = names(o);
    out.common_name = names.first().cloned().unwrap_or_default();
    out.dns_names = names;
    out.dcv = dcv(o);
    out.product = (o.product_id.unwrap_or(0) > 0).then(|| o.product_id.unwrap_or(0).to_string());
    out.created = date(o.order_date.as_deref());
    out.coverage_ends = coverage_ends(o);
    out.certificate = leaf(o).and_then(|pem| ssl_core::x509::certificate_info(&pem).ok());
    out.raw = serde_json::to_value(o).ok();
    out
}

/// The leaf certificate, when one is inline.
pub fn leaf(o: &g::SslOrder) -> Option<String> {
    o.certificate.as_deref().and_then(|c| ssl_core::x509::split_pem_certificates(c).into_iter().next())
}

/// Every certificate inline in an order: leaf, intermediates, root.
pub fn pems(o: &g::SslOrder) -> Vec<String> {
    [&o.certificate, &o.intermediate_certificate, &o.root_certificate]
        .into_iter()
        .flatten()
        .flat_map(|c| ssl_core::x509::split_pem_certificates(c))
        .collect()
}

/// A product's rules: validation level from `category` / `validation_method`, wildcard from
/// `is_wildcard_supported` (or `included_domains_count` -1), multi-domain when `max_domains` > 1, periods from
/// `prices` (else `1..=max_period`), every DCV method.
pub fn rules(p: &g::SslProduct) -> ProductRules {
    let level = format!("{} {}", p.category.as_deref().unwrap_or(""), p.validation_method.as_deref().unwrap_or(""));
    let validation = if level.contains("extended") || p.is_extended_validation_supported == Some(true) {
        ValidationLevel::Ev
    } else if level.contains("organization") {
        ValidationLevel::Ov
    } else {
        ValidationLevel::Dv
    };
    let max = p.max_domains.unwrap_or(1).max(1);
    let mut years: Vec<i64> = p.prices.iter().flatten().filter_map(|x| x.period).filter(|y| *y > 0).collect();
    if years.is_empty() {
        years = (1..=p.max_period.unwrap_or(1).clamp(1, 5)).collect();
    }
    years.sort_unstable();
    years.dedup();
    ProductRules::new(p.id.to_string(), p.name.clone().unwrap_or_default(), validation)
        .with_wildcard(p.is_wildcard_supported == Some(true) || p.included_domains_count == Some(-1))
        .with_multi_domain(max > 1)
        .with_max_names(Some(u32::try_from(max).unwrap_or(u32::MAX)))
        .with_periods_months(years.iter().map(|y| u32::try_from(y * 12).unwrap_or(0)).collect())
        .with_dcv_methods(DCV.methods())
}
