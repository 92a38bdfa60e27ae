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

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde_json::Value;
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvInstruction, DcvMethod, DcvStatus, DcvTable, DnsRecord, EmailDcv, HttpFile,
    Order, OrderSpec, OrderStatus, ProductRules, Quote, ReissueSpec, ValidationLevel, Verb,
};
use ssl_core::problem::has_errors;
use ssl_core::{Error, PreparedOrder, Problem, Provider, Result};

use crate::DigiCertClient;
use crate::generated::{self as g};

/// Neutral ↔ DigiCert DCV names. The first row of a wire name is its neutral reading.
pub const DCV_TABLE: DcvTable = DcvTable(&[
    (DcvMethod::Dns, "dns-txt-token"),
    (DcvMethod::DnsTxt, "dns-txt-token"),
    (DcvMethod::DnsCname, "dns-cname-token"),
    (DcvMethod::Http, "http-token"),
    (DcvMethod::Email, "email"),
]);

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

/// Map a raw DigiCert order status to the neutral one (table in the module docs).
pub fn map_status(raw: &str) -> OrderStatus {
    match raw.to_ascii_lowercase().as_str() {
        "needs_approval" => OrderStatus::PendingApproval,
        "pending" => OrderStatus::PendingValidation,
        "approved" | "processing" | "reissue_pending" | "waiting_pickup" => OrderStatus::Processing,
        "issued" => OrderStatus::Issued,
        "rejected" => OrderStatus::Rejected,
        "canceled" | "cancelled" => OrderStatus::Cancelled,
        "revoked" => OrderStatus::Revoked,
        "expired" => OrderStatus::Expired,
        _ => OrderStatus::Unknown,
    }
}

fn parse_id(order_id: &str) -> Result<i64> {
    order_id.trim().parse::<i64>().map_err(|_| {
        Error::Invalid(vec![
            Problem::error("bad_order_id", format!("DigiCert order ids are numbers; got `{order_id}`"))
                .with_field("order_id"),
        ])
    })
}

fn wire_dcv(method: DcvMethod) -> Option<g::DcvMethod> {
    DCV_TABLE.wire(method).and_then(|w| w.parse().ok())
}

/// The rules of a product: the committed table in the spec, else derived from `GET /product/{id}`.
fn table_rules(id: &str) -> Option<ProductRules> {
    g::product_table().into_iter().find(|p| p.id == id)
}

