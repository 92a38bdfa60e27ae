//! Operations as typed values.
//!
//! `cargo xtask codegen` turns every operation of a provider's spec into a struct (in the crate's
//! `generated::ops`) that implements [`Operation`]: the request value with its path and query parameters and
//! body, its output type, its call kind, `validate()`, and for spends the id path in the answer and where to look
//! after an unknown outcome. One call, [`ApiClient::send`], validates, sends, classifies and decodes:
//!
//! ```no_run
//! # async fn run(api: ssl_core::ApiClient, op: impl ssl_core::operation::Operation) -> ssl_core::Result<()> {
//! let output = api.send(&op, &ssl_core::NoAuth).await?;
//! # Ok(()) }
//! ```
//!
//! The helpers below ([`json`], [`field`], [`csr_sha256`], ...) are what the generated code calls.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::{ApiClient, Response, with_lookup};
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::request::{CallKind, HttpRequest};
use crate::session::Authenticator;

/// Where to look for an order whose placement outcome is unknown, and what identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Lookup {
    /// The listing to check: `GET /path?query` (the client's base URL is put in front), or free text.
    pub place: String,
    /// `name=value` pairs that identify the order in that listing.
    pub match_on: Vec<String>,
}

impl Lookup {
    /// Look in `place` for the order with these `name=value` pairs.
    pub fn new(place: impl Into<String>, match_on: Vec<String>) -> Self {
        Self { place: place.into(), match_on }
    }

    /// [`Self::place`] with the base URL inserted when it is a `METHOD /path` request.
    pub fn place_under(&self, base: &url::Url) -> String {
        match self.place.split_once(' ') {
            Some((method, path))
                if path.starts_with('/') && method.chars().all(|c| c.is_ascii_uppercase()) && !method.is_empty() =>
            {
                format!("{method} {}{path}", base.as_str().trim_end_matches('/'))
            }
            _ => self.place.clone(),
        }
    }
}

/// One API operation as a value. Implemented by the generated `ops::*` types; hand-written for odd endpoints.
pub trait Operation: Send + Sync {
    /// What a 2xx answer decodes to (`()` for no body, `Vec<u8>` for a non-JSON body).
    type Output;
    /// The spec's `operationId`.
    const NAME: &'static str;
    /// The spec's `x-call-kind`.
    const KIND: CallKind;
    /// Where a spend's answer carries the new order's id (the spec's `x-order-id`): a dotted path in the body
    /// (`id`, `order_id`, `data.id`) or `header:<name>` (RTR's `header:x-process-id`).
    const ORDER_ID: Option<&'static str> = None;

    /// The request, without host or credentials (pure: snapshot it).
    fn request(&self) -> HttpRequest;

    /// Every broken constraint of the request value; nothing is sent when one is an error.
    fn validate(&self) -> Vec<Problem>;

    /// Decode a 2xx answer.
    fn decode(&self, response: &Response) -> Result<Self::Output>;

    /// How this value is sent: [`Self::KIND`] unless overridden. A quote that shares an order operation stays a
    /// spend (sent exactly once).
    fn kind(&self) -> CallKind {
        Self::KIND
    }

    /// Whether this value asks only for a quote (the spec's `x-quote` parameter is set): the answer must not carry
    /// an order id, or the order was placed after all.
    fn is_quote(&self) -> bool {
        false
    }

    /// Where to look after an unknown outcome (the spec's `x-lookup`; spends only).
    fn lookup(&self) -> Option<Lookup> {
        None
    }
}

/// An operation value checked already (by its `validate()` and more): sent without validating it again.
#[derive(Debug)]
#[non_exhaustive]
pub struct Checked<'a, O>(pub &'a O);

impl<'a, O> Checked<'a, O> {
    /// `op`, checked already.
    pub const fn new(op: &'a O) -> Self {
        Self(op)
    }
}

impl<O: Operation> Operation for Checked<'_, O> {
    type Output = O::Output;
    const NAME: &'static str = O::NAME;
    const KIND: CallKind = O::KIND;
    const ORDER_ID: Option<&'static str> = O::ORDER_ID;

    fn request(&self) -> HttpRequest {
        self.0.request()
    }

    fn validate(&self) -> Vec<Problem> {
        Vec::new()
    }

    fn decode(&self, response: &Response) -> Result<Self::Output> {
        self.0.decode(response)
    }

    fn kind(&self) -> CallKind {
        self.0.kind()
    }

    fn is_quote(&self) -> bool {
        self.0.is_quote()
    }

    fn lookup(&self) -> Option<Lookup> {
        self.0.lookup()
    }
}

