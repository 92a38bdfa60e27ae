//! Pre-flight: each code has a test against a baseline order that passes, so each fails without its rule.

use ssl_core::Problem;
use ssl_core::model::{Contact, Contacts, DcvMethod, DcvTable, OrderSpec, Organization, ProductRules, ValidationLevel};
use ssl_csr::{CsrInfo, KeyType, generate, inspect, preflight};

use crate::fixture;

/// A provider with email, DNS (TXT) and HTTP file validation; no CNAME, no HTTPS.
const PROVIDER: DcvTable = DcvTable::new(&[
    (DcvMethod::Email, "EMAIL"),
    (DcvMethod::Dns, "DNS"),
    (DcvMethod::DnsTxt, "DNS"),
    (DcvMethod::Http, "HTTP"),
]);

fn dv_rules() -> ProductRules {
    ProductRules::new("dv_multi", "DV multi-domain", ValidationLevel::Dv)
        .with_wildcard(true)
        .with_multi_domain(true)
        .with_max_names(Some(5))
        .with_periods_months(vec![12, 24])
        .with_dcv_methods(vec![DcvMethod::Email, DcvMethod::Dns, DcvMethod::DnsTxt, DcvMethod::Http, DcvMethod::Https])
}

fn ov_rules() -> ProductRules {
    ProductRules::new("ov_single", "OV", ValidationLevel::Ov)
        .with_max_names(Some(1))
        .with_periods_months(vec![12])
        .with_dcv_methods(vec![DcvMethod::Email, DcvMethod::Dns])
        .with_required_fields(["organization.id", "organization.name", "admin.email", "contacts.tech.phone"])
}

fn spec() -> OrderSpec {
    OrderSpec::new("dv_multi", "example.com", DcvMethod::Dns).san("www.example.com").term_months(12)
}

fn csr_for(names: &[&str]) -> CsrInfo {
    let sans: Vec<String> = names[1..].iter().map(|s| s.to_string()).collect();
    inspect(generate(KeyType::EcP256, names[0], &sans).unwrap().csr_pem.as_bytes())
}

fn codes(problems: &[Problem]) -> Vec<&str> {
    let mut c: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
    c.sort_unstable();
    c
}

fn only(problems: &[Problem], code: &str) -> Vec<Problem> {
    problems.iter().filter(|p| p.code == code).cloned().collect()
}

#[test]
fn baseline_order_passes() {
    let csr = csr_for(&["example.com", "www.example.com"]);
    assert_eq!(preflight(&spec(), Some(&csr), &dv_rules(), &PROVIDER), []);
    assert_eq!(preflight(&spec(), None, &dv_rules(), &PROVIDER), [], "no CSR: nothing to compare");
}

#[test]
fn name_mismatch_compares_sets_of_lowercase_punycode() {
    // Same set, other order, other case, unicode vs punycode: no mismatch.
    let spec = OrderSpec::new("dv_multi", "Bücher.example", DcvMethod::Dns).san("WWW.bücher.example");
    let csr = csr_for(&["www.xn--bcher-kva.example", "xn--bcher-kva.example"]);
    assert_eq!(preflight(&spec, Some(&csr), &dv_rules(), &PROVIDER), []);

    let csr = csr_for(&["example.com", "shop.example.com"]);
    let problems = preflight(&self::spec(), Some(&csr), &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["name_mismatch"]);
    let msg = &problems[0].message;
    assert!(msg.contains("www.example.com") && msg.contains("shop.example.com"), "{msg}");
}

#[test]
fn the_csr_common_name_counts_as_a_name() {
    // A CSR whose CN is not among its SANs: the CN is still one of its names.
    let csr = inspect(&fixture("cn-only.csr.pem"));
    let spec = OrderSpec::new("dv_multi", "www.example.com", DcvMethod::Dns);
    assert_eq!(preflight(&spec, Some(&csr), &dv_rules(), &PROVIDER), []);
    let spec = spec.san("example.com");
    assert_eq!(codes(&preflight(&spec, Some(&csr), &dv_rules(), &PROVIDER)), ["name_mismatch"]);
}

