//! Date-times as PocketBase stores and shows them: UTC, `2006-01-02 15:04:05.000Z`.
//!
//! [`parse_datetime`] accepts what PocketBase's `types.ParseDateTime` accepts for a string:
//! its own layout first, then every layout of the `spf13/cast` list it falls back to
//! (RFC 3339, `2006-01-02`, `2006-01-02 15:04:05`, RFC 1123/822/850, ANSIC, Unix and Ruby
//! dates, kitchen time, stamps), with Go's parsing rules (e.g. a fractional second may follow
//! the seconds even when the layout has none, and a named zone such as `MST` is read but its
//! wall clock is kept as UTC). Numbers are not dates: PocketBase receives JSON numbers as
//! floats, which it turns into strings that match no layout.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};

/// The layout PocketBase stores and shows dates with, in Go notation.
pub const DEFAULT_DATE_LAYOUT: &str = "2006-01-02 15:04:05.000Z";

/// Formats `dt` as `2006-01-02 15:04:05.000Z` (milliseconds truncated, as Go does).
pub fn format_datetime(dt: &DateTime<Utc>) -> String {
    let year = dt.year();
    let year = if year < 0 {
        format!("-{:04}", -i64::from(year))
    } else {
        format!("{year:04}")
    };
    let millis = (dt.nanosecond() % 1_000_000_000) / 1_000_000;
    format!(
        "{year}-{:02}-{:02} {:02}:{:02}:{:02}.{millis:03}Z",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Parses `s` the way PocketBase's `types.ParseDateTime` parses a string; `None` when no
/// accepted layout matches (PocketBase then holds the zero date, shown as `""`).
///
/// An empty string is `None`. Note that the result may be Go's zero time
/// (`0001-01-01 00:00:00Z`), which PocketBase also shows as `""`: see [`is_zero_datetime`].
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if s.is_empty() {
        return None;
    }
    LAYOUTS.iter().find_map(|layout| parse_layout(s, layout))
}

/// Parses `s` and formats it back: `""` for anything PocketBase would hold as the zero date.
pub fn normalize_datetime(s: &str) -> String {
    match parse_datetime(s) {
        Some(dt) if !is_zero_datetime(&dt) => format_datetime(&dt),
        _ => String::new(),
    }
}

/// True for Go's zero time (`0001-01-01 00:00:00Z`), which PocketBase treats as "no date".
pub fn is_zero_datetime(dt: &DateTime<Utc>) -> bool {
    dt.year() == 1
        && dt.month() == 1
        && dt.day() == 1
        && dt.num_seconds_from_midnight() == 0
        && dt.nanosecond() == 0
}

/// Formats `dt` the way Go's `time.Time.String()` prints a UTC time
/// (`2006-01-02 15:04:05.999999999 +0000 UTC`), which PocketBase shows in date range errors.
pub fn go_time_string(dt: &DateTime<Utc>) -> String {
    let base = format_datetime(dt);
    let date_time = base.get(..19).unwrap_or(&base);
    let nanos = dt.nanosecond() % 1_000_000_000;
    let frac = if nanos == 0 {
        String::new()
    } else {
        let digits = format!("{nanos:09}");
        format!(".{}", digits.trim_end_matches('0'))
    };
    format!("{date_time}{frac} +0000 UTC")
}

/// One element of a Go layout.
#[derive(Debug, Clone, Copy)]
enum Tok {
    /// Literal text (a space matches one or more spaces).
    Lit(&'static str),
    /// `2006`
    Year4,
    /// `06`
    Year2,
    /// `01`
    Month2,
    /// `Jan`
    MonthName,
    /// `02`
    Day2,
    /// `_2`
    DayUnder,
    /// `15`
    Hour24,
    /// `3`
    Hour12,
    /// `04`
    Minute,
    /// `05`
    Second,
    /// `.000` (exactly n digits)
    FracFixed(usize),
    /// `.999999999` (optional, any digits)
    FracOpt,
    /// `PM`
    Pm,
    /// `Mon`
    WeekdayShort,
    /// `Monday`
    WeekdayLong,
    /// `MST`
    ZoneName,
    /// `-0700`
    NumTz,
    /// `-07:00`
    NumColonTz,
    /// `Z0700`
    IsoTz,
    /// `Z07:00`
    IsoColonTz,
}

/// How the zone of a layout is applied (cast's `TimeFormatType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    /// No zone: UTC.
    None,
    /// A zone name only: read, then ignored (the wall clock is taken as UTC).
    Named,
    /// A numeric offset is applied.
    Numeric,
    /// A time without a date (year 0, January 1 unless given).
    TimeOnly,
}

struct Layout {
    toks: &'static [Tok],
    zone: Zone,
}

use Tok::*;

const YMD: [Tok; 5] = [Year4, Lit("-"), Month2, Lit("-"), Day2];

const LAYOUTS: &[Layout] = &[
    // PocketBase's own layout: "2006-01-02 15:04:05.000Z".
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            FracFixed(3),
            Lit("Z"),
        ],
        zone: Zone::None,
    },
    // cast's list, in its order.
    // "2006-01-02"
    Layout {
        toks: &YMD,
        zone: Zone::None,
    },
    // RFC3339 "2006-01-02T15:04:05Z07:00"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit("T"),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            IsoColonTz,
        ],
        zone: Zone::Numeric,
    },
    // "2006-01-02T15:04:05"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit("T"),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
        ],
        zone: Zone::None,
    },
    // RFC1123Z "Mon, 02 Jan 2006 15:04:05 -0700"
    Layout {
        toks: &[
            WeekdayShort,
            Lit(", "),
            Day2,
            Lit(" "),
            MonthName,
            Lit(" "),
            Year4,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            NumTz,
        ],
        zone: Zone::Numeric,
    },
    // RFC1123 "Mon, 02 Jan 2006 15:04:05 MST"
    Layout {
        toks: &[
            WeekdayShort,
            Lit(", "),
            Day2,
            Lit(" "),
            MonthName,
            Lit(" "),
            Year4,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            ZoneName,
        ],
        zone: Zone::Named,
    },
    // RFC822Z "02 Jan 06 15:04 -0700"
    Layout {
        toks: &[
            Day2,
            Lit(" "),
            MonthName,
            Lit(" "),
            Year2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(" "),
            NumTz,
        ],
        zone: Zone::Numeric,
    },
    // RFC822 "02 Jan 06 15:04 MST"
    Layout {
        toks: &[
            Day2,
            Lit(" "),
            MonthName,
            Lit(" "),
            Year2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(" "),
            ZoneName,
        ],
        zone: Zone::Named,
    },
    // RFC850 "Monday, 02-Jan-06 15:04:05 MST"
    Layout {
        toks: &[
            WeekdayLong,
            Lit(", "),
            Day2,
            Lit("-"),
            MonthName,
            Lit("-"),
            Year2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            ZoneName,
        ],
        zone: Zone::Named,
    },
    // Time.String() "2006-01-02 15:04:05.999999999 -0700 MST"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            FracOpt,
            Lit(" "),
            NumTz,
            Lit(" "),
            ZoneName,
        ],
        zone: Zone::Numeric,
    },
    // "2006-01-02T15:04:05-0700"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit("T"),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            NumTz,
        ],
        zone: Zone::Numeric,
    },
    // "2006-01-02 15:04:05Z0700"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            IsoTz,
        ],
        zone: Zone::Numeric,
    },
    // "2006-01-02 15:04:05"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
        ],
        zone: Zone::None,
    },
    // ANSIC "Mon Jan _2 15:04:05 2006"
    Layout {
        toks: &[
            WeekdayShort,
            Lit(" "),
            MonthName,
            Lit(" "),
            DayUnder,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            Year4,
        ],
        zone: Zone::None,
    },
    // UnixDate "Mon Jan _2 15:04:05 MST 2006"
    Layout {
        toks: &[
            WeekdayShort,
            Lit(" "),
            MonthName,
            Lit(" "),
            DayUnder,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            ZoneName,
            Lit(" "),
            Year4,
        ],
        zone: Zone::Named,
    },
    // RubyDate "Mon Jan 02 15:04:05 -0700 2006"
    Layout {
        toks: &[
            WeekdayShort,
            Lit(" "),
            MonthName,
            Lit(" "),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            NumTz,
            Lit(" "),
            Year4,
        ],
        zone: Zone::Numeric,
    },
    // "2006-01-02 15:04:05Z07:00"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            IsoColonTz,
        ],
        zone: Zone::Numeric,
    },
    // "02 Jan 2006"
    Layout {
        toks: &[Day2, Lit(" "), MonthName, Lit(" "), Year4],
        zone: Zone::None,
    },
    // "2006-01-02 15:04:05 -07:00"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            NumColonTz,
        ],
        zone: Zone::Numeric,
    },
    // "2006-01-02 15:04:05 -0700"
    Layout {
        toks: &[
            Year4,
            Lit("-"),
            Month2,
            Lit("-"),
            Day2,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            Lit(" "),
            NumTz,
        ],
        zone: Zone::Numeric,
    },
    // Kitchen "3:04PM"
    Layout {
        toks: &[Hour12, Lit(":"), Minute, Pm],
        zone: Zone::TimeOnly,
    },
    // Stamp "Jan _2 15:04:05"
    Layout {
        toks: &[
            MonthName,
            Lit(" "),
            DayUnder,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
        ],
        zone: Zone::TimeOnly,
    },
    // StampMilli "Jan _2 15:04:05.000"
    Layout {
        toks: &[
            MonthName,
            Lit(" "),
            DayUnder,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            FracFixed(3),
        ],
        zone: Zone::TimeOnly,
    },
    // StampMicro "Jan _2 15:04:05.000000"
    Layout {
        toks: &[
            MonthName,
            Lit(" "),
            DayUnder,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            FracFixed(6),
        ],
        zone: Zone::TimeOnly,
    },
    // StampNano "Jan _2 15:04:05.000000000"
    Layout {
        toks: &[
            MonthName,
            Lit(" "),
            DayUnder,
            Lit(" "),
            Hour24,
            Lit(":"),
            Minute,
            Lit(":"),
            Second,
            FracFixed(9),
        ],
        zone: Zone::TimeOnly,
    },
];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS_SHORT: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const DAYS_LONG: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// The fields read so far.
#[derive(Default)]
struct Parts {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    pm: Option<bool>,
    offset: Option<i32>,
}

