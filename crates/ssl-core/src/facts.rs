//! Product facts and field requirements as data, each with one evaluator.
//!
//! A provider whose product endpoint publishes flags (levels, wildcard, SANs, prices, DCV flags, brand) describes
//! how to read them in a [`ProductFacts`] table; [`ProductFacts::rules`] turns a product (its JSON) into the
//! neutral [`ProductRules`], and [`ProductFacts::check_order`] checks a wire order against a product. Which
//! contact fields a validation level requires is a [`FieldRule`] table (generated from the spec's
//! `x-neutral` / `x-need` property extensions), read by [`required_paths`] and [`missing_fields`].

use serde_json::Value;

use crate::model::{DcvMethod, DcvTable, ProductRules, ValidationLevel};
use crate::problem::Problem;

/// When a wire field is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// For every product.
    Always,
    /// For OV products only.
    Ov,
    /// For OV and EV products.
    OvEv,
    /// Never.
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

/// One contact or organisation field of a wire order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    /// Wire name (`admin_city`).
    pub wire: &'static str,
    /// Neutral path in [`crate::model::Contacts`] (`admin.city`).
    pub neutral: &'static str,
    /// When it is required.
    pub need: Need,
}

/// The neutral paths a product of `level` requires (for [`ProductRules::required_fields`]).
pub fn required_paths(table: &[FieldRule], level: ValidationLevel) -> Vec<String> {
    table.iter().filter(|r| r.need.applies(level)).map(|r| r.neutral.to_owned()).collect()
}

/// The OV/EV-only fields of `table` that a wire order (`doc`, serialized) lacks for a product of `level`.
pub fn missing_fields(doc: &Value, table: &[FieldRule], level: ValidationLevel, product: &str) -> Vec<Problem> {
    let lvl = if level == ValidationLevel::Ev { "EV" } else { "OV" };
    table
        .iter()
        .filter(|r| matches!(r.need, Need::Ov | Need::OvEv) && r.need.applies(level))
        .filter(|r| crate::operation::text_at(doc, r.wire).is_none())
        .map(|r| {
            let msg = format!("`{}` is required for {lvl} product {product} (contacts: `{}`)", r.wire, r.neutral);
            Problem::error("field_required", msg).with_field(r.wire)
        })
        .collect()
}

/// A family of brands, as far as DCV is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Brand {
    /// Name shown in messages (`Sectigo`).
    pub name: &'static str,
    /// Substrings of the product's brand value that select this family (empty: the fallback).
    pub keywords: &'static [&'static str],
    /// The DCV methods offered when the product's flags say nothing else.
    pub methods: &'static [DcvMethod],
    /// Whether every SAN may take its own DCV method.
    pub per_san: bool,
}

/// A product flag that turns a DCV method on or off.
#[derive(Debug, Clone, Copy)]
pub struct DcvFlag {
    /// The neutral method.
    pub method: DcvMethod,
    /// The product's boolean field.
    pub flag: &'static str,
    /// Whether a true flag offers the method even when the brand does not list it.
    pub adds: bool,
}

/// How a provider's product JSON reads as [`ProductRules`]. Paths are dotted (`prices.vendor`).
#[derive(Debug, Clone, Copy)]
pub struct ProductFacts {
    /// The display name (absent: `product <id>`).
    pub name: &'static str,
    /// The validation level text.
    pub level: &'static str,
    /// Level spellings, lower case: `ext*` matches a prefix, anything else the whole text.
    pub levels: &'static [(&'static str, ValidationLevel)],
    /// A boolean that means this level when the text says nothing.
    pub level_flag: Option<(&'static str, ValidationLevel)>,
    /// Wildcard names allowed (boolean).
    pub wildcard: &'static str,
    /// SANs allowed (boolean).
    pub multi_domain: &'static str,
    /// Most names, primary included (SAN products only).
    pub max_names: &'static str,
    /// Price tables whose numeric keys are the terms in months, tried in order.
    pub prices: &'static [&'static str],
    /// The longest term in months (whole years up to it, when no price table has terms).
    pub max_period: &'static str,
    /// The brand value.
    pub brand: &'static str,
    /// Brand families; the first whose keyword the brand contains, else the last (the fallback).
    pub brands: &'static [Brand],
    /// DCV flags; a method is offered when its flag is true, or absent and the brand lists it.
    pub dcv_flags: &'static [DcvFlag],
    /// Field requirements by level.
    pub fields: &'static [FieldRule],
}

/// The wire fields of an order that [`ProductFacts::check_order`] reads.
#[derive(Debug, Clone, Copy)]
pub struct OrderFields {
    /// The additional names (a list; absent for none).
    pub names: &'static str,
    /// The per-name DCV entries (a list in step with `names`: an address, or a wire method).
    pub approvers: &'static str,
    /// The term in months.
    pub period: &'static str,
    /// The order's DCV method (wire name).
    pub method: &'static str,
}

fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, part| v.get(part)).filter(|v| !v.is_null())
}

fn flag(doc: &Value, path: &str) -> Option<bool> {
    at(doc, path).and_then(Value::as_bool)
}

fn text(doc: &Value, path: &str) -> String {
    at(doc, path).and_then(Value::as_str).unwrap_or("").trim().to_ascii_lowercase()
}

fn term_keys(v: Option<&Value>) -> Vec<u32> {
    match v {
        Some(Value::Object(m)) => m.keys().filter_map(|k| k.trim().parse::<u32>().ok()).filter(|m| *m > 0).collect(),
        _ => Vec::new(),
    }
}

/// Whether a wire DCV value is an approver address (some providers send the address itself as the method).
pub fn is_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((a, b)) if !a.is_empty() && b.contains('.') && !b.starts_with('.'))
}

impl ProductFacts {
    /// The validation level: the first matching spelling, else the level flag, else DV.
    pub fn level_of(&self, doc: &Value) -> ValidationLevel {
        let t = text(doc, self.level);
        let matched = self.levels.iter().find(|(s, _)| match s.strip_suffix('*') {
            Some(prefix) => t.starts_with(prefix),
            None => t == *s,
        });
        match (matched, self.level_flag) {
            (Some((_, level)), _) => *level,
            (None, Some((f, level))) if flag(doc, f) == Some(true) => level,
            _ => ValidationLevel::Dv,
        }
    }