#[test]
fn csr_errors_stop_the_order() {
    let csr = inspect(&fixture("rsa1024.csr.pem"));
    let spec = OrderSpec::new("dv_multi", "www.example.com", DcvMethod::Dns).san("example.com");
    let problems = preflight(&spec, Some(&csr), &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["weak_key"]);
    assert_eq!(problems[0].field.as_deref(), Some("csr"));
    assert!(ssl_core::problem::has_errors(&problems));
}

#[test]
fn the_spec_csr_is_inspected_when_no_info_is_given() {
    let pem = String::from_utf8(fixture("tampered.csr.pem")).unwrap();
    let spec = OrderSpec::new("dv_multi", "www.example.com", DcvMethod::Dns).san("example.com").csr(pem);
    assert_eq!(codes(&preflight(&spec, None, &dv_rules(), &PROVIDER)), ["bad_signature"]);
}

#[test]
fn an_unreadable_csr_gives_its_own_problem_not_a_name_mismatch() {
    let csr = inspect(b"not a csr");
    assert_eq!(codes(&preflight(&spec(), Some(&csr), &dv_rules(), &PROVIDER)), ["malformed"]);
}

#[test]
fn dcv_method_the_provider_lacks() {
    let spec = spec().dcv_for("www.example.com", DcvMethod::DnsCname);
    let problems = preflight(&spec, None, &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["dcv_not_allowed"]);
    let msg = &problems[0].message;
    assert!(msg.contains("dns-cname") && msg.contains("www.example.com"), "{msg}");
    assert!(msg.contains("it offers: email, dns, dns-txt, http"), "lists the provider's neutral methods: {msg}");
}

#[test]
fn dcv_method_the_product_does_not_accept() {
    let mut rules = dv_rules();
    rules.dcv_methods = vec![DcvMethod::Dns, DcvMethod::Email];
    let spec = spec().dcv_for("example.com", DcvMethod::Http);
    let problems = preflight(&spec, None, &rules, &PROVIDER);
    assert_eq!(codes(&problems), ["dcv_not_allowed"]);
    assert!(problems[0].message.contains("accepts: email, dns"), "{}", problems[0].message);
}

#[test]
fn file_based_dcv_for_a_wildcard() {
    let spec = OrderSpec::new("dv_multi", "*.example.com", DcvMethod::Http).san("example.com");
    let problems = preflight(&spec, None, &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["dcv_not_allowed"]);
    assert!(problems[0].message.contains("*.example.com"), "{}", problems[0].message);
    // The non-wildcard name may use http; the wildcard uses dns: fine.
    let spec = spec.dcv_for("*.example.com", DcvMethod::Dns);
    assert_eq!(preflight(&spec, None, &dv_rules(), &PROVIDER), []);
}

#[test]
fn too_many_names_for_the_product() {
    let mut spec = spec();
    for i in 0..3 {
        spec = spec.san(format!("h{i}.example.com"));
    }
    assert_eq!(preflight(&spec, None, &dv_rules(), &PROVIDER), [], "5 names = the limit");
    let spec = spec.san("h3.example.com");
    let problems = preflight(&spec, None, &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["too_many_names"]);
    assert!(problems[0].message.contains("6 names"), "{}", problems[0].message);
}

#[test]
fn wildcard_and_sans_against_product_rules() {
    let mut rules = dv_rules();
    rules.wildcard = false;
    let wildcard = OrderSpec::new("dv_multi", "*.example.com", DcvMethod::Dns);
    assert_eq!(codes(&preflight(&wildcard, None, &rules, &PROVIDER)), ["product_rule"]);
    let mut rules = dv_rules();
    rules.multi_domain = false;
    assert_eq!(codes(&preflight(&spec(), None, &rules, &PROVIDER)), ["product_rule"]);
    let single = OrderSpec::new("dv_multi", "example.com", DcvMethod::Dns);
    assert_eq!(preflight(&single, None, &rules, &PROVIDER), []);
}

#[test]
fn period_not_offered_lists_the_offered_terms() {
    let problems = preflight(&spec().term_months(36), None, &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["period_not_offered"]);
    assert!(problems[0].message.contains("12, 24"), "{}", problems[0].message);
}

