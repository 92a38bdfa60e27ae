//! The order every provider keeps: the neutral state machine ([`Stage`], [`Event`]) plus the names with their
//! DCV, the CSR, the leaves (primary, reissues, renewals, duplicates) and the provider's own extra fields `X`.
//! A provider maps a [`Stage`] to its wire status itself; `Order::wire` renders it, honouring a raw status
//! set through the inspection API and the `stale_status` fault.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ca::{Ca, parse_csr};
use crate::kit::time::{end_of, parse_date, parse_rfc3339, rfc3339, ymd};

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for an approver (approval knob).
    AwaitingApproval,
    /// Waiting for DCV of at least one name.
    PendingValidation,
    /// Every name passed DCV; the leaf is being issued.
    Validated,
    /// The current leaf is issued.
    Issued,
    /// Refused by the CA.
    Rejected,
    /// Cancelled by the customer (or an automatic rule).
    Cancelled,
    /// The current leaf was revoked.
    Revoked,
    /// The current leaf's `not_after` is behind the clock.
    Expired,
}

impl Stage {
    /// Approval, DCV or issuance still to come.
    pub(crate) fn is_open(self) -> bool {
        matches!(self, Self::AwaitingApproval | Self::PendingValidation | Self::Validated)
    }

    /// The snake_case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingApproval => "awaiting_approval",
            Self::PendingValidation => "pending_validation",
            Self::Validated => "validated",
            Self::Issued => "issued",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// The provider's word for this stage from `words`, in the order awaiting approval, pending validation,
    /// validated, issued, rejected, cancelled, revoked, expired.
    pub(crate) fn pick(self, words: [&'static str; 8]) -> &'static str {
        words[self as usize]
    }

    /// The stage after `event`, or why the move is impossible.
    pub(crate) fn next(self, event: Event) -> Result<Stage, Refused> {
        use Stage::*;
        let to = match (self, event) {
            (AwaitingApproval, Event::Approve) => PendingValidation,
            (PendingValidation, Event::Validate) => Validated,
            (Validated, Event::Issue) => Issued,
            (s, Event::Reject) if s.is_open() => Rejected,
            (s, Event::Cancel) if s.is_open() || s == Issued => Cancelled,
            (Issued | PendingValidation | Validated, Event::Revoke) => Revoked,
            (Issued, Event::Expire) => Expired,
            (Issued | Expired, Event::Reissue) => PendingValidation,
            (from, event) => return Err(Refused { from, event }),
        };
        Ok(to)
    }
}

/// What happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The approver approves.
    Approve,
    /// The last name passed DCV.
    Validate,
    /// The leaf is signed.
    Issue,
    /// The CA refuses.
    Reject,
    /// The customer cancels.
    Cancel,
    /// The leaf is revoked.
    Revoke,
    /// Time ran out.
    Expire,
    /// A new leaf for the same order.
    Reissue,
}

/// An impossible move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Where the order was.
    pub from: Stage,
    /// What was asked.
    pub event: Event,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot {:?} an order that is {}", self.event, self.from.as_str())
    }
}

/// One name of an order and its DCV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The name (lowercase; `*.` for a wildcard).
    pub name: String,
    /// The provider's DCV method for it.
    pub method: String,
    /// The approver address for email DCV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// DCV passed.
    pub validated: bool,
    /// An approval email was sent (see the mailbox).
    #[serde(default)]
    pub mailed: bool,
}

impl Name {
    /// A name waiting for DCV by `method` (an address in `approver` means email).
    pub(crate) fn new(name: &str, method: &str, approver: Option<String>) -> Self {
        Self {
            name: name.trim().to_ascii_lowercase(),
            method: method.to_owned(),
            approver,
            validated: false,
            mailed: false,
        }
    }

    /// Each of `names` waiting for DCV by `method`, with the approver `approver` gives it.
    pub(crate) fn all(names: &[String], method: &str, approver: impl Fn(&str) -> Option<String>) -> Vec<Self> {
        names.iter().map(|n| Self::new(n, method, approver(n))).collect()
    }
}

/// What a leaf is to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeafKind {
    /// The order's first leaf.
    Primary,
    /// A new leaf for new names or a new key.
    Reissue,
    /// A new leaf for a new term on the same order.
    Renewal,
    /// An extra leaf alongside the current one.
    Duplicate,
}

