//! What the kit does with any provider's orders, given its [`Book`]: inspection JSON, approve / pass DCV / reject
//! / raw status, time passing (expiry, provider rules), approval emails, CSR key counts and bulk seeding.

use std::fmt::Debug;

use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::kit::app::Shared;
use crate::kit::order::{Order, Stage};
use crate::kit::state::{Kit, Part, State};

/// `Part` and the `orders` accessor for a provider state with an `orders: Vec<Order<Extra>>` field:
/// `kit::book::part!(NsState, "nameshield", NsExtra);`.
macro_rules! part {
    ($state:ty, $name:literal, $extra:ty) => {
        impl $crate::kit::state::Part for $state {
            const NAME: &'static str = $name;
        }

        impl $crate::kit::book::Orders for $state {
            type Extra = $extra;

            fn orders(&mut self) -> &mut Vec<$crate::kit::order::Order<$extra>> {
                &mut self.orders
            }
        }
    };
}
pub(crate) use part;

/// A provider state's orders (written by [`part!`]).
pub(crate) trait Orders: Part {
    /// What only this provider keeps per order.
    type Extra: Serialize + DeserializeOwned + Clone + Debug + Send;

    /// Every order, oldest first.
    fn orders(&mut self) -> &mut Vec<Order<Self::Extra>>;

    /// Order `id` (white space around it ignored).
    fn by_id(&mut self, id: &str) -> Option<&mut Order<Self::Extra>> {
        self.orders().iter_mut().find(|o| o.id == id.trim())
    }

    /// The order holding leaf (certificate) `id` (white space around it ignored).
    fn by_leaf(&mut self, id: &str) -> Option<&mut Order<Self::Extra>> {
        self.orders().iter_mut().find(|o| o.leaf(id.trim()).is_some())
    }
}

/// A provider's orders: its state part, its extra order fields and its status mapping.
pub(crate) trait Book: Orders {
    /// The wire status of `o` at stage `s` (the provider's own words).
    fn status(o: &Order<Self::Extra>, s: Stage) -> &'static str;

    /// A new order waiting for DCV for `csr` naming `cn`, as if the API had placed it (bulk seeding).
    fn sample(kit: &mut Kit, csr: &str, cn: &str) -> Order<Self::Extra>;

    /// Let time pass (default: issued orders whose leaf ended expire).
    fn tick(&mut self, now: OffsetDateTime) {
        for o in self.orders() {
            o.tick(now);
        }
    }
}

/// What the inspection API can do to one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Approve an order waiting for approval.
    Approve,
    /// Mark DCV passed for one name (or all).
    PassDcv(Option<String>),
    /// Reject it.
    Reject,
    /// Show this raw wire status instead of the mapped one (`None`: back to the mapping).
    RawStatus(Option<String>),
    /// Move the end of the order's coverage (term) to this date (renewal windows without moving the clock).
    CoverageEnd(time::Date),
}

/// An inspection-API failure: status and message.
pub(crate) type ActionError = (StatusCode, String);

/// How many orders, in which stage, for `POST /_sandbox/seed`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeedSpec {
    /// Provider name.
    pub provider: String,
    /// How many.
    pub count: usize,
    /// Their stage (default `issued`).
    #[serde(default = "issued")]
    pub stage: Stage,
}

fn issued() -> Stage {
    Stage::Issued
}

/// The generic operations, as function pointers for the registry.
#[derive(Clone, Copy)]
pub(crate) struct BookFns {
    /// Make the part typed (refusing saved JSON that does not read).
    pub check: fn(&mut State) -> Result<(), String>,
    /// Orders as JSON, each with its wire `status`.
    pub orders: fn(&mut State) -> Vec<Value>,
    /// One inspection action on order `id`.
    pub action: fn(&Shared, &mut State, &str, Action) -> Result<Value, ActionError>,
    /// Let time pass and send approval emails.
    pub tick: fn(&mut State),
    /// The CSR key (SHA-256 of the public key) of every order.
    pub keys: fn(&mut State) -> Vec<String>,
    /// Create orders (ids returned).
    pub seed: fn(&Shared, &mut State, &SeedSpec) -> Result<Vec<String>, String>,
}

/// The operations for provider state `B`.
pub(crate) const fn book<B: Book>() -> BookFns {
    BookFns {
        check: State::check::<B>,
        orders: orders_json::<B>,
        action: action::<B>,
        tick: tick::<B>,
        keys: keys::<B>,
        seed: seed::<B>,
    }
}

