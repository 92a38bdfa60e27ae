//! Human and JSON rendering.

use ssl_core::model::{DcvInstruction, Order, ProductRules};

/// Print one JSON document on stdout.
pub fn json<T: serde::Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// DCV instructions as lines of text.
pub fn dcv_lines(dcv: &[DcvInstruction]) -> String {
    let mut out = String::new();
    for d in dcv {
        let method = d.method().map_or("unknown", |m| m.as_str());
        out.push_str(&format!("  {} [{method} / {}] {:?}\n", d.host, d.provider_method, d.status).to_lowercase());
        if let Some(dns) = d.dns() {
            out.push_str(&format!("    DNS  {} {} {}\n", dns.name, dns.record_type, dns.value));
        }
        if let Some(http) = d.http() {
            out.push_str(&format!(
                "    HTTP {}\n         content: {}\n",
                http.url,
                http.content.replace("\r\n", "\\r\\n")
            ));
        }
        if let Some(approvers) = d.approvers() {
            if approvers.is_empty() {
                out.push_str("    EMAIL to the provider's default approver addresses\n");
            } else {
                out.push_str(&format!("    EMAIL {}\n", approvers.join(", ")));
            }
        }
    }
    out
}

/// An order for people.
pub fn order_human(o: &Order) -> String {
    let mut out = format!(
        "{} order {}: {} (provider status: {})\n  names: {}\n",
        o.provider,
        o.order_id,
        o.status,
        o.provider_status,
        o.dns_names.join(", ")
    );
    if let Some(c) = o.coverage_ends {
        out.push_str(&format!("  coverage ends: {c}\n"));
    }
    if let Some(c) = &o.certificate {
        out.push_str(&format!(
            "  certificate: serial {} valid {} .. {}\n  sha256: {}\n",
            c.serial,
            c.not_before.date(),
            c.not_after.date(),
            c.fingerprint_sha256
        ));
    }
    if o.status == ssl_core::model::OrderStatus::Draft {
        out.push_str(&format!("  draft: send it to the CA with `ssl-orders submit {}`\n", o.order_id));
    }
    if let Some(a) = &o.attention {
        out.push_str(&format!("  needs attention: {a}\n"));
    }
    for w in &o.warnings {
        out.push_str(&format!("  warning [{}]: {}\n", w.code, w.message));
    }
    if !o.dcv.is_empty() && !o.status.is_final() {
        out.push_str("  domain control validation:\n");
        out.push_str(&dcv_lines(&o.dcv));
    }
    out
}

/// Products for people.
pub fn products_human(products: &[ProductRules]) -> String {
    let mut out = String::new();
    for p in products {
        let periods: Vec<String> = p.periods_months.iter().map(|m| m.to_string()).collect();
        let dcv: Vec<&str> = p.dcv_methods.iter().map(|m| m.as_str()).collect();
        out.push_str(&format!(
            "{:<24} {:<34} {:<4} wildcard:{:<3} names:{:<5} months:{:<10} dcv:{}\n",
            p.id,
            p.name.chars().take(34).collect::<String>(),
            format!("{:?}", p.validation).to_uppercase(),
            if p.wildcard { "yes" } else { "no" },
            p.max_names.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
            periods.join("/"),
            dcv.join(",")
        ));
    }
    out
}
