//! Tolerant readers for numbers and booleans, used by generated types as
//! `#[serde(deserialize_with = "::ssl_core::lenient::opt_i64", default)]`.
//!
//! Provider APIs send `"id": 42` and `"id": "42"` for the same field, and `true`, `1` or `"1"` for the same flag.
//! These functions accept all of them when reading; serialization stays strict (numbers as numbers, booleans as
//! booleans), so what we send never depends on what we were sent.
//!
//! | reader            | accepts                                                                 |
//! |-------------------|-------------------------------------------------------------------------|
//! | `i64`             | a JSON integer, an integral float (`3.0`), or a string holding either   |
//! | `f64`             | a JSON number or a string holding a finite number                       |
//! | `bool`            | `true`/`false`, `0`/`1`, and the strings `"true"`, `"false"`, `"1"`, `"0"` (any case, trimmed) |
//!
//! The `opt_` variants also read `null` and `""` as `None`; the `vec_` variants read arrays of the same.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde_json::Value;

fn describe(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 { format!("{}…", s.chars().take(40).collect::<String>()) } else { s }
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
    parsed.ok_or_else(|| format!("expected an integer or a string holding one, found {}", describe(v)))
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
    parsed.ok_or_else(|| format!("expected a number or a string holding one, found {}", describe(v)))
}

fn to_bool(v: &Value) -> Result<bool, String> {
    let parsed = match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => {
            let f = n.as_f64();
            if f == Some(0.0) {
                Some(false)
            } else if f == Some(1.0) {
                Some(true)
            } else {
                None
            }
        }
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| format!("expected true, false, 0, 1 or a string holding one, found {}", describe(v)))
}

fn is_absent(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn one<'de, D: Deserializer<'de>, T>(d: D, f: fn(&Value) -> Result<T, String>) -> Result<T, D::Error> {
    let v = Value::deserialize(d)?;
    f(&v).map_err(D::Error::custom)
}

fn opt<'de, D: Deserializer<'de>, T>(d: D, f: fn(&Value) -> Result<T, String>) -> Result<Option<T>, D::Error> {
    let v = Value::deserialize(d)?;
    if is_absent(&v) { Ok(None) } else { f(&v).map(Some).map_err(D::Error::custom) }
}

fn many<'de, D: Deserializer<'de>, T>(d: D, f: fn(&Value) -> Result<T, String>) -> Result<Vec<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Array(items) => {
            items.iter().enumerate().map(|(i, v)| f(v).map_err(|e| D::Error::custom(format!("[{i}]: {e}")))).collect()
        }
        other => Err(D::Error::custom(format!("expected an array, found {}", describe(&other)))),
    }
}

fn opt_many<'de, D: Deserializer<'de>, T>(
    d: D,
    f: fn(&Value) -> Result<T, String>,
) -> Result<Option<Vec<T>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| f(v).map_err(|e| D::Error::custom(format!("[{i}]: {e}"))))
            .collect::<Result<Vec<T>, _>>()
            .map(Some),
        other => Err(D::Error::custom(format!("expected an array, found {}", describe(&other)))),
    }
}

/// An `i64` from a JSON number or a numeric string.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    one(d, to_i64)
}

/// An optional `i64`; `null` and `""` read as `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    opt(d, to_i64)
}

/// An array of `i64`, each a number or a numeric string.
pub fn vec_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    many(d, to_i64)
}

/// An optional array of `i64`; `null` reads as `None`.
pub fn opt_vec_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    opt_many(d, to_i64)
}

/// An `f64` from a JSON number or a numeric string.
pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    one(d, to_f64)
}

/// An optional `f64`; `null` and `""` read as `None`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    opt(d, to_f64)
}

/// An array of `f64`, each a number or a numeric string.
pub fn vec_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    many(d, to_f64)
}

/// An optional array of `f64`; `null` reads as `None`.
pub fn opt_vec_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<f64>>, D::Error> {
    opt_many(d, to_f64)
}

/// A `bool` from `true`/`false`, `0`/`1`, or the strings `"true"`, `"false"`, `"1"`, `"0"`.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    one(d, to_bool)
}

/// An optional `bool`; `null` and `""` read as `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    opt(d, to_bool)
}

/// An array of `bool`, each read as by [`bool()`].
pub fn vec_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<bool>, D::Error> {
    many(d, to_bool)
}

/// An optional array of `bool`; `null` reads as `None`.
pub fn opt_vec_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<bool>>, D::Error> {
    opt_many(d, to_bool)
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
    }

    fn parse(s: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn numbers_and_strings_read_the_same() {
        let a = parse(r#"{"id":42,"years":2,"price":9.5,"tax":0,"flag":true,"maybe":false,"list":[1,2]}"#).unwrap();
        let b = parse(r#"{"id":"42","years":" 2 ","price":"9.50","tax":"0.00","flag":"1","maybe":"0","list":["1",2]}"#)
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.id, 42);
        assert_eq!(a.list, Some(vec![1, 2]));
    }

    #[test]
    fn booleans_from_numbers_and_strings() {
        for (raw, want) in [("true", true), ("1", true), ("\"true\"", true), ("\"TRUE\"", true), ("\"1\"", true)] {
            assert_eq!(parse(&format!(r#"{{"flag":{raw}}}"#)).unwrap().flag, want, "{raw}");
        }
        for (raw, want) in [("false", false), ("0", false), ("\"false\"", false), ("\"0\"", false)] {
            assert_eq!(parse(&format!(r#"{{"flag":{raw}}}"#)).unwrap().flag, want, "{raw}");
        }
        assert!(parse(r#"{"flag":2}"#).is_err());
        assert!(parse(r#"{"flag":"yes please"}"#).is_err());
    }

    #[test]
    fn absent_null_and_empty_optionals_are_none() {
        let t = parse(r#"{"years":null,"tax":"","maybe":null,"list":null}"#).unwrap();
        assert_eq!(t, T::default());
        assert_eq!(parse("{}").unwrap(), T::default());
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
    fn errors_name_the_value_and_the_path() {
        let err = parse(r#"{"list":[1,"x"]}"#).unwrap_err().to_string();
        assert!(err.contains("[1]") && err.contains("\"x\""), "{err}");
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
    }
}
