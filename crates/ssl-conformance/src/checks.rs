//! The steps of the suite. Each starts its own simulator ([`Bench::start`]), so steps never see each other's
//! orders or faults.

use std::future::Future;
use std::time::{Duration, Instant};

use ssl_core::ErrorKind;
use ssl_core::ProviderDescriptor;
use ssl_core::model::{Capabilities, OrderStatus, Verb};
use ssl_sandbox::Fault;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::{Bench, Kind, OrderFor, Outcome, Report, csr, ensure, fail, is, reissue_spec, spend_fault};

/// Run `f` when the capabilities have every verb of `needs`; record it.
async fn step<F, Fut>(report: &mut Report, caps: &Capabilities, name: &'static str, needs: &[Verb], f: F) -> Outcome<()>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Outcome<()>>,
{
    if let Some(missing) = needs.iter().find(|v| !caps.supports(**v)) {
        report.skipped.push((name, *missing));
        return Ok(());
    }
    f().await?;
    report.passed.push(name);
    Ok(())
}

/// Every step, in order.
pub(crate) async fn all(d: &'static ProviderDescriptor, order: OrderFor, caps: &Capabilities) -> Outcome<Report> {
    use Verb::*;
    let mut r = Report::default();
    step(&mut r, caps, "products and quote", &[Products], || products(d, order)).await?;
    step(&mut r, caps, "the provider's rules hold", &[Products, Place], || check_rules(d, order)).await?;
    step(&mut r, caps, "place, DCV, download", &[Place, Get, Download], || lifecycle(d, order)).await?;
    step(&mut r, caps, "reissue with a new key", &[Place, Reissue, Download], || reissue(d, order)).await?;
    step(&mut r, caps, "renew", &[Place, Renew, Get], || renew(d, order)).await?;
    step(&mut r, caps, "cancel", &[Place, Cancel, Get], || cancel(d, order)).await?;
    step(&mut r, caps, "revoke", &[Place, Revoke, Get], || revoke(d, order)).await?;
    step(&mut r, caps, "a read refused with 429 is retried", &[Place, Get], || read_429(d, order)).await?;
    for (name, kind) in [
        ("a spend refused with 429 is RateLimited", Kind::RateLimit),
        ("a spend with an undecodable 5xx after commit is OutcomeUnknown", Kind::ServerError),
        ("a spend timing out after commit is OutcomeUnknown", Kind::DelayAfterCommit),
        ("a spend dropped after commit is OutcomeUnknown", Kind::DropAfterCommit),
    ] {
        step(&mut r, caps, name, &[Place], || spend(d, order, kind)).await?;
    }
    step(&mut r, caps, "a wrong credential is Auth", &[Get], || auth(d)).await?;
    step(&mut r, caps, "an unknown status is kept raw", &[Place, Get], || raw_status(d, order)).await?;
    Ok(r)
}

async fn products(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let spec = order("products.example.com", csr(&["products.example.com"]));
    let list = b.provider.products().await.or_else(|e| fail("products", e))?;
    ensure(list.iter().any(|p| p.id == spec.product), "products", || format!("`{}` is not listed", spec.product))?;
    if b.provider.capabilities().supports(Verb::Quote) {
        let q = b.provider.quote(&spec).await.or_else(|e| fail("quote", e))?;
        ensure(q.product == spec.product && q.price.is_some(), "quote", || format!("{q:?}"))?;
    }
    Ok(())
}

/// The provider's own rules for the order's product, tried at their edge against the simulator (which judges by
/// its own catalog): a wildcard name where the rules allow wildcards, as many names as they allow (up to 5; a
/// two-name product gets the name and its `www` variant).
pub async fn check_rules(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let product = order("rules.example.com", csr(&["rules.example.com"])).product;
    let rules = b.provider.product(&product).await.or_else(|e| fail("rules", e))?;
    if rules.wildcard {
        let spec = order("*.wild.example.com", csr(&["*.wild.example.com"]));
        let placed = b.provider.place(&spec).await;
        ensure(placed.is_ok(), "rules", || format!("`{product}` claims wildcard names, but: {}", placed.unwrap_err()))?;
    }
    let most = rules.max_names.unwrap_or(if rules.multi_domain { 5 } else { 1 }).min(5) as usize;
    if most > 1 {
        // Two names: the name and its `www` variant (what a single-name product adds for free, and any two-name
        // product takes); more: distinct names.
        let name = |i: usize| match (most, i) {
            (2, 1) => "www.many.example.com".to_owned(),
            (2, _) => "many.example.com".to_owned(),
            _ => format!("n{i}.many.example.com"),
        };
        let names: Vec<String> = (0..most).map(name).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let spec = names[1..].iter().fold(order(refs[0], csr(&refs)), |s, n| s.san(n.as_str()));
        let placed = b.provider.place(&spec).await;
        ensure(placed.is_ok(), "rules", || format!("`{product}` claims {most} names, but: {}", placed.unwrap_err()))?;
    }
    Ok(())
}

/// The DER SubjectPublicKeyInfo of a PEM CSR or certificate.
fn spki(pem: &str) -> Outcome<Vec<u8>> {
    let (_, p) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).or_else(|e| fail("key", e))?;
    if p.label.contains("REQUEST") {
        let (_, r) = x509_parser::certification_request::X509CertificationRequest::from_der(&p.contents)
            .or_else(|e| fail("key", e))?;
        return Ok(r.certification_request_info.subject_pki.raw.to_vec());
    }
    let (_, c) = X509Certificate::from_der(&p.contents).or_else(|e| fail("key", e))?;
    Ok(c.public_key().raw.to_vec())
}

