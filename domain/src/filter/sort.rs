//! Sort keys: a field path resolved like a filter operand (relations, back-relations, JSON
//! paths, `:lower`, `:length`, ...) and turned into a scalar SQL expression for `ORDER BY`.

use super::ast::Operand;
use super::compile::Compiler;
use super::error::FilterError;
use super::sql::Sql;
use crate::filter::{CompileOptions, CompiledFilter, FilterContext};

impl Compiler<'_> {
    /// The `ORDER BY` expression of `key`. Keys that need other rows become a correlated
    /// `(SELECT ... LIMIT 1)`; keys that resolve to a request value or a literal (nothing
    /// to sort by) are rejected, as in PocketBase.
    pub fn sort_expr(&mut self, key: &str) -> Result<Sql, FilterError> {
        if key.is_empty() || key.starts_with('@') {
            return Err(FilterError::invalid(format!("invalid sort key {key:?}")));
        }
        let resolved = self.resolve(&Operand::Field(key.to_owned()), None)?;
        if !resolved.pb_params.is_empty() || resolved.sql.text == "NULL" {
            return Err(FilterError::invalid(format!(
                "{key:?} is not a sortable field"
            )));
        }
        if resolved.joins.is_empty() {
            return Ok(resolved.sql);
        }
        let set = self.joins.closure(&resolved.joins);
        let mut sql = Sql::raw("(SELECT ")
            .p(&resolved.sql)
            .s(" ")
            .p(&self.joins.render_from(&set));
        let guards: Vec<Sql> = set
            .iter()
            .filter_map(|i| self.joins.list.get(*i).and_then(|j| j.guard.as_ref()))
            .map(|g| g.sql.clone())
            .collect();
        if !guards.is_empty() {
            sql = sql.s(" WHERE ").p(&Sql::join(&guards, " AND "));
        }
        Ok(sql.s(" LIMIT 1)"))
    }
}

/// Compiles one sort key (without its `-`/`+` prefix) of `ctx.collection` to a SQL value
/// expression with bound parameters; `allow_hidden_fields: false` for non-superusers.
pub fn compile_sort(
    key: &str,
    ctx: &FilterContext,
    opts: CompileOptions,
) -> Result<CompiledFilter, FilterError> {
    let mut compiler = Compiler::new(*ctx, opts);
    let sql = compiler.sort_expr(key)?;
    Ok(CompiledFilter {
        sql: sql.text,
        params: sql
            .params
            .into_iter()
            .map(super::sql::Param::into_sql_value)
            .collect(),
    })
}
