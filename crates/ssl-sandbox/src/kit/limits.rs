//! The providers' published rate limits, enforced per credential in rolling windows. A request over a limit gets
//! a 429 in the provider's error shape with `Retry-After` (seconds until the oldest request of the full window
//! leaves it). The knob `rate_scale` multiplies every window (0.01: a 5-second window lasts 50 ms) so tests can
//! reach a limit and wait it out quickly; `rate_limits: false` turns enforcement off.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// One window: at most `count` requests per `secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests allowed in the window.
    pub count: usize,
    /// Window length in seconds.
    pub secs: u64,
}

impl Limit {
    /// `count` requests per `secs` seconds.
    pub const fn per(count: usize, secs: u64) -> Self {
        Self { count, secs }
    }
}

/// Request times per `(provider, credential)`.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    seen: BTreeMap<(String, String), VecDeque<Instant>>,
}

impl Limiter {
    /// Count a request at `now`, or refuse it with the seconds to wait (nothing counted then).
    pub(crate) fn admit(
        &mut self,
        provider: &str,
        credential: &str,
        limits: &[Limit],
        scale: f64,
        now: Instant,
    ) -> Result<(), u64> {
        if limits.is_empty() {
            return Ok(());
        }
        let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
        let window = |l: &Limit| Duration::from_secs_f64(l.secs as f64 * scale);
        let longest = limits.iter().map(window).max().unwrap_or_default();
        let q = self.seen.entry((provider.to_owned(), credential.to_owned())).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= longest) {
            q.pop_front();
        }
        let mut wait = Duration::ZERO;
        for l in limits {
            let w = window(l);
            let inside: Vec<&Instant> = q.iter().filter(|t| now.duration_since(**t) < w).collect();
            if inside.len() >= l.count {
                // The oldest request that must leave before one more fits.
                let oldest = inside[inside.len() - l.count];
                wait = wait.max(w.saturating_sub(now.duration_since(*oldest)));
            }
        }
        if wait > Duration::ZERO {
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        q.push_back(now);
        Ok(())
    }

    /// Forget every count.
    pub(crate) fn clear(&mut self) {
        self.seen.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_windows_per_credential() {
        let limits = [Limit::per(3, 5), Limit::per(5, 60)];
        let mut l = Limiter::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.admit("p", "k", &limits, 1.0, t0).is_ok());
        }
        assert_eq!(l.admit("p", "k", &limits, 1.0, t0), Err(5));
        assert!(l.admit("p", "other", &limits, 1.0, t0).is_ok(), "counted per credential");
        let t1 = t0 + Duration::from_secs(5);
        assert!(l.admit("p", "k", &limits, 1.0, t1).is_ok());
        assert!(l.admit("p", "k", &limits, 1.0, t1).is_ok());
        assert_eq!(l.admit("p", "k", &limits, 1.0, t1), Err(55), "the 60 s window is full");
        assert!(l.admit("p", "k", &[], 1.0, t1).is_ok());
    }

    #[test]
    fn the_scale_shrinks_windows() {
        let limits = [Limit::per(1, 100)];
        let mut l = Limiter::default();
        let t0 = Instant::now();
        assert!(l.admit("p", "k", &limits, 0.01, t0).is_ok());
        assert_eq!(l.admit("p", "k", &limits, 0.01, t0), Err(1));
        assert!(l.admit("p", "k", &limits, 0.01, t0 + Duration::from_millis(1000)).is_ok());
    }
}
