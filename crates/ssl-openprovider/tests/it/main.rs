//! Integration tests of ssl-openprovider: request snapshots, the provider notes' facts, wiremock flows and the
//! lifecycle against the simulator.

mod common;
mod conformance;
mod errors;
mod facts;
mod flows;
mod snapshots;
