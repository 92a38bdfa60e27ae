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

/// A re-run of `order`/`renew`/`reissue --cn … --out DIR` after a SIGKILL or an exit 7: when `DIR` already holds the
/// `key.pem` + `csr.pem` pair an earlier run of the same command generated (the CSR is signed by that key, carries
/// exactly these names, and the key is of the type asked for), the CSR is reused, so the journal reference (which
/// hashes the CSR's public key) is the earlier run's and its order is found, never a second one placed. `None` when
/// `DIR` holds no key. Anything else in the way is refused: a key is never overwritten, never paired with a CSR it
/// did not sign, and never reused for other names.
pub fn reuse_key(dir: &Path, names: &[String], key_type: ssl_csr::KeyType) -> Result<Option<String>, Failure> {
    let key_path = dir.join("key.pem");
    let csr_path = dir.join("csr.pem");
    if key_path.symlink_metadata().is_err() {
        return Ok(None);
    }
    let refuse = |why: String| {
        Failure::invalid(
            "key_exists",
            format!(
                "{} already exists and {why}; refusing to overwrite or reuse a private key (choose another --out)",
                key_path.display()
            ),
        )
    };
    let Ok(csr_pem) = std::fs::read_to_string(&csr_path) else {
        return Err(refuse(format!(
            "{} does not (the request is written before anything is sent, so nothing was ordered with this key)",
            csr_path.display()
        )));
    };
    let key_pem = std::fs::read_to_string(&key_path).map_err(|e| Failure::io("cannot read", &key_path, &e))?;
    let key_digest = rcgen::KeyPair::from_pem(&key_pem)
        .ok()
        .map(|k| ssl_journal::csr_key::spki_digest(&rcgen::PublicKeyData::subject_public_key_info(&k)));
    let csr_digest = ssl_journal::csr_key::csr_key_digest_str(&csr_pem);
    if key_digest.is_none() || key_digest != csr_digest {
        return Err(refuse(format!("{} was not signed by it", csr_path.display())));
    }
    let info = ssl_csr::inspect(csr_pem.as_bytes());
    let mut have = info.names();
    let mut want = names.to_vec();
    have.sort();
    want.sort();
    if have != want || info.names().first() != names.first() {
        return Err(refuse(format!(
            "belongs to a request for {} (this command asks for {})",
            info.names().join(", "),
            names.join(", ")
        )));
    }
    let expected = if key_type.is_rsa() { ssl_csr::KeyKind::Rsa } else { ssl_csr::KeyKind::Ec };
    if info.key.kind != expected || info.key.bits != Some(key_type.bits()) {
        return Err(refuse(format!("is {} (this command asks for {key_type})", info.key)));
    }
    let pem = ssl_csr::canonical_pem(csr_pem.as_bytes())
        .ok_or_else(|| refuse(format!("{} cannot be read", csr_path.display())))?;
    Ok(Some(pem))
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
