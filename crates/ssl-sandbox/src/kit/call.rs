//! Handlers that run under the state lock: the kit takes the lock, splits the state into the provider's part and
//! the kit, reads the request, and calls the provider's plain function. Most provider handlers are this (look up an
//! order, change it, answer); handlers that wait (DCV checks) stay axum handlers.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::kit::app::{App, Shared};
use crate::kit::book::{Book, Orders};
use crate::kit::def::{Answer, Refusal};
use crate::kit::order::Order;
use crate::kit::state::Kit;

/// A request as a locked handler sees it, with the kit (clock, ids, knobs, mailbox) and the shared app (the CA).
pub(crate) struct Call<'a> {
    /// The kit's part of the state.
    pub kit: &'a mut Kit,
    /// The CA, the config.
    pub app: &'a Shared,
    /// Path parameters.
    pub params: HashMap<String, String>,
    /// Query parameters.
    pub query: HashMap<String, String>,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
}

impl Call<'_> {
    /// The path parameter `name` (empty when absent).
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }

    /// The path parameter `id`.
    pub(crate) fn id(&self) -> &str {
        self.param("id")
    }
}

/// A handler run under the state lock with provider part `B`.
pub(crate) type Locked<B> = fn(&mut B, &mut Call<'_>) -> Answer;

/// A handler of the one order the path parameter `id` names (found by the provider's lookup).
pub(crate) type OnOrder<B> = fn(&mut Order<<B as Orders>::Extra>, &mut Call<'_>) -> Answer;

/// The provider's lookup of an order by id: the order or its refusal (unknown id) in the provider's shape.
pub(crate) type Find<B> = for<'a> fn(&'a mut B, &str) -> Result<&'a mut Order<<B as Orders>::Extra>, Refusal>;

/// The route method `method` answered by the locked handler `f`.
pub(crate) fn locked<B: Book>(method: MethodFilter, f: Locked<B>) -> MethodRouter<App> {
    serve(method, f)
}

/// The route method `method` answered by `f` on the order `find` gives for the path's `id`.
pub(crate) fn on_order<B: Book>(method: MethodFilter, find: Find<B>, f: OnOrder<B>) -> MethodRouter<App> {
    serve(method, move |part: &mut B, c: &mut Call<'_>| {
        let id = c.id().to_owned();
        f(find(part, &id)?, c)
    })
}

fn serve<B: Book>(
    method: MethodFilter,
    f: impl Fn(&mut B, &mut Call<'_>) -> Answer + Clone + Send + Sync + 'static,
) -> MethodRouter<App> {
    on(
        method,
        move |AxState(app): AxState<App>,
              params: Option<Path<HashMap<String, String>>>,
              Query(query): Query<HashMap<String, String>>,
              headers: HeaderMap,
              body: Bytes| async move {
            let mut st = app.state();
            let (part, kit) = st.split::<B>();
            let params = params.map(|p| p.0).unwrap_or_default();
            f(part, &mut Call { kit, app: &app, params, query, headers, body }).into_response()
        },
    )
}

/// `GET`, for [`locked`].
pub(crate) const GET: MethodFilter = MethodFilter::GET;
/// `POST`, for [`locked`].
pub(crate) const POST: MethodFilter = MethodFilter::POST;
/// `PUT`, for [`locked`].
pub(crate) const PUT: MethodFilter = MethodFilter::PUT;