fn order_json<B: Book>(o: &Order<B::Extra>) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    v["status"] = json!(o.wire(B::status));
    v["id"] = crate::kit::wire::num(&o.id); // as the provider's API writes it
    v
}

fn orders_json<B: Book>(st: &mut State) -> Vec<Value> {
    st.split::<B>().0.orders().iter().map(order_json::<B>).collect()
}

fn action<B: Book>(shared: &Shared, st: &mut State, id: &str, a: Action) -> Result<Value, ActionError> {
    let (part, kit) = st.split::<B>();
    let now = kit.now();
    let o = part
        .orders()
        .iter_mut()
        .find(|o| o.id == id)
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("no {} order `{id}`", B::NAME)))?;
    let conflict = |e: crate::kit::order::Refused| (StatusCode::CONFLICT, e.to_string());
    let fail = |e: String| (StatusCode::INTERNAL_SERVER_ERROR, e);
    match a {
        Action::Approve => {
            o.apply(crate::kit::order::Event::Approve).map_err(conflict)?;
            o.settle(&shared.ca, now).map_err(fail)?;
        }
        Action::PassDcv(name) => {
            if !o.stage.is_open() {
                return Err((
                    StatusCode::CONFLICT,
                    format!("cannot pass DCV of an order that is {}", o.stage.as_str()),
                ));
            }
            if let Some(n) = name.as_deref().filter(|n| !o.names.iter().any(|x| x.name == *n)) {
                return Err((StatusCode::NOT_FOUND, format!("`{n}` is not a name of order {id}")));
            }
            o.pass_dcv(name.as_deref());
            o.settle(&shared.ca, now).map_err(fail)?;
        }
        Action::Reject => o.apply(crate::kit::order::Event::Reject).map_err(conflict)?,
        Action::RawStatus(raw) => o.raw_status = raw,
        Action::CoverageEnd(end) => o.coverage_end = Some(crate::kit::time::ymd(end)),
    }
    Ok(order_json::<B>(o))
}

fn tick<B: Book>(st: &mut State) {
    let (part, kit) = st.split::<B>();
    part.tick(kit.now());
    for o in part.orders().iter_mut().filter(|o| o.stage.is_open()) {
        let id = o.id.clone();
        for n in o.names.iter_mut().filter(|n| !n.validated && !n.mailed) {
            if let Some(to) = n.approver.clone().filter(|a| a.contains('@')) {
                kit.mail(B::NAME, &id, &n.name, &to);
                n.mailed = true;
            }
        }
    }
}

fn keys<B: Book>(st: &mut State) -> Vec<String> {
    st.split::<B>().0.orders().iter().map(|o| o.key.clone()).collect()
}

fn seed<B: Book>(shared: &Shared, st: &mut State, spec: &SeedSpec) -> Result<Vec<String>, String> {
    use crate::kit::order::Event;
    let (part, kit) = st.split::<B>();
    let now = kit.now();
    let mut ids = Vec::with_capacity(spec.count);
    for i in 0..spec.count {
        let cn = format!("seed-{i}-{}.example.com", kit.token(6));
        let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = rcgen::CertificateParams::new(vec![cn.clone()]).map_err(|e| e.to_string())?;
        params.distinguished_name.push(rcgen::DnType::CommonName, cn.as_str());
        let csr = params.serialize_request(&key).and_then(|c| c.pem()).map_err(|e| e.to_string())?;
        let mut o = B::sample(kit, &csr, &cn);
        let steps: &[Event] = match spec.stage {
            Stage::AwaitingApproval | Stage::PendingValidation => &[],
            Stage::Validated | Stage::Issued => &[Event::Issue],
            Stage::Rejected => &[Event::Reject],
            Stage::Cancelled => &[Event::Cancel],
            Stage::Revoked => &[Event::Issue, Event::Revoke],
            Stage::Expired => &[Event::Issue, Event::Expire],
        };
        if spec.stage == Stage::AwaitingApproval {
            o.stage = Stage::AwaitingApproval;
            o.approved = false;
        }
        for step in steps {
            if *step == Event::Issue {
                o.pass_dcv(None);
                o.settle(&shared.ca, now)?;
            } else {
                o.apply(*step).map_err(|e| e.to_string())?;
            }
        }
        ids.push(o.id.clone());
        part.orders().push(o);
    }
    Ok(ids)
}