/// Download `id`: the chain verifies up to the sandbox root and the leaf's key is `csr_pem`'s. The leaf (PEM).
async fn download_verified(b: &Bench, id: &str, csr_pem: &str) -> Outcome<String> {
    let bundle = b.provider.download(id).await.or_else(|e| fail("download", e))?;
    let root = b.sandbox.root_pem();
    let mut chain = vec![bundle.leaf_pem.clone()];
    chain.extend(bundle.intermediates_pem.iter().cloned());
    chain.push(root.clone());
    let ders: Vec<Vec<u8>> = chain
        .iter()
        .map(|p| x509_parser::pem::parse_x509_pem(p.as_bytes()).map(|(_, p)| p.contents))
        .collect::<Result<_, _>>()
        .or_else(|e| fail("download", e))?;
    let certs: Vec<X509Certificate<'_>> = ders
        .iter()
        .map(|d| X509Certificate::from_der(d).map(|(_, c)| c))
        .collect::<Result<_, _>>()
        .or_else(|e| fail("download", e))?;
    for pair in certs.windows(2) {
        pair[0]
            .verify_signature(Some(pair[1].public_key()))
            .or_else(|e| fail("chain", format!("{}: {e}", pair[0].subject())))?;
    }
    ensure(bundle.root_pem.as_deref().is_none_or(|r| r.trim() == root.trim()), "chain", || {
        "a root other than the sandbox's".into()
    })?;
    ensure(spki(&bundle.leaf_pem)? == spki(csr_pem)?, "key", || "the leaf's key is not the CSR's".into())?;
    Ok(bundle.leaf_pem)
}

async fn lifecycle(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let key = csr(&["life.example.com"]);
    let placed = b.provider.place(&order("life.example.com", key.clone())).await.or_else(|e| fail("place", e))?;
    let open = [OrderStatus::PendingValidation, OrderStatus::Processing, OrderStatus::Issued];
    ensure(open.contains(&placed.status), "place", || format!("placed as {:?}", placed.status))?;
    let got = b.provider.get(&placed.order_id).await.or_else(|e| fail("get", e))?;
    ensure(got.order_id == placed.order_id && got.common_name == "life.example.com", "get", || format!("{got:?}"))?;
    b.issue(&placed.order_id).await?;
    download_verified(&b, &placed.order_id, &key).await?;
    if b.provider.capabilities().supports(Verb::ListOrders) {
        let filter = ssl_core::model::OrderFilter::new().common_name("life.example.com");
        let page = b.provider.list_orders(&filter).await.or_else(|e| fail("list", e))?;
        ensure(page.orders.iter().any(|o| o.order_id == placed.order_id), "list", || format!("{page:?}"))?;
    }
    Ok(())
}

