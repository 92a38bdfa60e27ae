//! What the handle and the inspection API do to the state (callers hold the state lock's turn and save).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::http::StatusCode;
use serde_json::Value;

use crate::kit::app::Shared;
use crate::kit::book::{Action, ActionError, SeedSpec};
use crate::kit::def::ProviderDef;
use crate::knobs::Knobs;
use crate::registry::{PROVIDERS, provider};

fn unknown(name: &str) -> ActionError {
    (StatusCode::NOT_FOUND, format!("the sandbox does not serve `{name}`"))
}

/// Replace every knob (a new seed restarts the token generator; fault draws restart).
pub(crate) fn set_knobs(shared: &Shared, knobs: Knobs) {
    let mut st = shared.state();
    if st.kit.knobs.seed != knobs.seed {
        st.kit.token_rng = None;
    }
    st.kit.fault_rng = None;
    st.kit.knobs = knobs;
}

/// The knobs the sandbox started with.
pub(crate) fn start_knobs(shared: &Shared) -> Knobs {
    Knobs { approval: shared.config.approval, dcv: shared.config.dcv, seed: shared.config.seed, ..Knobs::default() }
}

/// Forget orders, requests, events, DNS, hosts, mail, the clock and rate-limit counts.
pub(crate) fn reset(shared: &Shared) {
    shared.state().reset(start_knobs(shared));
    shared.store.clear_events();
    shared.limiter.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// One inspection action on an order of `provider`.
pub(crate) fn order_action(shared: &Shared, provider_name: &str, id: &str, a: Action) -> Result<Value, ActionError> {
    let p = provider(provider_name).ok_or_else(|| unknown(provider_name))?;
    let mut st = shared.state();
    (p.book.tick)(&mut st);
    (p.book.action)(shared, &mut st, id, a)
}

/// The orders of one provider as JSON, after letting time pass.
pub(crate) fn orders(shared: &Shared, p: &ProviderDef) -> Vec<Value> {
    let mut st = shared.state();
    (p.book.tick)(&mut st);
    (p.book.orders)(&mut st)
}

/// Move the virtual clock: `advance` seconds more, or to `offset` seconds from the real time.
pub(crate) fn move_clock(shared: &Shared, advance: Option<i64>, offset: Option<i64>) -> time::OffsetDateTime {
    let mut st = shared.state();
    if let Some(o) = offset {
        st.kit.clock_offset_secs = o;
    }
    if let Some(a) = advance {
        st.kit.clock_offset_secs = st.kit.clock_offset_secs.saturating_add(a);
    }
    for p in PROVIDERS {
        (p.book.tick)(&mut st);
    }
    st.kit.now()
}

/// Map a host to a loopback address for real HTTP DCV.
pub(crate) fn map_http_host(shared: &Shared, host: &str, addr: SocketAddr) -> Result<(), String> {
    if !addr.ip().is_loopback() {
        return Err(format!("{addr} is not a loopback address; real HTTP DCV only fetches from loopback"));
    }
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return Err("empty host".into());
    }
    shared.state().kit.http_hosts.insert(host, addr);
    Ok(())
}

/// How many orders (of every provider) were placed for each CSR public key (SHA-256 of the DER
/// SubjectPublicKeyInfo, lowercase hex).
pub(crate) fn csr_key_counts(shared: &Shared) -> BTreeMap<String, usize> {
    let mut st = shared.state();
    let mut out = BTreeMap::new();
    for p in PROVIDERS {
        for k in (p.book.keys)(&mut st) {
            *out.entry(k).or_insert(0) += 1;
        }
    }
    out
}

/// Create `spec.count` orders in `spec.stage`; their ids.
pub(crate) fn seed(shared: &Shared, spec: &SeedSpec) -> Result<Vec<String>, ActionError> {
    let p = provider(&spec.provider).ok_or_else(|| unknown(&spec.provider))?;
    if spec.count > 100_000 {
        return Err((StatusCode::BAD_REQUEST, "at most 100000 orders per seed request".into()));
    }
    let mut st = shared.state();
    (p.book.seed)(shared, &mut st, spec).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))
}

/// Follow the approval link of mail `id`: the name passes DCV (the order issues when nothing else waits).
pub(crate) fn approve_mail(shared: &Shared, id: u64) -> Result<Value, ActionError> {
    let mail = {
        let st = shared.state();
        st.kit.mailbox.iter().find(|m| m.id == id).cloned()
    };
    let mail = mail.ok_or_else(|| (StatusCode::NOT_FOUND, format!("no mail {id}")))?;
    let v = order_action(shared, &mail.provider, &mail.order_id, Action::PassDcv(Some(mail.domain.clone())))?;
    if let Some(m) = shared.state().kit.mailbox.iter_mut().find(|m| m.id == id) {
        m.approved = true;
    }
    Ok(v)
}
