//! Matching a journal entry against the orders a provider lists.
//!
//! A listed order is **the** order of an entry when either
//! - the public key of the CSR the provider echoes equals the entry's CSR key (providers reformat CSRs, so the
//!   key is compared, never the text), or
//! - the provider echoes a customer reference equal to the entry's own reference (only a caller's
//!   `--reference` is ever sent, and only where the API has a field for it).
//!
//! An order whose names include the entry's common name but that echoes neither a CSR nor a reference can be
//! neither matched nor ruled out: it makes the listing unusable for that entry, and nothing is re-sent.

use ssl_core::model::Order;

use crate::csr_key::csr_key_digest_str;
use crate::entry::Entry;
use crate::reference::canonical_name;

/// What the journal reads from one listed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The provider's order id.
    pub order_id: String,
    /// Every name, canonical.
    pub names: Vec<String>,
    /// SPKI SHA-256 of the echoed CSR.
    pub csr_key: Option<String>,
    /// The echoed customer reference.
    pub reference: Option<String>,
}

impl Listed {
    /// Read a neutral order: names from `dns_names`/`common_name`, the CSR and reference from the order's own fields
    /// when it has them, else from the provider's raw answer (`csr`, `csr_code`, `certificate.csr`, any string that
    /// holds a PEM CSR; `order_reference`, `client_reference`, `customer_reference`).
    pub fn from_order(o: &Order) -> Self {
        let mut names: Vec<String> = o.dns_names.iter().map(|n| canonical_name(n)).collect();
        if !o.common_name.is_empty() {
            names.push(canonical_name(&o.common_name));
        }
        names.sort();
        names.dedup();
        let raw = o.raw.as_ref();
        Self {
            order_id: o.order_id.clone(),
            names,
            csr_key: raw.and_then(find_csr).and_then(|c| csr_key_digest_str(&c)),
            reference: o.client_reference.clone().filter(|r| !r.is_empty()).or_else(|| raw.and_then(find_reference)),
        }
    }
}

fn find_csr(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Object(m) => {
            for key in ["csr", "csr_code", "csrCode"] {
                if let Some(serde_json::Value::String(s)) = m.get(key) {
                    if !s.trim().is_empty() {
                        return Some(s.clone());
                    }
                }
            }
            m.values().find_map(find_csr)
        }
        serde_json::Value::Array(a) => a.iter().find_map(find_csr),
        serde_json::Value::String(s) if s.contains("CERTIFICATE REQUEST-----") => Some(s.clone()),
        _ => None,
    }
}

fn find_reference(v: &serde_json::Value) -> Option<String> {
    let m = v.as_object()?;
    ["order_reference", "client_reference", "customer_reference"]
        .iter()
        .find_map(|k| m.get(*k).and_then(|x| x.as_str()).filter(|s| !s.is_empty()).map(str::to_owned))
        .or_else(|| m.get("attributes").and_then(find_reference))
}

/// The verdict on one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// This order is the entry's.
    Found(String),
    /// No listed order can be the entry's.
    Absent,
    /// Orders with the entry's name that cannot be compared (no CSR, no reference echoed): their ids.
    Undecidable(Vec<String>),
}

/// Decide whether the listing holds the entry's order.
pub fn judge(entry: &Entry, listed: &[Listed]) -> Verdict {
    let cn = canonical_name(&entry.intent.common_name);
    let mut unclear = Vec::new();
    for l in listed {
        let key_match = matches!((&l.csr_key, &entry.intent.csr_key), (Some(a), Some(b)) if a == b);
        let ref_match = l.reference.as_deref() == Some(entry.intent.reference.as_str());
        if key_match || ref_match {
            return Verdict::Found(l.order_id.clone());
        }
        if l.csr_key.is_none() && l.reference.is_none() && (l.names.is_empty() || l.names.contains(&cn)) {
            unclear.push(l.order_id.clone());
        }
    }
    if unclear.is_empty() { Verdict::Absent } else { Verdict::Undecidable(unclear) }
}
