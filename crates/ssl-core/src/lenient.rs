//! Tolerant readers, used by every generated type as `#[serde(deserialize_with = "::ssl_core::lenient::…")]`.
//!
//! Real provider bodies are loose: `"id": 42` and `"id": "42"` for the same field, `true`, `1` or `"1"` for the
//! same flag, PHP's `false` or `""` for "no value", `{}` for an empty list, `errors` as one object or an array.
//! These functions accept all of them when reading; serialization stays strict (numbers as numbers, booleans as
//! booleans), so what we send never depends on what we were sent.
//!
//! | reader                 | accepts                                                                        |
//! |------------------------|--------------------------------------------------------------------------------|
//! | [`i64()`]              | a JSON integer, an integral float (`3.0`), or a string holding either           |
//! | [`f64()`]              | a JSON number or a string holding a finite number                               |
//! | [`bool()`]             | `true`/`false`, `0`/`1`, the strings `"true"`, `"false"`, `"1"`, `"0"` (any case, trimmed) |
//! | [`string()`]           | a string, or a number as its text                                               |
//! | [`list()`]             | an array; `{}`, `null`, `false`, `""` as empty; a PHP object with numeric keys (`{"0":…,"1":…}`) as its values; any other single value (an object, a string) as a one-item list |
//! | [`opt()`]              | any optional value: `null`, `false` and `""` read as `None`                     |
//!
//! The `opt_` variants read `null`, `false` (except for booleans) and `""` as `None`; the `vec_`/`opt_vec_`
//! variants read lists (as [`list()`]) of the same. Errors name the expected type and the JSON type found, never
//! the value itself (it may be a secret); the JSON path is added by the caller (`serde_path_to_error`).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BoolDeserializer, F64Deserializer, I64Deserializer, MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer,
    U64Deserializer,
};
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The JSON type of a value, for error messages (never the value: it may be a secret).
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(true) => "true",
        Value::Bool(false) => "false",
        Value::Number(_) => "a number",
        Value::String(s) if s.is_empty() => "an empty string",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn to_i64(v: &Value) -> Result<i64, String> {
    let parsed = match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(integral)),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().ok().or_else(|| t.parse::<f64>().ok().and_then(integral))
        }
        _ => None,
    };
    parsed.ok_or_else(|| format!("expected an integer or a string holding one, found {}", json_type(v)))
}

fn integral(f: f64) -> Option<i64> {
    // `i64::MAX as f64` rounds up to 2^63, which does not fit: keep the upper bound exclusive.
    (f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)).then_some(f as i64)
}

fn to_f64(v: &Value) -> Result<f64, String> {
    let parsed = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    };
    parsed.ok_or_else(|| format!("expected a number or a string holding one, found {}", json_type(v)))
}

fn to_bool(v: &Value) -> Result<bool, String> {
    let parsed = match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| format!("expected true, false, 0, 1 or a string holding one, found {}", json_type(v)))
}

fn to_string(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(format!("expected a string or a number, found {}", json_type(v))),
    }
}

/// `null`, and `""` (blank) for every type; `false` too unless the type is a boolean.
fn is_absent(v: &Value, false_is_absent: bool) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(false) => false_is_absent,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// An `i64` from a JSON value, as [`i64()`] reads it (for generated `oneOf` readers).
pub fn value_i64(v: &Value) -> Result<i64, String> {
    to_i64(v)
}

/// An `f64` from a JSON value, as [`f64()`] reads it.
pub fn value_f64(v: &Value) -> Result<f64, String> {
    to_f64(v)
}

/// A `String` from a JSON value, as [`string()`] reads it.
pub fn value_string(v: &Value) -> Result<String, String> {
    to_string(v)
}

/// A flag of an error envelope read the PHP way: a boolean, a number (non-zero is true), or the strings `true`,
/// `1`, `false`, `0` (any case, trimmed); anything else (and absent) is `None`.
pub fn truthy(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Number(n) => n.as_f64().map(|n| n != 0.0),
        other => to_bool(other).ok(),
    }
}

/// A message field as text: a string as it is, a list's entries joined with `; `, anything else as JSON; trimmed,
/// and `None` when absent, null or blank.
pub fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    };
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A scalar read through one of the converters above; the element type of the `vec_` readers.
trait Scalar: Sized {
    const FALSE_IS_ABSENT: bool = true;
    fn read(v: &Value) -> Result<Self, String>;
}

