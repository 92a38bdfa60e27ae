//! An insta snapshot of every request the crate can build: method, path, query, headers and body, no secrets.

use insta::assert_json_snapshot;
use ssl_core::model::{Contact, DcvMethod, OrderSpec, Organization};
use ssl_rtr::generated::{self as g, requests};
use ssl_rtr::neutral::{build_request, renew_request};

use crate::support::{CSR, product};

fn full_request() -> g::CertificateRequest {
    g::CertificateRequest::new("acme-handle", "sectigo_ov", 12, CSR)
        .organization("Example B.V.")
        .address("Keizersgracht 1")
        .postal_code("1015AA")
        .city("Amsterdam")
        .state("Noord-Holland")
        .country("NL")
        .coc("12345678")
        .sa_email("legal@example.com")
        .language(g::Language::Nl)
        .approver(g::Approver::new("Jane", "Doe", "jane@example.com", "+31.201234567").job_title("CTO"))
        .dcv(vec![g::Dcv::new("shop.example.com", g::DcvType::Email).email("admin@example.com")])
}

#[test]
fn request_certificate_ov_with_every_field() {
    assert_json_snapshot!(requests::request_certificate(&full_request(), None));
}

#[test]
fn request_certificate_quote() {
    let body = g::CertificateRequest::new("acme-handle", "sectigo_dv", 12, CSR)
        .dcv(vec![g::Dcv::new("shop.example.com", g::DcvType::Dns)]);
    assert_json_snapshot!(requests::request_certificate(&body, Some("true")));
}

#[test]
fn neutral_multi_domain_order_sends_san_and_one_dcv_per_name() {
    let spec = OrderSpec::new("sectigo_multi_domain", "shop.example.com", DcvMethod::Dns)
        .san("www.shop.example.com")
        .san("api.example.com")
        .dcv_for("api.example.com", DcvMethod::Http)
        .csr(CSR);
    let mut problems = Vec::new();
    let body = build_request(&spec, &product("product_multi.json"), "acme-handle", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    assert_json_snapshot!(requests::request_certificate(&body, None));
}

#[test]
fn neutral_ov_order_with_approver_and_options() {
    let mut spec = OrderSpec::new("sectigo_ov", "shop.example.com", DcvMethod::Email)
        .approver_email("*", "admin@example.com")
        .option("coc", "12345678")
        .option("language", "nl")
        .csr(CSR);
    spec.contacts.admin = Some(
        Contact::new()
            .with_first_name("Jane")
            .with_last_name("Doe")
            .with_email("jane@example.com")
            .with_phone("+31 (0)20 123 4567")
            .with_title("CTO"),
    );
    spec.contacts.organization = Some(
        Organization::new()
            .with_name("Example B.V.")
            .with_address("Keizersgracht 1")
            .with_postal_code("1015AA")
            .with_city("Amsterdam")
            .with_country("NL"),
    );
    let mut problems = Vec::new();
    let body = build_request(&spec, &product("product_ov.json"), "acme-handle", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    assert_json_snapshot!(requests::request_certificate(&body, None));
}

#[test]
fn renew_and_reissue() {
    assert_json_snapshot!("renew", requests::renew_certificate("90210", &renew_request(&full_request()), None));
    assert_json_snapshot!(
        "renew_quote",
        requests::renew_certificate("90210", &g::RenewRequest::new(12, CSR).product("sectigo_dv"), Some("true"))
    );
    let reissue = g::ReissueRequest::new(CSR).dcv(vec![g::Dcv::new("shop.example.com", g::DcvType::File)]);
    assert_json_snapshot!("reissue", requests::reissue_certificate("90210", &reissue, None));
    assert_json_snapshot!("reissue_quote", requests::reissue_certificate("90210", &reissue, Some("true")));
}

#[test]
fn certificates() {
    assert_json_snapshot!("get_certificate", requests::get_certificate("90210", Some("id,status,certificate")));
    assert_json_snapshot!(
        "list_certificates",
        requests::list_certificates(Some("10"), Some("20"), Some("shop"), Some("-expiryDate"), Some("20"), None, None)
    );
    assert_json_snapshot!(
        "list_certificates_by_name",
        requests::list_certificates(None, None, None, None, None, Some("shop.example.com"), Some("ACTIVE"))
    );
    assert_json_snapshot!("download_zip_default", requests::download_certificate("90210", None));
    assert_json_snapshot!("download_ca_bundle", requests::download_certificate("90210", Some("CA_BUNDLE")));
    assert_json_snapshot!(
        "revoke",
        requests::revoke_certificate("90210", &g::RevokeRequest::default().reason("key compromise"))
    );
    assert_json_snapshot!("revoke_without_reason", requests::revoke_certificate("90210", &g::RevokeRequest::default()));
    let import = g::ImportRequest::new("acme-handle", "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n")
        .csr(CSR)
        .coc("12345678")
        .domain_name("shop.example.com");
    assert_json_snapshot!("import", requests::import_certificate(&import));
}

#[test]
fn processes() {
    assert_json_snapshot!("get_process", requests::get_process("20"));
    assert_json_snapshot!("process_info", requests::process_info("20"));
    assert_json_snapshot!("cancel_process", requests::cancel_process("20"));
    assert_json_snapshot!(
        "list_processes",
        requests::list_processes(Some("25"), Some("0"), None, Some("-createdDate"), Some("shop.example.com"), None)
    );
    let resend = g::ResendDcvRequest::new(vec![
        g::Dcv::new("shop.example.com", g::DcvType::Email).email("admin@example.com"),
        g::Dcv::new("www.shop.example.com", g::DcvType::Dns),
    ]);
    assert_json_snapshot!("resend_dcv", requests::resend_dcv("20", &resend));
}

#[test]
fn products_csr_and_keys() {
    assert_json_snapshot!("list_products", requests::list_products(Some("100"), None, None));
    assert_json_snapshot!("get_product", requests::get_product("sectigo_dv"));
    assert_json_snapshot!("dcv_emails", requests::dcv_email_addresses("shop.example.com", Some("sectigo_dv")));
    assert_json_snapshot!("decode_csr", requests::decode_csr(&g::DecodeCsrRequest::new(CSR)));
    assert_json_snapshot!("authkey", requests::generate_auth_key(&g::AuthKeyRequest::new("digicert_basic", CSR)));
}
