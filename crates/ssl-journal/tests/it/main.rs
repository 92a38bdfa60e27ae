//! ssl-journal integration tests.

mod fake;
mod protect;
mod reference_props;
mod sqlite;
