//! The neutral kit: the order pipeline and the gates, written once for every provider.
//!
//! `prepare` → pre-flight → build → validate → `place`: a provider implements [`OrderKit`] (its tables and
//! mappings: rules, spec → wire, the request, the created order's id, a read of an order) and its
//! [`crate::Provider`] calls [`prepare`] and [`place`]. The request that `--dry-run` prints is the value
//! [`place`] sends: it is built once, in [`prepare`], and carried in the [`PreparedOrder`].
//!
//! The gates: the DCV method is offered ([`dcv_wire`]); no file DCV for wildcard names ([`no_file_dcv_for_wildcards`],
//! and the pre-flight); a reissue needs a CSR ([`reissue_csr`]); a download needs an issued order
//! ([`downloadable`]); the order is read back after create ([`place`]), and any failure after the provider accepted
//! a spend is [`Error::PlacedUnreadable`] with the order id (or the raw answer, redacted).

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::{ClientKit, Response, with_lookup};
use crate::error::{Error, Result, redact_raw};
use crate::model::{
    CertificateBundle, DcvCheck, DcvMethod, DcvTable, DnsRecord, HttpFile, Order, OrderSpec, OrderStatus, ProductRules,
};
use crate::problem::{Problem, has_errors};
use crate::provider::PreparedOrder;
use crate::request::HttpRequest;
use crate::validate::Validate;

/// The CSR checks the kit runs, supplied by `ssl-csr` (`ssl_csr::CHECKS`), which depends on this crate.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CsrChecks {
    /// The local pre-flight of an order against a product's rules and a DCV table.
    pub preflight: fn(&OrderSpec, &ProductRules, &DcvTable) -> Vec<Problem>,
    /// The errors a CA would refuse a CSR (PEM) for.
    pub csr_errors: fn(&str) -> Vec<Problem>,
}

impl CsrChecks {
    /// The checks (`ssl_csr::CHECKS` is built with this).
    pub const fn new(
        preflight: fn(&OrderSpec, &ProductRules, &DcvTable) -> Vec<Problem>,
        csr_errors: fn(&str) -> Vec<Problem>,
    ) -> Self {
        Self { preflight, csr_errors }
    }
}

/// What [`OrderKit::build`] maps: the neutral order, its product's rules, the order it renews (for a renewal), and
/// the problems found so far, to which the mapping appends its own.
#[non_exhaustive]
pub struct Build<'a> {
    /// The neutral order.
    pub spec: &'a OrderSpec,
    /// Its product's rules.
    pub rules: &'a ProductRules,
    /// The order a renewal renews.
    pub renewal_of: Option<&'a str>,
    /// The problems of the pre-flight; the mapping appends its own.
    pub problems: &'a mut Vec<Problem>,
}

/// What a provider supplies to the pipeline: its tables and mappings.
#[async_trait]
pub trait OrderKit: crate::Provider + ClientKit {
    /// The wire order body.
    type Wire: Validate + Send + Sync;

    /// Provider name (the [`crate::Provider`]'s, unless overridden).
    fn provider(&self) -> &'static str {
        crate::Provider::name(self)
    }
    /// The neutral ↔ wire DCV table (the [`crate::Provider`]'s, unless overridden).
    fn dcv_table(&self) -> DcvTable {
        crate::Provider::dcv_table(self)
    }
    /// A product's rules (from the account's product endpoints when it can; the spec's tables offline). A product
    /// that does not exist is an [`Error::Invalid`] naming it.
    async fn rules(&self, product: &str) -> Result<ProductRules>;
    /// The wire order for a neutral spec; problems of the mapping (unknown options...) are appended to
    /// [`Build::problems`].
    async fn build(&self, build: Build<'_>) -> Result<Self::Wire>;
    /// The problems of the wire value: its `validate()` (the default) and any rule beyond it. `found` holds what
    /// the pre-flight and the mapping found, so a provider may leave out a `validate()` problem already named by
    /// its neutral path.
    fn check_wire(&self, wire: &Self::Wire, rules: &ProductRules, found: &[Problem]) -> Vec<Problem> {
        let _ = (rules, found);
        wire.validate()
    }
    /// The request that places (or renews) the order; [`ClientKit::render`] prints it and [`ClientKit::execute`]
    /// sends it, once.
    fn request(&self, wire: &Self::Wire, spec: &OrderSpec, renewal_of: Option<&str>) -> HttpRequest;
    /// Where to look after an unknown outcome, and what to match there.
    fn lookup(&self, prepared: &PreparedOrder) -> (String, Vec<String>);
    /// The order id in the answer to a create, if it can be read. `None` makes the answer a
    /// [`Error::PlacedUnreadable`] with the raw answer.
    fn created_id(&self, answer: &Response) -> Option<String>;
    /// Secrets that could appear in an answer (redacted from a raw answer kept in an error).
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }
    /// Read an order after create.
    async fn read(&self, order_id: &str, answer: &Response) -> Result<Order>;
}

