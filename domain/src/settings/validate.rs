//! The settings validation: PocketBase's `Settings.PostValidate`, rule for rule, with its
//! `validation_*` codes, messages and `params`. As in ozzo-validation, every field is checked,
//! a field reports its first failing rule, and the checks other than "required" skip empty
//! values.

use super::checks::{is_hex_color, is_host, is_ip_or_subnet, is_rate_limit_label};
use super::cron::check_cron;
use super::model::{
    BackupsConfig, BatchConfig, LogsConfig, MetaConfig, RateLimitsConfig, S3Config, Settings,
    SmtpConfig,
};
use super::rate_limit::RateLimitRule;
use crate::error::{FieldError, ValidationErrors};
use crate::field::{is_email, is_url};
use secrecy::ExposeSecret;

/// Go's `1<<53 - 1`, PocketBase's upper bound for the log sizes.
const MAX_SAFE_JSON_INT: i64 = (1 << 53) - 1;

impl Settings {
    /// Checks the settings as PocketBase does before saving them; the errors are keyed as
    /// the JSON is (`{"smtp": {"host": {...}}}`).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        errs.add_nested("superuserIPs", ip_list(&self.superuser_ips));
        errs.add_nested("meta", meta(&self.meta));
        errs.add_nested("logs", logs(&self.logs));
        errs.add_nested("smtp", smtp(&self.smtp));
        errs.add_nested("s3", s3(&self.s3));
        errs.add_nested("backups", backups(&self.backups));
        errs.add_nested("batch", batch(&self.batch));
        errs.add_nested("rateLimits", rate_limits(&self.rate_limits));
        errs.into_result()
    }
}

/// Records the first failing check of a field.
fn check(
    errs: &mut ValidationErrors,
    key: &str,
    checks: impl IntoIterator<Item = Option<FieldError>>,
) {
    if let Some(e) = checks.into_iter().flatten().next() {
        errs.add(key, e);
    }
}

fn required_str(s: &str) -> Option<FieldError> {
    s.is_empty().then(FieldError::required)
}

fn required_int(v: i64) -> Option<FieldError> {
    (v == 0).then(FieldError::required)
}

/// ozzo's `Min`: zero values are skipped.
fn min(v: i64, threshold: i64) -> Option<FieldError> {
    (v != 0 && v < threshold).then(|| {
        FieldError::new(
            "validation_min_greater_equal_than_required",
            format!("Must be no less than {threshold}."),
        )
        .with_param("threshold", threshold)
    })
}

/// ozzo's `Max`: zero values are skipped.
fn max(v: i64, threshold: i64) -> Option<FieldError> {
    (v != 0 && v > threshold).then(|| {
        FieldError::new(
            "validation_max_less_equal_than_required",
            format!("Must be no greater than {threshold}."),
        )
        .with_param("threshold", threshold)
    })
}

/// ozzo's `Length(lo, hi)` on characters: empty values are skipped.
fn length(s: &str, lo: usize, hi: usize) -> Option<FieldError> {
    let n = s.chars().count();
    if s.is_empty() || (lo..=hi).contains(&n) {
        return None;
    }
    let e = if lo == hi {
        FieldError::new(
            "validation_length_invalid",
            format!("The length must be exactly {lo}."),
        )
    } else {
        FieldError::new(
            "validation_length_out_of_range",
            format!("The length must be between {lo} and {hi}."),
        )
    };
    Some(e.with_param("max", hi).with_param("min", lo))
}

/// A string check that skips empty values.
fn is(s: &str, ok: fn(&str) -> bool, code: &str, message: &str) -> Option<FieldError> {
    (!s.is_empty() && !ok(s)).then(|| FieldError::new(code, message))
}

fn url(s: &str) -> Option<FieldError> {
    is(s, is_url, "validation_is_url", "Must be a valid URL.")
}

fn host(s: &str) -> Option<FieldError> {
    is(
        s,
        is_host,
        "validation_is_host",
        "Must be a valid IP address or DNS name.",
    )
}

/// ozzo's `In`: empty values are skipped.
fn one_of(s: &str, allowed: &[&str]) -> Option<FieldError> {
    (!s.is_empty() && !allowed.contains(&s))
        .then(|| FieldError::new("validation_in_invalid", "Must be a valid value."))
}

/// `Each(Required, IPOrSubnet)`, keyed by index.
fn ip_list(ips: &[String]) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    for (i, ip) in ips.iter().enumerate() {
        let invalid = is(
            ip,
            is_ip_or_subnet,
            "validation_invlaid_ip_or_subnet", // sic: PocketBase's code
            "Invalid IP or CIDR subnet.",
        );
        check(&mut errs, &i.to_string(), [required_str(ip), invalid]);
    }
    errs
}

