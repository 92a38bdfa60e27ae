//! `ssl_digicert::error::decode`: DigiCert's error shape.

use ssl_core::ErrorKind;
use ssl_digicert::error::decode;

#[test]
fn errors_as_array_keep_codes_intact() {
    let body = br#"{"errors":[{"code":"invalid_value:validity_years","message":"Too long."},{"code":"not_found|product","message":"No product."}]}"#;
    let e = decode("digicert", 400, body).unwrap();
    assert_eq!(e.code.as_deref(), Some("invalid_value:validity_years"));
    assert_eq!(e.field.as_deref(), Some("validity_years"));
    assert_eq!(e.errors.len(), 2);
    assert_eq!(e.errors[1].code.as_deref(), Some("not_found|product"));
    assert!(e.to_string().contains("not_found|product"));
}

#[test]
fn errors_as_object() {
    let body = br#"{"errors":{"code":"not_found|route","message":"The specified route was not found."}}"#;
    let e = decode("digicert", 404, body).unwrap();
    assert_eq!(e.code.as_deref(), Some("not_found|route"));
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[test]
fn rate_limit_is_retryable() {
    let body = br#"{"errors":[{"code":"request_limit_exceeded","message":"Service unavailable, please limit request volume"}]}"#;
    let e = decode("digicert", 429, body).unwrap();
    assert!(e.is_retryable());
    assert_eq!(e.kind(), ErrorKind::RateLimited);
}

#[test]
fn a_bad_api_key_is_an_auth_failure() {
    let body = br#"{"errors":[{"code":"access_denied|access_denied_invalid_key","message":"Access denied. Invalid API key."}]}"#;
    let e = decode("digicert", 403, body).unwrap();
    assert!(e.auth_failure);
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(e.code.as_deref(), Some("access_denied|access_denied_invalid_key"));
    let e = decode("digicert", 403, br#"{"errors":{"code":"access_denied","message":"No permission."}}"#).unwrap();
    assert!(e.auth_failure, "errors as one object too");
    let e = decode("digicert", 401, br#"{"errors":[{"code":"unauthorized","message":"No key."}]}"#).unwrap();
    assert!(e.auth_failure);
    let e = decode("digicert", 400, br#"{"errors":[{"code":"access_denied_for_product","message":"x"}]}"#).unwrap();
    assert!(!e.auth_failure, "only 401/403 answers are auth failures");
}

#[test]
fn success_and_non_json() {
    assert!(decode("digicert", 201, b"{}").is_none());
    let e = decode("digicert", 502, b"<html>Bad gateway</html>").unwrap();
    assert!(e.message.contains("Bad gateway"));
    assert!(e.is_retryable());
}
