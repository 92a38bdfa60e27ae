//! Property tests of the canonical form.

use proptest::prelude::*;
use ssl_journal::reference::{ReferenceInput, SpendVerb, canonical_name, canonical_names, is_default_reference};

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}"
}

fn name() -> impl Strategy<Value = String> {
    (proptest::collection::vec(label(), 1..4), prop::bool::ANY)
        .prop_map(|(labels, wild)| format!("{}{}.example", if wild { "*." } else { "" }, labels.join(".")))
}

fn flip_case(s: &str, mask: u64) -> String {
    s.chars().enumerate().map(|(i, c)| if mask >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c }).collect()
}

fn input<'a>(names: Vec<&'a str>, account: &'a str, csr: &'a str) -> ReferenceInput<'a> {
    ReferenceInput {
        verb: SpendVerb::Order,
        provider: "digicert",
        account,
        product: "ssl_dv_geotrust",
        names,
        term_months: 12,
        predecessor: None,
        csr_key: csr,
    }
}

proptest! {
    #[test]
    fn order_case_duplicates_and_trailing_dots_do_not_matter(
        names in proptest::collection::vec(name(), 1..6),
        mask in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let base = input(names.iter().map(String::as_str).collect(), "acct", "ab").reference();
        let mut shuffled: Vec<String> = names.iter().map(|n| format!("{}.", flip_case(n, mask))).collect();
        shuffled.push(names[0].clone());
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        shuffled.reverse();
        let other = input(shuffled.iter().map(String::as_str).collect(), "acct", "AB").reference();
        prop_assert_eq!(&base, &other);
        prop_assert!(is_default_reference(&base));
    }

    #[test]
    fn every_field_counts(names in proptest::collection::vec(name(), 1..4), term in 1u32..60) {
        let n: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut base = input(n.clone(), "acct", "ab");
        base.term_months = term;
        let r = base.reference();
        let variants = [
            ReferenceInput { verb: SpendVerb::Renew, ..base.clone() },
            ReferenceInput { provider: "gogetssl", ..base.clone() },
            ReferenceInput { account: "acct2", ..base.clone() },
            ReferenceInput { product: "ssl_dv_rapidssl", ..base.clone() },
            ReferenceInput { term_months: term + 1, ..base.clone() },
            ReferenceInput { predecessor: Some("42"), ..base.clone() },
            ReferenceInput { csr_key: "cd", ..base.clone() },
            ReferenceInput { names: { let mut m = n.clone(); m.push("extra.example"); m }, ..base.clone() },
        ];
        for v in variants {
            prop_assert_ne!(&r, &v.reference(), "{}", v.canonical());
        }
    }

    #[test]
    fn canonical_names_are_idempotent_sorted_and_lower_case(names in proptest::collection::vec("\\PC{1,20}", 0..6)) {
        let once = canonical_names(names.iter().map(String::as_str));
        let twice = canonical_names(once.iter().map(String::as_str));
        prop_assert_eq!(&once, &twice);
        prop_assert!(once.windows(2).all(|w| w[0] < w[1]));
        for n in &once {
            prop_assert_eq!(n.to_lowercase(), n.clone());
            prop_assert_eq!(canonical_name(n), n.clone());
        }
    }

    #[test]
    fn the_canonical_form_is_json_that_round_trips(account in "\\PC{0,30}", product in "\\PC{0,20}") {
        let i = ReferenceInput { account: &account, product: &product, ..input(vec!["a.example"], "x", "ab") };
        let v: serde_json::Value = serde_json::from_str(&i.canonical()).unwrap();
        prop_assert_eq!(v[3].as_str(), Some(account.as_str()));
        prop_assert_eq!(v[4].as_str(), Some(product.as_str()));
    }
}

#[test]
fn u_labels_and_a_labels_are_the_same_name() {
    let a = input(vec!["bücher.example"], "acct", "ab").reference();
    let b = input(vec!["XN--BCHER-KVA.example"], "acct", "ab").reference();
    assert_eq!(a, b);
}

#[test]
fn trailing_dots_and_spaces_in_any_order_are_trimmed_to_a_fixed_point() {
    for raw in ["\u{1EE39} .", "a. .", "a\u{FF0E}", " Shop.Example.COM. "] {
        let once = canonical_name(raw);
        assert_eq!(canonical_name(&once), once, "{raw:?}");
    }
    assert_eq!(canonical_name(" Shop.Example.COM. "), "shop.example.com");
}
