//! The JS migration files `basalt migrate create` / `collections` write with
//! `--templateLang js` (PocketBase's JS templates), into the `pb_migrations` dir.

use super::template::snake_case;
use crate::AppError;
use std::path::{Path, PathBuf};

/// A blank JS migration.
pub fn blank_js_template() -> String {
    "/// <reference path=\"../pb_data/types.d.ts\" />\nmigrate((app) => {\n  // add up queries...\n}, (app) => {\n  // add down queries...\n})\n"
        .to_owned()
}

/// A JS migration importing `collections_json` (a JSON array of collections), keeping the
/// collections not in it.
pub fn snapshot_js_template(collections_json: &str) -> String {
    format!(
        "/// <reference path=\"../pb_data/types.d.ts\" />\nmigrate((app) => {{\n  const snapshot = {collections_json};\n\n  return app.importCollections(snapshot, false);\n}}, (app) => {{\n  return null;\n}})\n"
    )
}

/// Writes `{unix_secs}_{snake_name}.js` into `dir` (created if needed); refuses to overwrite.
pub fn write_js_migration(
    dir: &Path,
    name: &str,
    unix_secs: i64,
    template: &str,
) -> Result<PathBuf, AppError> {
    let snake = snake_case(name);
    if snake.is_empty() {
        return Err(AppError::Config(format!(
            "invalid migration name {name:?}: use letters, digits and underscores"
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| AppError::Config(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(format!("{unix_secs}_{snake}.js"));
    if path.exists() {
        return Err(AppError::Config(format!(
            "{} already exists",
            path.display()
        )));
    }
    std::fs::write(&path, template)
        .map_err(|e| AppError::Config(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}
