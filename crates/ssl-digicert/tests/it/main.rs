//! ssl-digicert integration tests (one binary).

mod common;
mod conformance;
mod decode;
mod errors;
mod facts;
mod flows;
mod money;
mod preflight;
mod sandbox;
mod secrets;
mod snapshots;
