//! The provider-neutral model: what a caller orders ([`OrderSpec`]), what a provider reports ([`Order`]), the
//! rules of a product ([`ProductRules`]) and what a provider can do at all ([`Capabilities`]).
//!
//! Every provider crate maps its wire types to and from these; each documents its status and DCV tables.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Normalized order status. Provider crates document their raw → normalized table; the raw value is always kept
/// in [`Order::provider_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrderStatus {
    /// Not submitted yet (saved, unpaid, incomplete).
    Draft,
    /// Waiting for domain control validation.
    PendingValidation,
    /// Waiting for an approver inside the customer's account.
    PendingApproval,
    /// Submitted and being processed by the CA (validation passed or organisation checks running).
    Processing,
    /// A certificate was issued.
    Issued,
    /// The CA rejected the order.
    Rejected,
    /// The order was cancelled.
    Cancelled,
    /// The certificate was revoked.
    Revoked,
    /// The certificate or coverage expired.
    Expired,
    /// A raw status this version does not know; see [`Order::provider_status`].
    Unknown,
}

impl OrderStatus {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::PendingValidation => "pending_validation",
            Self::PendingApproval => "pending_approval",
            Self::Processing => "processing",
            Self::Issued => "issued",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Unknown => "unknown",
        }
    }

    /// True when the order will not move any more by itself (issued, rejected, cancelled, revoked, expired).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Issued | Self::Rejected | Self::Cancelled | Self::Revoked | Self::Expired)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Neutral domain control validation methods.
///
/// | neutral     | meaning                                        |
/// |-------------|------------------------------------------------|
/// | `email`     | an approver clicks a link sent to an address   |
/// | `dns`       | the provider's default DNS record              |
/// | `dns-txt`   | a TXT record                                   |
/// | `dns-cname` | a CNAME record                                 |
/// | `http`      | a file served over `http://`                   |
/// | `https`     | a file served over `https://`                  |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DcvMethod {
    /// Approver email.
    #[serde(rename = "email")]
    Email,
    /// The provider's default DNS record.
    #[serde(rename = "dns")]
    Dns,
    /// DNS TXT record.
    #[serde(rename = "dns-txt")]
    DnsTxt,
    /// DNS CNAME record.
    #[serde(rename = "dns-cname")]
    DnsCname,
    /// File over HTTP.
    #[serde(rename = "http")]
    Http,
    /// File over HTTPS.
    #[serde(rename = "https")]
    Https,
}

impl DcvMethod {
    /// Every neutral method, in display order.
    pub const ALL: [DcvMethod; 6] = [Self::Email, Self::Dns, Self::DnsTxt, Self::DnsCname, Self::Http, Self::Https];

    /// The neutral name (`dns-txt`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Dns => "dns",
            Self::DnsTxt => "dns-txt",
            Self::DnsCname => "dns-cname",
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// True for the file-based methods (`http`, `https`), which public CAs refuse for wildcard names.
    pub fn is_file_based(self) -> bool {
        matches!(self, Self::Http | Self::Https)
    }
}

impl fmt::Display for DcvMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DcvMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            let all: Vec<_> = Self::ALL.iter().map(|m| m.as_str()).collect();
            format!("unknown DCV method `{s}`; expected one of {}", all.join(", "))
        })
    }
}

/// A provider's mapping between neutral DCV methods and its wire names (the documented table of each crate).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct DcvTable(pub &'static [(DcvMethod, &'static str)]);

impl DcvTable {
    /// A table of `(neutral method, wire name)` rows (a `const` item of each provider crate).
    ///
    /// ```
    /// use ssl_core::model::{DcvMethod, DcvTable};
    /// const DCV: DcvTable = DcvTable::new(&[(DcvMethod::Dns, "dns"), (DcvMethod::Email, "email")]);
    /// assert_eq!(DCV.wire(DcvMethod::Email), Some("email"));
    /// ```
    pub const fn new(rows: &'static [(DcvMethod, &'static str)]) -> Self {
        Self(rows)
    }

    /// The wire name for a neutral method, if the provider has it.
    pub fn wire(&self, method: DcvMethod) -> Option<&'static str> {
        self.0.iter().find(|(m, _)| *m == method).map(|(_, w)| *w)
    }

    /// The neutral method for a wire name (case-insensitive). The first row wins when two neutral names share a
    /// wire name (e.g. `dns` and `dns-txt`).
    pub fn neutral(&self, wire: &str) -> Option<DcvMethod> {
        self.0.iter().find(|(_, w)| w.eq_ignore_ascii_case(wire)).map(|(m, _)| *m)
    }

    /// The neutral methods this provider offers.
    pub fn methods(&self) -> Vec<DcvMethod> {
        self.0.iter().map(|(m, _)| *m).collect()
    }
}

/// A provider's order statuses as neutral ones (the documented status table of each crate): one row per raw status.
/// Raw statuses compare case-insensitively, surrounding blanks ignored, and `canceled` and `cancelled` are the
/// same status; a raw status not in the table is [`OrderStatus::Unknown`] (the raw value is kept in
/// [`Order::provider_status`]).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StatusTable(pub &'static [(&'static str, OrderStatus)]);

