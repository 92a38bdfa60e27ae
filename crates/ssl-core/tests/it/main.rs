//! ssl-core integration tests: the shared executor against wiremock over real HTTP.

mod debug_secrets;
mod executor;
mod kit_tables;
mod operations;
mod request_values;
mod session;
mod spec_patterns;
