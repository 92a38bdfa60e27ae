//! What the generated `decode_responses` target checks on every input: every generated response type of every
//! provider decodes the bytes without panicking, a decode error never echoes a value of the input (only the JSON
//! path and the expected type), and every provider's error decoder reads the bytes under every status without
//! panicking.
#![forbid(unsafe_code)]

use std::collections::BTreeSet;

/// `generated::ops::decode_output`: decode bytes as the 2xx answer of an operation (`None`: unknown operation).
pub type Decode = fn(&str, &[u8]) -> Option<ssl_core::Result<()>>;

/// One provider: its operations' answer decoders and its error decoder.
#[derive(Clone, Copy)]
pub struct Provider {
    /// Short name (`digicert`).
    pub name: &'static str,
    /// `generated::ops::NAMES`.
    pub operations: &'static [&'static str],
    /// `generated::ops::decode_output`.
    pub decode: Decode,
    /// The crate's error decoder.
    pub decoder: ssl_core::client::ErrorDecoder,
}

/// Statuses every error decoder is tried with (errors inside a 200 included).
pub const STATUSES: [u16; 11] = [200, 201, 400, 401, 403, 404, 422, 429, 500, 502, 503];

/// String values of at least this many characters (and no whitespace) must never appear in a decode error.
pub const MIN_ECHO: usize = 12;

/// Generated answers that are no operation's 2xx output, so `ops::decode_output` does not list them: the login
/// answers (sent by the hand-written session logins) and RTR's `?quote=true` answer of `request_certificate`.
pub const EXTRA: &[(&str, &str, fn(&[u8]) -> ssl_core::Result<()>)] = &[
    ("gogetssl", "auth", |b| {
        ssl_core::operation::decode_body::<ssl_gogetssl::generated::AuthResponse>("auth", 200, b).map(drop)
    }),
    ("openprovider", "login", |b| {
        ssl_core::operation::decode_body::<ssl_openprovider::generated::LoginResponse>("login", 200, b).map(drop)
    }),
    ("rtr", "request_certificate_quote", |b| {
        ssl_core::operation::decode_body::<ssl_rtr::generated::QuoteResponse>("request_certificate", 200, b).map(drop)
    }),
];

/// Panics when the decode error `e` of `provider`'s `name` echoes one of `values`.
fn assert_no_echo(provider: &str, name: &str, e: &ssl_core::Error, values: &[String]) {
    let text = format!("{e}");
    let path = match e {
        ssl_core::Error::Decode { path, .. } => path.as_str(),
        _ => "",
    };
    for v in values {
        assert!(
            !text.contains(v.as_str()) || path.contains(v.as_str()) || name.contains(v.as_str()),
            "{provider} {name}: the decode error echoes the value {v:?}: {text}"
        );
    }
}

/// Run every check on `data`.
///
/// # Panics
/// On a decoder panic (propagated) or when a decode error echoes a value of the input.
pub fn check(providers: &[Provider], data: &[u8]) {
    let values = echoable_values(data);
    for (provider, name, decode) in EXTRA {
        if let Err(e) = decode(data) {
            assert_no_echo(provider, name, &e, &values);
        }
    }
    for p in providers {
        for name in p.operations {
            let decoded = (p.decode)(name, data);
            assert!(decoded.is_some(), "{} {name}: listed in ops::NAMES but has no decoder", p.name);
            if let Some(Err(e)) = decoded {
                assert_no_echo(p.name, name, &e, &values);
            }
        }
        for status in STATUSES {
            if let Some(e) = (p.decoder)(p.name, status, data) {
                let _ = (e.to_string(), e.kind(), e.is_retryable());
            }
        }
    }
}

/// The string values (not keys) of a JSON input that are long enough to be recognisable and that are not also a
/// key or part of one (a key may be named in a path or an "unknown field" message).
pub fn echoable_values(data: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else { return Vec::new() };
    let (mut keys, mut values) = (BTreeSet::new(), BTreeSet::new());
    walk(&v, &mut keys, &mut values);
    values
        .into_iter()
        .filter(|s: &String| s.chars().count() >= MIN_ECHO && !s.chars().any(char::is_whitespace))
        .filter(|s| !keys.iter().any(|k: &String| k.contains(s.as_str())))
        .collect()
}

fn walk(v: &serde_json::Value, keys: &mut BTreeSet<String>, values: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::String(s) => {
            values.insert(s.clone());
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, keys, values)),
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                keys.insert(k.clone());
                walk(x, keys, values);
            }
        }
        _ => {}
    }
}
