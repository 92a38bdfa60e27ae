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

#[test]
fn a_status_table_reads_raw_statuses_and_names_the_one_raw_status_of_a_neutral_one() {
    use ssl_core::model::{OrderStatus as S, StatusTable};
    const T: StatusTable = StatusTable::new(&[
        ("pending", S::PendingValidation),
        ("approved", S::Processing),
        ("processing", S::Processing),
        ("canceled", S::Cancelled),
    ]);
    assert_eq!(T.neutral(" Pending "), S::PendingValidation);
    assert_eq!(T.neutral("cancelled"), S::Cancelled);
    assert_eq!(T.neutral("CANCELED"), S::Cancelled);
    assert_eq!(T.neutral("on_hold"), S::Unknown);
    assert_eq!(T.get("on_hold"), None);
    assert_eq!(T.wire(S::PendingValidation), Some("pending"));
    assert_eq!(T.wire(S::Cancelled), Some("canceled"));
    assert_eq!(T.wire(S::Processing), None, "two raw statuses: the listing is filtered locally");
    assert_eq!(T.wire(S::Issued), None);
}

#[test]
fn a_token_check_publishes_digicerts_records() {
    use ssl_core::model::{DcvCheck, DcvMethod};
    let txt = kit::token_check(Some(DcvMethod::Dns), "*.example.com", Some("r1"), None, vec![]);
    let DcvCheck::Dns { record: Some(r), .. } = txt else { panic!("{txt:?}") };
    assert_eq!((r.name.as_str(), r.record_type.as_str(), r.value.as_str()), ("_dnsauth.example.com", "TXT", "r1"));
    let cname = kit::token_check(Some(DcvMethod::DnsCname), "a.example", Some("r2"), Some("dcv.example"), vec![]);
    let DcvCheck::Dns { record: Some(r), .. } = cname else { panic!("{cname:?}") };
    assert_eq!((r.name.as_str(), r.record_type.as_str(), r.value.as_str()), ("r2.a.example", "CNAME", "dcv.example"));
    let http = kit::token_check(Some(DcvMethod::Http), "a.example", Some("r3"), None, vec![]);
    let DcvCheck::Http { file: Some(f), .. } = http else { panic!("{http:?}") };
    assert_eq!(f.url, "http://a.example/.well-known/pki-validation/fileauth.txt");
    assert_eq!(kit::token_check(None, "a.example", Some("r"), None, vec![]), DcvCheck::Unknown);
}
