//! Checking `assign` (derived fields, in dependency order), `fn` bodies,
//! `const` values, and the no-recursion rule.

use crate::checker::{Checker, Scope, State};
use crate::codes;
use crate::program::*;
use crate::types::{self, TableId, Type};
use crate::visit;
use std::collections::HashMap;
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_syntax::ast::*;

impl Checker {
    /// Registers derived columns, orders assigns by their dependencies
    /// (reporting cycles), then types each one.
    pub(crate) fn check_assigns(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        let mut found: Vec<(DeclRef, &Assign)> = Vec::new();
        for (mi, m) in modules.iter().enumerate() {
            for (di, d) in m.decls.iter().enumerate() {
                if let DeclKind::Assign(a) = &d.kind {
                    found.push((
                        DeclRef {
                            module: mi,
                            decl: di,
                        },
                        a,
                    ));
                }
            }
        }
        // 1. register the derived columns
        let mut registered: Vec<(usize, &Assign, TableId)> = Vec::new();
        for (r, a) in &found {
            let Some(table) = self.assign_table(a) else {
                continue;
            };
            let Some(info) = self.p.table(table) else {
                continue;
            };
            if let Some(existing) = info.column(&a.field.name) {
                let col = info.columns.get(existing).cloned();
                let table_name = info.name.clone();
                let mut d = match col.as_ref().map(|c| &c.origin) {
                    Some(ColumnOrigin::Derived(_)) => Diagnostic::error(
                        codes::DUPLICATE,
                        a.field.span,
                        format!("`{table_name}.{}` is already assigned by another `assign`", a.field.name),
                    ),
                    _ => Diagnostic::error(
                        codes::RULES,
                        a.field.span,
                        format!("`{table_name}` already has a column `{}`; an `assign` adds a new column", a.field.name),
                    )
                    .with_help("choose a new name for the derived column"),
                };
                if let Some(s) = col.and_then(|c| c.span) {
                    d = d.with_secondary(s, "declared here");
                }
                self.diags.push(d);
                continue;
            }
            let idx = self.p.assigns.len();
            let has_otherwise = a.arms.iter().any(|arm| arm.is_otherwise());
            let Some(info) = self.p.tables.get_mut(table.0 as usize) else {
                continue;
            };
            let column = info.columns.len();
            info.columns.push(ColumnInfo {
                name: a.field.name.clone(),
                ty: Type::Unknown,
                span: Some(a.field.span),
                origin: ColumnOrigin::Derived(idx),
            });
            let rule_ty = if has_otherwise {
                Type::Text
            } else {
                Type::Text.optional()
            };
            info.columns.push(ColumnInfo {
                name: format!("{}_rule", a.field.name),
                ty: rule_ty,
                span: Some(a.field.span),
                origin: ColumnOrigin::RuleLabel(idx),
            });
            self.p.assigns.push(AssignInfo {
                decl: *r,
                table,
                column,
                rule_column: column + 1,
            });
            registered.push((idx, *a, table));
        }
        // 2. dependency order between derived fields of the same table
        let deps: Vec<Vec<usize>> = registered
            .iter()
            .map(|(_, a, table)| {
                let mut out = Vec::new();
                for arm in &a.arms {
                    let exprs = arm.when.iter().chain(std::iter::once(&arm.then));
                    for e in exprs {
                        for id in visit::names(e) {
                            let dep = registered
                                .iter()
                                .position(|(_, b, t)| t == table && b.field.name == id.name);
                            if let Some(dep) = dep {
                                if !out.contains(&dep) {
                                    out.push(dep);
                                }
                            }
                        }
                    }
                }
                out
            })
            .collect();
        let (order, cycles) = topo_order(registered.len(), &deps);
        for cycle in cycles {
            let names: Vec<String> = cycle
                .iter()
                .filter_map(|i| registered.get(*i))
                .map(|(_, a, t)| format!("`{}.{}`", self.p.table_name(*t), a.field.name))
                .collect();
            if let Some((_, first, _)) = cycle.first().and_then(|i| registered.get(*i)) {
                let mut chain = names.clone();
                if let Some(f) = names.first() {
                    chain.push(f.clone());
                }
                let mut d = Diagnostic::error(
                    codes::CYCLE,
                    first.field.span,
                    format!(
                        "derived fields depend on each other in a cycle: {}",
                        chain.join(" → ")
                    ),
                )
                .with_help(
                    "a derived field may use other derived fields only if they do not use it back",
                );
                for i in cycle.iter().skip(1) {
                    if let Some((_, a, _)) = registered.get(*i) {
                        d = d.with_secondary(a.field.span, "part of the cycle");
                    }
                }
                self.diags.push(d);
            }
        }
        // 3. type each assign after the fields it uses
        for i in order {
            let Some((idx, a, table)) = registered.get(i) else {
                continue;
            };
            self.check_assign(*idx, a, *table);
            self.p.assign_order.push(*idx);
        }
    }

