//! The PostgreSQL backend, for fleets of workers sharing one journal.
//!
//! Library: `tokio-postgres` (the rust-postgres project: maintained since 2013, async on the tokio runtime the
//! clients already use, no ORM, no compile-time database, no macros; sqlx and diesel bring far more than four
//! tables need).
//!
//! - **Credentials:** the password comes only from `PGPASSWORD` or the password file (`PGPASSFILE`, default
//!   `~/.pgpass`, the libpq format). A URL with a password in it is refused, and URLs are printed without one.
//! - **One request per reference:** every spend decision runs under a session-level advisory lock on the
//!   `(database, schema, base URL, reference)` key, held on a connection of its own. A second worker waits on the
//!   lock and then finds the first one's outcome. When a worker dies, PostgreSQL ends its session and releases the
//!   lock, so the next worker sees the `sending` row and reconciles it; a slow worker still holds the lock.
//! - **Shared rate limits:** [`PgJournal::acquire_rate`] counts requests per key in the `rate_events` table under a
//!   transaction-level advisory lock, with the database's clock, so all workers together stay inside each window.
//!   As in `ssl_core::ratelimit`, a request holds its slot until its answer ([`PgJournal::release_rate`]) and the
//!   windows run from the answer: an unanswered request's row carries a provisional time [`RATE_LEASE`] ahead (so
//!   the slot of a worker that died with a request in flight frees itself), replaced by the answer's time.
//! - **Migrations** run under an advisory lock, so workers starting together migrate once.
//! - **Transport:** plain TCP or a Unix socket, for loopback and socket hosts only (use an SSH tunnel or a local
//!   pgbouncer to reach a remote server); a remote host is refused rather than sent a password in clear text.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ssl_core::ratelimit::Slot;
use time::OffsetDateTime;
use tokio::sync::Mutex;
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls, Row};

use crate::account::LocalSecret;
use crate::entry::{Entry, EntryFilter, EntryState, Intent, Observed, ReferenceKind, StatusChange};
use crate::journal::{Journal, JournalError, JournalResult, Outcome, ReferenceLock, SyncRun};
use crate::reference::SpendVerb;

/// Schema migrations, in order; the `ssl_orders_schema` table holds how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: entries, status history, sync runs, the local secret, shared rate-limit windows.
    "CREATE TABLE ssl_orders_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE ssl_orders_entries (
        id BIGSERIAL PRIMARY KEY,
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
        names JSONB NOT NULL,
        predecessor TEXT,
        state TEXT NOT NULL,
        order_id TEXT,
        status TEXT,
        provider_status TEXT,
        coverage_end DATE,
        not_after TIMESTAMPTZ,
        error TEXT,
        intent_at TIMESTAMPTZ NOT NULL,
        outcome_at TIMESTAMPTZ,
        status_at TIMESTAMPTZ,
        checked_at TIMESTAMPTZ,
        absent_at TIMESTAMPTZ
     );
     CREATE INDEX ssl_orders_entries_reference ON ssl_orders_entries (base_url, reference);
     CREATE INDEX ssl_orders_entries_order ON ssl_orders_entries (base_url, provider, order_id);
     CREATE UNIQUE INDEX ssl_orders_entries_blocking ON ssl_orders_entries (base_url, reference)
        WHERE state IN ('sending', 'unknown')
           OR (state = 'placed' AND coalesce(status, '') NOT IN ('rejected', 'cancelled'));
     CREATE TABLE ssl_orders_statuses (
        entry_id BIGINT NOT NULL REFERENCES ssl_orders_entries (id),
        seq BIGSERIAL,
        status TEXT NOT NULL,
        provider_status TEXT NOT NULL,
        observed_at TIMESTAMPTZ NOT NULL
     );
     CREATE INDEX ssl_orders_statuses_entry ON ssl_orders_statuses (entry_id, seq);
     CREATE TABLE ssl_orders_sync_runs (id BIGSERIAL PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ);
     CREATE TABLE ssl_orders_rate_events (key TEXT NOT NULL, at TIMESTAMPTZ NOT NULL);
     CREATE INDEX ssl_orders_rate_events_key ON ssl_orders_rate_events (key, at);",
];

