//! The suite catches a wrong rule: a DigiCert provider whose product table (test-only, planted here) claims
//! wildcard names for `ssl_dv_geotrust` fails the rules step, as the simulator judges by its own catalog.

use async_trait::async_trait;
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, ProductRules,
    Quote, ReissueSpec,
};
use ssl_core::{ConnectOptions, Credentials, PreparedOrder, Provider, ProviderDescriptor, Result};

/// DigiCert with one wrong rule: `ssl_dv_geotrust` "allows" wildcards.
#[derive(Debug)]
struct Planted(Box<dyn Provider>);

#[async_trait]
impl Provider for Planted {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn dcv_table(&self) -> DcvTable {
        self.0.dcv_table()
    }
    async fn products(&self) -> Result<Vec<ProductRules>> {
        self.0.products().await
    }
    async fn product(&self, id: &str) -> Result<ProductRules> {
        let mut rules = self.0.product(id).await?;
        rules.wildcard = true; // the planted wrong rule
        Ok(rules)
    }
    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        self.0.prepare(spec).await
    }
    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        self.0.prepare_renewal(order_id, spec).await
    }
    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        self.0.place_prepared(prepared).await
    }
    async fn quote(&self, spec: &OrderSpec) -> Result<Quote> {
        self.0.quote(spec).await
    }
    async fn get(&self, order_id: &str) -> Result<Order> {
        self.0.get(order_id).await
    }
    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        self.0.list_orders(filter).await
    }
    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> Result<Order> {
        self.0.change_dcv(order_id, method).await
    }
    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        self.0.recheck_dcv(order_id).await
    }
    async fn download(&self, order_id: &str) -> Result<CertificateBundle> {
        self.0.download(order_id).await
    }
    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        self.0.reissue(order_id, spec).await
    }
    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        self.0.cancel(order_id, reason).await
    }
    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> Result<()> {
        self.0.revoke(order_id, reason).await
    }
}

fn connect(credentials: Option<&Credentials>, options: ConnectOptions) -> Result<Box<dyn Provider>> {
    Ok(Box::new(Planted((ssl_digicert::DESCRIPTOR.connect)(credentials, options)?)))
}

static PLANTED: ProviderDescriptor = ProviderDescriptor::new(
    "digicert",
    "DigiCert with a planted wrong rule",
    "https://www.digicert.com/services/v2",
    ssl_digicert::DESCRIPTOR.credentials,
    connect,
);

fn order(cn: &str, csr: String) -> OrderSpec {
    OrderSpec::new("ssl_dv_geotrust", cn, DcvMethod::DnsTxt).csr(csr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_rule_in_a_providers_table_is_caught() {
    let failure = ssl_conformance::check_rules(&PLANTED, order).await.unwrap_err();
    assert_eq!(failure.step, "rules");
    assert!(failure.message.contains("claims wildcard names"), "{failure}");
    // The same check passes for the provider as shipped.
    ssl_conformance::check_rules(&ssl_digicert::DESCRIPTOR, order).await.unwrap();
}
