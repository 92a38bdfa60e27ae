//! Client-side rate limiting with rolling windows, so bulk work stays under a provider's published limits
//! (Nameshield 600 / 5 min per token; DigiCert 100 / 5 s and 1000 / 3 min per key) and never sees a 429 it could
//! have avoided.
//!
//! **The rule: a request holds its slot in every window from the moment it is let go until its answer arrives, and
//! the window runs from the answer.** The provider counts a request somewhere between our departure and our
//! receipt of its answer (on arrival, or when its turn comes in a queue); counting from departure lets the two counts
//! slide apart under concurrency (a request delayed on its way lands inside the next window), counting from the answer
//! never can: request *j + limit* leaves at least one window after request *j*'s answer, so it arrives at least one
//! window after the provider counted request *j*. The cost is one answer latency per window cycle.
//!
//! The executor takes a [`Held`] slot before each attempt ([`Held::acquire`]) and reports the answer (or failure)
//! with [`Held::answered`]; a slot dropped without an answer (the caller's future was cancelled) is released as of
//! the drop.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// `limit` requests in any rolling `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

/// One request's place in a gate's windows, from [`RateGate::acquire`] until [`RateGate::release`]. The number is
/// the gate's own (a counter, a database row's key); it means nothing to anyone else.
#[derive(Debug, PartialEq, Eq, Hash)]
#[must_use = "a slot stays in flight until it is released"]
pub struct Slot(u64);

impl Slot {
    /// A slot with the gate's own number.
    pub const fn new(id: u64) -> Self {
        Self(id)
    }

    /// The gate's number for it.
    pub const fn id(&self) -> u64 {
        self.0
    }
}

/// What the executor waits on before each request: the in-process [`RateLimiter`] by default, or a gate shared
/// by several processes (the order journal's PostgreSQL windows, so a fleet of workers stays inside one limit).
///
/// A gate counts a request as in flight from [`acquire`](Self::acquire) to [`release`](Self::release), and as
/// inside a window for one period after its release (the module docs say why).
#[async_trait::async_trait]
pub trait RateGate: Send + Sync + std::fmt::Debug {
    /// Wait until one more request fits every window (requests in flight count as inside every window), then
    /// count it as in flight.
    async fn acquire(&self) -> Slot;

    /// The answer to `slot`'s request arrived (or the request failed): its windows run from now.
    async fn release(&self, slot: Slot);

    /// `slot`'s request was abandoned without an answer (its future was dropped): release it without waiting. The
    /// default keeps it in flight, so a gate that cannot release synchronously must expire in-flight slots on its
    /// own (a lease).
    fn abandon(&self, slot: Slot) {
        let _ = slot;
    }
}

/// A slot held by one request, released by [`answered`](Self::answered) or, if dropped before that,
/// [`RateGate::abandon`]. Without a gate it holds nothing.
#[derive(Debug)]
#[must_use = "release the slot with `answered` once the answer arrives"]
pub struct Held {
    held: Option<(Arc<dyn RateGate>, Slot)>,
}

impl Held {
    /// Wait on `gate` (if any) for a slot.
    pub async fn acquire(gate: Option<&Arc<dyn RateGate>>) -> Self {
        match gate {
            Some(g) => Self { held: Some((g.clone(), g.acquire().await)) },
            None => Self { held: None },
        }
    }

    /// The answer arrived (or the request failed): release the slot now.
    pub async fn answered(mut self) {
        if let Some((gate, slot)) = self.held.take() {
            gate.release(slot).await;
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some((gate, slot)) = self.held.take() {
            gate.abandon(slot);
        }
    }
}

#[async_trait::async_trait]
impl RateGate for RateLimiter {
    async fn acquire(&self) -> Slot {
        RateLimiter::acquire(self).await
    }

    async fn release(&self, slot: Slot) {
        RateLimiter::release(self, slot);
    }

    fn abandon(&self, slot: Slot) {
        RateLimiter::release(self, slot);
    }
}

/// Enforces every window at once, counting each request from its release (see the module docs). Share one per
/// credential (`Arc<RateLimiter>`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use ssl_core::ratelimit::{RateLimiter, Window};
/// let limiter = RateLimiter::new(vec![Window::new(100, Duration::from_secs(5))]);
/// let slot = limiter.acquire().await; // returns at once while under the limit
/// // ... send the request, read the answer ...
/// limiter.release(slot); // the 5 s window runs from here
/// # }
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    windows: Vec<Window>,
    state: Mutex<Slots>,
}

/// Requests in flight, and the release times of the answered ones (oldest first; released under the lock at
/// `Instant::now()`, so in order).
#[derive(Debug, Default)]
struct Slots {
    next: u64,
    in_flight: HashSet<u64>,
    answered: VecDeque<Instant>,
}

impl RateLimiter {
    /// A limiter over these windows.
    pub fn new(windows: Vec<Window>) -> Self {
        Self { windows, state: Mutex::new(Slots::default()) }
    }

    /// The windows enforced.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// Wait until one more request fits in every window, then count it as in flight until
    /// [`release`](Self::release).
    pub async fn acquire(&self) -> Slot {
        loop {
            let wait = {
                let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let wait = s.wait(&self.windows, now);
                if wait.is_zero() {
                    let id = s.next;
                    s.next += 1;
                    s.in_flight.insert(id);
                    return Slot(id);
                }
                wait
            };
            tracing::debug!(?wait, "rate limit: waiting");
            tokio::time::sleep(wait).await;
        }
    }

