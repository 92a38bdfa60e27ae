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
    /// The order may exist, or exists but a later step failed (`placed_unreadable`: `error.order_id`).
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
    /// Problems found locally, and the provider's own error entries.
    pub problems: Vec<Problem>,
    /// The order this failure is about (a spend placed it although a later step failed, or `--wait` gave up).
    pub order: Option<Box<OrderRef>>,
}

/// The order a failure is about.
#[derive(Debug, Default, Serialize)]
pub struct OrderRef {
    /// The provider's order id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The provider's raw answer (secrets redacted) when no order id could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Where to look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(exit::USAGE, "usage", None, message, vec![])
    }

    /// A failure without an order attached.
    pub fn new(
        exit: i32,
        kind: &'static str,
        code: Option<String>,
        message: impl Into<String>,
        problems: Vec<Problem>,
    ) -> Self {
        Self { exit, kind, code, message: message.into(), problems, order: None }
    }

    /// Attach the order this failure is about.
    #[must_use]
    pub fn with_order(mut self, order_id: Option<String>, raw: Option<String>, lookup: Option<String>) -> Self {
        self.order = Some(Box::new(OrderRef { order_id, raw, lookup }));
        self
    }

    /// A local rejection (exit 1).
    pub fn invalid(code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(exit::INVALID, "invalid", Some(code.into()), message.clone(), vec![Problem::error(code, message)])
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
                #[serde(flatten, skip_serializing_if = "Option::is_none")]
                order: Option<&'a OrderRef>,
            }
            #[derive(Serialize)]
            struct Outer<'a> {
                error: Inner<'a>,
            }
            let doc = Outer {
                error: Inner {
                    kind: self.kind,
                    code: &self.code,
                    message: &self.message,
                    problems: &self.problems,
                    order: self.order.as_deref(),
                },
            };
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        } else {
            eprintln!("error: {}", self.message);
            let local = self.kind == "invalid";
            if local
                && (self.problems.len() > 1 || (self.problems.len() == 1 && self.problems[0].message != self.message))
            {
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
            ErrorKind::OutcomeUnknown | ErrorKind::PlacedUnreadable => exit::OUTCOME_UNKNOWN,
            _ => exit::PROVIDER,
        };
        let problems = e.all_problems();
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
        let f = Self::new(exit, kind.as_str(), code, message, problems);
        match e.placed() {
            Some(p) => {
                f.with_order(p.order_id.clone(), p.raw.clone(), (!p.lookup.is_empty()).then(|| p.lookup.clone()))
            }
            None => f,
        }
    }
}