fn meta(m: &MetaConfig) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let hex = is(
        &m.accent_color,
        is_hex_color,
        "validation_is_hex_color",
        "Must be a valid hexadecimal color code.",
    );
    check(
        &mut errs,
        "accentColor",
        [length(&m.accent_color, 7, 7), hex],
    );
    check(
        &mut errs,
        "appName",
        [required_str(&m.app_name), length(&m.app_name, 1, 255)],
    );
    check(
        &mut errs,
        "appURL",
        [required_str(&m.app_url), url(&m.app_url)],
    );
    check(
        &mut errs,
        "senderName",
        [required_str(&m.sender_name), length(&m.sender_name, 1, 255)],
    );
    let email = is(
        &m.sender_address,
        is_email,
        "validation_is_email",
        "Must be a valid email address.",
    );
    check(
        &mut errs,
        "senderAddress",
        [email, required_str(&m.sender_address)],
    );
    errs
}

fn logs(l: &LogsConfig) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let size = [
        min(l.max_data_size, 0),
        max(l.max_data_size, MAX_SAFE_JSON_INT),
    ];
    check(&mut errs, "maxDataSize", size);
    let days = [min(l.max_days, 0), max(l.max_days, MAX_SAFE_JSON_INT)];
    check(&mut errs, "maxDays", days);
    check(&mut errs, "minLevel", [max(l.min_level, MAX_SAFE_JSON_INT)]);
    errs
}

fn smtp(c: &SmtpConfig) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let when = |e: Option<FieldError>| e.filter(|_| c.enabled);
    check(
        &mut errs,
        "host",
        [when(required_str(&c.host)), host(&c.host)],
    );
    check(
        &mut errs,
        "port",
        [when(required_int(c.port)), min(c.port, 0)],
    );
    check(
        &mut errs,
        "authMethod",
        [one_of(&c.auth_method, &["LOGIN", "PLAIN"])],
    );
    check(&mut errs, "localName", [host(&c.local_name)]);
    errs
}

fn s3(c: &S3Config) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let when = |s: &str| required_str(s).filter(|_| c.enabled);
    check(&mut errs, "endpoint", [url(&c.endpoint), when(&c.endpoint)]);
    check(&mut errs, "bucket", [when(&c.bucket)]);
    check(&mut errs, "region", [when(&c.region)]);
    check(&mut errs, "accessKey", [when(&c.access_key)]);
    check(&mut errs, "secret", [when(c.secret.expose_secret())]);
    errs
}

fn backups(b: &BackupsConfig) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    errs.add_nested("s3", s3(&b.s3));
    let cron = if b.cron.is_empty() {
        None
    } else {
        check_cron(&b.cron)
            .err()
            .map(|why| FieldError::new("validation_invalid_cron", sentence(&why)))
    };
    check(&mut errs, "cron", [cron]);
    let keep = required_int(b.cron_max_keep).filter(|_| !b.cron.is_empty());
    check(&mut errs, "cronMaxKeep", [keep, min(b.cron_max_keep, 1)]);
    errs
}

fn batch(b: &BatchConfig) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let when = |v: i64| required_int(v).filter(|_| b.enabled);
    check(
        &mut errs,
        "maxRequests",
        [when(b.max_requests), min(b.max_requests, 0)],
    );
    check(&mut errs, "timeout", [when(b.timeout), min(b.timeout, 0)]);
    check(&mut errs, "maxBodySize", [min(b.max_body_size, 0)]);
    errs
}

fn rate_limits(r: &RateLimitsConfig) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    if r.enabled && r.rules.is_empty() {
        errs.add("rules", FieldError::required());
    } else {
        // Each rule first; the labels are compared only when every rule is valid.
        let mut rules = ValidationErrors::new();
        for (i, rule) in r.rules.iter().enumerate() {
            rules.add_nested(i.to_string(), rate_limit_rule(rule));
        }
        if rules.is_empty() {
            rules = conflicting_rules(&r.rules);
        }
        errs.add_nested("rules", rules);
    }
    errs.add_nested("excludedIPs", ip_list(&r.excluded_ips));
    errs
}

