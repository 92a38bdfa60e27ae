//! GoGetSSL as an [`ssl_core::Provider`].
//!
//! ## Status table
//!
//! | GoGetSSL `status`                    | neutral                                                              |
//! |--------------------------------------|----------------------------------------------------------------------|
//! | `active`                             | `issued`                                                             |
//! | `cancelled`                          | `cancelled`                                                          |
//! | `expired`                            | `expired`                                                            |
//! | `incomplete`, `new_order`, `unpaid`  | `draft`                                                              |
//! | `pending`                            | `pending_validation`                                                 |
//! | `processing`                         | `processing`; `pending_validation` while the DCV of a name has not passed (`dcv_status` / `san[].status` other than 2) |
//! | `reissue`                            | `processing` (`pending_validation` while a name's DCV has not passed, as above) |
//! | `rejected`                           | `rejected`                                                           |
//! | anything else                        | `unknown` (raw kept in `provider_status`)                            |
//!
//! GoGetSSL keeps a paid order `processing` both while it waits for DCV and while the CA checks the organisation;
//! the DCV state in the same answer tells the two apart, so a caller knows when it has something to publish.
//!
//! ## DCV table
//!
//! | neutral     | GoGetSSL `dcv_method` | what to publish (from `approver_method` and `san[].validation`)                |
//! |-------------|-----------------------|--------------------------------------------------------------------------------|
//! | `email`     | `email`               | approval mail to `approver_email` / the `approver_emails` entry                 |
//! | `dns`       | `dns`                 | the record GoGetSSL gives: a CNAME `_<hash>.<host>` → `<hash>.<hash>.<token>.comodoca.com` for Sectigo brands, a TXT for brands that use TXT |
//! | `dns-cname` | `dns`                 | the same CNAME (Sectigo brands only: what their `dns` means)                    |
//! | `dns-txt`   | —                     | not offered: the record type is the brand's choice, not the caller's            |
//! | `http`      | `http`                | `http://<host>/.well-known/pki-validation/<HASH>.txt` with the given content    |
//! | `https`     | `https`               | the same file over `https://` (Sectigo brands)                                  |
//!
//! The wire name `dns` reads back as neutral `dns` (the record's type says CNAME or TXT). File-based methods are
//! refused for wildcard names. Every SAN may take its own method for Sectigo brands (capability `dcv_per_host`):
//! its `approver_emails` entry is then `http`, `https` or `dns` instead of an address; other brands take one
//! method for the whole order. An `approver_emails` entry is sent for every SAN (an address for email DCV, else the
//! method), as the Feb 2021 wiki revision describes.
//!
//! ## Orders
//!
//! - `product` is GoGetSSL's numeric product id; the rules come from `GET /products/ssl/{id}` (cached).
//! - `term_months` is `period`. Contacts: `admin` and `tech` (tech falls back to admin when absent) and
//!   `organization`, mapped field by field (`admin.first_name` → `admin_firstname`, ..., `organization.name` →
//!   `org_name`); which are required for DV, OV and EV is [`crate::rules::ORDER_FIELDS`], exactly as the seed says.
//! - Options ([`OPTIONS`]): `server_count` (default -1, unlimited), `webserver_type` (default 1, the official
//!   sample's value), `signature_hash` (default `SHA2`), `unique_code`.
//! - `quote` sends the order with `only_validate=true`: GoGetSSL checks it all and prices it; nothing is placed.
//! - `renew` places `add_ssl_renew_order`; the new order's `raw` carries `renewal_of_order_id`.
//! - `revoke` is not offered by GoGetSSL's API: cancel the order (a reason is required) inside the refund window
//!   and the CA revokes its certificate.
//! - `change_dcv` switches every name not validated yet; email DCV takes the first address GoGetSSL lists for the
//!   domain (`POST /tools/domain/emails/`). `recheck_dcv` asks GoGetSSL to `revalidate` every pending name.

