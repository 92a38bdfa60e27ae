//! DCV checks. A provider describes what proves control of a name as [`Challenge`]s; with `dcv: "real"` the kit
//! checks them ([`check`]): DNS answers come from the record set kept by the inspection API, HTTP files are
//! fetched from the loopback address the inspection API maps the host to. Nothing leaves the machine.

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

/// One way to prove control of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// A DNS record `name` of `record_type` (`TXT`, `CNAME`) with `value`.
    Record {
        /// Record name.
        name: String,
        /// `TXT` or `CNAME`.
        record_type: &'static str,
        /// Expected value.
        value: String,
    },
    /// A file at `http://{host}{path}` whose body (trimmed, `\r` ignored) is `content`, or contains it when
    /// `contains`.
    File {
        /// Host (no `*.`).
        host: String,
        /// Path.
        path: String,
        /// Expected body.
        content: String,
        /// A body holding `content` is enough.
        contains: bool,
    },
}

/// The file DigiCert-family CAs (DigiCert, GeoTrust, RapidSSL, Thawte) read for HTTP DCV.
pub(crate) const DIGICERT_FILE: &str = "/.well-known/pki-validation/fileauth.txt";

/// A DigiCert-family challenge for `host` by `kind` (`dns` TXT `_dnsauth.<host>` = token, `cname`
/// `<token>.<host>` → `dcv.digicert.com`, `file` [`DIGICERT_FILE`] holding the token) with its display form
/// (`_dnsauth.h IN TXT "t"`, `t.h CNAME dcv.digicert.com`, the file URL).
pub(crate) fn digicert_family(kind: &str, host: &str, token: &str) -> (Challenge, String) {
    let bare = bare(host);
    let record = |name: String, record_type, value: String| {
        let shown =
            if record_type == "TXT" { format!("{name} IN TXT \"{value}\"") } else { format!("{name} CNAME {value}") };
        (Challenge::Record { name, record_type, value }, shown)
    };
    match kind {
        "dns" => record(format!("_dnsauth.{bare}"), "TXT", token.to_owned()),
        "cname" => record(format!("{token}.{bare}"), "CNAME", "dcv.digicert.com".into()),
        _ => {
            let link = format!("http://{bare}{DIGICERT_FILE}");
            (Challenge::File { host: bare, path: DIGICERT_FILE.into(), content: token.into(), contains: true }, link)
        }
    }
}

/// A Sectigo challenge for `host` by `kind` (`dns`: CNAME `_<H32>.<host>` → `<sha[..32]>.<sha[32..]>.<token>.comodoca.com`;
/// else the file `/.well-known/pki-validation/<H32>.txt` = `<SHA256>\r\ncomodoca.com\r\n<token>`; H32 and SHA from the
/// CSR's base64 text) with its display form.
pub(crate) fn sectigo(kind: &str, host: &str, csr: &str, token: &str) -> (Challenge, String) {
    use sha2::Digest as _;
    let compact: String = csr.split_whitespace().collect();
    let sha = hex::encode_upper(sha2::Sha256::digest(compact.as_bytes()));
    let (h32, lower, bare) = (&sha[..32], sha.to_ascii_lowercase(), bare(host));
    if kind == "dns" {
        let (name, value) =
            (format!("_{h32}.{bare}"), format!("{}.{}.{token}.comodoca.com", &lower[..32], &lower[32..]));
        let shown = format!("{name} CNAME {value}");
        return (Challenge::Record { name, record_type: "CNAME", value }, shown);
    }
    let path = format!("/.well-known/pki-validation/{h32}.txt");
    let link = format!("http://{bare}{path}");
    let content = format!("{sha}\r\ncomodoca.com\r\n{token}");
    (Challenge::File { host: bare, path, content, contains: false }, link)
}

/// What the kit keeps for real checks: the DNS records and the HTTP host mappings.
pub(crate) type World<'a> = (&'a [DnsRecord], &'a BTreeMap<String, SocketAddr>);

/// Pass when any of `options` is in place; else the last reason.
pub(crate) async fn check(options: &[Challenge], world: World<'_>) -> Result<(), String> {
    let mut why = "nothing to check".to_owned();
    for c in options {
        match c {
            Challenge::Record { name, record_type, value } => {
                if has_record(world.0, name, record_type, value) {
                    return Ok(());
                }
                why = format!("No {record_type} record {name} with the expected value was found");
            }
            Challenge::File { host, path, content, contains } => match fetch_http(world.1, host, path).await {
                Ok(body) => {
                    let (body, want) = (body.replace('\r', ""), content.replace('\r', ""));
                    if (*contains && body.contains(want.trim())) || body.trim() == want.trim() {
                        return Ok(());
                    }
                    why = format!("The file at http://{host}{path} does not hold the expected content");
                }
                Err(e) => why = e,
            },
        }
    }
    Err(why)
}

/// How a DCV check came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Every name passed.
    Pass,
    /// Waiting (manual mode, an approver's email).
    Wait(String),
    /// A name's record or file is not in place: `(name, why)`.
    Fail(String, String),
}

