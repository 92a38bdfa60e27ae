//! The neutral provider end to end against the in-process simulator: 201 and 202, quotes in cents, DCV that
//! passes when DNS shows the record, violations per missing field, download, renew window, reissue, revoke,
//! cancel, listing, 401.

use ssl_core::model::{DcvMethod, OrderFilter, OrderSpec, OrderStatus, ReissueSpec};
use ssl_core::{Error, ErrorKind, Provider};
use ssl_rtr::RtrClient;
use ssl_rtr::generated::{self as g, requests};
use ssl_sandbox::{DcvMode, Sandbox, SandboxConfig, SandboxHandle};

async fn start(dcv: DcvMode) -> (SandboxHandle, RtrClient) {
    let sb = Sandbox::start(SandboxConfig { dcv, ..SandboxConfig::default() }, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let creds: Vec<(&str, &str)> =
        SandboxHandle::credentials().into_iter().find(|(p, _)| *p == "rtr").map(|(_, c)| c).unwrap_or_default();
    let get = |k: &str| creds.iter().find(|(e, _)| *e == k).map(|(_, v)| v.to_string()).unwrap();
    let base = sb.base_url("rtr").unwrap();
    let client =
        RtrClient::new(get("SSL_ORDERS_RTR_API_KEY").into(), get("SSL_ORDERS_RTR_CUSTOMER"), base.as_str()).unwrap();
    (sb, client)
}

fn keyed(names: &[&str]) -> ssl_csr::GeneratedKey {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, names[0], &owned[1..]).unwrap()
}

fn spki_of_cert(pem: &str) -> Vec<u8> {
    let der = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap().1;
    let cert = der.parse_x509().unwrap();
    cert.tbs_certificate.subject_pki.raw.to_vec()
}

fn spki_of_csr(pem: &str) -> Vec<u8> {
    use x509_parser::prelude::FromDer;
    let der = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap().1;
    let csr = x509_parser::certification_request::X509CertificationRequest::from_der(&der.contents).unwrap().1;
    csr.certification_request_info.subject_pki.raw.to_vec()
}

/// Publish every DNS record an order asks for.
fn publish(sb: &SandboxHandle, order: &ssl_core::model::Order) {
    for d in &order.dcv {
        let r = d.dns().expect("DNS instructions");
        assert_eq!(r.name, format!("_dnsauth.{}", d.host), "the relative record is joined to the name");
        sb.add_dns_record(&r.name, &r.record_type, &r.value);
    }
}