    fn assign_table(&mut self, a: &Assign) -> Option<TableId> {
        match self.p.table_named(&a.table.name) {
            Some(t)
                if matches!(
                    self.p.table(t).map(|i| &i.kind),
                    Some(TableKind::Declared(_))
                ) =>
            {
                self.resolve(a.table.span, Resolution::Table(t));
                Some(t)
            }
            Some(_) => {
                self.diags.push(Diagnostic::error(
                    codes::RULES,
                    a.table.span,
                    format!("`{}` is not a declared table; `assign` adds columns to tables loaded from data", a.table.name),
                ));
                None
            }
            None => {
                if !self.p.broken_names.iter().any(|b| b == &a.table.name) {
                    let names: Vec<String> = self.p.tables.iter().map(|t| t.name.clone()).collect();
                    let help = closest(&a.table.name, names.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"));
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_NAME,
                            a.table.span,
                            format!("unknown table `{}`", a.table.name),
                        )
                        .with_help_opt(help),
                    );
                }
                None
            }
        }
    }

    fn check_assign(&mut self, idx: usize, a: &Assign, table: TableId) {
        if a.hit == HitPolicy::AllMatch {
            self.diags.push(
                Diagnostic::error(
                    codes::RULES,
                    a.hit_span,
                    "`assign` gives each row one value, so it takes `first match` or `unique`",
                )
                .with_help("write `(first match)`; `all match` is for crediting role groups"),
            );
        }
        let mut ty: Option<Type> = None;
        let mut first_then: Option<Span> = None;
        self.check_arm_shape(&a.arms, a.field.span, "assign");
        for arm in &a.arms {
            self.with_scope(Scope::Columns(table), |c| {
                if let Some(w) = &arm.when {
                    c.condition(w, "a rule's `when`");
                }
                let t = c.expr(&arm.then);
                if first_then.is_none() {
                    first_then = Some(arm.then.span);
                }
                ty = match ty.take() {
                    None => Some(t),
                    Some(prev) => match types::unify(&prev, &t) {
                        Some(u) => Some(u),
                        None => {
                            let msg = format!(
                                "every rule of `{}` must give the same type; this gives `{}`, earlier rules give `{}`",
                                a.field.name,
                                c.show(&t),
                                c.show(&prev)
                            );
                            let mut d = Diagnostic::error(codes::TYPE_MISMATCH, arm.then.span, msg)
                                .with_label(format!("expected `{}`", c.show(&prev)));
                            if let Some(s) = first_then {
                                d = d.with_secondary(s, format!("this rule gives `{}`", c.show(&prev)));
                            }
                            if matches!(prev.strip_optional(), Type::Territory) && matches!(t, Type::Text) {
                                d = d.with_help("territories are names, not text: remove the quotes");
                            }
                            c.diags.push(d);
                            Some(prev)
                        }
                    },
                };
            });
        }
        let has_otherwise = a.arms.iter().any(|arm| arm.is_otherwise());
        let mut ty = ty.unwrap_or(Type::Unknown);
        if !has_otherwise {
            ty = ty.optional();
        }
        let column = self.p.assigns.get(idx).map(|a| a.column);
        if let (Some(info), Some(col)) = (self.p.tables.get_mut(table.0 as usize), column) {
            if let Some(c) = info.columns.get_mut(col) {
                c.ty = ty;
            }
        }
    }

    /// `otherwise` must come last and only once; a block needs a rule.
    pub(crate) fn check_arm_shape<T>(&mut self, arms: &[Arm<T>], at: Span, what: &str) {
        if arms.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    codes::RULES,
                    at,
                    format!("this `{what}` block has no rules"),
                )
                .with_help("add rules: `rule \"label\" when CONDITION then VALUE`"),
            );
        }
        let mut seen_otherwise: Option<Span> = None;
        let otherwise_count = arms.iter().filter(|a| a.is_otherwise()).count();
        for (i, arm) in arms.iter().enumerate() {
            if arm.is_otherwise() {
                if let Some(prev) = seen_otherwise {
                    self.diags.push(
                        Diagnostic::error(
                            codes::RULES,
                            arm.span,
                            "a block has at most one `otherwise`",
                        )
                        .with_secondary(prev, "the first `otherwise`"),
                    );
                } else if i + 1 != arms.len() && otherwise_count == 1 {
                    self.diags.push(
                        Diagnostic::error(
                            codes::RULES,
                            arm.span,
                            "`otherwise` must be the last branch",
                        )
                        .with_help(
                            "rules after `otherwise` can never fire; move `otherwise` to the end",
                        ),
                    );
                }
                seen_otherwise = Some(arm.span);
            }
        }
    }

    /// Checks every function body against its declared result type.
    pub(crate) fn check_fns(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        for fi in 0..self.p.fns.len() {
            let Some(info) = self.p.fns.get(fi).cloned() else {
                continue;
            };
            let Some(r) = info.decl else { continue };
            let Some(DeclKind::Fn(f)) = modules
                .get(r.module)
                .and_then(|m| m.decls.get(r.decl))
                .map(|d| &d.kind)
            else {
                continue;
            };
            let is_stdlib = modules
                .get(r.module)
                .is_some_and(|m| self.p.is_stdlib(m.file));
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for p in &f.params {
                if let Some(prev) = seen.insert(&p.name.name, p.name.span) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::DUPLICATE,
                            p.name.span,
                            format!("parameter `{}` is declared twice", p.name.name),
                        )
                        .with_secondary(prev, "first declared here"),
                    );
                }
            }
            self.isolated(|c| {
                c.in_stdlib = is_stdlib;
                c.current_fn = Some(fi);
                let locals = f
                    .params
                    .iter()
                    .zip(&info.params)
                    .map(|(p, (_, ty))| crate::checker::Local {
                        name: p.name.name.clone(),
                        ty: ty.clone(),
                        span: p.name.span,
                    })
                    .collect();
                c.with_scope(Scope::Locals(locals), |c| {
                    let what = format!("the result of `{}`", f.name.name);
                    c.expect_type(&f.body, &info.ret, &what);
                });
                c.in_stdlib = false;
            });
        }
    }

    /// Types every const (those not yet typed on demand).
    pub(crate) fn check_consts(&mut self) {
        for i in 0..self.p.consts.len() {
            self.const_type(i);
        }
    }

    /// The type of const `i`, computing it on first use (cycles reported).
    pub(crate) fn const_type(&mut self, i: usize) -> Type {
        match self.const_state.get(&i) {
            Some(State::Done) => {
                return self
                    .p
                    .consts
                    .get(i)
                    .map(|c| c.ty.clone())
                    .unwrap_or(Type::Unknown)
            }
            Some(State::InProgress) => {
                if let Some(info) = self.p.consts.get(i).cloned() {
                    if let Some(DeclKind::Const(c)) = self.p_decl(info.decl).map(|d| d.kind.clone())
                    {
                        let mut chain: Vec<String> = self
                            .const_stack
                            .iter()
                            .skip_while(|x| **x != i)
                            .filter_map(|x| self.p.consts.get(*x).map(|k| format!("`{}`", k.name)))
                            .collect();
                        chain.push(format!("`{}`", c.name.name));
                        let message = if chain.len() <= 2 {
                            format!("const `{}` is defined in terms of itself", c.name.name)
                        } else {
                            format!(
                                "consts are defined in terms of each other in a cycle: {}",
                                chain.join(" → ")
                            )
                        };
                        self.diags.push(
                            Diagnostic::error(codes::CYCLE, c.name.span, message).with_help(
                                "a const may use other consts only if they do not use it back",
                            ),
                        );
                    }
                }
                return Type::Unknown;
            }
            None => {}
        }
        self.const_state.insert(i, State::InProgress);
        self.const_stack.push(i);
        let Some(info) = self.p.consts.get(i).cloned() else {
            self.const_stack.pop();
            return Type::Unknown;
        };
        let decl = self.p_decl(info.decl).map(|d| d.kind.clone());
        let ty = match decl {
            Some(DeclKind::Const(c)) => self.isolated(|ch| {
                let ty = ch.expr(&c.value);
                match &c.ty {
                    Some(te) => {
                        let want = ch.type_expr(te, false);
                        if !types::assignable(&ty, &want) {
                            let msg = format!(
                                "const `{}` is declared `{}`, but its value is `{}`",
                                c.name.name,
                                ch.show(&want),
                                ch.show(&ty)
                            );
                            ch.diags.push(Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                c.value.span,
                                msg,
                            ));
                        }
                        want
                    }
                    None => ty,
                }
            }),
            _ => Type::Unknown,
        };
        if let Some(c) = self.p.consts.get_mut(i) {
            c.ty = ty.clone();
        }
        self.const_stack.pop();
        self.const_state.insert(i, State::Done);
        ty
    }

    pub(crate) fn p_decl(&self, r: DeclRef) -> Option<&Decl> {
        self.modules.get(r.module)?.decls.get(r.decl)
    }

    /// Functions may not call themselves, directly or through others.
    pub(crate) fn check_recursion(&mut self) {
        let n = self.p.fns.len();
        let mut deps: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut call_span: HashMap<(usize, usize), Span> = HashMap::new();
        for (from, to, span) in &self.calls {
            if let Some(d) = deps.get_mut(*from) {
                if !d.contains(to) {
                    d.push(*to);
                }
            }
            call_span.entry((*from, *to)).or_insert(*span);
        }
        let (_, cycles) = topo_order(n, &deps);
        for cycle in cycles {
            let Some(&first) = cycle.first() else {
                continue;
            };
            let names: Vec<String> = cycle
                .iter()
                .chain(std::iter::once(&first))
                .filter_map(|i| self.p.fns.get(*i))
                .map(|f| format!("`{}`", f.name))
                .collect();
            let next = cycle.get(1).copied().unwrap_or(first);
            let span = call_span.get(&(first, next)).copied().unwrap_or_default();
            let message = if cycle.len() == 1 {
                format!(
                    "function {} calls itself",
                    names.first().cloned().unwrap_or_default()
                )
            } else {
                format!(
                    "functions call each other in a cycle: {}",
                    names.join(" → ")
                )
            };
            let mut d = Diagnostic::error(codes::RECURSION, span, message)
                .with_label("this call closes the cycle")
                .with_help("functions may not recurse, so every policy finishes; compute the value with table methods such as `where` and `sum` instead")
                .with_note("recursion is not allowed, directly or through other functions");
            let closing = cycle
                .iter()
                .zip(cycle.iter().skip(1).chain(std::iter::once(&first)));
            for (a, b) in closing.skip(1) {
                if let Some(s) = call_span.get(&(*a, *b)) {
                    d = d.with_secondary(*s, "part of the cycle");
                }
            }
            self.diags.push(d);
        }
    }
}

