//! DigiCert as an [`ssl_core::Provider`].
//!
//! ## Status table
//!
//! | DigiCert `status`                                | neutral              |
//! |--------------------------------------------------|----------------------|
//! | `needs_approval`                                 | `pending_approval`   |
//! | `pending`                                        | `pending_validation` |
//! | `approved`, `processing`, `reissue_pending`, `waiting_pickup` | `processing` |
//! | `issued`                                         | `issued`             |
//! | `rejected`                                       | `rejected`           |
//! | `canceled`                                       | `cancelled`          |
//! | `revoked`                                        | `revoked`            |
//! | `expired`                                        | `expired`            |
//! | anything else                                    | `unknown` (raw kept) |
//!
//! ## DCV table
//!
//! | neutral     | DigiCert `dcv_method` | what to publish                                                    |
//! |-------------|-----------------------|--------------------------------------------------------------------|
//! | `email`     | `email`               | approval mail to the `dcv_emails` addresses                         |
//! | `dns`       | `dns-txt-token`       | TXT `_dnsauth.<host>` = random value                                |
//! | `dns-txt`   | `dns-txt-token`       | same as `dns`                                                       |
//! | `dns-cname` | `dns-cname-token`     | CNAME `<random>.<host>` → `dcv.digicert.com`                        |
//! | `http`      | `http-token`          | `http://<host>/.well-known/pki-validation/fileauth.txt` = random   |
//! | `https`     | —                     | not offered (`http-token-dynamic` is OV/EV-only and wire-level only) |
//!
//! File-based methods are refused for wildcard names. DigiCert uses one method per order (no per-host choice).
//!
//! ## Terms
//!
//! `term_months` 12/24/36 → `validity_years` 1/2/3 (Multi-year Plan coverage). The options
//! `custom_expiration_date` (yyyy-MM-dd) and `validity_days` override it, in that precedence, as DigiCert does.
//! The coverage end ([`Order::coverage_ends`]) is DigiCert's `order_valid_till`, kept apart from the certificate's
//! `not_after` (at most 199 days since 2026).

use async_trait::async_trait;
use serde_json::Value;
use ssl_core::kit::{self, Build, FieldMap, OrderKit};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvInstruction, DcvMethod, DcvStatus, DcvTable, Order, OrderFilter, OrderPage,
    OrderSpec, OrderStatus, ProductRules, Quote, ReissueSpec, ValidationLevel, Verb, Warning, parse_date,
};
use ssl_core::{ClientKit, Error, PreparedOrder, Problem, Provider, Response, Result};

use crate::DigiCertClient;
use crate::generated::{self as g, ops, requests};

const NAME: &str = "digicert";

/// Neutral ↔ DigiCert DCV names (the spec's `x-dcv-table`, the table in the module docs).
pub use crate::generated::DCV_TABLE;

/// Where a `dns-cname-token` record points.
const CNAME_TARGET: &str = "dcv.digicert.com";

/// Raw DigiCert order status → neutral (the spec's `x-status-table`, the table in the module docs).
pub use crate::generated::STATUSES;

/// Provider options accepted in [`OrderSpec::options`].
pub const OPTIONS: &[&str] = &[
    "server_platform",
    "signature_hash",
    "payment_method",
    "comments",
    "skip_approval",
    "container_id",
    "locale",
    "disable_ct",
    "validity_days",
    "custom_expiration_date",
    "auto_renew",
    "auto_reissue",
    "custom_renewal_message",
    "disable_renewal_notifications",
    "organization_units",
];

/// Options written as they are into the wire order: (wire path, option). `validity_days` and
/// `custom_expiration_date` are the term's (see the module docs).
pub const OPTION_FIELDS: &[FieldMap] = &[
    ("certificate.server_platform.id", "server_platform"),
    ("certificate.signature_hash", "signature_hash"),
    ("certificate.organization_units", "organization_units"),
    ("payment_method", "payment_method"),
    ("comments", "comments"),
    ("skip_approval", "skip_approval"),
    ("container.id", "container_id"),
    ("locale", "locale"),
    ("disable_ct", "disable_ct"),
    ("auto_renew", "auto_renew"),
    ("auto_reissue", "auto_reissue"),
    ("custom_renewal_message", "custom_renewal_message"),
    ("disable_renewal_notifications", "disable_renewal_notifications"),
];

