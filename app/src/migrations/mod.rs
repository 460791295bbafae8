//! Migrations in Rust: everything of [`basalt_core::migrations`] (registering, running,
//! `_migrations`), plus the `basalt migrate` command and the `.rs` templates it writes.

mod command;
pub mod js_template;
pub mod template;

pub use basalt_core::migrations::*;
pub use command::{MigrateCommand, run_command, run_command_in, run_command_with};
