//! OAuth2 sign-in, the pure part: the collection's `oauth2` option (`config.rs`: parsing,
//! normalizing, merging an update, PocketBase's validation), the providers PocketBase knows
//! with their default endpoints, scopes and PKCE (`providers.rs`), a provider configured over
//! them (`provider.rs`), the kinds and value conversions they share (`values.rs`), the
//! authorization URL (`url.rs`) and the provider-specific mapping of a fetched user
//! (`user.rs`).

mod config;
mod provider;
mod providers;
mod url;
mod user;
mod values;

pub use config::{
    MappedFields, OAuth2Config, ProviderConfig, merge_providers, normalize_oauth2, validate_oauth2,
};
pub use provider::Provider;
pub use providers::{ProviderSpec, provider_spec};
pub use url::{build_auth_url, query_escape};
pub use user::{AuthUser, map_user};
pub use values::ProviderKind;
