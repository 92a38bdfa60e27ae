//! The OpenAPI → Rust generator behind `cargo xtask codegen [--check]`.
//!
//! One spec per provider crate (`crates/<crate>/spec/<name>.json`, OpenAPI 3.0.x in JSON) becomes
//! `crates/<crate>/src/generated.rs`: request/response structs with serde attributes, `new(required…)` +
//! setters, string enums with an `Unknown(String)` fallback, `Validate` impls that report every broken
//! constraint at once, one pure request function per operation, and the product table. The format and its
//! `x-` extensions are documented in `xtask/SPEC_FORMAT.md`.
//!
//! Everything here is a pure function of the spec text, so `--check` (and the freshness test) regenerate in
//! memory and compare.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use openapiv3::{
    Components, ObjectType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaData,
    SchemaKind, StatusCode, Type,
};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use serde_json::Value;

/// One spec and the file generated from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// `crates/<crate>/spec/<name>.json`
    pub spec: PathBuf,
    /// `crates/<crate>/src/generated.rs`
    pub output: PathBuf,
}

/// The workspace root: `$XTASK_WORKSPACE_ROOT` when set (tests point it at a temp dir), else the parent of
/// `xtask/`.
pub fn workspace_root() -> PathBuf {
    if let Some(root) = std::env::var_os("XTASK_WORKSPACE_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Every `crates/*/spec/*.json` under `root`, sorted. A crate may hold at most one spec.
pub fn find_specs(root: &Path) -> Result<Vec<Job>, String> {
    let crates = root.join("crates");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&crates)
        .map_err(|e| format!("{}: {e}", crates.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut jobs = Vec::new();
    for dir in dirs {
        let spec_dir = dir.join("spec");
        let Ok(entries) = std::fs::read_dir(&spec_dir) else { continue };
        let mut specs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        specs.sort();
        if specs.len() > 1 {
            return Err(format!("{}: more than one spec ({}); one per crate", spec_dir.display(), specs.len()));
        }
        if let Some(spec) = specs.pop() {
            jobs.push(Job { spec, output: dir.join("src").join("generated.rs") });
        }
    }
    Ok(jobs)
}

/// Generate the code for one job.
pub fn render(job: &Job) -> Result<String, String> {
    let text = std::fs::read_to_string(&job.spec).map_err(|e| format!("{}: {e}", job.spec.display()))?;
    let name = job.spec.file_name().and_then(|n| n.to_str()).unwrap_or("spec.json");
    generate(&text, name).map_err(|e| format!("{}: {e}", job.spec.display()))
}

/// The outputs under `root` whose content differs from what their spec generates now.
pub fn stale(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for job in find_specs(root)? {
        let want = render(&job)?;
        let have = std::fs::read_to_string(&job.output).unwrap_or_default();
        if have != want {
            out.push(job.output);
        }
    }
    Ok(out)
}

/// Regenerate every output under `root`; returns the files whose content changed.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut changed = Vec::new();
    for job in find_specs(root)? {
        let want = render(&job)?;
        if std::fs::read_to_string(&job.output).ok().as_deref() != Some(want.as_str()) {
            if let Some(dir) = job.output.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&job.output, want).map_err(|e| format!("{}: {e}", job.output.display()))?;
            changed.push(job.output);
        }
    }
    Ok(changed)
}

/// Generate the Rust module for one OpenAPI document. `spec_file_name` only appears in the header.
pub fn generate(spec_json: &str, spec_file_name: &str) -> Result<String, String> {
    let api: OpenAPI = serde_json::from_str(spec_json).map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    if !api.openapi.starts_with("3.0") {
        return Err(format!("openapi `{}`: only 3.0.x is supported", api.openapi));
    }
    let mut g = Gen::new(&api)?;
    g.components()?;
    let ops = g.operations()?;
    let products = products(api.extensions.iter().filter(|(k, _)| *k != "x-dcv-table" && *k != "x-status-table"))?;
    let dcv_table = match api.extensions.get("x-dcv-table") {
        Some(v) => dcv_table(v)?,
        None => quote!(),
    };
    let status_table = match api.extensions.get("x-status-table") {
        Some(v) => status_table(v)?,
        None => quote!(),
    };
    let tokens = g.emit(&ops, products.as_deref(), spec_file_name)?;
    let tokens = quote!(#tokens #dcv_table #status_table);
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("internal error: generated code does not parse: {e}"))?;
    Ok(format!(
        "// @generated by cargo xtask codegen from spec/{spec_file_name} — do not edit by hand.\n{}",
        space_items(&prettyplease::unparse(&file))
    ))
}

/// prettyplease puts items back to back; add one blank line between an item's closing `}` and the next item
/// (doc comment, attribute, `pub`, `impl` or `fn`) at the same indentation, and after the module docs.
fn space_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 20);
    let mut prev: Option<&str> = None;
    for line in code.lines() {
        if let Some(p) = prev {
            let indent = |l: &str| l.len() - l.trim_start().len();
            let starts_item =
                ["///", "#[", "pub ", "impl ", "impl<", "fn "].iter().any(|k| line.trim_start().starts_with(k));
            let after_module_docs = p.starts_with("//!") && !line.starts_with("//!");
            if after_module_docs || (p.trim() == "}" && starts_item && indent(p) == indent(line)) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// The intermediate model.

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Str,
    I64,
    F64,
    Bool,
    Value,
    Struct(String),
    Enum(String),
    /// A `oneOf` enum.
    OneOf(String),
    Vec(Box<Ty>),
    /// A JSON:API relationship (`ToOne` / `ToMany`) with the named meta struct, if any.
    Rel {
        many: bool,
        meta: Option<String>,
    },
    /// A JSON:API document around the resource whose attributes struct is named.
    Doc(String, DocKind),
}

/// Which JSON:API document a request body or answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocKind {
    /// `XDocument`: one resource in an answer.
    One,
    /// `NewXDocument`: one resource in a request.
    New,
    /// `XListDocument`: a listing.
    List,
}

