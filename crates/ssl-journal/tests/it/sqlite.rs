//! The SQLite backend: migrations, durability settings, blocking rules, history, sync runs, forget, import.

use ssl_journal::{Journal, JournalError, SqliteJournal};

use crate::contract;
use time::OffsetDateTime;

fn open() -> (tempfile::TempDir, SqliteJournal) {
    let dir = tempfile::tempdir().unwrap();
    let j = SqliteJournal::open(dir.path().join("sub/dir/journal.sqlite3")).unwrap();
    (dir, j)
}

#[tokio::test]
async fn the_file_is_wal_with_full_sync_and_migrated() {
    let (dir, j) = open();
    let c = rusqlite_conn(j.path());
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(version, 1);
    // Re-opening runs no migration twice and keeps the local secret.
    let s1 = format!("{:?}", j.local_secret().await.unwrap());
    let j2 = SqliteJournal::open(j.path()).unwrap();
    let a = ssl_journal::account::AccountKey::Secret("k".into());
    assert_eq!(
        a.identity("digicert", &j.local_secret().await.unwrap()),
        a.identity("digicert", &j2.local_secret().await.unwrap())
    );
    assert!(!s1.contains('0'), "the secret never prints: {s1}");
    // A newer schema is refused with a clear message.
    c.pragma_update(None, "user_version", 99).unwrap();
    let e = SqliteJournal::open(j.path()).unwrap_err();
    assert!(matches!(e, JournalError::TooNew { found: 99, .. }), "{e}");
    assert!(e.to_string().contains("upgrade"));
    drop(dir);
}

fn rusqlite_conn(p: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(p).unwrap()
}

#[tokio::test]
async fn an_intent_blocks_until_refused_and_rows_are_keyed_by_base_url() {
    let (_d, j) = open();
    contract::an_intent_blocks_until_refused_and_rows_are_keyed_by_base_url(&j).await;
}

#[tokio::test]
async fn statuses_are_recorded_with_their_time_once_per_change() {
    let (_d, j) = open();
    contract::statuses_are_recorded_with_their_time_once_per_change(&j).await;
}

#[tokio::test]
async fn forget_import_and_filters() {
    let (_d, j) = open();
    contract::forget_import_and_filters(&j).await;
}

#[tokio::test]
async fn sync_runs_resume_until_finished() {
    let (_d, j) = open();
    contract::sync_runs_resume_until_finished(&j).await;
}

#[tokio::test]
async fn the_reference_lock_excludes_other_holders_until_dropped() {
    let (_d, j) = open();
    let held = j.lock("http://a", "r").await.unwrap();
    let j2 = SqliteJournal::open(j.path()).unwrap();
    let waiter = tokio::spawn(async move {
        let _l = j2.lock("http://a", "r").await.unwrap();
        OffsetDateTime::now_utc()
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "the second holder waits");
    let _other = j.lock("http://a", "other").await.unwrap();
    let released = OffsetDateTime::now_utc();
    drop(held);
    let got = waiter.await.unwrap();
    assert!(got >= released);
}
