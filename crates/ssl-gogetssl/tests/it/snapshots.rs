//! An insta snapshot of every request the crate can build: method, path, query and the form body as sorted
//! `key=value` lines, secrets `[redacted]`.

use insta::assert_json_snapshot;
use ssl_gogetssl::generated::{self as g, requests};

use crate::common::{CANARY_PASS, USER};

const CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n";

/// The seed's full parameter list, OV style, with SANs and email DCV.
fn full_order() -> g::AddSslOrderRequest {
    g::AddSslOrderRequest::new(
        104,
        12,
        CSR,
        -1,
        1,
        "John",
        "Silver",
        "003719999999",
        "Mr",
        "webmaster@domain.tld",
        g::DcvMethod::Email,
        "John",
        "Silver",
        "003719999999",
        "Mr",
        "webmaster@domain.tld",
    )
    .approver_email("admin@domain.tld")
    .dns_names(vec!["www.domain.tld".to_string(), "mail.domain.tld".to_string()])
    .approver_emails(vec!["admin@domain.tld".to_string(), "dns".to_string()])
    .admin_organization("Some Company")
    .admin_addressline1("Street 123")
    .admin_city("Riga")
    .admin_country("LV")
    .admin_fax("003718888888")
    .admin_postalcode("LV-1010")
    .admin_region("Riga")
    .tech_organization("Some Company")
    .tech_addressline1("Street 123")
    .tech_city("Riga")
    .tech_country("LV")
    .org_name("Some Company")
    .org_division("Hosting")
    .org_duns("123456789")
    .org_addressline1("Street 123")
    .org_city("Riga")
    .org_country("LV")
    .org_phone("003719999999")
    .org_postalcode("LV-1010")
    .org_region("Riga")
    .signature_hash(g::SignatureHash::Sha2)
}

#[test]
fn login_redacts_the_password() {
    let req = ssl_gogetssl::login_request(USER, &CANARY_PASS.into());
    assert_json_snapshot!("login", req);
    assert!(!serde_json::to_string(&req).unwrap().contains(CANARY_PASS));
    assert!(!format!("{req:?}").contains(CANARY_PASS));
}

#[test]
fn add_ssl_order_with_every_seed_parameter() {
    assert_json_snapshot!(requests::add_ssl_order(&full_order()));
}

#[test]
fn add_ssl_order_dv_dns_single_name() {
    let o = crate::common::dv_order(CSR);
    assert_json_snapshot!(requests::add_ssl_order(&o));
}

#[test]
fn add_ssl_order_only_validate_and_renew() {
    let o = crate::common::dv_order(CSR).only_validate(true);
    assert_json_snapshot!("add_ssl_order_only_validate", requests::add_ssl_order(&o));
    // The quote (what `quote` and `validate_order` send): `only_validate=1`, a spend.
    let quote = ssl_gogetssl::quote_request(requests::add_ssl_order(&crate::common::dv_order(CSR)));
    assert_json_snapshot!("quote_only_validate_1", quote);
    let mut renew = crate::common::dv_order(CSR);
    renew.period = 24;
    assert_json_snapshot!("add_ssl_renew_order", requests::add_ssl_renew_order(&renew));
}

#[test]
fn products_and_tools() {
    assert_json_snapshot!("product_list", requests::product_list());
    assert_json_snapshot!("product_details", requests::product_details("101"));
    assert_json_snapshot!("product_agreement", requests::product_agreement("101"));
    assert_json_snapshot!("decode_csr", requests::decode_csr(&g::DecodeCsrRequest::new(CSR).brand(1).wildcard(0)));
    assert_json_snapshot!("domain_emails", requests::domain_emails(&g::DomainEmailsRequest::new("shop.example.com")));
    assert_json_snapshot!("account_balance", requests::account_balance());
}

#[test]
fn order_lifecycle_calls() {
    assert_json_snapshot!("order_status", requests::order_status("783956"));
    assert_json_snapshot!(
        "add_ssl_san_order",
        requests::add_ssl_san_order(&g::AddSslSanOrderRequest::new(783956, 2).single_san_count(2))
    );
    let reissue = g::ReissueRequest::new(CSR, 1, g::DcvMethod::Http)
        .dns_names(vec!["www.domain.tld".to_string()])
        .approver_emails(vec!["http".to_string()])
        .signature_hash(g::SignatureHash::Sha2);
    assert_json_snapshot!("reissue", requests::reissue("783956", &reissue));
    assert_json_snapshot!(
        "change_dcv",
        requests::change_dcv(
            "783956",
            &g::ChangeDcvRequest::new("www.domain.tld", g::DcvMethod::Email).approver_email("admin@domain.tld")
        )
    );
    assert_json_snapshot!(
        "change_validation_email",
        requests::change_validation_email("783956", &g::ChangeValidationEmailRequest::new("dns"))
    );
    assert_json_snapshot!("resend_validation_email", requests::resend_validation_email("783956"));
    assert_json_snapshot!("revalidate", requests::revalidate("783956", &g::RevalidateRequest::new("www.domain.tld")));
    assert_json_snapshot!(
        "cancel_order",
        requests::cancel_order(&g::CancelOrderRequest::new(783956, "Ordered by mistake"))
    );
}

/// No snapshot on disk holds a secret, and every form body is written as sorted `key=value` lines.
#[test]
fn snapshots_hold_no_secrets() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(CANARY_PASS) && !text.contains(crate::common::CANARY_KEY));
        assert!(!text.contains("auth_key"), "the key is never part of a request value");
        seen += 1;
    }
    assert!(seen >= 18, "{seen} snapshots");
}
