//! Finding the placeholder in the checked syntax tree, with the scope
//! (columns, locals, expected type) of every place on the way.

use super::{ColumnItem, LocalItem, Member, Place, Scope};
use crate::walk::LocalKind;
use tally_check::{Program, TableId, Type};
use tally_syntax::ast::*;

/// Methods whose arguments see the table's columns unqualified.
pub(crate) const PER_ROW: &[&str] = &[
    "where", "any", "all", "sum", "avg", "min", "max", "first", "only", "sort",
];

/// The program being searched, and the last good one for names the
/// current text has lost.
pub(crate) struct Programs<'a> {
    pub(crate) current: &'a Program,
    pub(crate) fallback: Option<&'a Program>,
}

impl std::ops::Deref for Programs<'_> {
    type Target = Program;

    fn deref(&self) -> &Program {
        self.current
    }
}

impl Programs<'_> {
    /// The columns of the table `e` evaluates to: its recorded type, or,
    /// for a table the current text has broken, the last good table of
    /// that name.
    fn table_columns(&self, e: &Expr) -> Option<Vec<ColumnItem>> {
        if let Some(t) = table_of(self.type_at(e.span)) {
            return Some(columns_of(self.current, t));
        }
        let ExprKind::Name(id) = &e.kind else {
            return None;
        };
        let good = self.fallback?;
        Some(columns_of(good, good.table_named(&id.name)?))
    }

    /// The place after `base.` (see [`Programs::table_columns`]).
    fn member(&self, base: &Expr) -> Place {
        let place = member_place(self.current, self.type_at(base.span));
        if place != Place::Member(Member::Unknown) {
            return place;
        }
        if let (ExprKind::Name(id), Some(good)) = (&base.kind, self.fallback) {
            if let Some(t) = good.table_named(&id.name) {
                return member_place(good, Some(&Type::Table(t)));
            }
        }
        place
    }
}

/// A scope under construction.
#[derive(Clone, Default)]
struct Walk {
    columns: Vec<ColumnItem>,
    locals: Vec<(String, Option<Type>, LocalKind)>,
    aggregates: bool,
}

impl Walk {
    fn with_table(&self, program: &Program, t: Option<TableId>) -> Walk {
        self.with_columns(t.map(|t| columns_of(program, t)))
    }

    fn with_columns(&self, columns: Option<Vec<ColumnItem>>) -> Walk {
        let mut w = self.clone();
        if let Some(mut c) = columns {
            c.append(&mut w.columns);
            w.columns = c;
        }
        w
    }

    fn finish(&self, program: &Program, expected: Option<Type>) -> Place {
        let columns = self.columns.clone();
        let mut locals: Vec<LocalItem> = Vec::new();
        for (name, ty, kind) in self.locals.iter().rev() {
            if locals.iter().any(|l| &l.name == name) {
                continue;
            }
            locals.push(LocalItem {
                name: name.clone(),
                ty: ty.as_ref().map(|t| program.show(t)),
                kind: *kind,
            });
        }
        Place::Expr(Scope {
            columns,
            locals,
            expected: expected
                .filter(|t| !t.is_unknown())
                .map(|t| program.show(t.strip_optional())),
            aggregates: self.aggregates,
        })
    }
}

/// The columns of table `t` as completion shows them.
pub(crate) fn columns_of(program: &Program, t: TableId) -> Vec<ColumnItem> {
    let Some(info) = program.table(t) else {
        return Vec::new();
    };
    info.columns
        .iter()
        .map(|c| ColumnItem {
            name: c.name.clone(),
            ty: program.show(&c.ty),
            table: info.name.clone(),
        })
        .collect()
}

fn table_of(ty: Option<&Type>) -> Option<TableId> {
    match ty?.strip_optional() {
        Type::Table(t) => Some(*t),
        _ => None,
    }
}

pub(crate) fn member_place(program: &Program, receiver: Option<&Type>) -> Place {
    let member = match receiver.map(Type::strip_optional) {
        Some(Type::Row(t)) => Member::Row(columns_of(program, *t)),
        Some(Type::Table(t)) => {
            let info = program.table(*t);
            Member::Table {
                effective: info.is_some_and(|i| i.effective.is_some()),
                keyed: info.is_some_and(|i| i.key.is_some()),
            }
        }
        Some(Type::Territory) => Member::Territory,
        _ => Member::Unknown,
    };
    Place::Member(member)
}

/// Types of the plan's or report's columns, by name.
fn output_type(program: &Program, owner: &Ident, name: &str) -> Option<Type> {
    let t = program.table(program.table_named(&owner.name)?)?;
    t.columns
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.ty.clone())
}

