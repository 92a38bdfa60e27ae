//! The order journal in the CLI: where it lives, the guarded spend path of `order` / `renew` / `reissue`, and the
//! commands `orders`, `reconcile`, `sync`, `forget` and `import`.
//!
//! The journal is `--journal PATH|postgres://…` (or `SSL_ORDERS_JOURNAL`); by default `ssl-orders/journal.sqlite3`
//! in the user's data dir, and with `--sandbox` `journal.sqlite3` inside `--sandbox-state`. Rows are keyed by the
//! base URL (with `--sandbox`: `sandbox:<state dir>#<provider>`, since the simulator's port changes every run).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::Args;
use ssl_core::Provider;
use ssl_core::model::Order;
use ssl_journal::sync::{SyncOptions, SyncTarget};
use ssl_journal::{
    Entry, EntryFilter, EntryState, How, Intent, Journal, Journaled, Observed, Placement, ReferenceKind, Spend,
    SpendError, SpendVerb,
};
use ssl_orders::{Config, Credentials, ProviderName};
use ssl_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

use crate::args::Global;
use crate::fail::{Failure, exit};
use crate::output;

/// The client timeout from `SSL_ORDERS_TIMEOUT_SECS` (seconds, fractions allowed), when set.
pub fn timeout_from_env() -> Result<Option<Duration>, Failure> {
    let Ok(v) = std::env::var("SSL_ORDERS_TIMEOUT_SECS") else { return Ok(None) };
    let secs: f64 =
        v.trim().parse().map_err(|_| Failure::usage(format!("SSL_ORDERS_TIMEOUT_SECS=`{v}`: not a number")))?;
    if !(secs.is_finite() && secs > 0.0 && secs <= 3600.0) {
        return Err(Failure::usage("SSL_ORDERS_TIMEOUT_SECS must be between 0 and 3600 seconds"));
    }
    Ok(Some(Duration::from_secs_f64(secs)))
}

/// The factor of `SSL_ORDERS_SIMULATOR_RATE_SCALE`, when set: every published rate window shortened by it (10: DigiCert's
/// 1000 requests per 3 minutes become 1000 per 18 s), for a simulator whose own windows are scaled the same way (its
/// `rate_limits.scale` knob is the inverse, 0.1). It applies only to a loopback `--base-url`: the live APIs always get
/// their published windows, and setting it for one is a usage error.
pub fn simulator_rate_scale(config: &Config) -> Result<Option<f64>, Failure> {
    const VAR: &str = "SSL_ORDERS_SIMULATOR_RATE_SCALE";
    let Ok(v) = std::env::var(VAR) else { return Ok(None) };
    let factor: f64 = v.trim().parse().map_err(|_| Failure::usage(format!("{VAR}=`{v}`: not a number")))?;
    if !(factor.is_finite() && (1.0..=1000.0).contains(&factor)) {
        return Err(Failure::usage(format!(
            "{VAR} must be a factor between 1 and 1000 (windows get that much shorter)"
        )));
    }
    let loopback = config
        .base_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .is_some_and(|u| ssl_core::baseurl::is_loopback(&u));
    if !loopback {
        return Err(Failure::usage(format!(
            "{VAR} only applies to a simulator on a loopback --base-url; the live APIs keep their published rate limits"
        )));
    }
    Ok(Some(factor))
}