/// One certificate of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    /// The provider's certificate id (the order id where the provider has none).
    pub id: String,
    /// What it is to the order.
    pub kind: LeafKind,
    /// The CSR it is for.
    pub csr: String,
    /// Every name, common name first.
    pub names: Vec<String>,
    /// When requested (RFC 3339).
    pub created: String,
    /// The certificate, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
    /// Serial, lowercase hex, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Thumbprint, uppercase hex, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    /// `not_before` (RFC 3339), once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    /// `not_after` (RFC 3339), once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// Revoked.
    #[serde(default)]
    pub revoked: bool,
}

impl Leaf {
    /// A leaf waiting for issuance.
    pub(crate) fn new(id: String, kind: LeafKind, csr: &str, names: Vec<String>, now: OffsetDateTime) -> Self {
        Self {
            id,
            kind,
            csr: csr.to_owned(),
            names,
            created: rfc3339(now),
            pem: None,
            serial: None,
            thumbprint: None,
            not_before: None,
            not_after: None,
            revoked: false,
        }
    }

    /// `valid_from` / `valid_till` as `yyyy-MM-dd`, once issued.
    pub(crate) fn dates(&self) -> (Option<String>, Option<String>) {
        let d = |t: &Option<String>| t.as_deref().and_then(parse_rfc3339).map(|t| ymd(t.date()));
        (d(&self.not_before), d(&self.not_after))
    }
}

/// An order as every provider keeps it; `X` holds what only one provider keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order<X> {
    /// The provider's order id.
    pub id: String,
    /// Where it is.
    pub stage: Stage,
    /// Earlier stages, oldest first.
    #[serde(default)]
    pub history: Vec<Stage>,
    /// The provider's product id.
    pub product: String,
    /// Names of the current leaf with their DCV (common name first).
    pub names: Vec<Name>,
    /// Names that passed DCV on this order at some point (a reissue for these needs no new DCV).
    #[serde(default)]
    pub validated_names: Vec<String>,
    /// The CSR of the current leaf.
    pub csr: String,
    /// SHA-256 of the first CSR's public key (see `GET /_sandbox/csr-keys`).
    pub key: String,
    /// The DCV random value.
    pub token: String,
    /// Every leaf; the current one is the last that is not a duplicate.
    pub leaves: Vec<Leaf>,
    /// When placed (RFC 3339).
    pub created: String,
    /// Coverage end (`yyyy-MM-dd`): no leaf lives past it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_end: Option<String>,
    /// Approved (or no approval needed).
    pub approved: bool,
    /// The order this one renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_of: Option<String>,
    /// A raw wire status shown instead of the mapped one (inspection API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    /// Cancellation, rejection or revocation note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The provider's own fields (flattened into the order's JSON).
    #[serde(flatten)]
    pub x: X,
}

/// The parts of a new order (`Default`: no approval needed, not a renewal).
#[derive(Debug, Clone, Default)]
pub(crate) struct NewOrder {
    pub id: String,
    pub leaf_id: String,
    pub product: String,
    pub csr: String,
    pub names: Vec<Name>,
    pub token: String,
    pub coverage_end: Option<time::Date>,
    pub needs_approval: bool,
    pub renewal_of: Option<String>,
}

/// Why an order takes no new leaf ([`Order::reissuable`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// Not issued (nor expired).
    NotIssued,
    /// Its term (coverage) has ended: renew instead.
    TermEnded,
}

tokio::task_local! {
    /// Set by the pipeline for a request the `stale_status` fault hit.
    pub(crate) static STALE: bool;
}

impl<X> Order<X> {
    /// A new order with its primary leaf waiting for DCV (or approval).
    pub(crate) fn new(n: NewOrder, now: OffsetDateTime, x: X) -> Self {
        let key = parse_csr(&n.csr).map(|k| k.spki_sha256).unwrap_or_default();
        let leaf_names = n.names.iter().map(|m| m.name.clone()).collect();
        Self {
            id: n.id,
            stage: if n.needs_approval { Stage::AwaitingApproval } else { Stage::PendingValidation },
            history: Vec::new(),
            product: n.product,
            leaves: vec![Leaf::new(n.leaf_id, LeafKind::Primary, &n.csr, leaf_names, now)],
            names: n.names,
            validated_names: Vec::new(),
            csr: n.csr,
            key,
            token: n.token,
            created: rfc3339(now),
            coverage_end: n.coverage_end.map(ymd),
            approved: !n.needs_approval,
            renewal_of: n.renewal_of,
            raw_status: None,
            note: None,
            x,
        }
    }

