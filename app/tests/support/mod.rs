//! Helpers shared by the app's integration tests.

pub mod hrana;
pub mod replica;
