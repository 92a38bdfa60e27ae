//! The JSON:API envelope (<https://jsonapi.org/format/>), written once for every provider that speaks it.
//!
//! A spec declares a resource once, with `x-jsonapi` on its attributes schema (`xtask/SPEC_FORMAT.md`); the
//! generator then emits the attributes struct, a relationships struct of [`ToOne`] / [`ToMany`] fields, and
//! aliases of the generic types here: `XResource = Resource<X, XRelationships>` (an answer: `id` required),
//! `NewX = NewResource<X, XRelationships>` (a request: `id` optional), `XDocument = Document<XResource>`,
//! `NewXDocument = Document<NewX>` and `XListDocument = ListDocument<XResource>`.
//!
//! Reading is tolerant ([`crate::lenient`]): ids may be numbers, `data` of a list may be `{}` or `null`,
//! `relationships`/`links`/`meta` may be missing or `null`. Writing is strict: ids are JSON strings, `type` is the
//! declared resource type. [`decode_errors`] reads the error documents of JSON:API providers.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ProviderError, ProviderErrorEntry};
use crate::lenient;
use crate::problem::Problem;
use crate::validate::{Validate, join, required_str};

/// A resource's attributes type and its JSON:API `type` (generated from `x-jsonapi.type`).
pub trait ResourceType {
    /// The resource type (`order`, `certificate`, ...).
    const TYPE: &'static str;
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn or_default<'de, D: serde::Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(lenient::opt(d)?.unwrap_or_default())
}

/// A resource identifier: `{"type": "product", "id": "11", "meta"?: …}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Identifier<M = serde_json::Value> {
    /// The resource type.
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    pub r#type: String,
    /// The id, written as a JSON string (a number reads as its text). Required.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Per-link data (`{"contact_type": "admin"}`).
    #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
    pub meta: Option<M>,
}

impl<M> Identifier<M> {
    /// An identifier of `id` in the resource type `r#type`.
    pub fn new(r#type: impl Into<String>, id: impl Into<String>) -> Self {
        Self { r#type: r#type.into(), id: id.into(), meta: None }
    }

    /// With per-link data.
    #[must_use]
    pub fn meta(mut self, meta: M) -> Self {
        self.meta = Some(meta);
        self
    }
}

impl<M> Validate for Identifier<M> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        required_str(prefix, "type", &self.r#type, out);
        required_str(prefix, "id", &self.id, out);
    }
}