impl StatusTable {
    /// A table of `(raw status, neutral status)` rows (a `const` item of each provider crate).
    pub const fn new(rows: &'static [(&'static str, OrderStatus)]) -> Self {
        Self(rows)
    }

    /// The neutral status of a raw one, if the table has it.
    pub fn get(&self, raw: &str) -> Option<OrderStatus> {
        let cancel = |s: &str| s.eq_ignore_ascii_case("canceled") || s.eq_ignore_ascii_case("cancelled");
        let raw = raw.trim();
        let same = |w: &str| w.eq_ignore_ascii_case(raw) || (cancel(w) && cancel(raw));
        self.0.iter().find(|(w, _)| same(w)).map(|(_, s)| *s)
    }

    /// The neutral status of a raw one; [`OrderStatus::Unknown`] when the table does not have it.
    pub fn neutral(&self, raw: &str) -> OrderStatus {
        self.get(raw).unwrap_or(OrderStatus::Unknown)
    }

    /// The provider's one raw status for `status` (to filter a listing by it); `None` when no row or several rows
    /// have it (the listing is then filtered locally).
    pub fn wire(&self, status: OrderStatus) -> Option<&'static str> {
        let mut rows = self.0.iter().filter(|(_, s)| *s == status);
        match (rows.next(), rows.next()) {
            (Some((w, _)), None) => Some(*w),
            _ => None,
        }
    }
}

/// The names of a certificate: the common name first, then the other names without repeats (compared
/// case-insensitively), blanks dropped.
pub fn dns_names<'a>(common_name: Option<&'a str>, sans: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in common_name.into_iter().chain(sans).map(str::trim) {
        if !n.is_empty() && !names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
            names.push(n.to_owned());
        }
    }
    names
}

/// `#[must_use]` builder setters of `Option<String>` fields, one per `name => field` line.
macro_rules! text_setters {
    ($($(#[$doc:meta])* $name:ident => $field:ident;)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(mut self, value: impl Into<String>) -> Self {
                self.$field = Some(value.into());
                self
            }
        )*
    };
}

/// A person named on an order. Field names are shared by every provider (`--contacts FILE`). Build with
/// [`Contact::new`] and the `with_*` setters.
///
/// ```
/// use ssl_core::model::Contact;
/// let admin = Contact::new()
///     .with_name("Ada", "Lovelace")
///     .with_email("ada@example.com")
///     .with_phone("+44 20 7946 0000")
///     .with_country("GB");
/// assert_eq!(admin.email.as_deref(), Some("ada@example.com"));
/// assert_eq!(admin.last_name.as_deref(), Some("Lovelace"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Contact {
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Fax number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Organisation name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Contact {
    /// A contact with every field empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the given and family names.
    #[must_use]
    pub fn with_name(self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.with_first_name(first).with_last_name(last)
    }

    text_setters! {
        /// Set the given name.
        with_first_name => first_name;
        /// Set the family name.
        with_last_name => last_name;
        /// Set the email address.
        with_email => email;
        /// Set the telephone number.
        with_phone => phone;
        /// Set the fax number.
        with_fax => fax;
        /// Set the job title.
        with_title => title;
        /// Set the organisation name.
        with_organization => organization;
        /// Set the street address.
        with_address => address;
        /// Set the city.
        with_city => city;
        /// Set the state, province or region.
        with_region => region;
        /// Set the postal code.
        with_postal_code => postal_code;
        /// Set the ISO 3166-1 alpha-2 country code.
        with_country => country;
    }
}

/// The organisation an OV/EV certificate names. Build with [`Organization::new`] and the `with_*` setters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Organization {
    /// The provider's id for an organisation already on file (DigiCert `organization.id`, Nameshield id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Division / unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// DUNS number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duns: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State, province or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Fax number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
}

impl Organization {
    /// An organisation with every field empty.
    pub fn new() -> Self {
        Self::default()
    }

    text_setters! {
        /// Set the provider's id of an organisation already on file.
        with_id => id;
        /// Set the legal name.
        with_name => name;
        /// Set the division / unit.
        with_division => division;
        /// Set the DUNS number.
        with_duns => duns;
        /// Set the street address.
        with_address => address;
        /// Set the city.
        with_city => city;
        /// Set the state, province or region.
        with_region => region;
        /// Set the postal code.
        with_postal_code => postal_code;
        /// Set the ISO 3166-1 alpha-2 country code.
        with_country => country;
        /// Set the telephone number.
        with_phone => phone;
        /// Set the fax number.
        with_fax => fax;
    }
}

/// Admin, tech and organisation details (`--contacts FILE`, TOML or JSON). Build with [`Contacts::new`] and the
/// `with_*` setters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Contacts {
    /// Administrative contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<Contact>,
    /// Technical contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tech: Option<Contact>,
    /// The organisation (OV/EV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
}

impl Contacts {
    /// No contacts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the administrative contact.
    #[must_use]
    pub fn with_admin(mut self, contact: Contact) -> Self {
        self.admin = Some(contact);
        self
    }

    /// Set the technical contact.
    #[must_use]
    pub fn with_tech(mut self, contact: Contact) -> Self {
        self.tech = Some(contact);
        self
    }

    /// Set the organisation.
    #[must_use]
    pub fn with_organization(mut self, organization: Organization) -> Self {
        self.organization = Some(organization);
        self
    }
}

