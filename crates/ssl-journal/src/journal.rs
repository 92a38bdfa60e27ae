//! The [`Journal`] trait both backends implement, and its error type.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::account::LocalSecret;
use crate::entry::{Entry, EntryFilter, Intent, Observed, StatusChange};

/// Result alias.
pub type JournalResult<T> = Result<T, JournalError>;

/// Why the journal could not be read or written. When it cannot be written, nothing is sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The location (path or URL) is unusable.
    #[error("journal location: {0}")]
    Location(String),
    /// The database refused or failed.
    #[error("journal {location}: {message}")]
    Database {
        /// Where (URLs redacted).
        location: String,
        /// What failed.
        message: String,
    },
    /// The schema is newer than this program.
    #[error("journal {location} has schema version {found}; this program knows up to {known}: upgrade ssl-orders")]
    TooNew {
        /// Where.
        location: String,
        /// Version found.
        found: i64,
        /// Newest version known.
        known: i64,
    },
    /// A row that had to exist does not, or a second entry would block the same reference.
    #[error("{0}")]
    Conflict(String),
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The provider answered with an order.
    Placed(Observed),
    /// The provider said no (nothing placed).
    Refused(String),
    /// No usable answer: the order may exist.
    Unknown(String),
}

/// A `sync` run: started now, or an interrupted one resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncRun {
    /// Run id.
    pub id: i64,
    /// When the run started; entries checked since then are done.
    pub started_at: OffsetDateTime,
    /// Whether an interrupted run was resumed.
    pub resumed: bool,
}

/// Held while one worker decides about (and possibly sends) one reference. Dropping it releases the lock; so does
/// the death of the process holding it, so a dead worker is told apart from a slow one.
pub struct ReferenceLock(#[allow(dead_code)] Box<dyn Send + Sync>);

impl ReferenceLock {
    /// Wrap whatever keeps the lock held.
    pub fn new(held: impl Send + Sync + 'static) -> Self {
        Self(Box::new(held))
    }
}

impl std::fmt::Debug for ReferenceLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReferenceLock")
    }
}

/// The order journal. Every write is durable when the call returns.
#[async_trait]
pub trait Journal: Send + Sync + std::fmt::Debug {
    /// Where it lives (passwords never shown).
    fn location(&self) -> String;

    /// The local secret for account identities, created with the journal.
    async fn local_secret(&self) -> JournalResult<LocalSecret>;

    /// Wait until this process holds `(base_url, reference)`. Every spend decision is taken under it.
    async fn lock(&self, base_url: &str, reference: &str) -> JournalResult<ReferenceLock>;

    /// The entry that blocks a new spend with this reference ([`Entry::blocks`]), if any.
    async fn blocking(&self, base_url: &str, reference: &str) -> JournalResult<Option<Entry>>;

    /// Write the intent (state `sending`) and return its row. Durable before it returns.
    async fn record_intent(&self, intent: &Intent, at: OffsetDateTime) -> JournalResult<Entry>;

    /// Record how the attempt ended.
    async fn record_outcome(&self, id: i64, outcome: &Outcome, at: OffsetDateTime) -> JournalResult<()>;

    /// Record that a listing at `at` did not find the order of an unknown outcome (keeps the first such time).
    async fn record_absent(&self, id: i64, at: OffsetDateTime) -> JournalResult<()>;

    /// Record what a read of the order showed; adds a status change when the status moved. Returns whether it did.
    async fn record_observed(&self, id: i64, observed: &Observed, at: OffsetDateTime) -> JournalResult<bool>;

    /// [`Journal::record_observed`] for many entries at once, in one durable write. Returns, per item, whether its
    /// status moved.
    async fn record_observed_many(&self, items: &[(i64, Observed)], at: OffsetDateTime) -> JournalResult<Vec<bool>> {
        let mut out = Vec::with_capacity(items.len());
        for (id, o) in items {
            out.push(self.record_observed(*id, o, at).await?);
        }
        Ok(out)
    }

    /// One entry.
    async fn entry(&self, id: i64) -> JournalResult<Option<Entry>>;

    /// Entries matching `filter`, oldest first.
    async fn entries(&self, filter: &EntryFilter) -> JournalResult<Vec<Entry>>;

    /// Status changes of an entry, oldest first.
    async fn history(&self, id: i64) -> JournalResult<Vec<StatusChange>>;

    /// Mark an entry forgotten (it stays for history and blocks nothing).
    async fn forget(&self, id: i64, at: OffsetDateTime) -> JournalResult<()>;

    /// Add an order placed outside the tool, as placed.
    async fn import(&self, intent: &Intent, observed: &Observed, at: OffsetDateTime) -> JournalResult<Entry>;

    /// [`Journal::import`] for many orders at once, in one durable write.
    async fn import_many(&self, items: &[(Intent, Observed)], at: OffsetDateTime) -> JournalResult<Vec<Entry>> {
        let mut out = Vec::with_capacity(items.len());
        for (i, o) in items {
            out.push(self.import(i, o, at).await?);
        }
        Ok(out)
    }

    /// Resume the last unfinished `sync` run, or start one.
    async fn sync_run(&self, at: OffsetDateTime) -> JournalResult<SyncRun>;

    /// Mark a `sync` run finished.
    async fn finish_sync_run(&self, id: i64, at: OffsetDateTime) -> JournalResult<()>;
}
