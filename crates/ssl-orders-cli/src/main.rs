//! The `ssl-orders` command. See `ssl-orders --help`.

mod args;
mod commands;
mod fail;
mod files;
mod journal;
mod output;
mod spec;
mod submit;

use clap::{CommandFactory, FromArgMatches};

/// The text that comes from the providers built in: `--provider` values and credentials, then the exit codes.
fn after_help() -> String {
    let mut out = String::from("Providers (--provider) and their credentials, read from the environment only:\n");
    for d in ssl_orders::PROVIDERS {
        let test = d.test_url.map(|_| "; --environment test").unwrap_or("");
        out.push_str(&format!("  {:<13} {}{test}\n", d.name, d.title));
        for c in d.credentials {
            out.push_str(&format!("                {} ({})\n", c.env, c.help));
        }
    }
    out.push_str(
        "\nExit codes: 0 done; 1 rejected locally, nothing sent; 2 usage; 3 the provider refused; 4 network failure;\n\
         5 authentication failed; 6 --wait timed out; 7 outcome unknown (the order may exist) or placed but a later\n\
         step failed (error.kind placed_unreadable, error.order_id).",
    );
    out
}

fn parse() -> Result<args::Cli, clap::Error> {
    let names: Vec<&str> = ssl_orders::PROVIDERS.iter().map(|d| d.name).collect();
    let command = args::Cli::command()
        .mut_arg("provider", |a| {
            a.help(format!("The provider: {} (not needed by `csr` and `sandbox`)", names.join(", ")))
        })
        .after_help(after_help());
    args::Cli::from_arg_matches(&command.try_get_matches()?)
}

fn main() {
    // No stack traces for users: one line, and a bug report is still possible.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal error (please report): {info}");
    }));
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { fail::exit::USAGE } else { fail::exit::OK };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SSL_ORDERS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();

    let json = cli.global.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(fail::exit::NETWORK);
        }
    };
    let code = runtime.block_on(async move {
        match commands::run(cli).await {
            Ok(()) => fail::exit::OK,
            Err(f) => {
                f.report(json);
                f.exit
            }
        }
    });
    std::process::exit(code);
}