async fn placed_and_issued(b: &Bench, order: OrderFor, cn: &str) -> Outcome<(String, String)> {
    let key = csr(&[cn]);
    let placed = b.provider.place(&order(cn, key.clone())).await.or_else(|e| fail("place", e))?;
    b.issue(&placed.order_id).await?;
    Ok((placed.order_id, key))
}

/// A reissue with a new key gives a new leaf for that key: on the same order, or on the new order the answer names
/// where the capabilities say a reissue is a new order (then the reissued order keeps its old leaf).
async fn reissue(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let new_order = b.provider.capabilities().reissue_new_order;
    let (id, old_key) = placed_and_issued(&b, order, "re.example.com").await?;
    let old_leaf = download_verified(&b, &id, &old_key).await?;
    let new_key = csr(&["re.example.com"]);
    let re = b.provider.reissue(&id, &reissue_spec(new_key.clone())).await.or_else(|e| fail("reissue", e))?;
    ensure((re.order_id != id) == new_order, "reissue", || {
        let want = if new_order { "a new order (capabilities: reissue_new_order)" } else { "the same order" };
        format!("a reissue of {id} answered order {}, want {want}", re.order_id)
    })?;
    b.issue(&re.order_id).await?;
    let new_leaf = download_verified(&b, &re.order_id, &new_key).await?;
    ensure(new_leaf != old_leaf, "reissue", || "the same leaf after a reissue".into())?;
    if new_order {
        let kept = download_verified(&b, &id, &old_key).await?;
        ensure(kept == old_leaf, "reissue", || format!("the reissued order {id} lost its own leaf"))?;
    }
    Ok(())
}

/// Days of coverage left when the suite renews.
const RENEW_DAYS_LEFT: u64 = 15;

/// A renewal is a new order, the renewed one staying issued; or, where the capabilities say `renew_in_place`, the
/// same order with a later coverage end.
async fn renew(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let in_place = b.provider.capabilities().renew_in_place;
    let (id, _) = placed_and_issued(&b, order, "renew.example.com").await?;
    let before = b.provider.get(&id).await.or_else(|e| fail("renew", e))?.coverage_ends;
    // Renew near the end of the coverage, as providers accept a renewal only in a window before it: the term is
    // moved, not the clock (a client may check the window by its own clock).
    if before.is_some() {
        let end = b.sandbox.now().date() + Duration::from_secs(RENEW_DAYS_LEFT * 86_400);
        b.sandbox.set_coverage_end(d.name, &id, end).or_else(|e| fail("renew", e))?;
    }
    let before = b.provider.get(&id).await.or_else(|e| fail("renew", e))?.coverage_ends;
    let renewed = b.provider.renew(&id, &order("renew.example.com", csr(&["renew.example.com"]))).await;
    let renewed = renewed.or_else(|e| fail("renew", e))?;
    ensure((renewed.order_id == id) == in_place, "renew", || {
        let want = if in_place { "the same order (capabilities: renew_in_place)" } else { "a new order" };
        format!("a renewal of {id} answered order {}, want {want}", renewed.order_id)
    })?;
    if in_place {
        let after = b.provider.get(&id).await.or_else(|e| fail("renew", e))?.coverage_ends;
        return ensure(after > before, "renew", || format!("renewed in place, coverage {before:?} → {after:?}"));
    }
    let old = b.provider.get(&id).await.or_else(|e| fail("renew", e))?;
    let kept = old.status == OrderStatus::Issued;
    ensure(kept, "renew", || format!("the renewed order is {:?} ({})", old.status, old.provider_status))?;
    b.provider.get(&renewed.order_id).await.or_else(|e| fail("renew", e)).map(|_| ())
}

async fn cancel(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    b.sandbox.set_knobs(ssl_sandbox::Knobs { dcv: ssl_sandbox::DcvMode::Manual, ..Default::default() });
    let placed = b.provider.place(&order("cancel.example.com", csr(&["cancel.example.com"]))).await;
    let id = placed.or_else(|e| fail("place", e))?.order_id;
    b.provider.cancel(&id, Some("conformance")).await.or_else(|e| fail("cancel", e))?;
    let got = b.provider.get(&id).await.or_else(|e| fail("cancel", e))?;
    ensure(got.status == OrderStatus::Cancelled, "cancel", || format!("{:?} ({})", got.status, got.provider_status))
}

