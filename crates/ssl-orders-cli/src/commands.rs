//! The subcommands.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssl_core::Provider;
use ssl_core::model::{Order, OrderStatus, ReissueSpec};
use ssl_orders::{Config, Credentials, ProviderName};
use ssl_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

use crate::args::{Cli, Command, CsrCommand, CsrSource, Global, OrderArgs, ReissueArgs, RenewArgs};
use crate::fail::{Failure, exit};
use crate::files;
use crate::output;
use crate::spec;

#[path = "quote.rs"]
mod quote;

/// A connected provider, and the in-process simulator behind it with `--sandbox`.
pub(crate) struct Session {
    pub(crate) json: bool,
    pub(crate) provider: std::sync::Arc<dyn Provider>,
    sandbox: Option<SandboxHandle>,
    /// Where spends are journaled.
    journal: crate::journal::JournalCtx,
}

impl Session {
    fn sandbox_root(&self) -> Option<String> {
        self.sandbox.as_ref().map(|s| s.root_pem())
    }
}

/// Run one command.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let Cli { global, command } = cli;
    match command {
        Command::Csr(c) => csr(c, global.json),
        Command::Sandbox { listen } => sandbox(&global, &listen).await,
        Command::Orders(a) => crate::journal::run(crate::journal::JournalCommand::Orders(a), &global).await,
        Command::Reconcile(a) => crate::journal::run(crate::journal::JournalCommand::Reconcile(a), &global).await,
        Command::Sync(a) => crate::journal::run(crate::journal::JournalCommand::Sync(a), &global).await,
        Command::Forget(a) => crate::journal::run(crate::journal::JournalCommand::Forget(a), &global).await,
        Command::Import(a) => crate::journal::run(crate::journal::JournalCommand::Import(a), &global).await,
        other => {
            let offline_ok = matches!(&other, Command::Order(a) if a.dry_run);
            let session = connect(&global, offline_ok).await?;
            let result = dispatch(&session, other).await;
            if let Some(sb) = session.sandbox {
                sb.shutdown().await;
            }
            result
        }
    }
}

async fn dispatch(s: &Session, command: Command) -> Result<(), Failure> {
    match command {
        Command::Products => {
            let products = s.provider.products().await?;
            if s.json {
                output::json(&products);
            } else {
                print!("{}", output::products_human(&products));
            }
            Ok(())
        }
        Command::Order(a) => order(s, a).await,
        Command::Quote(a) => quote::quote(s, a).await,
        Command::Status { order_id } => {
            let o = s.provider.get(&order_id).await?;
            print_order(s, &o);
            Ok(())
        }
        Command::Submit { order_id } => crate::submit::submit(s, &order_id).await,
        Command::Dcv { order_id, recheck, method } => {
            let mut o = None;
            if let Some(m) = method {
                o = Some(s.provider.change_dcv(&order_id, spec::dcv(&m)?).await?);
            }
            if recheck {
                o = Some(s.provider.recheck_dcv(&order_id).await?);
            }
            let o = match o {
                Some(o) => o,
                None => s.provider.get(&order_id).await?,
            };
            if s.json {
                output::json(&o);
            } else {
                println!("{} order {}: {} ({})", o.provider, o.order_id, o.status, o.provider_status);
                print!("{}", output::dcv_lines(&o.dcv));
            }
            Ok(())
        }
        Command::Download { order_id, out } => {
            download(s, &order_id, &out).await?;
            if !s.json {
                println!("wrote cert.pem, chain.pem, fullchain.pem to {}", out.display());
            }
            Ok(())
        }
        Command::Reissue(a) => reissue(s, a).await,
        Command::Renew(a) => renew(s, a).await,
        Command::Cancel { order_id, reason } => {
            s.provider.cancel(&order_id, reason.as_deref()).await?;
            done(s, &order_id, "cancelled");
            Ok(())
        }
        Command::Revoke { order_id, reason } => {
            s.provider.revoke(&order_id, reason.as_deref()).await?;
            done(s, &order_id, "revoked");
            Ok(())
        }
        Command::Csr(_)
        | Command::Sandbox { .. }
        | Command::Orders(_)
        | Command::Reconcile(_)
        | Command::Sync(_)
        | Command::Forget(_)
        | Command::Import(_) => Err(Failure::usage("not a provider command")),
    }
}

