//! [`Journaled`]: any [`Provider`] with the journal in front of every money call.
//!
//! Before a spend (order, renew, reissue) the journal is consulted by reference, under a per-reference lock that
//! every process sharing the journal respects:
//!
//! 1. **Placed** (and not rejected or cancelled): nothing is sent; the existing order is returned
//!    ([`How::AlreadyPlaced`]).
//! 2. **Sending** (its process died) or **unknown**: the provider's orders for the common name since the intent
//!    are listed and matched ([`crate::matching`]). Found: adopted ([`How::Adopted`]). Not found: sent again only
//!    when two listings at least the settle time apart agree; otherwise [`SpendError::Unsettled`] says when to
//!    retry. A provider whose listing cannot decide never re-sends ([`SpendError::NoListing`]).
//! 3. Nothing, or only refused / rejected / cancelled / forgotten attempts: the intent is written, durably, and
//!    the request is sent once. A 429 is a refusal like any other (recorded, returned at once, never waited out
//!    or re-sent: a re-run sends a fresh attempt). An unknown outcome (5xx, timeout, connection dropped after the
//!    request went out) is recorded and returned as [`Error::OutcomeUnknown`] after exactly one request: nothing is
//!    listed, adopted or re-sent in that call. The next spend of the same reference (a re-run) or
//!    [`Journaled::reconcile`] does that (step 2).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use ssl_core::model::{
    Capabilities, CertificateBundle, DcvMethod, DcvTable, Order, OrderFilter, OrderPage, OrderSpec, OrderStatus,
    ProductRules, Quote, ReissueSpec,
};
use ssl_core::{Error, PreparedOrder, Provider};
use time::OffsetDateTime;

use crate::entry::{Entry, EntryFilter, EntryState, Intent, Observed, ReferenceKind};
use crate::journal::{Journal, JournalError, Outcome};
use crate::listing::{self, Listing};
use crate::matching::{Verdict, judge};
use crate::reference::{ReferenceInput, SpendVerb, canonical_names, check_user_reference};

/// The default settle time between two listings that must agree before a re-send.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(120);

/// The settle time from `SSL_ORDERS_SETTLE_SECS` (default 120 s).
pub fn settle_from_env() -> Duration {
    std::env::var("SSL_ORDERS_SETTLE_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_SETTLE)
}

/// How a spend ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum How {
    /// Sent now and placed.
    Placed,
    /// The journal already had it placed: nothing was sent.
    AlreadyPlaced,
    /// An earlier attempt's order was found in the provider's listing and adopted: nothing was sent.
    Adopted,
}

/// A spend that ended with an order.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The order.
    pub order: Order,
    /// How.
    pub how: How,
    /// The journal entry.
    pub entry_id: i64,
    /// The reference.
    pub reference: String,
}

/// Why a spend did not end with an order.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpendError {
    /// The provider call failed (refused, rejected locally, outcome unknown and not found yet...).
    #[error(transparent)]
    Provider(#[from] Error),
    /// The journal could not be read or written; when the intent could not be written, nothing was sent.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// An earlier attempt's outcome is unknown, and the listing does not show it yet: not re-sent before two
    /// listings at least the settle time apart agree.
    #[error(
        "the outcome of an earlier attempt (journal entry {entry_id}, reference {reference}) is unknown and the {provider} listing does not show the order yet; nothing was sent. Retry after {retry_at} (settle time {settle_secs}s)"
    )]
    Unsettled {
        /// Provider.
        provider: String,
        /// Journal entry.
        entry_id: i64,
        /// Reference.
        reference: String,
        /// When a re-run may decide.
        retry_at: String,
        /// The settle time.
        settle_secs: u64,
    },
    /// An earlier attempt's outcome is unknown and the provider's listing cannot show whether it exists: never
    /// re-sent automatically.
    #[error(
        "the outcome of an earlier attempt (journal entry {entry_id}, reference {reference}) is unknown and {provider} cannot list it ({reason}); nothing was sent. Look in {lookup}, then `ssl-orders import ORDER_ID` or `ssl-orders forget {entry_id}`"
    )]
    NoListing {
        /// Provider.
        provider: String,
        /// Journal entry.
        entry_id: i64,
        /// Reference.
        reference: String,
        /// Why the listing cannot decide.
        reason: String,
        /// The provider's own place to look.
        lookup: String,
    },
}