/// The advisory lock key that serializes migrations.
const MIGRATION_LOCK: i64 = 0x5353_4c4f_5244_0001;

/// The PostgreSQL journal.
pub struct PgJournal {
    config: Config,
    client: Arc<Mutex<Client>>,
    location: String,
    lock_salt: String,
}

impl std::fmt::Debug for PgJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgJournal").field("location", &self.location).finish()
    }
}

/// Whether `s` names a PostgreSQL journal (`postgres://…` or `postgresql://…`).
pub fn is_postgres_url(s: &str) -> bool {
    let l = s.trim_start().to_ascii_lowercase();
    l.starts_with("postgres://") || l.starts_with("postgresql://")
}

/// A PostgreSQL URL with any password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let pairs: Vec<&str> = query
                .split('&')
                .map(|kv| if kv.to_ascii_lowercase().starts_with("password=") { "password=***" } else { kv })
                .collect();
            format!("{path}?{}", pairs.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

fn db_err(location: &str) -> impl Fn(tokio_postgres::Error) -> JournalError + '_ {
    move |e| {
        let message = match e.as_db_error() {
            Some(d) => format!("{}: {}", d.code().code(), d.message()),
            None => e.to_string(),
        };
        if message.starts_with("23505") {
            return JournalError::Conflict(format!(
                "journal {location}: another entry with this reference is already placed or in flight"
            ));
        }
        JournalError::Database { location: location.to_owned(), message }
    }
}

/// The password for `config` from `PGPASSWORD`, else the password file, else none.
/// `sslmode` of a URL (`?sslmode=`) or key=value connection string, lower case.
fn ssl_mode(url: &str) -> Option<String> {
    url.split(['?', '&', ' '])
        .find_map(|part| part.trim().strip_prefix("sslmode="))
        .map(|v| v.trim_matches(['\'', '"']).to_ascii_lowercase())
}

/// This build speaks to PostgreSQL without TLS: a URL that asks for it is refused with a clear error (never
/// silently downgraded). `disable`, `allow` and `prefer` connect in clear text (loopback hosts only).
fn refuse_tls(url: &str, location: &str) -> JournalResult<()> {
    match ssl_mode(url).as_deref() {
        Some(mode @ ("require" | "verify-ca" | "verify-full")) => Err(JournalError::Location(format!(
            "{location}: sslmode={mode} asks for TLS, which this build of ssl-orders does not speak to PostgreSQL \
             yet; use a loopback host or Unix socket with sslmode=disable (a remote server through an SSH tunnel \
             or a local pgbouncer)"
        ))),
        _ => Ok(()),
    }
}

fn password_for(config: &Config) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432).to_string();
    let db = config.get_dbname().unwrap_or_default().to_owned();
    let user = config.get_user().unwrap_or_default().to_owned();
    pgpass_lookup(&text, [&host, &port, &db, &user])
}

/// The libpq password-file lookup: `host:port:database:user:password`, `*` matches anything, `\:` and `\\` are
/// escapes, `#` starts a comment; the first matching line wins.
pub fn pgpass_lookup(text: &str, want: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cur.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() == 5 && fields[..4].iter().zip(want).all(|(f, w)| f == "*" || f == w) {
            return Some(fields[4].clone());
        }
    }
    None
}

async fn connect(config: &Config, location: &str) -> JournalResult<Client> {
    let (client, connection) = config.connect(NoTls).await.map_err(db_err(location))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("journal connection closed: {e}");
        }
    });
    Ok(client)
}