fn parse_layout(s: &str, layout: &Layout) -> Option<DateTime<Utc>> {
    let mut p = Parts {
        month: 1,
        day: 1,
        ..Parts::default()
    };
    let mut v = s.as_bytes();
    for (i, tok) in layout.toks.iter().enumerate() {
        v = step(v, *tok, &mut p)?;
        if matches!(tok, Second) {
            // Go: a fractional second may follow the seconds even when the layout has none.
            let next_is_frac = matches!(layout.toks.get(i + 1), Some(FracFixed(_) | FracOpt));
            if !next_is_frac && v.len() >= 2 && is_comma_or_period(v[0]) && v[1].is_ascii_digit() {
                let n = 1 + v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                p.nanos = nanos(&v[1..n]);
                v = &v[n..];
            }
        }
    }
    if !v.is_empty() {
        return None;
    }
    build(&p, layout.zone)
}

fn build(p: &Parts, zone: Zone) -> Option<DateTime<Utc>> {
    let mut hour = p.hour;
    match p.pm {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let date = NaiveDate::from_ymd_opt(p.year, p.month, p.day)?;
    let naive = date.and_hms_nano_opt(hour, p.minute, p.second, p.nanos)?;
    match (zone, p.offset) {
        (Zone::Numeric, Some(offset)) => {
            let tz = FixedOffset::east_opt(offset)?;
            tz.from_local_datetime(&naive)
                .single()
                .map(|dt| dt.with_timezone(&Utc))
        }
        _ => Some(Utc.from_utc_datetime(&naive)),
    }
}

fn is_comma_or_period(b: u8) -> bool {
    b == b'.' || b == b','
}

/// Nanoseconds from a run of digits (Go keeps the first nine).
fn nanos(digits: &[u8]) -> u32 {
    let mut n: u32 = 0;
    for i in 0..9 {
        let d = digits.get(i).map_or(0, |b| u32::from(b - b'0'));
        n = n * 10 + d;
    }
    n
}

/// Go's `getnum`: one or two digits; `fixed` requires two.
fn getnum(v: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let d0 = *v.first().filter(|b| b.is_ascii_digit())?;
    match v.get(1).filter(|b| b.is_ascii_digit()) {
        Some(d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), &v[2..])),
        None if fixed => None,
        None => Some((u32::from(d0 - b'0'), &v[1..])),
    }
}

