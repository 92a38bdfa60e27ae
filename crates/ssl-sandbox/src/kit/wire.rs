//! Reading requests: JSON and form bodies, values at a path, host names.

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

/// Why a body could not be read: a short message and a detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadBody(pub String, pub String);

/// A JSON body (`{}` when empty).
pub(crate) fn json_body(body: &Bytes) -> Result<Value, BadBody> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| BadBody("Malformed request body".into(), format!("The request body is not valid JSON: {e}")))
}

/// The pairs of an `application/x-www-form-urlencoded` body; another content type, bad UTF-8 or a parameter given
/// twice is refused.
pub(crate) fn form_pairs(headers: &HeaderMap, body: &Bytes) -> Result<Vec<(String, String)>, BadBody> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        let got = if ct.is_empty() { "none" } else { ct };
        return Err(BadBody(
            "Unsupported request body".into(),
            format!("POST bodies are application/x-www-form-urlencoded; got `{got}`"),
        ));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(BadBody("Malformed request body".into(), "The form body is not valid UTF-8".into()));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(BadBody("Malformed request body".into(), format!("Parameter `{k}` is given twice")));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// The problem codes of the spec's schema checks (`ssl_core::validate`: types, required fields, enums, lengths,
/// patterns, ranges). A spec's cross-field rules (`x-rules`, `ssl_core::facts`) are the client's rules: the sandbox
/// drops their problems and judges by its own catalog (a rule coded `range` is kept: the schema's code).
const SCHEMA_CODES: &[&str] = &["required", "length", "items", "range", "enum", "pattern"];

/// Decode `v` as the generated type `T` (a wrong type names its JSON path: `(path, message)`) and run its
/// schema checks (`validate()`, [`SCHEMA_CODES`] only): the spec is data the sandbox may share with the client.
pub(crate) fn typed<T: serde::de::DeserializeOwned + ssl_core::validate::Validate>(
    v: Value,
) -> Result<(T, Vec<ssl_core::Problem>), (String, String)> {
    let t: T = serde_path_to_error::deserialize(v).map_err(|e| (e.path().to_string(), e.inner().to_string()))?;
    let problems =
        t.validate().into_iter().filter(|p| p.is_error() && SCHEMA_CODES.contains(&p.code.as_str())).collect();
    Ok((t, problems))
}

/// Read form pairs as the generated type `T`: `lists` are split on commas; a wrong type or a parameter `T` does
/// not know is refused; then `T`'s schema checks.
pub(crate) fn typed_form<T>(pairs: &[(String, String)], lists: &[&str]) -> Result<(T, Vec<ssl_core::Problem>), BadBody>
where
    T: serde::de::DeserializeOwned + serde::Serialize + ssl_core::validate::Validate,
{
    let split = |k: &str, v: &str| {
        if lists.contains(&k) { json!(v.split(',').map(str::trim).collect::<Vec<_>>()) } else { json!(v) }
    };
    let map: serde_json::Map<String, Value> = pairs.iter().map(|(k, v)| (k.clone(), split(k, v))).collect();
    let (t, problems) = typed::<T>(Value::Object(map))
        .map_err(|(path, why)| BadBody(format!("Invalid value for {path}"), format!("`{path}`: {why}")))?;
    let back = serde_json::to_value(&t).unwrap_or(Value::Null);
    let unknown: Vec<&str> =
        pairs.iter().filter(|(k, v)| !v.is_empty() && back.get(k).is_none()).map(|(k, _)| k.as_str()).collect();
    if let Some(first) = unknown.first() {
        let all = unknown.join(", ");
        return Err(BadBody(format!("Unknown parameter {first}"), format!("Not a parameter of this method: {all}")));
    }
    Ok((t, problems))
}

/// An id as the provider's API writes it: a number when it is one, else the string.
pub(crate) fn num(id: &str) -> Value {
    id.parse::<i64>().map_or_else(|_| json!(id), |n| json!(n))
}

/// Set each of `fields` whose value is `Some` on object `v` (the optional fields of an answer).
pub(crate) fn put_some<const N: usize>(v: &mut Value, fields: [(&str, Option<Value>); N]) {
    for (k, x) in fields {
        if let Some(x) = x {
            v[k] = x;
        }
    }
}

/// `(limit, offset)` of a list request: `limit` between 1 and `most` (`default` when absent or unreadable),
/// `offset` 0 when absent.
pub(crate) fn paging(limit: Option<&String>, offset: Option<&String>, default: usize, most: usize) -> (usize, usize) {
    let n = |v: Option<&String>| v.and_then(|s| s.trim().parse::<usize>().ok());
    (n(limit).unwrap_or(default).clamp(1, most), n(offset).unwrap_or(0))
}

/// Add every key of object `more` to object `v`.
pub(crate) fn extend(v: &mut Value, more: Value) {
    if let (Some(m), Value::Object(more)) = (v.as_object_mut(), more) {
        m.extend(more);
    }
}

/// The string at `path`.
pub(crate) fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |cur, k| cur.get(k))?.as_str()
}

/// `None`: absent; `Some(None)`: present but not an integer (numbers as strings are read).
pub(crate) fn int_at(v: &Value, path: &[&str]) -> Option<Option<i64>> {
    Some(match path.iter().try_fold(v, |cur, k| cur.get(k))? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// An array of strings (absent or null: empty); `Err` for anything else.
pub(crate) fn string_list(v: Option<&Value>) -> Result<Vec<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_owned).ok_or(())).collect(),
        Some(_) => Err(()),
    }
}

/// A DNS host name (a leading `*.` allowed): at least two labels of letters, digits and inner hyphens.
pub(crate) fn valid_hostname(name: &str) -> bool {
    let n = name.strip_prefix("*.").unwrap_or(name);
    !n.is_empty()
        && n.len() <= 253
        && n.contains('.')
        && n.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Names on an order: `first`, then the others not equal to it, lowercase, blanks dropped.
pub(crate) fn names_with(first: &str, others: &[String]) -> Vec<String> {
    let mut names = vec![first.trim().to_ascii_lowercase()];
    for s in others {
        let s = s.trim().to_ascii_lowercase();
        if !s.is_empty() && !names.contains(&s) {
            names.push(s);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_values() {
        assert_eq!(json_body(&Bytes::from_static(b" ")).unwrap(), json!({}));
        assert!(json_body(&Bytes::from_static(b"{")).is_err());
        let mut h = HeaderMap::new();
        assert!(form_pairs(&h, &Bytes::from_static(b"a=1")).is_err());
        h.insert(header::CONTENT_TYPE, "application/x-www-form-urlencoded".parse().unwrap());
        assert_eq!(form_pairs(&h, &Bytes::from_static(b"a=1&b=x+y")).unwrap()[1], ("b".into(), "x y".into()));
        assert!(form_pairs(&h, &Bytes::from_static(b"a=1&a=2")).is_err());
        let v = json!({"a": {"b": "7", "c": 8, "d": [1]}});
        assert_eq!(int_at(&v, &["a", "b"]), Some(Some(7)));
        assert_eq!(int_at(&v, &["a", "c"]), Some(Some(8)));
        assert_eq!(int_at(&v, &["a", "d"]), Some(None));
        assert_eq!(int_at(&v, &["x"]), None);
        assert_eq!(str_at(&v, &["a", "b"]), Some("7"));
        assert!(string_list(Some(&json!([1]))).is_err());
        assert!(valid_hostname("*.a.example.com") && !valid_hostname("a") && !valid_hostname("-a.example.com"));
        assert_eq!(names_with("A.example.com", &["a.example.com".into(), " b.example.com".into()]).len(), 2);
    }
}
