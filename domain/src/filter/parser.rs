//! The parser: tokens → [`Expr`].
//!
//! Grammar (`&&` binds tighter than `||`, both left-associative, as the SQL PocketBase
//! builds from its flat `fexpr` groups):
//!
//! ```text
//! expr       = and ( "||" and )*
//! and        = primary ( "&&" primary )*
//! primary    = "(" expr ")" | operand SIGN operand
//! operand    = IDENT | IDENT"(" [ arg ( "," arg )* [","] ] ")" | NUMBER | TEXT | {:name}
//! ```
//!
//! A function name must touch its `(`; functions nest at most three deep (as in `fexpr`).

use super::ast::{Comparison, Expr, Macro, Operand};
use super::error::FilterError;
use super::lexer::{Token, TokenKind, tokenize};

/// The most comparisons one expression may hold (PocketBase's `DefaultFilterExprLimit`).
pub const MAX_COMPARISONS: usize = 200;

/// The deepest parenthesis nesting accepted.
pub const MAX_NESTING: usize = 64;

/// The deepest function-call nesting accepted (as `fexpr`).
pub const MAX_FUNCTION_DEPTH: usize = 3;

/// Parses `src`; `Ok(None)` when it holds nothing but whitespace and comments.
pub(crate) fn parse_optional(src: &str) -> Result<Option<Expr>, FilterError> {
    let tokens = tokenize(src)?;
    if tokens.first().is_some_and(|t| t.kind == TokenKind::Eof) {
        return Ok(None);
    }
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        comparisons: 0,
    };
    let expr = p.expr(0)?;
    let tok = p.peek();
    if tok.kind != TokenKind::Eof {
        let msg = match tok.kind {
            TokenKind::RParen => "unexpected `)`".to_owned(),
            _ => format!("expected `&&` or `||`, got {}", describe(&tok.kind)),
        };
        return Err(p.err_at(tok.start, msg));
    }
    Ok(Some(expr))
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Ident(s) => format!("identifier {s:?}"),
        TokenKind::Number(s) => format!("number {s}"),
        TokenKind::Text(s) => format!("text {s:?}"),
        TokenKind::Placeholder(s) => format!("placeholder {{:{s}}}"),
        TokenKind::Sign(op) => format!("operator `{op}`"),
        TokenKind::And => "`&&`".to_owned(),
        TokenKind::Or => "`||`".to_owned(),
        TokenKind::LParen => "`(`".to_owned(),
        TokenKind::RParen => "`)`".to_owned(),
        TokenKind::Comma => "`,`".to_owned(),
        TokenKind::Eof => "the end of the expression".to_owned(),
    }
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    comparisons: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Token {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .cloned()
            .unwrap_or(Token {
                kind: TokenKind::Eof,
                start: self.src.len(),
                end: self.src.len(),
            })
    }

    fn next(&mut self) -> Token {
        let t = self.peek();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn err_at(&self, byte_pos: usize, msg: impl Into<String>) -> FilterError {
        FilterError::syntax_at(self.src, byte_pos, msg)
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut left = self.and(depth)?;
        while self.peek().kind == TokenKind::Or {
            self.next();
            let right = self.and(depth)?;
            left = Expr::or(left, right);
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let mut left = self.primary(depth)?;
        while self.peek().kind == TokenKind::And {
            self.next();
            let right = self.primary(depth)?;
            left = Expr::and(left, right);
        }
        Ok(left)
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, FilterError> {
        let tok = self.peek();
        if tok.kind == TokenKind::LParen {
            if depth >= MAX_NESTING {
                return Err(self.err_at(tok.start, "too deeply nested parentheses"));
            }
            self.next();
            if self.peek().kind == TokenKind::RParen {
                return Err(self.err_at(tok.start, "empty parentheses"));
            }
            let inner = self.expr(depth + 1)?;
            let close = self.next();
            if close.kind != TokenKind::RParen {
                let msg = format!("expected `)`, got {}", describe(&close.kind));
                return Err(self.err_at(close.start, msg));
            }
            return Ok(inner);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, FilterError> {
        let start = self.peek().start;
        self.comparisons += 1;
        if self.comparisons > MAX_COMPARISONS {
            let msg = format!("too many comparisons (at most {MAX_COMPARISONS})");
            return Err(self.err_at(start, msg));
        }
        let left = self.operand(0, "left operand")?;
        let tok = self.next();
        let TokenKind::Sign(op) = tok.kind else {
            let msg = format!(
                "expected a comparison operator, got {}",
                describe(&tok.kind)
            );
            return Err(self.err_at(tok.start, msg));
        };
        let right = self.operand(0, "right operand")?;
        Ok(Expr::Compare(Comparison { left, op, right }))
    }

    fn operand(&mut self, fn_depth: usize, what: &str) -> Result<Operand, FilterError> {
        let tok = self.next();
        match tok.kind {
            TokenKind::Number(n) => Ok(Operand::Number(n)),
            TokenKind::Text(s) => Ok(Operand::Text(s)),
            TokenKind::Placeholder(p) => Ok(Operand::Placeholder(p)),
            TokenKind::Ident(name) => {
                let paren = self.peek();
                if paren.kind == TokenKind::LParen && paren.start == tok.end {
                    if fn_depth >= MAX_FUNCTION_DEPTH {
                        let msg = format!(
                            "too deeply nested function calls (at most {MAX_FUNCTION_DEPTH})"
                        );
                        return Err(self.err_at(tok.start, msg));
                    }
                    self.next();
                    let args = self.args(&name, fn_depth + 1)?;
                    return Ok(Operand::Function { name, args });
                }
                Ok(ident_operand(name))
            }
            other => {
                let msg = format!(
                    "expected {what} (identifier, function, text or number), got {}",
                    describe(&other)
                );
                Err(self.err_at(tok.start, msg))
            }
        }
    }

    fn args(&mut self, name: &str, fn_depth: usize) -> Result<Vec<Operand>, FilterError> {
        let mut args = Vec::new();
        loop {
            let tok = self.peek();
            match tok.kind {
                TokenKind::RParen => {
                    self.next();
                    return Ok(args);
                }
                TokenKind::Eof => {
                    let msg = format!("unclosed call of function {name:?} (expected `)`)");
                    return Err(self.err_at(tok.start, msg));
                }
                _ => {}
            }
            args.push(self.operand(fn_depth, "function argument")?);
            let sep = self.peek();
            match sep.kind {
                TokenKind::Comma => {
                    self.next();
                }
                TokenKind::RParen => {}
                other => {
                    let msg = format!(
                        "expected `,` or `)` in call of function {name:?}, got {}",
                        describe(&other)
                    );
                    return Err(self.err_at(sep.start, msg));
                }
            }
        }
    }
}

/// Classifies a bare identifier: literal keyword, macro or field path.
fn ident_operand(name: String) -> Operand {
    if name.eq_ignore_ascii_case("null") {
        Operand::Null
    } else if name.eq_ignore_ascii_case("true") {
        Operand::Bool(true)
    } else if name.eq_ignore_ascii_case("false") {
        Operand::Bool(false)
    } else if let Some(m) = Macro::from_name(&name) {
        Operand::Macro(m)
    } else {
        Operand::Field(name)
    }
}