fn rate_limit_rule(rule: &RateLimitRule) -> ValidationErrors {
    let mut errs = ValidationErrors::new();
    let label = is(
        &rule.label,
        is_rate_limit_label,
        "validation_match_invalid",
        "Must be in a valid format.",
    );
    check(&mut errs, "label", [required_str(&rule.label), label]);
    check(
        &mut errs,
        "maxRequests",
        [required_int(rule.max_requests), min(rule.max_requests, 1)],
    );
    check(
        &mut errs,
        "duration",
        [required_int(rule.duration), min(rule.duration, 1)],
    );
    check(
        &mut errs,
        "audience",
        [one_of(&rule.audience, &["@guest", "@auth"])],
    );
    errs
}

/// The first rule whose `label@@audience` is a prefix of an earlier one's, or has one as its
/// prefix.
fn conflicting_rules(rules: &[RateLimitRule]) -> ValidationErrors {
    let mut seen: Vec<String> = Vec::with_capacity(rules.len());
    let mut errs = ValidationErrors::new();
    for (i, rule) in rules.iter().enumerate() {
        let key = format!("{}@@{}", rule.label, rule.audience);
        if seen
            .iter()
            .any(|k| k.starts_with(&key) || key.starts_with(k.as_str()))
        {
            let mut label = ValidationErrors::new();
            label.add(
                "label",
                FieldError::new(
                    "validation_conflicting_rate_limit_rule",
                    format!(
                        "Rate limit rule configuration with label {} already exists or \
                         conflicts with another rule.",
                        rule.label
                    ),
                )
                .with_param("label", rule.label.clone()),
            );
            errs.add_nested(i.to_string(), label);
            break;
        }
        seen.push(key);
    }
    errs
}

