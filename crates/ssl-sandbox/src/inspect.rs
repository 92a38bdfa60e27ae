//! The inspection API under `/_sandbox/` (the endpoint table is on [`crate::SandboxHandle::inspect_url`]).
//! Answers are JSON; failures are `{"error": "..."}` with a 4xx status.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use ssl_core::model::DnsRecord;

use crate::control;
use crate::kit::app::App;
use crate::kit::book::{Action, SeedSpec};
use crate::knobs::{Fault, Knobs};
use crate::registry::{PROVIDERS, provider};

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn fail(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

#[allow(clippy::result_large_err, reason = "an early answer of a handler, built once per request")]
fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| fail(StatusCode::BAD_REQUEST, format!("bad JSON body: {e}")))
}

pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/orders", get(all_orders))
        .route("/orders/{provider}", get(provider_orders))
        .route("/orders/{provider}/{id}", get(one_order))
        .route("/orders/{provider}/{id}/approve", post(approve))
        .route("/orders/{provider}/{id}/dcv", post(pass_dcv))
        .route("/orders/{provider}/{id}/reject", post(reject))
        .route("/orders/{provider}/{id}/status", post(raw_status))
        .route("/orders/{provider}/{id}/coverage", post(coverage))
        .route("/catalog/{provider}", get(catalog))
        .route("/mailbox", get(mailbox))
        .route("/mailbox/{id}/approve", get(approve_mail).post(approve_mail))
        .route("/csr-keys", get(csr_keys))
        .route("/seed", post(seed))
        .route("/events", get(events).delete(clear_events))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/ca/root.pem", get(root_pem))
        .route("/ca/intermediate.pem", get(intermediate_pem))
        .route("/knobs", get(get_knobs).put(put_knobs))
        .route("/knobs/faults", post(add_fault).delete(clear_faults))
        .route("/dns", get(get_dns).post(add_dns).delete(clear_dns))
        .route("/http-hosts", get(get_hosts).post(add_host).delete(clear_hosts))
        .route("/reset", post(reset))
        .route("/clock", get(get_clock).post(set_clock))
        .fallback(|| async { fail(StatusCode::NOT_FOUND, "no such inspection endpoint; GET /_sandbox lists them") })
        .with_state(app)
}

async fn index(State(app): State<App>) -> Response {
    let base = format!("http://{}", app.addr);
    let providers: Vec<Value> = PROVIDERS
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "base_url": format!("{base}{}", p.prefix),
                "credentials": p.credentials.iter().map(|(k, v)| json!({"env": k, "value": v})).collect::<Vec<_>>(),
            })
        })
        .collect();
    ok(json!({
        "providers": providers,
        "endpoints": [
            "GET /_sandbox/orders[/{provider}[/{id}]]",
            "POST /_sandbox/orders/{provider}/{id}/approve",
            "POST /_sandbox/orders/{provider}/{id}/dcv",
            "POST /_sandbox/orders/{provider}/{id}/reject",
            "POST /_sandbox/orders/{provider}/{id}/status",
            "POST /_sandbox/orders/{provider}/{id}/coverage",
            "GET /_sandbox/catalog/{provider}",
            "GET /_sandbox/mailbox",
            "GET|POST /_sandbox/mailbox/{id}/approve",
            "GET /_sandbox/csr-keys[?csr=|?key=]",
            "POST /_sandbox/seed",
            "GET|DELETE /_sandbox/events[?provider=&since=]",
            "GET|DELETE /_sandbox/requests[?provider=]",
            "GET /_sandbox/ca/root.pem",
            "GET /_sandbox/ca/intermediate.pem",
            "GET|PUT /_sandbox/knobs",
            "POST|DELETE /_sandbox/knobs/faults",
            "GET|POST|DELETE /_sandbox/dns",
            "GET|POST|DELETE /_sandbox/http-hosts",
            "POST /_sandbox/reset",
            "GET|POST /_sandbox/clock"
        ],
        "knobs": app.state().kit.knobs,
    }))
}

async fn all_orders(State(app): State<App>) -> Response {
    let map: BTreeMap<&str, Vec<Value>> = PROVIDERS.iter().map(|p| (p.name, control::orders(&app, p))).collect();
    ok(json!(map))
}

async fn provider_orders(State(app): State<App>, Path(name): Path<String>) -> Response {
    match provider(&name) {
        Some(p) => ok(Value::Array(control::orders(&app, p))),
        None => fail(StatusCode::NOT_FOUND, format!("the sandbox does not serve `{name}`")),
    }
}