/// Pre-flight (with `checks`, `ssl_csr::CHECKS`), build and validate an order; build its request once. Nothing is
/// sent but reads of product rules.
pub async fn prepare<K: OrderKit>(
    kit: &K,
    checks: CsrChecks,
    spec: &OrderSpec,
    renewal_of: Option<&str>,
) -> Result<PreparedOrder> {
    let rules = kit.rules(&spec.product).await?;
    let mut problems = (checks.preflight)(spec, &rules, &OrderKit::dcv_table(kit));
    if spec.csr.as_deref().is_none_or(|c| c.trim().is_empty()) {
        problems.push(Problem::error("field_required", "a CSR is required to order").with_field("csr"));
    }
    let wire = kit.build(Build { spec, rules: &rules, renewal_of, problems: &mut problems }).await?;
    let wire_problems = kit.check_wire(&wire, &rules, &problems);
    problems.extend(wire_problems);
    if has_errors(&problems) {
        return Err(Error::Invalid(problems));
    }
    let request = kit.request(&wire, spec, renewal_of);
    let rendered = ClientKit::render(kit, &request);
    let prepared = PreparedOrder::new(kit.provider(), spec.clone(), request, rendered, problems);
    Ok(match renewal_of {
        Some(id) => prepared.renewal_of(id),
        None => prepared,
    })
}

/// Send a prepared order exactly as prepared, once, and read it back. After the provider accepted it, every
/// failure is [`Error::PlacedUnreadable`] with the order id, or the raw answer (redacted) when no id could be read.
pub async fn place<K: OrderKit>(kit: &K, prepared: &PreparedOrder) -> Result<Order> {
    if prepared.provider != kit.provider() {
        return Err(Error::Config(format!(
            "an order prepared for {} cannot be placed at {}",
            prepared.provider,
            kit.provider()
        )));
    }
    let operation = prepared.request.operation;
    let answer = ClientKit::execute(kit, &prepared.request).await.map_err(|e| {
        let (lookup, match_on) = kit.lookup(prepared);
        with_lookup(e, lookup, match_on)
    })?;
    let unreadable = |e: Error, id: Option<String>, raw: Option<String>| {
        let mut e = e.placed_unreadable(kit.provider(), operation, id, raw);
        if let Error::PlacedUnreadable(p) = &mut e {
            p.lookup = kit.lookup(prepared).0;
        }
        e
    };
    let Some(id) = kit.created_id(&answer) else {
        let secrets = kit.secrets();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let raw = redact_raw(&answer.body, &secrets);
        let cause = Error::decode(operation, answer.status, "the answer carries no readable order id");
        return Err(unreadable(cause, None, Some(raw)));
    };
    let mut order = kit.read(&id, &answer).await.map_err(|e| unreadable(e, Some(id.clone()), None))?;
    if order.client_reference.is_none() {
        order.client_reference = prepared.spec.client_reference.clone();
    }
    Ok(order)
}

/// The gate "the DCV method is offered": the wire name of `method`, or [`Error::Invalid`] listing what is.
pub fn dcv_wire(provider: &str, table: &DcvTable, method: DcvMethod) -> Result<&'static str> {
    table.wire(method).ok_or_else(|| {
        let offered: Vec<&str> = table.methods().iter().map(|m| m.as_str()).collect();
        Error::Invalid(vec![
            Problem::error(
                "dcv_not_allowed",
                format!("{provider} has no `{method}` DCV; it offers {}", offered.join(", ")),
            )
            .with_field("dcv"),
        ])
    })
}

/// The gate "no file DCV for wildcard names".
pub fn no_file_dcv_for_wildcards<'a>(method: DcvMethod, hosts: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let wildcards: Vec<&str> = hosts.into_iter().filter(|h| h.starts_with("*.")).collect();
    if method.is_file_based() && !wildcards.is_empty() {
        return Err(Error::Invalid(vec![
            Problem::error(
                "dcv_not_allowed",
                format!("file-based DCV ({method}) is not allowed for wildcard names: {}", wildcards.join(", ")),
            )
            .with_field("dcv"),
        ]));
    }
    Ok(())
}

