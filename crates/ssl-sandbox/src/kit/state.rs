//! The sandbox's state and its persistence.
//!
//! `State` is the kit's part ([`Kit`]: knobs, clock, random generators, id counters, request log, DNS records,
//! HTTP host mappings, mailbox) plus one typed part per provider (`Part`), kept as JSON under
//! `providers.<name>` in `<dir>/state.json` and made typed on first use: this file names no provider.
//!
//! With a state directory, every request takes an exclusive lock (`<dir>/lock`, `flock`) shared by every process
//! using the directory, reloads `state.json` when another process changed it, applies the request and saves
//! before the lock is released: never last-write-wins. The CA is created under the same lock on first start.
//! Without a directory the state lives in memory only.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ssl_core::model::DnsRecord;

use crate::error::SandboxError;
use crate::files::write_file;
use crate::kit::ids::Ids;
use crate::knobs::Knobs;

/// The `state.json` format this version writes.
pub const FORMAT: u32 = 2;

/// How many requests the request log keeps (oldest dropped first); the event log keeps every one.
pub const REQUEST_LOG_LIMIT: usize = 500;

/// One request a provider API received, credentials redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Sequence number, from 1, never reused (not even after a reset).
    pub seq: u64,
    /// When it arrived (RFC 3339).
    pub at: String,
    /// Provider whose API it hit (`None` for paths outside every provider).
    pub provider: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Path, prefix included.
    pub path: String,
    /// Query string (secrets redacted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Headers, lowercase names; credentials `[redacted]`.
    pub headers: BTreeMap<String, String>,
    /// Body as text (secrets in form bodies redacted; cut at 64 KiB).
    pub body: String,
    /// Status the sandbox answered (for a dropped connection: the status it would have sent).
    pub status: u16,
    /// Faults applied, if any (`rate_limit`, `delay`, ...; `published_rate_limit` for the provider's own limit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
}

/// An approval email the sandbox "sent" (see `GET /_sandbox/mailbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    /// Mail id, from 1.
    pub id: u64,
    /// Provider of the order.
    pub provider: String,
    /// Order id.
    pub order_id: String,
    /// The name to approve.
    pub domain: String,
    /// The approver address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Path (on the sandbox) that approves: `POST` it.
    pub approve_link: String,
    /// When sent (RFC 3339).
    pub sent: String,
    /// Whether the link was followed.
    #[serde(default)]
    pub approved: bool,
}

/// The kit's part of the state.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Kit {
    /// The knobs.
    pub knobs: Knobs,
    /// Seeded generator state for fault probabilities.
    pub fault_rng: Option<u64>,
    /// Seeded generator state for tokens (only with a seed).
    pub token_rng: Option<u64>,
    /// Last request sequence number.
    pub next_request_seq: u64,
    /// The last [`REQUEST_LOG_LIMIT`] requests.
    pub requests: Vec<RecordedRequest>,
    /// DNS records for `real` DCV.
    pub dns: Vec<DnsRecord>,
    /// Host → loopback address for `real` HTTP DCV.
    pub http_hosts: BTreeMap<String, SocketAddr>,
    /// Virtual clock: seconds added to the real time.
    pub clock_offset_secs: i64,
    /// Id counters (kept across resets).
    pub ids: Ids,
    /// Approval emails sent.
    pub mailbox: Vec<Mail>,
    /// Login sessions of providers with session keys (newest last).
    pub sessions: Vec<Session>,
}

/// A login session key (GoGetSSL's `auth_key`, a login token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Provider.
    pub provider: String,
    /// The key.
    pub key: String,
    /// The account it belongs to.
    pub account: String,
    /// Calls it served.
    pub calls: u32,
}

