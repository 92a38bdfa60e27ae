//! Fact 19: errors are `{type, message}`; `code` is the type; one entry per violation.

use ssl_core::ErrorKind;
use ssl_rtr::error::decode;

use crate::support::fixture;

#[test]
fn constraint_violations_give_one_entry_each() {
    let e = decode("rtr", 400, &fixture("error_violations.json")).unwrap();
    assert_eq!(e.code.as_deref(), Some("ConstraintViolationException"));
    assert_eq!(e.message, "The request parameters did not meet validation");
    let fields: Vec<_> = e.errors.iter().map(|x| x.field.as_deref().unwrap()).collect();
    assert_eq!(fields, ["approver.voice", "postalCode"]);
    assert!(e.errors.iter().all(|x| x.code.as_deref() == Some("ConstraintViolationException")));
    assert_eq!(e.kind(), ErrorKind::Provider);
}

#[test]
fn authentication_error_is_an_auth_failure() {
    let e = decode("rtr", 401, &fixture("error_auth.json")).unwrap();
    assert_eq!(e.code.as_deref(), Some("AuthenticationError"));
    assert_eq!(e.kind(), ErrorKind::Auth);
    // Even when a proxy turns the status into something else, the type decides.
    assert_eq!(decode("rtr", 400, &fixture("error_auth.json")).unwrap().kind(), ErrorKind::Auth);
}

#[test]
fn money_errors_say_what_to_do() {
    let credit = decode("rtr", 400, &fixture("error_credit.json")).unwrap();
    assert_eq!(credit.code.as_deref(), Some("InsufficientCreditException"));
    assert!(credit.description.as_deref().unwrap().contains("top up"));
    let ack = decode("rtr", 400, &fixture("error_billable.json")).unwrap();
    assert_eq!(ack.code.as_deref(), Some("BillableAcknowledgmentNeededException"));
    let d = ack.description.unwrap();
    assert!(d.contains("120.00 EUR") && d.contains("nothing was placed"), "{d}");
}

#[test]
fn unrecognized_property_names_the_field() {
    let e = decode("rtr", 400, &fixture("error_unrecognized.json")).unwrap();
    assert_eq!(e.field.as_deref(), Some("domain_name"));
    assert_eq!(e.errors[0].field.as_deref(), Some("domain_name"));
}

#[test]
fn status_classes() {
    let busy = decode("rtr", 429, &fixture("error_too_many.json")).unwrap();
    assert_eq!(busy.kind(), ErrorKind::RateLimited);
    assert!(busy.is_retryable());
    let down = decode("rtr", 503, &fixture("error_unavailable.json")).unwrap();
    assert!(down.is_retryable());
    assert!(down.description.unwrap().contains("until 2026-11-29T22:00:00Z"));
    assert!(decode("rtr", 502, br#"{"type":"ProviderConnectionError","message":"x"}"#).unwrap().is_retryable());
}

#[test]
fn bodies_that_are_not_rtr_errors_are_left_to_the_kit() {
    assert!(decode("rtr", 500, &fixture("error_internal.html")).is_none());
    assert!(decode("rtr", 500, b"").is_none());
    assert!(decode("rtr", 400, br#"{"message":"no type"}"#).is_none());
    assert!(decode("rtr", 400, br#"[1,2]"#).is_none());
}

#[test]
fn a_success_body_with_a_type_field_is_not_an_error() {
    assert!(decode("rtr", 200, &fixture("process_running.json")).is_none());
    assert!(decode("rtr", 202, &fixture("error_auth.json")).is_none());
}