/// Topological order of `n` nodes (dependencies first) and the cycles
/// found (each as the list of its nodes, in call order).
pub(crate) fn topo_order(n: usize, deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; n];
    let mut order = Vec::new();
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for start in 0..n {
        if marks.get(start) != Some(&Mark::New) {
            continue;
        }
        // iterative DFS: (node, next dependency index)
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(m) = marks.get_mut(start) {
            *m = Mark::Active;
        }
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let dep = deps.get(node).and_then(|d| d.get(*next)).copied();
            *next += 1;
            match dep {
                Some(d) => match marks.get(d).copied() {
                    Some(Mark::New) => {
                        if let Some(m) = marks.get_mut(d) {
                            *m = Mark::Active;
                        }
                        stack.push((d, 0));
                    }
                    Some(Mark::Active) => {
                        let pos = stack.iter().position(|(x, _)| *x == d).unwrap_or(0);
                        let cycle: Vec<usize> = stack.iter().skip(pos).map(|(x, _)| *x).collect();
                        let mut key = cycle.clone();
                        key.sort();
                        if !cycles.iter().any(|c| {
                            let mut k = c.clone();
                            k.sort();
                            k == key
                        }) {
                            cycles.push(cycle);
                        }
                    }
                    _ => {}
                },
                None => {
                    if let Some(m) = marks.get_mut(node) {
                        *m = Mark::Done;
                    }
                    order.push(node);
                    stack.pop();
                }
            }
        }
    }
    (order, cycles)
}
