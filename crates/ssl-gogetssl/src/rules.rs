//! The rules of an order that OpenAPI cannot say, shared by the client (nothing is sent when one is broken), the
//! neutral pre-flight and the simulator (which refuses the same orders): one source of truth next to the spec.
//!
//! - [`ORDER_FIELDS`]: every contact / organisation field of `add_ssl_order`, when the seed requires it (always,
//!   for OV, for OV and EV — exactly as the seed marks each one) and its neutral path in
//!   [`ssl_core::model::Contacts`]. The spec's descriptions say the same; a test keeps both in step.
//! - [`product_rules`] and [`Brand`]: the neutral [`ProductRules`] of a product from `GET /products/ssl/{id}`.
//! - [`wire_rules`]: the cross-field rules of one order (`approver_email` only with email DCV, one
//!   `approver_emails` entry per `dns_names` entry, `dns_names` without the primary and absent for non-SAN
//!   products, per-SAN methods only for Sectigo brands, OV/EV fields, `server_count`, `period`).

use ssl_core::Problem;
use ssl_core::model::{DcvMethod, ProductRules, ValidationLevel};

use crate::generated as g;

/// When the seed requires a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// "Required." for every product.
    Always,
    /// "required for OV SSL certificates": OV only (the seed does not mark these for EV).
    Ov,
    /// "required for OV/EV SSL certificates".
    OvEv,
    /// Never required.
    Optional,
}

impl Need {
    /// Whether a product of `level` needs the field.
    pub fn applies(self, level: ValidationLevel) -> bool {
        match self {
            Self::Always => true,
            Self::Ov => level == ValidationLevel::Ov,
            Self::OvEv => matches!(level, ValidationLevel::Ov | ValidationLevel::Ev),
            Self::Optional => false,
        }
    }
}

/// One contact or organisation field of `add_ssl_order`.
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    /// Wire name (`admin_city`).
    pub wire: &'static str,
    /// Neutral path in [`ssl_core::model::Contacts`] (`admin.city`).
    pub neutral: &'static str,
    /// When it is required.
    pub need: Need,
}

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

/// The neutral paths a product of `level` requires (for [`ProductRules::required_fields`]).
pub fn required_paths(level: ValidationLevel) -> Vec<String> {
    ORDER_FIELDS.iter().filter(|r| r.need.applies(level)).map(|r| r.neutral.to_owned()).collect()
}

/// Who makes a product's certificates, as far as DCV is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brand {
    /// Sectigo / Comodo / GoGetSSL brands: `dns` is a CNAME, every SAN may take its own method.
    Sectigo,
    /// GeoTrust, RapidSSL, Thawte, Symantec, DigiCert: one method per order, `dns` is a TXT record.
    DigiCertFamily,
    /// Anything else: one method per order.
    Other,
}

impl Brand {
    /// Classify GoGetSSL's `brand` value (`comodo`, `comodo_ggssl`, `sectigo`, `rapidssl`, ...).
    pub fn of(brand: Option<&str>) -> Self {
        let b = brand.unwrap_or("").trim().to_ascii_lowercase();
        if ["comodo", "sectigo", "ggssl", "gogetssl", "positivessl", "instantssl"].iter().any(|k| b.contains(k)) {
            Self::Sectigo
        } else if ["geotrust", "rapidssl", "thawte", "symantec", "digicert"].iter().any(|k| b.contains(k)) {
            Self::DigiCertFamily
        } else {
            Self::Other
        }
    }

    /// Whether every SAN may take its own method (`approver_emails` entries `http`/`https`/`dns`).
    pub fn per_san_methods(self) -> bool {
        self == Self::Sectigo
    }
}

/// The validation level of a product: `product_type` `domain`/`business`/`extended` (or `dv`/`ov`/`ev`), else
/// `org_required`, else DV.
pub fn validation_level(p: &g::ProductDetails) -> ValidationLevel {
    let t = p.product_type.as_deref().unwrap_or("").trim().to_ascii_lowercase();
    if t.starts_with("ext") || t == "ev" {
        ValidationLevel::Ev
    } else if t.starts_with("bus") || t.starts_with("org") || t == "ov" {
        ValidationLevel::Ov
    } else if t.starts_with("dom") || t == "dv" {
        ValidationLevel::Dv
    } else if p.org_required == Some(true) {
        ValidationLevel::Ov
    } else {
        ValidationLevel::Dv
    }
}