/// The technical contact: (wire path, neutral path in the contacts); the first four are required when one is given.
const TECH_FIELDS: &[FieldMap] = &[
    ("technical_contact.first_name", "tech.first_name"),
    ("technical_contact.last_name", "tech.last_name"),
    ("technical_contact.telephone", "tech.phone"),
    ("technical_contact.email", "tech.email"),
    ("technical_contact.job_title", "tech.title"),
];

/// A DigiCert order id (numeric), as the path parameter.
fn parse_id(order_id: &str) -> Result<String> {
    kit::numeric_id("DigiCert", order_id).map(|n| n.to_string())
}

fn wire_dcv(method: DcvMethod) -> Result<g::DcvMethod> {
    kit::dcv_wire("DigiCert", &DCV_TABLE, method).map(g::DcvMethod::from_wire)
}

/// The rules of a product: the committed table in the spec, else derived from `GET /product/{id}`.
fn table_rules(id: &str) -> Option<ProductRules> {
    // Built once: building the whole table per call cost more than the rest of an order's checks.
    static TABLE: std::sync::LazyLock<Vec<ProductRules>> = std::sync::LazyLock::new(g::product_table);
    TABLE.iter().find(|p| p.id == id).cloned()
}

/// Build the wire order from a neutral spec (the kit runs the pre-flight first). Problems
/// specific to the mapping (unknown options, per-host DCV, approver domains) are appended to `problems`.
pub fn build_order_request(
    spec: &OrderSpec,
    _rules: &ProductRules,
    renewal_of: Option<i64>,
    problems: &mut Vec<Problem>,
) -> g::OrderRequest {
    problems.extend(kit::unknown_options("DigiCert", spec, OPTIONS));
    let names = spec.all_names();
    let distinct: std::collections::BTreeSet<DcvMethod> = names.iter().map(|h| spec.dcv_method_for(h)).collect();
    if distinct.len() > 1 {
        problems.push(
            Problem::error("dcv_not_allowed", "DigiCert uses one DCV method per order; per-host methods differ")
                .with_field("dcv"),
        );
    }
    let dcv = wire_dcv(spec.dcv).unwrap_or_else(|_| g::DcvMethod::Unknown(spec.dcv.as_str().to_owned()));

    let mut cert = g::OrderCertificate::new(spec.common_name.clone(), spec.csr.clone().unwrap_or_default())
        .server_platform(g::ServerPlatform::new(-1))
        .signature_hash(g::SignatureHash::Sha256);
    if !spec.sans.is_empty() {
        cert = cert.dns_names(spec.sans.clone());
    }
    let mut order = g::OrderRequest::new(cert, dcv);
    // Validity precedence: custom_expiration_date > validity_days > validity_years (from the term).
    if let Some(date) = spec.option_str("custom_expiration_date").filter(|d| !d.trim().is_empty()) {
        order = order.custom_expiration_date(date);
    } else if let Some(days) = spec.option_i64("validity_days", problems) {
        order = order.validity_days(days);
    } else {
        order = order.validity_years(kit::whole_years("DigiCert", spec.term_months, problems));
    }
    if let Some(id) = spec.contacts.organization.as_ref().and_then(|o| o.id.as_deref()) {
        match id.trim().parse::<i64>() {
            Ok(n) => order = order.organization(g::OrganizationRef::new(n)),
            Err(_) => problems.push(
                Problem::error("field_format", format!("DigiCert organization ids are numbers; got `{id}`"))
                    .with_field("organization.id"),
            ),
        }
    }
    if spec.dcv == DcvMethod::Email {
        let emails: Vec<g::DcvEmail> = names
            .iter()
            .filter_map(|host| {
                let email = spec.approver_for(host)?;
                let domain = kit::approver_domain(host, email, problems);
                Some(g::DcvEmail::new(host.to_string(), domain).email(email))
            })
            .collect();
        if !emails.is_empty() {
            order = order.dcv_emails(emails);
        }
    }
    let mut values = kit::pick(&spec.options, OPTION_FIELDS.iter().copied());
    if spec.contacts.tech.is_some() {
        values.extend(kit::pick_required(&spec.contacts, TECH_FIELDS, 4, "technical contact", problems));
    }
    if let Some(id) = renewal_of {
        order = order.renewal_of_order_id(id);
    }
    kit::fill(order, values, problems)
}