fn done(s: &Session, order_id: &str, what: &str) {
    if s.json {
        output::json(&serde_json::json!({"provider": s.provider.name(), "order_id": order_id, "result": what}));
    } else {
        println!("{} order {order_id} {what}", s.provider.name());
    }
}

pub(crate) fn print_order(s: &Session, o: &Order) {
    if s.json {
        output::json(o);
    } else {
        print!("{}", output::order_human(o));
    }
}

fn default_state_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("ssl-orders").join("sandbox")
}

/// Connect to the provider. `offline_ok`: a dry run may go without credentials (offline, from the spec's tables)
/// when none of the provider's variables is set.
async fn connect(g: &Global, offline_ok: bool) -> Result<Session, Failure> {
    let names: Vec<&str> = ssl_orders::PROVIDERS.iter().map(|d| d.name).collect();
    let name: ProviderName = g
        .provider
        .as_deref()
        .ok_or_else(|| Failure::usage(format!("--provider is required ({})", names.join(", "))))?
        .parse()
        .map_err(Failure::usage)?;
    let environment: ssl_orders::Environment = g.environment.parse().map_err(Failure::usage)?;
    let (config, sandbox) = if g.sandbox {
        if g.base_url.is_some() {
            return Err(Failure::usage("--sandbox and --base-url exclude each other"));
        }
        let dir = g.sandbox_state.clone().unwrap_or_else(default_state_dir);
        let sb = Sandbox::start(
            SandboxConfig { state_dir: Some(dir.clone()), ..SandboxConfig::default() },
            "127.0.0.1:0".parse().map_err(|_| Failure::usage("bad address"))?,
        )
        .await
        .map_err(|e| Failure::invalid("sandbox", format!("cannot start the simulator in {}: {e}", dir.display())))?;
        let base = sb
            .base_url(name.as_str())
            .ok_or_else(|| Failure::usage(format!("the simulator does not speak `{name}` yet")))?;
        let creds = SandboxHandle::credentials()
            .into_iter()
            .find(|(p, _)| *p == name.as_str())
            .map(|(_, vars)| vars)
            .unwrap_or_default();
        let credentials =
            Credentials::from_lookup(name, |k| creds.iter().find(|(var, _)| *var == k).map(|(_, v)| (*v).to_owned()))?;
        (Config::new(name, credentials).base_url(base.as_str()), Some(sb))
    } else {
        let env = |k: &str| std::env::var(k).ok();
        let mut c = if offline_ok && !name.descriptor().any_credential_in(env) {
            Config::offline(name)
        } else {
            Config::new(name, Credentials::from_env(name)?)
        };
        c = c.environment(environment);
        if let Some(u) = &g.base_url {
            c = c.base_url(u.clone());
        }
        (c, None)
    };
    let prepared = match crate::journal::prepare_config(config, g).await {
        Ok(c) => crate::journal::JournalCtx::new(g, &c).map(|ctx| (ctx, c)),
        Err(f) => Err(f),
    };
    let (journal, config) = match prepared {
        Ok(x) => x,
        Err(f) => {
            if let Some(sb) = sandbox {
                sb.shutdown().await;
            }
            return Err(f);
        }
    };
    let provider = match ssl_orders::connect(config) {
        Ok(p) => std::sync::Arc::from(p),
        Err(e) => {
            if let Some(sb) = sandbox {
                sb.shutdown().await;
            }
            return Err(e.into());
        }
    };
    Ok(Session { json: g.json, provider, sandbox, journal })
}

/// A generated key kept in memory until it is written.
struct Keyed {
    csr_pem: String,
    generated: Option<ssl_csr::GeneratedKey>,
}

