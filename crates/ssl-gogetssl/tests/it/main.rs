//! ssl-gogetssl integration tests (one binary).

mod common;
mod conformance;
mod facts;
mod flows;
mod money;
mod preflight;
mod sandbox;
mod secrets;
mod snapshots;
mod spec;
