//! Turning command-line arguments into a neutral order spec.

use std::path::Path;

use ssl_core::model::{Contacts, DcvMethod, OrderSpec};

use crate::fail::Failure;

/// Parse a DCV method name.
pub fn dcv(s: &str) -> Result<DcvMethod, Failure> {
    s.parse::<DcvMethod>().map_err(Failure::usage)
}

/// `[HOST=]EMAIL` → (host or `*`, email).
pub fn approver(s: &str) -> Result<(String, String), Failure> {
    let (host, email) = match s.split_once('=') {
        Some((h, e)) => (h.trim().to_ascii_lowercase(), e.trim().to_owned()),
        None => ("*".to_owned(), s.trim().to_owned()),
    };
    if host.is_empty() || !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(Failure::usage(format!("--approver-email `{s}`: expected [HOST=]EMAIL")));
    }
    Ok((host, email))
}

/// `KEY=VALUE`; the value is JSON when it parses as JSON (numbers, booleans, arrays), else a string.
pub fn option(s: &str) -> Result<(String, serde_json::Value), Failure> {
    let Some((k, v)) = s.split_once('=') else {
        return Err(Failure::usage(format!("--option `{s}`: expected KEY=VALUE")));
    };
    let value = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_owned()));
    Ok((k.trim().to_owned(), value))
}

/// Read a contacts file (TOML, or JSON when it starts with `{`).
pub fn contacts(path: &Path) -> Result<Contacts, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::io("cannot read contacts file", path, &e))?;
    let parsed = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Contacts>(&text).map_err(|e| e.to_string())
    } else {
        toml::from_str::<Contacts>(&text).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| Failure::invalid("contacts", format!("contacts file {}: {e}", path.display())))
}

/// Everything order-like commands share.
pub struct SpecInput<'a> {
    /// Product id.
    pub product: &'a str,
    /// Common name.
    pub common_name: String,
    /// SANs.
    pub sans: Vec<String>,
    /// CSR PEM.
    pub csr: Option<String>,
    /// DCV.
    pub dcv: &'a str,
    /// `[HOST=]EMAIL` values.
    pub approvers: &'a [String],
    /// Months.
    pub months: u32,
    /// Contacts file.
    pub contacts: Option<&'a Path>,
    /// KEY=VALUE options.
    pub options: &'a [String],
}

/// Build the spec.
pub fn build(input: SpecInput<'_>) -> Result<OrderSpec, Failure> {
    let mut spec = OrderSpec::new(input.product, input.common_name, dcv(input.dcv)?).term_months(input.months);
    for s in input.sans {
        spec = spec.san(s);
    }
    if let Some(csr) = input.csr {
        spec = spec.csr(csr);
    }
    for a in input.approvers {
        let (h, e) = approver(a)?;
        spec = spec.approver_email(h, e);
    }
    if let Some(p) = input.contacts {
        spec.contacts = contacts(p)?;
    }
    for o in input.options {
        let (k, v) = option(o)?;
        spec = spec.option(k, v);
    }
    Ok(spec)
}