/// Names and CSR from `--csr FILE` or `--cn/--san/--key`.
fn csr_source(
    src: &CsrSource,
    out: Option<&Path>,
    dry_run: bool,
    defaults: Option<(&str, &[String])>,
) -> Result<(String, Vec<String>, Keyed), Failure> {
    if let Some(path) = &src.csr {
        let bytes = std::fs::read(path).map_err(|e| Failure::io("cannot read CSR", path, &e))?;
        let info = ssl_csr::inspect(&bytes);
        let errors: Vec<_> = info.problems.iter().filter(|p| p.is_error()).cloned().collect();
        if !errors.is_empty() {
            return Err(Failure::new(
                exit::INVALID,
                "invalid",
                Some(errors[0].code.clone()),
                format!("the CSR {} would be refused; nothing was sent", path.display()),
                errors,
            ));
        }
        // Sent as canonical PEM whatever the file held (DER, CRLF, the `NEW CERTIFICATE REQUEST` label).
        let pem = ssl_csr::canonical_pem(&bytes)
            .ok_or_else(|| Failure::invalid("malformed", format!("no CSR in {}", path.display())))?;
        let names = info.names();
        let cn = info.common_name.clone().or_else(|| names.first().cloned()).unwrap_or_default();
        let mut sans: Vec<String> = names.into_iter().filter(|n| !n.eq_ignore_ascii_case(&cn)).collect();
        for s in &src.sans {
            if !sans.iter().any(|x| x.eq_ignore_ascii_case(s)) {
                sans.push(s.clone());
            }
        }
        return Ok((cn, sans, Keyed { csr_pem: pem, generated: None }));
    }
    let (cn, sans) = match (&src.cn, defaults) {
        (Some(cn), _) => (cn.clone(), src.sans.clone()),
        (None, Some((cn, sans))) if src.sans.is_empty() => (cn.to_owned(), sans.to_vec()),
        (None, Some((cn, _))) => (cn.to_owned(), src.sans.clone()),
        (None, None) => return Err(Failure::usage("give --csr FILE, or --cn NAME to generate a key and CSR")),
    };
    if out.is_none() && !dry_run {
        return Err(Failure::usage(
            "a generated key needs --out DIR (the key is written there before anything is sent)",
        ));
    }
    let key_type: ssl_csr::KeyType =
        src.key.as_deref().unwrap_or("rsa2048").parse().map_err(|e: String| Failure::usage(e))?;
    if let Some(dir) = out {
        if !dry_run {
            // A re-run after a SIGKILL or exit 7 reuses the key its first run generated (same reference, same
            // order); any other key in the way is refused.
            let names = ssl_csr::csr_names(&cn, &sans).map_err(|e| Failure::invalid("csr", e.to_string()))?;
            if let Some(csr_pem) = files::reuse_key(dir, &names, key_type)? {
                eprintln!(
                    "note: reusing {} and its csr.pem from an earlier run of this command",
                    dir.join("key.pem").display()
                );
                return Ok((cn, sans, Keyed { csr_pem, generated: None }));
            }
        }
    }
    let generated = ssl_csr::generate(key_type, &cn, &sans).map_err(|e| Failure::invalid("csr", e.to_string()))?;
    Ok((cn, sans, Keyed { csr_pem: generated.csr_pem.clone(), generated: Some(generated) }))
}

/// Write key.pem (0600, never over an existing file) and csr.pem.
fn write_key(out: Option<&Path>, keyed: &Keyed) -> Result<(), Failure> {
    let (Some(dir), Some(g)) = (out, &keyed.generated) else { return Ok(()) };
    files::ensure_dir(dir)?;
    ssl_csr::write_files(dir, g).map_err(|e| Failure::io("cannot write the key into", dir, &e))?;
    Ok(())
}

fn print_dry_run(s: &Session, prepared: &ssl_core::PreparedOrder) {
    if s.json {
        output::json(&serde_json::json!({
            "dry_run": true,
            "provider": s.provider.name(),
            "request": prepared.request,
            "rendered": prepared.rendered,
            "warnings": prepared.warnings,
        }));
    } else {
        println!("dry run: nothing was sent. The request would be:\n\n{}", prepared.rendered);
        for w in &prepared.warnings {
            println!("warning: {w}");
        }
    }
}

