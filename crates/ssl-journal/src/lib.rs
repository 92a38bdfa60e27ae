//! # ssl-journal
//!
//! Never spend twice, never lose an order. The journal writes down every money call (order, renew, reissue)
//! **before** the request goes out, records how it ended and every later status of the order, and reconciles an
//! attempt whose outcome is unknown against the provider's own listing before anything is sent again.
//!
//! - [`reference`](mod@reference): what makes two attempts the same order (the canonical form and its digest).
//! - [`account`]: the account identity (a user name, or an HMAC of the API key under a local secret).
//! - [`Journal`]: the trait, with two backends: [`SqliteJournal`] (default, one file, nothing to install) and
//!   [`PgJournal`] (PostgreSQL, for fleets of workers).
//! - [`Journaled`]: any [`ssl_core::Provider`] with the journal in front, for library users.
//! - [`matching`] and [`listing`]: how a provider's listing is read and matched.
//!
//! ```no_run
//! # async fn run(provider: std::sync::Arc<dyn ssl_core::Provider>, spec: ssl_core::model::OrderSpec)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use ssl_journal::{Journal, Journaled, SqliteJournal, Spend, account::AccountKey};
//!
//! let journal = Arc::new(SqliteJournal::open("orders.sqlite3")?);
//! let account = AccountKey::Named("reseller@example.com".into()).identity("gogetssl", &journal.local_secret().await?);
//! let guarded = Journaled::new(provider, journal, "https://my.gogetssl.com/api", account);
//! let placed = guarded.spend(Spend::Order(&spec), None).await?;
//! println!("{} ({:?})", placed.order.order_id, placed.how);
//! # Ok(()) }
//! ```

pub mod account;
pub mod csr_key;
pub mod entry;
pub mod journal;
pub mod listing;
pub mod matching;
pub mod pg;
pub mod protect;
pub mod reference;
pub mod sqlite;
pub mod sync;
mod timefmt;

pub use entry::{Entry, EntryFilter, EntryState, Intent, Observed, ReferenceKind, StatusChange};
pub use journal::{Journal, JournalError, JournalResult, Outcome, ReferenceLock, SyncRun};
pub use pg::{PgJournal, PgRateGate, RATE_LEASE};
pub use protect::{How, Journaled, Placement, Reconciled, Spend, SpendError, settle_from_env};
pub use reference::SpendVerb;
pub use sqlite::SqliteJournal;

/// Open the journal at `location`: a `postgres://` / `postgresql://` URL opens [`PgJournal`], anything else is the
/// path of a [`SqliteJournal`] file.
pub async fn open(location: &str) -> JournalResult<std::sync::Arc<dyn Journal>> {
    if pg::is_postgres_url(location) {
        Ok(std::sync::Arc::new(PgJournal::open(location).await?))
    } else {
        Ok(std::sync::Arc::new(SqliteJournal::open(location)?))
    }
}

/// The hex key of a `(base URL, reference)` pair, used to name its lock.
pub(crate) fn lock_key_hex(base_url: &str, reference: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(format!("{base_url}\n{reference}").as_bytes());
    hex::encode(&d[..16])
}
