//! The DigiCert spec, checked through its generated code: the seed's order body is what the types write, the
//! constraints catch the seed's oddities, and the response types decode real-world bodies (shapes from the
//! DigiCert docs and the `riboseinc/digicert` fixtures, numbers sometimes as strings).
//!
//! The module is compiled here, inside xtask's tests, so the spec is exercised without the client crate.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../../crates/ssl-digicert/src/generated.rs"]
mod generated;

use generated::*;
use serde_json::json;
use ssl_core::model::{DcvMethod as Neutral, ValidationLevel};
use ssl_core::validate::Validate;
use ssl_core::{CallKind, Method as HttpMethod};

fn problems(v: &impl Validate) -> Vec<(String, String)> {
    v.validate().into_iter().map(|p| (p.code, p.field.unwrap_or_default())).collect()
}

fn seed_order() -> OrderRequest {
    OrderRequest::new(
        OrderCertificate::new("example.com", "<csr>")
            .dns_names(vec!["sub.example.com".to_string(), "log.example.com".to_string()])
            .server_platform(ServerPlatform::new(2)),
        DcvMethod::Email,
    )
    .comments("Message for the approver.")
    .container(ContainerRef::new(69748))
    .custom_renewal_message("Renew me.")
    .skip_approval(true)
    .disable_ct(false)
    .validity_years(1)
    .custom_fields(vec![CustomField::new(12, "Invoice #12345")])
    .payment_method(OrderRequestPaymentMethod::Balance)
    .dcv_emails(vec![
        DcvEmail::new("example.com", "example.com").email("admin@example.com"),
        DcvEmail::new("sub.example.com", "example.com").email("jim.smith@example.com"),
        DcvEmail::new("log.example.com", "example.com").email("it@example.com"),
    ])
    .locale("en")
    .technical_contact(
        TechnicalContact::new("Jim", "Smith", "555-555-5555", "jim.smith@example.com").job_title("IT Admin"),
    )
}

/// Facts 19, 21, 23, 26: the seed's body, without its `custom_expiration_date: ""` and with `disable_ct` as a bool.
#[test]
fn the_seed_order_serializes_as_documented() {
    let order = seed_order();
    assert!(order.validate().is_empty(), "{:?}", order.validate());
    let req = requests::place_order("ssl_dv_geotrust", &order);
    assert_eq!(
        (req.method, req.path.as_str(), req.kind),
        (HttpMethod::Post, "/order/certificate/ssl_dv_geotrust", CallKind::Spend)
    );
    assert_eq!(req.operation, "place_order");
    let value = &req.body.json_value().expect("a JSON body");
    assert_eq!(
        value,
        &json!({
            "certificate": {
                "common_name": "example.com",
                "dns_names": ["sub.example.com", "log.example.com"],
                "csr": "<csr>",
                "server_platform": {"id": 2}
            },
            "validity_years": 1,
            "comments": "Message for the approver.",
            "custom_renewal_message": "Renew me.",
            "payment_method": "balance",
            "dcv_method": "email",
            "dcv_emails": [
                {"dns_name": "example.com", "email_domain": "example.com", "email": "admin@example.com"},
                {"dns_name": "sub.example.com", "email_domain": "example.com", "email": "jim.smith@example.com"},
                {"dns_name": "log.example.com", "email_domain": "example.com", "email": "it@example.com"}
            ],
            "locale": "en",
            "skip_approval": true,
            "disable_ct": false,
            "container": {"id": 69748},
            "custom_fields": [{"metadata_id": 12, "value": "Invoice #12345"}],
            "technical_contact": {
                "first_name": "Jim", "last_name": "Smith", "telephone": "555-555-5555",
                "job_title": "IT Admin", "email": "jim.smith@example.com"
            }
        })
    );
}