async fn order(s: &Session, a: OrderArgs) -> Result<(), Failure> {
    let out = a.out.as_deref();
    let (cn, sans, keyed) = csr_source(&a.source, out, a.dry_run, None)?;
    let spec = quote::order_spec(&a, cn, sans, keyed.csr_pem.clone())?;
    // Pre-flight and build the request before anything is written or sent.
    let prepared = s.provider.prepare(&spec).await?;
    if a.dry_run {
        print_dry_run(s, &prepared);
        return Ok(());
    }
    write_key(out, &keyed)?;
    let placed =
        crate::journal::spend(&s.journal, s.provider.clone(), ssl_journal::Spend::Order(&spec), a.reference.as_deref())
            .await?;
    finish(s, placed.order.clone(), Some(&placed), a.wait, a.timeout, out).await
}

/// After a spend: wait, download and write files. Any failure here keeps the order id (exit 7,
/// `placed_unreadable`), except a wait that timed out or an order the CA ended, which name it already.
async fn finish(
    s: &Session,
    placed: Order,
    placement: Option<&ssl_journal::Placement>,
    wait: bool,
    timeout: u64,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let id = placed.order_id.clone();
    let name = s.provider.name();
    finish_placed(s, placed, placement, wait, timeout, out).await.map_err(|f| {
        if f.order.is_some() {
            return f;
        }
        Failure::new(
            exit::OUTCOME_UNKNOWN,
            "placed_unreadable",
            f.code.clone(),
            format!(
                "{name} placed order {id}, but then: {}. Do NOT order again; check `ssl-orders status {id}`",
                f.message
            ),
            f.problems,
        )
        .with_order(Some(id.clone()), None, Some(format!("ssl-orders --provider {name} status {id}")))
    })
}

async fn finish_placed(
    s: &Session,
    placed: Order,
    placement: Option<&ssl_journal::Placement>,
    wait: bool,
    timeout: u64,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let mut order = placed;
    if let Some(note) = placement.and_then(crate::journal::placement_note) {
        eprintln!("{note}");
    }
    if wait && order.status != OrderStatus::Issued && order.status != OrderStatus::Draft {
        eprintln!("{} order {} placed ({}); publish these to pass DCV:", order.provider, order.order_id, order.status);
        eprint!("{}", output::dcv_lines(&order.dcv));
        order = wait_issued(s, &order, Duration::from_secs(timeout)).await?;
    }
    if order.status == OrderStatus::Issued {
        if let Some(dir) = out {
            let bundle = s.provider.download(&order.order_id).await?;
            files::write_bundle(dir, &bundle, s.sandbox_root().as_deref())?;
        }
    }
    match placement {
        Some(p) if s.json => {
            let mut v = serde_json::to_value(&order).unwrap_or_default();
            v["journal"] = crate::journal::placement_json(p);
            output::json(&v);
        }
        _ => print_order(s, &order),
    }
    if !s.json {
        if let (Some(dir), OrderStatus::Issued) = (out, order.status) {
            println!("wrote cert.pem, chain.pem, fullchain.pem to {}", dir.display());
        }
    }
    Ok(())
}

