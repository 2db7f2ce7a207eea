//! Walking the syntax tree: every expression, type and local definition of
//! a declaration.

use tally_syntax::ast::*;

/// Calls `f` on `e` and every expression inside it, outermost first.
pub(crate) fn visit_expr<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    for child in children(e) {
        visit_expr(child, f);
    }
}

/// The direct sub-expressions of `e`, in source order.
pub(crate) fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::List(items) => items.iter().collect(),
        ExprKind::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
        ExprKind::Record(fields) => fields.iter().map(|(_, v)| v).collect(),
        ExprKind::Field { base, .. } => vec![base.as_ref()],
        ExprKind::Method { receiver, args, .. } => std::iter::once(receiver.as_ref())
            .chain(args.iter().map(|a| &a.value))
            .collect(),
        ExprKind::Call { args, .. } => args.iter().map(|a| &a.value).collect(),
        ExprKind::Index { base, index } => vec![base.as_ref(), index.as_ref()],
        ExprKind::Unary { expr, .. }
        | ExprKind::Is { expr, .. }
        | ExprKind::Cast { expr, .. }
        | ExprKind::Paren(expr) => vec![expr.as_ref()],
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs.as_ref(), rhs.as_ref()],
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => vec![cond.as_ref(), then.as_ref(), otherwise.as_ref()],
        ExprKind::Tiered(t) => {
            let mut v = vec![&t.value];
            v.extend(t.base.iter());
            for band in &t.bands {
                v.extend(band.upper.iter());
                v.push(&band.rate);
            }
            v
        }
        _ => Vec::new(),
    }
}

/// The top-level expressions of a declaration, in source order.
pub(crate) fn decl_exprs(decl: &Decl) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    match &decl.kind {
        DeclKind::Settings(items) => out.extend(items.iter().map(|s| &s.value)),
        DeclKind::Const(c) => out.push(&c.value),
        DeclKind::Fn(f) => out.push(&f.body),
        DeclKind::Assign(a) => {
            for arm in &a.arms {
                out.extend(arm.when.iter());
                out.push(&arm.then);
            }
        }
        DeclKind::Credit(c) => {
            out.extend(c.filter.iter());
            out.push(&c.on);
            for item in &c.items {
                match item {
                    CreditItem::Let(l) => out.push(&l.value),
                    CreditItem::Setting(s) => out.push(&s.value),
                    CreditItem::Group(g) => {
                        for arm in &g.arms {
                            out.extend(arm.when.iter());
                            for gets in &arm.then {
                                out.push(&gets.payee);
                                out.push(&gets.share);
                            }
                        }
                    }
                    CreditItem::Rollup(_) => {}
                }
            }
        }
        DeclKind::Plan(p) => {
            for item in &p.items {
                match item {
                    PlanItem::For(f) => {
                        out.push(&f.source);
                        out.extend(f.filter.iter());
                    }
                    PlanItem::Metric(m) => out.push(&m.value),
                }
            }
        }
        DeclKind::Report(r) => {
            for item in &r.items {
                match &item.kind {
                    ReportItemKind::From { source, filter } => {
                        out.push(source);
                        out.extend(filter.iter());
                    }
                    ReportItemKind::Where(e) | ReportItemKind::Limit(e) => out.push(e),
                    ReportItemKind::GroupBy(items) | ReportItemKind::Columns(items) => {
                        out.extend(items.iter().map(|n| &n.value))
                    }
                    ReportItemKind::OrderBy(keys) => out.extend(keys.iter().map(|k| &k.value)),
                    ReportItemKind::Totals => {}
                }
            }
        }
        DeclKind::Test(t) => {
            for item in &t.items {
                match item {
                    TestItem::Given { rows, .. } => out.push(rows),
                    TestItem::Expect { value, .. } => out.push(value),
                }
            }
        }
        DeclKind::Policy(_)
        | DeclKind::Import(_)
        | DeclKind::Table(_)
        | DeclKind::Territories(_)
        | DeclKind::Golden(_)
        | DeclKind::Error(_) => {}
    }
    out
}