impl SpendError {
    /// The journal entry concerned, when there is one.
    pub fn entry_id(&self) -> Option<i64> {
        match self {
            Self::Unsettled { entry_id, .. } | Self::NoListing { entry_id, .. } => Some(*entry_id),
            _ => None,
        }
    }
}

impl From<SpendError> for Error {
    fn from(e: SpendError) -> Self {
        match e {
            SpendError::Provider(e) => e,
            SpendError::Journal(j) => Error::Config(format!("{j}; nothing was sent")),
            other => Error::OutcomeUnknown(Box::new(ssl_core::error::OutcomeUnknown::new(
                "journal",
                "reconcile",
                String::new(),
                other.to_string(),
                "ssl-orders reconcile",
                Vec::new(),
            ))),
        }
    }
}

/// What a spend is.
#[derive(Debug, Clone, Copy)]
pub enum Spend<'a> {
    /// A new order.
    Order(&'a OrderSpec),
    /// Renew `predecessor` with a new order.
    Renew {
        /// The order renewed.
        predecessor: &'a str,
        /// The new order.
        spec: &'a OrderSpec,
    },
    /// Reissue `order_id`.
    Reissue {
        /// The order reissued.
        order_id: &'a str,
        /// What changes.
        spec: &'a ReissueSpec,
        /// The names the reissued certificate will carry (the order's current ones when the spec keeps them).
        names: &'a [String],
        /// The product of the order (for the reference).
        product: &'a str,
    },
}

impl Spend<'_> {
    fn verb(&self) -> SpendVerb {
        match self {
            Self::Order(_) => SpendVerb::Order,
            Self::Renew { .. } => SpendVerb::Renew,
            Self::Reissue { .. } => SpendVerb::Reissue,
        }
    }
}

/// A provider with the journal in front. Build with [`Journaled::new`].
#[derive(Debug, Clone)]
pub struct Journaled {
    inner: Arc<dyn Provider>,
    journal: Arc<dyn Journal>,
    base_url: String,
    account: String,
    settle: Duration,
}

impl Journaled {
    /// Wrap `inner`, which talks to `base_url` as `account` (an identity from [`crate::account`]). The settle time
    /// comes from `SSL_ORDERS_SETTLE_SECS` (default 120 s).
    pub fn new(
        inner: Arc<dyn Provider>,
        journal: Arc<dyn Journal>,
        base_url: impl Into<String>,
        account: impl Into<String>,
    ) -> Self {
        Self { inner, journal, base_url: base_url.into(), account: account.into(), settle: settle_from_env() }
    }

    /// Replace the settle time.
    #[must_use]
    pub fn settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &Arc<dyn Provider> {
        &self.inner
    }

    /// The journal.
    pub fn journal(&self) -> &Arc<dyn Journal> {
        &self.journal
    }

