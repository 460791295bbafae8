//! A collection's email template resolved for a record, as PocketBase's
//! `resolveEmailTemplate`: the mail's own placeholders (`{TOKEN}`, `{OTP}`, `{OTP_ID}`,
//! `{ALERT_INFO}`), `{APP_NAME}` and `{APP_URL}` from the current settings, and
//! `{RECORD:field}` for each field that is not hidden (HTML-escaped, except dates, bools
//! and numbers); the body is then put in PocketBase's HTML layout.

use super::layout::{LAYOUT_END, LAYOUT_START};
use crate::App;
use basalt_domain::collection::Collection;
use basalt_domain::field::FieldKind;
use basalt_domain::record::Record;
use serde_json::Value;

/// `{APP_NAME}`.
pub(crate) const APP_NAME: &str = "{APP_NAME}";
/// `{APP_URL}`.
pub(crate) const APP_URL: &str = "{APP_URL}";
/// `{TOKEN}`.
pub(crate) const TOKEN: &str = "{TOKEN}";
/// `{OTP}`.
pub(crate) const OTP: &str = "{OTP}";
/// `{OTP_ID}`.
pub(crate) const OTP_ID: &str = "{OTP_ID}";
/// `{ALERT_INFO}`.
pub(crate) const ALERT_INFO: &str = "{ALERT_INFO}";

/// The `{subject, body}` template at `path` of the collection's options (`["otp",
/// "emailTemplate"]`), empty strings where missing.
pub(crate) fn template_of(c: &Collection, path: &[&str]) -> (String, String) {
    let t: Option<&Value> = path.split_first().and_then(|(first, rest)| {
        rest.iter()
            .try_fold(c.options.get(*first)?, |v, key| v.get(*key))
    });
    let text = |key: &str| {
        t.and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (text("subject"), text("body"))
}

/// Go's `html.EscapeString`.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#39;"),
            '"' => out.push_str("&#34;"),
            c => out.push(c),
        }
    }
    out
}

/// A record value as PocketBase's `record.GetString` shows it (`cast.ToString`): strings as
/// they are, bools and numbers printed, JSON fields as their JSON, lists and the rest empty.
fn value_string(kind: &FieldKind, v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            Some(f) => f.to_string(),
            None => n.to_string(),
        },
        Value::Null => String::new(),
        other if matches!(kind, FieldKind::Json(_)) => other.to_string(),
        _ => String::new(),
    }
}

/// Subject and HTML body of the template `(subject, body)` for `record` of `c`, with the
/// mail's own `placeholders` (name, value) first.
pub(crate) fn resolve_template(
    app: &App,
    c: &Collection,
    record: &Record,
    template: &(String, String),
    placeholders: &[(&str, String)],
) -> (String, String) {
    let settings = app.settings();
    let mut all: Vec<(String, String)> = placeholders
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let mut add = |k: String, v: String| {
        if !all.iter().any(|(have, _)| *have == k) {
            all.push((k, v));
        }
    };
    add(APP_NAME.into(), settings.meta.app_name.clone());
    add(APP_URL.into(), settings.meta.app_url.clone());
    for f in c.fields.iter().filter(|f| !f.hidden) {
        let raw = value_string(&f.kind, record.get(&f.name));
        let plain = matches!(
            f.kind,
            FieldKind::Autodate(_) | FieldKind::Date(_) | FieldKind::Bool(_) | FieldKind::Number(_)
        );
        let v = if plain { raw } else { escape_html(&raw) };
        add(format!("{{RECORD:{}}}", f.name), v);
    }
    let (mut subject, mut body) = template.clone();
    for (k, v) in &all {
        subject = subject.replace(k.as_str(), v);
        body = body.replace(k.as_str(), v);
    }
    (subject, format!("{LAYOUT_START}{body}{LAYOUT_END}"))
}
