//! The shared conformance suite (`ssl-conformance`): the whole neutral lifecycle against the simulator.

use ssl_core::model::{DcvMethod, OrderSpec};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    let report = ssl_conformance::run(&ssl_digicert::DESCRIPTOR, |cn, csr| {
        OrderSpec::new("ssl_dv_geotrust", cn, DcvMethod::DnsTxt).csr(csr)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.skipped.iter().all(|(step, _)| step.contains("quote")), "{report:?}");
}