/// Facts 21, 22, 26: every broken constraint at once, with wire paths.
#[test]
fn a_bad_order_reports_every_problem() {
    let order = OrderRequest::new(
        OrderCertificate::new("x".repeat(65), "").dns_names(vec![String::new(); 251]),
        DcvMethod::Unknown("http-file".into()),
    )
    .custom_expiration_date("")
    .validity_years(4)
    .validity_days(0)
    .payment_method(OrderRequestPaymentMethod::Unknown("cash".into()))
    .dcv_emails(vec![DcvEmail::new("a.example.com", "")])
    .technical_contact(TechnicalContact::new("Jim", "", "1", "j@example.com"));
    let got = problems(&order);
    let want = [
        ("length", "certificate.common_name"),
        ("items", "certificate.dns_names"),
        ("required", "certificate.csr"),
        ("enum", "validity_years"),
        ("range", "validity_days"),
        ("length", "custom_expiration_date"),
        ("enum", "payment_method"),
        ("enum", "dcv_method"),
        ("required", "dcv_emails[0].email_domain"),
        ("required", "technical_contact.last_name"),
    ];
    for (code, field) in want {
        assert!(got.contains(&(code.to_string(), field.to_string())), "missing {code} {field} in {got:?}");
    }
    assert!(got.iter().any(|(c, f)| c == "length" && f == "certificate.dns_names[250]"), "{got:?}");

    let none = OrderRequest::new(OrderCertificate::new("example.com", "<csr>"), DcvMethod::DnsTxtToken);
    assert_eq!(
        problems(&none),
        [("required".to_string(), "validity_years|validity_days|custom_expiration_date|order_validity".to_string())]
    );
    let bad_date = none.custom_expiration_date("2026/01/01");
    assert_eq!(problems(&bad_date), [("pattern".to_string(), "custom_expiration_date".to_string())]);
}

/// Fact 20: the three 201 shapes, ids as numbers or strings.
#[test]
fn order_created_shapes_decode() {
    let a: OrderCreated = serde_json::from_value(json!({"id": 6484932, "certificate_id": 6079436})).unwrap();
    assert_eq!((a.id, a.certificate_id, a.dcv_random_value), (6484932, Some(6079436), None));
    let b: OrderCreated = serde_json::from_value(
        json!({"id": "6484932", "certificate_id": "6079436", "dcv_random_value": "icru1984rnekfj"}),
    )
    .unwrap();
    assert_eq!((b.id, b.dcv_random_value.as_deref()), (6484932, Some("icru1984rnekfj")));
    let c: OrderCreated = serde_json::from_value(json!({
        "id": 123456789,
        "requests": [{"id": 987654321, "status": "approved"}],
        "certificate_id": 456789123,
        "certificate_chain": [
            {"subject_common_name": "*.example.com", "pem": "-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n"},
            {"subject_common_name": "DigiCert Global Root CA", "pem": "-----BEGIN CERTIFICATE-----\r\nMIIC\r\n-----END CERTIFICATE-----\r\n"}
        ]
    }))
    .unwrap();
    assert_eq!(c.requests.as_ref().map(|r| r[0].id), Some(987654321));
    assert_eq!(c.certificate_chain.as_ref().map(Vec::len), Some(2));
}

