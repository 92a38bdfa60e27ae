//! ssl-core integration tests: the shared executor against wiremock over real HTTP.

mod executor;
mod request_values;