impl Scalar for i64 {
    fn read(v: &Value) -> Result<Self, String> {
        to_i64(v)
    }
}
impl Scalar for f64 {
    fn read(v: &Value) -> Result<Self, String> {
        to_f64(v)
    }
}
impl Scalar for bool {
    const FALSE_IS_ABSENT: bool = false;
    fn read(v: &Value) -> Result<Self, String> {
        to_bool(v)
    }
}
impl Scalar for String {
    fn read(v: &Value) -> Result<Self, String> {
        to_string(v)
    }
}

/// A [`Scalar`] as a `Deserialize` type, so lists of scalars go through [`ListVisitor`].
struct Lenient<T>(T);

impl<'de, T: Scalar> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        T::read(&v).map(Lenient).map_err(D::Error::custom)
    }
}

fn one<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<T, D::Error> {
    let v = Value::deserialize(d)?;
    T::read(&v).map_err(D::Error::custom)
}

fn opt_one<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    if is_absent(&v, T::FALSE_IS_ABSENT) { Ok(None) } else { T::read(&v).map(Some).map_err(D::Error::custom) }
}

fn many<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(list::<D, Lenient<T>>(d)?.into_iter().map(|l| l.0).collect())
}

fn opt_many<'de, D: Deserializer<'de>, T: Scalar>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    Ok(opt_list::<D, Lenient<T>>(d)?.map(|v| v.into_iter().map(|l| l.0).collect()))
}

/// An `i64` from a JSON number or a numeric string.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    one(d)
}

/// An optional `i64`; `null`, `false` and `""` read as `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    opt_one(d)
}

/// A list of `i64` (read as [`list()`]), each a number or a numeric string.
pub fn vec_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    many(d)
}

/// An optional list of `i64`; `null`, `false` and `""` read as `None`.
pub fn opt_vec_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    opt_many(d)
}

/// An `f64` from a JSON number or a numeric string.
pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    one(d)
}

/// An optional `f64`; `null`, `false` and `""` read as `None`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    opt_one(d)
}

/// A list of `f64` (read as [`list()`]), each a number or a numeric string.
pub fn vec_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    many(d)
}

/// An optional list of `f64`; `null`, `false` and `""` read as `None`.
pub fn opt_vec_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    opt_many(d)
}

/// A `bool` from `true`/`false`, `0`/`1`, or the strings `"true"`, `"false"`, `"1"`, `"0"`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    one(d)
}

/// An optional `bool`; `null` and `""` read as `None` (`false` is `Some(false)`).
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    opt_one(d)
}

/// A list of `bool` (read as [`list()`]), each read as by [`bool()`].
pub fn vec_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<bool>, D::Error> {
    many(d)
}

/// An optional list of `bool`; `null` and `""` read as `None`.
pub fn opt_vec_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<bool>>, D::Error> {
    opt_many(d)
}

/// A `String` from a JSON string, or a number as its text (`42` → `"42"`). `null` and `false` are errors: a
/// required string is never invented.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    one(d)
}

/// An optional `String`; `null`, PHP's `false` and `""` read as `None`, a number as its text.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    opt_one(d)
}

/// A list of strings (read as [`list()`]), numbers as their text.
pub fn vec_string<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    many(d)
}

/// An optional list of strings; `null`, `false` and `""` read as `None`.
pub fn opt_vec_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    opt_many(d)
}

/// Any optional value (a struct, an enum, a `oneOf`): `null`, PHP's `false` and `""` read as `None`; anything
/// else is read by `T` (paths into nested objects are kept).
pub fn opt<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(OptVisitor(PhantomData))
}

struct OptVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for OptVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        opt(d)
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v { T::deserialize(BoolDeserializer::new(v)).map(Some) } else { Ok(None) }
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(I64Deserializer::new(v)).map(Some)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(U64Deserializer::new(v)).map(Some)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(F64Deserializer::new(v)).map(Some)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() { Ok(None) } else { T::deserialize(StrDeserializer::new(v)).map(Some) }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(SeqAccessDeserializer::new(seq)).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Some)
    }
}

/// A list, read tolerantly (see the module table): an array; `{}`, `null`, `false` or `""` as empty; a PHP
/// object with numeric keys as its values; any other single value as a one-item list (so `errors` may be one
/// object or an array of them).
pub fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(d.deserialize_any(ListVisitor(PhantomData))?.unwrap_or_default())
}

/// An optional list: `null`, `false` and `""` read as `None`, `{}` as `Some([])`, the rest as [`list()`].
pub fn opt_list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    d.deserialize_any(ListVisitor(PhantomData))
}

