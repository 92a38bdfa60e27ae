//! What every journal backend must do (run by the SQLite and the PostgreSQL tests).

use ssl_journal::{
    EntryFilter, EntryState, Intent, Journal, JournalError, Observed, Outcome, ReferenceKind, SpendVerb,
};
use time::OffsetDateTime;

pub fn intent(reference: &str, base: &str) -> Intent {
    Intent {
        reference: reference.into(),
        reference_kind: ReferenceKind::Default,
        verb: SpendVerb::Order,
        provider: "digicert".into(),
        base_url: base.into(),
        account: "hmac-sha256:00".into(),
        spec_digest: "d".into(),
        csr_key: Some("k".into()),
        product: "ssl_dv_geotrust".into(),
        term_months: 12,
        common_name: "shop.example.com".into(),
        names: vec!["shop.example.com".into()],
        predecessor: None,
    }
}

pub fn observed(id: &str, status: &str) -> Observed {
    Observed {
        order_id: id.into(),
        status: status.into(),
        provider_status: format!("raw-{status}"),
        coverage_end: Some(time::macros::date!(2027 - 11 - 29)),
        not_after: None,
    }
}

pub async fn an_intent_blocks_until_refused_and_rows_are_keyed_by_base_url(j: &dyn Journal) {
    let now = OffsetDateTime::now_utc();
    let e = j.record_intent(&intent("r1", "http://a"), now).await.unwrap();
    assert_eq!(e.state, EntryState::Sending);
    assert_eq!(j.blocking("http://a", "r1").await.unwrap().map(|e| e.id), Some(e.id));
    assert!(j.blocking("http://b", "r1").await.unwrap().is_none(), "another base URL never mixes");
    // A second in-flight intent for the same reference is refused by the database itself.
    assert!(matches!(j.record_intent(&intent("r1", "http://a"), now).await, Err(JournalError::Conflict(_))));
    j.record_outcome(e.id, &Outcome::Refused("HTTP 400".into()), now).await.unwrap();
    assert!(j.blocking("http://a", "r1").await.unwrap().is_none());
    let e2 = j.record_intent(&intent("r1", "http://a"), now).await.unwrap();
    j.record_outcome(e2.id, &Outcome::Unknown("timeout".into()), now).await.unwrap();
    let b = j.blocking("http://a", "r1").await.unwrap().unwrap();
    assert_eq!((b.id, b.state, b.error.as_deref()), (e2.id, EntryState::Unknown, Some("timeout")));
    j.record_absent(e2.id, now).await.unwrap();
    j.record_absent(e2.id, now + time::Duration::minutes(5)).await.unwrap();
    let b = j.entry(e2.id).await.unwrap().unwrap();
    assert_eq!(b.absent_at.unwrap().unix_timestamp(), now.unix_timestamp(), "the first absent listing is kept");
}

pub async fn statuses_are_recorded_with_their_time_once_per_change(j: &dyn Journal) {
    let t0 = OffsetDateTime::now_utc();
    let e = j.record_intent(&intent("r", "http://a"), t0).await.unwrap();
    j.record_outcome(e.id, &Outcome::Placed(observed("7", "pending_validation")), t0).await.unwrap();
    let t1 = t0 + time::Duration::minutes(1);
    assert!(!j.record_observed(e.id, &observed("7", "pending_validation"), t1).await.unwrap());
    let t2 = t0 + time::Duration::minutes(2);
    assert!(j.record_observed(e.id, &observed("7", "issued"), t2).await.unwrap());
    let h = j.history(e.id).await.unwrap();
    assert_eq!(h.iter().map(|c| c.status.as_str()).collect::<Vec<_>>(), ["pending_validation", "issued"]);
    assert_eq!(h[1].observed_at.unix_timestamp(), t2.unix_timestamp());
    let e = j.entry(e.id).await.unwrap().unwrap();
    assert_eq!(e.checked_at.unwrap().unix_timestamp(), t2.unix_timestamp());
    assert_eq!(e.status_at.unwrap().unix_timestamp(), t2.unix_timestamp());
    assert_eq!(e.coverage_end, Some(time::macros::date!(2027 - 11 - 29)));
    assert!(e.needs_sync(time::macros::date!(2027 - 01 - 01)), "issued with coverage left");
    assert!(!e.needs_sync(time::macros::date!(2028 - 01 - 01)), "coverage over");
}

pub async fn forget_import_and_filters(j: &dyn Journal) {
    let now = OffsetDateTime::now_utc();
    let e = j.record_intent(&intent("r", "http://a"), now).await.unwrap();
    j.record_outcome(e.id, &Outcome::Unknown("dropped".into()), now).await.unwrap();
    j.forget(e.id, now).await.unwrap();
    assert!(j.blocking("http://a", "r").await.unwrap().is_none());
    assert!(matches!(j.forget(999, now).await, Err(JournalError::Conflict(_))));
    let mut imp = intent("import:digicert:55", "http://a");
    imp.reference_kind = ReferenceKind::Imported;
    let i = j.import(&imp, &observed("55", "issued"), now).await.unwrap();
    assert_eq!((i.state, i.order_id.as_deref()), (EntryState::Placed, Some("55")));
    assert!(j.import(&imp, &observed("55", "issued"), now).await.is_err(), "importing twice conflicts");
    let all = j.entries(&EntryFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1, "forgotten entries are hidden by default");
    let with = j.entries(&EntryFilter { include_forgotten: true, ..Default::default() }).await.unwrap();
    assert_eq!(with.len(), 2);
    let by_status = j.entries(&EntryFilter { status: Some("issued".into()), ..Default::default() }).await.unwrap();
    assert_eq!(by_status.len(), 1);
    let by_name =
        j.entries(&EntryFilter { name: Some("SHOP.example.com".into()), ..Default::default() }).await.unwrap();
    assert_eq!(by_name.len(), 1);
    let none = j.entries(&EntryFilter { provider: Some("gogetssl".into()), ..Default::default() }).await.unwrap();
    assert!(none.is_empty());
}

pub async fn sync_runs_resume_until_finished(j: &dyn Journal) {
    let t0 = OffsetDateTime::now_utc();
    let a = j.sync_run(t0).await.unwrap();
    assert!(!a.resumed);
    let b = j.sync_run(t0 + time::Duration::minutes(1)).await.unwrap();
    assert_eq!((b.id, b.resumed, b.started_at.unix_timestamp()), (a.id, true, t0.unix_timestamp()));
    j.finish_sync_run(a.id, t0).await.unwrap();
    let c = j.sync_run(t0).await.unwrap();
    assert!(!c.resumed && c.id != a.id);
}
