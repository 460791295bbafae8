//! The use cases behind the service API: each file implements one driving port on [`crate::App`].

mod auth;
mod collections;
mod crons;
mod settings;
mod view_fields;

pub(crate) use collections::SaveError;