/// Build the wire order from a neutral spec (no pre-flight here: see [`DigiCertClient::prepare`]). Problems
/// specific to the mapping (unknown options, per-host DCV, approver domains) are appended to `problems`.
pub fn build_order_request(
    spec: &OrderSpec,
    rules: &ProductRules,
    renewal_of: Option<i64>,
    problems: &mut Vec<Problem>,
) -> g::OrderRequest {
    for key in spec.options.keys() {
        if !OPTIONS.contains(&key.as_str()) {
            problems.push(
                Problem::error(
                    "unknown_option",
                    format!("unknown DigiCert option `{key}`; known: {}", OPTIONS.join(", ")),
                )
                .with_field(key.clone()),
            );
        }
    }
    let names = spec.all_names();
    let distinct: std::collections::BTreeSet<DcvMethod> = names.iter().map(|h| spec.dcv_method_for(h)).collect();
    if distinct.len() > 1 {
        problems.push(
            Problem::error("dcv_not_allowed", "DigiCert uses one DCV method per order; per-host methods differ")
                .with_field("dcv"),
        );
    }
    let dcv = wire_dcv(spec.dcv).unwrap_or_else(|| g::DcvMethod::Unknown(spec.dcv.as_str().to_owned()));

    let mut cert = g::OrderCertificate::new(spec.common_name.clone(), spec.csr.clone().unwrap_or_default());
    if !spec.sans.is_empty() {
        cert = cert.dns_names(spec.sans.clone());
    }
    let platform = spec.option_i64("server_platform", problems).unwrap_or(-1);
    cert = cert.server_platform(g::ServerPlatform::new(platform));
    let hash = spec.option_str("signature_hash").unwrap_or_else(|| "sha256".into());
    cert = cert.signature_hash(hash.parse::<g::SignatureHash>().unwrap_or(g::SignatureHash::Unknown(hash)));
    if let Some(Value::Array(units)) = spec.options.get("organization_units") {
        cert = cert.organization_units(units.iter().filter_map(|u| u.as_str().map(str::to_owned)).collect::<Vec<_>>());
    }

    let mut order = g::OrderRequest::new(cert, dcv);
    // Validity precedence: custom_expiration_date > validity_days > validity_years (from the term).
    if let Some(date) = spec.option_str("custom_expiration_date").filter(|d| !d.trim().is_empty()) {
        order = order.custom_expiration_date(date);
    } else if let Some(days) = spec.option_i64("validity_days", problems) {
        order = order.validity_days(days);
    } else {
        let years = if spec.term_months % 12 == 0 { i64::from(spec.term_months / 12) } else { 0 };
        if years == 0 {
            problems.push(
                Problem::error(
                    "period_not_offered",
                    format!("DigiCert sells whole years; {} months is not 12, 24 or 36", spec.term_months),
                )
                .with_field("term_months"),
            );
        }
        order = order.validity_years(years.max(1));
    }
    if rules.validation != ValidationLevel::Dv
        || spec.contacts.organization.as_ref().and_then(|o| o.id.as_ref()).is_some()
    {
        if let Some(id) = spec.contacts.organization.as_ref().and_then(|o| o.id.as_deref()) {
            match id.trim().parse::<i64>() {
                Ok(n) => order = order.organization(g::OrganizationRef::new(n)),
                Err(_) => problems.push(
                    Problem::error("field_format", format!("DigiCert organization ids are numbers; got `{id}`"))
                        .with_field("organization.id"),
                ),
            }
        }
    }
    if spec.dcv == DcvMethod::Email {
        let mut emails = Vec::new();
        for host in &names {
            if let Some(email) = spec.approver_for(host) {
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
                emails.push(g::DcvEmail::new(host.to_string(), domain).email(email));
            }
        }
        if !emails.is_empty() {
            order = order.dcv_emails(emails);
        }
    }
    if let Some(tech) = &spec.contacts.tech {
        let need = |v: &Option<String>, f: &str, problems: &mut Vec<Problem>| {
            if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
                problems.push(
                    Problem::error("field_required", format!("technical contact needs `{f}`"))
                        .with_field(format!("tech.{f}")),
                );
            }
            v.clone().unwrap_or_default()
        };
        let c = g::TechnicalContact::new(
            need(&tech.first_name, "first_name", problems),
            need(&tech.last_name, "last_name", problems),
            need(&tech.phone, "phone", problems),
            need(&tech.email, "email", problems),
        );
        order = order.technical_contact(match &tech.title {
            Some(t) => c.job_title(t.clone()),
            None => c,
        });
    }
    if let Some(pm) = spec.option_str("payment_method") {
        order = order.payment_method(
            pm.parse::<g::OrderRequestPaymentMethod>().unwrap_or(g::OrderRequestPaymentMethod::Unknown(pm)),
        );
    }
    if let Some(c) = spec.option_str("comments") {
        order = order.comments(c);
    }
    if let Some(b) = spec.option_bool("skip_approval", problems) {
        order = order.skip_approval(b);
    }
    if let Some(b) = spec.option_bool("disable_ct", problems) {
        order = order.disable_ct(b);
    }
    if let Some(b) = spec.option_bool("disable_renewal_notifications", problems) {
        order = order.disable_renewal_notifications(b);
    }
    if let Some(id) = spec.option_i64("container_id", problems) {
        order = order.container(g::ContainerRef::new(id));
    }
    if let Some(l) = spec.option_str("locale") {
        order = order.locale(l);
    }
    if let Some(n) = spec.option_i64("auto_renew", problems) {
        order = order.auto_renew(n);
    }
    if let Some(n) = spec.option_i64("auto_reissue", problems) {
        order = order.auto_reissue(n);
    }
    if let Some(m) = spec.option_str("custom_renewal_message") {
        order = order.custom_renewal_message(m);
    }
    if let Some(id) = renewal_of {
        order = order.renewal_of_order_id(id);
    }
    order
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

