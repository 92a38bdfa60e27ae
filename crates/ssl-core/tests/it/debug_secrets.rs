//! Raw bodies and header values never reach `Debug` (a GoGetSSL login answer holds the `auth_key`).

use ssl_core::{Response, WireResponse};

const CANARY: &str = "canary-body-key-5c1";

#[test]
fn responses_print_lengths_not_bodies() {
    let body = format!(r#"{{"key":"{CANARY}","success":true}}"#).into_bytes();
    let headers = vec![("set-cookie".to_owned(), format!("session={CANARY}"))];
    let wire = WireResponse::new(200, headers.clone(), body.clone());
    let resp = Response::new("auth", 200, headers, body);
    for text in [format!("{wire:?}"), format!("{resp:?}"), format!("{wire:#?} {resp:#?}")] {
        assert!(!text.contains(CANARY), "{text}");
        assert!(text.contains("body_len") && text.contains("set-cookie"), "{text}");
    }
}
