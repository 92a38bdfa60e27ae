//! Requests as values.
//!
//! Every endpoint of every provider crate is a pure function from typed input to an [`HttpRequest`]. The value
//! holds no credential: the client adds authentication at send time. Where a credential must travel in a body
//! (a login form), it is a [`SecretString`] that prints and serializes as `[redacted]`, so an `HttpRequest` can
//! be snapshot-tested with insta and printed by `--dry-run` safely.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// What `[redacted]` secrets print as.
pub const REDACTED: &str = "[redacted]";

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// What a call does to money and state; decides how failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallKind {
    /// Reads: retried with jittered backoff on 429, 502/503/504 and connection errors.
    Read,
    /// Changes state but spends nothing (change DCV, cancel, revoke): retried only when the provider refused it
    /// before doing anything (429) or the connection never opened.
    Write,
    /// Places, renews, reissues or duplicates an order: **never** resent. An ambiguous failure becomes
    /// [`crate::Error::OutcomeUnknown`].
    Spend,
}

/// A form field value; secrets print as `[redacted]`.
#[derive(Clone)]
#[non_exhaustive]
pub enum FormValue {
    /// A plain value.
    Plain(String),
    /// A credential (a login password).
    Secret(SecretString),
}

impl std::fmt::Debug for FormValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(s) => write!(f, "{s:?}"),
            Self::Secret(_) => f.write_str(REDACTED),
        }
    }
}

impl FormValue {
    fn shown(&self) -> &str {
        match self {
            Self::Plain(s) => s,
            Self::Secret(_) => REDACTED,
        }
    }
    fn exposed(&self) -> &str {
        match self {
            Self::Plain(s) => s,
            Self::Secret(s) => s.expose_secret(),
        }
    }
}

/// The media type of a JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[non_exhaustive]
pub enum MediaType {
    /// `application/json`.
    #[default]
    #[serde(rename = "application/json")]
    Json,
    /// `application/vnd.api+json` (JSON:API).
    #[serde(rename = "application/vnd.api+json")]
    JsonApi,
    /// `application/x-www-form-urlencoded`.
    #[serde(rename = "application/x-www-form-urlencoded")]
    Form,
}

impl MediaType {
    /// The `Content-Type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::JsonApi => "application/vnd.api+json",
            Self::Form => "application/x-www-form-urlencoded",
        }
    }
}

/// What the executor sends as `Accept`: JSON, and JSON:API answers too.
pub const ACCEPT: &str = "application/json, application/vnd.api+json";

/// A request body. It carries its media type ([`Body::media_type`]).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document (`application/json` unless `media_type` says otherwise). `secrets` are top-level keys
    /// whose values are filled in at send time.
    Json {
        /// The document, with every secret key absent.
        value: serde_json::Value,
        /// Top-level keys to insert at send time.
        secrets: Vec<(String, SecretString)>,
        /// The media type it is sent as ([`MediaType::Json`] or [`MediaType::JsonApi`]).
        media_type: MediaType,
    },
    /// A JSON document serialized once, compact, exactly as it is sent (what [`Body::json_of`] builds: no
    /// secrets, no `Value` in between). [`Body::json_value`] reads it back, [`Body::json_mut`] edits it.
    JsonText {
        /// The serialized document.
        text: String,
        /// The media type it is sent as ([`MediaType::Json`] or [`MediaType::JsonApi`]).
        media_type: MediaType,
    },
    /// `application/x-www-form-urlencoded`, in field order.
    Form(Vec<(String, FormValue)>),
    /// The request value could not be serialized (why): the executor refuses to send it
    /// ([`crate::Error::Invalid`], code `unserializable_body`) instead of sending an empty or `null` body.
    Unserializable(String),
}

impl Body {
    /// A JSON body without secrets.
    pub fn json(value: serde_json::Value) -> Self {
        Self::Json { value, secrets: Vec::new(), media_type: MediaType::Json }
    }