/// `None` for the absent forms, `Some(list)` otherwise.
struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        opt_list(d)
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        if v { T::deserialize(BoolDeserializer::new(v)).map(|x| Some(vec![x])) } else { Ok(None) }
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(I64Deserializer::new(v)).map(|x| Some(vec![x]))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(U64Deserializer::new(v)).map(|x| Some(vec![x]))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(F64Deserializer::new(v)).map(|x| Some(vec![x]))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() { Ok(None) } else { T::deserialize(StrDeserializer::new(v)).map(|x| Some(vec![x])) }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(x) = seq.next_element()? {
            out.push(x);
        }
        Ok(Some(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else { return Ok(Some(Vec::new())) };
        if first.trim().parse::<u64>().is_ok() {
            // A PHP array with non-sequential keys: its values, in order.
            let mut out = vec![map.next_value::<T>()?];
            while map.next_key::<String>()?.is_some() {
                out.push(map.next_value::<T>()?);
            }
            return Ok(Some(out));
        }
        // One object where a list was expected (`"errors": {"code": …}`): a one-item list.
        let mut obj = serde_json::Map::new();
        obj.insert(first, map.next_value::<Value>()?);
        while let Some(k) = map.next_key::<String>()? {
            obj.insert(k, map.next_value::<Value>()?);
        }
        T::deserialize(Value::Object(obj)).map(|x| Some(vec![x])).map_err(|e| A::Error::custom(scrub(&e.to_string())))
    }
}

/// Write a boolean as `1` or `0`, as PHP's `http_build_query` does (form bodies of PHP APIs: GoGetSSL).
pub fn int_bool<S: serde::Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(u8::from(*v))
}

/// [`int_bool`] for an optional boolean (`None` is left out by `skip_serializing_if`).
pub fn opt_int_bool<S: serde::Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_u8(u8::from(*b)),
        None => s.serialize_none(),
    }
}