impl ApiClient {
    /// Validate `op`, send it with `auth` (a fixed [`crate::Auth`] or a login session), classify the answer,
    /// and decode it. See [`Self::send_via`].
    pub async fn send<O: Operation>(&self, op: &O, auth: &dyn Authenticator) -> Result<O::Output> {
        self.send_via(op, |req| async move { auth.send(self, &req).await }).await
    }

    /// [`Self::send`] with any way of sending the request (a login session): `exec` gets the request value and
    /// returns the classified answer ([`Self::execute`] does).
    ///
    /// - Nothing is sent when `validate()` reports an error ([`Error::Invalid`] lists every problem).
    /// - After an unknown outcome of a spend, the [`Error::OutcomeUnknown`] names where to look ([`Operation::lookup`]).
    /// - After a spend got a 2xx, the order exists: an answer without the order id, or one that does not decode,
    ///   is [`Error::PlacedUnreadable`] with the id (or the raw answer). A quote whose answer carries an order id
    ///   is one too: the order was placed.
    pub async fn send_via<O, F, Fut>(&self, op: &O, exec: F) -> Result<O::Output>
    where
        O: Operation,
        F: FnOnce(HttpRequest) -> Fut,
        Fut: Future<Output = Result<Response>>,
    {
        let problems = op.validate();
        if crate::problem::has_errors(&problems) {
            return Err(Error::Invalid(problems));
        }
        let mut req = op.request();
        req.kind = op.kind();
        let response = match exec(req).await {
            Ok(r) => r,
            Err(e) => {
                return Err(match op.lookup() {
                    Some(l) => with_lookup(e, l.place_under(self.base()), l.match_on),
                    None => e,
                });
            }
        };
        self.finish(op, &response)
    }

    /// Decode a 2xx answer to `op`, keeping a placed order's id whatever fails (the last step of
    /// [`Self::send_via`], for clients that send by hand).
    pub fn finish<O: Operation>(&self, op: &O, response: &Response) -> Result<O::Output> {
        let spend = op.kind() == CallKind::Spend;
        let id = O::ORDER_ID.filter(|_| spend).and_then(|path| placed_id(response, path));
        let placed = |e: Error, id: Option<String>| {
            let raw = id.is_none().then(|| crate::error::redact_raw(&response.body, &[]));
            let lookup = op.lookup().map(|l| l.place_under(self.base())).unwrap_or_default();
            match e.placed_unreadable(self.provider(), O::NAME, id, raw) {
                Error::PlacedUnreadable(mut p) => {
                    if p.lookup.is_empty() {
                        p.lookup = lookup;
                    }
                    Error::PlacedUnreadable(p)
                }
                other => other,
            }
        };
        if op.is_quote() {
            if let Some(id) = id {
                let e = Error::decode(
                    O::NAME,
                    response.status,
                    "a quote was asked for, but the answer carries an order id: the order was placed",
                );
                return Err(placed(e, Some(id)));
            }
            return op.decode(response);
        }
        match op.decode(response) {
            Ok(_) if spend && O::ORDER_ID.is_some() && id.is_none() => Err(placed(
                Error::decode(O::NAME, response.status, "the answer of a placed order has no order id"),
                None,
            )),
            Ok(out) => Ok(out),
            Err(e) if spend => Err(placed(e, id)),
            Err(e) => Err(e),
        }
    }
}

/// Decode a JSON body into `T`; a failure names the JSON path and the expected type, never the value.
pub fn json<T: DeserializeOwned>(operation: &'static str, response: &Response) -> Result<T> {
    decode_body(operation, response.status, &response.body)
}

/// [`json`] on raw bytes.
pub fn decode_body<T: DeserializeOwned>(operation: &'static str, status: u16, body: &[u8]) -> Result<T> {
    // The fast path; only a failure is decoded again to find its path.
    if let Ok(v) = serde_json::from_slice(body) {
        return Ok(v);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut path = e.path().to_string();
        let message = crate::lenient::scrub(&e.into_inner().to_string());
        // `missing field `id`` at `data` is reported at `data.id`.
        if let Some(name) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
            path = if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        }
        Error::Decode { operation, status, path, message }
    })
}

/// The value at a dotted path (`certificate.common_name`, `data.attributes.csr`, `dns_names.0`) of a value
/// serialized as JSON, as text: strings as they are, numbers and booleans as JSON, anything absent as `""`.
pub fn field<T: Serialize + ?Sized>(value: &T, path: &str) -> String {
    let Ok(v) = serde_json::to_value(value) else { return String::new() };
    text_at(&v, path).unwrap_or_default()
}

