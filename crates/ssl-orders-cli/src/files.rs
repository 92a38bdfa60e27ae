//! Writing keys and certificates: keys 0600 and never over an existing file; certificates atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use ssl_core::model::CertificateBundle;

use crate::fail::Failure;

/// Create `dir` (and parents).
pub fn ensure_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure::io("cannot create directory", dir, &e))
}

/// Refuse early when `dir/key.pem` exists (before a key is even generated).
pub fn check_key_free(dir: &Path) -> Result<(), Failure> {
    let key = dir.join("key.pem");
    if key.exists() {
        return Err(Failure::invalid(
            "key_exists",
            format!("{} already exists; refusing to overwrite a private key (choose another --out)", key.display()),
        ));
    }
    Ok(())
}

/// Write a file atomically (temp file + rename), mode 0644.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), Failure> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    res.map_err(|e| Failure::io("cannot write", path, &e))
}

/// The files written for a bundle.
#[derive(Debug, serde::Serialize)]
pub struct CertFiles {
    /// Leaf.
    pub cert: PathBuf,
    /// Intermediates.
    pub chain: PathBuf,
    /// Leaf + intermediates.
    pub fullchain: PathBuf,
    /// The simulator's root (with `--sandbox`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox_root: Option<PathBuf>,
}

/// Write cert.pem, chain.pem, fullchain.pem (and sandbox-root.pem).
pub fn write_bundle(dir: &Path, bundle: &CertificateBundle, sandbox_root: Option<&str>) -> Result<CertFiles, Failure> {
    ensure_dir(dir)?;
    let files = CertFiles {
        cert: dir.join("cert.pem"),
        chain: dir.join("chain.pem"),
        fullchain: dir.join("fullchain.pem"),
        sandbox_root: sandbox_root.map(|_| dir.join("sandbox-root.pem")),
    };
    write_atomic(&files.cert, &format!("{}\n", bundle.leaf_pem.trim()))?;
    write_atomic(&files.chain, &bundle.chain_pem())?;
    write_atomic(&files.fullchain, &bundle.fullchain_pem())?;
    if let (Some(root), Some(path)) = (sandbox_root, &files.sandbox_root) {
        write_atomic(path, &format!("{}\n", root.trim()))?;
    }
    Ok(files)
}
