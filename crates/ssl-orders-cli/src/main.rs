//! The `ssl-orders` command. See `ssl-orders --help`.

mod args;
mod commands;
mod fail;
mod files;
mod output;
mod spec;

use clap::Parser;

fn main() {
    // No stack traces for users: one line, and a bug report is still possible.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal error (please report): {info}");
    }));
    let cli = match args::Cli::try_parse() {
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
