//! Random strings from the simple regular expressions PocketBase uses as
//! `autogeneratePattern` (e.g. `[a-z0-9]{15}`), with the randomness passed in.
//!
//! Supported, as in PocketBase's `security.RandomStringByRegex` (Go RE2/Perl syntax):
//! literals and escaped punctuation, `\t \n \r \f \v \a`, `\xHH`, `\x{HHHH}`, `\Q...\E`,
//! the ASCII classes `\d \D \w \W \s \S`, bracket classes with ranges, negation, escapes
//! and `[:alpha:]`-style names, `.` (PocketBase draws it from `[A-Za-z0-9]`), groups
//! (`(...)`, `(?:...)`, `(?P<name>...)`, `(?<name>...)`), alternation and the repeats
//! `? * + {n} {n,} {n,m}` (lazy forms too). Anchors, word boundaries, flags, Unicode
//! classes and back-references are rejected, as PocketBase rejects them.
//!
//! Repeats follow PocketBase exactly, quirks included: an unbounded repeat (`*`, `+`,
//! `{n,}`) stops at 6, and the count is `min + pick(max - min)`, so the upper bound itself
//! is never produced (`x?` always yields nothing, `[a-z]{3,5}` yields 3 or 4 letters).

use thiserror::Error;

/// The pattern of PocketBase's default record ids.
pub const ID_PATTERN: &str = "[a-z0-9]{15}";

/// Length of PocketBase's default record ids.
pub const ID_LENGTH: usize = 15;

/// Why a pattern can't be used to generate a string.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatternError {
    /// The pattern is empty.
    #[error("empty pattern")]
    Empty,
    /// The pattern uses something generation does not support (anchors, flags, ...).
    #[error("unsupported pattern syntax {0}")]
    Unsupported(String),
    /// The pattern is not a valid regular expression.
    #[error("invalid pattern: {0}")]
    Invalid(String),
    /// A character class matches nothing.
    #[error("no runes to choose from")]
    EmptyClass,
}

/// True when `s` looks like a default PocketBase id: 15 characters of `[a-z0-9]`.
pub fn is_valid_id(s: &str) -> bool {
    s.len() == ID_LENGTH
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Generates a random string matching `pattern`. `pick(n)` must return a uniformly random
/// index in `0..n` (it is only ever called with `n >= 1`; larger results are clamped).
pub fn generate_from_pattern(
    pattern: &str,
    pick: &mut dyn FnMut(usize) -> usize,
) -> Result<String, PatternError> {
    let node = parse(pattern)?;
    let mut out = String::new();
    generate(&node, &mut out, pick)?;
    Ok(out)
}

/// Checks that `pattern` can be used for generation without generating anything.
pub fn check_pattern(pattern: &str) -> Result<(), PatternError> {
    parse(pattern).map(|_| ())
}

/// Largest count allowed in `{n,m}` (Go's limit).
const MAX_REPEAT_COUNT: usize = 1000;

/// Upper bound of the unbounded repeats.
const DEFAULT_MAX_REPEAT: usize = 6;

/// What `.` draws from (PocketBase's `anyCharNotNLPairs`).
const ANY_CHAR: &[(u32, u32)] = &[(0x41, 0x5A), (0x61, 0x7A), (0x30, 0x39)];

const MAX_CHAR: u32 = 0x10FFFF;

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Empty,
    Literal(char),
    Any,
    Class(Vec<(u32, u32)>),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: usize,
        max: Option<usize>,
    },
}

fn generate(
    node: &Node,
    out: &mut String,
    pick: &mut dyn FnMut(usize) -> usize,
) -> Result<(), PatternError> {
    match node {
        Node::Empty => Ok(()),
        Node::Literal(c) => {
            out.push(*c);
            Ok(())
        }
        Node::Any => push_from_ranges(ANY_CHAR, out, pick),
        Node::Class(ranges) => push_from_ranges(ranges, out, pick),
        Node::Concat(nodes) => nodes.iter().try_for_each(|n| generate(n, out, pick)),
        Node::Alternate(nodes) => {
            let i = pick_index(pick, nodes.len());
            match nodes.get(i) {
                Some(n) => generate(n, out, pick),
                None => Ok(()),
            }
        }
        Node::Repeat { node, min, max } => {
            let min = *min;
            let max = max.unwrap_or(DEFAULT_MAX_REPEAT).max(min);
            let count = if max == min {
                min
            } else {
                min + pick_index(pick, max - min)
            };
            (0..count).try_for_each(|_| generate(node, out, pick))
        }
    }
}

