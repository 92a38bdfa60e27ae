//! An insta snapshot of every request the crate can build: method, path, query, headers and body, no secrets.

use insta::assert_json_snapshot;
use ssl_digicert::generated::{self as g, requests};

const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n";

fn full_order() -> g::OrderRequest {
    g::OrderRequest::new(
        g::OrderCertificate::new("example.com", CSR)
            .dns_names(vec!["sub.example.com".to_string(), "log.example.com".to_string()])
            .server_platform(g::ServerPlatform::new(2))
            .signature_hash(g::SignatureHash::Sha256),
        g::DcvMethod::Email,
    )
    .validity_years(1)
    .comments("Message for the approver.")
    .container(g::ContainerRef::new(69748))
    .custom_renewal_message("Renew me.")
    .skip_approval(true)
    .disable_ct(false)
    .custom_fields(vec![g::CustomField::new(12, "Invoice #12345")])
    .payment_method(g::OrderRequestPaymentMethod::Balance)
    .dcv_emails(vec![
        g::DcvEmail::new("example.com", "example.com").email("admin@example.com"),
        g::DcvEmail::new("sub.example.com", "example.com").email("jim.smith@example.com"),
        g::DcvEmail::new("log.example.com", "example.com").email("it@example.com"),
    ])
    .locale("en")
    .technical_contact(
        g::TechnicalContact::new("Jim", "Smith", "555-555-5555", "jim.smith@example.com").job_title("IT Admin"),
    )
}

#[test]
fn place_order_dv_email_like_the_seed() {
    assert_json_snapshot!(requests::place_order("ssl_dv_geotrust", &full_order()));
}

#[test]
fn place_order_ov_with_organization_and_renewal() {
    let order = g::OrderRequest::new(g::OrderCertificate::new("shop.example.com", CSR), g::DcvMethod::DnsCnameToken)
        .organization(g::OrganizationRef::new(117483))
        .validity_years(3)
        .renewal_of_order_id(6484932)
        .payment_method(g::OrderRequestPaymentMethod::Card);
    assert_json_snapshot!(requests::place_order("ssl_plus", &order));
}

#[test]
fn place_order_wildcard_dns_txt_with_custom_date() {
    let order = g::OrderRequest::new(g::OrderCertificate::new("*.example.com", CSR), g::DcvMethod::DnsTxtToken)
        .custom_expiration_date("2027-06-30");
    assert_json_snapshot!(requests::place_order("wildcard_dv_geotrust", &order));
}

#[test]
fn reads() {
    assert_json_snapshot!("product_list", requests::product_list());
    assert_json_snapshot!("product_info", requests::product_info("ssl_dv_geotrust"));
    assert_json_snapshot!("order_info", requests::order_info("6484932"));
    assert_json_snapshot!(
        "order_list",
        requests::order_list(Some("shop.example.com"), Some("pending"), Some("50"), None)
    );
    assert_json_snapshot!("validation_status", requests::validation_status("6484932"));
    assert_json_snapshot!("download_pem_all", requests::download_by_format("6079436", "pem_all"));
}

#[test]
fn dcv_calls() {
    assert_json_snapshot!("check_dcv", requests::check_dcv("6484932"));
    assert_json_snapshot!(
        "change_dcv_method",
        requests::change_dcv_method("6484932", &g::ChangeDcvMethodRequest::new(g::DcvMethod::HttpToken))
    );
    assert_json_snapshot!("dcv_random_value", requests::dcv_random_value("6484932"));
    assert_json_snapshot!("resend_dcv_emails", requests::resend_dcv_emails("6484932"));
}

#[test]
fn reissue_and_duplicate() {
    let cert = g::ReissueCertificate::new()
        .csr(CSR)
        .common_name("shop.example.com")
        .dns_names(vec!["www.shop.example.com".to_string()])
        .server_platform(g::ServerPlatform::new(-1))
        .signature_hash(g::SignatureHash::Sha256);
    assert_json_snapshot!(
        "reissue",
        requests::reissue("6484932", &g::ReissueRequest::new(cert.clone()).comments("new key"))
    );
    assert_json_snapshot!("duplicate", requests::duplicate("6484932", &g::DuplicateRequest::new(cert)));
}

#[test]
fn cancel_revoke_auto_reissue() {
    let cancel = g::StatusChangeRequest::new(g::StatusChangeRequestStatus::Canceled).note("ordered by mistake");
    assert_json_snapshot!("cancel", requests::update_order_status("6484932", &cancel));
    assert_json_snapshot!(
        "revoke_order",
        requests::revoke_order("6484932", &g::RevokeRequest::new().comments("key compromise"))
    );
    assert_json_snapshot!(
        "revoke_certificate",
        requests::revoke_certificate("6079436", &g::RevokeRequest::new().comments("superseded"))
    );
    assert_json_snapshot!("auto_reissue", requests::update_auto_reissue("6484932", &g::AutoReissueRequest::new(1)));
}