/// Product rules a wire-level order must keep even without the neutral pre-flight: file-based DCV is refused for
/// wildcard names, and DV products refuse `http-token-dynamic`.
pub fn wire_rules(product: &str, order: &g::OrderRequest) -> Vec<Problem> {
    let mut out = Vec::new();
    let cert = &order.certificate;
    let wildcard =
        std::iter::once(&cert.common_name).chain(cert.dns_names.iter().flatten()).any(|n| n.starts_with("*."));
    let file_based = matches!(order.dcv_method, g::DcvMethod::HttpToken | g::DcvMethod::HttpTokenDynamic);
    if wildcard && file_based {
        out.push(
            Problem::error(
                "dcv_not_allowed",
                format!("`{}` (file-based) is not allowed for wildcard names", order.dcv_method),
            )
            .with_field("dcv_method"),
        );
    }
    let dv = table_rules(product).is_some_and(|r| r.validation == ValidationLevel::Dv);
    if dv && order.dcv_method == g::DcvMethod::HttpTokenDynamic {
        out.push(
            Problem::error("dcv_not_allowed", "DV products do not accept `http-token-dynamic`; use `http-token`")
                .with_field("dcv_method"),
        );
    }
    out
}

/// The certificate, chain included (`pem_all`).
async fn bundle(client: &DigiCertClient, certificate_id: i64) -> Result<CertificateBundle> {
    let pem = client.send(&ops::DownloadByFormat::new(certificate_id.to_string(), "pem_all")).await?;
    kit::bundle("download_by_format", &[&String::from_utf8_lossy(&pem)])
}

/// The names of an order's certificate, common name first, without repeats.
fn cert_names(common_name: Option<&String>, dns_names: Option<&Vec<String>>) -> Vec<String> {
    ssl_core::model::dns_names(common_name.map(String::as_str), dns_names.into_iter().flatten().map(String::as_str))
}

/// The validation level DigiCert publishes (`validation_type` `dv`/`ov`/`ev`), else read from the product id.
fn level(validation_type: Option<&str>, name_id: &str) -> ValidationLevel {
    let v = validation_type.unwrap_or_default().to_ascii_lowercase();
    let id = name_id.to_ascii_lowercase();
    match () {
        _ if v.starts_with("ev") || id.contains("_ev") => ValidationLevel::Ev,
        _ if v.starts_with("dv") || id.contains("_dv") => ValidationLevel::Dv,
        _ => ValidationLevel::Ov,
    }
}

/// A product's rules: what the account publishes (`GET /product`, `GET /product/{id}`: name, validation type,
/// validity years) over what DigiCert publishes nowhere, from the spec's `x-products` table (wildcards, name limits,
/// DCV methods). A product missing from the table gets conservative defaults.
pub fn merge_rules(
    name_id: &str,
    name: Option<&str>,
    validation_type: Option<&str>,
    years: Option<&[i64]>,
) -> ProductRules {
    let validation = level(validation_type, name_id);
    let lower = name_id.to_ascii_lowercase();
    let mut rules = table_rules(name_id).unwrap_or_else(|| {
        ProductRules::new(name_id, name_id, validation)
            .with_wildcard(lower.contains("wildcard") || lower.contains("flex") || lower.contains("cloud"))
            .with_multi_domain(!lower.contains("wildcard"))
            .with_max_names(Some(250))
            .with_periods_months(vec![12, 24, 36])
            .with_dcv_methods(DCV_TABLE.methods())
            .with_required_fields(if validation == ValidationLevel::Dv { vec![] } else { vec!["organization.id"] })
    });
    if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
        rules.name = n.to_owned();
    }
    if validation_type.is_some() {
        rules.validation = validation;
    }
    if let Some(y) = years.filter(|y| !y.is_empty()) {
        rules.periods_months = y.iter().filter(|y| (1..=3).contains(*y)).map(|y| (*y * 12) as u32).collect();
    }
    rules
}