/// DCV instructions for every host of an order, from its method and random value.
pub fn dcv_instructions(
    hosts: &[String],
    wire_method: &str,
    random: Option<&str>,
    status: DcvStatus,
    approvers: &BTreeMap<String, Vec<String>>,
) -> Vec<DcvInstruction> {
    let method = DCV_TABLE.neutral(wire_method).unwrap_or(DcvMethod::Dns);
    hosts
        .iter()
        .map(|host| {
            let bare = host.trim_start_matches("*.");
            let (dns, http, email) = match (wire_method, random) {
                ("dns-txt-token", Some(r)) => (
                    Some(DnsRecord {
                        name: format!("_dnsauth.{bare}"),
                        record_type: "TXT".into(),
                        value: r.to_owned(),
                    }),
                    None,
                    None,
                ),
                ("dns-cname-token", Some(r)) => (
                    Some(DnsRecord {
                        name: format!("{r}.{bare}"),
                        record_type: "CNAME".into(),
                        value: "dcv.digicert.com".into(),
                    }),
                    None,
                    None,
                ),
                ("http-token" | "http-token-dynamic", Some(r)) => (
                    None,
                    Some(HttpFile {
                        url: format!("http://{bare}/.well-known/pki-validation/fileauth.txt"),
                        content: r.to_owned(),
                    }),
                    None,
                ),
                ("email", _) => (
                    None,
                    None,
                    Some(EmailDcv { approvers: approvers.get(host.as_str()).cloned().unwrap_or_default() }),
                ),
                _ => (None, None, None),
            };
            DcvInstruction {
                host: host.clone(),
                method,
                provider_method: wire_method.to_owned(),
                status,
                dns,
                http,
                email,
            }
        })
        .collect()
}

impl DigiCertClient {
    async fn rules(&self, product: &str) -> Result<ProductRules> {
        if let Some(r) = table_rules(product) {
            return Ok(r);
        }
        let info = self.product_info(product).await?;
        Ok(rules_from_info(&info))
    }

    /// Map an order-info body to the neutral order. `random` overrides the random value (known right after
    /// placing or changing the method).
    pub async fn to_neutral(&self, info: g::OrderInfo, random: Option<String>) -> Result<Order> {
        let raw_status = info.status.as_str().to_owned();
        let status = map_status(&raw_status);
        let cert = info.certificate.as_ref();
        let common_name = cert.and_then(|c| c.common_name.clone()).unwrap_or_default();
        let mut dns_names = vec![common_name.clone()];
        for n in cert.and_then(|c| c.dns_names.clone()).unwrap_or_default() {
            if !dns_names.iter().any(|d| d.eq_ignore_ascii_case(&n)) {
                dns_names.push(n);
            }
        }
        dns_names.retain(|n| !n.is_empty());
        let wire_method = info.dcv_method.clone().unwrap_or_else(|| "email".into());
        let random = random.or_else(|| info.dcv_random_value.clone());
        let dcv_status = match status {
            OrderStatus::Issued | OrderStatus::Processing => DcvStatus::Valid,
            OrderStatus::PendingValidation | OrderStatus::PendingApproval => DcvStatus::Pending,
            _ => DcvStatus::Unknown,
        };
        let mut approvers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in info.dcv_emails.clone().unwrap_or_default() {
            if let Some(addr) = e.email {
                approvers.entry(e.dns_name).or_default().push(addr);
            }
        }
        let dcv = dcv_instructions(&dns_names, &wire_method, random.as_deref(), dcv_status, &approvers);
        let coverage_ends = info.order_valid_till.as_deref().and_then(ssl_core::model::parse_date);
        let certificate = match (status, cert.and_then(|c| c.id)) {
            (OrderStatus::Issued, Some(cert_id)) => {
                let pem = self.download_certificate(cert_id, "pem_all").await?;
                let bundle = bundle(&pem)?;
                Some(
                    ssl_core::x509::certificate_info(&bundle.leaf_pem)
                        .map_err(|m| Error::decode("download_by_format", 200, m))?,
                )
            }
            _ => None,
        };
        Ok(Order {
            provider: "digicert".into(),
            order_id: info.id.to_string(),
            status,
            provider_status: raw_status,
            common_name,
            dns_names,
            dcv,
            coverage_ends,
            certificate,
            raw: serde_json::to_value(&info).ok(),
        })
    }

