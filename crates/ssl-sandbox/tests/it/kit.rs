//! The kit's behaviours, seen through DigiCert and GoGetSSL: published rate limits, faults after commit and on
//! bodies, stale statuses, the mailbox, CSR key counts, seeding, the full event log, raw statuses, and two
//! sandboxes sharing one state directory.

use std::time::Duration;

use serde_json::json;
use ssl_sandbox::{Fault, FaultKind, Knobs, RateLimits, SandboxConfig};

use crate::*;

fn fault(kind: FaultKind) -> Fault {
    Fault::new(kind).provider("digicert")
}

#[tokio::test]
async fn digicert_limits_are_enforced_per_key_with_retry_after_and_a_time_scale() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    // 100 per 5 s, scaled to 100 per 2 s.
    sb.set_knobs(Knobs { rate_limits: RateLimits { enabled: true, scale: 0.4 }, ..Knobs::default() });
    for i in 0..100 {
        assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200, "request {i}");
    }
    let r = dc(&http, &sb, "GET", "/product", None).await;
    assert_eq!((r.status, error_codes(&r.json)), (429, vec!["request_limit_exceeded".to_string()]));
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert_eq!(sb.events().last().unwrap().faults, vec!["published_rate_limit"]);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200, "the window rolled on");
    // Off: no limit.
    sb.set_knobs(Knobs { rate_limits: RateLimits { enabled: false, scale: 1.0 }, ..Knobs::default() });
    for _ in 0..120 {
        assert_eq!(dc(&http, &sb, "GET", "/product", None).await.status, 200);
    }
}

#[tokio::test]
async fn faults_after_commit_keep_the_order_and_body_faults_cut_the_answer() {
    let sb = start(SandboxConfig::default()).await;
    let http = client();
    let (csr_pem, _) = csr(&["late.example.com"]);
    let body = order_body("late.example.com", &[], &csr_pem, "dns-txt-token");
    let url = format!("{}/order/certificate/ssl_dv_geotrust", sb.base_url("digicert").unwrap());

    // Stored, then the answer waits: the client gives up with the order held by the provider.
    let slow = Fault { delay_ms: Some(800), ..fault(FaultKind::DelayAfterCommit).method("POST").times(1) };
    sb.set_knobs(Knobs::default().fault(slow));
    let impatient = reqwest::Client::builder().no_proxy().timeout(Duration::from_millis(200)).build().unwrap();
    let err = impatient
        .post(&url)
        .header("X-DC-DEVKEY", KEY)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(sb.orders("digicert").len(), 1, "committed before the delay");

    // A 5xx after commit: stored too.
    sb.set_knobs(Knobs::default().fault(Fault::server_error(502).provider("digicert").method("POST").after_commit()));
    let r = dc(&http, &sb, "POST", "/order/certificate/ssl_dv_geotrust", Some(body.clone())).await;
    assert_eq!((r.status, error_codes(&r.json)), (502, vec!["internal_error".to_string()]));
    assert_eq!(sb.orders("digicert").len(), 2);
    sb.set_knobs(Knobs::default());

    // Empty and truncated bodies keep the status.
    let id = sb.orders("digicert")[0]["id"].clone();
    let path = format!("/order/certificate/{id}");
    sb.set_knobs(Knobs::default().fault(fault(FaultKind::EmptyBody).method("GET").times(1)));
    let r = dc(&http, &sb, "GET", &path, None).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    sb.set_knobs(Knobs::default().fault(fault(FaultKind::TruncatedBody).method("GET").times(1)));
    let cut = dc(&http, &sb, "GET", &path, None).await;
    let full = dc(&http, &sb, "GET", &path, None).await;
    assert_eq!(cut.status, 200);
    assert!(cut.json.is_null() && full.text.starts_with(&cut.text) && cut.text.len() < full.text.len());

    // A stale read shows the status before the current one, once.
    dc(&http, &sb, "PUT", &format!("{path}/check-dcv"), None).await;
    assert_eq!(dc(&http, &sb, "GET", &path, None).await.json["status"], "issued");
    sb.set_knobs(Knobs::default().fault(fault(FaultKind::StaleStatus).method("GET").times(1)));
    assert_eq!(dc(&http, &sb, "GET", &path, None).await.json["status"], "pending", "backwards");
    assert_eq!(dc(&http, &sb, "GET", &path, None).await.json["status"], "issued");
    assert_eq!(sb.knobs().faults[0].fired, 1);
    // The header forces a fault on one request.
    let r = http.get(format!("{}{path}", sb.base_url("digicert").unwrap())).header("X-DC-DEVKEY", KEY);
    let r = r.header("X-Sandbox-Fault", "empty_body").send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (200, String::new()));
}

