//! The rules of an order that OpenAPI cannot say, shared by the client (nothing is sent when one is broken), the
//! neutral pre-flight and the simulator (which refuses the same orders): one source of truth next to the spec.
//!
//! - [`ORDER_FIELDS`]: every contact / organisation field of `add_ssl_order`, when the seed requires it (always,
//!   for OV, for OV and EV — exactly as the seed marks each one) and its neutral path in
//!   [`ssl_core::model::Contacts`]. The spec's descriptions say the same; a test keeps both in step.
//! - [`FACTS`]: how a product from `GET /products/ssl/{id}` reads as neutral [`ProductRules`] (levels, terms,
//!   brands, DCV flags) — data, read by [`ssl_core::facts::ProductFacts`]'s one evaluator ([`product_rules`]).
//! - [`wire_rules`]: the cross-field rules of one order (`approver_email` only with email DCV, one
//!   `approver_emails` entry per `dns_names` entry, `dns_names` without the primary and absent for non-SAN
//!   products, per-SAN methods only for Sectigo brands, OV/EV fields, `server_count`, `period`).

use ssl_core::Problem;
use ssl_core::facts::{Brand, DcvFlag, OrderFields, ProductFacts};
use ssl_core::model::{DcvMethod, ProductRules, ValidationLevel};

use crate::generated as g;

pub use ssl_core::facts::{FieldRule, Need};

const fn f(wire: &'static str, neutral: &'static str, need: Need) -> FieldRule {
    FieldRule { wire, neutral, need }
}

/// The seed's contact and organisation fields, in its order, with what it says about each.
pub const ORDER_FIELDS: &[FieldRule] = &[
    f("admin_firstname", "admin.first_name", Need::Always),
    f("admin_lastname", "admin.last_name", Need::Always),
    f("admin_organization", "admin.organization", Need::OvEv),
    f("admin_addressline1", "admin.address", Need::OvEv),
    f("admin_phone", "admin.phone", Need::Always),
    f("admin_title", "admin.title", Need::Always),
    f("admin_email", "admin.email", Need::Always),
    f("admin_city", "admin.city", Need::Ov),
    f("admin_country", "admin.country", Need::Ov),
    f("admin_fax", "admin.fax", Need::Ov),
    f("admin_postalcode", "admin.postal_code", Need::Optional),
    f("admin_region", "admin.region", Need::Optional),
    f("tech_firstname", "tech.first_name", Need::Always),
    f("tech_lastname", "tech.last_name", Need::Always),
    f("tech_organization", "tech.organization", Need::Ov),
    f("tech_addressline1", "tech.address", Need::Optional),
    f("tech_phone", "tech.phone", Need::Always),
    f("tech_title", "tech.title", Need::Always),
    f("tech_email", "tech.email", Need::Always),
    f("tech_city", "tech.city", Need::OvEv),
    f("tech_country", "tech.country", Need::OvEv),
    f("tech_fax", "tech.fax", Need::Optional),
    f("tech_postalcode", "tech.postal_code", Need::Optional),
    f("tech_region", "tech.region", Need::Optional),
    f("org_name", "organization.name", Need::OvEv),
    f("org_division", "organization.division", Need::OvEv),
    f("org_duns", "organization.duns", Need::Optional),
    f("org_addressline1", "organization.address", Need::OvEv),
    f("org_city", "organization.city", Need::OvEv),
    f("org_country", "organization.country", Need::OvEv),
    f("org_fax", "organization.fax", Need::Optional),
    f("org_phone", "organization.phone", Need::OvEv),
    f("org_postalcode", "organization.postal_code", Need::OvEv),
    f("org_region", "organization.region", Need::Ov),
];

/// How GoGetSSL's product details read as neutral rules: `product_type` `domain`/`business`/`extended` (or
/// `dv`/`ov`/`ev`), else `org_required`, else DV; terms from the numeric keys of `prices` (or `prices.vendor`),
/// else whole years up to `max_period`, else 12; DCV methods from the `dcv_*` flags, else by brand (Sectigo:
/// email, dns — a CNAME, so `dns-cname` too —, http, https, and a method per SAN; others: email, dns, http).
pub const FACTS: ProductFacts = ProductFacts {
    name: "product",
    level: "product_type",
    levels: &[
        ("ext*", ValidationLevel::Ev),
        ("ev", ValidationLevel::Ev),
        ("bus*", ValidationLevel::Ov),
        ("org*", ValidationLevel::Ov),
        ("ov", ValidationLevel::Ov),
        ("dom*", ValidationLevel::Dv),
        ("dv", ValidationLevel::Dv),
    ],
    level_flag: Some(("org_required", ValidationLevel::Ov)),
    wildcard: "wildcard_enabled",
    multi_domain: "san_enabled",
    max_names: "multidomains_maximum",
    prices: &["prices", "prices.vendor"],
    max_period: "max_period",
    brand: "brand",
    brands: &[
        Brand {
            name: "Sectigo",
            keywords: &["comodo", "sectigo", "ggssl", "gogetssl", "positivessl", "instantssl"],
            methods: &[DcvMethod::Email, DcvMethod::Dns, DcvMethod::DnsCname, DcvMethod::Http, DcvMethod::Https],
            per_san: true,
        },
        Brand {
            name: "DigiCert",
            keywords: &["geotrust", "rapidssl", "thawte", "symantec", "digicert"],
            methods: &[DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http],
            per_san: false,
        },
        Brand {
            name: "other",
            keywords: &[],
            methods: &[DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http],
            per_san: false,
        },
    ],
    dcv_flags: &[
        DcvFlag { method: DcvMethod::Email, flag: "dcv_email", adds: true },
        DcvFlag { method: DcvMethod::Dns, flag: "dcv_dns", adds: true },
        DcvFlag { method: DcvMethod::DnsCname, flag: "dcv_dns", adds: false },
        DcvFlag { method: DcvMethod::Http, flag: "dcv_http", adds: true },
        DcvFlag { method: DcvMethod::Https, flag: "dcv_https", adds: true },
    ],
    fields: ORDER_FIELDS,
};

