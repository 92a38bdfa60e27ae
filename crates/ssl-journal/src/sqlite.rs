//! The default backend: one SQLite file, nothing to install.
//!
//! Library: `rusqlite` with the `bundled` feature (SQLite compiled in, so no system library is needed; the most used
//! and maintained SQLite binding for Rust, synchronous and small). The file runs in WAL mode with
//! `synchronous=FULL`: a write is on disk when the call returns, so a SIGKILL at any point loses nothing that was
//! reported written. Several processes may share a file (`busy_timeout` waits for the writer).
//!
//! The per-reference lock is an exclusive OS file lock on `<file>.locks/<digest>.lock`: the OS releases it when the
//! holder dies, so a dead process is told apart from a slow one without waiting for a lease to expire.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

use crate::account::LocalSecret;
use crate::entry::{Entry, EntryFilter, EntryState, Intent, Observed, ReferenceKind, StatusChange};
use crate::journal::{Journal, JournalError, JournalResult, Outcome, ReferenceLock, SyncRun};
use crate::reference::SpendVerb;
use crate::timefmt::{date_from_str, date_to_string, from_millis, to_millis};

/// Schema migrations, in order; `PRAGMA user_version` holds how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: entries, status history, sync runs, the local secret.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        reference TEXT NOT NULL,
        reference_kind TEXT NOT NULL,
        verb TEXT NOT NULL,
        provider TEXT NOT NULL,
        base_url TEXT NOT NULL,
        account TEXT NOT NULL,
        spec_digest TEXT NOT NULL,
        csr_key TEXT,
        product TEXT NOT NULL,
        term_months INTEGER NOT NULL,
        common_name TEXT NOT NULL,
        names TEXT NOT NULL,
        predecessor TEXT,
        state TEXT NOT NULL,
        order_id TEXT,
        status TEXT,
        provider_status TEXT,
        coverage_end TEXT,
        not_after INTEGER,
        error TEXT,
        intent_at INTEGER NOT NULL,
        outcome_at INTEGER,
        status_at INTEGER,
        checked_at INTEGER,
        absent_at INTEGER
     );
     CREATE INDEX entries_reference ON entries (base_url, reference);
     CREATE INDEX entries_order ON entries (base_url, provider, order_id);
     CREATE UNIQUE INDEX entries_blocking ON entries (base_url, reference)
        WHERE state IN ('sending', 'unknown')
           OR (state = 'placed' AND coalesce(status, '') NOT IN ('rejected', 'cancelled'));
     CREATE TABLE statuses (
        entry_id INTEGER NOT NULL REFERENCES entries (id),
        status TEXT NOT NULL,
        provider_status TEXT NOT NULL,
        observed_at INTEGER NOT NULL
     );
     CREATE INDEX statuses_entry ON statuses (entry_id);
     CREATE TABLE sync_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, finished_at INTEGER);",
];

/// The SQLite journal.
#[derive(Clone)]
pub struct SqliteJournal {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteJournal").field("path", &self.path).finish()
    }
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> JournalError + '_ {
    move |e| JournalError::Database { location: path.display().to_string(), message: e.to_string() }
}

impl SqliteJournal {
    /// Open (creating the file and its directory when missing) and migrate.
    pub fn open(path: impl Into<PathBuf>) -> JournalResult<Self> {
        let path = path.into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| JournalError::Location(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = {
            let err = db_err(&path);
            let mut conn = Connection::open(&path).map_err(&err)?;
            conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(&err)?;
            conn.pragma_update(None, "journal_mode", "WAL").map_err(&err)?;
            conn.pragma_update(None, "synchronous", "FULL").map_err(&err)?;
            conn.pragma_update(None, "foreign_keys", "ON").map_err(&err)?;
            migrate(&mut conn, &path)?;
            conn
        };
        Ok(Self { path, conn: Arc::new(Mutex::new(conn)) })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn locks_dir(&self) -> PathBuf {
        let mut name = self.path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".locks");
        self.path.with_file_name(name)
    }

    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> JournalResult<T> {
        let conn = self.conn.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c).map_err(db_err(&path))
        })
        .await
        .map_err(|e| JournalError::Database { location: self.location(), message: e.to_string() })?
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> JournalResult<()> {
    let err = db_err(path);
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(&err)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(&err)?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(JournalError::TooNew { location: path.display().to_string(), found: version, known });
    }
    for sql in &MIGRATIONS[version as usize..] {
        tx.execute_batch(sql).map_err(&err)?;
    }
    if version < known {
        tx.pragma_update(None, "user_version", known).map_err(&err)?;
    }
    let secret: Option<String> =
        tx.query_row("SELECT value FROM meta WHERE key = 'local_secret'", [], |r| r.get(0)).optional().map_err(&err)?;
    if secret.is_none() {
        tx.execute("INSERT INTO meta (key, value) VALUES ('local_secret', ?1)", [LocalSecret::generate_hex()])
            .map_err(&err)?;
    }
    tx.commit().map_err(&err)
}

