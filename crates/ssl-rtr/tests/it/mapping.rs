//! The pure mappings: voice numbers, cents, the status order.

use ssl_core::model::OrderStatus;
use ssl_rtr::generated::{CertificateStatus, DcvValidation, ProcessStatus, ValidationStatus};
use ssl_rtr::mapping::{cents, normalize_voice, status};

#[test]
fn voice_forms() {
    for (raw, want) in [
        ("+31 20 1234567", Some("+31.201234567")),
        ("+31.201234567", Some("+31.201234567")),
        ("0031 20 123 45 67", Some("+31.201234567")),
        ("+31 (0) 38 453 07 59", Some("+31.384530759")),
        ("+44 20 7946 0958", Some("+44.2079460958")),
        ("+7 495 123-45-67", Some("+7.4951234567")),
        ("+372 5123 4567", Some("+372.51234567")),
        ("+353 1 234 5678", Some("+353.12345678")),
        ("0201234567", None),
        ("+31", None),
        ("+31 20 ext. 5", None),
        ("+0 123", None),
        ("+31 123456789012345", None),
        ("", None),
    ] {
        assert_eq!(normalize_voice(raw).as_deref(), want, "{raw}");
    }
}

#[test]
fn normalized_voice_matches_the_wire_pattern() {
    let re = regex_lite::Regex::new(r"^\+[0-9]{1,3}\.[0-9]{1,14}$").unwrap();
    for raw in ["+1 212 555 0100", "+49 (0)30 1234567", "00 86 10 1234 5678", "+998 71 123 4567"] {
        let v = normalize_voice(raw).unwrap();
        assert!(re.is_match(&v) && v.len() <= 17, "{raw} -> {v}");
    }
}

#[test]
fn cents_are_decimals() {
    assert_eq!(cents(0), "0.00");
    assert_eq!(cents(100), "1.00");
    assert_eq!(cents(123_456), "1234.56");
}

#[test]
fn status_order() {
    let waiting = DcvValidation::default().status(ValidationStatus::Waiting);
    let done = DcvValidation::default().status(ValidationStatus::Validated);
    let s = |p, c, d: &[DcvValidation]| status(&p, c, d);
    assert_eq!(s(ProcessStatus::Failed, Some(&CertificateStatus::Active), &[]), OrderStatus::Rejected);
    assert_eq!(s(ProcessStatus::Invalid, None, &[]), OrderStatus::Rejected);
    assert_eq!(s(ProcessStatus::Cancelled, None, std::slice::from_ref(&waiting)), OrderStatus::Cancelled);
    assert_eq!(
        s(ProcessStatus::Completed, Some(&CertificateStatus::Active), std::slice::from_ref(&waiting)),
        OrderStatus::Issued
    );
    assert_eq!(s(ProcessStatus::Completed, Some(&CertificateStatus::Reissued), &[]), OrderStatus::Issued);
    assert_eq!(s(ProcessStatus::Completed, Some(&CertificateStatus::Revoked), &[]), OrderStatus::Revoked);
    assert_eq!(s(ProcessStatus::Completed, Some(&CertificateStatus::Expired), &[]), OrderStatus::Expired);
    assert_eq!(s(ProcessStatus::Running, None, &[done.clone(), waiting]), OrderStatus::PendingValidation);
    assert_eq!(s(ProcessStatus::Running, None, &[done]), OrderStatus::Processing);
    assert_eq!(s(ProcessStatus::Suspended, None, &[]), OrderStatus::Processing);
    let odd = ProcessStatus::Unknown("on_hold".into());
    assert_eq!(s(odd.clone(), None, &[]), OrderStatus::Unknown, "an unknown process status is kept raw");
    assert_eq!(s(odd, Some(&CertificateStatus::Active), &[]), OrderStatus::Issued, "the certificate decides first");
}
