//! Cron expressions: PocketBase's 5-field syntax and macros, parsed by `croner`. The scheduler
//! that runs jobs on them (async, on the injected clock) is `basalt-core`'s `cron` module,
//! which re-exports [`Schedule`] and [`CronError`].
//!
//! PocketBase accepts a macro (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
//! `@midnight`, `@hourly`) or exactly five single-space separated segments — minute (0-59),
//! hour (0-23), day of month (1-31), month (1-12), day of week (0-6, Sunday = 0) — each a
//! comma-separated list of `*`, `n`, `a-b`, `*/n` or `a-b/n`. A time is due when **every**
//! segment matches (day of month *and* day of week, unlike Vixie cron's "or").
//!
//! This module is a thin adapter: it expands the macros and rejects what PocketBase's grammar
//! does not have (names, `L`, `W`, `#`, `?`, six fields, extra spaces); `croner` does the parsing
//! and the matching, with seconds and years disallowed and DOM-and-DOW on.

use chrono::{DateTime, TimeZone, Timelike};
use croner::parser::{CronParser, Seconds, Year};

/// PocketBase's macros and the expressions they stand for.
pub(crate) const MACROS: [(&str, &str); 7] = [
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

/// The characters a segment may hold in PocketBase's grammar.
const SEGMENT_CHARS: &str = "0123456789*,-/";

/// The largest value of each segment (minute, hour, day, month, weekday); a step may not be
/// larger. `croner` takes 7 for Sunday and any step; PocketBase takes neither.
const SEGMENT_MAX: [u32; 5] = [59, 23, 31, 12, 6];

/// A cron expression that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression {expression:?}: {reason}")]
pub struct CronError {
    /// The expression as given.
    pub expression: String,
    /// Why it was rejected.
    pub reason: String,
}

/// A parsed cron expression: when a job is due.
#[derive(Clone)]
pub struct Schedule {
    expression: String,
    cron: croner::Cron,
}

impl Schedule {
    /// Parses a 5-field expression or a macro. A macro is expanded: the schedule's
    /// [`expression`](Schedule::expression) is then the five fields (`@hourly` → `0 * * * *`),
    /// as in PocketBase.
    pub fn parse(expression: &str) -> Result<Self, CronError> {
        let invalid = |reason: &str| CronError {
            expression: expression.to_owned(),
            reason: reason.to_owned(),
        };
        let expanded = MACROS
            .iter()
            .find(|(name, _)| *name == expression)
            .map_or(expression, |(_, expr)| expr);
        let segments: Vec<&str> = expanded.split(' ').collect();
        if segments.len() != 5 {
            return Err(invalid(
                "must be a valid macro or have exactly 5 space separated segments",
            ));
        }
        let malformed = |s: &&str| {
            s.split(',').any(str::is_empty) || !s.chars().all(|c| SEGMENT_CHARS.contains(c))
        };
        if segments.iter().any(malformed) {
            return Err(invalid(
                "a segment may only hold numbers, `*`, ranges `a-b`, steps `/n` and lists `,`",
            ));
        }
        for (segment, max) in segments.iter().zip(SEGMENT_MAX) {
            if let Some(reason) = out_of_bounds(segment, max) {
                return Err(invalid(&reason));
            }
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .dom_and_dow(true)
            .build()
            .parse(expanded)
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(Self {
            expression: expanded.to_owned(),
            cron,
        })
    }

    /// The expression, with a macro expanded to its five fields.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// Whether the minute `at` falls in is due (seconds are ignored), read in `at`'s time zone.
    pub fn is_due<Tz: TimeZone>(&self, at: &DateTime<Tz>) -> bool {
        let minute = at
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or_else(|| at.clone());
        self.cron.is_time_matching(&minute).unwrap_or(false)
    }
}

/// What PocketBase rejects and `croner` accepts: a step outside `1..=max`, a weekday of 7.
fn out_of_bounds(segment: &str, max: u32) -> Option<String> {
    for item in segment.split(',') {
        let (range, step) = item.split_once('/').unwrap_or((item, "1"));
        if step.parse::<u32>().is_ok_and(|n| n > max) {
            return Some(format!("the step must be between 1 and {max}"));
        }
        let too_big = range
            .split('-')
            .any(|n| n.parse::<u32>().is_ok_and(|n| n > max));
        if too_big {
            return Some(format!("a value must be at most {max}"));
        }
    }
    None
}

impl std::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Schedule").field(&self.expression).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").to_utc()
    }

    fn due(expr: &str, time: &str) -> bool {
        Schedule::parse(expr).expect(expr).is_due(&at(time))
    }

    #[test]
    fn five_fields_match_every_segment() {
        // 2024-03-15 is a Friday.
        assert!(due("* * * * *", "2024-03-15T10:07:42Z"));
        assert!(due("7 10 15 3 5", "2024-03-15T10:07:00Z"));
        assert!(!due("7 10 15 3 4", "2024-03-15T10:07:00Z"));
        assert!(!due("8 10 15 3 5", "2024-03-15T10:07:00Z"));
        assert!(!due("7 11 15 3 5", "2024-03-15T10:07:00Z"));
        assert!(!due("7 10 16 3 5", "2024-03-15T10:07:00Z"));
        assert!(!due("7 10 15 4 5", "2024-03-15T10:07:00Z"));
    }

    #[test]
    fn seconds_are_ignored() {
        assert!(due("7 10 * * *", "2024-03-15T10:07:59.999Z"));
        assert!(!due("7 10 * * *", "2024-03-15T10:08:00Z"));
    }

    #[test]
    fn day_of_month_and_day_of_week_must_both_match() {
        // PocketBase ANDs them; Vixie cron would run every 13th and every Friday.
        assert!(due("0 0 13 * 5", "2024-09-13T00:00:00Z")); // Friday the 13th
        assert!(!due("0 0 13 * 5", "2024-03-15T00:00:00Z")); // a Friday, not the 13th
        assert!(!due("0 0 13 * 5", "2024-03-13T00:00:00Z")); // the 13th, a Wednesday
    }

    #[test]
    fn steps_ranges_and_lists() {
        for m in [0, 5, 10, 55] {
            assert!(
                due("*/5 * * * *", &format!("2024-03-15T10:{m:02}:00Z")),
                "{m}"
            );
        }
        for m in [1, 4, 6, 59] {
            assert!(
                !due("*/5 * * * *", &format!("2024-03-15T10:{m:02}:00Z")),
                "{m}"
            );
        }
        assert!(due("10-20/5 * * * *", "2024-03-15T10:15:00Z"));
        assert!(!due("10-20/5 * * * *", "2024-03-15T10:25:00Z"));
        assert!(!due("10-20/5 * * * *", "2024-03-15T10:12:00Z"));
        assert!(due("1,2,30-40/10 * * * *", "2024-03-15T10:02:00Z"));
        assert!(due("1,2,30-40/10 * * * *", "2024-03-15T10:40:00Z"));
        assert!(!due("1,2,30-40/10 * * * *", "2024-03-15T10:35:00Z"));
        assert!(due("0 9-17 * * 1-5", "2024-03-15T17:00:00Z"));
        assert!(!due("0 9-17 * * 1-5", "2024-03-16T12:00:00Z")); // Saturday
        assert!(due("0 0 * * 0", "2024-03-17T00:00:00Z")); // Sunday is 0
        assert!(due("0 */3 * * *", "2024-03-15T21:00:00Z"));
        // The largest steps PocketBase takes.
        assert!(due("*/59 * * * *", "2024-03-15T21:59:00Z"));
        assert!(due("0 0 * * */6", "2024-03-16T00:00:00Z")); // Saturday
        assert!(!due("0 0 * * */6", "2024-03-15T00:00:00Z"));
        assert!(!due("0 */3 * * *", "2024-03-15T22:00:00Z"));
    }

    #[test]
    fn macros_expand_to_five_fields() {
        for (name, expr) in [
            ("@yearly", "0 0 1 1 *"),
            ("@annually", "0 0 1 1 *"),
            ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"),
            ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"),
        ] {
            assert_eq!(Schedule::parse(name).expect(name).expression(), expr);
        }
        assert!(due("@yearly", "2025-01-01T00:00:00Z"));
        assert!(!due("@yearly", "2025-02-01T00:00:00Z"));
        assert!(due("@monthly", "2025-02-01T00:00:00Z"));
        assert!(due("@weekly", "2024-03-17T00:00:00Z"));
        assert!(!due("@weekly", "2024-03-18T00:00:00Z"));
        assert!(due("@midnight", "2024-03-18T00:00:30Z"));
        assert!(due("@hourly", "2024-03-18T13:00:00Z"));
        assert!(!due("@hourly", "2024-03-18T13:01:00Z"));
    }

    #[test]
    fn the_time_zone_of_the_time_is_used() {
        let schedule = Schedule::parse("0 9 * * *").expect("parse");
        let utc = at("2024-03-15T07:00:00Z");
        assert!(!schedule.is_due(&utc));
        let cest = FixedOffset::east_opt(2 * 3600).expect("offset");
        assert!(schedule.is_due(&utc.with_timezone(&cest)));
    }

    #[test]
    fn invalid_expressions_are_rejected() {
        for expr in [
            "",
            "* * * *",
            "* * * * * *",
            "0 0 * * * 2024",
            " * * * * *",
            "*  * * * *",
            "@every 5m",
            "@HOURLY",
            "@reboot",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * 32 * *",
            "* * * 0 *",
            "* * * 13 *",
            "*/0 * * * *",
            "5-1 * * * *",
            "a * * * *",
            "* * * JAN *",
            "* * * * MON",
            "* * L * *",
            "* * 15W * *",
            "* * * * 5#2",
            "* * ? * *",
            "-5 * * * *",
            "1,,2 * * * *",
            "1, * * * *",
            // croner alone would take these:
            "* * * * 7",
            "* * * * 0-7",
            "*/60 * * * *",
            "* */24 * * *",
            "* * */32 * *",
            "* * * */13 *",
            "* * * * */7",
        ] {
            let err = Schedule::parse(expr).expect_err(expr);
            assert_eq!(err.expression, expr);
        }
    }
}
