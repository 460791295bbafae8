//! The use cases behind the service API: each file implements one driving port on [`crate::App`].

pub(crate) mod access;
mod auth;
mod collections;
mod crons;
mod expand;
pub(crate) mod list;
mod records;
mod settings;
mod view_fields;

pub(crate) use collections::SaveError;