/// Every type written in a declaration (column types, parameter and
/// result types, const annotations, `as` casts), type arguments included.
pub(crate) fn decl_types(decl: &Decl) -> Vec<&TypeExpr> {
    let mut tops: Vec<&TypeExpr> = Vec::new();
    match &decl.kind {
        DeclKind::Table(t) => tops.extend(t.columns.iter().map(|c| &c.ty)),
        DeclKind::Const(c) => tops.extend(c.ty.iter()),
        DeclKind::Fn(f) => {
            tops.extend(f.params.iter().map(|p| &p.ty));
            tops.push(&f.ret);
        }
        _ => {}
    }
    for e in decl_exprs(decl) {
        visit_expr(e, &mut |x| {
            if let ExprKind::Cast { ty, .. } = &x.kind {
                tops.push(ty);
            }
        });
    }
    let mut out = Vec::new();
    let mut stack = tops;
    while let Some(t) = stack.pop() {
        out.push(t);
        stack.extend(t.args.iter());
    }
    out.sort_by_key(|t| t.span.start);
    out
}

/// What kind of local name a definition introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LocalKind {
    /// `let NAME = ...` in a credit block.
    Let,
    /// A function parameter.
    Param,
    /// A plan's `for NAME in ...`.
    LoopVar,
    /// A plan metric.
    Metric,
    /// A `group by` key of a report.
    GroupKey,
    /// A named column of a report.
    ReportColumn,
    /// A role group of a credit block.
    RoleGroup,
}

impl LocalKind {
    /// The word used in hover and outlines.
    pub fn describe(self) -> &'static str {
        match self {
            LocalKind::Let => "let",
            LocalKind::Param => "parameter",
            LocalKind::LoopVar => "loop variable",
            LocalKind::Metric => "metric",
            LocalKind::GroupKey => "group key",
            LocalKind::ReportColumn => "report column",
            LocalKind::RoleGroup => "role group",
        }
    }
}

/// Every local name a declaration defines, in source order.
pub(crate) fn local_defs(decl: &Decl) -> Vec<(&Ident, LocalKind)> {
    let mut out = Vec::new();
    match &decl.kind {
        DeclKind::Fn(f) => out.extend(f.params.iter().map(|p| (&p.name, LocalKind::Param))),
        DeclKind::Credit(c) => {
            for item in &c.items {
                match item {
                    CreditItem::Let(l) => out.push((&l.name, LocalKind::Let)),
                    CreditItem::Group(g) => out.push((&g.name, LocalKind::RoleGroup)),
                    CreditItem::Setting(_) | CreditItem::Rollup(_) => {}
                }
            }
        }
        DeclKind::Plan(p) => {
            for item in &p.items {
                match item {
                    PlanItem::For(f) => out.push((&f.var, LocalKind::LoopVar)),
                    PlanItem::Metric(m) => out.push((&m.name, LocalKind::Metric)),
                }
            }
        }
        DeclKind::Report(r) => {
            for item in &r.items {
                match &item.kind {
                    ReportItemKind::GroupBy(items) => out.extend(
                        items
                            .iter()
                            .filter_map(|n| n.name.as_ref())
                            .map(|n| (n, LocalKind::GroupKey)),
                    ),
                    ReportItemKind::Columns(items) => out.extend(
                        items
                            .iter()
                            .filter_map(|n| n.name.as_ref())
                            .map(|n| (n, LocalKind::ReportColumn)),
                    ),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// The name a declaration introduces, if any.
pub(crate) fn decl_name(decl: &Decl) -> Option<&Ident> {
    match &decl.kind {
        DeclKind::Table(t) => Some(&t.name),
        DeclKind::Const(c) => Some(&c.name),
        DeclKind::Fn(f) => Some(&f.name),
        DeclKind::Plan(p) => Some(&p.name),
        DeclKind::Report(r) => Some(&r.name),
        _ => None,
    }
}
