//! Nameshield's tables and mappings for the neutral kit: statuses, DCV methods, durations, options, spec → wire,
//! wire → [`Order`]. The tables are in the crate docs.

use ssl_core::Problem;
use ssl_core::jsonapi::{Identifier, ToMany, ToOne};
use ssl_core::model::{CertificateBundle, DcvMethod, DcvTable, Order, OrderSpec, OrderStatus};

use crate::dcv;
use crate::generated::{
    CertificateResource, ContactMeta, ContactType, DomainResource, Duration, NewOrderRequest, NewOrderRequestDocument,
    OrderAction, OrderInfos, OrderRequest, OrderRequestRelationships, OrderResource, ValidationMethod,
};

/// Provider name.
pub const NAME: &str = "nameshield";

/// Neutral DCV method → `infos.validation_method`.
pub const DCV_TABLE: DcvTable = DcvTable::new(&[
    (DcvMethod::Dns, "VALIDATE_DNS"),
    (DcvMethod::DnsTxt, "VALIDATE_DNS"),
    (DcvMethod::DnsCname, "VALIDATE_DNS_CNAME"),
    (DcvMethod::Http, "VALIDATE_HTTP"),
    (DcvMethod::Email, "VALIDATE_EMAIL"),
]);

/// Order status (compared case-insensitively) → neutral status; anything else is `unknown`.
pub const ORDER_STATUSES: &[(&str, OrderStatus)] = &[
    ("CHECKED_OUT", OrderStatus::Processing),
    ("DELIVERED", OrderStatus::Issued),
    ("REJECTED", OrderStatus::Rejected),
];

/// Certificate statuses that override `DELIVERED`.
pub const CERTIFICATE_OVERRIDES: &[(&str, OrderStatus)] =
    &[("REVOKED", OrderStatus::Revoked), ("EXPIRED", OrderStatus::Expired)];

/// Term in months → `duration`.
pub const DURATIONS: &[(u32, &str)] = &[(12, "1 year"), (24, "2 years"), (36, "3 years")];

/// The `--option` keys Nameshield accepts.
pub const OPTIONS: &[&str] =
    &["organization", "admin_contact", "tech_contact", "web_server", "customer_id", "billing_number"];

/// Visible order attributes read, plus the relationships (a sparse fieldset drops what it does not list) and the
/// hidden `infos` and `dcv`.
pub const ORDER_FIELDS: &str = "action,status,order_reference,common_name,sans,duration,created_at,updated_at,infos,dcv,csr,product,certificate,domains";
/// What a download reads of the order: its own leaf (hidden `pem`), the chain's intermediate and root.
pub const ORDER_CHAIN_FIELDS: &str = "status,pem,cacert_inter,cacert_root,certificate";
/// What a status or a download reads of the certificate.
pub const CERTIFICATE_FIELDS: &str = "status,serial,pem";
/// What the listing reads of each certificate (`csr` to match after an unknown outcome).
pub const LISTING_FIELDS: &str = "status,common_name,sans,csr,validity_start,current-order";

/// The neutral status of an order, given its raw status and its certificate's (when read).
pub fn order_status(raw: &str, certificate: Option<&str>) -> OrderStatus {
    match lookup(ORDER_STATUSES, raw) {
        Some(OrderStatus::Issued) => {
            certificate.and_then(|c| lookup(CERTIFICATE_OVERRIDES, c)).unwrap_or(OrderStatus::Issued)
        }
        Some(s) => s,
        None => OrderStatus::Unknown,
    }
}

/// The raw text of an order status (empty when absent).
pub fn status_text(status: Option<&crate::generated::OrderStatus>) -> &str {
    status.map_or("", |s| s.as_str())
}

fn lookup(table: &[(&str, OrderStatus)], raw: &str) -> Option<OrderStatus> {
    table.iter().find(|(w, _)| w.eq_ignore_ascii_case(raw.trim())).map(|x| x.1)
}

/// Common name first, then the SANs that differ from it (case-insensitive); blanks dropped.
pub fn dns_names(common_name: &str, sans: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in std::iter::once(common_name).chain(sans.iter().map(String::as_str)) {
        if !n.trim().is_empty() && !names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
            names.push(n.trim().to_owned());
        }
    }
    names
}