    /// A JSON body from any serializable value; a value that cannot be serialized (a map with non-string keys,
    /// a failing `Serialize` impl) gives [`Body::Unserializable`], never a `null` body.
    ///
    /// ```
    /// let b = ssl_core::Body::json_of(&serde_json::json!({"a": 1}));
    /// assert_eq!(b.redacted_text(), "{\n  \"a\": 1\n}");
    /// let bad = ssl_core::Body::json_of(&std::collections::HashMap::from([((1, 2), "x")]));
    /// assert!(matches!(bad, ssl_core::Body::Unserializable(_)));
    /// ```
    ///
    /// The value is serialized once, straight to the bytes sent ([`Body::JsonText`]); with serde_json's
    /// `preserve_order` these are the bytes its `Value` would print (same key order, same numbers).
    pub fn json_of<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        match serde_json::to_string(value) {
            Ok(text) => Self::JsonText { text, media_type: MediaType::Json },
            Err(e) => Self::Unserializable(format!("the JSON body could not be serialized: {e}")),
        }
    }

    /// The JSON document of a JSON body (secret keys absent); `None` for other bodies.
    pub fn json_value(&self) -> Option<serde_json::Value> {
        match self {
            Self::Json { value, .. } => Some(value.clone()),
            Self::JsonText { text, .. } => serde_json::from_str(text).ok(),
            _ => None,
        }
    }

    /// The JSON document of a JSON body, to edit in place (a [`Body::JsonText`] becomes a [`Body::Json`] of
    /// the same document and media type); `None` for other bodies.
    pub fn json_mut(&mut self) -> Option<&mut serde_json::Value> {
        if let Self::JsonText { text, media_type } = self {
            let value = serde_json::from_str(text).ok()?;
            *self = Self::Json { value, secrets: Vec::new(), media_type: *media_type };
        }
        match self {
            Self::Json { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The same body sent as another media type (a JSON:API document as `application/vnd.api+json`, say).
    /// Form and empty bodies keep theirs.
    #[must_use]
    pub fn with_media_type(mut self, media: MediaType) -> Self {
        if let Self::Json { media_type, .. } | Self::JsonText { media_type, .. } = &mut self {
            *media_type = media;
        }
        self
    }

    /// The media type this body is sent as; `None` for an empty body.
    pub fn media_type(&self) -> Option<MediaType> {
        match self {
            Self::Empty | Self::Unserializable(_) => None,
            Self::Json { media_type, .. } | Self::JsonText { media_type, .. } => Some(*media_type),
            Self::Form(_) => Some(MediaType::Form),
        }
    }

    /// A form body from any serializable value: top-level fields in order, `null`/absent fields left out,
    /// arrays comma-joined (GoGetSSL's `dns_names`, `approver_emails`), numbers and booleans as text. A value
    /// that does not serialize to an object gives [`Body::Unserializable`], never an empty form.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Order { product_id: i64, dns_names: Option<Vec<String>>, approver_email: Option<String> }
    /// let b = ssl_core::Body::form(&Order { product_id: 65, dns_names: Some(vec!["a.example".into(), "b.example".into()]), approver_email: None });
    /// assert_eq!(b.redacted_text(), "product_id=65&dns_names=a.example%2Cb.example");
    /// ```
    pub fn form<T: serde::Serialize>(value: &T) -> Self {
        match crate::form::fields(value) {
            Ok(fields) => Self::Form(fields.into_iter().map(|(k, v)| (k, FormValue::Plain(v))).collect()),
            Err(crate::form::Fallback) => Self::form_via_value(value),
        }
    }

    /// [`Self::form`] through a `serde_json::Value`: the general path, for the values the direct reader does not
    /// take (a nested object, a float, a non-string map key, a failing `Serialize` impl), and the reference the
    /// tests compare the direct reader with.
    #[doc(hidden)]
    pub fn form_via_value<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        fn text(v: &serde_json::Value) -> Option<String> {
            match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Array(items) => Some(items.iter().filter_map(text).collect::<Vec<_>>().join(",")),
                other => Some(other.to_string()),
            }
        }
        let map = match serde_json::to_value(value) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(other) => {
                let kind = match other {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Array(_) => "an array",
                    serde_json::Value::Object(_) => "an object",
                };
                return Self::Unserializable(format!("a form body needs an object with fields, not {kind}"));
            }
            Err(e) => return Self::Unserializable(format!("the form body could not be serialized: {e}")),
        };
        let mut fields = Vec::new();
        for (k, v) in &map {
            if let Some(t) = text(v) {
                fields.push((k.clone(), FormValue::Plain(t)));
            }
        }
        Self::Form(fields)
    }

    /// The `Content-Type` this body is sent with.
    pub fn content_type(&self) -> Option<&'static str> {
        self.media_type().map(MediaType::as_str)
    }

    /// The exact bytes sent, secrets included, or why the body cannot be sent. Only the executor calls this.
    pub(crate) fn to_wire_bytes(&self) -> Result<Vec<u8>, String> {
        match self {
            Self::Empty => Ok(Vec::new()),
            Self::JsonText { text, .. } => Ok(text.as_bytes().to_vec()),
            Self::Json { value, secrets, .. } if secrets.is_empty() => {
                serde_json::to_vec(value).map_err(|e| format!("the JSON body could not be serialized: {e}"))
            }
            Self::Json { value, secrets, .. } => {
                let mut value = value.clone();
                if let Some(obj) = value.as_object_mut() {
                    for (k, v) in secrets {
                        obj.insert(k.clone(), serde_json::Value::String(v.expose_secret().to_owned()));
                    }
                }
                serde_json::to_vec(&value).map_err(|e| format!("the JSON body could not be serialized: {e}"))
            }
            Self::Form(fields) => Ok(crate::form::encode(fields.iter().map(|(k, v)| (k.as_str(), v.exposed())))),
            Self::Unserializable(why) => Err(why.clone()),
        }
    }

    /// The body as printed by `--dry-run` (secrets redacted): JSON text or the form string.
    pub fn redacted_text(&self) -> String {
        match self {
            Self::Empty => String::new(),
            Self::Unserializable(why) => format!("(not sendable: {why})"),
            Self::Json { .. } | Self::JsonText { .. } => {
                serde_json::to_string_pretty(&self.redacted_json()).unwrap_or_default()
            }
            Self::Form(fields) => {
                let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let pairs: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| match v {
                        FormValue::Plain(p) => format!("{}={}", enc(k), enc(p)),
                        FormValue::Secret(_) => format!("{}={REDACTED}", enc(k)),
                    })
                    .collect();
                pairs.join("&")
            }
        }
    }

    fn redacted_json(&self) -> serde_json::Value {
        match self {
            Self::Json { value, secrets, .. } => {
                let mut value = value.clone();
                if let Some(obj) = value.as_object_mut() {
                    for (k, _) in secrets {
                        obj.insert(k.clone(), serde_json::Value::String(REDACTED.into()));
                    }
                }
                value
            }
            Self::JsonText { text, .. } => serde_json::from_str(text).unwrap_or_default(),
            _ => serde_json::Value::Null,
        }
    }
}

