//! The `relation` field: one (`maxSelect` ≤ 1) or several record ids of another
//! collection. That the records exist is checked against the database by the caller.

use super::cast::unique_strings;
use super::errors::{self, check_int};
use super::select::too_many;
use super::serde_util::null_default;
use super::{Field, FieldType, Modifier, multi};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of a `relation` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires at least one id.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// The id of the related collection.
    #[serde(default, deserialize_with = "null_default")]
    pub collection_id: String,
    /// Deletes this record when a related record is deleted (else the id is removed).
    #[serde(default, deserialize_with = "null_default")]
    pub cascade_delete: bool,
    /// The fewest ids accepted when there is any.
    #[serde(default, deserialize_with = "null_default")]
    pub min_select: i64,
    /// The most ids accepted; more than 1 makes the field a list.
    #[serde(default, deserialize_with = "null_default")]
    pub max_select: i64,
}

impl FieldType for RelationOptions {
    fn type_name(&self) -> &'static str {
        "relation"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn is_multiple(&self) -> bool {
        self.max_select > 1
    }

    fn column_definition(&self) -> String {
        multi::column(self.is_multiple())
    }

    fn zero_value(&self) -> Value {
        multi::zero(self.is_multiple())
    }

    fn normalize(&self, raw: &Value) -> Value {
        multi::shape(unique_strings(raw), self.is_multiple())
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        multi::to_sql(unique_strings(value), self.is_multiple())
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        self.normalize(&multi::stored(v))
    }

    fn apply_modifier(&self, current: &Value, modifier: Modifier, arg: &Value) -> Option<Value> {
        let list = multi::modify(current, modifier, arg);
        Some(self.normalize(&Value::from(list)))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let ids = unique_strings(value);
        if ids.is_empty() {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        let count = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        if self.min_select > 0 && count < self.min_select {
            return Err(FieldError::new(
                "validation_not_enough_values",
                format!("Select at least {}.", self.min_select),
            )
            .with_param("minSelect", self.min_select));
        }
        let max = self.max_select.max(1);
        if count > max {
            return Err(too_many(max));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        if self.collection_id.is_empty() {
            errs.add("collectionId", errors::required());
        }
        check_int(errs, "minSelect", self.min_select, Some(0), None);
        if self.min_select > 0 && self.max_select == 0 {
            errs.add("maxSelect", errors::required());
        }
        check_int(
            errs,
            "maxSelect",
            self.max_select,
            Some(self.min_select),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::FieldKind;
    use super::*;
    use serde_json::json;

    fn relation(min_select: i64, max_select: i64, required: bool) -> Field {
        let mut f = Field::new(
            "author",
            FieldKind::Relation(RelationOptions {
                collection_id: "_pb_users_auth_".into(),
                min_select,
                max_select,
                required,
                ..Default::default()
            }),
        );
        f.id = "relation1".into();
        f
    }

    #[test]
    fn basics() {
        let single = relation(0, 1, false);
        let multi = relation(0, 5, false);
        assert_eq!(single.type_name(), "relation");
        assert!(!single.is_multiple());
        assert!(multi.is_multiple());
        assert_eq!(single.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(multi.column_definition(), "JSON DEFAULT '[]' NOT NULL");
        assert_eq!(single.zero_value(), json!(""));
        assert_eq!(multi.zero_value(), json!([]));
    }

    #[test]
    fn normalize() {
        let single = relation(0, 1, false);
        let multi = relation(0, 5, false);
        assert_eq!(single.normalize(&json!("id1")), json!("id1"));
        assert_eq!(single.normalize(&json!(["id1", "id2"])), json!("id2"));
        assert_eq!(single.normalize(&json!(null)), json!(""));
        assert_eq!(multi.normalize(&json!("id1")), json!(["id1"]));
        assert_eq!(
            multi.normalize(&json!(["id1", "", "id1", "id2"])),
            json!(["id1", "id2"])
        );
        assert_eq!(
            multi.normalize(&json!(r#"["id2","id1"]"#)),
            json!(["id2", "id1"])
        );
        assert_eq!(multi.normalize(&json!("")), json!([]));
    }

    #[test]
    fn sql_round_trip() {
        let single = relation(0, 1, false);
        let multi = relation(0, 5, false);
        assert_eq!(
            multi.to_sql(&json!(["a", "b"])),
            SqlValue::Text(r#"["a","b"]"#.into())
        );
        assert_eq!(single.to_sql(&json!("a")), SqlValue::Text("a".into()));
        for (f, v) in [
            (&single, json!("x")),
            (&multi, json!(["x", "y"])),
            (&multi, json!([])),
        ] {
            assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        }
        assert_eq!(multi.from_sql(&SqlValue::Null), json!([]));
    }

    #[test]
    fn modifiers() {
        let f = relation(0, 5, false);
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Append, &json!(["b", "c"])),
            json!(["a", "b", "c"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a"]), Modifier::Prepend, &json!("b")),
            json!(["b", "a"])
        );
        assert_eq!(
            f.apply_modifier(&json!(["a", "b"]), Modifier::Subtract, &json!(["b"])),
            json!(["a"])
        );
        let single = relation(0, 1, false);
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Append, &json!("b")),
            json!("b")
        );
        assert_eq!(
            single.apply_modifier(&json!("a"), Modifier::Subtract, &json!("b")),
            json!("a")
        );
    }

    #[test]
    fn validate() {
        let f = relation(2, 3, true);
        assert_eq!(
            f.validate_value(&json!([])).unwrap_err(),
            FieldError::required()
        );
        assert_eq!(
            f.validate_value(&json!(["a"])).unwrap_err(),
            FieldError::new("validation_not_enough_values", "Select at least 2.")
                .with_param("minSelect", 2)
        );
        assert!(f.validate_value(&json!(["a", "b"])).is_ok());
        assert_eq!(
            f.validate_value(&json!(["a", "b", "c", "d"])).unwrap_err(),
            FieldError::new("validation_too_many_values", "Select no more than 3.")
                .with_param("maxSelect", 3)
        );
        let single = relation(0, 0, false);
        assert!(single.validate_value(&json!("")).is_ok());
        assert!(single.validate_value(&json!("a")).is_ok());
        assert_eq!(
            single
                .validate_value(&json!(["a", "b"]))
                .unwrap_err()
                .message,
            "Select no more than 1."
        );
    }

    #[test]
    fn options() {
        assert!(relation(0, 1, false).validate_options().is_empty());
        assert!(relation(2, 2, false).validate_options().is_empty());
        let mut f = relation(-1, 0, false);
        f.kind = FieldKind::Relation(RelationOptions {
            min_select: -1,
            ..Default::default()
        });
        let errs = f.validate_options();
        assert_eq!(
            errs.get("collectionId").unwrap().code,
            "validation_required"
        );
        assert_eq!(
            errs.get("minSelect").unwrap().message,
            "Must be no less than 0."
        );
        let errs = relation(3, 0, false).validate_options();
        assert_eq!(errs.get("maxSelect").unwrap().code, "validation_required");
        let errs = relation(3, 2, false).validate_options();
        assert_eq!(
            errs.get("maxSelect").unwrap().message,
            "Must be no less than 3."
        );
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "cascadeDelete": false,
            "collectionId": "_pb_users_auth_",
            "help": "",
            "hidden": false,
            "id": "relation1",
            "maxSelect": 1,
            "minSelect": 0,
            "name": "author",
            "presentable": false,
            "required": false,
            "system": false,
            "type": "relation"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, relation(0, 1, false));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