/// `duration` for a term in months.
pub fn duration(months: u32) -> Option<&'static str> {
    DURATIONS.iter().find(|(m, _)| *m == months).map(|(_, d)| *d)
}

/// Months of a `duration` text (`1 year`, `2 Years`, `24 months`).
pub fn months(duration: &str) -> Option<u32> {
    let mut it = duration.split_whitespace();
    let n: u32 = it.next()?.parse().ok()?;
    match it.next()?.to_ascii_lowercase().trim_end_matches('s') {
        "year" => Some(n * 12),
        "month" => Some(n),
        _ => None,
    }
}

/// The `POST /orders` document for `spec` (`create`), or for a renewal or reissue of `certificate`. Every
/// problem found is added to `problems`.
pub fn order_document(
    spec: &OrderSpec,
    action: OrderAction,
    certificate: Option<&str>,
    problems: &mut Vec<Problem>,
) -> NewOrderRequestDocument {
    for key in spec.options.keys().filter(|k| !OPTIONS.contains(&k.as_str())) {
        problems.push(
            Problem::error(
                "unknown_option",
                format!("unknown Nameshield option `{key}`; known: {}", OPTIONS.join(", ")),
            )
            .with_field(key.clone()),
        );
    }
    if spec.dcv_per_host.values().any(|m| DCV_TABLE.wire(*m) != DCV_TABLE.wire(spec.dcv)) {
        problems.push(Problem::error("dcv_not_allowed", "Nameshield takes one DCV method per order"));
    }
    let dur = duration(spec.term_months).unwrap_or_else(|| {
        problems.push(
            Problem::error("term", format!("Nameshield sells 12, 24 or 36 months; got {}", spec.term_months))
                .with_field("term_months"),
        );
        ""
    });
    let method = DCV_TABLE.wire(spec.dcv).map(ValidationMethod::from_wire);
    let create = action == OrderAction::Create;
    let mut attrs = OrderRequest::new(action, spec.csr.clone().unwrap_or_default(), Duration::from_wire(dur))
        .infos(OrderInfos::default().validation_method(method.unwrap_or_default()));
    if let Some(ws) = spec.option_str("web_server") {
        attrs.infos = attrs.infos.map(|i| i.web_server(ws));
    }
    if let Some(c) = spec.option_i64("customer_id", problems) {
        attrs = attrs.customer_id(c);
    }
    if let Some(b) = spec.option_str("billing_number") {
        attrs = attrs.billing_number(b);
    }
    if let Some(r) = &spec.client_reference {
        attrs = attrs.order_reference(r.clone());
    }
    let mut rel = OrderRequestRelationships::default();
    match (create, certificate) {
        (true, _) => rel.product = Some(ToOne::to("product", spec.product.clone())),
        (false, Some(c)) => rel.certificate = Some(ToOne::to("certificate", c)),
        (false, None) => {
            problems.push(Problem::error("field_required", "a renewal or reissue needs the certificate id"))
        }
    }
    let org =
        spec.option_str("organization").or_else(|| spec.contacts.organization.as_ref().and_then(|o| o.id.clone()));
    rel.organization = org.map(|o| ToOne::to("organization", o));
    match (spec.option_str("admin_contact"), spec.option_str("tech_contact")) {
        (Some(a), Some(t)) => {
            let c = |id: String, ct| Identifier::new("contact", id).meta(ContactMeta::new(ct));
            rel.contacts = Some(ToMany::of(vec![c(a, ContactType::Admin), c(t, ContactType::Tech)]));
        }
        (None, None) => {}
        _ => problems.push(
            Problem::error(
                "contacts",
                "give both `admin_contact` and `tech_contact`, or neither (the organization's defaults)",
            )
            .with_field("contacts"),
        ),
    }
    NewOrderRequestDocument::new(NewOrderRequest::new(attrs).relationships(rel))
}

