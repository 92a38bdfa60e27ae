//! Session auth: exact refusal rule, one re-login for reads and writes, spends never re-sent and preceded by a
//! new login when the session is old or was just refused; the executor's media types, User-Agent, Retry-After
//! policy and definite 5xx refusals.

use std::sync::Arc;
use std::time::Duration;

use ssl_core::retry::RetryPolicy;
use ssl_core::testing::MockTransport;
use ssl_core::{
    ApiClient, CallKind, CredentialKey, Error, ErrorKind, HttpRequest, Login, Method, NoAuth, ProviderError,
    ProviderErrorEntry, RefusalRule, Result, SecretString, SessionAuth, SessionConfig, TokenPlacement,
};

fn decoder(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let message = v.get("error")?.as_str()?.to_owned();
    let mut e = ProviderError::new(provider, status, vec![ProviderErrorEntry::new(None, message, None)]);
    e.definite = v.get("envelope").is_some();
    Some(e)
}

const REFUSAL: RefusalRule = RefusalRule::new(&[401], &[], &["Session expired"]);
const CONFIG: SessionConfig = SessionConfig::new(TokenPlacement::Query("token"), REFUSAL);

struct TestLogin;

#[async_trait::async_trait]
impl Login for TestLogin {
    async fn login(&self, api: &ApiClient) -> Result<SecretString> {
        let resp = api.execute(&HttpRequest::new(Method::Post, "/login", CallKind::Read), &NoAuth).await?;
        let v: serde_json::Value = resp.json()?;
        Ok(SecretString::from(v["token"].as_str().unwrap_or_default().to_owned()))
    }
}

fn api(mock: &MockTransport) -> ApiClient {
    let base = url::Url::parse("https://api.example.test/v1").unwrap();
    ApiClient::new("test", base, Arc::new(mock.clone()), decoder).with_retry(RetryPolicy::none())
}

fn login(mock: &MockTransport, token: &str) {
    mock.reply_json(200, serde_json::json!({"token": token}));
}

fn read() -> HttpRequest {
    HttpRequest::new(Method::Get, "/orders/1", CallKind::Read).operation("read")
}

fn spend() -> HttpRequest {
    HttpRequest::new(Method::Post, "/orders", CallKind::Spend).operation("order")
}

fn count(mock: &MockTransport, path: &str) -> usize {
    mock.requests().iter().filter(|r| r.url.contains(path)).count()
}

#[tokio::test]
async fn a_refused_read_logs_in_again_once_and_is_sent_once_more() {
    let mock = MockTransport::new();
    let api = api(&mock);
    let s = SessionAuth::private(TestLogin, CONFIG);
    login(&mock, "t1");
    mock.reply_json(200, serde_json::json!({"error": "Session expired"}));
    login(&mock, "t2");
    mock.reply_json(200, serde_json::json!({"id": 1}));
    api.call(&read(), &s).await.unwrap();
    assert_eq!(s.logins().await, 2);
    assert_eq!(count(&mock, "/orders/1"), 2);
    assert!(mock.requests()[3].url.contains("token=[redacted]"), "{}", mock.requests()[3].url);
}

#[tokio::test]
async fn text_that_only_contains_the_refusal_is_not_a_refusal() {
    let mock = MockTransport::new();
    let api = api(&mock);
    let s = SessionAuth::private(TestLogin, CONFIG);
    login(&mock, "t1");
    mock.reply_json(200, serde_json::json!({"error": "Invalid key: Session expired? no, RSA 1024"}));
    let e = api.call(&read(), &s).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Provider);
    assert_eq!(s.logins().await, 1, "no new login");
    assert_eq!(count(&mock, "/orders/1"), 1);
}

#[tokio::test]
async fn a_refused_spend_is_never_resent_and_the_next_spend_logs_in_first() {
    let mock = MockTransport::new();
    let api = api(&mock);
    let s = SessionAuth::private(TestLogin, CONFIG);
    login(&mock, "t1");
    mock.reply_json(200, serde_json::json!({"error": "Session expired"}));
    let e = api.call(&spend(), &s).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(count(&mock, "/orders"), 1, "a spend is sent once");
    login(&mock, "t2");
    mock.reply_json(200, serde_json::json!({"id": 7}));
    api.call(&spend(), &s).await.unwrap();
    assert_eq!(s.logins().await, 2, "the refused session was renewed before the spend");
}