/// Make a provider config ready for the journal: `SSL_ORDERS_TIMEOUT_SECS` as the client's request timeout, and
/// with a PostgreSQL journal the provider's published windows shared by every worker through the database
/// (shortened by [`simulator_rate_scale`] against a simulator).
pub async fn prepare_config(mut config: Config, g: &Global) -> Result<Config, Failure> {
    if let Some(t) = timeout_from_env()? {
        let tc = ssl_core::TransportConfig::default()
            .with_request_timeout(t)
            .with_connect_timeout(t.min(Duration::from_secs(10)));
        config = config.transport(Arc::new(ssl_core::ReqwestTransport::new(&tc)?));
    }
    let loc = location(g);
    let d = config.provider.descriptor();
    let scale = simulator_rate_scale(&config)?;
    let windows: Vec<ssl_core::ratelimit::Window> = match scale {
        Some(f) => {
            d.rate_limits.iter().map(|w| ssl_core::ratelimit::Window::new(w.limit, w.period.div_f64(f))).collect()
        }
        None => d.rate_limits.to_vec(),
    };
    if ssl_journal::pg::is_postgres_url(&loc) && !windows.is_empty() {
        if let Some(creds) = config.credentials.clone() {
            let journal = Arc::new(ssl_journal::PgJournal::open(&loc).await.map_err(journal_failure)?);
            let local = journal.local_secret().await.map_err(journal_failure)?;
            let account = ssl_journal::account::identity_of_credentials(d, &creds, &local);
            let gate = ssl_journal::PgRateGate::new(journal, format!("{}:{account}", d.name), &windows);
            config = config.rate_gate(Arc::new(gate));
        }
    } else if scale.is_some() && !windows.is_empty() {
        config = config.rate_gate(Arc::new(ssl_core::ratelimit::RateLimiter::new(windows)));
    }
    Ok(config)
}

fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("ssl-orders")
}

/// Where the journal lives: `--journal`; with `--sandbox`, inside `--sandbox-state`; else `SSL_ORDERS_JOURNAL`; else
/// the user's data dir.
pub fn location(g: &Global) -> String {
    if let Some(j) = &g.journal {
        return j.clone();
    }
    if g.sandbox {
        let dir = g.sandbox_state.clone().unwrap_or_else(|| default_data_dir().join("sandbox"));
        return dir.join("journal.sqlite3").display().to_string();
    }
    if let Ok(j) = std::env::var("SSL_ORDERS_JOURNAL") {
        if !j.trim().is_empty() {
            return j;
        }
    }
    default_data_dir().join("journal.sqlite3").display().to_string()
}

/// The base-URL key of a provider's rows.
pub fn key_for(g: &Global, provider: &str, base_url: &str) -> String {
    if g.sandbox {
        let dir = g.sandbox_state.clone().unwrap_or_else(|| default_data_dir().join("sandbox"));
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        format!("sandbox:{}#{provider}", dir.display())
    } else {
        base_url.to_owned()
    }
}

async fn open(g: &Global) -> Result<Arc<dyn Journal>, Failure> {
    ssl_journal::open(&location(g)).await.map_err(journal_failure)
}

fn journal_failure(e: ssl_journal::JournalError) -> Failure {
    Failure::new(exit::INVALID, "journal", None, format!("{e}; nothing was sent"), vec![])
}

/// What a session needs to guard its spends.
#[derive(Debug, Clone)]
pub struct JournalCtx {
    /// Journal location.
    pub location: String,
    /// Base-URL key of the rows.
    pub key: String,
    /// The provider.
    pub provider: ProviderName,
    /// Its credentials (none for an offline dry run).
    pub credentials: Option<Credentials>,
}

impl JournalCtx {
    /// For a session connected with `config`.
    pub fn new(g: &Global, config: &Config) -> Result<Self, Failure> {
        let d = config.provider.descriptor();
        let base = match &config.base_url {
            Some(u) => u.clone(),
            None => d.base_url(config.environment)?.to_owned(),
        };
        Ok(Self {
            location: location(g),
            key: key_for(g, d.name, &base),
            provider: config.provider,
            credentials: config.credentials.clone(),
        })
    }

    /// Open the journal and put it in front of `provider`.
    pub async fn guard(&self, provider: Arc<dyn Provider>) -> Result<Journaled, Failure> {
        let journal = ssl_journal::open(&self.location).await.map_err(journal_failure)?;
        let local = journal.local_secret().await.map_err(journal_failure)?;
        let account = match &self.credentials {
            Some(c) => ssl_journal::account::identity_of_credentials(self.provider.descriptor(), c, &local),
            None => String::new(),
        };
        Ok(Journaled::new(provider, journal, self.key.clone(), account))
    }
}

