//! Recorded-style DigiCert bodies (fixtures/digicert) decode tolerantly and map to the neutral order.

use ssl_core::model::OrderStatus;
use ssl_digicert::generated as g;
use ssl_digicert::neutral::STATUSES;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../fixtures/digicert/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn an_issued_ov_order_with_every_extra_field() {
    let info: g::OrderInfo = serde_json::from_str(&fixture("order_info_issued.json")).unwrap();
    assert_eq!(info.id, 123456789);
    assert_eq!(info.status, g::OrderStatusValue::Issued);
    let cert = info.certificate.unwrap();
    assert_eq!(cert.id, Some(112358));
    assert_eq!(cert.dns_names.unwrap().len(), 2);
    assert_eq!(info.order_valid_till.as_deref(), Some("2029-03-02"), "coverage end kept apart from valid_till");
    assert_eq!(cert.valid_till.as_deref(), Some("2026-09-17"));
    assert_eq!(info.validity_years, Some(3), "a number sent as a string decodes");
}

#[test]
fn ids_and_numbers_as_strings_and_unknown_fields() {
    let info: g::OrderInfo = serde_json::from_str(&fixture("order_info_pending_strings.json")).unwrap();
    assert_eq!(info.id, 6484932);
    assert_eq!(STATUSES.neutral(info.status.as_str()), OrderStatus::PendingValidation);
    assert_eq!(info.dcv_random_value.as_deref(), Some("icru1984rnekfj"));
}

#[test]
fn unknown_statuses_never_fail_decoding() {
    let info: g::OrderInfo = serde_json::from_str(&fixture("order_info_needs_approval_unknown_status.json")).unwrap();
    assert_eq!(info.status, g::OrderStatusValue::Unknown("waiting_for_something_new".into()));
    assert_eq!(STATUSES.neutral(info.status.as_str()), OrderStatus::Unknown);
    assert_eq!(info.status.as_str(), "waiting_for_something_new");
}

#[test]
fn check_dcv() {
    let r: g::CheckDcvResponse = serde_json::from_str(&fixture("check_dcv_valid.json")).unwrap();
    assert_eq!(r.certificate_id, Some(6079436));
    assert_eq!(r.dcv_status.as_deref(), Some("valid"));
}

#[test]
fn the_status_table() {
    for (raw, want) in [
        ("needs_approval", OrderStatus::PendingApproval),
        ("pending", OrderStatus::PendingValidation),
        ("processing", OrderStatus::Processing),
        ("reissue_pending", OrderStatus::Processing),
        ("waiting_pickup", OrderStatus::Processing),
        ("approved", OrderStatus::Processing),
        ("issued", OrderStatus::Issued),
        ("rejected", OrderStatus::Rejected),
        ("canceled", OrderStatus::Cancelled),
        ("revoked", OrderStatus::Revoked),
        ("expired", OrderStatus::Expired),
        ("ISSUED", OrderStatus::Issued),
        ("", OrderStatus::Unknown),
    ] {
        assert_eq!(STATUSES.neutral(raw), want, "{raw}");
    }
}
