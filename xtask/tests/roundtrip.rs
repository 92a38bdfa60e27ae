//! Compiles the generated fixture module (`tests/fixture/generated.rs`, from `tests/fixture/spec.json`) and
//! checks what the generated code does: serde shapes, tolerant reading, `new` + setters, `validate()`, the
//! request functions and the product table.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "fixture/generated.rs"]
mod generated;

use generated::{Created, Line, Method, Order, OrderColor, ops, requests};
use serde_json::json;
use ssl_core::operation::Operation;
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
    let err = ssl_core::operation::decode_body::<Created>("create_order", 201, br#"{"price":"1"}"#).unwrap_err();
    match err {
        ssl_core::Error::Decode { path, .. } => assert_eq!(path, "id", "a missing id is an error at its path, never 0"),
        other => panic!("{other:?}"),
    }
    for body in [r#"{"id":null}"#, r#"{"id":false}"#, r#"{"id":"abc"}"#] {
        assert!(serde_json::from_str::<Created>(body).is_err(), "{body}");
    }
}

#[test]
fn php_shapes_read_as_absent_or_empty() {
    let c: Created = serde_json::from_value(json!({
        "id": 1, "price": "", "paid": null, "years": {}, "method": false, "note": false, "amount": "", "lines": {}
    }))
    .unwrap();
    assert_eq!(
        (c.price, c.paid, c.years.clone(), c.method.clone(), c.note.clone()),
        (None, None, Some(vec![]), None, None)
    );
    assert_eq!((c.amount.clone(), c.lines.clone()), (None, Some(vec![])));
    let c: Created =
        serde_json::from_value(json!({"id": 2, "note": 7, "lines": {"0": {"sku": "a", "qty": "1"}}})).unwrap();
    assert_eq!(c.note.as_deref(), Some("7"), "a number where a string is expected reads as its text");
    assert_eq!(c.lines.unwrap()[0].qty, 1, "a PHP object with numeric keys is a list");
}

#[test]
fn one_of_reads_by_shape_and_writes_what_was_chosen() {
    use generated::{Amount, Card, EmailContact, Invoice, LineContact, Payment, PhoneContact};
    let c: Created = serde_json::from_value(json!({"id": 1, "amount": 1250})).unwrap();
    assert_eq!(c.amount, Some(Amount::Cents(1250)));
    let c: Created = serde_json::from_value(json!({"id": 1, "amount": "12.50"})).unwrap();
    assert_eq!(c.amount, Some(Amount::Decimal("12.50".into())));
    assert_eq!(serde_json::to_value(Amount::Cents(5)).unwrap(), json!(5));
    // Discriminator first, whatever else the object holds.
    let p: Payment = serde_json::from_value(json!({"kind": "invoice", "po": "PO-1", "number": "4111"})).unwrap();
    assert_eq!(p, Payment::Invoice(Invoice::new("invoice", "PO-1")));
    let p: Payment = serde_json::from_value(json!({"kind": "card", "number": "4111"})).unwrap();
    assert_eq!(serde_json::to_value(&p).unwrap(), json!({"kind": "card", "number": "4111"}));
    // Without a discriminator: the first alternative whose required properties are present.
    let l: Line = serde_json::from_value(json!({"sku": "a", "qty": 1, "contact": {"phone": "+1"}})).unwrap();
    assert_eq!(l.contact, Some(LineContact::PhoneContact(PhoneContact::new("+1"))));
    let err = serde_json::from_value::<Line>(json!({"sku": "a", "qty": 1, "contact": {"fax": "s3cr3t"}})).unwrap_err();
    assert!(err.to_string().contains("matches none of the `oneOf` alternatives"), "{err}");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
    // validate() goes into the chosen alternative.
    let o = Order::new("a", Method::Email).years(1).payment(Payment::Card(Card::new("card", "41")));
    assert_eq!(codes(&o), [("length".to_string(), "payment.number".to_string())]);
    let l = Line::new("a", 1).contact(LineContact::EmailContact(EmailContact::new("x")));
    assert_eq!(l.validate()[0].field.as_deref(), Some("contact.email"));
}

