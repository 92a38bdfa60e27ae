//! The canary test: for every provider the simulator serves, every command of the CLI at trace level — the
//! successful paths and each error path (auth refusal, decode failure, outcome unknown) — and no credential, no
//! session key and no canary ever appears in stdout, stderr (which holds the trace log and any panic message) or
//! in a committed snapshot.
//!
//! Providers come from the simulator's registry (`SandboxHandle::credentials()`): a new provider is covered
//! without edits here.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use ssl_sandbox::{DcvMode, Fault, FaultKind, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::*;

/// Sent as every credential on the auth-refusal path.
const CANARY: &str = "canary-cred-7d3f9a61e2";

const CONTACTS_TOML: &str = r#"
[admin]
first_name = "Jane"
last_name = "Doe"
email = "jane@canary-shop.example.com"
phone = "+37167000000"
title = "IT manager"
organization = "Canary Shop Ltd"
address = "1 Main Street"
city = "Riga"
region = "Riga"
postal_code = "LV-1010"
country = "LV"

[tech]
first_name = "John"
last_name = "Roe"
email = "john@canary-shop.example.com"
phone = "+37167000001"
title = "Engineer"
organization = "Canary Shop Ltd"
address = "1 Main Street"
city = "Riga"
region = "Riga"
postal_code = "LV-1010"
country = "LV"

[organization]
name = "Canary Shop Ltd"
address = "1 Main Street"
city = "Riga"
region = "Riga"
postal_code = "LV-1010"
country = "LV"
phone = "+37167000000"
"#;

/// Credential variables whose values are secrets (a user name or customer handle is not).
fn is_secret_var(var: &str) -> bool {
    ["KEY", "PASSWORD", "PASS", "TOKEN", "SECRET"].iter().any(|s| var.ends_with(s))
}

struct Run<'a> {
    provider: &'a str,
    base: String,
    env: Vec<(String, String)>,
    outputs: Vec<(String, Output)>,
}

