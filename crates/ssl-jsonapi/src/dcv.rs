//! DCV instructions per host, from an order's hidden `dcv` list and its domain resources (`GET /domains/{id}`).
//!
//! | wire method          | neutral     | what to publish                                                                  |
//! |----------------------|-------------|----------------------------------------------------------------------------------|
//! | `VALIDATE_DNS`       | `dns`       | TXT `_dnsauth.<host>` = `token` (DigiCert's record name: Nameshield's authority) |
//! | `VALIDATE_DNS_CNAME` | `dns-cname` | CNAME `<token>.<host>` → `verification_value`                                    |
//! | `VALIDATE_HTTP`      | `http`      | `token_url` (else `http://<host>/.well-known/pki-validation/fileauth.txt`) serving `token` |
//! | `VALIDATE_EMAIL`     | `email`     | one of `base_emails` approves                                                    |
//! | anything else        | `unknown`   | nothing: the raw method is kept in `provider_method`                             |
//!
//! `<host>` is the name without a leading `*.`. The domain resource wins over the order's `dcv` entry for each
//! value; the method comes from the domain, else the entry, else the order's `infos.validation_method`.
//! DCV status: `complete`/`completed`/`valid`/`validated`/`approved` → valid; `pending`/`waiting`/`in_progress`/
//! `processing`/`new` (or none) → pending; `failed`/`rejected`/`expired`/`invalid` → failed; else unknown. Every
//! host of a `DELIVERED` order is valid.

use ssl_core::model::{DcvCheck, DcvInstruction, DcvStatus};

use crate::generated::{Domain, OrderDcvEntry};

/// What is known about one host's DCV, merged from the order and its domain resource.
#[derive(Debug, Default, Clone)]
pub(crate) struct HostDcv {
    pub method: Option<String>,
    pub status: Option<String>,
    pub token: Option<String>,
    pub verification_value: Option<String>,
    pub token_url: Option<String>,
    pub base_emails: Option<Vec<String>>,
}

fn entry_name(e: &OrderDcvEntry) -> Option<&str> {
    e.name.as_deref().or(e.domain.as_deref())
}

/// The DCV facts for `host` from the order's `dcv` list and the domain resources read for the order.
pub(crate) fn host_dcv(host: &str, entries: &[OrderDcvEntry], domains: &[Domain]) -> HostDcv {
    let same = |n: Option<&str>| n.is_some_and(|n| n.eq_ignore_ascii_case(host));
    let mut h = HostDcv::default();
    if let Some(e) = entries.iter().find(|e| same(entry_name(e))) {
        h = HostDcv {
            method: e.validation_method.clone(),
            status: e.status.clone(),
            token: e.token.clone(),
            verification_value: e.verification_value.clone(),
            token_url: e.token_url.clone(),
            base_emails: e.base_emails.clone(),
        };
    }
    if let Some(d) = domains.iter().find(|d| same(d.name.as_deref())) {
        let dcv = d.dcv.clone().unwrap_or_default();
        h.method = d.validation_method.clone().or(h.method);
        h.status = dcv.status.or(h.status);
        h.token = dcv.token.or(h.token);
        h.verification_value = dcv.verification_value.or(h.verification_value);
        h.token_url = dcv.token_url.or(h.token_url);
        h.base_emails = dcv.base_emails.or(h.base_emails);
    }
    h
}

/// A DCV status word as the neutral status.
pub(crate) fn dcv_status(raw: Option<&str>) -> DcvStatus {
    match raw.unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "complete" | "completed" | "valid" | "validated" | "approved" => DcvStatus::Valid,
        "" | "pending" | "waiting" | "in_progress" | "processing" | "new" => DcvStatus::Pending,
        "failed" | "rejected" | "expired" | "invalid" => DcvStatus::Failed,
        _ => DcvStatus::Unknown,
    }
}

/// The instruction for `host`; `default_method` is the order's `infos.validation_method` (or `VALIDATE_DNS`). The
/// records are the kit's token scheme ([`ssl_core::kit::token_check`], DigiCert's, whose reseller Nameshield is),
/// with the file at `token_url` when Nameshield gives one.
pub(crate) fn instruction(host: &str, h: HostDcv, default_method: &str, delivered: bool) -> DcvInstruction {
    let wire = h.method.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| default_method.to_owned());
    let method = crate::neutral::DCV_TABLE.neutral(wire.trim());
    let (token, target) = (h.token.as_deref(), h.verification_value.as_deref());
    let approvers = h.base_emails.clone().unwrap_or_default();
    let mut check = ssl_core::kit::token_check(method, &host.to_ascii_lowercase(), token, target, approvers);
    if let (DcvCheck::Http { file: Some(file), .. }, Some(url)) = (&mut check, h.token_url.clone()) {
        file.url = url;
    }
    let status = if delivered { DcvStatus::Valid } else { dcv_status(h.status.as_deref()) };
    DcvInstruction::new(host, wire, status, check)
}
