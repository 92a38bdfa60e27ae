//! The shared conformance suite (`ssl-conformance`): the whole neutral lifecycle against the simulator.
//! Product 13 (OV, wildcard, 250 names) with an organization: Nameshield publishes no wildcard or name-count rule,
//! so the crate claims both, and the suite tries them.

use ssl_core::model::{DcvMethod, OrderSpec, Verb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    let report = ssl_conformance::run(&ssl_jsonapi::DESCRIPTOR, |cn, csr| {
        OrderSpec::new("13", cn, DcvMethod::Dns).option("organization", "BSVBG").csr(csr)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.skipped, [("cancel", Verb::Cancel)], "Nameshield has no cancel endpoint");
}