/// What the caller wants to order. Build with [`OrderSpec::new`] and the setters; struct literals are refused
/// outside this crate (`#[non_exhaustive]`), so new fields can be added without breaking callers.
///
/// ```
/// use ssl_core::model::{DcvMethod, OrderSpec};
/// let spec = OrderSpec::new("ssl_dv_geotrust", "shop.example.com", DcvMethod::Dns)
///     .san("www.shop.example.com")
///     .term_months(12);
/// assert_eq!(spec.all_names(), vec!["shop.example.com", "www.shop.example.com"]);
/// ```
///
/// An OV order with contacts, a caller reference and a provider option:
///
/// ```
/// use ssl_core::model::{Contact, Contacts, DcvMethod, OrderSpec, Organization};
/// let admin = Contact::new().with_name("Ada", "Lovelace").with_email("ada@example.com");
/// let contacts = Contacts::new()
///     .with_admin(admin.clone())
///     .with_tech(admin)
///     .with_organization(Organization::new().with_id("123456"));
/// let spec = OrderSpec::new("ssl_plus", "example.com", DcvMethod::Email)
///     .sans(["www.example.com", "mail.example.com"])
///     .term_months(24)
///     .approver_email("*", "admin@example.com")
///     .contacts(contacts)
///     .client_reference("order-42")
///     .option("server_platform", 2);
/// assert_eq!(spec.sans.len(), 2);
/// assert_eq!(spec.client_reference.as_deref(), Some("order-42"));
/// ```
///
/// A struct literal does not compile outside `ssl_core`, so the type can grow:
///
/// ```compile_fail,E0639
/// use std::collections::BTreeMap;
/// use ssl_core::model::{Contacts, DcvMethod, OrderSpec};
/// let spec = OrderSpec {
///     product: "ssl_plus".into(),
///     term_months: 12,
///     csr: None,
///     common_name: "example.com".into(),
///     sans: Vec::new(),
///     dcv: DcvMethod::Dns,
///     dcv_per_host: BTreeMap::new(),
///     approver_emails: BTreeMap::new(),
///     contacts: Contacts::default(),
///     options: BTreeMap::new(),
///     client_reference: None,
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderSpec {
    /// The provider's product id.
    pub product: String,
    /// Coverage bought, in months (12 = one year).
    pub term_months: u32,
    /// The CSR in PEM. Required to place an order; a dry run may go without.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csr: Option<String>,
    /// The primary name (certificate common name).
    pub common_name: String,
    /// Additional names (SANs), without the common name.
    #[serde(default)]
    pub sans: Vec<String>,
    /// DCV method for every host without an entry in `dcv_per_host`.
    pub dcv: DcvMethod,
    /// DCV method per host, where it differs from `dcv`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dcv_per_host: BTreeMap<String, DcvMethod>,
    /// Approver email per host (email DCV). The key `*` applies to every host without its own entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approver_emails: BTreeMap<String, String>,
    /// Admin / tech / organisation details.
    #[serde(default)]
    pub contacts: Contacts,
    /// Provider-specific options by wire-ish name (e.g. DigiCert `server_platform`, `payment_method`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, serde_json::Value>,
    /// The caller's own reference for the order (used to reconcile after an ambiguous failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
}

impl OrderSpec {
    /// A 12-month order for one name.
    pub fn new(product: impl Into<String>, common_name: impl Into<String>, dcv: DcvMethod) -> Self {
        Self {
            product: product.into(),
            term_months: 12,
            csr: None,
            common_name: common_name.into(),
            sans: Vec::new(),
            dcv,
            dcv_per_host: BTreeMap::new(),
            approver_emails: BTreeMap::new(),
            contacts: Contacts::default(),
            options: BTreeMap::new(),
            client_reference: None,
        }
    }

