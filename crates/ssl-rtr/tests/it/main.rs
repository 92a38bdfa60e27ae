//! ssl-rtr integration tests: error shapes, wire facts, request snapshots, flows.

mod conformance;
mod errors;
mod facts;
mod flows;
mod mapping;
mod sandbox;
mod snapshots;
mod support;