    /// The base URL rows are keyed by.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The account identity.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The intent a spend would write (its reference included), without writing or sending anything.
    pub fn intent(&self, spend: Spend<'_>, user_reference: Option<&str>) -> Result<Intent, SpendError> {
        let (product, term, names, csr, predecessor, spec_json): (
            &str,
            u32,
            Vec<String>,
            Option<&str>,
            Option<&str>,
            _,
        ) = match spend {
            Spend::Order(s) | Spend::Renew { spec: s, .. } => (
                &s.product,
                s.term_months,
                s.all_names().into_iter().map(str::to_owned).collect(),
                s.csr.as_deref(),
                match spend {
                    Spend::Renew { predecessor, .. } => Some(predecessor),
                    _ => None,
                },
                serde_json::to_vec(s),
            ),
            Spend::Reissue { order_id, spec, names, product } => {
                (product, 0, names.to_vec(), spec.csr.as_deref(), Some(order_id), serde_json::to_vec(spec))
            }
        };
        let csr = csr.ok_or_else(|| {
            Error::Invalid(vec![ssl_core::Problem::error("csr_missing", "a money call needs a CSR").with_field("csr")])
        })?;
        let csr_key = crate::csr_key::csr_key_digest_str(csr).ok_or_else(|| {
            Error::Invalid(vec![ssl_core::Problem::error("csr_unreadable", "the CSR cannot be read").with_field("csr")])
        })?;
        let names = canonical_names(names.iter().map(String::as_str));
        let common_name = match spend {
            Spend::Order(s) | Spend::Renew { spec: s, .. } => s.common_name.clone(),
            Spend::Reissue { spec, .. } => {
                spec.common_name.clone().unwrap_or_else(|| names.first().cloned().unwrap_or_default())
            }
        };
        let (reference, reference_kind) = match user_reference {
            Some(r) => {
                check_user_reference(r).map_err(|m| {
                    Error::Invalid(vec![ssl_core::Problem::error("reference", m).with_field("reference")])
                })?;
                (r.to_owned(), ReferenceKind::User)
            }
            None => {
                let input = ReferenceInput {
                    verb: spend.verb(),
                    provider: self.inner.name(),
                    account: &self.account,
                    product,
                    names: names.iter().map(String::as_str).collect(),
                    term_months: term,
                    predecessor,
                    csr_key: &csr_key,
                };
                (input.reference(), ReferenceKind::Default)
            }
        };
        Ok(Intent {
            reference,
            reference_kind,
            verb: spend.verb(),
            provider: self.inner.name().to_owned(),
            base_url: self.base_url.clone(),
            account: self.account.clone(),
            spec_digest: hex::encode(Sha256::digest(spec_json.unwrap_or_default())),
            csr_key: Some(csr_key),
            product: product.to_owned(),
            term_months: term,
            common_name,
            names,
            predecessor: predecessor.map(str::to_owned),
        })
    }

    /// Spend once: reconcile with the journal and the provider first, send only when nothing exists.
    pub async fn spend(&self, spend: Spend<'_>, user_reference: Option<&str>) -> Result<Placement, SpendError> {
        let intent = self.intent(spend, user_reference)?;
        let _lock = self.journal.lock(&self.base_url, &intent.reference).await?;
        if let Some(existing) = self.journal.blocking(&self.base_url, &intent.reference).await? {
            match self.settle_existing(&existing, Some(spend)).await? {
                Settled::Done(p) => return Ok(*p),
                Settled::SendAgain => {}
            }
        }
        self.send(spend, &intent).await
    }

    /// Reconcile one entry on demand (`ssl-orders reconcile`): placed entries are read again, sending/unknown ones
    /// matched against the listing and adopted when found. Never sends a spend.
    pub async fn reconcile(&self, entry_id: i64) -> Result<Reconciled, SpendError> {
        let Some(entry) = self.journal.entry(entry_id).await? else {
            return Err(JournalError::Conflict(format!("no journal entry {entry_id}")).into());
        };
        let _lock = self.journal.lock(&entry.intent.base_url, &entry.intent.reference).await?;
        let entry = self.journal.entry(entry_id).await?.unwrap_or(entry);
        match entry.state {
            EntryState::Placed => {
                let order = self.refresh(&entry).await?;
                Ok(Reconciled::Placed(order))
            }
            EntryState::Sending | EntryState::Unknown => match self.settle_existing(&entry, None).await {
                Ok(Settled::Done(p)) => Ok(Reconciled::Adopted(p.order)),
                Ok(Settled::SendAgain) => Ok(Reconciled::NotPlaced),
                Err(e) => Err(e),
            },
            _ => Ok(Reconciled::Nothing(entry.state)),
        }
    }

    async fn refresh(&self, entry: &Entry) -> Result<Order, SpendError> {
        let order_id = entry.order_id.clone().unwrap_or_default();
        let order = self.inner.get(&order_id).await?;
        self.journal.record_observed(entry.id, &Observed::from(&order), OffsetDateTime::now_utc()).await?;
        Ok(order)
    }

