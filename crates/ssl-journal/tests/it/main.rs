//! ssl-journal integration tests.

mod contract;
mod fake;
mod pg;
mod protect;
mod reference_props;
mod sqlite;
mod sync;
