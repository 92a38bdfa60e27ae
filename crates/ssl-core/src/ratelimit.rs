//! Client-side rate limiting with rolling windows, so bulk work stays under a provider's published limits
//! (Nameshield 600 / 5 min per token; DigiCert 100 / 5 s and 1000 / 3 min per key) and never sees a 429 it could
//! have avoided.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// `limit` requests in any rolling `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Requests allowed.
    pub limit: usize,
    /// Rolling period.
    pub period: Duration,
}

impl Window {
    /// A window.
    pub const fn new(limit: usize, period: Duration) -> Self {
        Self { limit, period }
    }
}

/// What the executor waits on before each request: the in-process [`RateLimiter`] by default, or a gate shared
/// by several processes (the order journal's PostgreSQL windows, so a fleet of workers stays inside one limit).
#[async_trait::async_trait]
pub trait RateGate: Send + Sync + std::fmt::Debug {
    /// Wait until one more request fits, then count it.
    async fn acquire(&self);
}

#[async_trait::async_trait]
impl RateGate for RateLimiter {
    async fn acquire(&self) {
        RateLimiter::acquire(self).await;
    }
}

/// Enforces every window at once. Share one per credential (`Arc<RateLimiter>`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use ssl_core::ratelimit::{RateLimiter, Window};
/// let limiter = RateLimiter::new(vec![Window::new(100, Duration::from_secs(5))]);
/// limiter.acquire().await; // returns at once while under the limit
/// # }
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    windows: Vec<Window>,
    sent: Mutex<Vec<VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter over these windows.
    pub fn new(windows: Vec<Window>) -> Self {
        let sent = Mutex::new(windows.iter().map(|_| VecDeque::new()).collect());
        Self { windows, sent }
    }

    /// The windows enforced.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// Wait until one more request fits in every window, then count it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let mut wait = Duration::ZERO;
                for (w, q) in self.windows.iter().zip(sent.iter_mut()) {
                    while q.front().is_some_and(|t| now.duration_since(*t) >= w.period) {
                        q.pop_front();
                    }
                    if q.len() >= w.limit {
                        if let Some(oldest) = q.front() {
                            wait = wait.max(w.period - now.duration_since(*oldest));
                        }
                    }
                }
                if wait.is_zero() {
                    for q in sent.iter_mut() {
                        q.push_back(now);
                    }
                    return;
                }
                wait
            };
            tracing::debug!(?wait, "rate limit: waiting");
            tokio::time::sleep(wait).await;
        }
    }
}

/// The limiter shared by every client of one credential: clients built separately for the same provider, base URL
/// and key count against the same windows, since the provider counts per key. Sessions
/// ([`crate::session::SessionAuth`]) are keyed the same way.
pub fn shared_by(key: &crate::session::CredentialKey, windows: &[Window]) -> std::sync::Arc<RateLimiter> {
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock};
    type Registry = Mutex<HashMap<crate::session::CredentialKey, Arc<RateLimiter>>>;
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let mut map = REGISTRY.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.retain(|k, _| k.is_alive());
    map.entry(key.clone()).or_insert_with(|| Arc::new(RateLimiter::new(windows.to_vec()))).clone()
}

/// [`shared_by`] for a provider whose every base URL counts against one limit per key.
pub fn shared(
    provider: &'static str,
    credential: &secrecy::SecretString,
    windows: &[Window],
) -> std::sync::Arc<RateLimiter> {
    let any = url::Url::parse("https://any.invalid/").unwrap_or_else(|_| unreachable!("static URL"));
    shared_by(&crate::session::CredentialKey::new(provider, &any, credential), windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digicert() -> RateLimiter {
        RateLimiter::new(vec![Window::new(100, Duration::from_secs(5)), Window::new(1000, Duration::from_secs(180))])
    }

    #[tokio::test(start_paused = true)]
    async fn request_101_inside_five_seconds_waits() {
        let l = digicert();
        let start = Instant::now();
        for _ in 0..100 {
            l.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the first 100 pass at once");
        l.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5), "request 101 waits for the 5 s window");
    }

    #[test]
    fn one_limiter_per_credential() {
        let w = [Window::new(1, Duration::from_secs(1))];
        let a = shared("x", &"k1".into(), &w);
        let b = shared("x", &"k1".into(), &w);
        let c = shared("x", &"k2".into(), &w);
        assert!(std::sync::Arc::ptr_eq(&a, &b));
        assert!(!std::sync::Arc::ptr_eq(&a, &c));
    }

    #[tokio::test(start_paused = true)]
    async fn the_three_minute_window_binds_too() {
        let l = digicert();
        let start = Instant::now();
        for _ in 0..1000 {
            l.acquire().await;
        }
        // 1000 requests at 100 per 5 s take 45 s (10 bursts).
        assert_eq!(start.elapsed(), Duration::from_secs(45));
        l.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(180), "request 1001 waits for the 3 min window");
    }
}
