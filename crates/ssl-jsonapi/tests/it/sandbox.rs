//! The client's reads against the simulator, for the endpoints the neutral provider does not use itself
//! (organizations, an order's contacts, a certificate's `current-order`, `pkcs7`, a domain), and sparse fieldsets that
//! really hide what they do not list.

use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::{ClientKit, SecretString};
use ssl_jsonapi::NameshieldClient;
use ssl_jsonapi::generated::ops;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_against_the_simulator() {
    let b = ssl_conformance::Bench::start(&ssl_jsonapi::DESCRIPTOR).await.unwrap();
    let spec = OrderSpec::new("11", "reads.example.com", DcvMethod::DnsCname)
        .option("organization", "BSVBG")
        .option("admin_contact", "CT01")
        .option("tech_contact", "CT02")
        .csr(ssl_conformance::csr(&["reads.example.com"]));
    let id = b.provider.place(&spec).await.unwrap().order_id;
    let base = b.sandbox.base_url("nameshield").unwrap();
    let c = NameshieldClient::new(SecretString::from(ssl_sandbox::nameshield::TOKEN), base).unwrap();

    // The domain: the CNAME to create.
    let order = c.send(&ops::GetOrder::new(&id).fields_order("status,domains")).await.unwrap().data;
    assert!(order.attributes.status.is_some(), "{order:?}");
    assert!(order.attributes.common_name.is_none(), "a sparse fieldset hides what it does not list");
    let domain = order.relationships.domains.as_ref().and_then(|d| d.data.first()).unwrap().id.clone();
    let d = c.send(&ops::GetDomain::new(&domain)).await.unwrap().data.attributes;
    assert_eq!(
        (d.name.as_deref(), d.validation_method.as_deref()),
        (Some("reads.example.com"), Some("VALIDATE_DNS_CNAME"))
    );
    let dcv = d.dcv.unwrap();
    assert!(dcv.token.is_some_and(|t| !t.is_empty()) && dcv.verification_value.is_some_and(|v| !v.is_empty()));

    let cert = b.issue(&id).await.unwrap().certificate_id.unwrap();
    let orgs = c.send(&ops::ListOrganizations::new()).await.unwrap().data;
    assert!(orgs.iter().any(|o| o.id == "BSVBG"), "{orgs:?}");
    let contacts = c.send(&ops::ListOrderContacts::new(&id)).await.unwrap().data;
    let mut ids: Vec<&str> = contacts.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["CT01", "CT02"]);

    let full = c.send(&ops::GetCertificate::new(&cert).fields_certificate("status,serial,pem,pkcs7")).await.unwrap();
    let a = full.data.attributes;
    assert_eq!(a.status.as_ref().map(|s| s.as_str()), Some("ACTIVE"));
    assert!(a.serial.is_some_and(|s| !s.is_empty()));
    assert!(a.pem.is_some_and(|p| p.contains("BEGIN CERTIFICATE")));
    assert!(a.pkcs7.is_some_and(|p| p.contains("BEGIN PKCS7")));
    let bare = c.send(&ops::GetCertificate::new(&cert).fields_certificate("status")).await.unwrap().data.attributes;
    assert!(bare.status.is_some() && bare.serial.is_none() && bare.pem.is_none(), "{bare:?}");
    let plain = c.send(&ops::GetCertificate::new(&cert)).await.unwrap().data.attributes;
    assert!(plain.serial.is_some() && plain.pem.is_none(), "hidden attributes come only when listed: {plain:?}");

    let current = c.send(&ops::GetCertificateCurrentOrder::new(&cert).fields_order("status")).await.unwrap().data;
    assert_eq!(current.id, id);
    assert_eq!(current.attributes.status.as_ref().map(|s| s.as_str()), Some("DELIVERED"));
}
