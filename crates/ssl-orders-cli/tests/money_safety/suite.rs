//! The suite itself: set-up, the kill phase, the fault phase, and the comparison.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use ssl_journal::{EntryFilter, EntryState};
use ssl_sandbox::{Knobs, Sandbox, SandboxConfig, SandboxHandle};

const BIN: &str = env!("CARGO_BIN_EXE_ssl-orders");
/// The client timeout the CLI runs with (seconds).
const TIMEOUT_SECS: f64 = 1.0;
/// The delay after commit: longer than the client timeout.
const DELAY_AFTER_COMMIT_MS: u64 = 1600;
/// The settle time the CLI runs with (seconds): longer than any server-side delay before a commit (there is none).
const SETTLE_SECS: f64 = 1.5;

/// `MONEY_SAFETY_RATE_SCALE`: how much shorter the published rate windows are on both sides (default 10 with the
/// PostgreSQL journal, whose workers share their windows through the database; `off`, or the SQLite journal by
/// default: the simulator enforces no window). 10 turns DigiCert's 1000 requests per 3 minutes into 1000 per 18 s.
fn rate_scale(backend: &str) -> Result<Option<f64>, String> {
    let default = if backend == "postgres" { Some(10.0) } else { None };
    match std::env::var("MONEY_SAFETY_RATE_SCALE").as_deref().map(str::trim) {
        Err(_) | Ok("") => Ok(default),
        Ok("off") => Ok(None),
        Ok(v) => match v.parse::<f64>() {
            Ok(f) if f.is_finite() && f >= 1.0 => Ok(Some(f)),
            _ => Err(format!("MONEY_SAFETY_RATE_SCALE=`{v}`: a factor of 1 or more, or `off`")),
        },
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// One order of the suite.
#[derive(Debug, Clone)]
struct Job {
    index: usize,
    provider: &'static str,
    csr_path: PathBuf,
    csr_key: String,
}

/// What every CLI run shares.
struct Rig {
    bases: HashMap<&'static str, String>,
    journal: String,
    contacts: PathBuf,
    runs: AtomicUsize,
    /// CLI runs per CSR key (each may send at most one order request).
    runs_by_key: std::sync::Mutex<HashMap<String, usize>>,
    /// `SSL_ORDERS_SIMULATOR_RATE_SCALE` for every CLI run (the simulator's windows are shortened the same way).
    rate_scale: Option<f64>,
}

impl Rig {
    fn command(&self, job: &Job, timeout_secs: f64) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(BIN);
        for var in ["SSL_ORDERS_PROVIDER", "SSL_ORDERS_JOURNAL", "SSL_ORDERS_LOG"] {
            c.env_remove(var);
        }
        for (p, vars) in SandboxHandle::credentials() {
            if p == job.provider {
                for (k, v) in vars {
                    c.env(k, v);
                }
            }
        }
        c.env("SSL_ORDERS_JOURNAL", &self.journal)
            .env("SSL_ORDERS_TIMEOUT_SECS", timeout_secs.to_string())
            .env("SSL_ORDERS_SETTLE_SECS", SETTLE_SECS.to_string());
        match self.rate_scale {
            Some(f) => c.env("SSL_ORDERS_SIMULATOR_RATE_SCALE", f.to_string()),
            None => c.env_remove("SSL_ORDERS_SIMULATOR_RATE_SCALE"),
        };
        c.args(["--json", "--provider", job.provider, "--base-url", &self.bases[job.provider], "order"]).args([
            "--csr",
            job.csr_path.to_str().unwrap_or_default(),
            "--dcv",
            "dns",
        ]);
        match job.provider {
            "digicert" => c.args(["--product", "ssl_dv_geotrust"]),
            _ => c.args(["--product", "101", "--contacts", self.contacts.to_str().unwrap_or_default()]),
        };
        c.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        c.kill_on_drop(true);
        c
    }

    /// Run the CLI until the order is placed (re-running exactly as a person would after exit 7 or a 429).
    async fn place(&self, job: &Job) -> Result<(String, String), String> {
        let mut last = String::new();
        for _ in 0..40 {
            self.runs.fetch_add(1, Ordering::SeqCst);
            *self.runs_by_key.lock().map_err(|e| e.to_string())?.entry(job.csr_key.clone()).or_default() += 1;
            let out = self.command(job, TIMEOUT_SECS).output().await.map_err(|e| e.to_string())?;
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            let v: Value = serde_json::from_str(&stdout).unwrap_or(Value::Null);
            match out.status.code() {
                Some(0) => {
                    let id = v["order_id"].as_str().ok_or_else(|| format!("no order_id in {stdout}"))?;
                    return Ok((id.to_owned(), v["journal"]["how"].as_str().unwrap_or("").to_owned()));
                }
                Some(7) => {
                    let msg = v["error"]["message"].as_str().unwrap_or("").to_owned();
                    let wait = if msg.contains("Retry after") { SETTLE_SECS + 0.1 } else { 0.2 };
                    last = msg;
                    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
                }
                Some(3) | Some(4) => {
                    last = v["error"]["message"].as_str().unwrap_or("").to_owned();
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                other => {
                    return Err(format!(
                        "order {} ({}): exit {other:?}: {stdout} {}",
                        job.index,
                        job.provider,
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
        }
        Err(format!("order {} ({}) never placed; last: {last}", job.index, job.provider))
    }
}

/// Every CSR key digest of a simulator's orders, with its order ids.
fn simulator_orders(sb: &SandboxHandle) -> BTreeMap<String, Vec<String>> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in ["digicert", "gogetssl"] {
        for o in sb.orders(p) {
            let id = o.get("id").map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()));
            let key = find_csr(&o).and_then(|c| ssl_journal::csr_key::csr_key_digest_str(&c));
            by_key
                .entry(key.unwrap_or_else(|| "<no csr>".into()))
                .or_default()
                .push(format!("{p}:{}", id.unwrap_or_default()));
        }
    }
    by_key
}

/// Order requests the simulator received, per CSR key (DigiCert: the JSON body's CSR; GoGetSSL: the form's `csr`).
fn order_posts(sb: &SandboxHandle) -> HashMap<String, usize> {
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for e in sb.events() {
        let is_order = e.method == "POST" && order_paths().iter().any(|(_, path)| e.path.contains(path));
        if !is_order {
            continue;
        }
        let csr = serde_json::from_str::<Value>(&e.body).ok().and_then(|v| find_csr(&v)).or_else(|| {
            url::form_urlencoded::parse(e.body.as_bytes()).find(|(k, _)| k == "csr").map(|(_, v)| v.into_owned())
        });
        let key = csr.and_then(|c| ssl_journal::csr_key::csr_key_digest_str(&c)).unwrap_or_else(|| "<no csr>".into());
        *by_key.entry(key).or_default() += 1;
    }
    by_key
}

fn find_csr(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.contains("CERTIFICATE REQUEST") => Some(s.clone()),
        Value::Object(m) => m.values().find_map(find_csr),
        Value::Array(a) => a.iter().find_map(find_csr),
        _ => None,
    }
}

fn order_paths() -> [(&'static str, &'static str); 2] {
    [("digicert", "/order/certificate/"), ("gogetssl", "/orders/add_ssl_order")]
}

/// Four faults, each on 10% of order POSTs. The delay after commit is independent of the others; the three that
/// decide the answer are checked in order, so their probabilities are conditional (each is tried only when the ones
/// before it did not fire) and every kind lands on 10% of requests on average.
///
/// With a rate scale the simulator enforces every provider's published windows shortened by that factor (the CLI runs
/// shorten theirs the same way), so the suite also proves that the workers' shared windows hold: no request may be
/// refused by a published window. Without one the published windows are off: each SQLite worker process keeps its
/// own limiter, so together they could exceed them.
fn fault_knobs(base: &Knobs, rate_scale: Option<f64>) -> Knobs {
    let mut faults = Vec::new();
    for (provider, path) in order_paths() {
        let filter = json!({"provider": provider, "method": "POST", "path": path});
        let with = |extra: Value| {
            let mut f = filter.clone();
            for (k, v) in extra.as_object().into_iter().flatten() {
                f[k] = v.clone();
            }
            f
        };
        faults.push(with(json!({"kind": "server_error", "status": 503, "probability": 0.10})));
        faults.push(with(json!({"kind": "rate_limit", "retry_after": 1, "probability": 0.10 / 0.90})));
        faults
            .push(with(json!({"kind": "delay_after_commit", "delay_ms": DELAY_AFTER_COMMIT_MS, "probability": 0.10})));
        faults.push(with(json!({"kind": "drop_after_commit", "probability": 0.10 / 0.80})));
    }
    let mut k = serde_json::to_value(base).unwrap_or_default();
    k["faults"] = Value::Array(faults);
    k["seed"] = json!(20261129);
    k["rate_limits"] = match rate_scale {
        Some(f) => json!({"enabled": true, "scale": 1.0 / f}),
        None => json!({"enabled": false}),
    };
    serde_json::from_value(k).expect("the sandbox accepts the suite's faults")
}

/// A long delay after commit on every order POST: the CLI is killed while it waits.
fn kill_knobs(base: &Knobs) -> Knobs {
    let mut k = serde_json::to_value(base).unwrap_or_default();
    k["faults"] = Value::Array(
        order_paths()
            .iter()
            .map(|(p, path)| {
                json!({"kind": "delay_after_commit", "delay_ms": 30000, "provider": p, "method": "POST", "path": path})
            })
            .collect(),
    );
    k["rate_limits"] = json!({"enabled": false});
    serde_json::from_value(k).expect("the sandbox accepts the kill-phase fault")
}

async fn journal_location(tmp: &Path) -> Result<(String, &'static str), String> {
    match std::env::var("MONEY_SAFETY_JOURNAL").as_deref() {
        Ok("postgres") => {
            let url = std::env::var("SSL_ORDERS_TEST_POSTGRES")
                .map_err(|_| "MONEY_SAFETY_JOURNAL=postgres needs SSL_ORDERS_TEST_POSTGRES".to_string())?;
            let mut config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
            if let Ok(p) = std::env::var("PGPASSWORD") {
                config.password(p);
            }
            let (client, conn) = config.connect(tokio_postgres::NoTls).await.map_err(|e| format!("PostgreSQL: {e}"))?;
            tokio::spawn(conn);
            let schema = format!("money_safety_{}", std::process::id());
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
                .await
                .map_err(|e| format!("PostgreSQL: {e}"))?;
            let sep = if url.contains('?') { '&' } else { '?' };
            Ok((format!("{url}{sep}options=-csearch_path%3D{schema}"), "postgres"))
        }
        _ => Ok((tmp.join("journal.sqlite3").display().to_string(), "sqlite")),
    }
}

fn contacts(dir: &Path) -> PathBuf {
    let p = dir.join("contacts.toml");
    let text = "[admin]\nfirst_name = \"Ada\"\nlast_name = \"Admin\"\nemail = \"admin@example.com\"\nphone = \"+1 555 0100\"\n\
        title = \"CTO\"\norganization = \"Example Ltd\"\naddress = \"1 Main St\"\ncity = \"Springfield\"\n\
        postal_code = \"12345\"\ncountry = \"US\"\n\n[tech]\nfirst_name = \"Tom\"\nlast_name = \"Tech\"\n\
        email = \"tech@example.com\"\nphone = \"+1 555 0101\"\ntitle = \"Engineer\"\norganization = \"Example Ltd\"\n\
        address = \"1 Main St\"\ncity = \"Springfield\"\npostal_code = \"12345\"\ncountry = \"US\"\n";
    std::fs::write(&p, text).expect("write contacts");
    p
}

/// Run the suite; the exit code.
pub async fn run() -> i32 {
    match run_inner().await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("money-safety: FAILED: {e}");
            println!("money-safety: 0 passed, 1 failed");
            1
        }
    }
}