use async_trait::async_trait;
use serde_json::Value;
use ssl_core::dcv::{self, FileParts};
use ssl_core::kit::{self, Build, OrderKit};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvInstruction, DcvMethod, DcvStatus, DcvTable, Order, OrderFilter, OrderPage,
    OrderSpec, OrderStatus, ProductRules, Quote, ReissueSpec, Verb, Warning,
};
use ssl_core::problem::has_errors;
use ssl_core::{ClientKit, Error, ErrorKind, HttpRequest, PreparedOrder, Problem, Provider, Response, Result};

use crate::GoGetSslClient;
use crate::generated::{self as g, ops, requests};
use crate::rules;

const NAME: &str = "gogetssl";

/// Neutral ↔ GoGetSSL DCV names (the spec's `x-dcv-table`). The first row of a wire name is its neutral reading.
pub use crate::generated::DCV_TABLE;

/// Provider options accepted in [`OrderSpec::options`].
pub const OPTIONS: &[&str] = &["server_count", "webserver_type", "signature_hash", "unique_code"];

/// `webserver_type` when the option is not given: `1`, as in GoGetSSL's official sample (a GoGetSSL engineer
/// said in `gogetssl/whmcs-addon#82` that the type makes no difference).
pub const DEFAULT_WEBSERVER_TYPE: i64 = 1;

/// The reason sent when a cancellation gives none (GoGetSSL requires one).
pub const DEFAULT_CANCEL_REASON: &str = "Cancelled through ssl-orders";

/// Raw GoGetSSL statuses as neutral ones, before the DCV state is considered (the spec's `x-status-table`; table
/// in the module docs).
pub use crate::generated::STATUSES;

/// The DCV state GoGetSSL reports for a name (`dcv_status`, `san[].status`): `2`, `validated`, `valid`, `verified`,
/// `passed`, `active` or `true` is valid; `failed`, `rejected` or `error` failed; anything else pending.
pub fn dcv_state(v: Option<&Value>) -> DcvStatus {
    dcv::state(v, &["2", "validated", "valid", "verified", "passed", "active"], &["failed", "rejected", "error"])
}

fn email_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Object(m) => m.get("email").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn file_parts(f: Option<&g::FileValidation>) -> Option<FileParts<'_>> {
    f.map(|f| FileParts::new(f.link.as_deref(), f.filename.as_deref(), f.content.as_deref()))
}

/// The DCV instruction of one host from its wire method (`dns`, an address for email, ...) and GoGetSSL's details.
pub fn instruction(
    host: &str,
    wire: &str,
    details: Option<&g::ApproverMethod>,
    approver: Option<&str>,
    status: DcvStatus,
) -> DcvInstruction {
    let wire = wire.trim();
    let (method, address) = if ssl_core::facts::is_email(wire) {
        ("email".to_owned(), Some(wire.to_owned()))
    } else {
        let inferred = match details {
            Some(d) if d.dns.is_some() => "dns",
            Some(d) if d.http.is_some() => "http",
            Some(d) if d.https.is_some() => "https",
            _ => "email",
        };
        let m = if wire.is_empty() { inferred } else { wire };
        (
            m.to_ascii_lowercase(),
            approver.map(str::to_owned).or_else(|| email_of(details.and_then(|d| d.email.as_ref()))),
        )
    };
    let record = details.and_then(|d| d.dns.as_ref()).and_then(|d| d.record.as_deref());
    let file = details.and_then(|d| if method == "https" { d.https.as_ref() } else { d.http.as_ref() });
    dcv::instruction(&DCV_TABLE, host, &method, status, (record, file_parts(file), address.into_iter().collect()))
}

/// Every name of an order (primary first) from its status.
pub fn order_names(st: &g::OrderStatus) -> Vec<String> {
    let primary = st.domain.clone().filter(|d| !d.trim().is_empty());
    let primary = primary.or_else(|| st.csr_code.as_deref().and_then(crate::client::csr_common_name));
    let mut others: Vec<&str> = st.san.iter().flatten().filter_map(|s| s.san_name.as_deref()).collect();
    match &st.domains {
        Some(Value::String(list)) => others.extend(list.split(',')),
        Some(Value::Array(items)) => others.extend(items.iter().filter_map(Value::as_str)),
        _ => {}
    }
    let lower = |n: &str| n.to_ascii_lowercase();
    ssl_core::model::dns_names(primary.as_deref(), others).iter().map(|n| lower(n)).collect()
}

