//! Product facts and field requirements as data, each with one evaluator.
//!
//! A provider whose product endpoint publishes flags (levels, wildcard, SANs, prices, DCV flags, brand) describes
//! how to read them in a [`ProductFacts`] table; [`ProductFacts::rules`] turns a product (its JSON) into the
//! neutral [`ProductRules`], and [`ProductFacts::check_order`] checks a wire order against a product. Which
//! contact fields a validation level requires is a [`FieldRule`] table (generated from the spec's
//! `x-neutral` / `x-need` property extensions), read by [`required_paths`] and [`missing_fields`].
//!
//! The evaluators read a wire value through [`Fields`]: the generated request and product types implement it
//! with typed accessors (a field is read where it is, no JSON copy of the value), and `serde_json::Value` does
//! too (tests, untyped callers). A field reads as its JSON serialization would show it ([`FieldValue`]).

use std::borrow::Cow;

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
#[non_exhaustive]
pub struct FieldRule {
    /// Wire name (`admin_city`).
    pub wire: &'static str,
    /// Neutral path in [`crate::model::Contacts`] (`admin.city`).
    pub neutral: &'static str,
    /// When it is required.
    pub need: Need,
}

impl FieldRule {
    /// The rule of wire field `wire`, at neutral path `neutral` (a `const` table, generated from the spec).
    pub const fn new(wire: &'static str, neutral: &'static str, need: Need) -> Self {
        Self { wire, neutral, need }
    }
}

/// The neutral paths a product of `level` requires (for [`ProductRules::required_fields`]).
pub fn required_paths(table: &[FieldRule], level: ValidationLevel) -> Vec<String> {
    table.iter().filter(|r| r.need.applies(level)).map(|r| r.neutral.to_owned()).collect()
}

/// The OV/EV-only fields of `table` that a wire order (`doc`) lacks for a product of `level`.
pub fn missing_fields(doc: &dyn Fields, table: &[FieldRule], level: ValidationLevel, product: &str) -> Vec<Problem> {
    let lvl = if level == ValidationLevel::Ev { "EV" } else { "OV" };
    table
        .iter()
        .filter(|r| matches!(r.need, Need::Ov | Need::OvEv) && r.need.applies(level))
        .filter(|r| text_at(doc, r.wire).is_none())
        .map(|r| {
            let msg = format!("`{}` is required for {lvl} product {product} (contacts: `{}`)", r.wire, r.neutral);
            Problem::error("field_required", msg).with_field(r.wire)
        })
        .collect()
}

/// A family of brands, as far as DCV is concerned.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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

impl Brand {
    /// A brand family offering `methods`, selected by `keywords` (empty: the fallback), one DCV method for every
    /// name unless [`Brand::per_san`].
    pub const fn new(name: &'static str, keywords: &'static [&'static str], methods: &'static [DcvMethod]) -> Self {
        Self { name, keywords, methods, per_san: false }
    }

    /// Every SAN may take its own DCV method.
    #[must_use]
    pub const fn per_san(mut self) -> Self {
        self.per_san = true;
        self
    }
}

/// A product flag that turns a DCV method on or off.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct DcvFlag {
    /// The neutral method.
    pub method: DcvMethod,
    /// The product's boolean field.
    pub flag: &'static str,
    /// Whether a true flag offers the method even when the brand does not list it.
    pub adds: bool,
}

impl DcvFlag {
    /// The product's boolean `flag` turns `method` on or off; `adds`: a true flag offers the method even when the
    /// brand does not list it.
    pub const fn new(method: DcvMethod, flag: &'static str, adds: bool) -> Self {
        Self { method, flag, adds }
    }
}

/// How a provider's product JSON reads as [`ProductRules`]. Paths are dotted (`prices.vendor`).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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

