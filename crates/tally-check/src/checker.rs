//! The checker's state, scopes and the order of its passes.

use crate::program::*;
use crate::types::{TableId, Type};
use std::collections::{HashMap, HashSet};
use tally_diagnostics::{Diagnostic, Span};
use tally_syntax::ast::Module;

/// A name bound in a local scope.
#[derive(Clone, Debug)]
pub(crate) struct Local {
    pub name: String,
    pub ty: Type,
    pub span: Span,
}

/// One level of lexical scope.
#[derive(Clone, Debug)]
pub(crate) enum Scope {
    /// Inside a table method or a rule: the table's columns, unqualified.
    Columns(TableId),
    /// `let`s, parameters, loop variables, metrics.
    Locals(Vec<Local>),
    /// The columns of a report with `group by`: the keys by name; input
    /// columns only inside aggregates.
    Group { keys: Vec<Local>, input: TableId },
}

/// What a name resolved to.
#[derive(Clone, Debug)]
pub(crate) enum Found {
    Local(Local),
    Column(TableId, usize, Type),
    GroupKey(Local),
    /// An input column of a grouped report used outside an aggregate.
    GroupInput(TableId, usize),
    Global(Global),
}

/// Lazy computation state of consts and tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    InProgress,
    Done,
}

/// The checker: the program being built plus diagnostics and scopes.
pub(crate) struct Checker {
    pub p: Program,
    pub modules: std::sync::Arc<Vec<Module>>,
    pub diags: Vec<Diagnostic>,
    pub scopes: Vec<Scope>,
    pub used_consts: HashSet<usize>,
    pub used_fns: HashSet<usize>,
    /// Function call edges: (caller, callee, call span).
    pub calls: Vec<(usize, usize, Span)>,
    pub current_fn: Option<usize>,
    pub in_stdlib: bool,
    pub const_state: HashMap<usize, State>,
    pub table_state: HashMap<TableId, State>,
    /// The chain of tables being computed (for cycle messages).
    pub table_stack: Vec<(TableId, Span)>,
    /// Spans of plan metrics not computed yet (using one is an error).
    pub later_metrics: HashSet<Span>,
    /// The metric being checked (its name's span).
    pub current_metric: Option<Span>,
    /// Tables that could not be computed (dependency cycles).
    pub broken_tables: HashSet<TableId>,
    /// Consts being typed (for cycle messages).
    pub const_stack: Vec<usize>,
}

impl Checker {
    pub(crate) fn new(p: Program, modules: Vec<Module>) -> Checker {
        Checker {
            p,
            modules: std::sync::Arc::new(modules),
            diags: Vec::new(),
            scopes: Vec::new(),
            used_consts: HashSet::new(),
            used_fns: HashSet::new(),
            calls: Vec::new(),
            current_fn: None,
            in_stdlib: false,
            const_state: HashMap::new(),
            table_state: HashMap::new(),
            table_stack: Vec::new(),
            later_metrics: HashSet::new(),
            current_metric: None,
            broken_tables: HashSet::new(),
            const_stack: Vec::new(),
        }
    }

    /// Runs every pass in order.
    pub(crate) fn run(mut self) -> (Program, Vec<Diagnostic>) {
        self.collect();
        self.check_assigns();
        self.check_fns();
        if let Some(id) = self.p.table_named("credits") {
            self.ensure_table(id, None);
        }
        self.check_consts();
        let tables: Vec<TableId> = self
            .p
            .plans
            .iter()
            .chain(self.p.reports.iter())
            .map(|(_, t)| *t)
            .collect();
        for id in tables {
            self.ensure_table(id, None);
        }
        self.check_tests();
        self.check_recursion();
        self.lints();
        let Checker {
            mut p,
            modules,
            diags,
            ..
        } = self;
        p.modules = std::sync::Arc::try_unwrap(modules).unwrap_or_else(|shared| (*shared).clone());
        (p, diags)
    }

    /// Runs `f` with `scope` pushed.
    pub(crate) fn with_scope<R>(&mut self, scope: Scope, f: impl FnOnce(&mut Self) -> R) -> R {
        self.scopes.push(scope);
        let r = f(self);
        self.scopes.pop();
        r
    }