/// Map an order status answer to the neutral order (tables in the module docs). No network.
pub fn to_neutral(st: &g::OrderStatus) -> Result<Order> {
    let raw_status = st.status.as_str().to_owned();
    let base = STATUSES.neutral(&raw_status);
    let names = order_names(st);
    let primary = names.first().cloned().unwrap_or_default();
    let overall = |computed: DcvStatus| match base {
        OrderStatus::Issued | OrderStatus::Expired => DcvStatus::Valid,
        OrderStatus::Cancelled | OrderStatus::Rejected | OrderStatus::Unknown if computed != DcvStatus::Valid => {
            DcvStatus::Unknown
        }
        _ => computed,
    };
    let mut dcv = Vec::new();
    if !primary.is_empty() {
        dcv.push(instruction(
            &primary,
            st.dcv_method.as_deref().unwrap_or(""),
            st.approver_method.as_ref(),
            st.approver_email.as_deref(),
            overall(dcv_state(st.dcv_status.as_ref())),
        ));
    }
    for s in st.san.iter().flatten() {
        let Some(name) = s.san_name.as_deref().filter(|n| !n.trim().is_empty()) else { continue };
        let wire = s.validation_method.clone().or_else(|| s.email.clone()).unwrap_or_default();
        dcv.push(instruction(
            &name.to_ascii_lowercase(),
            &wire,
            s.validation.as_ref(),
            s.email.as_deref(),
            overall(dcv_state(s.status.as_ref())),
        ));
    }
    // Names without a SAN entry (only listed in `domains`) take the primary's method.
    for n in names.iter().skip(1) {
        if !dcv.iter().any(|d| &d.host == n) {
            let wire = st.dcv_method.clone().unwrap_or_default();
            dcv.push(instruction(n, &wire, None, None, overall(DcvStatus::Pending)));
        }
    }
    let waiting = dcv.iter().any(|d| d.status != DcvStatus::Valid);
    let status = match base {
        OrderStatus::Processing if waiting => OrderStatus::PendingValidation,
        other => other,
    };
    let mut order = Order::new(NAME, st.order_id.to_string(), status, raw_status);
    if matches!(base, OrderStatus::Issued | OrderStatus::Expired) {
        // The order reads fine even when its certificate does not: a warning, not a failure.
        match st.crt_code.as_deref().map(ssl_core::x509::certificate_info) {
            Some(Ok(info)) => order.certificate = Some(info),
            Some(Err(m)) => order.warnings.push(Warning::new("certificate_unreadable", m)),
            None => {
                order.warnings.push(Warning::new("certificate_missing", "the order is active but has no `crt_code`"))
            }
        }
    }
    order.common_name = primary;
    order.dns_names = names;
    order.dcv = dcv;
    order.coverage_ends = st.end_date.as_deref().and_then(ssl_core::model::parse_date);
    order.product = st.product_id.map(|p| p.to_string());
    order.raw = serde_json::to_value(st).ok();
    Ok(order)
}

fn parse_id(order_id: &str) -> Result<i64> {
    kit::numeric_id("GoGetSSL", order_id)
}

fn parse_product(product: &str) -> Result<i64> {
    product.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        Error::Invalid(vec![
            Problem::error(
                "unknown_product",
                format!("GoGetSSL product ids are numbers (see `products`); got `{product}`"),
            )
            .with_field("product"),
        ])
    })
}

/// The spec with `tech` filled from `admin` when absent (the contacts GoGetSSL gets).
pub fn resolve_contacts(spec: &OrderSpec) -> OrderSpec {
    let mut s = spec.clone();
    if s.contacts.tech.is_none() {
        s.contacts.tech = s.contacts.admin.clone();
    }
    s
}

