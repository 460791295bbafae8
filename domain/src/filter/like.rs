//! `~` values: PocketBase wraps a value in `%…%` ("contains") unless it already has an
//! unescaped `%`, escaping `\` and `_` first (its own escaping rules, kept exactly).

/// The LIKE pattern for the value `s` of a `~` / `!~` comparison.
pub(crate) fn wrap_like(s: &str) -> String {
    if contains_unescaped(s, '%') {
        return s.to_owned();
    }
    format!("%{}%", escape_unescaped(s, &['\\', '%', '_']))
}

/// Whether `s` has `ch` not preceded by a (single) backslash.
pub(crate) fn contains_unescaped(s: &str, ch: char) -> bool {
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if c == ch && prev != Some('\\') {
            return true;
        }
        prev = if c == '\\' && prev == Some('\\') {
            None
        } else {
            Some(c)
        };
    }
    false
}

/// Puts a backslash before each of `chars` that has none yet (scanning from the end, as
/// PocketBase does: a character right before an escaped one is not itself examined).
pub(crate) fn escape_unescaped(s: &str, chars: &[char]) -> String {
    let rs: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(rs.len() * 2);
    let mut pending = false;
    for i in (0..rs.len()).rev() {
        if pending {
            if rs[i] != '\\' {
                out.push('\\');
            }
            pending = false;
        } else {
            pending = chars.contains(&rs[i]);
        }
        out.push(rs[i]);
        if i == 0 && pending {
            out.push('\\');
        }
    }
    out.into_iter().rev().collect()
}
