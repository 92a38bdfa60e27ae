//! `--provider rtr` end to end against the simulator: `order --wait --out` (a chain that verifies, the leaf
//! carrying key.pem's key), `quote` (cents as a decimal, nothing placed), status with the process id and the
//! certificate id, DCV instructions, reissue/renew quotes, the pre-flight naming every missing product field,
//! a process needing attention under `--wait` (exit 6), and a bad API key (exit 5, never printed).

use std::path::Path;
use std::process::Output;

use ssl_sandbox::{Approval, Sandbox, SandboxConfig};

use crate::common::*;

fn rtr<'a>(state: &'a Path, rest: &[&'a str]) -> Output {
    let mut args = vec!["--sandbox", "--sandbox-state", state.to_str().unwrap(), "--provider", "rtr"];
    args.extend_from_slice(rest);
    run(&args)
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn order_wait_out_gives_a_chain_that_verifies_with_the_generated_key() {
    let dir = tempfile::tempdir().unwrap();
    let (state, out) = (dir.path().join("state"), dir.path().join("out"));
    let o = rtr(
        &state,
        &[
            "--json",
            "order",
            "--product",
            "sectigo_dv",
            "--cn",
            "shop.example.com",
            "--dcv",
            "dns",
            "--months",
            "12",
            "--wait",
            "--timeout",
            "30",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let v = stdout_json(&o);
    assert_eq!((v["status"].as_str(), v["provider_status"].as_str()), (Some("issued"), Some("ACTIVE")));
    let id = v["order_id"].as_str().expect("order_id is the process id, as a string").to_owned();
    assert!(v["certificate_id"].as_str().is_some_and(|c| c != id));
    let key = std::fs::read_to_string(out.join("key.pem")).unwrap();
    let leaf = std::fs::read_to_string(out.join("cert.pem")).unwrap();
    let (spki, names) = cert_facts(&leaf);
    assert_eq!(spki, key_spki(&key), "the leaf carries key.pem's public key");
    assert_eq!(names, ["shop.example.com"]);
    {
        use x509_parser::prelude::*;
        let der = |p: &Path| x509_parser::pem::parse_x509_pem(std::fs::read(p).unwrap().as_slice()).unwrap().1.contents;
        let (l, i, r) = (der(&out.join("cert.pem")), der(&out.join("chain.pem")), der(&out.join("sandbox-root.pem")));
        let (leaf, int, root) = (
            X509Certificate::from_der(&l).unwrap().1,
            X509Certificate::from_der(&i).unwrap().1,
            X509Certificate::from_der(&r).unwrap().1,
        );
        leaf.verify_signature(Some(int.public_key())).expect("the intermediate signed the leaf");
        int.verify_signature(Some(root.public_key())).expect("the root signed the intermediate");
    }

    // The same order in a later run: status, the reissue and renewal quotes.
    let st = rtr(&state, &["--json", "status", &id]);
    assert_eq!(stdout_json(&st)["dcv"][0]["dns"]["name"], "_dnsauth.shop.example.com", "{}", text(&st));
    let q = rtr(&state, &["--json", "reissue", &id, "--quote", "--cn", "shop.example.com"]);
    let q = stdout_json(&q);
    assert_eq!((q["placed"].as_bool(), q["price"].as_str(), q["currency"].as_str()), (Some(false), Some("0.00"), None));
    let r = rtr(&state, &["renew", &id, "--quote", "--product", "sectigo_dv", "--dcv", "dns"]);
    assert_eq!(r.status.code(), Some(3), "outside the renewal window: {}", text(&r));
    assert!(
        text(&r).contains("ObjectStatusProhibitsOperation") || text(&r).contains("can be renewed from"),
        "{}",
        text(&r)
    );
}

#[test]
fn quote_prints_the_price_and_places_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let args = ["quote", "--product", "sectigo_dv", "--cn", "shop.example.com", "--dcv", "dns", "--months", "12"];
    let human = rtr(&state, &args);
    assert!(human.status.success(), "{}", text(&human));
    let out = String::from_utf8_lossy(&human.stdout);
    assert!(out.contains("24.95 EUR") && out.contains("Nothing was placed"), "{out}");
    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(&args);
    let v = stdout_json(&rtr(&state, &json_args));
    assert_eq!(
        (v["placed"].as_bool(), v["price"].as_str(), v["currency"].as_str()),
        (Some(false), Some("24.95"), Some("EUR"))
    );
    assert!(!dir.path().join("key.pem").exists());
}

#[test]
fn the_pre_flight_lists_every_missing_field_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let contacts = dir.path().join("contacts.toml");
    std::fs::write(
        &contacts,
        "[admin]\nfirst_name = \"Jane\"\nlast_name = \"Doe\"\nemail = \"jane@example.com\"\nphone = \"020 1234567\"\n",
    )
    .unwrap();
    let o = rtr(
        &dir.path().join("state"),
        &[
            "--json",
            "order",
            "--product",
            "sectigo_ov",
            "--cn",
            "corp.example.com",
            "--dcv",
            "dns",
            "--contacts",
            contacts.to_str().unwrap(),
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = stdout_json(&o);
    let fields: Vec<&str> =
        v["error"]["problems"].as_array().unwrap().iter().filter_map(|p| p["field"].as_str()).collect();
    for f in [
        "admin.phone",
        "organization.name",
        "organization.address",
        "organization.postal_code",
        "organization.city",
        "organization.country",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    assert!(!dir.path().join("o").join("key.pem").exists(), "nothing written, nothing sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_stops_with_exit_6_when_the_process_needs_attention() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig { approval: Approval::Required, ..SandboxConfig::default() };
    let sb = Sandbox::start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("{}", sb.base_url("rtr").unwrap());
    let o = tokio::task::spawn_blocking(move || {
        bin()
            .env("SSL_ORDERS_RTR_API_KEY", "sandbox-rtr-api-key")
            .env("SSL_ORDERS_RTR_CUSTOMER", "sandbox-customer")
            .args([
                "--provider",
                "rtr",
                "--base-url",
                &base,
                "order",
                "--product",
                "sectigo_dv",
                "--cn",
                "shop.example.com",
                "--dcv",
                "dns",
                "--wait",
                "--timeout",
                "30",
                "--out",
                dir.path().join("o").to_str().unwrap(),
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(o.status.code(), Some(6), "{}", text(&o));
    assert!(text(&o).contains("https://sectigo.sandbox.invalid/otl/"), "the one-time link is shown: {}", text(&o));

    // A wrong API key: exit 5, and the key never printed.
    let base = format!("{}", sb.base_url("rtr").unwrap());
    let bad = bin()
        .env("SSL_ORDERS_RTR_API_KEY", "not-the-key-4711")
        .env("SSL_ORDERS_RTR_CUSTOMER", "sandbox-customer")
        .args(["--provider", "rtr", "--base-url", &base, "--json", "status", "20"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(5), "{}", text(&bad));
    assert!(!text(&bad).contains("not-the-key-4711"));
    sb.shutdown().await;
}
