//! The measuring kit behind `cargo bench -p ssl-bench`: what one call of an ssl-orders client costs on the client
//! side, against a bare reqwest loop sending the same bytes.
//!
//! - [`stub`]: a fast loopback HTTP/1.1 server with canned answers, on its own thread, that can record the requests
//!   our client sends so the bare loop replays exactly those bytes;
//! - [`bare`]: the bare reqwest loop;
//! - [`clock`]: the CPU time of the calling thread (the client runs on a current-thread runtime, so the client's
//!   whole work — ours or reqwest's — is on that thread, and the stub's is not);
//! - [`rounds`]: interleaved rounds and the median ratio with its spread.
//!
//! The benchmark itself (`benches/overhead.rs`) holds one small table entry per provider.

pub mod bare;
pub mod clock;
pub mod rounds;
pub mod stub;

pub use bare::Bare;
pub use clock::{Cost, thread_cpu};
pub use rounds::{Ratio, Round};
pub use stub::{Recorded, Route, Stub};
