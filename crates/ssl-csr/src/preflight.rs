//! The pre-flight of an order: every reason a CA would refuse it, found before a request is built.

use std::collections::BTreeSet;

use ssl_core::Problem;
use ssl_core::model::{Contact, Contacts, DcvMethod, DcvTable, OrderSpec, Organization, ProductRules};

use crate::inspect::{CsrInfo, inspect};
use crate::names::{is_wildcard, normalized_set, to_ascii_name};

/// Whether a contact field named by a neutral path is filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldState {
    /// Present and not blank.
    Present,
    /// Absent or blank.
    Missing,
    /// The path names no field of [`Contacts`].
    Unknown,
}

fn blank(v: Option<&String>) -> FieldState {
    match v {
        Some(s) if !s.trim().is_empty() => FieldState::Present,
        _ => FieldState::Missing,
    }
}

fn contact_field(c: &Contact, field: &str) -> FieldState {
    blank(match field {
        "first_name" => c.first_name.as_ref(),
        "last_name" => c.last_name.as_ref(),
        "email" => c.email.as_ref(),
        "phone" => c.phone.as_ref(),
        "fax" => c.fax.as_ref(),
        "title" => c.title.as_ref(),
        "organization" => c.organization.as_ref(),
        "address" => c.address.as_ref(),
        "city" => c.city.as_ref(),
        "region" => c.region.as_ref(),
        "postal_code" => c.postal_code.as_ref(),
        "country" => c.country.as_ref(),
        _ => return FieldState::Unknown,
    })
}

fn organization_field(o: &Organization, field: &str) -> FieldState {
    blank(match field {
        "id" => o.id.as_ref(),
        "name" => o.name.as_ref(),
        "division" => o.division.as_ref(),
        "duns" => o.duns.as_ref(),
        "address" => o.address.as_ref(),
        "city" => o.city.as_ref(),
        "region" => o.region.as_ref(),
        "postal_code" => o.postal_code.as_ref(),
        "country" => o.country.as_ref(),
        "phone" => o.phone.as_ref(),
        "fax" => o.fax.as_ref(),
        _ => return FieldState::Unknown,
    })
}

const CONTACT_FIELDS: [&str; 12] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "fax",
    "title",
    "organization",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
];
const ORGANIZATION_FIELDS: [&str; 11] =
    ["id", "name", "division", "duns", "address", "city", "region", "postal_code", "country", "phone", "fax"];

/// Resolves a neutral field path against [`Contacts`]: `organization.id`, `admin.email`, `tech.phone`, ... (a
/// leading `contacts.` is allowed: `contacts.admin.email`). A path to a whole part (`admin`, `organization`) is
/// present when that part is.
pub fn field_state(contacts: &Contacts, path: &str) -> FieldState {
    let path = path.trim();
    let path = path.strip_prefix("contacts.").unwrap_or(path);
    let (part, field) = match path.split_once('.') {
        Some((part, field)) => (part, Some(field)),
        None => (path, None),
    };
    let known = match (part, field) {
        ("admin" | "tech", Some(f)) => CONTACT_FIELDS.contains(&f),
        ("organization", Some(f)) => ORGANIZATION_FIELDS.contains(&f),
        ("admin" | "tech" | "organization", None) => true,
        _ => false,
    };
    if !known {
        return FieldState::Unknown;
    }
    let present = |p: bool| {
        if p { FieldState::Present } else { FieldState::Missing }
    };
    match (part, field) {
        ("admin", None) => present(contacts.admin.is_some()),
        ("tech", None) => present(contacts.tech.is_some()),
        ("organization", None) => present(contacts.organization.is_some()),
        ("admin", Some(f)) => contacts.admin.as_ref().map_or(FieldState::Missing, |c| contact_field(c, f)),
        ("tech", Some(f)) => contacts.tech.as_ref().map_or(FieldState::Missing, |c| contact_field(c, f)),
        (_, Some(f)) => contacts.organization.as_ref().map_or(FieldState::Missing, |o| organization_field(o, f)),
        _ => FieldState::Unknown,
    }
}

fn list(methods: &[DcvMethod]) -> String {
    if methods.is_empty() {
        return "none".into();
    }
    // In the neutral display order, without duplicates.
    DcvMethod::ALL.iter().filter(|m| methods.contains(m)).map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
}