impl ProductFacts {
    /// Facts that read nothing yet: every path empty (an empty path reads as absent), no level spellings, price
    /// tables, brands, DCV flags or field rules. Set what the provider's product JSON has with the `const`
    /// `with_*` setters:
    ///
    /// ```
    /// use ssl_core::facts::{Brand, DcvFlag, ProductFacts};
    /// use ssl_core::model::{DcvMethod, ValidationLevel};
    /// const FACTS: ProductFacts = ProductFacts::new()
    ///     .with_name("product")
    ///     .with_level("product_type", &[("dv", ValidationLevel::Dv), ("ov", ValidationLevel::Ov)])
    ///     .with_wildcard("wildcard_enabled")
    ///     .with_brand("brand", &[Brand::new("any", &[], &[DcvMethod::Email, DcvMethod::Dns])])
    ///     .with_dcv_flags(&[DcvFlag::new(DcvMethod::Http, "dcv_http", true)]);
    /// let rules = FACTS.rules("7", &serde_json::json!({"product": "Basic", "product_type": "ov", "dcv_http": true}));
    /// assert_eq!(rules.validation, ValidationLevel::Ov);
    /// assert_eq!(rules.dcv_methods, [DcvMethod::Email, DcvMethod::Dns, DcvMethod::Http]);
    /// ```
    pub const fn new() -> Self {
        Self {
            name: "",
            level: "",
            levels: &[],
            level_flag: None,
            wildcard: "",
            multi_domain: "",
            max_names: "",
            prices: &[],
            max_period: "",
            brand: "",
            brands: &[],
            dcv_flags: &[],
            fields: &[],
        }
    }

    /// Where the display name is.
    #[must_use]
    pub const fn with_name(mut self, path: &'static str) -> Self {
        self.name = path;
        self
    }

    /// Where the validation level text is, and its spellings (lower case; `ext*` matches a prefix).
    #[must_use]
    pub const fn with_level(mut self, path: &'static str, levels: &'static [(&'static str, ValidationLevel)]) -> Self {
        self.level = path;
        self.levels = levels;
        self
    }

    /// A boolean that means `level` when the level text says nothing.
    #[must_use]
    pub const fn with_level_flag(mut self, flag: &'static str, level: ValidationLevel) -> Self {
        self.level_flag = Some((flag, level));
        self
    }

    /// Where the "wildcard names allowed" boolean is.
    #[must_use]
    pub const fn with_wildcard(mut self, path: &'static str) -> Self {
        self.wildcard = path;
        self
    }

    /// Where the "SANs allowed" boolean is.
    #[must_use]
    pub const fn with_multi_domain(mut self, path: &'static str) -> Self {
        self.multi_domain = path;
        self
    }

    /// Where the most names (primary included) of a SAN product is.
    #[must_use]
    pub const fn with_max_names(mut self, path: &'static str) -> Self {
        self.max_names = path;
        self
    }

    /// The price tables whose numeric keys are the terms in months, tried in order.
    #[must_use]
    pub const fn with_prices(mut self, paths: &'static [&'static str]) -> Self {
        self.prices = paths;
        self
    }

    /// Where the longest term in months is.
    #[must_use]
    pub const fn with_max_period(mut self, path: &'static str) -> Self {
        self.max_period = path;
        self
    }

    /// Where the brand value is, and the brand families (the last is the fallback).
    #[must_use]
    pub const fn with_brand(mut self, path: &'static str, brands: &'static [Brand]) -> Self {
        self.brand = path;
        self.brands = brands;
        self
    }

    /// The DCV flags.
    #[must_use]
    pub const fn with_dcv_flags(mut self, flags: &'static [DcvFlag]) -> Self {
        self.dcv_flags = flags;
        self
    }

    /// The field requirements by level.
    #[must_use]
    pub const fn with_fields(mut self, fields: &'static [FieldRule]) -> Self {
        self.fields = fields;
        self
    }
}

impl Default for ProductFacts {
    fn default() -> Self {
        Self::new()
    }
}

/// The wire fields of an order that [`ProductFacts::check_order`] reads.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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

impl OrderFields {
    /// The wire names of the additional names, the per-name DCV entries, the term and the order's DCV method.
    pub const fn new(names: &'static str, approvers: &'static str, period: &'static str, method: &'static str) -> Self {
        Self { names, approvers, period, method }
    }
}

/// One top-level field of a wire value as its JSON serialization shows it, borrowed where it can be.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FieldValue<'a> {
    /// Absent or null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (a form body's boolean too, sent as `1`/`0`).
    Int(i64),
    /// A string (an enum's wire value too).
    Str(&'a str),
    /// A list of strings.
    Strs(&'a [String]),
    /// Anything else, as JSON.
    Json(Cow<'a, Value>),
}

impl<'a> FieldValue<'a> {
    /// A field of any serializable type, through its JSON (for the types an accessor does not read directly).
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        match serde_json::to_value(value) {
            Ok(Value::Null) | Err(_) => Self::Null,
            Ok(v) => Self::Json(Cow::Owned(v)),
        }
    }

    /// A JSON value, borrowed (`null` reads as [`Self::Null`]).
    pub fn value(value: &'a Value) -> Self {
        if value.is_null() { Self::Null } else { Self::Json(Cow::Borrowed(value)) }
    }

    /// Whether the field is absent or null.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Json(v) => v.as_bool(),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            Self::Json(v) => v.as_str(),
            _ => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(*i),
            Self::Json(v) => v.as_i64(),
            _ => None,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Int(i) => u64::try_from(*i).ok(),
            Self::Json(v) => v.as_u64(),
            _ => None,
        }
    }

