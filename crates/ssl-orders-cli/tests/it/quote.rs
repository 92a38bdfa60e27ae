//! `quote` for every provider: the neutral quote with `"placed": false`, or a clear "unsupported" (exit 1).

use crate::common::*;

const CONTACTS_TOML: &str = r#"
[admin]
first_name = "John"
last_name = "Silver"
email = "webmaster@example.com"
phone = "003719999999"
title = "Mr"
"#;

#[test]
fn quote_is_a_command_for_every_provider() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let contacts = dir.path().join("contacts.toml");
    std::fs::write(&contacts, CONTACTS_TOML).unwrap();
    let base = ["--sandbox", "--sandbox-state", state.to_str().unwrap()];
    let quote = |provider: &str, product: &str| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--provider", provider, "--json", "quote", "--product", product, "--cn", "shop.example.com"]);
        args.extend(["--dcv", "dns", "--months", "12", "--contacts", contacts.to_str().unwrap()]);
        run(&args)
    };
    let gg = quote("gogetssl", "101");
    assert!(gg.status.success(), "{}", String::from_utf8_lossy(&gg.stderr));
    let v = stdout_json(&gg);
    assert_eq!(v["placed"], false);
    assert!(v["price"].as_str().is_some_and(|p| p.parse::<f64>().is_ok()), "{v}");
    assert!(!dir.path().join("key.pem").exists(), "a quote writes no key");

    let dc = quote("digicert", "ssl_dv_geotrust");
    assert_eq!(dc.status.code(), Some(1));
    let e = stdout_json(&dc);
    assert_eq!(e["error"]["kind"], "unsupported");
    assert!(e["error"]["message"].as_str().unwrap().contains("quote"), "{e}");
}
