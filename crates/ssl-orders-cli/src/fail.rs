//! CLI failures, their exit codes and their JSON form.

use serde::Serialize;
use ssl_core::{Error, ErrorKind, Problem};

/// Exit codes.
pub mod exit {
    /// Done.
    pub const OK: i32 = 0;
    /// Rejected locally, nothing sent.
    pub const INVALID: i32 = 1;
    /// Usage.
    pub const USAGE: i32 = 2;
    /// The provider refused.
    pub const PROVIDER: i32 = 3;
    /// Network failure / timeout.
    pub const NETWORK: i32 = 4;
    /// Authentication failed.
    pub const AUTH: i32 = 5;
    /// `--wait` timed out.
    pub const WAIT_TIMEOUT: i32 = 6;
    /// The order may exist.
    pub const OUTCOME_UNKNOWN: i32 = 7;
}

/// A failure to report.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub exit: i32,
    /// `error.kind`.
    pub kind: &'static str,
    /// Provider or local code.
    pub code: Option<String>,
    /// Message.
    pub message: String,
    /// Problems found locally.
    pub problems: Vec<Problem>,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self { exit: exit::USAGE, kind: "usage", code: None, message: message.into(), problems: vec![] }
    }

    /// A local rejection (exit 1).
    pub fn invalid(code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            exit: exit::INVALID,
            kind: "invalid",
            code: Some(code.into()),
            problems: vec![Problem::error(code, message.clone())],
            message,
        }
    }

    /// An I/O failure on a local file (exit 1).
    pub fn io(what: &str, path: &std::path::Path, e: &std::io::Error) -> Self {
        Self::invalid("file", format!("{what} {}: {e}", path.display()))
    }

    /// Print on stderr (human) or stdout (JSON).
    pub fn report(&self, json: bool) {
        if json {
            #[derive(Serialize)]
            struct Inner<'a> {
                kind: &'a str,
                code: &'a Option<String>,
                message: &'a str,
                problems: &'a [Problem],
            }
            #[derive(Serialize)]
            struct Outer<'a> {
                error: Inner<'a>,
            }
            let doc = Outer {
                error: Inner { kind: self.kind, code: &self.code, message: &self.message, problems: &self.problems },
            };
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        } else {
            eprintln!("error: {}", self.message);
            if self.problems.len() > 1 || (self.problems.len() == 1 && self.problems[0].message != self.message) {
                for p in &self.problems {
                    eprintln!("  - {p}");
                }
            }
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let kind = e.kind();
        let exit = match kind {
            ErrorKind::Invalid | ErrorKind::Unsupported => exit::INVALID,
            ErrorKind::Config => exit::USAGE,
            ErrorKind::Auth => exit::AUTH,
            ErrorKind::Network => exit::NETWORK,
            ErrorKind::OutcomeUnknown => exit::OUTCOME_UNKNOWN,
            _ => exit::PROVIDER,
        };
        let problems = e.problems().to_vec();
        let code =
            e.code().map(str::to_owned).or_else(|| problems.iter().find(|p| p.is_error()).map(|p| p.code.clone()));
        let message = match &e {
            Error::Invalid(p) => format!(
                "rejected before sending ({} problem{}); nothing was sent",
                p.iter().filter(|p| p.is_error()).count(),
                if p.iter().filter(|p| p.is_error()).count() == 1 { "" } else { "s" }
            ),
            other => other.to_string(),
        };
        Self { exit, kind: kind.as_str(), code, message, problems }
    }
}
