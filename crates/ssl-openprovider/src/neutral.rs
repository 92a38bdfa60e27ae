//! The provider-neutral [`ssl_core::Provider`] for Openprovider: options, spec → wire, and the lifecycle verbs on
//! the kit's pipeline. The status and DCV tables are in the crate docs; wire → neutral is in [`crate::wire`].

use async_trait::async_trait;
use ssl_core::kit::{self, Build, CsrChecks, OrderKit};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, OrderStatus,
    ProductRules, Quote, ReissueSpec, Verb, Warning,
};
use ssl_core::{ClientKit, Error, HttpRequest, PreparedOrder, Problem, Provider, Response, Result};

use crate::client::OpenproviderClient;
use crate::generated::{self as g, ops};
use crate::wire;

/// The `--option`s (see the crate docs); `organization_handle` is required.
pub const OPTIONS: &[&str] = &["organization_handle", "technical_handle", "software_id", "start_provision"];
/// The other `--option`s sent as they are.
pub const OPTIONS_MORE: &[&str] = &["autorenew", "enable_dns_automation", "wildcard_domain_amount"];

/// Days before the end of the coverage from which a renewal is accepted.
pub const RENEW_WINDOW_DAYS: i64 = 30;

/// The neutral Openprovider provider.
#[derive(Debug, Clone)]
pub struct Openprovider {
    /// The client (public for the endpoints the neutral verbs do not cover: OTP tokens, CSR decode, ...).
    pub client: OpenproviderClient,
    checks: CsrChecks,
}

fn bad(code: &str, field: &str, message: impl Into<String>) -> Problem {
    Problem::error(code, message).with_field(field.to_owned())
}

fn invalid(problems: Vec<Problem>) -> Result<()> {
    if ssl_core::problem::has_errors(&problems) { Err(Error::Invalid(problems)) } else { Ok(()) }
}

/// The checks that need no request: unknown options, a missing `organization_handle`, bad values, a term that is
/// not 1 or 2 whole years.
pub fn local_problems(spec: &OrderSpec) -> Vec<Problem> {
    let known: Vec<&str> = OPTIONS.iter().chain(OPTIONS_MORE).copied().collect();
    let mut p = kit::unknown_options(crate::NAME, spec, &known);
    if spec.option_str("organization_handle").is_none_or(|h| h.trim().is_empty()) {
        let m = "Openprovider needs --option organization_handle=<handle> (the owner contact handle, e.g. XY123456-NL)";
        p.push(bad("option_required", "organization_handle", m));
    }
    for (k, ok) in [("software_id", &["linux", "windows"][..]), ("autorenew", &["on", "off", "true", "false"][..])] {
        if let Some(v) = spec.option_str(k).filter(|v| !ok.contains(&v.trim())) {
            p.push(bad("option_value", k, format!("{k} must be one of {}, not `{v}`", ok.join(", "))));
        }
    }
    spec.option_bool("start_provision", &mut p);
    spec.option_bool("enable_dns_automation", &mut p);
    spec.option_i64("wildcard_domain_amount", &mut p);
    if spec.term_months % 12 != 0 || !(12..=24).contains(&spec.term_months) {
        p.push(bad("term", "term_months", format!("Openprovider sells 12 or 24 months, not {}", spec.term_months)));
    }
    p
}

/// An answer's `maintenance` and `warnings` as neutral warnings (shown to the user).
fn notes(body: &[u8]) -> Vec<Warning> {
    let env: g::ErrorEnvelope = serde_json::from_slice(body).unwrap_or_default();
    let mut out: Vec<Warning> = (env.warnings.into_iter().flatten())
        .map(|w| Warning::new(format!("openprovider_{}", w.code.unwrap_or(0)), w.desc.unwrap_or_default()))
        .collect();
    if env.maintenance == Some(true) {
        out.push(Warning::new("maintenance", "Openprovider says its API is in maintenance"));
    }
    out
}

