//! Real DCV checks (`dcv: "real"`): DNS answers come from the record set kept by the inspection API, HTTP files
//! are fetched from the loopback address the inspection API maps the host to. Nothing leaves the machine.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use ssl_core::model::DnsRecord;

fn norm(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The host without a leading `*.`.
pub(crate) fn bare(host: &str) -> String {
    norm(host.trim_start_matches("*."))
}

/// `host` and its parent domains down to two labels (`a.b.example.com`, `b.example.com`, `example.com`).
pub(crate) fn self_and_parents(host: &str) -> Vec<String> {
    let h = bare(host);
    let labels: Vec<&str> = h.split('.').collect();
    (0..labels.len().saturating_sub(1)).map(|i| labels[i..].join(".")).collect()
}

/// True when a record `name` of `record_type` with exactly `value` (quotes and trailing dots ignored) exists.
pub(crate) fn has_record(records: &[DnsRecord], name: &str, record_type: &str, value: &str) -> bool {
    let clean = |v: &str| norm(v.trim_matches('"'));
    records.iter().any(|r| {
        r.record_type.eq_ignore_ascii_case(record_type)
            && norm(&r.name) == norm(name)
            && clean(&r.value) == clean(value)
    })
}

/// Fetch `http://{host}{path}` from the loopback address `host` is mapped to (no redirects, 5 s timeout).
pub(crate) async fn fetch_http(hosts: &BTreeMap<String, SocketAddr>, host: &str, path: &str) -> Result<String, String> {
    let host = bare(host);
    let Some(addr) = hosts.get(&host).copied() else {
        return Err(format!("{host} is not mapped to a loopback address (POST /_sandbox/http-hosts)"));
    };
    if !addr.ip().is_loopback() {
        return Err(format!("{host} maps to {addr}, which is not loopback"));
    }
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .resolve(&host, addr)
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    // No port in the URL: `resolve` then connects to the mapped address's port while `Host` stays the bare host,
    // as a CA's fetch to port 80 would send it.
    let url = format!("http://{host}{path}");
    let resp = client.get(&url).send().await.map_err(|e| format!("GET {url} failed: {e}"))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("GET {url} answered {status}"));
    }
    resp.text().await.map_err(|e| format!("GET {url}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_and_records() {
        assert_eq!(self_and_parents("*.a.example.com"), vec!["a.example.com", "example.com"]);
        let recs = vec![DnsRecord {
            name: "_dnsauth.example.com.".into(),
            record_type: "txt".into(),
            value: "\"abc\"".into(),
        }];
        assert!(has_record(&recs, "_dnsauth.Example.com", "TXT", "abc"));
        assert!(!has_record(&recs, "_dnsauth.example.com", "CNAME", "abc"));
    }
}
