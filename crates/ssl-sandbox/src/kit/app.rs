//! What every handler shares: the CA, the state store, the start config, the address and the rate limiter.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::ca::Ca;
use crate::config::SandboxConfig;
use crate::kit::limits::Limiter;
use crate::kit::state::{State, Store};

/// Shared by every handler.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The test CA.
    pub ca: Ca,
    /// The state.
    pub store: Store,
    /// How the sandbox was started.
    pub config: SandboxConfig,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Request counts for the published rate limits.
    pub limiter: Mutex<Limiter>,
}

/// The axum state of every router.
pub(crate) type App = Arc<Shared>;

impl Shared {
    /// The state (reloaded before and saved after every request by the pipeline).
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.store.lock()
    }
}
