//! Typing calls: table methods, territory methods, functions (user,
//! standard library, native) and report aggregates.

use crate::builtins::{AGGREGATES, OVERLOADED, TABLE_METHODS};
use crate::checker::{Checker, Scope};
use crate::codes;
use crate::program::{Global, Resolution};
use crate::types::{self, Type};
use std::collections::HashMap;
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_syntax::ast::*;

impl Checker {
    fn arity(&mut self, name: &str, args: &[Arg], want: usize, span: Span) -> bool {
        self.arity_in(name, args, want, span, None)
    }

    /// Checks the number of arguments; on a mismatch the arguments are still
    /// checked (in `table`'s column scope for table methods) and the
    /// signature is shown.
    fn arity_in(
        &mut self,
        name: &str,
        args: &[Arg],
        want: usize,
        span: Span,
        table: Option<crate::types::TableId>,
    ) -> bool {
        if args.len() == want {
            return true;
        }
        let noun = if want == 1 { "argument" } else { "arguments" };
        let signature = TABLE_METHODS
            .iter()
            .find(|m| m.name == name && table.is_some())
            .map(|m| m.signature.to_string())
            .or_else(|| {
                let f = self.p.fn_named(name).and_then(|f| self.p.fns.get(f))?;
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|(n, t)| format!("{n}: {}", self.p.show(t)))
                    .collect();
                Some(format!(
                    "{name}({}) -> {}",
                    params.join(", "),
                    self.p.show(&f.ret)
                ))
            });
        self.diags.push(
            Diagnostic::error(
                codes::ARITY,
                span,
                format!(
                    "`{name}` takes {want} {noun}, but {} {} given",
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            )
            .with_help_opt(signature.map(|s| format!("the signature is `{s}`"))),
        );
        for a in args {
            match table {
                Some(t) => {
                    self.with_scope(Scope::Columns(t), |c| c.expr(&a.value));
                }
                None => {
                    self.expr(&a.value);
                }
            }
        }
        false
    }

    fn no_direction(&mut self, args: &[Arg], method: &str) {
        for a in args {
            if a.dir.is_some() {
                self.diags.push(Diagnostic::error(
                    codes::OPERATOR,
                    a.value.span,
                    format!("`desc`/`asc` only apply to `sort(...)`, not to `{method}(...)`"),
                ));
            }
        }
    }