/// Spend through the journal; the placement says whether anything was sent.
pub async fn spend(
    ctx: &JournalCtx,
    provider: Arc<dyn Provider>,
    spend: Spend<'_>,
    reference: Option<&str>,
) -> Result<Placement, Failure> {
    let guarded = ctx.guard(provider).await?;
    guarded.spend(spend, reference).await.map_err(|e| spend_failure(&guarded, e))
}

fn spend_failure(g: &Journaled, e: SpendError) -> Failure {
    match e {
        SpendError::Provider(e) => Failure::from(e),
        SpendError::Journal(j) => journal_failure(j),
        other => {
            let lookup = match &other {
                SpendError::NoListing { lookup, .. } => lookup.clone(),
                _ => format!("ssl-orders --provider {} reconcile --all", g.name()),
            };
            Failure::new(exit::OUTCOME_UNKNOWN, "outcome_unknown", None, other.to_string(), vec![]).with_order(
                None,
                None,
                Some(lookup),
            )
        }
    }
}

/// The journal part of an order's output: `{"reference", "entry", "already_placed", "adopted"}`.
pub fn placement_json(p: &Placement) -> serde_json::Value {
    serde_json::json!({
        "reference": p.reference,
        "entry": p.entry_id,
        "how": p.how,
        "already_placed": p.how == How::AlreadyPlaced,
    })
}

/// The line a person reads when nothing was sent.
pub fn placement_note(p: &Placement) -> Option<String> {
    match p.how {
        How::Placed => None,
        How::AlreadyPlaced => Some(format!(
            "already placed: order {} (journal entry {}, reference {}); nothing was sent",
            p.order.order_id, p.entry_id, p.reference
        )),
        How::Adopted => Some(format!(
            "found the order of an earlier attempt: {} (journal entry {}, reference {}); nothing was sent",
            p.order.order_id, p.entry_id, p.reference
        )),
        _ => None,
    }
}

/// `orders` arguments.
#[derive(Debug, Args, Clone)]
pub struct OrdersArgs {
    /// Only this normalized status (issued, pending_validation, ...).
    #[arg(long)]
    pub status: Option<String>,
    /// Only entries in this state: sending, placed, refused, unknown, forgotten.
    #[arg(long)]
    pub state: Option<String>,
    /// Only orders with this name.
    #[arg(long)]
    pub name: Option<String>,
    /// Only this reference.
    #[arg(long)]
    pub reference: Option<String>,
    /// Only this order id.
    #[arg(long)]
    pub order_id: Option<String>,
    /// Include forgotten entries.
    #[arg(long)]
    pub all: bool,
    /// Also show each entry's status history.
    #[arg(long)]
    pub history: bool,
}

/// `reconcile` arguments.
#[derive(Debug, Args, Clone)]
pub struct ReconcileArgs {
    /// The reference (or journal entry number) to reconcile.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub reference: Option<String>,
    /// Every entry whose outcome is unknown (or whose process died while sending).
    #[arg(long)]
    pub all: bool,
}

/// `sync` arguments.
#[derive(Debug, Args, Clone)]
pub struct SyncArgs {
    /// Reads in flight per provider (the provider's published rate limit paces them).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// `forget` arguments.
#[derive(Debug, Args, Clone)]
pub struct ForgetArgs {
    /// The journal entry number, or a reference (every entry it blocks).
    pub entry: String,
}

/// `import` arguments.
#[derive(Debug, Args, Clone)]
pub struct ImportArgs {
    /// The provider's order id.
    pub order_id: String,
    /// Your reference for it (default `import:<provider>:<order id>`).
    #[arg(long)]
    pub reference: Option<String>,
}

/// The journal's commands.
#[derive(Debug, Clone)]
pub enum JournalCommand {
    /// `orders`.
    Orders(OrdersArgs),
    /// `reconcile`.
    Reconcile(ReconcileArgs),
    /// `sync`.
    Sync(SyncArgs),
    /// `forget`.
    Forget(ForgetArgs),
    /// `import`.
    Import(ImportArgs),
}

/// Connects providers at journaled base URLs (starting the in-process simulator once with `--sandbox`).
struct Connector<'a> {
    global: &'a Global,
    sandbox: Option<SandboxHandle>,
}

