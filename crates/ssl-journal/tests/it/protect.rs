//! The wrapper: placed → nothing sent; unknown → listing, adopt, or settle; refusals don't block.

use std::sync::Arc;
use std::time::Duration;

use ssl_core::model::{DcvMethod, OrderSpec, OrderStatus};
use ssl_journal::{EntryFilter, EntryState, How, Journal, Journaled, Spend, SpendError, SqliteJournal};

use crate::fake::{Act, Fake, ListMode};

struct Rig {
    _dir: tempfile::TempDir,
    fake: Arc<Fake>,
    journal: Arc<SqliteJournal>,
    guarded: Journaled,
}

fn rig(mode: ListMode, settle: Duration) -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(SqliteJournal::open(dir.path().join("journal.sqlite3")).unwrap());
    let fake = Arc::new(Fake::new(mode));
    let guarded = Journaled::new(fake.clone(), journal.clone(), "http://127.0.0.1:1/fake", "acct").settle(settle);
    Rig { _dir: dir, fake, journal, guarded }
}

fn spec(cn: &str) -> OrderSpec {
    let csr = ssl_csr::generate(ssl_csr::KeyType::EcP256, cn, &[]).unwrap().csr_pem;
    OrderSpec::new("dv", cn, DcvMethod::Dns).csr(csr)
}

#[tokio::test]
async fn a_placed_order_is_never_sent_again() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    let s = spec("shop.example.com");
    let first = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(first.how, How::Placed);
    let again = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(again.how, How::AlreadyPlaced);
    assert_eq!(again.order.order_id, first.order.order_id);
    assert_eq!((r.fake.sent(), r.fake.stored()), (1, 1));
    let e = r.journal.entry(first.entry_id).await.unwrap().unwrap();
    assert_eq!(e.state, EntryState::Placed);
    assert_eq!(e.order_id.as_deref(), Some(first.order.order_id.as_str()));
    assert!(e.intent.reference.starts_with("sor1-"));
}

#[tokio::test]
async fn a_dropped_reply_is_one_request_and_outcome_unknown_then_the_next_spend_adopts_it() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    r.fake.then(Act::CommitThenLose);
    let s = spec("shop.example.com");
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    // This call: exactly one request, no listing, no adoption, no re-send.
    assert!(matches!(&e, SpendError::Provider(ssl_core::Error::OutcomeUnknown(_))), "{e}");
    assert!(e.to_string().contains("re-run the same command"), "{e}");
    assert_eq!((r.fake.sent(), r.fake.stored(), r.fake.listings()), (1, 1, 0));
    let entry = &r.journal.entries(&EntryFilter::default()).await.unwrap()[0];
    assert_eq!(entry.state, EntryState::Unknown);
    // The next spend (a re-run) finds it in the listing and adopts it.
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Adopted);
    assert_eq!(p.entry_id, entry.id);
    assert_eq!((r.fake.sent(), r.fake.stored()), (1, 1));
    let again = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(again.how, How::AlreadyPlaced);
    assert_eq!(r.fake.sent(), 1);
}

#[tokio::test]
async fn a_lost_request_is_never_resent_in_the_same_call_even_with_no_settle_time() {
    let r = rig(ListMode::EchoCsr, Duration::ZERO);
    r.fake.then(Act::LoseBeforeCommit);
    let s = spec("shop.example.com");
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(&e, SpendError::Provider(ssl_core::Error::OutcomeUnknown(_))), "{e}");
    assert_eq!((r.fake.sent(), r.fake.stored(), r.fake.listings()), (1, 0, 0));
    // First re-run: one listing, absent; never re-sent on a single listing.
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(e, SpendError::Unsettled { .. }), "{e}");
    assert_eq!((r.fake.sent(), r.fake.listings()), (1, 1));
    // Second re-run: a second listing (settle time zero) agrees: sent again, once.
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Placed);
    assert_eq!((r.fake.sent(), r.fake.stored(), r.fake.listings()), (2, 1, 2));
}

#[tokio::test]
async fn listing_rows_without_csr_are_read_in_full() {
    let r = rig(ListMode::CsrOnlyInGet, Duration::from_secs(120));
    // Another order for the same name, another key: must not be adopted.
    r.guarded.spend(Spend::Order(&spec("shop.example.com")), None).await.unwrap();
    r.fake.then(Act::CommitThenLose);
    let s = spec("shop.example.com");
    assert!(r.guarded.spend(Spend::Order(&s), None).await.is_err(), "exit 7 first");
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Adopted);
    assert_eq!(p.order.order_id, "1001");
    assert_eq!(r.fake.stored(), 2);
}

#[tokio::test]
async fn orders_the_journal_knows_under_other_keys_are_not_read_again() {
    let r = rig(ListMode::CsrOnlyInGet, Duration::from_secs(120));
    for _ in 0..5 {
        r.guarded.spend(Spend::Order(&spec("shop.example.com")), None).await.unwrap();
    }
    r.fake.then(Act::CommitThenLose);
    let s = spec("shop.example.com");
    assert!(r.guarded.spend(Spend::Order(&s), None).await.is_err());
    let before = r.fake.reads();
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Adopted);
    assert_eq!(p.order.order_id, "1005");
    // One read to match the one order the journal does not know, one to adopt it: the five it knows are skipped.
    assert_eq!(r.fake.reads() - before, 2);
}

