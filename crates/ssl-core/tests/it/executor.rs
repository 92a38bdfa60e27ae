use std::sync::Arc;
use std::time::Duration;

use ssl_core::retry::RetryPolicy;
use ssl_core::{
    ApiClient, CallKind, Error, ErrorKind, HeaderAuth, HttpRequest, Method, ProviderError, ReqwestTransport,
    TransportConfig,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn decoder(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    (status >= 400).then(|| ProviderError::from_body(provider, status, body))
}

fn client(server: &MockServer, cfg: TransportConfig) -> ApiClient {
    let base = url::Url::parse(&format!("{}/v2", server.uri())).unwrap();
    let t = Arc::new(ReqwestTransport::new(&cfg).unwrap());
    ApiClient::new("test", base, t, decoder).with_retry(
        RetryPolicy::default()
            .max_attempts(3)
            .base_delay(Duration::from_millis(5))
            .max_delay(Duration::from_secs(5))
            .max_retry_after(Duration::from_secs(5)),
    )
}

fn auth() -> HeaderAuth {
    HeaderAuth::new("X-Key", "", "canary-secret-9f2".into())
}

#[tokio::test]
async fn a_read_is_retried_after_429_honouring_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/thing"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let c = client(&server, TransportConfig::default());
    let started = std::time::Instant::now();
    let r = c.execute(&HttpRequest::new(Method::Get, "/thing", CallKind::Read), &auth()).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for Retry-After");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_spend_is_never_retried_after_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let c = client(&server, TransportConfig::default());
    let e = c.execute(&HttpRequest::new(Method::Post, "/order", CallKind::Spend), &auth()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_spend_that_gets_5xx_is_outcome_unknown_and_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let c = client(&server, TransportConfig::default());
    let e = c
        .execute(&HttpRequest::new(Method::Post, "/order", CallKind::Spend).operation("place_order"), &auth())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::OutcomeUnknown(_)), "{e:?}");
    assert!(!e.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_timeout_after_sending_a_spend_is_outcome_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let cfg = TransportConfig::default().with_request_timeout(Duration::from_millis(300));
    let c = client(&server, cfg);
    let e = c.execute(&HttpRequest::new(Method::Post, "/order", CallKind::Spend), &auth()).await.unwrap_err();
    match e {
        Error::OutcomeUnknown(o) => assert!(o.cause.contains("timed out"), "{}", o.cause),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn reads_retry_on_503_then_give_up_with_the_provider_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503).set_body_string("busy")).mount(&server).await;
    let c = client(&server, TransportConfig::default());
    let e = c.execute(&HttpRequest::new(Method::Get, "/x", CallKind::Read), &auth()).await.unwrap_err();
    assert_eq!(e.provider_error().unwrap().status, 503);
    assert_eq!(server.received_requests().await.unwrap().len(), 3, "max_attempts");
}

#[tokio::test]
async fn a_connect_failure_says_nothing_was_sent() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let base = url::Url::parse(&format!("http://127.0.0.1:{port}/v2")).unwrap();
    let t = Arc::new(ReqwestTransport::new(&TransportConfig::default()).unwrap());
    let c = ApiClient::new("test", base, t, decoder).with_retry(RetryPolicy::none());
    let e = c.execute(&HttpRequest::new(Method::Post, "/order", CallKind::Spend), &auth()).await.unwrap_err();
    assert!(matches!(e, Error::Network { sent: false, .. }), "{e:?}");
    let source = std::error::Error::source(&e).expect("the transport error is kept as the source");
    assert!(
        matches!(source.downcast_ref::<ssl_core::TransportError>(), Some(ssl_core::TransportError::Connect(_))),
        "{source:?}"
    );
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(4096)))
        .mount(&server)
        .await;
    let cfg = TransportConfig::default().with_max_body_bytes(1024);
    let c = client(&server, cfg);
    let e = c.execute(&HttpRequest::new(Method::Get, "/big", CallKind::Read), &auth()).await.unwrap_err();
    assert!(matches!(e, Error::ResponseTooLarge { limit: 1024, .. }), "{e:?}");
}

#[tokio::test]
async fn the_credential_is_sent_in_its_header_and_never_printed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-key", "canary-secret-9f2"))
        .respond_with(ResponseTemplate::new(404).set_body_string("nope"))
        .mount(&server)
        .await;
    let c = client(&server, TransportConfig::default());
    let e = c.execute(&HttpRequest::new(Method::Get, "/x", CallKind::Read), &auth()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    for text in [format!("{e}"), format!("{e:?}"), format!("{c:?}"), format!("{:?}", auth())] {
        assert!(!text.contains("canary-secret-9f2"), "{text}");
    }
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        id: i64,
    }
    let e = ssl_core::client::decode_json::<T>("op", 200, br#"{"items":[{"id":1},{"id":"x"}]}"#).unwrap_err();
    match e {
        Error::Decode { path, .. } => assert_eq!(path, "items[1].id"),
        other => panic!("{other:?}"),
    }
}
