//! The HTTP server: one router per registered provider under its real prefix, the inspection API under
//! `/_sandbox`, and the pipeline every request goes through: the state lock (reload before, save after), and for
//! provider requests the auth check, the published rate limits, faults and the request and event logs.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::inspect;
use crate::kit::app::App;
use crate::kit::def::{Failure, Head, ProviderDef, failure};
use crate::kit::order::STALE;
use crate::kit::state::RecordedRequest;
use crate::knobs::{Fault, FaultKind};
use crate::listener::ConnHandle;
use crate::registry::{PROVIDERS, provider_for_path};

/// The whole application.
pub(crate) fn router(app: App) -> Router {
    let mut r = Router::new().nest("/_sandbox", inspect::router(app.clone()));
    for p in PROVIDERS {
        let def: &'static ProviderDef = p;
        let no_route = move |uri: Uri| async move { failure(def, &Failure::NoRoute { path: uri.path().to_owned() }) };
        r = r.nest(p.prefix, p.router(app.clone()).fallback(no_route).method_not_allowed_fallback(no_route));
    }
    r.fallback(|| async {
        (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "no provider is served under this path; GET /_sandbox lists them"})),
        )
    })
    .layer(middleware::from_fn_with_state(app, pipeline))
}

/// Largest request body accepted.
const BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Most of a body kept in the request log.
const LOG_BODY_LIMIT: usize = 64 * 1024;

async fn pipeline(AxState(app): AxState<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let Some(def) = provider_for_path(&path) else {
        // The inspection API (and unknown paths): one turn of the state lock.
        let turn = app.store.begin().await;
        let r = next.run(req).await;
        app.store.save_logged();
        drop(turn);
        return r;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let method = parts.method.as_str().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let conn = parts.extensions.get::<ConnectInfo<ConnHandle>>().map(|c| c.0.clone());
    let forced = parts.headers.get("x-sandbox-fault").and_then(|v| v.to_str().ok()).and_then(Fault::from_header);
    let mut record = RecordedRequest {
        seq: 0,
        at: crate::kit::time::rfc3339(time::OffsetDateTime::now_utc()),
        provider: Some(def.name.to_owned()),
        method: method.clone(),
        path: path.clone(),
        query: (!query.is_empty()).then(|| redact_params(&query, def.secret_params)),
        headers: redact_headers(&parts.headers, def.secret_headers),
        body: log_body(&bytes, &parts.headers, def.secret_params),
        status: 0,
        faults: Vec::new(),
    };
    let mut turn = app.store.begin().await;
    let plan = {
        let mut st = app.state();
        (def.book.tick)(&mut st);
        let k = &mut st.kit;
        crate::knobs::plan(&mut k.knobs, &mut k.fault_rng, forced, Some(def.name), &method, &path)
    };
    record.faults = plan.names.iter().map(|s| (*s).to_owned()).collect();
    if plan.delay_ms > 0 {
        app.store.save_logged();
        drop(turn);
        tokio::time::sleep(Duration::from_millis(plan.delay_ms)).await;
        turn = app.store.begin().await;
    }
    let early = admit(&app, def, &method, &path, &query, &parts.headers, &mut record);
    let terminal = plan.terminal.as_ref().map(|f| f.kind);
    let response = match (early, &plan.terminal) {
        (Some(r), _) => r,
        (None, Some(f)) if f.kind == FaultKind::RateLimit => {
            failure(def, &Failure::RateLimited { retry_after: f.retry_after.unwrap_or(1) })
        }
        (None, Some(f)) if f.kind == FaultKind::ServerError && !f.after_commit => server_error(def, f),
        (None, _) => {
            let req = Request::from_parts(parts, Body::from(bytes));
            let r = STALE.scope(plan.stale, next.run(req)).await;
            match &plan.terminal {
                Some(f) if f.kind == FaultKind::ServerError => server_error(def, f),
                Some(f) if matches!(f.kind, FaultKind::EmptyBody | FaultKind::TruncatedBody) => {
                    cut_body(r, f.kind).await
                }
                _ => r,
            }
        }
    };
    record.status = response.status().as_u16();
    let kept = app.state().kit.record(record);
    app.store.log_event(&kept);
    app.store.save_logged();
    drop(turn);
    if terminal == Some(FaultKind::DropAfterCommit) {
        if let Some(c) = &conn {
            c.kill();
        }
    }
    if plan.delay_after_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.delay_after_ms)).await;
    }
    response
}

/// The auth check and the published rate limits: `Some(answer)` when the request stops here.
fn admit(
    app: &App,
    def: &ProviderDef,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    record: &mut RecordedRequest,
) -> Option<Response> {
    let rel = path.strip_prefix(def.prefix).unwrap_or(path);
    let head = Head { method, path: rel, query, headers };
    let (credential, limits) = {
        let mut st = app.state();
        let credential = if def.public_paths.contains(&rel) {
            "public".to_owned()
        } else {
            match (def.auth)(&head, &mut st) {
                Ok(c) => c,
                Err(r) => return Some(r.into_response()),
            }
        };
        (credential, st.kit.knobs.rate_limits)
    };
    if !limits.enabled {
        return None;
    }
    let mut limiter = app.limiter.lock().unwrap_or_else(|e| e.into_inner());
    match limiter.admit(def.name, &credential, def.rate_limits, limits.scale, Instant::now()) {
        Ok(()) => None,
        Err(retry_after) => {
            record.faults.push("published_rate_limit".into());
            Some(failure(def, &Failure::RateLimited { retry_after }))
        }
    }
}

fn server_error(def: &ProviderDef, f: &Fault) -> Response {
    let status = f.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    match &f.body {
        Some(raw) => (status, [(axum::http::header::CONTENT_TYPE, "text/html")], raw.clone()).into_response(),
        None => failure(def, &Failure::ServerError { status }),
    }
}

/// The same status and headers with an empty body or the first half of the body.
async fn cut_body(r: Response, kind: FaultKind) -> Response {
    let (mut parts, body) = r.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let keep = if kind == FaultKind::EmptyBody { 0 } else { bytes.len() / 2 };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes.slice(..keep)))
}

const ALWAYS_SECRET_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization", "x-dc-devkey", "x-api-key"];

fn redact_headers(headers: &HeaderMap, secret: &[&str]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let n = name.as_str().to_ascii_lowercase();
        let v = if ALWAYS_SECRET_HEADERS.contains(&n.as_str()) || secret.iter().any(|s| s.eq_ignore_ascii_case(&n)) {
            "[redacted]".to_owned()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.entry(n)
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    out
}

/// Redact `name=value` pairs of an urlencoded string.
fn redact_params(q: &str, secret: &[&str]) -> String {
    q.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if secret.iter().any(|s| s.eq_ignore_ascii_case(k)) => format!("{k}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn log_body(bytes: &[u8], headers: &HeaderMap, secret: &[&str]) -> String {
    let cut = &bytes[..bytes.len().min(LOG_BODY_LIMIT)];
    let text = String::from_utf8_lossy(cut).into_owned();
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if form { redact_params(&text, secret) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(redact_params("a=1&auth_key=s3cr3t&b", &["auth_key"]), "a=1&auth_key=[redacted]&b");
        let mut h = HeaderMap::new();
        h.insert("X-DC-DEVKEY", "k".parse().unwrap());
        h.insert("user-agent", "t".parse().unwrap());
        let r = redact_headers(&h, &[]);
        assert_eq!(r["x-dc-devkey"], "[redacted]");
        assert_eq!(r["user-agent"], "t");
    }
}
