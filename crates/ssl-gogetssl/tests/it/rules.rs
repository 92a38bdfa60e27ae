//! `ssl_gogetssl::rules`: product levels, terms, brands and DCV methods, and the seed's required fields.

use ssl_core::facts::required_paths;
use ssl_core::model::{DcvMethod, ValidationLevel};
use ssl_gogetssl::generated as g;
use ssl_gogetssl::rules::*;

fn validation_level(p: &g::ProductDetails) -> ValidationLevel {
    product_rules(p).validation
}

fn periods_months(p: &g::ProductDetails) -> Vec<u32> {
    product_rules(p).periods_months
}

fn dcv_methods(p: &g::ProductDetails) -> Vec<DcvMethod> {
    product_rules(p).dcv_methods
}

fn brand(b: Option<&str>) -> &'static str {
    FACTS.brand_of(&serde_json::json!({ "brand": b })).name
}

#[test]
fn levels_read_every_spelling() {
    let p = |t: &str| g::ProductDetails::new(1).product_type(t);
    assert_eq!(validation_level(&p("domain")), ValidationLevel::Dv);
    assert_eq!(validation_level(&p("business")), ValidationLevel::Ov);
    assert_eq!(validation_level(&p("Extended")), ValidationLevel::Ev);
    assert_eq!(validation_level(&p("OV")), ValidationLevel::Ov);
    assert_eq!(validation_level(&g::ProductDetails::new(1).org_required(true)), ValidationLevel::Ov);
    assert_eq!(validation_level(&g::ProductDetails::new(1)), ValidationLevel::Dv);
}

#[test]
fn periods_from_prices_or_max_period() {
    let p = g::ProductDetails::new(1).prices(serde_json::json!({"12": "9.95", "24": 18.5, "vendor": {"12": 5}}));
    assert_eq!(periods_months(&p), vec![12, 24]);
    let p = g::ProductDetails::new(1).prices(serde_json::json!({"vendor": {"36": 1, "12": 1}}));
    assert_eq!(periods_months(&p), vec![12, 36]);
    assert_eq!(periods_months(&g::ProductDetails::new(1).max_period(24)), vec![12, 24]);
    assert_eq!(periods_months(&g::ProductDetails::new(1)), vec![12]);
}

#[test]
fn brands_and_dcv() {
    assert_eq!(brand(Some("comodo_ggssl")), "Sectigo");
    assert_eq!(brand(Some("RapidSSL")), "DigiCert");
    assert_eq!(brand(None), "other");
    let sectigo = g::ProductDetails::new(1).brand("comodo");
    assert_eq!(
        dcv_methods(&sectigo),
        vec![DcvMethod::Email, DcvMethod::Dns, DcvMethod::DnsCname, DcvMethod::Http, DcvMethod::Https]
    );
    let rapid = g::ProductDetails::new(1).brand("rapidssl");
    assert_eq!(dcv_methods(&rapid), vec![DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http]);
    let no_email = g::ProductDetails::new(1).brand("comodo").dcv_email(false);
    assert!(!dcv_methods(&no_email).contains(&DcvMethod::Email));
}

#[test]
fn required_paths_follow_the_seed() {
    let dv = required_paths(ORDER_FIELDS, ValidationLevel::Dv);
    assert!(dv.contains(&"admin.title".to_string()) && dv.contains(&"tech.title".to_string()));
    assert!(!dv.contains(&"organization.name".to_string()));
    let ov = required_paths(ORDER_FIELDS, ValidationLevel::Ov);
    let ev = required_paths(ORDER_FIELDS, ValidationLevel::Ev);
    assert!(ov.contains(&"admin.city".to_string()) && !ev.contains(&"admin.city".to_string()));
    assert!(ov.contains(&"organization.region".to_string()) && !ev.contains(&"organization.region".to_string()));
    assert!(ev.contains(&"tech.city".to_string()) && ev.contains(&"organization.postal_code".to_string()));
}