/// Terms offered, in months: the numeric keys of `prices` (or of `prices.vendor`), else every whole year up to
/// `max_period`, else 12.
pub fn periods_months(p: &g::ProductDetails) -> Vec<u32> {
    fn keys(v: Option<&serde_json::Value>) -> Vec<u32> {
        match v {
            Some(serde_json::Value::Object(m)) => {
                m.keys().filter_map(|k| k.trim().parse::<u32>().ok()).filter(|m| *m > 0).collect()
            }
            _ => Vec::new(),
        }
    }
    let prices = p.prices.as_ref();
    let mut out = keys(prices);
    if out.is_empty() {
        out = keys(prices.and_then(|v| v.get("vendor")));
    }
    if out.is_empty() {
        if let Some(max) = p.max_period.filter(|m| *m >= 12) {
            out = (1..=max / 12).map(|y| (y * 12) as u32).collect();
        }
    }
    if out.is_empty() {
        out.push(12);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The neutral DCV methods of a product: the `dcv_*` flags when present, else by brand (Sectigo: email, dns, http,
/// https; others: email, dns, http). `dns-cname` is listed for Sectigo brands, whose `dns` is a CNAME.
pub fn dcv_methods(p: &g::ProductDetails) -> Vec<DcvMethod> {
    let brand = Brand::of(p.brand.as_deref());
    let flags = [p.dcv_email, p.dcv_dns, p.dcv_http, p.dcv_https];
    let (email, dns, http, https) = if flags.iter().any(Option::is_some) {
        (
            p.dcv_email.unwrap_or(true),
            p.dcv_dns.unwrap_or(true),
            p.dcv_http.unwrap_or(true),
            p.dcv_https.unwrap_or(brand == Brand::Sectigo),
        )
    } else {
        (true, true, true, brand == Brand::Sectigo)
    };
    let mut out = Vec::new();
    if email {
        out.push(DcvMethod::Email);
    }
    if dns {
        out.push(DcvMethod::Dns);
        if brand == Brand::Sectigo {
            out.push(DcvMethod::DnsCname);
        }
    }
    if http {
        out.push(DcvMethod::Http);
    }
    if https {
        out.push(DcvMethod::Https);
    }
    out
}

/// The neutral rules of a product from its details (`GET /products/ssl/{id}`). `max_names` is
/// `multidomains_maximum` (primary included) for SAN products and `None` otherwise (a single-name product is
/// refused SANs by `multi_domain` already).
pub fn product_rules(p: &g::ProductDetails) -> ProductRules {
    let validation = validation_level(p);
    let multi = p.san_enabled.unwrap_or(false);
    ProductRules {
        id: p.id.to_string(),
        name: p.product.clone().unwrap_or_else(|| format!("product {}", p.id)),
        validation,
        wildcard: p.wildcard_enabled.unwrap_or(false),
        multi_domain: multi,
        max_names: if multi {
            p.multidomains_maximum.filter(|n| *n > 0).and_then(|n| u32::try_from(n).ok())
        } else {
            None
        },
        periods_months: periods_months(p),
        dcv_methods: dcv_methods(p),
        required_fields: required_paths(validation),
    }
}

/// Whether a wire DCV value is an approver address (GoGetSSL sends the address itself as the method).
pub(crate) fn is_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((a, b)) if !a.is_empty() && b.contains('.') && !b.starts_with('.'))
}

fn problem(code: &str, field: &str, message: String) -> Problem {
    Problem::error(code, message).with_field(field)
}

/// Per-SAN DCV methods (an `approver_emails` entry whose method differs from `dcv_method`) only for brands that
/// take them (Sectigo; wiki revision of Oct 2019: "only if certificate vendor is Comodo").
pub fn per_san_rule(o: &g::AddSslOrderRequest, product: &g::ProductDetails) -> Option<Problem> {
    if Brand::of(product.brand.as_deref()).per_san_methods() {
        return None;
    }
    let primary = o.dcv_method.as_str();
    let differs = o.approver_emails.as_deref().unwrap_or(&[]).iter().any(|a| {
        let m = if is_email(a) { "email" } else { a.as_str() };
        m != primary
    });
    differs.then(|| {
        problem(
            "dcv_not_allowed",
            "approver_emails",
            format!(
                "product {} ({}) takes one DCV method for every name; per-SAN methods are for Sectigo brands",
                product.id,
                product.brand.as_deref().unwrap_or("unknown brand")
            ),
        )
    })
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
    let Some(product) = product else { return out };
    let primary_method = o.dcv_method.as_str();
    out.extend(per_san_rule(o, product));
    let rules = product_rules(product);
    if !rules.multi_domain && o.dns_names.is_some() {
        out.push(problem(
            "field_not_allowed",
            "dns_names",
            format!("product {} is not a SAN product; `dns_names` must not be sent", product.id),
        ));
    }
    if let Some(max) = rules.max_names.filter(|m| names.len() + 1 > *m as usize) {
        out.push(problem(
            "too_many_names",
            "dns_names",
            format!(
                "product {} allows at most {max} names (primary included); the order has {}",
                product.id,
                names.len() + 1
            ),
        ));
    }
    if !rules.wildcard {
        let wild: Vec<&str> =
            primary.into_iter().chain(names.iter().map(String::as_str)).filter(|n| n.starts_with("*.")).collect();
        if !wild.is_empty() {
            out.push(problem(
                "product_rule",
                "dns_names",
                format!("product {} does not cover wildcard names: {}", product.id, wild.join(", ")),
            ));
        }
    }
    let period = u32::try_from(o.period).unwrap_or(0);
    if !rules.periods_months.contains(&period) {
        out.push(problem(
            "period_not_offered",
            "period",
            format!(
                "product {} is sold for {} months; not {}",
                product.id,
                rules.periods_months.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                o.period
            ),
        ));
    }
    let offered = dcv_methods(product);
    let wire_offered = |m: &str| match m {
        "email" => offered.contains(&DcvMethod::Email),
        "dns" => offered.contains(&DcvMethod::Dns),
        "http" => offered.contains(&DcvMethod::Http),
        "https" => offered.contains(&DcvMethod::Https),
        _ => true,
    };
    if !wire_offered(primary_method) {
        out.push(problem(
            "dcv_not_allowed",
            "dcv_method",
            format!("product {} does not offer `{primary_method}` DCV", product.id),
        ));
    }
    let level = rules.validation;
    let doc = serde_json::to_value(o).unwrap_or_default();
    for r in ORDER_FIELDS.iter().filter(|r| matches!(r.need, Need::Ov | Need::OvEv) && r.need.applies(level)) {
        if ssl_core::operation::text_at(&doc, r.wire).is_none() {
            let lvl = match level {
                ValidationLevel::Ev => "EV",
                _ => "OV",
            };
            out.push(problem(
                "field_required",
                r.wire,
                format!("`{}` is required for {lvl} product {} (contacts: `{}`)", r.wire, product.id, r.neutral),
            ));
        }
    }
    out
}
