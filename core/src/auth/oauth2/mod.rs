//! OAuth2 sign-in (PocketBase's `apis/record_auth_with_oauth2*.go` and `tools/auth`):
//! `client.rs` (the `HttpClient` port the app was given, and the provider calls: the code
//! exchange, the user info, GitHub's emails, key sets), `id_token.rs` (id_token claims and
//! their checks), `user.rs` (a provider's user, fetched and mapped), `methods.rs` (the
//! providers `auth-methods` lists, with state and PKCE), `sign_in.rs` (`auth-with-oauth2`
//! and its hook), `submit.rs` (finding, creating or linking the record in one
//! transaction), `external_auths.rs` (the `_externalAuths` links), `redirect.rs`
//! (`/api/oauth2-redirect` over realtime), `apple_secret.rs` (Apple's client secret JWT).

pub(crate) mod apple_secret;
mod client;
mod external_auths;
mod id_token;
pub(crate) mod methods;
pub(crate) mod redirect;
pub(crate) mod sign_in;
mod submit;
mod user;
