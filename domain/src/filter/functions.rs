//! The filter functions: `geoDistance(lonA, latA, lonB, latB)` (Haversine distance in
//! kilometres) and `strftime(format, [time-value, modifiers...])` (SQLite's, NULL-normalized).

use super::ast::Operand;
use super::compile::Compiler;
use super::error::FilterError;
use super::resolved::{Fallback, Joins, Resolved};
use super::sql::Sql;

/// The most arguments `strftime` takes.
pub const MAX_STRFTIME_ARGS: usize = 10;

fn is_identifier_like(op: &Operand) -> bool {
    matches!(
        op,
        Operand::Field(_) | Operand::Null | Operand::Bool(_) | Operand::Macro(_)
    )
}

impl Compiler<'_> {
    /// A function call.
    pub fn function(
        &mut self,
        name: &str,
        args: &[Operand],
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        match name {
            "geoDistance" => self.geo_distance(args, local),
            "strftime" => self.strftime(args, local),
            _ => Err(FilterError::invalid(format!("unknown function {name:?}"))),
        }
    }

    fn resolve_all(
        &mut self,
        args: &[Operand],
        mut local: Option<&mut Joins>,
    ) -> Result<Vec<Resolved>, FilterError> {
        args.iter()
            .map(|a| self.resolve(a, local.as_deref_mut()))
            .collect()
    }

    fn geo_distance(
        &mut self,
        args: &[Operand],
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        if args.len() != 4 {
            return Err(FilterError::invalid(format!(
                "[geoDistance] expected 4 arguments, got {}",
                args.len()
            )));
        }
        for (i, a) in args.iter().enumerate() {
            let ok =
                is_identifier_like(a) || matches!(a, Operand::Number(_) | Operand::Placeholder(_));
            if !ok {
                return Err(FilterError::invalid(format!(
                    "[geoDistance] argument {i} must be an identifier or number"
                )));
            }
        }
        let r = self.resolve_all(args, local)?;
        let (lon_a, lat_a, lon_b, lat_b) = (&r[0].sql, &r[1].sql, &r[2].sql, &r[3].sql);
        let sql = Sql::raw("(6371 * acos(cos(radians(")
            .p(lat_a)
            .s(")) * cos(radians(")
            .p(lat_b)
            .s(")) * cos(radians(")
            .p(lon_b)
            .s(") - radians(")
            .p(lon_a)
            .s(")) + sin(radians(")
            .p(lat_a)
            .s(")) * sin(radians(")
            .p(lat_b)
            .s("))))");
        let mut out = Resolved::expr(sql, Fallback::Disabled);
        for a in &r {
            out.pb_params.extend(a.pb_params.iter().cloned());
            out.joins.extend(a.joins.iter().copied());
        }
        Ok(out)
    }

    fn strftime(
        &mut self,
        args: &[Operand],
        local: Option<&mut Joins>,
    ) -> Result<Resolved, FilterError> {
        if args.is_empty() {
            return Err(FilterError::invalid(
                "[strftime] expected at least 1 argument, got 0",
            ));
        }
        if args.len() > MAX_STRFTIME_ARGS {
            return Err(FilterError::invalid(format!(
                "[strftime] too many arguments (max allowed {MAX_STRFTIME_ARGS}, got {})",
                args.len()
            )));
        }
        let is_text = |a: &Operand| matches!(a, Operand::Text(_) | Operand::Placeholder(_));
        if !is_text(&args[0]) {
            return Err(FilterError::invalid(
                "[strftime] expects the first argument to be a format string",
            ));
        }
        if let Some(t) = args.get(1) {
            let ok = is_text(t) || is_identifier_like(t) || matches!(t, Operand::Number(_));
            if !ok {
                return Err(FilterError::invalid(
                    "[strftime] expects the second argument to be of a valid time-value type",
                ));
            }
        }
        if let Some(i) = args.iter().skip(2).position(|a| !is_text(a)) {
            return Err(FilterError::invalid(format!(
                "[strftime] invalid modifier argument {i} - can be only string"
            )));
        }
        let r = self.resolve_all(args, local)?;
        let parts: Vec<Sql> = r.iter().map(|a| a.sql.clone()).collect();
        let sql = Sql::raw("strftime(").p(&Sql::join(&parts, ",")).s(")");
        let mut out = Resolved::expr(sql, Fallback::Enforced);
        for a in &r {
            out.pb_params.extend(a.pb_params.iter().cloned());
            out.joins.extend(a.joins.iter().copied());
        }
        out.multi = r.get(1).is_some_and(|t| t.multi);
        Ok(out)
    }
}
