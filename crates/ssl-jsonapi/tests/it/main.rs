//! ssl-jsonapi integration tests: request snapshots, Nameshield's wire facts, flows over wiremock, decoding of
//! recorded-style bodies.

mod common;
mod conformance;
mod decode;
mod facts;
mod flows;
mod sandbox;
mod snapshots;
