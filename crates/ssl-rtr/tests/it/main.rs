//! ssl-rtr integration tests: error shapes, wire facts, request snapshots, flows.

mod errors;
mod support;