impl Openprovider {
    /// The provider over `client`, with the CSR checks of `ssl-csr`.
    pub fn new(client: OpenproviderClient, checks: CsrChecks) -> Self {
        Self { client, checks }
    }

    async fn read(&self, order_id: &str) -> Result<(g::SslOrder, Vec<Warning>)> {
        kit::numeric_id(crate::NAME, order_id)?;
        let answer = self.client.send_raw(&g::requests::get_order(order_id.trim())).await?;
        let body: g::GetOrderResponse = answer.json()?;
        let order = body.data.ok_or_else(|| Error::decode("get_order", answer.status, "the answer has no `data`"))?;
        Ok((order, notes(&answer.body)))
    }

    async fn product_wire(&self, id: &str) -> Result<g::SslProduct> {
        kit::numeric_id(crate::NAME, id)?;
        let answer = self.client.send(&ops::GetProduct::new(id.trim())).await?;
        answer.data.ok_or_else(|| Error::decode("get_product", 200, "the answer has no `data`"))
    }

    fn methods(
        &self,
        names: &[String],
        method_of: impl Fn(&str) -> DcvMethod,
    ) -> Result<Vec<g::DomainValidationMethod>> {
        let one = |n: &String| {
            let m = method_of(n);
            kit::no_file_dcv_for_wildcards(m, [n.as_str()])?;
            Ok(g::DomainValidationMethod::new(n, g::DcvMethod::from_wire(kit::dcv_wire(crate::NAME, &wire::DCV, m)?)))
        };
        names.iter().map(one).collect()
    }

    async fn update(&self, id: &str, body: g::UpdateOrderRequest) -> Result<Order> {
        self.client.send(&ops::UpdateOrder::new(id.trim(), body)).await?;
        self.get(id).await
    }
}

// The kit's client methods over the client's login session (no header carries a credential: the token is added at
// send time, and `--dry-run` shows none).
ssl_core::client_kit!(Openprovider, api: client.api, auth: |p| Ok(p.client.session()?));

#[async_trait]
impl OrderKit for Openprovider {
    type Wire = g::CreateOrderRequest;

