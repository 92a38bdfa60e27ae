//! The registry types: what a provider module hands the registry.

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::MethodRouter;
use serde_json::Value;

use crate::kit::app::App;
use crate::kit::book::{Book, BookFns, book};
use crate::kit::limits::Limit;
use crate::kit::state::State;

/// One route of a provider: its path relative to the prefix and its method and handler
/// (`("/orders/{id}", || get(show))`). A path served for two methods is two routes; the kit mounts them all.
pub(crate) type Route = (&'static str, fn() -> MethodRouter<App>);

/// One provider's wire protocol.
pub(crate) struct ProviderDef {
    /// `digicert`, ...
    pub name: &'static str,
    /// Real path prefix (`/services/v2`).
    pub prefix: &'static str,
    /// `(environment variable, value)` the sandbox accepts.
    pub credentials: &'static [(&'static str, &'static str)],
    /// Header names whose values are redacted in the logs (lowercase).
    pub secret_headers: &'static [&'static str],
    /// Query / form parameter names whose values are redacted in the logs.
    pub secret_params: &'static [&'static str],
    /// The published rate limits, per credential.
    pub rate_limits: &'static [Limit],
    /// Paths (relative to the prefix) that need no credential, e.g. a login.
    pub public_paths: &'static [&'static str],
    /// Check a request's credential: the credential's identity (rate limits count per identity) or the refusal
    /// in the provider's shape.
    pub auth: fn(&Head<'_>, &mut State) -> Result<String, Refusal>,
    /// The provider's error shape for errors the kit makes (rate limits, faults, unknown routes).
    pub error: fn(&Failure) -> Response,
    /// The routes, relative to the prefix (mounted by [`ProviderDef::router`]).
    pub routes: &'static [Route],
    /// The product catalog as JSON (`GET /_sandbox/catalog/{provider}`).
    pub catalog: fn() -> Value,
    /// The generic order operations over the provider's state ([`crate::kit::book::book`]).
    pub book: BookFns,
}

impl ProviderDef {
    /// The provider whose state is `B` (its name is `B`'s part name) under `prefix`, with no credential, secret,
    /// rate limit or public path yet: a module sets those it has with struct update syntax.
    pub(crate) const fn new<B: Book>(
        prefix: &'static str,
        routes: &'static [Route],
        auth: fn(&Head<'_>, &mut State) -> Result<String, Refusal>,
        error: fn(&Failure) -> Response,
        catalog: fn() -> Value,
    ) -> Self {
        Self {
            name: B::NAME,
            prefix,
            credentials: &[],
            secret_headers: &[],
            secret_params: &[],
            rate_limits: &[],
            public_paths: &[],
            auth,
            error,
            routes,
            catalog,
            book: book::<B>(),
        }
    }

    /// Every route of the provider, relative to its prefix.
    pub(crate) fn router(&self, app: App) -> Router {
        let routes = self.routes.iter().fold(Router::new(), |r, (path, method)| r.route(path, method()));
        routes.with_state(app)
    }
}

/// An error answer of a handler (boxed: a [`Response`] is large); handlers return [`Answer`] and use `?`.
#[derive(Debug)]
pub(crate) struct Refusal(pub Box<Response>);

impl From<Response> for Refusal {
    fn from(r: Response) -> Self {
        Self(Box::new(r))
    }
}

impl axum::response::IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// What a provider handler returns.
pub(crate) type Answer = Result<Response, Refusal>;

/// A JSON answer with `status`.
pub(crate) fn reply(status: StatusCode, v: Value) -> Answer {
    use axum::response::IntoResponse;
    Ok((status, axum::Json(v)).into_response())
}

/// A JSON answer with 200.
pub(crate) fn ok(v: Value) -> Answer {
    reply(StatusCode::OK, v)
}

/// What the auth check sees of a request (every part is for some provider's auth).
#[derive(Debug, Clone, Copy)]
#[allow(dead_code, reason = "the parts a provider's auth check may read; not every provider reads each")]
pub(crate) struct Head<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path after the prefix.
    pub path: &'a str,
    /// Raw query string.
    pub query: &'a str,
    /// Headers.
    pub headers: &'a HeaderMap,
}

impl Head<'_> {
    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of `Authorization: Bearer <token>`.
    #[allow(dead_code, reason = "for providers authenticating with a bearer token")]
    pub(crate) fn bearer(&self) -> Option<&str> {
        let v = self.header("authorization")?.trim();
        let (scheme, token) = v.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }
}

/// An error the kit makes, answered in the provider's shape by [`ProviderDef::error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Over a rate limit (published or a fault): 429; the kit sets `Retry-After`.
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A server error (fault).
    ServerError {
        /// 5xx status.
        status: StatusCode,
    },
    /// No such route.
    NoRoute {
        /// The path asked for (prefix included).
        path: String,
    },
}

impl Failure {
    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServerError { status } => *status,
            Self::NoRoute { .. } => StatusCode::NOT_FOUND,
        }
    }
}

/// The provider's answer to `f`, with `Retry-After` on a 429.
pub(crate) fn failure(def: &ProviderDef, f: &Failure) -> Response {
    let mut r = (def.error)(f);
    *r.status_mut() = f.status();
    if let Failure::RateLimited { retry_after } = f {
        if let Ok(v) = retry_after.to_string().parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    r
}