const COLUMNS: &str = "id, reference, reference_kind, verb, provider, base_url, account, spec_digest, csr_key, \
    product, term_months, common_name, names, predecessor, state, order_id, status, provider_status, coverage_end, \
    not_after, error, intent_at, outcome_at, status_at, checked_at, absent_at";

fn bad(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, what.to_owned().into())
}

fn row_entry(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let names: String = r.get(12)?;
    let ms =
        |i: usize| -> rusqlite::Result<Option<OffsetDateTime>> { Ok(r.get::<_, Option<i64>>(i)?.map(from_millis)) };
    Ok(Entry {
        id: r.get(0)?,
        intent: Intent {
            reference: r.get(1)?,
            reference_kind: ReferenceKind::parse(&r.get::<_, String>(2)?).ok_or_else(|| bad(2, "reference_kind"))?,
            verb: SpendVerb::parse(&r.get::<_, String>(3)?).ok_or_else(|| bad(3, "verb"))?,
            provider: r.get(4)?,
            base_url: r.get(5)?,
            account: r.get(6)?,
            spec_digest: r.get(7)?,
            csr_key: r.get(8)?,
            product: r.get(9)?,
            term_months: r.get(10)?,
            common_name: r.get(11)?,
            names: serde_json::from_str(&names).map_err(|_| bad(12, "names"))?,
            predecessor: r.get(13)?,
        },
        state: EntryState::parse(&r.get::<_, String>(14)?).ok_or_else(|| bad(14, "state"))?,
        order_id: r.get(15)?,
        status: r.get(16)?,
        provider_status: r.get(17)?,
        coverage_end: r.get::<_, Option<String>>(18)?.as_deref().and_then(date_from_str),
        not_after: ms(19)?,
        error: r.get(20)?,
        intent_at: from_millis(r.get(21)?),
        outcome_at: ms(22)?,
        status_at: ms(23)?,
        checked_at: ms(24)?,
        absent_at: ms(25)?,
    })
}

fn entry_by_id(c: &Connection, id: i64) -> rusqlite::Result<Option<Entry>> {
    c.query_row(&format!("SELECT {COLUMNS} FROM entries WHERE id = ?1"), [id], row_entry).optional()
}

fn insert_intent(c: &Connection, i: &Intent, state: EntryState, at: i64) -> rusqlite::Result<i64> {
    c.execute(
        "INSERT INTO entries (reference, reference_kind, verb, provider, base_url, account, spec_digest, csr_key,
            product, term_months, common_name, names, predecessor, state, intent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            i.reference,
            i.reference_kind.as_str(),
            i.verb.as_str(),
            i.provider,
            i.base_url,
            i.account,
            i.spec_digest,
            i.csr_key,
            i.product,
            i.term_months,
            i.common_name,
            serde_json::to_string(&i.names).unwrap_or_else(|_| "[]".into()),
            i.predecessor,
            state.as_str(),
            at,
        ],
    )?;
    Ok(c.last_insert_rowid())
}

