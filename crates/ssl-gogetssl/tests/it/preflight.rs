//! validate() and the pre-flight list every problem at once, and nothing is sent.

use ssl_core::model::{DcvMethod, OrderSpec};
use ssl_core::validate::Validate;
use ssl_core::{Error, Provider};
use ssl_gogetssl::generated as g;

use crate::common::*;

fn codes(e: &Error) -> Vec<String> {
    let mut c: Vec<String> = e.problems().iter().filter(|p| p.is_error()).map(|p| p.code.clone()).collect();
    c.sort();
    c.dedup();
    c
}

fn fields(e: &Error) -> Vec<String> {
    e.problems().iter().filter_map(|p| p.field.clone()).collect()
}

#[tokio::test]
async fn every_rule_broken_at_once_and_zero_requests() {
    let (client, mock) = mock_client();
    // An OV product: a wildcard it does not cover, validated over http, for 48 months, with SANs it does not
    // take, by email without approvers, a contact without title, no organisation, an unknown option.
    let mut contacts = dv_contacts();
    contacts.admin.as_mut().unwrap().title = None;
    let spec = OrderSpec::new("104", "*.shop.example.com", DcvMethod::Http)
        .contacts(contacts)
        .san("www.shop.example.com")
        .dcv_for("www.shop.example.com", DcvMethod::Email)
        .term_months(48)
        .option("colour", "blue")
        .csr(csr(&["*.shop.example.com", "www.shop.example.com"]));
    let e = client.place(&spec).await.unwrap_err();
    let c = codes(&e);
    for want in [
        "approver_email_missing",
        "dcv_not_allowed",
        "field_required",
        "period_not_offered",
        "product_rule",
        "unknown_option",
    ] {
        assert!(c.contains(&want.to_string()), "{want} missing from {c:?}\n{:#?}", e.problems());
    }
    let f = fields(&e);
    for want in
        ["admin.title", "tech.title", "organization.name", "admin.organization", "organization.region", "term_months"]
    {
        assert!(f.contains(&want.to_string()), "{want} missing from {f:?}");
    }
    assert!(mock.requests().is_empty(), "zero requests for a bad order (product details preloaded)");
    // prepare (what --dry-run uses) reports the same and sends nothing either.
    let again = client.prepare(&spec).await.unwrap_err();
    assert_eq!(codes(&again), c);
    assert!(mock.requests().is_empty());
    // Each problem is reported once.
    let mut msgs: Vec<&str> = e.problems().iter().map(|p| p.message.as_str()).collect();
    let n = msgs.len();
    msgs.sort();
    msgs.dedup();
    assert_eq!(msgs.len(), n, "{:#?}", e.problems());
}

#[tokio::test]
async fn without_a_cached_catalog_only_reads_go_out() {
    let server = wiremock::MockServer::start().await;
    mount_login(&server, "k").await;
    mount_products(&server).await;
    let c = wiremock_client(&server);
    let spec = OrderSpec::new("103", "shop.example.com", DcvMethod::Dns)
        .contacts(dv_contacts())
        .san("www.shop.example.com")
        .csr(csr(&["shop.example.com"]));
    let e = c.place(&spec).await.unwrap_err();
    let got = codes(&e);
    assert!(got.contains(&"name_mismatch".to_string()) && got.contains(&"product_rule".to_string()), "{got:?}");
    let paths: Vec<String> =
        server.received_requests().await.unwrap().into_iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(paths, ["/api/auth/", "/api/products/ssl/103"], "login and the product's rules, no order");
}

