//! Every fixture decodes with the generated types; the odd shapes read as documented.

use ssl_jsonapi::generated as g;

use crate::common::fixture;

#[test]
fn every_fixture_decodes() {
    let created: g::OrderDocument = serde_json::from_value(fixture("order_created.json")).unwrap();
    assert_eq!(created.data.id, "ORD7Q2");
    assert!(created.data.relationships.certificate.as_ref().unwrap().data.is_none());
    assert_eq!(created.data.attributes.order_reference, None);
    for f in
        ["order_checked_out_dcv.json", "order_delivered.json", "order_status_only.json", "order_unknown_status.json"]
    {
        let _: g::OrderDocument = serde_json::from_value(fixture(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    let products: g::ProductListDocument = serde_json::from_value(fixture("products.json")).unwrap();
    assert_eq!(products.data[1].attributes.can_be_ordered, Some(true), "\"1\" reads as true");
    assert_eq!(products.data[2].attributes.allowed_durations.as_deref(), Some(&[][..]), "{{}} reads as an empty list");
    let orgs: g::OrganizationListDocument = serde_json::from_value(fixture("organizations.json")).unwrap();
    assert_eq!(orgs.data[0].attributes.customer_id, Some(9954));
    let contacts: g::ContactListDocument = serde_json::from_value(fixture("order_contacts.json")).unwrap();
    assert_eq!(contacts.data.len(), 2);
    let certs: g::CertificateListDocument = serde_json::from_value(fixture("certificates_page1.json")).unwrap();
    assert_eq!(certs.data[0].relationships.current_order.as_ref().and_then(|r| r.id()), Some("ORD7Q2"));
    assert!(certs.next().unwrap().ends_with("page[number]=2"));
    for f in ["domain_dns.json", "domain_cname.json", "domain_http.json", "domain_email.json", "domain_complete.json"] {
        let _: g::DomainDocument = serde_json::from_value(fixture(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    let missing = serde_json::from_value::<g::OrderDocument>(fixture("order_without_id.json"));
    assert!(missing.is_err(), "an order without an id is never invented");
}

#[test]
fn dcv_instructions_per_method() {
    use ssl_core::model::DcvCheck;
    let doms = |f: &str| -> g::DomainResource { serde_json::from_value::<g::DomainDocument>(fixture(f)).unwrap().data };
    let order: g::OrderDocument = serde_json::from_value(fixture("order_status_only.json")).unwrap();
    let mut o = order.data;
    o.attributes.common_name = Some("shop.example.com".into());
    let cname = ssl_jsonapi::neutral::order_from_wire(&o, None, &[doms("domain_cname.json")]);
    let r = cname.dcv[0].dns().unwrap();
    assert_eq!(
        (r.name.as_str(), r.record_type.as_str(), r.value.as_str()),
        ("7x9qk2m4p8w1r5t3.shop.example.com", "CNAME", "dcv.digicert.com")
    );
    let http = ssl_jsonapi::neutral::order_from_wire(&o, None, &[doms("domain_http.json")]);
    let f = http.dcv[0].http().unwrap();
    assert_eq!(
        (f.url.as_str(), f.content.as_str()),
        ("http://shop.example.com/.well-known/pki-validation/fileauth.txt", "7x9qk2m4p8w1r5t3")
    );
    let email = ssl_jsonapi::neutral::order_from_wire(&o, None, &[doms("domain_email.json")]);
    assert_eq!(email.dcv[0].approvers().unwrap().len(), 5);
    let mut odd = doms("domain_dns.json");
    odd.attributes.validation_method = Some("VALIDATE_WHOIS".into());
    let unknown = ssl_jsonapi::neutral::order_from_wire(&o, None, &[odd]);
    assert_eq!(unknown.dcv[0].check, DcvCheck::Unknown);
    assert_eq!(unknown.dcv[0].provider_method, "VALIDATE_WHOIS");
}

#[test]
fn statuses_compare_case_insensitively() {
    use ssl_core::model::OrderStatus::*;
    use ssl_jsonapi::neutral::order_status;
    assert_eq!(order_status("CHECKED_OUT", None), Processing);
    assert_eq!(order_status("checked_out", None), Processing);
    assert_eq!(order_status("Delivered", Some("active")), Issued);
    assert_eq!(order_status("DELIVERED", Some("revoked")), Revoked);
    assert_eq!(order_status("DELIVERED", Some("EXPIRED")), Expired);
    assert_eq!(order_status("rejected", None), Rejected);
    assert_eq!(order_status("SOMETHING_NEW", None), Unknown);
    assert_eq!(ssl_jsonapi::neutral::months("2 Years"), Some(24));
    assert_eq!(
        ssl_jsonapi::neutral::dns_names("a.example.com", &["A.example.com".into(), "b.example.com".into()]),
        ["a.example.com", "b.example.com"]
    );
}
