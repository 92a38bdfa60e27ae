//! A scripted in-memory provider: what each `place` does is queued by the test.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use ssl_core::error::{OutcomeUnknown, ProviderError, ProviderErrorEntry};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, OrderStatus,
    ProductRules, Quote, ReissueSpec, Verb,
};
use ssl_core::request::{CallKind, HttpRequest, Method};
use ssl_core::{Error, PreparedOrder, Provider, Result};

/// What the next `place` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Store and answer.
    Ok,
    /// Store, then lose the answer.
    CommitThenLose,
    /// Lose the request before storing (a 5xx before commit).
    LoseBeforeCommit,
    /// 429, nothing stored.
    RateLimited,
    /// 400, nothing stored.
    Refuse,
}

/// How the listing behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMode {
    /// Listing rows echo the CSR.
    EchoCsr,
    /// Listing rows carry no CSR; `get` has it.
    CsrOnlyInGet,
    /// No CSR anywhere.
    Blind,
    /// No listing at all.
    Unsupported,
}

#[derive(Debug)]
pub struct Fake {
    pub acts: Mutex<VecDeque<Act>>,
    pub orders: Mutex<Vec<(Order, String)>>,
    pub list_mode: ListMode,
    pub sent: Mutex<u32>,
    pub listings: Mutex<u32>,
    pub reads: Mutex<u32>,
}

impl Fake {
    pub fn new(list_mode: ListMode) -> Self {
        Self {
            acts: Mutex::new(VecDeque::new()),
            orders: Mutex::new(Vec::new()),
            list_mode,
            sent: Mutex::new(0),
            listings: Mutex::new(0),
            reads: Mutex::new(0),
        }
    }

    pub fn then(&self, act: Act) -> &Self {
        self.acts.lock().unwrap().push_back(act);
        self
    }

    pub fn sent(&self) -> u32 {
        *self.sent.lock().unwrap()
    }

    pub fn reads(&self) -> u32 {
        *self.reads.lock().unwrap()
    }

    pub fn listings(&self) -> u32 {
        *self.listings.lock().unwrap()
    }

    pub fn stored(&self) -> usize {
        self.orders.lock().unwrap().len()
    }

    pub fn set_status(&self, id: &str, status: OrderStatus) {
        for (o, _) in self.orders.lock().unwrap().iter_mut() {
            if o.order_id == id {
                o.status = status;
                o.provider_status = status.as_str().into();
            }
        }
    }

    fn store(&self, spec: &OrderSpec) -> Order {
        let mut orders = self.orders.lock().unwrap();
        let mut o = Order::new("fake", format!("{}", 1000 + orders.len()), OrderStatus::PendingValidation, "pending");
        o.common_name = spec.common_name.clone();
        o.dns_names = spec.all_names().into_iter().map(str::to_owned).collect();
        o.product = Some(spec.product.clone());
        o.created = Some(time::OffsetDateTime::now_utc().date());
        orders.push((o.clone(), spec.csr.clone().unwrap_or_default()));
        o
    }

    fn with_csr(&self, o: &Order, csr: &str) -> Order {
        let mut o = o.clone();
        o.raw = Some(serde_json::json!({"id": o.order_id, "certificate": {"csr": csr}}));
        o
    }
}

fn unknown() -> Error {
    Error::OutcomeUnknown(Box::new(OutcomeUnknown::new(
        "fake",
        "place_order",
        "POST /orders",
        "connection dropped",
        "GET /orders",
        vec![],
    )))
}

fn refused(status: u16) -> Error {
    let mut e = ProviderError::new("fake", status, vec![ProviderErrorEntry::new(Some("nope".into()), "refused", None)]);
    if status == 429 {
        e.retry_after = Some(std::time::Duration::from_millis(10));
    }
    e.into()
}

