//! The operations `__host` runs: `app` (`$app`, `$dbx` queries) and `system` (`$security`,
//! `$os`, `$http`, logging, `require`).

pub(crate) mod app;
pub(crate) mod common;
pub(crate) mod security;
pub(crate) mod system;