impl DocKind {
    fn alias(self, base: &str) -> String {
        match self {
            Self::One => format!("{base}Document"),
            Self::New => format!("New{base}Document"),
            Self::List => format!("{base}ListDocument"),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Rules {
    min_len: Option<usize>,
    max_len: Option<usize>,
    pattern: Option<String>,
    int_enum: Vec<i64>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    min_items: Option<usize>,
    max_items: Option<usize>,
    item: Option<Box<Rules>>,
}

#[derive(Debug, Clone)]
struct Field {
    wire: String,
    ident: String,
    doc: Option<String>,
    ty: Ty,
    rules: Rules,
    required: bool,
}

#[derive(Debug, Clone)]
struct StructDef {
    name: String,
    doc: Option<String>,
    fields: Vec<Field>,
    /// Groups of wire names of which at least one must be present (`x-require-one-of`).
    one_of: Vec<Vec<String>>,
    /// `x-jsonapi`: this struct holds a resource's attributes.
    jsonapi: Option<JsonApi>,
    /// `x-rules`: cross-field rules (`ssl_core::facts::Rule` values), checked by `validate()`.
    rules: Vec<TokenStream>,
    /// `x-neutral` + `x-need` of properties: (wire, neutral path, need) rows of `FIELDS`.
    field_rules: Vec<(String, String, String)>,
    /// `x-fields: true`: read by a provider's product facts, so it gets the typed `ssl_core::facts::Fields`
    /// accessor (structs with `x-rules` or `x-neutral` fields, and `x-quote` bodies, get it anyway).
    accessor: bool,
}

#[derive(Debug, Clone)]
struct JsonApi {
    /// The resource type (`order`).
    r#type: String,
}

#[derive(Debug, Clone)]
struct OneOfDef {
    name: String,
    doc: Option<String>,
    /// (variant name, type, required wire names of an object variant)
    variants: Vec<(String, Ty, Vec<String>)>,
    /// `discriminator.propertyName` and (tag, variant name) pairs.
    discriminator: Option<(String, Vec<(String, String)>)>,
}

#[derive(Debug, Clone)]
struct EnumDef {
    name: String,
    doc: Option<String>,
    /// (wire value, variant name)
    variants: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
enum Item {
    Pending,
    /// A name taken by a JSON:API alias (emitted with its attributes struct).
    Reserved,
    Struct(StructDef),
    Enum(EnumDef),
    OneOf(OneOfDef),
}

#[derive(Debug, Clone)]
struct Param {
    wire: String,
    ident: String,
    required: bool,
    doc: Option<String>,
}

#[derive(Debug, Clone)]
struct Op {
    id: String,
    method: &'static str,
    path: String,
    kind: &'static str,
    summary: Option<String>,
    description: Option<String>,
    path_params: Vec<Param>,
    query: Vec<Param>,
    body: Option<Ty>,
    /// The body is `application/x-www-form-urlencoded` (sent with `ssl_core::Body::form`), not JSON.
    form: bool,
    /// The body is sent as `application/vnd.api+json`.
    jsonapi: bool,
    success: Vec<String>,
    output: Output,
    /// `x-order-id`: where a spend's answer holds the new order's id.
    order_id: Option<String>,
    /// `x-lookup`: (where, match templates).
    lookup: Option<(Vec<Piece>, Vec<Vec<Piece>>)>,
    /// `x-quote`: (in body?, parameter wire name, value).
    quote: Option<(bool, String, String)>,
}

/// What a 2xx answer decodes to.
#[derive(Debug, Clone, PartialEq)]
enum Output {
    /// No body.
    Unit,
    /// A non-JSON body (bytes).
    Raw,
    /// JSON of this type.
    Json(Ty),
}

#[derive(Debug, Clone)]
struct Product {
    id: String,
    name: String,
    validation: String,
    wildcard: bool,
    multi_domain: bool,
    max_names: Option<u32>,
    periods_months: Vec<u32>,
    dcv_methods: Vec<String>,
    required_fields: Vec<String>,
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";
const JSONAPI: &str = "application/vnd.api+json";

/// `application/json`, `application/vnd.api+json` and other `+json` media types.
fn is_json(mime: &str) -> bool {
    mime == "application/json" || mime.ends_with("+json")
}

/// One part of an `x-lookup` template.
#[derive(Debug, Clone)]
enum Piece {
    Lit(String),
    /// A path or query parameter: (Rust field, required).
    Param(String, bool),
    Body(String),
    Sha(String),
    Cn(String),
}
const RESERVED_TYPES: &[&str] = &["Option", "Result", "Vec", "String", "Box", "Some", "None", "Ok", "Err", "Self"];
const RESERVED_METHODS: &[&str] = &["new", "default", "clone", "validate", "validate_at"];
const DCV_METHODS: &[(&str, &str)] = &[
    ("email", "Email"),
    ("dns", "Dns"),
    ("dns-txt", "DnsTxt"),
    ("dns-cname", "DnsCname"),
    ("http", "Http"),
    ("https", "Https"),
];

struct Gen<'a> {
    api: &'a OpenAPI,
    items: Vec<Item>,
    /// Type name → index in `items`.
    names: BTreeMap<String, usize>,
}

enum RefKind<'a> {
    Struct,
    Enum,
    OneOf,
    Alias(&'a Schema),
}

/// The alternatives of a `oneOf` schema (openapiv3 reads `oneOf` next to other keys as `Any`).
fn alternatives(schema: &Schema) -> Option<&Vec<ReferenceOr<Schema>>> {
    match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => Some(one_of),
        SchemaKind::Any(a) if !a.one_of.is_empty() && a.properties.is_empty() => Some(&a.one_of),
        _ => None,
    }
}

impl<'a> Gen<'a> {
    fn new(api: &'a OpenAPI) -> Result<Self, String> {
        Ok(Self { api, items: Vec::new(), names: BTreeMap::new() })
    }

    fn components_ref(&self) -> Option<&'a Components> {
        self.api.components.as_ref()
    }

    fn component(&self, reference: &str) -> Result<(&'a str, &'a Schema), String> {
        let name = reference
            .strip_prefix(SCHEMA_PREFIX)
            .ok_or_else(|| format!("`{reference}`: only local `{SCHEMA_PREFIX}…` references are supported"))?;
        let (key, schema) = self
            .components_ref()
            .and_then(|c| c.schemas.get_key_value(name))
            .ok_or_else(|| format!("`{reference}`: no such schema"))?;
        match schema {
            ReferenceOr::Item(s) => Ok((key.as_str(), s)),
            ReferenceOr::Reference { .. } => Err(format!("`{reference}`: a schema that is itself a $ref")),
        }
    }

    fn ref_kind(schema: &'a Schema) -> RefKind<'a> {
        if alternatives(schema).is_some() {
            return RefKind::OneOf;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => RefKind::Struct,
            SchemaKind::Any(a) if !a.properties.is_empty() => RefKind::Struct,
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => RefKind::Enum,
            _ => RefKind::Alias(schema),
        }
    }

    fn reserve(&mut self, name: &str, what: &str) -> Result<usize, String> {
        if !is_type_name(name) {
            return Err(format!("`{name}` ({what}) is not a PascalCase Rust type name"));
        }
        if RESERVED_TYPES.contains(&name) {
            return Err(format!("`{name}` ({what}) would shadow a std type; rename it"));
        }
        if self.names.contains_key(name) {
            return Err(format!(
                "type name `{name}` ({what}) is used twice; give the inline schema its own component and `$ref` it"
            ));
        }
        let idx = self.items.len();
        self.items.push(Item::Pending);
        self.names.insert(name.to_owned(), idx);
        Ok(idx)
    }

    fn components(&mut self) -> Result<(), String> {
        let Some(components) = self.components_ref() else { return Ok(()) };
        let schemas = &components.schemas;
        // Reserve every component name first so inline names cannot take them.
        let mut todo = Vec::new();
        for (name, schema) in schemas {
            let ReferenceOr::Item(schema) = schema else { continue };
            match Self::ref_kind(schema) {
                RefKind::Struct | RefKind::Enum | RefKind::OneOf => {
                    let idx = self.reserve(name, "component")?;
                    todo.push((idx, name.as_ref(), schema));
                }
                RefKind::Alias(_) => {}
            }
        }
        for (idx, name, schema) in todo {
            if let Some(alts) = alternatives(schema) {
                self.one_of(idx, name, alts, &schema.schema_data)?;
                continue;
            }
            match &schema.schema_kind {
                SchemaKind::Type(Type::String(s)) => {
                    let def = enum_def(name, &schema.schema_data, &s.enumeration)?;
                    self.items[idx] = Item::Enum(def);
                }
                SchemaKind::Type(Type::Object(o)) => self.object(idx, name, o, &schema.schema_data)?,
                SchemaKind::Any(a) => {
                    let o = ObjectType {
                        properties: a.properties.clone(),
                        required: a.required.clone(),
                        additional_properties: a.additional_properties.clone(),
                        min_properties: a.min_properties,
                        max_properties: a.max_properties,
                    };
                    self.object(idx, name, &o, &schema.schema_data)?
                }
                _ => return Err(format!("internal error: component `{name}` classified wrongly")),
            }
        }
        Ok(())
    }

    fn object(&mut self, idx: usize, name: &str, o: &ObjectType, data: &SchemaData) -> Result<(), String> {
        let mut fields = Vec::new();
        let mut idents = BTreeSet::new();
        for wire in &o.required {
            if !o.properties.contains_key(wire) {
                return Err(format!("{name}: required `{wire}` is not a property"));
            }
        }
        let mut field_rules = Vec::new();
        for (wire, prop) in &o.properties {
            if let ReferenceOr::Item(p) = prop {
                let ext = &p.schema_data.extensions;
                match (ext.get("x-neutral").and_then(Value::as_str), ext.get("x-need").and_then(Value::as_str)) {
                    (Some(n), Some(need @ ("always" | "ov" | "ov_ev" | "optional"))) => {
                        field_rules.push((wire.clone(), n.to_owned(), need.to_owned()))
                    }
                    (None, None) => {}
                    _ => {
                        return Err(format!(
                            "{name}.{wire}: `x-neutral` (a path) and `x-need` (always, ov, ov_ev, optional) go together"
                        ));
                    }
                }
                if let Some(k) = ext.keys().find(|k| !["x-neutral", "x-need"].contains(&k.as_str())) {
                    return Err(format!("{name}.{wire}: unknown property extension `{k}`"));
                }
            }
            let context = format!("{name}{}", pascal(wire));
            let (ty, rules, doc) = self.resolve_boxed(prop, &context)?;
            let ident = field_ident(wire);
            if !idents.insert(ident.clone()) {
                return Err(format!("{name}: two properties map to the Rust field `{ident}`"));
            }
            fields.push(Field { wire: wire.clone(), ident, doc, ty, rules, required: o.required.contains(wire) });
        }
        let one_of = match data.extensions.get("x-require-one-of") {
            None => Vec::new(),
            Some(v) => {
                let groups: Vec<Vec<String>> = serde_json::from_value(v.clone())
                    .map_err(|_| format!("{name}: `x-require-one-of` must be an array of arrays of property names"))?;
                for g in &groups {
                    if g.is_empty() {
                        return Err(format!("{name}: empty group in `x-require-one-of`"));
                    }
                    if let Some(bad) = g.iter().find(|w| !o.properties.contains_key(*w)) {
                        return Err(format!("{name}: `x-require-one-of` names `{bad}`, which is not a property"));
                    }
                }
                groups
            }
        };
        for key in data.extensions.keys() {
            if !["x-require-one-of", "x-jsonapi", "x-rules", "x-fields"].contains(&key.as_str()) {
                return Err(format!("{name}: unknown schema extension `{key}`"));
            }
        }
        let jsonapi = match data.extensions.get("x-jsonapi") {
            None => None,
            Some(v) => Some(self.jsonapi(name, v)?),
        };
        let props: Vec<&str> = o.properties.keys().map(String::as_str).collect();
        let rules = match data.extensions.get("x-rules") {
            None => Vec::new(),
            Some(v) => x_rules(name, v, &props)?,
        };
        let accessor = match data.extensions.get("x-fields") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(format!("{name}: `x-fields` is true or false")),
        };
        let doc = doc_of(data);
        self.items[idx] = Item::Struct(StructDef {
            name: name.to_owned(),
            doc,
            fields,
            one_of,
            jsonapi,
            rules,
            field_rules,
            accessor,
        });
        Ok(())
    }

    /// `x-jsonapi` on the attributes schema `name`: the resource type, and a `<name>Relationships` struct.
    fn jsonapi(&mut self, name: &str, v: &Value) -> Result<JsonApi, String> {
        let obj = v.as_object().ok_or_else(|| format!("{name}: `x-jsonapi` must be an object"))?;
        if let Some(k) = obj.keys().find(|k| !["type", "relationships"].contains(&k.as_str())) {
            return Err(format!("{name}: unknown key `{k}` in `x-jsonapi` (type, relationships)"));
        }
        let r#type = obj
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("{name}: `x-jsonapi.type` (the resource type) is required"))?
            .to_owned();
        let rels_name = format!("{name}Relationships");
        let rels_idx = self.reserve(&rels_name, "JSON:API relationships")?;
        for alias in [format!("{name}Resource"), format!("New{name}")]
            .into_iter()
            .chain([DocKind::One, DocKind::New, DocKind::List].map(|k| k.alias(name)))
        {
            let i = self.reserve(&alias, "JSON:API alias")?;
            self.items[i] = Item::Reserved;
        }
        let mut fields = Vec::new();
        let mut required = Vec::new();
        let empty = serde_json::Map::new();
        let rels = match obj.get("relationships") {
            None => &empty,
            Some(r) => r.as_object().ok_or_else(|| format!("{name}: `x-jsonapi.relationships` must be an object"))?,
        };
        for (rel, def) in rels {
            let d = def.as_object().ok_or_else(|| format!("{name}: relationship `{rel}` must be an object"))?;
            if let Some(k) =
                d.keys().find(|k| !["type", "many", "meta", "required", "description"].contains(&k.as_str()))
            {
                return Err(format!(
                    "{name}: relationship `{rel}`: unknown key `{k}` (type, many, meta, required, description)"
                ));
            }
            let target = d
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{name}: relationship `{rel}` needs a `type`"))?;
            let many = d
                .get("many")
                .map(|m| m.as_bool().ok_or(format!("{name}.{rel}: `many` is a boolean")))
                .transpose()?
                .unwrap_or(false);
            let meta = match d.get("meta") {
                None => None,
                Some(m) => {
                    let r = m
                        .as_str()
                        .ok_or_else(|| format!("{name}.{rel}: `meta` is a `#/components/schemas/…` reference"))?;
                    match self.resolve_ref(r)?.0 {
                        Ty::Struct(n) => Some(n),
                        other => return Err(format!("{name}.{rel}: `meta` must be an object schema, found {other:?}")),
                    }
                }
            };
            if d.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(vec![rel.clone()]);
            }
            let kind = if many { "to-many" } else { "to-one" };
            let doc = d
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("The {kind} `{rel}` relationship (`{target}` resources)."));
            fields.push(Field {
                wire: rel.clone(),
                ident: field_ident(rel),
                doc: Some(doc),
                ty: Ty::Rel { many, meta },
                rules: Rules::default(),
                required: false,
            });
        }
        self.items[rels_idx] = Item::Struct(StructDef {
            name: rels_name,
            doc: Some(format!("The relationships of a `{type}` resource.", type = r#type)),
            fields,
            one_of: required,
            jsonapi: None,
            rules: Vec::new(),
            field_rules: Vec::new(),
            accessor: false,
        });
        Ok(JsonApi { r#type })
    }

    /// A `oneOf` schema: an enum with one variant per alternative.
    fn one_of(
        &mut self,
        idx: usize,
        name: &str,
        alts: &[ReferenceOr<Schema>],
        data: &SchemaData,
    ) -> Result<(), String> {
        let mut variants: Vec<(String, Ty, Vec<String>)> = Vec::new();
        let mut json_kinds = BTreeSet::new();
        for (i, alt) in alts.iter().enumerate() {
            let (vname, required) = match alt {
                ReferenceOr::Reference { reference } => {
                    let (n, s) = self.component(reference)?;
                    let req = match &s.schema_kind {
                        SchemaKind::Type(Type::Object(o)) => o.required.clone(),
                        SchemaKind::Any(a) => a.required.clone(),
                        _ => Vec::new(),
                    };
                    (n.to_owned(), req)
                }
                ReferenceOr::Item(s) => {
                    let base = match (&s.schema_data.title, &s.schema_kind) {
                        (Some(t), _) => pascal(t),
                        (None, SchemaKind::Type(Type::String(_))) => "String".into(),
                        (None, SchemaKind::Type(Type::Integer(_))) => "Integer".into(),
                        (None, SchemaKind::Type(Type::Number(_))) => "Number".into(),
                        (None, SchemaKind::Type(Type::Boolean(_))) => "Boolean".into(),
                        (None, SchemaKind::Type(Type::Array(_))) => "Array".into(),
                        (None, _) => format!("Variant{}", i + 1),
                    };
                    let req = match &s.schema_kind {
                        SchemaKind::Type(Type::Object(o)) => o.required.clone(),
                        SchemaKind::Any(a) => a.required.clone(),
                        _ => Vec::new(),
                    };
                    (base, req)
                }
            };
            let (ty, rules, _) = self.resolve(alt, &format!("{name}{vname}"))?;
            if rules.min_len.is_some()
                || rules.max_len.is_some()
                || rules.pattern.is_some()
                || !rules.int_enum.is_empty()
                || rules.minimum.is_some()
                || rules.maximum.is_some()
                || rules.min_items.is_some()
                || rules.max_items.is_some()
            {
                return Err(format!(
                    "{name}: constraints on the `oneOf` alternative `{vname}` are not supported; put them on an object alternative"
                ));
            }
            let kind = match &ty {
                Ty::Str | Ty::Enum(_) => "string",
                Ty::I64 => "integer",
                Ty::F64 => "number",
                Ty::Bool => "boolean",
                Ty::Vec(_) => "array",
                Ty::Struct(_) => "object",
                other => return Err(format!("{name}: `oneOf` alternative `{vname}` ({other:?}) is not supported")),
            };
            if kind != "object" && !json_kinds.insert(kind) {
                return Err(format!("{name}: two `oneOf` alternatives are JSON {kind}s; they cannot be told apart"));
            }
            if variants.iter().any(|(v, _, _)| v == &vname) {
                return Err(format!("{name}: two `oneOf` alternatives are named `{vname}`; give them a `title`"));
            }
            variants.push((vname, ty, required));
        }
        if variants.is_empty() {
            return Err(format!("{name}: empty `oneOf`"));
        }
        let discriminator = match &data.discriminator {
            None => None,
            Some(d) => {
                let mut tags = Vec::new();
                for (tag, target) in &d.mapping {
                    let n = target.strip_prefix(SCHEMA_PREFIX).unwrap_or(target);
                    if !variants.iter().any(|(v, ty, _)| v == n && matches!(ty, Ty::Struct(_))) {
                        return Err(format!(
                            "{name}: discriminator mapping `{tag}` → `{target}` is not an object alternative"
                        ));
                    }
                    tags.push((tag.clone(), n.to_owned()));
                }
                for (v, ty, _) in &variants {
                    if matches!(ty, Ty::Struct(_)) && !tags.iter().any(|(_, n)| n == v) {
                        tags.push((v.clone(), v.clone()));
                    }
                }
                Some((d.property_name.clone(), tags))
            }
        };
        self.items[idx] = Item::OneOf(OneOfDef { name: name.to_owned(), doc: doc_of(data), variants, discriminator });
        Ok(())
    }

    fn resolve_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        context: &str,
    ) -> Result<(Ty, Rules, Option<String>), String> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_ref(reference),
            ReferenceOr::Item(s) => self.resolve_inline(s, context),
        }
    }

