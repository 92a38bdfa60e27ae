//! The neutral [`Provider`] over [`NameshieldClient`], through the kit's order pipeline ([`OrderKit`]).

use async_trait::async_trait;
use ssl_core::kit::{self, Build, OrderKit};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, OrderStatus,
    ProductRules, Quote, ReissueSpec, ValidationLevel, Verb, Warning,
};
use ssl_core::operation::Operation;
use ssl_core::validate::Validate;
use ssl_core::{ClientKit, Error, HttpRequest, PreparedOrder, Problem, Provider, Response, Result};

use crate::NameshieldClient;
use crate::generated::{self as g, ops};
use crate::neutral::{self, DCV_TABLE, NAME};

fn unsupported(verb: &str) -> Error {
    Error::Unsupported { provider: NAME, verb: verb.into() }
}

/// When preparing failed on a read (network, auth), the problems found locally come first: a bad order is
/// exit 1 whether or not the products could be read.
fn local_first(spec: &OrderSpec, e: Error) -> Error {
    let mut problems = Vec::new();
    neutral::order_document(spec, g::OrderAction::Create, None, &mut problems);
    if matches!(e, Error::Invalid(_)) || !ssl_core::problem::has_errors(&problems) {
        e
    } else {
        Error::Invalid(problems)
    }
}

/// A product's rules: the durations and orderability Nameshield publishes; everything it does not publish
/// (validation level, wildcard, SAN limits, DCV methods) is left to the server: any, with every method.
fn rules_of(p: &g::ProductResource) -> ProductRules {
    let a = &p.attributes;
    ProductRules::new(p.id.clone(), a.name.clone().unwrap_or_default(), ValidationLevel::Dv)
        .with_wildcard(true)
        .with_multi_domain(true)
        .with_periods_months(a.allowed_durations.iter().flatten().filter_map(|d| neutral::months(d)).collect())
        .with_dcv_methods(DCV_TABLE.methods())
}

/// The rules offline (no token): every documented duration.
fn offline_rules(id: &str) -> ProductRules {
    let periods = neutral::DURATIONS.iter().map(|(m, _)| *m).collect();
    let mut rules = rules_of(&g::ProductResource::new(id, g::Product::default())).with_periods_months(periods);
    rules.name = String::new();
    rules
}

impl NameshieldClient {
    async fn order(&self, id: &str, fields: &str) -> Result<g::OrderResource> {
        Ok(self.send(&ops::GetOrder::new(id).fields_order(fields)).await?.data)
    }

    async fn certificate(&self, id: &str, fields: &str) -> Result<g::CertificateResource> {
        Ok(self.send(&ops::GetCertificate::new(id).fields_certificate(fields)).await?.data)
    }

    /// The order's certificate id, or an error saying it has none yet.
    fn certificate_id(o: &g::OrderResource) -> Result<String> {
        o.relationships.certificate.as_ref().and_then(|c| c.id()).map(str::to_owned).ok_or_else(|| {
            Error::Invalid(vec![Problem::error("not_issued", format!("order {} has no certificate yet", o.id))])
        })
    }

    /// Send a reissue or renewal order once, and read it back; after a 2xx, no failure loses the order.
    async fn spend(&self, doc: g::NewOrderRequestDocument) -> Result<Order> {
        let op = ops::CreateOrder::new(doc);
        let created = self.send(&op).await?;
        let id = created.data.id.clone();
        self.get(&id).await.map_err(|e| e.placed_unreadable(NAME, ops::CreateOrder::NAME, Some(id), None))
    }
}

#[async_trait]
impl OrderKit for NameshieldClient {
    type Wire = g::NewOrderRequestDocument;

