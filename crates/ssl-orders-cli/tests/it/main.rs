//! End-to-end tests of the `ssl-orders` binary against the simulator.

mod canary;
mod common;
mod csr;
mod exit_codes;
mod gogetssl;
mod journal;
mod nameshield;
mod openprovider;
mod order_flow;
mod placed;
mod quote;
mod rtr;
mod standalone;
