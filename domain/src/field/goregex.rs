//! Compiling user patterns with Go's (RE2) meaning on top of the `regex` crate.
//!
//! The syntaxes are nearly the same; the differences that change results are fixed up
//! before compiling: Go's `\d \w \s \b` (and their negations) are ASCII-only where the
//! `regex` crate's are Unicode-aware, Go reads `\Q...\E` as a literal run, treats a `[`
//! inside a class and a `{` that starts no valid repeat as literals, and reads `\<` /
//! `\>` as plain characters (the `regex` crate as word boundaries).

use regex::Regex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Compiles `pattern` as Go's `regexp.Compile` would read it.
pub fn compile_go_regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&translate(pattern))
}

/// True when `pattern` compiles and matches `value` somewhere (Go's
/// `regexp.MatchString`, where a bad pattern simply does not match). Compiled patterns are
/// kept (see [`cached`]): fields validate every saved record against the same few.
pub fn go_regex_matches(pattern: &str, value: &str) -> bool {
    cached(pattern).is_some_and(|re| re.is_match(value))
}

/// Patterns kept compiled at most; the cache starts over when it is full.
const CACHE_LIMIT: usize = 256;

/// Compiled field patterns by source text (`None`: does not compile).
static CACHE: LazyLock<Mutex<HashMap<String, Option<Arc<Regex>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// `pattern` compiled, from the cache when it was compiled before.
fn cached(pattern: &str) -> Option<Arc<Regex>> {
    let lock = || {
        CACHE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(hit) = lock().get(pattern) {
        return hit.clone();
    }
    let compiled = compile_go_regex(pattern).ok().map(Arc::new);
    let mut cache = lock();
    if cache.len() >= CACHE_LIMIT {
        cache.clear();
    }
    cache.insert(pattern.to_owned(), compiled.clone());
    compiled
}

const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = r"\t\n\f\r ";

/// Rewrites a Go pattern into the `regex` crate's syntax with the same meaning.
pub(crate) fn translate(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let Some(&d) = chars.get(i + 1) else {
                out.push('\\'); // let the regex crate report it
                break;
            };
            if d == 'Q' && !in_class {
                let rest: String = chars[i + 2..].iter().collect();
                let (lit, consumed) = match rest.find("\\E") {
                    Some(end) => (&rest[..end], rest[..end].chars().count() + 2),
                    None => (rest.as_str(), rest.chars().count()),
                };
                out.push_str(&regex::escape(lit));
                i += 2 + consumed;
                continue;
            }
            out.push_str(&escape(d, in_class));
            i += 2;
            class_start = false;
            continue;
        }
        if in_class {
            match c {
                ']' if !class_start => {
                    in_class = false;
                    out.push(']');
                }
                '[' => match posix_class_end(&chars, i) {
                    Some(end) => {
                        out.extend(&chars[i..end]);
                        i = end;
                        class_start = false;
                        continue;
                    }
                    None => out.push_str("\\["),
                },
                '&' | '~' | '-' if chars.get(i + 1) == Some(&c) => {
                    // `&&`, `~~`, `--` are set operators in the regex crate, literals in Go
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
            class_start = false;
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                i += 1;
            }
            '{' => match counted_repeat_len(&chars, i) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str("\\}");
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The translation of `\d` (the backslash and `d`).
fn escape(d: char, in_class: bool) -> String {
    let class = |body: &str, negated: bool| {
        if in_class && !negated {
            body.to_owned()
        } else if negated {
            format!("[^{body}]")
        } else {
            format!("[{body}]")
        }
    };
    match d {
        'd' => class("0-9", false),
        'D' => class("0-9", true),
        'w' => class(WORD, false),
        'W' => class(WORD, true),
        's' => class(SPACE, false),
        'S' => class(SPACE, true),
        'b' if !in_class => r"(?-u:\b)".to_owned(),
        'B' if !in_class => r"(?-u:\B)".to_owned(),
        '<' | '>' => d.to_string(),
        _ => format!("\\{d}"),
    }
}

/// The end (exclusive) of a `[:name:]` starting at `i`, if there is one.
fn posix_class_end(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i + 1) != Some(&':') {
        return None;
    }
    let mut j = i + 2;
    while j + 1 < chars.len() {
        if chars[j] == ':' && chars[j + 1] == ']' {
            return Some(j + 2);
        }
        j += 1;
    }
    None
}

/// The length of a valid `{n}`, `{n,}` or `{n,m}` starting at `i`.
fn counted_repeat_len(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let digits = |j: &mut usize| {
        let start = *j;
        while chars.get(*j).is_some_and(char::is_ascii_digit) {
            *j += 1;
        }
        *j > start
    };
    if !digits(&mut j) {
        return None;
    }
    if chars.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    (chars.get(j) == Some(&'}')).then_some(j + 1 - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        go_regex_matches(p, s)
    }

    #[test]
    fn cached_patterns_give_the_same_answers() {
        for _ in 0..3 {
            assert!(m("^[a-z0-9]+$", "abc123"));
            assert!(!m("^[a-z0-9]+$", "ABC"));
            // a pattern that does not compile never matches, cached or not
            assert!(!m("(", "("));
        }
        // more patterns than the cache keeps: it starts over and still answers right
        for i in 0..CACHE_LIMIT + 10 {
            assert!(m(&format!("^a{{{i}}}$"), &"a".repeat(i)));
        }
        assert!(m("^[a-z0-9]+$", "abc123"));
    }

    #[test]
    fn perl_classes_are_ascii() {
        assert!(m(r"^\d+$", "123"));
        assert!(!m(r"^\d+$", "١٢٣"));
        assert!(m(r"^\w+$", "abc_1"));
        assert!(!m(r"^\w+$", "äbc"));
        assert!(m(r"^\W$", "ä"));
        assert!(m(r"^\s$", " "));
        assert!(!m(r"^\s$", "\u{a0}"));
        assert!(!m(r"^\s$", "\u{b}"));
        assert!(m(r"^\S$", "\u{a0}"));
        assert!(m(r"^[\d_]+$", "1_2"));
        assert!(!m(r"^[\w]+$", "ä"));
        assert!(m(r"^[\W]+$", "ä"));
        assert!(m(r"^[^\d]+$", "abc"));
        assert!(m(r"^[a\D]$", "x"));
        assert!(m(r"\bfoo\b", "a foo b"));
        assert!(
            m(r"\bfoo\b", "äfoo"),
            "Go's \\b is ASCII: ä is not a word char"
        );
    }

    #[test]
    fn go_literals() {
        assert!(m(r"^\Q.*\E$", ".*"));
        assert!(!m(r"^\Q.*\E$", "ab"));
        assert!(m(r"^\Qa.b", "a.b"));
        assert!(m(r"^[[a]+$", "[a["));
        assert!(m(r"^[[:alpha:]]+$", "abc"));
        assert!(m(r"^a{$", "a{"));
        assert!(m(r"^a{,2}$", "a{,2}"));
        assert!(m(r"^{x}$", "{x}"));
        assert!(m(r"^a{2}$", "aa"));
        assert!(m(r"^a{1,}$", "aaa"));
        assert!(m(r"^a{1,2}$", "aa"));
        assert!(m(r"^[a&&b]+$", "&"));
        assert!(m(r"^[a~~b]+$", "~"));
        assert!(m(r"^\<a\>$", "<a>"));
        assert!(m(r"^[]a]+$", "]a"));
        assert!(m(r"^[^]a]+$", "b"));
        assert!(m("^a.c$", "abc"));
        assert!(m("(?i)^abc$", "ABC"));
        assert!(m(r"^\x{41}\x42$", "AB"));
        assert!(m(r"^\pL+$", "äb"));
    }

    #[test]
    fn match_is_unanchored_and_invalid_never_matches() {
        assert!(m("b", "abc"));
        assert!(!m("[a-", "a"));
        assert!(compile_go_regex("(").is_err());
    }
}