#[tokio::test(start_paused = true)]
async fn a_spend_on_a_session_older_than_the_limit_logs_in_first() {
    let mock = MockTransport::new();
    let api = api(&mock);
    let s = SessionAuth::private(TestLogin, CONFIG);
    login(&mock, "t1");
    mock.reply_json(200, serde_json::json!({"id": 1}));
    api.call(&read(), &s).await.unwrap();
    tokio::time::advance(Duration::from_secs(14 * 60)).await;
    mock.reply_json(200, serde_json::json!({"id": 2}));
    api.call(&spend(), &s).await.unwrap();
    assert_eq!(s.logins().await, 1, "14 minutes: the session is still fresh");
    tokio::time::advance(Duration::from_secs(60)).await;
    mock.reply_json(200, serde_json::json!({"id": 3}));
    api.call(&read(), &s).await.unwrap();
    assert_eq!(s.logins().await, 1, "reads keep an old session");
    login(&mock, "t2");
    mock.reply_json(200, serde_json::json!({"id": 4}));
    api.call(&spend(), &s).await.unwrap();
    assert_eq!(s.logins().await, 2, "15 minutes: a new login before the spend");
}

#[tokio::test]
async fn sessions_are_shared_per_provider_base_credential_and_transport() {
    let mock = MockTransport::new();
    let transport: Arc<dyn ssl_core::Transport> = Arc::new(mock.clone());
    let base = url::Url::parse("https://api.example.test/v1").unwrap();
    let (a, b) = (
        ApiClient::new("test", base.clone(), transport.clone(), decoder),
        ApiClient::new("test", base, transport, decoder),
    );
    let key = |api: &ApiClient, c: &str| CredentialKey::for_client(api, &SecretString::from(c.to_owned()));
    let s1 = SessionAuth::shared(key(&a, "user\npw"), TestLogin, CONFIG);
    let s2 = SessionAuth::shared(key(&b, "user\npw"), TestLogin, CONFIG);
    let other = SessionAuth::shared(key(&b, "user\nother"), TestLogin, CONFIG);
    login(&mock, "t1");
    mock.reply_json(200, serde_json::json!({"id": 1}));
    mock.reply_json(200, serde_json::json!({"id": 1}));
    a.call(&read(), &s1).await.unwrap();
    b.call(&read(), &s2).await.unwrap();
    assert_eq!(s2.logins().await, 1, "one login for both clients");
    assert_eq!(other.logins().await, 0, "another credential has its own session");
}

#[tokio::test]
async fn writes_may_be_kept_to_one_attempt() {
    let mock = MockTransport::new();
    let api = api(&mock);
    let s = SessionAuth::private(TestLogin, CONFIG.reads_only());
    login(&mock, "t1");
    mock.reply_json(401, serde_json::json!({"error": "Session expired"}));
    let write = HttpRequest::new(Method::Put, "/orders/1/dcv", CallKind::Write);
    assert_eq!(api.call(&write, &s).await.unwrap_err().kind(), ErrorKind::Auth);
    assert_eq!(count(&mock, "/dcv"), 1);
}

#[tokio::test]
async fn a_5xx_envelope_is_a_definite_refusal_of_a_spend() {
    let mock = MockTransport::new();
    let api = api(&mock);
    mock.reply_json(500, serde_json::json!({"error": "Domain is blacklisted", "envelope": true}));
    let e = api.execute(&spend(), &NoAuth).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Provider, "{e}");
    mock.reply_json(500, serde_json::json!({"unexpected": "shape"}));
    let e = api.execute(&spend(), &NoAuth).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutcomeUnknown, "an undecodable 5xx stays ambiguous: {e}");
}

#[tokio::test]
async fn user_agent_and_accept_are_sent() {
    let mock = MockTransport::new();
    let api = api(&mock).with_user_agent("partner-module/1.0");
    mock.reply_json(200, serde_json::json!({}));
    api.execute(&read(), &NoAuth).await.unwrap();
    let h = &mock.requests()[0].headers;
    let get = |k: &str| h.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("user-agent"), Some("partner-module/1.0"));
    assert_eq!(get("accept"), Some("application/json, application/vnd.api+json"));
}

#[tokio::test]
async fn a_retry_after_longer_than_the_policy_fails_at_once_showing_it() {
    let mock = MockTransport::new();
    let base = url::Url::parse("https://api.example.test/v1").unwrap();
    let api = ApiClient::new("test", base, Arc::new(mock.clone()), decoder);
    mock.reply(Ok(ssl_core::WireResponse::new(
        429,
        vec![("retry-after".into(), "3600".into())],
        br#"{"error":"slow down"}"#.to_vec(),
    )));
    let started = std::time::Instant::now();
    let e = api.execute(&read(), &NoAuth).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert!(e.to_string().contains("Retry-After: 3600s"), "{e}");
    assert_eq!(mock.requests().len(), 1);
    let _ = Error::Config(String::new());
}