/// PocketBase's error-message form: first letter upper-cased, a final full stop.
fn sentence(s: &str) -> String {
    let mut chars = s.trim().chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.is_empty() && !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// The errors of the default settings with `body` laid over them, as JSON.
    fn errors(body: Value) -> Value {
        let s = Settings::default().patched(&body).expect("patch");
        match s.validate() {
            Ok(()) => json!({}),
            Err(e) => serde_json::to_value(e).unwrap(),
        }
    }

    fn leaf(code: &str, message: &str) -> Value {
        json!({"code": code, "message": message})
    }

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(Settings::default().validate(), Ok(()));
    }

    // Expected values below are what PocketBase v0.40.6 answers to the same PATCH bodies.

    #[test]
    fn meta() {
        assert_eq!(
            errors(
                json!({"meta": {"appURL": "notaurl", "senderAddress": "bad", "senderName": "", "accentColor": "red"}})
            ),
            json!({"meta": {
                "accentColor": {"code": "validation_length_invalid", "message": "The length must be exactly 7.", "params": {"max": 7, "min": 7}},
                "appURL": leaf("validation_is_url", "Must be a valid URL."),
                "senderAddress": leaf("validation_is_email", "Must be a valid email address."),
                "senderName": leaf("validation_required", "Cannot be blank.")
            }})
        );
        let long = "a".repeat(256);
        assert_eq!(
            errors(json!({"meta": {"accentColor": "#zzzzzz", "appName": long}})),
            json!({"meta": {
                "accentColor": leaf("validation_is_hex_color", "Must be a valid hexadecimal color code."),
                "appName": {"code": "validation_length_out_of_range", "message": "The length must be between 1 and 255.", "params": {"max": 255, "min": 1}}
            }})
        );
        assert_eq!(
            errors(json!({"meta": {"appURL": "localhost:8090"}})),
            json!({})
        );
    }

    #[test]
    fn smtp() {
        assert_eq!(
            errors(json!({"smtp": {"enabled": true, "host": "", "port": 0}})),
            json!({"smtp": {
                "host": leaf("validation_required", "Cannot be blank."),
                "port": leaf("validation_required", "Cannot be blank.")
            }})
        );
        assert_eq!(
            errors(
                json!({"smtp": {"authMethod": "X", "localName": "a b", "host": "h_ _", "port": -1}})
            ),
            json!({"smtp": {
                "authMethod": leaf("validation_in_invalid", "Must be a valid value."),
                "host": leaf("validation_is_host", "Must be a valid IP address or DNS name."),
                "localName": leaf("validation_is_host", "Must be a valid IP address or DNS name."),
                "port": {"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 0.", "params": {"threshold": 0}}
            }})
        );
        assert_eq!(
            errors(json!({"smtp": {"port": 70000, "host": "::1"}})),
            json!({})
        );
    }

    #[test]
    fn s3_and_backups() {
        let required = leaf("validation_required", "Cannot be blank.");
        let all_required = json!({"accessKey": required, "bucket": required,
            "endpoint": required, "region": required, "secret": required});
        assert_eq!(
            errors(json!({"s3": {"enabled": true}})),
            json!({"s3": all_required})
        );
        assert_eq!(
            errors(json!({"backups": {"s3": {"enabled": true}}})),
            json!({"backups": {"s3": all_required}})
        );
        assert_eq!(
            errors(json!({"backups": {"cron": "bad", "cronMaxKeep": 0}})),
            json!({"backups": {
                "cron": leaf("validation_invalid_cron", "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."),
                "cronMaxKeep": required
            }})
        );
        assert_eq!(
            errors(json!({"backups": {"cron": "x * * * *"}})),
            json!({"backups": {"cron": leaf("validation_invalid_cron", "Strconv.Atoi: parsing \"x\": invalid syntax.")}})
        );
        assert_eq!(
            errors(json!({"backups": {"cronMaxKeep": -1}})),
            json!({"backups": {"cronMaxKeep": {"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 1.", "params": {"threshold": 1}}}})
        );
    }

    #[test]
    fn batch_and_logs() {
        let min0 = json!({"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 0.", "params": {"threshold": 0}});
        let required = leaf("validation_required", "Cannot be blank.");
        assert_eq!(
            errors(
                json!({"batch": {"enabled": true, "maxRequests": 0, "timeout": 0, "maxBodySize": -1}})
            ),
            json!({"batch": {"maxBodySize": min0, "maxRequests": required, "timeout": required}})
        );
        assert_eq!(
            errors(
                json!({"logs": {"maxDays": -1, "maxDataSize": -1, "minLevel": 9_007_199_254_740_992_i64}})
            ),
            json!({"logs": {
                "maxDataSize": min0, "maxDays": min0,
                "minLevel": {"code": "validation_max_less_equal_than_required", "message": "Must be no greater than 9007199254740991.", "params": {"threshold": 9_007_199_254_740_991_i64}}
            }})
        );
    }

    #[test]
    fn rate_limits_and_ips() {
        assert_eq!(
            errors(json!({"rateLimits": {"enabled": true, "rules": []}})),
            json!({"rateLimits": {"rules": leaf("validation_required", "Cannot be blank.")}})
        );
        assert_eq!(
            errors(
                json!({"rateLimits": {"rules": [{"label": "", "maxRequests": 0, "duration": 0, "audience": "x"}]}})
            ),
            json!({"rateLimits": {"rules": {"0": {
                "audience": leaf("validation_in_invalid", "Must be a valid value."),
                "duration": leaf("validation_required", "Cannot be blank."),
                "label": leaf("validation_required", "Cannot be blank."),
                "maxRequests": leaf("validation_required", "Cannot be blank.")
            }}}})
        );
        // An invalid rule hides the conflicts; valid rules are compared by label@@audience.
        let rule = |label: &str| json!({"label": label, "maxRequests": 1, "duration": 1});
        assert_eq!(
            errors(
                json!({"rateLimits": {"rules": [rule("a b c"), rule("*:auth"), rule("*:auth")]}})
            ),
            json!({"rateLimits": {"rules": {"0": {"label": leaf("validation_match_invalid", "Must be in a valid format.")}}}})
        );
        assert_eq!(
            errors(json!({"rateLimits": {"rules": [rule("x"), rule("*:auth"), rule("*:auth")]}})),
            json!({"rateLimits": {"rules": {"2": {"label": {"code": "validation_conflicting_rate_limit_rule", "message": "Rate limit rule configuration with label *:auth already exists or conflicts with another rule.", "params": {"label": "*:auth"}}}}}})
        );
        let guest =
            json!({"label": "/api/", "maxRequests": 1, "duration": 1, "audience": "@guest"});
        assert!(
            errors(json!({"rateLimits": {"rules": [rule("/api/"), guest]}}))["rateLimits"]["rules"]
                ["1"]
                .is_object()
        );
        assert_eq!(
            errors(json!({"rateLimits": {"rules": [rule("/api/"), rule("/api/x")]}})),
            json!({})
        );
        let ip = leaf(
            "validation_invlaid_ip_or_subnet",
            "Invalid IP or CIDR subnet.",
        );
        assert_eq!(
            errors(
                json!({"rateLimits": {"excludedIPs": ["", "1.2.3.4", "1.2.3.0/24", "bad"]}, "superuserIPs": ["bad", "::1"]})
            ),
            json!({
                "rateLimits": {"excludedIPs": {"0": leaf("validation_required", "Cannot be blank."), "3": ip}},
                "superuserIPs": {"0": ip}
            })
        );
        assert_eq!(
            errors(json!({"trustedProxy": {"headers": ["", "X"]}})),
            json!({})
        );
    }
}
