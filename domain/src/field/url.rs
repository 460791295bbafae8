//! The `url` field: a URL (ozzo's `is.URL`), optionally limited to or excluding hosts.

use super::cast::{go_string, sql_text};
use super::domains::{check_domain_options, domain_allowed, opt_list};
use super::errors;
use super::gourl::{is_url, parse_url};
use super::serde_util::null_default;
use super::{Field, FieldType};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Options of a `url` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a non-empty value.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Hosts that are not accepted (empty when not set).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub except_domains: Vec<String>,
    /// The only hosts accepted (empty when not set).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub only_domains: Vec<String>,
}

impl FieldType for UrlOptions {
    fn type_name(&self) -> &'static str {
        "url"
    }

    fn help(&self) -> &str {
        &self.help
    }

    fn required(&self) -> bool {
        self.required
    }

    fn normalize(&self, raw: &Value) -> Value {
        Value::String(go_string(raw))
    }

    fn to_sql(&self, value: &Value) -> SqlValue {
        SqlValue::Text(go_string(value))
    }

    fn from_sql(&self, v: &SqlValue) -> Value {
        Value::String(sql_text(v))
    }

    fn validate_value(&self, value: &Value) -> Result<(), FieldError> {
        let Value::String(s) = value else {
            return Err(errors::unsupported_value_type());
        };
        if s.is_empty() {
            return if self.required {
                Err(errors::required())
            } else {
                Ok(())
            };
        }
        if !is_url(s) {
            return Err(FieldError::new(
                "validation_invalid_url",
                "Must be a valid url.",
            ));
        }
        // the host as Go's url.Parse reads it (with the port; empty without a scheme)
        let host = parse_url(s).map(|u| u.host).unwrap_or_default();
        if !domain_allowed(
            &host,
            opt_list(&self.except_domains),
            opt_list(&self.only_domains),
        ) {
            return Err(FieldError::new(
                "validation_url_domain_not_allowed",
                "Url domain is not allowed.",
            ));
        }
        Ok(())
    }

    fn validate_options(&self, _field: &Field, errs: &mut ValidationErrors) {
        check_domain_options(
            errs,
            opt_list(&self.except_domains),
            opt_list(&self.only_domains),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{FieldKind, Modifier};
    use super::*;
    use serde_json::json;

    fn url(o: UrlOptions) -> Field {
        let mut f = Field::new("site", FieldKind::Url(o));
        f.id = "url1".into();
        f
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn basics_normalize_sql() {
        let f = url(UrlOptions::default());
        assert_eq!(f.type_name(), "url");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
        assert_eq!(f.normalize(&json!("https://a.b")), json!("https://a.b"));
        assert_eq!(f.normalize(&json!(true)), json!("true"));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        let v = json!("https://a.b/c?d=e");
        assert_eq!(f.from_sql(&f.to_sql(&v)), v);
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(f.apply_modifier(&v, Modifier::Subtract, &json!("x")), v);
    }

    #[test]
    fn validate() {
        let f = url(UrlOptions {
            required: true,
            ..Default::default()
        });
        assert_eq!(
            f.validate_value(&json!("")).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!("https://example.com")).is_ok());
        assert_eq!(
            f.validate_value(&json!("invalid")).unwrap_err(),
            FieldError::new("validation_invalid_url", "Must be a valid url.")
        );
        assert_eq!(
            f.validate_value(&json!(1)).unwrap_err().code,
            "validation_unsupported_value_type"
        );
        assert!(
            url(UrlOptions::default())
                .validate_value(&json!(""))
                .is_ok()
        );
    }

    #[test]
    fn domains() {
        let only = url(UrlOptions {
            only_domains: strings(&["example.org"]),
            ..Default::default()
        });
        assert!(only.validate_value(&json!("https://example.org/a")).is_ok());
        assert_eq!(
            only.validate_value(&json!("https://example.com"))
                .unwrap_err(),
            FieldError::new(
                "validation_url_domain_not_allowed",
                "Url domain is not allowed."
            )
        );
        // the host includes the port, and is empty without a scheme
        assert!(
            only.validate_value(&json!("https://example.org:8080"))
                .is_err()
        );
        assert!(only.validate_value(&json!("example.org")).is_err());
        let except = url(UrlOptions {
            except_domains: strings(&["example.com"]),
            ..Default::default()
        });
        assert!(
            except
                .validate_value(&json!("https://example.com/x"))
                .is_err()
        );
        assert!(
            except
                .validate_value(&json!("https://example.net/x"))
                .is_ok()
        );
        assert!(except.validate_value(&json!("example.com")).is_ok());
    }

    #[test]
    fn options() {
        assert!(url(UrlOptions::default()).validate_options().is_empty());
        let errs = url(UrlOptions {
            except_domains: strings(&["a.com"]),
            only_domains: strings(&["b.com"]),
            ..Default::default()
        })
        .validate_options();
        assert_eq!(errs.get("onlyDomains").unwrap().code, "validation_empty");
    }

    #[test]
    fn serde_matches_pocketbase() {
        let raw = json!({
            "exceptDomains": [],
            "help": "",
            "hidden": false,
            "id": "url1",
            "name": "site",
            "onlyDomains": [],
            "presentable": false,
            "required": false,
            "system": false,
            "type": "url"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f, url(UrlOptions::default()));
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