async fn wait_issued(s: &Session, placed: &Order, timeout: Duration) -> Result<Order, Failure> {
    let order_id = placed.order_id.as_str();
    // One read per poll: while DCV is pending the recheck answers with the order; otherwise a plain read.
    let mut last = placed.status;
    let started = tokio::time::Instant::now();
    let spinner = (!s.json && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    });
    let mut delay = Duration::from_millis(if s.sandbox.is_some() { 100 } else { 5000 });
    let result = loop {
        let o = if last == OrderStatus::PendingValidation {
            s.provider.recheck_dcv(order_id).await
        } else {
            s.provider.get(order_id).await
        };
        let o = match o {
            Ok(o) => {
                last = o.status;
                o
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!("while waiting: {e}");
                tokio::time::sleep(delay).await;
                continue;
            }
            Err(e) => break Err(e.into()),
        };
        if let Some(pb) = &spinner {
            pb.set_message(format!("order {order_id}: {} ({})", o.status, o.provider_status));
        }
        // A draft does not move until it is submitted: nothing to wait for.
        if o.status == OrderStatus::Issued || o.status == OrderStatus::Draft {
            break Ok(o);
        }
        if let (Some(what), false) = (&o.attention, o.status.is_final()) {
            let f = Failure::new(
                exit::WAIT_TIMEOUT,
                "needs_attention",
                Some(o.provider_status.clone()),
                format!("order {order_id} needs attention that --wait cannot give: {what}"),
                vec![],
            );
            break Err(f.with_order(Some(order_id.to_owned()), None, None));
        }
        if o.status.is_final() {
            let f = Failure::new(
                exit::PROVIDER,
                "provider",
                Some(o.provider_status.clone()),
                format!("order {order_id} ended as {} ({})", o.status, o.provider_status),
                vec![],
            );
            break Err(f.with_order(Some(order_id.to_owned()), None, None));
        }
        let elapsed = started.elapsed();
        if elapsed >= timeout {
            let f = Failure::new(
                exit::WAIT_TIMEOUT,
                "wait_timeout",
                Some(o.provider_status.clone()),
                format!(
                    "gave up waiting after {}s; order {order_id} is {} ({}). Check later with `ssl-orders status {order_id}`",
                    timeout.as_secs(),
                    o.status,
                    o.provider_status
                ),
                vec![],
            );
            break Err(f.with_order(Some(order_id.to_owned()), None, None));
        }
        tokio::time::sleep(delay.min(timeout - elapsed)).await;
        delay = (delay * 2).min(Duration::from_secs(30));
    };
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    result
}

async fn download(s: &Session, order_id: &str, out: &Path) -> Result<(), Failure> {
    let bundle = s.provider.download(order_id).await?;
    let written = files::write_bundle(out, &bundle, s.sandbox_root().as_deref())?;
    let info = ssl_core::x509::certificate_info(&bundle.leaf_pem).ok();
    if s.json {
        output::json(&serde_json::json!({
            "provider": s.provider.name(),
            "order_id": order_id,
            "files": written,
            "certificate": info,
        }));
    }
    Ok(())
}

async fn reissue(s: &Session, a: ReissueArgs) -> Result<(), Failure> {
    let current = s.provider.get(&a.order_id).await?;
    let cur_sans: Vec<String> = current.dns_names.iter().filter(|n| **n != current.common_name).cloned().collect();
    let out = a.out.as_deref();
    let (cn, sans, keyed) = csr_source(&a.source, out, a.quote, Some((&current.common_name, &cur_sans)))?;
    let mut spec = ReissueSpec::new().with_csr(keyed.csr_pem.clone()).with_common_name(cn).with_sans(sans);
    spec.dcv = a.dcv.as_deref().map(spec::dcv).transpose()?;
    if a.quote {
        quote::print(s, "reissue", Some(&a.order_id), &s.provider.quote_reissue(&a.order_id, &spec).await?);
        return Ok(());
    }
    write_key(out, &keyed)?;
    let names: Vec<String> = std::iter::once(spec.common_name.clone().unwrap_or_default())
        .chain(spec.sans.clone().unwrap_or_default())
        .collect();
    let product = current.product.clone().unwrap_or_default();
    let reissue = ssl_journal::Spend::Reissue { order_id: &a.order_id, spec: &spec, names: &names, product: &product };
    let placed = crate::journal::spend(&s.journal, s.provider.clone(), reissue, None).await?;
    finish(s, placed.order.clone(), Some(&placed), a.wait, a.timeout, out).await
}