    /// Add a SAN (ignored when equal to the common name or already present).
    #[must_use]
    pub fn san(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        if !name.eq_ignore_ascii_case(&self.common_name) && !self.sans.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
            self.sans.push(name);
        }
        self
    }

    /// Add SANs ([`OrderSpec::san`] for each).
    #[must_use]
    pub fn sans<S: Into<String>>(self, names: impl IntoIterator<Item = S>) -> Self {
        names.into_iter().fold(self, |spec, n| spec.san(n))
    }

    /// Set the product id.
    #[must_use]
    pub fn product(mut self, id: impl Into<String>) -> Self {
        self.product = id.into();
        self
    }

    /// Set the DCV method of every host without its own ([`OrderSpec::dcv_for`]).
    #[must_use]
    pub fn dcv(mut self, method: DcvMethod) -> Self {
        self.dcv = method;
        self
    }

    /// Set the admin / tech / organisation details.
    #[must_use]
    pub fn contacts(mut self, contacts: Contacts) -> Self {
        self.contacts = contacts;
        self
    }

    /// Set the caller's own reference for the order.
    #[must_use]
    pub fn client_reference(mut self, reference: impl Into<String>) -> Self {
        self.client_reference = Some(reference.into());
        self
    }

    /// Set the term in months.
    #[must_use]
    pub fn term_months(mut self, months: u32) -> Self {
        self.term_months = months;
        self
    }

    /// Set the CSR (PEM).
    #[must_use]
    pub fn csr(mut self, pem: impl Into<String>) -> Self {
        self.csr = Some(pem.into());
        self
    }

    /// Set the approver email of one host (`*` for all hosts without their own).
    #[must_use]
    pub fn approver_email(mut self, host: impl Into<String>, email: impl Into<String>) -> Self {
        self.approver_emails.insert(host.into(), email.into());
        self
    }

    /// Set a DCV method for one host.
    #[must_use]
    pub fn dcv_for(mut self, host: impl Into<String>, method: DcvMethod) -> Self {
        self.dcv_per_host.insert(host.into(), method);
        self
    }

    /// Set a provider option.
    #[must_use]
    pub fn option(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    /// A provider option as text (strings as they are, other JSON values printed).
    pub fn option_str(&self, key: &str) -> Option<String> {
        self.options.get(key).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// A provider option as an integer (a number or a numeric string); anything else adds an `option_type`
    /// problem.
    pub fn option_i64(&self, key: &str, problems: &mut Vec<crate::Problem>) -> Option<i64> {
        let v = self.options.get(key)?;
        let n = match v {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if n.is_none() {
            problems.push(
                crate::Problem::error("option_type", format!("option `{key}` must be an integer")).with_field(key),
            );
        }
        n
    }

    /// A provider option as a boolean (`true`/`false`, `1`/`0`, as JSON or text); anything else adds an
    /// `option_type` problem.
    pub fn option_bool(&self, key: &str, problems: &mut Vec<crate::Problem>) -> Option<bool> {
        let v = self.options.get(key)?;
        let b = match v {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(s) => match s.trim() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            serde_json::Value::Number(n) => n.as_i64().map(|n| n != 0),
            _ => None,
        };
        if b.is_none() {
            problems.push(
                crate::Problem::error("option_type", format!("option `{key}` must be true or false")).with_field(key),
            );
        }
        b
    }

    /// Common name first, then the SANs.
    pub fn all_names(&self) -> Vec<&str> {
        std::iter::once(self.common_name.as_str()).chain(self.sans.iter().map(String::as_str)).collect()
    }

    /// The DCV method that applies to `host`.
    pub fn dcv_method_for(&self, host: &str) -> DcvMethod {
        self.dcv_per_host.iter().find(|(h, _)| h.eq_ignore_ascii_case(host)).map(|(_, m)| *m).unwrap_or(self.dcv)
    }

    /// The approver email that applies to `host`: its own entry (a wildcard host also matches an entry for its
    /// base name, `*.example.com` ← `example.com`), else `*`.
    ///
    /// ```
    /// use ssl_core::model::{DcvMethod, OrderSpec};
    /// let spec = OrderSpec::new("p", "*.example.com", DcvMethod::Email)
    ///     .approver_email("example.com", "hostmaster@example.com")
    ///     .approver_email("*", "admin@example.org");
    /// assert_eq!(spec.approver_for("*.example.com"), Some("hostmaster@example.com"));
    /// assert_eq!(spec.approver_for("other.example.org"), Some("admin@example.org"));
    /// ```
    pub fn approver_for(&self, host: &str) -> Option<&str> {
        let bare = host.strip_prefix("*.").unwrap_or(host);
        self.approver_emails
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .or_else(|| self.approver_emails.iter().find(|(h, _)| h.as_str() != "*" && h.eq_ignore_ascii_case(bare)))
            .or_else(|| self.approver_emails.get_key_value("*"))
            .map(|(_, e)| e.as_str())
    }
}

/// The date at the start of a provider timestamp (`2027-03-01`, `2027-03-01T10:00:00Z`, `2027-03-01 10:00:00`).
///
/// ```
/// assert_eq!(ssl_core::model::parse_date("2027-03-01T10:00:00+00:00").unwrap().to_string(), "2027-03-01");
/// assert!(ssl_core::model::parse_date("03/01/2027").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim().get(..10)?, &fmt).ok()
}

/// What a reissue changes. Everything optional keeps the order's current value. Build with [`ReissueSpec::new`]
/// and the `with_*` setters.
///
/// ```
/// use ssl_core::model::{DcvMethod, ReissueSpec};
/// let spec = ReissueSpec::new().with_csr("-----BEGIN CERTIFICATE REQUEST-----...").with_dcv(DcvMethod::Dns);
/// assert!(spec.sans.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReissueSpec {
    /// The new CSR (PEM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csr: Option<String>,
    /// New common name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// New SAN list (without the common name); `None` keeps the current one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sans: Option<Vec<String>>,
    /// New DCV method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dcv: Option<DcvMethod>,
    /// Approver emails per host.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approver_emails: BTreeMap<String, String>,
}

impl ReissueSpec {
    /// A reissue that changes nothing but the certificate.
    pub fn new() -> Self {
        Self::default()
    }

    text_setters! {
        /// Set the new CSR (PEM).
        with_csr => csr;
        /// Set the new common name.
        with_common_name => common_name;
    }

    /// Set the new SAN list (without the common name).
    #[must_use]
    pub fn with_sans<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.sans = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Set the new DCV method.
    #[must_use]
    pub fn with_dcv(mut self, method: DcvMethod) -> Self {
        self.dcv = Some(method);
        self
    }

    /// Set the approver email of one host (`*` for all hosts without their own).
    #[must_use]
    pub fn with_approver_email(mut self, host: impl Into<String>, email: impl Into<String>) -> Self {
        self.approver_emails.insert(host.into(), email.into());
        self
    }
}