#[test]
fn json_api_documents_are_generated_once_per_resource() {
    use generated::{
        NewTicket, NewTicketDocument, Ticket, TicketDocument, TicketListDocument, TicketRelationships, WatcherMeta,
        WatcherMetaRole,
    };
    use ssl_core::jsonapi::{Document, Identifier, ToMany, ToOne};
    let rels = TicketRelationships::new()
        .widget(ToOne::to("widget", "W1"))
        .watchers(ToMany::of(vec![Identifier::new("user", "U1").meta(WatcherMeta::new(WatcherMetaRole::Admin))]));
    let doc: NewTicketDocument = Document::new(NewTicket::new(Ticket::new("Broken")).relationships(rels));
    let op = ops::CreateTicket::new(doc.clone());
    let req = op.request();
    let value = &req.body.json_value().expect("json body");
    assert_eq!(req.body.media_type(), Some(ssl_core::MediaType::JsonApi), "declared as application/vnd.api+json");
    assert_eq!(
        *value,
        json!({"data": {"type": "ticket", "attributes": {"subject": "Broken"}, "relationships": {
            "widget": {"data": {"type": "widget", "id": "W1"}},
            "watchers": {"data": [{"type": "user", "id": "U1", "meta": {"role": "admin"}}]}
        }}})
    );
    assert!(op.validate().is_empty(), "{:?}", op.validate());
    // A required relationship and a required attribute are reported at their document paths.
    let bare = ops::CreateTicket::new(Document::new(NewTicket::new(Ticket::new(""))));
    let fields: Vec<String> = bare.validate().into_iter().filter_map(|p| p.field).collect();
    assert_eq!(fields, ["data.attributes.subject", "data.relationships.widget"]);
    // Answers: the id is required, numbers read as text, relationships may be null.
    let one: TicketDocument = serde_json::from_value(json!({"data": {"type": "ticket", "id": 7, "attributes": {"subject": "x", "priority": "2"}, "relationships": {"parent": {"data": null}}}})).unwrap();
    assert_eq!((one.data.id.as_str(), one.data.attributes.priority), ("7", Some(2)));
    let err = ssl_core::operation::decode_body::<TicketDocument>(
        "get_ticket",
        200,
        br#"{"data":{"type":"ticket","attributes":{"subject":"x"}}}"#,
    )
    .unwrap_err();
    assert!(matches!(&err, ssl_core::Error::Decode { path, .. } if path == "data.id"), "{err:?}");
    let list: TicketListDocument =
        serde_json::from_value(json!({"data": {}, "links": {"next": "https://api.example/tickets?page=2"}})).unwrap();
    assert!(list.data.is_empty());
    assert_eq!(list.next(), Some("https://api.example/tickets?page=2"));
    // Sparse fieldsets are ordinary query parameters.
    assert_eq!(
        ops::ListTickets::new().fields_ticket("subject,status").request().render_target(),
        "/tickets?fields%5Bticket%5D=subject%2Cstatus"
    );
}

#[test]
fn operations_are_typed_values() {
    let order = Order::new("box", Method::Email).days(2);
    let op = ops::CreateOrder::new("w1", order.clone());
    assert_eq!(ops::CreateOrder::NAME, "create_order");
    assert_eq!(op.kind(), CallKind::Spend);
    assert_eq!(ops::CreateOrder::ORDER_ID, Some("id"));
    assert_eq!(op.request().render_target(), requests::create_order("w1", &order, None).render_target());
    assert!(!op.is_quote());
    let quote = op.clone().dry_run("true");
    assert!(quote.is_quote(), "x-quote: dry_run=true asks for a quote");
    assert_eq!(quote.kind(), CallKind::Spend, "a quote is sent once, like a spend");
    let lookup = op.lookup().unwrap();
    assert_eq!(lookup.place, "GET /orders?filters[status]=pending");
    assert_eq!(lookup.match_on[0..2], ["name=box".to_string(), "widget=w1".to_string()]);
    assert!(lookup.match_on[2].starts_with("csr_sha256=") && lookup.match_on[2].len() == 11 + 64);
    // Blank path parameters and body problems are both reported; nothing would be sent.
    let bad = ops::CreateOrder::new(" ", Order::new("", Method::Email).days(2));
    let fields: Vec<String> = bad.validate().into_iter().filter_map(|p| p.field).collect();
    assert_eq!(fields, ["widget_id", "name"]);
    assert_eq!(<ops::DeleteTicket as Operation>::KIND, CallKind::Write);
    // Every operation's answer decoder is listed, for fuzzing.
    assert_eq!(ops::NAMES.len(), 8);
    for name in ops::NAMES {
        assert!(ops::decode_output(name, b"{}").is_some(), "{name}");
    }
    assert!(ops::decode_output("create_order", br#"{"id":"5"}"#).unwrap().is_ok());
    assert!(ops::decode_output("create_order", br#"{}"#).unwrap().is_err(), "a created order without an id");
    assert!(ops::decode_output("nope", b"{}").is_none());
}

#[test]
fn non_json_and_empty_answers() {
    let resp = ssl_core::Response::new("download_file", 200, vec![], b"-----BEGIN".to_vec());
    assert_eq!(ops::DownloadFile::new("w").decode(&resp).unwrap(), b"-----BEGIN".to_vec());
    let resp = ssl_core::Response::new("pay", 204, vec![], vec![]);
    let pay = ops::Pay::new(generated::Payment::Invoice(generated::Invoice::new("invoice", "PO")));
    pay.decode(&resp).unwrap();
    assert_eq!(pay.request().kind, CallKind::Write);
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
    let value = &req.body.json_value().expect("json body");
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
