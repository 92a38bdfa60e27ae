//! Why the sandbox could not start or save.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Why the sandbox could not start or save.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The listen address could not be bound or is not loopback.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        message: String,
    },
    /// The CA could not be made or loaded.
    #[error("sandbox CA: {0}")]
    Ca(String),
    /// `state.json` could not be read or written.
    #[error("sandbox state: {0}")]
    State(String),
}

impl SandboxError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io { path: path.to_path_buf(), source }
    }
}