#[tokio::test]
async fn per_san_methods_only_for_sectigo_brands() {
    let (client, mock) = mock_client();
    let spec = OrderSpec::new("107", "shop.example.com", DcvMethod::Dns)
        .contacts(dv_contacts())
        .san("www.shop.example.com")
        .dcv_for("www.shop.example.com", DcvMethod::Http)
        .csr(csr(&["shop.example.com", "www.shop.example.com"]));
    let e = client.prepare(&spec).await.unwrap_err();
    assert!(
        e.problems().iter().any(|p| p.code == "dcv_not_allowed" && p.message.contains("per-SAN")),
        "{:#?}",
        e.problems()
    );
    let sectigo = spec.product("102");
    let ok = client.prepare(&sectigo).await.unwrap();
    assert!(ok.rendered.contains("approver_emails=http"), "{}", ok.rendered);
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn dns_cname_is_only_for_sectigo_and_dns_txt_is_never_offered() {
    let (client, _mock) = mock_client();
    let base = OrderSpec::new("107", "a.example.com", DcvMethod::DnsCname)
        .contacts(dv_contacts())
        .csr(csr(&["a.example.com"]));
    let e = client.prepare(&base).await.unwrap_err();
    assert!(codes(&e).contains(&"dcv_not_allowed".to_string()));
    let sectigo = base.clone().product("101");
    let p = client.prepare(&sectigo).await.unwrap();
    assert!(p.rendered.contains("dcv_method=dns"));
    let txt = base.product("101").dcv(DcvMethod::DnsTxt);
    let e = client.prepare(&txt).await.unwrap_err();
    assert!(
        e.problems().iter().any(|p| p.code == "dcv_not_allowed" && p.message.contains("not offered by this provider"))
    );
}

#[test]
fn validate_reports_every_field_constraint_at_once() {
    let mut o = dv_order("");
    o.period = 0;
    o.server_count = -5;
    o.admin_email = "not-an-email".into();
    o.tech_firstname = String::new();
    o.dcv_method = g::DcvMethod::Unknown("pigeon".into());
    let o = o
        .admin_country("Latvia")
        .admin_fax("")
        .unique_code("short")
        .dns_names(vec![String::new()])
        .approver_emails(vec!["nobody".to_string()]);
    let fields: Vec<String> = o.validate().into_iter().filter_map(|p| p.field).collect();
    for f in [
        "csr",
        "period",
        "server_count",
        "admin_email",
        "tech_firstname",
        "dcv_method",
        "admin_country",
        "admin_fax",
        "unique_code",
        "dns_names[0]",
        "approver_emails[0]",
    ] {
        assert!(fields.contains(&f.to_string()), "missing {f} in {fields:?}");
    }
}

#[tokio::test]
async fn the_wire_level_call_refuses_a_broken_order_without_sending_it() {
    let (client, mock) = mock_client();
    let mut o = dv_order(csr(&["a.example.com"])).dns_names(vec!["www.a.example.com".to_string()]);
    o.dcv_method = g::DcvMethod::Email;
    let e = client.add_ssl_order(&o).await.unwrap_err();
    let c = codes(&e);
    for want in ["approver_emails_count", "field_not_allowed", "field_required"] {
        assert!(c.contains(&want.to_string()), "{want}: {c:?}");
    }
    assert!(mock.requests().is_empty());
}

/// The approver checks are rules of the spec (`x-rules`): a reissue or DCV change sent directly as an operation
/// value is refused by its generated `validate()` before anything is sent, like an order.
#[tokio::test]
async fn direct_reissue_and_change_dcv_keep_the_approver_checks() {
    use ssl_gogetssl::generated::ops;
    let (client, mock) = mock_client();
    let email = g::ReissueRequest::new(csr(&["a.example.com"]), 1, g::DcvMethod::Email);
    let e = client.send(&ops::Reissue::new("42", email.clone())).await.unwrap_err();
    assert!(e.problems().iter().any(|p| p.code == "field_required" && p.field.as_deref() == Some("approver_email")));
    let short = email
        .approver_email("admin@a.example.com")
        .dns_names(vec!["www.a.example.com".to_string(), "*.a.example.com".to_string()])
        .approver_emails(vec!["dns".to_string()]);
    let e = client.send(&ops::Reissue::new("42", short)).await.unwrap_err();
    assert!(e.problems().iter().any(|p| p.code == "approver_emails_count"), "{:#?}", e.problems());
    let dns = g::ReissueRequest::new(csr(&["a.example.com"]), 1, g::DcvMethod::Dns)
        .approver_email("admin@a.example.com")
        .dns_names(vec!["*.a.example.com".to_string()])
        .approver_emails(vec!["http".to_string()]);
    let e = client.send(&ops::Reissue::new("42", dns)).await.unwrap_err();
    let c = codes(&e);
    assert!(c.contains(&"field_not_allowed".to_string()) && c.contains(&"dcv_not_allowed".to_string()), "{c:?}");
    let change = g::ChangeDcvRequest::new("a.example.com", g::DcvMethod::Email);
    let e = client.send(&ops::ChangeDcv::new("42", change)).await.unwrap_err();
    assert!(e.problems().iter().any(|p| p.code == "field_required" && p.field.as_deref() == Some("approver_email")));
    let change = g::ChangeDcvRequest::new("a.example.com", g::DcvMethod::Dns).approver_email("admin@a.example.com");
    assert!(client.send(&ops::ChangeDcv::new("42", change)).await.is_err());
    assert!(mock.requests().is_empty(), "nothing is sent, not even a login");
}

/// An order is validated once: each problem of a broken order appears once in the refusal.
#[tokio::test]
async fn the_wire_level_call_reports_each_problem_once() {
    let (client, mock) = mock_client();
    let mut o = dv_order(csr(&["a.example.com"])).dns_names(vec!["a.example.com".to_string()]);
    o.server_count = 0;
    let e = client.add_ssl_order(&o).await.unwrap_err();
    let mut seen: Vec<(String, Option<String>, String)> =
        e.problems().iter().map(|p| (p.code.clone(), p.field.clone(), p.message.clone())).collect();
    let n = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), n, "{:#?}", e.problems());
    for want in ["range", "approver_emails_count", "primary_in_dns_names", "field_not_allowed"] {
        assert!(codes(&e).contains(&want.to_string()), "{want}: {:#?}", e.problems());
    }
    assert!(mock.requests().is_empty());
}