    /// Terms offered, in months: the numeric keys of the first price table that has any, else every whole year
    /// up to the longest term, else 12.
    pub fn periods_of(&self, doc: &Value) -> Vec<u32> {
        let mut out = self.prices.iter().map(|p| term_keys(at(doc, p))).find(|k| !k.is_empty()).unwrap_or_default();
        if out.is_empty() {
            if let Some(max) = at(doc, self.max_period).and_then(Value::as_u64).filter(|m| *m >= 12) {
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

    /// The price of a term, from the first price table that has it (a string as given, a number with 2 decimals).
    pub fn price_of(&self, doc: &Value, months: u32) -> Option<String> {
        match self.prices.iter().find_map(|p| at(doc, p)?.get(months.to_string()))? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => n.as_f64().map(|f| format!("{f:.2}")),
            _ => None,
        }
    }

    /// The brand family of a product.
    pub fn brand_of(&self, doc: &Value) -> &'static Brand {
        let b = text(doc, self.brand);
        let brands: &'static [Brand] = self.brands;
        brands.iter().find(|f| f.keywords.iter().any(|k| b.contains(k))).or(brands.last()).unwrap_or(&FALLBACK)
    }

    /// The DCV methods offered: a method is offered when its flag is true (and the brand lists it or the flag
    /// [`DcvFlag::adds`] it), or when its flag is absent and the brand lists it.
    pub fn dcv_of(&self, doc: &Value) -> Vec<DcvMethod> {
        let brand = self.brand_of(doc);
        let offered = |m: DcvMethod| {
            let listed = brand.methods.contains(&m);
            match self.dcv_flags.iter().find(|f| f.method == m) {
                Some(f) => flag(doc, f.flag).map_or(listed, |on| on && (listed || f.adds)),
                None => listed,
            }
        };
        DcvMethod::ALL.into_iter().filter(|m| offered(*m)).collect()
    }

    /// The neutral rules of a product (`id` as the provider spells it). `max_names` only for SAN products.
    pub fn rules(&self, id: &str, doc: &Value) -> ProductRules {
        let validation = self.level_of(doc);
        let multi = flag(doc, self.multi_domain).unwrap_or(false);
        let max = at(doc, self.max_names).and_then(Value::as_u64).filter(|n| *n > 0);
        ProductRules {
            id: id.to_owned(),
            name: at(doc, self.name).and_then(Value::as_str).map_or_else(|| format!("product {id}"), str::to_owned),
            validation,
            wildcard: flag(doc, self.wildcard).unwrap_or(false),
            multi_domain: multi,
            max_names: if multi { max.and_then(|n| u32::try_from(n).ok()) } else { None },
            periods_months: self.periods_of(doc),
            dcv_methods: self.dcv_of(doc),
            required_fields: required_paths(self.fields, validation),
        }
    }

    /// Per-SAN DCV methods (a per-name entry whose method differs from the order's) only for brands that take
    /// them.
    pub fn per_san_problem(&self, id: &str, product: &Value, order: &Value, f: &OrderFields) -> Option<Problem> {
        let brand = self.brand_of(product);
        if brand.per_san {
            return None;
        }
        let primary = text(order, f.method);
        let entries = at(order, f.approvers).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
        let differs = entries.iter().filter_map(Value::as_str).any(|a| {
            let m = if is_email(a) { "email" } else { a };
            m != primary
        });
        let takers: Vec<&str> = self.brands.iter().filter(|b| b.per_san).map(|b| b.name).collect();
        let shown = at(product, self.brand).and_then(Value::as_str).unwrap_or("unknown brand");
        differs.then(|| {
            let msg = format!(
                "product {id} ({shown}) takes one DCV method for every name; per-SAN methods are for {} brands",
                takers.join(", ")
            );
            Problem::error("dcv_not_allowed", msg).with_field(f.approvers)
        })
    }

    /// Every problem of a wire order (`order`, serialized) against a product: per-SAN methods, SANs on a
    /// single-name product, too many names, wildcards, the term, the DCV method, and the OV/EV fields.
    pub fn check_order(
        &self,
        (id, product): (&str, &Value),
        order: &Value,
        f: &OrderFields,
        primary: Option<&str>,
        table: &DcvTable,
    ) -> Vec<Problem> {
        let err = |code: &str, field: &str, msg: String| Problem::error(code, msg).with_field(field);
        let rules = self.rules(id, product);
        let mut out: Vec<Problem> = self.per_san_problem(id, product, order, f).into_iter().collect();
        let names: Vec<&str> =
            at(order, f.names).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        if !rules.multi_domain && at(order, f.names).is_some() {
            let msg = format!("product {id} is not a SAN product; `{}` must not be sent", f.names);
            out.push(err("field_not_allowed", f.names, msg));
        }
        if let Some(max) = rules.max_names.filter(|m| names.len() + 1 > *m as usize) {
            let msg = format!(
                "product {id} allows at most {max} names (primary included); the order has {}",
                names.len() + 1
            );
            out.push(err("too_many_names", f.names, msg));
        }
        let wild: Vec<&str> =
            primary.into_iter().chain(names.iter().copied()).filter(|n| n.starts_with("*.")).collect();
        if !rules.wildcard && !wild.is_empty() {
            let msg = format!("product {id} does not cover wildcard names: {}", wild.join(", "));
            out.push(err("product_rule", f.names, msg));
        }
        let period = at(order, f.period).and_then(Value::as_i64).unwrap_or(0);
        if !u32::try_from(period).is_ok_and(|p| rules.periods_months.contains(&p)) {
            let terms: Vec<String> = rules.periods_months.iter().map(ToString::to_string).collect();
            let msg = format!("product {id} is sold for {} months; not {period}", terms.join(", "));
            out.push(err("period_not_offered", f.period, msg));
        }
        let method = at(order, f.method).and_then(Value::as_str).unwrap_or("");
        if table.neutral(method).is_some_and(|m| !rules.dcv_methods.contains(&m)) {
            out.push(err("dcv_not_allowed", f.method, format!("product {id} does not offer `{method}` DCV")));
        }
        out.extend(missing_fields(order, self.fields, rules.validation, id));
        out
    }
}

const FALLBACK: Brand = Brand { name: "other", keywords: &[], methods: &[], per_san: false };

/// A condition on fields of a wire body (paths are dotted wire names), for [`Rule`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// The field's text equals the value (case-insensitive).
    Equals(&'static str, &'static str),
    /// The field's text differs from the value (or the field is absent).
    NotEquals(&'static str, &'static str),
    /// The field is set (not absent or null).
    Present(&'static str),
    /// The field is not set.
    Absent(&'static str),
    /// Two lists have as many entries (an absent list has none).
    SameLength(&'static str, &'static str),
    /// No entry of the list repeats another (trimmed, case-insensitive); a failure per repeat.
    Unique(&'static str),
    /// No entry of the first list that starts with the prefix has, in the second list at the same index, one of
    /// the values (a wildcard name with a file-based method); a failure per such pair.
    NoPair {
        /// The names.
        names: &'static str,
        /// The per-name entries.
        entries: &'static str,
        /// What a refused name starts with.
        prefix: &'static str,
        /// The refused entries.
        values: &'static [&'static str],
    },
}

/// A cross-field rule of a wire body (the spec's `x-rules`): when every `when` condition holds, `check` must
/// hold, else a problem `code` at `field` with `message`, whose `{name}` is the text of that field,
/// `{len(name)}` the length of that list, and `{item}` / `{entry}` the failing entry of a per-entry check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The problem code.
    pub code: &'static str,
    /// The field the problem names.
    pub field: &'static str,
    /// The message template.
    pub message: &'static str,
    /// When the rule applies (all of them; none: always).
    pub when: &'static [Cond],
    /// What must hold then.
    pub check: Cond,
}

fn list<'a>(doc: &'a Value, path: &str) -> &'a [Value] {
    at(doc, path).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

