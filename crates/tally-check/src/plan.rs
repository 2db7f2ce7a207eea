//! Computed tables: `credits`, plans and reports are typed on first use,
//! in dependency order, with cycles reported. This file has the ordering
//! and plans; reports are in `report.rs`.

use crate::checker::{Checker, Local, Scope, State};
use crate::codes;
use crate::program::*;
use crate::types::{TableId, Type};
use std::collections::HashMap;
use tally_diagnostics::{Diagnostic, Span};
use tally_syntax::ast::*;

impl Checker {
    /// Makes sure the columns of table `id` are known, computing a plan,
    /// report or `credits` schema on first use. `from` is the use site.
    pub(crate) fn ensure_table(&mut self, id: TableId, from: Option<Span>) {
        match self.table_state.get(&id) {
            Some(State::Done) => return,
            Some(State::InProgress) => {
                self.broken_tables.insert(id);
                let mut names: Vec<String> = self
                    .table_stack
                    .iter()
                    .skip_while(|(t, _)| *t != id)
                    .map(|(t, _)| format!("`{}`", self.p.table_name(*t)))
                    .collect();
                names.push(format!("`{}`", self.p.table_name(id)));
                let span = from
                    .or_else(|| self.p.table(id).and_then(|t| t.span))
                    .unwrap_or_default();
                self.diags.push(
                    Diagnostic::error(
                        codes::CYCLE,
                        span,
                        format!("these tables are computed from each other in a cycle: {}", names.join(" → ")),
                    )
                    .with_help("a plan or report may read `credits`, other plans and other reports, but not itself"),
                );
                return;
            }
            None => {}
        }
        let Some(kind) = self.p.table(id).map(|t| t.kind.clone()) else {
            return;
        };
        self.table_state.insert(id, State::InProgress);
        self.table_stack.push((id, from.unwrap_or_default()));
        self.isolated(|c| match kind.clone() {
            TableKind::Declared(_) => {}
            TableKind::Credits => c.check_credits(id),
            TableKind::Plan(r) => c.check_plan(r, id),
            TableKind::Report(r) => c.check_report(r, id),
        });
        self.table_stack.pop();
        self.table_state.insert(id, State::Done);
        if !matches!(kind, TableKind::Declared(_)) {
            self.p.table_order.push(id);
        }
    }

    fn check_plan(&mut self, r: DeclRef, id: TableId) {
        let modules = std::sync::Arc::clone(&self.modules);
        let Some(DeclKind::Plan(plan)) = modules
            .get(r.module)
            .and_then(|m| m.decls.get(r.decl))
            .map(|d| &d.kind)
        else {
            return;
        };
        let metrics: Vec<&Setting> = plan
            .items
            .iter()
            .filter_map(|i| match i {
                PlanItem::Metric(m) => Some(m),
                PlanItem::For(_) => None,
            })
            .collect();
        // Later metrics are bound as placeholders so that using one early is
        // reported as an ordering mistake, not as an unknown name.
        let placeholders: Vec<Local> = metrics
            .iter()
            .map(|m| Local {
                name: m.name.name.clone(),
                ty: Type::Unknown,
                span: m.name.span,
            })
            .collect();
        self.later_metrics
            .extend(placeholders.iter().map(|l| l.span));
        let mut columns: Vec<ColumnInfo> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut saw_metric = false;
        let mut saw_for = false;
        self.with_scope(Scope::Locals(placeholders), |c| {
            c.with_scope(Scope::Locals(Vec::new()), |c| {
                for item in &plan.items {
                    match item {
                        PlanItem::For(f) => {
                            saw_for = true;
                            if saw_metric {
                                c.diags.push(
                                    Diagnostic::error(codes::PLAN, f.span, "`for` lines must come before the metrics")
                                        .with_help("move this `for` above the first metric; the `for` lines set the plan's rows"),
                                );
                            }
                            let ty = c.plan_for(f);
                            if let Some(prev) = seen.insert(f.var.name.clone(), f.var.span) {
                                c.duplicate_in_plan(&f.var, prev);
                            }
                            c.bind(&f.var.name, ty.clone(), f.var.span);
                            columns.push(ColumnInfo {
                                name: f.var.name.clone(),
                                ty,
                                span: Some(f.var.span),
                                origin: ColumnOrigin::Computed,
                            });
                        }
                        PlanItem::Metric(m) => {
                            saw_metric = true;
                            c.current_metric = Some(m.name.span);
                            let ty = c.expr(&m.value);
                            c.current_metric = None;
                            c.later_metrics.remove(&m.name.span);
                            if let Some(prev) = seen.insert(m.name.name.clone(), m.name.span) {
                                c.duplicate_in_plan(&m.name, prev);
                            }
                            c.bind(&m.name.name, ty.clone(), m.name.span);
                            columns.push(ColumnInfo {
                                name: m.name.name.clone(),
                                ty,
                                span: Some(m.name.span),
                                origin: ColumnOrigin::Computed,
                            });
                        }
                    }
                }
            });
        });
        if !saw_for {
            self.diags.push(
                Diagnostic::error(codes::PLAN, plan.name.span, format!("plan `{}` has no `for` line, so it has no rows", plan.name.name))
                    .with_help("add the grain, e.g. `for ae in reps where role == \"AE\"` and `for q in quarters(FY2026)`"),
            );
        }
        if let Some(info) = self.p.tables.get_mut(id.0 as usize) {
            info.columns = columns;
        }
    }

    fn duplicate_in_plan(&mut self, name: &Ident, prev: Span) {
        self.diags.push(
            Diagnostic::error(
                codes::DUPLICATE,
                name.span,
                format!("`{}` is defined twice in this plan", name.name),
            )
            .with_secondary(prev, "first defined here"),
        );
    }

    /// The type of a `for` variable: a row of a table or an element of a list.
    fn plan_for(&mut self, f: &PlanFor) -> Type {
        let st = self.expr(&f.source);
        let (var_ty, scope) = match &st {
            Type::Table(t) => (Type::Row(*t), Some(Scope::Columns(*t))),
            Type::List(e) => ((**e).clone(), None),
            Type::Unknown => (Type::Unknown, None),
            other => {
                let msg = format!(
                    "`for` needs a table or a list to loop over, but this is `{}`",
                    self.show(other)
                );
                self.diags.push(
                    Diagnostic::error(codes::PLAN, f.source.span, msg)
                        .with_help("loop over a table (`for ae in reps`) or a list of periods (`for q in quarters(FY2026)`)"),
                );
                (Type::Unknown, None)
            }
        };
        if let Some(filter) = &f.filter {
            let var = Local {
                name: f.var.name.clone(),
                ty: var_ty.clone(),
                span: f.var.span,
            };
            match scope {
                Some(s) => self.with_scope(s, |c| {
                    c.with_scope(Scope::Locals(vec![var]), |c| {
                        c.condition(filter, "the `where` of `for`")
                    })
                }),
                None => self.with_scope(Scope::Locals(vec![var]), |c| {
                    c.condition(filter, "the `where` of `for`")
                }),
            }
        }
        var_ty
    }
}
