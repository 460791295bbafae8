//! The `onlyDomains` / `exceptDomains` options shared by the email and url fields.

use super::errors;
use crate::error::{FieldError, ValidationErrors};
use regex::Regex;
use std::sync::LazyLock;

/// ozzo's `is.Domain` pattern (its quirks kept: a label may not end in an upper-case
/// letter, and the IDN alternative starts with a space).
static DOMAIN_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-zA-Z]{1,63}| xn--[a-z0-9]{1,59})$",
    )
    .ok()
});

/// ozzo's `is.Domain`.
pub(crate) fn is_domain(value: &str) -> bool {
    value.len() <= 255 && DOMAIN_RE.as_ref().is_some_and(|re| re.is_match(value))
}

/// Both lists, as PocketBase checks them: the one in use must hold valid domains (an
/// empty entry passes), and the other must then be empty.
/// An empty list means "not set".
pub(crate) fn opt_list(v: &[String]) -> Option<&[String]> {
    (!v.is_empty()).then_some(v)
}

pub(crate) fn check_domain_options(
    errs: &mut ValidationErrors,
    except: Option<&[String]>,
    only: Option<&[String]>,
) {
    let except = except.unwrap_or_default();
    let only = only.unwrap_or_default();
    check_list(errs, "exceptDomains", except, !only.is_empty());
    check_list(errs, "onlyDomains", only, !except.is_empty());
}

fn check_list(errs: &mut ValidationErrors, key: &str, list: &[String], must_be_empty: bool) {
    if must_be_empty {
        if !list.is_empty() {
            errs.add(key, errors::must_be_blank());
        }
        return;
    }
    let mut nested = ValidationErrors::new();
    for (i, domain) in list.iter().enumerate() {
        if !domain.is_empty() && !is_domain(domain) {
            nested.add(
                i.to_string(),
                FieldError::new("validation_is_domain", "Must be a valid domain."),
            );
        }
    }
    errs.add_nested(key, nested);
}

/// Whether `domain` passes the lists (`only` wins when both are set).
pub(crate) fn domain_allowed(
    domain: &str,
    except: Option<&[String]>,
    only: Option<&[String]>,
) -> bool {
    let only = only.unwrap_or_default();
    let except = except.unwrap_or_default();
    if !only.is_empty() && !only.iter().any(|d| d == domain) {
        return false;
    }
    !except.iter().any(|d| d == domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorNode;

    #[test]
    fn domains() {
        for ok in [
            "example.com",
            "a.b.co",
            "x-y.example.org",
            "EXAMPLe.com",
            "a.COM",
            "1.io",
        ] {
            assert!(is_domain(ok), "{ok}");
        }
        for bad in [
            "example",
            "EXAMPLE.com",
            "-a.com",
            "a..com",
            "a.c0m",
            "a_b.com",
            "",
            "a.b.",
            "localhost",
        ] {
            assert!(!is_domain(bad), "{bad}");
        }
        assert!(!is_domain(&format!("{}.com", "a".repeat(300))));
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options() {
        let mut errs = ValidationErrors::new();
        check_domain_options(&mut errs, None, None);
        assert!(errs.is_empty());

        let only = strings(&["example.com", "", "bad"]);
        let mut errs = ValidationErrors::new();
        check_domain_options(&mut errs, None, Some(&only));
        let Some(ErrorNode::Nested(n)) = errs.0.get("onlyDomains") else {
            panic!("{errs:?}")
        };
        assert!(n.get("0").is_none());
        assert!(n.get("1").is_none());
        assert_eq!(
            n.get("2").unwrap(),
            &FieldError::new("validation_is_domain", "Must be a valid domain.")
        );

        let except = strings(&["a.com"]);
        let only = strings(&["b.com"]);
        let mut errs = ValidationErrors::new();
        check_domain_options(&mut errs, Some(&except), Some(&only));
        assert_eq!(errs.get("exceptDomains").unwrap().code, "validation_empty");
        assert_eq!(errs.get("onlyDomains").unwrap().code, "validation_empty");
    }

    #[test]
    fn allowed() {
        let list = strings(&["a.com"]);
        assert!(domain_allowed("a.com", None, None));
        assert!(domain_allowed("a.com", None, Some(&list)));
        assert!(!domain_allowed("b.com", None, Some(&list)));
        assert!(!domain_allowed("A.com", None, Some(&list)));
        assert!(!domain_allowed("a.com", Some(&list), None));
        assert!(domain_allowed("b.com", Some(&list), None));
    }
}
