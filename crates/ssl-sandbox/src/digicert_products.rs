//! What the sandbox shares with the DigiCert client through `ssl_digicert::generated` (one source of truth):
//! the product table and the schema checks (`validate()`) of incoming bodies, mapped to DigiCert's error codes.

use serde::de::DeserializeOwned;
use serde_json::Value;
use ssl_core::Problem;
use ssl_core::model::ProductRules;
use ssl_core::validate::Validate;
use ssl_digicert::generated as g;

/// The products the sandbox sells: the spec's product table.
pub(crate) fn table() -> Vec<ProductRules> {
    g::product_table()
}

/// DigiCert's code for a generated-validation problem: `missing_field:<field>` for a missing required value,
/// `invalid_dcv_method` for a bad `dcv_method`, else `invalid_value:<field>`.
fn code_for(p: &Problem) -> String {
    let field = p.field.clone().unwrap_or_default();
    if field.contains('|') {
        // "one of validity_years|validity_days|... is required"
        return "missing_field:validity_years".into();
    }
    if field == "dcv_method" && p.code != "required" {
        return "invalid_dcv_method".into();
    }
    match p.code.as_str() {
        "required" => format!("missing_field:{field}"),
        _ => format!("invalid_value:{field}"),
    }
}

/// Decode `body` as `T` and run its generated `validate()`; every problem as a DigiCert `{code, message}` pair.
fn problems_of<T: DeserializeOwned + Validate>(body: &Value) -> Vec<(String, String)> {
    match serde_path_to_error::deserialize::<_, T>(body) {
        Ok(v) => v.validate().iter().filter(|p| p.is_error()).map(|p| (code_for(p), p.message.clone())).collect(),
        Err(e) => {
            let path = e.path().to_string();
            vec![(format!("invalid_value:{path}"), format!("`{path}` has the wrong type: {}", e.inner()))]
        }
    }
}

/// Schema violations of a new-order body.
pub(crate) fn order_problems(body: &Value) -> Vec<(String, String)> {
    problems_of::<g::OrderRequest>(body)
}

/// Schema violations of a reissue body.
pub(crate) fn reissue_problems(body: &Value) -> Vec<(String, String)> {
    problems_of::<g::ReissueRequest>(body)
}

/// Schema violations of a duplicate body.
pub(crate) fn duplicate_problems(body: &Value) -> Vec<(String, String)> {
    problems_of::<g::DuplicateRequest>(body)
}

/// Schema violations of a DCV method change.
pub(crate) fn dcv_method_problems(body: &Value) -> Vec<(String, String)> {
    problems_of::<g::ChangeDcvMethodRequest>(body)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn generated_validation_maps_to_digicert_codes() {
        let codes: Vec<String> = order_problems(&json!({"validity_years": 4, "dcv_method": "carrier-pigeon"}))
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        for c in [
            "missing_field:certificate.common_name",
            "missing_field:certificate.csr",
            "invalid_value:validity_years",
            "invalid_dcv_method",
        ] {
            assert!(codes.contains(&c.to_string()), "{c} in {codes:?}");
        }
        let codes = order_problems(&json!({"certificate": {"common_name": 5}}));
        assert_eq!(codes[0].0, "invalid_value:certificate.common_name");
        assert!(table().iter().any(|p| p.id == "ssl_dv_geotrust"));
    }
}
