//! The registry: the only place that names provider modules. Adding a provider is one module file plus its two
//! lines here (the `mod` and its entry in [`PROVIDERS`]).

use crate::kit::def::ProviderDef;

#[path = "digicert.rs"]
pub mod digicert;
#[path = "gogetssl.rs"]
pub mod gogetssl;
#[path = "nameshield.rs"]
pub mod nameshield;
#[path = "openprovider.rs"]
pub mod openprovider;
#[path = "rtr.rs"]
pub mod rtr;

/// Every provider the sandbox serves.
pub(crate) static PROVIDERS: &[&ProviderDef] =
    &[&digicert::DEF, &gogetssl::DEF, &nameshield::DEF, &openprovider::DEF, &rtr::DEF];

/// The provider called `name`.
pub(crate) fn provider(name: &str) -> Option<&'static ProviderDef> {
    PROVIDERS.iter().copied().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The provider whose prefix `path` is under.
pub(crate) fn provider_for_path(path: &str) -> Option<&'static ProviderDef> {
    PROVIDERS
        .iter()
        .copied()
        .find(|p| path == p.prefix || path.strip_prefix(p.prefix).is_some_and(|r| r.starts_with('/')))
}