    fn resolve(&mut self, schema: &ReferenceOr<Schema>, context: &str) -> Result<(Ty, Rules, Option<String>), String> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_ref(reference),
            ReferenceOr::Item(s) => self.resolve_inline(s, context),
        }
    }

    fn resolve_ref(&mut self, reference: &str) -> Result<(Ty, Rules, Option<String>), String> {
        let (name, schema) = self.component(reference)?;
        let doc = doc_of(&schema.schema_data);
        match Self::ref_kind(schema) {
            RefKind::Struct => Ok((Ty::Struct(name.to_owned()), Rules::default(), doc)),
            RefKind::Enum => Ok((Ty::Enum(name.to_owned()), Rules::default(), doc)),
            RefKind::OneOf => Ok((Ty::OneOf(name.to_owned()), Rules::default(), doc)),
            RefKind::Alias(s) => self.resolve_inline(s, name),
        }
    }

    fn resolve_inline(&mut self, schema: &Schema, context: &str) -> Result<(Ty, Rules, Option<String>), String> {
        let doc = doc_of(&schema.schema_data);
        let mut rules = Rules::default();
        if let Some(alts) = alternatives(schema) {
            let idx = self.reserve(context, "inline oneOf")?;
            self.one_of(idx, context, alts, &schema.schema_data)?;
            return Ok((Ty::OneOf(context.to_owned()), rules, doc));
        }
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if s.enumeration.is_empty() {
                    rules.min_len = s.min_length;
                    rules.max_len = s.max_length;
                    rules.pattern = s.pattern.clone();
                    Ty::Str
                } else {
                    let idx = self.reserve(context, "inline enum")?;
                    self.items[idx] = Item::Enum(enum_def(context, &schema.schema_data, &s.enumeration)?);
                    Ty::Enum(context.to_owned())
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                rules.int_enum = i.enumeration.iter().flatten().copied().collect();
                rules.minimum = i.minimum.map(|m| m as f64 + if i.exclusive_minimum { 1.0 } else { 0.0 });
                rules.maximum = i.maximum.map(|m| m as f64 - if i.exclusive_maximum { 1.0 } else { 0.0 });
                Ty::I64
            }
            SchemaKind::Type(Type::Number(n)) => {
                if n.exclusive_minimum || n.exclusive_maximum {
                    return Err(format!("{context}: exclusiveMinimum/exclusiveMaximum on numbers is not supported"));
                }
                rules.minimum = n.minimum;
                rules.maximum = n.maximum;
                Ty::F64
            }
            SchemaKind::Type(Type::Boolean(_)) => Ty::Bool,
            SchemaKind::Type(Type::Array(a)) => {
                rules.min_items = a.min_items;
                rules.max_items = a.max_items;
                match &a.items {
                    None => Ty::Vec(Box::new(Ty::Value)),
                    Some(items) => {
                        let (inner, inner_rules, _) = self.resolve_boxed(items, &format!("{context}Item"))?;
                        rules.item = Some(Box::new(inner_rules));
                        Ty::Vec(Box::new(inner))
                    }
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                if o.properties.is_empty() {
                    Ty::Value
                } else {
                    let idx = self.reserve(context, "inline object")?;
                    self.object(idx, context, o, &schema.schema_data)?;
                    Ty::Struct(context.to_owned())
                }
            }
            SchemaKind::Any(a) => {
                if a.properties.is_empty() {
                    if !a.all_of.is_empty() || !a.any_of.is_empty() || a.not.is_some() {
                        return Err(format!("{context}: allOf/anyOf/not are not supported (oneOf is)"));
                    }
                    Ty::Value
                } else {
                    let o = ObjectType {
                        properties: a.properties.clone(),
                        required: a.required.clone(),
                        additional_properties: a.additional_properties.clone(),
                        min_properties: a.min_properties,
                        max_properties: a.max_properties,
                    };
                    let idx = self.reserve(context, "inline object")?;
                    self.object(idx, context, &o, &schema.schema_data)?;
                    Ty::Struct(context.to_owned())
                }
            }
            SchemaKind::OneOf { .. } | SchemaKind::AllOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                return Err(format!("{context}: allOf/anyOf/not are not supported (oneOf is)"));
            }
        };
        Ok((ty, rules, doc))
    }

    fn operations(&mut self) -> Result<Vec<Op>, String> {
        let mut ops = Vec::new();
        let mut seen = BTreeSet::new();
        for (path, item) in self.api.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                return Err(format!("{path}: path item references are not supported"));
            };
            for (method, op) in item.iter() {
                let Some(id) = &op.operation_id else { continue };
                if !is_snake(id) {
                    return Err(format!("operationId `{id}` must be snake_case"));
                }
                if !seen.insert(id.clone()) {
                    return Err(format!("operationId `{id}` is used twice"));
                }
                let method = match method {
                    "get" => "Get",
                    "post" => "Post",
                    "put" => "Put",
                    "patch" => "Patch",
                    "delete" => "Delete",
                    other => return Err(format!("{id}: method `{other}` is not supported")),
                };
                const OP_EXTENSIONS: &[&str] = &["x-call-kind", "x-order-id", "x-lookup", "x-quote"];
                if let Some(key) = op.extensions.keys().find(|k| !OP_EXTENSIONS.contains(&k.as_str())) {
                    return Err(format!("{id}: unknown operation extension `{key}` ({})", OP_EXTENSIONS.join(", ")));
                }
                let kind = match op.extensions.get("x-call-kind").and_then(Value::as_str) {
                    Some("read") => "Read",
                    Some("write") => "Write",
                    Some("spend") => "Spend",
                    Some(other) => return Err(format!("{id}: x-call-kind `{other}`; expected read, write or spend")),
                    None => return Err(format!("{id}: `x-call-kind: read|write|spend` is required")),
                };
                let mut all_params: Vec<&Parameter> = Vec::new();
                for p in item.parameters.iter().chain(op.parameters.iter()) {
                    match p {
                        ReferenceOr::Item(p) => all_params.push(p),
                        ReferenceOr::Reference { reference } => {
                            return Err(format!("{id}: parameter reference `{reference}` is not supported"));
                        }
                    }
                }
                let (path_params, query) = params(id, path, &all_params)?;
                let (body, form) = self.body(id, op)?.map_or((None, false), |(b, f)| (Some(b), f));
                let jsonapi = op.request_body.as_ref().is_some_and(|b| match b {
                    ReferenceOr::Item(b) => {
                        !b.content.contains_key("application/json") && b.content.contains_key(JSONAPI)
                    }
                    ReferenceOr::Reference { .. } => false,
                });
                let (success, output) = self.success(id, op)?;
                let spend = kind == "Spend";
                let order_id = match op.extensions.get("x-order-id") {
                    None if spend => {
                        return Err(format!(
                            "{id}: a spend needs `x-order-id` (where its answer holds the new order's id)"
                        ));
                    }
                    None => None,
                    Some(_) if !spend => return Err(format!("{id}: `x-order-id` is only for spends")),
                    Some(v) => {
                        let p = v
                            .as_str()
                            .filter(|p| !p.is_empty())
                            .ok_or_else(|| format!("{id}: `x-order-id` is a dotted path or `header:<name>`"))?;
                        if let Some(h) = p.strip_prefix("header:") {
                            if h.is_empty() || !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                                return Err(format!("{id}: `x-order-id` `{p}`: not a header name"));
                            }
                        } else {
                            let Output::Json(ty) = &output else {
                                return Err(format!("{id}: `x-order-id` in the body needs a JSON answer"));
                            };
                            self.check_path(ty, p).map_err(|e| format!("{id}: `x-order-id` `{p}`: {e}"))?;
                        }
                        Some(p.to_owned())
                    }
                };
                let lookup = match op.extensions.get("x-lookup") {
                    None if spend => {
                        return Err(format!("{id}: a spend needs `x-lookup` (where to look after an unknown outcome)"));
                    }
                    None => None,
                    Some(_) if !spend => return Err(format!("{id}: `x-lookup` is only for spends")),
                    Some(v) => Some(self.lookup(id, v, &path_params, &query, body.as_ref())?),
                };
                let quote = match op.extensions.get("x-quote") {
                    None => None,
                    Some(_) if !spend => {
                        return Err(format!("{id}: `x-quote` is only for spends (a quote is sent once, like one)"));
                    }
                    Some(v) => Some(self.quote(id, v, &query, body.as_ref())?),
                };
                ops.push(Op {
                    id: id.clone(),
                    method,
                    path: path.clone(),
                    kind,
                    summary: op.summary.clone(),
                    description: op.description.clone(),
                    path_params,
                    query,
                    body,
                    form,
                    jsonapi,
                    success,
                    output,
                    order_id,
                    lookup,
                    quote,
                });
            }
        }
        Ok(ops)
    }

    /// The request body's type name, and whether it is form-encoded (`application/x-www-form-urlencoded`)
    /// rather than JSON.
    fn body(&mut self, id: &str, op: &Operation) -> Result<Option<(Ty, bool)>, String> {
        const FORM: &str = "application/x-www-form-urlencoded";
        let Some(body) = &op.request_body else { return Ok(None) };
        let ReferenceOr::Item(body) = body else {
            return Err(format!("{id}: requestBody references are not supported"));
        };
        let json = body.content.get("application/json").or_else(|| body.content.get(JSONAPI));
        let (media, form) = match (json, body.content.get(FORM)) {
            (Some(m), _) => (m, false),
            (None, Some(m)) => (m, true),
            (None, None) => {
                return Err(format!("{id}: only application/json, {JSONAPI} and {FORM} request bodies are supported"));
            }
        };
        let schema = media.schema.as_ref().ok_or_else(|| format!("{id}: request body without schema"))?;
        match self.resolve(schema, &format!("{}Request", pascal(id)))?.0 {
            Ty::Struct(name) if self.is_resource(&name) => {
                if form {
                    return Err(format!("{id}: a JSON:API resource cannot be sent as a form"));
                }
                Ok(Some((Ty::Doc(name, DocKind::New), false)))
            }
            ty @ (Ty::Struct(_) | Ty::OneOf(_)) => Ok(Some((ty, form))),
            other => Err(format!("{id}: the request body must be an object or oneOf schema, found {other:?}")),
        }
    }

    /// Whether `name` is the attributes struct of a JSON:API resource.
    fn is_resource(&self, name: &str) -> bool {
        matches!(self.names.get(name).map(|&i| &self.items[i]), Some(Item::Struct(s)) if s.jsonapi.is_some())
    }

    /// Answers that are JSON:API resources are documents.
    fn documented(&self, ty: Ty) -> Ty {
        match ty {
            Ty::Struct(n) if self.is_resource(&n) => Ty::Doc(n, DocKind::One),
            Ty::Vec(inner) => match *inner {
                Ty::Struct(n) if self.is_resource(&n) => Ty::Doc(n, DocKind::List),
                other => Ty::Vec(Box::new(other)),
            },
            other => other,
        }
    }

    /// A dotted path (`certificate.common_name`, `data.id`) must lead through the fields of `ty` (wire names);
    /// JSON values, `oneOf`s and array items are not followed.
    fn check_path(&self, ty: &Ty, path: &str) -> Result<(), String> {
        let mut cur = ty.clone();
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            cur = match &cur {
                Ty::Struct(n) => {
                    let Some(Item::Struct(s)) = self.names.get(n).map(|&i| &self.items[i]) else { return Ok(()) };
                    match s.fields.iter().find(|f| f.wire == part) {
                        Some(f) => f.ty.clone(),
                        None => return Err(format!("`{part}` is not a property of `{n}`")),
                    }
                }
                Ty::Doc(n, kind) => {
                    if part != "data" {
                        return Err(format!("a JSON:API document path starts with `data`, not `{part}`"));
                    }
                    if *kind == DocKind::List {
                        return Ok(());
                    }
                    match parts.next() {
                        None | Some("id" | "type" | "relationships" | "links" | "meta") => return Ok(()),
                        Some("attributes") => Ty::Struct(n.clone()),
                        Some(other) => return Err(format!("`data.{other}` is not part of a JSON:API resource")),
                    }
                }
                Ty::Vec(inner) => {
                    if part.parse::<usize>().is_err() {
                        return Err(format!("`{part}` indexes an array; use a number"));
                    }
                    (**inner).clone()
                }
                Ty::Str | Ty::I64 | Ty::F64 | Ty::Bool | Ty::Enum(_) => {
                    return Err(format!("`{part}` goes below a scalar"));
                }
                Ty::Value | Ty::OneOf(_) | Ty::Rel { .. } => return Ok(()),
            };
        }
        Ok(())
    }

    /// `x-lookup`: `{"where": template, "match": [templates]}`.
    fn lookup(
        &self,
        id: &str,
        v: &Value,
        path: &[Param],
        query: &[Param],
        body: Option<&Ty>,
    ) -> Result<(Vec<Piece>, Vec<Vec<Piece>>), String> {
        let obj = v.as_object().ok_or_else(|| format!("{id}: `x-lookup` must be an object {{where, match}}"))?;
        if let Some(k) = obj.keys().find(|k| !["where", "match"].contains(&k.as_str())) {
            return Err(format!("{id}: `x-lookup`: unknown key `{k}` (where, match)"));
        }
        let place = obj
            .get("where")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{id}: `x-lookup.where` (a request or text) is required"))?;
        let place = self.template(id, place, path, query, body)?;
        let mut matches = Vec::new();
        for m in obj.get("match").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
            let m = m.as_str().ok_or_else(|| format!("{id}: `x-lookup.match` is an array of strings"))?;
            matches.push(self.template(id, m, path, query, body)?);
        }
        Ok((place, matches))
    }

    /// A template with `{param}`, `{body.path}`, `{sha256(body.path)}` and `{csr_cn(body.path)}` placeholders.
    fn template(
        &self,
        id: &str,
        text: &str,
        path: &[Param],
        query: &[Param],
        body: Option<&Ty>,
    ) -> Result<Vec<Piece>, String> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let end = rest[start..]
                .find('}')
                .map(|e| e + start)
                .ok_or_else(|| format!("{id}: unbalanced `{{` in `{text}`"))?;
            if start > 0 {
                out.push(Piece::Lit(rest[..start].to_owned()));
            }
            let expr = rest[start + 1..end].trim();
            let body_path = |p: &str| -> Result<String, String> {
                let path =
                    p.strip_prefix("body.").ok_or_else(|| format!("{id}: `{{{expr}}}`: expected `body.<path>`"))?;
                let b = body.ok_or_else(|| format!("{id}: `{{{expr}}}`: the operation has no body"))?;
                self.check_path(b, path).map_err(|e| format!("{id}: `{{{expr}}}`: {e}"))?;
                Ok(path.to_owned())
            };
            let piece = if let Some(inner) = expr.strip_prefix("sha256(").and_then(|e| e.strip_suffix(')')) {
                Piece::Sha(body_path(inner.trim())?)
            } else if let Some(inner) = expr.strip_prefix("csr_cn(").and_then(|e| e.strip_suffix(')')) {
                Piece::Cn(body_path(inner.trim())?)
            } else if expr.starts_with("body.") {
                Piece::Body(body_path(expr)?)
            } else if let Some(p) = path.iter().chain(query).find(|p| p.wire == expr || p.ident == expr) {
                Piece::Param(p.ident.clone(), p.required)
            } else {
                return Err(format!(
                    "{id}: `{{{expr}}}` is neither a parameter nor `body.…`, `sha256(body.…)`, `csr_cn(body.…)`"
                ));
            };
            out.push(piece);
            rest = &rest[end + 1..];
        }
        if !rest.is_empty() {
            out.push(Piece::Lit(rest.to_owned()));
        }
        Ok(out)
    }

    /// `x-quote`: `{"in": "query"|"body", "name": …, "value": …}`.
    fn quote(&self, id: &str, v: &Value, query: &[Param], body: Option<&Ty>) -> Result<(bool, String, String), String> {
        let obj = v.as_object().ok_or_else(|| format!("{id}: `x-quote` must be an object {{in, name, value}}"))?;
        if let Some(k) = obj.keys().find(|k| !["in", "name", "value"].contains(&k.as_str())) {
            return Err(format!("{id}: `x-quote`: unknown key `{k}` (in, name, value)"));
        }
        let get = |k: &str| {
            obj.get(k).and_then(Value::as_str).ok_or_else(|| format!("{id}: `x-quote.{k}` (a string) is required"))
        };
        let (place, name, value) = (get("in")?, get("name")?, get("value")?);
        match place {
            "query" => {
                if !query.iter().any(|p| p.wire == name && !p.required) {
                    return Err(format!("{id}: `x-quote`: `{name}` is not an optional query parameter"));
                }
                Ok((false, name.to_owned(), value.to_owned()))
            }
            "body" => {
                let b = body.ok_or_else(|| format!("{id}: `x-quote` in the body, but the operation has none"))?;
                self.check_path(b, name).map_err(|e| format!("{id}: `x-quote` `{name}`: {e}"))?;
                Ok((true, name.to_owned(), value.to_owned()))
            }
            other => Err(format!("{id}: `x-quote.in` is `query` or `body`, not `{other}`")),
        }
    }

    fn success(&mut self, id: &str, op: &Operation) -> Result<(Vec<String>, Output), String> {
        let mut out = Vec::new();
        let mut outputs: Vec<Output> = Vec::new();
        for (code, resp) in &op.responses.responses {
            let StatusCode::Code(code) = code else { continue };
            if !(200..300).contains(code) {
                continue;
            }
            let ReferenceOr::Item(resp) = resp else {
                return Err(format!("{id}: response references are not supported"));
            };
            if resp.content.is_empty() {
                out.push(format!("`{code}` (no body)"));
                outputs.push(Output::Unit);
                continue;
            }
            for (mime, media) in &resp.content {
                match &media.schema {
                    Some(schema) if is_json(mime) => {
                        let context = format!("{}Response", pascal(id));
                        let (ty, _, _) = self.resolve(schema, &context)?;
                        let ty = self.documented(ty);
                        out.push(format!("`{code}` → {}", ty_doc(&ty)));
                        outputs.push(Output::Json(ty));
                    }
                    _ => {
                        out.push(format!("`{code}` `{mime}`"));
                        outputs.push(Output::Raw);
                    }
                }
            }
        }
        outputs.dedup();
        let output = match outputs.len() {
            0 => Output::Unit,
            1 => outputs.remove(0),
            _ => {
                let mut shapes = outputs.clone();
                shapes.retain(|o| *o != Output::Raw);
                if shapes.len() == 1 && outputs.len() == 2 && matches!(shapes[0], Output::Json(_)) {
                    // JSON next to other media types of the same answer: decode the JSON.
                    shapes.remove(0)
                } else {
                    return Err(format!(
                        "{id}: the 2xx answers have different shapes; describe one answer (use oneOf)"
                    ));
                }
            }
        };
        Ok((out, output))
    }

    // -----------------------------------------------------------------------------------------------------
    // Emitting.

    fn emit(&self, ops: &[Op], products: Option<&[Product]>, spec_file_name: &str) -> Result<TokenStream, String> {
        let mut module_doc = vec![format!("{} (spec version {})", self.api.info.title, self.api.info.version)];
        if let Some(d) = &self.api.info.description {
            module_doc.push(String::new());
            module_doc.extend(d.lines().map(str::to_owned));
        }
        module_doc.push(String::new());
        module_doc.push(format!(
            "Generated by `cargo xtask codegen` from `spec/{spec_file_name}`; see `xtask/SPEC_FORMAT.md`."
        ));
        let module_doc = module_doc.iter().map(|l| doc_line(l));
        let answers = self.response_types(ops);
        // Form bodies write booleans as PHP's `http_build_query` does: `1` / `0`.
        let forms: BTreeSet<String> = ops
            .iter()
            .filter(|o| o.form)
            .filter_map(|o| match &o.body {
                Some(Ty::Struct(n)) => Some(n.clone()),
                _ => None,
            })
            .collect();
        // Bodies whose `x-quote` parameter `is_quote` reads get the typed field accessor too.
        let quoted: BTreeSet<String> = ops
            .iter()
            .filter(|o| matches!(o.quote, Some((true, _, _))))
            .filter_map(|o| match &o.body {
                Some(Ty::Struct(n)) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let mut items = Vec::new();
        for item in &self.items {
            match item {
                Item::Struct(s) => {
                    let form = forms.contains(&s.name);
                    items.push(self.emit_struct(s, answers.contains(&s.name), form)?);
                    if s.accessor || !s.rules.is_empty() || !s.field_rules.is_empty() || quoted.contains(&s.name) {
                        items.push(emit_fields(s, form));
                    }
                    if let Some(j) = &s.jsonapi {
                        items.push(emit_jsonapi(&s.name, j));
                    }
                }
                Item::Enum(e) => items.push(emit_enum(e)),
                Item::OneOf(o) => items.push(self.emit_one_of(o)),
                Item::Reserved => {}
                Item::Pending => return Err("internal error: a type was reserved but never defined".into()),
            }
        }
        let requests = if ops.is_empty() { quote!() } else { emit_requests(ops) };
        let op_types = if ops.is_empty() { quote!() } else { emit_ops(ops) };
        let table = match products {
            Some(p) => emit_products(p),
            None => quote!(),
        };
        Ok(quote! {
            #![allow(clippy::too_many_arguments)]
            #(#![doc = #module_doc])*
            #(#items)*
            #requests
            #op_types
            #table
        })
    }

    /// Every generated type an answer can contain (decoded, never built by us): their required fields have no
    /// default, so a missing id is a decode error instead of `0` or `""`.
    fn response_types(&self, ops: &[Op]) -> BTreeSet<String> {
        fn walk(g: &Gen<'_>, ty: &Ty, seen: &mut BTreeSet<String>) {
            let name = match ty {
                Ty::Struct(n) | Ty::OneOf(n) => n.clone(),
                Ty::Doc(n, _) => {
                    walk(g, &Ty::Struct(format!("{n}Relationships")), seen);
                    n.clone()
                }
                Ty::Vec(inner) => return walk(g, inner, seen),
                Ty::Rel { meta: Some(m), .. } => m.clone(),
                _ => return,
            };
            if !seen.insert(name.clone()) {
                return;
            }
            match g.names.get(&name).map(|&i| &g.items[i]) {
                Some(Item::Struct(s)) => s.fields.iter().for_each(|f| walk(g, &f.ty, seen)),
                Some(Item::OneOf(o)) => o.variants.iter().for_each(|(_, t, _)| walk(g, t, seen)),
                _ => {}
            }
        }
        let mut seen = BTreeSet::new();
        for op in ops {
            if let Output::Json(ty) = &op.output {
                walk(self, ty, &mut seen);
            }
        }
        seen
    }

    fn emit_one_of(&self, o: &OneOfDef) -> TokenStream {
        let name = ident(&o.name);
        let doc = docs(o.doc.as_deref(), &format!("One of the `{}` alternatives.", o.name));
        let variants = o.variants.iter().map(|(v, ty, _)| {
            let vi = ident(v);
            let t = ty_tokens(ty);
            let d = doc_line(&format!("The {} alternative.", ty_doc(ty).replace("super::", "")));
            quote!(#[doc = #d] #vi(#t),)
        });
        let first = ident(&o.variants[0].0);
        let mut arms = Vec::new();
        let from = |v: &str| {
            let vi = ident(v);
            quote!(::serde_json::from_value(v).map(Self::#vi).map_err(|e| D::Error::custom(::ssl_core::lenient::scrub(&e.to_string()))))
        };
        // Objects: by discriminator, else the first alternative whose required properties are all present.
        let objects: Vec<&(String, Ty, Vec<String>)> =
            o.variants.iter().filter(|(_, t, _)| matches!(t, Ty::Struct(_))).collect();
        if !objects.is_empty() {
            let mut tests = Vec::new();
            if let Some((prop, tags)) = &o.discriminator {
                let tag_arms = tags.iter().map(|(tag, v)| {
                    let f = from(v);
                    quote!(Some(#tag) => return #f,)
                });
                tests.push(quote! {
                    match m.get(#prop).and_then(|t| t.as_str()) {
                        #(#tag_arms)*
                        _ => {}
                    }
                });
            }
            for (v, _, required) in &objects {
                let f = from(v);
                tests.push(quote! {
                    if [#(#required),*].iter().all(|k: &&str| m.get(*k).is_some_and(|x| !x.is_null())) {
                        return #f;
                    }
                });
            }
            arms.push(quote! {
                if let ::serde_json::Value::Object(m) = &v {
                    #(#tests)*
                }
            });
        }
        for (v, ty, _) in &o.variants {
            let vi = ident(v);
            let f = from(v);
            let arm = match ty {
                Ty::Str | Ty::Enum(_) => quote! {
                    if v.is_string() { return #f; }
                },
                Ty::I64 => quote! {
                    if v.is_i64() || v.is_u64() { return ::ssl_core::lenient::value_i64(&v).map(Self::#vi).map_err(D::Error::custom); }
                },
                Ty::F64 => quote! {
                    if v.is_number() { return ::ssl_core::lenient::value_f64(&v).map(Self::#vi).map_err(D::Error::custom); }
                },
                Ty::Bool => quote! {
                    if v.is_boolean() { return Ok(Self::#vi(v.as_bool().unwrap_or_default())); }
                },
                Ty::Vec(_) => quote! {
                    if v.is_array() { return #f; }
                },
                _ => quote!(),
            };
            arms.push(arm);
        }
        // Then across JSON types, tolerantly: a numeric string for a number, a number for a string.
        for (v, ty, _) in &o.variants {
            let vi = ident(v);
            let arm = match ty {
                Ty::I64 => quote! {
                    if let Ok(n) = ::ssl_core::lenient::value_i64(&v) { return Ok(Self::#vi(n)); }
                },
                Ty::F64 => quote! {
                    if let Ok(n) = ::ssl_core::lenient::value_f64(&v) { return Ok(Self::#vi(n)); }
                },
                Ty::Str => quote! {
                    if let Ok(s) = ::ssl_core::lenient::value_string(&v) { return Ok(Self::#vi(s)); }
                },
                _ => quote!(),
            };
            arms.push(arm);
        }
        let names = o.variants.iter().map(|(v, _, _)| v.as_str()).collect::<Vec<_>>().join(", ");
        let none = format!("matches none of the `oneOf` alternatives ({names}), found ");
        let checks: Vec<TokenStream> = o
            .variants
            .iter()
            .filter(|(_, t, _)| self.ty_has_checks(t, &Rules::default(), false, &mut BTreeSet::new()))
            .map(|(v, _, _)| {
                let vi = ident(v);
                quote!(Self::#vi(x) => ::ssl_core::validate::Validate::validate_at(x, prefix, out),)
            })
            .collect();
        let validate = if checks.is_empty() {
            quote!(
                fn validate_at(&self, _prefix: &str, _out: &mut Vec<::ssl_core::Problem>) {}
            )
        } else {
            quote! {
                fn validate_at(&self, prefix: &str, out: &mut Vec<::ssl_core::Problem>) {
                    #[allow(unreachable_patterns)]
                    match self {
                        #(#checks)*
                        _ => {}
                    }
                }
            }
        };
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, serde::Serialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }

            impl Default for #name {
                fn default() -> Self {
                    Self::#first(Default::default())
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    use serde::de::Error as _;
                    let v = <::serde_json::Value as serde::Deserialize>::deserialize(d)?;
                    #(#arms)*
                    Err(D::Error::custom(format!("{}{}", #none, ::ssl_core::lenient::json_type(&v))))
                }
            }

            impl ::ssl_core::validate::Validate for #name {
                #validate
            }
        }
    }

    fn emit_struct(&self, s: &StructDef, answer: bool, form: bool) -> Result<TokenStream, String> {
        let name = ident(&s.name);
        let doc = docs(s.doc.as_deref(), &format!("The `{}` object.", s.name));
        let mut fields = Vec::new();
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut checks = Vec::new();
        let mut setter_names = BTreeSet::new();
        for f in &s.fields {
            let fid = ident(&f.ident);
            let ty = ty_tokens(&f.ty);
            let bare = f.ident.trim_start_matches("r#");
            let mut serde_args = Vec::new();
            if bare != f.wire {
                let w = &f.wire;
                serde_args.push(quote!(rename = #w));
            }
            // In an answer a required scalar or enum must be there: a missing id is an error, not `0` or `""`.
            // Required lists and objects stay tolerant (missing reads as empty).
            if !(answer && f.required && !matches!(f.ty, Ty::Vec(_) | Ty::Struct(_) | Ty::Value)) {
                serde_args.push(quote!(default));
            }
            if let Some(func) = lenient_fn(&f.ty, f.required, answer) {
                let path = format!("::ssl_core::lenient::{func}");
                serde_args.push(quote!(deserialize_with = #path));
            }
            if form && f.ty == Ty::Bool {
                let path =
                    if f.required { "::ssl_core::lenient::int_bool" } else { "::ssl_core::lenient::opt_int_bool" };
                serde_args.push(quote!(serialize_with = #path));
            }
            if !f.required {
                serde_args.push(quote!(skip_serializing_if = "Option::is_none"));
            }
            let mut doc_text = f.doc.clone().unwrap_or_else(|| format!("The `{}` field.", f.wire));
            let constraints = describe_rules(&f.rules, &f.ty);
            if f.required || !constraints.is_empty() {
                doc_text.push_str("\n\n");
                if f.required {
                    doc_text.push_str("Required.");
                    if !constraints.is_empty() {
                        doc_text.push(' ');
                    }
                }
                if !constraints.is_empty() {
                    doc_text.push_str(&format!("Constraints: {}.", constraints.join(", ")));
                }
            }
            let fdoc = docs(Some(&doc_text), "");
            let full_ty = if f.required { ty.clone() } else { quote!(Option<#ty>) };
            fields.push(quote! {
                #fdoc
                #[serde(#(#serde_args),*)]
                pub #fid: #full_ty,
            });
            if f.required {
                params.push(quote!(#fid: impl Into<#ty>));
                inits.push(quote!(#fid: #fid.into()));
            } else {
                inits.push(quote!(#fid: None));
                // `is_`/`as_`/`to_`/`from_` names promise a borrowing or constructing method (clippy's
                // `wrong_self_convention`), so those setters are `with_…` too.
                let conventional = ["is_", "as_", "to_", "from_"].iter().any(|p| bare.starts_with(p));
                let setter_name = if RESERVED_METHODS.contains(&bare)
                    || conventional
                    || f.ident.starts_with("r#")
                    || f.ident.ends_with('_')
                {
                    format!("with_{}", bare.trim_end_matches('_'))
                } else {
                    f.ident.clone()
                };
                if !setter_names.insert(setter_name.clone()) {
                    return Err(format!("{}: two setters would be called `{setter_name}`", s.name));
                }
                let sid = ident(&setter_name);
                let sdoc = doc_line(&format!("Sets `{}`.", f.wire));
                setters.push(quote! {
                    #[doc = #sdoc]
                    #[must_use]
                    pub fn #sid(mut self, value: impl Into<#ty>) -> Self {
                        self.#fid = Some(value.into());
                        self
                    }
                });
            }
            let wire = &f.wire;
            if let Some(c) = self.checks(&f.ty, &f.rules, &quote!(x0), &quote!(#wire), f.required, 0) {
                if f.required {
                    checks.push(quote! { { let x0 = &self.#fid; #c } });
                } else {
                    checks.push(quote! { if let Some(x0) = &self.#fid { #c } });
                }
            }
        }
        for group in &s.one_of {
            if group.iter().any(|w| s.fields.iter().any(|f| &f.wire == w && f.required)) {
                continue;
            }
            let present: Vec<TokenStream> = group
                .iter()
                .map(|w| {
                    let f = s.fields.iter().find(|f| &f.wire == w).map(|f| ident(&f.ident));
                    quote!(self.#f.is_some())
                })
                .collect();
            let joined = group.join("|");
            let listed = group.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
            let msg =
                if group.len() == 1 { format!("{listed} is required") } else { format!("one of {listed} is required") };
            let missing = if group.len() == 1 {
                let f = s.fields.iter().find(|f| f.wire == group[0]).map(|f| ident(&f.ident));
                quote!(self.#f.is_none())
            } else {
                quote!(!(#(#present)||*))
            };
            checks.push(quote! {
                if #missing {
                    let f = ::ssl_core::validate::join(prefix, #joined);
                    out.push(::ssl_core::Problem::error("required", #msg).with_field(f));
                }
            });
        }
        let mut consts = Vec::new();
        if !s.rules.is_empty() {
            let rules = &s.rules;
            consts.push(quote! {
                /// The cross-field rules of the spec's `x-rules`, checked by `validate()`.
                pub const RULES: &'static [::ssl_core::facts::Rule] = &[#(#rules),*];
            });
            checks.push(quote!(::ssl_core::facts::check_rules(self, Self::RULES, prefix, out);));
        }
        if !s.field_rules.is_empty() {
            let rows = s.field_rules.iter().map(|(wire, neutral, need)| {
                let need = ident(match need.as_str() {
                    "always" => "Always",
                    "ov" => "Ov",
                    "ov_ev" => "OvEv",
                    _ => "Optional",
                });
                quote!(::ssl_core::facts::FieldRule::new(#wire, #neutral, ::ssl_core::facts::Need::#need))
            });
            consts.push(quote! {
                /// The fields of the spec's `x-neutral`/`x-need` property extensions: neutral path and when required.
                pub const FIELDS: &'static [::ssl_core::facts::FieldRule] = &[#(#rows),*];
            });
        }
        let new_doc = doc_line(&if params.is_empty() {
            format!("An empty `{}`; set fields with the setters.", s.name)
        } else {
            format!("A `{}` from its required fields; optional fields start unset.", s.name)
        });
        let (prefix, out) =
            if checks.is_empty() { (quote!(_prefix), quote!(_out)) } else { (quote!(prefix), quote!(out)) };
        let new_body = if params.is_empty() { quote!(Self::default()) } else { quote!(Self { #(#inits),* }) };
        Ok(quote! {
            #doc
            #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
            pub struct #name {
                #(#fields)*
            }

            impl #name {
                #(#consts)*
                #[doc = #new_doc]
                pub fn new(#(#params),*) -> Self {
                    #new_body
                }
                #(#setters)*
            }

            impl ::ssl_core::validate::Validate for #name {
                fn validate_at(&self, #prefix: &str, #out: &mut Vec<::ssl_core::Problem>) {
                    #(#checks)*
                }
            }
        })
    }

    /// Whether validating a `name` value can report anything (so parents skip recursing into inert types).
    /// `path` holds the structs being visited, to stop at cycles.
    fn struct_has_checks(&self, name: &str, path: &mut BTreeSet<String>) -> bool {
        let Some(Item::Struct(s)) = self.names.get(name).map(|&i| &self.items[i]) else { return false };
        if !path.insert(name.to_owned()) {
            return false;
        }
        let one_of = s.one_of.iter().any(|g| !g.iter().any(|w| s.fields.iter().any(|f| &f.wire == w && f.required)));
        let any = one_of
            || !s.rules.is_empty()
            || s.fields.iter().any(|f| self.ty_has_checks(&f.ty, &f.rules, f.required, path));
        path.remove(name);
        any
    }

    fn ty_has_checks(&self, ty: &Ty, rules: &Rules, required: bool, path: &mut BTreeSet<String>) -> bool {
        match ty {
            Ty::Str => required || rules.min_len.is_some() || rules.max_len.is_some() || rules.pattern.is_some(),
            Ty::I64 => !rules.int_enum.is_empty() || rules.minimum.is_some() || rules.maximum.is_some(),
            Ty::F64 => rules.minimum.is_some() || rules.maximum.is_some(),
            Ty::Bool | Ty::Value => false,
            Ty::Enum(_) | Ty::Rel { .. } | Ty::Doc(..) => true,
            Ty::Struct(name) => self.struct_has_checks(name, path),
            Ty::OneOf(name) => match self.names.get(name).map(|&i| &self.items[i]) {
                Some(Item::OneOf(o)) => {
                    o.variants.iter().any(|(_, t, _)| self.ty_has_checks(t, &Rules::default(), false, path))
                }
                _ => false,
            },
            Ty::Vec(inner) => {
                let item = rules.item.as_deref().cloned().unwrap_or_default();
                rules.min_items.is_some() || rules.max_items.is_some() || self.ty_has_checks(inner, &item, false, path)
            }
        }
    }

    /// Checks for one value `x` (an expression of type `&T`) named `field` (an expression of type `&str`).
    fn checks(
        &self,
        ty: &Ty,
        rules: &Rules,
        x: &TokenStream,
        field: &TokenStream,
        required: bool,
        depth: usize,
    ) -> Option<TokenStream> {
        let v = quote!(::ssl_core::validate);
        let opt_usize = |n: Option<usize>| match n {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        let opt_f64 = |n: Option<f64>| match n {
            Some(n) => {
                let l = Literal::f64_unsuffixed(n);
                quote!(Some(#l))
            }
            None => quote!(None),
        };
        let mut out = Vec::new();
        match ty {
            Ty::Str => {
                let mut inner = Vec::new();
                if rules.min_len.is_some() || rules.max_len.is_some() {
                    let (a, b) = (opt_usize(rules.min_len), opt_usize(rules.max_len));
                    inner.push(quote!(#v::length(prefix, #field, #x, #a, #b, out);));
                }
                // One compiled pattern per call site (a `static`: no lookup per call).
                let pattern = rules.pattern.as_ref().map(|p| {
                    quote!({
                        static PATTERN: #v::Pattern = #v::Pattern::new(#p);
                        PATTERN.check(prefix, #field, #x, out);
                    })
                });
                if required {
                    // An empty required string is one `required` problem, not also `length` and `pattern`.
                    out.push(quote!(#v::required_str(prefix, #field, #x, out);));
                    if !inner.is_empty() || pattern.is_some() {
                        out.push(quote!(if !#x.trim().is_empty() { #(#inner)* #pattern }));
                    }
                } else if rules.min_len.is_some_and(|m| m > 0) {
                    // An empty optional string is one `length` problem, not also `pattern`.
                    out.extend(inner);
                    if let Some(p) = pattern {
                        out.push(quote!(if !#x.is_empty() { #p }));
                    }
                } else {
                    out.extend(inner);
                    out.extend(pattern);
                }
            }
            Ty::I64 => {
                if !rules.int_enum.is_empty() {
                    let vals = &rules.int_enum;
                    out.push(quote!(#v::one_of_int(prefix, #field, *#x, &[#(#vals),*], out);));
                }
                if rules.minimum.is_some() || rules.maximum.is_some() {
                    let (a, b) = (opt_f64(rules.minimum), opt_f64(rules.maximum));
                    out.push(quote!(#v::range(prefix, #field, *#x as f64, #a, #b, out);));
                }
            }
            Ty::F64 => {
                if rules.minimum.is_some() || rules.maximum.is_some() {
                    let (a, b) = (opt_f64(rules.minimum), opt_f64(rules.maximum));
                    out.push(quote!(#v::range(prefix, #field, *#x, #a, #b, out);));
                }
            }
            Ty::Bool | Ty::Value => {}
            Ty::Enum(name) => {
                let e = ident(name);
                if required {
                    out.push(quote! {
                        #v::required_str(prefix, #field, #x.as_str(), out);
                        if !#x.is_known() && !#x.as_str().is_empty() {
                            #v::one_of(prefix, #field, #x.as_str(), #e::VALUES, out);
                        }
                    });
                } else {
                    // `one_of` passes every known variant, so no `is_known()` test is needed.
                    out.push(quote!(#v::one_of(prefix, #field, #x.as_str(), #e::VALUES, out);));
                }
            }
            Ty::Struct(_) | Ty::OneOf(_) | Ty::Rel { .. } | Ty::Doc(..) => {
                if self.ty_has_checks(ty, rules, required, &mut BTreeSet::new()) {
                    out.push(quote!(::ssl_core::validate::Validate::validate_at(#x, &#v::join(prefix, #field), out);));
                }
            }
            Ty::Vec(inner) => {
                if rules.min_items.is_some() || rules.max_items.is_some() {
                    let (a, b) = (opt_usize(rules.min_items), opt_usize(rules.max_items));
                    out.push(quote!(#v::items(prefix, #field, #x.len(), #a, #b, out);));
                }
                if let Ty::Struct(_) | Ty::OneOf(_) = inner.as_ref() {
                    if self.ty_has_checks(inner, &Rules::default(), false, &mut BTreeSet::new()) {
                        out.push(
                            quote!(::ssl_core::validate::Validate::validate_at(#x, &#v::join(prefix, #field), out);),
                        );
                    }
                } else {
                    let item_rules = rules.item.as_deref().cloned().unwrap_or_default();
                    let xi = ident(&format!("x{}", depth + 1));
                    let fi = ident(&format!("f{}", depth + 1));
                    if let Some(c) = self.checks(inner, &item_rules, &quote!(#xi), &quote!(&#fi), false, depth + 1) {
                        let fmt = match field.to_string().strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                            Some(lit) if depth == 0 => format!("{}[{{i}}]", lit.replace('{', "{{").replace('}', "}}")),
                            _ => {
                                let prev = format!("f{depth}");
                                format!("{{{prev}}}[{{i}}]")
                            }
                        };
                        out.push(quote! {
                            for (i, #xi) in #x.iter().enumerate() {
                                let #fi = format!(#fmt);
                                #c
                            }
                        });
                    }
                }
            }
        }
        if out.is_empty() { None } else { Some(quote!(#(#out)*)) }
    }
}

fn params(id: &str, path: &str, all: &[&Parameter]) -> Result<(Vec<Param>, Vec<Param>), String> {
    let mut path_params = Vec::new();
    let mut query = Vec::new();
    // Path parameters in the order they appear in the path.
    let mut in_path = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').ok_or_else(|| format!("{id}: unbalanced `{{` in `{path}`"))? + start;
        in_path.push(rest[start + 1..end].to_owned());
        rest = &rest[end + 1..];
    }
    for name in &in_path {
        let p = all
            .iter()
            .find(|p| matches!(p, Parameter::Path { parameter_data, .. } if &parameter_data.name == name))
            .ok_or_else(|| format!("{id}: path parameter `{name}` is not declared"))?;
        let d = p.parameter_data_ref();
        path_params.push(Param {
            wire: name.clone(),
            ident: field_ident(name),
            required: true,
            doc: d.description.clone(),
        });
    }
    for p in all {
        match p {
            Parameter::Path { parameter_data, .. } => {
                if !in_path.contains(&parameter_data.name) {
                    return Err(format!("{id}: path parameter `{}` is not in `{path}`", parameter_data.name));
                }
            }
            Parameter::Query { parameter_data, .. } => {
                if let ParameterSchemaOrContent::Content(_) = parameter_data.format {
                    return Err(format!("{id}: query parameter `{}` with `content`", parameter_data.name));
                }
                query.push(Param {
                    wire: parameter_data.name.clone(),
                    ident: field_ident(&parameter_data.name),
                    required: parameter_data.required,
                    doc: parameter_data.description.clone(),
                });
            }
            Parameter::Header { parameter_data, .. } | Parameter::Cookie { parameter_data, .. } => {
                return Err(format!(
                    "{id}: header/cookie parameter `{}` is not supported (auth belongs to the client)",
                    parameter_data.name
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for p in path_params.iter().chain(&query) {
        if !seen.insert(p.ident.clone()) || p.ident == "body" {
            return Err(format!("{id}: parameter `{}` collides with another argument", p.wire));
        }
    }
    Ok((path_params, query))
}

/// `x-rules` of an object schema: `[{"code", "field", "message", "when"?: [cond], "check": cond}]`, each cond
/// one of `{"equals": [f, v]}`, `{"not_equals": [f, v]}`, `{"present": f}`, `{"absent": f}`,
/// `{"same_length": [a, b]}`, `{"unique": f}`, `{"no_pair": {"names", "entries", "prefix", "values"}}`.
fn x_rules(name: &str, v: &Value, props: &[&str]) -> Result<Vec<TokenStream>, String> {
    let arr = v.as_array().ok_or_else(|| format!("{name}: `x-rules` must be an array"))?;
    let prop = |f: &Value| -> Result<String, String> {
        let f = f.as_str().ok_or_else(|| format!("{name}: `x-rules`: a field name is a string"))?;
        if !props.contains(&f.split('.').next().unwrap_or_default()) {
            return Err(format!("{name}: `x-rules` names `{f}`, which is not a property"));
        }
        Ok(f.to_owned())
    };
    let text = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("{name}: `x-rules`: `{other}` is not a string or number")),
    };
    let cond = |c: &Value| -> Result<TokenStream, String> {
        let obj = c
            .as_object()
            .filter(|o| o.len() == 1)
            .ok_or_else(|| format!("{name}: `x-rules`: a condition is an object with one key"))?;
        let (k, a) = obj.iter().next().unwrap_or_else(|| unreachable!());
        let pair = || -> Result<(&Value, &Value), String> {
            match a.as_array().map(Vec::as_slice) {
                Some([x, y]) => Ok((x, y)),
                _ => Err(format!("{name}: `x-rules`: `{k}` takes two values")),
            }
        };
        Ok(match k.as_str() {
            "equals" | "not_equals" => {
                let (f, v) = pair()?;
                let (f, v) = (prop(f)?, text(v)?);
                let var = ident(if k == "equals" { "Equals" } else { "NotEquals" });
                quote!(::ssl_core::facts::Cond::#var(#f, #v))
            }
            "present" | "absent" | "unique" => {
                let f = prop(a)?;
                let var = ident(&pascal(k));
                quote!(::ssl_core::facts::Cond::#var(#f))
            }
            "same_length" => {
                let (x, y) = pair()?;
                let (x, y) = (prop(x)?, prop(y)?);
                quote!(::ssl_core::facts::Cond::SameLength(#x, #y))
            }
            "no_pair" => {
                let get = |key: &str| a.get(key).ok_or_else(|| format!("{name}: `no_pair` needs `{key}`"));
                let (names, entries) = (prop(get("names")?)?, prop(get("entries")?)?);
                let prefix = text(get("prefix")?)?;
                let values: Vec<String> = get("values")?
                    .as_array()
                    .ok_or_else(|| format!("{name}: `no_pair.values` is a list"))?
                    .iter()
                    .map(text)
                    .collect::<Result<_, _>>()?;
                quote!(::ssl_core::facts::Cond::NoPair { names: #names, entries: #entries, prefix: #prefix, values: &[#(#values),*] })
            }
            other => return Err(format!("{name}: `x-rules`: unknown condition `{other}`")),
        })
    };
    let mut out = Vec::new();
    for (i, r) in arr.iter().enumerate() {
        let obj = r.as_object().ok_or_else(|| format!("{name}: `x-rules[{i}]` must be an object"))?;
        if let Some(k) = obj.keys().find(|k| !["code", "field", "message", "when", "check"].contains(&k.as_str())) {
            return Err(format!("{name}: `x-rules[{i}]`: unknown key `{k}` (code, field, message, when, check)"));
        }
        let s = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{name}: `x-rules[{i}].{k}` (a string) is required"))
        };
        let (code, message) = (s("code")?, s("message")?);
        let field = prop(&Value::String(s("field")?))?;
        let when = match obj.get("when") {
            None => Vec::new(),
            Some(w) => w
                .as_array()
                .ok_or_else(|| format!("{name}: `x-rules[{i}].when` is a list"))?
                .iter()
                .map(cond)
                .collect::<Result<_, _>>()?,
        };
        let check = cond(obj.get("check").ok_or_else(|| format!("{name}: `x-rules[{i}].check` is required"))?)?;
        let when = (!when.is_empty()).then(|| quote!(.when(&[#(#when),*])));
        out.push(quote!(::ssl_core::facts::Rule::new(#code, #field, #message, #check) #when));
    }
    Ok(out)
}

fn emit_requests(ops: &[Op]) -> TokenStream {
    let mut fns = Vec::new();
    let mut needs_segment = false;
    for op in ops {
        let name = ident(&op.id);
        let method = ident(op.method);
        let kind = ident(op.kind);
        let id = &op.id;
        let mut doc = format!("`{} {}`", op.method.to_ascii_uppercase(), op.path);
        if let Some(s) = &op.summary {
            doc.push_str(": ");
            doc.push_str(s);
        }
        if let Some(d) = &op.description {
            doc.push_str("\n\n");
            doc.push_str(d);
        }
        let mut arg_docs = Vec::new();
        for p in op.path_params.iter().chain(&op.query) {
            let req = if p.required { "" } else { " (optional)" };
            let name =
                if p.ident == p.wire { format!("`{}`", p.ident) } else { format!("`{}` (`{}`)", p.ident, p.wire) };
            match &p.doc {
                Some(d) => arg_docs.push(format!("- {name}{req}: {}", d.replace('\n', " "))),
                None => arg_docs.push(format!("- {name}{req}")),
            }
        }
        if let Some(b) = &op.body {
            let enc =
                if op.form { "a form (`application/x-www-form-urlencoded`, arrays comma-joined)" } else { "JSON" };
            arg_docs.push(format!("- `body`: {} as {enc}", ty_doc(b)));
        }
        if !arg_docs.is_empty() {
            doc.push_str("\n\nArguments:\n\n");
            doc.push_str(&arg_docs.join("\n"));
        }
        doc.push_str(&format!("\n\nCall kind: `{}`.", op.kind.to_ascii_lowercase()));
        if !op.success.is_empty() {
            doc.push_str(&format!(" Success: {}.", op.success.join(", ")));
        }
        let doc = docs(Some(&doc), "");

        let mut args = Vec::new();
        for p in &op.path_params {
            let i = ident(&p.ident);
            args.push(quote!(#i: &str));
        }
        if let Some(b) = &op.body {
            let t = ty_path(b, true);
            args.push(quote!(body: &#t));
        }
        for p in &op.query {
            let i = ident(&p.ident);
            if p.required {
                args.push(quote!(#i: &str));
            } else {
                args.push(quote!(#i: Option<&str>));
            }
        }
        let path_expr = if op.path_params.is_empty() {
            let p = &op.path;
            quote!(#p)
        } else {
            needs_segment = true;
            let mut fmt = String::new();
            let mut values = Vec::new();
            let mut rest = op.path.as_str();
            while let Some(start) = rest.find('{') {
                let end = rest[start..].find('}').map(|e| e + start).unwrap_or(rest.len() - 1);
                fmt.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
                fmt.push_str("{}");
                let p = &rest[start + 1..end];
                let pi = ident(&field_ident(p));
                values.push(quote!(segment(#pi)));
                rest = &rest[end + 1..];
            }
            fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
            quote!(format!(#fmt, #(#values),*))
        };
        let body = op.body.as_ref().map(|_| {
            if op.form {
                quote!(.body(::ssl_core::Body::form(body)))
            } else {
                if op.jsonapi {
                    quote!(.body(::ssl_core::Body::json_of(body).with_media_type(::ssl_core::MediaType::JsonApi)))
                } else {
                    quote!(.json_of(body))
                }
            }
        });
        let query: Vec<TokenStream> = op
            .query
            .iter()
            .map(|p| {
                let i = ident(&p.ident);
                let w = &p.wire;
                if p.required {
                    quote!(req = req.query(#w, #i);)
                } else {
                    quote!(if let Some(v) = #i { req = req.query(#w, v); })
                }
            })
            .collect();
        let build = quote! {
            ::ssl_core::HttpRequest::new(::ssl_core::Method::#method, #path_expr, ::ssl_core::CallKind::#kind)
                #body
                .operation(#id)
        };
        let fn_body = if query.is_empty() {
            build
        } else {
            quote! {
                let mut req = #build;
                #(#query)*
                req
            }
        };
        fns.push(quote! {
            #doc
            pub fn #name(#(#args),*) -> ::ssl_core::HttpRequest {
                #fn_body
            }
        });
    }
    let segment = if needs_segment {
        quote! {
            /// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
            fn segment(s: &str) -> String {
                let mut out = String::with_capacity(s.len());
                for b in s.bytes() {
                    if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                        out.push(char::from(b));
                    } else {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
                out
            }
        }
    } else {
        quote!()
    };
    quote! {
        /// One pure function per operation: typed input → [`::ssl_core::HttpRequest`] (method, path, query,
        /// JSON body, operation name and call kind). No host, no credentials: the client adds those.
        pub mod requests {
            #(#fns)*
            #segment
        }
    }
}

/// A JSON:API resource's aliases (`ssl_core::jsonapi`) and its `ResourceType`.
fn emit_jsonapi(name: &str, j: &JsonApi) -> TokenStream {
    let attrs = ident(name);
    let rels = ident(&format!("{name}Relationships"));
    let t = &j.r#type;
    let resource = ident(&format!("{name}Resource"));
    let new = ident(&format!("New{name}"));
    let (one, new_doc, list) =
        (ident(&DocKind::One.alias(name)), ident(&DocKind::New.alias(name)), ident(&DocKind::List.alias(name)));
    let d = |s: String| doc_line(&s);
    let (d1, d2, d3, d4, d5) = (
        d(format!("A `{t}` resource in an answer (`id` required).")),
        d(format!("A `{t}` resource in a request (`id` optional); build it with `New{name}::new(attributes)`.")),
        d(format!("A document with one `{t}` resource: `{{\"data\": …}}`.")),
        d(format!("A request document with one new `{t}` resource.")),
        d(format!("A listing of `{t}` resources, with `links.next`.")),
    );
    quote! {
        impl ::ssl_core::jsonapi::ResourceType for #attrs {
            const TYPE: &'static str = #t;
        }

        #[doc = #d1]
        pub type #resource = ::ssl_core::jsonapi::Resource<#attrs, #rels>;

        #[doc = #d2]
        pub type #new = ::ssl_core::jsonapi::NewResource<#attrs, #rels>;

        #[doc = #d3]
        pub type #one = ::ssl_core::jsonapi::Document<#resource>;

        #[doc = #d4]
        pub type #new_doc = ::ssl_core::jsonapi::Document<#new>;

        #[doc = #d5]
        pub type #list = ::ssl_core::jsonapi::ListDocument<#resource>;
    }
}

/// `format!` of an `x-lookup` template, reading `self` of an operation struct.
fn emit_template(pieces: &[Piece]) -> TokenStream {
    let mut fmt = String::new();
    let mut args = Vec::new();
    let field = |p: &str| quote!(::ssl_core::operation::field(&self.body, #p));
    for piece in pieces {
        match piece {
            Piece::Lit(t) => fmt.push_str(&t.replace('{', "{{").replace('}', "}}")),
            Piece::Param(i, required) => {
                fmt.push_str("{}");
                let i = ident(i);
                args.push(if *required { quote!(self.#i) } else { quote!(self.#i.as_deref().unwrap_or_default()) });
            }
            Piece::Body(p) => {
                fmt.push_str("{}");
                args.push(field(p));
            }
            Piece::Sha(p) => {
                fmt.push_str("{}");
                let f = field(p);
                args.push(quote!(::ssl_core::operation::csr_sha256(&#f)));
            }
            Piece::Cn(p) => {
                fmt.push_str("{}");
                let f = field(p);
                args.push(quote!(::ssl_core::operation::csr_common_name(&#f)));
            }
        }
    }
    if args.is_empty() { quote!(#fmt.to_owned()) } else { quote!(format!(#fmt, #(#args),*)) }
}

/// Methods of the `Operation` trait and of `ops` structs, which setters must not take.
const OP_METHODS: &[&str] = &["new", "request", "validate", "decode", "kind", "is_quote", "lookup", "clone", "default"];

/// One struct per operation implementing `ssl_core::operation::Operation`, and the decoder table.
fn emit_ops(ops: &[Op]) -> TokenStream {
    let mut items = Vec::new();
    let mut decoders = Vec::new();
    let mut names = Vec::new();
    for op in ops {
        let name = ident(&pascal(&op.id));
        let fn_name = ident(&op.id);
        let id = &op.id;
        let kind = ident(op.kind);
        let mut fields = Vec::new();
        let mut params = Vec::new();
        let mut inits = Vec::new();
        let mut setters = Vec::new();
        let mut call = Vec::new();
        let mut checks = Vec::new();
        for p in &op.path_params {
            let i = ident(&p.ident);
            let d = doc_line(&format!(
                "Path parameter `{}`{}",
                p.wire,
                p.doc.as_deref().map(|d| format!(": {}", d.replace('\n', " "))).unwrap_or_default()
            ));
            fields.push(quote!(#[doc = #d] pub #i: String,));
            params.push(quote!(#i: impl Into<String>));
            inits.push(quote!(#i: #i.into()));
            call.push(quote!(&self.#i));
            let w = &p.wire;
            checks.push(quote!(::ssl_core::validate::required_str("", #w, &self.#i, &mut out);));
        }
        if let Some(b) = &op.body {
            let t = ty_path(b, true);
            let d = doc_line(&format!("The body: {}.", ty_doc(b)));
            fields.push(quote!(#[doc = #d] pub body: #t,));
            params.push(quote!(body: #t));
            inits.push(quote!(body));
            call.push(quote!(&self.body));
            checks.push(quote!(::ssl_core::validate::Validate::validate_at(&self.body, "", &mut out);));
        }
        for p in &op.query {
            let i = ident(&p.ident);
            let d = doc_line(&format!(
                "Query parameter `{}`{}",
                p.wire,
                p.doc.as_deref().map(|d| format!(": {}", d.replace('\n', " "))).unwrap_or_default()
            ));
            if p.required {
                fields.push(quote!(#[doc = #d] pub #i: String,));
                params.push(quote!(#i: impl Into<String>));
                inits.push(quote!(#i: #i.into()));
                call.push(quote!(&self.#i));
            } else {
                fields.push(quote!(#[doc = #d] pub #i: Option<String>,));
                inits.push(quote!(#i: None));
                call.push(quote!(self.#i.as_deref()));
                let bare = p.ident.trim_start_matches("r#");
                let setter = if OP_METHODS.contains(&bare)
                    || p.ident.starts_with("r#")
                    || p.ident.ends_with('_')
                    || ["is_", "as_", "to_", "from_"].iter().any(|x| bare.starts_with(x))
                {
                    format!("with_{}", bare.trim_end_matches('_'))
                } else {
                    p.ident.clone()
                };
                let s = ident(&setter);
                let sd = doc_line(&format!("Sets the query parameter `{}`.", p.wire));
                setters.push(quote! {
                    #[doc = #sd]
                    #[must_use]
                    pub fn #s(mut self, value: impl Into<String>) -> Self {
                        self.#i = Some(value.into());
                        self
                    }
                });
            }
        }
        let (output, decode, decoder) = match &op.output {
            Output::Unit => (quote!(()), quote!(::ssl_core::operation::no_content(response)), quote!(Some(Ok(())))),
            Output::Raw => (quote!(Vec<u8>), quote!(::ssl_core::operation::raw(response)), quote!(Some(Ok(())))),
            Output::Json(ty) => {
                let t = ty_path(ty, true);
                (
                    t.clone(),
                    quote!(::ssl_core::operation::json(Self::NAME, response)),
                    quote!(Some(::ssl_core::operation::decode_body::<#t>(#id, 200, body).map(drop))),
                )
            }
        };
        decoders.push(quote!(#id => #decoder,));
        names.push(id.clone());
        let order_id = match &op.order_id {
            Some(p) => quote!(const ORDER_ID: Option<&'static str> = Some(#p);),
            None => quote!(),
        };
        let quote_fn = match &op.quote {
            None => quote!(),
            Some((in_body, name, value)) => {
                let test = if *in_body {
                    quote!(::ssl_core::facts::text_of(&self.body, #name).as_deref().unwrap_or_default() == #value)
                } else {
                    let i = ident(&field_ident(name));
                    quote!(self.#i.as_deref() == Some(#value))
                };
                quote! {
                    fn is_quote(&self) -> bool {
                        #test
                    }
                }
            }
        };
        let lookup_fn = match &op.lookup {
            None => quote!(),
            Some((place, matches)) => {
                let place = emit_template(place);
                let matches = matches.iter().map(|m| emit_template(m));
                quote! {
                    fn lookup(&self) -> Option<::ssl_core::operation::Lookup> {
                        Some(::ssl_core::operation::Lookup::new(#place, vec![#(#matches),*]))
                    }
                }
            }
        };
        let new_doc = doc_line(&format!(
            "A `{id}` request from its path parameters{}{}.",
            if op.body.is_some() { ", body" } else { "" },
            if op.query.iter().any(|q| q.required) { " and required query parameters" } else { "" }
        ));
        let doc = doc_line(&format!(
            "`{} {}`{} — an [`Operation`](::ssl_core::operation::Operation) value (call kind `{}`); see [`requests::{id}`](super::requests::{id}).",
            op.method.to_ascii_uppercase(),
            op.path,
            op.summary.as_deref().map(|s| format!(": {s}")).unwrap_or_default(),
            op.kind.to_ascii_lowercase()
        ));
        let validate = if checks.is_empty() {
            quote!(Vec::new())
        } else {
            quote! {
                let mut out = Vec::new();
                #(#checks)*
                out
            }
        };
        items.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct #name {
                #(#fields)*
            }

            impl #name {
                #[doc = #new_doc]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits),* }
                }
                #(#setters)*
            }

            impl ::ssl_core::operation::Operation for #name {
                type Output = #output;
                const NAME: &'static str = #id;
                const KIND: ::ssl_core::CallKind = ::ssl_core::CallKind::#kind;
                #order_id

                fn request(&self) -> ::ssl_core::HttpRequest {
                    super::requests::#fn_name(#(#call),*)
                }

                fn validate(&self) -> Vec<::ssl_core::Problem> {
                    #validate
                }

                fn decode(&self, response: &::ssl_core::Response) -> ::ssl_core::Result<Self::Output> {
                    #decode
                }
                #quote_fn
                #lookup_fn
            }
        });
    }
    quote! {
        /// One value per operation, implementing [`ssl_core::operation::Operation`]: send it with
        /// [`ssl_core::ApiClient::send`], which validates, sends, classifies and decodes.
        pub mod ops {
            #(#items)*

            /// Every operation's name, in spec order.
            pub const NAMES: &[&str] = &[#(#names),*];

            /// Decode `body` as the 2xx answer of `operation` (for fuzzing every generated decoder); `None` for an
            /// unknown operation.
            pub fn decode_output(operation: &str, body: &[u8]) -> Option<::ssl_core::Result<()>> {
                match operation {
                    #(#decoders)*
                    _ => None,
                }
            }
        }
    }
}

/// `x-dcv-table` (root): `[[neutral, wire], …]` in table order (the first row of a wire name is its neutral
/// reading) → `pub const DCV_TABLE: ssl_core::model::DcvTable`.
fn dcv_table(v: &Value) -> Result<TokenStream, String> {
    const NEUTRAL: [&str; 6] = ["email", "dns", "dns-txt", "dns-cname", "http", "https"];
    let rows = v.as_array().ok_or("x-dcv-table must be an array of [neutral, wire] pairs")?;
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let pair = row.as_array().map(Vec::as_slice);
        let Some([Value::String(neutral), Value::String(wire)]) = pair else {
            return Err(format!("x-dcv-table[{i}] must be a [neutral, wire] pair of strings"));
        };
        if !NEUTRAL.contains(&neutral.as_str()) {
            return Err(format!("x-dcv-table[{i}]: `{neutral}` is not a neutral method ({})", NEUTRAL.join(", ")));
        }
        let variant = ident(&pascal(neutral));
        out.push(quote!((::ssl_core::model::DcvMethod::#variant, #wire)));
    }
    Ok(quote! {
        /// Neutral ↔ wire DCV names (the spec's `x-dcv-table`). The first row of a wire name is its neutral reading.
        pub const DCV_TABLE: ::ssl_core::model::DcvTable = ::ssl_core::model::DcvTable::new(&[#(#out),*]);
    })
}

/// `x-status-table` (root): `[[raw, neutral], …]`, the provider's order statuses as neutral ones →
/// `pub const STATUSES: ssl_core::model::StatusTable` (a raw status not in it reads as `unknown`).
fn status_table(v: &Value) -> Result<TokenStream, String> {
    const NEUTRAL: [&str; 10] = [
        "draft",
        "pending_validation",
        "pending_approval",
        "processing",
        "issued",
        "rejected",
        "cancelled",
        "revoked",
        "expired",
        "unknown",
    ];
    let rows = v.as_array().ok_or("x-status-table must be an array of [raw, neutral] pairs")?;
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let pair = row.as_array().map(Vec::as_slice);
        let Some([Value::String(raw), Value::String(neutral)]) = pair else {
            return Err(format!("x-status-table[{i}] must be a [raw, neutral] pair of strings"));
        };
        if !NEUTRAL.contains(&neutral.as_str()) {
            return Err(format!("x-status-table[{i}]: `{neutral}` is not a neutral status ({})", NEUTRAL.join(", ")));
        }
        let variant = ident(&pascal(neutral));
        out.push(quote!((#raw, ::ssl_core::model::OrderStatus::#variant)));
    }
    Ok(quote! {
        /// Raw order status → neutral (the spec's `x-status-table`); a status not in it is `unknown`.
        pub const STATUSES: ::ssl_core::model::StatusTable = ::ssl_core::model::StatusTable::new(&[#(#out),*]);
    })
}

fn products<'a>(ext: impl IntoIterator<Item = (&'a String, &'a Value)>) -> Result<Option<Vec<Product>>, String> {
    let mut found = None;
    for (key, value) in ext {
        if key != "x-products" {
            return Err(format!("unknown root extension `{key}`"));
        }
        found = Some(value);
    }
    let Some(v) = found else { return Ok(None) };
    let arr = v.as_array().ok_or("x-products must be an array")?;
    let mut out = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, p) in arr.iter().enumerate() {
        let obj = p.as_object().ok_or_else(|| format!("x-products[{i}] must be an object"))?;
        let known = [
            "id",
            "name",
            "validation",
            "wildcard",
            "multi_domain",
            "max_names",
            "periods_months",
            "dcv_methods",
            "required_fields",
        ];
        if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!("x-products[{i}]: unknown key `{k}`"));
        }
        let s = |k: &str| -> Result<String, String> {
            obj.get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("x-products[{i}].{k}: string required"))
        };
        let b = |k: &str| -> Result<bool, String> {
            obj.get(k).and_then(Value::as_bool).ok_or_else(|| format!("x-products[{i}].{k}: boolean required"))
        };
        let u32s = |k: &str| -> Result<Vec<u32>, String> {
            obj.get(k)
                .and_then(Value::as_array)
                .ok_or_else(|| format!("x-products[{i}].{k}: array of integers required"))?
                .iter()
                .map(|n| {
                    n.as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| format!("x-products[{i}].{k}: `{n}` is not a positive integer"))
                })
                .collect()
        };
        let strs = |k: &str| -> Result<Vec<String>, String> {
            match obj.get(k) {
                None => Ok(Vec::new()),
                Some(v) => v
                    .as_array()
                    .ok_or_else(|| format!("x-products[{i}].{k}: array of strings required"))?
                    .iter()
                    .map(|s| {
                        s.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| format!("x-products[{i}].{k}: `{s}` is not a string"))
                    })
                    .collect(),
            }
        };
        let id = s("id")?;
        if !ids.insert(id.clone()) {
            return Err(format!("x-products: `{id}` listed twice"));
        }
        let validation = s("validation")?;
        if !["dv", "ov", "ev"].contains(&validation.as_str()) {
            return Err(format!("x-products[{i}].validation: `{validation}`; expected dv, ov or ev"));
        }
        let max_names = match obj.get("max_names") {
            None | Some(Value::Null) => None,
            Some(n) => Some(
                n.as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("x-products[{i}].max_names: integer or null required"))?,
            ),
        };
        let dcv_methods = strs("dcv_methods")?;
        if let Some(bad) = dcv_methods.iter().find(|m| !DCV_METHODS.iter().any(|(w, _)| w == m)) {
            return Err(format!(
                "x-products[{i}].dcv_methods: `{bad}` is not a neutral method ({})",
                DCV_METHODS.iter().map(|(w, _)| *w).collect::<Vec<_>>().join(", ")
            ));
        }
        if !obj.contains_key("dcv_methods") {
            return Err(format!("x-products[{i}].dcv_methods: required"));
        }
        out.push(Product {
            id,
            name: s("name")?,
            validation,
            wildcard: b("wildcard")?,
            multi_domain: b("multi_domain")?,
            max_names,
            periods_months: u32s("periods_months")?,
            dcv_methods,
            required_fields: strs("required_fields")?,
        });
    }
    Ok(Some(out))
}

fn emit_products(products: &[Product]) -> TokenStream {
    let rows = products.iter().map(|p| {
        let (id, name) = (&p.id, &p.name);
        let validation = ident(match p.validation.as_str() {
            "dv" => "Dv",
            "ov" => "Ov",
            _ => "Ev",
        });
        let (wildcard, multi) = (p.wildcard, p.multi_domain);
        let max = match p.max_names {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        let periods = &p.periods_months;
        let dcv = p.dcv_methods.iter().map(|m| {
            let v = DCV_METHODS.iter().find(|(w, _)| w == m).map(|(_, v)| ident(v));
            quote!(DcvMethod::#v)
        });
        let req = &p.required_fields;
        let req = (!req.is_empty()).then(|| quote!(.with_required_fields([#(#req),*])));
        quote! {
            ProductRules::new(#id, #name, ValidationLevel::#validation)
                .with_wildcard(#wildcard)
                .with_multi_domain(#multi)
                .with_max_names(#max)
                .with_periods_months(vec![#(#periods),*])
                .with_dcv_methods(vec![#(#dcv),*])
                #req
        }
    });
    quote! {
        /// The products of this spec and their ordering rules (the `x-products` table), checked by the
        /// pre-flight before anything is sent.
        pub fn product_table() -> Vec<::ssl_core::model::ProductRules> {
            use ::ssl_core::model::{DcvMethod, ProductRules, ValidationLevel};
            vec![#(#rows),*]
        }
    }
}

fn enum_def(name: &str, data: &SchemaData, values: &[Option<String>]) -> Result<EnumDef, String> {
    let mut variants = Vec::new();
    let mut seen = BTreeSet::new();
    for v in values.iter().flatten() {
        let mut variant = pascal(v);
        if variant == "Unknown" {
            variant = "UnknownValue".into();
        }
        if !seen.insert(variant.clone()) {
            return Err(format!("{name}: enum values map to the same variant `{variant}`"));
        }
        variants.push((v.clone(), variant));
    }
    if variants.is_empty() {
        return Err(format!("{name}: empty enum"));
    }
    Ok(EnumDef { name: name.to_owned(), doc: doc_of(data), variants })
}

fn emit_enum(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs(e.doc.as_deref(), &format!("The `{}` values.", e.name));
    let variants = e.variants.iter().map(|(wire, v)| {
        let v = ident(v);
        let d = doc_line(&format!("`{wire}`"));
        quote!(#[doc = #d] #v,)
    });
    let wires: Vec<&String> = e.variants.iter().map(|(w, _)| w).collect();
    let as_str = e.variants.iter().map(|(wire, v)| {
        let v = ident(v);
        quote!(Self::#v => #wire,)
    });
    let from_wire = e.variants.iter().map(|(wire, v)| {
        let v = ident(v);
        quote!(#wire => Self::#v,)
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version does not know, kept exactly as received.
            Unknown(String),
        }

        impl #name {
            /// Every wire value this version knows, in spec order.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(s) => s,
                }
            }

            /// Reads a wire value exactly; anything else becomes [`Self::Unknown`].
            pub fn from_wire(s: &str) -> Self {
                match s {
                    #(#from_wire)*
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// False for [`Self::Unknown`].
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        ::ssl_core::wire_enum_impls!(#name);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers.

/// The `ssl_core::lenient` reader of a field (see `ssl_core::lenient`). In answer types every type but JSON values
/// reads tolerantly (required structs, enums and `oneOf`s use their own tolerant `Deserialize`); request-only types
/// (which the simulator reads, judging them as the provider would) take numbers and booleans leniently only.
fn lenient_fn(ty: &Ty, required: bool, answer: bool) -> Option<&'static str> {
    if !answer {
        let scalar = |t: &Ty| matches!(t, Ty::I64 | Ty::F64 | Ty::Bool);
        match ty {
            Ty::Vec(inner) if scalar(inner) => {}
            t if scalar(t) => {}
            _ => return None,
        }
    }
    let f = match ty {
        Ty::Str => ["string", "opt_string"],
        Ty::I64 => ["i64", "opt_i64"],
        Ty::F64 => ["f64", "opt_f64"],
        Ty::Bool => ["bool", "opt_bool"],
        Ty::Value => return None,
        Ty::Struct(_) | Ty::Enum(_) | Ty::OneOf(_) | Ty::Doc(..) | Ty::Rel { .. } => {
            return (!required).then_some("opt");
        }
        Ty::Vec(inner) => match inner.as_ref() {
            Ty::Str => ["vec_string", "opt_vec_string"],
            Ty::I64 => ["vec_i64", "opt_vec_i64"],
            Ty::F64 => ["vec_f64", "opt_vec_f64"],
            Ty::Bool => ["vec_bool", "opt_vec_bool"],
            _ => ["list", "opt_list"],
        },
    };
    Some(if required { f[0] } else { f[1] })
}

/// `impl ssl_core::facts::Fields`: each property read where it is, as its JSON would show it (a form body's
/// booleans as `1`/`0`); types without a direct reading go through their JSON.
fn emit_fields(s: &StructDef, form: bool) -> TokenStream {
    let name = ident(&s.name);
    let arms = s.fields.iter().map(|f| {
        let wire = &f.wire;
        let id = ident(&f.ident);
        let read = match (&f.ty, f.required) {
            (Ty::Str, true) => quote!(F::Str(&self.#id)),
            (Ty::Str, false) => quote!(self.#id.as_deref().map_or(F::Null, F::Str)),
            (Ty::I64, true) => quote!(F::Int(self.#id)),
            (Ty::I64, false) => quote!(self.#id.map_or(F::Null, F::Int)),
            (Ty::Bool, true) if form => quote!(F::Int(i64::from(self.#id))),
            (Ty::Bool, false) if form => quote!(self.#id.map_or(F::Null, |b| F::Int(i64::from(b)))),
            (Ty::Bool, true) => quote!(F::Bool(self.#id)),
            (Ty::Bool, false) => quote!(self.#id.map_or(F::Null, F::Bool)),
            (Ty::Enum(_), true) => quote!(F::Str(self.#id.as_str())),
            (Ty::Enum(_), false) => quote!(self.#id.as_ref().map_or(F::Null, |e| F::Str(e.as_str()))),
            (Ty::Vec(inner), true) if **inner == Ty::Str => quote!(F::Strs(&self.#id)),
            (Ty::Vec(inner), false) if **inner == Ty::Str => quote!(self.#id.as_deref().map_or(F::Null, F::Strs)),
            (Ty::Value, true) => quote!(F::value(&self.#id)),
            (Ty::Value, false) => quote!(self.#id.as_ref().map_or(F::Null, F::value)),
            _ => quote!(F::json(&self.#id)),
        };
        quote!(#wire => #read,)
    });
    quote! {
        impl ::ssl_core::facts::Fields for #name {
            fn field(&self, wire: &str) -> ::ssl_core::facts::FieldValue<'_> {
                use ::ssl_core::facts::FieldValue as F;
                match wire {
                    #(#arms)*
                    _ => F::Null,
                }
            }
        }
    }
}

fn ty_tokens(ty: &Ty) -> TokenStream {
    ty_path(ty, false)
}

/// The Rust type of `ty`; with `sup`, generated types are named from a child module (`super::Name`).
fn ty_path(ty: &Ty, sup: bool) -> TokenStream {
    let named = |n: &str| {
        let i = ident(n);
        if sup { quote!(super::#i) } else { quote!(#i) }
    };
    match ty {
        Ty::Str => quote!(String),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::Bool => quote!(bool),
        Ty::Value => quote!(::serde_json::Value),
        Ty::Struct(n) | Ty::Enum(n) | Ty::OneOf(n) => named(n),
        Ty::Doc(n, kind) => named(&kind.alias(n)),
        Ty::Rel { many, meta } => {
            let m = match meta {
                Some(m) => named(m),
                None => quote!(::serde_json::Value),
            };
            if *many { quote!(::ssl_core::jsonapi::ToMany<#m>) } else { quote!(::ssl_core::jsonapi::ToOne<#m>) }
        }
        Ty::Vec(inner) => {
            let i = ty_path(inner, sup);
            quote!(Vec<#i>)
        }
    }
}

fn ty_doc(ty: &Ty) -> String {
    match ty {
        Ty::Str => "`String`".into(),
        Ty::I64 => "`i64`".into(),
        Ty::F64 => "`f64`".into(),
        Ty::Bool => "`bool`".into(),
        Ty::Value => "JSON".into(),
        Ty::Struct(n) | Ty::Enum(n) | Ty::OneOf(n) => format!("[`{n}`](super::{n})"),
        Ty::Doc(n, kind) => {
            let a = kind.alias(n);
            format!("[`{a}`](super::{a})")
        }
        Ty::Rel { many: true, .. } => "a to-many relationship".into(),
        Ty::Rel { many: false, .. } => "a to-one relationship".into(),
        Ty::Vec(inner) => format!("array of {}", ty_doc(inner)),
    }
}

fn describe_rules(r: &Rules, ty: &Ty) -> Vec<String> {
    let mut out = Vec::new();
    match (r.min_len, r.max_len) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} characters")),
        (Some(a), None) => out.push(format!("at least {a} character{}", if a == 1 { "" } else { "s" })),
        (None, Some(b)) => out.push(format!("at most {b} characters")),
        (None, None) => {}
    }
    if let Some(p) = &r.pattern {
        out.push(format!("matches `{p}`"));
    }
    if !r.int_enum.is_empty() {
        out.push(format!("one of {}", r.int_enum.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")));
    }
    match (r.minimum, r.maximum) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b}")),
        (Some(a), None) => out.push(format!("at least {a}")),
        (None, Some(b)) => out.push(format!("at most {b}")),
        (None, None) => {}
    }
    match (r.min_items, r.max_items) {
        (Some(a), Some(b)) => out.push(format!("{a} to {b} items")),
        (Some(a), None) => out.push(format!("at least {a} item{}", if a == 1 { "" } else { "s" })),
        (None, Some(b)) => out.push(format!("at most {b} items")),
        (None, None) => {}
    }
    if let (Ty::Vec(inner), Some(item)) = (ty, &r.item) {
        let inner = describe_rules(item, inner);
        if !inner.is_empty() {
            out.push(format!("each item {}", inner.join(" and ")));
        }
    }
    out
}

fn doc_of(data: &SchemaData) -> Option<String> {
    data.description.clone().or_else(|| data.title.clone()).filter(|d| !d.trim().is_empty())
}

/// A doc line as rustdoc writes it: a leading space unless empty.
fn doc_line(s: &str) -> String {
    if s.is_empty() { String::new() } else { format!(" {}", s.trim_end()) }
}

fn docs(text: Option<&str>, fallback: &str) -> TokenStream {
    let text = text.filter(|t| !t.trim().is_empty()).unwrap_or(fallback);
    let lines = text.trim().lines().map(doc_line);
    quote!(#(#[doc = #lines])*)
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let",
    "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type",
    "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// The Rust field/argument name for a wire name: snake_case, keywords as raw identifiers.
fn field_ident(wire: &str) -> String {
    let s = snake(wire);
    if ["crate", "self", "super", "Self", "_"].contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

/// `dcvMethod`, `dcv-method`, `filters[common_name]` → `dcv_method`, `dcv_method`, `filters_common_name`.
pub fn snake(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('_') {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
    out
}

/// `dns-txt-token`, `CANCELED`, `pem_all` → `DnsTxtToken`, `Canceled`, `PemAll`.
pub fn pascal(s: &str) -> String {
    let mut out: String = snake(s)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&s)
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(schemas: Value, paths: Value) -> String {
        serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "Test", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas}
        })
        .to_string()
    }

    fn gen_schemas(schemas: Value) -> String {
        generate(&spec(schemas, serde_json::json!({})), "test.json").unwrap()
    }

    /// `out` contains `want`, ignoring whitespace and commas (prettyplease decides line breaks and trailing commas).
    fn has(out: &str, want: &str) -> bool {
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace() && *c != ',').collect::<String>();
        squash(out).contains(&squash(want))
    }

    #[test]
    fn names() {
        assert_eq!(snake("dcvMethod"), "dcv_method");
        assert_eq!(snake("filters[common_name]"), "filters_common_name");
        assert_eq!(snake("HTTPToken"), "http_token");
        assert_eq!(pascal("dns-txt-token"), "DnsTxtToken");
        assert_eq!(pascal("CANCELED"), "Canceled");
        assert_eq!(pascal("sha256"), "Sha256");
        assert_eq!(pascal("3des"), "N3des");
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("self"), "self_");
    }

    #[test]
    fn x_rules_and_field_needs_become_tables_checked_by_validate() {
        let out = gen_schemas(serde_json::json!({
            "Order": {
                "type": "object",
                "x-rules": [
                    {"code": "field_required", "field": "approver", "message": "needs `{method}`",
                     "when": [{"equals": ["method", "email"]}], "check": {"present": "approver"}},
                    {"code": "count", "field": "approvers", "message": "{len(names)}",
                     "check": {"same_length": ["approvers", "names"]}},
                    {"code": "range", "field": "servers", "message": "not 0", "check": {"not_equals": ["servers", 0]}},
                    {"code": "dcv", "field": "approvers", "message": "`{item}` `{entry}`",
                     "check": {"no_pair": {"names": "names", "entries": "approvers", "prefix": "*.", "values": ["http"]}}}
                ],
                "properties": {
                    "method": {"type": "string"}, "approver": {"type": "string"}, "servers": {"type": "integer"},
                    "names": {"type": "array", "items": {"type": "string"}},
                    "approvers": {"type": "array", "items": {"type": "string"}},
                    "city": {"type": "string", "x-neutral": "admin.city", "x-need": "ov_ev"}
                }
            }
        }));
        assert!(has(&out, "pub const RULES: &'static [::ssl_core::facts::Rule]"), "{out}");
        assert!(has(&out, ".when(&[::ssl_core::facts::Cond::Equals(\"method\", \"email\")])"), "{out}");
        assert!(has(&out, "::ssl_core::facts::Cond::NotEquals(\"servers\", \"0\")"), "{out}");
        assert!(has(&out, "::ssl_core::facts::check_rules(self, Self::RULES, prefix, out);"), "{out}");
        assert!(has(&out, "FieldRule::new(\"city\", \"admin.city\", ::ssl_core::facts::Need::OvEv)"));
        for bad in [
            serde_json::json!({"A": {"type": "object", "x-rules": [{"code": "c", "field": "zz", "message": "m", "check": {"present": "a"}}], "properties": {"a": {"type": "string"}}}}),
            serde_json::json!({"A": {"type": "object", "x-rules": [{"code": "c", "field": "a", "message": "m", "check": {"sometimes": "a"}}], "properties": {"a": {"type": "string"}}}}),
            serde_json::json!({"A": {"type": "object", "properties": {"a": {"type": "string", "x-neutral": "admin.a"}}}}),
        ] {
            assert!(generate(&spec(bad, serde_json::json!({})), "t.json").is_err());
        }
    }

    #[test]
    fn x_dcv_table_becomes_the_dcv_table() {
        let mut doc: Value = serde_json::from_str(&spec(serde_json::json!({}), serde_json::json!({}))).unwrap();
        doc["x-dcv-table"] = serde_json::json!([["dns", "dns"], ["dns-cname", "dns"], ["email", "email"]]);
        let out = generate(&doc.to_string(), "t.json").unwrap();
        assert!(
            has(
                &out,
                "pub const DCV_TABLE: ::ssl_core::model::DcvTable = ::ssl_core::model::DcvTable::new(&[(::ssl_core::model::DcvMethod::Dns, \"dns\"), (::ssl_core::model::DcvMethod::DnsCname, \"dns\")"
            ),
            "{out}"
        );
        doc["x-dcv-table"] = serde_json::json!([["pigeon", "p"]]);
        assert!(generate(&doc.to_string(), "t.json").unwrap_err().contains("pigeon"));
    }

    #[test]
    fn x_status_table_becomes_the_status_table() {
        let mut doc: Value = serde_json::from_str(&spec(serde_json::json!({}), serde_json::json!({}))).unwrap();
        doc["x-status-table"] = serde_json::json!([["needs_approval", "pending_approval"], ["issued", "issued"]]);
        let out = generate(&doc.to_string(), "t.json").unwrap();
        assert!(
            has(
                &out,
                "pub const STATUSES: ::ssl_core::model::StatusTable = ::ssl_core::model::StatusTable::new(&[(\"needs_approval\", ::ssl_core::model::OrderStatus::PendingApproval), (\"issued\", ::ssl_core::model::OrderStatus::Issued)"
            ),
            "{out}"
        );
        doc["x-status-table"] = serde_json::json!([["x", "lost"]]);
        assert!(generate(&doc.to_string(), "t.json").unwrap_err().contains("lost"));
    }

    #[test]
    fn header_names_the_spec() {
        let out = gen_schemas(serde_json::json!({}));
        assert!(out.starts_with("// @generated by cargo xtask codegen from spec/test.json — do not edit by hand.\n"));
    }

    #[test]
    fn required_fields_become_new_args_in_required_order() {
        let out = gen_schemas(serde_json::json!({
            "Contact": {
                "type": "object",
                "required": ["last_name", "first_name"],
                "properties": {
                    "first_name": {"type": "string"},
                    "last_name": {"type": "string"},
                    "age": {"type": "integer", "minimum": 0}
                }
            }
        }));
        // Properties keep spec order in the struct; `new` takes the required ones.
        assert!(has(&out, "pub first_name: String,"), "{out}");
        assert!(has(&out, "pub age: Option<i64>,"), "{out}");
        assert!(has(&out, "pub fn new(first_name: impl Into<String>, last_name: impl Into<String>) -> Self"), "{out}");
        assert!(has(&out, "pub fn age(mut self, value: impl Into<i64>) -> Self"), "{out}");
        assert!(has(&out, r#"deserialize_with = "::ssl_core::lenient::opt_i64""#), "{out}");
        assert!(has(&out, r#"::ssl_core::validate::required_str(prefix, "first_name""#), "{out}");
    }

    #[test]
    fn string_enums_get_unknown_and_int_enums_stay_integers() {
        let out = gen_schemas(serde_json::json!({
            "Order": {
                "type": "object",
                "properties": {
                    "method": {"type": "string", "enum": ["dns-txt-token", "email"]},
                    "years": {"type": "integer", "enum": [1, 2, 3]}
                }
            }
        }));
        assert!(has(&out, "pub enum OrderMethod {"), "{out}");
        assert!(has(&out, "DnsTxtToken,"), "{out}");
        assert!(has(&out, "Unknown(String),"), "{out}");
        assert!(has(&out, "#[non_exhaustive]"), "{out}");
        assert!(has(&out, "pub years: Option<i64>,"), "{out}");
        assert!(has(&out, "one_of_int(prefix, \"years\", *x0, &[1i64, 2i64, 3i64], out)"), "{out}");
    }

    #[test]
    fn keywords_are_raw_and_renames_are_kept() {
        let out = gen_schemas(serde_json::json!({
            "Thing": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "dcvMethod": {"type": "string"}}
            }
        }));
        assert!(has(&out, "pub r#type: Option<String>,"), "{out}");
        assert!(has(&out, "pub fn with_type(mut self"), "{out}");
        assert!(has(&out, r#"rename = "dcvMethod""#), "{out}");
        assert!(has(&out, "pub dcv_method: Option<String>,"), "{out}");
    }

    #[test]
    fn operations_become_pure_request_functions() {
        let s = spec(
            serde_json::json!({"Body": {"type": "object", "properties": {"a": {"type": "string"}}}}),
            serde_json::json!({
                "/things/{thing_id}/go": {
                    "put": {
                        "operationId": "go_thing",
                        "summary": "Go.",
                        "x-call-kind": "write",
                        "parameters": [
                            {"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}},
                            {"name": "filters[x]", "in": "query", "schema": {"type": "string"}}
                        ],
                        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
                        "responses": {"204": {"description": "done"}}
                    }
                }
            }),
        );
        let out = generate(&s, "t.json").unwrap();
        assert!(
            has(
                &out,
                "pub fn go_thing(thing_id: &str, body: &super::Body, filters_x: Option<&str>) -> ::ssl_core::HttpRequest"
            ),
            "{out}"
        );
        assert!(has(&out, "::ssl_core::CallKind::Write"), "{out}");
        assert!(has(&out, r#"format!("/things/{}/go", segment(thing_id))"#), "{out}");
        assert!(has(&out, "pub struct GoThing {"), "{out}");
        assert!(has(&out, "type Output = ();"), "{out}");
        assert!(has(&out, "super::requests::go_thing(&self.thing_id, &self.body, self.filters_x.as_deref())"), "{out}");
        assert!(has(&out, r#"req.query("filters[x]", v)"#), "{out}");
    }

    #[test]
    fn form_request_bodies_use_body_form() {
        let s = spec(
            serde_json::json!({"Order": {"type": "object", "properties": {"names": {"type": "array", "items": {"type": "string"}}}}}),
            serde_json::json!({
                "/orders/add/": {
                    "post": {
                        "operationId": "add_order",
                        "x-call-kind": "write",
                        "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Order"}}}},
                        "responses": {"200": {"description": "ok"}}
                    }
                }
            }),
        );
        let out = generate(&s, "t.json").unwrap();
        assert!(has(&out, "pub fn add_order(body: &super::Order) -> ::ssl_core::HttpRequest"), "{out}");
        assert!(has(&out, ".body(::ssl_core::Body::form(body))"), "{out}");
        assert!(!has(&out, ".json(::serde_json::to_value(body)"), "{out}");
        assert!(out.contains("as a form (`application/x-www-form-urlencoded`, arrays comma-joined)"), "{out}");
        // Other media types are still refused.
        let xml = s.replace("application/x-www-form-urlencoded", "application/xml");
        let err = generate(&xml, "t.json").unwrap_err();
        assert!(err.contains("application/x-www-form-urlencoded request bodies are supported"), "{err}");
    }

    #[test]
    fn missing_call_kind_is_an_error() {
        let s = spec(
            serde_json::json!({}),
            serde_json::json!({"/x": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}}}),
        );
        let err = generate(&s, "t.json").unwrap_err();
        assert!(err.contains("x-call-kind"), "{err}");
    }

    fn one_op(op: Value, schemas: Value) -> Result<String, String> {
        generate(&spec(schemas, serde_json::json!({"/x/{id}": {"post": op}})), "t.json")
    }

    fn created() -> Value {
        serde_json::json!({"Created": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "csr": {"type": "string"}}}})
    }

    fn spend(extra: Value) -> Value {
        let mut op = serde_json::json!({
            "operationId": "place",
            "x-call-kind": "spend",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}}},
            "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}}}}
        });
        for (k, v) in extra.as_object().unwrap() {
            op[k] = v.clone();
        }
        op
    }

    #[test]
    fn spends_need_an_order_id_path_and_a_lookup() {
        let lookup = serde_json::json!({"where": "GET /x?csr={sha256(body.csr)}", "match": ["id={id}", "cn={csr_cn(body.csr)}"]});
        let err = one_op(spend(serde_json::json!({"x-lookup": lookup})), created()).unwrap_err();
        assert!(err.contains("x-order-id"), "{err}");
        let err = one_op(spend(serde_json::json!({"x-order-id": "id"})), created()).unwrap_err();
        assert!(err.contains("x-lookup"), "{err}");
        let err = one_op(spend(serde_json::json!({"x-order-id": "nope", "x-lookup": lookup})), created()).unwrap_err();
        assert!(err.contains("`nope` is not a property of `Created`"), "{err}");
        let bad = serde_json::json!({"where": "GET /x/{missing}"});
        let err = one_op(spend(serde_json::json!({"x-order-id": "id", "x-lookup": bad})), created()).unwrap_err();
        assert!(err.contains("{missing}"), "{err}");
        let bad = serde_json::json!({"where": "x", "match": ["a={body.zz}"]});
        let err = one_op(spend(serde_json::json!({"x-order-id": "id", "x-lookup": bad})), created()).unwrap_err();
        assert!(err.contains("`zz` is not a property"), "{err}");
        let out = one_op(spend(serde_json::json!({"x-order-id": "id", "x-lookup": lookup})), created()).unwrap();
        assert!(has(&out, r#"const ORDER_ID: Option<&'static str> = Some("id");"#), "{out}");
        assert!(
            has(&out, "::ssl_core::operation::csr_sha256(&::ssl_core::operation::field(&self.body, \"csr\"))"),
            "{out}"
        );
        let quote = serde_json::json!({"in": "body", "name": "csr", "value": "1"});
        let out =
            one_op(spend(serde_json::json!({"x-order-id": "id", "x-lookup": lookup, "x-quote": quote})), created())
                .unwrap();
        assert!(
            has(
                &out,
                "fn is_quote(&self) -> bool { ::ssl_core::facts::text_of(&self.body, \"csr\").as_deref().unwrap_or_default() == \"1\" }"
            ),
            "{out}"
        );
        // The quoted body reads its field typed (the accessor), not through a JSON copy.
        assert!(has(&out, "impl ::ssl_core::facts::Fields for Created"), "{out}");
        assert!(has(&out, "\"id\" => F::Int(self.id)"), "{out}");
        assert!(has(&out, "\"csr\" => self.csr.as_deref().map_or(F::Null, F::Str)"), "{out}");
        let mut read = spend(serde_json::json!({"x-order-id": "id"}));
        read["x-call-kind"] = "read".into();
        let err = one_op(read, created()).unwrap_err();
        assert!(err.contains("only for spends"), "{err}");
    }

    #[test]
    fn one_of_is_an_enum_and_ambiguity_is_refused() {
        let out = gen_schemas(serde_json::json!({
            "Id": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
            "Holder": {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/Id"}}}
        }));
        assert!(
            has(
                &out,
                "pub enum Id { /// The `i64` alternative. Integer(i64), /// The `String` alternative. String(String), }"
            ),
            "{out}"
        );
        assert!(has(&out, "pub id: Option<Id>,"), "{out}");
        let err = generate(
            &spec(
                serde_json::json!({"Id": {"oneOf": [{"type": "string"}, {"type": "string", "format": "date"}]}}),
                serde_json::json!({}),
            ),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("cannot be told apart"), "{err}");
        let err = generate(
            &spec(
                serde_json::json!({"Id": {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer"}]}}),
                serde_json::json!({}),
            ),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("constraints on the `oneOf` alternative"), "{err}");
        let err = generate(
            &spec(
                serde_json::json!({"A": {"type": "object", "properties": {"x": {"allOf": [{"type": "string"}]}}}}),
                serde_json::json!({}),
            ),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("allOf/anyOf/not are not supported"), "{err}");
    }

    #[test]
    fn json_api_resources_get_their_envelope() {
        let out = gen_schemas(serde_json::json!({
            "Order": {
                "type": "object",
                "x-jsonapi": {"type": "order", "relationships": {"product": {"type": "product", "required": true}, "contacts": {"type": "contact", "many": true}}},
                "properties": {"csr": {"type": "string"}}
            }
        }));
        assert!(
            has(&out, "impl ::ssl_core::jsonapi::ResourceType for Order { const TYPE: &'static str = \"order\"; }"),
            "{out}"
        );
        assert!(
            has(&out, "pub type OrderResource = ::ssl_core::jsonapi::Resource<Order, OrderRelationships>;"),
            "{out}"
        );
        assert!(has(&out, "pub type OrderListDocument = ::ssl_core::jsonapi::ListDocument<OrderResource>;"), "{out}");
        assert!(has(&out, "pub product: Option<::ssl_core::jsonapi::ToOne<::serde_json::Value>>"), "{out}");
        assert!(has(&out, "pub contacts: Option<::ssl_core::jsonapi::ToMany<::serde_json::Value>>"), "{out}");
        let err = generate(
            &spec(serde_json::json!({"Order": {"type": "object", "x-jsonapi": {"type": "order", "relations": {}}, "properties": {"a": {"type": "string"}}}}), serde_json::json!({})),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("unknown key `relations`"), "{err}");
        let err = generate(
            &spec(serde_json::json!({"Order": {"type": "object", "x-jsonapi": {"relationships": {}}, "properties": {"a": {"type": "string"}}}}), serde_json::json!({})),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("`x-jsonapi.type`"), "{err}");
    }

    #[test]
    fn bad_specs_are_refused_with_a_reason() {
        let err = generate(
            &spec(
                serde_json::json!({"A": {"type": "object", "required": ["nope"], "properties": {"a": {"type": "string"}}}}),
                serde_json::json!({}),
            ),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("`nope` is not a property"), "{err}");
        let err = generate(
            &spec(
                serde_json::json!({"A": {"type": "object", "x-require-one-of": [["zz"]], "properties": {"a": {"type": "string"}}}}),
                serde_json::json!({}),
            ),
            "t.json",
        )
        .unwrap_err();
        assert!(err.contains("`zz`"), "{err}");
        assert!(generate("{}", "t.json").is_err());
    }
}
