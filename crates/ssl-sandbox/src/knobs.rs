//! Run-time knobs: approval, DCV mode, session expiry, the published rate limits and fault injection.
//!
//! Knobs are JSON (`GET`/`PUT /_sandbox/knobs`, [`crate::SandboxHandle::set_knobs`]):
//!
//! ```json
//! {
//!   "approval": "skip",            // or "required": new orders stay `needs_approval` until approved
//!   "dcv": "auto",                 // or "manual" | "real"
//!   "seed": 42,                    // optional: makes `probability` honoured and tokens reproducible
//!   "session_calls": 3,            // optional: a login key (GoGetSSL `auth_key`) serves 3 calls, then expires
//!   "rate_limits": {"enabled": true, "scale": 1.0},  // the providers' published limits; scale multiplies windows
//!   "faults": [
//!     {"kind": "rate_limit", "retry_after": 2, "provider": "digicert", "method": "POST",
//!      "path": "/order/certificate", "times": 1},
//!     {"kind": "server_error", "status": 503, "after_commit": false, "times": 2},
//!     {"kind": "delay", "delay_ms": 1500, "probability": 0.5},
//!     {"kind": "drop_after_commit", "method": "POST", "path": "/order/certificate/", "times": 1},
//!     {"kind": "delay_after_commit", "delay_ms": 3000, "method": "POST", "times": 1},
//!     {"kind": "empty_body", "method": "GET", "times": 1},
//!     {"kind": "truncated_body", "times": 1},
//!     {"kind": "stale_status", "path": "/order/certificate/", "times": 2}
//!   ]
//! }
//! ```
//!
//! Every fault is off unless listed. Filters (`provider`, `method`, `path` as a substring of the request path,
//! prefix included) are optional; `times` counts how often the fault fires (absent: every matching request);
//! `probability` (0..=1) is honoured only when `seed` is set, so runs stay deterministic; without a seed the
//! fault fires on every match. `fired` counts how often it did (read back through `GET /_sandbox/knobs`).
//! Faults are checked in order: every matching `delay` and `delay_after_commit` adds up, `stale_status` applies
//! alongside, then the first other matching fault wins.
//!
//! | kind | effect |
//! |---|---|
//! | `rate_limit` | 429 in the provider's shape with `Retry-After: retry_after` (default 1), nothing done |
//! | `server_error` | `status` (default 503) in the provider's shape (or the raw `body`); with `after_commit` the request is carried out first |
//! | `delay` | wait `delay_ms` (default 1000) before handling |
//! | `delay_after_commit` | carry the request out and save, then wait `delay_ms` before answering |
//! | `drop_after_commit` | carry the request out, then close the connection without an answer |
//! | `empty_body` | carry the request out, answer its status with an empty body |
//! | `truncated_body` | carry the request out, answer its status with the first half of the body |
//! | `stale_status` | orders read by this request show the status before their current one |
//!
//! A single request can force a fault with the header `X-Sandbox-Fault`: a fault kind or a fault object as above.

use serde::{Deserialize, Serialize};

/// Whether new orders wait for an approver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// Orders go straight to validation (default).
    #[default]
    Skip,
    /// Orders stay in the provider's approval status until approved through the inspection API (an order that
    /// asks to skip approval itself, e.g. DigiCert `skip_approval: true`, still skips it).
    Required,
}

/// How domain control validation passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DcvMode {
    /// Passes on the next DCV check the client asks for (default).
    #[default]
    Auto,
    /// Passes only once the inspection API marks it passed.
    Manual,
    /// Really checks: DNS records from the set kept by the inspection API, HTTP files fetched from the loopback
    /// address the inspection API maps the host to. Email DCV behaves as in `manual`.
    Real,
}

/// What a fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 429 in the provider's error shape, with `Retry-After: <retry_after>` seconds.
    RateLimit,
    /// HTTP `status` (default 503) in the provider's error shape; with `after_commit` the request is carried out
    /// (an order is stored) before the error is returned.
    ServerError,
    /// Wait `delay_ms` before handling the request.
    Delay,
    /// Carry the request out (store the order), then close the connection without sending a response.
    DropAfterCommit,
    /// Carry the request out and save, then wait `delay_ms` before answering (a client timing out now leaves
    /// the order with the provider).
    DelayAfterCommit,
    /// Carry the request out, answer with its status and an empty body.
    EmptyBody,
    /// Carry the request out, answer with its status and the first half of its body.
    TruncatedBody,
    /// Orders read by the request show their previous status.
    StaleStatus,
}