/// The gate "a reissue needs a CSR": the new one (checked), else the order's current one, else
/// [`Error::Invalid`].
pub fn reissue_csr(checks: &CsrChecks, new: Option<&str>, current: Option<&str>) -> Result<String> {
    match (new, current) {
        (Some(csr), _) => {
            let errors = (checks.csr_errors)(csr);
            if errors.is_empty() { Ok(csr.to_owned()) } else { Err(Error::Invalid(errors)) }
        }
        (None, Some(csr)) if !csr.trim().is_empty() => Ok(csr.to_owned()),
        _ => Err(Error::Invalid(vec![Problem::error("field_required", "a reissue needs a CSR").with_field("csr")])),
    }
}

/// The gate "a download needs an issued order" (issued, or expired/revoked with a certificate on file).
pub fn downloadable(order_id: &str, status: OrderStatus, provider_status: &str) -> Result<()> {
    if matches!(status, OrderStatus::Issued | OrderStatus::Expired | OrderStatus::Revoked) {
        return Ok(());
    }
    Err(Error::Invalid(vec![Problem::error(
        "not_issued",
        format!("order {order_id} is {status} ({provider_status}); nothing to download yet"),
    )]))
}

/// A numeric order id, or [`Error::Invalid`] (`bad_order_id`).
pub fn numeric_id(provider: &str, order_id: &str) -> Result<i64> {
    order_id.trim().parse::<i64>().map_err(|_| {
        Error::Invalid(vec![
            Problem::error("bad_order_id", format!("{provider} order ids are numbers; got `{order_id}`"))
                .with_field("order_id"),
        ])
    })
}

/// Unknown keys of [`OrderSpec::options`], as problems naming the known ones.
pub fn unknown_options(provider: &str, spec: &OrderSpec, known: &[&str]) -> Vec<Problem> {
    spec.options
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| {
            Problem::error("unknown_option", format!("unknown {provider} option `{k}`; known: {}", known.join(", ")))
                .with_field(k.clone())
        })
        .collect()
}

/// The order id in a JSON answer at `key` (a number or a numeric string; `0` and empty are no id).
pub fn json_id(answer: &Response, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
    match v.get(key)? {
        serde_json::Value::Number(n) => n.as_i64().filter(|n| *n > 0).map(|n| n.to_string()),
        serde_json::Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty() && s != "0"),
        _ => None,
    }
}

/// A mapping table row: a wire field (a dotted path, `container.id`) and where its value comes from (a dotted path
/// into the neutral value it is [`pick`]ed from: `admin.first_name`, or an option name).
pub type FieldMap = (&'static str, &'static str);

/// The values of `from` (serialized) at each row's neutral path, keyed by the row's wire path. Absent values,
/// `null` and blank strings are left out.
pub fn pick<S: Serialize + ?Sized>(from: &S, table: impl IntoIterator<Item = FieldMap>) -> Vec<(&'static str, Value)> {
    let from = serde_json::to_value(from).unwrap_or_default();
    let at = |path: &str| path.split('.').try_fold(&from, |v, part| v.get(part));
    table
        .into_iter()
        .filter_map(|(wire, neutral)| match at(neutral)? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            Value::String(s) => Some((wire, Value::String(s.trim().to_owned()))),
            v => Some((wire, v.clone())),
        })
        .collect()
}

