//! Shared core of the ssl-orders workspace: request values ([`request`]), the [`transport`], the shared
//! executor ([`client`]) with retries ([`retry`]) and rate limits ([`ratelimit`]), errors ([`error`]), the neutral
//! model ([`model`]) and the [`Provider`] trait.
//!
//! Provider crates (`ssl-digicert`, `ssl-gogetssl`, ...) build [`HttpRequest`] values with pure functions and send
//! them through an [`ApiClient`]; adding a provider means one spec, one client, one neutral impl.
//!
//! Every public struct with public fields is `#[non_exhaustive]`: build it with its constructor (`new`, `Default`)
//! and setters (e.g. [`model::OrderSpec::new`], [`model::Contact::new`], [`retry::RetryPolicy::default`],
//! [`transport::TransportConfig::default`]), and read or change its fields as before. Fields can then be added
//! without breaking callers. Tables that provider crates keep in `const` items ([`model::DcvTable`],
//! [`facts::ProductFacts`], [`facts::Rule`], [`session::RefusalRule`], ...) have `const fn` constructors.

pub mod baseurl;
pub mod cache;
pub mod client;
pub mod dcv;
pub mod descriptor;
pub mod error;
pub mod facts;
mod form;
pub mod jsonapi;
pub mod kit;
pub mod lenient;
pub mod model;
pub mod operation;
pub mod paging;
pub mod probe;
pub mod problem;
pub mod provider;
pub mod ratelimit;
pub mod request;
pub mod retry;
pub mod session;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod transport;
pub mod validate;
pub mod wire_enum;
pub mod x509;

pub use client::{ApiClient, Auth, ClientKit, HeaderAuth, NoAuth, QueryAuth, Response};
pub use descriptor::{ConnectOptions, CredentialField, Credentials, Environment, ProviderDescriptor};
pub use error::{Error, ErrorKind, OutcomeUnknown, PlacedUnreadable, ProviderError, ProviderErrorEntry, Result};
pub use operation::Operation;
pub use problem::{Problem, Severity};
pub use provider::{PreparedOrder, Provider};
pub use request::{Body, CallKind, FormValue, HttpRequest, MediaType, Method};
pub use secrecy::{ExposeSecret, SecretString};
#[doc(hidden)]
pub use serde as __serde;
pub use session::{Authenticator, CredentialKey, Login, RefusalRule, SessionAuth, SessionConfig, TokenPlacement};
#[cfg(feature = "transport")]
pub use transport::ReqwestTransport;
pub use transport::{Transport, TransportConfig, TransportError, WireRequest, WireResponse};
