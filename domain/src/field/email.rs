//! The `email` field: an address checked with ozzo's `is.EmailFormat` (govalidator's
//! `IsEmail` pattern), optionally limited to or excluding domains.

use super::cast::{go_string, sql_text};
use super::domains::{check_domain_options, domain_allowed, opt_list};
use super::errors;
use super::goregex::compile_go_regex;
use super::serde_util::null_default;
use super::{Field, FieldType};
use crate::error::{FieldError, ValidationErrors};
use crate::sql::SqlValue;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::LazyLock;

/// govalidator's `Email` pattern, verbatim (read with Go's ASCII `\d`).
const EMAIL_PATTERN: &str = r"^(((([a-zA-Z]|\d|[!#\$%&'\*\+\-\/=\?\^_`{\|}~]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])+(\.([a-zA-Z]|\d|[!#\$%&'\*\+\-\/=\?\^_`{\|}~]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])+)*)|((\x22)((((\x20|\x09)*(\x0d\x0a))?(\x20|\x09)+)?(([\x01-\x08\x0b\x0c\x0e-\x1f\x7f]|\x21|[\x23-\x5b]|[\x5d-\x7e]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])|(\([\x01-\x09\x0b\x0c\x0d-\x7f]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}]))))*(((\x20|\x09)*(\x0d\x0a))?(\x20|\x09)+)?(\x22)))@((([a-zA-Z]|\d|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])|(([a-zA-Z]|\d|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])([a-zA-Z]|\d|-|\.|_|~|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])*([a-zA-Z]|\d|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])))\.)+(([a-zA-Z]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])|(([a-zA-Z]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])([a-zA-Z]|\d|-|_|~|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])*([a-zA-Z]|[\x{00A0}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFEF}])))\.?$";

static EMAIL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| compile_go_regex(EMAIL_PATTERN).ok());

/// ozzo's `is.EmailFormat` (the syntax only, no DNS lookup).
pub fn is_email(value: &str) -> bool {
    EMAIL_RE.as_ref().is_some_and(|re| re.is_match(value))
}

/// Options of an `email` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailOptions {
    /// Help text shown under the input.
    #[serde(default, deserialize_with = "null_default")]
    pub help: String,
    /// Requires a non-empty value.
    #[serde(default, deserialize_with = "null_default")]
    pub required: bool,
    /// Domains that are not accepted (empty when not set).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub except_domains: Vec<String>,
    /// The only domains accepted (empty when not set).
    #[serde(default, deserialize_with = "super::serde_util::null_default")]
    pub only_domains: Vec<String>,
}