impl PgJournal {
    /// Connect to `url` (`postgres://user@host:port/db`, libpq URL parameters allowed), migrate, and return the
    /// journal.
    pub async fn open(url: &str) -> JournalResult<Self> {
        let location = redact_url(url);
        refuse_tls(url, &location)?;
        let mut config: Config =
            url.parse().map_err(|e: tokio_postgres::Error| JournalError::Location(format!("{location}: {e}")))?;
        if config.get_password().is_some() {
            return Err(JournalError::Location(format!(
                "{location}: a password in the URL is refused; put it in PGPASSWORD or ~/.pgpass"
            )));
        }
        for h in config.get_hosts() {
            if let Host::Tcp(name) = h {
                let loopback = name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    return Err(JournalError::Location(format!(
                        "{location}: only loopback hosts and Unix sockets are supported (no TLS to PostgreSQL yet); \
                         reach a remote server through an SSH tunnel or a local pgbouncer"
                    )));
                }
            }
        }
        if config.get_user().is_none() {
            if let Ok(u) = std::env::var("PGUSER").or_else(|_| std::env::var("USER")) {
                config.user(u);
            }
        }
        if let Some(p) = password_for(&config) {
            config.password(p);
        }
        config.application_name("ssl-orders");
        config.connect_timeout(Duration::from_secs(10));
        let mut client = connect(&config, &location).await?;
        migrate(&mut client, &location).await?;
        let salt: String = client
            .query_one("SELECT current_database() || '/' || current_schema()", &[])
            .await
            .map_err(db_err(&location))?
            .get(0);
        Ok(Self { config, client: Arc::new(Mutex::new(client)), location, lock_salt: salt })
    }

    fn err(&self) -> impl Fn(tokio_postgres::Error) -> JournalError + '_ {
        db_err(&self.location)
    }

    fn lock_key(&self, base_url: &str, reference: &str) -> i64 {
        use sha2::Digest;
        let d = sha2::Sha256::digest(format!("{}\n{base_url}\n{reference}", self.lock_salt).as_bytes());
        i64::from_be_bytes(d[..8].try_into().unwrap_or([0; 8]))
    }

    /// Wait until one more request under `key` fits every `(limit, period)` window, counted across every worker
    /// sharing this database, then count it as in flight until [`release_rate`](Self::release_rate) with the
    /// returned slot (requests in flight count as inside every window; see `ssl_core::ratelimit` for the rule).
    pub async fn acquire_rate(&self, key: &str, windows: &[(usize, Duration)]) -> JournalResult<u64> {
        let longest = windows.iter().map(|w| w.1).max().unwrap_or_default();
        let lock = self.lock_key("rate", key);
        loop {
            let (wait, slot) = {
                let mut c = self.client.lock().await;
                let tx = c.transaction().await.map_err(self.err())?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock]).await.map_err(self.err())?;
                let now: OffsetDateTime =
                    tx.query_one("SELECT clock_timestamp()", &[]).await.map_err(self.err())?.get(0);
                let horizon = now - longest;
                tx.execute("DELETE FROM ssl_orders_rate_events WHERE key = $1 AND at <= $2", &[&key, &horizon])
                    .await
                    .map_err(self.err())?;
                let mut wait = Duration::ZERO;
                for (limit, period) in windows.iter().filter(|w| w.0 > 0) {
                    let since = now - *period;
                    // Newest first: the requests in flight (provisional times ahead of now), then the answered.
                    let rows = tx
                        .query(
                            "SELECT at FROM ssl_orders_rate_events WHERE key = $1 AND at > $2 ORDER BY at DESC \
                             OFFSET $3 LIMIT 1",
                            &[&key, &since, &(*limit as i64 - 1)],
                        )
                        .await
                        .map_err(self.err())?;
                    if let Some(r) = rows.first() {
                        // `limit` requests already inside the window: wait until the oldest of them leaves it; if
                        // that one is still in flight, one period is the least (it may be answered now).
                        let oldest_kept: OffsetDateTime = r.get(0);
                        let w = if oldest_kept > now {
                            *period
                        } else {
                            Duration::try_from(oldest_kept + *period - now).unwrap_or_default()
                        };
                        wait = wait.max(w.max(Duration::from_millis(1)));
                    }
                }
                let mut slot = 0;
                if wait.is_zero() {
                    // The provisional time, unique per key (it names the slot for the release).
                    let latest: Option<OffsetDateTime> = tx
                        .query_one("SELECT max(at) FROM ssl_orders_rate_events WHERE key = $1", &[&key])
                        .await
                        .map_err(self.err())?
                        .get(0);
                    let mut at = now + RATE_LEASE;
                    if let Some(l) = latest.filter(|l| *l >= at) {
                        at = l + Duration::from_micros(1);
                    }
                    tx.execute("INSERT INTO ssl_orders_rate_events (key, at) VALUES ($1, $2)", &[&key, &at])
                        .await
                        .map_err(self.err())?;
                    slot = micros(at);
                }
                tx.commit().await.map_err(self.err())?;
                (wait, slot)
            };
            if wait.is_zero() {
                return Ok(slot);
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// The answer to the request holding `slot` (from [`acquire_rate`](Self::acquire_rate)) arrived: its windows
    /// run from now (the database's clock). An unknown slot (already released, or its lease ran out and was
    /// cleared) changes nothing.
    pub async fn release_rate(&self, key: &str, slot: u64) -> JournalResult<()> {
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(slot) * 1000)
            .map_err(|_| JournalError::Conflict(format!("rate slot {slot} is no time")))?;
        let c = self.client.lock().await;
        c.execute("UPDATE ssl_orders_rate_events SET at = clock_timestamp() WHERE key = $1 AND at = $2", &[&key, &at])
            .await
            .map_err(self.err())?;
        Ok(())
    }
}