impl Cond {
    /// The failures of the condition: none when it holds; `(item, entry)` pairs for the per-entry checks.
    pub fn failures(&self, doc: &Value) -> Vec<(String, String)> {
        let text = |f: &str| crate::operation::text_at(doc, f);
        let one = |ok: bool| if ok { Vec::new() } else { vec![(String::new(), String::new())] };
        match *self {
            Self::Equals(f, v) => one(text(f).is_some_and(|t| t.eq_ignore_ascii_case(v))),
            Self::NotEquals(f, v) => one(!text(f).is_some_and(|t| t.eq_ignore_ascii_case(v))),
            Self::Present(f) => one(at(doc, f).is_some()),
            Self::Absent(f) => one(at(doc, f).is_none()),
            Self::SameLength(a, b) => one(list(doc, a).len() == list(doc, b).len()),
            Self::Unique(f) => {
                let mut seen = std::collections::BTreeSet::new();
                let items = list(doc, f).iter().filter_map(Value::as_str);
                items
                    .filter(|n| !seen.insert(n.trim().to_ascii_lowercase()))
                    .map(|n| (n.to_owned(), String::new()))
                    .collect()
            }
            Self::NoPair { names, entries, prefix, values } => {
                let pairs = list(doc, names)
                    .iter()
                    .zip(list(doc, entries))
                    .filter_map(|(n, e)| Some((n.as_str()?, e.as_str()?)));
                pairs
                    .filter(|(n, e)| n.starts_with(prefix) && values.contains(e))
                    .map(|(n, e)| (n.to_owned(), e.to_owned()))
                    .collect()
            }
        }
    }
}

fn fill_message(template: &str, doc: &Value, (item, entry): &(String, String)) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((name, tail)) = after.split_once('}') else { break };
        out.push_str(before);
        match name.strip_prefix("len(").and_then(|n| n.strip_suffix(')')) {
            Some(l) => out.push_str(&list(doc, l).len().to_string()),
            None if name == "item" => out.push_str(item),
            None if name == "entry" => out.push_str(entry),
            None => out.push_str(&crate::operation::text_at(doc, name).unwrap_or_default()),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Check a wire body against its [`Rule`]s (the generated `validate()` calls this), pushing a problem per failure
/// with the field under `prefix`.
pub fn check_rules<T: serde::Serialize + ?Sized>(value: &T, rules: &[Rule], prefix: &str, out: &mut Vec<Problem>) {
    let Ok(doc) = serde_json::to_value(value) else { return };
    for rule in rules.iter().filter(|r| r.when.iter().all(|c| c.failures(&doc).is_empty())) {
        for failure in rule.check.failures(&doc) {
            let message = fill_message(rule.message, &doc, &failure);
            out.push(Problem::error(rule.code, message).with_field(crate::validate::join(prefix, rule.field)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[Rule] = &[
        Rule {
            code: "field_required",
            field: "approver",
            message: "with `{method}`",
            when: &[Cond::Equals("method", "email")],
            check: Cond::Present("approver"),
        },
        Rule {
            code: "count",
            field: "approvers",
            message: "{len(approvers)} for {len(names)}",
            when: &[Cond::Present("names")],
            check: Cond::SameLength("approvers", "names"),
        },
        Rule { code: "twice", field: "names", message: "`{item}` twice", when: &[], check: Cond::Unique("names") },
        Rule {
            code: "file",
            field: "approvers",
            message: "`{item}` by `{entry}`",
            when: &[],
            check: Cond::NoPair { names: "names", entries: "approvers", prefix: "*.", values: &["http"] },
        },
        Rule { code: "range", field: "n", message: "not 0", when: &[], check: Cond::NotEquals("n", "0") },
    ];

    fn check(doc: Value) -> Vec<String> {
        let mut out = Vec::new();
        check_rules(&doc, RULES, "order", &mut out);
        out.into_iter().map(|p| format!("{}@{}: {}", p.code, p.field.unwrap_or_default(), p.message)).collect()
    }

    #[test]
    fn rules_report_each_failure_with_its_values() {
        let got = check(serde_json::json!({
            "method": "EMAIL", "names": ["*.a.example", "B.example", "b.example"], "approvers": ["http"], "n": 0
        }));
        assert_eq!(
            got,
            [
                "field_required@order.approver: with `EMAIL`",
                "count@order.approvers: 1 for 3",
                "twice@order.names: `b.example` twice",
                "file@order.approvers: `*.a.example` by `http`",
                "range@order.n: not 0",
            ]
        );
        assert!(check(serde_json::json!({"method": "dns", "n": -1})).is_empty());
    }
}