/// Issue 8: a create or info answer without its id is a decode error naming the path, never order `0`.
#[test]
fn a_missing_id_is_never_invented() {
    use ssl_core::operation::decode_body;
    for (op, body) in [
        ("place_order", &br#"{"certificate_id":6079436,"dcv_random_value":"x"}"#[..]),
        ("place_order", br#"{"id":null,"certificate_id":1}"#),
        ("place_order", br#"{"id":"","certificate_id":1}"#),
    ] {
        let err = decode_body::<OrderCreated>(op, 201, body).unwrap_err();
        assert!(matches!(&err, ssl_core::Error::Decode { path, .. } if path == "id"), "{err:?}");
    }
    let err = decode_body::<OrderInfo>("order_info", 200, br#"{"status":"issued","certificate":{"common_name":"a"}}"#)
        .unwrap_err();
    assert!(matches!(&err, ssl_core::Error::Decode { path, .. } if path == "id"), "{err:?}");
    let err =
        decode_body::<ReissueCreated>("reissue", 201, br#"{"requests":[{"id":1,"status":"pending"}]}"#).unwrap_err();
    assert!(err.to_string().contains("`id`"), "{err}");
    // Optional fields may be null, `false` or `""` (PHP-style absent).
    let ok = decode_body::<OrderCreated>(
        "place_order",
        201,
        br#"{"id":7,"certificate_id":null,"dcv_random_value":false,"requests":{}}"#,
    )
    .unwrap();
    assert_eq!((ok.id, ok.certificate_id, ok.dcv_random_value, ok.requests), (7, None, None, Some(vec![])));
}

#[test]
fn order_info_decodes_a_full_body_and_keeps_unknown_statuses() {
    let info: OrderInfo = serde_json::from_value(json!({
        "id": "123456789",
        "certificate": {
            "id": 112358, "thumbprint": "7D236B54D19D5EACF0881FAF24D51DFE5D23E945",
            "serial_number": "0669D46CAE79EF684A69777490602485", "common_name": "example.com",
            "dns_names": ["example.com"], "date_created": "2014-08-19T18:16:07+00:00",
            "valid_from": "2014-08-19", "valid_till": "2015-08-19", "csr": "---",
            "organization": {"id": 117483}, "organization_units": ["Unit"],
            "server_platform": {"id": "45", "name": "nginx", "install_url": "https://example.invalid/"},
            "signature_hash": "sha256", "key_size": "2048",
            "ca_cert": {"id": "f7slk4shv9s2wr3", "name": "Private CA"}
        },
        "status": "approved",
        "is_renewal": "1",
        "is_renewed": false,
        "renewed_order_id": 0,
        "date_created": "2014-08-19T18:16:07+00:00",
        "organization": {"name": "Example, Inc.", "display_name": "Example, Inc.", "is_active": true, "city": "Lindon", "state": "Utah", "country": "us"},
        "disable_renewal_notifications": 0,
        "container": {"id": 5, "name": "College of Science"},
        "product": {"name_id": "ssl_plus", "name": "SSL Plus", "type": "ssl_certificate", "validation_type": "ov"},
        "requests": [{"id": 1, "date": "2015-01-01T18:20:00+00:00", "type": "new_request", "status": "approved"}],
        "order_valid_till": "2027-08-19",
        "price": "293.00",
        "payment_method": "balance"
    }))
    .unwrap();
    assert_eq!(info.id, 123456789);
    assert_eq!(info.status, OrderStatusValue::Approved);
    let cert = info.certificate.as_ref().unwrap();
    assert_eq!((cert.id, cert.key_size), (Some(112358), Some(2048)));
    assert_eq!(cert.server_platform.as_ref().and_then(|p| p.id), Some(45));
    assert_eq!(
        (info.is_renewal, info.disable_renewal_notifications, info.price),
        (Some(true), Some(false), Some(293.0))
    );
    assert_eq!(info.product.as_ref().and_then(|p| p.r#type.as_deref()), Some("ssl_certificate"));

    let odd: OrderInfo = serde_json::from_value(json!({"id": 1, "status": "pending_reissue_v2"})).unwrap();
    assert_eq!(odd.status, OrderStatusValue::Unknown("pending_reissue_v2".into()));
    assert_eq!(serde_json::to_value(&odd).unwrap(), json!({"id": 1, "status": "pending_reissue_v2"}));
}

#[test]
fn listings_products_and_other_answers_decode() {
    let list: OrderList = serde_json::from_value(json!({
        "orders": [
            {"id": 556729, "certificate": {"common_name": "example.com", "dns_names": ["example.com", "www.example.com"], "valid_till": "2017-08-19", "signature_hash": "SHA256"},
             "status": "issued", "date_created": "2014-08-19T18:16:07+00:00", "organization": {"id": 117483, "name": "Example"},
             "validity_years": 3, "product": {"name_id": "ssl_plus", "name": "SSL Plus", "type": "ssl_certificate"}, "price": 293},
            {"id": "556730", "certificate": {"common_name": "example.com"}, "status": "needs_approval"}
        ],
        "page": {"total": "2", "limit": 1000, "offset": 0}
    }))
    .unwrap();
    let orders = &list.orders;
    assert_eq!((orders[1].id, &orders[1].status), (556730, &OrderStatusValue::NeedsApproval));
    assert_eq!(list.page.and_then(|p| p.total), Some(2));
    // An account without orders: DigiCert leaves `orders` out (or sends `{}`); that is an empty list.
    for body in [json!({"page": {"total": 0}}), json!({"orders": {}}), json!({"orders": null})] {
        let empty: OrderList = serde_json::from_value(body.clone()).unwrap();
        assert!(empty.orders.is_empty(), "{body}");
    }
    // A listed order without its id is an error, never order 0.
    let err = ssl_core::operation::decode_body::<OrderList>(
        "order_list",
        200,
        br#"{"orders":[{"id":1,"status":"issued"},{"status":"issued"}]}"#,
    )
    .unwrap_err();
    assert!(matches!(&err, ssl_core::Error::Decode { path, .. } if path == "orders[1].id"), "{err:?}");

    let product: ProductInfo = serde_json::from_value(json!({
        "group_name": "ssl_certificate", "name_id": "ssl_plus", "name": "SSL Plus", "type": "ssl_certificate",
        "duplicates_allowed": false, "allowed_validity_years": [1, "2", 3],
        "signature_hash_types": {"allowed_hash_types": [{"id": "sha256", "name": "SHA-256"}], "default_hash_type_id": "sha256"},
        "additional_dns_names_allowed": false, "csr_required": true, "allow_auto_renew": true,
        "server_platforms": [{"id": 2, "name": "Apache", "install_url": "http://example.invalid/"}]
    }))
    .unwrap();
    assert_eq!(product.allowed_validity_years, Some(vec![1, 2, 3]));
    assert_eq!(product.server_platforms.unwrap()[0].id, Some(2));

    let revoked: RevokeResponse = serde_json::from_value(json!({
        "id": 1, "date": "2016-02-10T17:06:15+00:00", "type": "revoke", "status": "pending",
        "requester": {"id": 242140, "first_name": "Jack", "last_name": "White", "email": "j.white@example.com"},
        "comments": "Revoked via API!"
    }))
    .unwrap();
    assert_eq!(revoked.requester.and_then(|r| r.id), Some(242140));

    let check: CheckDcvResponse =
        serde_json::from_value(json!({"order_status": "issued", "certificate_id": "9", "dcv_status": "valid"}))
            .unwrap();
    assert_eq!(check.certificate_id, Some(9));

    let errors: ErrorResponse =
        serde_json::from_value(json!({"errors": [{"code": "not_found|order", "message": "Order not found"}]})).unwrap();
    assert_eq!(errors.errors.unwrap()[0].code.as_deref(), Some("not_found|order"));
}

#[test]
fn every_operation_has_its_method_path_and_call_kind() {
    let body = RevokeRequest::new().comments("key compromise");
    let cases = [
        (requests::product_list(), HttpMethod::Get, "/product", CallKind::Read),
        (requests::product_info("ssl_plus"), HttpMethod::Get, "/product/ssl_plus", CallKind::Read),
        (requests::order_info("42"), HttpMethod::Get, "/order/certificate/42", CallKind::Read),
        (requests::order_list(None, None, None, None), HttpMethod::Get, "/order/certificate", CallKind::Read),
        (requests::validation_status("42"), HttpMethod::Get, "/order/certificate/42/validation", CallKind::Read),
        (requests::check_dcv("42"), HttpMethod::Put, "/order/certificate/42/check-dcv", CallKind::Write),
        (
            requests::change_dcv_method("42", &ChangeDcvMethodRequest::new(DcvMethod::DnsCnameToken)),
            HttpMethod::Put,
            "/order/certificate/42/dcv-method",
            CallKind::Write,
        ),
        (requests::dcv_random_value("42"), HttpMethod::Put, "/order/certificate/42/dcv-random-value", CallKind::Write),
        (requests::resend_dcv_emails("42"), HttpMethod::Put, "/order/certificate/42/resend-emails", CallKind::Write),
        (
            requests::reissue("42", &ReissueRequest::new(ReissueCertificate::new())),
            HttpMethod::Post,
            "/order/certificate/42/reissue",
            CallKind::Spend,
        ),
        (
            requests::duplicate("42", &DuplicateRequest::new(ReissueCertificate::new())),
            HttpMethod::Post,
            "/order/certificate/42/duplicate",
            CallKind::Spend,
        ),
        (
            requests::update_order_status("42", &StatusChangeRequest::new(StatusChangeRequestStatus::Canceled)),
            HttpMethod::Put,
            "/order/certificate/42/status",
            CallKind::Write,
        ),
        (
            requests::download_by_format("7", "pem_all"),
            HttpMethod::Get,
            "/certificate/7/download/format/pem_all",
            CallKind::Read,
        ),
        (requests::revoke_certificate("7", &body), HttpMethod::Put, "/certificate/7/revoke", CallKind::Write),
        (requests::revoke_order("42", &body), HttpMethod::Put, "/order/certificate/42/revoke", CallKind::Write),
        (
            requests::update_auto_reissue("42", &AutoReissueRequest::new(1)),
            HttpMethod::Put,
            "/order/certificate/42/auto-reissue",
            CallKind::Write,
        ),
    ];
    for (req, method, path, kind) in cases {
        assert_eq!((req.method, req.path.as_str(), req.kind), (method, path, kind), "{}", req.operation);
    }
    let status =
        requests::update_order_status("42", &StatusChangeRequest::new(StatusChangeRequestStatus::Canceled).note("dup"));
    let value = status.body.json_value().expect("a JSON body");
    assert_eq!(value, json!({"status": "CANCELED", "note": "dup"}));
    let list = requests::order_list(Some("a.example.com"), Some("pending"), Some("10"), Some("20"));
    assert_eq!(
        list.render_target(),
        "/order/certificate?filters%5Bcommon_name%5D=a.example.com&filters%5Bstatus%5D=pending&limit=10&offset=20"
    );
    assert_eq!(requests::order_info("a/b").path, "/order/certificate/a%2Fb", "path segments are encoded");
    assert!(problems(&AutoReissueRequest::new(2)).contains(&("enum".into(), "auto_reissue".into())));
}

#[test]
fn the_product_table_matches_the_brief() {
    let table = product_table();
    let get = |id: &str| table.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("{id} missing"));
    assert_eq!(table.len(), 16);
    for p in &table {
        assert_eq!(p.periods_months, vec![12, 24, 36], "{}", p.id);
        assert_eq!(
            p.dcv_methods,
            vec![Neutral::Email, Neutral::Dns, Neutral::DnsTxt, Neutral::DnsCname, Neutral::Http]
        );
        let ov_ev = p.validation != ValidationLevel::Dv;
        assert_eq!(p.required_fields == ["organization.id"], ov_ev, "{}", p.id);
        if p.validation == ValidationLevel::Ev {
            assert!(!p.wildcard, "EV never allows wildcards: {}", p.id);
        }
    }
    assert_eq!((get("ssl_dv_geotrust").wildcard, get("ssl_dv_geotrust").max_names), (false, Some(2)));
    assert_eq!((get("wildcard_dv_rapidssl").wildcard, get("wildcard_dv_rapidssl").max_names), (true, Some(2)));
    assert_eq!((get("cloud_dv_geotrust").wildcard, get("cloud_dv_geotrust").max_names), (true, Some(250)));
    assert_eq!(get("ssl_securesite_flex").validation, ValidationLevel::Ov);
    assert!(get("ssl_wildcard").wildcard);
}
