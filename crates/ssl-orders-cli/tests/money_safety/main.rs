//! The money-safety suite (issue 11): many orders through the real `ssl-orders` binary against a standalone
//! in-memory simulator reached with `--base-url`, with faults on every order POST and SIGKILLs while the simulator
//! holds a committed order; then the simulator and the journal are compared order by order.
//!
//! Run: `cargo test -p ssl-orders-cli --test money_safety` (not part of `cargo test`; `.ci/run` runs it as its own
//! step). Environment:
//! - `MONEY_SAFETY_ORDERS` (default 1000): orders in all, alternating DigiCert and GoGetSSL;
//! - `MONEY_SAFETY_KILLS` (default 20): orders whose CLI is SIGKILLed once while the simulator holds the order;
//! - `MONEY_SAFETY_WORKERS` (default 4): CLI processes at once;
//! - `MONEY_SAFETY_JOURNAL`: `sqlite` (default, one file shared by every process) or `postgres` (the URL from
//!   `SSL_ORDERS_TEST_POSTGRES`, a fresh schema);
//! - `MONEY_SAFETY_RATE_SCALE` (default 10 with PostgreSQL, `off` with SQLite): the published rate windows shortened
//!   by this factor on both sides (`SSL_ORDERS_SIMULATOR_RATE_SCALE` for the CLI, the simulator's `rate_limits.scale`);
//!   the simulator then enforces them and the suite fails if any request is refused by a published window.
//!
//! Faults on order POSTs, each on 10% of requests (seeded): 503 before commit, 429, a delay after commit longer than
//! the client timeout (`SSL_ORDERS_TIMEOUT_SECS`), and the connection dropped after commit. 10% of the orders are
//! also given to a second worker at the same moment (two processes racing for one reference).
//!
//! Required: the simulator holds exactly as many orders as were asked for, none twice (counted by CSR public key),
//! and the journal names the same order id for every CSR key, with no attempt left unresolved.

mod suite;

fn main() {
    let code = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt.block_on(suite::run()),
        Err(e) => {
            eprintln!("money-safety: cannot start the runtime: {e}");
            1
        }
    };
    std::process::exit(code);
}
