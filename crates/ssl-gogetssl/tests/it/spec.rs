//! The spec and the hand-written rules say the same thing about every field of `add_ssl_order`.

use serde_json::Value;
use ssl_gogetssl::rules::{Need, ORDER_FIELDS};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/gogetssl.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn order_field_requirements_match_the_spec_descriptions() {
    let spec = spec();
    let order = &spec["components"]["schemas"]["AddSslOrderRequest"];
    let required: Vec<&str> = order["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for rule in ORDER_FIELDS {
        let desc =
            order["properties"][rule.wire]["description"].as_str().unwrap_or_else(|| panic!("{} missing", rule.wire));
        let (says, in_required) = match rule.need {
            Need::Always => ("Required (seed).", true),
            Need::Ov => ("Required for OV certificates", false),
            Need::OvEv => ("Required for OV and EV certificates", false),
            Need::Optional => ("Optional (seed).", false),
        };
        assert!(desc.contains(says), "{}: `{desc}` should say `{says}`", rule.wire);
        assert_eq!(required.contains(&rule.wire), in_required, "{} in `required`", rule.wire);
    }
    // Every contact / organisation property of the spec has a rule.
    for key in order["properties"].as_object().unwrap().keys() {
        if ["admin_", "tech_", "org_"].iter().any(|p| key.starts_with(p)) {
            assert!(ORDER_FIELDS.iter().any(|r| r.wire == key), "{key} has no rule");
        }
    }
}

#[test]
fn the_seed_order_is_kept() {
    let spec = spec();
    let keys: Vec<&String> =
        spec["components"]["schemas"]["AddSslOrderRequest"]["properties"].as_object().unwrap().keys().collect();
    let seed = [
        "product_id",
        "period",
        "csr",
        "server_count",
        "approver_email",
        "approver_emails",
        "webserver_type",
        "dns_names",
        "admin_firstname",
        "admin_lastname",
        "admin_organization",
        "admin_addressline1",
        "admin_phone",
        "admin_title",
        "admin_email",
        "admin_city",
        "admin_country",
        "admin_fax",
        "admin_postalcode",
        "admin_region",
        "dcv_method",
        "tech_firstname",
        "tech_lastname",
        "tech_organization",
        "tech_addressline1",
        "tech_phone",
        "tech_title",
        "tech_email",
        "tech_city",
        "tech_country",
        "tech_fax",
        "tech_postalcode",
        "tech_region",
        "org_name",
        "org_division",
        "org_duns",
        "org_addressline1",
        "org_city",
        "org_country",
        "org_fax",
        "org_phone",
        "org_postalcode",
        "org_region",
        "signature_hash",
    ];
    let got: Vec<&str> = keys.iter().map(|k| k.as_str()).filter(|k| seed.contains(k)).collect();
    assert_eq!(got, seed, "every seed parameter, in the seed's order");
}
