//! The neutral provider end to end against the in-process simulator: every lifecycle verb.

use ssl_core::model::{DcvMethod, OrderSpec, OrderStatus, ReissueSpec, Verb};
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

#[tokio::test]
async fn the_whole_lifecycle() {
    let (sb, p) = start(Approval::Skip).await;
    assert!(!p.capabilities().supports(Verb::Quote));
    assert!(p.capabilities().supports(Verb::Reissue));
    assert_eq!(
        p.quote(&OrderSpec::new("ssl_dv_geotrust", "a.example.com", DcvMethod::Dns)).await.unwrap_err().kind(),
        ErrorKind::Unsupported
    );
    assert!(p.products().await.unwrap().iter().any(|r| r.id == "ssl_dv_geotrust"));

    let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::DnsCname)
        .san("www.shop.example.com")
        .csr(csr(&["shop.example.com", "www.shop.example.com"]));
    let placed = p.place(&spec).await.unwrap();
    assert_eq!(placed.status, OrderStatus::PendingValidation);
    assert_eq!(placed.provider_status, "pending");
    assert_eq!(placed.dcv.len(), 2);
    let dns = placed.dcv[0].dns().unwrap();
    assert_eq!(dns.record_type, "CNAME");
    assert_eq!(dns.value, "dcv.digicert.com");
    assert!(dns.name.ends_with(".shop.example.com"));
    assert_eq!(placed.dcv[0].provider_method, "dns-cname-token");

    // Switch to DNS TXT: a new token.
    let switched = p.change_dcv(&placed.order_id, DcvMethod::DnsTxt).await.unwrap();
    let txt = switched.dcv[0].dns().unwrap();
    assert_eq!(txt.record_type, "TXT");
    assert_eq!(txt.name, "_dnsauth.shop.example.com");

    let issued = p.recheck_dcv(&placed.order_id).await.unwrap();
    assert_eq!(issued.status, OrderStatus::Issued);
    let cert = issued.certificate.clone().unwrap();
    let coverage = issued.coverage_ends.unwrap();
    assert!(cert.not_after.date() < coverage, "a certificate lives shorter than the coverage");
    assert!((cert.not_after - cert.not_before).whole_days() <= 199);

    let bundle = p.download(&placed.order_id).await.unwrap();
    assert_eq!(bundle.intermediates_pem.len(), 1);
    let mut names = ssl_core::x509::certificate_dns_names(&bundle.leaf_pem).unwrap();
    names.sort();
    assert_eq!(names, ["shop.example.com", "www.shop.example.com"]);

    // Reissue with a new CSR: a new leaf, same order.
    let new_csr = csr(&["shop.example.com", "www.shop.example.com"]);
    let re = p.reissue(&placed.order_id, &ReissueSpec { csr: Some(new_csr), ..ReissueSpec::default() }).await.unwrap();
    let re = if re.status == OrderStatus::Issued { re } else { p.recheck_dcv(&placed.order_id).await.unwrap() };
    assert_eq!(re.order_id, placed.order_id);
    assert_ne!(re.certificate.unwrap().fingerprint_sha256, cert.fingerprint_sha256);

    // Renew: a new order linked to the old one.
    let renewed = p.renew(&placed.order_id, &spec).await.unwrap();
    assert_ne!(renewed.order_id, placed.order_id);
    let raw = renewed.raw.unwrap();
    assert_eq!(raw["renewal_of_order_id"].to_string().trim_matches('"'), placed.order_id);

    // Cancel the pending renewal; revoke the issued one.
    p.cancel(&renewed.order_id, Some("changed my mind")).await.unwrap();
    assert_eq!(p.get(&renewed.order_id).await.unwrap().status, OrderStatus::Cancelled);
    p.revoke(&placed.order_id, Some("key compromise")).await.unwrap();
    assert_eq!(p.get(&placed.order_id).await.unwrap().status, OrderStatus::Revoked);

    let missing = p.get("999999").await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert_eq!(missing.code(), Some("not_found|order"));
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