/// Apply an observation; true when the status changed (a history row was added).
fn observe(c: &Connection, id: i64, o: &Observed, at: i64) -> rusqlite::Result<bool> {
    let current: Option<(Option<String>, Option<String>)> = c
        .query_row("SELECT status, provider_status FROM entries WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((status, raw)) = current else { return Err(rusqlite::Error::QueryReturnedNoRows) };
    let changed = status.as_deref() != Some(o.status.as_str()) || raw.as_deref() != Some(o.provider_status.as_str());
    c.execute(
        "UPDATE entries SET order_id = ?2, status = ?3, provider_status = ?4, coverage_end = ?5, not_after = ?6,
            checked_at = ?7, status_at = CASE WHEN ?8 THEN ?7 ELSE status_at END WHERE id = ?1",
        params![
            id,
            o.order_id,
            o.status,
            o.provider_status,
            o.coverage_end.map(date_to_string),
            o.not_after.map(to_millis),
            at,
            changed
        ],
    )?;
    if changed {
        c.execute(
            "INSERT INTO statuses (entry_id, status, provider_status, observed_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, o.status, o.provider_status, at],
        )?;
    }
    Ok(changed)
}

fn import_one(c: &Connection, i: &Intent, o: &Observed, t: i64) -> rusqlite::Result<Entry> {
    let id = insert_intent(c, i, EntryState::Placed, t)?;
    c.execute("UPDATE entries SET outcome_at = ?2 WHERE id = ?1", params![id, t])?;
    observe(c, id, o, t)?;
    entry_by_id(c, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

fn conflict_or(path: &Path, e: JournalError) -> JournalError {
    match e {
        JournalError::Database { message, .. } if message.contains("UNIQUE") => JournalError::Conflict(format!(
            "journal {}: another entry with this reference is already placed or in flight",
            path.display()
        )),
        other => other,
    }
}

#[async_trait]
impl Journal for SqliteJournal {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    async fn local_secret(&self) -> JournalResult<LocalSecret> {
        let hex_secret: String =
            self.call(|c| c.query_row("SELECT value FROM meta WHERE key = 'local_secret'", [], |r| r.get(0))).await?;
        let bytes = hex::decode(hex_secret.trim())
            .map_err(|_| JournalError::Conflict(format!("journal {}: the local secret is corrupt", self.location())))?;
        Ok(LocalSecret::from_bytes(&bytes))
    }

    async fn lock(&self, base_url: &str, reference: &str) -> JournalResult<ReferenceLock> {
        let dir = self.locks_dir();
        let file = dir.join(format!("{}.lock", crate::lock_key_hex(base_url, reference)));
        let location = self.location();
        tokio::task::spawn_blocking(move || -> JournalResult<ReferenceLock> {
            let io = |e: std::io::Error| JournalError::Location(format!("lock {}: {e}", file.display()));
            std::fs::create_dir_all(&dir).map_err(io)?;
            let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&file).map_err(io)?;
            fs4::FileExt::lock(&f).map_err(io)?;
            Ok(ReferenceLock::new(f))
        })
        .await
        .map_err(|e| JournalError::Database { location, message: e.to_string() })?
    }

    async fn blocking(&self, base_url: &str, reference: &str) -> JournalResult<Option<Entry>> {
        let (b, r) = (base_url.to_owned(), reference.to_owned());
        let rows = self
            .call(move |c| {
                let mut st = c.prepare(&format!(
                    "SELECT {COLUMNS} FROM entries WHERE base_url = ?1 AND reference = ?2 ORDER BY id DESC"
                ))?;
                st.query_map(params![b, r], row_entry)?.collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        Ok(rows.into_iter().find(Entry::blocks))
    }

    async fn record_intent(&self, intent: &Intent, at: OffsetDateTime) -> JournalResult<Entry> {
        let i = intent.clone();
        let path = self.path.clone();
        self.call(move |c| {
            let id = insert_intent(c, &i, EntryState::Sending, to_millis(at))?;
            entry_by_id(c, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)
        })
        .await
        .map_err(|e| conflict_or(&path, e))
    }

    async fn record_outcome(&self, id: i64, outcome: &Outcome, at: OffsetDateTime) -> JournalResult<()> {
        let outcome = outcome.clone();
        self.call(move |c| {
            let tx = c.transaction()?;
            let t = to_millis(at);
            match &outcome {
                Outcome::Placed(o) => {
                    tx.execute(
                        "UPDATE entries SET state = 'placed', outcome_at = ?2, error = NULL WHERE id = ?1",
                        params![id, t],
                    )?;
                    observe(&tx, id, o, t)?;
                }
                Outcome::Refused(m) | Outcome::Unknown(m) => {
                    let state = if matches!(outcome, Outcome::Refused(_)) { "refused" } else { "unknown" };
                    tx.execute(
                        "UPDATE entries SET state = ?2, outcome_at = ?3, error = ?4 WHERE id = ?1",
                        params![id, state, t, m],
                    )?;
                }
            }
            tx.commit()
        })
        .await
    }

    async fn record_absent(&self, id: i64, at: OffsetDateTime) -> JournalResult<()> {
        self.call(move |c| {
            c.execute(
                "UPDATE entries SET absent_at = coalesce(absent_at, ?2) WHERE id = ?1",
                params![id, to_millis(at)],
            )
            .map(|_| ())
        })
        .await
    }

    async fn record_observed(&self, id: i64, observed: &Observed, at: OffsetDateTime) -> JournalResult<bool> {
        let o = observed.clone();
        self.call(move |c| {
            let tx = c.transaction()?;
            let changed = observe(&tx, id, &o, to_millis(at))?;
            tx.commit()?;
            Ok(changed)
        })
        .await
    }

    async fn record_observed_many(&self, items: &[(i64, Observed)], at: OffsetDateTime) -> JournalResult<Vec<bool>> {
        let items = items.to_vec();
        self.call(move |c| {
            let tx = c.transaction()?;
            let t = to_millis(at);
            let mut out = Vec::with_capacity(items.len());
            for (id, o) in &items {
                out.push(observe(&tx, *id, o, t)?);
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn entry(&self, id: i64) -> JournalResult<Option<Entry>> {
        self.call(move |c| entry_by_id(c, id)).await
    }

    async fn entries(&self, filter: &EntryFilter) -> JournalResult<Vec<Entry>> {
        let (p, b, r) = (filter.provider.clone(), filter.base_url.clone(), filter.reference.clone());
        let rows = self
            .call(move |c| {
                let mut st = c.prepare(&format!(
                    "SELECT {COLUMNS} FROM entries WHERE (?1 IS NULL OR provider = ?1) AND (?2 IS NULL OR base_url = ?2)
                     AND (?3 IS NULL OR reference = ?3) ORDER BY id"
                ))?;
                st.query_map(params![p, b, r], row_entry)?.collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        Ok(rows.into_iter().filter(|e| filter.accepts(e)).collect())
    }

    async fn history(&self, id: i64) -> JournalResult<Vec<StatusChange>> {
        self.call(move |c| {
            let mut st = c.prepare(
                "SELECT status, provider_status, observed_at FROM statuses WHERE entry_id = ?1 ORDER BY rowid",
            )?;
            st.query_map([id], |r| {
                Ok(StatusChange { status: r.get(0)?, provider_status: r.get(1)?, observed_at: from_millis(r.get(2)?) })
            })?
            .collect()
        })
        .await
    }

    async fn forget(&self, id: i64, at: OffsetDateTime) -> JournalResult<()> {
        let n = self
            .call(move |c| {
                c.execute(
                    "UPDATE entries SET state = 'forgotten', outcome_at = coalesce(outcome_at, ?2) WHERE id = ?1",
                    params![id, to_millis(at)],
                )
            })
            .await?;
        if n == 0 {
            return Err(JournalError::Conflict(format!("no journal entry {id}")));
        }
        Ok(())
    }

    async fn import(&self, intent: &Intent, observed: &Observed, at: OffsetDateTime) -> JournalResult<Entry> {
        let (i, o) = (intent.clone(), observed.clone());
        let path = self.path.clone();
        self.call(move |c| {
            let tx = c.transaction()?;
            let e = import_one(&tx, &i, &o, to_millis(at))?;
            tx.commit()?;
            Ok(e)
        })
        .await
        .map_err(|e| conflict_or(&path, e))
    }

    async fn import_many(&self, items: &[(Intent, Observed)], at: OffsetDateTime) -> JournalResult<Vec<Entry>> {
        let items = items.to_vec();
        let path = self.path.clone();
        self.call(move |c| {
            let tx = c.transaction()?;
            let t = to_millis(at);
            let mut out = Vec::with_capacity(items.len());
            for (i, o) in &items {
                out.push(import_one(&tx, i, o, t)?);
            }
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| conflict_or(&path, e))
    }

    async fn sync_run(&self, at: OffsetDateTime) -> JournalResult<SyncRun> {
        self.call(move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let open: Option<(i64, i64)> = tx
                .query_row(
                    "SELECT id, started_at FROM sync_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let run = match open {
                Some((id, started)) => SyncRun { id, started_at: from_millis(started), resumed: true },
                None => {
                    tx.execute("INSERT INTO sync_runs (started_at) VALUES (?1)", [to_millis(at)])?;
                    SyncRun { id: tx.last_insert_rowid(), started_at: from_millis(to_millis(at)), resumed: false }
                }
            };
            tx.commit()?;
            Ok(run)
        })
        .await
    }

    async fn finish_sync_run(&self, id: i64, at: OffsetDateTime) -> JournalResult<()> {
        self.call(move |c| {
            c.execute("UPDATE sync_runs SET finished_at = ?2 WHERE id = ?1", params![id, to_millis(at)]).map(|_| ())
        })
        .await
    }
}