/// Case-insensitive prefix lookup in a name table; returns the index.
fn lookup<'a>(table: &[&str], v: &'a [u8]) -> Option<(usize, &'a [u8])> {
    table.iter().enumerate().find_map(|(i, name)| {
        let n = name.len();
        (v.len() >= n && v[..n].eq_ignore_ascii_case(name.as_bytes())).then(|| (i, &v[n..]))
    })
}

fn digits_n(v: &[u8], n: usize) -> Option<u32> {
    let part = v.get(..n)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(part.iter().fold(0, |acc, b| acc * 10 + u32::from(b - b'0')))
}

/// Go's `parseTimeZone` (the `MST` element).
fn zone_name_len(v: &[u8]) -> Option<usize> {
    if v.len() < 3 {
        return None;
    }
    if v.len() >= 4 && (&v[..4] == b"ChST" || &v[..4] == b"MeST") {
        return Some(4);
    }
    if &v[..3] == b"GMT" {
        return Some(gmt_len(v));
    }
    if v[0] == b'+' || v[0] == b'-' {
        let n = signed_offset_len(v);
        return (n > 0).then_some(n);
    }
    let upper = v
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if v[3] == b'T' || &v[..4] == b"WITA" => Some(4),
        5 if v[4] == b'T' => Some(5),
        _ => None,
    }
}

