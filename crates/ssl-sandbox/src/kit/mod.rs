//! The sandbox kit: everything a provider module builds on, naming no provider.
//!
//! - `def`: the registry types (`ProviderDef`: prefix, routes, auth check, error shape, catalog, rate limits,
//!   the generic order operations).
//! - [`state`]: the state (kit part + one typed part per provider), persistence and the cross-process lock.
//! - [`order`]: the order record and its state machine ([`order::Stage`], [`order::Event`]).
//! - `book`: inspection, expiry, approval emails, CSR key counts and seeding over any provider's orders.
//! - `dcv`: DCV challenges and real DNS and HTTP checks; [`limits`]: published rate limits; `time`: dates; `ids`:
//!   counters; `wire`: reading bodies; `archive`: p7b and zip downloads; `app`: what handlers share.
//!
//! Faults, rate limits, request and event logs, reload and save are applied by the server's pipeline around every
//! provider request: a provider module only answers its own routes.

pub(crate) mod app;
pub(crate) mod archive;
pub(crate) mod book;
pub(crate) mod call;
pub(crate) mod catalog;
pub(crate) mod dcv;
pub(crate) mod def;
pub(crate) mod ids;
pub mod limits;
pub mod order;
pub mod state;
pub(crate) mod time;
pub(crate) mod wire;

/// What a provider module imports.
pub(crate) mod prelude {
    pub(crate) use axum::body::Bytes;
    pub(crate) use axum::extract::{Path, Query, State as AxState};
    pub(crate) use axum::http::{HeaderMap, StatusCode, header};
    pub(crate) use axum::response::{IntoResponse, Response};
    pub(crate) use serde::{Deserialize, Serialize};
    pub(crate) use serde_json::{Value, json};

    pub(crate) use super::app::App;
    pub(crate) use super::book::{Book, Orders, part};
    pub(crate) use super::call::{Call, GET, POST, PUT, locked, on_order};
    pub(crate) use super::catalog::{AddProblem, Problems};
    pub(crate) use super::def::{Answer, Failure, Head, ProviderDef, Refusal, Route, ok, reply};
    pub(crate) use super::limits::Limit;
    pub(crate) use super::order::{Event, Leaf, LeafKind, Name, NewOrder, Order, Stage};
    pub(crate) use super::state::{Kit, State};

    /// A handler's query parameters (`Query(q): Q`).
    pub(crate) type Q = Query<std::collections::BTreeMap<String, String>>;
}