/// DCV state of one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DcvStatus {
    /// Not validated yet.
    Pending,
    /// Validated.
    Valid,
    /// Validation failed.
    Failed,
    /// The provider does not say.
    Unknown,
}

/// A DNS record to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DnsRecord {
    /// Fully qualified record name.
    pub name: String,
    /// `TXT` or `CNAME`.
    #[serde(rename = "type")]
    pub record_type: String,
    /// Record value.
    pub value: String,
}

impl DnsRecord {
    /// A record (`record_type`: `TXT` or `CNAME`).
    pub fn new(name: impl Into<String>, record_type: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), record_type: record_type.into(), value: value.into() }
    }
}

/// A file to serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HttpFile {
    /// Full URL the CA fetches.
    pub url: String,
    /// Exact file content.
    pub content: String,
}

impl HttpFile {
    /// A file to serve at `url`.
    pub fn new(url: impl Into<String>, content: impl Into<String>) -> Self {
        Self { url: url.into(), content: content.into() }
    }
}

/// Approver addresses for email DCV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailDcv {
    /// Addresses the CA sends (or may send) the approval mail to.
    pub approvers: Vec<String>,
}

impl EmailDcv {
    /// The approver addresses.
    pub fn new(approvers: Vec<String>) -> Self {
        Self { approvers }
    }
}

/// What one host must do to pass DCV, by kind. An unknown wire method stays [`DcvCheck::Unknown`]: it is never
/// coerced to DNS or email.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DcvCheck {
    /// Publish a DNS record (`dns`, `dns-txt` or `dns-cname`); `None` while the provider has not given it.
    Dns {
        /// Neutral method.
        method: DcvMethod,
        /// The record.
        record: Option<DnsRecord>,
    },
    /// Serve a file (`http` or `https`).
    Http {
        /// Neutral method.
        method: DcvMethod,
        /// The file.
        file: Option<HttpFile>,
    },
    /// An approver clicks a link sent to one of these addresses.
    Email {
        /// The addresses.
        approvers: Vec<String>,
    },
    /// A wire method this version does not know (raw value in [`DcvInstruction::provider_method`]).
    Unknown,
}

impl DcvCheck {
    /// The check for a neutral method without details yet.
    pub fn empty(method: DcvMethod) -> Self {
        match method {
            DcvMethod::Email => Self::Email { approvers: Vec::new() },
            DcvMethod::Http | DcvMethod::Https => Self::Http { method, file: None },
            DcvMethod::Dns | DcvMethod::DnsTxt | DcvMethod::DnsCname => Self::Dns { method, record: None },
        }
    }
}

/// What to do for one host to pass DCV. JSON: `{host, method, provider_method, status, dns, http, email}`, with
/// `method: "unknown"` for a wire method this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "DcvJson", from = "DcvJson")]
#[non_exhaustive]
pub struct DcvInstruction {
    /// The host name.
    pub host: String,
    /// The provider's wire name of the method.
    pub provider_method: String,
    /// State of this host's validation.
    pub status: DcvStatus,
    /// What to publish.
    pub check: DcvCheck,
}

impl DcvInstruction {
    /// An instruction.
    pub fn new(
        host: impl Into<String>,
        provider_method: impl Into<String>,
        status: DcvStatus,
        check: DcvCheck,
    ) -> Self {
        Self { host: host.into(), provider_method: provider_method.into(), status, check }
    }

    /// The neutral method; `None` for a wire method this version does not know.
    pub fn method(&self) -> Option<DcvMethod> {
        match &self.check {
            DcvCheck::Dns { method, .. } | DcvCheck::Http { method, .. } => Some(*method),
            DcvCheck::Email { .. } => Some(DcvMethod::Email),
            DcvCheck::Unknown => None,
        }
    }

    /// The DNS record to publish, if any.
    pub fn dns(&self) -> Option<&DnsRecord> {
        match &self.check {
            DcvCheck::Dns { record, .. } => record.as_ref(),
            _ => None,
        }
    }

    /// The file to serve, if any.
    pub fn http(&self) -> Option<&HttpFile> {
        match &self.check {
            DcvCheck::Http { file, .. } => file.as_ref(),
            _ => None,
        }
    }

    /// The approver addresses (email DCV).
    pub fn approvers(&self) -> Option<&[String]> {
        match &self.check {
            DcvCheck::Email { approvers } => Some(approvers),
            _ => None,
        }
    }
}

/// The JSON shape of a [`DcvInstruction`].
#[derive(Serialize, Deserialize)]
struct DcvJson {
    host: String,
    method: String,
    provider_method: String,
    status: DcvStatus,
    #[serde(default)]
    dns: Option<DnsRecord>,
    #[serde(default)]
    http: Option<HttpFile>,
    #[serde(default)]
    email: Option<EmailDcv>,
}

impl From<DcvInstruction> for DcvJson {
    fn from(d: DcvInstruction) -> Self {
        let method = d.method().map_or("unknown", DcvMethod::as_str).to_owned();
        let (dns, http, email) = match d.check {
            DcvCheck::Dns { record, .. } => (record, None, None),
            DcvCheck::Http { file, .. } => (None, file, None),
            DcvCheck::Email { approvers } => (None, None, Some(EmailDcv { approvers })),
            DcvCheck::Unknown => (None, None, None),
        };
        Self { host: d.host, method, provider_method: d.provider_method, status: d.status, dns, http, email }
    }
}