async fn revoke(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let (id, _) = placed_and_issued(&b, order, "revoke.example.com").await?;
    b.provider.revoke(&id, Some("conformance")).await.or_else(|e| fail("revoke", e))?;
    let got = b.provider.get(&id).await.or_else(|e| fail("revoke", e))?;
    ensure(got.status == OrderStatus::Revoked, "revoke", || format!("{:?} ({})", got.status, got.provider_status))
}

async fn read_429(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let placed = b.provider.place(&order("busy.example.com", csr(&["busy.example.com"]))).await;
    let id = placed.or_else(|e| fail("place", e))?.order_id;
    b.fault(Fault::rate_limit(1).method("GET").times(1));
    let started = Instant::now();
    b.provider.get(&id).await.or_else(|e| fail("read 429", format!("not retried: {e}")))?;
    ensure(started.elapsed().as_millis() >= 900, "read 429", || "retried before Retry-After".into())?;
    let hit = b.sandbox.events().into_iter().find(|r| r.faults.iter().any(|f| f == "rate_limit"));
    let hit = hit.map_or_else(|| fail("read 429", "the fault never fired"), Ok)?;
    let again = b.count("GET", &hit.path);
    ensure(again >= 2, "read 429", || format!("{again} reads of {}", hit.path))
}

async fn spend(d: &'static ProviderDescriptor, order: OrderFor, kind: Kind) -> Outcome<()> {
    let b = Bench::start(d).await?;
    // Log in and warm up before the fault, so it hits the spend.
    let _ = b.provider.get("1").await;
    let fault = match kind {
        Kind::ServerError => {
            Fault::server_error(502).after_commit().raw_body("<html>502 Bad Gateway</html>").method("POST").times(1)
        }
        other => spend_fault(other),
    };
    b.fault(fault);
    let key = csr(&["spend.example.com"]);
    let err = match b.provider.place(&order("spend.example.com", key.clone())).await {
        Ok(o) => return fail("spend", format!("placed {} through a {kind:?} fault", o.order_id)),
        Err(e) => e,
    };
    let want = if kind == Kind::RateLimit { ErrorKind::RateLimited } else { ErrorKind::OutcomeUnknown };
    ensure(is(want, &err), "spend", || format!("{kind:?}: {err} ({:?}), want {want:?}", err.kind()))?;
    let hit = b.sandbox.events().into_iter().find(|r| !r.faults.is_empty());
    let hit = hit.map_or_else(|| fail("spend", "the fault never fired"), Ok)?;
    let sent = b.count("POST", &hit.path);
    ensure(sent == 1, "spend", || format!("{kind:?}: the spend was sent {sent} times"))?;
    let stored = b.sandbox.orders_for_csr_key(&key).or_else(|e| fail("spend", e))?;
    let want_stored = usize::from(kind != Kind::RateLimit);
    ensure(stored == want_stored, "spend", || format!("{kind:?}: {stored} orders stored, want {want_stored}"))
}

async fn auth(d: &'static ProviderDescriptor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let wrong = Bench::connect(d, &b.sandbox, true)?;
    match wrong.get("1").await {
        Err(e) if is(ErrorKind::Auth, &e) => Ok(()),
        other => fail("auth", format!("a wrong credential gave {other:?}")),
    }
}

async fn raw_status(d: &'static ProviderDescriptor, order: OrderFor) -> Outcome<()> {
    let b = Bench::start(d).await?;
    let placed = b.provider.place(&order("raw.example.com", csr(&["raw.example.com"]))).await;
    let id = placed.or_else(|e| fail("place", e))?.order_id;
    b.sandbox.set_raw_status(d.name, &id, Some("on_hold_sandbox")).or_else(|e| fail("raw status", e))?;
    let got = b.provider.get(&id).await.or_else(|e| fail("raw status", e))?;
    ensure(got.status == OrderStatus::Unknown && got.provider_status == "on_hold_sandbox", "raw status", || {
        format!("{:?} ({})", got.status, got.provider_status)
    })
}