impl Kit {
    /// The sandbox's time: the real time plus the virtual clock offset.
    pub fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() + time::Duration::seconds(self.clock_offset_secs)
    }

    /// A random token of `len` lowercase letters and digits; reproducible with a seed.
    pub fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = match (self.token_rng, self.knobs.seed) {
            (Some(s), _) => fastrand::Rng::with_seed(s),
            (None, Some(seed)) => fastrand::Rng::with_seed(seed ^ 0x5eed_70ce_5eed_70ce),
            (None, None) => fastrand::Rng::new(),
        };
        let s = (0..len).map(|_| ALPHABET[rng.usize(..ALPHABET.len())] as char).collect();
        if self.knobs.seed.is_some() {
            self.token_rng = Some(rng.get_seed());
        }
        s
    }

    /// Number and keep a request (the log keeps the last [`REQUEST_LOG_LIMIT`]).
    pub(crate) fn record(&mut self, mut r: RecordedRequest) -> RecordedRequest {
        self.next_request_seq += 1;
        r.seq = self.next_request_seq;
        self.requests.push(r.clone());
        if self.requests.len() > REQUEST_LOG_LIMIT {
            let extra = self.requests.len() - REQUEST_LOG_LIMIT;
            self.requests.drain(..extra);
        }
        r
    }

    /// A new session key for `account` of `provider` (the 50 newest per provider stay valid).
    pub(crate) fn open_session(&mut self, provider: &str, account: &str) -> String {
        let key = self.token(32);
        self.sessions.push(Session { provider: provider.into(), key: key.clone(), account: account.into(), calls: 0 });
        if self.sessions.iter().filter(|s| s.provider == provider).count() > 50 {
            let oldest = self.sessions.iter().position(|s| s.provider == provider);
            oldest.map(|i| self.sessions.remove(i));
        }
        key
    }

    /// The account of a live session key, counting the call; `None` for an unknown key or one that served the
    /// knob `session_calls` calls already (it is forgotten then).
    pub(crate) fn use_session(&mut self, provider: &str, key: &str) -> Option<String> {
        let i = self.sessions.iter().position(|s| s.provider == provider && s.key == key)?;
        if self.knobs.session_calls.is_some_and(|n| self.sessions[i].calls >= n) {
            self.sessions.remove(i);
            return None;
        }
        self.sessions[i].calls += 1;
        Some(self.sessions[i].account.clone())
    }

    /// "Send" an approval email for `domain` of an order.
    pub(crate) fn mail(&mut self, provider: &str, order_id: &str, domain: &str, to: &str) {
        let id = self.mailbox.last().map_or(1, |m| m.id + 1);
        let sent = crate::kit::time::rfc3339(self.now());
        self.mailbox.push(Mail {
            id,
            provider: provider.to_owned(),
            order_id: order_id.to_owned(),
            domain: domain.to_owned(),
            to: to.to_owned(),
            subject: format!("Approve the certificate for {domain} (order {order_id})"),
            approve_link: format!("/_sandbox/mailbox/{id}/approve"),
            sent,
            approved: false,
        });
    }
}

impl Kit {
    /// Mail (again) the approver of every name of `o` waiting for DCV by `email` (the provider's word for email
    /// DCV); how many were mailed.
    pub(crate) fn mail_waiting<X>(&mut self, provider: &str, o: &crate::kit::order::Order<X>, email: &str) -> usize {
        let waiting: Vec<_> = o.names.iter().filter(|n| !n.validated && n.method == email).collect();
        for n in &waiting {
            self.mail(provider, &o.id, &n.name, n.approver.as_deref().unwrap_or_default());
        }
        waiting.len()
    }
}

/// A provider's typed part of the state.
pub(crate) trait Part: Serialize + DeserializeOwned + Default + Debug + Send + 'static {
    /// The provider's name (the key under `providers` in `state.json`).
    const NAME: &'static str;
}

trait Live: Debug + Send {
    fn to_json(&self) -> Value;
    fn any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Part> Live for T {
    fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[derive(Debug)]
enum Slot {
    Raw(Value),
    Live(Box<dyn Live>),
}

/// The providers' parts, by name: JSON until a provider first uses its part.
#[derive(Debug, Default)]
pub struct Parts(BTreeMap<String, Slot>);

impl Serialize for Parts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let map: BTreeMap<&String, Value> = self
            .0
            .iter()
            .map(|(k, v)| {
                (
                    k,
                    match v {
                        Slot::Raw(v) => v.clone(),
                        Slot::Live(p) => p.to_json(),
                    },
                )
            })
            .collect();
        map.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Parts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, Value>::deserialize(d)?;
        Ok(Self(map.into_iter().map(|(k, v)| (k, Slot::Raw(v))).collect()))
    }
}

/// Everything the sandbox remembers.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    /// Format version of `state.json`.
    pub format: u32,
    /// The kit's part.
    #[serde(flatten)]
    pub kit: Kit,
    /// The providers' parts.
    #[serde(default)]
    pub providers: Parts,
}

impl State {
    fn fresh() -> Self {
        Self { format: FORMAT, ..Self::default() }
    }

    /// Provider `P`'s part (made from its JSON, or the default, on first use) and the kit's part. A saved part
    /// that does not read is refused at start ([`State::check`]); should one appear later (another process with
    /// another version), it is logged and replaced by the default.
    pub(crate) fn split<P: Part>(&mut self) -> (&mut P, &mut Kit) {
        if let Err(e) = self.check::<P>() {
            tracing::error!("{e}; starting it afresh");
            self.providers.0.insert(P::NAME.to_owned(), Slot::Live(Box::new(P::default())));
        }
        let Some(Slot::Live(live)) = self.providers.0.get_mut(P::NAME) else { unreachable!("made live by check") };
        let part = live.any_mut().downcast_mut::<P>();
        (part.unwrap_or_else(|| unreachable!("one type per provider name")), &mut self.kit)
    }

