//! A port of PocketBase's `tools/tokenizer`: splits a string on separator characters while
//! respecting quotes and (optionally) parentheses, trimming whitespace off every token and
//! skipping empty ones.

/// The whitespace PocketBase's tokenizer trims off tokens (minus any separator).
const WHITESPACE: [char; 8] = ['\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}'];

/// An unbalanced parenthesis or quote in a tokenized string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbalanced(pub String);

/// How to split: on which characters, and whether `(`/`)` group.
#[derive(Debug, Clone)]
pub(crate) struct Tokenizer {
    separators: &'static [char],
    ignore_parenthesis: bool,
}

impl Tokenizer {
    /// Splits on `separators`; parentheses group unless `ignore_parenthesis`.
    pub(crate) fn new(separators: &'static [char], ignore_parenthesis: bool) -> Self {
        Self {
            separators,
            ignore_parenthesis,
        }
    }

    /// All non-empty, trimmed tokens of `input` (a NUL ends the input, as in Go).
    pub(crate) fn scan_all(&self, input: &str) -> Result<Vec<String>, Unbalanced> {
        let input = input.split('\0').next().unwrap_or("");
        let mut chars = input.chars().peekable();
        let mut tokens = Vec::new();
        while chars.peek().is_some() {
            let token = self.read_token(&mut chars)?;
            if !token.is_empty() {
                tokens.push(token);
            }
        }
        Ok(tokens)
    }

    fn read_token(
        &self,
        chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    ) -> Result<String, Unbalanced> {
        let mut buf = String::new();
        let mut parenthesis = 0usize;
        let mut quote: Option<char> = None;
        let mut prev: Option<char> = None;
        for ch in chars.by_ref() {
            if prev != Some('\\') {
                if !self.ignore_parenthesis && ch == '(' && quote.is_none() {
                    parenthesis += 1;
                } else if !self.ignore_parenthesis
                    && ch == ')'
                    && parenthesis > 0
                    && quote.is_none()
                {
                    parenthesis -= 1;
                } else if matches!(ch, '\'' | '"' | '`') {
                    match quote {
                        Some(q) if q == ch => quote = None,
                        None => quote = Some(ch),
                        Some(_) => {}
                    }
                }
            }
            if self.separators.contains(&ch) && parenthesis == 0 && quote.is_none() {
                break;
            }
            prev = Some(ch);
            buf.push(ch);
        }
        if parenthesis > 0 || quote.is_some() {
            return Err(Unbalanced(buf));
        }
        let trimmed =
            buf.trim_matches(|c: char| WHITESPACE.contains(&c) && !self.separators.contains(&c));
        Ok(trimmed.to_owned())
    }
}
