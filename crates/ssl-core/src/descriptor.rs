//! Provider descriptors: everything the facade and the CLI know about a provider, exported by its crate as one
//! `pub const DESCRIPTOR: ProviderDescriptor`. The facade is a feature-gated list of descriptors; the CLI's
//! `--provider` values, its help and env-var text and `--environment` all come from them.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::provider::Provider;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// Which of a provider's documented environments to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// The live API: real orders, real money.
    #[default]
    Production,
    /// The provider's own test environment (separate credentials), where it has one.
    Test,
}

impl Environment {
    /// `production` or `test`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Test => "test",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" | "live" => Ok(Self::Production),
            "test" | "sandbox" | "staging" => Ok(Self::Test),
            _ => Err(format!("unknown environment `{s}`; expected production or test")),
        }
    }
}

/// One credential a provider needs, read from one environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialField {
    /// The key the provider's `connect` reads (`api_key`, `user`, ...).
    pub key: &'static str,
    /// The environment variable (`SSL_ORDERS_DIGICERT_API_KEY`).
    pub env: &'static str,
    /// What it is, for help texts (`API key`).
    pub help: &'static str,
    /// A secret: kept in a [`SecretString`], never printed.
    pub secret: bool,
    /// The non-secret account identity (a user name or customer handle) that tells accounts apart.
    pub identity: bool,
}

impl CredentialField {
    /// A secret credential.
    pub const fn secret(key: &'static str, env: &'static str, help: &'static str) -> Self {
        Self { key, env, help, secret: true, identity: false }
    }

    /// A non-secret account identity (user name, customer handle).
    pub const fn identity(key: &'static str, env: &'static str, help: &'static str) -> Self {
        Self { key, env, help, secret: false, identity: true }
    }
}

#[derive(Clone)]
enum Value {
    Plain(String),
    Secret(SecretString),
}

/// A provider's credentials, by [`CredentialField::key`]. `Debug` never shows a secret.
#[derive(Clone)]
pub struct Credentials {
    provider: &'static str,
    identity: Option<String>,
    values: Vec<(&'static str, Value)>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.values.iter().map(|(k, _)| *k).collect();
        write!(f, "Credentials({}: {} [redacted])", self.provider, keys.join(", "))
    }
}

impl Credentials {
    /// Empty credentials for `provider`; add values with [`Credentials::plain`] and [`Credentials::secret`].
    pub fn new(provider: &'static str) -> Self {
        Self { provider, identity: None, values: Vec::new() }
    }

    /// Add a non-secret value.
    #[must_use]
    pub fn plain(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.values.push((key, Value::Plain(value.into())));
        self
    }

    /// Add the non-secret account identity (a user name or customer handle) under `key`.
    #[must_use]
    pub fn identity(mut self, key: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        self.identity = Some(value.clone());
        self.plain(key, value)
    }

    /// Add a secret value.
    #[must_use]
    pub fn secret(mut self, key: &'static str, value: impl Into<SecretString>) -> Self {
        self.values.push((key, Value::Secret(value.into())));
        self
    }

    /// Read `provider`'s credentials from its `SSL_ORDERS_*` environment variables.
    pub fn from_env(provider: impl Into<&'static ProviderDescriptor>) -> Result<Self> {
        provider.into().credentials_from_env()
    }

    /// Read `provider`'s credentials through any lookup (the CLI passes the environment; tests a map).
    pub fn from_lookup(
        provider: impl Into<&'static ProviderDescriptor>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self> {
        provider.into().credentials_from(get)
    }

    /// The provider these belong to.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The non-secret account identity (user name, customer handle), where the provider has one.
    pub fn account(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    /// A non-secret value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| *k == key).and_then(|(_, v)| match v {
            Value::Plain(s) => Some(s.as_str()),
            Value::Secret(_) => None,
        })
    }

    /// A secret value (a plain value is returned as a secret too).
    pub fn get_secret(&self, key: &str) -> Option<SecretString> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| match v {
            Value::Plain(s) => SecretString::from(s.clone()),
            Value::Secret(s) => s.clone(),
        })
    }

    /// A non-secret value that must be there.
    pub fn require(&self, key: &str) -> Result<String> {
        self.get(key)
            .map(str::to_owned)
            .ok_or_else(|| Error::Config(format!("{} credentials lack `{key}`", self.provider)))
    }

    /// A secret value that must be there.
    pub fn require_secret(&self, key: &str) -> Result<SecretString> {
        self.get_secret(key).ok_or_else(|| Error::Config(format!("{} credentials lack `{key}`", self.provider)))
    }
}

/// What a descriptor's `connect` gets besides the credentials.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// The base URL (checked: https, or http to a loopback host).
    pub base_url: url::Url,
    /// The transport.
    pub transport: Arc<dyn Transport>,
    /// The `User-Agent` to send instead of the transport's, when the provider or the caller wants one.
    pub user_agent: Option<String>,
    /// The retry policy (default when `None`).
    pub retry: Option<RetryPolicy>,
    /// A rate gate replacing the client's in-process limiter (e.g. windows shared by a fleet through a database).
    pub rate_gate: Option<Arc<dyn crate::ratelimit::RateGate>>,
    /// No credentials: [`ConnectOptions::configure`] makes the client [`crate::ApiClient::offline`].
    pub offline: bool,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions").field("base_url", &self.base_url.as_str()).finish_non_exhaustive()
    }
}

