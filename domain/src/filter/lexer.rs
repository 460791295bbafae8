//! The tokenizer: filter text → tokens with byte spans.
//!
//! It follows the grammar of PocketBase's `fexpr` scanner:
//! identifiers start with an ASCII letter, `@`, `_` or `#` and go on with letters, digits,
//! `_`, `.` and `:` (never ending with `.` or `:`); numbers are an optional leading `-`,
//! digits and at most one `.` (not first, not last); texts are `'…'` or `"…"` where only a
//! quote of the same kind can be escaped (`\'`, `\"`), any other backslash being kept as is;
//! `//` starts a comment up to the end of the line. On top of `fexpr`, `{:name}` is a
//! placeholder token (PocketBase substitutes those textually before parsing) and `\r` counts
//! as whitespace.

use super::ast::Op;
use super::error::FilterError;

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A field path, macro, `true`/`false`/`null` or function name.
    Ident(String),
    /// A number literal as written.
    Number(String),
    /// A quoted text, unescaped.
    Text(String),
    /// `{:name}`.
    Placeholder(String),
    /// A comparison operator.
    Sign(Op),
    /// `&&`.
    And,
    /// `||`.
    Or,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// The end of the input.
    Eof,
}

/// One token and where it is in the source (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// The token.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

/// Splits `src` into tokens (whitespace and comments dropped), ending with [`TokenKind::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, FilterError> {
    let mut lexer = Lexer { src, pos: 0 };
    let mut out = Vec::new();
    loop {
        let tok = lexer.next_token()?;
        let eof = tok.kind == TokenKind::Eof;
        out.push(tok);
        if eof {
            return Ok(out);
        }
    }
}

/// True for characters that may start an identifier.
pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || is_special_start(c)
}

fn is_special_start(c: char) -> bool {
    matches!(c, '@' | '_' | '#')
}

/// True for characters that may continue an identifier.
pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':')
}

/// Whether `s` is a complete identifier as the lexer would read it.
pub(crate) fn is_valid_ident(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    is_ident_start(first)
        && chars.all(is_ident_char)
        && !s.ends_with(['.', ':'])
        && !(s.len() == 1 && is_special_start(first))
}

/// Whether `s` can be a `{:name}` placeholder name.
#[cfg(test)]
pub(crate) fn is_valid_placeholder(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` is a number literal the lexer accepts.
pub(crate) fn is_valid_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_sign_char(c: char) -> bool {
    matches!(c, '=' | '?' | '!' | '>' | '<' | '~')
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !f(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.src[start..self.pos]
    }

    fn err(&self, at: usize, msg: impl Into<String>) -> FilterError {
        FilterError::syntax_at(self.src, at, msg)
    }

    fn next_token(&mut self) -> Result<Token, FilterError> {
        loop {
            self.take_while(is_whitespace);
            if self.peek() == Some('/') {
                if self.peek_at(1) != Some('/') {
                    return Err(self.err(self.pos, "invalid comment (expected `//`)"));
                }
                self.take_while(|c| c != '\n');
                continue;
            }
            break;
        }
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(Token {
                kind: TokenKind::Eof,
                start,
                end: start,
            });
        };
        let kind = match c {
            '(' | ')' | ',' => {
                self.bump();
                match c {
                    '(' => TokenKind::LParen,
                    ')' => TokenKind::RParen,
                    _ => TokenKind::Comma,
                }
            }
            c if is_ident_start(c) => {
                self.bump();
                self.take_while(is_ident_char);
                let lit = self.src[start..self.pos].to_owned();
                if !is_valid_ident(&lit) {
                    return Err(self.err(start, format!("invalid identifier {lit:?}")));
                }
                TokenKind::Ident(lit)
            }
            c if c == '-' || c.is_ascii_digit() => self.number(start)?,
            '\'' | '"' => self.text(start)?,
            c if is_sign_char(c) => {
                let lit = self.take_while(is_sign_char);
                match Op::from_symbol(lit) {
                    Some(op) => TokenKind::Sign(op),
                    None => {
                        let msg = format!("invalid sign operator {lit:?}");
                        return Err(self.err(start, msg));
                    }
                }
            }
            '&' | '|' => {
                let lit = self.take_while(|c| c == '&' || c == '|');
                match lit {
                    "&&" => TokenKind::And,
                    "||" => TokenKind::Or,
                    _ => {
                        let msg = format!("invalid join operator {lit:?}");
                        return Err(self.err(start, msg));
                    }
                }
            }
            '{' => self.placeholder(start)?,
            other => return Err(self.err(start, format!("unexpected character {other:?}"))),
        };
        Ok(Token {
            kind,
            start,
            end: self.pos,
        })
    }

    fn number(&mut self, start: usize) -> Result<TokenKind, FilterError> {
        let mut had_dot = false;
        let mut first = true;
        while let Some(c) = self.peek() {
            let ok = c.is_ascii_digit() || (c == '-' && first) || (c == '.' && !had_dot);
            if !ok {
                break;
            }
            had_dot |= c == '.';
            first = false;
            self.bump();
        }
        let lit = &self.src[start..self.pos];
        if !is_valid_number(lit) {
            return Err(self.err(start, format!("invalid number {lit:?}")));
        }
        Ok(TokenKind::Number(lit.to_owned()))
    }

    fn text(&mut self, start: usize) -> Result<TokenKind, FilterError> {
        let quote = self.bump().unwrap_or('"');
        let body_start = self.pos;
        let mut prev = None;
        loop {
            let Some(c) = self.bump() else {
                return Err(self.err(start, "unterminated quoted text"));
            };
            if c == quote && prev != Some('\\') {
                break;
            }
            prev = Some(c);
        }
        let raw = &self.src[body_start..self.pos - quote.len_utf8()];
        let escaped = format!("\\{quote}");
        Ok(TokenKind::Text(raw.replace(&escaped, &quote.to_string())))
    }

    fn placeholder(&mut self, start: usize) -> Result<TokenKind, FilterError> {
        self.bump();
        if self.bump() != Some(':') {
            return Err(self.err(start, "invalid placeholder (expected `{:name}`)"));
        }
        let name = self
            .take_while(|c| c.is_ascii_alphanumeric() || c == '_')
            .to_owned();
        if name.is_empty() || self.bump() != Some('}') {
            return Err(self.err(start, "invalid placeholder (expected `{:name}`)"));
        }
        Ok(TokenKind::Placeholder(name))
    }
}