fn gmt_len(v: &[u8]) -> usize {
    let rest = &v[3..];
    if rest.is_empty() {
        return 3;
    }
    let n = signed_offset_len(rest);
    3 + n
}

/// Go's `parseSignedOffset`: `+hh` / `-hh` with at most 23 hours.
fn signed_offset_len(v: &[u8]) -> usize {
    if v.is_empty() || (v[0] != b'+' && v[0] != b'-') {
        return 0;
    }
    let digits = v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 2 {
        return 0;
    }
    let n = v[1..=digits]
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    if n > 23 { 0 } else { 1 + digits }
}

/// A numeric zone `±hhmm` or `±hh:mm` (`colon`); returns the offset in seconds.
fn num_tz(v: &[u8], colon: bool) -> Option<(i32, &[u8])> {
    let sign = match v.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hh, mm, rest) = if colon {
        if v.get(3) != Some(&b':') {
            return None;
        }
        (digits_n(&v[1..], 2)?, digits_n(&v[4..], 2)?, v.get(6..)?)
    } else {
        (digits_n(&v[1..], 2)?, digits_n(&v[3..], 2)?, v.get(5..)?)
    };
    if hh > 24 || mm > 60 {
        return None;
    }
    let secs = i32::try_from((hh * 60 + mm) * 60).ok()?;
    Some((sign * secs, rest))
}

