//! The typed syntax tree of a filter expression, and its [`Display`](std::fmt::Display) form:
//! printing an [`Expr`] gives text that parses back to the same tree.

use std::fmt;

/// A boolean expression: comparisons joined by `&&` / `||`.
///
/// Parentheses are not kept: the tree's shape carries the grouping, and printing adds
/// parentheses only where precedence (`&&` binds tighter than `||`, both left-associative)
/// requires them.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `left op right`.
    Compare(Comparison),
    /// `a && b`.
    And(Box<Expr>, Box<Expr>),
    /// `a || b`.
    Or(Box<Expr>, Box<Expr>),
}

/// One comparison, e.g. `author.name ?~ "bob"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The left operand.
    pub left: Operand,
    /// The operator.
    pub op: Op,
    /// The right operand.
    pub right: Operand,
}

/// A comparison operator. The `Any*` forms (`?=`, ...) match when any item of a multi-valued
/// operand matches; the plain forms require every item to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Neq,
    /// `~` (LIKE, "contains" unless the value has its own `%`)
    Like,
    /// `!~`
    NotLike,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `?=`
    AnyEq,
    /// `?!=`
    AnyNeq,
    /// `?~`
    AnyLike,
    /// `?!~`
    AnyNotLike,
    /// `?<`
    AnyLt,
    /// `?<=`
    AnyLte,
    /// `?>`
    AnyGt,
    /// `?>=`
    AnyGte,
}

impl Op {
    /// Every operator, plain forms first.
    pub const ALL: [Op; 16] = [
        Op::Eq,
        Op::Neq,
        Op::Like,
        Op::NotLike,
        Op::Lt,
        Op::Lte,
        Op::Gt,
        Op::Gte,
        Op::AnyEq,
        Op::AnyNeq,
        Op::AnyLike,
        Op::AnyNotLike,
        Op::AnyLt,
        Op::AnyLte,
        Op::AnyGt,
        Op::AnyGte,
    ];

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Neq => "!=",
            Op::Like => "~",
            Op::NotLike => "!~",
            Op::Lt => "<",
            Op::Lte => "<=",
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::AnyEq => "?=",
            Op::AnyNeq => "?!=",
            Op::AnyLike => "?~",
            Op::AnyNotLike => "?!~",
            Op::AnyLt => "?<",
            Op::AnyLte => "?<=",
            Op::AnyGt => "?>",
            Op::AnyGte => "?>=",
        }
    }

    /// Parses an operator symbol.
    pub fn from_symbol(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.symbol() == s)
    }

    /// True for the `?`-prefixed any-of forms.
    pub fn is_any(self) -> bool {
        matches!(
            self,
            Op::AnyEq
                | Op::AnyNeq
                | Op::AnyLike
                | Op::AnyNotLike
                | Op::AnyLt
                | Op::AnyLte
                | Op::AnyGt
                | Op::AnyGte
        )
    }

    /// The operator without its any-of prefix (`?>=` → `>=`).
    pub fn base(self) -> Op {
        match self {
            Op::AnyEq => Op::Eq,
            Op::AnyNeq => Op::Neq,
            Op::AnyLike => Op::Like,
            Op::AnyNotLike => Op::NotLike,
            Op::AnyLt => Op::Lt,
            Op::AnyLte => Op::Lte,
            Op::AnyGt => Op::Gt,
            Op::AnyGte => Op::Gte,
            other => other,
        }
    }
}

/// A datetime macro, resolved from the injected `now` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Macro {
    /// `@now`: the current datetime.
    Now,
    /// `@second`: 0–59.
    Second,
    /// `@minute`: 0–59.
    Minute,
    /// `@hour`: 0–23.
    Hour,
    /// `@weekday`: 0 (Sunday) – 6.
    Weekday,
    /// `@day`: 1–31.
    Day,
    /// `@month`: 1–12.
    Month,
    /// `@year`.
    Year,
    /// `@yesterday`: now minus one day.
    Yesterday,
    /// `@tomorrow`: now plus one day.
    Tomorrow,
    /// `@todayStart`: today at 00:00:00.000.
    TodayStart,
    /// `@todayEnd`: today at 23:59:59.999.
    TodayEnd,
    /// `@monthStart`: the first day of this month at 00:00:00.000.
    MonthStart,
    /// `@monthEnd`: the last day of this month at 23:59:59.999.
    MonthEnd,
    /// `@yearStart`: January 1st at 00:00:00.000.
    YearStart,
    /// `@yearEnd`: December 31st at 23:59:59.999.
    YearEnd,
}

