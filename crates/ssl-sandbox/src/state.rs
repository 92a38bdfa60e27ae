//! The sandbox's state (orders, counters, knobs, request log, DNS records, HTTP host mappings) and its
//! persistence: `<dir>/state.json`, rewritten after every request that reaches a provider API or changes
//! something through the inspection API. Without a directory the state lives in memory.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use ssl_core::model::DnsRecord;

use crate::SandboxError;
use crate::knobs::Knobs;

/// How many requests the log keeps (oldest dropped first).
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
    /// Faults applied, if any (`rate_limit`, `delay`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
}

/// Everything the sandbox remembers.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct State {
    /// Format version of `state.json`.
    pub format: u32,
    pub knobs: Knobs,
    /// Seeded generator state for fault probabilities.
    pub fault_rng: Option<u64>,
    /// Seeded generator state for tokens (only with a seed).
    pub token_rng: Option<u64>,
    pub next_request_seq: u64,
    pub requests: Vec<RecordedRequest>,
    /// DNS records for `real` DCV.
    pub dns: Vec<DnsRecord>,
    /// Host → loopback address for `real` HTTP DCV.
    pub http_hosts: BTreeMap<String, SocketAddr>,
    /// Virtual clock: seconds added to the real time (`POST /_sandbox/clock`).
    pub clock_offset_secs: i64,
    pub digicert: crate::digicert::DcState,
    pub gogetssl: crate::gogetssl::GgState,
}

impl State {
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

    pub fn record(&mut self, mut r: RecordedRequest) {
        self.next_request_seq += 1;
        r.seq = self.next_request_seq;
        self.requests.push(r);
        if self.requests.len() > REQUEST_LOG_LIMIT {
            let extra = self.requests.len() - REQUEST_LOG_LIMIT;
            self.requests.drain(..extra);
        }
    }

    /// Forget orders, requests, DNS records and host mappings; keep the CA, the counters and `knobs`.
    pub fn reset(&mut self, knobs: Knobs) {
        let seq = self.next_request_seq;
        let dc_counters = self.digicert.counters();
        let gg_counters = self.gogetssl.counters();
        *self = State { format: 1, knobs, next_request_seq: seq, ..State::default() };
        self.digicert.restore_counters(dc_counters);
        self.gogetssl.restore_counters(gg_counters);
    }
}

/// The state behind a mutex, and where to save it.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    dir: Option<PathBuf>,
    write: Mutex<()>,
    loaded: bool,
}

impl Store {
    /// Load `dir/state.json` when there is one.
    pub fn open(dir: Option<&Path>) -> Result<Self, SandboxError> {
        let mut state = State { format: 1, ..State::default() };
        let mut loaded = false;
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir).map_err(|e| SandboxError::io(dir, e))?;
            let path = dir.join("state.json");
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| SandboxError::io(&path, e))?;
                state = serde_json::from_str(&text)
                    .map_err(|e| SandboxError::State(format!("{} does not parse: {e}", path.display())))?;
                loaded = true;
            }
        }
        Ok(Self { state: Mutex::new(state), dir: dir.map(Path::to_path_buf), write: Mutex::new(()), loaded })
    }

    /// Whether the state came from an existing `state.json`.
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write `state.json` (atomically: a temporary file renamed over it). No-op in memory.
    pub fn save(&self) -> Result<(), SandboxError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let text = {
            let st = self.lock();
            serde_json::to_vec(&*st).map_err(|e| SandboxError::State(e.to_string()))?
        };
        let tmp = dir.join("state.json.tmp");
        write_file(&tmp, &text, true)?;
        let path = dir.join("state.json");
        std::fs::rename(&tmp, &path).map_err(|e| SandboxError::io(&path, e))
    }

    /// Save, logging instead of failing (used inside request handling).
    pub fn save_logged(&self) {
        if let Err(e) = self.save() {
            tracing::error!("sandbox state not saved: {e}");
        }
    }
}

/// Write a file; `private` makes it `0600` on Unix.
pub(crate) fn write_file(path: &Path, contents: &[u8], private: bool) -> Result<(), SandboxError> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = opts.open(path).map_err(|e| SandboxError::io(path, e))?;
    f.write_all(contents).map_err(|e| SandboxError::io(path, e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt as _;
        f.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| SandboxError::io(path, e))?;
    }
    Ok(())
}