impl Serialize for Body {
    /// JSON bodies serialize as `{"json": …, "media_type": "application/json"}`; form bodies as
    /// `{"form": ["k=v", …], "media_type": "application/x-www-form-urlencoded"}` sorted by key, decoded, secrets
    /// `[redacted]`; an empty body as `null`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let media = self.content_type();
        match self {
            Self::Empty => s.serialize_none(),
            Self::Unserializable(why) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("unserializable", why)?;
                m.end()
            }
            Self::Json { .. } | Self::JsonText { .. } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("json", &self.redacted_json())?;
                m.serialize_entry("media_type", &media)?;
                m.end()
            }
            Self::Form(fields) => {
                let mut lines: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", v.shown())).collect();
                lines.sort();
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("form", &lines)?;
                m.serialize_entry("media_type", &media)?;
                m.end()
            }
        }
    }
}

/// One API call as a value: no host, no credentials.
///
/// ```
/// use ssl_core::request::{HttpRequest, Method, CallKind};
/// let req = HttpRequest::new(Method::Get, "/order/certificate/42", CallKind::Read).query("limit", "10");
/// assert_eq!(req.path, "/order/certificate/42");
/// assert_eq!(req.render_target(), "/order/certificate/42?limit=10");
/// ```
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct HttpRequest {
    /// HTTP method.
    pub method: Method,
    /// Path below the provider's base URL (which includes its version prefix), starting with `/`.
    pub path: String,
    /// Query parameters in order (never credentials).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// Extra headers (never credentials). `Content-Type` is derived from the body.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// How failures of this call may be retried.
    pub kind: CallKind,
    /// The operation's name, for errors and logs (`place_order`, `order_info`, ...).
    #[serde(skip)]
    pub operation: &'static str,
}