/// Rules from `GET /product/{id}` (see [`merge_rules`]).
pub fn rules_from_info(info: &g::ProductInfo) -> ProductRules {
    merge_rules(
        &info.name_id,
        Some(&info.name),
        info.validation_type.as_deref(),
        info.allowed_validity_years.as_deref(),
    )
}

/// A listing entry as a neutral order (no DCV details: `get` reads one in full).
pub fn from_list_item(item: &g::OrderListItem) -> Order {
    let raw_status = item.status.as_str().to_owned();
    let mut o = Order::new(NAME, item.id.to_string(), STATUSES.neutral(&raw_status), raw_status);
    o.dns_names = cert_names(item.certificate.common_name.as_ref(), item.certificate.dns_names.as_ref());
    o.common_name = o.dns_names.first().cloned().unwrap_or_default();
    o.certificate_id = item.certificate.id.map(|i| i.to_string());
    o.product = item.product.as_ref().and_then(|p| p.name_id.clone());
    o.created = item.date_created.as_deref().and_then(parse_date);
    o.coverage_ends = item.order_valid_till.as_deref().and_then(parse_date);
    o.raw = serde_json::to_value(item).ok();
    o
}

impl DigiCertClient {
    /// Map an order-info body to the neutral order. `random` overrides the random value (known right after
    /// placing or changing the method). An issued order's certificate is downloaded; when that fails the order
    /// still reads, with a `download_failed` warning.
    pub async fn to_neutral(&self, info: g::OrderInfo, random: Option<String>) -> Result<Order> {
        let raw_status = info.status.as_str().to_owned();
        let status = STATUSES.neutral(&raw_status);
        let cert = info.certificate.as_ref();
        let mut order = Order::new(NAME, info.id.to_string(), status, raw_status);
        order.dns_names =
            cert_names(cert.and_then(|c| c.common_name.as_ref()), cert.and_then(|c| c.dns_names.as_ref()));
        order.common_name = cert.and_then(|c| c.common_name.clone()).unwrap_or_default();
        let wire_method = info.dcv_method.clone().unwrap_or_else(|| "email".into());
        let random = random.or_else(|| info.dcv_random_value.clone());
        let dcv_status = match status {
            OrderStatus::Issued | OrderStatus::Processing => DcvStatus::Valid,
            OrderStatus::PendingValidation | OrderStatus::PendingApproval => DcvStatus::Pending,
            _ => DcvStatus::Unknown,
        };
        let method = DCV_TABLE.neutral(&wire_method);
        order.dcv = order
            .dns_names
            .iter()
            .map(|host| {
                let emails = info.dcv_emails.iter().flatten().filter(|e| e.dns_name == *host);
                let approvers = emails.filter_map(|e| e.email.clone()).collect();
                let check = kit::token_check(method, host, random.as_deref(), Some(CNAME_TARGET), approvers);
                DcvInstruction::new(host.clone(), wire_method.as_str(), dcv_status, check)
            })
            .collect();
        order.coverage_ends = info.order_valid_till.as_deref().and_then(parse_date);
        order.created = info.date_created.as_deref().and_then(parse_date);
        order.product = info.product.as_ref().and_then(|p| p.name_id.clone());
        order.certificate_id = cert.and_then(|c| c.id).map(|i| i.to_string());
        if let (OrderStatus::Issued, Some(cert_id)) = (status, cert.and_then(|c| c.id)) {
            let read = async {
                let b = bundle(self, cert_id).await?;
                ssl_core::x509::certificate_info(&b.leaf_pem).map_err(|m| Error::decode("download_by_format", 200, m))
            };
            match read.await {
                Ok(info) => order.certificate = Some(info),
                Err(e) => order.warnings.push(Warning::new("download_failed", e.to_string())),
            }
        }
        order.raw = serde_json::to_value(&info).ok();
        Ok(order)
    }
}

