//! Realtime Register as an [`ssl_core::Provider`]: the tables and mappings the kit's pipeline runs on. The tables
//! themselves are in the crate docs.

use async_trait::async_trait;
use ssl_core::kit::{self, Build, OrderKit};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvCheck, DcvInstruction, DcvMethod, DcvStatus, DcvTable, DnsRecord, HttpFile,
    Order, OrderFilter, OrderPage, OrderSpec, OrderStatus, ProductRules, Quote, QuoteLine, ReissueSpec,
    ValidationLevel, Verb, Warning, parse_date,
};
use ssl_core::validate::Validate;
use ssl_core::{ClientKit, Error, HttpRequest, PreparedOrder, Problem, Provider, Response, Result};

use crate::RtrClient;
use crate::generated::{self as g, requests};
use crate::mapping::{self, cents, dns_record_name, file_url, normalize_voice};

const NAME: &str = "rtr";

/// Neutral ↔ RTR DCV types.
pub const DCV_TABLE: DcvTable =
    DcvTable::new(&[(DcvMethod::Email, "EMAIL"), (DcvMethod::Dns, "DNS"), (DcvMethod::Http, "FILE")]);

/// The `--option`s: request fields without a neutral home, by their wire name.
pub const OPTIONS: &[&str] = &["coc", "saEmail", "language", "department", "authKey", "uniqueValue"];

/// Request fields RTR takes from the CSR when they are not sent (product `requiredFields` are then satisfied).
const FROM_CSR: &[(&str, &str)] = &[
    ("organization", "O"),
    ("address", "street"),
    ("postalCode", "postalCode"),
    ("city", "L"),
    ("state", "ST"),
    ("country", "C"),
];

/// The approver's contact fields (`approver` in a product's `requiredFields`).
const APPROVER: &[&str] = &["admin.first_name", "admin.last_name", "admin.email", "admin.phone"];

/// The wire order: the request body, and for a renewal the certificate it renews (resolved from the process).
#[derive(Debug, Clone)]
pub struct Wire {
    /// `POST /ssl/certificates` body (a renewal sends it as a `RenewRequest`: no `customer`, no `country`).
    pub body: g::CertificateRequest,
    /// The certificate a renewal renews.
    pub renews: Option<String>,
}

impl Validate for Wire {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        self.body.validate_at(prefix, out);
    }
}

fn listed(list: &Option<Vec<String>>, field: &str) -> bool {
    list.iter().flatten().any(|f| f == field)
}

/// A product's rules for the pre-flight, from `GET /ssl/products/{product}`.
pub fn product_rules(p: &g::Product) -> ProductRules {
    let features = p.features.clone().unwrap_or_default();
    let kind = p.certificate_type.clone();
    let multi = kind == Some(g::CertificateType::MultiDomain);
    let www = features.iter().any(|f| matches!(f, g::ProductFeature::WwwIncluded | g::ProductFeature::NonWwwIncluded));
    let wildcard_only = kind == Some(g::CertificateType::Wildcard);
    ProductRules::new(
        p.product.clone(),
        p.name.clone().unwrap_or_else(|| p.product.clone()),
        match p.validation_type {
            Some(g::ValidationType::OrganizationValidation) => ValidationLevel::Ov,
            Some(g::ValidationType::ExtendedValidation) => ValidationLevel::Ev,
            _ => ValidationLevel::Dv,
        },
    )
    .with_wildcard(wildcard_only || features.contains(&g::ProductFeature::Wildcard))
    .with_multi_domain(multi || www)
    .with_max_names(if multi { p.max_domains.and_then(|m| u32::try_from(m).ok()) } else { Some(1 + u32::from(www)) })
    .with_periods_months(p.periods.iter().flatten().filter_map(|m| u32::try_from(*m).ok()).collect())
    .with_dcv_methods(DCV_TABLE.methods().into_iter().filter(|m| !(wildcard_only && m.is_file_based())).collect())
    .with_required_fields(if listed(&p.required_fields, "approver") {
        APPROVER.iter().map(|f| (*f).to_owned()).collect()
    } else {
        Vec::new()
    })
}

fn err(code: &str, field: impl Into<String>, message: String) -> Problem {
    Problem::error(code, message).with_field(field)
}