impl HttpRequest {
    /// A request without body.
    pub fn new(method: Method, path: impl Into<String>, kind: CallKind) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            kind,
            operation: "",
        }
    }

    /// Add a query parameter.
    #[must_use]
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Add a header.
    #[must_use]
    pub fn header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((key.into(), value.into()));
        self
    }

    /// Set a JSON body.
    #[must_use]
    pub fn json(mut self, value: serde_json::Value) -> Self {
        self.body = Body::json(value);
        self
    }

    /// Set a JSON body from any serializable value ([`Body::json_of`]: a serialization failure is kept and
    /// refused at send time, never sent as `null`).
    #[must_use]
    pub fn json_of<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = Body::json_of(value);
        self
    }

    /// Set any body.
    #[must_use]
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Name the operation.
    #[must_use]
    pub fn operation(mut self, name: &'static str) -> Self {
        self.operation = name;
        self
    }

    /// `path?query` with the query percent-encoded.
    pub fn render_target(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            let q = serde_urlencoded::to_string(&self.query).unwrap_or_default();
            format!("{}?{q}", self.path)
        }
    }

    /// The request as `--dry-run` prints it: method, full URL under `base`, headers and body, secrets redacted.
    pub fn render_redacted(&self, base: &url::Url, auth_headers: &[&str]) -> String {
        let mut out =
            format!("{} {}{}\n", self.method.as_str(), base.as_str().trim_end_matches('/'), self.render_target());
        if let Some(ct) = self.body.content_type() {
            out.push_str(&format!("Content-Type: {ct}\n"));
        }
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        for h in auth_headers {
            out.push_str(&format!("{h}: {REDACTED}\n"));
        }
        let body = self.body.redacted_text();
        if !body.is_empty() {
            out.push('\n');
            out.push_str(&body);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Order<'a> {
        name: &'a str,
        years: u8,
        price: f64,
        note: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        names: Vec<&'a str>,
        inner: Inner,
        extra: std::collections::BTreeMap<&'a str, i64>,
    }

    #[derive(Serialize)]
    struct Inner {
        z: i64,
        a: bool,
    }

    #[test]
    fn a_json_body_is_sent_as_its_value_would_print() {
        let order = Order {
            name: "é \"q\" \n\u{1}/",
            years: 2,
            price: 12.5,
            note: None,
            skipped: None,
            names: vec!["a.example", "b.example"],
            inner: Inner { z: -1, a: true },
            extra: [("k", 1), ("b", 2)].into_iter().collect(),
        };
        let body = Body::json_of(&order).with_media_type(MediaType::JsonApi);
        let via_value = serde_json::to_vec(&serde_json::to_value(&order).unwrap()).unwrap();
        assert_eq!(body.to_wire_bytes().unwrap(), via_value);
        assert_eq!(body.media_type(), Some(MediaType::JsonApi));
        let old = Body::json(serde_json::to_value(&order).unwrap()).with_media_type(MediaType::JsonApi);
        assert_eq!(body.redacted_text(), old.redacted_text());
        assert_eq!(serde_json::to_string(&body).unwrap(), serde_json::to_string(&old).unwrap());
        assert_eq!(body.json_value(), old.json_value());
        let mut edited = body.clone();
        edited.json_mut().unwrap()["years"] = 3.into();
        assert_eq!(edited.json_value().unwrap()["years"], 3);
        assert_eq!(edited.media_type(), Some(MediaType::JsonApi));
    }
}