/// The neutral order from an order resource, its certificate (when read) and its domain resources.
pub fn order_from_wire(
    res: &OrderResource,
    certificate: Option<&CertificateResource>,
    domains: &[DomainResource],
) -> Order {
    let a = &res.attributes;
    let raw = status_text(a.status.as_ref()).to_owned();
    let cert_status = certificate.and_then(|c| c.attributes.status.as_ref()).map(|s| s.as_str().to_owned());
    let status = order_status(&raw, cert_status.as_deref());
    let mut order = Order::new(NAME, res.id.clone(), status, raw.clone());
    order.common_name = a.common_name.clone().unwrap_or_default();
    order.dns_names = dns_names(&order.common_name, a.sans.as_deref().unwrap_or_default());
    let rel = &res.relationships;
    order.certificate_id = rel.certificate.as_ref().and_then(|c| c.id()).map(str::to_owned);
    order.product = rel.product.as_ref().and_then(|c| c.id()).map(str::to_owned);
    order.client_reference = a.order_reference.clone().filter(|r| !r.is_empty());
    order.raw = serde_json::to_value(res).ok();
    order.created = a.created_at.as_deref().and_then(ssl_core::model::parse_date);
    let default_method =
        a.infos.as_ref().and_then(|i| i.validation_method.as_ref()).map_or("VALIDATE_DNS", |m| m.as_str()).to_owned();
    let domain_attrs: Vec<_> = domains.iter().map(|d| d.attributes.clone()).collect();
    let entries = a.dcv.clone().unwrap_or_default();
    let delivered = order_status(&raw, None) == OrderStatus::Issued;
    order.dcv = order
        .dns_names
        .iter()
        .map(|h| dcv::instruction(h, dcv::host_dcv(h, &entries, &domain_attrs), &default_method, delivered))
        .collect();
    order
}

/// The bundle from the certificate's `pem` (leaf first) and the order's `cacert_inter` / `cacert_root`.
pub fn bundle(certificate_pem: &str, inter: Option<&str>, root: Option<&str>) -> Result<CertificateBundle, String> {
    let mut pems = ssl_core::x509::split_pem_certificates(certificate_pem);
    for extra in [inter, root].into_iter().flatten() {
        for p in ssl_core::x509::split_pem_certificates(extra) {
            if !pems.contains(&p) {
                pems.push(p);
            }
        }
    }
    ssl_core::x509::bundle_from_pems(&pems)
}

/// Certificate status (the listing) → neutral status.
pub const CERTIFICATE_STATUSES: &[(&str, OrderStatus)] = &[
    ("WAITING", OrderStatus::Processing),
    ("ACTIVE", OrderStatus::Issued),
    ("DO_NOT_RENEW", OrderStatus::Issued),
    ("TRANSFERRED", OrderStatus::Issued),
    ("REVOKED", OrderStatus::Revoked),
    ("EXPIRED", OrderStatus::Expired),
];

/// A listing entry: the certificate's current order, with the certificate's status (raw in `provider_status`)
/// and names. `None` when the certificate has no current order.
pub fn listed_order(c: &CertificateResource) -> Option<Order> {
    let order_id = c.relationships.current_order.as_ref()?.id()?;
    let a = &c.attributes;
    let raw = a.status.as_ref().map_or("", |s| s.as_str());
    let status = lookup(CERTIFICATE_STATUSES, raw).unwrap_or(OrderStatus::Unknown);
    let mut o = Order::new(NAME, order_id, status, raw);
    o.certificate_id = Some(c.id.clone());
    o.common_name = a.common_name.clone().unwrap_or_default();
    o.dns_names = dns_names(&o.common_name, a.sans.as_deref().unwrap_or_default());
    o.created = a.validity_start.as_deref().and_then(ssl_core::model::parse_date);
    o.raw = serde_json::to_value(c).ok();
    Some(o)
}

/// The `POST /orders` document of a reissue of `certificate`: the new CSR, the order's duration and DCV method.
pub fn reissue_document(
    csr: String,
    duration: &str,
    method: Option<&str>,
    certificate: &str,
) -> NewOrderRequestDocument {
    let dur = months(duration).and_then(self::duration).unwrap_or(duration);
    let mut attrs = OrderRequest::new(OrderAction::Reissue, csr, Duration::from_wire(dur));
    if let Some(m) = method {
        attrs = attrs.infos(OrderInfos::default().validation_method(ValidationMethod::from_wire(m)));
    }
    let rel =
        OrderRequestRelationships { certificate: Some(ToOne::to("certificate", certificate)), ..Default::default() };
    NewOrderRequestDocument::new(NewOrderRequest::new(attrs).relationships(rel))
}