    /// An entry blocks this reference: return its order, adopt it, or decide that it was never placed.
    async fn settle_existing(&self, existing: &Entry, spend: Option<Spend<'_>>) -> Result<Settled, SpendError> {
        if existing.state == EntryState::Placed {
            let order = match self.refresh(existing).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!("order {:?} is placed; reading it failed: {e}", existing.order_id);
                    order_from_entry(existing)
                }
            };
            if matches!(order.status, OrderStatus::Rejected | OrderStatus::Cancelled) && spend.is_some() {
                // Rejected or cancelled since: no longer blocks.
                return Ok(Settled::SendAgain);
            }
            return Ok(Settled::Done(Box::new(Placement {
                order,
                how: How::AlreadyPlaced,
                entry_id: existing.id,
                reference: existing.intent.reference.clone(),
            })));
        }
        let now = OffsetDateTime::now_utc();
        let known = self.known_elsewhere(existing).await?;
        let listed = match listing::list_for(&*self.inner, existing, known).await {
            Ok(Listing::Orders(l)) => l,
            Ok(Listing::Unsupported(reason)) => return Err(self.no_listing(existing, reason)),
            Err(e) => {
                return Err(self.no_listing(existing, format!("the listing failed: {e}")));
            }
        };
        match judge(existing, &listed) {
            Verdict::Found(order_id) => {
                let order = self.inner.get(&order_id).await.unwrap_or_else(|e| {
                    tracing::warn!("adopting order {order_id}; reading it failed: {e}");
                    let mut o = order_from_entry(existing);
                    o.order_id = order_id.clone();
                    o
                });
                let mut obs = Observed::from(&order);
                obs.order_id = order_id;
                self.journal.record_outcome(existing.id, &Outcome::Placed(obs), now).await?;
                Ok(Settled::Done(Box::new(Placement {
                    order,
                    how: How::Adopted,
                    entry_id: existing.id,
                    reference: existing.intent.reference.clone(),
                })))
            }
            Verdict::Undecidable(ids) => Err(self.no_listing(
                existing,
                format!("orders {} carry the name but echo neither the CSR nor a reference", ids.join(", ")),
            )),
            Verdict::Absent => {
                let first = existing.absent_at.unwrap_or(now);
                let settle = time::Duration::try_from(self.settle).unwrap_or(time::Duration::MAX);
                if existing.absent_at.is_some() && now - first >= settle {
                    // Two listings at least the settle time apart agree: the earlier attempt placed nothing.
                    self.journal
                        .record_outcome(
                            existing.id,
                            &Outcome::Refused(format!(
                                "not placed: absent from the listings of {} and {}",
                                rfc3339(first),
                                rfc3339(now)
                            )),
                            now,
                        )
                        .await?;
                    return Ok(Settled::SendAgain);
                }
                self.journal.record_absent(existing.id, now).await?;
                Err(SpendError::Unsettled {
                    provider: existing.intent.provider.clone(),
                    entry_id: existing.id,
                    reference: existing.intent.reference.clone(),
                    retry_at: rfc3339(first + settle),
                    settle_secs: self.settle.as_secs(),
                })
            }
        }
    }

    /// Order ids this journal holds for the entry's provider and base URL under another CSR key: each is the order
    /// of a request with another key, so it cannot be this entry's.
    async fn known_elsewhere(&self, e: &Entry) -> Result<BTreeSet<String>, SpendError> {
        let Some(key) = e.intent.csr_key.as_deref() else { return Ok(BTreeSet::new()) };
        let filter = EntryFilter {
            provider: Some(e.intent.provider.clone()),
            base_url: Some(e.intent.base_url.clone()),
            include_forgotten: true,
            ..EntryFilter::default()
        };
        let predecessor = e.intent.predecessor.as_deref();
        Ok(self
            .journal
            .entries(&filter)
            .await?
            .into_iter()
            .filter(|x| x.id != e.id && x.intent.csr_key.as_deref().is_some_and(|k| k != key))
            .filter_map(|x| x.order_id)
            // A reissue keeps its order id: the order reissued is never left out.
            .filter(|id| Some(id.as_str()) != predecessor)
            .collect())
    }

    fn no_listing(&self, e: &Entry, reason: String) -> SpendError {
        SpendError::NoListing {
            provider: e.intent.provider.clone(),
            entry_id: e.id,
            reference: e.intent.reference.clone(),
            reason,
            lookup: listing::lookup_hint(&e.intent.provider),
        }
    }

    async fn send(&self, spend: Spend<'_>, intent: &Intent) -> Result<Placement, SpendError> {
        let entry = self.journal.record_intent(intent, OffsetDateTime::now_utc()).await?;
        let result = match spend {
            Spend::Order(s) => self.inner.place(s).await,
            Spend::Renew { predecessor, spec } => self.inner.renew(predecessor, spec).await,
            Spend::Reissue { order_id, spec, .. } => self.inner.reissue(order_id, spec).await,
        };
        let now = OffsetDateTime::now_utc();
        match result {
            Ok(order) => {
                // The order exists: a journal failure now must not hide it.
                if let Err(e) =
                    self.journal.record_outcome(entry.id, &Outcome::Placed(Observed::from(&order)), now).await
                {
                    tracing::error!("order {} placed but the journal could not record it: {e}", order.order_id);
                }
                Ok(Placement { order, how: How::Placed, entry_id: entry.id, reference: intent.reference.clone() })
            }
            Err(Error::PlacedUnreadable(p)) => {
                // The provider accepted it: never lose it, never send it again.
                let outcome = match &p.order_id {
                    Some(id) => Outcome::Placed(Observed {
                        order_id: id.clone(),
                        status: OrderStatus::Unknown.as_str().into(),
                        provider_status: String::new(),
                        coverage_end: None,
                        not_after: None,
                    }),
                    None => Outcome::Unknown(p.to_string()),
                };
                if let Err(e) = self.journal.record_outcome(entry.id, &outcome, now).await {
                    tracing::error!("{p}; the journal could not record it: {e}");
                }
                Err(Error::PlacedUnreadable(p).into())
            }
            Err(Error::OutcomeUnknown(mut o)) => {
                // Exactly one request in this invocation: no listing, no adoption, no re-send now. The next spend
                // of this reference (a re-run) or `ssl-orders reconcile` lists, matches and adopts, or re-sends
                // only after two listings the settle time apart agree.
                let e = Error::OutcomeUnknown(o.clone());
                self.journal.record_outcome(entry.id, &Outcome::Unknown(e.to_string()), now).await?;
                let provider_lookup = std::mem::take(&mut o.lookup);
                o.lookup = format!(
                    "journal entry {} (reference {}): re-run the same command, or `ssl-orders reconcile {}`, to find it in the {} listing and adopt it{}",
                    entry.id,
                    intent.reference,
                    intent.reference,
                    intent.provider,
                    if provider_lookup.is_empty() { String::new() } else { format!("; or look in {provider_lookup}") }
                );
                Err(Error::OutcomeUnknown(o).into())
            }
            Err(e) => {
                self.journal.record_outcome(entry.id, &Outcome::Refused(e.to_string()), now).await?;
                Err(e.into())
            }
        }
    }
}

