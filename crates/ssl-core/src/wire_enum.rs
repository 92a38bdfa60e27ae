//! The behaviour every generated wire enum shares (`Default`, `Display`, `FromStr`, tolerant `Deserialize`,
//! strict `Serialize`), written once here and stamped onto each enum by [`wire_enum_impls!`](crate::wire_enum_impls).
//!
//! A generated enum has one variant per known wire value plus `Unknown(String)`, and the inherent items
//! `VALUES`, `as_str()` and `from_wire()`; the macro builds the trait impls from those.

/// Parse user input (trimmed, any case) against the known wire values; the error lists them.
pub fn parse(input: &str, type_name: &str, values: &'static [&'static str]) -> Result<&'static str, String> {
    let t = input.trim();
    values
        .iter()
        .copied()
        .find(|v| v.eq_ignore_ascii_case(t))
        .ok_or_else(|| format!("unknown {type_name} `{input}`; expected one of {}", values.join(", ")))
}

/// Read a wire value tolerantly: a string as it is, any other JSON value as its JSON text (so it lands in
/// `Unknown` instead of failing the whole document).
pub fn deserialize_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match <serde_json::Value as serde::Deserialize>::deserialize(deserializer)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

/// Implement `Default` (`Unknown("")`, which `validate()` reports), `Display`, `FromStr`, `Serialize` and the
/// tolerant `Deserialize` for a generated wire enum.
#[macro_export]
macro_rules! wire_enum_impls {
    ($name:ident) => {
        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self::Unknown(::std::string::String::new())
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::std::string::String;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                $crate::wire_enum::parse(s, stringify!($name), Self::VALUES).map(Self::from_wire)
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire_enum::deserialize_text(deserializer).map(|s| Self::from_wire(&s))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Colour {
        Red,
        Unknown(String),
    }
    impl Colour {
        const VALUES: &'static [&'static str] = &["red"];
        fn as_str(&self) -> &str {
            match self {
                Self::Red => "red",
                Self::Unknown(s) => s,
            }
        }
        fn from_wire(s: &str) -> Self {
            match s {
                "red" => Self::Red,
                other => Self::Unknown(other.to_owned()),
            }
        }
    }
    crate::wire_enum_impls!(Colour);

    #[test]
    fn strict_writer_tolerant_reader() {
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), r#""red""#);
        assert_eq!(serde_json::from_str::<Colour>(r#""red""#).unwrap(), Colour::Red);
        assert_eq!(serde_json::from_str::<Colour>(r#""mauve""#).unwrap(), Colour::Unknown("mauve".into()));
        assert_eq!(serde_json::from_str::<Colour>("7").unwrap(), Colour::Unknown("7".into()));
        assert_eq!(" RED ".parse::<Colour>().unwrap(), Colour::Red);
        assert_eq!("mauve".parse::<Colour>().unwrap_err(), "unknown Colour `mauve`; expected one of red");
        assert_eq!(Colour::default(), Colour::Unknown(String::new()));
        assert_eq!(Colour::Red.to_string(), "red");
    }
}