pub(crate) fn find_in_decl(program: &Programs, decl: &Decl, at: usize) -> Option<Place> {
    let base = Walk::default();
    match &decl.kind {
        DeclKind::Const(c) => find(program, &c.value, at, &base, None),
        DeclKind::Fn(f) => {
            let info = program
                .fn_named(&f.name.name)
                .and_then(|i| program.fns.get(i));
            let mut w = base;
            for (i, p) in f.params.iter().enumerate() {
                let ty = info.and_then(|f| f.params.get(i)).map(|(_, t)| t.clone());
                w.locals.push((p.name.name.clone(), ty, LocalKind::Param));
            }
            find(program, &f.body, at, &w, info.map(|i| i.ret.clone()))
        }
        DeclKind::Assign(a) => {
            let t = program.table_named(&a.table.name);
            let w = base.with_table(program, t);
            let field_ty = t
                .and_then(|t| program.table(t))
                .and_then(|i| i.columns.iter().find(|c| c.name == a.field.name))
                .map(|c| c.ty.clone())
                .filter(|ty| !ty.is_unknown())
                .or_else(|| {
                    a.arms
                        .iter()
                        .filter_map(|arm| program.type_at(arm.then.span))
                        .find(|ty| !ty.is_unknown())
                        .cloned()
                });
            a.arms.iter().find_map(|arm| {
                arm.when
                    .as_ref()
                    .and_then(|e| find(program, e, at, &w, Some(Type::Bool)))
                    .or_else(|| find(program, &arm.then, at, &w, field_ty.clone()))
            })
        }
        DeclKind::Credit(c) => find_in_credit(program, c, at),
        DeclKind::Plan(p) => {
            let mut w = base;
            for item in &p.items {
                match item {
                    PlanItem::For(f) => {
                        if let Some(hit) = find(program, &f.source, at, &w, None) {
                            return Some(hit);
                        }
                        let source = table_of(program.type_at(f.source.span));
                        if let Some(filter) = &f.filter {
                            if let Some(hit) = find(
                                program,
                                filter,
                                at,
                                &w.with_table(program, source),
                                Some(Type::Bool),
                            ) {
                                return Some(hit);
                            }
                        }
                        let ty = output_type(program, &p.name, &f.var.name);
                        w.locals.push((f.var.name.clone(), ty, LocalKind::LoopVar));
                    }
                    PlanItem::Metric(m) => {
                        if let Some(hit) = find(program, &m.value, at, &w, None) {
                            return Some(hit);
                        }
                        let ty = output_type(program, &p.name, &m.name.name);
                        w.locals.push((m.name.name.clone(), ty, LocalKind::Metric));
                    }
                }
            }
            None
        }
        DeclKind::Report(r) => find_in_report(program, r, at),
        DeclKind::Test(t) => t.items.iter().find_map(|item| match item {
            TestItem::Given { table, rows, .. } => find(
                program,
                rows,
                at,
                &base.with_table(program, program.table_named(&table.name)),
                None,
            ),
            TestItem::Expect { value, .. } => find(program, value, at, &base, Some(Type::Bool)),
        }),
        _ => None,
    }
}

fn find_in_credit(program: &Programs, c: &Credit, at: usize) -> Option<Place> {
    let t = program.table_named(&c.table.name);
    let mut w = Walk::default().with_table(program, t);
    if let Some(hit) = c
        .filter
        .as_ref()
        .and_then(|f| find(program, f, at, &w, Some(Type::Bool)))
    {
        return Some(hit);
    }
    if let Some(hit) = find(program, &c.on, at, &w, Some(Type::Date)) {
        return Some(hit);
    }
    let payee = program
        .credit
        .as_ref()
        .and_then(|c| c.payees)
        .map(Type::Row);
    for item in &c.items {
        match item {
            CreditItem::Let(l) => {
                if let Some(hit) = find(program, &l.value, at, &w, None) {
                    return Some(hit);
                }
                let ty = program.type_at(l.value.span).cloned();
                w.locals.push((l.name.name.clone(), ty, LocalKind::Let));
            }
            CreditItem::Setting(s) => {
                if let Some(hit) = find(program, &s.value, at, &w, Some(Type::Money)) {
                    return Some(hit);
                }
            }
            CreditItem::Group(g) => {
                for arm in &g.arms {
                    let hit = arm
                        .when
                        .as_ref()
                        .and_then(|e| find(program, e, at, &w, Some(Type::Bool)))
                        .or_else(|| {
                            arm.then.iter().find_map(|gets| {
                                find(program, &gets.payee, at, &w, payee.clone()).or_else(|| {
                                    find(program, &gets.share, at, &w, Some(Type::Percent))
                                })
                            })
                        });
                    if hit.is_some() {
                        return hit;
                    }
                }
            }
            CreditItem::Rollup(_) => {}
        }
    }
    None
}

