//! The HTTP server: one router per provider under its real prefix, the inspection API under `/_sandbox`, and
//! the pipeline every provider request goes through (faults, request log, save).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::ca::Ca;
use crate::knobs::{Fault, FaultKind, Knobs};
use crate::listener::ConnHandle;
use crate::state::{RecordedRequest, State, Store};
use crate::{SandboxConfig, inspect};

/// Shared by every handler.
#[derive(Debug)]
pub(crate) struct Shared {
    pub ca: Ca,
    pub store: Store,
    pub config: SandboxConfig,
    pub addr: SocketAddr,
}

pub(crate) type App = Arc<Shared>;

/// What the inspection API can do to one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderAction {
    Approve,
    PassDcv,
    Reject,
}

/// An inspection-API failure: status and message.
pub(crate) type ActionError = (StatusCode, String);

/// One provider's wire protocol.
pub(crate) struct ProviderDef {
    /// `digicert`, ...
    pub name: &'static str,
    /// Real path prefix (`/services/v2`).
    pub prefix: &'static str,
    /// `(environment variable, value)` the sandbox accepts.
    pub credentials: &'static [(&'static str, &'static str)],
    /// Header names whose values are redacted in the request log (lowercase).
    pub secret_headers: &'static [&'static str],
    /// Query / form parameter names whose values are redacted in the request log.
    pub secret_params: &'static [&'static str],
    /// The routes, relative to the prefix.
    pub router: fn(App) -> Router,
    /// A 429 or 5xx in the provider's own shape for a fault.
    pub fault_response: fn(&Fault) -> Response,
    /// Orders as JSON for the inspection API.
    pub orders: fn(&State) -> Vec<Value>,
    /// Approve / pass DCV / reject.
    pub order_action: fn(&Shared, &mut State, &str, OrderAction) -> Result<Value, ActionError>,
    /// Let time pass (expiry against the virtual clock); run before every request and inspection read.
    pub tick: fn(&mut State),
}

/// Every provider the sandbox serves.
pub(crate) static PROVIDERS: &[ProviderDef] = &[crate::digicert::DEF, crate::gogetssl::DEF];

pub(crate) fn provider(name: &str) -> Option<&'static ProviderDef> {
    PROVIDERS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

fn provider_for_path(path: &str) -> Option<&'static ProviderDef> {
    PROVIDERS.iter().find(|p| path == p.prefix || path.strip_prefix(p.prefix).is_some_and(|r| r.starts_with('/')))
}

impl Shared {
    pub fn set_knobs(&self, knobs: Knobs) {
        {
            let mut st = self.store.lock();
            if st.knobs.seed != knobs.seed {
                st.token_rng = None;
            }
            st.fault_rng = None;
            st.knobs = knobs;
        }
        self.store.save_logged();
    }

    pub fn start_knobs(&self) -> Knobs {
        Knobs {
            approval: self.config.approval,
            dcv: self.config.dcv,
            seed: self.config.seed,
            faults: Vec::new(),
            ..Knobs::default()
        }
    }

    pub fn reset(&self) {
        self.store.lock().reset(self.start_knobs());
        self.store.save_logged();
    }

    pub fn order_action(&self, provider_name: &str, id: &str, action: OrderAction) -> Result<Value, ActionError> {
        let p = provider(provider_name)
            .ok_or_else(|| (StatusCode::NOT_FOUND, format!("the sandbox does not serve `{provider_name}`")))?;
        let out = {
            let mut st = self.store.lock();
            (p.tick)(&mut st);
            (p.order_action)(self, &mut st, id, action)
        };
        self.store.save_logged();
        out
    }

    /// The orders of one provider as JSON, after letting time pass.
    pub fn orders(&self, p: &ProviderDef) -> Vec<Value> {
        let mut st = self.store.lock();
        (p.tick)(&mut st);
        (p.orders)(&st)
    }