    async fn rules(&self, product: &str) -> Result<ProductRules> {
        if !self.online() {
            return Ok(offline_rules(product));
        }
        let all = self.products_cached().await?;
        let p = all.iter().find(|p| p.id == product).ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
            Error::Invalid(vec![
                Problem::error(
                    "unknown_product",
                    format!("Nameshield has no product `{product}` for this account; known: {}", known.join(", ")),
                )
                .with_field("product"),
            ])
        })?;
        if p.attributes.can_be_ordered == Some(false) {
            return Err(Error::Invalid(vec![Problem::error(
                "unknown_product",
                format!("product {product} cannot be ordered on this account"),
            )]));
        }
        Ok(rules_of(p))
    }

    async fn build(&self, build: Build<'_>) -> Result<Self::Wire> {
        let Build { spec, renewal_of, problems, .. } = build;
        // Nameshield mails the domain's base addresses (`base_emails`); no approver is chosen on the order.
        problems.retain(|p| p.code != "approver_email_missing");
        if !spec.approver_emails.is_empty() {
            let text = "Nameshield mails the domain's base addresses; the approver emails given are not sent";
            problems.push(Problem::warning("approver_email_ignored", text).with_field("approver_emails"));
        }
        let Some(old) = renewal_of else {
            return Ok(neutral::order_document(spec, g::OrderAction::Create, None, problems));
        };
        let cert = Self::certificate_id(&self.order(old, "status,certificate").await?)?;
        Ok(neutral::order_document(spec, g::OrderAction::Renew, Some(&cert), problems))
    }

    fn request(&self, wire: &Self::Wire, _spec: &OrderSpec, _renewal_of: Option<&str>) -> HttpRequest {
        ops::CreateOrder::new(wire.clone()).request()
    }

    fn lookup(&self, prepared: &PreparedOrder) -> (String, Vec<String>) {
        let csr = prepared.spec.csr.as_deref().unwrap_or_default();
        let matches = vec![
            format!("csr_sha256={}", ssl_core::operation::csr_sha256(csr)),
            format!("common_name={}", prepared.spec.common_name),
        ];
        (
            format!(
                "GET {}/certificates?fields[certificate]={}",
                self.base_url().as_str().trim_end_matches('/'),
                neutral::LISTING_FIELDS
            ),
            matches,
        )
    }

    fn created_id(&self, answer: &Response) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(&answer.body).ok()?;
        match &v["data"]["id"] {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn secrets(&self) -> Vec<String> {
        self.token_text().into_iter().collect()
    }

    async fn read(&self, order_id: &str, _answer: &Response) -> Result<Order> {
        self.get(order_id).await
    }
}

