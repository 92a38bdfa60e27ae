//! `sync`: read again, from every provider at once, the orders that can still change — not final, or issued
//! with coverage left (a revocation or an expiry is drift too) — and record every status change with its time.
//!
//! - Providers run side by side; inside one provider at most [`SyncOptions::concurrency`] reads are in flight, and
//!   the provider client's rate limiter (the published windows, shared per credential) paces them, so a sync never
//!   provokes a 429 it could have avoided. Each read holds its place in the windows until its answer arrives
//!   (`ssl_core::ratelimit`), so the provider, which counts it somewhere in between, never sees one too many; many
//!   reads in flight only lengthen the provider's queue and with it the time each place is held.
//! - A run is resumable: it is recorded in the journal when it starts and marked finished only when every entry was
//!   read. An interrupted run ([`SyncOptions::stop`]) is resumed by the next `sync`, which skips the entries already
//!   read since the run started.
//! - Entries that share an order (a reissue keeps the order id) are read once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use ssl_core::Provider;
use time::OffsetDateTime;

use crate::entry::{Entry, EntryFilter, EntryState, Observed};
use crate::journal::{Journal, JournalResult};

/// One provider to sync: its client and the base URL its journal rows carry.
#[derive(Debug, Clone)]
pub struct SyncTarget {
    /// The provider client.
    pub provider: Arc<dyn Provider>,
    /// The base URL (rows are keyed by it).
    pub base_url: String,
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Reads in flight per provider (the rate limiter decides the pace).
    pub concurrency: usize,
    /// Set to stop after the reads in flight; the run stays open and the next sync resumes it.
    pub stop: Arc<AtomicBool>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self { concurrency: 8, stop: Arc::new(AtomicBool::new(false)) }
    }
}

/// Progress, reported after every order read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Orders read (or failed) so far in this invocation.
    pub done: usize,
    /// Orders this invocation has to read.
    pub total: usize,
}

/// One provider's part of the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProviderSummary {
    /// Orders read.
    pub checked: usize,
    /// Orders whose status changed.
    pub changed: usize,
    /// Reads that failed (the entry is read again by the next sync).
    pub failed: usize,
    /// The first few failures.
    pub errors: Vec<String>,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncSummary {
    /// The journal's run id.
    pub run: i64,
    /// Whether an interrupted run was resumed.
    pub resumed: bool,
    /// Entries already read by the interrupted run and skipped now.
    pub skipped: usize,
    /// Orders read.
    pub checked: usize,
    /// Status changes recorded.
    pub changed: usize,
    /// Failed reads.
    pub failed: usize,
    /// Whether it was stopped before the end (run again to resume).
    pub interrupted: bool,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Status changes, `order_id: old → new`.
    pub changes: Vec<String>,
    /// Per provider.
    pub providers: BTreeMap<String, ProviderSummary>,
}

/// Entries of `(provider, base_url)` that need a read, grouped by order id.
fn due(entries: &[Entry], target: &SyncTarget, since: Option<OffsetDateTime>) -> (Vec<Vec<Entry>>, usize) {
    let today = OffsetDateTime::now_utc().date();
    let mut groups: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let mut skipped = 0;
    for e in entries {
        if e.intent.provider != target.provider.name() || e.intent.base_url != target.base_url || !e.needs_sync(today) {
            continue;
        }
        if let (Some(since), Some(checked)) = (since, e.checked_at) {
            if checked >= since {
                skipped += 1;
                continue;
            }
        }
        if let Some(id) = &e.order_id {
            groups.entry(id.clone()).or_default().push(e.clone());
        }
    }
    (groups.into_values().collect(), skipped)
}