fn step<'a>(v: &'a [u8], tok: Tok, p: &mut Parts) -> Option<&'a [u8]> {
    match tok {
        Lit(lit) => skip_literal(v, lit.as_bytes()),
        Year4 => {
            let y = digits_n(v, 4)?;
            p.year = i32::try_from(y).ok()?;
            Some(&v[4..])
        }
        Year2 => {
            let y = digits_n(v, 2)?;
            let y = i32::try_from(y).ok()?;
            p.year = if y >= 69 { y + 1900 } else { y + 2000 };
            Some(&v[2..])
        }
        Month2 => {
            let (m, rest) = getnum(v, true)?;
            if !(1..=12).contains(&m) {
                return None;
            }
            p.month = m;
            Some(rest)
        }
        MonthName => {
            let (i, rest) = lookup(&MONTHS, v)?;
            p.month = u32::try_from(i).ok()? + 1;
            Some(rest)
        }
        Day2 | DayUnder => {
            let v = if matches!(tok, DayUnder) && v.first() == Some(&b' ') {
                &v[1..]
            } else {
                v
            };
            let (d, rest) = getnum(v, matches!(tok, Day2))?;
            p.day = d;
            Some(rest)
        }
        Hour24 => {
            let (h, rest) = getnum(v, false)?;
            if h >= 24 {
                return None;
            }
            p.hour = h;
            Some(rest)
        }
        Hour12 => {
            let (h, rest) = getnum(v, false)?;
            if h > 12 {
                return None;
            }
            p.hour = h;
            Some(rest)
        }
        Minute => {
            let (m, rest) = getnum(v, true)?;
            if m >= 60 {
                return None;
            }
            p.minute = m;
            Some(rest)
        }
        Second => {
            let (s, rest) = getnum(v, true)?;
            if s >= 60 {
                return None;
            }
            p.second = s;
            Some(rest)
        }
        FracFixed(n) => {
            if v.len() < n + 1 || !is_comma_or_period(v[0]) {
                return None;
            }
            let digits = &v[1..=n];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            p.nanos = nanos(digits);
            Some(&v[n + 1..])
        }
        FracOpt => {
            if v.len() < 2 || !is_comma_or_period(v[0]) || !v[1].is_ascii_digit() {
                return Some(v);
            }
            let n = 1 + v[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            p.nanos = nanos(&v[1..n]);
            Some(&v[n..])
        }
        Pm => {
            let part = v.get(..2)?;
            p.pm = match part {
                b"PM" => Some(true),
                b"AM" => Some(false),
                _ => return None,
            };
            Some(&v[2..])
        }
        WeekdayShort => lookup(&DAYS_SHORT, v).map(|(_, rest)| rest),
        WeekdayLong => lookup(&DAYS_LONG, v).map(|(_, rest)| rest),
        ZoneName => {
            if v.len() >= 3 && &v[..3] == b"UTC" {
                return Some(&v[3..]);
            }
            let n = zone_name_len(v)?;
            Some(&v[n..])
        }
        NumTz | NumColonTz => {
            let (off, rest) = num_tz(v, matches!(tok, NumColonTz))?;
            p.offset = Some(off);
            Some(rest)
        }
        IsoTz | IsoColonTz => {
            if v.first() == Some(&b'Z') {
                p.offset = Some(0);
                return Some(&v[1..]);
            }
            let (off, rest) = num_tz(v, matches!(tok, IsoColonTz))?;
            p.offset = Some(off);
            Some(rest)
        }
    }
}

/// Go's `skip`: literal bytes must match; a space matches a run of spaces.
fn skip_literal<'a>(mut v: &'a [u8], mut lit: &[u8]) -> Option<&'a [u8]> {
    while let Some((&c, rest)) = lit.split_first() {
        if c == b' ' {
            if v.first().is_some_and(|&b| b != b' ') {
                return None;
            }
            lit = trim_spaces(lit);
            v = trim_spaces(v);
            continue;
        }
        if v.first() != Some(&c) {
            return None;
        }
        v = &v[1..];
        lit = rest;
    }
    Some(v)
}