    /// Move the virtual clock: `advance` seconds more, or to `offset` seconds from the real time.
    pub fn move_clock(&self, advance: Option<i64>, offset: Option<i64>) -> time::OffsetDateTime {
        let now = {
            let mut st = self.store.lock();
            if let Some(o) = offset {
                st.clock_offset_secs = o;
            }
            if let Some(a) = advance {
                st.clock_offset_secs = st.clock_offset_secs.saturating_add(a);
            }
            for p in PROVIDERS {
                (p.tick)(&mut st);
            }
            st.now()
        };
        self.store.save_logged();
        now
    }

    pub fn map_http_host(&self, host: &str, addr: SocketAddr) -> Result<(), String> {
        if !addr.ip().is_loopback() {
            return Err(format!("{addr} is not a loopback address; real HTTP DCV only fetches from loopback"));
        }
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return Err("empty host".into());
        }
        self.store.lock().http_hosts.insert(host, addr);
        self.store.save_logged();
        Ok(())
    }
}

/// The whole application.
pub(crate) fn router(app: App) -> Router {
    let mut r = Router::new().nest("/_sandbox", inspect::router(app.clone()));
    for p in PROVIDERS {
        r = r.nest(p.prefix, (p.router)(app.clone()));
    }
    r.fallback(|| async {
        (StatusCode::NOT_FOUND, axum::Json(json!({"errors":[{"code":"not_found|route","message":"Route not found"}]})))
    })
    .layer(middleware::from_fn_with_state(app, pipeline))
}

/// Largest request body accepted.
const BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Most of a body kept in the request log.
const LOG_BODY_LIMIT: usize = 64 * 1024;

/// Faults, request log and save around every request outside `/_sandbox`.
async fn pipeline(AxState(app): AxState<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let provider = provider_for_path(&path);
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response(),
    };
    let method = parts.method.as_str().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let conn = parts.extensions.get::<ConnectInfo<ConnHandle>>().map(|c| c.0.clone());
    let forced = parts.headers.get("x-sandbox-fault").and_then(|v| v.to_str().ok()).and_then(Fault::from_header);
    let plan = {
        let mut st = app.store.lock();
        let st = &mut *st;
        if let Some(p) = provider {
            (p.tick)(st);
        }
        if provider.is_some() {
            crate::knobs::plan(&mut st.knobs, &mut st.fault_rng, forced, provider.map(|p| p.name), &method, &path)
        } else {
            Default::default()
        }
    };
    let record = RecordedRequest {
        seq: 0,
        at: crate::digicert::rfc3339(time::OffsetDateTime::now_utc()),
        provider: provider.map(|p| p.name.to_owned()),
        method: method.clone(),
        path: path.clone(),
        query: query.as_deref().map(|q| redact_params(q, provider.map_or(&[][..], |p| p.secret_params))),
        headers: redact_headers(&parts.headers, provider.map_or(&[][..], |p| p.secret_headers)),
        body: log_body(&bytes, &parts.headers, provider.map_or(&[][..], |p| p.secret_params)),
        status: 0,
        faults: plan.names.iter().map(|s| (*s).to_owned()).collect(),
    };
    if plan.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(plan.delay_ms)).await;
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    let response = match (&plan.terminal, provider) {
        (Some(f), Some(p)) => match f.kind {
            FaultKind::RateLimit => (p.fault_response)(f),
            FaultKind::ServerError => {
                if f.after_commit {
                    let _ = next.run(req).await;
                }
                (p.fault_response)(f)
            }
            FaultKind::DropAfterCommit => {
                let resp = next.run(req).await;
                if let Some(c) = &conn {
                    c.kill();
                }
                resp
            }
            FaultKind::Delay => next.run(req).await,
        },
        _ => next.run(req).await,
    };
    {
        let mut st = app.store.lock();
        st.record(RecordedRequest { status: response.status().as_u16(), ..record });
    }
    app.store.save_logged();
    response
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
            Some((k, _)) if secret.iter().any(|s| s.eq_ignore_ascii_case(k)) => {
                format!("{k}=[redacted]")
            }
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