/// A to-one relationship: `{"data": {"type", "id"}}`, or `{"data": null}` for an empty one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
#[non_exhaustive]
pub struct ToOne<M = serde_json::Value> {
    /// The linked resource; `None` is written as `null`.
    #[serde(default, deserialize_with = "lenient::opt")]
    pub data: Option<Identifier<M>>,
    /// Relationship links (`related`), as received.
    #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

impl<M> ToOne<M> {
    /// A link to `id` of type `r#type`.
    pub fn to(r#type: impl Into<String>, id: impl Into<String>) -> Self {
        Self { data: Some(Identifier::new(r#type, id)), links: None }
    }

    /// An empty relationship (`{"data": null}`).
    pub fn empty() -> Self {
        Self { data: None, links: None }
    }

    /// The linked id.
    pub fn id(&self) -> Option<&str> {
        self.data.as_ref().map(|d| d.id.as_str())
    }
}

impl<M> Validate for ToOne<M> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        if let Some(d) = &self.data {
            d.validate_at(&join(prefix, "data"), out);
        }
    }
}

/// A to-many relationship: `{"data": [{"type", "id", "meta"?}, …]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
#[non_exhaustive]
pub struct ToMany<M = serde_json::Value> {
    /// The linked resources (`{}` or `null` read as none).
    #[serde(default, deserialize_with = "lenient::list")]
    pub data: Vec<Identifier<M>>,
    /// Relationship links (`related`), as received.
    #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

impl<M> ToMany<M> {
    /// Links to these identifiers.
    pub fn of(data: Vec<Identifier<M>>) -> Self {
        Self { data, links: None }
    }
}

impl<M> Validate for ToMany<M> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        for (i, d) in self.data.iter().enumerate() {
            d.validate_at(&format!("{}[{i}]", join(prefix, "data")), out);
        }
    }
}

/// Links of a document, resource or relationship. Every member is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Links {
    /// `self`.
    #[serde(rename = "self", default, deserialize_with = "link", skip_serializing_if = "Option::is_none")]
    pub self_: Option<String>,
    /// `related`.
    #[serde(default, deserialize_with = "link", skip_serializing_if = "Option::is_none")]
    pub related: Option<String>,
    /// `first`.
    #[serde(default, deserialize_with = "link", skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    /// `prev`.
    #[serde(default, deserialize_with = "link", skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// `next`: the next page of a listing (follow it only on the same host).
    #[serde(default, deserialize_with = "link", skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// `last`.
    #[serde(default, deserialize_with = "link", skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

/// A link is a URL string or a link object `{"href": …}`.
fn link<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum L {
        Href {
            #[serde(default, deserialize_with = "lenient::opt_string")]
            href: Option<String>,
        },
        Text(#[serde(deserialize_with = "lenient::string")] String),
    }
    Ok(match lenient::opt::<D, L>(d)? {
        Some(L::Href { href }) => href,
        Some(L::Text(s)) if !s.trim().is_empty() => Some(s),
        _ => None,
    })
}

/// A resource in an answer: `type`, **required** `id`, `attributes`, `relationships`, `links`, `meta`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "A: Serialize, R: Serialize + Default + PartialEq",
    deserialize = "A: Deserialize<'de> + Default, R: Deserialize<'de> + Default"
))]
#[non_exhaustive]
pub struct Resource<A, R> {
    /// The resource type.
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    pub r#type: String,
    /// The id (a number reads as its text). Required: a resource without one does not decode.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// The attributes (missing or `null` read as all-default).
    #[serde(default, deserialize_with = "or_default")]
    pub attributes: A,
    /// The relationships (missing or `null` read as none).
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_default")]
    pub relationships: R,
    /// The resource's links.
    #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
    /// Non-standard data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
}

impl<A: ResourceType, R: Default> Resource<A, R> {
    /// A resource `id` of type `A::TYPE` with these attributes and no relationships, links or meta (what a test
    /// or a simulator answers with).
    pub fn new(id: impl Into<String>, attributes: A) -> Self {
        Self {
            r#type: A::TYPE.to_owned(),
            id: id.into(),
            attributes,
            relationships: R::default(),
            links: None,
            meta: None,
        }
    }
}

impl<A: Validate, R: Validate> Validate for Resource<A, R> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        self.attributes.validate_at(&join(prefix, "attributes"), out);
        self.relationships.validate_at(&join(prefix, "relationships"), out);
    }
}

/// A resource in a request: like [`Resource`], but the `id` is optional (absent when creating).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "A: Serialize, R: Serialize + Default + PartialEq",
    deserialize = "A: Deserialize<'de> + Default, R: Deserialize<'de> + Default"
))]
#[non_exhaustive]
pub struct NewResource<A, R> {
    /// The resource type (set from [`ResourceType::TYPE`] by [`Self::new`]).
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    pub r#type: String,
    /// The id, when the resource has one already (an update).
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The attributes.
    #[serde(default, deserialize_with = "or_default")]
    pub attributes: A,
    /// The relationships (not written when none is set).
    #[serde(default, deserialize_with = "or_default", skip_serializing_if = "is_default")]
    pub relationships: R,
    /// Non-standard data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
}

impl<A: ResourceType, R: Default> NewResource<A, R> {
    /// A new resource of type `A::TYPE` with these attributes and no relationships.
    pub fn new(attributes: A) -> Self {
        Self { r#type: A::TYPE.to_owned(), id: None, attributes, relationships: R::default(), meta: None }
    }
}

impl<A, R> NewResource<A, R> {
    /// With relationships.
    #[must_use]
    pub fn relationships(mut self, relationships: R) -> Self {
        self.relationships = relationships;
        self
    }

    /// With an id (updates).
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

impl<A: Validate, R: Validate> Validate for NewResource<A, R> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        required_str(prefix, "type", &self.r#type, out);
        self.attributes.validate_at(&join(prefix, "attributes"), out);
        self.relationships.validate_at(&join(prefix, "relationships"), out);
    }
}

/// A document with one primary resource: `{"data": …, "links"?, "meta"?}`. `data` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Document<T> {
    /// The primary data.
    pub data: T,
    /// Top-level links.
    #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
    /// Top-level meta.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
    /// Included resources, as received.
    #[serde(default, deserialize_with = "lenient::opt_list", skip_serializing_if = "Option::is_none")]
    pub included: Option<Vec<serde_json::Value>>,
}