#[async_trait]
impl Provider for Fake {
    fn name(&self) -> &'static str {
        "fake"
    }
    fn capabilities(&self) -> Capabilities {
        let mut verbs = vec![Verb::Place, Verb::Get, Verb::Renew, Verb::Reissue];
        if self.list_mode != ListMode::Unsupported {
            verbs.push(Verb::ListOrders);
        }
        let mut caps = Capabilities::new(self.dcv_table());
        caps.verbs = verbs;
        caps
    }
    fn dcv_table(&self) -> DcvTable {
        DcvTable::new(&[(DcvMethod::Dns, "dns")])
    }
    async fn products(&self) -> Result<Vec<ProductRules>> {
        Ok(vec![])
    }
    async fn product(&self, id: &str) -> Result<ProductRules> {
        Err(Error::Config(format!("no product {id}")))
    }
    async fn prepare(&self, spec: &OrderSpec) -> Result<PreparedOrder> {
        let req = HttpRequest::new(Method::Post, "/orders", CallKind::Spend);
        Ok(PreparedOrder::new("fake", spec.clone(), req, "POST /orders".into(), vec![]))
    }
    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> Result<PreparedOrder> {
        Ok(self.prepare(spec).await?.renewal_of(order_id))
    }
    async fn place_prepared(&self, prepared: &PreparedOrder) -> Result<Order> {
        *self.sent.lock().unwrap() += 1;
        let act = self.acts.lock().unwrap().pop_front().unwrap_or(Act::Ok);
        match act {
            Act::Ok => Ok(self.store(&prepared.spec)),
            Act::CommitThenLose => {
                self.store(&prepared.spec);
                Err(unknown())
            }
            Act::LoseBeforeCommit => Err(unknown()),
            Act::RateLimited => Err(refused(429)),
            Act::Refuse => Err(refused(400)),
        }
    }
    async fn quote(&self, _spec: &OrderSpec) -> Result<Quote> {
        Err(Error::Unsupported { provider: "fake", verb: "quote".into() })
    }
    async fn get(&self, order_id: &str) -> Result<Order> {
        *self.reads.lock().unwrap() += 1;
        let orders = self.orders.lock().unwrap();
        let (o, csr) = orders.iter().find(|(o, _)| o.order_id == order_id).ok_or_else(|| refused(404))?;
        Ok(if self.list_mode == ListMode::Blind { o.clone() } else { self.with_csr(o, csr) })
    }
    async fn list_orders(&self, filter: &OrderFilter) -> Result<OrderPage> {
        *self.listings.lock().unwrap() += 1;
        if self.list_mode == ListMode::Unsupported {
            return Err(Error::Unsupported { provider: "fake", verb: "list_orders".into() });
        }
        let orders = self.orders.lock().unwrap();
        let rows = orders
            .iter()
            .filter(|(o, _)| filter.matches(o))
            .map(|(o, csr)| if self.list_mode == ListMode::EchoCsr { self.with_csr(o, csr) } else { o.clone() })
            .collect();
        Ok(OrderPage::new(rows, None, None))
    }
    async fn change_dcv(&self, order_id: &str, _m: DcvMethod) -> Result<Order> {
        self.get(order_id).await
    }
    async fn recheck_dcv(&self, order_id: &str) -> Result<Order> {
        self.get(order_id).await
    }
    async fn download(&self, _order_id: &str) -> Result<CertificateBundle> {
        Err(Error::Unsupported { provider: "fake", verb: "download".into() })
    }
    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> Result<Order> {
        *self.sent.lock().unwrap() += 1;
        let mut orders = self.orders.lock().unwrap();
        let (o, csr) = orders.iter_mut().find(|(o, _)| o.order_id == order_id).ok_or_else(|| refused(404))?;
        *csr = spec.csr.clone().unwrap_or_default();
        Ok(o.clone())
    }
    async fn cancel(&self, order_id: &str, _r: Option<&str>) -> Result<()> {
        self.set_status(order_id, OrderStatus::Cancelled);
        Ok(())
    }
    async fn revoke(&self, _order_id: &str, _r: Option<&str>) -> Result<()> {
        Ok(())
    }
}