/// Sync every target; `progress` is called after each read.
pub async fn sync(
    journal: Arc<dyn Journal>,
    targets: &[SyncTarget],
    options: &SyncOptions,
    progress: impl Fn(Progress) + Send + Sync + 'static,
) -> JournalResult<SyncSummary> {
    let started = Instant::now();
    let run = journal.sync_run(OffsetDateTime::now_utc()).await?;
    let entries = journal.entries(&EntryFilter { states: vec![EntryState::Placed], ..EntryFilter::default() }).await?;
    let since = run.resumed.then_some(run.started_at);
    let mut work = Vec::new();
    let mut summary = SyncSummary { run: run.id, resumed: run.resumed, ..SyncSummary::default() };
    for t in targets {
        let (groups, skipped) = due(&entries, t, since);
        summary.skipped += skipped;
        summary.providers.entry(t.provider.name().to_owned()).or_default();
        work.push((t.clone(), groups));
    }
    let total: usize = work.iter().map(|(_, g)| g.len()).sum();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let progress = Arc::new(progress);
    progress(Progress { done: 0, total });
    let mut per_provider = tokio::task::JoinSet::new();
    for (target, groups) in work {
        let journal = journal.clone();
        let (done, progress, stop) = (done.clone(), progress.clone(), options.stop.clone());
        let concurrency = options.concurrency.max(1);
        per_provider.spawn(async move {
            let name = target.provider.name().to_owned();
            let mut ps = ProviderSummary::default();
            let mut changes = Vec::new();
            let mut interrupted = false;
            let mut inflight = tokio::task::JoinSet::new();
            let mut queue = groups.into_iter();
            let mut buffer: Vec<(Vec<Entry>, Observed)> = Vec::new();
            loop {
                while inflight.len() < concurrency && !stop.load(Ordering::SeqCst) {
                    let Some(group) = queue.next() else { break };
                    let p = target.provider.clone();
                    inflight.spawn(async move { fetch(&*p, group).await });
                }
                let next = inflight.join_next().await;
                let finished = next.is_none();
                match next {
                    Some(Ok(Ok(read))) => buffer.push(read),
                    Some(Ok(Err(e))) => {
                        ps.failed += 1;
                        if ps.errors.len() < 5 {
                            ps.errors.push(e);
                        }
                    }
                    Some(Err(e)) => {
                        ps.failed += 1;
                        ps.errors.push(e.to_string());
                    }
                    None => {}
                }
                if buffer.len() >= FLUSH_EVERY || (finished && !buffer.is_empty()) {
                    match flush(&*journal, std::mem::take(&mut buffer), &name).await {
                        Ok((n, ch)) => {
                            ps.checked += n;
                            ps.changed += ch.len();
                            changes.extend(ch);
                        }
                        Err(e) => {
                            ps.failed += 1;
                            ps.errors.push(e.to_string());
                        }
                    }
                }
                if finished {
                    break;
                }
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                progress(Progress { done: n, total });
            }
            if queue.next().is_some() {
                interrupted = true;
            }
            (name, ps, changes, interrupted)
        });
    }
    while let Some(r) = per_provider.join_next().await {
        let (name, ps, changes, interrupted) =
            r.map_err(|e| crate::JournalError::Conflict(format!("sync task failed: {e}")))?;
        summary.checked += ps.checked;
        summary.changed += ps.changed;
        summary.failed += ps.failed;
        summary.interrupted |= interrupted;
        summary.changes.extend(changes);
        summary.providers.insert(name, ps);
    }
    summary.interrupted |= options.stop.load(Ordering::SeqCst) && done.load(Ordering::SeqCst) < total;
    if !summary.interrupted {
        journal.finish_sync_run(run.id, OffsetDateTime::now_utc()).await?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Orders read are written to the journal in batches of this many (one durable write each).
const FLUSH_EVERY: usize = 64;

/// Read one order.
async fn fetch(p: &dyn Provider, group: Vec<Entry>) -> Result<(Vec<Entry>, Observed), String> {
    let order_id = group.first().and_then(|e| e.order_id.clone()).unwrap_or_default();
    let order = p.get(&order_id).await.map_err(|e| format!("{} order {order_id}: {e}", p.name()))?;
    Ok((group, Observed::from(&order)))
}

/// Record a batch of reads on every entry that shares each order; the orders read and the status changes.
async fn flush(
    j: &dyn Journal,
    reads: Vec<(Vec<Entry>, Observed)>,
    provider: &str,
) -> JournalResult<(usize, Vec<String>)> {
    let items: Vec<(i64, Observed)> =
        reads.iter().flat_map(|(group, o)| group.iter().map(move |e| (e.id, o.clone()))).collect();
    let changed = j.record_observed_many(&items, OffsetDateTime::now_utc()).await?;
    let mut changes = Vec::new();
    let mut k = 0;
    for (group, o) in &reads {
        let moved = changed[k..k + group.len()].iter().any(|c| *c);
        if moved {
            let old = group.first().and_then(|e| e.status.clone()).unwrap_or_else(|| "-".into());
            changes.push(format!("{provider} {}: {old} → {}", o.order_id, o.status));
        }
        k += group.len();
    }
    Ok((reads.len(), changes))
}

/// The smallest time `n` requests can take under `windows` (`(limit, period)`), every request sent as early as the
/// windows allow: the bound a sync at the rate limit is measured against.
pub fn rate_bound(n: usize, windows: &[(usize, Duration)]) -> Duration {
    // Simulate the earliest schedule: request i goes at the latest of (request i - limit) + period over windows.
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for i in 0..n {
        let mut t = Duration::ZERO;
        for (limit, period) in windows {
            if i >= *limit {
                t = t.max(times[i - limit] + *period);
            }
        }
        times.push(t);
    }
    times.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digicert_bound() {
        let w = [(100, Duration::from_secs(5)), (1000, Duration::from_secs(180))];
        assert_eq!(rate_bound(100, &w), Duration::ZERO);
        assert_eq!(rate_bound(101, &w), Duration::from_secs(5));
        assert_eq!(rate_bound(1000, &w), Duration::from_secs(45));
        assert_eq!(rate_bound(1001, &w), Duration::from_secs(180));
        assert_eq!(rate_bound(5000, &w), Duration::from_secs(4 * 180 + 45));
    }
}