impl<T> Document<T> {
    /// A document around `data`.
    pub fn new(data: T) -> Self {
        Self { data, links: None, meta: None, included: None }
    }
}

impl<T: Validate> Validate for Document<T> {
    fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
        self.data.validate_at(&join(prefix, "data"), out);
    }
}

/// A listing: `{"data": [...], "links": {"next"}}`; `data` missing, `null` or `{}` reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct ListDocument<T> {
    /// The resources.
    #[serde(default, deserialize_with = "lenient::list")]
    pub data: Vec<T>,
    /// Top-level links (`next` for the next page).
    #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
    /// Top-level meta (totals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
}

impl<T> ListDocument<T> {
    /// A listing of `data`, without links or meta.
    pub fn new(data: Vec<T>) -> Self {
        Self { data, links: None, meta: None }
    }

    /// The next page's link, if any.
    pub fn next(&self) -> Option<&str> {
        self.links.as_ref().and_then(|l| l.next.as_deref())
    }
}

/// One error object, in either shape seen in the wild: JSON:API `{status, code?, title, detail, source}` or
/// `{code, message, details?}`.
#[derive(Debug, Clone, Default, Deserialize)]
struct ErrorObject {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    status: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    detail: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    message: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt")]
    details: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::opt")]
    source: Option<ErrorSource>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    field: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct ErrorSource {
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pointer: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    parameter: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorDocument {
    #[serde(default, deserialize_with = "lenient::list")]
    errors: Vec<ErrorObject>,
}

/// Whether `body` may hold a key `errors`: its bytes, or a `\u` escape that could spell it.
fn has_errors_key(body: &[u8]) -> bool {
    memchr::memmem::find(body, b"errors").is_some() || memchr::memmem::find(body, b"\\u").is_some()
}

/// `/data/attributes/csr` → `csr`; `/data/relationships/product` → `product`.
fn pointer_field(pointer: &str) -> String {
    let p = pointer.trim_start_matches('/');
    let p = p.strip_prefix("data/").unwrap_or(p);
    let p = p.strip_prefix("attributes/").or_else(|| p.strip_prefix("relationships/")).unwrap_or(p);
    p.replace('/', ".")
}

/// An [`crate::client::ErrorDecoder`] for JSON:API providers: a body with a non-empty `errors` member (an array
/// or a single object; entries `{status, code, title, detail, source}` or `{code, message, details}`) is an error
/// at any HTTP status; any other body with a status of 400 or more is an error with a snippet of the body.
/// The code is the entry's `code`, else its `status`; the message its `message`, else `title`, else `detail`, else
/// its `code`;
/// the field `source.pointer` (without `/data/attributes/`), `source.parameter` or `field`.
pub fn decode_errors(provider: &'static str, status: u16, body: &[u8]) -> Option<ProviderError> {
    // A success without the bytes `errors` and without a `\u` escape (the only way a key can spell `errors`
    // otherwise) has no `errors` member: it is not parsed a second time here.
    if status < 400 && !has_errors_key(body) {
        return None;
    }
    let doc = serde_json::from_slice::<ErrorDocument>(body).ok().filter(|d| !d.errors.is_empty());
    let Some(doc) = doc else {
        return (status >= 400).then(|| ProviderError::from_body(provider, status, body));
    };
    let mut description = None;
    let entries: Vec<ProviderErrorEntry> = doc
        .errors
        .into_iter()
        .map(|e| {
            let head = e.message.clone().or_else(|| e.title.clone());
            let detail = match (&e.detail, &e.details) {
                (Some(d), _) if Some(d) != head.as_ref() => Some(d.clone()),
                (_, Some(serde_json::Value::String(s))) => Some(s.clone()),
                (_, Some(v)) if !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()) => Some(v.to_string()),
                _ => None,
            };
            // Every entry keeps its detail: `title: detail` (or `message: details`).
            let message = match (&head, &detail) {
                (Some(h), Some(d)) => format!("{h}: {d}"),
                (Some(h), None) => h.clone(),
                (None, Some(d)) => d.clone(),
                (None, None) => e.code.clone().unwrap_or_else(|| format!("HTTP {status}")),
            };
            if description.is_none() {
                description = detail;
            }
            let field = e
                .source
                .as_ref()
                .and_then(|s| s.pointer.as_deref().map(pointer_field).or_else(|| s.parameter.clone()))
                .or(e.field);
            ProviderErrorEntry { code: e.code.or(e.status), message, field }
        })
        .collect();
    let mut err = ProviderError::new(provider, status, entries);
    err.description = description;
    Some(err)
}

/// Decode a JSON:API document body (a convenience for hand-written odd endpoints).
pub fn decode<T: DeserializeOwned>(operation: &'static str, status: u16, body: &[u8]) -> crate::Result<T> {
    crate::operation::decode_body(operation, status, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Order {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
        status: Option<String>,
    }
    impl ResourceType for Order {
        const TYPE: &'static str = "order";
    }
    impl Validate for Order {
        fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
            required_str(prefix, "action", self.action.as_deref().unwrap_or(""), out);
        }
    }
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Meta {
        contact_type: String,
    }
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Rels {
        #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
        product: Option<ToOne>,
        #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
        certificate: Option<ToOne>,
        #[serde(default, deserialize_with = "lenient::opt", skip_serializing_if = "Option::is_none")]
        contacts: Option<ToMany<Meta>>,
    }
    impl Validate for Rels {
        fn validate_at(&self, prefix: &str, out: &mut Vec<Problem>) {
            self.product.validate_at(&join(prefix, "product"), out);
        }
    }

    #[test]
    fn a_new_resource_writes_the_seed_shape() {
        let rels = Rels {
            product: Some(ToOne::to("product", "11")),
            certificate: Some(ToOne::empty()),
            contacts: Some(ToMany::of(vec![
                Identifier::new("contact", "ABC012").meta(Meta { contact_type: "admin".into() }),
                Identifier::new("contact", "ABC012").meta(Meta { contact_type: "tech".into() }),
            ])),
        };
        let doc =
            Document::new(NewResource::new(Order { action: Some("create".into()), status: None }).relationships(rels));
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            serde_json::json!({"data": {"type": "order", "attributes": {"action": "create"}, "relationships": {
                "product": {"data": {"type": "product", "id": "11"}},
                "certificate": {"data": null},
                "contacts": {"data": [
                    {"type": "contact", "id": "ABC012", "meta": {"contact_type": "admin"}},
                    {"type": "contact", "id": "ABC012", "meta": {"contact_type": "tech"}}
                ]}
            }}})
        );
        let bare: Document<NewResource<Order, Rels>> = Document::new(NewResource::new(Order::default()));
        assert_eq!(
            serde_json::to_value(&bare).unwrap(),
            serde_json::json!({"data": {"type": "order", "attributes": {}}})
        );
        let problems = bare.validate();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field.as_deref(), Some("data.attributes.action"));
    }

    #[test]
    fn answers_read_tolerantly_but_never_invent_an_id() {
        let body = br#"{"data":{"type":"order","id":42,"attributes":{"status":"CHECKED_OUT"},
            "relationships":{"certificate":{"links":{"related":"https://x/c"},"data":null},"product":{"data":{"type":"product","id":11}}},
            "links":{"self":"https://x/o/42"}},"message":"Created"}"#;
        let doc: Document<Resource<Order, Rels>> = crate::operation::decode_body("create", 201, body).unwrap();
        assert_eq!(doc.data.id, "42");
        assert_eq!(doc.data.attributes.status.as_deref(), Some("CHECKED_OUT"));
        assert_eq!(doc.data.relationships.product.as_ref().and_then(ToOne::id), Some("11"));
        assert_eq!(doc.data.relationships.certificate.as_ref().and_then(ToOne::id), None);
        let missing = br#"{"data":{"type":"order","attributes":{"status":"CHECKED_OUT"}}}"#;
        let err = crate::operation::decode_body::<Document<Resource<Order, Rels>>>("create", 201, missing).unwrap_err();
        assert!(matches!(&err, crate::Error::Decode { path, .. } if path == "data.id"), "{err:?}");
        let null_id = br#"{"data":{"type":"order","id":null}}"#;
        assert!(crate::operation::decode_body::<Document<Resource<Order, Rels>>>("c", 201, null_id).is_err());
    }

    #[test]
    fn listings_and_next_links() {
        let body = br#"{"data":[{"type":"order","id":"A"},{"type":"order","id":"B","relationships":null}],"links":{"next":"https://api.example/ssl/v2/orders?page=2"}}"#;
        let list: ListDocument<Resource<Order, Rels>> = serde_json::from_slice(body).unwrap();
        assert_eq!(list.data.len(), 2);
        assert_eq!(list.next(), Some("https://api.example/ssl/v2/orders?page=2"));
        for empty in [r#"{"data":{}}"#, r#"{"data":null}"#, r#"{}"#, r#"{"data":[],"links":{"next":null}}"#] {
            let list: ListDocument<Resource<Order, Rels>> = serde_json::from_str(empty).unwrap();
            assert!(list.data.is_empty() && list.next().is_none(), "{empty}");
        }
        let obj: ListDocument<Resource<Order, Rels>> =
            serde_json::from_str(r#"{"data":[],"links":{"next":{"href":"/p2"}}}"#).unwrap();
        assert_eq!(obj.next(), Some("/p2"));
    }

    #[test]
    fn errors_in_both_shapes() {
        let e = decode_errors(
            "nameshield",
            422,
            br#"{"errors":[{"status":"422","title":"Invalid CSR","detail":"The CSR signature is invalid","source":{"pointer":"/data/attributes/csr"}}]}"#,
        )
        .unwrap();
        assert_eq!(e.code.as_deref(), Some("422"));
        assert_eq!(e.message, "Invalid CSR: The CSR signature is invalid");
        assert_eq!(e.description.as_deref(), Some("The CSR signature is invalid"));
        assert_eq!(e.field.as_deref(), Some("csr"));
        let two = br#"{"errors":[{"title":"Invalid attribute","detail":"The duration is invalid"},{"title":"Invalid relationship","detail":"The contacts are missing"}]}"#;
        let e = decode_errors("nameshield", 422, two).unwrap();
        let shown: Vec<&str> = e.errors.iter().map(|x| x.message.as_str()).collect();
        assert_eq!(
            shown,
            ["Invalid attribute: The duration is invalid", "Invalid relationship: The contacts are missing"]
        );
        let e =
            decode_errors("nameshield", 400, br#"{"errors":{"code":"E1","message":"Bad","details":"csr too short"}}"#)
                .unwrap();
        assert_eq!(e.message, "Bad: csr too short");
        let e = decode_errors("nameshield", 404, br#"{"errors":{"code":"not_found","message":"Order not found"}}"#)
            .unwrap();
        assert_eq!(e.code.as_deref(), Some("not_found"));
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let e = decode_errors("nameshield", 200, br#"{"errors":[{"code":1001,"message":"Refused"}]}"#).unwrap();
        assert_eq!(e.code.as_deref(), Some("1001"), "errors under HTTP 200 are errors");
        assert!(decode_errors("nameshield", 200, br#"{"data":{"type":"order","id":"1"}}"#).is_none());
        assert!(decode_errors("nameshield", 200, br#"{"errors":[]}"#).is_none());
        let e = decode_errors("nameshield", 503, b"<html>down</html>").unwrap();
        assert!(e.message.contains("down"));
    }

    #[test]
    fn the_success_probe_never_skips_an_error_document() {
        let bodies: [&[u8]; 8] = [
            br#"{"data":{"type":"orders","id":"1","attributes":{"status":"pending"}}}"#,
            br#"{"errors":[{"status":"422","title":"Invalid","detail":"csr"}]}"#,
            br#"{"errors":{"code":"E1","message":"one object"}}"#,
            br#"{"\u0065rrors":[{"title":"escaped key"}]}"#,
            br#"{"data":{"attributes":{"note":"no errors here"}}}"#,
            br#"{"errors":[]}"#,
            b"<html>",
            b"",
        ];
        for body in bodies {
            for status in [200, 201, 204, 404, 500] {
                let full = serde_json::from_slice::<ErrorDocument>(body).ok().is_some_and(|d| !d.errors.is_empty())
                    || status >= 400;
                assert_eq!(
                    decode_errors("p", status, body).is_some(),
                    full,
                    "{status} {}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }
}