/// The text at a dotted path of a JSON value; `None` when absent, null, empty, or not a scalar.
pub fn text_at(v: &serde_json::Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        cur = match cur {
            serde_json::Value::Object(m) => m.get(part)?,
            serde_json::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match cur {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The order id an answer carries at `path` (`header:<name>` or a dotted body path).
pub fn placed_id(response: &Response, path: &str) -> Option<String> {
    match path.strip_prefix("header:") {
        Some(name) => response.header(name).map(str::trim).filter(|v| !v.is_empty() && *v != "0").map(str::to_owned),
        None => id_at(&response.body, path),
    }
}

/// The text at a dotted path of a JSON body (an order id in a spend's answer); `None` when absent or when the
/// body is not JSON. `0` and `""` are not ids.
///
/// The body is walked once along the path, without building it: every other member is skipped, a duplicate key
/// counts as its last occurrence (as a `serde_json::Value` reads it), and the text is what [`text_at`] gives. A
/// member off the path that a `Value` could not hold (a number out of range, a string that is not UTF-8) is skipped,
/// so the id stays readable.
pub fn id_at(body: &[u8], path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut de = serde_json::Deserializer::from_slice(body);
    let found = serde::de::DeserializeSeed::deserialize(PathSeed(&parts), &mut de).ok()?;
    de.end().ok()?;
    found.filter(|id| id != "0")
}

/// Reads the text at a path of a JSON document (as [`text_at`] does on a `Value`) while skipping the rest.
struct PathSeed<'p>(&'p [&'p str]);

impl<'de> serde::de::DeserializeSeed<'de> for PathSeed<'_> {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Whether a key is the path's next part (no allocation for the key).
struct KeyIs<'p>(&'p str);

impl<'de> serde::de::DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<bool, E> {
        Ok(v == self.0)
    }
}

impl<'de> serde::de::Visitor<'de> for PathSeed<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| v.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
        Ok(self.0.is_empty().then(|| serde_json::Number::from_f64(v).map(|n| n.to_string())).flatten())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok((self.0.is_empty() && !v.trim().is_empty()).then(|| v.trim().to_owned()))
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        use serde::de::IgnoredAny;
        let mut found = None;
        match self.0.split_first() {
            Some((part, rest)) => {
                while let Some(hit) = map.next_key_seed(KeyIs(part))? {
                    if hit {
                        found = map.next_value_seed(PathSeed(rest))?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            None => while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {},
        }
        Ok(found)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        use serde::de::IgnoredAny;
        let target = self.0.split_first().and_then(|(part, rest)| Some((part.parse::<usize>().ok()?, rest)));
        let mut found = None;
        let mut i = 0usize;
        loop {
            match target {
                Some((at, rest)) if at == i => match seq.next_element_seed(PathSeed(rest))? {
                    Some(v) => found = v,
                    None => break,
                },
                _ => {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                }
            }
            i += 1;
        }
        Ok(found)
    }
}

/// SHA-256 (hex) of a CSR with all whitespace removed: providers echo the CSR, so this finds the order.
pub fn csr_sha256(csr: &str) -> String {
    use sha2::Digest;
    let compact: String = csr.split_whitespace().collect();
    hex::encode(sha2::Sha256::digest(compact.as_bytes()))
}

/// The common name of a PEM CSR, or `""` when it cannot be read.
pub fn csr_common_name(csr: &str) -> String {
    use x509_parser::certification_request::X509CertificationRequest;
    use x509_parser::prelude::FromDer;
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(csr.trim().as_bytes()) else { return String::new() };
    let Ok((_, req)) = X509CertificationRequest::from_der(&pem.contents) else { return String::new() };
    let subject = &req.certification_request_info.subject;
    subject.iter_common_name().next().and_then(|cn| cn.as_str().ok()).unwrap_or_default().to_owned()
}

/// Decode a 2xx answer without a body (`()`).
pub fn no_content(_response: &Response) -> Result<()> {
    Ok(())
}

/// A non-JSON 2xx answer (a certificate download) as bytes.
pub fn raw(response: &Response) -> Result<Vec<u8>> {
    Ok(response.body.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_put_the_base_in_front_of_requests_only() {
        let base = url::Url::parse("https://api.example/v2/").unwrap();
        let l = Lookup::new("GET /orders?cn=a", vec![]);
        assert_eq!(l.place_under(&base), "GET https://api.example/v2/orders?cn=a");
        let l = Lookup::new("your orders in the client area", vec![]);
        assert_eq!(l.place_under(&base), "your orders in the client area");
    }

    #[test]
    fn fields_and_ids_by_path() {
        let v = serde_json::json!({"certificate": {"common_name": "a.example", "dns": ["x", "y"]}, "n": 4});
        assert_eq!(field(&v, "certificate.common_name"), "a.example");
        assert_eq!(field(&v, "certificate.dns.1"), "y");
        assert_eq!(field(&v, "n"), "4");
        assert_eq!(field(&v, "nope.deeper"), "");
        assert_eq!(id_at(br#"{"data":{"id":"AB12"}}"#, "data.id").as_deref(), Some("AB12"));
        assert_eq!(id_at(br#"{"order_id":"77"}"#, "order_id").as_deref(), Some("77"));
        assert_eq!(id_at(br#"{"order_id":77}"#, "order_id").as_deref(), Some("77"));
        assert_eq!(id_at(br#"{"order_id":0}"#, "order_id"), None, "0 is no id");
        assert_eq!(id_at(br#"{"order_id":""}"#, "order_id"), None);
        assert_eq!(id_at(b"<html>", "order_id"), None);
        assert_eq!(id_at(br#"{"order_id":77} x"#, "order_id"), None, "not one JSON document");
        assert_eq!(id_at(br#"{"order_id":1.5}"#, "order_id").as_deref(), Some("1.5"));
        assert_eq!(id_at(br#"{"id":" 9 "}"#, "id").as_deref(), Some("9"));
        assert_eq!(id_at(br#"{"id":true}"#, "id").as_deref(), Some("true"));
        assert_eq!(id_at(br#"{"id":{"x":1}}"#, "id"), None, "not a scalar");
        assert_eq!(id_at(br#"{"data":[{"id":"a"},{"id":"b"}]}"#, "data.1.id").as_deref(), Some("b"));
        assert_eq!(id_at(br#"{"id":"1","id":"2"}"#, "id").as_deref(), Some("2"), "the last duplicate");
        assert_eq!(id_at(br#"{"a\u0062":"7"}"#, "ab").as_deref(), Some("7"), "escaped keys");
    }

    #[test]
    fn the_id_walk_agrees_with_a_value() {
        let bodies: [&[u8]; 9] = [
            br#"{"data":{"type":"orders","id":"AB12","attributes":{"id":"no"},"links":{"self":"x"}}}"#,
            br#"{"id":4812345,"requests":[{"id":9912345,"status":"pending"}]}"#,
            br#"{"code":0,"data":{"id":31027,"status":"REQ"},"desc":""}"#,
            br#"{"data":null}"#,
            br#"{"data":{"id":null}}"#,
            br#"[{"id":"x"}]"#,
            br#"{"data":{"id":"1"},"data":{"id":"2"}}"#,
            br#"{"data":{"id":"1"},"data":"flat"}"#,
            br#"{"id":-3,"n":2.5e3}"#,
        ];
        for body in bodies {
            for path in ["id", "data.id", "requests.0.id", "0.id", "data", "requests.9.id", "n"] {
                let via_value = serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|v| text_at(&v, path))
                    .filter(|id| id != "0");
                assert_eq!(id_at(body, path), via_value, "{path} in {}", String::from_utf8_lossy(body));
            }
        }
        // Where a `Value` gives up on a member it does not need (a number out of range, bytes that are not
        // UTF-8), the walk skips it: the placed order's id stays readable.
        assert_eq!(id_at(br#"{"id":7,"n":1e400}"#, "id").as_deref(), Some("7"));
        assert_eq!(id_at(b"{\"id\":7,\"n\":\"\xff\"}", "id").as_deref(), Some("7"));
    }

    #[test]
    fn decode_errors_name_the_path_never_the_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Created {
            id: i64,
            inner: Inner,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            code: String,
        }
        let e = decode_body::<Created>("place", 201, br#"{"inner":{"code":"x"}}"#).unwrap_err();
        match e {
            Error::Decode { path, message, .. } => {
                assert_eq!(path, "id");
                assert!(message.contains("missing field"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let e = decode_body::<Created>("place", 201, br#"{"id":1,"inner":{}}"#).unwrap_err();
        assert!(matches!(&e, Error::Decode { path, .. } if path == "inner.code"), "{e:?}");
        let e = decode_body::<Created>("place", 201, br#"{"id":"s3cr3t","inner":{"code":"x"}}"#).unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(e.to_string().contains("`id`"), "{e}");
    }

    #[test]
    fn csr_helpers() {
        assert_eq!(csr_sha256("ab\n cd"), csr_sha256("abcd"));
        assert_eq!(csr_common_name("not a csr"), "");
    }
}