/// How long a request in flight holds its rate-limit slot at most without an answer (a worker that died mid-request):
/// twice the transport's default whole-request timeout (60 s).
pub const RATE_LEASE: Duration = Duration::from_secs(120);

/// Microseconds since 1970 (PostgreSQL's `timestamptz` resolution).
fn micros(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(0)
}

/// Fallback slots (the in-process limiter's) carry this bit; database slots are microsecond times, far below it.
const FALLBACK: u64 = 1 << 63;

/// A [`ssl_core::ratelimit::RateGate`] whose windows live in the journal's database, so every worker sharing the
/// journal counts against the same provider limit. A database failure falls back to an in-process limiter with
/// the same windows (logged), never to no limit.
#[derive(Debug)]
pub struct PgRateGate {
    journal: Arc<PgJournal>,
    key: String,
    windows: Vec<(usize, Duration)>,
    fallback: ssl_core::ratelimit::RateLimiter,
}

impl PgRateGate {
    /// A gate for requests counted under `key` (provider + account identity) in `windows`.
    pub fn new(journal: Arc<PgJournal>, key: impl Into<String>, windows: &[ssl_core::ratelimit::Window]) -> Self {
        Self {
            journal,
            key: key.into(),
            windows: windows.iter().map(|w| (w.limit, w.period)).collect(),
            fallback: ssl_core::ratelimit::RateLimiter::new(windows.to_vec()),
        }
    }
}

#[async_trait]
impl ssl_core::ratelimit::RateGate for PgRateGate {
    async fn acquire(&self) -> Slot {
        match self.journal.acquire_rate(&self.key, &self.windows).await {
            Ok(id) => Slot::new(id),
            Err(e) => {
                tracing::warn!("shared rate window unavailable ({e}); limiting this process only");
                Slot::new(self.fallback.acquire().await.id() | FALLBACK)
            }
        }
    }

    async fn release(&self, slot: Slot) {
        let id = slot.id();
        if id & FALLBACK != 0 {
            self.fallback.release(Slot::new(id & !FALLBACK));
        } else if let Err(e) = self.journal.release_rate(&self.key, id).await {
            // The row keeps its provisional time: the slot frees itself when the lease runs out.
            tracing::warn!("shared rate window: answer not recorded ({e}); the slot is held until its lease ends");
        }
    }

    fn abandon(&self, slot: Slot) {
        let id = slot.id();
        if id & FALLBACK != 0 {
            self.fallback.release(Slot::new(id & !FALLBACK));
        } else if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let (journal, key) = (self.journal.clone(), self.key.clone());
            rt.spawn(async move {
                let _ = journal.release_rate(&key, id).await;
            });
        }
    }
}