impl From<DcvJson> for DcvInstruction {
    fn from(j: DcvJson) -> Self {
        let check = match j.method.parse::<DcvMethod>() {
            Ok(DcvMethod::Email) => DcvCheck::Email { approvers: j.email.map(|e| e.approvers).unwrap_or_default() },
            Ok(m @ (DcvMethod::Http | DcvMethod::Https)) => DcvCheck::Http { method: m, file: j.http },
            Ok(m) => DcvCheck::Dns { method: m, record: j.dns },
            Err(_) => DcvCheck::Unknown,
        };
        Self { host: j.host, provider_method: j.provider_method, status: j.status, check }
    }
}

/// Something that went wrong without failing the command (a certificate that could not be downloaded while
/// the order reads fine, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Warning {
    /// Stable code (`download_failed`).
    pub code: String,
    /// What happened.
    pub message: String,
}

impl Warning {
    /// A warning.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into() }
    }
}

/// A summary of an issued leaf certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CertificateInfo {
    /// Serial number, lowercase hex.
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity of *this certificate* (at most 199 days since 2026), not of the coverage bought.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, lowercase hex.
    pub fingerprint_sha256: String,
}

impl CertificateInfo {
    /// A summary.
    pub fn new(
        serial: impl Into<String>,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        fingerprint_sha256: impl Into<String>,
    ) -> Self {
        Self { serial: serial.into(), not_before, not_after, fingerprint_sha256: fingerprint_sha256.into() }
    }
}

/// The state of an order as the provider reports it. Build with [`Order::new`] and set the fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Order {
    /// Provider name (`digicert`, `gogetssl`, ...).
    pub provider: String,
    /// The provider's order id.
    pub order_id: String,
    /// The provider's id of the current certificate, where it has one apart from the order (Realtime Register,
    /// Nameshield, DigiCert).
    #[serde(default)]
    pub certificate_id: Option<String>,
    /// The product ordered, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// The caller's reference, where the provider keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
    /// When the order was created, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Date>,
    /// Normalized status.
    pub status: OrderStatus,
    /// The provider's raw status string.
    pub provider_status: String,
    /// Primary name.
    pub common_name: String,
    /// Every name the order covers (common name included).
    pub dns_names: Vec<String>,
    /// DCV instructions per host.
    pub dcv: Vec<DcvInstruction>,
    /// End of the coverage bought (the plan), kept apart from the certificate's `not_after`.
    #[serde(default)]
    pub coverage_ends: Option<Date>,
    /// The current certificate when issued.
    #[serde(default)]
    pub certificate: Option<CertificateInfo>,
    /// What went wrong without failing the read (a certificate download, say).
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// Set when the order waits for the customer outside the API (a one-time link to complete a validation): a
    /// sentence saying what to do. `--wait` stops on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
    /// The provider's raw response, for what the neutral model does not carry. Not part of the JSON output.
    #[serde(skip)]
    pub raw: Option<serde_json::Value>,
}

impl Order {
    /// An order with its ids and status; every other field empty.
    pub fn new(
        provider: impl Into<String>,
        order_id: impl Into<String>,
        status: OrderStatus,
        provider_status: impl Into<String>,
    ) -> Self {
        Self {
            provider: provider.into(),
            order_id: order_id.into(),
            certificate_id: None,
            product: None,
            client_reference: None,
            created: None,
            status,
            provider_status: provider_status.into(),
            common_name: String::new(),
            dns_names: Vec::new(),
            dcv: Vec::new(),
            coverage_ends: None,
            certificate: None,
            warnings: Vec::new(),
            attention: None,
            raw: None,
        }
    }
}

/// Which orders [`crate::Provider::list_orders`] returns. Every field is optional; the provider filters on its
/// side where its API can, and [`OrderFilter::matches`] does the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderFilter {
    /// Orders whose common name (or any name) equals this, case-insensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// Orders created on or after this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// Orders in this neutral status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// Order ids the caller already knows and needs no listing entry for (the order journal leaves out the orders
    /// it has matched to other requests): they are never returned, and a provider that must read each order to
    /// filter (GoGetSSL's listing has ids and statuses only) does not read them.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub exclude_ids: BTreeSet<String>,
    /// Which page.
    #[serde(default)]
    pub page: PageRequest,
}

impl OrderFilter {
    /// Every order, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only orders for this name.
    #[must_use]
    pub fn common_name(mut self, name: impl Into<String>) -> Self {
        self.common_name = Some(name.into());
        self
    }

    /// Only orders created on or after this day.
    #[must_use]
    pub fn since(mut self, day: Date) -> Self {
        self.since = Some(day);
        self
    }

    /// Only orders in this status.
    #[must_use]
    pub fn status(mut self, status: OrderStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Leave out these order ids ([`OrderFilter::exclude_ids`]).
    #[must_use]
    pub fn exclude_ids(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.exclude_ids.extend(ids);
        self
    }

    /// Page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.page.limit = Some(limit);
        self
    }