fn pick_index(pick: &mut dyn FnMut(usize) -> usize, n: usize) -> usize {
    if n == 0 { 0 } else { pick(n).min(n - 1) }
}

fn push_from_ranges(
    ranges: &[(u32, u32)],
    out: &mut String,
    pick: &mut dyn FnMut(usize) -> usize,
) -> Result<(), PatternError> {
    let total: usize = ranges.iter().map(|(lo, hi)| (hi - lo + 1) as usize).sum();
    if total == 0 {
        return Err(PatternError::EmptyClass);
    }
    let mut idx = pick_index(pick, total);
    for (lo, hi) in ranges {
        let size = (hi - lo + 1) as usize;
        if idx < size {
            let code = lo + u32::try_from(idx).map_err(|_| PatternError::EmptyClass)?;
            let c = char::from_u32(code).ok_or(PatternError::EmptyClass)?;
            out.push(c);
            return Ok(());
        }
        idx -= size;
    }
    Err(PatternError::EmptyClass)
}

fn parse(pattern: &str) -> Result<Node, PatternError> {
    if pattern.is_empty() {
        return Err(PatternError::Empty);
    }
    let mut p = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
    };
    let node = p.alternation()?;
    if p.pos < p.chars.len() {
        return Err(PatternError::Invalid(format!(
            "unexpected ) in `{pattern}`"
        )));
    }
    Ok(node)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn eat(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = s
            .chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c));
        if matches {
            self.pos += n;
        }
        matches
    }

    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alternate(branches)
        })
    }

    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.extend(self.quantified(atom)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    /// Applies any repeat operators following `atom` (a `\Q..\E` run yields several atoms,
    /// of which only the last is repeated).
    fn quantified(&mut self, atom: Vec<Node>) -> Result<Vec<Node>, PatternError> {
        let mut atom = atom;
        let mut repeated = false;
        loop {
            let Some((min, max)) = self.repeat_op()? else {
                return Ok(atom);
            };
            if repeated {
                return Err(PatternError::Invalid(
                    "invalid nested repetition operator".into(),
                ));
            }
            let Some(last) = atom.pop() else {
                return Err(PatternError::Invalid(
                    "missing argument to repetition operator".into(),
                ));
            };
            atom.push(Node::Repeat {
                node: Box::new(last),
                min,
                max,
            });
            // a trailing `?` makes it lazy, which does not change generation
            if self.peek() == Some('?') {
                self.pos += 1;
            }
            repeated = true;
        }
    }

    /// Reads `*`, `+`, `?` or a valid `{n}`, `{n,}`, `{n,m}`.
    fn repeat_op(&mut self) -> Result<Option<(usize, Option<usize>)>, PatternError> {
        match self.peek() {
            Some('*') => {
                self.pos += 1;
                Ok(Some((0, None)))
            }
            Some('+') => {
                self.pos += 1;
                Ok(Some((1, None)))
            }
            Some('?') => {
                self.pos += 1;
                Ok(Some((0, Some(1))))
            }
            Some('{') => match self.counted_repeat() {
                Some((len, min, max)) => {
                    if min > MAX_REPEAT_COUNT
                        || max.is_some_and(|m| m > MAX_REPEAT_COUNT || m < min)
                    {
                        return Err(PatternError::Invalid("invalid repeat count".into()));
                    }
                    self.pos += len;
                    Ok(Some((min, max)))
                }
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the cursor without consuming it:
    /// `(length, min, max)`, or `None` when the brace is a literal (as in Go).
    fn counted_repeat(&self) -> Option<(usize, usize, Option<usize>)> {
        let mut i = 1;
        let number = |i: &mut usize| -> Option<usize> {
            let start = *i;
            while self.peek_at(*i).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
            }
            if *i == start {
                return None;
            }
            let s: String = (start..*i).filter_map(|k| self.peek_at(k)).collect();
            // absurdly long counts are "too large", i.e. over the limit
            Some(s.parse().unwrap_or(usize::MAX))
        };
        let min = number(&mut i)?;
        let max = match self.peek_at(i)? {
            '}' => Some(min),
            ',' => {
                i += 1;
                if self.peek_at(i) == Some('}') {
                    None
                } else {
                    Some(number(&mut i)?)
                }
            }
            _ => return None,
        };
        (self.peek_at(i) == Some('}')).then_some((i + 1, min, max))
    }

    fn atom(&mut self) -> Result<Vec<Node>, PatternError> {
        let Some(c) = self.next() else {
            return Ok(vec![]);
        };
        match c {
            '(' => self.group().map(|n| vec![n]),
            '[' => self.class().map(|n| vec![n]),
            '.' => Ok(vec![Node::Any]),
            '^' | '$' => Err(PatternError::Unsupported(format!("anchor `{c}`"))),
            '\\' => self.escape(),
            '*' | '+' | '?' => Err(PatternError::Invalid(
                "missing argument to repetition operator".into(),
            )),
            '{' => {
                self.pos -= 1;
                if self.counted_repeat().is_some() {
                    return Err(PatternError::Invalid(
                        "missing argument to repetition operator".into(),
                    ));
                }
                self.pos += 1;
                Ok(vec![Node::Literal('{')])
            }
            other => Ok(vec![Node::Literal(other)]),
        }
    }

    fn group(&mut self) -> Result<Node, PatternError> {
        if self.peek() == Some('?') {
            if self.eat("?:") {
                // non-capturing
            } else if self.eat("?P<") || self.eat("?<") {
                let mut name_len = 0;
                loop {
                    match self.next() {
                        Some('>') if name_len > 0 => break,
                        Some(c) if c.is_ascii_alphanumeric() || c == '_' => name_len += 1,
                        _ => {
                            return Err(PatternError::Invalid("invalid named capture".into()));
                        }
                    }
                }
            } else {
                return Err(PatternError::Unsupported("flags group `(?`".into()));
            }
        }
        let inner = self.alternation()?;
        if self.next() != Some(')') {
            return Err(PatternError::Invalid("missing closing )".into()));
        }
        Ok(inner)
    }

    /// An escape outside a class (the backslash is consumed).
    fn escape(&mut self) -> Result<Vec<Node>, PatternError> {
        if self.peek() == Some('Q') {
            self.pos += 1;
            let mut lits = Vec::new();
            while self.peek().is_some() {
                if self.eat("\\E") {
                    break;
                }
                if let Some(c) = self.next() {
                    lits.push(Node::Literal(c));
                }
            }
            return Ok(lits);
        }
        match self.escape_item()? {
            ClassItem::Char(c) => Ok(vec![Node::Literal(c)]),
            ClassItem::Ranges(r) => Ok(vec![Node::Class(r)]),
        }
    }

    /// An escape that stands for one character or a class (inside or outside brackets).
    fn escape_item(&mut self) -> Result<ClassItem, PatternError> {
        let Some(c) = self.next() else {
            return Err(PatternError::Invalid(
                "trailing backslash at end of expression".into(),
            ));
        };
        let item = match c {
            'd' => ClassItem::Ranges(DIGIT.to_vec()),
            'D' => ClassItem::Ranges(negate(DIGIT)),
            'w' => ClassItem::Ranges(normalize(WORD.to_vec())),
            'W' => ClassItem::Ranges(negate(&normalize(WORD.to_vec()))),
            's' => ClassItem::Ranges(normalize(SPACE.to_vec())),
            'S' => ClassItem::Ranges(negate(&normalize(SPACE.to_vec()))),
            't' => ClassItem::Char('\t'),
            'n' => ClassItem::Char('\n'),
            'r' => ClassItem::Char('\r'),
            'f' => ClassItem::Char('\u{c}'),
            'v' => ClassItem::Char('\u{b}'),
            'a' => ClassItem::Char('\u{7}'),
            'x' => ClassItem::Char(self.hex_escape()?),
            'b' | 'B' | 'A' | 'z' => {
                return Err(PatternError::Unsupported(format!("assertion `\\{c}`")));
            }
            'p' | 'P' => {
                return Err(PatternError::Unsupported(format!("unicode class `\\{c}`")));
            }
            c if c.is_ascii_punctuation() => ClassItem::Char(c),
            c => {
                return Err(PatternError::Invalid(format!(
                    "invalid escape sequence `\\{c}`"
                )));
            }
        };
        Ok(item)
    }

    fn hex_escape(&mut self) -> Result<char, PatternError> {
        let invalid = || PatternError::Invalid("invalid escape sequence `\\x`".into());
        let digits: String = if self.peek() == Some('{') {
            self.pos += 1;
            let mut s = String::new();
            loop {
                match self.next() {
                    Some('}') => break,
                    Some(c) if c.is_ascii_hexdigit() => s.push(c),
                    _ => return Err(invalid()),
                }
            }
            s
        } else {
            let a = self.next().ok_or_else(invalid)?;
            let b = self.next().ok_or_else(invalid)?;
            [a, b].iter().collect()
        };
        if digits.is_empty() || digits.len() > 8 {
            return Err(invalid());
        }
        u32::from_str_radix(&digits, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(invalid)
    }

    /// A bracket class (the `[` is consumed).
    fn class(&mut self) -> Result<Node, PatternError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(PatternError::Invalid("missing closing ]".into()));
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            if c == '['
                && self.peek_at(1) == Some(':')
                && let Some(r) = self.posix_class()?
            {
                ranges.extend(r);
                continue;
            }
            let lo = match self.class_item()? {
                ClassItem::Ranges(r) => {
                    ranges.extend(r);
                    continue;
                }
                ClassItem::Char(c) => c,
            };
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
                self.pos += 1;
                let hi = match self.class_item()? {
                    ClassItem::Char(c) => c,
                    ClassItem::Ranges(_) => {
                        return Err(PatternError::Invalid(
                            "invalid character class range".into(),
                        ));
                    }
                };
                if hi < lo {
                    return Err(PatternError::Invalid(format!(
                        "invalid character class range `{lo}-{hi}`"
                    )));
                }
                ranges.push((u32::from(lo), u32::from(hi)));
            } else {
                ranges.push((u32::from(lo), u32::from(lo)));
            }
        }
        let ranges = normalize(ranges);
        Ok(Node::Class(if negated { negate(&ranges) } else { ranges }))
    }

    fn class_item(&mut self) -> Result<ClassItem, PatternError> {
        match self.next() {
            Some('\\') => self.escape_item(),
            Some(c) => Ok(ClassItem::Char(c)),
            None => Err(PatternError::Invalid("missing closing ]".into())),
        }
    }

    /// `[:name:]` / `[:^name:]` inside a class; `None` (nothing consumed) when the text is
    /// not such a name, so `[` is then a literal as in Go.
    fn posix_class(&mut self) -> Result<Option<Vec<(u32, u32)>>, PatternError> {
        let rest: String = self.chars[self.pos..].iter().collect();
        let Some(end) = rest[2..].find(":]") else {
            return Ok(None);
        };
        let mut name = &rest[2..2 + end];
        let negated = name.starts_with('^');
        if negated {
            name = &name[1..];
        }
        let ranges: Vec<(u32, u32)> = match name {
            "alnum" => vec![(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
            "alpha" => vec![(0x41, 0x5A), (0x61, 0x7A)],
            "ascii" => vec![(0, 0x7F)],
            "blank" => vec![(0x09, 0x09), (0x20, 0x20)],
            "cntrl" => vec![(0, 0x1F), (0x7F, 0x7F)],
            "digit" => DIGIT.to_vec(),
            "graph" => vec![(0x21, 0x7E)],
            "lower" => vec![(0x61, 0x7A)],
            "print" => vec![(0x20, 0x7E)],
            "punct" => vec![(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
            "space" => vec![(0x09, 0x0D), (0x20, 0x20)],
            "upper" => vec![(0x41, 0x5A)],
            "word" => WORD.to_vec(),
            "xdigit" => vec![(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
            _ => {
                return Err(PatternError::Invalid(format!(
                    "invalid character class range `[:{name}:]`"
                )));
            }
        };
        self.pos += 2 + end + 2;
        let ranges = normalize(ranges);
        Ok(Some(if negated { negate(&ranges) } else { ranges }))
    }
}

enum ClassItem {
    Char(char),
    Ranges(Vec<(u32, u32)>),
}

const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
const SPACE: &[(u32, u32)] = &[(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)];

/// Sorts and merges overlapping or adjacent ranges.
fn normalize(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// The complement of normalized `ranges` over all Unicode scalar values.
fn negate(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(lo, hi) in ranges {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi.saturating_add(1);
    }
    if next <= MAX_CHAR {
        out.push((next, MAX_CHAR));
    }
    remove_surrogates(out)
}

fn remove_surrogates(ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    const LO: u32 = 0xD800;
    const HI: u32 = 0xDFFF;
    let mut out = Vec::with_capacity(ranges.len() + 1);
    for (lo, hi) in ranges {
        if hi < LO || lo > HI {
            out.push((lo, hi));
            continue;
        }
        if lo < LO {
            out.push((lo, LO - 1));
        }
        if hi > HI {
            out.push((HI + 1, hi));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::compile_go_regex;

    /// A small deterministic generator (no randomness in the domain, not even in tests).
    struct Lcg(u64);

    impl Lcg {
        fn pick(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }
    }

    fn gen_with(pattern: &str, seed: u64) -> Result<String, PatternError> {
        let mut rng = Lcg(seed);
        generate_from_pattern(pattern, &mut |n| rng.pick(n))
    }

    fn gen_all(pattern: &str, value: usize) -> Result<String, PatternError> {
        generate_from_pattern(pattern, &mut |n| value.min(n.saturating_sub(1)))
    }

    fn assert_matches(pattern: &str) {
        let re = compile_go_regex(&format!("^(?:{pattern})$")).unwrap();
        for seed in 0..50 {
            let s = gen_with(pattern, seed).unwrap();
            assert!(re.is_match(&s), "{s:?} should match {pattern}");
        }
    }

    #[test]
    fn id_pattern_generates_valid_ids() {
        for seed in 0..100 {
            let id = gen_with(ID_PATTERN, seed).unwrap();
            assert_eq!(id.len(), 15);
            assert!(is_valid_id(&id), "{id}");
        }
        // class ranges are sorted, as Go's parser sorts them
        assert_eq!(gen_all(ID_PATTERN, 0).unwrap(), "000000000000000");
        assert_eq!(gen_all(ID_PATTERN, usize::MAX).unwrap(), "zzzzzzzzzzzzzzz");
    }

    #[test]
    fn is_valid_id_checks_shape() {
        assert!(is_valid_id("abcdefghij12345"));
        assert!(!is_valid_id("abcdefghij1234"));
        assert!(!is_valid_id("abcdefghij123456"));
        assert!(!is_valid_id("Abcdefghij12345"));
        assert!(!is_valid_id("abcdefghij1234_"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn generates_matching_strings_for_pocketbase_test_patterns() {
        for p in [
            "test",
            r"\d+",
            r"\d*",
            r"\d{1,20}",
            r"\d{5}",
            r"\d{0,}-abc",
            "[a-zA-Z_]*",
            "[^a-zA-Z]{5,30}",
            r"\w+_abc",
            r"[2-9]{10}-\w+",
            "(a|b|c)",
            "[a-zA-Z0-9]{50}",
            "(?:ab|cd)+x?",
            "(?P<n>[a-f]{2}){3}",
            "(?<n>z)",
            r"a\.b\-c\\d",
            r"[\d\s_]{4}",
            r"[[:alpha:][:digit:]]{8}",
            r"[[:^alpha:]]",
            r"[\x41-\x{5A}]{3}",
            r"\Q.*\E!",
            "[]a]{3}",
            "[a-]{3}",
            "x{2,}?",
            "a{",
            "{x}",
            ".{4}",
            r"\D\W\S",
            r"[^\d\s]{3}",
        ] {
            assert_matches(p);
        }
    }

    #[test]
    fn dot_draws_from_alphanumerics() {
        for seed in 0..50 {
            let s = gen_with(".{10}", seed).unwrap();
            assert!(s.chars().all(|c| c.is_ascii_alphanumeric()), "{s}");
        }
    }

    #[test]
    fn repeat_counts_follow_pocketbase() {
        // `{n,m}`: min + pick(max - min), so the maximum is never reached
        assert_eq!(gen_all("a{3,5}", usize::MAX).unwrap(), "aaaa");
        assert_eq!(gen_all("a{3,5}", 0).unwrap(), "aaa");
        // unbounded repeats stop at 6 (exclusive)
        assert_eq!(gen_all("a*", usize::MAX).unwrap(), "aaaaa");
        assert_eq!(gen_all("a+", usize::MAX).unwrap(), "aaaaa");
        assert_eq!(gen_all("a+", 0).unwrap(), "a");
        assert_eq!(gen_all("a{8,}", usize::MAX).unwrap(), "aaaaaaaa");
        // `?` never emits
        assert_eq!(gen_all("ab?", usize::MAX).unwrap(), "a");
        assert_eq!(gen_all("a{2}", usize::MAX).unwrap(), "aa");
        assert_eq!(gen_all("a{0}", usize::MAX).unwrap(), "");
    }

    #[test]
    fn alternation_and_classes_use_pick() {
        assert_eq!(gen_all("x|y|z", 0).unwrap(), "x");
        assert_eq!(gen_all("x|y|z", 2).unwrap(), "z");
        assert_eq!(gen_all("[a-c]", 1).unwrap(), "b");
        assert_eq!(gen_all("[ac-d]", 2).unwrap(), "d");
        // out of range picks are clamped
        assert_eq!(gen_all("[a-c]", 99).unwrap(), "c");
    }

    #[test]
    fn negated_classes_skip_surrogates() {
        let s = gen_all("[^a]", 0xD800).unwrap();
        let c = s.chars().next().unwrap();
        assert_ne!(c, 'a');
        assert!(u32::from(c) >= 0xE000);
        assert_eq!(gen_all("[^a]", 0).unwrap(), "\u{0}");
    }

    #[test]
    fn rejects_unsupported_or_invalid_patterns() {
        assert_eq!(gen_all("", 0), Err(PatternError::Empty));
        for p in [
            "^abc",
            "abc$",
            r"\bx",
            r"\Ax",
            r"x\z",
            "(?i)abc",
            r"\pL",
            r"\p{Greek}",
        ] {
            assert!(
                matches!(gen_all(p, 0), Err(PatternError::Unsupported(_))),
                "{p}"
            );
        }
        for p in [
            "[a-",
            "[z-a]",
            "(ab",
            "ab)",
            "*a",
            "a**",
            "a{2}{3}",
            "a{1001}",
            "a{3,2}",
            "{2}",
            r"\q",
            r"\1",
            "\\",
            r"\x{zz}",
            "[[:nope:]]",
        ] {
            assert!(
                matches!(gen_all(p, 0), Err(PatternError::Invalid(_))),
                "{p}: {:?}",
                gen_all(p, 0)
            );
        }
        assert_eq!(check_pattern("[a-z]{3}"), Ok(()));
        assert!(check_pattern("^x").is_err());
    }

    #[test]
    fn empty_class_fails_only_when_generated() {
        let all = r"[^\x{0}-\x{10FFFF}]";
        assert_eq!(gen_all(all, 0), Err(PatternError::EmptyClass));
        assert_eq!(gen_all(&format!("a|{all}"), 0).unwrap(), "a");
    }

    #[test]
    fn error_messages_are_readable() {
        assert_eq!(PatternError::Empty.to_string(), "empty pattern");
        assert_eq!(
            gen_all("^a", 0).unwrap_err().to_string(),
            "unsupported pattern syntax anchor `^`"
        );
    }
}