/// Build the wire order from a (contacts-resolved) neutral spec. Mapping problems (unknown options, bad option
/// types, a bad product id) are appended to `problems`; the pre-flight is [`GoGetSslClient::prepare`]'s. Contacts
/// and options are written by table ([`rules::ORDER_FIELDS`], [`OPTIONS`]) through [`kit::fill`].
pub fn build_order_request(spec: &OrderSpec, problems: &mut Vec<Problem>) -> g::AddSslOrderRequest {
    problems.extend(kit::unknown_options("GoGetSSL", spec, OPTIONS));
    let cn = spec.common_name.trim();
    let wire = |m: DcvMethod| {
        DCV_TABLE.wire(m).map(g::DcvMethod::from_wire).unwrap_or(g::DcvMethod::Unknown(m.as_str().into()))
    };
    let primary = spec.dcv_method_for(cn);
    let mut o = g::AddSslOrderRequest {
        product_id: spec.product.trim().parse::<i64>().unwrap_or(0),
        period: i64::from(spec.term_months),
        csr: spec.csr.clone().unwrap_or_default(),
        server_count: -1,
        webserver_type: DEFAULT_WEBSERVER_TYPE,
        dcv_method: wire(primary),
        signature_hash: Some(g::SignatureHash::Sha2),
        ..Default::default()
    };
    if primary == DcvMethod::Email {
        o.approver_email = spec.approver_for(cn).map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
    }
    if !spec.sans.is_empty() {
        let entries = spec.sans.iter().map(|h| match spec.dcv_method_for(h) {
            DcvMethod::Email => spec.approver_for(h).unwrap_or("").trim().to_owned(),
            m => DCV_TABLE.wire(m).unwrap_or(m.as_str()).to_owned(),
        });
        (o.dns_names, o.approver_emails) = (Some(spec.sans.clone()), Some(entries.collect()));
    }
    let contacts = resolve_contacts(spec).contacts;
    let mut values = kit::pick(&contacts, rules::ORDER_FIELDS.iter().map(|r| (r.wire, r.neutral)));
    values.extend(kit::pick(&spec.options, OPTIONS.iter().map(|o| (*o, *o))));
    let o = kit::fill(o, values, problems);
    if o.server_count == 0 {
        problems.push(
            Problem::error("option_value", "option `server_count` is -1 (unlimited) or at least 1")
                .with_field("server_count"),
        );
    }
    o
}

fn is_contact_wire(field: Option<&str>) -> bool {
    field.is_some_and(|f| rules::ORDER_FIELDS.iter().any(|r| r.wire == f))
}

fn bundle(st: &g::OrderStatus) -> Result<CertificateBundle> {
    let pems = ssl_core::x509::split_pem_certificates(st.crt_code.as_deref().unwrap_or(""));
    let Some(leaf) = pems.first() else {
        return Err(Error::decode("order_status", 200, "the order is active but `crt_code` holds no certificate"));
    };
    kit::bundle("order_status", &[leaf, st.ca_code.as_deref().unwrap_or("")])
}

impl GoGetSslClient {
    /// The neutral rules of a product (`GET /products/ssl/{id}`, cached).
    pub async fn rules(&self, product: &str) -> Result<ProductRules> {
        Ok(rules::product_rules(&self.details_for(product).await?))
    }

    async fn details_for(&self, product: &str) -> Result<g::ProductDetails> {
        let mut problems = Vec::new();
        self.known_product(parse_product(product)?, "product", &mut problems).await?.ok_or(Error::Invalid(problems))
    }

    async fn status_of(&self, order_id: &str) -> Result<g::OrderStatus> {
        self.send(&ops::OrderStatus::new(parse_id(order_id)?.to_string())).await
    }
}

#[async_trait]
impl OrderKit for GoGetSslClient {
    type Wire = g::AddSslOrderRequest;

    async fn rules(&self, product: &str) -> Result<ProductRules> {
        GoGetSslClient::rules(self, product).await
    }