    /// The page after the one that returned this cursor ([`OrderPage::next`]).
    #[must_use]
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.page.cursor = Some(cursor.into());
        self
    }

    /// Whether `order` passes the filter (an order without a creation date passes `since`; an excluded id never
    /// does).
    pub fn matches(&self, order: &Order) -> bool {
        let name_ok = self.common_name.as_deref().is_none_or(|n| {
            order.common_name.eq_ignore_ascii_case(n) || order.dns_names.iter().any(|d| d.eq_ignore_ascii_case(n))
        });
        let since_ok = match (self.since, order.created) {
            (Some(s), Some(c)) => c >= s,
            _ => true,
        };
        name_ok
            && since_ok
            && self.status.is_none_or(|s| s == order.status)
            && !self.exclude_ids.contains(&order.order_id)
    }
}

/// Which page of a listing to fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PageRequest {
    /// The opaque cursor an earlier [`OrderPage::next`] returned; `None` for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size (the provider's default when `None`; capped at its maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One page of orders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderPage {
    /// The orders (listing entries: DCV details and certificates may be absent; `get` reads one in full).
    pub orders: Vec<Order>,
    /// The cursor of the next page; `None` on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// How many orders match in all, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

impl OrderPage {
    /// A page.
    pub fn new(orders: Vec<Order>, next: Option<String>, total: Option<u64>) -> Self {
        Self { orders, next, total }
    }
}

/// Leaf and intermediates in PEM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CertificateBundle {
    /// The leaf certificate.
    pub leaf_pem: String,
    /// Intermediates, leaf-most first; never the root.
    pub intermediates_pem: Vec<String>,
    /// The root, when the provider sent one (not written to `chain.pem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_pem: Option<String>,
}

impl CertificateBundle {
    /// A leaf and its intermediates (leaf-most first), without a root.
    pub fn new(leaf_pem: impl Into<String>, intermediates_pem: Vec<String>) -> Self {
        Self { leaf_pem: leaf_pem.into(), intermediates_pem, root_pem: None }
    }

    /// Set the root the provider sent.
    #[must_use]
    pub fn with_root(mut self, root_pem: impl Into<String>) -> Self {
        self.root_pem = Some(root_pem.into());
        self
    }

    /// Leaf followed by the intermediates.
    pub fn fullchain_pem(&self) -> String {
        let mut out = ensure_newline(&self.leaf_pem);
        for i in &self.intermediates_pem {
            out.push_str(&ensure_newline(i));
        }
        out
    }

    /// The intermediates only.
    pub fn chain_pem(&self) -> String {
        self.intermediates_pem.iter().map(|i| ensure_newline(i)).collect()
    }
}

fn ensure_newline(s: &str) -> String {
    let t = s.trim();
    format!("{t}\n")
}

/// Validation level of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValidationLevel {
    /// Domain validated.
    Dv,
    /// Organisation validated.
    Ov,
    /// Extended validation.
    Ev,
}

/// The rules of one product, checked by the pre-flight before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductRules {
    /// Provider product id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// DV / OV / EV.
    pub validation: ValidationLevel,
    /// Whether wildcard names are allowed.
    pub wildcard: bool,
    /// Whether additional names (SANs) are allowed at all.
    pub multi_domain: bool,
    /// Most names on one certificate, common name included (`None`: no published limit).
    pub max_names: Option<u32>,
    /// Terms offered, in months.
    pub periods_months: Vec<u32>,
    /// DCV methods the product accepts.
    pub dcv_methods: Vec<DcvMethod>,
    /// Neutral field paths the product requires (e.g. `organization.id`, `contacts.admin.email`).
    #[serde(default)]
    pub required_fields: Vec<String>,
}

impl ProductRules {
    /// A single-name product without wildcards, 12 months, no DCV method and no required field yet; set the rest
    /// with the `with_*` setters.
    ///
    /// ```
    /// use ssl_core::model::{DcvMethod, ProductRules, ValidationLevel};
    /// let rules = ProductRules::new("dv_multi", "DV multi-domain", ValidationLevel::Dv)
    ///     .with_multi_domain(true)
    ///     .with_max_names(Some(5))
    ///     .with_periods_months(vec![12, 24])
    ///     .with_dcv_methods(vec![DcvMethod::Dns, DcvMethod::Email]);
    /// assert!(!rules.wildcard);
    /// ```
    pub fn new(id: impl Into<String>, name: impl Into<String>, validation: ValidationLevel) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            validation,
            wildcard: false,
            multi_domain: false,
            max_names: None,
            periods_months: vec![12],
            dcv_methods: Vec::new(),
            required_fields: Vec::new(),
        }
    }

    /// Set whether wildcard names are allowed.
    #[must_use]
    pub fn with_wildcard(mut self, wildcard: bool) -> Self {
        self.wildcard = wildcard;
        self
    }

    /// Set whether additional names (SANs) are allowed.
    #[must_use]
    pub fn with_multi_domain(mut self, multi_domain: bool) -> Self {
        self.multi_domain = multi_domain;
        self
    }

    /// Set the most names on one certificate, common name included (`None`: no published limit).
    #[must_use]
    pub fn with_max_names(mut self, max_names: Option<u32>) -> Self {
        self.max_names = max_names;
        self
    }

    /// Set the terms offered, in months.
    #[must_use]
    pub fn with_periods_months(mut self, periods_months: Vec<u32>) -> Self {
        self.periods_months = periods_months;
        self
    }

    /// Set the DCV methods the product accepts.
    #[must_use]
    pub fn with_dcv_methods(mut self, dcv_methods: Vec<DcvMethod>) -> Self {
        self.dcv_methods = dcv_methods;
        self
    }

    /// Set the neutral field paths the product requires.
    #[must_use]
    pub fn with_required_fields<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.required_fields = paths.into_iter().map(Into::into).collect();
        self
    }
}

