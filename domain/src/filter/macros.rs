//! The datetime macros (`@now`, `@todayStart`, ...), computed from an injected `now` in UTC.
//! Datetimes are PocketBase's text form (`2006-01-02 15:04:05.000Z`), parts are integers.

use super::ast::Macro;
use super::sql::Param;
use crate::datetime::format_datetime;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Timelike, Utc};

/// The value of macro `m` at `now`.
pub(crate) fn macro_value(m: Macro, now: DateTime<Utc>) -> Param {
    let text = |dt: DateTime<Utc>| Param::Text(format_datetime(&dt));
    let day_at = |date: NaiveDate, end: bool| {
        let time = if end {
            NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999)
        } else {
            NaiveTime::from_hms_opt(0, 0, 0)
        };
        let dt = date.and_time(time.unwrap_or_default()).and_utc();
        Param::Text(format_datetime(&dt))
    };
    let today = now.date_naive();
    match m {
        Macro::Now => text(now),
        Macro::Second => Param::Int(i64::from(now.second())),
        Macro::Minute => Param::Int(i64::from(now.minute())),
        Macro::Hour => Param::Int(i64::from(now.hour())),
        Macro::Weekday => Param::Int(i64::from(now.weekday().num_days_from_sunday())),
        Macro::Day => Param::Int(i64::from(now.day())),
        Macro::Month => Param::Int(i64::from(now.month())),
        Macro::Year => Param::Int(i64::from(now.year())),
        Macro::Yesterday => text(now.checked_sub_days(Days::new(1)).unwrap_or(now)),
        Macro::Tomorrow => text(now.checked_add_days(Days::new(1)).unwrap_or(now)),
        Macro::TodayStart => day_at(today, false),
        Macro::TodayEnd => day_at(today, true),
        Macro::MonthStart => day_at(today.with_day(1).unwrap_or(today), false),
        Macro::MonthEnd => {
            let first = today.with_day(1).unwrap_or(today);
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.checked_sub_days(Days::new(1)))
                .unwrap_or(today);
            day_at(last, true)
        }
        Macro::YearStart => day_at(
            NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
            false,
        ),
        Macro::YearEnd => day_at(
            NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
            true,
        ),
    }
}
