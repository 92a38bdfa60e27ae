//! The neutral tables of `ssl_gogetssl::neutral`: statuses and DCV states, and GoGetSSL's DNS record lines (read by `ssl_core::dcv`).

use ssl_core::dcv::parse_record;
use ssl_core::model::{DcvStatus, OrderStatus};
use ssl_gogetssl::neutral::{STATUSES, dcv_state};

fn map_status(raw: &str) -> OrderStatus {
    STATUSES.neutral(raw)
}

#[test]
fn records_parse() {
    let r = parse_record("_37D0C93EE263FF9EEEA799215A9C3225.example.com CNAME d30c576bf9eb30a75211cb799848ee5c.abfce3d8ee13212a57c9b7e42ef9baa2.t0837512001533895392.comodoca.com").unwrap();
    assert_eq!(r.name, "_37d0c93ee263ff9eeea799215a9c3225.example.com");
    assert_eq!(r.record_type, "CNAME");
    assert!(r.value.ends_with(".comodoca.com"));
    let t = parse_record("_dnsauth.example.com   IN   TXT   \"abc123\"").unwrap();
    assert_eq!((t.name.as_str(), t.record_type.as_str(), t.value.as_str()), ("_dnsauth.example.com", "TXT", "abc123"));
    assert!(parse_record("nonsense").is_none());
}

#[test]
fn statuses_and_states() {
    assert_eq!(map_status("active"), OrderStatus::Issued);
    assert_eq!(map_status("new_order"), OrderStatus::Draft);
    assert_eq!(map_status("reissue"), OrderStatus::Processing);
    assert_eq!(map_status("on_hold"), OrderStatus::Unknown);
    assert_eq!(dcv_state(Some(&serde_json::json!(2))), DcvStatus::Valid);
    assert_eq!(dcv_state(Some(&serde_json::json!("2"))), DcvStatus::Valid);
    assert_eq!(dcv_state(Some(&serde_json::json!(1))), DcvStatus::Pending);
    assert_eq!(dcv_state(None), DcvStatus::Pending);
}

#[test]
fn environments_are_the_descriptors_urls() {
    use ssl_gogetssl::Environment;
    assert_eq!(Environment::Production.base_url().as_str(), "https://my.gogetssl.com/api");
    assert_eq!(Environment::Sandbox.base_url().as_str(), "https://sandbox.gogetssl.com/api");
}