/// The `dcv` entry of one name.
fn dcv_entry(spec: &OrderSpec, host: &str) -> g::Dcv {
    let method = spec.dcv_method_for(host);
    let entry = g::Dcv::new(host, g::DcvType::from_wire(DCV_TABLE.wire(method).unwrap_or(method.as_str())));
    match spec.approver_for(host) {
        Some(email) if method == DcvMethod::Email => entry.email(email),
        _ => entry,
    }
}

/// The free www/non-www name of `cn` (`www.` added or removed).
fn free_name(cn: &str, name: &str) -> bool {
    name.strip_prefix("www.") == Some(cn) || cn.strip_prefix("www.") == Some(name)
}

/// Build the request body from a neutral spec and the product (the kit ran the pre-flight). `san` goes only to
/// `MULTI_DOMAIN` products, never empty; address fields the CSR carries are not required; `approver` comes from
/// the admin contact when the product requires it.
pub fn build_request(
    spec: &OrderSpec,
    p: &g::Product,
    customer: &str,
    problems: &mut Vec<Problem>,
) -> g::CertificateRequest {
    problems.extend(kit::unknown_options(NAME, spec, OPTIONS));
    let months = i64::from(spec.term_months);
    let mut b =
        g::CertificateRequest::new(customer, spec.product.clone(), months, spec.csr.clone().unwrap_or_default());
    let required = |f: &str| listed(&p.required_fields, f);
    let accepted = |f: &str| required(f) || listed(&p.optional_fields, f);
    let names: Vec<&str> = if p.certificate_type == Some(g::CertificateType::MultiDomain) {
        if !spec.sans.is_empty() {
            b.san = Some(spec.sans.clone());
        }
        spec.all_names()
    } else {
        for s in spec.sans.iter().filter(|s| !free_name(&spec.common_name, s)) {
            problems.push(err("product_rule", "sans", format!("`{s}`: product `{}` is not multi-domain", p.product)));
        }
        vec![spec.common_name.as_str()]
    };
    b.dcv = Some(names.iter().map(|h| dcv_entry(spec, h)).collect());
    if required("domainName") {
        b.domain_name = Some(spec.common_name.clone());
    }
    let subject = spec.csr.as_deref().map(|c| ssl_csr::inspect(c.as_bytes()).subject).unwrap_or_default();
    let org = spec.contacts.organization.clone().unwrap_or_default();
    let from_org = [&org.name, &org.address, &org.postal_code, &org.city, &org.region, &org.country];
    let slots = [&mut b.organization, &mut b.address, &mut b.postal_code, &mut b.city, &mut b.state, &mut b.country];
    let paths = ["name", "address", "postal_code", "city", "region", "country"];
    for (((slot, value), (field, csr_key)), path) in slots.into_iter().zip(from_org).zip(FROM_CSR).zip(paths) {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) if accepted(field) => *slot = Some(v.to_owned()),
            None if required(field) && !subject.contains_key(*csr_key) => problems.push(err(
                "field_required",
                format!("organization.{path}"),
                format!("product `{}` requires `{field}` (not in the CSR)", p.product),
            )),
            _ => {}
        }
    }
    for (key, slot) in [
        ("coc", &mut b.coc),
        ("saEmail", &mut b.sa_email),
        ("department", &mut b.department),
        ("uniqueValue", &mut b.unique_value),
    ] {
        *slot = spec.option_str(key);
        if slot.is_none() && required(key) && (key != "department" || !subject.contains_key("OU")) {
            problems.push(err("field_required", key, format!("product `{}` requires `--option {key}=…`", p.product)));
        }
    }
    b.language = spec.option_str("language").map(|l| g::Language::from_wire(&l.to_ascii_uppercase()));
    b.auth_key = spec.option_bool("authKey", problems);
    if required("approver") {
        let a = spec.contacts.admin.clone().unwrap_or_default();
        let phone = a.phone.clone().unwrap_or_default();
        let voice = normalize_voice(&phone).unwrap_or_else(|| {
            if !phone.trim().is_empty() {
                problems.push(err(
                    "field_format",
                    "admin.phone",
                    format!("`{phone}` is not +CC.NUMBER (+31.201234567)"),
                ));
            }
            phone
        });
        let (first, last) = (a.first_name.unwrap_or_default(), a.last_name.unwrap_or_default());
        let mut approver = g::Approver::new(first, last, a.email.unwrap_or_default(), voice);
        approver.job_title = a.title.filter(|t| !t.trim().is_empty());
        b.approver = Some(approver);
    }
    b
}

