//! The neutral provider end to end against the in-process simulator: every lifecycle verb.

use ssl_core::model::{DcvMethod, OrderSpec, OrderStatus, Verb};
use ssl_core::{ErrorKind, Provider};
use ssl_digicert::DigiCertClient;
use ssl_sandbox::{Approval, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::csr;

async fn start(approval: Approval) -> (SandboxHandle, DigiCertClient) {
    let sb = Sandbox::start(SandboxConfig { approval, ..SandboxConfig::default() }, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let key = SandboxHandle::credentials().into_iter().find(|(p, _)| *p == "digicert").unwrap().1[0].1;
    let client = DigiCertClient::new(key.into(), sb.base_url("digicert").unwrap()).unwrap();
    (sb, client)
}

/// DigiCert facts over the simulator (the lifecycle itself is the conformance suite's, `conformance.rs`): no
/// quote call, DNS CNAME instructions, a not-found order's code.
#[tokio::test]
async fn digicert_facts_over_the_simulator() {
    let (sb, p) = start(Approval::Skip).await;
    assert!(!p.capabilities().supports(Verb::Quote));
    let spec = OrderSpec::new("ssl_dv_geotrust", "a.example.com", DcvMethod::Dns);
    assert_eq!(p.quote(&spec).await.unwrap_err().kind(), ErrorKind::Unsupported);
    let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::DnsCname)
        .san("www.shop.example.com")
        .csr(csr(&["shop.example.com", "www.shop.example.com"]));
    let placed = p.place(&spec).await.unwrap();
    assert_eq!((placed.status, placed.provider_status.as_str()), (OrderStatus::PendingValidation, "pending"));
    let dns = placed.dcv[0].dns().unwrap();
    assert_eq!((dns.record_type.as_str(), dns.value.as_str()), ("CNAME", "dcv.digicert.com"));
    assert_eq!(placed.dcv[0].provider_method, "dns-cname-token");
    let renewed = p.renew(&placed.order_id, &spec).await.unwrap();
    assert_eq!(renewed.raw.unwrap()["renewal_of_order_id"].to_string().trim_matches('"'), placed.order_id);
    let missing = p.get("999999").await.unwrap_err();
    assert_eq!((missing.kind(), missing.code()), (ErrorKind::NotFound, Some("not_found|order")));
    sb.shutdown().await;
}

#[tokio::test]
async fn approval_keeps_the_order_pending_approval_until_approved() {
    let (sb, p) = start(Approval::Required).await;
    let spec = OrderSpec::new("ssl_dv_geotrust", "appr.example.com", DcvMethod::Dns).csr(csr(&["appr.example.com"]));
    let placed = p.place(&spec).await.unwrap();
    assert_eq!(placed.status, OrderStatus::PendingApproval);
    assert_eq!(placed.provider_status, "needs_approval");
    sb.approve("digicert", &placed.order_id).unwrap();
    let issued = p.recheck_dcv(&placed.order_id).await.unwrap();
    assert_eq!(issued.status, OrderStatus::Issued);
    sb.shutdown().await;
}