impl<'a> Connector<'a> {
    async fn new(global: &'a Global) -> Result<Self, Failure> {
        let sandbox = if global.sandbox {
            let dir = global.sandbox_state.clone().unwrap_or_else(|| default_data_dir().join("sandbox"));
            let sb = Sandbox::start(
                SandboxConfig { state_dir: Some(dir.clone()), ..SandboxConfig::default() },
                std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            )
            .await
            .map_err(|e| {
                Failure::invalid("sandbox", format!("cannot start the simulator in {}: {e}", dir.display()))
            })?;
            Some(sb)
        } else {
            None
        };
        Ok(Self { global, sandbox })
    }

    /// The provider of journal rows keyed `key`, with its context.
    async fn connect(&self, name: &str, key: &str) -> Result<(Arc<dyn Provider>, JournalCtx), Failure> {
        let name: ProviderName = name.parse().map_err(Failure::usage)?;
        let (base, credentials) = match &self.sandbox {
            Some(sb) => {
                let base = sb
                    .base_url(name.as_str())
                    .ok_or_else(|| Failure::usage(format!("the simulator does not speak `{name}`")))?;
                let vars = SandboxHandle::credentials()
                    .into_iter()
                    .find(|(p, _)| *p == name.as_str())
                    .map(|(_, v)| v)
                    .unwrap_or_default();
                let creds = Credentials::from_lookup(name, |k| {
                    vars.iter().find(|(var, _)| *var == k).map(|(_, v)| (*v).to_owned())
                })?;
                (base.to_string(), creds)
            }
            None => (key.to_owned(), Credentials::from_env(name)?),
        };
        let config = prepare_config(Config::new(name, credentials).base_url(base), self.global).await?;
        let ctx = JournalCtx::new(self.global, &config)?;
        let provider: Arc<dyn Provider> = Arc::from(ssl_orders::connect(config)?);
        Ok((provider, JournalCtx { key: key.to_owned(), ..ctx }))
    }

    async fn shutdown(self) {
        if let Some(sb) = self.sandbox {
            sb.shutdown().await;
        }
    }
}

/// Run a journal command.
pub async fn run(command: JournalCommand, g: &Global) -> Result<(), Failure> {
    match command {
        JournalCommand::Orders(a) => orders(g, a).await,
        JournalCommand::Forget(a) => forget(g, a).await,
        JournalCommand::Reconcile(a) => {
            let c = Connector::new(g).await?;
            let r = reconcile(g, &c, a).await;
            c.shutdown().await;
            r
        }
        JournalCommand::Sync(a) => {
            let c = Connector::new(g).await?;
            let r = sync(g, &c, a).await;
            c.shutdown().await;
            r
        }
        JournalCommand::Import(a) => {
            let c = Connector::new(g).await?;
            let r = import(g, &c, a).await;
            c.shutdown().await;
            r
        }
    }
}

fn parse_state(s: &str) -> Result<EntryState, Failure> {
    EntryState::parse(s).ok_or_else(|| {
        Failure::usage(format!("--state `{s}`: expected sending, placed, refused, unknown or forgotten"))
    })
}

