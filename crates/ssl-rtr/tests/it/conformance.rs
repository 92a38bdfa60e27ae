//! The shared conformance suite (`ssl-conformance`): the whole neutral lifecycle against the simulator.

use ssl_core::model::{DcvMethod, OrderSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    let report = ssl_conformance::run(&ssl_rtr::DESCRIPTOR, |cn, csr| {
        OrderSpec::new("sectigo_multi_domain", cn, DcvMethod::Dns).csr(csr)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.skipped, [], "Realtime Register has every verb the suite needs");
}
