//! The order journal through the CLI: one order per reference, adoption after a lost reply, `orders`, `reconcile`,
//! `sync`, `forget`, `import`, and the journal's place.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use ssl_sandbox::{DcvMode, Knobs, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::*;

fn ec_csr(dir: &Path, cn: &str) -> String {
    let g = ssl_csr::generate(ssl_csr::KeyType::EcP256, cn, &[]).unwrap();
    let p = dir.join(format!("{cn}.csr"));
    std::fs::write(&p, g.csr_pem).unwrap();
    p.to_str().unwrap().to_owned()
}

fn text(o: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn sandbox(dcv: DcvMode) -> SandboxHandle {
    Sandbox::start(SandboxConfig { dcv, ..SandboxConfig::default() }, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn digicert_key() -> String {
    SandboxHandle::credentials().into_iter().find(|(p, _)| *p == "digicert").map(|(_, v)| v[0].1.to_owned()).unwrap()
}

/// Run the CLI against a standalone simulator with its own journal file.
async fn run_with(journal: &Path, envs: &[(&str, &str)], args: Vec<String>) -> Output {
    let journal = journal.to_str().unwrap().to_owned();
    let envs: Vec<(String, String)> = envs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let mut c = bin();
        c.args(&args).env("SSL_ORDERS_DIGICERT_API_KEY", digicert_key()).env("SSL_ORDERS_JOURNAL", journal);
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    })
    .await
    .unwrap()
}

fn order_args(base: &str, csr: &str) -> Vec<String> {
    ["--json", "--provider", "digicert", "--base-url", base, "order", "--product", "ssl_dv_geotrust", "--csr", csr]
        .iter()
        .chain(&["--dcv", "dns"])
        .map(|s| s.to_string())
        .collect()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_sends_nothing_and_says_already_placed() {
    let sb = sandbox(DcvMode::Manual).await;
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("j.sqlite3");
    let base = sb.base_url("digicert").unwrap().to_string();
    let csr = ec_csr(tmp.path(), "twice.example.com");
    let first = run_with(&journal, &[], order_args(&base, &csr)).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let v1 = stdout_json(&first);
    assert_eq!(v1["journal"]["how"], "placed");
    assert!(v1["journal"]["reference"].as_str().unwrap().starts_with("sor1-"));
    let second = run_with(&journal, &[], order_args(&base, &csr)).await;
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let v2 = stdout_json(&second);
    assert_eq!(v2["journal"]["already_placed"], true, "{v2:#}");
    assert_eq!(v2["order_id"], v1["order_id"]);
    assert_eq!(sb.orders("digicert").len(), 1, "one order");
    // Human output says so too.
    let mut human = order_args(&base, &csr);
    human.remove(0);
    let third = run_with(&journal, &[], human).await;
    assert_eq!(third.status.code(), Some(0));
    assert!(text(&third).contains("already placed"), "{}", text(&third));
    // The default reference never went to the provider.
    let reference = v1["journal"]["reference"].as_str().unwrap();
    assert!(sb.requests().iter().all(|r| !format!("{r:?}").contains(reference)));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_dropped_after_commit_exits_7_and_the_rerun_adopts_it_from_the_listing() {
    let sb = sandbox(DcvMode::Manual).await;
    let mut knobs: Value = serde_json::to_value(sb.knobs()).unwrap();
    knobs["faults"] = serde_json::json!([{"kind": "drop_after_commit", "method": "POST", "times": 1}]);
    sb.set_knobs(serde_json::from_value::<Knobs>(knobs).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("j.sqlite3");
    let base = sb.base_url("digicert").unwrap().to_string();
    let csr = ec_csr(tmp.path(), "drop.example.com");
    let o = run_with(&journal, &[], order_args(&base, &csr)).await;
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    let o = run_with(&journal, &[], order_args(&base, &csr)).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!(v["journal"]["how"], "adopted", "{v:#}");
    let orders = sb.orders("digicert");
    assert_eq!(orders.len(), 1, "exactly one order, never resent");
    let again = run_with(&journal, &[], order_args(&base, &csr)).await;
    assert_eq!(stdout_json(&again)["journal"]["how"], "already_placed");
    assert_eq!(sb.orders("digicert").len(), 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_before_commit_settles_then_reconcile_marks_it_not_placed() {
    let sb = sandbox(DcvMode::Manual).await;
    let mut knobs: Value = serde_json::to_value(sb.knobs()).unwrap();
    knobs["faults"] = serde_json::json!([{"kind": "server_error", "status": 503, "method": "POST", "times": 2}]);
    sb.set_knobs(serde_json::from_value::<Knobs>(knobs).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("j.sqlite3");
    let base = sb.base_url("digicert").unwrap().to_string();
    let csr = ec_csr(tmp.path(), "lost.example.com");
    let settle = [("SSL_ORDERS_SETTLE_SECS", "0.5")];
    let posts = || sb.requests().iter().filter(|r| r.method == "POST" && r.path.contains("/order/certificate")).count();
    let o = run_with(&journal, &settle, order_args(&base, &csr)).await;
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert_eq!(stdout_json(&o)["error"]["kind"], "outcome_unknown");
    assert_eq!(posts(), 1, "a 5xx on the order: exactly one request in that run");
    // A re-run inside the settle time sends nothing and says when to retry.
    let o = run_with(&journal, &settle, order_args(&base, &csr)).await;
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert_eq!(posts(), 1, "one listing is not enough to send again");
    let msg = stdout_json(&o)["error"]["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("Retry after"), "{msg}");
    assert_eq!(sb.orders("digicert").len(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let r = run_with(&journal, &settle, args(&["--json", "reconcile", "--all"])).await;
    assert_eq!(r.status.code(), Some(0), "{}", text(&r));
    assert_eq!(stdout_json(&r)["reconciled"][0]["result"], "not_placed");
    let refused = run_with(&journal, &[], args(&["--json", "orders", "--state", "refused"])).await;
    let entries = stdout_json(&refused)["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1);
    assert!(entries[0]["error"].as_str().unwrap().contains("absent from the listings"));
    // Now the order goes out once (the second 503 is a refusal... of a fresh attempt: re-run until placed).
    let mut placed = None;
    for _ in 0..4 {
        let o = run_with(&journal, &settle, order_args(&base, &csr)).await;
        if o.status.code() == Some(0) {
            placed = Some(stdout_json(&o));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    }
    assert!(placed.is_some());
    assert_eq!(sb.orders("digicert").len(), 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_a_sigkill_with_a_generated_key_reuses_it_and_adopts_the_order() {
    let sb = sandbox(DcvMode::Manual).await;
    let mut knobs: Value = serde_json::to_value(sb.knobs()).unwrap();
    knobs["faults"] = serde_json::json!([{"kind": "delay_after_commit", "delay_ms": 30000, "method": "POST"}]);
    sb.set_knobs(serde_json::from_value::<Knobs>(knobs).unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("j.sqlite3");
    let base = sb.base_url("digicert").unwrap().to_string();
    let out = tmp.path().join("out");
    let order = args(&[
        "--json",
        "--provider",
        "digicert",
        "--base-url",
        &base,
        "order",
        "--product",
        "ssl_dv_geotrust",
        "--cn",
        "killed.example.com",
        "--key",
        "ec256",
        "--dcv",
        "dns",
        "--out",
        out.to_str().unwrap(),
    ]);
    let mut child = bin()
        .args(&order)
        .env("SSL_ORDERS_DIGICERT_API_KEY", digicert_key())
        .env("SSL_ORDERS_JOURNAL", &journal)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while sb.orders("digicert").is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "the CLI ended before the simulator held the order");
        assert!(std::time::Instant::now() < deadline, "the order never reached the simulator");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().code(), None, "killed by a signal");
    sb.set_knobs(Knobs { faults: Vec::new(), ..sb.knobs() });
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    // The same command again: the key it generated is reused (never a new key, never a second order), and the
    // order the killed run left is found and adopted.
    let o = run_with(&journal, &[], order.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(stdout_json(&o)["journal"]["how"], "adopted", "{}", text(&o));
    assert_eq!(std::fs::read_to_string(out.join("key.pem")).unwrap(), key);
    let posts = sb.requests().iter().filter(|r| r.method == "POST" && r.path.contains("/order/certificate")).count();
    assert_eq!((posts, sb.orders("digicert").len()), (1, 1));
    // Once more: already placed, still the same key.
    let o = run_with(&journal, &[], order.clone()).await;
    assert_eq!(stdout_json(&o)["journal"]["how"], "already_placed", "{}", text(&o));
    // Other names, or a key the CSR was not signed with, in the same directory: refused, nothing overwritten.
    let mut other = order.clone();
    let cn = other.iter().position(|a| a == "killed.example.com").unwrap();
    other[cn] = "other.example.com".into();
    let o = run_with(&journal, &[], other).await;
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(stdout_json(&o)["error"]["code"], "key_exists", "{}", text(&o));
    let foreign = ssl_csr::generate(ssl_csr::KeyType::EcP256, "killed.example.com", &[]).unwrap();
    std::fs::write(out.join("csr.pem"), &foreign.csr_pem).unwrap();
    let o = run_with(&journal, &[], order).await;
    assert_eq!(stdout_json(&o)["error"]["code"], "key_exists", "{}", text(&o));
    assert!(text(&o).contains("not signed by it"), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(out.join("key.pem")).unwrap(), key, "never overwritten");
    assert_eq!(sb.orders("digicert").len(), 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_sync_forget_and_import() {
    let sb = sandbox(DcvMode::Manual).await;
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("j.sqlite3");
    let base = sb.base_url("digicert").unwrap().to_string();
    let csr = ec_csr(tmp.path(), "sync.example.com");
    let o = run_with(&journal, &[], order_args(&base, &csr)).await;
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let id = stdout_json(&o)["order_id"].as_str().unwrap().to_owned();
    // The CA issues it; sync notices and records the change with its time.
    sb.pass_dcv("digicert", &id).unwrap();
    let s = run_with(&journal, &[], args(&["--json", "sync"])).await;
    assert_eq!(s.status.code(), Some(0), "{}", text(&s));
    let summary = stdout_json(&s);
    assert_eq!((summary["checked"].as_u64(), summary["changed"].as_u64()), (Some(1), Some(1)), "{summary:#}");
    let l = run_with(&journal, &[], args(&["--json", "orders", "--status", "issued", "--history"])).await;
    let v = stdout_json(&l);
    let e = &v["entries"][0];
    assert_eq!(e["order_id"], id.as_str());
    assert_eq!(e["status"], "issued");
    assert!(e["not_after"].is_string(), "{e:#}");
    assert_eq!(e["history"].as_array().unwrap().len(), 2);
    let human = run_with(&journal, &[], args(&["orders"])).await;
    let t = text(&human);
    assert!(t.contains("sync.example.com") && t.contains(&id) && t.contains("issued"), "{t}");
    // Placed elsewhere (another journal), then imported by id.
    let other = tmp.path().join("other.sqlite3");
    let csr2 = ec_csr(tmp.path(), "elsewhere.example.com");
    let o2 = run_with(&other, &[], order_args(&base, &csr2)).await;
    let id2 = stdout_json(&o2)["order_id"].as_str().unwrap().to_owned();
    let i =
        run_with(&journal, &[], args(&["--json", "--provider", "digicert", "--base-url", &base, "import", &id2])).await;
    assert_eq!(i.status.code(), Some(0), "{}", text(&i));
    assert_eq!(stdout_json(&i)["imported"]["reference"], format!("import:digicert:{id2}"));
    let again = run_with(&journal, &[], args(&["--provider", "digicert", "--base-url", &base, "import", &id2])).await;
    assert_ne!(again.status.code(), Some(0), "importing twice is refused");
    let listed = run_with(&journal, &[], args(&["--json", "orders", "--order-id", &id2])).await;
    assert_eq!(stdout_json(&listed)["entries"][0]["reference_kind"], "imported");
    // Forget: the entry stays for history and blocks nothing.
    let entry = stdout_json(&o)["journal"]["entry"].as_i64().unwrap().to_string();
    let f = run_with(&journal, &[], args(&["--json", "forget", &entry])).await;
    assert_eq!(f.status.code(), Some(0), "{}", text(&f));
    let hidden = run_with(&journal, &[], args(&["--json", "orders", "--order-id", &id])).await;
    assert!(stdout_json(&hidden)["entries"].as_array().unwrap().is_empty());
    let all = run_with(&journal, &[], args(&["--json", "orders", "--order-id", &id, "--all"])).await;
    assert_eq!(stdout_json(&all)["entries"][0]["state"], "forgotten");
    sb.shutdown().await;
}

#[test]
fn with_sandbox_the_journal_lives_in_the_sandbox_state() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let csr = ec_csr(tmp.path(), "in-sandbox.example.com");
    let mut a = sandbox_args(&state);
    a.extend(["--json", "order", "--product", "ssl_dv_geotrust", "--csr", &csr, "--dcv", "dns"]);
    let o = bin().args(&a).env_remove("SSL_ORDERS_JOURNAL").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(state.join("journal.sqlite3").exists());
    let again = bin().args(&a).env_remove("SSL_ORDERS_JOURNAL").output().unwrap();
    assert_eq!(stdout_json(&again)["journal"]["already_placed"], true, "a new simulator port, the same rows");
}

#[test]
fn journal_urls_never_show_a_password_and_bad_timeouts_are_usage_errors() {
    let o = run(&["--json", "--journal", "postgres://u:canary-pg@127.0.0.1:1/db", "orders"]);
    assert_ne!(o.status.code(), Some(0));
    let t = text(&o);
    assert!(t.contains("PGPASSWORD") && !t.contains("canary-pg"), "{t}");
    let tmp = tempfile::tempdir().unwrap();
    let mut a = sandbox_args(tmp.path());
    a.extend(["status", "1"]);
    let o = bin().args(&a).env("SSL_ORDERS_TIMEOUT_SECS", "soon").output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_simulator_rate_scale_applies_only_to_a_loopback_base_url() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("j.sqlite3");
    let live =
        ["--json", "--provider", "digicert", "--base-url", "https://www.digicert.com/services/v2", "status", "1"];
    let o = bin()
        .args(live)
        .env("SSL_ORDERS_JOURNAL", &journal)
        .env("SSL_ORDERS_DIGICERT_API_KEY", "k")
        .env("SSL_ORDERS_SIMULATOR_RATE_SCALE", "10")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("only applies to a simulator on a loopback --base-url"), "{}", text(&o));
    // Against the simulator it is taken (and a bad factor is a usage error).
    let mut a = sandbox_args(tmp.path());
    a.extend(["status", "1"]);
    let o = bin().args(&a).env("SSL_ORDERS_SIMULATOR_RATE_SCALE", "0.5").output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("between 1 and 1000"), "{}", text(&o));
    let o = bin().args(&a).env("SSL_ORDERS_SIMULATOR_RATE_SCALE", "10").output().unwrap();
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_journal_is_shared_by_processes() {
    let Ok(url) = std::env::var("SSL_ORDERS_TEST_POSTGRES") else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "under CI=true the PostgreSQL test must run");
        eprintln!("SSL_ORDERS_TEST_POSTGRES not set: PostgreSQL CLI test not run");
        return;
    };
    let mut config: tokio_postgres::Config = url.parse().unwrap();
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    let (client, conn) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let schema = format!("cli_{}", std::process::id());
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
    let url = format!("{url}?options=-csearch_path%3D{schema}");
    let sb = sandbox(DcvMode::Manual).await;
    let tmp = tempfile::tempdir().unwrap();
    let base = sb.base_url("digicert").unwrap().to_string();
    let csr = ec_csr(tmp.path(), "fleet.example.com");
    // Four processes at once, one reference: one order.
    let mut handles = Vec::new();
    for _ in 0..4 {
        let mut a = order_args(&base, &csr);
        a.splice(0..0, ["--journal".to_string(), url.clone()]);
        handles.push(tokio::task::spawn_blocking(move || {
            bin().args(&a).env("SSL_ORDERS_DIGICERT_API_KEY", digicert_key()).output().unwrap()
        }));
    }
    let mut hows = Vec::new();
    for h in handles {
        let o = h.await.unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        hows.push(stdout_json(&o)["journal"]["how"].as_str().unwrap().to_owned());
    }
    assert_eq!(hows.iter().filter(|h| *h == "placed").count(), 1, "{hows:?}");
    assert_eq!(sb.orders("digicert").len(), 1);
    sb.shutdown().await;
}
