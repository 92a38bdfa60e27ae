//! Realtime Register REST API v2, SSL part.

#[rustfmt::skip]
pub mod generated;
pub mod error;
pub mod mapping;
