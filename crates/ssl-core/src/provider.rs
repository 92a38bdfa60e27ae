//! The provider-neutral [`Provider`] trait, implemented by every provider crate's `neutral` module.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderSpec, ProductRules, Quote, ReissueSpec,
};
use crate::request::HttpRequest;

/// An order request checked and built, not sent: what `--dry-run` prints.
#[derive(Debug, Clone)]
pub struct PreparedOrder {
    /// The request that would be sent.
    pub request: HttpRequest,
    /// The request rendered with its full URL, secrets redacted.
    pub rendered: String,
    /// Warnings the pre-flight found (errors stop preparation).
    pub warnings: Vec<crate::Problem>,
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
    /// Price an order.
    async fn quote(&self, spec: &OrderSpec) -> Result<Quote>;
    /// Place an order (sent once; ambiguous failures are [`crate::Error::OutcomeUnknown`]).
    async fn place(&self, spec: &OrderSpec) -> Result<Order>;
    /// Read an order.
    async fn get(&self, order_id: &str) -> Result<Order>;
    /// Switch the DCV method (new tokens where the provider rotates them).
    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order>;
    /// Ask the CA to check DCV now.
    async fn recheck_dcv(&self, order_id: &str) -> Result<Order>;
    /// Download the current certificate.
    async fn download(&self, order_id: &str) -> Result<CertificateBundle>;
    /// Reissue inside the coverage (new CSR and/or names).
    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order>;
    /// Renew: a new order for the next term, linked to `order_id`.
    async fn renew(&self, order_id: &str, spec: &OrderSpec) -> Result<Order>;
    /// Cancel a pending order.
    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> Result<()>;
    /// Revoke the issued certificate.
    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> Result<()>;
}