#[async_trait]
impl OrderKit for DigiCertClient {
    type Wire = g::OrderRequest;

    /// A product's rules for this account (`GET /product/{id}`, read once per client, over the spec's table);
    /// offline (no credentials) from the table alone.
    async fn rules(&self, product: &str) -> Result<ProductRules> {
        let unknown = || {
            let known: Vec<String> = g::product_table().into_iter().map(|p| p.id).collect();
            Error::Invalid(vec![
                Problem::error(
                    "unknown_product",
                    format!("DigiCert has no product `{product}` for this account; known: {}", known.join(", ")),
                )
                .with_field("product"),
            ])
        };
        if self.api.is_offline() {
            return table_rules(product).ok_or_else(unknown);
        }
        match self.send(&ops::ProductInfo::new(product)).await {
            Ok(info) => Ok(rules_from_info(&info)),
            Err(e) if e.kind() == ssl_core::ErrorKind::NotFound => Err(unknown()),
            Err(e) => Err(e),
        }
    }

    async fn build(&self, b: Build<'_>) -> Result<g::OrderRequest> {
        let renewal = b.renewal_of.map(|r| kit::numeric_id("DigiCert", r)).transpose()?;
        Ok(build_order_request(b.spec, b.rules, renewal, b.problems))
    }

    fn request(&self, wire: &g::OrderRequest, spec: &OrderSpec, _renewal_of: Option<&str>) -> ssl_core::HttpRequest {
        requests::place_order(&spec.product, wire)
    }

    fn lookup(&self, prepared: &PreparedOrder) -> (String, Vec<String>) {
        let cn = &prepared.spec.common_name;
        let digest = prepared.spec.csr.as_deref().map(ssl_core::x509::csr_digest).unwrap_or_default();
        (
            format!("GET {}/order/certificate?filters[common_name]={cn}", self.base_url()),
            vec![
                format!("common_name={cn}"),
                format!("product={}", prepared.spec.product),
                format!("csr_sha256={digest}"),
            ],
        )
    }

    fn created_id(&self, answer: &Response) -> Option<String> {
        kit::json_id(answer, "id")
    }

    async fn read(&self, order_id: &str, answer: &Response) -> Result<Order> {
        let random = answer.json::<Value>().ok().and_then(|v| v.get("dcv_random_value")?.as_str().map(str::to_owned));
        let info = self.send(&ops::OrderInfo::new(parse_id(order_id)?)).await?;
        self.to_neutral(info, random).await
    }
}