    /// `slot`'s answer arrived (or its request failed or was abandoned): from now on it counts for one period of
    /// each window. Releasing a slot twice, or one of another limiter, does nothing.
    pub fn release(&self, slot: Slot) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.in_flight.remove(&slot.0) {
            let now = Instant::now();
            s.answered.push_back(now);
        }
    }
}

impl Slots {
    /// How long until one more request fits every window (zero: now). Requests in flight count as inside every
    /// window; when one of them is what keeps a window full, the wait is one period (the earliest it can free up,
    /// were it answered now) and the caller checks again then.
    fn wait(&mut self, windows: &[Window], now: Instant) -> Duration {
        let longest = windows.iter().map(|w| w.period).max().unwrap_or_default();
        while self.answered.front().is_some_and(|t| now.duration_since(*t) >= longest) {
            self.answered.pop_front();
        }
        let flying = self.in_flight.len();
        let mut wait = Duration::ZERO;
        for w in windows.iter().filter(|w| w.limit > 0) {
            let first_inside = self.answered.partition_point(|t| now.duration_since(*t) >= w.period);
            let inside = self.answered.len() - first_inside;
            if flying + inside < w.limit {
                continue;
            }
            // Newest first: the in-flight requests, then the answered ones. The `limit`-th of them must leave.
            let w_wait = if w.limit <= flying {
                w.period
            } else {
                let t = self.answered[self.answered.len() + flying - w.limit];
                w.period.saturating_sub(now.duration_since(t))
            };
            wait = wait.max(w_wait.max(Duration::from_millis(1)));
        }
        wait
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

    /// A request answered at once.
    async fn call(l: &RateLimiter) {
        let slot = l.acquire().await;
        l.release(slot);
    }

    #[tokio::test(start_paused = true)]
    async fn request_101_inside_five_seconds_waits() {
        let l = digicert();
        let start = Instant::now();
        for _ in 0..100 {
            call(&l).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the first 100 pass at once");
        call(&l).await;
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
            call(&l).await;
        }
        // 1000 requests at 100 per 5 s take 45 s (10 bursts).
        assert_eq!(start.elapsed(), Duration::from_secs(45));
        call(&l).await;
        assert_eq!(start.elapsed(), Duration::from_secs(180), "request 1001 waits for the 3 min window");
    }

    /// The rule: a slot is not free again until one period after its answer, however early it was sent.
    #[tokio::test(start_paused = true)]
    async fn a_slot_frees_one_window_after_its_answer_not_its_departure() {
        let l = RateLimiter::new(vec![Window::new(2, Duration::from_secs(5))]);
        let start = Instant::now();
        let slow = l.acquire().await; // sent at 0, answered at 3 s
        call(&l).await; // sent and answered at 0
        tokio::time::advance(Duration::from_secs(3)).await;
        l.release(slow);
        // The quick one frees its slot at 5 s; the slow one only at 3 + 5 = 8 s, not at 5 s.
        call(&l).await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        call(&l).await;
        assert_eq!(start.elapsed(), Duration::from_secs(8), "one window after the answer at 3 s");
    }

    /// Requests in flight fill a window however long they take; an abandoned one frees its slot as of the drop.
    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_hold_their_slots_until_answered_or_dropped() {
        let l: Arc<dyn RateGate> = Arc::new(RateLimiter::new(vec![Window::new(2, Duration::from_secs(1))]));
        let start = Instant::now();
        let a = Held::acquire(Some(&l)).await;
        let b = Held::acquire(Some(&l)).await;
        let third = tokio::spawn({
            let l = l.clone();
            async move {
                Held::acquire(Some(&l)).await.answered().await;
                Instant::now()
            }
        });
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!third.is_finished(), "two requests in flight for a minute still fill the window");
        a.answered().await; // answered at 60 s
        drop(b); // abandoned at 60 s
        let at = third.await.unwrap();
        assert_eq!(at - start, Duration::from_secs(61), "free one window after the answer");
        Held::acquire(None).await.answered().await; // no gate: nothing to wait for
    }

    /// The executor's hook: a request's slot is held while the transport waits for the answer, so the next request
    /// leaves one window after the first one's answer (3 s + 5 s), not after its departure (5 s).
    #[tokio::test(start_paused = true)]
    async fn the_executor_holds_the_slot_until_the_transport_answers() {
        use crate::transport::{Transport, TransportError, WireRequest, WireResponse};

        /// Answers every request after 3 s.
        #[derive(Debug)]
        struct Slow;
        #[async_trait::async_trait]
        impl Transport for Slow {
            async fn send(&self, _: WireRequest) -> Result<WireResponse, TransportError> {
                tokio::time::sleep(Duration::from_secs(3)).await;
                Ok(WireResponse { status: 200, headers: vec![], body: b"{}".to_vec() })
            }
        }
        let start = Instant::now();
        let limiter = Arc::new(RateLimiter::new(vec![Window::new(1, Duration::from_secs(5))]));
        let base = url::Url::parse("https://api.example.test/").unwrap();
        let api =
            crate::client::ApiClient::new("test", base, Arc::new(Slow), |_, _, _| None).with_rate_limiter(limiter);
        let req = crate::request::HttpRequest::new(crate::request::Method::Get, "/x", crate::request::CallKind::Read);
        let mut answers = Vec::new();
        for _ in 0..2 {
            api.execute(&req, &crate::client::NoAuth).await.unwrap();
            answers.push(start.elapsed());
        }
        assert_eq!(answers, [Duration::from_secs(3), Duration::from_secs(3 + 5 + 3)]);
    }
}
