//! The DigiCert product table and schema checks the sandbox shares with the client.

use serde_json::Value;
use ssl_core::model::{DcvMethod, ProductRules, ValidationLevel};

fn rules(id: &str, name: &str, validation: ValidationLevel, wildcard: bool, multi_domain: bool) -> ProductRules {
    let mut dcv = vec![DcvMethod::Email, DcvMethod::Dns, DcvMethod::DnsTxt, DcvMethod::DnsCname];
    if !wildcard {
        dcv.push(DcvMethod::Http);
    }
    ProductRules {
        id: id.into(),
        name: name.into(),
        validation,
        wildcard,
        multi_domain,
        max_names: Some(250),
        periods_months: vec![12, 24, 36],
        dcv_methods: dcv,
        required_fields: if validation == ValidationLevel::Dv { vec![] } else { vec!["organization.id".into()] },
    }
}

/// The products the sandbox sells.
pub(crate) fn table() -> Vec<ProductRules> {
    use ValidationLevel::*;
    vec![
        rules("ssl_dv_geotrust", "GeoTrust Standard DV", Dv, false, true),
        rules("ssl_dv_rapidssl", "RapidSSL Standard DV", Dv, false, true),
        rules("wildcard_dv_geotrust", "GeoTrust Wildcard DV", Dv, true, true),
        rules("wildcard_dv_rapidssl", "RapidSSL Wildcard DV", Dv, true, true),
        rules("cloud_dv_geotrust", "GeoTrust Cloud DV", Dv, true, true),
        rules("ssl_plus", "Standard SSL", Ov, false, false),
        rules("ssl_multi_domain", "Multi-Domain SSL", Ov, false, true),
        rules("ssl_wildcard", "Wildcard SSL", Ov, true, true),
        rules("ssl_ev_plus", "EV SSL", Ev, false, false),
        rules("ssl_ev_multi_domain", "EV Multi-Domain SSL", Ev, false, true),
        rules("ssl_securesite_pro", "Secure Site Pro SSL", Ov, false, true),
        rules("ssl_securesite_flex", "Secure Site Flex SSL", Ov, true, true),
        rules("ssl_ev_securesite_pro", "Secure Site Pro EV SSL", Ev, false, true),
        rules("ssl_ev_securesite_flex", "Secure Site Flex EV SSL", Ev, false, true),
    ]
}

/// Schema violations of an order body, as DigiCert `{code, message}` pairs.
pub(crate) fn schema_problems(_body: &Value) -> Vec<(String, String)> {
    Vec::new()
}