impl FaultKind {
    /// Whether it decides the answer (only one such fault applies per request).
    pub(crate) fn is_terminal(self) -> bool {
        !matches!(self, Self::Delay | Self::DelayAfterCommit | Self::StaleStatus)
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RateLimit => "rate_limit",
            Self::ServerError => "server_error",
            Self::Delay => "delay",
            Self::DropAfterCommit => "drop_after_commit",
            Self::DelayAfterCommit => "delay_after_commit",
            Self::EmptyBody => "empty_body",
            Self::TruncatedBody => "truncated_body",
            Self::StaleStatus => "stale_status",
        }
    }
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// Only requests to this provider (`digicert`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only requests with this HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Only requests whose path (prefix included) contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How many times it fires; absent: every matching request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Chance to fire per matching request, honoured only with [`Knobs::seed`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// `rate_limit`: the `Retry-After` seconds (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// `server_error`: the status (default 503).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `server_error`: carry the request out first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after_commit: bool,
    /// `server_error`: answer this raw text (e.g. a proxy's HTML page) instead of the provider's error body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `delay`: milliseconds (default 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// How many times it fired (kept by the sandbox).
    #[serde(default)]
    pub fired: u32,
}

impl Fault {
    /// A fault of `kind` on every request, no filters.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            provider: None,
            method: None,
            path: None,
            times: None,
            probability: None,
            retry_after: None,
            status: None,
            after_commit: false,
            body: None,
            delay_ms: None,
            fired: 0,
        }
    }

    /// 429 with `Retry-After: secs`.
    pub fn rate_limit(secs: u64) -> Self {
        Self { retry_after: Some(secs), ..Self::new(FaultKind::RateLimit) }
    }

    /// A 5xx answer.
    pub fn server_error(status: u16) -> Self {
        Self { status: Some(status), ..Self::new(FaultKind::ServerError) }
    }

    /// A delay before handling.
    pub fn delay(ms: u64) -> Self {
        Self { delay_ms: Some(ms), ..Self::new(FaultKind::Delay) }
    }

    /// Store, then drop the connection.
    pub fn drop_after_commit() -> Self {
        Self::new(FaultKind::DropAfterCommit)
    }

    /// Only for `provider`.
    #[must_use]
    pub fn provider(mut self, provider: impl Into<String>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Only for `method`.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only for paths containing `path`.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Fire at most `n` times.
    #[must_use]
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Fire with probability `p` (needs a seed).
    #[must_use]
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
    }

    /// Answer the 5xx with this raw text instead of the provider's error body.
    #[must_use]
    pub fn raw_body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Carry the request out before answering with the 5xx.
    #[must_use]
    pub fn after_commit(mut self) -> Self {
        self.after_commit = true;
        self
    }

    /// True when the filters match and the fault has firings left.
    pub(crate) fn matches(&self, provider: Option<&str>, method: &str, path: &str) -> bool {
        if self.times.is_some_and(|t| self.fired >= t) {
            return false;
        }
        if let Some(p) = &self.provider {
            if !provider.is_some_and(|x| x.eq_ignore_ascii_case(p)) {
                return false;
            }
        }
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        if let Some(s) = &self.path {
            if !path.contains(s.as_str()) {
                return false;
            }
        }
        true
    }

    /// Parse the `X-Sandbox-Fault` header: a kind name or a fault object.
    pub(crate) fn from_header(value: &str) -> Option<Self> {
        let v = value.trim();
        if v.starts_with('{') {
            return serde_json::from_str(v).ok();
        }
        let kind: FaultKind = serde_json::from_value(serde_json::Value::String(v.to_owned())).ok()?;
        Some(Self::new(kind))
    }
}

/// Every knob, replaced as a whole by [`crate::SandboxHandle::set_knobs`] and `PUT /_sandbox/knobs`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// Approval of new orders.
    pub approval: Approval,
    /// DCV mode.
    pub dcv: DcvMode,
    /// Seed for every random choice (fault probabilities, DCV tokens); absent: tokens are random and
    /// probabilities ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Fault rules, checked in order.
    pub faults: Vec<Fault>,
    /// Login sessions (GoGetSSL's `auth_key`) expire after serving this many calls; absent: never. The next
    /// call with an expired key gets the provider's "invalid or expired key" error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_calls: Option<u32>,
    /// The providers' published rate limits.
    pub rate_limits: RateLimits,
    /// The starting balance of accounts that pay from one (GoGetSSL, EUR); absent: the provider's default
    /// (`gogetssl::START_BALANCE`). Large runs (the journal's 1,000-order money-safety suite) raise it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<f64>,
}

/// The providers' published rate limits (per credential, rolling windows; see [`crate::kit::limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// Enforce them (default true).
    pub enabled: bool,
    /// Multiply every window by this (default 1.0; 0.01 makes DigiCert's 5 s window 50 ms).
    pub scale: f64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self { enabled: true, scale: 1.0 }
    }
}

impl Knobs {
    /// Add a fault.
    #[must_use]
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }
}

/// What the fault rules decided for one request.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultPlan {
    /// Wait before handling.
    pub delay_ms: u64,
    /// Wait after handling and saving.
    pub delay_after_ms: u64,
    /// Show previous statuses.
    pub stale: bool,
    /// The one fault that decides the answer.
    pub terminal: Option<Fault>,
    /// Names of every fault applied.
    pub names: Vec<&'static str>,
}