async fn orders(g: &Global, a: OrdersArgs) -> Result<(), Failure> {
    let journal = open(g).await?;
    let filter = EntryFilter {
        provider: g.provider.clone(),
        reference: a.reference,
        order_id: a.order_id,
        states: a.state.as_deref().map(parse_state).transpose()?.into_iter().collect(),
        status: a.status,
        name: a.name.map(|n| ssl_journal::reference::canonical_name(&n)),
        include_forgotten: a.all,
        ..EntryFilter::default()
    };
    let entries = journal.entries(&filter).await.map_err(journal_failure)?;
    if g.json {
        let mut rows = Vec::new();
        for e in &entries {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            if a.history {
                let h = journal.history(e.id).await.map_err(journal_failure)?;
                v["history"] = serde_json::to_value(h).unwrap_or_default();
            }
            rows.push(v);
        }
        output::json(&serde_json::json!({"journal": journal.location(), "entries": rows}));
    } else {
        print!("{}", orders_table(&entries));
        if a.history {
            for e in &entries {
                for h in journal.history(e.id).await.map_err(journal_failure)? {
                    println!("  #{:<5} {} {} ({})", e.id, rfc3339(h.observed_at), h.status, h.provider_status);
                }
            }
        }
        eprintln!("{} entr{} in {}", entries.len(), if entries.len() == 1 { "y" } else { "ies" }, journal.location());
    }
    Ok(())
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The human table of `orders`.
pub fn orders_table(entries: &[Entry]) -> String {
    let mut out = format!(
        "{:<6} {:<12} {:<12} {:<10} {:<20} {:<11} {:<20} {:<38} {}\n",
        "ENTRY", "PROVIDER", "ORDER", "STATE", "STATUS", "COVERAGE", "CERT NOT AFTER", "REFERENCE", "NAMES"
    );
    for e in entries {
        out.push_str(&format!(
            "{:<6} {:<12} {:<12} {:<10} {:<20} {:<11} {:<20} {:<38} {}\n",
            e.id,
            e.intent.provider,
            e.order_id.as_deref().unwrap_or("-"),
            e.state.as_str(),
            e.status.as_deref().unwrap_or("-"),
            e.coverage_end.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            e.not_after.map(rfc3339).unwrap_or_else(|| "-".into()),
            e.intent.reference,
            e.intent.names.join(","),
        ));
    }
    out
}

async fn forget(g: &Global, a: ForgetArgs) -> Result<(), Failure> {
    let journal = open(g).await?;
    let ids: Vec<i64> = match a.entry.parse::<i64>() {
        Ok(id) => vec![id],
        Err(_) => journal
            .entries(&EntryFilter { reference: Some(a.entry.clone()), ..EntryFilter::default() })
            .await
            .map_err(journal_failure)?
            .into_iter()
            .filter(Entry::blocks)
            .map(|e| e.id)
            .collect(),
    };
    if ids.is_empty() {
        return Err(Failure::usage(format!("no journal entry blocks `{}`", a.entry)));
    }
    for id in &ids {
        journal.forget(*id, time::OffsetDateTime::now_utc()).await.map_err(|e| Failure::usage(e.to_string()))?;
    }
    if g.json {
        output::json(&serde_json::json!({"forgotten": ids}));
    } else {
        for id in &ids {
            println!("journal entry {id} forgotten (kept for history; it no longer blocks an order)");
        }
    }
    Ok(())
}

async fn reconcile(g: &Global, c: &Connector<'_>, a: ReconcileArgs) -> Result<(), Failure> {
    let journal = open(g).await?;
    let entries: Vec<Entry> = match (&a.reference, a.all) {
        (_, true) => journal
            .entries(&EntryFilter {
                provider: g.provider.clone(),
                states: vec![EntryState::Sending, EntryState::Unknown],
                ..EntryFilter::default()
            })
            .await
            .map_err(journal_failure)?,
        (Some(r), false) => {
            let by_id = match r.parse::<i64>() {
                Ok(id) => journal.entry(id).await.map_err(journal_failure)?.into_iter().collect(),
                Err(_) => Vec::new(),
            };
            let by_ref = journal
                .entries(&EntryFilter { reference: Some(r.clone()), ..EntryFilter::default() })
                .await
                .map_err(journal_failure)?;
            let all: Vec<Entry> = by_id.into_iter().chain(by_ref).collect();
            if all.is_empty() {
                return Err(Failure::usage(format!("no journal entry has the reference `{r}`")));
            }
            all.into_iter().filter(|e| e.state != EntryState::Forgotten).collect()
        }
        (None, false) => return Err(Failure::usage("give a REFERENCE or --all")),
    };
    let mut results = Vec::new();
    let mut worst: Option<Failure> = None;
    for e in &entries {
        let outcome = match c.connect(&e.intent.provider, &e.intent.base_url).await {
            Ok((p, ctx)) => match ctx.guard(p).await {
                Ok(guarded) => guarded.reconcile(e.id).await.map_err(|err| spend_failure(&guarded, err)),
                Err(f) => Err(f),
            },
            Err(f) => Err(f),
        };
        let (result, order) = match outcome {
            Ok(ssl_journal::Reconciled::Placed(o)) => ("placed", Some(o)),
            Ok(ssl_journal::Reconciled::Adopted(o)) => ("adopted", Some(o)),
            Ok(ssl_journal::Reconciled::NotPlaced) => ("not_placed", None),
            Ok(_) => ("nothing_to_do", None),
            Err(f) => {
                results.push(serde_json::json!({"entry": e.id, "reference": e.intent.reference, "result": "error", "message": f.message}));
                if !g.json {
                    eprintln!("entry {} ({}): {}", e.id, e.intent.reference, f.message);
                }
                if worst.as_ref().is_none_or(|w| f.exit > w.exit) {
                    worst = Some(f);
                }
                continue;
            }
        };
        if !g.json {
            match &order {
                Some(o) => println!(
                    "entry {} ({}): {result}: {} order {} ({})",
                    e.id, e.intent.reference, o.provider, o.order_id, o.status
                ),
                None => println!("entry {} ({}): {result}", e.id, e.intent.reference),
            }
        }
        results.push(
            serde_json::json!({"entry": e.id, "reference": e.intent.reference, "result": result, "order": order}),
        );
    }
    match worst {
        Some(mut f) => {
            let errors: Vec<String> = results
                .iter()
                .filter(|r| r["result"] == "error")
                .map(|r| format!("entry {}: {}", r["entry"], r["message"].as_str().unwrap_or("")))
                .collect();
            f.message =
                format!("{} of {} entries could not be reconciled: {}", errors.len(), results.len(), errors.join("; "));
            Err(f)
        }
        None => {
            if g.json {
                output::json(&serde_json::json!({"reconciled": results}));
            } else if entries.is_empty() {
                println!("nothing to reconcile");
            }
            Ok(())
        }
    }
}

async fn sync(g: &Global, c: &Connector<'_>, a: SyncArgs) -> Result<(), Failure> {
    let journal = open(g).await?;
    let entries = journal
        .entries(&EntryFilter {
            provider: g.provider.clone(),
            states: vec![EntryState::Placed],
            ..EntryFilter::default()
        })
        .await
        .map_err(journal_failure)?;
    let today = time::OffsetDateTime::now_utc().date();
    let mut keys: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.needs_sync(today))
        .map(|e| (e.intent.provider.clone(), e.intent.base_url.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let mut targets = Vec::new();
    let mut skipped_providers = Vec::new();
    for (name, key) in &keys {
        match c.connect(name, key).await {
            Ok((provider, _)) => targets.push(SyncTarget { provider, base_url: key.clone() }),
            Err(f) => {
                skipped_providers.push(serde_json::json!({"provider": name, "base_url": key, "reason": f.message}))
            }
        }
    }
    let options = SyncOptions { concurrency: a.concurrency.max(1), ..SyncOptions::default() };
    let stop = options.stop.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::SeqCst);
        }
    });
    let bar = (!g.json && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} sync {pos}/{len} orders [{elapsed_precise}] {wide_bar}")
        {
            pb.set_style(style);
        }
        pb
    });
    let pb = bar.clone();
    let summary = ssl_journal::sync::sync(journal, &targets, &options, move |p| {
        if let Some(pb) = &pb {
            pb.set_length(p.total as u64);
            pb.set_position(p.done as u64);
        }
    })
    .await
    .map_err(journal_failure)?;
    ctrl_c.abort();
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    if g.json {
        let mut v = serde_json::to_value(&summary).unwrap_or_default();
        v["skipped_providers"] = serde_json::Value::Array(skipped_providers);
        output::json(&v);
    } else {
        println!(
            "sync {}: {} read, {} changed, {} failed{}{} in {:.1}s",
            if summary.interrupted { "interrupted" } else { "done" },
            summary.checked,
            summary.changed,
            summary.failed,
            if summary.resumed { format!(", resumed ({} read before)", summary.skipped) } else { String::new() },
            if summary.interrupted { "; run `ssl-orders sync` again to resume" } else { "" },
            summary.seconds
        );
        for ch in &summary.changes {
            println!("  {ch}");
        }
        for (name, p) in &summary.providers {
            for e in &p.errors {
                eprintln!("  {name}: {e}");
            }
        }
        for s in &skipped_providers {
            eprintln!("  skipped {}: {}", s["provider"].as_str().unwrap_or(""), s["reason"].as_str().unwrap_or(""));
        }
    }
    if summary.interrupted {
        return Err(Failure::new(130, "interrupted", None, "sync interrupted; run it again to resume", vec![]));
    }
    Ok(())
}

