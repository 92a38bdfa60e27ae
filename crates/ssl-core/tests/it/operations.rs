//! `ApiClient::send`: validate → send → classify → decode, with a hand-written `Operation` (the generated ones
//! implement the same trait).

use std::sync::Arc;

use ssl_core::operation::{Lookup, Operation, json};
use ssl_core::retry::RetryPolicy;
use ssl_core::testing::MockTransport;
use ssl_core::{
    ApiClient, CallKind, Error, HttpRequest, Method, NoAuth, Problem, ProviderError, Response, Result, TransportError,
};

#[derive(Debug, serde::Deserialize)]
struct Created {
    #[serde(deserialize_with = "ssl_core::lenient::i64")]
    id: i64,
}

#[derive(Clone)]
struct Place {
    name: String,
    quote: bool,
}

impl Operation for Place {
    type Output = Created;
    const NAME: &'static str = "place";
    const KIND: CallKind = CallKind::Spend;
    const ORDER_ID: Option<&'static str> = Some("id");

    fn request(&self) -> HttpRequest {
        let req = HttpRequest::new(Method::Post, "/orders", Self::KIND)
            .operation(Self::NAME)
            .json_of(&serde_json::json!({"name": self.name}));
        if self.quote { req.query("quote", "true") } else { req }
    }
    fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        ssl_core::validate::required_str("", "name", &self.name, &mut out);
        out
    }
    fn decode(&self, response: &Response) -> Result<Created> {
        json(Self::NAME, response)
    }
    fn is_quote(&self) -> bool {
        self.quote
    }
    fn lookup(&self) -> Option<Lookup> {
        Some(Lookup::new(format!("GET /orders?name={}", self.name), vec![format!("name={}", self.name)]))
    }
}

fn decoder(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    (status >= 400).then(|| ProviderError::from_body(provider, status, body))
}

fn client() -> (ApiClient, MockTransport) {
    let mock = MockTransport::new();
    let api =
        ApiClient::new("test", url::Url::parse("https://api.example/v1").unwrap(), Arc::new(mock.clone()), decoder)
            .with_retry(RetryPolicy::none());
    (api, mock)
}

fn place(name: &str) -> Place {
    Place { name: name.into(), quote: false }
}

#[tokio::test]
async fn a_valid_spend_is_sent_once_and_decoded() {
    let (api, mock) = client();
    mock.reply_json(201, serde_json::json!({"id": "42"}));
    let created = api.send(&place("a"), &NoAuth).await.unwrap();
    assert_eq!(created.id, 42);
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn an_invalid_value_sends_nothing() {
    let (api, mock) = client();
    let err = api.send(&place(" "), &NoAuth).await.unwrap_err();
    assert_eq!(err.problems()[0].field.as_deref(), Some("name"));
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_2xx_without_the_order_id_is_placed_unreadable_with_the_raw_answer() {
    let (api, mock) = client();
    mock.reply_json(201, serde_json::json!({"status": "pending"}));
    let err = api.send(&place("a"), &NoAuth).await.unwrap_err();
    let p = err.placed().expect("placed_unreadable");
    assert_eq!(p.order_id, None);
    assert!(p.raw.as_deref().is_some_and(|r| r.contains("pending")), "{p:?}");
    assert_eq!(p.lookup, "GET https://api.example/v1/orders?name=a");
    assert_eq!(mock.requests().len(), 1, "never sent again");
}

#[tokio::test]
async fn an_undecodable_2xx_keeps_the_order_id() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        id: i64,
        price: f64,
    }
    struct Typed(Place);
    impl Operation for Typed {
        type Output = Strict;
        const NAME: &'static str = "place";
        const KIND: CallKind = CallKind::Spend;
        const ORDER_ID: Option<&'static str> = Some("id");
        fn request(&self) -> HttpRequest {
            self.0.request()
        }
        fn validate(&self) -> Vec<Problem> {
            Vec::new()
        }
        fn decode(&self, response: &Response) -> Result<Strict> {
            json(Self::NAME, response)
        }
    }
    let (api, mock) = client();
    mock.reply_json(201, serde_json::json!({"id": 77, "price": "not a number"}));
    let err = api.send(&Typed(place("a")), &NoAuth).await.unwrap_err();
    assert_eq!(err.placed().and_then(|p| p.order_id.as_deref()), Some("77"));
    assert_eq!(err.kind(), ssl_core::ErrorKind::PlacedUnreadable);
}

#[tokio::test]
async fn a_quote_answered_with_an_order_id_is_a_placed_order() {
    let (api, mock) = client();
    mock.reply_json(200, serde_json::json!({"id": 9}));
    let quote = Place { name: "a".into(), quote: true };
    let err = api.send(&quote, &NoAuth).await.unwrap_err();
    assert_eq!(err.placed().and_then(|p| p.order_id.as_deref()), Some("9"));
    assert_eq!(mock.requests()[0].url, "https://api.example/v1/orders?quote=true");
}

#[tokio::test]
async fn an_unknown_outcome_names_where_to_look() {
    let (api, mock) = client();
    mock.reply(Err(TransportError::Timeout));
    let err = api.send(&place("shop"), &NoAuth).await.unwrap_err();
    let Error::OutcomeUnknown(o) = err else { panic!("{err:?}") };
    assert_eq!(o.lookup, "GET https://api.example/v1/orders?name=shop");
    assert_eq!(o.match_on, ["name=shop"]);
    assert_eq!(mock.requests().len(), 1);
}