    /// The current leaf.
    pub(crate) fn current(&self) -> Option<&Leaf> {
        self.leaves.iter().rev().find(|l| l.kind != LeafKind::Duplicate)
    }

    /// The leaf with `id`.
    pub(crate) fn leaf(&self, id: &str) -> Option<&Leaf> {
        self.leaves.iter().find(|l| l.id == id)
    }

    /// The common name (first name).
    pub(crate) fn primary(&self) -> &str {
        self.names.first().map_or("", |n| n.name.as_str())
    }

    /// Every name, common name first.
    pub(crate) fn name_list(&self) -> Vec<String> {
        self.names.iter().map(|n| n.name.clone()).collect()
    }

    /// The coverage end as a time.
    pub(crate) fn coverage_until(&self) -> Option<OffsetDateTime> {
        self.coverage_end.as_deref().and_then(parse_date).map(end_of)
    }

    /// Every name passed DCV.
    pub(crate) fn all_validated(&self) -> bool {
        self.names.iter().all(|n| n.validated)
    }

    /// Move by `event`.
    pub(crate) fn apply(&mut self, event: Event) -> Result<(), Refused> {
        let to = self.stage.next(event)?;
        if event == Event::Revoke && !self.leaves.iter().any(|l| l.pem.is_some()) {
            return Err(Refused { from: self.stage, event });
        }
        self.history.push(self.stage);
        self.stage = to;
        if event == Event::Approve {
            self.approved = true;
        }
        Ok(())
    }

    /// Mark `name` (or every name with `None`) as passed.
    pub(crate) fn pass_dcv(&mut self, name: Option<&str>) {
        for n in self.names.iter_mut().filter(|n| name.is_none_or(|x| x == n.name)) {
            n.validated = true;
        }
    }

    /// Issue the current leaf when the order is approved and every name passed DCV; true when it did.
    pub(crate) fn settle(&mut self, ca: &Ca, now: OffsetDateTime) -> Result<bool, String> {
        if !matches!(self.stage, Stage::PendingValidation | Stage::Validated) || !self.all_validated() {
            return Ok(false);
        }
        if self.stage == Stage::PendingValidation {
            self.apply(Event::Validate).map_err(|e| e.to_string())?;
        }
        let i = self.leaves.iter().rposition(|l| l.kind != LeafKind::Duplicate).ok_or("order has no leaf")?;
        self.sign(ca, i, now)?;
        self.apply(Event::Issue).map_err(|e| e.to_string())?;
        Ok(true)
    }

    /// Sign leaf `i` (no-op when signed already); its names count as validated.
    pub(crate) fn sign(&mut self, ca: &Ca, i: usize, now: OffsetDateTime) -> Result<(), String> {
        let end = self.coverage_until();
        let leaf = &mut self.leaves[i];
        if leaf.pem.is_none() {
            let key = parse_csr(&leaf.csr).map_err(|e| e.0)?;
            let cn = leaf.names.first().cloned().unwrap_or_default();
            let issued = ca.issue_leaf(&key, &cn, &leaf.names, now, end).map_err(|e| e.to_string())?;
            leaf.pem = Some(issued.pem);
            leaf.serial = Some(issued.serial_hex);
            leaf.thumbprint = Some(issued.thumbprint);
            leaf.not_before = Some(rfc3339(issued.not_before));
            leaf.not_after = Some(rfc3339(issued.not_after));
        }
        for n in leaf.names.clone() {
            if !self.validated_names.contains(&n) {
                self.validated_names.push(n);
            }
        }
        Ok(())
    }

    /// Start a new leaf `(id, kind reissue or renewal, csr)` for `names`: names validated on this order before
    /// need no new DCV; issues at once when none is new. Duplicates go through [`Order::duplicate`].
    pub(crate) fn reissue(
        &mut self,
        ca: &Ca,
        (id, kind, csr): (String, LeafKind, &str),
        names: Vec<Name>,
        token: String,
        now: OffsetDateTime,
    ) -> Result<(), String> {
        let leaf = Leaf::new(id, kind, csr, names.iter().map(|n| n.name.clone()).collect(), now);
        self.apply(Event::Reissue).map_err(|e| e.to_string())?;
        self.csr = leaf.csr.clone();
        self.names = names;
        for n in &mut self.names {
            n.validated = self.validated_names.contains(&n.name);
        }
        self.token = token;
        self.leaves.push(leaf);
        self.settle(ca, now).map(|_| ())
    }

