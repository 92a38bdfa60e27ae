//! The suite catches a wrong rule: a DigiCert provider whose product table (test-only, planted here) claims
//! wildcard names, or more names, for `ssl_dv_geotrust` fails the rules step, as the simulator judges by its own
//! catalog.

use async_trait::async_trait;
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, ProductRules,
    Quote, ReissueSpec,
};
use ssl_core::{ConnectOptions, Credentials, PreparedOrder, Provider, ProviderDescriptor, Result};

/// DigiCert with one wrong rule, planted by the function.
#[derive(Debug)]
struct Planted(Box<dyn Provider>, fn(&mut ProductRules));

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
        (self.1)(&mut rules); // the planted wrong rule
        Ok(rules)
    }
    /// A client whose pre-flight follows the planted table: the real pre-flight sees a placeholder name, and the
    /// order's own names and CSR go back into the wire body, so only the simulator judges them.
    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        let cn = "planted.example.com";
        let mut plain = spec.clone().csr(ssl_conformance::csr(&[cn]));
        plain.sans.clear();
        plain.common_name = cn.into();
        let mut prepared = self.0.prepare(&plain).await?;
        {
            let value = prepared.request.body.json_mut().expect("a JSON body");
            let names: Vec<&str> = std::iter::once(&spec.common_name).chain(&spec.sans).map(String::as_str).collect();
            value["certificate"]["common_name"] = spec.common_name.clone().into();
            value["certificate"]["dns_names"] = names.into();
            value["certificate"]["csr"] = spec.csr.clone().into();
        }
        prepared.spec = spec.clone();
        Ok(prepared)
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

fn connect_wildcard(credentials: Option<&Credentials>, options: ConnectOptions) -> Result<Box<dyn Provider>> {
    let plant: fn(&mut ProductRules) = |r| r.wildcard = true;
    Ok(Box::new(Planted((ssl_digicert::DESCRIPTOR.connect)(credentials, options)?, plant)))
}

fn connect_names(credentials: Option<&Credentials>, options: ConnectOptions) -> Result<Box<dyn Provider>> {
    let plant: fn(&mut ProductRules) = |r| r.max_names = Some(3);
    Ok(Box::new(Planted((ssl_digicert::DESCRIPTOR.connect)(credentials, options)?, plant)))
}

const fn planted(connect: ssl_core::descriptor::ConnectFn) -> ProviderDescriptor {
    let d = &ssl_digicert::DESCRIPTOR;
    ProviderDescriptor::new("digicert", "DigiCert with a planted wrong rule", d.production_url, d.credentials, connect)
}

/// `ssl_dv_geotrust` "allows" wildcards.
static WILDCARD: ProviderDescriptor = planted(connect_wildcard);
/// `ssl_dv_geotrust` "allows" three names (DigiCert: one, plus its other version free).
static NAMES: ProviderDescriptor = planted(connect_names);

fn order(cn: &str, csr: String) -> OrderSpec {
    OrderSpec::new("ssl_dv_geotrust", cn, DcvMethod::DnsTxt).csr(csr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_rule_in_a_providers_table_is_caught() {
    let failure = ssl_conformance::check_rules(&WILDCARD, order).await.unwrap_err();
    assert_eq!(failure.step, "rules");
    assert!(failure.message.contains("claims wildcard names") && failure.message.contains("HTTP 400"), "{failure}");
    let failure = ssl_conformance::check_rules(&NAMES, order).await.unwrap_err();
    assert_eq!(failure.step, "rules");
    assert!(failure.message.contains("claims 3 names") && failure.message.contains("secures one name"), "{failure}");
    // The same check passes for the provider as shipped.
    ssl_conformance::check_rules(&ssl_digicert::DESCRIPTOR, order).await.unwrap();
}
