//! The CPU time of the calling thread, from `/proc/thread-self/schedstat` (nanoseconds on CPU; Linux), with the
//! wall clock beside it.

use std::future::Future;
use std::time::{Duration, Instant};

/// CPU time the calling thread has used so far, or `None` where `/proc/thread-self/schedstat` is not readable
/// (not Linux, or schedstats off): callers then compare wall time.
pub fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse::<u64>().ok().map(Duration::from_nanos)
}

/// What a batch of calls cost, per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// CPU time of the client thread per call (wall time where the CPU clock is unavailable).
    pub cpu: Duration,
    /// Wall time per call.
    pub wall: Duration,
}

impl Cost {
    /// Run `calls` calls of `f` one after another on `rt` (a current-thread runtime, so the client's work stays on
    /// this thread) and return the cost per call.
    pub fn measure<F, Fut>(rt: &tokio::runtime::Runtime, calls: u32, mut f: F) -> Self
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ()>,
    {
        let calls = calls.max(1);
        let cpu0 = thread_cpu();
        let wall0 = Instant::now();
        rt.block_on(async {
            for _ in 0..calls {
                f().await;
            }
        });
        let wall = wall0.elapsed();
        let cpu = match (cpu0, thread_cpu()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => wall,
        };
        Self { cpu: cpu / calls, wall: wall / calls }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_costs_cpu_and_sleeping_does_not() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let busy = Cost::measure(&rt, 3, || async {
            let t = Instant::now();
            let mut x = 0u64;
            while t.elapsed() < Duration::from_millis(5) {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        });
        let idle = Cost::measure(&rt, 3, || async { tokio::time::sleep(Duration::from_millis(5)).await });
        assert!(busy.wall >= Duration::from_millis(5), "{busy:?}");
        assert!(idle.wall >= Duration::from_millis(5), "{idle:?}");
        if thread_cpu().is_some() {
            assert!(idle.cpu < Duration::from_millis(2), "sleeping is not CPU: {idle:?}");
            assert!(busy.cpu > idle.cpu, "{busy:?} vs {idle:?}");
        }
    }
}
