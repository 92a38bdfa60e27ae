//! The provider-neutral [`Provider`] trait, implemented by every provider crate's `neutral` module.

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, ProductRules,
    Quote, ReissueSpec,
};
use crate::request::HttpRequest;

/// An order checked and built, not sent: what `--dry-run` prints, and exactly what
/// [`Provider::place_prepared`] sends.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PreparedOrder {
    /// Provider name.
    pub provider: &'static str,
    /// The neutral order it was built from.
    pub spec: OrderSpec,
    /// The order this one renews, for a renewal.
    pub renewal_of: Option<String>,
    /// The request that will be sent.
    pub request: HttpRequest,
    /// The request rendered with its full URL, secrets redacted.
    pub rendered: String,
    /// Warnings the pre-flight found (errors stop preparation).
    pub warnings: Vec<crate::Problem>,
}

impl PreparedOrder {
    /// A prepared order.
    pub fn new(
        provider: &'static str,
        spec: OrderSpec,
        request: HttpRequest,
        rendered: String,
        warnings: Vec<crate::Problem>,
    ) -> Self {
        Self { provider, spec, renewal_of: None, request, rendered, warnings }
    }

    /// Mark it as the renewal of `order_id`.
    #[must_use]
    pub fn renewal_of(mut self, order_id: impl Into<String>) -> Self {
        self.renewal_of = Some(order_id.into());
        self
    }
}

/// Every lifecycle verb, the same for every provider. Only verbs that [`Provider::capabilities`] leaves out may
/// return [`crate::Error::Unsupported`].
#[async_trait]
pub trait Provider: Send + Sync + std::fmt::Debug {
    /// Short name (`digicert`).
    fn name(&self) -> &'static str;
    /// What this provider can do.
    fn capabilities(&self) -> Capabilities;
    /// Neutral ↔ wire DCV names.
    fn dcv_table(&self) -> DcvTable;
    /// Products and their rules.
    async fn products(&self) -> Result<Vec<ProductRules>>;
    /// One product's rules.
    async fn product(&self, id: &str) -> Result<ProductRules>;
    /// Validate and pre-flight an order and build its request; sends nothing that costs money.
    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder>;
    /// [`Provider::prepare`] for a renewal of `order_id`.
    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder>;
    /// Send a prepared order (an order or a renewal) exactly as it was prepared, once. Ambiguous failures are
    /// [`crate::Error::OutcomeUnknown`]; failures after the provider accepted it are
    /// [`crate::Error::PlacedUnreadable`] with the order id.
    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order>;
    /// Price an order.
    async fn quote(&self, spec: &OrderSpec) -> Result<Quote>;
    /// Price the renewal of `order_id` (capability [`crate::model::Verb::Quote`] and a provider that prices
    /// renewals).
    async fn quote_renew(&self, order_id: &str, spec: &OrderSpec) -> Result<Quote> {
        let _ = (order_id, spec);
        Err(Error::Unsupported { provider: self.name(), verb: "quote of a renewal".into() })
    }
    /// Price a reissue of `order_id`.
    async fn quote_reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Quote> {
        let _ = (order_id, spec);
        Err(Error::Unsupported { provider: self.name(), verb: "quote of a reissue".into() })
    }
    /// Prepare and place an order.
    async fn place(&self, spec: &OrderSpec) -> Result<Order> {
        self.place_prepared(&self.prepare(spec).await?).await
    }
    /// Read an order.
    async fn get(&self, order_id: &str) -> Result<Order>;
    /// List orders, one page at a time ([`OrderPage::next`] is the next page's cursor).
    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage>;
    /// Switch the DCV method (new tokens where the provider rotates them).
    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order>;
    /// Ask the CA to check DCV now.
    async fn recheck_dcv(&self, order_id: &str) -> Result<Order>;
    /// Download the current certificate.
    async fn download(&self, order_id: &str) -> Result<CertificateBundle>;
    /// Reissue inside the coverage (new CSR and/or names).
    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order>;
    /// Renew: a new order for the next term, linked to `order_id`.
    async fn renew(&self, order_id: &str, spec: &OrderSpec) -> Result<Order> {
        self.place_prepared(&self.prepare_renewal(order_id, spec).await?).await
    }
    /// Send a draft order to the CA (providers whose orders start as drafts, capability [`crate::model::Verb::Submit`]).
    async fn submit(&self, order_id: &str) -> Result<Order> {
        let _ = order_id;
        Err(Error::Unsupported {
            provider: self.name(),
            verb: "submit (orders here are sent to the CA when placed)".into(),
        })
    }
    /// Cancel a pending order.
    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> Result<()>;
    /// Revoke the issued certificate.
    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> Result<()>;
}