impl Macro {
    /// Every macro.
    pub const ALL: [Macro; 16] = [
        Macro::Now,
        Macro::Second,
        Macro::Minute,
        Macro::Hour,
        Macro::Weekday,
        Macro::Day,
        Macro::Month,
        Macro::Year,
        Macro::Yesterday,
        Macro::Tomorrow,
        Macro::TodayStart,
        Macro::TodayEnd,
        Macro::MonthStart,
        Macro::MonthEnd,
        Macro::YearStart,
        Macro::YearEnd,
    ];

    /// The macro as written, with its `@`.
    pub fn name(self) -> &'static str {
        match self {
            Macro::Now => "@now",
            Macro::Second => "@second",
            Macro::Minute => "@minute",
            Macro::Hour => "@hour",
            Macro::Weekday => "@weekday",
            Macro::Day => "@day",
            Macro::Month => "@month",
            Macro::Year => "@year",
            Macro::Yesterday => "@yesterday",
            Macro::Tomorrow => "@tomorrow",
            Macro::TodayStart => "@todayStart",
            Macro::TodayEnd => "@todayEnd",
            Macro::MonthStart => "@monthStart",
            Macro::MonthEnd => "@monthEnd",
            Macro::YearStart => "@yearStart",
            Macro::YearEnd => "@yearEnd",
        }
    }

    /// The macro named `s` (case-sensitive, with its `@`).
    pub fn from_name(s: &str) -> Option<Macro> {
        Macro::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// One side of a comparison, or a function argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `null` (any letter case).
    Null,
    /// `true` / `false` (any letter case).
    Bool(bool),
    /// A number literal, kept as written (e.g. `-1.50`).
    Number(String),
    /// A quoted text, unescaped.
    Text(String),
    /// A datetime macro such as `@now`.
    Macro(Macro),
    /// `{:name}`: a value bound from the caller's parameter map.
    Placeholder(String),
    /// A field path such as `author.name:lower`, `@request.auth.id` or
    /// `@collection.users:u.email`, as written.
    Field(String),
    /// A function call such as `geoDistance(a.lon, a.lat, 1, 2)`.
    Function {
        /// The function name.
        name: String,
        /// The arguments.
        args: Vec<Operand>,
    },
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Null => f.write_str("null"),
            Operand::Bool(b) => write!(f, "{b}"),
            Operand::Number(n) => f.write_str(n),
            Operand::Text(s) => write_text(f, s),
            Operand::Macro(m) => f.write_str(m.name()),
            Operand::Placeholder(p) => write!(f, "{{:{p}}}"),
            Operand::Field(name) => f.write_str(name),
            Operand::Function { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// Writes `s` quoted so that the lexer reads it back unchanged: double quotes unless the text
/// has some and no single quotes, with the chosen quote escaped. (A text ending in a backslash
/// has no such form, as in PocketBase: the closing quote would read as escaped.)
fn write_text(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let quote = if s.contains('"') && !s.contains('\'') {
        '\''
    } else {
        '"'
    };
    let escaped = s.replace(quote, &format!("\\{quote}"));
    write!(f, "{quote}{escaped}{quote}")
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.left, self.op, self.right)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare(c) => write!(f, "{c}"),
            Expr::And(a, b) => {
                write_child(f, a, matches!(**a, Expr::Or(..)))?;
                f.write_str(" && ")?;
                write_child(f, b, !matches!(**b, Expr::Compare(_)))
            }
            Expr::Or(a, b) => {
                write_child(f, a, false)?;
                f.write_str(" || ")?;
                write_child(f, b, matches!(**b, Expr::Or(..)))
            }
        }
    }
}

fn write_child(f: &mut fmt::Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl Expr {
    /// `a && b`.
    pub fn and(a: Expr, b: Expr) -> Expr {
        Expr::And(Box::new(a), Box::new(b))
    }

    /// `a || b`.
    pub fn or(a: Expr, b: Expr) -> Expr {
        Expr::Or(Box::new(a), Box::new(b))
    }

    /// `left op right`.
    pub fn compare(left: Operand, op: Op, right: Operand) -> Expr {
        Expr::Compare(Comparison { left, op, right })
    }

    /// The number of comparisons in the expression.
    pub fn comparisons(&self) -> usize {
        match self {
            Expr::Compare(_) => 1,
            Expr::And(a, b) | Expr::Or(a, b) => a.comparisons() + b.comparisons(),
        }
    }
}
