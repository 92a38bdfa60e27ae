//! Paging of listings, the three shapes the providers use, behind one opaque cursor ([`PageRequest::cursor`],
//! [`crate::model::OrderPage::next`]):
//!
//! - **offset/limit** (DigiCert `offset`/`limit`, GoGetSSL): the cursor is the next offset;
//! - **a `pagination` object** (Realtime Register `{"limit", "offset", "total"}`): the same, with the total known;
//! - **JSON:API `links.next`** (Nameshield): the cursor is the next link, followed only on the provider's own
//!   origin and under its base path — a link to another host is never followed with credentials.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::PageRequest;
use crate::request::{CallKind, HttpRequest, Method};

/// Offset and limit of the page a request asks for: the cursor's offset (0 without one) and the requested limit,
/// `default` when none, capped at `max`.
pub fn offset_limit(page: &PageRequest, default: u32, max: u32) -> Result<(u64, u32)> {
    let offset = match page.cursor.as_deref() {
        None => 0,
        Some(c) => c.trim().parse::<u64>().map_err(|_| {
            Error::Config(format!("bad page cursor `{c}`: this provider pages by offset (a whole number)"))
        })?,
    };
    Ok((offset, page.limit.unwrap_or(default).clamp(1, max.max(1))))
}

/// The cursor after a page of `got` items fetched at `offset`: `None` when the page was short or `total` is
/// reached.
pub fn next_offset(offset: u64, limit: u32, got: usize, total: Option<u64>) -> Option<String> {
    let next = offset + got as u64;
    let more = match total {
        Some(t) => next < t,
        None => got as u64 >= u64::from(limit),
    };
    (more && got > 0).then(|| next.to_string())
}

/// A `pagination` object (`{"limit": 10, "offset": 0, "total": 42}`), numbers or numeric strings.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[non_exhaustive]
pub struct Pagination {
    /// Page size.
    #[serde(default, deserialize_with = "crate::paging::lenient_u64")]
    pub limit: Option<u64>,
    /// Offset of this page.
    #[serde(default, deserialize_with = "crate::paging::lenient_u64")]
    pub offset: Option<u64>,
    /// Items in all.
    #[serde(default, deserialize_with = "crate::paging::lenient_u64")]
    pub total: Option<u64>,
}

impl Pagination {
    /// The cursor of the page after this one, which held `got` items.
    pub fn next(&self, got: usize) -> Option<String> {
        let limit = self.limit.unwrap_or(got as u64).min(u64::from(u32::MAX)) as u32;
        next_offset(self.offset.unwrap_or(0), limit, got, self.total)
    }
}

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// The JSON:API `links.next` of a document, if any (`null`, absent or empty mean the last page). Accepts both
/// `"next": "url"` and `"next": {"href": "url"}`.
pub fn jsonapi_next(document: &serde_json::Value) -> Option<String> {
    let next = document.get("links")?.get("next")?;
    let href = match next {
        serde_json::Value::String(s) => s.as_str(),
        serde_json::Value::Object(o) => o.get("href")?.as_str()?,
        _ => return None,
    };
    (!href.trim().is_empty()).then(|| href.trim().to_owned())
}

/// The request for a next link (absolute or relative to `base`), as a read of `operation`. Refused with
/// [`Error::Decode`] when the link leaves the provider's origin (scheme, host, port) or its base path: it would
/// carry the credentials elsewhere.
pub fn follow_link(base: &url::Url, link: &str, operation: &'static str) -> Result<HttpRequest> {
    let url = base.join(link).map_err(|e| Error::decode(operation, 200, format!("bad next link `{link}`: {e}")))?;
    let base_path = base.path().trim_end_matches('/');
    let same_origin = url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default();
    let path = url.path().strip_prefix(base_path).filter(|p| p.is_empty() || p.starts_with('/'));
    let (true, Some(path)) = (same_origin, path) else {
        return Err(Error::decode(
            operation,
            200,
            format!("the next link `{link}` leaves {base}; not followed (it would carry the credentials elsewhere)"),
        ));
    };
    let mut req = HttpRequest::new(Method::Get, if path.is_empty() { "/" } else { path }, CallKind::Read);
    for (k, v) in url.query_pairs() {
        req = req.query(k, v);
    }
    Ok(req.operation(operation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cursor: Option<&str>, limit: Option<u32>) -> PageRequest {
        PageRequest { cursor: cursor.map(str::to_owned), limit }
    }

    #[test]
    fn offsets_page_until_short_or_total() {
        assert_eq!(offset_limit(&page(None, None), 50, 1000).unwrap(), (0, 50));
        assert_eq!(offset_limit(&page(Some("100"), Some(5000)), 50, 1000).unwrap(), (100, 1000));
        assert!(offset_limit(&page(Some("https://x"), None), 50, 1000).is_err());
        assert_eq!(next_offset(0, 50, 50, None).as_deref(), Some("50"));
        assert_eq!(next_offset(50, 50, 10, None), None);
        assert_eq!(next_offset(0, 50, 50, Some(50)), None);
        assert_eq!(next_offset(0, 10, 10, Some(25)).as_deref(), Some("10"));
    }

    #[test]
    fn rtr_pagination_reads_strings_and_numbers() {
        let p: Pagination = serde_json::from_str(r#"{"limit":"10","offset":10,"total":25}"#).unwrap();
        assert_eq!(p.next(10).as_deref(), Some("20"));
        let last: Pagination = serde_json::from_str(r#"{"limit":10,"offset":20,"total":25}"#).unwrap();
        assert_eq!(last.next(5), None);
    }

    #[test]
    fn next_links_stay_on_the_providers_origin() {
        let base = url::Url::parse("https://api.example.net/ssl/v2").unwrap();
        let doc =
            serde_json::json!({"links": {"next": "https://api.example.net/ssl/v2/certificates?page%5Bnumber%5D=2"}});
        let link = jsonapi_next(&doc).unwrap();
        let req = follow_link(&base, &link, "list").unwrap();
        assert_eq!(req.render_target(), "/certificates?page%5Bnumber%5D=2");
        let rel = follow_link(&base, "/ssl/v2/certificates?page=3", "list").unwrap();
        assert_eq!(rel.render_target(), "/certificates?page=3");
        for evil in [
            "https://evil.example/ssl/v2/certificates",
            "http://api.example.net/ssl/v2/certificates",
            "https://api.example.net:8443/ssl/v2/certificates",
            "https://api.example.net/other/certificates",
            "//evil.example/ssl/v2/x",
        ] {
            assert!(follow_link(&base, evil, "list").is_err(), "{evil}");
        }
        assert_eq!(jsonapi_next(&serde_json::json!({"links": {"next": null}})), None);
        assert_eq!(jsonapi_next(&serde_json::json!({"links": {"next": {"href": "/a"}}})).as_deref(), Some("/a"));
    }
}