    /// Make provider `P`'s part typed, or say why its saved JSON does not read.
    pub(crate) fn check<P: Part>(&mut self) -> Result<(), String> {
        let slot = self.providers.0.entry(P::NAME.to_owned()).or_insert_with(|| Slot::Raw(Value::Null));
        if let Slot::Raw(v) = slot {
            let part: P = if v.is_null() {
                P::default()
            } else {
                serde_json::from_value(v.clone())
                    .map_err(|e| format!("the saved `{}` state does not read: {e}", P::NAME))?
            };
            *slot = Slot::Live(Box::new(part));
        }
        Ok(())
    }

    /// Forget orders, requests, DNS records, host mappings, mail and the clock; keep the id counters and
    /// the request sequence; knobs become `knobs`.
    pub(crate) fn reset(&mut self, knobs: Knobs) {
        let (ids, seq) = (std::mem::take(&mut self.kit.ids), self.kit.next_request_seq);
        *self = Self::fresh();
        self.kit = Kit { knobs, ids, next_request_seq: seq, ..Kit::default() };
    }
}

/// The state, where it is saved, and the lock shared with other processes.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    dir: Option<PathBuf>,
    /// One request at a time in this process while the directory lock is held.
    gate: tokio::sync::Mutex<()>,
    /// `state.json` as last read or written (length, modification time): reload when it differs.
    stamp: Mutex<Option<(u64, std::time::SystemTime)>>,
    /// Every request (memory mode; with a directory `events.jsonl` holds them).
    events: Mutex<Vec<RecordedRequest>>,
    loaded: bool,
}

/// Held while a request reads and changes the state (with a directory: the `flock`).
pub(crate) struct Turn<'a> {
    _gate: Option<tokio::sync::MutexGuard<'a, ()>>,
    _lock: Option<std::fs::File>,
}

fn read_state(path: &Path) -> Result<State, SandboxError> {
    let text = std::fs::read_to_string(path).map_err(|e| SandboxError::io(path, e))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| SandboxError::State(format!("{} does not parse: {e}", path.display())))?;
    let format = value.get("format").and_then(Value::as_u64).unwrap_or(0);
    if format != u64::from(FORMAT) {
        return Err(SandboxError::State(format!(
            "{} has format {format}, written by another version of ssl-sandbox; this version reads format {FORMAT} \
             only. Start with a new state directory (or delete state.json to keep the CA)",
            path.display()
        )));
    }
    serde_json::from_value(value).map_err(|e| SandboxError::State(format!("{} does not read: {e}", path.display())))
}

impl Store {
    /// Load `dir/state.json` when there is one (taking the directory lock to read it).
    pub fn open(dir: Option<&Path>) -> Result<Self, SandboxError> {
        let mut state = State::fresh();
        let mut loaded = false;
        let mut stamp = None;
        if let Some(dir) = dir {
            let _lock = dir_lock_blocking(dir)?;
            let path = dir.join("state.json");
            if path.exists() {
                state = read_state(&path)?;
                loaded = true;
                stamp = file_stamp(&path);
            }
        }
        Ok(Self {
            state: Mutex::new(state),
            dir: dir.map(Path::to_path_buf),
            gate: tokio::sync::Mutex::new(()),
            stamp: Mutex::new(stamp),
            events: Mutex::new(Vec::new()),
            loaded,
        })
    }

