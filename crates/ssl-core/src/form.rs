//! The form body's two steps without a detour: [`fields`] reads a value's top-level fields straight from its
//! `Serialize` impl (no `serde_json::Value` in between), [`encode`] writes `application/x-www-form-urlencoded`
//! bytes with a table. Both give exactly what the general path gives ([`crate::Body::form`] through a `Value`,
//! `serde_urlencoded` for the bytes); a value whose shape the fast reader does not take (a nested object, a
//! float, a non-string map key, a failing `Serialize` impl) makes [`fields`] say [`Fallback`] and the caller
//! takes the general path, so every message and edge case stays the general path's. Tests compare both.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// The fast reader does not take this value: use the general path.
#[derive(Debug)]
pub(crate) struct Fallback;

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a flat form value")
    }
}

impl std::error::Error for Fallback {}

impl ser::Error for Fallback {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Self
    }
}

/// The top-level fields of `value` as text, in order, `null`/absent ones left out; lists comma-joined.
pub(crate) fn fields<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, Fallback> {
    let mut out = Fields(Vec::new());
    value.serialize(Top(&mut out))?;
    Ok(out.0.into_iter().filter_map(|(k, v)| Some((k, v?))).collect())
}

/// Fields in order; a repeated key keeps its first place and takes the last value (as a map of JSON does).
struct Fields(Vec<(String, Option<String>)>);

impl Fields {
    fn put(&mut self, key: String, value: Option<String>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }
}

/// The top level: a struct or a map (through `Some` and newtypes); anything else falls back.
struct Top<'a>(&'a mut Fields);

macro_rules! fallback {
    ($($name:ident($($t:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $t),*) -> Result<Self::Ok, Self::Error> { Err(Fallback) })*
    };
}

/// The compound forms a serializer refuses (the caller then takes the `serde_json::Value` route).
macro_rules! refuse {
    ($($form:ident),* $(,)?) => { $(refuse!(@ $form);)* };
    (@ newtype_variant) => {
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self, _: &'static str, _: u32, _: &'static str, _: &T,
        ) -> Result<Self::Ok, Fallback> {
            Err(Fallback)
        }
    };
    (@ seq) => {
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Fallback> {
            Err(Fallback)
        }
    };
    (@ tuple) => {
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Fallback> {
            Err(Fallback)
        }
    };
    (@ tuple_struct) => {
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Fallback> {
            Err(Fallback)
        }
    };
    (@ tuple_variant) => {
        fn serialize_tuple_variant(
            self, _: &'static str, _: u32, _: &'static str, _: usize,
        ) -> Result<Self::SerializeTupleVariant, Fallback> {
            Err(Fallback)
        }
    };
    (@ map) => {
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Fallback> {
            Err(Fallback)
        }
    };
    (@ struct) => {
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Fallback> {
            Err(Fallback)
        }
    };
    (@ struct_variant) => {
        fn serialize_struct_variant(
            self, _: &'static str, _: u32, _: &'static str, _: usize,
        ) -> Result<Self::SerializeStructVariant, Fallback> {
            Err(Fallback)
        }
    };
}

impl<'a> ser::Serializer for Top<'a> {
    type Ok = ();
    type Error = Fallback;
    type SerializeSeq = Impossible<(), Fallback>;
    type SerializeTuple = Impossible<(), Fallback>;
    type SerializeTupleStruct = Impossible<(), Fallback>;
    type SerializeTupleVariant = Impossible<(), Fallback>;
    type SerializeMap = MapFields<'a>;
    type SerializeStruct = StructFields<'a>;
    type SerializeStructVariant = Impossible<(), Fallback>;

    fallback!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Fallback> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Fallback> {
        value.serialize(self)
    }
    refuse!(newtype_variant, seq, tuple, tuple_struct, tuple_variant, struct_variant);
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Fallback> {
        Ok(MapFields { out: self.0, key: None })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Self::SerializeStruct, Fallback> {
        self.0.0.reserve(len);
        Ok(StructFields(self.0))
    }
}

struct StructFields<'a>(&'a mut Fields);

impl ser::SerializeStruct for StructFields<'_> {
    type Ok = ();
    type Error = Fallback;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Fallback> {
        let text = value.serialize(Text)?;
        // A struct's fields are distinct (a flattened one serializes as a map).
        self.0.0.push((key.to_owned(), text));
        Ok(())
    }
    fn end(self) -> Result<(), Fallback> {
        Ok(())
    }
}

struct MapFields<'a> {
    out: &'a mut Fields,
    key: Option<String>,
}

