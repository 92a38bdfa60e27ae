use ::time::{Date, OffsetDateTime};
use serde_json::json;
use ssl_sandbox::{Approval, DcvMode, SandboxConfig};
use x509_parser::prelude::*;

use crate::*;

#[tokio::test]
async fn auth_is_checked_in_digicert_error_shape() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    for key in [None, Some("wrong")] {
        let r = send(&http, &sb, "GET", "/product", None, key).await;
        assert_eq!(r.status, 403);
        assert_eq!(error_codes(&r.json), vec!["access_denied|access_denied_invalid_key"]);
        assert!(r.json["errors"][0]["message"].as_str().unwrap().len() > 5);
    }
    // Unknown paths are 404 not_found|route, behind auth too.
    assert_eq!(send(&http, &sb, "GET", "/nope", None, None).await.status, 403);
    let r = dc(&http, &sb, "GET", "/nope/deeper", None).await;
    assert_eq!((r.status, error_codes(&r.json)), (404, vec!["not_found|route".to_string()]));
    let r = dc(&http, &sb, "DELETE", "/product", None).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn products() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let r = dc(&http, &sb, "GET", "/product", None).await;
    assert_eq!(r.status, 200);
    let ids: Vec<&str> =
        r.json["products"].as_array().unwrap().iter().map(|p| p["name_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"ssl_dv_geotrust"), "{ids:?}");
    let r = dc(&http, &sb, "GET", "/product/ssl_dv_geotrust", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["name_id"], "ssl_dv_geotrust");
    assert!(r.json["allowed_validity_years"].as_array().unwrap().contains(&json!(1)));
    let r = dc(&http, &sb, "GET", "/product/nope", None).await;
    assert_eq!((r.status, error_codes(&r.json)), (404, vec!["not_found|product".to_string()]));
}

#[tokio::test]
async fn full_order_issues_a_leaf_for_the_csr_key_and_names() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (csr_pem, _key) = csr(&["shop.example.com", "www.shop.example.com"]);
    let created = place(
        &http,
        &sb,
        "ssl_dv_geotrust",
        order_body("shop.example.com", &["www.shop.example.com"], &csr_pem, "dns-txt-token"),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let cert_id = created["certificate_id"].as_i64().unwrap();
    let random = created["dcv_random_value"].as_str().unwrap();
    assert!(random.len() >= 16);

    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["status"], "pending");
    assert_eq!(info["dcv_method"], "dns-txt-token");
    assert_eq!(info["dcv_random_value"], random);
    assert_eq!(info["product"]["name_id"], "ssl_dv_geotrust");
    assert_eq!(info["certificate"]["server_platform"], json!({"id": -1, "name": "OTHER"}));

    let v = dc(&http, &sb, "GET", &format!("/order/certificate/{id}/validation"), None).await;
    assert_eq!(v.status, 200);
    assert_eq!(v.json["domains"][0]["dcv_token"]["record_name"], "_dnsauth.shop.example.com");

    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, json!({"order_status": "issued", "certificate_id": cert_id, "dcv_status": "valid"}));

    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["status"], "issued");
    let names = vec!["shop.example.com", "www.shop.example.com"];
    assert_eq!(info["certificate"]["dns_names"], json!(names));
    assert!(info["certificate"]["serial_number"].as_str().unwrap().len() >= 16);
    assert_eq!(info["certificate"]["signature_hash"], "sha256");
    // Coverage: a year out.
    let fmt = ::time::macros::format_description!("[year]-[month]-[day]");
    let till = Date::parse(info["order_valid_till"].as_str().unwrap(), &fmt).unwrap();
    let today = OffsetDateTime::now_utc().date();
    assert!((till - today).whole_days() >= 364 && (till - today).whole_days() <= 366, "{till}");

    let pem = dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/pem_all"), None).await;
    assert_eq!(pem.status, 200);
    let ders = pem_ders(&pem.text);
    assert_eq!(ders.len(), 3, "leaf, intermediate, root");
    let (_, leaf) = X509Certificate::from_der(&ders[0]).unwrap();
    let (_, int) = X509Certificate::from_der(&ders[1]).unwrap();
    let (_, root) = X509Certificate::from_der(&ders[2]).unwrap();

    assert_eq!(leaf.public_key().raw, spki_of_csr(&csr_pem).as_slice(), "leaf carries the CSR's key");
    let sans: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .filter_map(|n| if let GeneralName::DNSName(d) = n { Some(d.to_string()) } else { None })
        .collect();
    assert_eq!(sans, names);
    assert_eq!(leaf.subject().iter_common_name().next().unwrap().as_str().unwrap(), "shop.example.com");
    leaf.verify_signature(Some(int.public_key())).expect("leaf signed by the intermediate");
    int.verify_signature(Some(root.public_key())).expect("intermediate signed by the root");
    root.verify_signature(None).expect("root self-signed");
    assert_eq!(pem_ders(&sb.root_pem())[0], ders[2]);
    assert_eq!(pem_ders(&sb.intermediate_pem())[0], ders[1]);
    let v = leaf.validity();
    let life = v.not_after.timestamp() - v.not_before.timestamp();
    assert!(life <= 199 * 86_400, "leaf lives {life} s");
    assert!(life >= 198 * 86_400);

    // Other formats.
    let noroot = dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/pem_noroot"), None).await;
    assert_eq!(pem_ders(&noroot.text), ders[..2].to_vec());
    let noint =
        dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/pem_nointermediate"), None).await;
    assert_eq!(pem_ders(&noint.text), vec![ders[0].clone(), ders[2].clone()]);
    let p7b = dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/p7b"), None).await;
    assert!(p7b.text.starts_with("-----BEGIN PKCS7-----"), "{}", p7b.text);
    let apache = dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/apache"), None).await;
    assert_eq!((apache.status, apache.headers["content-type"].to_str().unwrap()), (200, "application/zip"));
    assert_eq!(dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/cer"), None).await.status, 400);

    // The order list finds it by common name.
    let list = dc(&http, &sb, "GET", "/order/certificate?filters[common_name]=shop.example.com", None).await.json;
    assert_eq!(list["page"]["total"], 1);
    assert_eq!(list["orders"][0]["id"], id);
    let none = dc(&http, &sb, "GET", "/order/certificate?filters[common_name]=other.example.com", None).await.json;
    assert_eq!(none["page"]["total"], 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn email_and_cname_answers_carry_no_random_value_on_create() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (csr_pem, _) = csr(&["mail.example.com"]);
    for method in ["email", "dns-cname-token"] {
        let created = place(&http, &sb, "ssl_dv_geotrust", order_body("mail.example.com", &[], &csr_pem, method)).await;
        assert!(created.get("dcv_random_value").is_none(), "{method}: {created}");
        assert!(created["certificate_id"].is_i64());
    }
    let http_token =
        place(&http, &sb, "ssl_dv_geotrust", order_body("mail.example.com", &[], &csr_pem, "http-token")).await;
    assert!(http_token["dcv_random_value"].is_string());
}

#[tokio::test]
async fn validation_errors_list_every_problem() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (csr_pem, _) = csr(&["*.example.com"]);
    let mut body = order_body("*.example.com", &[], &csr_pem, "http-token");
    body["validity_years"] = json!(4);
    let r = dc(&http, &sb, "POST", "/order/certificate/wildcard_dv_geotrust", Some(body)).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let codes = error_codes(&r.json);
    assert!(codes.contains(&"invalid_value:validity_years".to_string()), "{codes:?}");
    assert!(codes.contains(&"invalid_dcv_method".to_string()), "{codes:?}");

    let r = dc(&http, &sb, "POST", "/order/certificate/ssl_dv_geotrust", Some(json!({"validity_years": 1}))).await;
    assert_eq!(r.status, 400);
    let codes = error_codes(&r.json);
    for c in ["missing_field:certificate", "missing_field:dcv_method"] {
        assert!(codes.iter().any(|x| x.starts_with(c)), "{c} in {codes:?}");
    }

    let (csr_pem, _) = csr(&["a.example.com"]);
    let mut body = order_body("a.example.com", &[], &csr_pem, "http-token-dynamic");
    body["certificate"]["csr"] = json!("not a csr");
    let r = dc(&http, &sb, "POST", "/order/certificate/ssl_dv_geotrust", Some(body)).await;
    let codes = error_codes(&r.json);
    assert!(codes.contains(&"invalid_dcv_method".to_string()), "{codes:?}");
    assert!(codes.iter().any(|c| c.contains("csr")), "{codes:?}");

    // The sandbox's own catalog: ssl_dv_geotrust secures one name plus, free, its other version (www. / bare);
    // any other second name is refused, as are three names.
    for sans in [&["b.example.com"][..], &["www.a.example.com", "c.example.com"]] {
        let body = order_body("a.example.com", sans, &csr_pem, "email");
        let r = dc(&http, &sb, "POST", "/order/certificate/ssl_dv_geotrust", Some(body)).await;
        assert_eq!((r.status, error_codes(&r.json)), (400, vec!["invalid_value:dns_names".to_string()]), "{sans:?}");
        assert!(r.text.contains("secures one name (plus its www variant)"), "{}", r.text);
    }
    let info = dc(&http, &sb, "GET", "/product/ssl_dv_geotrust", None).await.json;
    assert_eq!((info["max_names"].clone(), info["other_version_free"].clone()), (json!(2), json!(true)));
    // More names on a product that allows them.
    let (csr3, _) = csr(&["a.example.com"]);
    let created = place(
        &http,
        &sb,
        "cloud_dv_geotrust",
        order_body("a.example.com", &["b.example.com", "c.example.com"], &csr3, "email"),
    )
    .await;
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{}", created["id"]), None).await.json;
    assert_eq!(info["certificate"]["dns_names"], json!(["a.example.com", "b.example.com", "c.example.com"]));
    let r = dc(
        &http,
        &sb,
        "POST",
        "/order/certificate/no_such_product",
        Some(order_body("a.example.com", &[], &csr_pem, "email")),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(error_codes(&r.json).contains(&"not_found|product".to_string()));

    let r = send(&http, &sb, "POST", "/order/certificate/ssl_dv_geotrust", None, Some(KEY)).await;
    assert_eq!(r.status, 400);
    let r = dc(&http, &sb, "GET", "/order/certificate/424242", None).await;
    assert_eq!((r.status, error_codes(&r.json)), (404, vec!["not_found|order".to_string()]));
    assert_eq!(sb.orders("digicert").len(), 1, "nothing stored for rejected bodies");
}

#[tokio::test]
async fn approval_knob_holds_orders_until_approved() {
    let sb = start(SandboxConfig { approval: Approval::Required, ..SandboxConfig::default() }).await;
    let http = client();
    let (csr_pem, _) = csr(&["approve.example.com"]);
    let created = place(&http, &sb, "ssl_dv_geotrust", order_body("approve.example.com", &[], &csr_pem, "email")).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["requests"][0]["status"], "pending");
    assert!(created["requests"][0]["id"].is_i64());
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.json["order_status"], "needs_approval");
    assert_eq!(dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"], "needs_approval");

    // DCV passed while waiting: approval issues it.
    let r = inspect(&http, &sb, "POST", &format!("/orders/digicert/{id}/approve"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "issued");
    assert_eq!(dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"], "issued");
    // Approving twice is a conflict.
    assert_eq!(inspect(&http, &sb, "POST", &format!("/orders/digicert/{id}/approve"), None).await.status, 409);

    // skip_approval in the body skips it.
    let mut body = order_body("approve.example.com", &[], &csr_pem, "email");
    body["skip_approval"] = json!(true);
    let created = place(&http, &sb, "ssl_dv_geotrust", body).await;
    assert!(created["certificate_id"].is_i64());
}

#[tokio::test]
async fn manual_dcv_passes_only_when_marked() {
    let sb = start(SandboxConfig { dcv: DcvMode::Manual, ..SandboxConfig::default() }).await;
    let http = client();
    let (csr_pem, _) = csr(&["manual.example.com"]);
    let created =
        place(&http, &sb, "ssl_dv_geotrust", order_body("manual.example.com", &[], &csr_pem, "dns-txt-token")).await;
    let id = created["id"].as_i64().unwrap();
    for _ in 0..2 {
        let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
        assert_eq!((r.status, r.json["dcv_status"].as_str()), (200, Some("pending")));
    }
    let r = inspect(&http, &sb, "POST", &format!("/orders/digicert/{id}/dcv"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["status"], "issued");
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.json["dcv_status"], "valid");
}

#[tokio::test]
async fn real_dns_dcv_reads_records_set_through_inspection() {
    let sb = start(SandboxConfig { dcv: DcvMode::Real, ..SandboxConfig::default() }).await;
    let http = client();
    let (csr_pem, _) = csr(&["dns.example.com"]);
    let created = place(
        &http,
        &sb,
        "ssl_dv_geotrust",
        order_body("dns.example.com", &["www.dns.example.com"], &csr_pem, "dns-txt-token"),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let random = created["dcv_random_value"].as_str().unwrap().to_owned();
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!((r.status, error_codes(&r.json)), (400, vec!["invalid_dns_txt".to_string()]));
    // A wrong value does not pass either.
    let r = inspect(
        &http,
        &sb,
        "POST",
        "/dns",
        Some(json!({"name": "_dnsauth.dns.example.com", "type": "TXT", "value": "wrong"})),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await.status, 400);
    // The right value at the base domain covers www too.
    inspect(
        &http,
        &sb,
        "POST",
        "/dns",
        Some(json!({"name": "_dnsauth.dns.example.com", "type": "TXT", "value": random})),
    )
    .await;
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["order_status"], "issued");

    // CNAME method.
    let (csr_pem, _) = csr(&["cname.example.org"]);
    let created =
        place(&http, &sb, "ssl_dv_geotrust", order_body("cname.example.org", &[], &csr_pem, "dns-cname-token")).await;
    let id = created["id"].as_i64().unwrap();
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    let random = info["dcv_random_value"].as_str().unwrap();
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(error_codes(&r.json), vec!["invalid_dns_cname"]);
    sb.add_dns_record(&format!("{random}.cname.example.org"), "CNAME", "dcv.digicert.com.");
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.json["order_status"], "issued", "{}", r.text);
}

#[tokio::test]
async fn real_http_dcv_fetches_from_the_mapped_loopback_address() {
    let sb = start(SandboxConfig { dcv: DcvMode::Real, ..SandboxConfig::default() }).await;
    let http = client();
    let (csr_pem, _) = csr(&["web.example.net"]);
    let created =
        place(&http, &sb, "ssl_dv_geotrust", order_body("web.example.net", &[], &csr_pem, "http-token")).await;
    let id = created["id"].as_i64().unwrap();
    let random = created["dcv_random_value"].as_str().unwrap().to_owned();

    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!((r.status, error_codes(&r.json)), (400, vec!["file_random_value_not_found".to_string()]));

    // A web server for the host, checking the Host header.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let web_addr = listener.local_addr().unwrap();
    let token = random.clone();
    let app = axum::Router::new().route(
        "/.well-known/pki-validation/fileauth.txt",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let token = token.clone();
            async move {
                if headers.get("host").and_then(|h| h.to_str().ok()) == Some("web.example.net") {
                    (axum::http::StatusCode::OK, token)
                } else {
                    (axum::http::StatusCode::NOT_FOUND, String::new())
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // Non-loopback mappings are refused.
    let r = inspect(&http, &sb, "POST", "/http-hosts", Some(json!({"host": "web.example.net", "addr": "10.1.2.3:80"})))
        .await;
    assert_eq!(r.status, 400);
    let r = inspect(
        &http,
        &sb,
        "POST",
        "/http-hosts",
        Some(json!({"host": "web.example.net", "addr": web_addr.to_string()})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["order_status"], "issued");
}

#[tokio::test]
async fn dcv_method_and_random_value_changes() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (csr_pem, _) = csr(&["*.wild.example.com"]);
    let created =
        place(&http, &sb, "wildcard_dv_geotrust", order_body("*.wild.example.com", &[], &csr_pem, "dns-txt-token"))
            .await;
    let id = created["id"].as_i64().unwrap();
    let first = created["dcv_random_value"].as_str().unwrap().to_owned();
    let r = dc(
        &http,
        &sb,
        "PUT",
        &format!("/order/certificate/{id}/dcv-method"),
        Some(json!({"dcv_method": "http-token"})),
    )
    .await;
    assert_eq!((r.status, error_codes(&r.json)), (400, vec!["invalid_dcv_method".to_string()]));
    let r = dc(
        &http,
        &sb,
        "PUT",
        &format!("/order/certificate/{id}/dcv-method"),
        Some(json!({"dcv_method": "dns-cname-token"})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let second = r.json["dcv_random_value"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/dcv-random-value"), None).await;
    let third = r.json["dcv_random_value"].as_str().unwrap().to_owned();
    assert_ne!(second, third);
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(
        (info["dcv_method"].as_str(), info["dcv_random_value"].as_str()),
        (Some("dns-cname-token"), Some(third.as_str()))
    );
    assert_eq!(dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/resend-emails"), None).await.status, 204);
}

async fn issued_order(http: &reqwest::Client, sb: &ssl_sandbox::SandboxHandle, cn: &str) -> (i64, i64, String) {
    let (csr_pem, _) = csr(&[cn]);
    let created = place(http, sb, "ssl_dv_geotrust", order_body(cn, &[], &csr_pem, "dns-txt-token")).await;
    let id = created["id"].as_i64().unwrap();
    let r = dc(http, sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.json["order_status"], "issued");
    (id, created["certificate_id"].as_i64().unwrap(), csr_pem)
}

#[tokio::test]
async fn reissue_gives_a_new_leaf_for_the_new_key() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (id, cert_id, old_csr) = issued_order(&http, &sb, "re.example.com").await;
    let (new_csr, _) = csr(&["re.example.com"]);
    let r = dc(
        &http,
        &sb,
        "POST",
        &format!("/order/certificate/{id}/reissue"),
        Some(json!({"certificate": {"csr": new_csr}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["id"], id);
    assert_eq!(r.json["requests"][0]["status"], "approved");
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["status"], "issued");
    let new_cert_id = info["certificate"]["id"].as_i64().unwrap();
    assert_ne!(new_cert_id, cert_id);
    let pem = dc(&http, &sb, "GET", &format!("/certificate/{new_cert_id}/download/format/pem_all"), None).await.text;
    let ders = pem_ders(&pem);
    let (_, leaf) = X509Certificate::from_der(&ders[0]).unwrap();
    assert_eq!(leaf.public_key().raw, spki_of_csr(&new_csr).as_slice());
    assert_ne!(leaf.public_key().raw, spki_of_csr(&old_csr).as_slice());
    // The old certificate is still downloadable.
    let old = dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/pem_all"), None).await;
    assert_eq!(old.status, 200);
    assert_ne!(pem_ders(&old.text)[0], ders[0]);

    // A reissue adding a name waits for DCV.
    let (csr3, _) = csr(&["re.example.com", "www.re.example.com"]);
    let r = dc(
        &http,
        &sb,
        "POST",
        &format!("/order/certificate/{id}/reissue"),
        Some(json!({"certificate": {"csr": csr3, "dns_names": ["www.re.example.com"]}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"],
        "reissue_pending"
    );
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    assert_eq!(r.json["order_status"], "issued");
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["certificate"]["dns_names"], json!(["re.example.com", "www.re.example.com"]));

    // Duplicate: a new certificate, the order's own stays.
    let (csr4, _) = csr(&["re.example.com"]);
    let current = info["certificate"]["id"].clone();
    let r = dc(
        &http,
        &sb,
        "POST",
        &format!("/order/certificate/{id}/duplicate"),
        Some(json!({"certificate": {"csr": csr4}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let dup_id = r.json["certificate_id"].as_i64().unwrap();
    assert_eq!(
        dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["certificate"]["id"],
        current
    );
    let dups = dc(&http, &sb, "GET", &format!("/order/certificate/{id}/duplicate"), None).await.json;
    assert_eq!(dups["certificates"][0]["id"], dup_id);
    assert_eq!(
        dc(&http, &sb, "GET", &format!("/certificate/{dup_id}/download/format/pem_all"), None).await.status,
        200
    );
}

#[tokio::test]
async fn cancel_and_revoke_change_status() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (csr_pem, _) = csr(&["cancel.example.com"]);
    let id = place(&http, &sb, "ssl_dv_geotrust", order_body("cancel.example.com", &[], &csr_pem, "email")).await["id"]
        .as_i64()
        .unwrap();
    // Pending orders cannot be revoked.
    assert_eq!(dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/revoke"), Some(json!({}))).await.status, 400);
    let body = json!({"status": "CANCELED", "note": "changed my mind"});
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/status"), Some(body.clone())).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["status"], "canceled");
    let r = dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/status"), Some(body.clone())).await;
    assert_eq!(r.status, 400);
    assert_eq!(dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await.status, 400);

    let (id, cert_id, _) = issued_order(&http, &sb, "revoke.example.com").await;
    assert_eq!(dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/status"), Some(body)).await.status, 400);
    let r =
        dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/revoke"), Some(json!({"comments": "key compromise"})))
            .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"], "revoked");

    let (id, cert_id2, _) = issued_order(&http, &sb, "revoke2.example.com").await;
    assert_ne!(cert_id, cert_id2);
    let r = dc(&http, &sb, "PUT", &format!("/certificate/{cert_id2}/revoke"), Some(json!({}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"], "revoked");
    assert_eq!(dc(&http, &sb, "PUT", "/certificate/999/revoke", Some(json!({}))).await.status, 404);
}

#[tokio::test]
async fn virtual_clock_expires_leaves_and_ends_coverage() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (id, _, _) = issued_order(&http, &sb, "clock.example.com").await;
    // 200 days later the 199-day leaf has expired, but the one-year coverage goes on: reissue works.
    let r = inspect(&http, &sb, "POST", "/clock", Some(json!({"advance_days": 200}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["offset_seconds"], 200 * 86_400);
    assert_eq!(dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"], "expired");
    let (csr2, _) = csr(&["clock.example.com"]);
    let r = dc(
        &http,
        &sb,
        "POST",
        &format!("/order/certificate/{id}/reissue"),
        Some(json!({"certificate": {"csr": csr2}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json;
    assert_eq!(info["status"], "issued");
    // The new leaf ends with the coverage (a year from the order), not 199 days after the virtual now.
    assert_eq!(info["certificate"]["valid_till"], info["order_valid_till"]);
    // Past the coverage a reissue is refused.
    sb.advance_clock(std::time::Duration::from_secs(200 * 86_400));
    let (csr3, _) = csr(&["clock.example.com"]);
    let r = dc(
        &http,
        &sb,
        "POST",
        &format!("/order/certificate/{id}/reissue"),
        Some(json!({"certificate": {"csr": csr3}})),
    )
    .await;
    assert_eq!((r.status, error_codes(&r.json)), (400, vec!["order_expired".to_string()]));
    // Reset puts the clock back.
    inspect(&http, &sb, "POST", "/reset", None).await;
    assert_eq!(inspect(&http, &sb, "GET", "/clock", None).await.json["offset_seconds"], 0);
}