impl ConnectOptions {
    /// Options for `base_url` over `transport`.
    pub fn new(base_url: url::Url, transport: Arc<dyn Transport>) -> Self {
        Self { base_url, transport, user_agent: None, retry: None, rate_gate: None, offline: false }
    }

    /// Apply the options every client builds its [`crate::ApiClient`] with (User-Agent, retry policy, rate gate,
    /// offline).
    pub fn configure(&self, mut api: crate::ApiClient) -> crate::ApiClient {
        if self.offline {
            api = api.offline();
        }
        if let Some(ua) = &self.user_agent {
            api = api.with_user_agent(ua.clone());
        }
        if let Some(r) = &self.retry {
            api = api.with_retry(r.clone());
        }
        if let Some(g) = &self.rate_gate {
            api = api.with_rate_gate(g.clone());
        }
        api
    }
}

/// Build a neutral provider. `credentials` is `None` for a credential-less client: it must still `prepare` (the
/// `--dry-run`) offline from its spec tables; every call that needs the network fails with [`Error::Config`].
pub type ConnectFn = fn(Option<&Credentials>, ConnectOptions) -> Result<Box<dyn Provider>>;

/// Everything the facade and the CLI need to know about a provider.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct ProviderDescriptor {
    /// Short name, the `--provider` value (`digicert`).
    pub name: &'static str,
    /// What it is, for help texts (`DigiCert CertCentral Services API v2`).
    pub title: &'static str,
    /// The documented production base URL, version prefix included.
    pub production_url: &'static str,
    /// The documented test base URL, where the provider has a test environment.
    pub test_url: Option<&'static str>,
    /// The credentials, each from one environment variable.
    pub credentials: &'static [CredentialField],
    /// The `User-Agent` this provider needs instead of `ssl-orders/<version>`, if any.
    pub user_agent: Option<&'static str>,
    /// The published rate limits per credential (enforced by the client; a journal's shared gate uses the same).
    pub rate_limits: &'static [crate::ratelimit::Window],
    /// Build the neutral provider.
    pub connect: ConnectFn,
}

impl fmt::Debug for ProviderDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderDescriptor").field("name", &self.name).finish_non_exhaustive()
    }
}

impl ProviderDescriptor {
    /// A descriptor (the optional parts empty: no test environment, the default User-Agent).
    pub const fn new(
        name: &'static str,
        title: &'static str,
        production_url: &'static str,
        credentials: &'static [CredentialField],
        connect: ConnectFn,
    ) -> Self {
        Self { name, title, production_url, test_url: None, credentials, user_agent: None, rate_limits: &[], connect }
    }

    /// With a documented test environment.
    pub const fn with_test_url(mut self, url: &'static str) -> Self {
        self.test_url = Some(url);
        self
    }

    /// With the published rate limits.
    pub const fn with_rate_limits(mut self, windows: &'static [crate::ratelimit::Window]) -> Self {
        self.rate_limits = windows;
        self
    }

    /// With the `User-Agent` the provider needs.
    pub const fn with_user_agent(mut self, user_agent: &'static str) -> Self {
        self.user_agent = Some(user_agent);
        self
    }

    /// The documented base URL of an environment.
    pub fn base_url(&self, environment: Environment) -> Result<&'static str> {
        match environment {
            Environment::Production => Ok(self.production_url),
            Environment::Test => self
                .test_url
                .ok_or_else(|| Error::Config(format!("{} documents no test environment; use --base-url", self.name))),
        }
    }

    /// The environment variables, in order.
    pub fn env_vars(&self) -> Vec<&'static str> {
        self.credentials.iter().map(|c| c.env).collect()
    }

    /// Read the credentials through `get` (the environment, a map...): every variable is needed.
    pub fn credentials_from(&self, get: impl Fn(&str) -> Option<String>) -> Result<Credentials> {
        let mut creds = Credentials::new(self.name);
        for field in self.credentials {
            let value = get(field.env).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                Error::Config(format!(
                    "{} needs the environment variable {} ({}; credentials are read from the environment only)",
                    self.name, field.env, field.help
                ))
            })?;
            creds = match (field.secret, field.identity) {
                (true, _) => creds.secret(field.key, value),
                (false, true) => creds.identity(field.key, value),
                (false, false) => creds.plain(field.key, value),
            };
        }
        Ok(creds)
    }

    /// Read the credentials from the `SSL_ORDERS_*` environment variables.
    pub fn credentials_from_env(&self) -> Result<Credentials> {
        self.credentials_from(|k| std::env::var(k).ok())
    }

    /// Whether any of the provider's credential variables is set (a `--dry-run` without any works offline).
    pub fn any_credential_in(&self, get: impl Fn(&str) -> Option<String>) -> bool {
        self.credentials.iter().any(|c| get(c.env).is_some_and(|v| !v.trim().is_empty()))
    }

    /// `name: VAR + VAR (help)` for help texts.
    pub fn env_help(&self) -> String {
        let vars: Vec<String> = self.credentials.iter().map(|c| format!("{} ({})", c.env, c.help)).collect();
        format!("{}: {}", self.name, vars.join(" + "))
    }
}
