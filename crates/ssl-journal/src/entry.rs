//! What the journal keeps: the intent written before a money call, its outcome, and the order's later statuses.

use serde::{Deserialize, Serialize};
use ssl_core::model::{Order, OrderStatus};
use time::{Date, OffsetDateTime};

use crate::reference::SpendVerb;

/// Where an entry's reference came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReferenceKind {
    /// The digest of the canonical form ([`crate::reference`]); never sent to the provider.
    Default,
    /// The caller's own `--reference`.
    User,
    /// An order imported by id (`ssl-orders import`).
    Imported,
}

impl ReferenceKind {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::User => "user",
            Self::Imported => "imported",
        }
    }

    /// Parse [`ReferenceKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Default, Self::User, Self::Imported].into_iter().find(|k| k.as_str() == s)
    }
}

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryState {
    /// The intent is written; the request is (or was, when its process died) on its way.
    Sending,
    /// The provider answered with an order id.
    Placed,
    /// The provider answered "no": nothing was placed.
    Refused,
    /// The request went out and no usable answer came back: the order may exist.
    Unknown,
    /// Removed by `ssl-orders forget`: kept for history, blocks nothing.
    Forgotten,
}

impl EntryState {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sending => "sending",
            Self::Placed => "placed",
            Self::Refused => "refused",
            Self::Unknown => "unknown",
            Self::Forgotten => "forgotten",
        }
    }

    /// Parse [`EntryState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sending, Self::Placed, Self::Refused, Self::Unknown, Self::Forgotten]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Written, durably, before the request goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The reference (default digest or the caller's).
    pub reference: String,
    /// Where the reference came from.
    pub reference_kind: ReferenceKind,
    /// Order, renew or reissue.
    pub verb: SpendVerb,
    /// Provider short name.
    pub provider: String,
    /// The base URL the request goes to (rows of different simulators and accounts never mix).
    pub base_url: String,
    /// Account identity ([`crate::account`]).
    pub account: String,
    /// SHA-256 of the order spec as JSON (what exactly was asked for).
    pub spec_digest: String,
    /// SPKI SHA-256 of the CSR.
    pub csr_key: Option<String>,
    /// Product id.
    pub product: String,
    /// Term in months.
    pub term_months: u32,
    /// Primary name.
    pub common_name: String,
    /// Every name, canonical.
    pub names: Vec<String>,
    /// The order renewed or reissued.
    pub predecessor: Option<String>,
}

/// One journal row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Row id.
    pub id: i64,
    /// What was intended.
    #[serde(flatten)]
    pub intent: Intent,
    /// Where the attempt stands.
    pub state: EntryState,
    /// The provider's order id once known.
    pub order_id: Option<String>,
    /// Last normalized status seen.
    pub status: Option<String>,
    /// Last raw status seen.
    pub provider_status: Option<String>,
    /// End of the coverage bought.
    pub coverage_end: Option<Date>,
    /// `not_after` of the current certificate.
    #[serde(with = "time::serde::rfc3339::option")]
    pub not_after: Option<OffsetDateTime>,
    /// The refusal or the cause of the unknown outcome.
    pub error: Option<String>,
    /// When the intent was written.
    #[serde(with = "time::serde::rfc3339")]
    pub intent_at: OffsetDateTime,
    /// When the outcome was recorded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub outcome_at: Option<OffsetDateTime>,
    /// When the status last changed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub status_at: Option<OffsetDateTime>,
    /// When the order was last read from the provider.
    #[serde(with = "time::serde::rfc3339::option")]
    pub checked_at: Option<OffsetDateTime>,
    /// When a listing last did not find an order whose outcome is unknown (the start of the settle time).
    #[serde(with = "time::serde::rfc3339::option")]
    pub absent_at: Option<OffsetDateTime>,
}

impl Entry {
    /// The normalized status, when one was seen.
    pub fn order_status(&self) -> Option<OrderStatus> {
        self.status.as_deref().and_then(parse_status)
    }

    /// Whether this entry stops a new spend with the same reference: an attempt in flight or unknown, or a placed
    /// order that was not rejected or cancelled.
    pub fn blocks(&self) -> bool {
        match self.state {
            EntryState::Sending | EntryState::Unknown => true,
            EntryState::Placed => !matches!(self.order_status(), Some(OrderStatus::Rejected | OrderStatus::Cancelled)),
            _ => false,
        }
    }

    /// Whether `sync` should read this order again at `now`: placed, and not final, or issued with coverage left.
    pub fn needs_sync(&self, today: Date) -> bool {
        if self.state != EntryState::Placed || self.order_id.is_none() {
            return false;
        }
        match self.order_status() {
            None | Some(OrderStatus::Unknown) => true,
            Some(OrderStatus::Issued) => self.coverage_end.is_none_or(|d| d >= today),
            Some(s) => !s.is_final(),
        }
    }
}

/// Parse a normalized status name.
pub fn parse_status(s: &str) -> Option<OrderStatus> {
    use OrderStatus::*;
    [Draft, PendingValidation, PendingApproval, Processing, Issued, Rejected, Cancelled, Revoked, Expired, Unknown]
        .into_iter()
        .find(|x| x.as_str() == s)
}

/// What the journal keeps of an order read from the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// The provider's order id.
    pub order_id: String,
    /// Normalized status.
    pub status: String,
    /// Raw status.
    pub provider_status: String,
    /// End of the coverage bought.
    pub coverage_end: Option<Date>,
    /// `not_after` of the current certificate.
    #[serde(with = "time::serde::rfc3339::option")]
    pub not_after: Option<OffsetDateTime>,
}

impl From<&Order> for Observed {
    fn from(o: &Order) -> Self {
        Self {
            order_id: o.order_id.clone(),
            status: o.status.as_str().to_owned(),
            provider_status: o.provider_status.clone(),
            coverage_end: o.coverage_ends,
            not_after: o.certificate.as_ref().map(|c| c.not_after),
        }
    }
}

/// One status change, with its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Normalized status.
    pub status: String,
    /// Raw status.
    pub provider_status: String,
    /// When it was seen.
    #[serde(with = "time::serde::rfc3339")]
    pub observed_at: OffsetDateTime,
}

/// Which entries to list (`ssl-orders orders`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Only this provider.
    pub provider: Option<String>,
    /// Only this base URL.
    pub base_url: Option<String>,
    /// Only this reference.
    pub reference: Option<String>,
    /// Only this order id.
    pub order_id: Option<String>,
    /// Only these states.
    pub states: Vec<EntryState>,
    /// Only this normalized status.
    pub status: Option<String>,
    /// Only entries with this name (exact, canonical).
    pub name: Option<String>,
    /// Include forgotten entries.
    pub include_forgotten: bool,
}

impl EntryFilter {
    /// Whether `e` passes (backends filter in SQL where they can and call this for the rest).
    pub fn accepts(&self, e: &Entry) -> bool {
        (self.include_forgotten || e.state != EntryState::Forgotten || self.states.contains(&EntryState::Forgotten))
            && self.provider.as_ref().is_none_or(|p| *p == e.intent.provider)
            && self.base_url.as_ref().is_none_or(|b| *b == e.intent.base_url)
            && self.reference.as_ref().is_none_or(|r| *r == e.intent.reference)
            && self.order_id.as_ref().is_none_or(|o| e.order_id.as_ref() == Some(o))
            && (self.states.is_empty() || self.states.contains(&e.state))
            && self.status.as_ref().is_none_or(|s| e.status.as_ref() == Some(s))
            && self.name.as_ref().is_none_or(|n| e.intent.names.iter().any(|x| x.eq_ignore_ascii_case(n)))
    }
}