async fn run_inner() -> Result<(), String> {
    let started = Instant::now();
    let n = env_usize("MONEY_SAFETY_ORDERS", 1000);
    let kills = env_usize("MONEY_SAFETY_KILLS", 20).min(n);
    let workers = env_usize("MONEY_SAFETY_WORKERS", 4).max(1);
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sb =
        Sandbox::start(SandboxConfig { seed: Some(7), ..SandboxConfig::default() }, "127.0.0.1:0".parse().unwrap())
            .await
            .map_err(|e| e.to_string())?;
    let (journal, backend) = journal_location(tmp.path()).await?;
    let rate_scale = rate_scale(backend)?;
    let mut bases = HashMap::new();
    for p in ["digicert", "gogetssl"] {
        bases.insert(p, sb.base_url(p).ok_or("the simulator serves both providers")?.to_string());
    }
    let rig = Arc::new(Rig {
        bases,
        journal: journal.clone(),
        contacts: contacts(tmp.path()),
        runs: AtomicUsize::new(0),
        runs_by_key: Default::default(),
        rate_scale,
    });

    // EC keys: fast to make, and what the suite asks for.
    let mut jobs = Vec::with_capacity(n);
    for i in 0..n {
        let provider = if i % 2 == 0 { "digicert" } else { "gogetssl" };
        let cn = format!("o{i}.money-safety.example");
        let g = ssl_csr::generate(ssl_csr::KeyType::EcP256, &cn, &[]).map_err(|e| e.to_string())?;
        let csr_path = tmp.path().join(format!("{i}.csr"));
        std::fs::write(&csr_path, &g.csr_pem).map_err(|e| e.to_string())?;
        let csr_key = ssl_journal::csr_key::csr_key_digest_str(&g.csr_pem).ok_or("CSR key")?;
        jobs.push(Job { index: i, provider, csr_path, csr_key });
    }
    // GoGetSSL pays from a balance (1,000 EUR by default: 200 orders of the suite's product): enough for all.
    sb.set_knobs(Knobs { balance: Some(10.0 * n as f64 + 1000.0), ..sb.knobs() });
    let start_knobs = sb.knobs();
    let mut placed: HashMap<String, String> = HashMap::new();
    let mut hows: BTreeMap<String, usize> = BTreeMap::new();

    // Kill phase: the CLI is SIGKILLed while the simulator holds its committed order, then run again.
    let kill_started = Instant::now();
    let mut killed = 0;
    for job in &jobs[..kills] {
        sb.set_knobs(kill_knobs(&start_knobs));
        let mut child = rig.command(job, 60.0).spawn().map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if simulator_orders(&sb).contains_key(&job.csr_key) {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("order {} never reached the simulator", job.index));
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "order {}: the CLI ended ({status}) before the simulator held the order",
                    job.index
                ));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.start_kill().map_err(|e| e.to_string())?;
        let status = child.wait().await.map_err(|e| e.to_string())?;
        if status.code().is_some() {
            return Err(format!("order {}: the CLI exited ({status}) instead of being killed", job.index));
        }
        killed += 1;
        sb.set_knobs(start_knobs.clone());
        let (id, how) = rig.place(job).await?;
        if how != "adopted" {
            return Err(format!(
                "order {} after SIGKILL: expected the re-run to adopt the order, got `{how}`",
                job.index
            ));
        }
        *hows.entry(how).or_default() += 1;
        placed.insert(job.csr_key.clone(), id);
    }
    let kill_secs = kill_started.elapsed().as_secs_f64();

    // Fault phase: 10% each of 503 before commit, 429, delay after commit, drop after commit; 10% raced twice.
    sb.set_knobs(fault_knobs(&start_knobs, rate_scale));
    let fault_started = Instant::now();
    let sem = Arc::new(tokio::sync::Semaphore::new(workers));
    let mut set = tokio::task::JoinSet::new();
    for job in jobs[kills..].iter().cloned() {
        let copies = if job.index % 10 == 5 { 2 } else { 1 };
        for _ in 0..copies {
            let (rig, sem, job) = (rig.clone(), sem.clone(), job.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await.map_err(|e| e.to_string())?;
                rig.place(&job).await.map(|r| (job.csr_key.clone(), r))
            });
        }
    }
    let mut failures = Vec::new();
    while let Some(r) = set.join_next().await {
        match r.map_err(|e| e.to_string()).and_then(|x| x) {
            Ok((key, (id, how))) => {
                *hows.entry(how).or_default() += 1;
                if let Some(prev) = placed.insert(key, id.clone()) {
                    if prev != id {
                        failures.push(format!("two CLI runs for one CSR key returned orders {prev} and {id}"));
                    }
                }
            }
            Err(e) => failures.push(e),
        }
    }
    let fault_secs = fault_started.elapsed().as_secs_f64();
    let fired: Vec<(String, u32)> = sb
        .knobs()
        .faults
        .iter()
        .map(|f| (format!("{}:{}", f.provider.clone().unwrap_or_default(), f.kind.as_str()), f.fired))
        .collect();
    sb.set_knobs(start_knobs.clone());

    // The comparison.
    let sim = simulator_orders(&sb);
    let total: usize = sim.values().map(Vec::len).sum();
    if total != n {
        failures.push(format!("the simulator holds {total} orders, expected {n}"));
    }
    for (key, ids) in &sim {
        if ids.len() != 1 {
            failures.push(format!("CSR key {key}: {} orders {ids:?}", ids.len()));
        }
    }
    // Never more than one order request per CLI run (an unknown outcome ends the run with exit 7; only a later run
    // may send again, after two listings the settle time apart agree).
    let posts = order_posts(&sb);
    let mut requests: BTreeMap<String, usize> = BTreeMap::new();
    let mut window_refusals = 0usize;
    for e in sb.events() {
        let path: String = e
            .path
            .split('/')
            .map(|seg| if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() { "{id}" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        *requests.entry(format!("{} {path}", e.method)).or_default() += 1;
        if e.faults.iter().any(|f| f == "published_rate_limit") {
            window_refusals += 1;
        }
    }
    if window_refusals > 0 {
        failures.push(format!(
            "{window_refusals} requests refused by the simulator's published windows: the workers' shared windows leaked"
        ));
    }
    if posts.values().sum::<usize>() < n {
        failures.push(format!("only {} order requests seen in the event log", posts.values().sum::<usize>()));
    }
    let runs_by_key = rig.runs_by_key.lock().map_err(|e| e.to_string())?.clone();
    for (key, n_posts) in &posts {
        let runs =
            runs_by_key.get(key).copied().unwrap_or(0) + usize::from(jobs[..kills].iter().any(|j| &j.csr_key == key));
        if *n_posts > runs {
            failures.push(format!("CSR key {key}: {n_posts} order requests from {runs} CLI runs"));
        }
    }
    let journal_handle = ssl_journal::open(&journal).await.map_err(|e| e.to_string())?;
    let entries = journal_handle.entries(&EntryFilter::default()).await.map_err(|e| e.to_string())?;
    let unresolved: Vec<_> =
        entries.iter().filter(|e| matches!(e.state, EntryState::Sending | EntryState::Unknown)).collect();
    if !unresolved.is_empty() {
        failures.push(format!("{} journal entries left sending/unknown", unresolved.len()));
    }
    let journal_placed: HashMap<&str, &str> = entries
        .iter()
        .filter(|e| e.state == EntryState::Placed)
        .filter_map(|e| Some((e.intent.csr_key.as_deref()?, e.order_id.as_deref()?)))
        .collect();
    let placed_count = entries.iter().filter(|e| e.state == EntryState::Placed).count();
    if placed_count != n {
        failures.push(format!("the journal has {placed_count} placed entries, expected {n}"));
    }
    let mut agree = 0;
    for job in &jobs {
        let sim_id = sim.get(&job.csr_key).and_then(|v| v.first()).map(|s| s.split_once(':').map(|x| x.1).unwrap_or(s));
        let j_id = journal_placed.get(job.csr_key.as_str()).copied();
        let cli_id = placed.get(&job.csr_key).map(String::as_str);
        match (sim_id, j_id, cli_id) {
            (Some(s), Some(j), Some(c)) if s == j && j == c => agree += 1,
            other => failures
                .push(format!("order {} ({}): simulator/journal/CLI disagree: {other:?}", job.index, job.provider)),
        }
    }
    let runs = rig.runs.load(Ordering::SeqCst);
    sb.shutdown().await;
    let report = json!({
        "backend": backend,
        "orders": n,
        "workers": workers,
        "simulator_orders": total,
        "journal_placed": placed_count,
        "agree": agree,
        "sigkills": killed,
        "cli_runs": runs,
        "order_requests": posts.values().sum::<usize>(),
        "simulator_requests": requests,
        "rate_windows": match rate_scale {
            Some(f) => json!({"scale": format!("1/{f}"), "refused_by_published_window": window_refusals}),
            None => json!("off in the simulator"),
        },
        "outcomes": hows,
        "faults_fired": fired,
        "seconds": {"kill_phase": kill_secs, "fault_phase": fault_secs, "total": started.elapsed().as_secs_f64()},
    });
    eprintln!("money-safety report: {}", serde_json::to_string_pretty(&report).unwrap_or_default());
    if failures.is_empty() {
        println!("money-safety: {agree} passed, 0 failed");
        Ok(())
    } else {
        for f in failures.iter().take(30) {
            eprintln!("  - {f}");
        }
        Err(format!("{} problems ({} orders agree)", failures.len(), agree))
    }
}