    async fn prepare_inner(
        &self,
        spec: &OrderSpec,
        renewal_of: Option<i64>,
    ) -> Result<(g::OrderRequest, Vec<Problem>)> {
        let rules = match self.rules(&spec.product).await {
            Ok(r) => r,
            Err(e) if e.kind() == ssl_core::ErrorKind::NotFound => {
                let known: Vec<String> = g::product_table().into_iter().map(|p| p.id).collect();
                return Err(Error::Invalid(vec![
                    Problem::error(
                        "unknown_product",
                        format!("DigiCert has no product `{}`; known: {}", spec.product, known.join(", ")),
                    )
                    .with_field("product"),
                ]));
            }
            Err(e) => return Err(e),
        };
        let csr = spec.csr.as_deref().map(|pem| ssl_csr::inspect(pem.as_bytes()));
        let mut problems = ssl_csr::preflight(spec, csr.as_ref(), &rules, &DCV_TABLE);
        if spec.csr.is_none() {
            problems.push(Problem::error("field_required", "a CSR is required to order").with_field("csr"));
        }
        let order = build_order_request(spec, &rules, renewal_of, &mut problems);
        problems.extend(ssl_core::validate::Validate::validate(&order));
        if has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        Ok((order, problems))
    }
}

fn bundle(pem: &str) -> Result<CertificateBundle> {
    let pems = ssl_core::x509::split_pem_certificates(pem);
    ssl_core::x509::bundle_from_pems(&pems).map_err(|m| Error::decode("download_by_format", 200, m))
}

/// Rules for a product missing from the committed table, from `GET /product/{id}`.
pub fn rules_from_info(info: &g::ProductInfo) -> ProductRules {
    let id = info.name_id.clone();
    let lower = id.to_ascii_lowercase();
    let validation = if lower.contains("_ev") {
        ValidationLevel::Ev
    } else if lower.contains("_dv") {
        ValidationLevel::Dv
    } else {
        ValidationLevel::Ov
    };
    let years = info.allowed_validity_years.clone().unwrap_or_else(|| vec![1, 2, 3]);
    ProductRules {
        name: info.name.clone(),
        validation,
        wildcard: lower.contains("wildcard") || lower.contains("flex") || lower.contains("cloud"),
        multi_domain: !lower.contains("wildcard"),
        max_names: Some(250),
        periods_months: years.into_iter().filter(|y| (1..=3).contains(y)).map(|y| (y * 12) as u32).collect(),
        dcv_methods: DCV_TABLE.methods(),
        required_fields: if validation == ValidationLevel::Dv { vec![] } else { vec!["organization.id".into()] },
        id,
    }
}

