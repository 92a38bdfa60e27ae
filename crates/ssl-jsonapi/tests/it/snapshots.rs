//! An insta snapshot of every request the crate can build: method, path, query, the JSON:API body and the call
//! kind. No token anywhere: auth is added at send time.

use insta::assert_json_snapshot;
use ssl_core::model::{Contacts, DcvMethod, OrderSpec, Organization};
use ssl_core::operation::Operation;
use ssl_jsonapi::generated::{OrderAction, ops};
use ssl_jsonapi::neutral;

const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n";

fn order(spec: &OrderSpec, action: OrderAction, cert: Option<&str>) -> ssl_core::HttpRequest {
    let mut problems = Vec::new();
    let doc = neutral::order_document(spec, action, cert, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    ops::CreateOrder::new(doc).request()
}

fn spec() -> OrderSpec {
    OrderSpec::new("11", "shop.example.com", DcvMethod::Dns).san("www.shop.example.com").csr(CSR)
}

#[test]
fn create_with_the_minimum() {
    assert_json_snapshot!("create_minimal", order(&spec(), OrderAction::Create, None));
}

#[test]
fn create_with_every_option() {
    let mut s = spec()
        .term_months(24)
        .option("organization", "BSVBG")
        .option("admin_contact", "CT01")
        .option("tech_contact", "12")
        .option("web_server", "apache")
        .option("customer_id", "9954")
        .option("billing_number", "411D0SA80");
    s.dcv = DcvMethod::DnsCname;
    s.client_reference = Some("PO-2026-118".into());
    s.contacts = Contacts::new().with_organization(Organization::new().with_id("LOSES"));
    assert_json_snapshot!("create_every_option", order(&s, OrderAction::Create, None));
}

#[test]
fn create_with_each_dcv_method() {
    for (m, name) in [(DcvMethod::Http, "http"), (DcvMethod::Email, "email"), (DcvMethod::DnsTxt, "dns_txt")] {
        let mut s = spec().term_months(36);
        s.dcv = m;
        assert_json_snapshot!(format!("create_dcv_{name}"), order(&s, OrderAction::Create, None));
    }
}

#[test]
fn renew_and_reissue() {
    assert_json_snapshot!("renew", order(&spec().option("organization", "BSVBG"), OrderAction::Renew, Some("CRT55")));
    let doc = neutral::reissue_document(CSR.into(), "2 Years", Some("VALIDATE_HTTP"), "CRT55");
    assert_json_snapshot!("reissue", ops::CreateOrder::new(doc).request());
}

#[test]
fn reads() {
    assert_json_snapshot!("list_products", ops::ListProducts::new().request());
    assert_json_snapshot!("list_organizations", ops::ListOrganizations::new().request());
    assert_json_snapshot!("get_order", ops::GetOrder::new("ORD7Q2").fields_order(neutral::ORDER_FIELDS).request());
    assert_json_snapshot!(
        "get_order_chain",
        ops::GetOrder::new("ORD7Q2").fields_order(neutral::ORDER_CHAIN_FIELDS).request()
    );
    assert_json_snapshot!("list_order_contacts", ops::ListOrderContacts::new("ORD7Q2").request());
    assert_json_snapshot!(
        "list_certificates",
        ops::ListCertificates::new().fields_certificate(neutral::LISTING_FIELDS).request()
    );
    assert_json_snapshot!(
        "get_certificate",
        ops::GetCertificate::new("CRT55").fields_certificate(neutral::CERTIFICATE_FIELDS).request()
    );
    assert_json_snapshot!(
        "get_certificate_pkcs",
        ops::GetCertificate::new("CRT55").fields_certificate("status,serial,pkcs7,pkcs12").request()
    );
    assert_json_snapshot!(
        "get_certificate_current_order",
        ops::GetCertificateCurrentOrder::new("CRT55").fields_order(neutral::ORDER_FIELDS).request()
    );
    assert_json_snapshot!("get_domain", ops::GetDomain::new("DOM1").request());
}

#[test]
fn revoke_has_an_empty_body() {
    assert_json_snapshot!("revoke_certificate", ops::RevokeCertificate::new("CRT55").request());
}

#[test]
fn a_next_link_becomes_a_read_under_the_base() {
    let base = url::Url::parse(ssl_jsonapi::PRODUCTION_URL).unwrap();
    let req = ssl_core::paging::follow_link(
        &base,
        "https://api.nameshield.net/ssl/v2/certificates?page%5Bnumber%5D=2&fields%5Bcertificate%5D=status",
        ops::ListCertificates::NAME,
    )
    .unwrap();
    assert_json_snapshot!("next_page", req);
}