/// The renewal body: the request without `customer`, `country`, `saLanguage` and `uniqueValue`.
pub fn renew_request(body: &g::CertificateRequest) -> g::RenewRequest {
    let mut v = serde_json::to_value(body).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        for k in ["customer", "country", "saLanguage", "uniqueValue"] {
            o.remove(k);
        }
    }
    serde_json::from_value(v).unwrap_or_default()
}

/// One DCV instruction from a `validations.dcv[]` entry (a relative `dnsRecord` joined to its `commonName`).
pub fn dcv_instruction(d: &g::DcvValidation, common_name: &str) -> DcvInstruction {
    let host = d.common_name.clone().unwrap_or_else(|| common_name.to_owned());
    let wire = d.r#type.as_ref().map_or_else(String::new, |t| t.as_str().to_owned());
    let status = match d.status {
        Some(g::ValidationStatus::Validated) => DcvStatus::Valid,
        Some(g::ValidationStatus::Waiting) => DcvStatus::Pending,
        Some(g::ValidationStatus::Attention) => DcvStatus::Failed,
        _ => DcvStatus::Unknown,
    };
    let check = match DCV_TABLE.neutral(&wire) {
        Some(m @ DcvMethod::Dns) => DcvCheck::Dns {
            method: m,
            record: d.dns_record.as_ref().map(|r| {
                DnsRecord::new(
                    dns_record_name(r, &host),
                    d.dns_type.clone().unwrap_or_else(|| "TXT".into()),
                    d.dns_contents.clone().unwrap_or_default(),
                )
            }),
        },
        Some(m @ DcvMethod::Http) => DcvCheck::Http {
            method: m,
            file: d
                .file_location
                .as_ref()
                .map(|l| HttpFile::new(file_url(l, &host), d.file_contents.clone().unwrap_or_default())),
        },
        Some(DcvMethod::Email) => DcvCheck::Email { approvers: d.email.iter().cloned().collect() },
        _ => DcvCheck::Unknown,
    };
    DcvInstruction::new(host, wire, status, check)
}

/// The neutral order of a process, its info and its certificate (status order in [`mapping::status`]).
pub fn to_order(
    id: &str,
    process: &g::Process,
    info: &g::CertificateProcessInfo,
    cert: Option<&g::Certificate>,
) -> Order {
    let dcv = info.validations.as_ref().and_then(|v| v.dcv.clone()).unwrap_or_default();
    let status = mapping::status(&process.status, cert.and_then(|c| c.status.as_ref()), &dcv);
    let raw = match cert.and_then(|c| c.status.as_ref()) {
        Some(s) if !matches!(status, OrderStatus::Rejected | OrderStatus::Cancelled) => s.as_str().to_owned(),
        _ => process.status.as_str().to_owned(),
    };
    let mut o = Order::new(NAME, id, status, raw);
    o.common_name = match info.common_name.trim() {
        "" => process.identifier.clone().unwrap_or_default(),
        cn => cn.to_owned(),
    };
    o.dcv = dcv.iter().map(|d| dcv_instruction(d, &o.common_name)).collect();
    o.dns_names = match cert {
        Some(c) => c.domain_name.iter().chain(c.san.iter().flatten()).cloned().collect(),
        None => o.dcv.iter().map(|d| d.host.clone()).collect(),
    };
    if o.dns_names.is_empty() {
        o.dns_names.push(o.common_name.clone());
    }
    o.certificate_id = info.certificate_id.or(cert.map(|c| c.id)).map(|i| i.to_string());
    o.created = process.created_date.as_deref().and_then(parse_date);
    if let Some(c) = cert {
        o.product = c.product.clone();
        o.coverage_ends = c.subscription_end_date.as_deref().or(c.expiry_date.as_deref()).and_then(parse_date);
        o.certificate = c.certificate.as_deref().and_then(|pem| ssl_core::x509::certificate_info(pem).ok());
    }
    if info.requires_attention == Some(true) && !status.is_final() {
        let link = info.one_time_link.as_deref().map(|l| format!(": complete it at {l}")).unwrap_or_default();
        o.attention = Some(format!("Realtime Register needs your action on process {}{link}", process.id));
    }
    o.raw = Some(serde_json::json!({"process": process, "info": info, "certificate": cert}));
    o
}

