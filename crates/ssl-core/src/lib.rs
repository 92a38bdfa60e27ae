//! Shared core of the ssl-orders workspace. See the module docs.
pub mod model;
pub mod problem;

pub use problem::{Problem, Severity};