impl FieldType for EmailOptions {
    fn type_name(&self) -> &'static str {
        "email"
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
        if !is_email(s) {
            return Err(FieldError::new(
                "validation_is_email",
                "Must be a valid email address.",
            ));
        }
        let domain = s.rsplit_once('@').map_or(s.as_str(), |(_, d)| d);
        if !domain_allowed(
            domain,
            opt_list(&self.except_domains),
            opt_list(&self.only_domains),
        ) {
            return Err(FieldError::new(
                "validation_email_domain_not_allowed",
                "Email domain is not allowed.",
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

    fn email(o: EmailOptions) -> Field {
        let mut f = Field::new("email", FieldKind::Email(o));
        f.id = "email3885137012".into();
        f
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn pattern_compiles() {
        assert!(EMAIL_RE.is_some());
    }

    #[test]
    fn emails() {
        for ok in [
            "test@example.com",
            "Test.User+tag@sub.example.co",
            "a@b.cd",
            "user@exämple.com",
            "test@example.c0m",
            "test@١.com",
            "x@example.com.",
            "o'hara@example.org",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "invalid",
            "test@example",
            "@example.com",
            "test@",
            "a b@example.com",
            "test@exa mple.com",
            "test@@example.com",
            "test@example..com",
            ".test@example.com",
            "test@-example.com",
            "test@example.c-",
            // govalidator's quoted local part never matches (its pattern is off)
            "\"quoted\"@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn basics_normalize_sql() {
        let f = email(EmailOptions::default());
        assert_eq!(f.type_name(), "email");
        assert_eq!(f.column_definition(), "TEXT DEFAULT '' NOT NULL");
        assert_eq!(f.zero_value(), json!(""));
        assert_eq!(f.normalize(&json!("a@b.cd")), json!("a@b.cd"));
        assert_eq!(f.normalize(&json!(5)), json!("5"));
        assert_eq!(f.normalize(&json!(null)), json!(""));
        assert_eq!(f.to_sql(&json!("a@b.cd")), SqlValue::Text("a@b.cd".into()));
        assert_eq!(
            f.from_sql(&SqlValue::Text("a@b.cd".into())),
            json!("a@b.cd")
        );
        assert_eq!(f.from_sql(&SqlValue::Null), json!(""));
        assert_eq!(
            f.apply_modifier(&json!("a@b.cd"), Modifier::Append, &json!("x")),
            json!("a@b.cd")
        );
    }

    #[test]
    fn validate() {
        let f = email(EmailOptions {
            required: true,
            ..Default::default()
        });
        assert_eq!(
            f.validate_value(&json!("")).unwrap_err(),
            FieldError::required()
        );
        assert!(f.validate_value(&json!("test@example.com")).is_ok());
        assert_eq!(
            f.validate_value(&json!("invalid")).unwrap_err(),
            FieldError::new("validation_is_email", "Must be a valid email address.")
        );
        assert_eq!(
            f.validate_value(&json!(123)).unwrap_err().code,
            "validation_unsupported_value_type"
        );
        assert!(
            email(EmailOptions::default())
                .validate_value(&json!(""))
                .is_ok()
        );
    }

    #[test]
    fn domains() {
        let only = email(EmailOptions {
            only_domains: strings(&["example.org", "example.net"]),
            ..Default::default()
        });
        assert_eq!(
            only.validate_value(&json!("test@example.com")).unwrap_err(),
            FieldError::new(
                "validation_email_domain_not_allowed",
                "Email domain is not allowed."
            )
        );
        assert!(only.validate_value(&json!("test@example.org")).is_ok());
        let except = email(EmailOptions {
            except_domains: strings(&["example.org", "example.com"]),
            ..Default::default()
        });
        assert_eq!(
            except
                .validate_value(&json!("test@example.com"))
                .unwrap_err()
                .code,
            "validation_email_domain_not_allowed"
        );
        assert!(except.validate_value(&json!("test@example.net")).is_ok());
        // domains compare exactly
        assert!(except.validate_value(&json!("test@Example.com")).is_ok());
    }

    #[test]
    fn options() {
        assert!(email(EmailOptions::default()).validate_options().is_empty());
        let errs = email(EmailOptions {
            except_domains: strings(&["a.com"]),
            only_domains: strings(&["b.com"]),
            ..Default::default()
        })
        .validate_options();
        assert_eq!(errs.get("exceptDomains").unwrap().code, "validation_empty");
        assert_eq!(errs.get("onlyDomains").unwrap().code, "validation_empty");
        let errs = email(EmailOptions {
            only_domains: strings(&["nope"]),
            ..Default::default()
        })
        .validate_options();
        assert!(errs.0.contains_key("onlyDomains"));
    }

    #[test]
    fn serde_matches_pocketbase() {
        // as written by PocketBase for a new auth collection
        let raw = json!({
            "exceptDomains": [],
            "help": "",
            "hidden": false,
            "id": "email3885137012",
            "name": "email",
            "onlyDomains": [],
            "presentable": false,
            "required": true,
            "system": true,
            "type": "email"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        let mut want = email(EmailOptions {
            required: true,
            ..Default::default()
        });
        want.system = true;
        assert_eq!(f, want);
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);

        // as saved from the dashboard
        let raw = json!({
            "exceptDomains": [],
            "help": "",
            "hidden": false,
            "id": "email3885137012",
            "name": "email",
            "onlyDomains": ["example.com"],
            "presentable": false,
            "required": false,
            "system": false,
            "type": "email"
        });
        let f: Field = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }
}