/// The wire fields of `add_ssl_order` the product checks read.
pub const ORDER: OrderFields =
    OrderFields { names: "dns_names", approvers: "approver_emails", period: "period", method: "dcv_method" };

/// The neutral rules of a product from its details (`GET /products/ssl/{id}`), by [`FACTS`].
pub fn product_rules(p: &g::ProductDetails) -> ProductRules {
    FACTS.rules(&p.id.to_string(), &serde_json::to_value(p).unwrap_or_default())
}

fn problem(code: &str, field: &str, message: String) -> Problem {
    Problem::error(code, message).with_field(field)
}

/// Per-SAN DCV methods (an `approver_emails` entry whose method differs from `dcv_method`) only for brands that
/// take them (Sectigo; wiki revision of Oct 2019: "only if certificate vendor is Comodo").
pub fn per_san_rule(o: &g::AddSslOrderRequest, p: &g::ProductDetails) -> Option<Problem> {
    let (product, order) = (serde_json::to_value(p).unwrap_or_default(), serde_json::to_value(o).unwrap_or_default());
    FACTS.per_san_problem(&p.id.to_string(), &product, &order, &ORDER)
}

/// The cross-field rules of an `add_ssl_order` / `add_ssl_renew_order` body (the generated `validate()` covers
/// each field on its own). `primary` is the primary domain (the CSR's common name) when known; `product` its
/// details when known (without them only the product-independent rules run). Every problem at once.
pub fn wire_rules(
    o: &g::AddSslOrderRequest,
    primary: Option<&str>,
    product: Option<&g::ProductDetails>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let email = o.dcv_method == g::DcvMethod::Email;
    match (&o.approver_email, email) {
        (None, true) => out.push(problem(
            "field_required",
            "approver_email",
            "`approver_email` is required with email DCV (the primary domain's approver)".into(),
        )),
        (Some(_), false) => out.push(problem(
            "field_not_allowed",
            "approver_email",
            format!("`approver_email` is sent only with email DCV; `dcv_method` is `{}`", o.dcv_method),
        )),
        _ => {}
    }
    let names = o.dns_names.as_deref().unwrap_or(&[]);
    let approvers = o.approver_emails.as_deref();
    match (o.dns_names.is_some(), approvers) {
        (true, None) => out.push(problem(
            "approver_emails_count",
            "approver_emails",
            format!("`approver_emails` needs one entry per `dns_names` entry ({}); none given", names.len()),
        )),
        (true, Some(a)) if a.len() != names.len() => out.push(problem(
            "approver_emails_count",
            "approver_emails",
            format!(
                "`approver_emails` has {} entries for {} `dns_names`; one per name, in order",
                a.len(),
                names.len()
            ),
        )),
        (false, Some(a)) => out.push(problem(
            "field_not_allowed",
            "approver_emails",
            format!("`approver_emails` ({} entries) is sent only with `dns_names`", a.len()),
        )),
        _ => {}
    }
    if let Some(p) = primary.map(|p| p.trim().to_ascii_lowercase()).filter(|p| !p.is_empty()) {
        if names.iter().any(|n| n.trim().eq_ignore_ascii_case(&p)) {
            out.push(problem(
                "primary_in_dns_names",
                "dns_names",
                format!("`dns_names` must not contain the primary domain `{p}`"),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for n in names {
        if !seen.insert(n.trim().to_ascii_lowercase()) {
            out.push(problem("duplicate_name", "dns_names", format!("`{n}` is listed twice in `dns_names`")));
        }
    }
    if o.server_count == 0 {
        out.push(problem(
            "range",
            "server_count",
            "`server_count` is -1 (unlimited) or at least 1; 0 is refused".into(),
        ));
    }
    for (name, entry) in names.iter().zip(approvers.unwrap_or(&[])) {
        if name.starts_with("*.") && matches!(entry.as_str(), "http" | "https") {
            out.push(problem(
                "dcv_not_allowed",
                "approver_emails",
                format!("`{name}`: a wildcard cannot be validated with the file-based method `{entry}`"),
            ));
        }
    }
    if let Some(p) = product {
        let doc = serde_json::to_value(o).unwrap_or_default();
        let product = serde_json::to_value(p).unwrap_or_default();
        out.extend(FACTS.check_order((&p.id.to_string(), &product), &doc, &ORDER, primary, &crate::neutral::DCV_TABLE));
    }
    out
}
