//! The PostgreSQL backend. The server comes from `SSL_ORDERS_TEST_POSTGRES` (a `postgres://user@127.0.0.1/db`
//! URL; the password in `PGPASSWORD`), which `.ci/run` sets after starting PostgreSQL. Under `CI=true` a missing
//! server fails these tests; elsewhere they say so and pass without running.

use std::sync::Arc;
use std::time::Duration;

use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_journal::{How, Journal, Journaled, PgJournal, Spend};

use crate::contract;
use crate::fake::{Act, Fake, ListMode};

/// A fresh schema for one test, and the URL that selects it.
async fn schema() -> Option<String> {
    let Ok(url) = std::env::var("SSL_ORDERS_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "SSL_ORDERS_TEST_POSTGRES is not set: under CI=true the PostgreSQL tests must run"
        );
        eprintln!("SSL_ORDERS_TEST_POSTGRES is not set: PostgreSQL tests not run");
        return None;
    };
    let name = format!("t_{}", fastrand_hex());
    let mut config: tokio_postgres::Config = url.parse().unwrap();
    if let Ok(p) = std::env::var("PGPASSWORD") {
        config.password(p);
    }
    let (client, conn) = config.connect(tokio_postgres::NoTls).await.expect("PostgreSQL reachable");
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE SCHEMA {name}")).await.unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-csearch_path%3D{name}"))
}

fn fastrand_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    format!("{:016x}", h.finish())
}

macro_rules! contract_on_pg {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(url) = schema().await else { return };
            let j = PgJournal::open(&url).await.unwrap();
            contract::$name(&j).await;
        }
    )*};
}

contract_on_pg!(
    an_intent_blocks_until_refused_and_rows_are_keyed_by_base_url,
    statuses_are_recorded_with_their_time_once_per_change,
    forget_import_and_filters,
    sync_runs_resume_until_finished,
);

#[tokio::test]
async fn migrations_run_once_even_when_workers_start_together() {
    let Some(url) = schema().await else { return };
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let url = url.clone();
        set.spawn(async move { PgJournal::open(&url).await.unwrap() });
    }
    let mut journals = Vec::new();
    while let Some(j) = set.join_next().await {
        journals.push(j.unwrap());
    }
    let secrets: Vec<String> = {
        let mut v = Vec::new();
        for j in &journals {
            let a = ssl_journal::account::AccountKey::Secret("k".into());
            v.push(a.identity("digicert", &j.local_secret().await.unwrap()));
        }
        v
    };
    assert!(secrets.windows(2).all(|w| w[0] == w[1]), "one local secret for the whole fleet");
    assert!(journals[0].location().starts_with("postgres"));
}