#[async_trait]
impl Provider for DigiCertClient {
    fn name(&self) -> &'static str {
        "digicert"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            verbs: Verb::ALL.into_iter().filter(|v| *v != Verb::Quote).collect(),
            dcv_methods: DCV_TABLE.methods(),
            dcv_per_host: false,
            client_reference: false,
        }
    }

    fn dcv_table(&self) -> DcvTable {
        DCV_TABLE
    }

    async fn products(&self) -> Result<Vec<ProductRules>> {
        Ok(g::product_table())
    }

    async fn product(&self, id: &str) -> Result<ProductRules> {
        self.rules(id).await
    }

    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        let (order, warnings) = self.prepare_inner(spec, None).await?;
        let request = crate::generated::requests::place_order(&spec.product, &order);
        Ok(PreparedOrder { rendered: self.render(&request), request, warnings })
    }

    async fn quote(&self, _spec: &OrderSpec) -> Result<Quote> {
        Err(Error::Unsupported { provider: "digicert", verb: "quote (CertCentral has no price API)".into() })
    }

    async fn place(&self, spec: &OrderSpec) -> Result<Order> {
        let (order, _) = self.prepare_inner(spec, None).await?;
        let created = self.place_order(&spec.product, &order).await?;
        self.after_create(created, spec).await
    }

    async fn get(&self, order_id: &str) -> Result<Order> {
        let info = self.order_info(parse_id(order_id)?).await?;
        self.to_neutral(info, None).await
    }

    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order> {
        let id = parse_id(order_id)?;
        let Some(wire) = wire_dcv(method) else {
            return Err(Error::Invalid(vec![
                Problem::error(
                    "dcv_not_allowed",
                    format!(
                        "DigiCert has no `{method}` DCV; it offers {}",
                        DCV_TABLE.methods().iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_field("dcv"),
            ]));
        };
        let info = self.order_info(id).await?;
        let names: Vec<String> = info
            .certificate
            .as_ref()
            .map(|c| {
                std::iter::once(c.common_name.clone().unwrap_or_default())
                    .chain(c.dns_names.clone().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        if method.is_file_based() && names.iter().any(|n| n.starts_with("*.")) {
            return Err(Error::Invalid(vec![
                Problem::error("dcv_not_allowed", "file-based DCV (http) is not allowed for wildcard names")
                    .with_field("dcv"),
            ]));
        }
        let random = self.change_dcv_method(id, wire).await?;
        let info = self.order_info(id).await?;
        self.to_neutral(info, random.dcv_random_value).await
    }

    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        let id = parse_id(order_id)?;
        match self.check_dcv(id).await {
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
        let info = self.order_info(parse_id(order_id)?).await?;
        let status = map_status(info.status.as_str());
        let Some(cert_id) = info.certificate.as_ref().and_then(|c| c.id) else {
            return Err(Error::Invalid(vec![Problem::error("not_issued", "the order has no certificate yet")]));
        };
        if !matches!(status, OrderStatus::Issued | OrderStatus::Expired | OrderStatus::Revoked) {
            return Err(Error::Invalid(vec![Problem::error(
                "not_issued",
                format!("order {order_id} is {} ({}); nothing to download yet", status, info.status.as_str()),
            )]));
        }
        bundle(&self.download_certificate(cert_id, "pem_all").await?)
    }

    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        let id = parse_id(order_id)?;
        let mut cert = g::ReissueCertificate::new()
            .server_platform(g::ServerPlatform::new(-1))
            .signature_hash(g::SignatureHash::Sha256);
        if let Some(csr) = &spec.csr {
            let info = ssl_csr::inspect(csr.as_bytes());
            let errors: Vec<Problem> = info.problems.iter().filter(|p| p.is_error()).cloned().collect();
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            cert = cert.csr(csr.clone());
        }
        if let Some(cn) = &spec.common_name {
            cert = cert.common_name(cn.clone());
        }
        if let Some(sans) = &spec.sans {
            cert = cert.dns_names(sans.clone());
        }
        let mut body = g::ReissueRequest::new(cert);
        if let Some(m) = spec.dcv {
            match wire_dcv(m) {
                Some(w) => body = body.dcv_method(w),
                None => {
                    return Err(Error::Invalid(vec![Problem::error(
                        "dcv_not_allowed",
                        format!("DigiCert has no `{m}` DCV"),
                    )]));
                }
            }
        }
        body = body.skip_approval(true);
        self.reissue_order(id, &body).await?;
        self.get(order_id).await
    }

    async fn renew(&self, order_id: &str, spec: &OrderSpec) -> Result<Order> {
        let previous = parse_id(order_id)?;
        let (order, _) = self.prepare_inner(spec, Some(previous)).await?;
        let created = self.place_order(&spec.product, &order).await?;
        self.after_create(created, spec).await
    }

    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        self.cancel_order(parse_id(order_id)?, reason).await
    }

    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        self.revoke_order(parse_id(order_id)?, reason).await
    }
}

impl DigiCertClient {
    async fn after_create(&self, created: g::OrderCreated, spec: &OrderSpec) -> Result<Order> {
        // The order exists now; if reading it back fails, still report the id so nothing is lost.
        match self.order_info(created.id).await {
            Ok(info) => self.to_neutral(info, created.dcv_random_value.clone()).await,
            Err(e) => {
                tracing::warn!("order {} placed but could not be read back: {e}", created.id);
                let names: Vec<String> = spec.all_names().into_iter().map(str::to_owned).collect();
                let wire = DCV_TABLE.wire(spec.dcv).unwrap_or("email");
                Ok(Order {
                    provider: "digicert".into(),
                    order_id: created.id.to_string(),
                    status: OrderStatus::PendingValidation,
                    provider_status: "pending".into(),
                    common_name: spec.common_name.clone(),
                    dcv: dcv_instructions(
                        &names,
                        wire,
                        created.dcv_random_value.as_deref(),
                        DcvStatus::Pending,
                        &BTreeMap::new(),
                    ),
                    dns_names: names,
                    coverage_ends: None,
                    certificate: None,
                    raw: serde_json::to_value(&created).ok(),
                })
            }
        }
    }
}