/// Check names as the knob `dcv` says: `auto` passes, `manual` and email names wait, `real` checks every
/// `(name, email, options)` with [`check`].
pub(crate) async fn verify(
    mode: crate::knobs::DcvMode,
    names: &[(String, bool, Vec<Challenge>)],
    world: World<'_>,
) -> Verdict {
    use crate::knobs::DcvMode;
    match mode {
        DcvMode::Auto => return Verdict::Pass,
        DcvMode::Manual => return Verdict::Wait("waiting for the sandbox's manual DCV approval".into()),
        DcvMode::Real => {}
    }
    for (name, email, options) in names {
        if *email {
            return Verdict::Wait(format!("email DCV of {name} waits for the approver"));
        }
        if let Err(why) = check(options, world).await {
            return Verdict::Fail(name.clone(), why);
        }
    }
    Verdict::Pass
}

/// A name to check: `(name, by email, what proves it)`.
pub(crate) type Check = (String, bool, Vec<Challenge>);

/// The checks for the names of `o` not validated yet (none unless `when`): `email` is the provider's word for
/// email DCV, `proofs` what proves control of a name.
pub(crate) fn checks<X>(
    o: &crate::kit::order::Order<X>,
    when: bool,
    email: &str,
    proofs: impl Fn(&crate::kit::order::Name) -> Vec<Challenge>,
) -> Vec<Check> {
    let open = o.names.iter().filter(|n| when && !n.validated);
    open.map(|n| (n.name.clone(), n.method == email, proofs(n))).collect()
}

/// The mailboxes CAs accept approval emails at for `domain`.
pub(crate) fn approver_addresses(domain: &str) -> Vec<String> {
    ["admin", "administrator", "hostmaster", "postmaster", "webmaster"].map(|u| format!("{u}@{domain}")).to_vec()
}

/// The registrable domain of `host`, as the sandbox guesses it: its last two labels.
pub(crate) fn registrable(host: &str) -> String {
    let host = bare(host);
    let labels: Vec<&str> = host.split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

/// DCV of order `id` of provider `B` by the knob, without holding the state lock while DNS and HTTP are looked at:
/// `pick` chooses, under the lock, the names to check (`Err`: the provider's refusal); each name that passes on
/// its own is marked validated, and the order settles (issues when approved and every name passed). The verdict
/// on all the picked names (none: `Pass`) and whether the order was issued now.
pub(crate) async fn run<B: crate::kit::book::Book>(
    app: &crate::kit::app::Shared,
    id: &str,
    pick: impl FnOnce(&mut B) -> Result<Vec<Check>, crate::kit::def::Refusal>,
) -> Result<(Verdict, bool), crate::kit::def::Refusal> {
    let (mode, checks, dns, hosts) = {
        let mut st = app.state();
        let (part, kit) = st.split::<B>();
        (kit.knobs.dcv, pick(part)?, kit.dns.clone(), kit.http_hosts.clone())
    };
    let (mut verdict, mut passed) = (Verdict::Pass, Vec::new());
    for check in checks {
        match verify(mode, std::slice::from_ref(&check), (&dns, &hosts)).await {
            Verdict::Pass => passed.push(check.0),
            v if verdict == Verdict::Pass || matches!(v, Verdict::Fail(..)) && matches!(verdict, Verdict::Wait(_)) => {
                verdict = v;
            }
            _ => {}
        }
    }
    let mut st = app.state();
    let (part, kit) = st.split::<B>();
    let now = kit.now();
    let Some(o) = part.orders().iter_mut().find(|o| o.id == id.trim() && o.stage.is_open()) else {
        return Ok((verdict, false));
    };
    passed.iter().for_each(|n| o.pass_dcv(Some(n)));
    let issued = o.settle(&app.ca, now).map_err(|e| {
        use axum::response::IntoResponse;
        crate::kit::def::Refusal::from((axum::http::StatusCode::INTERNAL_SERVER_ERROR, e).into_response())
    })?;
    Ok((verdict, issued))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_and_records() {
        assert_eq!(self_and_parents("*.a.example.com"), vec!["a.example.com", "example.com"]);
        let recs = vec![DnsRecord::new("_dnsauth.example.com.", "txt", "\"abc\"")];
        assert!(has_record(&recs, "_dnsauth.Example.com", "TXT", "abc"));
        assert!(!has_record(&recs, "_dnsauth.example.com", "CNAME", "abc"));
    }

    #[tokio::test]
    async fn any_challenge_passes() {
        let recs = vec![DnsRecord::new("b.example.com", "TXT", "t")];
        let hosts = BTreeMap::new();
        let rec = |n: &str| Challenge::Record { name: n.into(), record_type: "TXT", value: "t".into() };
        assert!(check(&[rec("a.example.com"), rec("b.example.com")], (&recs, &hosts)).await.is_ok());
        let file =
            Challenge::File { host: "a.example.com".into(), path: "/f".into(), content: "t".into(), contains: false };
        let e = check(&[rec("a.example.com"), file], (&recs, &hosts)).await.unwrap_err();
        assert!(e.contains("not mapped"), "{e}");
    }
}
