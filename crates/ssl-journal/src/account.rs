//! The account identity: which provider account an order was placed in, without a secret in sight.
//!
//! Where the provider has a user name or customer handle (GoGetSSL user, Openprovider user, Realtime Register
//! customer), that name is the identity. Where the only credential is a secret (DigiCert API key, Nameshield
//! token), the identity is `hmac-sha256:` + the hex HMAC-SHA-256 of the secret under the journal's **local secret**
//! (32 random bytes created with the journal and kept in it). A plain hash of a secret is never stored: a leaked
//! journal must not allow testing guesses of an API key offline.

use aws_lc_rs::hmac;
use secrecy::{ExposeSecret, SecretString};

/// The prefix of an identity derived from a secret.
pub const HMAC_PREFIX: &str = "hmac-sha256:";

/// The journal's local secret, from which identities of secret-only credentials are derived.
#[derive(Clone)]
pub struct LocalSecret(hmac::Key);

impl std::fmt::Debug for LocalSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LocalSecret([redacted])")
    }
}

impl LocalSecret {
    /// A secret from its bytes (as stored in the journal).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, bytes))
    }

    /// 32 fresh random bytes, hex-encoded for storage.
    pub fn generate_hex() -> String {
        let mut buf = [0u8; 32];
        // The system RNG failing is not recoverable; aws-lc-rs reports it as Unspecified.
        aws_lc_rs::rand::fill(&mut buf).unwrap_or_else(|_| panic!("the system random number generator failed"));
        hex::encode(buf)
    }

    /// The identity of an account whose only credential is `secret`.
    pub fn identity_of_secret(&self, provider: &str, secret: &SecretString) -> String {
        self.identity_of_secrets(provider, std::slice::from_ref(secret))
    }

    /// The identity of an account known only by these secrets (in a fixed order).
    pub fn identity_of_secrets(&self, provider: &str, secrets: &[SecretString]) -> String {
        let mut ctx = hmac::Context::with_key(&self.0);
        ctx.update(provider.as_bytes());
        for s in secrets {
            ctx.update(&[0]);
            ctx.update(s.expose_secret().as_bytes());
        }
        format!("{HMAC_PREFIX}{}", hex::encode(&ctx.sign().as_ref()[..16]))
    }
}

/// How an account is known.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AccountKey {
    /// A user name or customer handle (not secret).
    Named(String),
    /// Only a secret identifies the account.
    Secret(SecretString),
}

impl AccountKey {
    /// The identity stored in the journal and folded into references.
    pub fn identity(&self, provider: &str, local: &LocalSecret) -> String {
        match self {
            Self::Named(n) => n.trim().to_owned(),
            Self::Secret(s) => local.identity_of_secret(provider, s),
        }
    }
}

/// The account identity of a provider's credentials: the user name or customer handle where the provider has one,
/// else the HMAC of its secrets under `local`.
pub fn identity_of_credentials(
    descriptor: &ssl_core::ProviderDescriptor,
    credentials: &ssl_core::Credentials,
    local: &LocalSecret,
) -> String {
    if let Some(name) = credentials.account().map(str::trim).filter(|a| !a.is_empty()) {
        return name.to_owned();
    }
    let secrets: Vec<SecretString> =
        descriptor.credentials.iter().filter(|f| f.secret).filter_map(|f| credentials.get_secret(f.key)).collect();
    local.identity_of_secrets(descriptor.name, &secrets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn secret_identities_are_keyed_and_never_a_plain_hash() {
        let a = LocalSecret::from_bytes(b"local-one");
        let b = LocalSecret::from_bytes(b"local-two");
        let key: SecretString = "canary-api-key".into();
        let ia = AccountKey::Secret(key.clone()).identity("digicert", &a);
        assert!(ia.starts_with(HMAC_PREFIX));
        assert_eq!(ia, AccountKey::Secret(key.clone()).identity("digicert", &a), "stable");
        assert_ne!(ia, AccountKey::Secret(key.clone()).identity("digicert", &b), "depends on the local secret");
        assert_ne!(ia, AccountKey::Secret(key).identity("nameshield", &a), "depends on the provider");
        let plain = hex::encode(sha2::Sha256::digest(b"canary-api-key"));
        assert!(!plain.contains(ia.trim_start_matches(HMAC_PREFIX)));
        assert!(!ia.contains("canary"));
        assert!(!format!("{a:?}").contains("local"));
    }

    #[test]
    fn names_are_used_as_they_are() {
        let l = LocalSecret::from_bytes(b"x");
        assert_eq!(AccountKey::Named(" reseller@example.com ".into()).identity("gogetssl", &l), "reseller@example.com");
        assert_eq!(LocalSecret::generate_hex().len(), 64);
    }
}