/// Write `values` into a wire value by wire path (a dotted path sets a nested key) and read it back through the
/// wire type's tolerant reader, so a table of (wire field, source) rows replaces a setter per field. A value the
/// wire type refuses is an `option_type` problem naming that field, and `wire` comes back unchanged.
pub fn fill<T: Serialize + DeserializeOwned>(
    wire: T,
    values: Vec<(&'static str, Value)>,
    problems: &mut Vec<Problem>,
) -> T {
    let Ok(mut doc) = serde_json::to_value(&wire) else { return wire };
    for (path, value) in values {
        let mut cur = &mut doc;
        for part in path.split('.') {
            if !cur.is_object() {
                *cur = Value::Object(serde_json::Map::new());
            }
            cur = cur.as_object_mut().map(|m| m.entry(part).or_insert(Value::Null)).unwrap_or_else(|| unreachable!());
        }
        *cur = value;
    }
    match serde_path_to_error::deserialize(doc) {
        Ok(filled) => filled,
        Err(e) => {
            let field = e.path().to_string();
            let why = crate::lenient::scrub(&e.inner().to_string());
            problems.push(
                Problem::error("option_type", format!("`{field}` cannot take this value: {why}")).with_field(field),
            );
            wire
        }
    }
}

/// A certificate bundle from texts that hold PEM certificates (the leaf's, the chain's, in any order): each text is
/// split into certificates, repeats are dropped and [`crate::x509::bundle_from_pems`] orders them. A failure is a
/// decode error of `operation`.
pub fn bundle(operation: &'static str, texts: &[&str]) -> Result<CertificateBundle> {
    let mut pems: Vec<String> = Vec::new();
    for pem in texts.iter().flat_map(|t| crate::x509::split_pem_certificates(t)) {
        if !pems.contains(&pem) {
            pems.push(pem);
        }
    }
    crate::x509::bundle_from_pems(&pems).map_err(|m| Error::decode(operation, 200, m))
}

/// The DCV check of `host` under the random-token scheme of DigiCert (and of its resellers): DNS (TXT)
/// `_dnsauth.<host>` = token; DNS CNAME `<token>.<host>` pointing at `cname_target`; HTTP
/// `http://<host>/.well-known/pki-validation/fileauth.txt` serving the token; email to `approvers`. A wildcard's
/// `*.` is left off the host. No token (or no CNAME target) means no record yet; any other method (or `None`, a wire
/// method the table does not know) is [`DcvCheck::Unknown`].
pub fn token_check(
    method: Option<DcvMethod>,
    host: &str,
    token: Option<&str>,
    cname_target: Option<&str>,
    approvers: Vec<String>,
) -> DcvCheck {
    let bare = host.trim_start_matches("*.");
    let record = |name: String, record_type: &str, value: &str| DnsRecord::new(name, record_type, value);
    match method {
        Some(m @ (DcvMethod::Dns | DcvMethod::DnsTxt)) => {
            DcvCheck::Dns { method: m, record: token.map(|t| record(format!("_dnsauth.{bare}"), "TXT", t)) }
        }
        Some(m @ DcvMethod::DnsCname) => DcvCheck::Dns {
            method: m,
            record: token.zip(cname_target).map(|(t, target)| record(format!("{t}.{bare}"), "CNAME", target)),
        },
        Some(m @ DcvMethod::Http) => DcvCheck::Http {
            method: m,
            file: token
                .map(|t| HttpFile::new(format!("http://{bare}/.well-known/pki-validation/fileauth.txt"), t.to_owned())),
        },
        Some(DcvMethod::Email) => DcvCheck::Email { approvers },
        _ => DcvCheck::Unknown,
    }
}

/// [`pick`] where the first `required` rows must have a value: each one missing is a `field_required` problem
/// (`what` needs the field) naming its neutral path, and its wire field is written empty.
pub fn pick_required<S: Serialize + ?Sized>(
    from: &S,
    table: &[FieldMap],
    required: usize,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(&'static str, Value)> {
    let mut values = pick(from, table.iter().copied());
    for (wire, neutral) in table.iter().take(required) {
        if !values.iter().any(|(w, _)| w == wire) {
            let field = neutral.split_once('.').map_or(*neutral, |(_, f)| f);
            problems.push(Problem::error("field_required", format!("{what} needs `{field}`")).with_field(*neutral));
            values.push((wire, Value::from("")));
        }
    }
    values
}

/// The gate "an approver address is at the host or a parent domain of it": the address's domain (lowercase), and
/// an `approver_email_domain` problem when it is elsewhere.
pub fn approver_domain(host: &str, email: &str, problems: &mut Vec<Problem>) -> String {
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
    let bare = host.trim_start_matches("*.").to_ascii_lowercase();
    if domain.is_empty() || !(bare == domain || bare.ends_with(&format!(".{domain}"))) {
        problems.push(
            Problem::error(
                "approver_email_domain",
                format!("approver `{email}` for `{host}` is not at `{host}` or a parent domain of it"),
            )
            .with_field(format!("approver_emails.{host}")),
        );
    }
    domain
}

/// A term in whole years (24 months → 2). Any other term is a `period_not_offered` problem and reads as one year.
pub fn whole_years(provider: &str, term_months: u32, problems: &mut Vec<Problem>) -> i64 {
    if term_months % 12 == 0 && term_months > 0 {
        return i64::from(term_months / 12);
    }
    problems.push(
        Problem::error(
            "period_not_offered",
            format!("{provider} sells whole years; {term_months} months is not 12, 24 or 36"),
        )
        .with_field("term_months"),
    );
    1
}

/// A reason or note as sent: trimmed, `None` when blank.
pub fn reason(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned)
}
