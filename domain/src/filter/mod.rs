//! PocketBase's filter and API-rule language: text → tokens (`lexer`) → syntax tree
//! ([`ast`], [`parser`]) → operands resolved against the collection schema and the request
//! (`resolve`, `request`, `functions`, `macros`) → SQLite SQL with bound parameters
//! (`compare`, `compile`).
//!
//! ```text
//! title ~ "abc" && (author.name = @request.auth.name || tags.id ?= {:tag}) && created > @todayStart
//! ```
//!
//! Identifiers in the SQL come only from the schema (unknown fields are errors); every value
//! from the expression or the request is a bound `?` parameter.

pub mod ast;
mod compare;
mod compile;
mod context;
mod error;
mod functions;
mod lexer;
mod like;
mod macros;
pub mod parser;
mod request;
mod resolve;
mod resolved;
mod sort;
mod sql;

#[cfg(test)]
mod tests;

pub use ast::{Comparison, Expr, Macro, Op, Operand};
pub use context::{AuthInfo, CompileOptions, CompiledFilter, FilterContext, RequestInfo};
pub use error::FilterError;
pub use functions::MAX_STRFTIME_ARGS;
pub use resolve::MAX_NESTED_RELATIONS;
pub use sort::compile_sort;

use crate::collection::Collection;
use serde_json::Map;

/// Parses `expr` into its syntax tree. An expression with nothing but whitespace and
/// comments is a syntax error here (see [`compile_filter`] for the empty filter).
pub fn parse(expr: &str) -> Result<Expr, FilterError> {
    parser::parse_optional(expr)?.ok_or(FilterError::Syntax {
        position: 0,
        message: "empty filter expression".to_owned(),
    })
}

/// Compiles a trusted expression (an API rule, or a superuser's filter) to a boolean SQL
/// expression for the `WHERE` clause of a query over `ctx.table_alias`. An empty expression
/// (or only whitespace and comments) compiles to `1=1`.
pub fn compile_filter(expr: &str, ctx: &FilterContext) -> Result<CompiledFilter, FilterError> {
    compile_filter_with(expr, ctx, CompileOptions::default())
}

/// [`compile_filter`] with options; `allow_hidden_fields: false` compiles a client
/// `?filter=` of a non-superuser with PocketBase's restrictions (see [`CompileOptions`]).
pub fn compile_filter_with(
    expr: &str,
    ctx: &FilterContext,
    opts: CompileOptions,
) -> Result<CompiledFilter, FilterError> {
    match parse_filter(expr)? {
        Some(ast) => compile_expr(&ast, ctx, opts),
        None => Ok(CompiledFilter {
            sql: "1=1".to_owned(),
            params: Vec::new(),
        }),
    }
}

/// Parses a filter, `None` when it holds nothing but whitespace and comments (which
/// [`compile_filter`] reads as no condition at all). Parse a filter once, then compile the
/// tree with [`compile_expr`] as often as needed.
pub fn parse_filter(expr: &str) -> Result<Option<Expr>, FilterError> {
    parser::parse_optional(expr)
}

/// Compiles a parsed expression, as [`compile_filter_with`] compiles its text.
pub fn compile_expr(
    ast: &Expr,
    ctx: &FilterContext,
    opts: CompileOptions,
) -> Result<CompiledFilter, FilterError> {
    let mut compiler = compile::Compiler::new(*ctx, opts);
    let sql = compiler.compile(ast)?;
    Ok(CompiledFilter {
        sql: sql.text,
        params: sql
            .params
            .into_iter()
            .map(sql::Param::into_sql_value)
            .collect(),
    })
}

/// Checks an API rule of `collection` against the schema without request data, as
/// PocketBase does when a collection is saved: syntax, fields, relations, modifiers and
/// functions must resolve; `@request.*` paths are accepted (they read NULL without a
/// request). `{:placeholders}` are rejected (rules get no parameters).
pub fn validate_rule(
    expr: &str,
    collection: &Collection,
    collections: &[Collection],
) -> Result<(), FilterError> {
    let request = RequestInfo::default();
    let params = Map::new();
    let alias = crate::schema::ident(&collection.name);
    let ctx = FilterContext {
        collection,
        collections,
        request: &request,
        now: chrono::DateTime::UNIX_EPOCH,
        params: &params,
        table_alias: &alias,
    };
    compile_filter(expr, &ctx).map(|_| ())
}
