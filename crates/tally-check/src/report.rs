//! Checking reports (spec §2.8) and building their output schema.

use crate::checker::{Checker, Local, Scope};
use crate::codes;
use crate::program::*;
use crate::types::{self, TableId, Type};
use std::collections::HashMap;
use tally_diagnostics::{Diagnostic, Span};
use tally_syntax::ast::*;

impl Checker {
    /// The clauses of `report`, sorted out; a clause written twice is
    /// reported.
    fn report_clauses<'a>(&mut self, report: &'a Report) -> ReportClauses<'a> {
        let c = report.clauses();
        for (clause, again, before) in &c.repeated {
            self.diags.push(
                Diagnostic::error(
                    codes::REPORT,
                    *again,
                    format!("a report has one `{clause}`; this is the second"),
                )
                .with_secondary(*before, "the first"),
            );
        }
        c
    }

    /// The output name of a column: its explicit name, or the bare name.
    fn column_name(&mut self, n: &NamedExpr, what: &str) -> Option<Ident> {
        if let Some(name) = &n.name {
            return Some(name.clone());
        }
        if let ExprKind::Name(id) = &n.value.kind {
            return Some(id.clone());
        }
        let suggestion = match &n.value.kind {
            ExprKind::Field { base, name, .. } => match &base.kind {
                ExprKind::Name(b) => format!("{}_{}", b.name, name.name),
                _ => name.name.clone(),
            },
            ExprKind::Call { func, .. } => func.name.clone(),
            _ => "name".to_string(),
        };
        self.diags.push(
            Diagnostic::error(
                codes::REPORT,
                n.value.span,
                format!("this {what} needs a name"),
            )
            .with_help(format!("write `{suggestion} = ...` before the expression")),
        );
        None
    }

    pub(crate) fn check_report(&mut self, r: DeclRef, id: TableId) {
        let modules = std::sync::Arc::clone(&self.modules);
        let Some(DeclKind::Report(report)) = modules
            .get(r.module)
            .and_then(|m| m.decls.get(r.decl))
            .map(|d| &d.kind)
        else {
            return;
        };
        let clauses = self.report_clauses(report);
        let Some(source) = clauses.from else {
            self.diags.push(
                Diagnostic::error(
                    codes::REPORT,
                    report.name.span,
                    format!("report `{}` has no `from`", report.name.name),
                )
                .with_help(
                    "say which table it reads, e.g. `from credits where role == \"revenue\"`",
                ),
            );
            return;
        };
        let input = match self.expr(source) {
            Type::Table(t) => t,
            Type::Unknown => return,
            other => {
                let msg = format!("`from` needs a table, but this is `{}`", self.show(&other));
                self.diags.push(
                    Diagnostic::error(codes::REPORT, source.span, msg)
                        .with_help("read a declared table, `credits`, a plan or another report"),
                );
                return;
            }
        };
        for w in &clauses.wheres {
            self.with_scope(Scope::Columns(input), |c| {
                c.condition(w, "the `where` of a report")
            });
        }
        let mut output: Vec<ColumnInfo> = Vec::new();
        let mut names: HashMap<String, Span> = HashMap::new();
        let mut push_column = |c: &mut Checker, name: &Ident, ty: Type| {
            if let Some(prev) = names.insert(name.name.clone(), name.span) {
                c.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE,
                        name.span,
                        format!("the report has two columns named `{}`", name.name),
                    )
                    .with_secondary(prev, "the first")
                    .with_help("give one of them another name with `new_name = ...`"),
                );
            }
            output.push(ColumnInfo {
                name: name.name.clone(),
                ty,
                span: Some(name.span),
                origin: ColumnOrigin::Computed,
            });
        };
        let grouped = clauses.group.is_some();
        let mut keys: Vec<Local> = Vec::new();
        if let Some(group) = clauses.group {
            for k in group {
                let ty = self.with_scope(Scope::Columns(input), |c| c.expr(&k.value));
                if let Some(name) = self.column_name(k, "`group by` key") {
                    keys.push(Local {
                        name: name.name.clone(),
                        ty: ty.clone(),
                        span: name.span,
                    });
                    push_column(self, &name, ty);
                }
            }
        }
        let row_scope = || {
            if grouped {
                Scope::Group {
                    keys: keys.clone(),
                    input,
                }
            } else {
                Scope::Columns(input)
            }
        };
        match clauses.columns {
            Some(cols) => {
                for col in cols {
                    let ty = self.with_scope(row_scope(), |c| c.expr(&col.value));
                    if let Some(name) = self.column_name(col, "column") {
                        push_column(self, &name, ty);
                    }
                }
            }
            None if !grouped => {
                if let Some(info) = self.p.table(input).cloned() {
                    for col in info
                        .columns
                        .iter()
                        .filter(|c| !matches!(c.origin, ColumnOrigin::RuleLabel(_)))
                    {
                        output.push(ColumnInfo {
                            name: col.name.clone(),
                            ty: col.ty.clone(),
                            span: col.span,
                            origin: ColumnOrigin::Computed,
                        });
                    }
                }
            }
            None => {}
        }
        if let Some(order) = clauses.order {
            let out_locals: Vec<Local> = output
                .iter()
                .map(|c| Local {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    span: c.span.unwrap_or_default(),
                })
                .collect();
            for key in order {
                let ty = self.with_scope(row_scope(), |c| {
                    c.with_scope(Scope::Locals(out_locals.clone()), |c| c.expr(&key.value))
                });
                let inner = ty.strip_optional();
                let ok = types::orderable(inner, inner)
                    || matches!(
                        inner,
                        Type::Territory | Type::Bool | Type::Row(_) | Type::Unknown | Type::NoneLit
                    );
                if !ok {
                    let msg = format!("a report cannot be ordered by a `{}`", self.show(&ty));
                    self.diags
                        .push(Diagnostic::error(codes::REPORT, key.value.span, msg));
                }
            }
        }
        if let Some(limit) = clauses.limit {
            let ty = self.expr(limit);
            let negative = matches!(&limit.kind, ExprKind::Unary { op: UnOp::Neg, .. });
            if !matches!(ty, Type::Int | Type::Unknown) || negative {
                let msg = if negative {
                    "`limit` needs a number of rows of zero or more".to_string()
                } else {
                    format!(
                        "`limit` needs a whole number of rows, but this is `{}`",
                        self.show(&ty)
                    )
                };
                self.diags.push(
                    Diagnostic::error(codes::REPORT, limit.span, msg)
                        .with_help("write e.g. `limit 10`"),
                );
            }
        }
        if let Some(span) = clauses.totals {
            if !grouped {
                self.diags.push(
                    Diagnostic::error(
                        codes::REPORT,
                        span,
                        "`totals` needs `group by`: it adds a row that aggregates all groups",
                    )
                    .with_help("add `group by ...`, or remove `totals`"),
                );
            }
        }
        if let Some(info) = self.p.tables.get_mut(id.0 as usize) {
            info.columns = output;
        }
    }
}
