//! The fields of a view collection, inferred from its query's result columns.

use basalt_domain::collection::{Collection, default_field_id};
use basalt_domain::field::Field;
use basalt_ports::db::Transaction;
use serde_json::json;

/// Reads the result columns and declared types of the view query inside `tx`, and maps
/// them to fields (`id` becomes the text primary key; TEXT → text, NUMERIC/INTEGER/
/// REAL → number, BOOLEAN → bool, anything else → json). Fields the collection already has
/// keep their id. Returns SQLite's error text when the query is invalid.
pub(crate) async fn infer_view_fields(
    tx: &mut dyn Transaction,
    c: &Collection,
) -> Result<Vec<Field>, String> {
    let columns = crate::store::collections::view_columns(tx, c.view_query()).await?;
    if !columns.iter().any(|(name, _)| name == "id") {
        return Err("missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one).".into());
    }
    let mut fields = Vec::with_capacity(columns.len());
    for (name, decl) in &columns {
        let name = name.as_str();
        let decl = decl.to_uppercase();
        let value = if name == "id" {
            json!({"name": "id", "type": "text", "system": true, "primaryKey": true, "required": true, "pattern": "^[a-z0-9]+$"})
        } else {
            let kind = match decl.as_str() {
                "TEXT" => "text",
                "NUMERIC" | "INTEGER" | "REAL" => "number",
                "BOOLEAN" => "bool",
                _ => "json",
            };
            json!({"name": name, "type": kind})
        };
        let mut field: Field = serde_json::from_value(value).map_err(|e| e.to_string())?;
        field.id = c
            .field(name)
            .filter(|f| f.type_name() == field.type_name())
            .map_or_else(
                || default_field_id(field.type_name(), name),
                |f| f.id.clone(),
            );
        fields.push(field);
    }
    Ok(fields)
}