enum Settled {
    Done(Box<Placement>),
    SendAgain,
}

/// What `reconcile` found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Reconciled {
    /// The entry was placed; here is the order as read now.
    Placed(Order),
    /// An attempt of unknown outcome was found in the listing and adopted.
    Adopted(Order),
    /// Two listings the settle time apart agree that the attempt placed nothing (marked refused).
    NotPlaced,
    /// Nothing to reconcile (refused or forgotten).
    Nothing(EntryState),
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// An order as far as the journal knows it (when the provider cannot be read).
pub fn order_from_entry(e: &Entry) -> Order {
    let mut o = Order::new(
        e.intent.provider.clone(),
        e.order_id.clone().unwrap_or_default(),
        e.order_status().unwrap_or(OrderStatus::Unknown),
        e.provider_status.clone().unwrap_or_default(),
    );
    o.common_name = e.intent.common_name.clone();
    o.dns_names = e.intent.names.clone();
    o.coverage_ends = e.coverage_end;
    o.product = Some(e.intent.product.clone());
    o
}

/// The wrapper is a [`Provider`] too: `place`, `renew` and `reissue` go through the journal with default references
/// (or the spec's `client_reference`); everything else passes through.
#[async_trait]
impl Provider for Journaled {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn dcv_table(&self) -> DcvTable {
        self.inner.dcv_table()
    }
    async fn products(&self) -> ssl_core::Result<Vec<ProductRules>> {
        self.inner.products().await
    }
    async fn product(&self, id: &str) -> ssl_core::Result<ProductRules> {
        self.inner.product(id).await
    }
    async fn prepare(&self, spec: &OrderSpec) -> ssl_core::Result<PreparedOrder> {
        self.inner.prepare(spec).await
    }
    async fn prepare_renewal(&self, order_id: &str, spec: &OrderSpec) -> ssl_core::Result<PreparedOrder> {
        self.inner.prepare_renewal(order_id, spec).await
    }
    async fn place_prepared(&self, prepared: &PreparedOrder) -> ssl_core::Result<Order> {
        let spend = match &prepared.renewal_of {
            Some(predecessor) => Spend::Renew { predecessor, spec: &prepared.spec },
            None => Spend::Order(&prepared.spec),
        };
        Ok(self.spend(spend, prepared.spec.client_reference.as_deref()).await?.order)
    }
    async fn list_orders(&self, filter: &OrderFilter) -> ssl_core::Result<OrderPage> {
        self.inner.list_orders(filter).await
    }
    async fn submit(&self, order_id: &str) -> ssl_core::Result<Order> {
        self.inner.submit(order_id).await
    }
    async fn quote(&self, spec: &OrderSpec) -> ssl_core::Result<Quote> {
        self.inner.quote(spec).await
    }
    async fn place(&self, spec: &OrderSpec) -> ssl_core::Result<Order> {
        Ok(self.spend(Spend::Order(spec), spec.client_reference.as_deref()).await?.order)
    }
    async fn get(&self, order_id: &str) -> ssl_core::Result<Order> {
        self.inner.get(order_id).await
    }
    async fn change_dcv(&self, order_id: &str, method: DcvMethod) -> ssl_core::Result<Order> {
        self.inner.change_dcv(order_id, method).await
    }
    async fn recheck_dcv(&self, order_id: &str) -> ssl_core::Result<Order> {
        self.inner.recheck_dcv(order_id).await
    }
    async fn download(&self, order_id: &str) -> ssl_core::Result<CertificateBundle> {
        self.inner.download(order_id).await
    }
    async fn reissue(&self, order_id: &str, spec: &ReissueSpec) -> ssl_core::Result<Order> {
        let current = self.inner.get(order_id).await?;
        let names: Vec<String> = match (&spec.common_name, &spec.sans) {
            (cn, Some(sans)) => {
                std::iter::once(cn.clone().unwrap_or(current.common_name.clone())).chain(sans.iter().cloned()).collect()
            }
            _ => current.dns_names.clone(),
        };
        let product = current.product.clone().unwrap_or_default();
        let spend = Spend::Reissue { order_id, spec, names: &names, product: &product };
        Ok(self.spend(spend, None).await?.order)
    }
    async fn renew(&self, order_id: &str, spec: &OrderSpec) -> ssl_core::Result<Order> {
        let spend = Spend::Renew { predecessor: order_id, spec };
        Ok(self.spend(spend, spec.client_reference.as_deref()).await?.order)
    }
    async fn cancel(&self, order_id: &str, reason: Option<&str>) -> ssl_core::Result<()> {
        self.inner.cancel(order_id, reason).await
    }
    async fn revoke(&self, order_id: &str, reason: Option<&str>) -> ssl_core::Result<()> {
        self.inner.revoke(order_id, reason).await
    }
}