fn names_list(names: &[&str]) -> String {
    const SHOWN: usize = 10;
    let mut s = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

fn group<'a>(groups: &mut Vec<(DcvMethod, Vec<&'a str>)>, method: DcvMethod, host: &'a str) {
    match groups.iter_mut().find(|(m, _)| *m == method) {
        Some((_, hosts)) => hosts.push(host),
        None => groups.push((method, vec![host])),
    }
}

/// Checks an order before anything is sent and returns every problem at once (errors stop the order).
///
/// - the CSR's own problems (`weak_key`, `bad_signature`, `malformed`, ... and its warnings), with field `csr`;
///   when `csr` is `None` and `spec.csr` is set, that PEM is inspected here;
/// - `name_mismatch`: the CSR's names (common name included) differ from the order's, compared as sets of
///   lowercase punycode;
/// - `invalid_name`: an order name that is not a valid host name;
/// - `too_many_names`: more names (common name included) than `rules.max_names`;
/// - `product_rule`: a wildcard for a product without wildcards, SANs for a single-name product;
/// - `dcv_not_allowed`: a host's method the provider lacks (`dcv`) or the product does not accept, or a
///   file-based method (`http`, `https`) for a wildcard;
/// - `period_not_offered`: `term_months` not in `rules.periods_months`;
/// - `approver_email_missing`: a host validated by email without an approver address;
/// - `field_required`: a path of `rules.required_fields` missing from `spec.contacts`.
pub fn preflight(spec: &OrderSpec, csr: Option<&CsrInfo>, rules: &ProductRules, dcv: &DcvTable) -> Vec<Problem> {
    let mut problems = Vec::new();
    let product = &rules.id;

    // The CSR's own problems.
    let inspected;
    let csr = match (csr, &spec.csr) {
        (Some(info), _) => Some(info),
        (None, Some(pem)) => {
            inspected = inspect(pem.as_bytes());
            Some(&inspected)
        }
        (None, None) => None,
    };
    if let Some(info) = csr {
        problems.extend(info.problems.iter().map(|p| p.clone().with_field("csr")));
    }

    // Names of the order.
    let spec_names = spec.all_names();
    for (i, name) in spec_names.iter().enumerate() {
        if let Err(reason) = to_ascii_name(name) {
            let field = if i == 0 { "common_name" } else { "sans" };
            problems.push(Problem::error("invalid_name", format!("`{name}`: {reason}")).with_field(field));
        }
    }
    let order_names = normalized_set(spec_names.iter().copied());

    if let Some(info) = csr {
        let unreadable = info.has("malformed") || info.has("not_a_csr");
        if !unreadable {
            let ours: BTreeSet<String> = order_names.iter().cloned().collect();
            let theirs: BTreeSet<String> = info.names().into_iter().collect();
            if ours != theirs {
                let missing: Vec<&str> = ours.difference(&theirs).map(String::as_str).collect();
                let extra: Vec<&str> = theirs.difference(&ours).map(String::as_str).collect();
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("in the order but not in the CSR: {}", names_list(&missing)));
                }
                if !extra.is_empty() {
                    parts.push(format!("in the CSR but not in the order: {}", names_list(&extra)));
                }
                problems.push(
                    Problem::error(
                        "name_mismatch",
                        format!("the CSR's names differ from the order's; {}", parts.join("; ")),
                    )
                    .with_field("csr"),
                );
            }
        }
    }

    // Product rules on names.
    let count = order_names.len();
    if let Some(max) = rules.max_names.filter(|&max| count > max as usize) {
        problems.push(
            Problem::error(
                "too_many_names",
                format!("the order has {count} names (common name included); product `{product}` allows at most {max}"),
            )
            .with_field("sans"),
        );
    }
    let wildcards: Vec<&str> = order_names.iter().map(String::as_str).filter(|n| is_wildcard(n)).collect();
    if !rules.wildcard && !wildcards.is_empty() {
        problems.push(
            Problem::error(
                "product_rule",
                format!("product `{product}` does not cover wildcard names: {}", names_list(&wildcards)),
            )
            .with_field(if is_wildcard(&spec.common_name) { "common_name" } else { "sans" }),
        );
    }
    if !rules.multi_domain && count > 1 {
        let extra: Vec<&str> = order_names.iter().skip(1).map(String::as_str).collect();
        problems.push(
            Problem::error(
                "product_rule",
                format!(
                    "product `{product}` covers a single name; remove the additional names: {}",
                    names_list(&extra)
                ),
            )
            .with_field("sans"),
        );
    }

    // DCV per host.
    let offered = dcv.methods();
    let mut lacking_provider: Vec<(DcvMethod, Vec<&str>)> = Vec::new();
    let mut lacking_product: Vec<(DcvMethod, Vec<&str>)> = Vec::new();
    let mut seen = BTreeSet::new();
    for host in &spec_names {
        if !seen.insert(host.trim().to_lowercase()) {
            continue;
        }
        let method = spec.dcv_method_for(host);
        if dcv.wire(method).is_none() {
            group(&mut lacking_provider, method, host);
        } else if !rules.dcv_methods.contains(&method) {
            group(&mut lacking_product, method, host);
        }
        if method.is_file_based() && is_wildcard(host) {
            problems.push(
                Problem::error(
                    "dcv_not_allowed",
                    format!(
                        "`{host}`: a wildcard cannot be validated with the file-based method `{method}`; use one of: {}",
                        list(
                            &rules
                                .dcv_methods
                                .iter()
                                .copied()
                                .filter(|m| !m.is_file_based() && offered.contains(m))
                                .collect::<Vec<_>>()
                        )
                    ),
                )
                .with_field("dcv"),
            );
        }
        if method == DcvMethod::Email && spec.approver_for(host).is_none_or(|e| e.trim().is_empty()) {
            problems.push(
                Problem::error(
                    "approver_email_missing",
                    format!("`{host}` is validated by email but has no approver address (set one for it or `*`)"),
                )
                .with_field(format!("approver_emails.{host}")),
            );
        }
    }
    for (method, hosts) in lacking_provider {
        problems.push(
            Problem::error(
                "dcv_not_allowed",
                format!(
                    "DCV method `{method}` ({}) is not offered by this provider; it offers: {}",
                    names_list(&hosts),
                    list(&offered)
                ),
            )
            .with_field("dcv"),
        );
    }
    for (method, hosts) in lacking_product {
        problems.push(
            Problem::error(
                "dcv_not_allowed",
                format!(
                    "DCV method `{method}` ({}) is not accepted by product `{product}`; it accepts: {}",
                    names_list(&hosts),
                    list(&rules.dcv_methods)
                ),
            )
            .with_field("dcv"),
        );
    }

    // Term.
    if !rules.periods_months.contains(&spec.term_months) {
        let periods: Vec<String> = rules.periods_months.iter().map(|m| format!("{m}")).collect();
        problems.push(
            Problem::error(
                "period_not_offered",
                format!(
                    "a term of {} months is not offered for product `{product}`; offered (months): {}",
                    spec.term_months,
                    if periods.is_empty() { "none".to_string() } else { periods.join(", ") }
                ),
            )
            .with_field("term_months"),
        );
    }

    // Required contact / organization fields.
    for path in &rules.required_fields {
        match field_state(&spec.contacts, path) {
            FieldState::Present => {}
            FieldState::Missing => problems.push(
                Problem::error("field_required", format!("product `{product}` requires `{path}` in the contacts"))
                    .with_field(path.clone()),
            ),
            FieldState::Unknown => problems.push(
                Problem::error(
                    "field_required",
                    format!("product `{product}` requires `{path}`, which names no contact field"),
                )
                .with_field(path.clone()),
            ),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths() {
        let mut c = Contacts::default();
        assert_eq!(field_state(&c, "organization.id"), FieldState::Missing);
        assert_eq!(field_state(&c, "admin"), FieldState::Missing);
        assert_eq!(field_state(&c, "admin.nickname"), FieldState::Unknown);
        assert_eq!(field_state(&c, "billing.email"), FieldState::Unknown);
        c.organization = Some(Organization::new().with_id("42").with_name("  "));
        c.admin = Some(Contact::new().with_email("a@example.com"));
        assert_eq!(field_state(&c, "organization.id"), FieldState::Present);
        assert_eq!(field_state(&c, "organization.name"), FieldState::Missing);
        assert_eq!(field_state(&c, "contacts.admin.email"), FieldState::Present);
        assert_eq!(field_state(&c, "admin.phone"), FieldState::Missing);
        assert_eq!(field_state(&c, "tech.email"), FieldState::Missing);
        assert_eq!(field_state(&c, "admin"), FieldState::Present);
    }
}