    /// Sign an extra leaf for names already validated; the current leaf stays current.
    pub(crate) fn duplicate(&mut self, ca: &Ca, leaf: Leaf, now: OffsetDateTime) -> Result<(), String> {
        if let Some(n) = leaf.names.iter().find(|n| !self.validated_names.contains(n)) {
            return Err(format!("`{n}` is not validated on this order"));
        }
        self.leaves.push(leaf);
        self.sign(ca, self.leaves.len() - 1, now)
    }

    /// Revoke leaf `id` (every issued leaf with `None`); the order is revoked when its current leaf is.
    pub(crate) fn revoke(&mut self, id: Option<&str>) -> Result<(), Refused> {
        let current = self.current().map(|l| l.id.clone());
        if id.is_none() || id == current.as_deref() {
            self.apply(Event::Revoke)?;
        }
        for l in self.leaves.iter_mut().filter(|l| l.pem.is_some() && id.is_none_or(|i| i == l.id)) {
            l.revoked = true;
        }
        Ok(())
    }

    /// Let time pass: an issued order whose current leaf ended is expired.
    pub(crate) fn tick(&mut self, now: OffsetDateTime) {
        let ended = self.current().and_then(|l| l.not_after.as_deref()).and_then(parse_rfc3339);
        if self.stage == Stage::Issued && ended.is_some_and(|end| end < now) {
            let _ = self.apply(Event::Expire);
        }
    }

    /// Whether a new leaf (reissue, duplicate) may be made now: the order is issued (or its leaf expired) and its
    /// term has not ended.
    pub(crate) fn reissuable(&self, now: OffsetDateTime) -> Result<(), Closed> {
        if !matches!(self.stage, Stage::Issued | Stage::Expired) {
            return Err(Closed::NotIssued);
        }
        if self.coverage_until().is_some_and(|end| end < now) {
            return Err(Closed::TermEnded);
        }
        Ok(())
    }

    /// Cancel an open order whose first leaf never passed DCV within `days` of being placed (a provider's
    /// automatic rule); whether it was cancelled now.
    pub(crate) fn lapse(&mut self, now: OffsetDateTime, days: i64) -> bool {
        let created = parse_rfc3339(&self.created).unwrap_or(now);
        let old = now - created > time::Duration::days(days);
        self.stage.is_open() && self.leaves.len() == 1 && old && self.apply(Event::Cancel).is_ok()
    }

    /// Let time pass on a subscription: an issued order whose term (coverage) ended is expired; its leaves, at most
    /// 199 days each, may end before (Openprovider: the order stays `ACT` until `order_ends_at`).
    pub(crate) fn tick_term(&mut self, now: OffsetDateTime) {
        if self.stage == Stage::Issued && self.coverage_until().is_some_and(|end| end < now) {
            let _ = self.apply(Event::Expire);
        }
    }

    /// The wire status: the raw override, else `map` of the stage (of the stage before, for a request the
    /// `stale_status` fault hit).
    pub(crate) fn wire(&self, map: fn(&Self, Stage) -> &'static str) -> String {
        if let Some(raw) = &self.raw_status {
            return raw.clone();
        }
        let stale = STALE.try_with(|s| *s).unwrap_or(false);
        let stage = if stale { self.history.last().copied().unwrap_or(self.stage) } else { self.stage };
        map(self, stage).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_allows_only_its_moves() {
        use Stage::*;
        assert_eq!(AwaitingApproval.next(Event::Approve), Ok(PendingValidation));
        assert_eq!(PendingValidation.next(Event::Validate), Ok(Validated));
        assert_eq!(Validated.next(Event::Issue), Ok(Issued));
        assert_eq!(Issued.next(Event::Reissue), Ok(PendingValidation));
        assert_eq!(Issued.next(Event::Expire), Ok(Expired));
        assert_eq!(PendingValidation.next(Event::Cancel), Ok(Cancelled));
        assert!(Issued.next(Event::Approve).is_err());
        assert!(Rejected.next(Event::Cancel).is_err());
        assert!(Revoked.next(Event::Reissue).is_err());
        assert!(Cancelled.next(Event::Revoke).is_err());
        assert_eq!(Expired.next(Event::Approve).unwrap_err().to_string(), "cannot Approve an order that is expired");
    }
}
