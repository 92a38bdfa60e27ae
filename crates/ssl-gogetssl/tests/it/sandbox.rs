//! The neutral provider end to end against the in-process simulator: every lifecycle verb, the auth step and key
//! expiry, DCV in every mode, real certificates.

use ssl_core::model::{DcvMethod, DcvStatus, OrderSpec, OrderStatus, ReissueSpec, Verb};
use ssl_core::{ClientKit, ErrorKind, Provider};
use ssl_gogetssl::GoGetSslClient;
use ssl_gogetssl::generated::ops;
use ssl_sandbox::{DcvMode, Knobs, Sandbox, SandboxConfig, SandboxHandle};

use crate::common::{dv_contacts, ov_contacts};
use crate::secrets::sandbox_credentials;

async fn start(dcv: DcvMode) -> (SandboxHandle, GoGetSslClient) {
    let sb = Sandbox::start(SandboxConfig { dcv, ..SandboxConfig::default() }, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (user, pass) = sandbox_credentials();
    let client = GoGetSslClient::new(user, pass.into(), sb.base_url("gogetssl").unwrap()).unwrap();
    (sb, client)
}

/// A key and a CSR for `names`.
fn keyed(names: &[&str]) -> ssl_csr::GeneratedKey {
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    ssl_csr::generate(ssl_csr::KeyType::EcP256, names[0], &owned[1..]).unwrap()
}

#[tokio::test]
async fn the_whole_lifecycle() {
    let (sb, p) = start(DcvMode::Auto).await;
    let caps = p.capabilities();
    assert!(caps.dcv_per_host && caps.supports(Verb::Quote) && !caps.supports(Verb::Revoke));
    let products = p.products().await.unwrap();
    assert!(products.iter().any(|r| r.id == "102" && r.multi_domain && r.max_names == Some(100)));
    let rules = p.product("104").await.unwrap();
    assert!(rules.required_fields.contains(&"organization.name".to_string()));

    // A SAN order: DNS (a CNAME) for the primary, HTTP for one SAN, email for another.
    let key = keyed(&["shop.example.com", "www.shop.example.com", "mail.shop.example.com"]);
    let spec = OrderSpec::new("102", "shop.example.com", DcvMethod::DnsCname)
        .contacts(dv_contacts())
        .san("www.shop.example.com")
        .san("mail.shop.example.com")
        .dcv_for("www.shop.example.com", DcvMethod::Http)
        .dcv_for("mail.shop.example.com", DcvMethod::Email)
        .approver_email("mail.shop.example.com", "admin@shop.example.com")
        .csr(key.csr_pem.clone());
    let quote = p.quote(&spec).await.unwrap();
    assert_eq!(
        (quote.price.as_deref(), quote.currency.as_deref(), quote.validated),
        (Some("19.00"), Some("EUR"), true)
    );
    assert_eq!(sb.orders("gogetssl").len(), 0, "only_validate places nothing");

    let placed = p.place(&spec).await.unwrap();
    assert_eq!(placed.provider_status, "processing");
    assert_eq!(placed.status, OrderStatus::PendingValidation, "processing while DCV waits");
    assert_eq!(placed.dns_names, ["shop.example.com", "www.shop.example.com", "mail.shop.example.com"]);
    let dns = placed.dcv[0].dns().unwrap();
    assert_eq!(dns.record_type, "CNAME");
    assert!(
        dns.name.starts_with('_') && dns.name.ends_with(".shop.example.com") && dns.value.ends_with(".comodoca.com")
    );
    let http = placed.dcv[1].http().unwrap();
    assert!(
        http.url.starts_with("http://www.shop.example.com/.well-known/pki-validation/") && http.url.ends_with(".txt")
    );
    assert!(http.content.contains("\r\ncomodoca.com\r\n"));
    assert_eq!(placed.dcv[2].approvers().unwrap(), ["admin@shop.example.com"]);
    assert_eq!(placed.dcv[2].status, DcvStatus::Valid, "auto: the approver clicked at once");

    // Switch the pending names to HTTPS, then ask GoGetSSL to check: issued.
    let switched = p.change_dcv(&placed.order_id, DcvMethod::Https).await.unwrap();
    assert!(switched.dcv[0].http().unwrap().url.starts_with("https://shop.example.com/"));
    let issued = p.recheck_dcv(&placed.order_id).await.unwrap();
    assert_eq!(issued.status, OrderStatus::Issued);
    assert_eq!(issued.provider_status, "active");
    let cert = issued.certificate.clone().unwrap();
    assert!(cert.not_after.date() < issued.coverage_ends.unwrap(), "a certificate lives shorter than the coverage");

    let bundle = p.download(&placed.order_id).await.unwrap();
    assert_eq!(bundle.intermediates_pem.len(), 1);
    assert_eq!(bundle.root_pem.as_deref().map(str::trim), Some(sb.root_pem().trim()));
    let mut names = ssl_core::x509::certificate_dns_names(&bundle.leaf_pem).unwrap();
    names.sort();
    assert_eq!(names, ["mail.shop.example.com", "shop.example.com", "www.shop.example.com"]);

    // Reissue with a new key: a new leaf, same order, names already validated need no new DCV.
    let key2 = keyed(&["shop.example.com", "www.shop.example.com", "mail.shop.example.com"]);
    let re = p.reissue(&placed.order_id, &ReissueSpec::new().with_csr(key2.csr_pem.clone())).await.unwrap();
    assert_eq!(re.status, OrderStatus::Issued);
    assert_ne!(re.certificate.unwrap().fingerprint_sha256, cert.fingerprint_sha256);

    // Renew: a new order, linked to the old one.
    let renewed = p.renew(&placed.order_id, &spec).await.unwrap();
    assert_ne!(renewed.order_id, placed.order_id);
    assert_eq!(renewed.raw.unwrap()["renewal_of_order_id"].to_string(), placed.order_id);

    // Cancel the renewal; revoking is not GoGetSSL's.
    p.cancel(&renewed.order_id, Some("changed my mind")).await.unwrap();
    assert_eq!(p.get(&renewed.order_id).await.unwrap().status, OrderStatus::Cancelled);
    assert_eq!(p.revoke(&placed.order_id, None).await.unwrap_err().kind(), ErrorKind::Unsupported);

    let missing = p.get("999").await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::Provider);
    assert_eq!(missing.provider_error().unwrap().message, "Order not found");
    sb.shutdown().await;
}