    async fn build(&self, build: Build<'_>) -> Result<g::AddSslOrderRequest> {
        let Build { spec, problems, .. } = build;
        let order = build_order_request(spec, problems);
        if let Some(p) = rules::per_san_rule(&order, &self.details_for(&spec.product).await?) {
            problems.push(p);
        }
        Ok(order)
    }

    fn check_wire(&self, wire: &g::AddSslOrderRequest, _rules: &ProductRules, found: &[Problem]) -> Vec<Problem> {
        // `validate()` problems the pre-flight already named by their neutral paths are left out.
        let approver_missing = found.iter().any(|p| p.code == "approver_email_missing");
        let dcv_refused = found.iter().any(|p| p.code == "dcv_not_allowed");
        let no_csr = wire.csr.trim().is_empty();
        let mut problems = ssl_core::validate::Validate::validate(wire);
        problems.retain(|p| {
            let field = p.field.as_deref();
            let covered = (p.code == "required" && is_contact_wire(field))
                || (approver_missing && field.is_some_and(|f| f.starts_with("approver_email")))
                || (dcv_refused && (field == Some("dcv_method") || p.code == "dcv_not_allowed"))
                || found.iter().any(|f| f.code.starts_with("option_") && f.field.as_deref() == field)
                || (no_csr && field == Some("csr"));
            !covered
        });
        problems
    }

    fn request(&self, wire: &g::AddSslOrderRequest, _spec: &OrderSpec, renewal_of: Option<&str>) -> HttpRequest {
        match renewal_of {
            Some(_) => requests::add_ssl_renew_order(wire),
            None => requests::add_ssl_order(wire),
        }
    }

    fn lookup(&self, prepared: &PreparedOrder) -> (String, Vec<String>) {
        let digest = prepared.spec.csr.as_deref().map(ssl_core::x509::csr_digest).unwrap_or_default();
        (
            format!(
                "your GoGetSSL orders (client area → SSL certificates, or `ssl-orders list` / GET {}/orders/ssl/all)",
                self.base_url().as_str().trim_end_matches('/')
            ),
            vec![
                format!("domain={}", prepared.spec.common_name),
                format!("product_id={}", prepared.spec.product),
                format!("csr_sha256={digest}"),
            ],
        )
    }

    fn created_id(&self, answer: &Response) -> Option<String> {
        kit::json_id(answer, "order_id")
    }

    async fn read(&self, order_id: &str, _answer: &Response) -> Result<Order> {
        to_neutral(&self.status_of(order_id).await?)
    }
}

/// The GoGetSSL listing (`GET /orders/ssl/all`): `{orders: [{order_id, status}], limit, offset, count}`.
fn list_request(offset: u64, limit: u32) -> HttpRequest {
    HttpRequest::new(ssl_core::Method::Get, "/orders/ssl/all", ssl_core::CallKind::Read)
        .query("limit", limit.to_string())
        .query("offset", offset.to_string())
        .operation("all_ssl_orders")
}

