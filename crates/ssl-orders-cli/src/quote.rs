//! `quote`, `renew --quote` and `reissue --quote`: the provider's price, with nothing placed. A child module of
//! `commands` (it reuses the CSR source and the spec building of `order`).

use ssl_core::model::Quote;

use super::{Session, csr_source};
use crate::args::OrderArgs;
use crate::fail::Failure;
use crate::output;
use crate::spec::{self, SpecInput};

/// The neutral spec of `order`-style arguments for `cn`, `sans` and `csr`.
pub(super) fn order_spec(
    a: &OrderArgs,
    cn: String,
    sans: Vec<String>,
    csr: String,
) -> Result<ssl_core::model::OrderSpec, Failure> {
    let mut spec = spec::build(SpecInput {
        product: &a.product,
        common_name: cn,
        sans,
        csr: Some(csr),
        dcv: &a.dcv,
        approvers: &a.approver_emails,
        months: a.months,
        contacts: a.contacts.as_deref(),
        options: &a.options,
    })?;
    spec.client_reference = a.reference.clone();
    Ok(spec)
}

/// `quote`: the same flags as `order`; a key generated for `--cn` stays in memory (no `--out` needed).
pub(super) async fn quote(s: &Session, a: OrderArgs) -> Result<(), Failure> {
    let (cn, sans, keyed) = csr_source(&a.source, None, true, None)?;
    let spec = order_spec(&a, cn, sans, keyed.csr_pem)?;
    let q = s.provider.quote(&spec).await?;
    print(s, "order", None, &q);
    Ok(())
}

/// Print a quote: `{"placed": false, …}` with `--json`, else one line saying nothing was placed.
pub(super) fn print(s: &Session, action: &str, order_id: Option<&str>, q: &Quote) {
    if s.json {
        output::json(&serde_json::json!({
            "placed": false,
            "provider": s.provider.name(),
            "action": action,
            "order_id": order_id,
            "product": q.product,
            "term_months": q.term_months,
            "price": q.price,
            "currency": q.currency,
            "validated": q.validated,
            "basis": q.basis,
            "lines": q.lines,
        }));
    } else {
        let what =
            order_id.map_or_else(|| format!("{action} of {}", q.product), |id| format!("{action} of order {id}"));
        let price = match (&q.price, &q.currency) {
            (Some(p), Some(c)) => format!("{p} {c}"),
            (Some(p), None) => p.clone(),
            (None, _) => "no price given".into(),
        };
        println!("{} quote for the {what}: {price}. Nothing was placed.", s.provider.name());
        for l in &q.lines {
            let qty = l.quantity.map(|n| format!("{n} x ")).unwrap_or_default();
            println!(
                "  {qty}{} {}: {}",
                l.product,
                l.action.as_deref().unwrap_or(""),
                l.price.as_deref().unwrap_or("-")
            );
        }
        if let Some(b) = &q.basis {
            println!("  ({b})");
        }
    }
}
