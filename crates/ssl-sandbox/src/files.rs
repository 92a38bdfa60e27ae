//! Writing files (private ones `0600`).

use std::path::Path;

use crate::error::SandboxError;

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
