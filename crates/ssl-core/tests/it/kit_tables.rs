//! `kit::pick` and `kit::fill`: a table of (wire field, source) rows writes a wire value through its tolerant reader.

use serde::{Deserialize, Serialize};
use serde_json::json;
use ssl_core::kit::{self, FieldMap};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Wire {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "ssl_core::lenient::opt_bool")]
    flag: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inner: Option<Inner>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Inner {
    #[serde(deserialize_with = "ssl_core::lenient::i64")]
    id: i64,
}

const TABLE: &[FieldMap] = &[("name", "admin.first_name"), ("flag", "flag"), ("inner.id", "container_id")];

#[test]
fn pick_reads_dotted_paths_and_leaves_out_blanks_and_nulls() {
    let from = json!({"admin": {"first_name": "  Ada  "}, "flag": null, "container_id": ""});
    assert_eq!(kit::pick(&from, TABLE.iter().copied()), vec![("name", json!("Ada"))]);
}

#[test]
fn fill_writes_nested_fields_through_the_tolerant_reader() {
    let from = json!({"admin": {"first_name": "Ada"}, "flag": "1", "container_id": "42"});
    let mut problems = Vec::new();
    let wire = kit::fill(Wire::default(), kit::pick(&from, TABLE.iter().copied()), &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(wire, Wire { name: "Ada".into(), flag: Some(true), inner: Some(Inner { id: 42 }) });
}

#[test]
fn a_value_the_wire_type_refuses_is_a_problem_naming_the_field_and_never_the_value() {
    let from = json!({"container_id": "forty-two-secret"});
    let mut problems = Vec::new();
    let before = Wire { name: "kept".into(), ..Wire::default() };
    let wire = kit::fill(before, kit::pick(&from, TABLE.iter().copied()), &mut problems);
    assert_eq!(wire.name, "kept", "the wire value comes back unchanged");
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0].code.as_str(), problems[0].field.as_deref()), ("option_type", Some("inner.id")));
    assert!(!problems[0].message.contains("forty-two-secret"), "{}", problems[0].message);
}