/// A provider's price for an order. Build with [`Quote::new`] and set the fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Quote {
    /// Product id.
    pub product: String,
    /// Term in months.
    pub term_months: u32,
    /// Price as the provider wrote it (decimal string).
    pub price: Option<String>,
    /// Currency code.
    pub currency: Option<String>,
    /// Whether the provider checked the full order (GoGetSSL `only_validate`) or only priced the product.
    pub validated: bool,
    /// Where the price comes from when it is not a quote of this order ("product prices (reseller price); nothing
    /// was validated or placed").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The price's parts, when the provider itemizes it (Realtime Register `billables`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<QuoteLine>,
}

impl Quote {
    /// A quote of `product` for `term_months`, without a price yet.
    pub fn new(product: impl Into<String>, term_months: u32) -> Self {
        Self {
            product: product.into(),
            term_months,
            price: None,
            currency: None,
            validated: false,
            basis: None,
            lines: Vec::new(),
        }
    }
}

/// One part of a [`Quote`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QuoteLine {
    /// What is billed (a product or SAN).
    pub product: String,
    /// The action (`create`, `renew`, `reissue`, ...).
    pub action: Option<String>,
    /// How many.
    pub quantity: Option<u32>,
    /// Price as the provider wrote it (decimal string).
    pub price: Option<String>,
}

impl QuoteLine {
    /// A line.
    pub fn new(
        product: impl Into<String>,
        action: Option<String>,
        quantity: Option<u32>,
        price: Option<String>,
    ) -> Self {
        Self { product: product.into(), action, quantity, price }
    }
}

/// The lifecycle verbs of [`crate::Provider`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verb {
    /// List products.
    Products,
    /// Price an order.
    Quote,
    /// Place an order.
    Place,
    /// Read an order.
    Get,
    /// Change the DCV method.
    ChangeDcv,
    /// Ask the CA to check DCV now.
    RecheckDcv,
    /// Download the certificate.
    Download,
    /// Reissue inside the coverage.
    Reissue,
    /// Renew (new order for the next term).
    Renew,
    /// Cancel.
    Cancel,
    /// Revoke.
    Revoke,
    /// List orders.
    ListOrders,
    /// Send a draft order to the CA (Openprovider).
    Submit,
}

impl Verb {
    /// Every verb.
    pub const ALL: [Verb; 13] = [
        Self::Products,
        Self::Quote,
        Self::Place,
        Self::Get,
        Self::ChangeDcv,
        Self::RecheckDcv,
        Self::Download,
        Self::Reissue,
        Self::Renew,
        Self::Cancel,
        Self::Revoke,
        Self::ListOrders,
        Self::Submit,
    ];
}

/// What a provider can do, known before calling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Capabilities {
    /// Verbs that work. A verb not listed returns [`crate::Error::Unsupported`].
    pub verbs: Vec<Verb>,
    /// Neutral DCV methods the provider offers on the wire.
    pub dcv_methods: Vec<DcvMethod>,
    /// Whether a DCV method can be chosen per host.
    pub dcv_per_host: bool,
    /// Whether the provider accepts a caller reference to reconcile ambiguous failures.
    pub client_reference: bool,
    /// Whether a reissue is a new order: its answer names a new order id, which carries the new certificate,
    /// while the reissued order keeps its own (Nameshield, Realtime Register: a reissue is a new order/process).
    /// `false`: the same order gets the new certificate.
    #[serde(default)]
    pub reissue_new_order: bool,
    /// Whether a renewal stays on the same order, with a later coverage end (Openprovider). `false`: a renewal is a
    /// new order, linked to the renewed one, which stays issued.
    #[serde(default)]
    pub renew_in_place: bool,
}

impl Capabilities {
    /// Every verb, the DCV methods of `table`, and every flag off; narrow it with the methods below.
    pub fn new(table: DcvTable) -> Self {
        Self {
            verbs: Verb::ALL.to_vec(),
            dcv_methods: table.methods(),
            dcv_per_host: false,
            client_reference: false,
            reissue_new_order: false,
            renew_in_place: false,
        }
    }

    /// Without these verbs.
    #[must_use]
    pub fn without(mut self, verbs: &[Verb]) -> Self {
        self.verbs.retain(|v| !verbs.contains(v));
        self
    }

    /// A DCV method can be chosen per host.
    #[must_use]
    pub fn dcv_per_host(mut self) -> Self {
        self.dcv_per_host = true;
        self
    }

    /// The provider takes a caller reference.
    #[must_use]
    pub fn client_reference(mut self) -> Self {
        self.client_reference = true;
        self
    }

    /// A reissue is a new order (its answer names the new order).
    #[must_use]
    pub fn reissue_new_order(mut self) -> Self {
        self.reissue_new_order = true;
        self
    }

    /// A renewal stays on the same order, with a later coverage end.
    #[must_use]
    pub fn renew_in_place(mut self) -> Self {
        self.renew_in_place = true;
        self
    }

    /// True when `verb` is supported.
    pub fn supports(&self, verb: Verb) -> bool {
        self.verbs.contains(&verb)
    }
}