#[tokio::test]
async fn workers_placing_one_reference_at_once_send_one_request() {
    let Some(url) = schema().await else { return };
    let fake = Arc::new(Fake::new(ListMode::EchoCsr));
    let csr = ssl_csr::generate(ssl_csr::KeyType::EcP256, "shop.example.com", &[]).unwrap().csr_pem;
    let spec = OrderSpec::new("dv", "shop.example.com", DcvMethod::Dns).csr(csr);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..6 {
        // Each worker has its own journal connection, as separate processes would.
        let j = Arc::new(PgJournal::open(&url).await.unwrap());
        let g = Journaled::new(fake.clone(), j, "http://127.0.0.1:1/fake", "acct");
        let spec = spec.clone();
        set.spawn(async move { g.spend(Spend::Order(&spec), None).await.unwrap() });
    }
    let mut hows = Vec::new();
    let mut ids = Vec::new();
    while let Some(r) = set.join_next().await {
        let p = r.unwrap();
        hows.push(p.how);
        ids.push(p.order.order_id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(hows.iter().filter(|h| **h == How::Placed).count(), 1);
    assert_eq!((fake.sent(), fake.stored()), (1, 1));
}

#[tokio::test]
async fn a_dead_workers_sending_row_is_reconciled_by_the_next() {
    let Some(url) = schema().await else { return };
    let fake = Arc::new(Fake::new(ListMode::EchoCsr));
    let csr = ssl_csr::generate(ssl_csr::KeyType::EcP256, "shop.example.com", &[]).unwrap().csr_pem;
    let spec = OrderSpec::new("dv", "shop.example.com", DcvMethod::Dns).csr(csr);
    let j1 = Arc::new(PgJournal::open(&url).await.unwrap());
    let dead = Journaled::new(fake.clone(), j1.clone(), "http://127.0.0.1:1/fake", "acct");
    // Worker 1 takes the lock, writes its intent, the provider stores the order, and the worker dies.
    let intent = dead.intent(Spend::Order(&spec), None).unwrap();
    let lock = j1.lock("http://127.0.0.1:1/fake", &intent.reference).await.unwrap();
    j1.record_intent(&intent, time::OffsetDateTime::now_utc()).await.unwrap();
    fake.then(Act::Ok);
    ssl_core::Provider::place(&*fake, &spec).await.unwrap();
    // While it holds the lock, worker 2 waits (a slow worker is not a dead one).
    let j2 = Arc::new(PgJournal::open(&url).await.unwrap());
    let next = Journaled::new(fake.clone(), j2, "http://127.0.0.1:1/fake", "acct");
    let spec2 = spec.clone();
    let waiter = tokio::spawn(async move { next.spend(Spend::Order(&spec2), None).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the lock of a live worker is respected");
    drop(lock); // the session ends as it would when the process dies
    let p = waiter.await.unwrap();
    assert_eq!(p.how, How::Adopted);
    assert_eq!((fake.sent(), fake.stored()), (1, 1));
}

/// The shared gate follows ssl-core's rule: a request in flight holds its slot however long it takes, and the
/// slot frees one window after the answer, not after the departure.
#[tokio::test]
async fn a_request_in_flight_holds_its_shared_slot_until_one_window_after_its_answer() {
    let Some(url) = schema().await else { return };
    let windows = [(1usize, Duration::from_millis(400))];
    let a = PgJournal::open(&url).await.unwrap();
    let b = PgJournal::open(&url).await.unwrap();
    let started = std::time::Instant::now();
    let slow = a.acquire_rate("digicert:k", &windows).await.unwrap();
    let third = tokio::spawn(async move {
        let s = b.acquire_rate("digicert:k", &windows).await.unwrap();
        b.release_rate("digicert:k", s).await.unwrap();
        started.elapsed()
    });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!third.is_finished(), "a request in flight for 1 s (2.5 windows) still holds its slot");
    let answered = started.elapsed();
    a.release_rate("digicert:k", slow).await.unwrap();
    let at = third.await.unwrap();
    // One window after the answer (a little slack for the gap between the database clock and ours).
    assert!(at >= answered + Duration::from_millis(380), "{at:?} vs answer at {answered:?}");
}

/// Through the executor's interface: an answered slot frees one window after the answer; a request dropped in flight
/// (its future cancelled) frees its slot as of the drop, not only when its lease runs out.
#[tokio::test]
async fn the_shared_gate_releases_answered_and_abandoned_slots() {
    use ssl_core::ratelimit::{Held, RateGate, Window};
    let Some(url) = schema().await else { return };
    let j = Arc::new(PgJournal::open(&url).await.unwrap());
    let window = [Window::new(1, Duration::from_millis(300))];
    let gate: Arc<dyn RateGate> = Arc::new(ssl_journal::PgRateGate::new(j, "digicert:k", &window));
    let started = std::time::Instant::now();
    Held::acquire(Some(&gate)).await.answered().await;
    let held = Held::acquire(Some(&gate)).await;
    let second = started.elapsed();
    assert!(second >= Duration::from_millis(280), "one window after the first answer: {second:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let dropped = started.elapsed();
    drop(held);
    let third = tokio::time::timeout(Duration::from_secs(10), Held::acquire(Some(&gate)))
        .await
        .expect("an abandoned slot does not wait for its lease");
    let at = started.elapsed();
    third.answered().await;
    assert!(at >= dropped + Duration::from_millis(280), "one window after the drop: {at:?} vs {dropped:?}");
}

#[tokio::test]
async fn four_workers_share_one_rate_window() {
    let Some(url) = schema().await else { return };
    let windows = [(10usize, Duration::from_millis(500))];
    let started = std::time::Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let j = PgJournal::open(&url).await.unwrap();
        set.spawn(async move {
            let mut at = Vec::new();
            for _ in 0..10 {
                let slot = j.acquire_rate("digicert:k", &windows).await.unwrap();
                at.push(started.elapsed());
                j.release_rate("digicert:k", slot).await.unwrap();
            }
            at
        });
    }
    let mut all = Vec::new();
    while let Some(r) = set.join_next().await {
        all.extend(r.unwrap());
    }
    all.sort();
    assert_eq!(all.len(), 40);
    // 40 requests at 10 per 0.5 s need at least 1.5 s, and no 0.5 s span holds more than 10 (with a little slack
    // for the gap between the database clock and ours).
    assert!(all[39] >= Duration::from_millis(1450), "{:?}", all[39]);
    for (i, t) in all.iter().enumerate() {
        let inside = all[i..].iter().take_while(|u| **u < *t + Duration::from_millis(450)).count();
        assert!(inside <= 10, "{inside} requests within 450 ms from {t:?}");
    }
}