#[tokio::test]
async fn the_whole_lifecycle() {
    let (sb, p) = start(DcvMode::Real).await;
    let products = p.products().await.unwrap();
    assert!(products.iter().any(|r| r.id == "sectigo_multi_domain" && r.multi_domain && r.max_names == Some(100)));

    let names = ["shop.example.com", "www.shop.example.com", "api.example.com", "mail.example.com"];
    let key = keyed(&names);
    let mut spec = OrderSpec::new("sectigo_multi_domain", names[0], DcvMethod::Dns).csr(key.csr_pem.clone());
    for n in &names[1..] {
        spec = spec.san(*n);
    }
    let quote = p.quote(&spec).await.unwrap();
    assert_eq!((quote.price.as_deref(), quote.currency.as_deref()), (Some("60.00"), Some("EUR")));
    assert!(sb.orders("rtr").is_empty(), "a quote places nothing");

    let placed = p.place(&spec).await.unwrap();
    assert_eq!((placed.status, placed.provider_status.as_str()), (OrderStatus::PendingValidation, "RUNNING"));
    assert!(placed.order_id.parse::<u64>().is_ok() && placed.certificate_id.is_none());
    publish(&sb, &placed);
    let issued = p.get(&placed.order_id).await.unwrap();
    assert_eq!((issued.status, issued.provider_status.as_str()), (OrderStatus::Issued, "ACTIVE"));
    assert!(issued.certificate_id.is_some() && issued.certificate.is_some());
    let bundle = p.download(&placed.order_id).await.unwrap();
    assert_eq!(spki_of_cert(&bundle.leaf_pem), spki_of_csr(&key.csr_pem), "the leaf carries the CSR's key");
    assert_eq!(bundle.intermediates_pem.len(), 1);

    // Reissue: free, a new process.
    let rekey = keyed(&names);
    let re = ReissueSpec::new().with_csr(rekey.csr_pem.clone());
    let q = p.quote_reissue(&placed.order_id, &re).await.unwrap();
    assert_eq!((q.price.as_deref(), q.currency), (Some("0.00"), None));
    let reissued = p.reissue(&placed.order_id, &re).await.unwrap();
    assert_ne!(reissued.order_id, placed.order_id);
    assert_eq!(reissued.status, OrderStatus::PendingValidation, "new DCV values for the new process");
    publish(&sb, &reissued);
    assert_eq!(p.get(&reissued.order_id).await.unwrap().status, OrderStatus::Issued);
    assert_eq!(p.get(&placed.order_id).await.unwrap().provider_status, "REISSUED");

    // Renew: refused before the renewal window, a new process inside it.
    let e = p.renew(&reissued.order_id, &spec).await.unwrap_err();
    assert_eq!(e.code(), Some("ObjectStatusProhibitsOperation"), "{e}");
    sb.advance_clock(std::time::Duration::from_secs(300 * 86_400));
    let renewed = p.renew(&reissued.order_id, &spec).await.unwrap();
    assert_ne!(renewed.order_id, reissued.order_id);

    assert_eq!(renewed.status, OrderStatus::PendingValidation);
    publish(&sb, &renewed);
    assert_eq!(p.get(&reissued.order_id).await.unwrap().provider_status, "EXPIRED");
    assert_eq!(p.get(&renewed.order_id).await.unwrap().status, OrderStatus::Issued);
    assert_eq!(p.get(&reissued.order_id).await.unwrap().provider_status, "EXPIRED", "expired before RENEWED");

    // Revoke the renewed certificate; cancel a pending order.
    p.revoke(&renewed.order_id, Some("superseded")).await.unwrap();
    assert_eq!(p.get(&renewed.order_id).await.unwrap().status, OrderStatus::Revoked);
    let pending = p.place(&spec).await.unwrap();
    p.cancel(&pending.order_id, None).await.unwrap();
    assert_eq!(p.get(&pending.order_id).await.unwrap().status, OrderStatus::Cancelled);
    assert_eq!(p.cancel(&pending.order_id, None).await.unwrap_err().code(), Some("ObjectStatusProhibitsOperation"));

    let page = p.list_orders(&OrderFilter::new().common_name("shop.example.com")).await.unwrap();
    let ids: Vec<&str> = page.orders.iter().map(|o| o.order_id.as_str()).collect();
    assert_eq!(ids, [&pending.order_id, &renewed.order_id, &reissued.order_id, &placed.order_id].map(String::as_str));
    let raw = page.orders[3].raw.as_ref().unwrap();
    assert_eq!(raw["process"]["command"]["csr"], key.csr_pem.as_str(), "the journal matches on the echoed CSR");
    sb.shutdown().await;
}

#[tokio::test]
async fn auth_key_issues_at_once_with_201() {
    let (sb, p) = start(DcvMode::Manual).await;
    let key = keyed(&["basic.example.com"]);
    let ak = g::AuthKeyRequest::new("digicert_basic_dv", key.csr_pem.clone());
    let answer: g::AuthKey = p.call(&requests::generate_auth_key(&ak)).await.unwrap();
    assert!(!answer.auth_key.is_empty());
    let spec = OrderSpec::new("digicert_basic_dv", "basic.example.com", DcvMethod::Dns)
        .option("authKey", true)
        .csr(key.csr_pem.clone());
    let order = p.place(&spec).await.unwrap();
    assert_eq!(order.status, OrderStatus::Issued);
    assert!(order.certificate_id.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn violations_name_every_missing_field_of_the_product() {
    let (sb, p) = start(DcvMode::Manual).await;
    let key = keyed(&["corp.example.com"]);
    let body = g::CertificateRequest::new(p.customer(), "sectigo_ov", 12, key.csr_pem.clone())
        .dcv(vec![g::Dcv::new("corp.example.com", g::DcvType::Email)]);
    let e = p.send(&requests::request_certificate(&body, None)).await.unwrap_err();
    assert_eq!(e.code(), Some("ConstraintViolationException"));
    let mut fields: Vec<String> = e.all_problems().into_iter().filter_map(|p| p.field).collect();
    fields.sort();
    assert_eq!(fields, ["address", "approver", "city", "country", "dcv[0].email", "organization", "postalCode"]);
    let unknown = serde_json::json!({"customer": p.customer(), "product": "sectigo_dv", "period": 12, "csr": key.csr_pem, "domain_name": "x"});
    let req = requests::request_certificate(&g::CertificateRequest::default(), None);
    let req = req.body(ssl_core::Body::json(unknown));
    let e = p.send(&req).await.unwrap_err();
    assert_eq!(
        (e.code(), e.provider_error().and_then(|p| p.field.as_deref())),
        (Some("UnrecognizedPropertyException"), Some("domain_name"))
    );
    assert!(sb.orders("rtr").is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_is_an_auth_failure() {
    let (sb, _) = start(DcvMode::Auto).await;
    let bad = RtrClient::new("wrong".into(), "sandbox-customer", sb.base_url("rtr").unwrap().as_str()).unwrap();
    let e = bad.get("1").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(matches!(e, Error::Provider(_)));
    sb.shutdown().await;
}