#[tokio::test]
async fn lost_before_commit_waits_for_two_listings_a_settle_time_apart() {
    let r = rig(ListMode::EchoCsr, Duration::from_millis(300));
    r.fake.then(Act::LoseBeforeCommit);
    let s = spec("shop.example.com");
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(e, SpendError::Provider(ssl_core::Error::OutcomeUnknown(_))), "{e}");
    // A re-run inside the settle time sends nothing and says when to retry.
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(e, SpendError::Unsettled { .. }), "{e}");
    assert!(e.to_string().contains("Retry after"), "{e}");
    assert_eq!((r.fake.sent(), r.fake.stored()), (1, 0));
    tokio::time::sleep(Duration::from_millis(350)).await;
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Placed);
    assert_eq!((r.fake.sent(), r.fake.stored()), (2, 1));
    let all = r.journal.entries(&EntryFilter::default()).await.unwrap();
    let states: Vec<_> = all.iter().map(|e| e.state).collect();
    assert_eq!(states, vec![EntryState::Refused, EntryState::Placed]);
    assert!(all[0].error.as_deref().unwrap().contains("absent from the listings"));
}

#[tokio::test]
async fn no_listing_never_resends() {
    let r = rig(ListMode::Unsupported, Duration::ZERO);
    r.fake.then(Act::LoseBeforeCommit);
    let s = spec("shop.example.com");
    assert!(r.guarded.spend(Spend::Order(&s), None).await.is_err());
    for _ in 0..3 {
        let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
        assert!(matches!(e, SpendError::NoListing { .. }), "{e}");
        assert!(e.to_string().contains("ssl-orders import"), "{e}");
    }
    assert_eq!(r.fake.sent(), 1);
}

#[tokio::test]
async fn orders_that_echo_nothing_cannot_be_ruled_out() {
    let r = rig(ListMode::Blind, Duration::ZERO);
    r.fake.then(Act::CommitThenLose);
    let s = spec("shop.example.com");
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(e, SpendError::Provider(_)), "{e}");
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(e, SpendError::NoListing { .. }), "{e}");
    assert!(e.to_string().contains("1000"), "names the candidate: {e}");
    assert_eq!(r.fake.sent(), 1);
}

#[tokio::test]
async fn refusals_and_rejections_do_not_block() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    r.fake.then(Act::Refuse);
    let s = spec("shop.example.com");
    assert!(matches!(r.guarded.spend(Spend::Order(&s), None).await, Err(SpendError::Provider(_))));
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Placed);
    r.fake.set_status(&p.order.order_id, OrderStatus::Rejected);
    let p2 = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p2.how, How::Placed, "a rejected order does not block");
    assert_ne!(p2.order.order_id, p.order.order_id);
    let history = r.journal.history(p.entry_id).await.unwrap();
    let seen: Vec<_> = history.iter().map(|h| h.status.as_str()).collect();
    assert_eq!(seen, vec!["pending_validation", "rejected"]);
}

#[tokio::test]
async fn a_429_is_refused_at_once_and_never_resent() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    r.fake.then(Act::RateLimited);
    let s = spec("a.example.com");
    let e = r.guarded.spend(Spend::Order(&s), None).await.unwrap_err();
    assert!(matches!(&e, SpendError::Provider(p) if p.kind() == ssl_core::ErrorKind::RateLimited), "{e}");
    assert_eq!((r.fake.sent(), r.fake.stored()), (1, 0), "one request, not waited out, not re-sent");
    // The refusal blocks nothing: a re-run is a fresh attempt.
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    assert_eq!(p.how, How::Placed);
    assert_eq!((r.fake.sent(), r.fake.stored()), (2, 1));
}

#[tokio::test]
async fn user_references_replace_the_default_and_are_checked() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    let s = spec("a.example.com");
    let p = r.guarded.spend(Spend::Order(&s), Some("invoice-42")).await.unwrap();
    assert_eq!(p.reference, "invoice-42");
    // Same reference, other spec: the reference decides.
    let again = r.guarded.spend(Spend::Order(&spec("b.example.com")), Some("invoice-42")).await.unwrap();
    assert_eq!(again.how, How::AlreadyPlaced);
    assert!(r.guarded.spend(Spend::Order(&s), Some("bad\nref")).await.is_err());
    assert_eq!(r.fake.sent(), 1);
}

#[tokio::test]
async fn concurrent_spends_of_one_reference_send_once() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    let s = spec("shop.example.com");
    let g = Arc::new(r.guarded.clone());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (g, s) = (g.clone(), s.clone());
        tasks.push(tokio::spawn(async move { g.spend(Spend::Order(&s), None).await.unwrap() }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().order.order_id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!((r.fake.sent(), r.fake.stored()), (1, 1));
}

#[tokio::test]
async fn reconcile_adopts_and_renew_reissue_have_their_own_references() {
    let r = rig(ListMode::EchoCsr, Duration::from_secs(120));
    let s = spec("shop.example.com");
    let p = r.guarded.spend(Spend::Order(&s), None).await.unwrap();
    let renew = r.guarded.intent(Spend::Renew { predecessor: &p.order.order_id, spec: &s }, None).unwrap();
    let order = r.guarded.intent(Spend::Order(&s), None).unwrap();
    assert_ne!(renew.reference, order.reference);
    assert_eq!(renew.predecessor.as_deref(), Some(p.order.order_id.as_str()));
    let reconciled = r.guarded.reconcile(p.entry_id).await.unwrap();
    assert!(matches!(reconciled, ssl_journal::Reconciled::Placed(_)));
}