#[async_trait]
impl Provider for DigiCertClient {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(DCV_TABLE).without(&[Verb::Quote, Verb::Submit])
    }

    fn dcv_table(&self) -> DcvTable {
        DCV_TABLE
    }

    async fn products(&self) -> Result<Vec<ProductRules>> {
        if self.api.is_offline() {
            return Ok(g::product_table());
        }
        let list = self.send(&ops::ProductList::new()).await?.products.unwrap_or_default();
        Ok(list
            .iter()
            .map(|p| merge_rules(&p.name_id, p.name.as_deref(), p.validation_type.as_deref(), None))
            .collect())
    }

    async fn product(&self, id: &str) -> Result<ProductRules> {
        self.rules(id).await
    }

    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        kit::prepare(self, ssl_csr::CHECKS, spec, None).await
    }

    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        parse_id(order_id)?;
        kit::prepare(self, ssl_csr::CHECKS, spec, Some(order_id)).await
    }

    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        kit::place(self, prepared).await
    }

    async fn quote(&self, _spec: &OrderSpec) -> Result<Quote> {
        Err(Error::Unsupported { provider: NAME, verb: "quote (CertCentral has no price API)".into() })
    }

    async fn get(&self, order_id: &str) -> Result<Order> {
        let info = self.send(&ops::OrderInfo::new(parse_id(order_id)?)).await?;
        self.to_neutral(info, None).await
    }

    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        let (offset, limit) = ssl_core::paging::offset_limit(&filter.page, 100, 1000)?;
        let status = filter.status.and_then(|s| STATUSES.wire(s));
        let mut op = ops::OrderList::new().limit(limit.to_string()).offset(offset.to_string());
        (op.filters_common_name, op.filters_status) = (filter.common_name.clone(), status.map(str::to_owned));
        let list = self.send(&op).await?;
        let items = list.orders;
        let total = list.page.as_ref().and_then(|p| p.total).and_then(|t| u64::try_from(t).ok());
        let next = ssl_core::paging::next_offset(offset, limit, items.len(), total);
        let orders = items.iter().map(from_list_item).filter(|o| filter.matches(o)).collect();
        Ok(OrderPage::new(orders, next, total))
    }

    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order> {
        let id = parse_id(order_id)?;
        let wire = wire_dcv(method)?;
        let info = self.send(&ops::OrderInfo::new(&id)).await?;
        let cert = info.certificate.as_ref();
        let names = cert_names(cert.and_then(|c| c.common_name.as_ref()), cert.and_then(|c| c.dns_names.as_ref()));
        kit::no_file_dcv_for_wildcards(method, names.iter().map(String::as_str))?;
        let random = self.send(&ops::ChangeDcvMethod::new(&id, g::ChangeDcvMethodRequest::new(wire))).await?;
        let info = self.send(&ops::OrderInfo::new(id)).await?;
        self.to_neutral(info, random.dcv_random_value).await
    }

    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        let id = parse_id(order_id)?;
        match self.send(&ops::CheckDcv::new(id)).await {
            Ok(_) => {}
            // DigiCert answers 400 (invalid_dns_txt, file_random_value_not_found...) while the record is not
            // there yet: the order is still pending, which `get` reports.
            Err(Error::Provider(p)) if p.status == 400 => {
                tracing::info!(code = ?p.code, "DCV check did not pass yet: {}", p.message);
            }
            Err(e) => return Err(e),
        }
        self.get(order_id).await
    }

    async fn download(&self, order_id: &str) -> Result<CertificateBundle> {
        let info = self.send(&ops::OrderInfo::new(parse_id(order_id)?)).await?;
        kit::downloadable(order_id, STATUSES.neutral(info.status.as_str()), info.status.as_str())?;
        let Some(cert_id) = info.certificate.as_ref().and_then(|c| c.id) else {
            return Err(Error::Invalid(vec![Problem::error("not_issued", "the order has no certificate yet")]));
        };
        bundle(self, cert_id).await
    }

    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        let id = parse_id(order_id)?;
        let mut cert = g::ReissueCertificate::new()
            .server_platform(g::ServerPlatform::new(-1))
            .signature_hash(g::SignatureHash::Sha256);
        if let Some(csr) = &spec.csr {
            cert = cert.csr(kit::reissue_csr(&ssl_csr::CHECKS, Some(csr), None)?);
        }
        if let Some(cn) = &spec.common_name {
            cert = cert.common_name(cn.clone());
        }
        if let Some(sans) = &spec.sans {
            cert = cert.dns_names(sans.clone());
        }
        let mut body = g::ReissueRequest::new(cert);
        if let Some(m) = spec.dcv {
            body = body.dcv_method(wire_dcv(m)?);
        }
        body = body.skip_approval(true);
        self.send(&ops::Reissue::new(id, body)).await?;
        self.get(order_id).await.map_err(|e| e.placed_unreadable(NAME, "reissue", Some(order_id.to_owned()), None))
    }

    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        let mut body = g::StatusChangeRequest::new(g::StatusChangeRequestStatus::Canceled);
        body.note = kit::reason(reason);
        self.send(&ops::UpdateOrderStatus::new(parse_id(order_id)?, body)).await
    }

    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        let mut body = g::RevokeRequest::new();
        body.comments = kit::reason(reason);
        self.send(&ops::RevokeOrder::new(parse_id(order_id)?, body)).await.map(drop)
    }
}
