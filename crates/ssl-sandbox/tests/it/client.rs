//! The ssl-digicert typed client (generated from the same spec) against the sandbox: every answer the sandbox
//! gives decodes. The neutral lifecycle is the conformance suite's (`ssl-conformance`, run by ssl-digicert).

use ssl_core::{ClientKit, SecretString};
use ssl_digicert::DigiCertClient;
use ssl_digicert::generated::{self as g, ops};
use ssl_sandbox::SandboxConfig;

use crate::*;

fn client_for(sb: &ssl_sandbox::SandboxHandle) -> DigiCertClient {
    DigiCertClient::new(SecretString::from(KEY.to_owned()), sb.base_url("digicert").unwrap())
        .unwrap()
        .with_retry(ssl_core::retry::RetryPolicy::none())
}

#[tokio::test]
async fn typed_client_decodes_every_answer() {
    let sb = start(SandboxConfig::default()).await;
    let c = client_for(&sb);
    let products = c.send(&ops::ProductList::new()).await.unwrap();
    assert!(products.products.unwrap().iter().any(|p| p.name_id == "ssl_dv_geotrust"));
    let info = c.send(&ops::ProductInfo::new("ssl_dv_geotrust")).await.unwrap();
    assert_eq!(info.name_id, "ssl_dv_geotrust");

    let (csr_pem, _) = csr(&["typed.example.com"]);
    let order =
        g::OrderRequest::new(g::OrderCertificate::new("typed.example.com", csr_pem.clone()), g::DcvMethod::DnsTxtToken)
            .validity_years(1);
    let created = c.place_order("ssl_dv_geotrust", &order).await.unwrap();
    assert!(created.dcv_random_value.is_some());
    let id = created.id;
    let oi = c.send(&ops::OrderInfo::new(id.to_string())).await.unwrap();
    assert_eq!(oi.status.as_str(), "pending");
    let v = c.send(&ops::ValidationStatus::new(id.to_string())).await.unwrap();
    assert_eq!(v.dcv_status.as_deref(), Some("pending"));
    let changed = c
        .send(&ops::ChangeDcvMethod::new(id.to_string(), g::ChangeDcvMethodRequest::new(g::DcvMethod::HttpToken)))
        .await
        .unwrap();
    assert!(changed.dcv_random_value.is_some());
    let fresh = c.send(&ops::DcvRandomValue::new(id.to_string())).await.unwrap();
    assert_ne!(fresh.dcv_random_value, changed.dcv_random_value);
    c.send(&ops::ResendDcvEmails::new(id.to_string())).await.unwrap();
    let check = c.send(&ops::CheckDcv::new(id.to_string())).await.unwrap();
    assert_eq!(check.dcv_status.as_deref(), Some("valid"));
    let list = c.send(&ops::OrderList::new().filters_common_name("typed.example.com")).await.unwrap();
    assert_eq!(list.orders[0].id, id);
    let oi = c.send(&ops::OrderInfo::new(id.to_string())).await.unwrap();
    let cert_id = oi.certificate.unwrap().id.unwrap();
    let pem = c.send(&ops::DownloadByFormat::new(cert_id.to_string(), "pem_all")).await.unwrap();
    let pem = String::from_utf8(pem).unwrap();
    assert_eq!(pem_ders(&pem).len(), 3);

    let (csr2, _) = csr(&["typed.example.com"]);
    let re = c
        .send(&ops::Reissue::new(id.to_string(), g::ReissueRequest::new(g::ReissueCertificate::new().csr(csr2))))
        .await
        .unwrap();
    assert_eq!(re.id, id);
    let du = c
        .send(&ops::Duplicate::new(id.to_string(), g::DuplicateRequest::new(g::ReissueCertificate::new().csr(csr_pem))))
        .await
        .unwrap();
    assert_eq!(du.id, id);
    c.send(&ops::UpdateAutoReissue::new(id.to_string(), g::AutoReissueRequest::new(1))).await.unwrap();
    assert_eq!(c.send(&ops::OrderInfo::new(id.to_string())).await.unwrap().auto_reissue, Some(1));
    c.send(&ops::RevokeOrder::new(id.to_string(), g::RevokeRequest::new().comments("test"))).await.unwrap();
    assert_eq!(c.send(&ops::OrderInfo::new(id.to_string())).await.unwrap().status.as_str(), "revoked");

    // Errors come back as the provider said them.
    let err = c.send(&ops::OrderInfo::new("1")).await.unwrap_err();
    assert!(format!("{err}").contains("not_found|order"), "{err}");
}

#[tokio::test]
async fn client_sees_outcome_unknown_after_commit_then_drop() {
    let sb = start(SandboxConfig::default()).await;
    sb.set_knobs(ssl_sandbox::Knobs::default().fault(ssl_sandbox::Fault::drop_after_commit().method("POST").times(1)));
    let c = client_for(&sb);
    let (csr_pem, _) = csr(&["once.example.com"]);
    let order = g::OrderRequest::new(g::OrderCertificate::new("once.example.com", csr_pem), g::DcvMethod::Email)
        .validity_years(1);
    let err = c.place_order("ssl_dv_geotrust", &order).await.unwrap_err();
    assert!(matches!(err, ssl_core::Error::OutcomeUnknown(_)), "{err:?}");
    assert_eq!(sb.orders("digicert").len(), 1);
    // Reconciling by the listing the error names finds the one order.
    let list = c.send(&ops::OrderList::new().filters_common_name("once.example.com")).await.unwrap();
    assert_eq!(list.orders.len(), 1);
}
