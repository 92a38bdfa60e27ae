//! ssl-gogetssl integration tests (one binary).

mod common;
mod conformance;
mod errors;
mod facts;
mod flows;
mod money;
mod preflight;
mod rules;
mod sandbox;
mod secrets;
mod snapshots;
mod spec;
mod tables;