async fn migrate(client: &mut Client, location: &str) -> JournalResult<()> {
    let err = db_err(location);
    let tx = client.transaction().await.map_err(&err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(&err)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS ssl_orders_schema (version BIGINT NOT NULL)").await.map_err(&err)?;
    let version: i64 =
        tx.query_opt("SELECT version FROM ssl_orders_schema", &[]).await.map_err(&err)?.map(|r| r.get(0)).unwrap_or(0);
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(JournalError::TooNew { location: location.to_owned(), found: version, known });
    }
    for sql in &MIGRATIONS[version as usize..] {
        tx.batch_execute(sql).await.map_err(&err)?;
    }
    if version < known {
        tx.execute("DELETE FROM ssl_orders_schema", &[]).await.map_err(&err)?;
        tx.execute("INSERT INTO ssl_orders_schema (version) VALUES ($1)", &[&known]).await.map_err(&err)?;
        tx.execute(
            "INSERT INTO ssl_orders_meta (key, value) VALUES ('local_secret', $1) ON CONFLICT (key) DO NOTHING",
            &[&LocalSecret::generate_hex()],
        )
        .await
        .map_err(&err)?;
    }
    tx.commit().await.map_err(&err)
}

const COLUMNS: &str = "id, reference, reference_kind, verb, provider, base_url, account, spec_digest, csr_key, \
    product, term_months, common_name, names, predecessor, state, order_id, status, provider_status, coverage_end, \
    not_after, error, intent_at, outcome_at, status_at, checked_at, absent_at";

fn row_entry(r: &Row) -> JournalResult<Entry> {
    let bad = |what: &str| JournalError::Conflict(format!("journal row {}: bad {what}", r.get::<_, i64>(0)));
    let names: serde_json::Value = r.get(12);
    Ok(Entry {
        id: r.get(0),
        intent: Intent {
            reference: r.get(1),
            reference_kind: ReferenceKind::parse(r.get(2)).ok_or_else(|| bad("reference_kind"))?,
            verb: SpendVerb::parse(r.get(3)).ok_or_else(|| bad("verb"))?,
            provider: r.get(4),
            base_url: r.get(5),
            account: r.get(6),
            spec_digest: r.get(7),
            csr_key: r.get(8),
            product: r.get(9),
            term_months: u32::try_from(r.get::<_, i32>(10)).unwrap_or(0),
            common_name: r.get(11),
            names: serde_json::from_value(names).map_err(|_| bad("names"))?,
            predecessor: r.get(13),
        },
        state: EntryState::parse(r.get(14)).ok_or_else(|| bad("state"))?,
        order_id: r.get(15),
        status: r.get(16),
        provider_status: r.get(17),
        coverage_end: r.get(18),
        not_after: r.get(19),
        error: r.get(20),
        intent_at: r.get(21),
        outcome_at: r.get(22),
        status_at: r.get(23),
        checked_at: r.get(24),
        absent_at: r.get(25),
    })
}

async fn insert_intent(
    c: &impl tokio_postgres::GenericClient,
    i: &Intent,
    state: EntryState,
    at: OffsetDateTime,
) -> Result<i64, tokio_postgres::Error> {
    let names = serde_json::to_value(&i.names).unwrap_or_default();
    let term = i32::try_from(i.term_months).unwrap_or(i32::MAX);
    let row = c
        .query_one(
            "INSERT INTO ssl_orders_entries (reference, reference_kind, verb, provider, base_url, account, spec_digest,
                csr_key, product, term_months, common_name, names, predecessor, state, intent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            &[
                &i.reference,
                &i.reference_kind.as_str(),
                &i.verb.as_str(),
                &i.provider,
                &i.base_url,
                &i.account,
                &i.spec_digest,
                &i.csr_key,
                &i.product,
                &term,
                &i.common_name,
                &names,
                &i.predecessor,
                &state.as_str(),
                &at,
            ],
        )
        .await?;
    Ok(row.get(0))
}

