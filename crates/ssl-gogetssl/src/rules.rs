//! The rules of an order that OpenAPI cannot say, shared by the client (nothing is sent when one is broken), the
//! neutral pre-flight and the simulator (which refuses the same orders): one source of truth next to the spec.
//!
//! - [`ORDER_FIELDS`]: every contact / organisation field of `add_ssl_order`, when the seed requires it (always,
//!   for OV, for OV and EV — exactly as the seed marks each one) and its neutral path in
//!   [`ssl_core::model::Contacts`]. The spec's descriptions say the same; a test keeps both in step.
//! - [`FACTS`]: how a product from `GET /products/ssl/{id}` reads as neutral [`ProductRules`] (levels, terms,
//!   brands, DCV flags) — data, read by [`ssl_core::facts::ProductFacts`]'s one evaluator ([`product_rules`])
//!   through the generated typed accessors (`ssl_core::facts::Fields` of `ProductDetails` and
//!   `AddSslOrderRequest`): no JSON copy of the product or the order.
//! - [`wire_rules`]: the cross-field rules of one order (`approver_email` only with email DCV, one
//!   `approver_emails` entry per `dns_names` entry, `dns_names` without the primary and absent for non-SAN
//!   products, per-SAN methods only for Sectigo brands, OV/EV fields, `server_count`, `period`).

use ssl_core::Problem;
use ssl_core::facts::{Brand, DcvFlag, OrderFields, ProductFacts};
use ssl_core::model::{DcvMethod, ProductRules, ValidationLevel};

use crate::generated as g;

pub use ssl_core::facts::{FieldRule, Need};

/// The seed's contact and organisation fields, in its order, with what it says about each: the spec's
/// `x-neutral` / `x-need` of each `add_ssl_order` property.
pub const ORDER_FIELDS: &[FieldRule] = g::AddSslOrderRequest::FIELDS;

/// How GoGetSSL's product details read as neutral rules: `product_type` `domain`/`business`/`extended` (or
/// `dv`/`ov`/`ev`), else `org_required`, else DV; terms from the numeric keys of `prices` (or `prices.vendor`),
/// else whole years up to `max_period`, else 12; DCV methods from the `dcv_*` flags, else by brand (Sectigo:
/// email, dns — a CNAME, so `dns-cname` too —, http, https, and a method per SAN; others: email, dns, http).
pub const FACTS: ProductFacts = ProductFacts::new()
    .with_name("product")
    .with_level(
        "product_type",
        &[
            ("ext*", ValidationLevel::Ev),
            ("ev", ValidationLevel::Ev),
            ("bus*", ValidationLevel::Ov),
            ("org*", ValidationLevel::Ov),
            ("ov", ValidationLevel::Ov),
            ("dom*", ValidationLevel::Dv),
            ("dv", ValidationLevel::Dv),
        ],
    )
    .with_level_flag("org_required", ValidationLevel::Ov)
    .with_wildcard("wildcard_enabled")
    .with_multi_domain("san_enabled")
    .with_max_names("multidomains_maximum")
    .with_prices(&["prices", "prices.vendor"])
    .with_max_period("max_period")
    .with_brand(
        "brand",
        &[
            Brand::new(
                "Sectigo",
                &["comodo", "sectigo", "ggssl", "gogetssl", "positivessl", "instantssl"],
                &[DcvMethod::Email, DcvMethod::Dns, DcvMethod::DnsCname, DcvMethod::Http, DcvMethod::Https],
            )
            .per_san(),
            Brand::new(
                "DigiCert",
                &["geotrust", "rapidssl", "thawte", "symantec", "digicert"],
                &[DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http],
            ),
            Brand::new("other", &[], &[DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http]),
        ],
    )
    .with_dcv_flags(&[
        DcvFlag::new(DcvMethod::Email, "dcv_email", true),
        DcvFlag::new(DcvMethod::Dns, "dcv_dns", true),
        DcvFlag::new(DcvMethod::DnsCname, "dcv_dns", false),
        DcvFlag::new(DcvMethod::Http, "dcv_http", true),
        DcvFlag::new(DcvMethod::Https, "dcv_https", true),
    ])
    .with_fields(ORDER_FIELDS);

/// The wire fields of `add_ssl_order` the product checks read.
pub const ORDER: OrderFields = OrderFields::new("dns_names", "approver_emails", "period", "dcv_method");

/// The neutral rules of a product from its details (`GET /products/ssl/{id}`), by [`FACTS`].
pub fn product_rules(p: &g::ProductDetails) -> ProductRules {
    FACTS.rules(&p.id.to_string(), p)
}

/// Per-SAN DCV methods (an `approver_emails` entry whose method differs from `dcv_method`) only for brands that
/// take them (Sectigo; wiki revision of Oct 2019: "only if certificate vendor is Comodo").
pub fn per_san_rule(o: &g::AddSslOrderRequest, p: &g::ProductDetails) -> Option<Problem> {
    FACTS.per_san_problem(&p.id.to_string(), p, o, &ORDER)
}

/// Every problem of an `add_ssl_order` / `add_ssl_renew_order` body but the CSR's: its `validate()` (each field,
/// and the spec's `x-rules`: `approver_email` only with email DCV, one `approver_emails` entry per `dns_names`
/// entry, no repeated name, no file-based method for a wildcard, `server_count` not 0), `dns_names` without the
/// primary domain (the CSR's common name, when known), and the product's rules ([`FACTS`]) when its details are
/// known. Every problem at once.
pub fn wire_rules(
    o: &g::AddSslOrderRequest,
    primary: Option<&str>,
    product: Option<&g::ProductDetails>,
) -> Vec<Problem> {
    let mut out = ssl_core::validate::Validate::validate(o);
    if let Some(p) = primary.map(|p| p.trim().to_ascii_lowercase()).filter(|p| !p.is_empty()) {
        if o.dns_names.iter().flatten().any(|n| n.trim().eq_ignore_ascii_case(&p)) {
            let msg = format!("`dns_names` must not contain the primary domain `{p}`");
            out.push(Problem::error("primary_in_dns_names", msg).with_field("dns_names"));
        }
    }
    if let Some(p) = product {
        out.extend(FACTS.check_order((&p.id.to_string(), p), o, &ORDER, primary, &crate::neutral::DCV_TABLE));
    }
    out
}
