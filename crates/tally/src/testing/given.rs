//! Turning `given T = [{...}, ...]` rows into a data set.

use crate::policy::{Data, Failure, Policy};
use tally_diagnostics::Diagnostic;
use tally_syntax::ast::{Expr, ExprKind, UnOp};

/// A literal cell as JSON (text as written in a data file).
fn cell(e: &Expr, program: &tally_check::Program) -> Result<serde_json::Value, Diagnostic> {
    use serde_json::Value as J;
    Ok(match &e.kind {
        ExprKind::None => J::Null,
        ExprKind::Bool(b) => J::Bool(*b),
        ExprKind::Text(t) => J::String(t.clone()),
        ExprKind::Int(n) | ExprKind::Decimal(n) => J::String(n.value.to_string()),
        ExprKind::Percent(n) => J::String(format!("{}", n.value.normalize())),
        ExprKind::Money { amount, currency } => J::String(format!("{} {currency}", amount.value)),
        ExprKind::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
        ExprKind::Period(p) => J::String(p.to_string()),
        ExprKind::Paren(x) => cell(x, program)?,
        ExprKind::Unary { op: UnOp::Neg, expr } => match cell(expr, program)? {
            J::String(s) => J::String(format!("-{s}")),
            other => other,
        },
        ExprKind::Name(id) if program.territory_named(&id.name).is_some() => J::String(id.name.clone()),
        _ => {
            return Err(Diagnostic::error(
                "T0003",
                e.span,
                "a `given` cell must be a literal value (text, number, money, date, period, true/false, none or a territory)",
            ))
        }
    })
}

/// The data set of a test with `given`: exactly the given tables, every
/// other table empty.
pub(crate) fn data_from_givens(policy: &Policy, givens: &[(&str, &Expr)]) -> Result<Data, Failure> {
    let program = policy.program();
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for (name, rows) in givens {
        let ExprKind::List(items) = &rows.kind else {
            continue;
        };
        // Rows name columns; data files (and the row reader) use headers.
        let header_of = |column: &str| -> String {
            program
                .table_named(name)
                .and_then(|t| program.table(t))
                .and_then(|t| t.columns.iter().find(|c| c.name == column))
                .and_then(|c| match &c.origin {
                    tally_check::ColumnOrigin::Loaded { header, .. } => Some(header.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| column.to_string())
        };
        let mut json_rows = Vec::new();
        for item in items {
            let ExprKind::Record(fields) = &item.kind else {
                continue;
            };
            let mut obj = serde_json::Map::new();
            for (field, value) in fields {
                match cell(value, program) {
                    Ok(v) => {
                        obj.insert(header_of(&field.name), v);
                    }
                    Err(d) => errors.push(d),
                }
            }
            json_rows.push(serde_json::Value::Object(obj));
        }
        tables.push((*name, serde_json::Value::Array(json_rows)));
    }
    if !errors.is_empty() {
        return Err(Failure {
            diagnostics: errors,
            sources: program.sources.clone(),
        });
    }
    policy.tables_from_json(&tables)
}