fn find_in_report(program: &Programs, r: &Report, at: usize) -> Option<Place> {
    let base = Walk::default();
    let mut input = None;
    let grouped = r
        .items
        .iter()
        .any(|i| matches!(i.kind, ReportItemKind::GroupBy(_)));
    let mut keys = Walk::default();
    for item in &r.items {
        if let ReportItemKind::GroupBy(items) = &item.kind {
            for n in items {
                let name = n.name.as_ref().or(match &n.value.kind {
                    ExprKind::Name(id) => Some(id),
                    _ => None,
                });
                if let Some(name) = name {
                    let ty = output_type(program, &r.name, &name.name);
                    keys.locals
                        .push((name.name.clone(), ty, LocalKind::GroupKey));
                }
            }
        }
    }
    for item in &r.items {
        let hit = match &item.kind {
            ReportItemKind::From { source, filter } => {
                input = table_of(program.type_at(source.span));
                find(program, source, at, &base, None).or_else(|| {
                    filter.as_ref().and_then(|f| {
                        find(
                            program,
                            f,
                            at,
                            &base.with_table(program, input),
                            Some(Type::Bool),
                        )
                    })
                })
            }
            ReportItemKind::Where(e) => find(
                program,
                e,
                at,
                &base.with_table(program, input),
                Some(Type::Bool),
            ),
            ReportItemKind::GroupBy(items) => items.iter().find_map(|n| {
                find(
                    program,
                    &n.value,
                    at,
                    &base.with_table(program, input),
                    None,
                )
            }),
            ReportItemKind::Columns(items) => {
                let mut w = if grouped { keys.clone() } else { base.clone() };
                w = w.with_table(program, input);
                w.aggregates = grouped;
                items
                    .iter()
                    .find_map(|n| find(program, &n.value, at, &w, None))
            }
            ReportItemKind::OrderBy(keys_) => {
                let mut w = base.with_table(program, input);
                if let Some(out) = program
                    .table_named(&r.name.name)
                    .and_then(|t| program.table(t))
                {
                    for c in &out.columns {
                        w.locals.push((
                            c.name.clone(),
                            Some(c.ty.clone()),
                            LocalKind::ReportColumn,
                        ));
                    }
                }
                keys_
                    .iter()
                    .find_map(|k| find(program, &k.value, at, &w, None))
            }
            ReportItemKind::Limit(e) => find(program, e, at, &base, Some(Type::Int)),
            ReportItemKind::Totals => None,
        };
        if hit.is_some() {
            return hit;
        }
    }
    None
}

/// Finds the placeholder inside `e` and returns its place.
fn find(
    program: &Programs,
    e: &Expr,
    at: usize,
    w: &Walk,
    expected: Option<Type>,
) -> Option<Place> {
    if !e.span.contains(at) {
        return None;
    }
    match &e.kind {
        ExprKind::Name(id) if id.span.contains(at) => Some(w.finish(program, expected)),
        ExprKind::Field { base, name, .. } => {
            if name.span.contains(at) && at >= name.span.lo() {
                return Some(program.member(base));
            }
            find(program, base, at, w, None)
        }
        ExprKind::Method {
            receiver,
            method,
            args,
            ..
        } => {
            if method.span.contains(at) && at >= method.span.lo() {
                return Some(program.member(receiver));
            }
            if let Some(hit) = find(program, receiver, at, w, None) {
                return Some(hit);
            }
            let inner = if PER_ROW.contains(&method.name.as_str()) {
                w.with_columns(program.table_columns(receiver))
            } else {
                w.clone()
            };
            let expected = match method.name.as_str() {
                "where" | "any" | "all" => Some(Type::Bool),
                "at" => Some(Type::Date),
                "ancestor" => Some(Type::Int),
                _ => None,
            };
            args.iter()
                .find_map(|a| find(program, &a.value, at, &inner, expected.clone()))
        }
        ExprKind::Call { func, args } => {
            if func.span.contains(at) {
                return Some(w.finish(program, expected));
            }
            let info = program
                .fn_named(&func.name)
                .and_then(|f| program.fns.get(f));
            args.iter().enumerate().find_map(|(i, a)| {
                let ty = info.and_then(|f| f.params.get(i)).map(|(_, t)| t.clone());
                let ty = ty.filter(|t| !matches!(t, Type::Var(_)));
                find(program, &a.value, at, w, ty)
            })
        }
        ExprKind::Binary { op, lhs, rhs } => {
            if let Some(hit) = find(program, lhs, at, w, None) {
                return Some(hit);
            }
            let lt = program
                .type_at(lhs.span)
                .map(|t| t.strip_optional().clone());
            let expected = match op {
                BinOp::Within => Some(Type::Territory),
                BinOp::Eq | BinOp::Ne | BinOp::Default => lt,
                BinOp::In => lt.filter(|t| matches!(t, Type::Territory)),
                BinOp::And | BinOp::Or => Some(Type::Bool),
                _ => None,
            };
            find(program, rhs, at, w, expected)
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => find(program, cond, at, w, Some(Type::Bool))
            .or_else(|| find(program, then, at, w, expected.clone()))
            .or_else(|| find(program, otherwise, at, w, expected.clone())),
        ExprKind::Paren(inner) => find(program, inner, at, w, expected),
        ExprKind::List(items) => {
            let elem = match &expected {
                Some(Type::List(t)) => Some((**t).clone()),
                _ => None,
            };
            items
                .iter()
                .find_map(|i| find(program, i, at, w, elem.clone()))
        }
        _ => crate::walk::children(e)
            .into_iter()
            .find_map(|c| find(program, c, at, w, None)),
    }
}