#[async_trait]
impl Provider for GoGetSslClient {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(DCV_TABLE).without(&[Verb::Revoke, Verb::Submit]).dcv_per_host()
    }

    fn dcv_table(&self) -> DcvTable {
        DCV_TABLE
    }

    async fn products(&self) -> Result<Vec<ProductRules>> {
        Ok(self.product_list().await?.products.unwrap_or_default().iter().map(rules::product_rules).collect())
    }

    async fn product(&self, id: &str) -> Result<ProductRules> {
        self.rules(id).await
    }

    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        kit::prepare(self, ssl_csr::CHECKS, &resolve_contacts(spec), None).await
    }

    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        // The previous order must exist (GoGetSSL links a renewal by its domain, not by an id on the wire).
        self.status_of(order_id).await?;
        kit::prepare(self, ssl_csr::CHECKS, &resolve_contacts(spec), Some(order_id)).await
    }

    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        let mut order = kit::place(self, prepared).await?;
        if let (Some(prev), Some(Value::Object(raw))) = (&prepared.renewal_of, order.raw.as_mut()) {
            raw.insert("renewal_of_order_id".into(), Value::from(parse_id(prev)?));
        }
        Ok(order)
    }

    async fn quote(&self, spec: &OrderSpec) -> Result<Quote> {
        let prepared = kit::prepare(self, ssl_csr::CHECKS, &resolve_contacts(spec), None).await?;
        let details = self.details_for(&spec.product).await?;
        let answer = self.send_quote(&crate::client::quote_request(prepared.request.clone())).await.map_err(|e| {
            let (lookup, match_on) = self.lookup(&prepared);
            ssl_core::client::with_lookup(e, lookup, match_on)
        })?;
        let price = answer
            .order_amount
            .map(|a| format!("{a:.2}"))
            .or_else(|| rules::FACTS.price_of(&details, spec.term_months));
        let mut quote = Quote::new(spec.product.clone(), spec.term_months);
        (quote.price, quote.currency, quote.validated) = (price, answer.currency, true);
        Ok(quote)
    }

    async fn get(&self, order_id: &str) -> Result<Order> {
        to_neutral(&self.status_of(order_id).await?)
    }

    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        let (offset, limit) = ssl_core::paging::offset_limit(&filter.page, 100, 1000)?;
        let answer: Value = self.execute(&list_request(offset, limit)).await?.json()?;
        let entries = answer.get("orders").and_then(Value::as_array).cloned().unwrap_or_default();
        let total = answer.get("count").and_then(|c| c.as_u64().or_else(|| c.as_str()?.trim().parse().ok()));
        let next = ssl_core::paging::next_offset(offset, limit, entries.len(), None);
        let mut orders = Vec::new();
        for e in &entries {
            let Some(id) = e.get("order_id").and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
            else {
                continue;
            };
            if filter.exclude_ids.contains(&id.to_string()) {
                // Known to the caller: not read again.
                continue;
            }
            let raw = e.get("status").and_then(Value::as_str).unwrap_or_default().to_owned();
            // The listing carries only id and status: names and dates need the order itself.
            let order = if filter.common_name.is_some() || filter.since.is_some() {
                to_neutral(&self.status_of(&id.to_string()).await?)?
            } else {
                let mut o = Order::new(NAME, id.to_string(), STATUSES.neutral(&raw), raw);
                o.raw = Some(e.clone());
                o
            };
            if filter.matches(&order) {
                orders.push(order);
            }
        }
        Ok(OrderPage::new(orders, next, total))
    }

    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order> {
        let id = parse_id(order_id)?.to_string();
        let wire = kit::dcv_wire("GoGetSSL", &DCV_TABLE, method)?;
        let current = to_neutral(&self.status_of(&id).await?)?;
        let pending: Vec<&DcvInstruction> = current.dcv.iter().filter(|d| d.status != DcvStatus::Valid).collect();
        kit::no_file_dcv_for_wildcards(method, pending.iter().map(|d| d.host.as_str()))?;
        for d in pending {
            let mut body = g::ChangeDcvRequest::new(d.host.clone(), g::DcvMethod::from_wire(wire));
            if method == DcvMethod::Email {
                let domain = g::DomainEmailsRequest::new(d.host.trim_start_matches("*."));
                let emails = self.send(&ops::DomainEmails::new(domain)).await?;
                let first = emails
                    .comodo_approval_emails
                    .iter()
                    .chain(emails.geotrust_approval_emails.iter())
                    .flatten()
                    .find(|e| ssl_core::facts::is_email(e))
                    .cloned()
                    .ok_or_else(|| {
                        Error::Invalid(vec![Problem::error(
                            "approver_email_missing",
                            format!("GoGetSSL lists no approver address for `{}`", d.host),
                        )])
                    })?;
                body = body.approver_email(first);
            }
            self.send(&ops::ChangeDcv::new(&id, body)).await?;
        }
        self.get(order_id).await
    }

    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        let id = parse_id(order_id)?.to_string();
        let current = to_neutral(&self.status_of(&id).await?)?;
        for d in current.dcv.iter().filter(|d| d.status != DcvStatus::Valid && d.method() != Some(DcvMethod::Email)) {
            match self.send(&ops::Revalidate::new(&id, g::RevalidateRequest::new(d.host.clone()))).await {
                Ok(_) => {}
                // The CA did not find the record or file yet: the order stays pending, which `get` reports.
                Err(Error::Provider(p)) if p.kind() == ErrorKind::Provider => {
                    tracing::info!(host = %d.host, "DCV check did not pass yet: {}", p.message);
                }
                Err(e) => return Err(e),
            }
        }
        self.get(order_id).await
    }

    async fn download(&self, order_id: &str) -> Result<CertificateBundle> {
        let st = self.status_of(order_id).await?;
        let status = STATUSES.neutral(st.status.as_str());
        kit::downloadable(
            order_id,
            if status == OrderStatus::Revoked { OrderStatus::Unknown } else { status },
            st.status.as_str(),
        )?;
        bundle(&st)
    }

    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        let st = self.status_of(order_id).await?;
        let current = to_neutral(&st)?;
        let csr = kit::reissue_csr(&ssl_csr::CHECKS, spec.csr.as_deref(), st.csr_code.as_deref())?;
        let cn = spec.common_name.clone().unwrap_or_else(|| current.common_name.clone());
        let sans: Vec<String> = match &spec.sans {
            Some(s) => s.iter().filter(|n| !n.eq_ignore_ascii_case(&cn)).cloned().collect(),
            None => current.dns_names.iter().filter(|n| !n.eq_ignore_ascii_case(&cn)).cloned().collect(),
        };
        let method =
            spec.dcv.or_else(|| current.dcv.first().and_then(DcvInstruction::method)).unwrap_or(DcvMethod::Dns);
        let wire = kit::dcv_wire("GoGetSSL", &DCV_TABLE, method)?;
        let previous_approver =
            |host: &str| current.dcv.iter().find(|d| d.host == host).and_then(|d| d.approvers()?.first().cloned());
        let approver = |host: &str| {
            spec.approver_emails
                .get(host)
                .or_else(|| spec.approver_emails.get("*"))
                .cloned()
                .or_else(|| previous_approver(host))
        };
        let mut body = g::ReissueRequest::new(
            csr,
            st.webserver_type.unwrap_or(DEFAULT_WEBSERVER_TYPE),
            g::DcvMethod::from_wire(wire),
        )
        .signature_hash(g::SignatureHash::Sha2);
        let mut problems = Vec::new();
        let missing = |h: &str| {
            Problem::error("approver_email_missing", format!("`{h}` is validated by email but has no approver"))
                .with_field(format!("approver_emails.{h}"))
        };
        if method == DcvMethod::Email {
            match approver(&cn) {
                Some(a) => body = body.approver_email(a),
                None => problems.push(missing(&cn)),
            }
        }
        if !sans.is_empty() {
            let mut entries = Vec::new();
            for h in &sans {
                match (method, approver(h)) {
                    (DcvMethod::Email, Some(a)) => entries.push(a),
                    (DcvMethod::Email, None) => problems.push(missing(h)),
                    _ => entries.push(wire.to_owned()),
                }
            }
            body = body.dns_names(sans.clone()).approver_emails(entries);
        }
        if has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        self.send(&ops::Reissue::new(order_id.trim(), body)).await?;
        self.get(order_id).await.map_err(|e| e.placed_unreadable(NAME, "reissue", Some(order_id.to_owned()), None))
    }

    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty()).unwrap_or(DEFAULT_CANCEL_REASON);
        self.send(&ops::CancelOrder::new(g::CancelOrderRequest::new(parse_id(order_id)?, reason))).await.map(drop)
    }

    async fn revoke(&self, _order_id: &str, _reason: Option<&str>) -> Result<()> {
        Err(Error::Unsupported {
            provider: NAME,
            verb: "revoke (GoGetSSL's API has no revoke call; cancel the order with a reason inside the refund window)"
                .into(),
        })
    }
}