    /// A list's entries, each as a string when it is one; `None` when the field is not a list.
    fn items(&self) -> Option<Vec<Option<&str>>> {
        match self {
            Self::Strs(items) => Some(items.iter().map(|s| Some(s.as_str())).collect()),
            Self::Json(v) => v.as_array().map(|a| a.iter().map(Value::as_str).collect()),
            _ => None,
        }
    }

    /// The field as JSON (what `serde_json::to_value` of the whole value shows at this key).
    pub fn to_json(&self) -> Cow<'_, Value> {
        Cow::Owned(match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Int(i) => Value::from(*i),
            Self::Str(s) => Value::from(*s),
            Self::Strs(items) => Value::from(items.to_vec()),
            Self::Json(v) => return Cow::Borrowed(v.as_ref()),
        })
    }

    /// The text of a scalar, as [`crate::operation::text_at`] reads it: a string trimmed (none when blank), a
    /// number or boolean as JSON writes it.
    fn text(&self) -> Option<String> {
        match self {
            Self::Str(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
            Self::Int(i) => Some(i.to_string()),
            Self::Bool(b) => Some(b.to_string()),
            Self::Null | Self::Strs(_) => None,
            Self::Json(v) => crate::operation::text_at(v, ""),
        }
    }

    /// The value at `rest`, a dotted path below this field (`vendor` of `prices`), object keys only.
    fn below(self, rest: &str) -> FieldValue<'a> {
        let found = match &self {
            Self::Json(Cow::Borrowed(v)) => {
                let v: &'a Value = v;
                return rest.split('.').try_fold(v, |v, part| v.get(part)).map_or(Self::Null, Self::value);
            }
            Self::Json(Cow::Owned(v)) => rest.split('.').try_fold(v, |v, part| v.get(part)).cloned(),
            _ => None,
        };
        found.map_or(Self::Null, |v| if v.is_null() { Self::Null } else { Self::Json(Cow::Owned(v)) })
    }
}

/// Read access to the top-level fields of a wire value by wire name. Generated for the request and product
/// types the rules and facts read (typed accessors, no JSON copy); `serde_json::Value` has it too.
pub trait Fields {
    /// The field `wire` (a top-level wire name); [`FieldValue::Null`] when absent or null.
    fn field(&self, wire: &str) -> FieldValue<'_>;
}

impl Fields for Value {
    fn field(&self, wire: &str) -> FieldValue<'_> {
        self.get(wire).map_or(FieldValue::Null, FieldValue::value)
    }
}

