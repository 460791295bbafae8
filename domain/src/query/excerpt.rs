//! The `:excerpt(maxLength, withEllipsis?)` modifier of `fields`: a plain-text excerpt of an
//! HTML string, as PocketBase's `tools/picker/excerpt_modifier.go` makes it.

use super::html::{self, Kind, Tree};

/// Elements whose content never shows in an excerpt.
const EXCLUDE_TAGS: [&str; 18] = [
    "head", "style", "script", "iframe", "embed", "applet", "object", "svg", "img", "picture",
    "dialog", "template", "button", "form", "textarea", "input", "select", "option",
];

/// Elements that don't separate words (every other element is a block and does).
const INLINE_TAGS: [&str; 21] = [
    "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "em", "i", "label",
    "q", "small", "span", "strong", "strike", "sub", "sup", "time",
];

/// A configured `excerpt` modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Excerpt {
    /// The most characters (Unicode scalar values) kept; always > 0.
    pub max: i64,
    /// Whether `...` is appended when the text was cut.
    pub ellipsis: bool,
}

/// Why `excerpt(...)` arguments were rejected (PocketBase's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExcerptError {
    /// No arguments.
    #[error("max argument is required - expected (max, withEllipsis?)")]
    MissingMax,
    /// More than two arguments.
    #[error("too many arguments - expected (max, withEllipsis?)")]
    TooManyArguments,
    /// `max` is not a positive integer.
    #[error("max argument must be > 0")]
    InvalidMax,
}

impl Excerpt {
    /// Builds the modifier from its raw arguments: `max` is read like Go's `cast.ToInt`
    /// (anything unparsable is 0, which is rejected), `withEllipsis` like `cast.ToBool`
    /// (anything unparsable is false).
    pub fn from_args(args: &[String]) -> Result<Self, ExcerptError> {
        match args.len() {
            0 => return Err(ExcerptError::MissingMax),
            1 | 2 => {}
            _ => return Err(ExcerptError::TooManyArguments),
        }
        let max = go_cast_to_int(&args[0]);
        if max <= 0 {
            return Err(ExcerptError::InvalidMax);
        }
        let ellipsis = args.get(1).is_some_and(|a| go_parse_bool(a));
        Ok(Self { max, ellipsis })
    }

    /// The excerpt of `value`: the text of the HTML (tags stripped, whitespace collapsed,
    /// block elements separated by a space), cut to `max` characters.
    pub fn apply(&self, value: &str) -> String {
        let tree = html::parse(value);
        let mut out = Extractor {
            tree: &tree,
            buf: String::new(),
            prev_space: false,
            // Go's `max+2` overflows for the largest ints; so does this, on purpose.
            limit: self.max.wrapping_add(2),
        };
        out.strip(0);
        let result = go_trim_space(&out.buf);
        if result.len() as i64 <= self.max {
            return result.to_owned();
        }
        let chars = result.chars().count() as i64;
        if chars <= self.max {
            return result.to_owned();
        }
        let cut: String = result.chars().take(self.max as usize).collect();
        let mut cut = go_trim_space(&cut).to_owned();
        if self.ellipsis {
            cut.push_str("...");
        }
        cut
    }
}

struct Extractor<'a> {
    tree: &'a Tree,
    buf: String,
    prev_space: bool,
    limit: i64,
}

impl Extractor<'_> {
    fn strip(&mut self, node: usize) {
        let n = &self.tree.nodes[node];
        if let Kind::Text(text) = &n.kind {
            let collapsed = collapse_whitespace(text);
            let txt = if self.prev_space {
                collapsed.trim_start_matches(' ')
            } else {
                collapsed.as_str()
            };
            if !txt.is_empty() {
                self.prev_space = txt.ends_with(' ');
                self.buf.push_str(txt);
            }
        }
        // Enough text: stop descending (siblings further up are still visited).
        if self.buf.len() as i64 > self.limit {
            return;
        }
        for &child in &n.children {
            let element = match &self.tree.nodes[child].kind {
                Kind::Element(name) => Some(name.as_str()),
                _ => None,
            };
            if element.is_some_and(|name| EXCLUDE_TAGS.contains(&name)) {
                continue;
            }
            let block = element.is_some_and(|name| !INLINE_TAGS.contains(&name));
            if block && !self.prev_space {
                self.buf.push(' ');
                self.prev_space = true;
            }
            self.strip(child);
            if block && !self.prev_space {
                self.buf.push(' ');
                self.prev_space = true;
            }
        }
    }
}

/// Go's `regexp.MustCompile(`\s+`).ReplaceAllString(s, " ")`: RE2's `\s` is `[\t\n\f\r ]`.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ') {
            if !in_space {
                out.push(' ');
                in_space = true;
            }
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Go's `strings.TrimSpace` (Unicode white space, as `char::is_whitespace`).
fn go_trim_space(s: &str) -> &str {
    s.trim_matches(char::is_whitespace)
}

/// Go's `strconv.ParseBool`, with errors read as `false` (as `cast.ToBool` does).
fn go_parse_bool(s: &str) -> bool {
    matches!(s, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// `cast.ToInt` (spf13/cast v1.10) of a string: `""` and anything unparsable are 0; a
/// decimal like `12.7` keeps its integer part; otherwise Go's `strconv.ParseInt(s, 0, 64)`
/// (`0x`, `0o`, `0b` and leading-`0` octal prefixes, `_` between digits).
pub(crate) fn go_cast_to_int(s: &str) -> i64 {
    if s.is_empty() {
        return 0;
    }
    let s = trim_decimal(s);
    go_parse_int(&s).unwrap_or(0)
}

/// cast's `trimDecimal`: `^([-+]?\d*)(\.\d*)?$` keeps the integer part.
fn trim_decimal(s: &str) -> String {
    if !s.contains('.') {
        return s.to_owned();
    }
    let (int_part, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = int_part.strip_prefix(['-', '+']).unwrap_or(int_part);
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_owned();
    }
    match int_part {
        "-" | "+" => format!("{int_part}0"),
        "" => "0".to_owned(),
        _ => int_part.to_owned(),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if lower.contains('_') && !underscores_ok(&lower) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if magnitude > i64::MAX as u64 + 1 {
            return None;
        }
        Some((magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `underscoreOK` (on an unsigned, lowercased number): `_` only between digits, or
/// between a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    // The class of the last character: '^' start, '0' digit or prefix, '_', '!' other.
    let b = s.as_bytes();
    let mut saw = '^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1], b'b' | b'o' | b'x') {
        i = 2;
        saw = '0';
        hex = b[1] == b'x';
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || (hex && matches!(c, b'a'..=b'f')) {
            saw = '0';
        } else if c == b'_' {
            if saw != '0' {
                return false;
            }
            saw = '_';
        } else {
            if saw == '_' {
                return false;
            }
            saw = '!';
        }
    }
    saw != '_'
}
