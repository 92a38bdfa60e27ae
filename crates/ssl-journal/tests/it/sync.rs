//! `sync`: status changes recorded with their time, interruption and resumption, one read per shared order.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use ssl_core::model::{DcvMethod, OrderSpec, OrderStatus};
use ssl_journal::sync::{SyncOptions, SyncTarget, sync};
use ssl_journal::{EntryFilter, Journal, Journaled, Spend, SqliteJournal};

use crate::fake::{Fake, ListMode};

async fn placed(n: usize) -> (tempfile::TempDir, Arc<Fake>, Arc<SqliteJournal>) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(SqliteJournal::open(dir.path().join("j.sqlite3")).unwrap());
    let fake = Arc::new(Fake::new(ListMode::EchoCsr));
    let g = Journaled::new(fake.clone(), journal.clone(), "http://127.0.0.1:1/fake", "acct");
    for i in 0..n {
        let cn = format!("h{i}.example.com");
        let csr = ssl_csr::generate(ssl_csr::KeyType::EcP256, &cn, &[]).unwrap().csr_pem;
        g.spend(Spend::Order(&OrderSpec::new("dv", cn, DcvMethod::Dns).csr(csr)), None).await.unwrap();
    }
    (dir, fake, journal)
}

fn target(fake: &Arc<Fake>) -> Vec<SyncTarget> {
    vec![SyncTarget { provider: fake.clone(), base_url: "http://127.0.0.1:1/fake".into() }]
}

#[tokio::test]
async fn changes_are_recorded_and_final_orders_left_alone() {
    let (_d, fake, journal) = placed(4).await;
    fake.set_status("1000", OrderStatus::Issued);
    fake.set_status("1001", OrderStatus::Cancelled);
    let s = sync(journal.clone(), &target(&fake), &SyncOptions::default(), |_| {}).await.unwrap();
    assert_eq!((s.checked, s.changed, s.failed, s.interrupted), (4, 2, 0, false));
    assert_eq!(s.providers["fake"].checked, 4);
    // Cancelled is final: the next sync reads only the 3 others (issued has coverage left: no end known).
    let s2 = sync(journal.clone(), &target(&fake), &SyncOptions::default(), |_| {}).await.unwrap();
    assert_eq!((s2.checked, s2.changed, s2.resumed), (3, 0, false));
    let e = journal.entries(&EntryFilter { order_id: Some("1000".into()), ..Default::default() }).await.unwrap();
    let h = journal.history(e[0].id).await.unwrap();
    assert_eq!(h.iter().map(|c| c.status.as_str()).collect::<Vec<_>>(), ["pending_validation", "issued"]);
}

#[tokio::test]
async fn an_interrupted_sync_resumes_where_it_stopped() {
    let (_d, fake, journal) = placed(6).await;
    // A read in the same millisecond as a run's start counts as done by that run: keep the placements apart.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let opts = SyncOptions { concurrency: 1, ..SyncOptions::default() };
    let stop = opts.stop.clone();
    let s = sync(journal.clone(), &target(&fake), &opts, move |p| {
        if p.done == 2 {
            stop.store(true, Ordering::SeqCst);
        }
    })
    .await
    .unwrap();
    assert!(s.interrupted);
    assert_eq!(s.checked, 2);
    let s2 = sync(journal.clone(), &target(&fake), &SyncOptions::default(), |_| {}).await.unwrap();
    assert!(s2.resumed && !s2.interrupted);
    assert_eq!((s2.skipped, s2.checked), (2, 4));
    let s3 = sync(journal.clone(), &target(&fake), &SyncOptions::default(), |_| {}).await.unwrap();
    assert!(!s3.resumed);
    assert_eq!(s3.checked, 6);
}