fn quote_of(q: &g::Quote, product: &str, months: u32) -> Quote {
    let mut out = Quote::new(product, months);
    (out.price, out.currency, out.validated) = (Some(cents(q.total)), q.currency.clone(), true);
    let line = |b: &g::Billable| {
        let qty = b.quantity.and_then(|n| u32::try_from(n).ok());
        QuoteLine::new(b.product.clone().unwrap_or_default(), b.action.clone(), qty, b.total.map(cents))
    };
    out.lines = q.billables.iter().flatten().map(line).collect();
    out
}

impl RtrClient {
    /// `GET /ssl/products/{product}`; an unknown product is [`Error::Invalid`].
    pub async fn product_info(&self, product: &str) -> Result<g::Product> {
        if let Some(p) = self.products.lock().ok().and_then(|c| c.get(product).cloned()) {
            return Ok(p);
        }
        let unknown = |e: Error| match e.kind() {
            ssl_core::ErrorKind::NotFound | ssl_core::ErrorKind::Provider => {
                Error::Invalid(vec![err("unknown_product", "product", format!("no product `{product}`: {e}"))])
            }
            _ => e,
        };
        let p: g::Product = self.call(&requests::get_product(product)).await.map_err(unknown)?;
        if let Ok(mut c) = self.products.lock() {
            c.insert(product.to_owned(), p.clone());
        }
        Ok(p)
    }

    /// Send a request/renew/reissue with `?quote=true`, once; an answer that carries a process id placed it.
    async fn send_quote(&self, req: HttpRequest) -> Result<g::Quote> {
        let answer = self.send(&req.query("quote", "true")).await?;
        if let Some(id) = answer.header("x-process-id") {
            let e = Error::decode(answer.operation, answer.status, "a quote was answered with a process id");
            return Err(e.placed_unreadable(NAME, answer.operation, Some(id.trim().to_owned()), None));
        }
        Ok(answer.json::<g::QuoteResponse>()?.quote)
    }

    async fn reissue_body(&self, order_id: &str, spec: &ReissueSpec) -> Result<(g::Certificate, g::ReissueRequest)> {
        let (process, info) = self.process(order_id).await?;
        let Some(cert) = self.certificate_of(&process, &info).await? else {
            return Err(Error::Invalid(vec![err(
                "not_issued",
                "order_id",
                format!("{order_id} has no certificate yet"),
            )]));
        };
        let csr = kit::reissue_csr(&ssl_csr::CHECKS, spec.csr.as_deref(), cert.csr.as_deref())?;
        let cn = spec.common_name.clone().or(cert.domain_name.clone()).unwrap_or_default();
        let current = info.validations.and_then(|v| v.dcv?.into_iter().next()?.r#type).map(|t| t.as_str().to_owned());
        let method = spec.dcv.or(current.and_then(|t| DCV_TABLE.neutral(&t))).unwrap_or(DcvMethod::Dns);
        kit::dcv_wire(NAME, &DCV_TABLE, method)?;
        let mut os = OrderSpec::new(cert.product.clone().unwrap_or_default(), cn, method);
        os.approver_emails = spec.approver_emails.clone();
        let mut body = g::ReissueRequest::new(csr);
        if cert.certificate_type == Some(g::CertificateType::MultiDomain) {
            os.sans = spec.sans.clone().or(cert.san.clone()).unwrap_or_default();
            body.san = Some(os.sans.clone()).filter(|s| !s.is_empty());
        }
        body.dcv = Some(os.all_names().into_iter().map(|h| dcv_entry(&os, h)).collect());
        Ok((cert, body))
    }
}

#[async_trait]
impl OrderKit for RtrClient {
    type Wire = Wire;

    fn provider(&self) -> &'static str {
        NAME
    }

    fn dcv_table(&self) -> DcvTable {
        DCV_TABLE
    }

    async fn rules(&self, product: &str) -> Result<ProductRules> {
        Ok(product_rules(&self.product_info(product).await?))
    }

    async fn build(&self, build: Build<'_>) -> Result<Wire> {
        let Build { spec, renewal_of, problems, .. } = build;
        let product = self.product_info(&spec.product).await?;
        let renews = match renewal_of {
            Some(id) => Some(self.certificate_id(id).await?),
            None => None,
        };
        Ok(Wire { body: build_request(spec, &product, self.customer(), problems), renews })
    }