#[async_trait]
impl Provider for NameshieldClient {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        use Verb::*;
        let unsupported = [Quote, ChangeDcv, RecheckDcv, Cancel, Submit];
        Capabilities::new(DCV_TABLE).without(&unsupported).client_reference().reissue_new_order()
    }

    fn dcv_table(&self) -> DcvTable {
        DCV_TABLE
    }

    async fn products(&self) -> Result<Vec<ProductRules>> {
        Ok(self
            .products_cached()
            .await?
            .iter()
            .filter(|p| p.attributes.can_be_ordered != Some(false))
            .map(rules_of)
            .collect())
    }

    async fn product(&self, id: &str) -> Result<ProductRules> {
        OrderKit::rules(self, id).await
    }

    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        kit::prepare(self, ssl_csr::CHECKS, spec, None).await.map_err(|e| local_first(spec, e))
    }

    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        kit::prepare(self, ssl_csr::CHECKS, spec, Some(order_id)).await.map_err(|e| local_first(spec, e))
    }

    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        kit::place(self, prepared).await
    }

    async fn quote(&self, _spec: &OrderSpec) -> Result<Quote> {
        Err(unsupported("quote (Nameshield publishes no prices)"))
    }

    async fn get(&self, order_id: &str) -> Result<Order> {
        let o = self.order(order_id, neutral::ORDER_FIELDS).await?;
        let mut warnings = Vec::new();
        let delivered =
            neutral::order_status(neutral::status_text(o.attributes.status.as_ref()), None) == OrderStatus::Issued;
        let cert = match o.relationships.certificate.as_ref().and_then(|c| c.id()) {
            Some(c) if delivered => match self.certificate(c, neutral::CERTIFICATE_FIELDS).await {
                Ok(c) => Some(c),
                Err(e) => {
                    warnings.push(Warning::new("certificate_unreadable", format!("certificate {c}: {e}")));
                    None
                }
            },
            _ => None,
        };
        let mut domains = Vec::new();
        for d in o.relationships.domains.iter().flat_map(|d| d.data.iter()).filter(|_| !delivered) {
            match self.send(&ops::GetDomain::new(&d.id)).await {
                Ok(doc) => domains.push(doc.data),
                Err(e) => warnings.push(Warning::new("domain_unreadable", format!("domain {}: {e}", d.id))),
            }
        }
        let mut order = neutral::order_from_wire(&o, cert.as_ref(), &domains);
        if let Some(pem) = cert.as_ref().and_then(|c| c.attributes.pem.as_deref()) {
            match neutral::bundle(pem, None, None).and_then(|b| ssl_core::x509::certificate_info(&b.leaf_pem)) {
                Ok(info) => order.certificate = Some(info),
                Err(e) => warnings.push(Warning::new("certificate_unreadable", e)),
            }
        }
        order.warnings.extend(warnings);
        Ok(order)
    }

    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        let page = match filter.page.cursor.as_deref() {
            None => self.send(&ops::ListCertificates::new().fields_certificate(neutral::LISTING_FIELDS)).await?,
            Some(link) => {
                let req = ssl_core::paging::follow_link(self.base_url(), link, ops::ListCertificates::NAME)?;
                self.execute(&req).await?.json()?
            }
        };
        let orders = page.data.iter().filter_map(neutral::listed_order).filter(|o| filter.matches(o)).collect();
        Ok(OrderPage::new(orders, page.next().map(str::to_owned), None))
    }

    async fn change_dcv(&self, _order_id: &str, _method: DcvMethod) -> Result<Order> {
        Err(unsupported("change_dcv (Nameshield has no endpoint to change the DCV method)"))
    }

    async fn recheck_dcv(&self, _order_id: &str) -> Result<Order> {
        Err(unsupported("recheck_dcv (Nameshield checks DCV on its own)"))
    }

    async fn download(&self, order_id: &str) -> Result<CertificateBundle> {
        let o = self.order(order_id, neutral::ORDER_CHAIN_FIELDS).await?;
        let raw = neutral::status_text(o.attributes.status.as_ref());
        kit::downloadable(order_id, neutral::order_status(raw, None), raw)?;
        let a = &o.attributes;
        // The order's own leaf; without it the certificate's, which shows the leaf of its newest order.
        let pem = match a.pem.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(pem) => pem.to_owned(),
            None => self
                .certificate(&Self::certificate_id(&o)?, neutral::CERTIFICATE_FIELDS)
                .await?
                .attributes
                .pem
                .unwrap_or_default(),
        };
        neutral::bundle(&pem, a.cacert_inter.as_deref(), a.cacert_root.as_deref())
            .map_err(|e| Error::decode(ops::GetCertificate::NAME, 200, format!("order {order_id}: {e}")))
    }

    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        let o = self.order(order_id, "status,duration,csr,infos,certificate").await?;
        let cert = Self::certificate_id(&o)?;
        let csr = kit::reissue_csr(&ssl_csr::CHECKS, spec.csr.as_deref(), o.attributes.csr.as_deref())?;
        let method = match spec.dcv {
            Some(m) => Some(kit::dcv_wire("Nameshield", &DCV_TABLE, m)?.to_owned()),
            None => {
                o.attributes.infos.as_ref().and_then(|i| i.validation_method.as_ref()).map(|m| m.as_str().to_owned())
            }
        };
        let duration = o.attributes.duration.clone().unwrap_or_else(|| "1 year".into());
        let doc = neutral::reissue_document(csr, &duration, method.as_deref(), &cert);
        let problems = doc.validate();
        if ssl_core::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        self.spend(doc).await
    }

    async fn cancel(&self, _order_id: &str, _reason: Option<&str>) -> Result<()> {
        Err(unsupported("cancel (Nameshield has no cancel endpoint)"))
    }

    async fn revoke(&self, order_id: &str, _reason: Option<&str>) -> Result<()> {
        let cert = Self::certificate_id(&self.order(order_id, "status,certificate").await?)?;
        self.send(&ops::RevokeCertificate::new(&cert)).await
    }
}
