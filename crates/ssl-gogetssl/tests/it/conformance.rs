//! The shared conformance suite (`ssl-conformance`): the whole neutral lifecycle against the simulator.

use ssl_core::model::{DcvMethod, OrderSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    let report = ssl_conformance::run(&ssl_gogetssl::DESCRIPTOR, |cn, csr| {
        OrderSpec::new("101", cn, DcvMethod::Dns).contacts(crate::common::dv_contacts()).csr(csr)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.skipped, [("revoke", ssl_core::model::Verb::Revoke)], "GoGetSSL has no revocation call");
}