/// Decide the faults for one request, counting the firings. `rng` is the seeded generator state (present only
/// with a seed).
pub(crate) fn plan(
    knobs: &mut Knobs,
    rng: &mut Option<u64>,
    forced: Option<Fault>,
    provider: Option<&str>,
    method: &str,
    path: &str,
) -> FaultPlan {
    let mut plan = FaultPlan::default();
    let take = |f: &Fault, plan: &mut FaultPlan| -> bool {
        match f.kind {
            FaultKind::Delay | FaultKind::DelayAfterCommit | FaultKind::StaleStatus => {
                match f.kind {
                    FaultKind::Delay => plan.delay_ms += f.delay_ms.unwrap_or(1000),
                    FaultKind::DelayAfterCommit => plan.delay_after_ms += f.delay_ms.unwrap_or(1000),
                    _ => plan.stale = true,
                }
                plan.names.push(f.kind.as_str());
                true
            }
            _ if plan.terminal.is_none() => {
                plan.names.push(f.kind.as_str());
                plan.terminal = Some(f.clone());
                true
            }
            _ => false,
        }
    };
    if let Some(f) = forced {
        take(&f, &mut plan);
    }
    let seeded = knobs.seed.is_some();
    for f in knobs.faults.iter_mut() {
        if !f.matches(provider, method, path) || (f.kind.is_terminal() && plan.terminal.is_some()) {
            continue;
        }
        if let (Some(p), true) = (f.probability, seeded) {
            let mut r = fastrand::Rng::with_seed(rng.unwrap_or(knobs.seed.unwrap_or(0)));
            let draw = r.f64();
            *rng = Some(r.get_seed());
            if draw >= p {
                continue;
            }
        }
        if take(f, &mut plan) {
            f.fired += 1;
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_defaults() {
        let k: Knobs = serde_json::from_str(
            r#"{"approval":"required","dcv":"real","faults":[{"kind":"rate_limit","retry_after":3,"times":1}]}"#,
        )
        .unwrap();
        assert_eq!(k.approval, Approval::Required);
        assert_eq!(k.dcv, DcvMode::Real);
        assert_eq!(k.faults[0], Fault::rate_limit(3).times(1));
        assert!(serde_json::from_str::<Knobs>(r#"{"faults":[{"kind":"nope"}]}"#).is_err());
        assert!(serde_json::from_str::<Knobs>(r#"{"bogus":1}"#).is_err());
        assert_eq!(serde_json::from_str::<Knobs>("{}").unwrap(), Knobs::default());
    }

    #[test]
    fn times_filters_and_order() {
        let mut k = Knobs::default()
            .fault(Fault::delay(5).method("GET"))
            .fault(Fault::rate_limit(1).provider("digicert").path("/order").times(1))
            .fault(Fault::server_error(502));
        let mut rng = None;
        let p = plan(&mut k, &mut rng, None, Some("digicert"), "GET", "/services/v2/order/certificate/1");
        assert_eq!(p.delay_ms, 5);
        assert_eq!(p.terminal.unwrap().kind, FaultKind::RateLimit);
        let p = plan(&mut k, &mut rng, None, Some("digicert"), "POST", "/services/v2/order/certificate/1");
        assert_eq!(p.delay_ms, 0);
        assert_eq!(p.terminal.unwrap().status, Some(502));
        assert_eq!(k.faults[1].fired, 1);
    }

    #[test]
    fn probability_needs_a_seed_and_is_deterministic() {
        let run = |seed: Option<u64>| {
            let mut k = Knobs { seed, ..Knobs::default() }.fault(Fault::server_error(500).probability(0.5));
            let mut rng = None;
            (0..32).map(|_| plan(&mut k, &mut rng, None, None, "GET", "/").terminal.is_some()).collect::<Vec<_>>()
        };
        assert!(run(None).iter().all(|f| *f));
        let a = run(Some(7));
        assert_eq!(a, run(Some(7)));
        assert!(a.iter().any(|f| *f) && a.iter().any(|f| !*f));
    }

    #[test]
    fn delays_and_stale_statuses_go_alongside_the_answering_fault() {
        let mut k = Knobs::default()
            .fault(Fault { delay_ms: Some(7), ..Fault::new(FaultKind::DelayAfterCommit) })
            .fault(Fault::new(FaultKind::StaleStatus))
            .fault(Fault::new(FaultKind::EmptyBody))
            .fault(Fault::new(FaultKind::TruncatedBody));
        let p = plan(&mut k, &mut None, None, None, "GET", "/");
        assert_eq!((p.delay_after_ms, p.stale), (7, true));
        assert_eq!(p.terminal.unwrap().kind, FaultKind::EmptyBody);
        assert_eq!(p.names, ["delay_after_commit", "stale_status", "empty_body"]);
        let k: Knobs = serde_json::from_str(r#"{"rate_limits":{"scale":0.5}}"#).unwrap();
        assert_eq!(k.rate_limits, RateLimits { enabled: true, scale: 0.5 });
    }

    #[test]
    fn header_forms() {
        assert_eq!(Fault::from_header("rate_limit").unwrap().kind, FaultKind::RateLimit);
        assert_eq!(Fault::from_header(r#"{"kind":"server_error","status":500}"#).unwrap().status, Some(500));
        assert!(Fault::from_header("nope").is_none());
    }
}