impl ser::SerializeMap for MapFields<'_> {
    type Ok = ();
    type Error = Fallback;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Fallback> {
        // Only string keys here; serde_json's other key rules (numbers as text, errors) are the general path's.
        self.key = Some(key.serialize(StrOnly)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        let key = self.key.take().ok_or(Fallback)?;
        let text = value.serialize(Text)?;
        self.out.put(key, text);
        Ok(())
    }
    fn end(self) -> Result<(), Fallback> {
        Ok(())
    }
}

/// One field's value as text: a string as it is, a number or boolean as JSON writes it, a unit variant by name,
/// a list comma-joined (nulls left out), `None` for null. Objects, floats and bytes fall back.
struct Text;

impl ser::Serializer for Text {
    type Ok = Option<String>;
    type Error = Fallback;
    type SerializeSeq = Joined;
    type SerializeTuple = Joined;
    type SerializeTupleStruct = Joined;
    type SerializeTupleVariant = Impossible<Option<String>, Fallback>;
    type SerializeMap = Impossible<Option<String>, Fallback>;
    type SerializeStruct = Impossible<Option<String>, Fallback>;
    type SerializeStructVariant = Impossible<Option<String>, Fallback>;

    fn serialize_bool(self, v: bool) -> Result<Self::Ok, Fallback> {
        Ok(Some(if v { "true" } else { "false" }.to_owned()))
    }
    fn serialize_i8(self, v: i8) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i16(self, v: i16) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i32(self, v: i32) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u16(self, v: u16) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u32(self, v: u32) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_char(self, v: char) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Self::Ok, Fallback> {
        Ok(Some(v.to_owned()))
    }
    fn serialize_none(self) -> Result<Self::Ok, Fallback> {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Fallback> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, Fallback> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, Fallback> {
        Ok(None)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Self::Ok, Fallback> {
        Ok(Some(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<Self::Ok, Fallback> {
        value.serialize(self)
    }
    fallback!(serialize_f32(f32), serialize_f64(f64), serialize_bytes(&[u8]));
    refuse!(newtype_variant, tuple_variant, map, struct, struct_variant);
    fn serialize_seq(self, len: Option<usize>) -> Result<Joined, Fallback> {
        Ok(Joined(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Joined, Fallback> {
        Ok(Joined(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Joined, Fallback> {
        Ok(Joined(Vec::with_capacity(len)))
    }
}

/// A list's entries, joined with `,` at the end (nulls left out).
struct Joined(Vec<String>);

impl Joined {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        if let Some(t) = value.serialize(Text)? {
            self.0.push(t);
        }
        Ok(())
    }
}

impl ser::SerializeSeq for Joined {
    type Ok = Option<String>;
    type Error = Fallback;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        self.push(value)
    }
    fn end(self) -> Result<Option<String>, Fallback> {
        Ok(Some(self.0.join(",")))
    }
}

impl ser::SerializeTuple for Joined {
    type Ok = Option<String>;
    type Error = Fallback;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        self.push(value)
    }
    fn end(self) -> Result<Option<String>, Fallback> {
        Ok(Some(self.0.join(",")))
    }
}

impl ser::SerializeTupleStruct for Joined {
    type Ok = Option<String>;
    type Error = Fallback;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fallback> {
        self.push(value)
    }
    fn end(self) -> Result<Option<String>, Fallback> {
        Ok(Some(self.0.join(",")))
    }
}

/// Accepts a string and nothing else (map keys).
struct StrOnly;

impl ser::Serializer for StrOnly {
    type Ok = String;
    type Error = Fallback;
    type SerializeSeq = Impossible<String, Fallback>;
    type SerializeTuple = Impossible<String, Fallback>;
    type SerializeTupleStruct = Impossible<String, Fallback>;
    type SerializeTupleVariant = Impossible<String, Fallback>;
    type SerializeMap = Impossible<String, Fallback>;
    type SerializeStruct = Impossible<String, Fallback>;
    type SerializeStructVariant = Impossible<String, Fallback>;

    fn serialize_str(self, v: &str) -> Result<String, Fallback> {
        Ok(v.to_owned())
    }
    fallback!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Fallback> {
        Err(Fallback)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<String, Fallback> {
        value.serialize(self)
    }
    refuse!(newtype_variant, seq, tuple, tuple_struct, tuple_variant, map, struct, struct_variant);
}

/// `application/x-www-form-urlencoded` as the `url` crate writes it (`serde_urlencoded`): `*-._`, ASCII letters
/// and digits as they are, space as `+`, every other byte `%XX` (upper-case hex); pairs `k=v` joined with `&`.
pub(crate) fn encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        out.reserve(k.len() + v.len() + 2);
        if i > 0 {
            out.push(b'&');
        }
        encode_into(k.as_bytes(), &mut out);
        out.push(b'=');
        encode_into(v.as_bytes(), &mut out);
    }
    out
}

const fn unchanged(b: u8) -> bool {
    matches!(b, b'*' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

const KEEP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = unchanged(i as u8);
        i += 1;
    }
    t
};

fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = bytes;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !KEEP[b as usize]).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..run]);
        let Some(&b) = rest.get(run) else { break };
        if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
        }
        rest = &rest[run + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Body;
    use serde_json::json;
    use std::collections::{BTreeMap, HashMap};

    fn same<T: Serialize>(value: &T) {
        let (fast, general) = (Body::form(value), Body::form_via_value(value));
        assert_eq!(format!("{fast:?}"), format!("{general:?}"));
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Method {
        Dns,
        #[serde(rename = "HTTP")]
        Http,
        Tagged(u8),
    }

    #[derive(Serialize)]
    struct Id(i64);

    #[derive(Serialize)]
    struct Inner {
        a: u8,
    }

    #[derive(Serialize)]
    struct Order {
        product_id: i64,
        csr: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        dns_names: Option<Vec<String>>,
        approver_email: Option<String>,
        method: Method,
        other: Method,
        flag: bool,
        small: u8,
        neg: i16,
        big: u64,
        letter: char,
        nothing: (),
        id: Id,
        pair: (i32, &'static str),
        with_nulls: Vec<Option<String>>,
        nested: Vec<Vec<u8>>,
        empty: Vec<String>,
    }

    #[derive(Serialize)]
    struct Flat {
        x: i32,
        #[serde(flatten)]
        rest: BTreeMap<String, Option<String>>,
    }

    fn order() -> Order {
        Order {
            product_id: 71,
            csr: "-----BEGIN CERTIFICATE REQUEST-----\nMIIB+/=\n".into(),
            dns_names: Some(vec!["a.example".into(), " b.example ".into()]),
            approver_email: None,
            method: Method::Dns,
            other: Method::Http,
            flag: true,
            small: 0,
            neg: -3,
            big: u64::MAX,
            letter: 'é',
            nothing: (),
            id: Id(-1),
            pair: (1, "two"),
            with_nulls: vec![None, Some("x".into()), None, Some(String::new())],
            nested: vec![vec![1, 2], vec![], vec![3]],
            empty: vec![],
        }
    }

    #[test]
    fn the_direct_reader_gives_what_the_value_path_gives() {
        same(&order());
        same(&Some(order()));
        same(&Order { dns_names: None, approver_email: Some("a@b.example".into()), ..order() });
        same(&Flat { x: 1, rest: BTreeMap::from([("x".into(), Some("dup".into())), ("y".into(), None)]) });
        same(&Flat { x: 1, rest: BTreeMap::from([("x".into(), None), ("z".into(), Some("z".into()))]) });
        same(&BTreeMap::from([("b", "1"), ("a", "2")]));
        same(&json!({"a": 1, "b": null, "c": [1, null, "x", true], "d": "s", "e": false, "f": [[1, 2], []]}));
        same(&json!({}));
        // What the direct reader leaves to the value path, with its messages.
        same(&json!({"a": 1.5}));
        same(&json!({"a": {"b": 1}}));
        same(&json!({"a": [{"b": 1}]}));
        same(&HashMap::from([(1, "x")]));
        same(&HashMap::from([((1, 2), "x")]));
        same(&BTreeMap::from([("m", Method::Tagged(1))]));
        same(&BTreeMap::from([("n", 1u128)]));
        same(&BTreeMap::from([("i", Inner { a: 1 })]));
        same(&5);
        same(&"text");
        same(&vec![1, 2]);
        same(&None::<Order>);
        same(&());
        same(&Method::Dns);
        assert!(fields(&order()).is_ok() && fields(&json!({"a": [1, null]})).is_ok(), "the direct reader takes these");
        assert!(fields(&json!({"a": 1.5})).is_err() && fields(&5).is_err());
        let fast = Body::form(&order());
        assert!(matches!(&fast, Body::Form(f) if f.len() == 15), "{fast:?}");
        assert!(matches!(Body::form(&5), Body::Unserializable(_)));
    }

    #[test]
    fn encode_is_serde_urlencoded() {
        let every: String = (0u32..0x300).filter_map(char::from_u32).collect();
        let cases: Vec<(String, String)> = vec![
            ("a".into(), "b".into()),
            ("".into(), "".into()),
            ("csr".into(), "-----BEGIN CERTIFICATE REQUEST-----\nMIIB+/=\r\n-----END".into()),
            ("sp ace".into(), "x y&z=1%".into()),
            (every.clone(), every),
            ("é".into(), "日本語".into()),
        ];
        for n in 0..=cases.len() {
            let pairs: Vec<(&str, &str)> = cases[..n].iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(
                String::from_utf8(encode(pairs.iter().copied())).unwrap(),
                serde_urlencoded::to_string(&pairs).unwrap()
            );
        }
    }
}
