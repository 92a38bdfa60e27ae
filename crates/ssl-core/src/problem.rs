//! Problems found before anything is sent: validation violations, CSR defects and pre-flight failures.
//!
//! Every check in this workspace reports *all* problems at once as a `Vec<Problem>`; a list with at least one
//! [`Severity::Error`] means the order must not be sent.

use serde::{Deserialize, Serialize};

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// The request must not be sent.
    Error,
    /// Worth telling the user; the request may still be sent.
    Warning,
}

/// One problem with a stable machine-readable `code` (for example `weak_key`, `name_mismatch`, `required`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// Stable snake_case code.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// Human-readable explanation.
    pub message: String,
    /// The field (wire or neutral name) the problem is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    /// An error-severity problem.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), severity: Severity::Error, message: message.into(), field: None }
    }

    /// A warning-severity problem.
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), severity: Severity::Warning, message: message.into(), field: None }
    }

    /// Attach the field name.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

/// True when any problem in the list is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}
