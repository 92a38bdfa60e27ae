//! `ssl_gogetssl::error::decode`: GoGetSSL's error shape, under any HTTP status.

use ssl_core::ErrorKind;
use ssl_gogetssl::error::decode;

#[test]
fn an_error_inside_http_200_is_an_error() {
    let body = br#"{"error":true,"message":"CSR Error: Common name(kasihcyber.wifi) from your CSR is invalid.","description":"Please provide valid CSR code"}"#;
    let e = decode("gogetssl", 200, body).unwrap();
    assert_eq!(e.status, 200);
    assert!(e.message.starts_with("CSR Error"));
    assert_eq!(e.description.as_deref(), Some("Please provide valid CSR code"));
    assert_eq!(e.kind(), ErrorKind::Provider);
    assert!(!e.auth_failure);
    assert!(e.to_string().contains("Please provide valid CSR code"));
}

#[test]
fn free_text_never_makes_an_auth_failure() {
    // The refusal rule is exact and lives in the session (ssl_gogetssl::REFUSAL); the decoder marks only 401.
    for msg in ["Invalid key: RSA 1024", "CSR Error: Invalid key size (1024)", "Invalid or expired auth_key"] {
        let body = serde_json::json!({"error": true, "message": msg}).to_string();
        let e = decode("gogetssl", 200, body.as_bytes()).unwrap();
        assert!(!e.auth_failure, "{msg}");
    }
    let e = decode("gogetssl", 401, b"Unauthorized").unwrap();
    assert_eq!(e.kind(), ErrorKind::Auth);
    let refused = decode("gogetssl", 200, br#"{"error":true,"message":"Invalid or expired auth_key"}"#).unwrap();
    assert!(ssl_gogetssl::REFUSAL.matches(&refused));
    let csr = decode("gogetssl", 200, br#"{"error":true,"message":"Invalid key: RSA 1024"}"#).unwrap();
    assert!(!ssl_gogetssl::REFUSAL.matches(&csr));
}

#[test]
fn success_bodies_pass_and_flags_are_lenient() {
    assert!(decode("gogetssl", 200, br#"{"key":"abc","success":true}"#).is_none());
    assert!(decode("gogetssl", 200, br#"{"error":false,"order_id":1}"#).is_none());
    assert!(decode("gogetssl", 200, br#"{"success":false}"#).is_none(), "no message: not an error shape");
    assert!(decode("gogetssl", 200, br#"{"error":"1","message":"x"}"#).is_some());
    let e = decode("gogetssl", 200, br#"{"success":"0","message":"Cancellation refused"}"#).unwrap();
    assert_eq!(e.message, "Cancellation refused");
    let e = decode("gogetssl", 200, br#"{"error":true,"message":["a","b"]}"#).unwrap();
    assert_eq!(e.message, "a; b");
}

#[test]
fn non_json_errors_keep_a_snippet() {
    let e = decode("gogetssl", 502, b"<html>Bad gateway</html>").unwrap();
    assert!(e.message.contains("Bad gateway"));
    assert!(e.is_retryable());
    assert!(decode("gogetssl", 200, b"<html>ok</html>").is_none());
}

/// The cheap look at a 2xx body (`may_flag`) never misses an error the full parse finds, and it lets the
/// ordinary answers through without a parse.
#[test]
fn the_cheap_look_never_misses_an_error() {
    use ssl_gogetssl::error::{decode_parsed, may_flag};
    let bodies: &[&str] = &[
        r#"{"error":true,"message":"x"}"#,
        r#"{ "error" : 1 , "message":"x"}"#,
        r#"{"error":"1","message":"x"}"#,
        r#"{"error":"true","description":"d"}"#,
        r#"{"error":" TRUE ","message":"x"}"#,
        r#"{"error":1.0,"message":"x"}"#,
        r#"{"error":2,"message":"x"}"#,
        r#"{"error":10}"#,
        r#"{"error":0.5}"#,
        r#"{"error":false,"error":true}"#,
        r#"{"order":{"error":false},"error":true}"#,
        r#"{"\u0065rror":true,"message":"escaped key"}"#,
        r#"{"err\u006fr":true}"#,
        r#"{"success":false,"message":"x"}"#,
        r#"{"success":0,"description":"x"}"#,
        r#"{"success":"0","message":"x"}"#,
        r#"{"success":"false","message":"x"}"#,
        r#"{"success":true,"success":false,"message":"x"}"#,
        r#"{"success":10,"message":"x"}"#,
        r#"{"status":"error","error":true,"message":"x"}"#,
        r#"{"note":"a \"error\": true in text","error":true,"message":"x"}"#,
        // the harmless ones
        r#"{"error":false,"order_id":1}"#,
        r#"{"error":0}"#,
        r#"{"error":null,"message":"x"}"#,
        r#"{"error":"0"}"#,
        r#"{"error":"false"}"#,
        r#"{"key":"abc","success":true}"#,
        r#"{"success":1,"message":"done"}"#,
        r#"{"success":"1"}"#,
        r#"{"success":"true"}"#,
        r#"{"status":"error","message":"a value, not a key"}"#,
        r#"{"order_id":783956,"csr_code":"-----BEGIN\n+/=\n-----END","success":true}"#,
        r#"[{"error":true,"message":"not an object"}]"#,
        r#"{"success":false}"#,
        "<html>ok</html>",
        "",
    ];
    for body in bodies {
        let full = decode_parsed("gogetssl", 200, body.as_bytes());
        let fast = decode("gogetssl", 200, body.as_bytes());
        assert_eq!(full.is_some(), fast.is_some(), "{body}");
        if full.is_some() {
            assert!(may_flag(body.as_bytes()), "{body}");
            assert_eq!(format!("{full:?}"), format!("{fast:?}"), "{body}");
        }
    }
    for harmless in [
        r#"{"error":false,"order_id":1}"#,
        r#"{"key":"abc","success":true}"#,
        r#"{"order_id":"783956","status":"active","csr_code":"-----BEGIN\n+/=\n-----END","success":true}"#,
        r#"{"error" : 0 , "success" : "1"}"#,
    ] {
        assert!(!may_flag(harmless.as_bytes()), "{harmless}");
    }
}
