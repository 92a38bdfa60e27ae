//! An insta snapshot of every request the crate can build: method, path, query, JSON body, call kind; the password
//! `[redacted]`.

use insta::assert_json_snapshot;
use ssl_core::Provider;
use ssl_core::model::DcvMethod;
use ssl_openprovider::generated::{self as g, requests};
use ssl_openprovider::{Openprovider, OpenproviderClient};

use crate::common::{CANARY_PASS, USER};

const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n";

fn offline() -> Openprovider {
    let base = url::Url::parse(ssl_openprovider::TEST).unwrap();
    let transport = std::sync::Arc::new(ssl_core::testing::MockTransport::new());
    Openprovider::new(OpenproviderClient::offline(&base, transport).unwrap(), ssl_csr::CHECKS)
}

#[test]
fn login_redacts_the_password() {
    let req = ssl_openprovider::login_request(USER, &CANARY_PASS.into());
    assert!(!serde_json::to_string(&req).unwrap().contains(CANARY_PASS));
    assert!(!format!("{req:?}").contains(CANARY_PASS));
    assert_json_snapshot!("login", req);
}

#[tokio::test]
async fn create_order_dns_multi_name_draft() {
    let spec = crate::common::spec("32", &["shop.example.com", "www.shop.example.com"], DcvMethod::Dns)
        .option("technical_handle", "TE000001-NL")
        .option("software_id", "windows")
        .option("start_provision", "false")
        .option("autorenew", "on")
        .option("enable_dns_automation", true)
        .option("wildcard_domain_amount", 0)
        .term_months(24);
    let mut req = offline().prepare(&spec).await.unwrap().request;
    req.body.json_mut().expect("a JSON body")["csr"] = CSR.into();
    assert_json_snapshot!("create_order_dns_multi_name_draft", req);
}

#[tokio::test]
async fn create_order_email_single_name() {
    let spec = crate::common::spec("5", &["example.com"], DcvMethod::Email).approver_email("*", "admin@example.com");
    let mut req = offline().prepare(&spec).await.unwrap().request;
    req.body.json_mut().expect("a JSON body")["csr"] = CSR.into();
    assert_json_snapshot!("create_order_email_single_name", req);
}

#[test]
fn update_order_submit_and_dcv() {
    assert_json_snapshot!(
        "update_order_submit",
        requests::update_order("31027", &g::UpdateOrderRequest::new(31027).start_provision(true))
    );
    let m = vec![g::DomainValidationMethod::new("example.com", g::DcvMethod::Https)];
    assert_json_snapshot!(
        "update_order_dcv",
        requests::update_order("31027", &g::UpdateOrderRequest::new(31027).domain_validation_methods(m))
    );
}

#[test]
fn reissue_renew_cancel_carry_the_id_in_the_body() {
    let m = vec![g::DomainValidationMethod::new("example.com", g::DcvMethod::Dns)];
    let reissue = g::ReissueOrderRequest::new(31027, CSR)
        .signature_hash_algorithm(g::SignatureHashAlgorithm::Sha2)
        .software_id(g::SoftwareId::Linux)
        .domain_validation_methods(m)
        .approver_email("admin@example.com");
    assert_json_snapshot!("reissue_order", requests::reissue_order("31027", &reissue));
    assert_json_snapshot!(
        "renew_order",
        requests::renew_order("31027", &g::RenewOrderRequest::new(31027).enable_dns_automation(false))
    );
    assert_json_snapshot!("cancel_order", requests::cancel_order("31027", &g::CancelOrderRequest::new(31027)));
}

#[test]
fn reads() {
    assert_json_snapshot!("get_order", requests::get_order("31027"));
    assert_json_snapshot!(
        "list_orders",
        requests::list_orders(
            Some("100"),
            Some("200"),
            None,
            Some("desc"),
            None,
            None,
            None,
            None,
            Some("shop.example.com"),
            Some("REQ"),
            Some("XY123456-NL"),
            None
        )
    );
    assert_json_snapshot!("list_approver_emails", requests::list_approver_emails("5", "example.com"));
    assert_json_snapshot!("list_reissue_approver_emails", requests::list_reissue_approver_emails("31027"));
    assert_json_snapshot!(
        "list_products",
        requests::list_products(Some("1000"), None, Some("true"), None, None, None, None, None, None, None, None)
    );
    assert_json_snapshot!("get_product", requests::get_product("32"));
    assert_json_snapshot!("decode_csr", requests::decode_csr(&g::DecodeCsrRequest::new(CSR)));
}

#[test]
fn approver_email_and_otp_writes() {
    assert_json_snapshot!(
        "update_approver_email",
        requests::update_approver_email("31027", &g::UpdateApproverEmailRequest::new(31027, "admin@example.com"))
    );
    assert_json_snapshot!(
        "resend_approver_email",
        requests::resend_approver_email("31027", &g::ResendApproverEmailRequest::new(31027))
    );
    assert_json_snapshot!(
        "create_otp_token",
        requests::create_otp_token("31027", &g::CreateOtpTokenRequest::new(31027))
    );
}