async fn renew(s: &Session, a: RenewArgs) -> Result<(), Failure> {
    let previous = s.provider.get(&a.order_id).await?;
    let prev_sans: Vec<String> = previous.dns_names.iter().filter(|n| **n != previous.common_name).cloned().collect();
    let o = a.order;
    let out = o.out.as_deref();
    let defaults = Some((previous.common_name.as_str(), prev_sans.as_slice()));
    let (cn, sans, keyed) = csr_source(&o.source, out, o.dry_run || a.quote, defaults)?;
    let spec = quote::order_spec(&o, cn, sans, keyed.csr_pem.clone())?;
    if a.quote {
        quote::print(s, "renewal", Some(&a.order_id), &s.provider.quote_renew(&a.order_id, &spec).await?);
        return Ok(());
    }
    let prepared = s.provider.prepare(&spec).await?;
    if o.dry_run {
        print_dry_run(s, &prepared);
        return Ok(());
    }
    write_key(out, &keyed)?;
    let renewal = ssl_journal::Spend::Renew { predecessor: &a.order_id, spec: &spec };
    let placed = crate::journal::spend(&s.journal, s.provider.clone(), renewal, o.reference.as_deref()).await?;
    finish(s, placed.order.clone(), Some(&placed), o.wait, o.timeout, out).await
}

fn csr(c: CsrCommand, json: bool) -> Result<(), Failure> {
    match c {
        CsrCommand::Generate { cn, sans, key, out } => {
            let key_type: ssl_csr::KeyType = key.parse().map_err(|e: String| Failure::usage(e))?;
            files::ensure_dir(&out)?;
            files::check_key_free(&out)?;
            let g = ssl_csr::generate(key_type, &cn, &sans).map_err(|e| Failure::invalid("csr", e.to_string()))?;
            let written = ssl_csr::write_files(&out, &g).map_err(|e| Failure::io("cannot write into", &out, &e))?;
            if json {
                output::json(
                    &serde_json::json!({"key": written.key, "csr": written.csr, "key_type": key_type.as_str()}),
                );
            } else {
                println!("wrote {} (0600) and {}", written.key.display(), written.csr.display());
            }
            Ok(())
        }
        CsrCommand::Inspect { file } => {
            let info = ssl_csr::inspect_file(&file);
            if json {
                output::json(&info);
            } else {
                print!("{}", ssl_csr::render_human(&info));
            }
            if info.ok() {
                Ok(())
            } else {
                // Already reported in full above.
                std::process::exit(exit::INVALID);
            }
        }
    }
}

async fn sandbox(g: &Global, listen: &str) -> Result<(), Failure> {
    let addr: std::net::SocketAddr =
        listen.parse().map_err(|_| Failure::usage(format!("--listen `{listen}`: expected IP:PORT")))?;
    if !addr.ip().is_loopback() {
        return Err(Failure::usage("the simulator only listens on loopback addresses"));
    }
    let dir = g.sandbox_state.clone().unwrap_or_else(default_state_dir);
    let sb = Sandbox::start(SandboxConfig { state_dir: Some(dir.clone()), ..SandboxConfig::default() }, addr)
        .await
        .map_err(|e| Failure::invalid("sandbox", format!("cannot start the simulator: {e}")))?;
    let mut providers = Vec::new();
    for (p, vars) in SandboxHandle::credentials() {
        if let Some(url) = sb.base_url(p) {
            providers.push(serde_json::json!({
                "provider": p,
                "base_url": url.as_str(),
                "credentials": vars.iter().map(|(k, v)| serde_json::json!({"env": k, "value": v})).collect::<Vec<_>>(),
            }));
        }
    }
    if g.json {
        output::json(&serde_json::json!({
            "providers": providers,
            "inspect_url": sb.inspect_url().as_str(),
            "state_dir": dir,
        }));
    } else {
        println!("ssl-orders sandbox listening on {}", sb.addr());
        for p in &providers {
            println!(
                "  {:<12} --base-url {}",
                p["provider"].as_str().unwrap_or(""),
                p["base_url"].as_str().unwrap_or("")
            );
            for c in p["credentials"].as_array().into_iter().flatten() {
                println!("               {}={}", c["env"].as_str().unwrap_or(""), c["value"].as_str().unwrap_or(""));
            }
        }
        println!("  inspection   {}", sb.inspect_url());
        println!("  state        {}", dir.display());
        println!("Ctrl-C to stop.");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    sb.shutdown().await;
    Ok(())
}
