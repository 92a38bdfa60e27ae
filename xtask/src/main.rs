//! `cargo xtask codegen [--check]`: generate `crates/*/src/generated.rs` from `crates/*/spec/*.json`.
//!
//! Without `--check` the files are (re)written; with it nothing is written and the exit code is 1 when any file
//! is stale, naming each one. The spec format is documented in `xtask/SPEC_FORMAT.md`.

use std::process::ExitCode;

use xtask::{codegen, fuzz};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => run(false),
        ["codegen", "--check"] => run(true),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check]");
            ExitCode::from(2)
        }
    }
}

fn run(check: bool) -> ExitCode {
    let root = codegen::workspace_root();
    let rel = |p: &std::path::Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    if check {
        // The fuzz target lists every spec too (xtask/src/fuzz.rs).
        match codegen::stale(&root).and_then(|mut s| {
            fuzz::stale(&root).map(|f| {
                s.extend(f);
                s
            })
        }) {
            Ok(stale) if stale.is_empty() => {
                eprintln!("generated code is up to date");
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                for p in &stale {
                    eprintln!("stale: {} (run `cargo xtask codegen`)", rel(p));
                }
                ExitCode::from(1)
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        }
    } else {
        match codegen::write_all(&root).and_then(|mut s| {
            fuzz::write_all(&root).map(|f| {
                s.extend(f);
                s
            })
        }) {
            Ok(changed) => {
                for p in &changed {
                    eprintln!("wrote {}", rel(p));
                }
                if changed.is_empty() {
                    eprintln!("generated code is up to date");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        }
    }
}