    fn provider(&self) -> &'static str {
        crate::NAME
    }

    fn dcv_table(&self) -> DcvTable {
        wire::DCV
    }

    async fn rules(&self, product: &str) -> Result<ProductRules> {
        if self.client.session.is_none() {
            // A credential-less dry run: nothing to read the product from; accept what the order asks.
            let p = g::SslProduct::new(product.trim().parse::<i64>().unwrap_or(0)).max_domains(1000).max_period(2);
            return Ok(wire::rules(&p.name(format!("product {product} (not read)"))).with_wildcard(true));
        }
        match self.product_wire(product).await {
            Ok(p) => Ok(wire::rules(&p)),
            Err(Error::Provider(e)) if !e.auth_failure => {
                Err(Error::Invalid(vec![bad("unknown_product", "product", format!("product {product}: {e}"))]))
            }
            Err(e) => Err(e),
        }
    }

    async fn build(&self, build: Build<'_>) -> Result<g::CreateOrderRequest> {
        let Build { spec, rules, problems, .. } = build;
        let product = spec.product.trim().parse::<i64>().unwrap_or(0);
        let opt = |k: &str| spec.option_str(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut w = g::CreateOrderRequest::new(
            product,
            i64::from(spec.term_months / 12),
            spec.csr.clone().unwrap_or_default(),
            g::SoftwareId::from_wire(&opt("software_id").unwrap_or_else(|| "linux".into())),
            g::SignatureHashAlgorithm::Sha2,
            opt("organization_handle").unwrap_or_default(),
        )
        .start_provision(spec.option_bool("start_provision", problems).unwrap_or(true));
        w.technical_handle = opt("technical_handle");
        w.autorenew =
            opt("autorenew").map(|a| g::Autorenew::from_wire(if a == "on" || a == "true" { "on" } else { "off" }));
        w.enable_dns_automation = spec.option_bool("enable_dns_automation", problems);
        w.wildcard_domain_amount = spec.option_i64("wildcard_domain_amount", problems);
        let names: Vec<String> = spec.all_names().into_iter().map(str::to_owned).collect();
        if rules.multi_domain && names.len() > 1 {
            w = w.host_names(spec.sans.clone()).domain_amount(names.len() as i64);
        }
        w = w.domain_validation_methods(self.methods(&names, |n| spec.dcv_method_for(n))?);
        let email = names.iter().any(|n| spec.dcv_method_for(n) == DcvMethod::Email);
        match spec.approver_for(&spec.common_name).map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) if email => w = w.approver_email(e),
            None if email && self.client.session.is_some() && product > 0 => {
                let op = ops::ListApproverEmails::new(product.to_string(), spec.common_name.trim_start_matches("*."));
                let choices = self.client.send(&op).await?.data.and_then(|d| d.results).unwrap_or_default();
                let m = format!(
                    "email DCV needs --approver-email; for {} choose one of: {}",
                    spec.common_name,
                    choices.join(", ")
                );
                problems.push(bad("approver_email_missing", "approver_email", m));
            }
            _ => {}
        }
        Ok(w)
    }

    fn request(&self, wire: &g::CreateOrderRequest, _spec: &OrderSpec, _renewal_of: Option<&str>) -> HttpRequest {
        g::requests::create_order(wire)
    }

    fn lookup(&self, prepared: &PreparedOrder) -> (String, Vec<String>) {
        let base = self.client.api.base().as_str().trim_end_matches('/');
        let (spec, csr) = (&prepared.spec, prepared.spec.csr.as_deref().unwrap_or(""));
        if let Some(id) = &prepared.renewal_of {
            return (format!("GET {base}/ssl/orders/{id}"), vec![format!("id={id}"), "a later order_ends_at".into()]);
        }
        let cn = &spec.common_name;
        let found = vec![format!("common_name={cn}"), format!("product_id={}", spec.product)];
        let csr = format!("csr_sha256={}", ssl_core::x509::csr_digest(csr));
        (format!("GET {base}/ssl/orders?common_name_pattern={cn}"), [found, vec![csr]].concat())
    }

    fn created_id(&self, answer: &Response) -> Option<String> {
        ssl_core::operation::id_at(&answer.body, "data.id").filter(|id| id.parse::<i64>().is_ok_and(|n| n > 0))
    }

    async fn read(&self, order_id: &str, answer: &Response) -> Result<Order> {
        let mut order = self.get(order_id).await?;
        order.warnings.extend(notes(&answer.body));
        Ok(order)
    }
}

