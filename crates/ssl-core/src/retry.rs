//! Retry classification and jittered, bounded backoff.
//!
//! | call kind | 429 | 502/503/504 | connect failed | timeout / dropped after sending |
//! |-----------|-----|-------------|----------------|---------------------------------|
//! | Read      | retry (Retry-After honoured) | retry | retry | retry |
//! | Write     | retry (Retry-After honoured) | no    | retry | no (network error, `sent`) |
//! | Spend     | no  | no → `OutcomeUnknown` | no (nothing sent) | no → `OutcomeUnknown` |

use std::time::{Duration, SystemTime};

use crate::request::CallKind;

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attempt {
    /// An HTTP status that is an error.
    Status(u16),
    /// The connection never opened.
    ConnectFailed,
    /// Timeout or dropped connection after sending.
    Ambiguous,
}

/// Bounded exponential backoff with full jitter. Start from [`RetryPolicy::default`] (4 attempts, 250 ms doubling
/// up to 30 s, `Retry-After` up to 60 s) or [`RetryPolicy::none`] and change it with the setters.
///
/// ```
/// use std::time::Duration;
/// use ssl_core::retry::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .base_delay(Duration::from_millis(100))
///     .max_delay(Duration::from_secs(5))
///     .max_retry_after(Duration::from_secs(120));
/// assert_eq!(policy.max_attempts, 6);
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff.
    pub base_delay: Duration,
    /// Largest backoff between two attempts.
    pub max_delay: Duration,
    /// Longest `Retry-After` the client waits (default 60 s). A longer one is not waited: the call fails with
    /// the provider's error, which shows the value.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Whether this call may be sent again after `attempt` (1-based count of attempts made).
    pub fn should_retry(&self, kind: CallKind, outcome: Attempt, attempts_made: u32) -> bool {
        if attempts_made >= self.max_attempts {
            return false;
        }
        match (kind, outcome) {
            (CallKind::Spend, _) => false,
            (_, Attempt::Status(429)) | (_, Attempt::ConnectFailed) => true,
            (CallKind::Read, Attempt::Status(502..=504)) | (CallKind::Read, Attempt::Ambiguous) => true,
            _ => false,
        }
    }

    /// Make at most `attempts` attempts in all, the first included (1: no retry).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Wait this long before the first retry (doubled at each further one, with full jitter).
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Wait at most this long between two attempts (unless a `Retry-After` says longer).
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Wait at most this long for a `Retry-After`.
    #[must_use]
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// How long to wait before attempt `attempts_made + 1`: `Retry-After` when given (if not over
    /// `max_retry_after`, which may be longer than `max_delay`), else `base * 2^(n-1)` with full jitter, capped. `None` means the wait would be too long.
    pub fn delay(&self, attempts_made: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(ra) = retry_after {
            return (ra <= self.max_retry_after).then_some(ra);
        }
        let exp = self.base_delay.saturating_mul(1u32 << attempts_made.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        let millis = cap.as_millis().max(1) as u64;
        Some(Duration::from_millis(millis / 2 + fastrand::u64(0..=millis / 2)))
    }
}

/// Parse `Retry-After`: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spend_is_never_retried() {
        let p = RetryPolicy::default();
        for o in [Attempt::Status(429), Attempt::Status(503), Attempt::ConnectFailed, Attempt::Ambiguous] {
            assert!(!p.should_retry(CallKind::Spend, o, 1), "{o:?}");
        }
    }

    #[test]
    fn reads_retry_on_transient_failures_only() {
        let p = RetryPolicy::default();
        for o in [Attempt::Status(429), Attempt::Status(502), Attempt::Status(503), Attempt::Status(504)] {
            assert!(p.should_retry(CallKind::Read, o, 1));
        }
        for s in [400, 401, 404, 500] {
            assert!(!p.should_retry(CallKind::Read, Attempt::Status(s), 1));
        }
        assert!(!p.should_retry(CallKind::Read, Attempt::Status(503), p.max_attempts));
    }

    #[test]
    fn writes_retry_only_when_refused_before_work() {
        let p = RetryPolicy::default();
        assert!(p.should_retry(CallKind::Write, Attempt::Status(429), 1));
        assert!(p.should_retry(CallKind::Write, Attempt::ConnectFailed, 1));
        assert!(!p.should_retry(CallKind::Write, Attempt::Status(503), 1));
        assert!(!p.should_retry(CallKind::Write, Attempt::Ambiguous, 1));
    }

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, Some(Duration::from_secs(3))), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), None);
        // Longer than the backoff cap but within the Retry-After policy: waited.
        assert_eq!(p.delay(1, Some(Duration::from_secs(45))), Some(Duration::from_secs(45)));
        assert_eq!(p.delay(1, Some(Duration::from_secs(61))), None);
        let patient = RetryPolicy::default().max_retry_after(Duration::from_secs(120));
        assert_eq!(patient.delay(1, Some(Duration::from_secs(90))), Some(Duration::from_secs(90)));
        for n in 1..10 {
            let d = p.delay(n, None).unwrap();
            assert!(d <= p.max_delay && d > Duration::ZERO);
        }
        assert_eq!(parse_retry_after(" 297 "), Some(Duration::from_secs(297)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