fn fixture_csr(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../fixtures/csr/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The CSR's self-signature is verified by the neutral pre-flight (`prepare` / `place` / `quote` →
/// `kit::prepare` → `ssl_csr::CHECKS`); the low-level `check_order` parses the CSR (every other CSR problem
/// stays) without verifying the signature again (crate docs, "What the low-level order methods check").
#[tokio::test]
async fn the_neutral_preflight_verifies_the_csr_signature() {
    let (client, mock) = mock_client();
    let tampered = fixture_csr("tampered.csr.pem");
    let spec = OrderSpec::new("101", "www.example.com", DcvMethod::Dns).contacts(dv_contacts()).csr(tampered.clone());
    for e in [
        client.prepare(&spec).await.unwrap_err(),
        client.place(&spec).await.unwrap_err(),
        client.quote(&spec).await.unwrap_err(),
    ] {
        assert!(codes(&e).contains(&"bad_signature".to_string()), "{:#?}", e.problems());
        assert!(fields(&e).contains(&"csr".to_string()));
    }
    assert!(mock.requests().is_empty(), "nothing sent for a tampered CSR");

    // The low-level pre-check: the CSR's other problems, not its signature.
    let low = client.check_order(&dv_order(tampered)).await.unwrap();
    assert!(!low.iter().any(|p| p.code == "bad_signature"), "{low:#?}");
    let weak = client.check_order(&dv_order(fixture_csr("rsa1024.csr.pem"))).await.unwrap();
    assert!(weak.iter().any(|p| p.code == "weak_key" && p.field.as_deref() == Some("csr")), "{weak:#?}");
    let e = client.add_ssl_order(&dv_order(fixture_csr("rsa1024.csr.pem"))).await.unwrap_err();
    assert!(codes(&e).contains(&"weak_key".to_string()));
    let junk = client
        .check_order(&dv_order("-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n-----END CERTIFICATE REQUEST-----\n"))
        .await
        .unwrap();
    assert!(junk.iter().any(|p| p.code == "malformed" && p.field.as_deref() == Some("csr")), "{junk:#?}");
    assert!(mock.requests().is_empty());
}