    /// `receiver.method(args)` / `receiver?.method(args)`.
    pub(crate) fn method(
        &mut self,
        receiver: &Expr,
        method: &Ident,
        args: &[Arg],
        optional: bool,
        span: Span,
    ) -> Type {
        let rt = self.expr(receiver);
        if rt.is_unknown() {
            // The receiver already has an error (or is unknown): its
            // columns are unknown too, so the arguments are not checked.
            return Type::Unknown;
        }
        if rt.is_optional() && !optional {
            self.optional_misuse(
                receiver,
                &rt,
                &format!("`.{}(...)`", method.name),
                Some(format!(
                    "write `?.{}(...)` to get none when the value is none",
                    method.name
                )),
            );
            return Type::Unknown;
        }
        let inner = rt.strip_optional().clone();
        let ty = match inner {
            Type::Table(t) => self.table_method(t, method, args, span),
            Type::Territory if method.name == "ancestor" => {
                self.no_direction(args, "ancestor");
                if self.arity("ancestor", args, 1, span) {
                    if let Some(a) = args.first() {
                        self.expect_type(&a.value, &Type::Int, "the level given to `ancestor`");
                    }
                }
                self.resolve(method.span, Resolution::Builtin("ancestor".into()));
                Type::Territory.optional()
            }
            other => {
                for a in args {
                    self.expr(&a.value);
                }
                let what = self.show(&other);
                let help = match other {
                    Type::Row(_) => Some("methods such as `where` and `sum` work on tables; a row has columns (`row.column`)".to_string()),
                    Type::Territory => Some("a territory has the method `ancestor(level)`".to_string()),
                    _ => self
                        .p
                        .fn_named(&method.name)
                        .map(|_| format!("`{0}` is a function: write `{0}(x, ...)`", method.name)),
                };
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_FUNCTION,
                        method.span,
                        format!(
                            "{} value has no method `{}`",
                            crate::types::article(&what),
                            method.name
                        ),
                    )
                    .with_help_opt(help),
                );
                Type::Unknown
            }
        };
        if optional {
            ty.optional()
        } else {
            ty
        }
    }

    fn table_method(
        &mut self,
        t: crate::types::TableId,
        method: &Ident,
        args: &[Arg],
        span: Span,
    ) -> Type {
        let name = method.name.as_str();
        if name != "sort" {
            self.no_direction(args, name);
        }
        if TABLE_METHODS.iter().any(|m| m.name == name) {
            self.resolve(method.span, Resolution::Builtin(name.to_string()));
        }
        let per_row = |c: &mut Checker, e: &Expr| c.with_scope(Scope::Columns(t), |c| c.expr(e));
        match name {
            "where" | "any" | "all" => {
                if self.arity_in(name, args, 1, span, Some(t)) {
                    if let Some(a) = args.first() {
                        self.with_scope(Scope::Columns(t), |c| {
                            c.condition(&a.value, &format!("the condition of `{name}`"))
                        });
                    }
                }
                if name == "where" {
                    Type::Table(t)
                } else {
                    Type::Bool
                }
            }
            "count" => {
                self.arity_in(name, args, 0, span, Some(t));
                Type::Int
            }
            "sum" | "avg" | "min" | "max" | "first" | "only" => {
                if !self.arity_in(name, args, 1, span, Some(t)) {
                    return Type::Unknown;
                }
                let Some(a) = args.first() else {
                    return Type::Unknown;
                };
                let ty = per_row(self, &a.value);
                self.aggregate_result(name, &ty, &a.value)
            }
            "sort" => {
                if self.arity_in(name, args, 1, span, Some(t)) {
                    if let Some(a) = args.first() {
                        let ty = per_row(self, &a.value);
                        if !types::orderable(ty.strip_optional(), ty.strip_optional())
                            && !matches!(
                                ty.strip_optional(),
                                Type::Territory | Type::Bool | Type::Row(_)
                            )
                        {
                            let msg = format!("rows cannot be sorted by a `{}`", self.show(&ty));
                            self.diags.push(Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                a.value.span,
                                msg,
                            ));
                        }
                    }
                }
                Type::Table(t)
            }
            "at" => {
                let effective = self.p.table(t).and_then(|i| i.effective).is_some();
                if !effective {
                    let table = self.p.table_name(t);
                    self.diags.push(
                        Diagnostic::error(
                            codes::TABLE,
                            method.span,
                            format!("`at` needs an effective-dated table, and `{table}` is not one"),
                        )
                        .with_help(format!("declare it as `table {table} effective(start_date, end_date) {{ ... }}`")),
                    );
                }
                if self.arity_in(name, args, 1, span, Some(t)) {
                    if let Some(a) = args.first() {
                        self.expect_type(&a.value, &Type::Date, "the date given to `at`");
                    }
                }
                Type::Table(t)
            }
            "get" => {
                if self.arity_in(name, args, 1, span, Some(t)) {
                    if let Some(a) = args.first() {
                        self.expr(&a.value);
                    }
                }
                Type::Row(t).optional()
            }
            _ => {
                for a in args {
                    self.with_scope(Scope::Columns(t), |c| c.expr(&a.value));
                }
                let help = closest(name, TABLE_METHODS.iter().map(|m| m.name))
                    .map(|m| format!("did you mean `{m}`?"))
                    .unwrap_or_else(|| {
                        "table methods are where, sum, count, avg, min, max, first, only, any, all, sort, at and get".to_string()
                    });
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_FUNCTION,
                        method.span,
                        format!("tables have no method `{name}`"),
                    )
                    .with_help(help),
                );
                Type::Unknown
            }
        }
    }

    /// The result type of an aggregate (`sum`, `avg`, ...) over values of `ty`.
    pub(crate) fn aggregate_result(&mut self, name: &str, ty: &Type, arg: &Expr) -> Type {
        if ty.is_unknown() {
            return Type::Unknown;
        }
        match name {
            "sum" | "avg" => {
                if ty.is_optional() {
                    self.optional_misuse(
                        arg,
                        ty,
                        &format!("`{name}`"),
                        Some("give a default with `??`, e.g. `sum(x ?? 0)`".to_string()),
                    );
                    return Type::Unknown;
                }
                if !ty.is_numeric_or_money() {
                    let msg = format!(
                        "`{name}` needs numbers or money, but this is `{}`",
                        self.show(ty)
                    );
                    self.diags
                        .push(Diagnostic::error(codes::TYPE_MISMATCH, arg.span, msg));
                    return Type::Unknown;
                }
                if name == "avg" {
                    let t = if *ty == Type::Int {
                        Type::Decimal
                    } else {
                        ty.clone()
                    };
                    t.optional()
                } else {
                    ty.clone()
                }
            }
            "min" | "max" => {
                let inner = ty.strip_optional();
                if !types::orderable(inner, inner) && !matches!(inner, Type::Territory) {
                    let msg = format!(
                        "`{name}` needs values that can be ordered, but this is `{}`",
                        self.show(ty)
                    );
                    self.diags
                        .push(Diagnostic::error(codes::TYPE_MISMATCH, arg.span, msg));
                    return Type::Unknown;
                }
                inner.clone().optional()
            }
            "count_distinct" => Type::Int,
            "only" => ty.clone(),
            _ => ty.clone().optional(),
        }
    }

    /// The input table of the innermost grouped report, if we are in one.
    fn group_input(&self) -> Option<crate::types::TableId> {
        self.scopes.iter().rev().find_map(|s| match s {
            Scope::Group { input, .. } => Some(*input),
            _ => None,
        })
    }

    /// `f(args)`.
    pub(crate) fn call(&mut self, func: &Ident, args: &[Arg], span: Span) -> Type {
        let name = func.name.as_str();
        let scalar_min_max = matches!(name, "min" | "max") && args.len() == 2;
        if AGGREGATES.contains(&name) && !scalar_min_max {
            if let Some(input) = self.group_input() {
                return self.report_aggregate(func, args, input, span);
            }
            if !matches!(name, "min" | "max") {
                for a in args {
                    self.expr(&a.value);
                }
                self.diags.push(
                    Diagnostic::error(
                        codes::AGGREGATE,
                        func.span,
                        format!("`{name}(...)` is an aggregate; it only works in the `columns` of a report with `group by`"),
                    )
                    .with_help(format!(
                        "in a report, add `group by ...` to aggregate; elsewhere call it on a table, e.g. `credits.{name}(...)`"
                    )),
                );
                return Type::Unknown;
            }
        }
        let f = match self.p.names.get(name).cloned() {
            Some(Global::Fn(f)) => f,
            Some(_) => {
                for a in args {
                    self.expr(&a.value);
                }
                self.diags.push(Diagnostic::error(
                    codes::UNKNOWN_FUNCTION,
                    func.span,
                    format!("`{name}` is not a function"),
                ));
                return Type::Unknown;
            }
            None => {
                for a in args {
                    self.expr(&a.value);
                }
                if self.p.broken_names.iter().any(|b| b == name) {
                    return Type::Unknown;
                }
                let fns: Vec<String> = self.p.fns.iter().map(|f| f.name.clone()).collect();
                let help = closest(name, fns.iter().map(String::as_str))
                    .map(|c| format!("did you mean `{c}`?"))
                    .or_else(|| (name == "today").then(|| "policies do not read the clock; pass the date in the data or use a date literal".to_string()));
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_FUNCTION,
                        func.span,
                        format!("unknown function `{name}`"),
                    )
                    .with_label("not a function of this policy or the standard library")
                    .with_help_opt(help),
                );
                return Type::Unknown;
            }
        };
        self.resolve(func.span, Resolution::Fn(f));
        self.used_fns.insert(f);
        if let Some(caller) = self.current_fn {
            self.calls.push((caller, f, func.span));
        }
        self.no_direction(args, name);
        let Some(info) = self.p.fns.get(f).cloned() else {
            return Type::Unknown;
        };
        if info.decl.is_none() && OVERLOADED.contains(&name) {
            return self.overloaded(name, args, span);
        }
        if !self.arity(name, args, info.params.len(), span) {
            return self.substitute(&info.ret, &HashMap::new());
        }
        let mut bound: HashMap<char, Type> = HashMap::new();
        for (a, (pname, pty)) in args.iter().zip(&info.params) {
            let at = self.expr(&a.value);
            if let Some(var) = type_var(pty) {
                let at_inner = if pty.is_optional() {
                    at.strip_optional().clone()
                } else {
                    at.clone()
                };
                let merged = match bound.get(&var) {
                    Some(prev) => types::unify(prev, &at_inner),
                    None => Some(at_inner.clone()),
                };
                match merged {
                    Some(m) if var != 'N' || m.is_numeric_or_money() || m.is_unknown() => {
                        bound.insert(var, m);
                    }
                    _ => {
                        let msg = format!(
                            "argument `{pname}` of `{name}` must be {}, but this is `{}`",
                            if var == 'N' {
                                "a number or money like the other arguments".to_string()
                            } else {
                                "of the same type as the other arguments".to_string()
                            },
                            self.show(&at)
                        );
                        self.diags
                            .push(Diagnostic::error(codes::TYPE_MISMATCH, a.value.span, msg));
                    }
                }
                if at.is_optional() && !pty.is_optional() {
                    self.optional_misuse(&a.value, &at, &format!("`{name}(...)`"), None);
                }
                continue;
            }
            if !types::assignable(&at, pty) {
                let mut d = Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    a.value.span,
                    format!(
                        "argument `{pname}` of `{name}` must be `{}`, but this is `{}`",
                        self.show(pty),
                        self.show(&at)
                    ),
                )
                .with_label(format!("expected `{}`", self.show(pty)));
                if at.is_optional() && types::assignable(at.strip_optional(), pty) {
                    d = d.with_help("this value may be none; give a default with `??`");
                }
                self.diags.push(d);
            }
        }
        self.substitute(&info.ret, &bound)
    }

    fn substitute(&self, ty: &Type, bound: &HashMap<char, Type>) -> Type {
        match ty {
            Type::Var(v) => bound.get(v).cloned().unwrap_or(Type::Unknown),
            Type::Optional(t) => self.substitute(t, bound).optional(),
            Type::List(t) => Type::List(Box::new(self.substitute(t, bound))),
            Type::Map(k, v) => Type::Map(
                Box::new(self.substitute(k, bound)),
                Box::new(self.substitute(v, bound)),
            ),
            t => t.clone(),
        }
    }

    fn overloaded(&mut self, name: &str, args: &[Arg], span: Span) -> Type {
        let types: Vec<Type> = args.iter().map(|a| self.expr(&a.value)).collect();
        let bad = |c: &mut Checker, i: usize, want: &str| {
            if let (Some(a), Some(t)) = (args.get(i), types.get(i)) {
                if t.is_unknown() {
                    return;
                }
                let msg = format!(
                    "argument {} of `{name}` must be {want}, but this is `{}`",
                    i + 1,
                    c.show(t)
                );
                c.diags
                    .push(Diagnostic::error(codes::TYPE_MISMATCH, a.value.span, msg));
            }
        };
        match name {
            "len" => {
                if self.arity_only(name, args.len(), 1, span)
                    && !matches!(
                        types.first(),
                        Some(Type::Text | Type::List(_) | Type::Unknown)
                    )
                {
                    bad(self, 0, "a `Text` or a list");
                }
                Type::Int
            }
            "contains" => {
                if self.arity_only(name, args.len(), 2, span) {
                    match (types.first(), types.get(1)) {
                        (Some(Type::Text), Some(b)) => {
                            if !matches!(b, Type::Text | Type::Unknown) {
                                bad(self, 1, "a `Text`");
                            }
                        }
                        (Some(Type::List(e)), Some(b)) => {
                            if !types::comparable(e, b) {
                                bad(
                                    self,
                                    1,
                                    &format!("a `{}` like the list's elements", self.show(e)),
                                );
                            }
                        }
                        (Some(Type::Unknown), _) => {}
                        _ => bad(self, 0, "a `Text` or a list"),
                    }
                }
                Type::Bool
            }
            "concat" => {
                if args.is_empty() {
                    self.arity_only(name, 0, 1, span);
                }
                for (i, t) in types.iter().enumerate() {
                    if !matches!(t, Type::Text | Type::Unknown) {
                        bad(self, i, "a `Text`");
                    }
                }
                Type::Text
            }
            _ => {
                // min(a, b) / max(a, b)
                if !self.arity_only(name, args.len(), 2, span) {
                    return Type::Unknown;
                }
                let (Some(a), Some(b)) = (types.first(), types.get(1)) else {
                    return Type::Unknown;
                };
                for (i, t) in [a, b].into_iter().enumerate() {
                    if t.is_optional() {
                        if let Some(arg) = args.get(i) {
                            self.optional_misuse(&arg.value, t, &format!("`{name}(...)`"), None);
                        }
                        return Type::Unknown;
                    }
                }
                if !types::orderable(a, b) {
                    bad(
                        self,
                        1,
                        &format!("like the first argument (`{}`)", self.show(a)),
                    );
                    return Type::Unknown;
                }
                types::unify(a, b).unwrap_or(Type::Unknown)
            }
        }
    }

    fn arity_only(&mut self, name: &str, got: usize, want: usize, span: Span) -> bool {
        if got == want {
            return true;
        }
        self.diags.push(Diagnostic::error(
            codes::ARITY,
            span,
            format!(
                "`{name}` takes {want} argument{}, but {got} were given",
                if want == 1 { "" } else { "s" }
            ),
        ));
        false
    }

    /// An aggregate in the `columns` of a grouped report: the argument is
    /// evaluated per input row.
    fn report_aggregate(
        &mut self,
        func: &Ident,
        args: &[Arg],
        input: crate::types::TableId,
        span: Span,
    ) -> Type {
        let name = func.name.as_str();
        self.resolve(func.span, Resolution::Builtin(name.to_string()));
        self.no_direction(args, name);
        if name == "count" {
            self.arity(name, args, 0, span);
            return Type::Int;
        }
        if !self.arity(name, args, 1, span) {
            return Type::Unknown;
        }
        let Some(a) = args.first() else {
            return Type::Unknown;
        };
        let ty = self.with_scope(Scope::Columns(input), |c| c.expr(&a.value));
        self.aggregate_result(name, &ty, &a.value)
    }
}

fn type_var(t: &Type) -> Option<char> {
    match t.strip_optional() {
        Type::Var(c) => Some(*c),
        _ => None,
    }
}