#[tokio::test]
async fn the_leaf_carries_the_csr_key_and_the_chain_verifies() {
    use x509_parser::prelude::*;
    let (sb, p) = start(DcvMode::Auto).await;
    let key = keyed(&["api.example.com"]);
    let spec =
        OrderSpec::new("101", "api.example.com", DcvMethod::Http).contacts(dv_contacts()).csr(key.csr_pem.clone());
    let placed = p.place(&spec).await.unwrap();
    assert_eq!(placed.status, OrderStatus::PendingValidation);
    p.recheck_dcv(&placed.order_id).await.unwrap();
    let bundle = p.download(&placed.order_id).await.unwrap();
    let der = |pem: &str| x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap().1.contents;
    let (leaf_der, int_der) = (der(&bundle.leaf_pem), der(&bundle.intermediates_pem[0]));
    let (_, leaf) = X509Certificate::from_der(&leaf_der).unwrap();
    let (_, int) = X509Certificate::from_der(&int_der).unwrap();
    let csr_der = der(&key.csr_pem);
    let (_, csr) = X509CertificationRequest::from_der(&csr_der).unwrap();
    assert_eq!(leaf.public_key().raw, csr.certification_request_info.subject_pki.raw, "the CSR's key");
    leaf.verify_signature(Some(int.public_key())).expect("the intermediate signed the leaf");
    sb.shutdown().await;
}