impl<T: Fields + ?Sized> Fields for &T {
    fn field(&self, wire: &str) -> FieldValue<'_> {
        (**self).field(wire)
    }
}

/// The value at a dotted path (`prices.vendor`): object keys only, null as absent.
fn at<'a>(doc: &'a (impl Fields + ?Sized), path: &str) -> FieldValue<'a> {
    match path.split_once('.') {
        None => doc.field(path),
        Some((head, rest)) => doc.field(head).below(rest),
    }
}

fn flag(doc: &(impl Fields + ?Sized), path: &str) -> Option<bool> {
    at(doc, path).as_bool()
}

fn text(doc: &(impl Fields + ?Sized), path: &str) -> String {
    at(doc, path).as_str().unwrap_or("").trim().to_ascii_lowercase()
}

/// The text at a dotted path, as [`crate::operation::text_at`] reads a JSON value (array indexes included).
fn text_at(doc: &(impl Fields + ?Sized), path: &str) -> Option<String> {
    let mut parts = path.split('.').filter(|p| !p.is_empty());
    let head = doc.field(parts.next()?);
    match path.split('.').filter(|p| !p.is_empty()).nth(1) {
        None => head.text(),
        Some(_) => {
            let rest: Vec<&str> = parts.collect();
            crate::operation::text_at(&head.to_json(), &rest.join("."))
        }
    }
}

/// The text at a dotted path of a wire value (`only_validate`), as [`crate::operation::field`] reads its JSON:
/// a string trimmed (none when blank), a number or boolean as JSON writes it; `None` when absent or not a scalar.
pub fn text_of(doc: &dyn Fields, path: &str) -> Option<String> {
    text_at(doc, path)
}