async fn observe(
    c: &impl tokio_postgres::GenericClient,
    id: i64,
    o: &Observed,
    at: OffsetDateTime,
) -> Result<bool, tokio_postgres::Error> {
    let row =
        c.query_one("SELECT status, provider_status FROM ssl_orders_entries WHERE id = $1 FOR UPDATE", &[&id]).await?;
    let (status, raw): (Option<String>, Option<String>) = (row.get(0), row.get(1));
    let changed = status.as_deref() != Some(o.status.as_str()) || raw.as_deref() != Some(o.provider_status.as_str());
    c.execute(
        "UPDATE ssl_orders_entries SET order_id = $2, status = $3, provider_status = $4, coverage_end = $5,
            not_after = $6, checked_at = $7, status_at = CASE WHEN $8 THEN $7 ELSE status_at END WHERE id = $1",
        &[&id, &o.order_id, &o.status, &o.provider_status, &o.coverage_end, &o.not_after, &at, &changed],
    )
    .await?;
    if changed {
        c.execute(
            "INSERT INTO ssl_orders_statuses (entry_id, status, provider_status, observed_at) VALUES ($1, $2, $3, $4)",
            &[&id, &o.status, &o.provider_status, &at],
        )
        .await?;
    }
    Ok(changed)
}

/// A dedicated session holding an advisory lock; dropping the client closes the session, which releases it.
struct PgLock {
    _client: Client,
}

#[async_trait]
impl Journal for PgJournal {
    fn location(&self) -> String {
        self.location.clone()
    }

    async fn local_secret(&self) -> JournalResult<LocalSecret> {
        let c = self.client.lock().await;
        let v: String = c
            .query_one("SELECT value FROM ssl_orders_meta WHERE key = 'local_secret'", &[])
            .await
            .map_err(self.err())?
            .get(0);
        let bytes = hex::decode(v.trim())
            .map_err(|_| JournalError::Conflict(format!("journal {}: the local secret is corrupt", self.location)))?;
        Ok(LocalSecret::from_bytes(&bytes))
    }

    async fn lock(&self, base_url: &str, reference: &str) -> JournalResult<ReferenceLock> {
        let key = self.lock_key(base_url, reference);
        let client = connect(&self.config, &self.location).await?;
        client.execute("SELECT pg_advisory_lock($1)", &[&key]).await.map_err(self.err())?;
        Ok(ReferenceLock::new(PgLock { _client: client }))
    }