async fn one_order(State(app): State<App>, Path((name, id)): Path<(String, String)>) -> Response {
    let Some(p) = provider(&name) else {
        return fail(StatusCode::NOT_FOUND, format!("the sandbox does not serve `{name}`"));
    };
    let orders = control::orders(&app, p);
    match orders.into_iter().find(|o| o.get("id").map(id_string).as_deref() == Some(id.as_str())) {
        Some(o) => ok(o),
        None => fail(StatusCode::NOT_FOUND, format!("no {name} order `{id}`")),
    }
}

fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn action(app: &App, name: &str, id: &str, a: Action) -> Response {
    match control::order_action(app, name, id, a) {
        Ok(v) => ok(v),
        Err((status, m)) => fail(status, m),
    }
}

async fn approve(State(app): State<App>, Path((name, id)): Path<(String, String)>) -> Response {
    action(&app, &name, &id, Action::Approve)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DcvBody {
    #[serde(default)]
    name: Option<String>,
}

async fn pass_dcv(State(app): State<App>, Path((name, id)): Path<(String, String)>, body: Bytes) -> Response {
    let b: DcvBody = if body.iter().all(u8::is_ascii_whitespace) {
        DcvBody::default()
    } else {
        match parse(&body) {
            Ok(b) => b,
            Err(r) => return r,
        }
    };
    action(&app, &name, &id, Action::PassDcv(b.name.map(|n| n.trim().to_ascii_lowercase())))
}

async fn reject(State(app): State<App>, Path((name, id)): Path<(String, String)>) -> Response {
    action(&app, &name, &id, Action::Reject)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatus {
    raw: Option<String>,
}

async fn raw_status(State(app): State<App>, Path((name, id)): Path<(String, String)>, body: Bytes) -> Response {
    match parse::<RawStatus>(&body) {
        Ok(b) => action(&app, &name, &id, Action::RawStatus(b.raw)),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Coverage {
    ends: String,
}

async fn coverage(State(app): State<App>, Path((name, id)): Path<(String, String)>, body: Bytes) -> Response {
    match parse::<Coverage>(&body) {
        Ok(b) => match crate::kit::time::parse_date(&b.ends) {
            Some(end) => action(&app, &name, &id, Action::CoverageEnd(end)),
            None => fail(StatusCode::BAD_REQUEST, format!("`ends`: `{}` is not a date (YYYY-MM-DD)", b.ends)),
        },
        Err(r) => r,
    }
}

async fn catalog(Path(name): Path<String>) -> Response {
    match provider(&name) {
        Some(p) => ok((p.catalog)()),
        None => fail(StatusCode::NOT_FOUND, format!("the sandbox does not serve `{name}`")),
    }
}

async fn mailbox(State(app): State<App>) -> Response {
    for p in PROVIDERS {
        (p.book.tick)(&mut app.state());
    }
    ok(json!(app.state().kit.mailbox))
}

async fn approve_mail(State(app): State<App>, Path(id): Path<u64>) -> Response {
    match control::approve_mail(&app, id) {
        Ok(v) => ok(v),
        Err((status, m)) => fail(status, m),
    }
}

#[derive(Deserialize)]
struct KeyFilter {
    csr: Option<String>,
    key: Option<String>,
}

async fn csr_keys(State(app): State<App>, Query(f): Query<KeyFilter>) -> Response {
    let counts = control::csr_key_counts(&app);
    let key = match (f.key, f.csr) {
        (Some(k), _) => Some(k.trim().to_ascii_lowercase()),
        (None, Some(csr)) => match crate::ca::parse_csr(&csr) {
            Ok(k) => Some(k.spki_sha256),
            Err(e) => return fail(StatusCode::BAD_REQUEST, format!("csr: {}", e.0)),
        },
        (None, None) => None,
    };
    match key {
        Some(k) => ok(json!({"key": k, "orders": counts.get(&k).copied().unwrap_or(0)})),
        None => ok(json!(counts)),
    }
}

async fn seed(State(app): State<App>, body: Bytes) -> Response {
    let spec: SeedSpec = match parse(&body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match control::seed(&app, &spec) {
        Ok(ids) => ok(json!({"provider": spec.provider, "stage": spec.stage, "ids": ids})),
        Err((status, m)) => fail(status, m),
    }
}

#[derive(Deserialize)]
struct EventFilter {
    provider: Option<String>,
    since: Option<u64>,
}

async fn events(State(app): State<App>, Query(f): Query<EventFilter>) -> Response {
    let list: Vec<_> = app
        .store
        .events()
        .into_iter()
        .filter(|r| f.provider.as_deref().is_none_or(|p| r.provider.as_deref() == Some(p)))
        .filter(|r| f.since.is_none_or(|s| r.seq > s))
        .collect();
    ok(json!(list))
}

async fn clear_events(State(app): State<App>) -> Response {
    app.store.clear_events();
    ok(json!({"cleared": true}))
}

#[derive(Deserialize)]
struct RequestFilter {
    provider: Option<String>,
}

async fn requests(State(app): State<App>, Query(f): Query<RequestFilter>) -> Response {
    let st = app.state();
    let list: Vec<_> = st
        .kit
        .requests
        .iter()
        .filter(|r| f.provider.as_deref().is_none_or(|p| r.provider.as_deref() == Some(p)))
        .collect();
    ok(json!(list))
}

async fn clear_requests(State(app): State<App>) -> Response {
    app.state().kit.requests.clear();
    ok(json!({"cleared": true}))
}

fn pem(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/x-pem-file")], text).into_response()
}

async fn root_pem(State(app): State<App>) -> Response {
    pem(app.ca.root_pem.clone())
}

async fn intermediate_pem(State(app): State<App>) -> Response {
    pem(app.ca.intermediate_pem.clone())
}

async fn get_knobs(State(app): State<App>) -> Response {
    ok(json!(app.state().kit.knobs))
}

async fn put_knobs(State(app): State<App>, body: Bytes) -> Response {
    let knobs: Knobs = match parse(&body) {
        Ok(k) => k,
        Err(r) => return r,
    };
    control::set_knobs(&app, knobs);
    get_knobs(State(app)).await
}

async fn add_fault(State(app): State<App>, body: Bytes) -> Response {
    let fault: Fault = match parse(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    app.state().kit.knobs.faults.push(fault);
    get_knobs(State(app)).await
}

async fn clear_faults(State(app): State<App>) -> Response {
    app.state().kit.knobs.faults.clear();
    get_knobs(State(app)).await
}

async fn get_dns(State(app): State<App>) -> Response {
    ok(json!(app.state().kit.dns))
}

async fn add_dns(State(app): State<App>, body: Bytes) -> Response {
    let mut rec: DnsRecord = match parse(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    rec.record_type = rec.record_type.to_ascii_uppercase();
    if !matches!(rec.record_type.as_str(), "TXT" | "CNAME") {
        return fail(StatusCode::BAD_REQUEST, "record type must be TXT or CNAME");
    }
    app.state().kit.dns.push(rec);
    get_dns(State(app)).await
}

#[derive(Deserialize)]
struct NameFilter {
    name: Option<String>,
    host: Option<String>,
}

async fn clear_dns(State(app): State<App>, Query(f): Query<NameFilter>) -> Response {
    {
        let mut st = app.state();
        match f.name {
            Some(n) => {
                st.kit.dns.retain(|r| !r.name.trim_end_matches('.').eq_ignore_ascii_case(n.trim_end_matches('.')))
            }
            None => st.kit.dns.clear(),
        }
    }
    get_dns(State(app)).await
}

async fn get_hosts(State(app): State<App>) -> Response {
    ok(json!(app.state().kit.http_hosts))
}

#[derive(Deserialize)]
struct HostMapping {
    host: String,
    addr: SocketAddr,
}

async fn add_host(State(app): State<App>, body: Bytes) -> Response {
    let m: HostMapping = match parse(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if let Err(e) = control::map_http_host(&app, &m.host, m.addr) {
        return fail(StatusCode::BAD_REQUEST, e);
    }
    get_hosts(State(app)).await
}

async fn clear_hosts(State(app): State<App>, Query(f): Query<NameFilter>) -> Response {
    {
        let mut st = app.state();
        match f.host {
            Some(h) => {
                st.kit.http_hosts.remove(&h.to_ascii_lowercase());
            }
            None => st.kit.http_hosts.clear(),
        }
    }
    get_hosts(State(app)).await
}

async fn reset(State(app): State<App>) -> Response {
    control::reset(&app);
    ok(json!({"reset": true, "knobs": app.state().kit.knobs}))
}

fn clock_json(app: &App) -> Value {
    let st = app.state();
    json!({"now": crate::kit::time::rfc3339(st.kit.now()), "offset_seconds": st.kit.clock_offset_secs})
}

async fn get_clock(State(app): State<App>) -> Response {
    ok(clock_json(&app))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockMove {
    #[serde(default)]
    advance_seconds: Option<i64>,
    #[serde(default)]
    advance_days: Option<i64>,
    #[serde(default)]
    offset_seconds: Option<i64>,
}

async fn set_clock(State(app): State<App>, body: Bytes) -> Response {
    let m: ClockMove = match parse(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let advance = match (m.advance_seconds, m.advance_days) {
        (None, None) => None,
        (s, d) => Some(s.unwrap_or(0).saturating_add(d.unwrap_or(0).saturating_mul(86_400))),
    };
    control::move_clock(&app, advance, m.offset_seconds);
    ok(clock_json(&app))
}
