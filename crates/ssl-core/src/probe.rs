//! A cheap look at a JSON answer before a full parse. Providers that answer errors under HTTP 200 (GoGetSSL,
//! Openprovider) make their error decoders read every body; most bodies are plain successes, which a byte scan can
//! recognise without building a `serde_json::Value`. The look is conservative: when it is unsure it says so, and
//! the caller parses.

/// Whether every member named `key`, at any depth of the JSON text `body`, has a value that is one of the `harmless`
/// literals (written as they appear in the text: `b"0"`, `b"false"`, `b"\"1\""`), the literal ending there. A
/// body with no member `key` gives `true`.
///
/// It gives `false` ("parse it") when it cannot be sure:
/// - a `\u` escape appears anywhere, since a key could be spelled with one;
/// - `"key"` appears other than as a member name (not followed by `:`), e.g. as a string value.
///
/// For any text where it gives `true`, a JSON parse finds no member `key` with another value.
///
/// ```
/// use ssl_core::probe::every_member_is;
/// assert!(every_member_is(br#"{"code": 0, "data": {"id": 7}}"#, "code", &[b"0"]));
/// assert!(!every_member_is(br#"{"code": 0, "data": {"code": 5}}"#, "code", &[b"0"]));
/// assert!(!every_member_is(br#"{"code": 05}"#, "code", &[b"0"]));
/// assert!(every_member_is(br#"{"id": 1}"#, "error", &[b"false"]));
/// ```
pub fn every_member_is(body: &[u8], key: &str, harmless: &[&[u8]]) -> bool {
    if memchr::memmem::find(body, b"\\u").is_some() {
        return false;
    }
    let quoted = format!("\"{key}\"");
    memchr::memmem::find_iter(body, quoted.as_bytes()).all(|at| {
        let Some(value) = skip_ws(&body[at + quoted.len()..]).strip_prefix(b":") else { return false };
        let value = skip_ws(value);
        harmless.iter().any(|h| value.starts_with(h) && ends_literal(&value[h.len()..]))
    })
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(b.len());
    &b[n..]
}

/// Whether a literal ends here (`1` of `1.5` or `10` does not).
fn ends_literal(rest: &[u8]) -> bool {
    matches!(skip_ws(rest).first(), None | Some(b',' | b'}' | b']'))
}

#[cfg(test)]
mod tests {
    use super::every_member_is;

    /// Whatever the look says `true` to, a parse agrees: every member `key` holds a harmless value.
    #[test]
    fn a_yes_is_never_wrong() {
        let bodies: &[&str] = &[
            r#"{"code":0}"#,
            r#"{"code" : 0 , "data":{"code":0}}"#,
            r#"{"code":0,"data":{"code":5}}"#,
            r#"{"code":0.5}"#,
            r#"{"code":00}"#,
            r#"{"code":"0"}"#,
            r#"{"code":0,"code":7}"#,
            r#"{"\u0063ode":5,"code":0}"#,
            r#"{"type":"code","code":0}"#,
            r#"{"note":"a \"code\": 5","code":0}"#,
            r#"[{"code":0},{"code":1}]"#,
            r#"{"code":0"#,
            r#"{"id":1}"#,
            "",
            "<html>code</html>",
        ];
        fn all_harmless(v: &serde_json::Value) -> bool {
            match v {
                serde_json::Value::Object(m) => {
                    m.iter().all(|(k, v)| (k != "code" || v == &serde_json::json!(0)) && all_harmless(v))
                }
                serde_json::Value::Array(a) => a.iter().all(all_harmless),
                _ => true,
            }
        }
        for body in bodies {
            if every_member_is(body.as_bytes(), "code", &[b"0"]) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
                    assert!(all_harmless(&v), "{body}");
                }
            }
        }
        assert!(every_member_is(br#"{"code" : 0 , "data":{"code":0}}"#, "code", &[b"0"]));
        assert!(every_member_is(br#"{"error": false, "success": "1"}"#, "success", &[b"true", b"1", b"\"1\""]));
        assert!(!every_member_is(br#"{"type":"code","code":0}"#, "code", &[b"0"]), "a string value: unsure");
        assert!(!every_member_is(br#"{"\u0063ode":5}"#, "code", &[b"0"]));
        assert!(!every_member_is(br#"{"code":10}"#, "code", &[b"1"]));
    }
}