    async fn blocking(&self, base_url: &str, reference: &str) -> JournalResult<Option<Entry>> {
        let c = self.client.lock().await;
        let rows = c
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM ssl_orders_entries WHERE base_url = $1 AND reference = $2 ORDER BY id DESC"
                ),
                &[&base_url, &reference],
            )
            .await
            .map_err(self.err())?;
        for r in &rows {
            let e = row_entry(r)?;
            if e.blocks() {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    async fn record_intent(&self, intent: &Intent, at: OffsetDateTime) -> JournalResult<Entry> {
        let id = {
            let c = self.client.lock().await;
            insert_intent(&*c, intent, EntryState::Sending, at).await.map_err(self.err())?
        };
        self.entry(id).await?.ok_or_else(|| JournalError::Conflict(format!("entry {id} vanished")))
    }

    async fn record_outcome(&self, id: i64, outcome: &Outcome, at: OffsetDateTime) -> JournalResult<()> {
        let mut c = self.client.lock().await;
        let tx = c.transaction().await.map_err(self.err())?;
        match outcome {
            Outcome::Placed(o) => {
                tx.execute(
                    "UPDATE ssl_orders_entries SET state = 'placed', outcome_at = $2, error = NULL WHERE id = $1",
                    &[&id, &at],
                )
                .await
                .map_err(self.err())?;
                observe(&tx, id, o, at).await.map_err(self.err())?;
            }
            Outcome::Refused(m) | Outcome::Unknown(m) => {
                let state = if matches!(outcome, Outcome::Refused(_)) { "refused" } else { "unknown" };
                tx.execute(
                    "UPDATE ssl_orders_entries SET state = $2, outcome_at = $3, error = $4 WHERE id = $1",
                    &[&id, &state, &at, m],
                )
                .await
                .map_err(self.err())?;
            }
        }
        tx.commit().await.map_err(self.err())
    }

    async fn record_absent(&self, id: i64, at: OffsetDateTime) -> JournalResult<()> {
        let c = self.client.lock().await;
        c.execute("UPDATE ssl_orders_entries SET absent_at = coalesce(absent_at, $2) WHERE id = $1", &[&id, &at])
            .await
            .map_err(self.err())?;
        Ok(())
    }

    async fn record_observed(&self, id: i64, observed: &Observed, at: OffsetDateTime) -> JournalResult<bool> {
        let mut c = self.client.lock().await;
        let tx = c.transaction().await.map_err(self.err())?;
        let changed = observe(&tx, id, observed, at).await.map_err(self.err())?;
        tx.commit().await.map_err(self.err())?;
        Ok(changed)
    }

    async fn record_observed_many(&self, items: &[(i64, Observed)], at: OffsetDateTime) -> JournalResult<Vec<bool>> {
        let mut c = self.client.lock().await;
        let tx = c.transaction().await.map_err(self.err())?;
        let mut out = Vec::with_capacity(items.len());
        for (id, o) in items {
            out.push(observe(&tx, *id, o, at).await.map_err(self.err())?);
        }
        tx.commit().await.map_err(self.err())?;
        Ok(out)
    }

    async fn entry(&self, id: i64) -> JournalResult<Option<Entry>> {
        let c = self.client.lock().await;
        let row = c
            .query_opt(&format!("SELECT {COLUMNS} FROM ssl_orders_entries WHERE id = $1"), &[&id])
            .await
            .map_err(self.err())?;
        row.as_ref().map(row_entry).transpose()
    }

    async fn entries(&self, filter: &EntryFilter) -> JournalResult<Vec<Entry>> {
        let c = self.client.lock().await;
        let rows = c
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM ssl_orders_entries WHERE ($1::TEXT IS NULL OR provider = $1)
                     AND ($2::TEXT IS NULL OR base_url = $2) AND ($3::TEXT IS NULL OR reference = $3) ORDER BY id"
                ),
                &[&filter.provider, &filter.base_url, &filter.reference],
            )
            .await
            .map_err(self.err())?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let e = row_entry(r)?;
            if filter.accepts(&e) {
                out.push(e);
            }
        }
        Ok(out)
    }

    async fn history(&self, id: i64) -> JournalResult<Vec<StatusChange>> {
        let c = self.client.lock().await;
        let rows = c
            .query(
                "SELECT status, provider_status, observed_at FROM ssl_orders_statuses WHERE entry_id = $1 ORDER BY seq",
                &[&id],
            )
            .await
            .map_err(self.err())?;
        Ok(rows
            .iter()
            .map(|r| StatusChange { status: r.get(0), provider_status: r.get(1), observed_at: r.get(2) })
            .collect())
    }

    async fn forget(&self, id: i64, at: OffsetDateTime) -> JournalResult<()> {
        let c = self.client.lock().await;
        let n = c
            .execute(
                "UPDATE ssl_orders_entries SET state = 'forgotten', outcome_at = coalesce(outcome_at, $2) WHERE id = $1",
                &[&id, &at],
            )
            .await
            .map_err(self.err())?;
        if n == 0 {
            return Err(JournalError::Conflict(format!("no journal entry {id}")));
        }
        Ok(())
    }

    async fn import(&self, intent: &Intent, observed: &Observed, at: OffsetDateTime) -> JournalResult<Entry> {
        let id = {
            let mut c = self.client.lock().await;
            let tx = c.transaction().await.map_err(self.err())?;
            let id = insert_intent(&tx, intent, EntryState::Placed, at).await.map_err(self.err())?;
            tx.execute("UPDATE ssl_orders_entries SET outcome_at = $2 WHERE id = $1", &[&id, &at])
                .await
                .map_err(self.err())?;
            observe(&tx, id, observed, at).await.map_err(self.err())?;
            tx.commit().await.map_err(self.err())?;
            id
        };
        self.entry(id).await?.ok_or_else(|| JournalError::Conflict(format!("entry {id} vanished")))
    }

    async fn sync_run(&self, at: OffsetDateTime) -> JournalResult<SyncRun> {
        let mut c = self.client.lock().await;
        let tx = c.transaction().await.map_err(self.err())?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&(MIGRATION_LOCK + 1)]).await.map_err(self.err())?;
        let open = tx
            .query_opt(
                "SELECT id, started_at FROM ssl_orders_sync_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1",
                &[],
            )
            .await
            .map_err(self.err())?;
        let run = match open {
            Some(r) => SyncRun { id: r.get(0), started_at: r.get(1), resumed: true },
            None => {
                let r = tx
                    .query_one("INSERT INTO ssl_orders_sync_runs (started_at) VALUES ($1) RETURNING id", &[&at])
                    .await
                    .map_err(self.err())?;
                SyncRun { id: r.get(0), started_at: at, resumed: false }
            }
        };
        tx.commit().await.map_err(self.err())?;
        Ok(run)
    }

    async fn finish_sync_run(&self, id: i64, at: OffsetDateTime) -> JournalResult<()> {
        let c = self.client.lock().await;
        c.execute("UPDATE ssl_orders_sync_runs SET finished_at = $2 WHERE id = $1", &[&id, &at])
            .await
            .map_err(self.err())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn urls_asking_for_tls_are_refused_clearly_and_never_downgraded() {
        for url in [
            "postgres://u@127.0.0.1/db?sslmode=require",
            "postgres://u@localhost/db?application_name=x&sslmode=VERIFY-FULL",
            "host=127.0.0.1 dbname=db sslmode=verify-ca",
        ] {
            let e = PgJournal::open(url).await.unwrap_err().to_string();
            assert!(e.contains("asks for TLS") && e.contains("sslmode=disable"), "{url}: {e}");
        }
        assert_eq!(ssl_mode("postgres://u@h/db?sslmode=disable").as_deref(), Some("disable"));
        assert_eq!(ssl_mode("postgres://u@h/db"), None);
        assert!(refuse_tls("postgres://u@h/db?sslmode=prefer", "x").is_ok());
    }

    #[test]
    fn urls_print_without_passwords() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(
            redact_url("postgres://u@h/db?password=x&sslmode=disable"),
            "postgres://u@h/db?password=***&sslmode=disable"
        );
        assert_eq!(redact_url("postgresql://h/db"), "postgresql://h/db");
        assert!(is_postgres_url("postgresql://x/y") && !is_postgres_url("/tmp/j.sqlite3"));
    }

    #[test]
    fn pgpass_lines_match_like_libpq() {
        let text = "# comment\nother:5432:*:*:nope\nlocalhost:5432:db:u\\:x:p\\:w\n*:*:*:*:fallback\n";
        assert_eq!(pgpass_lookup(text, ["localhost", "5432", "db", "u:x"]).as_deref(), Some("p:w"));
        assert_eq!(pgpass_lookup(text, ["127.0.0.1", "5433", "d", "v"]).as_deref(), Some("fallback"));
        assert_eq!(pgpass_lookup("h:1:d:u:p", ["h", "1", "d", "x"]), None);
    }

    #[tokio::test]
    async fn passwords_in_urls_and_remote_hosts_are_refused() {
        let e = PgJournal::open("postgres://u:canary@127.0.0.1/db").await.unwrap_err().to_string();
        assert!(e.contains("PGPASSWORD") && !e.contains("canary"), "{e}");
        let e = PgJournal::open("postgres://u@db.example.com/db").await.unwrap_err().to_string();
        assert!(e.contains("loopback"), "{e}");
    }
}
