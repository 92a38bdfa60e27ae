//! `cargo run -p ssl-csr --example inspect -- FILE [--json]`: what `ssl-orders csr inspect` prints.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let Some(path) = args.iter().find(|a| *a != "--json") else {
        eprintln!("usage: inspect FILE [--json]");
        return ExitCode::from(2);
    };
    let info = ssl_csr::inspect_file(std::path::Path::new(path));
    if json {
        match serde_json::to_string(&info) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", ssl_csr::render_human(&info));
    }
    if info.ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
