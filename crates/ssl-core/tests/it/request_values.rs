use ssl_core::{Body, CallKind, FormValue, HttpRequest, Method};

#[test]
fn form_bodies_snapshot_sorted_with_secrets_redacted() {
    let req = HttpRequest::new(Method::Post, "/auth/", CallKind::Read).body(Body::Form(vec![
        ("user".into(), FormValue::Plain("reseller".into())),
        ("pass".into(), FormValue::Secret("canary-pass".into())),
    ]));
    let json = serde_json::to_string(&req).unwrap();
    assert!(!json.contains("canary-pass"));
    assert!(json.contains(r#""form":["pass=[redacted]","user=reseller"]"#), "{json}");
    assert!(!format!("{req:?}").contains("canary-pass"));
    let base = url::Url::parse("https://my.gogetssl.com/api").unwrap();
    let shown = req.render_redacted(&base, &[]);
    assert!(shown.starts_with("POST https://my.gogetssl.com/api/auth/"), "{shown}");
    assert!(!shown.contains("canary-pass"));
}

#[test]
fn json_secrets_are_filled_only_on_the_wire() {
    let req = HttpRequest::new(Method::Post, "/auth/login", CallKind::Read).body(Body::Json {
        value: serde_json::json!({"username": "u"}),
        secrets: vec![("password".into(), "canary-pw".into())],
        media_type: ssl_core::MediaType::JsonApi,
    });
    let shown = serde_json::to_string(&req).unwrap();
    assert!(shown.contains(r#""password":"[redacted]""#), "{shown}");
    assert!(!shown.contains("canary-pw"));
    assert!(shown.contains(r#""media_type":"application/vnd.api+json""#), "{shown}");
    assert_eq!(req.body.content_type(), Some("application/vnd.api+json"));
}

#[test]
fn queries_render_percent_encoded() {
    let req = HttpRequest::new(Method::Get, "/order/certificate", CallKind::Read)
        .query("filters[common_name]", "a b.example");
    assert_eq!(req.render_target(), "/order/certificate?filters%5Bcommon_name%5D=a+b.example");
}

#[test]
fn unserializable_bodies_are_kept_as_such_never_empty_or_null() {
    // Not an object: a form needs fields.
    let b = Body::form(&vec![1, 2]);
    assert!(matches!(&b, Body::Unserializable(why) if why.contains("an array")), "{b:?}");
    // A map with non-string keys cannot be JSON.
    let bad = std::collections::BTreeMap::from([((1u8, 2u8), "x")]);
    let b = Body::form(&bad);
    assert!(matches!(&b, Body::Unserializable(why) if why.contains("could not be serialized")), "{b:?}");
    let j = Body::json_of(&bad);
    assert!(matches!(&j, Body::Unserializable(_)), "{j:?}");
    assert_eq!(j.content_type(), None);
    assert!(serde_json::to_string(&j).unwrap().starts_with("{\"unserializable\":"));
}

#[tokio::test]
async fn the_executor_refuses_an_unserializable_body_before_sending() {
    let mock = ssl_core::testing::MockTransport::new();
    mock.reply_json(200, serde_json::json!({}));
    let api = ssl_core::ApiClient::new(
        "test",
        url::Url::parse("https://api.example/v1").unwrap(),
        std::sync::Arc::new(mock.clone()),
        |_, _, _| None,
    );
    let bad = std::collections::BTreeMap::from([((1u8, 2u8), "x")]);
    let req = HttpRequest::new(Method::Post, "/orders", CallKind::Spend).json_of(&bad).operation("place");
    let e = api.execute(&req, &ssl_core::NoAuth).await.unwrap_err();
    assert_eq!(e.problems()[0].code, "unserializable_body", "{e}");
    assert!(mock.requests().is_empty(), "nothing was sent");
}