fn term_keys(v: &FieldValue<'_>) -> Vec<u32> {
    match v {
        FieldValue::Json(v) => match v.as_ref() {
            Value::Object(m) => m.keys().filter_map(|k| k.trim().parse::<u32>().ok()).filter(|m| *m > 0).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Whether a wire DCV value is an approver address (some providers send the address itself as the method).
pub fn is_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((a, b)) if !a.is_empty() && b.contains('.') && !b.starts_with('.'))
}

impl ProductFacts {
    /// The validation level: the first matching spelling, else the level flag, else DV.
    pub fn level_of(&self, doc: &dyn Fields) -> ValidationLevel {
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
    pub fn periods_of(&self, doc: &dyn Fields) -> Vec<u32> {
        let mut out = self.prices.iter().map(|p| term_keys(&at(doc, p))).find(|k| !k.is_empty()).unwrap_or_default();
        if out.is_empty() {
            if let Some(max) = at(doc, self.max_period).as_u64().filter(|m| *m >= 12) {
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
    pub fn price_of(&self, doc: &dyn Fields, months: u32) -> Option<String> {
        let key = months.to_string();
        let price = self.prices.iter().find_map(|p| match at(doc, p) {
            FieldValue::Json(table) => table.get(&key).cloned(),
            _ => None,
        })?;
        match price {
            Value::String(s) => Some(s),
            Value::Number(n) => n.as_f64().map(|f| format!("{f:.2}")),
            _ => None,
        }
    }

    /// The brand family of a product.
    pub fn brand_of(&self, doc: &dyn Fields) -> &'static Brand {
        let b = text(doc, self.brand);
        let brands: &'static [Brand] = self.brands;
        brands.iter().find(|f| f.keywords.iter().any(|k| b.contains(k))).or(brands.last()).unwrap_or(&FALLBACK)
    }

    /// The DCV methods offered: a method is offered when its flag is true (and the brand lists it or the flag
    /// [`DcvFlag::adds`] it), or when its flag is absent and the brand lists it.
    pub fn dcv_of(&self, doc: &dyn Fields) -> Vec<DcvMethod> {
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

    /// Whether the product takes SANs, and how many names at most (primary included; SAN products only).
    fn names_of(&self, doc: &dyn Fields) -> (bool, Option<u32>) {
        let multi = flag(doc, self.multi_domain).unwrap_or(false);
        let max = at(doc, self.max_names).as_u64().filter(|n| *n > 0);
        (multi, if multi { max.and_then(|n| u32::try_from(n).ok()) } else { None })
    }

    /// The neutral rules of a product (`id` as the provider spells it). `max_names` only for SAN products.
    pub fn rules(&self, id: &str, doc: &dyn Fields) -> ProductRules {
        let validation = self.level_of(doc);
        let (multi_domain, max_names) = self.names_of(doc);
        ProductRules {
            id: id.to_owned(),
            name: at(doc, self.name).as_str().map_or_else(|| format!("product {id}"), str::to_owned),
            validation,
            wildcard: flag(doc, self.wildcard).unwrap_or(false),
            multi_domain,
            max_names,
            periods_months: self.periods_of(doc),
            dcv_methods: self.dcv_of(doc),
            required_fields: required_paths(self.fields, validation),
        }
    }

    /// Per-SAN DCV methods (a per-name entry whose method differs from the order's) only for brands that take
    /// them.
    pub fn per_san_problem(
        &self,
        id: &str,
        product: &dyn Fields,
        order: &dyn Fields,
        f: &OrderFields,
    ) -> Option<Problem> {
        let brand = self.brand_of(product);
        if brand.per_san {
            return None;
        }
        let primary = text(order, f.method);
        let entries = at(order, f.approvers);
        let differs = entries.items().unwrap_or_default().into_iter().flatten().any(|a| {
            let m = if is_email(a) { "email" } else { a };
            m != primary
        });
        differs.then(|| {
            let takers: Vec<&str> = self.brands.iter().filter(|b| b.per_san).map(|b| b.name).collect();
            let shown = at(product, self.brand).as_str().unwrap_or("unknown brand").to_owned();
            let msg = format!(
                "product {id} ({shown}) takes one DCV method for every name; per-SAN methods are for {} brands",
                takers.join(", ")
            );
            Problem::error("dcv_not_allowed", msg).with_field(f.approvers)
        })
    }

    /// Every problem of a wire order (`order`) against a product: per-SAN methods, SANs on a single-name product,
    /// too many names, wildcards, the term, the DCV method, and the OV/EV fields. Reads only the facts it checks
    /// (the same as [`Self::rules`] gives).
    pub fn check_order(
        &self,
        (id, product): (&str, &dyn Fields),
        order: &dyn Fields,
        f: &OrderFields,
        primary: Option<&str>,
        table: &DcvTable,
    ) -> Vec<Problem> {
        let err = |code: &str, field: &str, msg: String| Problem::error(code, msg).with_field(field);
        let (multi_domain, max_names) = self.names_of(product);
        let mut out: Vec<Problem> = self.per_san_problem(id, product, order, f).into_iter().collect();
        let names_field = at(order, f.names);
        let names: Vec<&str> = names_field.items().unwrap_or_default().into_iter().flatten().collect();
        if !multi_domain && !names_field.is_null() {
            let msg = format!("product {id} is not a SAN product; `{}` must not be sent", f.names);
            out.push(err("field_not_allowed", f.names, msg));
        }
        if let Some(max) = max_names.filter(|m| names.len() + 1 > *m as usize) {
            let msg = format!(
                "product {id} allows at most {max} names (primary included); the order has {}",
                names.len() + 1
            );
            out.push(err("too_many_names", f.names, msg));
        }
        let wild: Vec<&str> =
            primary.into_iter().chain(names.iter().copied()).filter(|n| n.starts_with("*.")).collect();
        if !wild.is_empty() && !flag(product, self.wildcard).unwrap_or(false) {
            let msg = format!("product {id} does not cover wildcard names: {}", wild.join(", "));
            out.push(err("product_rule", f.names, msg));
        }
        let period = at(order, f.period).as_i64().unwrap_or(0);
        let periods = self.periods_of(product);
        if !u32::try_from(period).is_ok_and(|p| periods.contains(&p)) {
            let terms: Vec<String> = periods.iter().map(ToString::to_string).collect();
            let msg = format!("product {id} is sold for {} months; not {period}", terms.join(", "));
            out.push(err("period_not_offered", f.period, msg));
        }
        let method_field = at(order, f.method);
        let method = method_field.as_str().unwrap_or("");
        if table.neutral(method).is_some_and(|m| !self.dcv_of(product).contains(&m)) {
            out.push(err("dcv_not_allowed", f.method, format!("product {id} does not offer `{method}` DCV")));
        }
        let validation = self.level_of(product);
        if validation != ValidationLevel::Dv {
            out.extend(missing_fields(order, self.fields, validation, id));
        }
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
#[non_exhaustive]
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

impl Rule {
    /// A rule that always applies: `check` must hold, else a problem `code` at `field` with `message`. Narrow it
    /// with [`Rule::when`].
    pub const fn new(code: &'static str, field: &'static str, message: &'static str, check: Cond) -> Self {
        Self { code, field, message, when: &[], check }
    }

    /// Apply the rule only when every one of these conditions holds.
    #[must_use]
    pub const fn when(mut self, conditions: &'static [Cond]) -> Self {
        self.when = conditions;
        self
    }
}

impl Cond {
    /// The failures of the condition: none when it holds; `(item, entry)` pairs for the per-entry checks.
    pub fn failures(&self, doc: &dyn Fields) -> Vec<(String, String)> {
        let text = |f: &str| text_at(doc, f);
        let one = |ok: bool| if ok { Vec::new() } else { vec![(String::new(), String::new())] };
        let len = |f: &str| at(doc, f).items().map_or(0, |i| i.len());
        match *self {
            Self::Equals(f, v) => one(text(f).is_some_and(|t| t.eq_ignore_ascii_case(v))),
            Self::NotEquals(f, v) => one(!text(f).is_some_and(|t| t.eq_ignore_ascii_case(v))),
            Self::Present(f) => one(!at(doc, f).is_null()),
            Self::Absent(f) => one(at(doc, f).is_null()),
            Self::SameLength(a, b) => one(len(a) == len(b)),
            Self::Unique(f) => {
                let list = at(doc, f);
                let mut seen = std::collections::BTreeSet::new();
                let items = list.items().unwrap_or_default().into_iter().flatten();
                items
                    .filter(|n| !seen.insert(n.trim().to_ascii_lowercase()))
                    .map(|n| (n.to_owned(), String::new()))
                    .collect()
            }
            Self::NoPair { names, entries, prefix, values } => {
                let (names, entries) = (at(doc, names), at(doc, entries));
                let (names, entries) = (names.items().unwrap_or_default(), entries.items().unwrap_or_default());
                let pairs = names.into_iter().zip(entries).filter_map(|(n, e)| Some((n?, e?)));
                pairs
                    .filter(|(n, e)| n.starts_with(prefix) && values.contains(e))
                    .map(|(n, e)| (n.to_owned(), e.to_owned()))
                    .collect()
            }
        }
    }
}

fn fill_message(template: &str, doc: &dyn Fields, (item, entry): &(String, String)) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((name, tail)) = after.split_once('}') else { break };
        out.push_str(before);
        match name.strip_prefix("len(").and_then(|n| n.strip_suffix(')')) {
            Some(l) => out.push_str(&at(doc, l).items().map_or(0, |i| i.len()).to_string()),
            None if name == "item" => out.push_str(item),
            None if name == "entry" => out.push_str(entry),
            None => out.push_str(&text_at(doc, name).unwrap_or_default()),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Check a wire body against its [`Rule`]s (the generated `validate()` calls this with the body's typed
/// [`Fields`]), pushing a problem per failure with the field under `prefix`.
pub fn check_rules(doc: &dyn Fields, rules: &[Rule], prefix: &str, out: &mut Vec<Problem>) {
    for rule in rules.iter().filter(|r| r.when.iter().all(|c| c.failures(doc).is_empty())) {
        for failure in rule.check.failures(doc) {
            let message = fill_message(rule.message, doc, &failure);
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
