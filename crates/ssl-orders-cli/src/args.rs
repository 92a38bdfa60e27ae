//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Order and manage commercial TLS certificates through the providers built in — or the built-in simulator
/// (`--sandbox`).
#[derive(Debug, Parser)]
#[command(name = "ssl-orders", version, propagate_version = true)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options valid before or after the subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// The provider (not needed by `csr` and `sandbox`); the values are listed below.
    #[arg(long, global = true, env = "SSL_ORDERS_PROVIDER")]
    pub provider: Option<String>,
    /// The provider's documented environment: production, or test (its own test API, separate credentials).
    #[arg(long, global = true, default_value = "production", value_name = "ENV", value_parser = ["production", "test"])]
    pub environment: String,
    /// Run against the built-in simulator, in-process, with its state kept in --sandbox-state.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Where the simulator keeps its state (default: the user's data dir, ssl-orders/sandbox).
    #[arg(long, global = true, value_name = "DIR")]
    pub sandbox_state: Option<PathBuf>,
    /// Replace the provider's documented base URL, version prefix included; plain http only for loopback hosts.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The order journal: a SQLite file, or postgres://user@host/db for a fleet of workers (password from
    /// PGPASSWORD or ~/.pgpass only). Default: SSL_ORDERS_JOURNAL, else ssl-orders/journal.sqlite3 in the user's
    /// data dir; with --sandbox, journal.sqlite3 inside --sandbox-state.
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub journal: Option<String>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the provider's products and their rules.
    Products,
    /// Place an order (pre-flight first: nothing is sent when it finds a problem).
    Order(OrderArgs),
    /// Price an order without placing it: the same flags as `order` (a key for `--cn` stays in memory).
    Quote(OrderArgs),
    /// Show an order.
    Status {
        /// The provider's order id.
        order_id: String,
    },
    /// Send a draft order to the CA (an Openprovider `PAI` order placed with `--option start_provision=false`).
    Submit {
        /// The provider's order id.
        order_id: String,
    },
    /// Show DCV instructions; optionally switch the method or ask the CA to check now.
    Dcv {
        /// The provider's order id.
        order_id: String,
        /// Ask the provider to check DCV now.
        #[arg(long)]
        recheck: bool,
        /// Switch to this DCV method (email, dns, dns-txt, dns-cname, http, https).
        #[arg(long, value_name = "METHOD")]
        method: Option<String>,
    },
    /// Download the certificate into DIR (cert.pem, chain.pem, fullchain.pem).
    Download {
        /// The provider's order id.
        order_id: String,
        /// Directory to write to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Reissue inside the order's coverage with a new key/CSR.
    Reissue(ReissueArgs),
    /// Renew: a new order for the next term, linked to ORDER_ID.
    Renew(RenewArgs),
    /// Cancel a pending order.
    Cancel {
        /// The provider's order id.
        order_id: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Revoke the order's certificate.
    Revoke {
        /// The provider's order id.
        order_id: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List the order journal: provider, order id, reference, status, names, coverage end, certificate not_after.
    Orders(crate::journal::OrdersArgs),
    /// Reconcile journal entries whose outcome is unknown with the provider's listing (never sends an order).
    Reconcile(crate::journal::ReconcileArgs),
    /// Read again, from every provider at once, every journaled order that can still change.
    Sync(crate::journal::SyncArgs),
    /// Forget a journal entry (kept for history; it no longer blocks an order).
    Forget(crate::journal::ForgetArgs),
    /// Add an order placed outside ssl-orders to the journal, by its id.
    Import(crate::journal::ImportArgs),
    /// Generate or inspect CSRs.
    #[command(subcommand)]
    Csr(CsrCommand),
    /// Run the simulator standalone (prints base URLs, credentials and the inspection URL).
    Sandbox {
        /// Address to listen on (loopback only).
        #[arg(long, default_value = "127.0.0.1:8443", value_name = "ADDR")]
        listen: String,
    },
}

/// `csr` subcommands.
#[derive(Debug, Subcommand)]
pub enum CsrCommand {
    /// Generate a key (key.pem, 0600, never overwritten) and a CSR (csr.pem).
    Generate {
        /// Common name.
        #[arg(long)]
        cn: String,
        /// Additional names.
        #[arg(long = "san", value_name = "NAME")]
        sans: Vec<String>,
        /// Key type: rsa2048, rsa3072, rsa4096, ec256, ec384.
        #[arg(long, default_value = "rsa2048")]
        key: String,
        /// Directory to write to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Inspect a CSR (PEM or DER): names, key, signature, and every problem a CA would reject.
    Inspect {
        /// The CSR file.
        file: PathBuf,
    },
}

/// Where the names and key come from.
#[derive(Debug, Args, Clone)]
pub struct CsrSource {
    /// Use this CSR (PEM or DER).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["cn", "key"])]
    pub csr: Option<PathBuf>,
    /// Generate a key and CSR for this common name (needs --out: the key is written before anything is sent).
    #[arg(long)]
    pub cn: Option<String>,
    /// Additional names (with --cn, or to check against --csr).
    #[arg(long = "san", value_name = "NAME")]
    pub sans: Vec<String>,
    /// Key type for a generated key: rsa2048, rsa3072, rsa4096, ec256, ec384.
    #[arg(long)]
    pub key: Option<String>,
}

/// `order` arguments.
#[derive(Debug, Args, Clone)]
pub struct OrderArgs {
    /// Product id (see `products`).
    #[arg(long)]
    pub product: String,
    /// Key and names.
    #[command(flatten)]
    pub source: CsrSource,
    /// DCV method: email, dns, dns-txt, dns-cname, http, https.
    #[arg(long, value_name = "METHOD")]
    pub dcv: String,
    /// Approver email for email DCV, per host (HOST=EMAIL) or for all hosts (EMAIL). Repeatable.
    #[arg(long = "approver-email", value_name = "[HOST=]EMAIL")]
    pub approver_emails: Vec<String>,
    /// Coverage in months.
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Contacts file (TOML or JSON): tables `admin`, `tech`, `organization` with fields first_name, last_name,
    /// email, phone, fax, title, organization, address, city, region, postal_code, country (organization: id,
    /// name, division, duns, address, city, region, postal_code, country, phone, fax).
    #[arg(long, value_name = "FILE")]
    pub contacts: Option<PathBuf>,
    /// Provider option KEY=VALUE (e.g. server_platform=45, payment_method=card, skip_approval=true). Repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,
    /// Your own reference for the order.
    #[arg(long)]
    pub reference: Option<String>,
    /// Validate and pre-flight, print the exact request, send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Wait until the certificate is issued (DCV instructions go to stderr at once).
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds (exit 6).
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub timeout: u64,
    /// Directory for key.pem, csr.pem and, once issued, cert.pem, chain.pem, fullchain.pem.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `reissue` arguments.
#[derive(Debug, Args, Clone)]
pub struct ReissueArgs {
    /// The provider's order id.
    pub order_id: String,
    /// Key and names (defaults: the order's names).
    #[command(flatten)]
    pub source: CsrSource,
    /// Switch the DCV method.
    #[arg(long, value_name = "METHOD")]
    pub dcv: Option<String>,
    /// Only price the reissue (where the provider can): nothing is placed, no key is written.
    #[arg(long)]
    pub quote: bool,
    /// Wait until the new certificate is issued.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds (exit 6).
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub timeout: u64,
    /// Directory for key.pem, csr.pem, cert.pem, chain.pem, fullchain.pem.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `renew` arguments.
#[derive(Debug, Args, Clone)]
pub struct RenewArgs {
    /// The order being renewed.
    pub order_id: String,
    /// Only price the renewal (where the provider can): nothing is placed, no key is written.
    #[arg(long)]
    pub quote: bool,
    /// Everything an order takes (names default to the previous order's).
    #[command(flatten)]
    pub order: OrderArgs,
}