fn trim_spaces(v: &[u8]) -> &[u8] {
    let n = v.iter().take_while(|&&b| b == b' ').count();
    &v[n..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize_datetime(s)
    }

    #[test]
    fn formats_with_milliseconds_truncated() {
        let dt = Utc
            .with_ymd_and_hms(2024, 3, 5, 7, 8, 9)
            .single()
            .unwrap()
            .with_nanosecond(123_999_999)
            .unwrap();
        assert_eq!(format_datetime(&dt), "2024-03-05 07:08:09.123Z");
    }

    #[test]
    fn formats_year_zero_and_five_digit_years() {
        let dt = Utc.with_ymd_and_hms(0, 1, 1, 15, 4, 0).single().unwrap();
        assert_eq!(format_datetime(&dt), "0000-01-01 15:04:00.000Z");
        let dt = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).single().unwrap();
        assert_eq!(format_datetime(&dt), "10000-01-01 00:00:00.000Z");
    }

    #[test]
    fn parses_default_layout() {
        assert_eq!(norm("2024-01-02 03:04:05.678Z"), "2024-01-02 03:04:05.678Z");
        // more or fewer fraction digits fall through to the `Z0700` layout
        assert_eq!(
            norm("2024-01-02 03:04:05.678999Z"),
            "2024-01-02 03:04:05.678Z"
        );
        assert_eq!(norm("2024-01-02 03:04:05.6Z"), "2024-01-02 03:04:05.600Z");
        assert_eq!(norm("2024-01-02 03:04:05Z"), "2024-01-02 03:04:05.000Z");
    }

    #[test]
    fn parses_date_only_and_plain_datetime() {
        assert_eq!(norm("2024-01-02"), "2024-01-02 00:00:00.000Z");
        assert_eq!(norm("2024-01-02 03:04:05"), "2024-01-02 03:04:05.000Z");
        assert_eq!(norm("2024-01-02 03:04:05.5"), "2024-01-02 03:04:05.500Z");
        assert_eq!(norm("2024-01-02T03:04:05"), "2024-01-02 03:04:05.000Z");
        // Go's hour element takes one digit too
        assert_eq!(norm("2024-01-02 3:04:05"), "2024-01-02 03:04:05.000Z");
        // a comma works as the decimal separator
        assert_eq!(norm("2024-01-02 03:04:05,25"), "2024-01-02 03:04:05.250Z");
    }

    #[test]
    fn parses_rfc3339_with_offsets() {
        assert_eq!(norm("2024-01-02T03:04:05Z"), "2024-01-02 03:04:05.000Z");
        assert_eq!(
            norm("2024-01-02T03:04:05.123456789+02:00"),
            "2024-01-02 01:04:05.123Z"
        );
        assert_eq!(
            norm("2024-01-02T23:30:00-01:30"),
            "2024-01-03 01:00:00.000Z"
        );
        assert_eq!(norm("2024-01-02T03:04:05+0200"), "2024-01-02 01:04:05.000Z");
        assert_eq!(
            norm("2024-01-02 03:04:05+02:00"),
            "2024-01-02 01:04:05.000Z"
        );
        assert_eq!(
            norm("2024-01-02 03:04:05 -07:00"),
            "2024-01-02 10:04:05.000Z"
        );
        assert_eq!(
            norm("2024-01-02 03:04:05 +0100"),
            "2024-01-02 02:04:05.000Z"
        );
    }

    #[test]
    fn parses_go_time_string() {
        assert_eq!(
            norm("2024-01-02 03:04:05.5 +0100 CET"),
            "2024-01-02 02:04:05.500Z"
        );
        assert_eq!(
            norm("2024-01-02 03:04:05 +0000 UTC"),
            "2024-01-02 03:04:05.000Z"
        );
    }

    #[test]
    fn parses_rfc1123_822_850() {
        assert_eq!(
            norm("Tue, 02 Jan 2024 03:04:05 +0100"),
            "2024-01-02 02:04:05.000Z"
        );
        // named zones keep their wall clock as UTC (cast re-dates them)
        assert_eq!(
            norm("Tue, 02 Jan 2024 03:04:05 PST"),
            "2024-01-02 03:04:05.000Z"
        );
        assert_eq!(norm("02 Jan 24 03:04 -0100"), "2024-01-02 04:04:00.000Z");
        assert_eq!(norm("02 Jan 70 03:04 MST"), "1970-01-02 03:04:00.000Z");
        assert_eq!(
            norm("Tuesday, 02-Jan-24 03:04:05 GMT"),
            "2024-01-02 03:04:05.000Z"
        );
        // month and weekday names are case-insensitive, the weekday is not checked
        assert_eq!(
            norm("fri, 02 JAN 2024 03:04:05 +0000"),
            "2024-01-02 03:04:05.000Z"
        );
    }

    #[test]
    fn parses_ansic_unix_ruby() {
        assert_eq!(norm("Tue Jan  2 03:04:05 2024"), "2024-01-02 03:04:05.000Z");
        assert_eq!(norm("Tue Jan 12 03:04:05 2024"), "2024-01-12 03:04:05.000Z");
        assert_eq!(
            norm("Tue Jan  2 03:04:05 EST 2024"),
            "2024-01-02 03:04:05.000Z"
        );
        assert_eq!(
            norm("Tue Jan 02 03:04:05 -0500 2024"),
            "2024-01-02 08:04:05.000Z"
        );
        assert_eq!(norm("02 Jan 2024"), "2024-01-02 00:00:00.000Z");
    }

    #[test]
    fn parses_time_only_layouts_in_year_zero() {
        assert_eq!(norm("3:04PM"), "0000-01-01 15:04:00.000Z");
        assert_eq!(norm("12:00AM"), "0000-01-01 00:00:00.000Z");
        assert_eq!(norm("Feb 29 10:00:00"), "0000-02-29 10:00:00.000Z");
        assert_eq!(norm("Jan  2 10:00:00.123456"), "0000-01-02 10:00:00.123Z");
    }

    #[test]
    fn rejects_invalid_values() {
        for s in [
            "",
            " 2024-01-02",
            "2024-01-02 ",
            "2024-1-2",
            "2024-02-30",
            "2024-13-01",
            "2024-01-02 24:00:00",
            "2024-01-02 23:60:00",
            "2024-01-02 23:59:60",
            "1700000000",
            "12.5",
            "true",
            "now",
            "2024-01-02T03:04:05+2:00",
            "13:00PM",
        ] {
            assert_eq!(norm(s), "", "{s:?}");
            assert!(parse_datetime(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn zero_time_is_empty() {
        let zero = parse_datetime("0001-01-01 00:00:00.000Z").unwrap();
        assert!(is_zero_datetime(&zero));
        assert_eq!(norm("0001-01-01 00:00:00.000Z"), "");
        assert_eq!(norm("0001-01-01"), "");
        // not zero once an offset moves it
        assert_eq!(
            norm("0001-01-01T00:00:00+01:00"),
            "0000-12-31 23:00:00.000Z"
        );
    }

    #[test]
    fn go_time_string_matches_go() {
        let dt = parse_datetime("2024-01-02 03:04:05.000Z").unwrap();
        assert_eq!(go_time_string(&dt), "2024-01-02 03:04:05 +0000 UTC");
        let dt = parse_datetime("2024-01-02 03:04:05.120Z").unwrap();
        assert_eq!(go_time_string(&dt), "2024-01-02 03:04:05.12 +0000 UTC");
    }

    #[test]
    fn round_trips_formatted_values() {
        for s in [
            "2024-01-02 03:04:05.678Z",
            "1999-12-31 23:59:59.999Z",
            "0000-01-01 15:04:00.000Z",
        ] {
            assert_eq!(norm(s), s);
        }
    }
}