/// A serde error message without the value it may quote: `invalid type: string "s3cr3t", expected i64` becomes
/// `invalid type: string, expected i64`, ``unknown variant `x`, expected …`` becomes `unknown variant, expected …`.
/// Decode errors pass through this before they are shown, so a body's content never reaches an error message.
pub fn scrub(message: &str) -> String {
    for marker in ["invalid type: ", "invalid value: ", "unknown variant "] {
        let Some(start) = message.find(marker) else { continue };
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.rfind(", expected") else { continue };
        let kind = rest[..end].split(['`', '"']).next().unwrap_or("").trim();
        let head = if kind.is_empty() {
            marker.trim_end().trim_end_matches(':').to_owned()
        } else {
            format!("{marker}{kind}")
        };
        return format!("{}{head}{}", &message[..start], &rest[end..]);
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "super::i64")]
        id: i64,
        #[serde(default, deserialize_with = "super::opt_i64", skip_serializing_if = "Option::is_none")]
        years: Option<i64>,
        #[serde(default, deserialize_with = "super::f64")]
        price: f64,
        #[serde(default, deserialize_with = "super::opt_f64", skip_serializing_if = "Option::is_none")]
        tax: Option<f64>,
        #[serde(default, deserialize_with = "super::bool")]
        flag: bool,
        #[serde(default, deserialize_with = "super::opt_bool", skip_serializing_if = "Option::is_none")]
        maybe: Option<bool>,
        #[serde(default, deserialize_with = "super::opt_vec_i64", skip_serializing_if = "Option::is_none")]
        list: Option<Vec<i64>>,
        #[serde(default, deserialize_with = "super::opt_string", skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, deserialize_with = "super::opt", skip_serializing_if = "Option::is_none")]
        inner: Option<Inner>,
        #[serde(default, deserialize_with = "super::list", skip_serializing_if = "Vec::is_empty")]
        errors: Vec<Inner>,
        #[serde(default, deserialize_with = "super::opt_vec_string", skip_serializing_if = "Option::is_none")]
        names: Option<Vec<String>>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Inner {
        #[serde(deserialize_with = "super::string")]
        code: String,
        #[serde(default, deserialize_with = "super::opt_i64", skip_serializing_if = "Option::is_none")]
        n: Option<i64>,
    }

    fn parse(s: &str) -> Result<T, String> {
        let de = &mut serde_json::Deserializer::from_str(s);
        serde_path_to_error::deserialize(de).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    #[test]
    fn numbers_and_strings_read_the_same() {
        let a = parse(r#"{"id":42,"years":2,"price":9.5,"tax":0,"flag":true,"maybe":false,"list":[1,2],"name":7}"#)
            .unwrap();
        let b = parse(
            r#"{"id":"42","years":" 2 ","price":"9.50","tax":"0.00","flag":"1","maybe":"0","list":["1",2],"name":"7"}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.id, 42);
        assert_eq!(a.list, Some(vec![1, 2]));
        assert_eq!(a.name.as_deref(), Some("7"));
    }

    #[test]
    fn booleans_from_numbers_and_strings() {
        for (raw, want) in [("true", true), ("1", true), ("\"true\"", true), ("\"TRUE\"", true), ("\"1\"", true)] {
            assert_eq!(parse(&format!(r#"{{"flag":{raw}}}"#)).unwrap().flag, want, "{raw}");
        }
        for (raw, want) in [("false", false), ("0", false), ("\"false\"", false), ("\"0\"", false)] {
            assert_eq!(parse(&format!(r#"{{"flag":{raw}}}"#)).unwrap().flag, want, "{raw}");
        }
        assert_eq!(parse(r#"{"maybe":false}"#).unwrap().maybe, Some(false), "false is a value for a boolean");
        assert!(parse(r#"{"flag":2}"#).is_err());
        assert!(parse(r#"{"flag":"yes please"}"#).is_err());
    }

    #[test]
    fn null_false_and_empty_mean_absent_for_optionals() {
        let t = parse(r#"{"years":null,"tax":"","list":null,"name":false,"inner":false,"names":""}"#).unwrap();
        assert_eq!(t, T::default());
        let t = parse(r#"{"years":false,"name":"","inner":"","list":false,"names":null}"#).unwrap();
        assert_eq!(t, T::default());
        let t = parse(r#"{"inner":null,"name":null}"#).unwrap();
        assert_eq!(t, T::default());
        assert_eq!(parse("{}").unwrap(), T::default());
    }

    #[test]
    fn lists_from_php_shapes() {
        assert_eq!(parse(r#"{"list":{}}"#).unwrap().list, Some(vec![]), "{{}} is an empty list");
        assert_eq!(parse(r#"{"list":{"0":"5","1":6}}"#).unwrap().list, Some(vec![5, 6]));
        assert_eq!(parse(r#"{"names":"a.example"}"#).unwrap().names, Some(vec!["a.example".to_owned()]));
        assert_eq!(parse(r#"{"errors":{}}"#).unwrap().errors, vec![]);
        assert_eq!(parse(r#"{"errors":null}"#).unwrap().errors, vec![]);
    }

    #[test]
    fn errors_as_object_or_array() {
        let one = parse(r#"{"errors":{"code":"not_found","n":"3"}}"#).unwrap();
        let many = parse(r#"{"errors":[{"code":"not_found","n":3}]}"#).unwrap();
        assert_eq!(one.errors, many.errors);
        assert_eq!(one.errors, vec![Inner { code: "not_found".into(), n: Some(3) }]);
    }

    #[test]
    fn nested_optionals_keep_their_paths() {
        let err = parse(r#"{"inner":{"code":"x","n":"not a number"}}"#).unwrap_err();
        assert!(err.starts_with("inner.n:"), "{err}");
        let err = parse(r#"{"errors":[{"code":"a"},{"code":null}]}"#).unwrap_err();
        assert!(err.starts_with("errors[1].code:"), "{err}");
        let err = parse(r#"{"errors":{"0":{"code":"a"},"1":{"n":1}}}"#).unwrap_err();
        assert!(err.contains("missing field `code`"), "{err}");
    }

    #[test]
    fn required_strings_are_never_invented() {
        #[derive(Debug, Deserialize)]
        struct Created {
            #[serde(deserialize_with = "super::string")]
            #[allow(dead_code)]
            id: String,
        }
        for body in [r#"{}"#, r#"{"id":null}"#, r#"{"id":false}"#] {
            assert!(serde_json::from_str::<Created>(body).is_err(), "{body}");
        }
        assert_eq!(serde_json::from_str::<Created>(r#"{"id":12}"#).unwrap().id, "12");
    }

    #[test]
    fn integral_floats_are_integers_but_fractions_are_not() {
        assert_eq!(parse(r#"{"id":3.0}"#).unwrap().id, 3);
        assert_eq!(parse(r#"{"id":"3.0"}"#).unwrap().id, 3);
        assert!(parse(r#"{"id":3.5}"#).is_err());
        assert!(parse(r#"{"id":"abc"}"#).is_err());
        assert!(parse(r#"{"id":null}"#).is_err());
        assert!(parse(r#"{"id":1e300}"#).is_err());
        assert!(parse(r#"{"price":"NaN"}"#).is_err());
    }

    #[test]
    fn errors_name_the_path_and_type_but_never_the_value() {
        let err = parse(r#"{"list":[1,"s3cr3t-value"]}"#).unwrap_err();
        assert!(err.starts_with("list[1]:"), "{err}");
        assert!(err.contains("found a string"), "{err}");
        assert!(!err.contains("s3cr3t"), "{err}");
        let err = parse(r#"{"id":{"key":"s3cr3t"}}"#).unwrap_err();
        assert!(err.contains("found an object") && !err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn scrub_drops_quoted_values() {
        use super::scrub;
        assert_eq!(scrub(r#"invalid type: string "s3cr3t", expected i64"#), "invalid type: string, expected i64");
        assert_eq!(
            scrub("invalid value: integer `5`, expected a boolean at line 1 column 9"),
            "invalid value: integer, expected a boolean at line 1 column 9"
        );
        assert_eq!(scrub("unknown variant `s3cr3t`, expected `a` or `b`"), "unknown variant, expected `a` or `b`");
        assert_eq!(scrub("invalid type: map, expected a string"), "invalid type: map, expected a string");
        assert_eq!(scrub("missing field `id`"), "missing field `id`");
    }

    #[test]
    fn serialization_stays_strict() {
        let t = parse(r#"{"id":"7","flag":"1","tax":"1.5"}"#).unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"id":7,"price":0.0,"tax":1.5,"flag":true}"#);
    }

    proptest::proptest! {
        #[test]
        fn any_i64_reads_from_number_or_string(n: i64, pad in "[ ]{0,2}") {
            let from_num = parse(&format!(r#"{{"id":{n},"years":{n}}}"#)).unwrap();
            let from_str = parse(&format!(r#"{{"id":"{pad}{n}{pad}","years":"{n}"}}"#)).unwrap();
            proptest::prop_assert_eq!(from_num.id, n);
            proptest::prop_assert_eq!(from_str.id, n);
            proptest::prop_assert_eq!(from_str.years, Some(n));
        }

        #[test]
        fn any_finite_f64_reads_from_number_or_string(f in proptest::num::f64::NORMAL | proptest::num::f64::ZERO) {
            let from_num = parse(&format!(r#"{{"price":{}}}"#, serde_json::to_string(&f).unwrap())).unwrap();
            let from_str = parse(&format!(r#"{{"price":"{f}"}}"#)).unwrap();
            // serde_json's default float parser may be off by one ulp; the string path is exact.
            proptest::prop_assert!((from_num.price - f).abs() <= f.abs() * 1e-15, "{} vs {f}", from_num.price);
            proptest::prop_assert_eq!(from_str.price, f);
        }

        #[test]
        fn any_bool_reads_from_bool_number_or_string(b: bool) {
            let n = u8::from(b);
            for raw in [b.to_string(), n.to_string(), format!("\"{b}\""), format!("\"{n}\"")] {
                let t = parse(&format!(r#"{{"flag":{raw},"maybe":{raw}}}"#)).unwrap();
                proptest::prop_assert_eq!(t.flag, b);
                proptest::prop_assert_eq!(t.maybe, Some(b));
            }
        }

        #[test]
        fn any_string_reads_and_numbers_read_as_their_text(s in "\\PC{1,20}", n: i64) {
            let q = serde_json::to_string(&s).unwrap();
            let t = parse(&format!(r#"{{"name":{q},"names":[{q},{n}]}}"#)).unwrap();
            let want = if s.trim().is_empty() { None } else { Some(s.clone()) };
            proptest::prop_assert_eq!(t.name, want);
            proptest::prop_assert_eq!(t.names, Some(vec![s.clone(), n.to_string()]));
        }

        #[test]
        fn lists_read_alike_from_an_array_or_a_php_object(items in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..8)) {
            let arr = serde_json::to_string(&items).unwrap();
            let obj = format!("{{{}}}", items.iter().enumerate().map(|(i, n)| format!("\"{i}\":\"{n}\"")).collect::<Vec<_>>().join(","));
            proptest::prop_assert_eq!(parse(&format!(r#"{{"list":{arr}}}"#)).unwrap().list, Some(items.clone()));
            proptest::prop_assert_eq!(parse(&format!(r#"{{"list":{obj}}}"#)).unwrap().list, Some(items.clone()));
        }

        #[test]
        fn errors_never_echo_the_value(secret in "[a-zA-Z0-9]{8,16}") {
            let body = format!(r#"{{"id":"{secret}x","list":["{secret}"],"errors":{{"code":{{"k":"{secret}"}}}}}}"#);
            let err = parse(&body).unwrap_err();
            proptest::prop_assert!(!err.contains(&secret), "{}", err);
        }
    }
}