#[async_trait]
impl Provider for Openprovider {
    fn name(&self) -> &'static str {
        crate::NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::new(wire::DCV).without(&[Verb::Revoke]).dcv_per_host().renew_in_place()
    }

    fn dcv_table(&self) -> DcvTable {
        wire::DCV
    }

    async fn products(&self) -> Result<Vec<ProductRules>> {
        let answer = self.client.send(&ops::ListProducts::new().limit("1000").with_price("true")).await?;
        Ok(answer.data.and_then(|d| d.results).unwrap_or_default().iter().map(wire::rules).collect())
    }

    async fn product(&self, id: &str) -> Result<ProductRules> {
        Ok(wire::rules(&self.product_wire(id).await?))
    }

    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        invalid(local_problems(spec))?;
        kit::prepare(self, self.checks, spec, None).await
    }

    /// Checks locally that the order is `ACT` and within [`RENEW_WINDOW_DAYS`] of the end of its coverage
    /// (`order_ends_at`, else `expiration_date`); nothing is sent otherwise.
    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        let (o, _) = self.read(order_id).await?;
        let ends = wire::coverage_ends(&o);
        let today = time::OffsetDateTime::now_utc().date();
        if o.status != g::SslOrderStatus::Act
            || !ends.is_some_and(|e| e >= today && (e - today).whole_days() <= RENEW_WINDOW_DAYS)
        {
            let end = ends.map_or_else(|| "on an unknown date".to_owned(), |e| e.to_string());
            let m = format!(
                "Openprovider renews only an ACT order within {RENEW_WINDOW_DAYS} days before its coverage ends; order {order_id} is {} and ends {end}",
                o.status
            );
            return Err(Error::Invalid(vec![bad("renew_window", "order_id", m)]));
        }
        let mut problems = Vec::new();
        let mut body = g::RenewOrderRequest::new(o.id);
        body.enable_dns_automation = spec.option_bool("enable_dns_automation", &mut problems);
        invalid(problems)?;
        let req = g::requests::renew_order(order_id.trim(), &body);
        Ok(PreparedOrder::new(crate::NAME, spec.clone(), req.clone(), self.render(&req), Vec::new())
            .renewal_of(order_id))
    }

    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        kit::place(self, prepared).await
    }

    /// From the product's prices (`GET /ssl/products/{id}`): the reseller price of the period (else the product
    /// price) plus `extra_domain_price` per name beyond `included_domains_count`. Nothing is validated or placed.
    async fn quote(&self, spec: &OrderSpec) -> Result<Quote> {
        let p = self.product_wire(&spec.product).await?;
        let years = i64::from(spec.term_months / 12);
        let Some(row) = p.prices.iter().flatten().find(|r| r.period == Some(years)) else {
            let m = format!("product {} has no price for {years} year(s)", spec.product);
            return Err(Error::Invalid(vec![bad("term", "term_months", m)]));
        };
        let pick = |g: &Option<g::PriceGroup>| {
            let g = g.as_ref()?;
            let x = g.reseller.as_ref().filter(|x| x.price.is_some()).or(g.product.as_ref())?;
            Some((x.price?, x.currency.clone()))
        };
        let (base, currency) = pick(&row.price).unwrap_or((0.0, None));
        let extra = (spec.all_names().len() as i64 - p.included_domains_count.unwrap_or(1).max(1)).max(0) as f64;
        let price = base + extra * pick(&row.extra_domain_price).map_or(0.0, |x| x.0);
        let mut q = Quote::new(spec.product.clone(), spec.term_months);
        (q.price, q.currency) = (Some(format!("{price:.2}")), currency);
        q.basis = Some("product prices (reseller price, extra names added); nothing was validated or placed".into());
        Ok(q)
    }

    async fn get(&self, order_id: &str) -> Result<Order> {
        let (o, warnings) = self.read(order_id).await?;
        let mut order = wire::order(&o);
        order.warnings.extend(warnings);
        Ok(order)
    }

    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        let (offset, limit) = ssl_core::paging::offset_limit(&filter.page, 100, 1000)?;
        let mut op = ops::ListOrders::new().limit(limit.to_string()).offset(offset.to_string());
        op.common_name_pattern = filter.common_name.clone();
        op.status = match filter.status {
            Some(OrderStatus::Draft) => Some("PAI".into()),
            Some(OrderStatus::Issued) => Some("ACT".into()),
            Some(OrderStatus::Expired) => Some("EXP".into()),
            Some(OrderStatus::PendingValidation | OrderStatus::Processing) => Some("REQ".into()),
            _ => None,
        };
        let data = self.client.send(&op).await?.data.unwrap_or_default();
        let results = data.results.unwrap_or_default();
        let total = data.total.and_then(|t| u64::try_from(t).ok());
        let next = ssl_core::paging::next_offset(offset, limit, results.len(), total);
        Ok(OrderPage::new(results.iter().map(wire::order).filter(|o| filter.matches(o)).collect(), next, total))
    }

    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order> {
        let (o, _) = self.read(order_id).await?;
        let body =
            g::UpdateOrderRequest::new(o.id).domain_validation_methods(self.methods(&wire::names(&o), |_| method)?);
        self.update(order_id, body).await
    }

    /// Openprovider's CA checks DNS and file validation by itself; for email validation the approval mail is
    /// sent again (`POST /ssl/orders/{id}/approver-email/resend`).
    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        let order = self.get(order_id).await?;
        if order.status == OrderStatus::PendingValidation
            && order.dcv.iter().any(|d| d.method() == Some(DcvMethod::Email))
        {
            let id = kit::numeric_id(crate::NAME, order_id)?;
            self.client
                .send(&ops::ResendApproverEmail::new(order_id.trim(), g::ResendApproverEmailRequest::new(id)))
                .await?;
        }
        Ok(order)
    }

    async fn download(&self, order_id: &str) -> Result<CertificateBundle> {
        let (o, _) = self.read(order_id).await?;
        kit::downloadable(order_id, wire::status(&o), o.status.as_str())?;
        ssl_core::x509::bundle_from_pems(&wire::pems(&o))
            .map_err(|e| Error::decode("get_order", 200, format!("the inline certificate: {e}")))
    }

    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        let (o, _) = self.read(order_id).await?;
        let csr = kit::reissue_csr(&self.checks, spec.csr.as_deref(), o.csr.as_deref())?;
        let mut names = wire::names(&o);
        if let Some(cn) = &spec.common_name {
            names.splice(..names.len().min(1), [cn.to_lowercase()]);
        }
        if let Some(sans) = &spec.sans {
            names.truncate(1);
            names.extend(sans.iter().map(|s| s.to_lowercase()));
        }
        let current = wire::dcv(&o);
        let method_of = |n: &str| {
            let now = current.iter().find(|d| d.host == n).and_then(|d| d.method());
            spec.dcv.or(now).unwrap_or(DcvMethod::Dns)
        };
        let mut body = g::ReissueOrderRequest::new(o.id, csr)
            .signature_hash_algorithm(g::SignatureHashAlgorithm::Sha2)
            .domain_validation_methods(self.methods(&names, method_of)?);
        body.software_id = o.software.as_deref().map(g::SoftwareId::from_wire).filter(g::SoftwareId::is_known);
        body.host_names = spec.sans.as_ref().map(|_| names[1..].to_vec());
        if names.iter().any(|n| method_of(n) == DcvMethod::Email) {
            let given =
                spec.approver_emails.get("*").or_else(|| names.first().and_then(|n| spec.approver_emails.get(n)));
            let Some(e) = given.cloned().or(o.email_approver.clone()).filter(|e| e.contains('@')) else {
                return Err(Error::Invalid(vec![bad(
                    "approver_email_missing",
                    "approver_email",
                    "an email reissue needs --approver-email",
                )]));
            };
            body = body.approver_email(e);
        }
        self.client.send(&ops::ReissueOrder::new(order_id.trim(), body)).await?;
        let id = Some(order_id.trim().to_owned());
        self.get(order_id).await.map_err(|e| e.placed_unreadable(crate::NAME, "reissue_order", id, None))
    }

    /// `PUT /ssl/orders/{id}` with `start_provision: true`: a `PAI` draft goes to the CA.
    async fn submit(&self, order_id: &str) -> Result<Order> {
        let (o, _) = self.read(order_id).await?;
        if o.status != g::SslOrderStatus::Pai {
            let m = format!("order {order_id} is {}: only a PAI draft can be submitted", o.status);
            return Err(Error::Invalid(vec![bad("not_a_draft", "order_id", m)]));
        }
        self.update(order_id, g::UpdateOrderRequest::new(o.id).start_provision(true)).await
    }

    async fn cancel(&self, order_id: &str, _reason: Option<&str>) -> Result<()> {
        let id = kit::numeric_id(crate::NAME, order_id)?;
        self.client.send(&ops::CancelOrder::new(order_id.trim(), g::CancelOrderRequest::new(id))).await.map(drop)
    }

    async fn revoke(&self, _order_id: &str, _reason: Option<&str>) -> Result<()> {
        let verb = "revoke (the REST API has none; cancel within 30 days of issuance instead)".into();
        Err(Error::Unsupported { provider: crate::NAME, verb })
    }
}
