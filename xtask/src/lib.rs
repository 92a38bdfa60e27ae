//! Workspace automation behind `cargo xtask`. The library part exists so tests can call the generator.

pub mod codegen;
pub mod fuzz;
