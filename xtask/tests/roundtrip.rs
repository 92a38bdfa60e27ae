//! Compiles the generated fixture module (`tests/fixture/generated.rs`, from `tests/fixture/spec.json`) and
//! checks what the generated code does: serde shapes, tolerant reading, `new` + setters, `validate()`, the
//! request functions and the product table.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "fixture/generated.rs"]
mod generated;

use generated::{Created, Line, Method, Order, OrderColor, requests};
use serde_json::json;
use ssl_core::validate::Validate;
use ssl_core::{Body, CallKind, Method as HttpMethod};

fn codes(order: &Order) -> Vec<(String, String)> {
    order.validate().into_iter().map(|p| (p.code, p.field.unwrap_or_default())).collect()
}

#[test]
fn required_fields_are_new_args_and_optionals_are_omitted() {
    let order = Order::new("box", Method::Email).years(1);
    assert_eq!(serde_json::to_value(&order).unwrap(), json!({"name": "box", "method": "email", "years": 1}));
    assert!(order.validate().is_empty(), "{:?}", order.validate());
}

#[test]
fn enums_round_trip_and_keep_unknown_values() {
    let order: Order =
        serde_json::from_value(json!({"name": "a", "method": "carrier-pigeon", "color": "dark-blue", "days": 3}))
            .unwrap();
    assert_eq!(order.method, Method::Unknown("carrier-pigeon".into()));
    assert_eq!(order.color, Some(OrderColor::DarkBlue));
    let back = serde_json::to_value(&order).unwrap();
    assert_eq!(back["method"], "carrier-pigeon");
    assert_eq!(back["color"], "dark-blue");

    assert_eq!("DNS-TXT-TOKEN".parse::<Method>().unwrap(), Method::DnsTxtToken);
    assert!("nope".parse::<Method>().unwrap_err().contains("email, dns-txt-token"));
    assert_eq!(Method::DnsTxtToken.to_string(), "dns-txt-token");
    assert_eq!(Method::VALUES, &["email", "dns-txt-token"]);
    assert_eq!(Method::from_wire("Email"), Method::Unknown("Email".into()), "wire reading is exact");
}

#[test]
fn numbers_and_booleans_read_leniently_but_write_strictly() {
    let c: Created =
        serde_json::from_value(json!({"id": "42", "price": "9.50", "paid": "1", "years": ["1", 2], "later": true}))
            .unwrap();
    assert_eq!((c.id, c.price, c.paid, c.years.clone()), (42, Some(9.5), Some(true), Some(vec![1, 2])));
    assert_eq!(serde_json::to_value(&c).unwrap(), json!({"id": 42, "price": 9.5, "paid": true, "years": [1, 2]}));
    let empty: Created = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty.id, 0, "a missing required field reads as its default");
}

#[test]
fn keywords_and_free_form_objects() {
    let o = Order::new("a", Method::Email).years(1).with_type("t").extra(json!({"k": [1]}));
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(v["type"], "t");
    assert_eq!(v["extra"], json!({"k": [1]}));
}

#[test]
fn validate_reports_every_violation_with_its_path() {
    let order = Order::new("", Method::Unknown(String::new()))
        .date("")
        .tags(vec!["a".to_string(), String::new(), "c".to_string()])
        .lines(vec![Line::new("x", 1), Line::new("", 0).note("")])
        .color(OrderColor::Unknown("green".into()))
        .ratio(1.5);
    assert_eq!(
        codes(&order),
        [
            ("required", "name"),
            ("required", "method"),
            ("length", "date"),
            ("items", "tags"),
            ("length", "tags[1]"),
            ("required", "lines[1].sku"),
            ("range", "lines[1].qty"),
            ("length", "lines[1].note"),
            ("enum", "color"),
            ("range", "ratio"),
            ("required", "years|days"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    let order = Order::new("much too long", Method::Unknown("x".into())).years(4).date("2026/01/01");
    assert_eq!(
        codes(&order),
        [("length", "name"), ("enum", "method"), ("enum", "years"), ("pattern", "date")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[test]
fn request_functions_are_pure_values() {
    let order = Order::new("box", Method::Email).days(2);
    let req = requests::create_order("w/1 2", &order, Some("true"));
    assert_eq!(req.method, HttpMethod::Post);
    assert_eq!(req.path, "/widgets/w%2F1%202/orders");
    assert_eq!(req.query, vec![("dry_run".to_string(), "true".to_string())]);
    assert_eq!(req.kind, CallKind::Spend);
    assert_eq!(req.operation, "create_order");
    let Body::Json { value, .. } = &req.body else { panic!("json body") };
    assert_eq!(value, &json!({"name": "box", "method": "email", "days": 2}));

    let req = requests::list_orders(None);
    assert_eq!((req.path.as_str(), req.query.len(), req.kind), ("/orders", 0, CallKind::Read));
    assert!(matches!(req.body, Body::Empty));
    assert_eq!(requests::list_orders(Some("issued")).render_target(), "/orders?filters%5Bstatus%5D=issued");
}

#[test]
fn product_table_is_generated() {
    let t = generated::product_table();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].id, "basic");
    assert_eq!(t[0].max_names, Some(2));
    assert_eq!(t[0].dcv_methods, vec![ssl_core::model::DcvMethod::Email, ssl_core::model::DcvMethod::Dns]);
    assert_eq!(t[1].validation, ssl_core::model::ValidationLevel::Ov);
    assert_eq!(t[1].max_names, None);
    assert_eq!(t[1].required_fields, vec!["organization.id".to_string()]);
}