async fn import(g: &Global, c: &Connector<'_>, a: ImportArgs) -> Result<(), Failure> {
    let name = g.provider.clone().ok_or_else(|| Failure::usage("import needs --provider"))?;
    let pname: ProviderName = name.parse().map_err(Failure::usage)?;
    let base = match &g.base_url {
        Some(u) => u.clone(),
        None if g.sandbox => String::new(),
        None => {
            let env: ssl_orders::Environment = g.environment.parse().map_err(Failure::usage)?;
            pname.descriptor().base_url(env)?.to_owned()
        }
    };
    let key = key_for(g, pname.as_str(), &base);
    let (provider, ctx) = c.connect(pname.as_str(), &key).await?;
    let order: Order = provider.get(&a.order_id).await?;
    let guarded = ctx.guard(provider).await?;
    let reference = match &a.reference {
        Some(r) => {
            ssl_journal::reference::check_user_reference(r).map_err(Failure::usage)?;
            r.clone()
        }
        None => format!("import:{}:{}", pname.as_str(), order.order_id),
    };
    let names = ssl_journal::reference::canonical_names(
        order.dns_names.iter().map(String::as_str).chain([order.common_name.as_str()]),
    );
    let listed = ssl_journal::matching::Listed::from_order(&order);
    let intent = Intent {
        reference,
        reference_kind: if a.reference.is_some() { ReferenceKind::User } else { ReferenceKind::Imported },
        verb: SpendVerb::Order,
        provider: pname.as_str().to_owned(),
        base_url: key,
        account: guarded.account().to_owned(),
        spec_digest: String::new(),
        csr_key: listed.csr_key,
        product: order.product.clone().unwrap_or_default(),
        term_months: 0,
        common_name: order.common_name.clone(),
        names,
        predecessor: None,
    };
    let entry = guarded
        .journal()
        .import(&intent, &Observed::from(&order), time::OffsetDateTime::now_utc())
        .await
        .map_err(|e| Failure::usage(e.to_string()))?;
    if g.json {
        output::json(&serde_json::json!({"imported": entry}));
    } else {
        println!(
            "imported {} order {} as journal entry {} (reference {})",
            pname, order.order_id, entry.id, entry.intent.reference
        );
    }
    Ok(())
}