#[test]
fn approver_email_missing_per_host() {
    let spec = spec().dcv_for("www.example.com", DcvMethod::Email);
    let problems = preflight(&spec, None, &dv_rules(), &PROVIDER);
    assert_eq!(codes(&problems), ["approver_email_missing"]);
    assert_eq!(problems[0].field.as_deref(), Some("approver_emails.www.example.com"));
    let with_own = spec.clone().approver_email("www.example.com", "admin@example.com");
    assert_eq!(preflight(&with_own, None, &dv_rules(), &PROVIDER), []);
    let with_star = spec.approver_email("*", "admin@example.com");
    assert_eq!(preflight(&with_star, None, &dv_rules(), &PROVIDER), []);

    let all_email = OrderSpec::new("dv_multi", "example.com", DcvMethod::Email).san("www.example.com");
    assert_eq!(
        codes(&preflight(&all_email, None, &dv_rules(), &PROVIDER)),
        ["approver_email_missing", "approver_email_missing"]
    );
}

#[test]
fn required_fields_for_ov() {
    let spec = OrderSpec::new("ov_single", "example.com", DcvMethod::Dns);
    let problems = preflight(&spec, None, &ov_rules(), &PROVIDER);
    let fields: Vec<String> = only(&problems, "field_required").into_iter().filter_map(|p| p.field).collect();
    assert_eq!(fields, ["organization.id", "organization.name", "admin.email", "contacts.tech.phone"]);
    assert_eq!(codes(&problems).len(), 4);

    let mut complete = spec.clone();
    complete.contacts = Contacts::new()
        .with_admin(Contact::new().with_email("admin@example.com"))
        .with_tech(Contact::new().with_phone("+1 555 0100"))
        .with_organization(Organization::new().with_id("123").with_name("Example Inc"));
    assert_eq!(preflight(&complete, None, &ov_rules(), &PROVIDER), []);

    // A blank value is missing; an unknown path is reported rather than ignored.
    let mut blank = complete.clone();
    blank.contacts.organization.as_mut().unwrap().name = Some("  ".into());
    assert_eq!(codes(&preflight(&blank, None, &ov_rules(), &PROVIDER)), ["field_required"]);
    let mut rules = ov_rules();
    rules.required_fields.push("billing.email".into());
    let problems = preflight(&complete, None, &rules, &PROVIDER);
    assert_eq!(codes(&problems), ["field_required"]);
    assert!(problems[0].message.contains("names no contact field"), "{}", problems[0].message);
}

#[test]
fn invalid_order_names() {
    let spec = OrderSpec::new("dv_multi", "exa mple.com", DcvMethod::Dns);
    assert_eq!(codes(&preflight(&spec, None, &dv_rules(), &PROVIDER)), ["invalid_name"]);
}

#[test]
fn every_problem_at_once() {
    // A weak-key CSR for other names, a wildcard with http on a single-name OV product without wildcards,
    // a CNAME host the provider lacks, an email host without approver, a term not offered, no contacts.
    let csr = inspect(&fixture("rsa1024.csr.pem"));
    let spec = OrderSpec::new("ov_single", "*.example.com", DcvMethod::Http)
        .san("mail.example.com")
        .san("cname.example.com")
        .dcv_for("mail.example.com", DcvMethod::Email)
        .dcv_for("cname.example.com", DcvMethod::DnsCname)
        .term_months(24);
    let problems = preflight(&spec, Some(&csr), &ov_rules(), &PROVIDER);
    let c = codes(&problems);
    for code in [
        "weak_key",
        "name_mismatch",
        "too_many_names",
        "product_rule",
        "dcv_not_allowed",
        "period_not_offered",
        "approver_email_missing",
        "field_required",
    ] {
        assert!(c.contains(&code), "{code} missing from {c:?}");
    }
    // product_rule twice (wildcard, SANs); dcv_not_allowed three times (http not accepted by the product,
    // dns-cname not offered by the provider, http for a wildcard); field_required four times.
    assert_eq!(c.iter().filter(|&&x| x == "product_rule").count(), 2, "{problems:#?}");
    assert_eq!(c.iter().filter(|&&x| x == "dcv_not_allowed").count(), 3, "{problems:#?}");
    assert_eq!(c.iter().filter(|&&x| x == "field_required").count(), 4, "{problems:#?}");
    assert!(problems.iter().all(Problem::is_error));
}
