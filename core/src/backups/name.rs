//! Backup names: PocketBase's check of a requested name and its generated names.

use basalt_domain::error::{FieldError, ValidationErrors};
use basalt_domain::files::snakecase;
use chrono::{DateTime, Utc};

/// The prefix of the backups the cron job makes (they are the ones `cronMaxKeep` prunes).
pub(crate) const AUTO_PREFIX: &str = "@auto_pb_backup_";
/// The prefix of the backups made without a name.
pub(crate) const MANUAL_PREFIX: &str = "pb_backup_";

/// PocketBase's name rules for `POST /api/backups`: 1 to 150 characters of
/// `^[a-z0-9_-]+\.zip$`. The uniqueness check needs the store and comes after.
pub(crate) fn check_name(name: &str) -> Result<(), ValidationErrors> {
    let len = name.chars().count();
    let error = if !(1..=150).contains(&len) {
        Some(
            FieldError::new(
                "validation_length_out_of_range",
                "The length must be between 1 and 150.",
            )
            .with_param("min", 1)
            .with_param("max", 150),
        )
    } else if !matches_pattern(name) {
        Some(FieldError::new(
            "validation_match_invalid",
            "Must be in a valid format.",
        ))
    } else {
        None
    };
    let mut errs = ValidationErrors::new();
    if let Some(e) = error {
        errs.add("name", e);
        return Err(errs);
    }
    Ok(())
}

/// `^[a-z0-9_-]+\.zip$`.
fn matches_pattern(name: &str) -> bool {
    name.strip_suffix(".zip").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    })
}

/// PocketBase's generated name: `{prefix}{snake_case app name, at most 50 bytes}_{UTC
/// date as YYYYMMDDhhmmss}.zip`.
pub(crate) fn generate(prefix: &str, app_name: &str, now: DateTime<Utc>) -> String {
    let mut app = snakecase(app_name);
    app.truncate(50); // snakecase output is ASCII
    format!("{prefix}{app}_{}.zip", now.format("%Y%m%d%H%M%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("test.zip").is_ok());
        assert!(check_name("a-b_1.zip").is_ok());
        for bad in [
            "!test.zip",
            ".zip",
            "x.tar",
            "Test.zip",
            "a/b.zip",
            "@auto.zip",
        ] {
            let e = serde_json::to_string(&check_name(bad).unwrap_err()).unwrap();
            assert!(e.contains("validation_match_invalid"), "{bad}: {e}");
        }
        let long = format!("{}.zip", "a".repeat(147));
        for bad in [long.as_str(), ""] {
            let e = serde_json::to_string(&check_name(bad).unwrap_err()).unwrap();
            assert!(e.contains("validation_length_out_of_range"), "{e}");
        }
    }

    #[test]
    fn generated() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(
            generate(AUTO_PREFIX, "My App", now),
            "@auto_pb_backup_my_app_20231114221320.zip"
        );
        assert_eq!(
            generate(MANUAL_PREFIX, "Acme", now),
            "pb_backup_acme_20231114221320.zip"
        );
    }
}
