use ssl_sandbox::{Fault, Knobs, SandboxConfig};

use crate::*;

#[tokio::test]
async fn state_persists_across_starts_on_the_same_dir() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig { state_dir: Some(dir.path().to_path_buf()), ..SandboxConfig::default() };
    let http = client();

    let sb = start(config.clone()).await;
    let root = sb.root_pem();
    let (csr_pem, _) = csr(&["persist.example.com"]);
    let created =
        place(&http, &sb, "ssl_dv_geotrust", order_body("persist.example.com", &[], &csr_pem, "dns-txt-token")).await;
    let id = created["id"].as_i64().unwrap();
    dc(&http, &sb, "PUT", &format!("/order/certificate/{id}/check-dcv"), None).await;
    sb.set_knobs(
        Knobs { dcv: ssl_sandbox::DcvMode::Manual, ..Knobs::default() }
            .fault(Fault::rate_limit(1).path("/nothing").times(4)),
    );
    let orders = sb.orders("digicert");
    sb.shutdown().await;

    assert!(dir.path().join("state.json").exists());
    #[cfg(unix)]
    for f in ["root.key.pem", "intermediate.key.pem"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("ca").join(f)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }

    let sb = start(config.clone()).await;
    assert_eq!(sb.root_pem(), root, "same CA");
    assert_eq!(sb.orders("digicert"), orders, "same orders");
    assert_eq!(sb.knobs().faults[0].times, Some(4), "faults persist");
    assert_eq!(sb.knobs().dcv, ssl_sandbox::DcvMode::Manual, "a default config keeps the persisted knobs");
    let info = dc(&http, &sb, "GET", &format!("/order/certificate/{id}"), None).await;
    assert_eq!(info.json["status"], "issued");
    let cert_id = info.json["certificate"]["id"].as_i64().unwrap();
    let pem = dc(&http, &sb, "GET", &format!("/certificate/{cert_id}/download/format/pem_all"), None).await;
    assert_eq!(pem_ders(&pem.text)[2], pem_ders(&root)[0]);
    // The counter continues.
    let next = place(&http, &sb, "ssl_dv_geotrust", order_body("persist.example.com", &[], &csr_pem, "email")).await;
    assert!(next["id"].as_i64().unwrap() > id);
    // Requests from the first run are still in the log.
    assert!(sb.requests().iter().any(|r| { r.path.ends_with(&format!("/order/certificate/{id}/check-dcv")) }));
    drop(sb);
    // A non-default config overrides the persisted knob.
    let sb = start(SandboxConfig { approval: ssl_sandbox::Approval::Required, ..config.clone() }).await;
    assert_eq!(sb.knobs().approval, ssl_sandbox::Approval::Required);
    assert_eq!(sb.knobs().dcv, ssl_sandbox::DcvMode::Manual);
    sb.shutdown().await;

    // A state dir without orders (in memory) gets its own CA every time.
    let a = start(SandboxConfig::default()).await;
    let b = start(SandboxConfig::default()).await;
    assert_ne!(a.root_pem(), b.root_pem());
}