    fn request(&self, wire: &Wire, _: &OrderSpec, _: Option<&str>) -> HttpRequest {
        match &wire.renews {
            Some(cert) => requests::renew_certificate(cert, &renew_request(&wire.body), None),
            None => requests::request_certificate(&wire.body, None),
        }
    }

    fn lookup(&self, prepared: &PreparedOrder) -> (String, Vec<String>) {
        let cn = &prepared.spec.common_name;
        let where_ = format!(
            "GET {}/processes?identifier:eq={cn}&order=-createdDate",
            self.base_url().as_str().trim_end_matches('/')
        );
        (where_, vec![format!("identifier={cn}"), format!("product={}", prepared.spec.product)])
    }

    fn created_id(&self, answer: &Response) -> Option<String> {
        answer.header("x-process-id").map(str::trim).filter(|id| !id.is_empty() && *id != "0").map(str::to_owned)
    }

    async fn read(&self, order_id: &str, answer: &Response) -> Result<Order> {
        let info: g::CertificateProcessInfo = answer.json()?;
        let process = self.call(&requests::get_process(order_id)).await?;
        let cert = self.certificate_of(&process, &info).await?;
        Ok(to_order(order_id, &process, &info, cert.as_ref()))
    }
}

#[async_trait]
impl Provider for RtrClient {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(DCV_TABLE).without(&[Verb::Submit]).dcv_per_host().reissue_new_order()
    }

    fn dcv_table(&self) -> DcvTable {
        DCV_TABLE
    }

    async fn products(&self) -> Result<Vec<ProductRules>> {
        let list: g::ProductList = self.call(&requests::list_products(Some("100"), None, None)).await?;
        Ok(list.entities.unwrap_or_default().iter().map(product_rules).collect())
    }

    async fn product(&self, id: &str) -> Result<ProductRules> {
        OrderKit::rules(self, id).await
    }

    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        kit::prepare(self, ssl_csr::CHECKS, spec, None).await
    }

    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        kit::prepare(self, ssl_csr::CHECKS, spec, Some(order_id)).await
    }

    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        kit::place(self, prepared).await
    }

    async fn quote(&self, spec: &OrderSpec) -> Result<Quote> {
        let prepared = kit::prepare(self, ssl_csr::CHECKS, spec, None).await?;
        Ok(quote_of(&self.send_quote(prepared.request).await?, &spec.product, spec.term_months))
    }

    /// The price of renewing `order_id` (`POST /ssl/certificates/{id}/renew?quote=true`); nothing is placed.
    async fn quote_renew(&self, order_id: &str, spec: &OrderSpec) -> Result<Quote> {
        let prepared = kit::prepare(self, ssl_csr::CHECKS, spec, Some(order_id)).await?;
        Ok(quote_of(&self.send_quote(prepared.request).await?, &spec.product, spec.term_months))
    }

    /// The price of a reissue (`POST /ssl/certificates/{id}/reissue?quote=true`); nothing is placed.
    async fn quote_reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Quote> {
        let (cert, body) = self.reissue_body(order_id, spec).await?;
        let q = self.send_quote(requests::reissue_certificate(&cert.id.to_string(), &body, None)).await?;
        Ok(quote_of(&q, cert.product.as_deref().unwrap_or_default(), 0))
    }

    async fn get(&self, order_id: &str) -> Result<Order> {
        let (process, info) = self.process(order_id).await?;
        match self.certificate_of(&process, &info).await {
            Ok(cert) => Ok(to_order(order_id, &process, &info, cert.as_ref())),
            Err(e) => {
                let mut o = to_order(order_id, &process, &info, None);
                o.warnings.push(Warning::new("certificate_unreadable", e.to_string()));
                Ok(o)
            }
        }
    }

    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        let (offset, limit) = ssl_core::paging::offset_limit(&filter.page, 25, 100)?;
        let (off, lim, cn) = (offset.to_string(), limit.to_string(), filter.common_name.as_deref());
        let req = requests::list_processes(Some(&lim), Some(&off), None, Some("-createdDate"), cn, None);
        let list: g::ProcessList = self.call(&req).await?;
        let items = list.entities.unwrap_or_default();
        let total = list.pagination.as_ref().and_then(|p| p.total).and_then(|t| u64::try_from(t).ok());
        let next = ssl_core::paging::next_offset(offset, limit, items.len(), total);
        let not_ssl = ["domain", "contact", "host", "zone", "transfer"];
        let orders = items
            .iter()
            .filter(|p| p.r#type.as_deref().is_none_or(|t| !not_ssl.iter().any(|n| t.to_ascii_lowercase().contains(n))))
            .map(|p| {
                let info = g::CertificateProcessInfo::new(p.identifier.clone().unwrap_or_default());
                let mut o = to_order(&p.id.to_string(), p, &info, None);
                if p.status == g::ProcessStatus::Completed {
                    o.status = OrderStatus::Issued;
                }
                o
            })
            .filter(|o| filter.matches(o))
            .collect();
        Ok(OrderPage::new(orders, next, total))
    }

    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order> {
        let wire = kit::dcv_wire(NAME, &DCV_TABLE, method)?;
        let (process, info) = self.process(order_id).await?;
        let order = to_order(order_id, &process, &info, None);
        kit::no_file_dcv_for_wildcards(method, order.dcv.iter().map(|d| d.host.as_str()))?;
        let mut dcv = Vec::new();
        for d in &order.dcv {
            let mut entry = g::Dcv::new(d.host.clone(), g::DcvType::from_wire(wire));
            if method == DcvMethod::Email {
                let bare = d.host.trim_start_matches("*.");
                let product = process.billables.iter().flatten().find_map(|b| b.product.clone());
                let list: Vec<String> = self.call(&requests::dcv_email_addresses(bare, product.as_deref())).await?;
                entry.email = d.approvers().and_then(|a| a.first().cloned()).or_else(|| list.into_iter().next());
            }
            dcv.push(entry);
        }
        self.send(&requests::resend_dcv(order_id, &g::ResendDcvRequest::new(dcv))).await?;
        self.get(order_id).await
    }

    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        let (_, info) = self.process(order_id).await?;
        let open = |d: &g::DcvValidation| d.status != Some(g::ValidationStatus::Validated);
        let entries = info.validations.and_then(|v| v.dcv).unwrap_or_default().into_iter().filter(open);
        let checked = entries.filter(|d| matches!(d.r#type, Some(g::DcvType::Dns | g::DcvType::File)));
        let retry: Vec<g::Dcv> = checked.filter_map(|d| Some(g::Dcv::new(d.common_name?, d.r#type?))).collect();
        if !retry.is_empty() {
            self.send(&requests::resend_dcv(order_id, &g::ResendDcvRequest::new(retry))).await?;
        }
        self.get(order_id).await
    }

    async fn download(&self, order_id: &str) -> Result<CertificateBundle> {
        let order = self.get(order_id).await?;
        kit::downloadable(order_id, order.status, &order.provider_status)?;
        let id = order.certificate_id.unwrap_or_default();
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        let leaf = text(self.send(&requests::download_certificate(&id, Some("CRT"))).await?.body);
        let chain = text(self.send(&requests::download_certificate(&id, Some("CA_BUNDLE"))).await?.body);
        let pems: Vec<String> = [leaf, chain].iter().flat_map(|t| ssl_core::x509::split_pem_certificates(t)).collect();
        ssl_core::x509::bundle_from_pems(&pems).map_err(|m| Error::decode("download_certificate", 200, m))
    }

    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        let (cert, body) = self.reissue_body(order_id, spec).await?;
        let answer = self.send(&requests::reissue_certificate(&cert.id.to_string(), &body, None)).await?;
        let Some(id) = self.created_id(&answer) else {
            let e = Error::decode("reissue_certificate", answer.status, "no x-process-id in the answer");
            return Err(e.placed_unreadable(
                NAME,
                "reissue_certificate",
                None,
                Some(ssl_core::error::redact_raw(&answer.body, &[])),
            ));
        };
        self.read(&id, &answer).await.map_err(|e| e.placed_unreadable(NAME, "reissue_certificate", Some(id), None))
    }

    async fn cancel(&self, order_id: &str, _reason: Option<&str>) -> Result<()> {
        self.send(&requests::cancel_process(order_id)).await.map(drop)
    }

    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        let id = self.certificate_id(order_id).await?;
        let body = g::RevokeRequest { reason: reason.map(str::to_owned) };
        self.send(&requests::revoke_certificate(&id, &body)).await.map(drop)
    }
}