#[tokio::test]
async fn key_expiry_means_a_new_login_and_the_call_goes_through() {
    let (sb, p) = start(DcvMode::Auto).await;
    sb.set_knobs(Knobs { session_calls: Some(2), ..Knobs::default() });
    for _ in 0..5 {
        p.send(&ops::AccountBalance::new()).await.unwrap();
    }
    assert_eq!(p.logins().await, 3, "each key served two calls");
    let refused: Vec<_> =
        sb.requests().into_iter().filter(|r| r.path == "/api/account/balance/" && r.status == 200).collect();
    assert_eq!(refused.len(), 7, "5 calls answered + 2 refused for an expired key");
    // An order refused for its key is never sent again; the next one logs in first and goes through.
    let key = keyed(&["exp.example.com"]);
    let spec =
        OrderSpec::new("101", "exp.example.com", DcvMethod::Dns).contacts(dv_contacts()).csr(key.csr_pem.clone());
    let logins = p.logins().await;
    match p.place(&spec).await {
        Ok(_) => assert_eq!(p.logins().await, logins, "the key still served the order"),
        Err(e) => {
            assert_eq!(e.kind(), ssl_core::ErrorKind::Auth, "{e}");
            assert!(sb.orders("gogetssl").is_empty());
            p.place(&spec).await.unwrap();
            assert_eq!(p.logins().await, logins + 1, "a refused session logs in before the next spend");
        }
    }
    assert_eq!(sb.orders("gogetssl").len(), 1, "exactly one order");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error_with_http_200() {
    let (sb, _) = start(DcvMode::Auto).await;
    let (user, _) = sandbox_credentials();
    let c = GoGetSslClient::new(user, "wrong".to_string().into(), sb.base_url("gogetssl").unwrap()).unwrap();
    let e = c.send(&ops::AccountBalance::new()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(e.provider_error().unwrap().status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn manual_and_real_dcv() {
    let (sb, p) = start(DcvMode::Manual).await;
    let key = keyed(&["m.example.com"]);
    let spec = OrderSpec::new("101", "m.example.com", DcvMethod::Dns).contacts(dv_contacts()).csr(key.csr_pem.clone());
    let placed = p.place(&spec).await.unwrap();
    assert_eq!(p.recheck_dcv(&placed.order_id).await.unwrap().status, OrderStatus::PendingValidation);
    sb.pass_dcv("gogetssl", &placed.order_id).unwrap();
    assert_eq!(p.get(&placed.order_id).await.unwrap().status, OrderStatus::Issued);

    // Real mode: publish the CNAME GoGetSSL gave, then ask for a check.
    sb.set_knobs(Knobs { dcv: DcvMode::Real, ..Knobs::default() });
    let key = keyed(&["r.example.com"]);
    let spec = OrderSpec::new("101", "r.example.com", DcvMethod::Dns).contacts(dv_contacts()).csr(key.csr_pem.clone());
    let placed = p.place(&spec).await.unwrap();
    assert_eq!(p.recheck_dcv(&placed.order_id).await.unwrap().status, OrderStatus::PendingValidation);
    let rec = placed.dcv[0].dns().cloned().unwrap();
    sb.add_dns_record(&rec.name, &rec.record_type, &rec.value);
    assert_eq!(p.recheck_dcv(&placed.order_id).await.unwrap().status, OrderStatus::Issued);
    sb.shutdown().await;
}

#[tokio::test]
async fn an_ov_order_with_full_contacts() {
    let (sb, p) = start(DcvMode::Auto).await;
    let key = keyed(&["corp.example.com"]);
    let spec = OrderSpec::new("104", "corp.example.com", DcvMethod::Email)
        .contacts(ov_contacts())
        .approver_email("*", "admin@corp.example.com")
        .csr(key.csr_pem.clone());
    let placed = p.place(&spec).await.unwrap();
    assert_eq!(placed.status, OrderStatus::Issued, "auto: the approver clicked at once");
    let body = &sb.orders("gogetssl")[0]["body"];
    assert_eq!(body["org_name"], "Some Company");
    assert_eq!(body["admin_city"], "Riga");
    assert_eq!(body["approver_email"], "admin@corp.example.com");
    sb.shutdown().await;
}

#[tokio::test]
async fn every_typed_endpoint_decodes_the_simulators_answers() {
    use ssl_gogetssl::generated as g;
    let (sb, c) = start(DcvMode::Manual).await;
    let list = c.product_list().await.unwrap();
    assert_eq!(list.products.as_ref().unwrap().len(), 7);
    let details = c.product_details(102).await.unwrap();
    assert_eq!((details.san_enabled, details.multidomains_maximum), (Some(true), Some(100)));
    let agreement = c.send(&ops::ProductAgreement::new("102")).await.unwrap();
    assert!(agreement.product_agreement.unwrap().contains("agreement"));
    let key = keyed(&["tools.example.com"]);
    let decoded = c.send(&ops::DecodeCsr::new(g::DecodeCsrRequest::new(key.csr_pem.clone()))).await.unwrap();
    assert_eq!(decoded.csr_result.unwrap().cn.as_deref(), Some("tools.example.com"));
    let emails = c.send(&ops::DomainEmails::new(g::DomainEmailsRequest::new("www.tools.example.com"))).await.unwrap();
    assert!(emails.comodo_approval_emails.unwrap().contains(&"admin@tools.example.com".to_string()));
    let balance = c.send(&ops::AccountBalance::new()).await.unwrap();
    assert_eq!(balance.balance, Some(1000.0));

    let spec = OrderSpec::new("102", "tools.example.com", DcvMethod::Email)
        .contacts(dv_contacts())
        .approver_email("*", "admin@tools.example.com")
        .csr(key.csr_pem.clone());
    let id: i64 = c.place(&spec).await.unwrap().order_id.parse().unwrap();
    let sans = c.send(&ops::AddSslSanOrder::new(g::AddSslSanOrderRequest::new(id, 2))).await.unwrap();
    assert_eq!(sans.order_id, Some(id));
    assert!(sans.invoice_id.is_some());
    let resent = c.send(&ops::ResendValidationEmail::new(id.to_string())).await.unwrap();
    assert_eq!(resent.success, Some(true));
    let switched = c
        .send(&ops::ChangeValidationEmail::new(id.to_string(), g::ChangeValidationEmailRequest::new("http")))
        .await
        .unwrap();
    assert!(switched.http.unwrap().link.unwrap().starts_with("http://tools.example.com/.well-known/pki-validation/"));
    let back = c
        .send(&ops::ChangeValidationEmail::new(
            id.to_string(),
            g::ChangeValidationEmailRequest::new("webmaster@tools.example.com"),
        ))
        .await
        .unwrap();
    assert_eq!(
        (back.dcv_method.as_deref(), back.approver_email.as_deref()),
        (Some("email"), Some("webmaster@tools.example.com"))
    );
    let changed = c
        .send(&ops::ChangeDcv::new(id.to_string(), g::ChangeDcvRequest::new("tools.example.com", g::DcvMethod::Dns)))
        .await
        .unwrap();
    assert_eq!(changed.success, Some(true));
    let st = c.send(&ops::OrderStatus::new(id.to_string())).await.unwrap();
    assert_eq!(st.dcv_method.as_deref(), Some("dns"));
    assert!(st.approver_method.unwrap().dns.unwrap().record.unwrap().contains(" CNAME "));
    let cancelled = c.send(&ops::CancelOrder::new(g::CancelOrderRequest::new(id, "test"))).await.unwrap();
    assert_eq!(cancelled.order_id, Some(id));
    assert_eq!(c.send(&ops::AccountBalance::new()).await.unwrap().balance, Some(1000.0), "refunded");
    sb.shutdown().await;
}