#[tokio::test]
async fn mailbox_csr_keys_seeding_events_and_raw_statuses() {
    let sb = start(SandboxConfig { dcv: ssl_sandbox::DcvMode::Manual, ..SandboxConfig::default() }).await;
    let http = client();
    sb.set_knobs(Knobs {
        dcv: ssl_sandbox::DcvMode::Manual,
        rate_limits: RateLimits { enabled: false, scale: 1.0 },
        ..Knobs::default()
    });
    let (csr_pem, _) = csr(&["mail.example.com"]);
    let id = place(&http, &sb, "ssl_dv_geotrust", order_body("mail.example.com", &[], &csr_pem, "email")).await["id"]
        .clone();

    // The approval email, and its link approves.
    let mails = inspect(&http, &sb, "GET", "/mailbox", None).await.json;
    assert_eq!(
        (mails[0]["to"].clone(), mails[0]["domain"].clone()),
        (json!("admin@example.com"), json!("mail.example.com"))
    );
    assert_eq!(mails[0]["order_id"], id.to_string());
    let link = mails[0]["approve_link"].as_str().unwrap().trim_start_matches("/_sandbox").to_owned();
    assert_eq!(inspect(&http, &sb, "POST", &link, None).await.json["status"], "issued");
    assert!(sb.mailbox()[0].approved);

    // Orders per CSR key: the same key twice.
    place(&http, &sb, "ssl_dv_geotrust", order_body("mail.example.com", &[], &csr_pem, "dns-txt-token")).await;
    assert_eq!(sb.orders_for_csr_key(&csr_pem), Ok(2));
    let q = url::form_urlencoded::Serializer::new(String::new()).append_pair("csr", &csr_pem).finish();
    let r = inspect(&http, &sb, "GET", &format!("/csr-keys?{q}"), None).await.json;
    assert_eq!(r["orders"], 2);
    let key = ssl_sandbox::ca::parse_csr(&csr_pem).unwrap().spki_sha256;
    assert_eq!(inspect(&http, &sb, "GET", "/csr-keys", None).await.json[&key], 2);

    // Seeding: orders in a stage, readable through the provider's API.
    let seeded =
        inspect(&http, &sb, "POST", "/seed", Some(json!({"provider": "digicert", "count": 3, "stage": "issued"})));
    let ids = seeded.await.json["ids"].clone();
    assert_eq!(ids.as_array().unwrap().len(), 3);
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{}", ids[2].as_str().unwrap()), None).await.json;
    assert_eq!(info["status"], "issued");
    assert_eq!(sb.seed("gogetssl", 2, "pending_validation").unwrap().len(), 2);
    assert!(sb.seed("gogetssl", 1, "nowhere").is_err());
    assert_eq!(sb.orders("gogetssl")[1]["status"], "processing");

    // Unknown provider statuses: a raw one shows as is.
    let path = format!("/orders/digicert/{id}/status");
    assert_eq!(inspect(&http, &sb, "POST", &path, Some(json!({"raw": "on_hold_sandbox"}))).await.status, 200);
    assert_eq!(
        dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await.json["status"],
        "on_hold_sandbox"
    );

    // The end of an order's term moves (renewal windows without moving the clock); a bad date is refused.
    let path = format!("/orders/digicert/{id}/coverage");
    let r = inspect(&http, &sb, "POST", &path, Some(json!({"ends": "2031-02-03"}))).await;
    assert_eq!((r.status, r.json["coverage_end"].clone()), (200, json!("2031-02-03")), "{}", r.text);
    assert_eq!(inspect(&http, &sb, "POST", &path, Some(json!({"ends": "soon"}))).await.status, 400);
    let end = ::time::Date::from_calendar_date(2030, ::time::Month::January, 2).unwrap();
    sb.set_coverage_end("digicert", &id.to_string(), end).unwrap();
    assert_eq!(sb.orders("digicert")[0]["coverage_end"], "2030-01-02");
    assert!(sb.set_coverage_end("digicert", "404", end).is_err());

    // The event log keeps every request; the request log the last 500.
    for _ in 0..510 {
        dc(&http, &sb, "GET", "/product", None).await;
    }
    assert_eq!(sb.events().len(), 514, "two orders, two reads and 510 product lists");
    assert_eq!(sb.requests().len(), 500);
    let since = sb.events()[509].seq;
    assert_eq!(
        inspect(&http, &sb, "GET", &format!("/events?since={since}"), None).await.json.as_array().unwrap().len(),
        sb.events().len() - 510
    );
}

#[tokio::test]
async fn two_sandboxes_on_one_state_dir_lose_no_write() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig::in_dir(dir.path());
    let (a, b) = (start(config.clone()).await, start(config).await);
    assert_eq!(a.root_pem(), b.root_pem(), "one CA");
    let http = client();
    let mut ids = Vec::new();
    for i in 0..6 {
        let sb = if i % 2 == 0 { &a } else { &b };
        let (csr_pem, _) = csr(&["shared.example.com"]);
        let body = order_body("shared.example.com", &[], &csr_pem, "dns-txt-token");
        ids.push(place(&http, sb, "ssl_dv_geotrust", body).await["id"].as_i64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 6, "ids are never handed out twice");
    assert_eq!(a.orders("digicert").len(), 6);
    assert_eq!(b.orders("digicert").len(), 6);
    assert_eq!(b.events().len(), 6, "one event log in the directory");
}

#[test]
fn the_csr_key_and_names_are_read() {
    let (csr_pem, _) = csr(&["a.example.com", "b.example.com"]);
    let k = ssl_sandbox::ca::parse_csr(&csr_pem).unwrap();
    assert_eq!(k.dns_names, vec!["a.example.com", "b.example.com"]);
    assert_eq!(k.spki_sha256.len(), 64);
}

#[tokio::test]
async fn a_leaf_ending_expires_an_order_but_a_subscription_lives_until_its_term_ends() {
    let sb = start(SandboxConfig::default()).await;
    sb.seed("digicert", 1, "issued").unwrap();
    sb.seed("openprovider", 1, "issued").unwrap();
    let day = std::time::Duration::from_secs(86_400);
    sb.advance_clock(200 * day); // past the leaf (at most 199 days), inside the one-year term
    assert_eq!(sb.orders("digicert")[0]["status"], "expired", "DigiCert: the order is its certificate");
    assert_eq!(sb.orders("openprovider")[0]["status"], "ACT", "Openprovider: ACT until order_ends_at");
    sb.advance_clock(170 * day);
    assert_eq!(sb.orders("openprovider")[0]["status"], "EXP");
}