impl Run<'_> {
    async fn cli(&mut self, what: &str, args: &[&str]) -> Output {
        let mut full: Vec<String> =
            ["--provider", self.provider, "--base-url", &self.base].iter().map(|s| s.to_string()).collect();
        full.extend(args.iter().map(|s| s.to_string()));
        let env = self.env.clone();
        let o = tokio::task::spawn_blocking(move || {
            let mut c = bin();
            c.args(&full).env("SSL_ORDERS_LOG", "trace");
            for (k, v) in env {
                c.env(k, v);
            }
            c.output().expect("run ssl-orders")
        })
        .await
        .expect("join");
        self.outputs.push((format!("{} {what}: {}", self.provider, args.join(" ")), o.clone()));
        o
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn sandbox(dir: &Path) -> SandboxHandle {
    Sandbox::start(
        SandboxConfig { state_dir: Some(dir.to_path_buf()), dcv: DcvMode::Auto, ..SandboxConfig::default() },
        "127.0.0.1:0".parse().expect("addr"),
    )
    .await
    .expect("sandbox")
}

/// The login session keys the simulator handed out (GoGetSSL's `auth_key`, login tokens): secrets too.
fn session_secrets(state: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(state.join("state.json")) else { return Vec::new() };
    let Ok(v) = serde_json::from_str::<Value>(&text) else { return Vec::new() };
    let mut out = Vec::new();
    let mut stack = vec![&v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(sessions)) = m.get("sessions") {
                    out.extend(sessions.iter().filter_map(|s| s["key"].as_str().map(str::to_owned)));
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}

/// Provider options the pre-flight asked for (`--option KEY=<...> ... e.g. VALUE`), as `KEY=VALUE` (the example, or
/// a placeholder).
fn required_options(answer: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for p in answer["error"]["problems"].as_array().into_iter().flatten() {
        let msg = p["message"].as_str().unwrap_or("");
        let Some(rest) = msg.split("--option ").nth(1) else { continue };
        let Some((key, _)) = rest.split_once('=') else { continue };
        let example = msg.split("e.g. ").nth(1).map(|e| e.trim_end_matches([')', '.', ' ']).to_owned());
        let example =
            example.and_then(|e| e.split_whitespace().next().map(|w| w.trim_end_matches([')', ',', '.']).to_owned()));
        out.push(format!("{key}={}", example.unwrap_or_else(|| "canary".into())));
    }
    out
}

/// The first DV, non-wildcard product of the listing.
fn dv_product(products: &Value) -> Option<String> {
    let dv = |p: &&Value| p["validation"].as_str().is_some_and(|v| v.eq_ignore_ascii_case("dv"));
    let list = products.as_array()?;
    // Nameshield publishes no wildcard rule: its products all read as wildcard-capable.
    let p = list.iter().filter(dv).find(|p| p["wildcard"] != true).or_else(|| list.iter().find(dv))?;
    p["id"].as_str().map(str::to_owned)
}

fn fault(kind: FaultKind, provider: &str, method: Option<&str>, path: Option<&str>) -> Fault {
    let mut f = Fault::new(kind);
    f.provider = Some(provider.to_owned());
    f.method = method.map(str::to_owned);
    f.path = path.map(str::to_owned);
    f
}

/// The method and path of the first request of `run` (requests of one CLI run) that is neither a GET nor one of
/// the `reads` (a login): the spend of an order, renew or reissue run.
fn spend_of(run: &[ssl_sandbox::RecordedRequest], reads: &[String]) -> Option<(String, String)> {
    run.iter().find(|r| r.method != "GET" && !reads.contains(&r.path)).map(|r| (r.method.clone(), r.path.clone()))
}

/// Run `args` with the sandbox dropping the connection after carrying out the request `spend` once: the outcome of
/// the spend is unknown to the CLI. Returns whether the fault fired (a pre-check may refuse before sending).
async fn dropped(run: &mut Run<'_>, sb: &SandboxHandle, what: &str, spend: &(String, String), args: &[&str]) -> bool {
    let mut f = fault(FaultKind::DropAfterCommit, run.provider, Some(&spend.0), Some(&spend.1));
    f.times = Some(1);
    sb.set_knobs(ssl_sandbox::Knobs { faults: vec![f], ..sb.knobs() });
    run.cli(what, args).await;
    let fired = sb.knobs().faults.iter().map(|f| f.fired).sum::<u32>() == 1;
    sb.set_knobs(ssl_sandbox::Knobs { faults: Vec::new(), ..sb.knobs() });
    fired
}

fn assert_clean(outputs: &[(String, Output)], secrets: &[String]) {
    for (what, o) in outputs {
        let all = text(o);
        assert!(!all.contains("internal error"), "{what}: a panic reached the user: {all}");
        for s in secrets {
            assert!(!all.contains(s.as_str()), "{what}: a secret ({} chars) leaked:\n{all}", s.len());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_output_of_any_command_of_any_provider() {
    let tmp = tempfile::tempdir().expect("tmp");
    let contacts = tmp.path().join("contacts.toml");
    std::fs::write(&contacts, CONTACTS_TOML).expect("contacts");
    let contacts = contacts.to_str().expect("utf-8").to_owned();
    let mut covered = Vec::new();
    for (provider, creds) in SandboxHandle::credentials() {
        let state = tmp.path().join(format!("state-{provider}"));
        let sb = sandbox(&state).await;
        let base = sb.base_url(provider).expect("base url").to_string();
        let env: Vec<(String, String)> = creds.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut secrets: Vec<String> =
            creds.iter().filter(|(k, _)| is_secret_var(k)).map(|(_, v)| v.to_string()).collect();
        secrets.push(CANARY.to_owned());
        assert!(secrets.len() > 1, "{provider}: the simulator hands out a secret credential");
        let mut run = Run { provider, base: base.clone(), env, outputs: Vec::new() };
        let out = |name: &str| tmp.path().join(format!("{provider}-{name}")).to_str().expect("utf-8").to_owned();

        // Successful paths: every command.
        let products = run.cli("products", &["--json", "products"]).await;
        run.cli("products", &["products"]).await;
        let product = dv_product(&stdout_json(&products)).unwrap_or_else(|| panic!("{provider}: no DV product"));
        let order_dir = out("order");
        let seen = sb.requests().len();
        let order_args = |cn: &str, dir: &str, opts: &[String]| -> Vec<String> {
            let mut a: Vec<String> = [
                "--json",
                "order",
                "--product",
                &product,
                "--cn",
                cn,
                "--dcv",
                "dns",
                "--contacts",
                &contacts,
                "--out",
                dir,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            for o in opts {
                a.extend(["--option".to_owned(), o.clone()]);
            }
            a
        };
        // Options a provider requires (an account handle...) come from its own pre-flight message.
        let dry = order_args("canary-shop.example.com", &order_dir, &[]);
        let mut dry: Vec<&str> = dry.iter().map(String::as_str).collect();
        dry.push("--dry-run");
        let opts = required_options(&stdout_json(&run.cli("order/dry-run", &dry).await));
        let args = order_args("canary-shop.example.com", &order_dir, &opts);
        let placed = run.cli("order", &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let placed_json = stdout_json(&placed);
        let id = placed_json["order_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{provider}: order failed: {}", text(&placed)))
            .to_owned();
        // The placing call: the first POST of the order run that a plain read does not send too (a login).
        let before_status = sb.requests().len();
        run.cli("status", &["--json", "status", &id]).await;
        let read_posts: Vec<String> =
            sb.requests()[before_status..].iter().filter(|r| r.method == "POST").map(|r| r.path.clone()).collect();
        let order_path = sb.requests()[seen..before_status]
            .iter()
            .find(|r| r.method == "POST" && !read_posts.contains(&r.path))
            .map(|r| r.path.clone())
            .unwrap_or_else(|| panic!("{provider}: the order run sent no POST"));
        run.cli("status", &["--json", "status", &id]).await;
        run.cli("status", &["status", &id]).await;
        run.cli("dcv", &["--json", "dcv", &id]).await;
        run.cli("dcv", &["--json", "dcv", &id, "--recheck"]).await;
        run.cli("dcv", &["--json", "dcv", &id, "--method", "dns"]).await;
        let quote = order_args("quote.canary-shop.example.com", &out("quote"), &opts);
        let mut quote: Vec<&str> = quote.iter().map(String::as_str).collect();
        quote[1] = "quote";
        run.cli("quote", &quote).await;
        // `submit` sends an Openprovider draft; elsewhere it is refused (a clear error, no secret either way).
        run.cli("submit", &["--json", "submit", &id]).await;
        run.cli("download", &["--json", "download", &id, "--out", &out("download")]).await;
        run.cli("reissue/quote", &["--json", "reissue", &id, "--quote", "--out", &out("reissue-quote")]).await;
        let before = sb.requests().len();
        run.cli("reissue", &["--json", "reissue", &id, "--out", &out("reissue")]).await;
        let reissue_spend = spend_of(&sb.requests()[before..], &read_posts);
        let renew_args = |dir: String| -> Vec<String> {
            let mut a: Vec<String> =
                ["--json", "renew", &id, "--product", &product, "--dcv", "dns", "--contacts", &contacts]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            a.extend(["--out".to_owned(), dir]);
            for o in &opts {
                a.extend(["--option".to_owned(), o.clone()]);
            }
            a
        };
        let mut renew_quote = renew_args(out("renew-quote"));
        renew_quote.push("--quote".into());
        run.cli("renew/quote", &renew_quote.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let before = sb.requests().len();
        let renewed = run.cli("renew", &renew_args(out("renew")).iter().map(String::as_str).collect::<Vec<_>>()).await;
        let renew_spend = spend_of(&sb.requests()[before..], &read_posts);
        if let Some(renewal) = stdout_json(&renewed)["order_id"].as_str() {
            run.cli("cancel", &["--json", "cancel", renewal, "--reason", "canary"]).await;
        }
        // Outcome unknown on the other spends: the renewal and the reissue, dropped after the provider carried
        // them out (a pre-check may refuse a second reissue before sending: then nothing is dropped).
        let mut drops = Vec::new();
        if let Some(spend) = &renew_spend {
            let args = renew_args(out("renew-dropped"));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            drops.push(("renew", dropped(&mut run, &sb, "renew/dropped", spend, &args).await));
        }
        if let Some(spend) = &reissue_spend {
            let args = ["--json", "reissue", &id, "--out", &out("reissue-dropped")];
            drops.push(("reissue", dropped(&mut run, &sb, "reissue/dropped", spend, &args).await));
        }
        eprintln!("{provider}: spends dropped after commit (renew, reissue): {drops:?}");
        assert!(drops.iter().all(|(_, fired)| *fired), "{provider}: each spend was dropped once: {drops:?}");
        // The journal's commands over this provider's orders.
        run.cli("orders", &["--json", "orders", "--history"]).await;
        run.cli("orders", &["orders", "--all"]).await;
        run.cli("sync", &["--json", "sync"]).await;
        run.cli("reconcile", &["--json", "reconcile", "--all"]).await;
        run.cli("import", &["--json", "import", &id, "--reference", "canary-import"]).await;
        run.cli("forget", &["--json", "forget", "canary-import"]).await;
        run.cli("revoke", &["--json", "revoke", &id, "--reason", "canary"]).await;

        // Decode failure: every answer of this provider cut in half.
        sb.set_knobs(ssl_sandbox::Knobs {
            faults: vec![fault(FaultKind::TruncatedBody, provider, None, None)],
            ..sb.knobs()
        });
        for (what, args) in [("status/truncated", vec!["--json", "status", &id]), ("dcv/truncated", vec!["dcv", &id])] {
            let o = run.cli(what, &args).await;
            assert_ne!(o.status.code(), Some(0), "{provider} {what}: a truncated answer is an error: {}", text(&o));
        }
        // Every other command over truncated answers: whatever each answers, nothing may leak or panic.
        run.cli("download/truncated", &["--json", "download", &id, "--out", &out("download-truncated")]).await;
        run.cli("quote/truncated", &quote).await;
        run.cli("sync/truncated", &["--json", "sync"]).await;
        run.cli("import/truncated", &["--json", "import", &id]).await;
        // (The product listing may come from the spec's tables without a call: run it, whatever it answers.)
        run.cli("products/truncated", &["--json", "products"]).await;

        // Outcome unknown: the order is stored, the connection dropped.
        sb.set_knobs(ssl_sandbox::Knobs {
            faults: vec![fault(FaultKind::DropAfterCommit, provider, Some("POST"), Some(&order_path))],
            ..sb.knobs()
        });
        let args = order_args("dropped.canary-shop.example.com", &out("dropped"), &opts);
        let dropped = run.cli("order/dropped", &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let fired = sb.knobs().faults.iter().map(|f| f.fired).sum::<u32>();
        assert_eq!(fired, 1, "{provider}: the placing call was dropped once ({order_path})");
        // The outcome is unknown; with the journal the order may be adopted from the listing instead.
        let d = stdout_json(&dropped);
        assert!(d["error"]["kind"] == "outcome_unknown" || d["order_id"].is_string(), "{provider}: {}", text(&dropped));
        sb.set_knobs(ssl_sandbox::Knobs { faults: Vec::new(), ..sb.knobs() });

        // Auth refusal: every credential is the canary, every command is refused.
        run.env = run
            .env
            .iter()
            .map(|(k, v)| (k.clone(), if is_secret_var(k) { CANARY.into() } else { v.clone() }))
            .collect();
        for (what, args) in [
            ("status/refused", vec!["--json", "status", &id]),
            ("dcv/refused", vec!["dcv", &id]),
            ("download/refused", vec!["--json", "download", &id, "--out", &order_dir]),
            ("cancel/refused", vec!["--json", "cancel", &id]),
            ("revoke/refused", vec!["revoke", &id]),
            ("reissue/refused", vec!["--json", "reissue", &id, "--out", &order_dir]),
            ("import/refused", vec!["--json", "import", &id, "--reference", "canary-refused"]),
        ] {
            let o = run.cli(what, &args).await;
            assert_ne!(o.status.code(), Some(0), "{provider} {what}: refused: {}", text(&o));
        }
        run.cli("products/refused", &["--json", "products"]).await;
        run.cli("quote/refused", &quote).await;
        run.cli("submit/refused", &["--json", "submit", &id]).await;
        run.cli("renew/refused", &renew_args(out("renew-refused")).iter().map(String::as_str).collect::<Vec<_>>())
            .await;
        run.cli("sync/refused", &["--json", "sync"]).await;
        let args = order_args("r.example.com", &out("refused"), &opts);
        let refused = run.cli("order/refused", &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
        assert_ne!(refused.status.code(), Some(0), "{provider}: {}", text(&refused));

        assert!(
            run.outputs.iter().any(|(_, o)| String::from_utf8_lossy(&o.stderr).contains("TRACE")),
            "{provider}: the runs logged at trace level"
        );
        sb.shutdown().await;
        secrets.extend(session_secrets(&state));
        assert_clean(&run.outputs, &secrets);
        assert_snapshots_clean(&secrets);
        covered.push(provider);
    }
    assert!(covered.len() >= 2, "providers covered: {covered:?}");
}

/// No committed insta snapshot of the workspace holds a secret.
fn assert_snapshots_clean(secrets: &[String]) {
    fn snaps(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() && name != "target" && !name.starts_with('.') {
                snaps(&p, out);
            } else if name.ends_with(".snap") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    snaps(&root.join("crates"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for s in secrets {
            assert!(!text.contains(s.as_str()), "{} holds a secret", f.display());
        }
    }
}
