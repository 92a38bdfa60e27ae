//! How to start a sandbox.

use std::path::PathBuf;

use crate::knobs::{Approval, DcvMode};

/// How to start a sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// Where state (`state.json`, `events.jsonl`) and the CA (`ca/*.pem`) live, shared safely by every process
    /// started on it; `None`: in memory only (a fresh CA per start, nothing written: for tests and load tests).
    pub state_dir: Option<PathBuf>,
    /// Approval knob at start. With a persisted state, a non-default value overrides the persisted knob and the
    /// default keeps it.
    pub approval: Approval,
    /// DCV mode at start. With a persisted state, a non-default value overrides the persisted knob and the
    /// default keeps it.
    pub dcv: DcvMode,
    /// Seed for every random choice (fault probabilities, DCV tokens); overrides the persisted one when set.
    pub seed: Option<u64>,
}

impl SandboxConfig {
    /// State in memory only: nothing is read or written on disk.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// State (and CA) kept in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { state_dir: Some(dir.into()), ..Self::default() }
    }
}
