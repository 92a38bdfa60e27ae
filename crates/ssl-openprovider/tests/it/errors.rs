//! The error decoder: its fast success path (a byte look, then a head parse) agrees with the full rules.

use serde_json::Value;

/// Every body and status: an error exactly when the envelope's `code` is non-zero or the status is 4xx/5xx.
#[test]
fn the_fast_success_path_agrees_with_the_full_rules() {
    let bodies: [&[u8]; 19] = [
        br#"{"code": 0 ,"data":{"id":1},"desc":""}"#,
        br#"{"code":0,"data":{"code":5},"desc":""}"#,
        br#"{"code":0,"data":{"note":"a \"code\": 5"},"desc":""}"#,
        br#"{"\u0063ode":5,"code":0}"#,
        br#"{"code":0.5}"#,
        br#"{"code":00}"#,
        br#"{"code":0,"code":7}"#,
        br#"{"code":0,"data":{"id":1,"code":5},"desc":""}"#,
        br#"{"data":{"token":"t"}}"#,
        br#"{"code":"0","data":[]}"#,
        br#"{"code":196,"desc":"Authentication/Authorization Failed","data":""}"#,
        br#"{"code":"10005","desc":"x"}"#,
        br#"{"code":0,"code":309,"desc":"last one wins"}"#,
        br#"{"code":309,"code":0}"#,
        br#"{"code":null}"#,
        br#"{"code":"n/a","desc":"x"}"#,
        br#"[{"code":5}]"#,
        b"<html>ok</html>",
        br#"{"code":5"#,
    ];
    for body in bodies {
        for status in [200, 201, 404, 500] {
            let v: Option<Value> = serde_json::from_slice(body).ok();
            let code = v.as_ref().and_then(|v| ssl_core::lenient::value_i64(v.get("code")?).ok());
            let full = code.is_some_and(|c| c != 0) || status >= 400;
            assert_eq!(
                ssl_openprovider::error::decode("openprovider", status, body).is_some(),
                full,
                "{status} {}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
