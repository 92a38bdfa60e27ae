//! Key and CSR generation (rcgen on aws-lc-rs) and writing the files.

use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, RsaKeySize, SanType};
use secrecy::{ExposeSecret, SecretString};

use crate::inspect::MAX_CSR_NAMES;
use crate::names::to_ascii_name;

/// The key to generate. `Rsa2048` by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyType {
    /// RSA, 2048 bits, signed with SHA-256.
    #[default]
    Rsa2048,
    /// RSA, 3072 bits, signed with SHA-256.
    Rsa3072,
    /// RSA, 4096 bits, signed with SHA-256.
    Rsa4096,
    /// ECDSA on P-256, signed with SHA-256.
    EcP256,
    /// ECDSA on P-384, signed with SHA-384.
    EcP384,
}

impl KeyType {
    /// Every key type, in the CLI's order.
    pub const ALL: [KeyType; 5] = [Self::Rsa2048, Self::Rsa3072, Self::Rsa4096, Self::EcP256, Self::EcP384];

    /// The CLI name (`rsa2048`, `ec256`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa2048",
            Self::Rsa3072 => "rsa3072",
            Self::Rsa4096 => "rsa4096",
            Self::EcP256 => "ec256",
            Self::EcP384 => "ec384",
        }
    }

    /// RSA modulus bits or EC curve size.
    pub fn bits(self) -> u32 {
        match self {
            Self::Rsa2048 => 2048,
            Self::Rsa3072 => 3072,
            Self::Rsa4096 => 4096,
            Self::EcP256 => 256,
            Self::EcP384 => 384,
        }
    }

    /// True for the RSA types.
    pub fn is_rsa(self) -> bool {
        matches!(self, Self::Rsa2048 | Self::Rsa3072 | Self::Rsa4096)
    }

    fn key_pair(self) -> Result<KeyPair, rcgen::Error> {
        match self {
            Self::Rsa2048 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048),
            Self::Rsa3072 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_3072),
            Self::Rsa4096 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_4096),
            Self::EcP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            Self::EcP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            let all: Vec<_> = Self::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown key type `{s}`; expected one of {}", all.join(", "))
        })
    }
}

/// Why [`generate`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsrError {
    /// A name is not a valid DNS name.
    #[error("invalid name `{name}`: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Why it is refused.
        reason: String,
    },
    /// More names than a public CA takes.
    #[error("{count} names; a certificate request may carry at most {max}")]
    TooManyNames {
        /// Names asked for (common name included, duplicates removed).
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The crypto library failed.
    #[error("key or CSR generation failed: {0}")]
    Generation(#[from] rcgen::Error),
}

/// A new private key and the CSR signed with it.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    /// The private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub key_pem: SecretString,
    /// The certificate request, PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
    pub csr_pem: String,
}

/// The names a CSR for `common_name` and `sans` carries: punycode, lowercase, the common name first and also as
/// a SAN, duplicates removed. Fails on the first invalid name.
pub fn csr_names(common_name: &str, sans: &[String]) -> Result<Vec<String>, CsrError> {
    let mut names: Vec<String> = Vec::with_capacity(sans.len() + 1);
    for name in std::iter::once(common_name).chain(sans.iter().map(String::as_str)) {
        let ascii = to_ascii_name(name).map_err(|reason| CsrError::InvalidName { name: name.to_string(), reason })?;
        if !names.contains(&ascii) {
            names.push(ascii);
        }
    }
    if names.len() > MAX_CSR_NAMES {
        return Err(CsrError::TooManyNames { count: names.len(), max: MAX_CSR_NAMES });
    }
    Ok(names)
}

/// Generates a key of type `key` and a CSR for `common_name` and `sans`.
///
/// Names are converted to punycode (IDNs) and lowercased; wildcards (`*.example.com`) are allowed. The subject is
/// exactly `CN=<common name>`; the common name is also the first DNS SAN. RSA and P-256 requests are signed with
/// SHA-256, P-384 ones with SHA-384.
///
/// ```
/// let generated = ssl_csr::generate(ssl_csr::KeyType::EcP256, "Bücher.example", &["www.bücher.example".into()])?;
/// let info = ssl_csr::inspect(generated.csr_pem.as_bytes());
/// assert!(info.ok());
/// assert_eq!(info.names(), ["xn--bcher-kva.example", "www.xn--bcher-kva.example"]);
/// # Ok::<(), ssl_csr::CsrError>(())
/// ```
pub fn generate(key: KeyType, common_name: &str, sans: &[String]) -> Result<GeneratedKey, CsrError> {
    let names = csr_names(common_name, sans)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, names[0].as_str());
    params.distinguished_name = dn;
    params.subject_alt_names = names
        .iter()
        .map(|n| {
            let ia5 = n.as_str().try_into().map_err(|_| CsrError::InvalidName {
                name: n.clone(),
                reason: "not representable as an IA5String".into(),
            })?;
            Ok(SanType::DnsName(ia5))
        })
        .collect::<Result<_, CsrError>>()?;
    let key_pair = key.key_pair()?;
    let csr = params.serialize_request(&key_pair)?;
    Ok(GeneratedKey { key_pem: SecretString::from(key_pair.serialize_pem()), csr_pem: csr.pem()? })
}

fn create_new(path: &Path, mode: u32, contents: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = std::fs::remove_file(path);
    }
    written
}

/// Writes the private key to `path` with mode 0600, failing with [`io::ErrorKind::AlreadyExists`] rather than
/// replacing an existing file.
pub fn write_key_file(path: &Path, key: &GeneratedKey) -> io::Result<()> {
    create_new(path, 0o600, key.key_pem.expose_secret().as_bytes())
}

/// Where [`write_files`] put the key and the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFiles {
    /// `DIR/key.pem` (0600).
    pub key: PathBuf,
    /// `DIR/csr.pem` (0644).
    pub csr: PathBuf,
}

/// Writes `key.pem` (0600) and `csr.pem` into `dir` (created if needed) for `csr generate --out DIR`. Neither
/// file may exist already: nothing is written then, and the error is [`io::ErrorKind::AlreadyExists`].
pub fn write_files(dir: &Path, key: &GeneratedKey) -> io::Result<WrittenFiles> {
    std::fs::create_dir_all(dir)?;
    let files = WrittenFiles { key: dir.join("key.pem"), csr: dir.join("csr.pem") };
    for path in [&files.key, &files.csr] {
        if path.symlink_metadata().is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("`{}` exists; not overwriting it", path.display()),
            ));
        }
    }
    write_key_file(&files.key, key)?;
    if let Err(e) = create_new(&files.csr, 0o644, key.csr_pem.as_bytes()) {
        let _ = std::fs::remove_file(&files.key);
        return Err(e);
    }
    Ok(files)
}