    /// Runs `f` with a fresh scope stack (for bodies checked out of line).
    pub(crate) fn isolated<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = std::mem::take(&mut self.scopes);
        let saved_fn = self.current_fn.take();
        let r = f(self);
        self.scopes = saved;
        self.current_fn = saved_fn;
        r
    }

    /// Adds a local binding to the innermost `Locals` scope.
    pub(crate) fn bind(&mut self, name: &str, ty: Type, span: Span) {
        let local = Local {
            name: name.to_string(),
            ty,
            span,
        };
        if let Some(Scope::Locals(v)) = self.scopes.last_mut() {
            v.retain(|l| l.name != local.name);
            v.push(local);
        } else {
            self.scopes.push(Scope::Locals(vec![local]));
        }
    }

    /// Looks `name` up from the innermost scope outwards, then globally.
    /// `skip` inner scopes are ignored (to find what a column shadows).
    pub(crate) fn lookup_from(&mut self, name: &str, skip: usize) -> Option<Found> {
        let depth = self.scopes.len().saturating_sub(skip);
        let mut inside_group_aggregate = false;
        for scope in self.scopes.iter().take(depth).rev() {
            match scope {
                Scope::Columns(t) => {
                    if let Some(info) = self.p.table(*t) {
                        if let Some(i) = info.column(name) {
                            let ty = info
                                .columns
                                .get(i)
                                .map(|c| c.ty.clone())
                                .unwrap_or(Type::Unknown);
                            return Some(Found::Column(*t, i, ty));
                        }
                    }
                    inside_group_aggregate = true;
                }
                Scope::Locals(v) => {
                    if let Some(l) = v.iter().rev().find(|l| l.name == name) {
                        return Some(Found::Local(l.clone()));
                    }
                }
                Scope::Group { keys, input } => {
                    if let Some(l) = keys.iter().find(|l| l.name == name) {
                        return Some(Found::GroupKey(l.clone()));
                    }
                    if !inside_group_aggregate {
                        if let Some(info) = self.p.table(*input) {
                            if let Some(i) = info.column(name) {
                                return Some(Found::GroupInput(*input, i));
                            }
                        }
                    }
                }
            }
        }
        self.p.names.get(name).cloned().map(Found::Global)
    }

    /// Every name visible here (for "did you mean").
    pub(crate) fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for scope in &self.scopes {
            match scope {
                Scope::Columns(t) | Scope::Group { input: t, .. } => {
                    if let Some(info) = self.p.table(*t) {
                        names.extend(info.columns.iter().map(|c| c.name.clone()));
                    }
                    if let Scope::Group { keys, .. } = scope {
                        names.extend(keys.iter().map(|k| k.name.clone()));
                    }
                }
                Scope::Locals(v) => names.extend(v.iter().map(|l| l.name.clone())),
            }
        }
        names.extend(
            self.p
                .names
                .iter()
                .filter(|(_, g)| !matches!(g, Global::Fn(_)))
                .map(|(n, _)| n.clone()),
        );
        names.sort();
        names.dedup();
        names
    }

    /// Records the type of the expression at `span`.
    pub(crate) fn record(&mut self, span: Span, ty: &Type) {
        self.p.types.insert(span, ty.clone());
    }

    /// Records what the name at `span` resolves to.
    pub(crate) fn resolve(&mut self, span: Span, r: Resolution) {
        self.p.resolutions.insert(span, r);
    }

    /// Shorthand for showing a type in a message.
    pub(crate) fn show(&self, ty: &Type) -> String {
        self.p.show(ty)
    }
}

/// Types one expression against a finished program (REPL, `tally query`).
pub(crate) fn check_one_expr(
    mut program: Program,
    expr: &tally_syntax::ast::Expr,
    locals: &[(String, Type, Span)],
) -> (Program, Type, Vec<Diagnostic>) {
    let modules = std::mem::take(&mut program.modules);
    let tables: Vec<TableId> = (0..program.tables.len())
        .map(|i| TableId(i as u32))
        .collect();
    let mut c = Checker::new(program, modules);
    // Every computed table is already typed: mark them done.
    for t in tables {
        c.table_state.insert(t, State::Done);
    }
    for i in 0..c.p.consts.len() {
        c.const_state.insert(i, State::Done);
    }
    let scope = Scope::Locals(
        locals
            .iter()
            .map(|(name, ty, span)| Local {
                name: name.clone(),
                ty: ty.clone(),
                span: *span,
            })
            .collect(),
    );
    let ty = c.with_scope(scope, |c| c.expr(expr));
    let Checker {
        mut p,
        modules,
        diags,
        ..
    } = c;
    p.modules = std::sync::Arc::try_unwrap(modules).unwrap_or_else(|shared| (*shared).clone());
    (p, ty, diags)
}