    /// Whether the state came from an existing `state.json`.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// The state (in-process lock only; inside a [`Turn`] with a directory).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start a request: with a directory, wait for the directory lock and reload what another process saved.
    pub async fn begin(&self) -> Turn<'_> {
        let Some(dir) = &self.dir else { return Turn { _gate: None, _lock: None } };
        let gate = self.gate.lock().await;
        let lock = loop {
            match try_dir_lock(dir) {
                Ok(Some(f)) => break Some(f),
                Ok(None) => tokio::time::sleep(std::time::Duration::from_millis(2)).await,
                Err(e) => {
                    tracing::error!("sandbox state lock: {e}");
                    break None;
                }
            }
        };
        self.reload_logged();
        Turn { _gate: Some(gate), _lock: lock }
    }

    /// [`Store::begin`] for synchronous callers (the handle's methods).
    pub fn begin_blocking(&self) -> Turn<'_> {
        let Some(dir) = &self.dir else { return Turn { _gate: None, _lock: None } };
        let gate = loop {
            match self.gate.try_lock() {
                Ok(g) => break g,
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        };
        let lock = dir_lock_blocking(dir).map_err(|e| tracing::error!("sandbox state lock: {e}")).ok();
        self.reload_logged();
        Turn { _gate: Some(gate), _lock: lock }
    }

    fn reload_logged(&self) {
        let Some(dir) = &self.dir else { return };
        let path = dir.join("state.json");
        let now = file_stamp(&path);
        let mut seen = self.stamp.lock().unwrap_or_else(|e| e.into_inner());
        if now.is_none() || now == *seen {
            return;
        }
        match read_state(&path) {
            Ok(st) => {
                *self.lock() = st;
                *seen = now;
            }
            Err(e) => tracing::error!("sandbox state not reloaded: {e}"),
        }
    }

    /// Write `state.json` (atomically: a temporary file renamed over it). No-op in memory.
    pub fn save(&self) -> Result<(), SandboxError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let text = serde_json::to_vec(&*self.lock()).map_err(|e| SandboxError::State(e.to_string()))?;
        let tmp = dir.join(format!("state.json.{}.tmp", std::process::id()));
        write_file(&tmp, &text, true)?;
        let path = dir.join("state.json");
        std::fs::rename(&tmp, &path).map_err(|e| SandboxError::io(&path, e))?;
        *self.stamp.lock().unwrap_or_else(|e| e.into_inner()) = file_stamp(&path);
        Ok(())
    }

    /// Save, logging instead of failing (used inside request handling).
    pub fn save_logged(&self) {
        if let Err(e) = self.save() {
            tracing::error!("sandbox state not saved: {e}");
        }
    }

    /// Keep a request in the event log.
    pub fn log_event(&self, r: &RecordedRequest) {
        match &self.dir {
            Some(dir) => {
                use std::io::Write as _;
                let path = dir.join("events.jsonl");
                let line = serde_json::to_string(r).unwrap_or_default();
                let res = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| writeln!(f, "{line}"));
                if let Err(e) = res {
                    tracing::error!("sandbox event log {}: {e}", path.display());
                }
            }
            None => self.events.lock().unwrap_or_else(|e| e.into_inner()).push(r.clone()),
        }
    }

    /// Every request since the start (or the last `clear_events`), oldest first.
    pub fn events(&self) -> Vec<RecordedRequest> {
        match &self.dir {
            Some(dir) => std::fs::read_to_string(dir.join("events.jsonl"))
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect(),
            None => self.events.lock().unwrap_or_else(|e| e.into_inner()).clone(),
        }
    }

    /// Forget the event log.
    pub fn clear_events(&self) {
        match &self.dir {
            Some(dir) => {
                let _ = std::fs::remove_file(dir.join("events.jsonl"));
            }
            None => self.events.lock().unwrap_or_else(|e| e.into_inner()).clear(),
        }
    }
}

fn file_stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Try to take `<dir>/lock` exclusively: `Ok(None)` when another process holds it.
fn try_dir_lock(dir: &Path) -> Result<Option<std::fs::File>, SandboxError> {
    let path = dir.join("lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| SandboxError::io(&path, e))?;
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        match flock(&f, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(f)),
            Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
            Err(e) => Err(SandboxError::io(&path, e.into())),
        }
    }
    #[cfg(not(unix))]
    Ok(Some(f))
}

/// Take `<dir>/lock`, waiting for other processes (used at start, CA creation included, and by the handle).
pub(crate) fn dir_lock_blocking(dir: &Path) -> Result<std::fs::File, SandboxError> {
    std::fs::create_dir_all(dir).map_err(|e| SandboxError::io(dir, e))?;
    loop {
        if let Some(f) = try_dir_lock(dir)? {
            return Ok(f);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
    struct Demo {
        n: u32,
    }
    impl Part for Demo {
        const NAME: &'static str = "demo";
    }

    #[test]
    fn parts_round_trip_through_json_and_survive_reset_only_as_counters() {
        let mut st = State::fresh();
        st.split::<Demo>().0.n = 7;
        st.kit.ids.next("demo.order", 10);
        let text = serde_json::to_string(&st).unwrap();
        assert!(text.contains(r#""providers":{"demo":{"n":7}}"#), "{text}");
        let mut back: State = serde_json::from_str(&text).unwrap();
        assert_eq!(back.split::<Demo>().0.n, 7);
        back.reset(Knobs::default());
        assert_eq!(back.split::<Demo>().0.n, 0);
        back.providers = serde_json::from_str(r#"{"demo":{"n":"x"}}"#).unwrap();
        assert!(back.check::<Demo>().unwrap_err().contains("`demo`"));
        assert_eq!(back.kit.ids.next("demo.order", 10), 11);
    }

    #[test]
    fn an_old_format_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.json"), r#"{"format":1,"digicert":{}}"#).unwrap();
        let e = Store::open(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains("format 1") && e.contains("new state directory"), "{e}");
    }
}
