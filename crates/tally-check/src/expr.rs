//! Typing expressions (spec §3): names, operators, literals, navigation.

use crate::checker::{Checker, Found, Scope};
use crate::codes;
use crate::program::{Global, Resolution};
use crate::types::{self, Type};
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_syntax::ast::*;

impl Checker {
    /// Types an expression, recording its type and reporting problems.
    pub(crate) fn expr(&mut self, e: &Expr) -> Type {
        let ty = self.expr_inner(e);
        self.record(e.span, &ty);
        ty
    }

    /// Types `e` and reports a mismatch unless it fits `expected`.
    pub(crate) fn expect_type(&mut self, e: &Expr, expected: &Type, what: &str) -> Type {
        let ty = self.expr(e);
        if !types::assignable(&ty, expected) {
            let mut d = Diagnostic::error(
                codes::TYPE_MISMATCH,
                e.span,
                format!(
                    "{what} must be `{}`, but this is `{}`",
                    self.show(expected),
                    self.show(&ty)
                ),
            )
            .with_label(format!("expected `{}`", self.show(expected)));
            if ty.is_optional() && types::assignable(ty.strip_optional(), expected) {
                d = d.with_help("this value may be none; give a default with `??`");
            } else if let Some(h) = literal_hint(e, expected) {
                d = d.with_help(h);
            }
            self.diags.push(d);
        }
        ty
    }

    /// Types a condition (`when`, `where`, `expect`): must be Bool.
    pub(crate) fn condition(&mut self, e: &Expr, what: &str) {
        let ty = self.expr(e);
        match ty {
            Type::Bool | Type::Unknown => {}
            Type::Optional(ref t) if **t == Type::Bool => self.diags.push(
                Diagnostic::error(
                    codes::OPTIONAL_MISUSE,
                    e.span,
                    format!("{what} may be none"),
                )
                .with_help("write `(x ?? false)` to treat none as false"),
            ),
            _ => {
                let help = if let ExprKind::Binary { op: BinOp::Eq, .. } = &e.kind {
                    None
                } else {
                    Some(
                        "a condition is a comparison such as `stage == \"Closed Won\"`".to_string(),
                    )
                };
                self.diags.push(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        e.span,
                        format!("{what} must be `Bool`, but this is `{}`", self.show(&ty)),
                    )
                    .with_label("expected `Bool`")
                    .with_help_opt(help),
                )
            }
        }
    }

    fn expr_inner(&mut self, e: &Expr) -> Type {
        match &e.kind {
            ExprKind::Int(_) => Type::Int,
            ExprKind::Decimal(_) => Type::Decimal,
            ExprKind::Percent(_) => Type::Percent,
            ExprKind::Money { .. } => Type::Money,
            ExprKind::Date(_) => Type::Date,
            ExprKind::Period(_) => Type::Period,
            ExprKind::Text(_) => Type::Text,
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::None => Type::NoneLit,
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::List(items) => self.list(items),
            ExprKind::Map(entries) => self.map(entries, e.span),
            ExprKind::Record(fields) => {
                let fields = fields
                    .iter()
                    .map(|(n, v)| (n.name.clone(), self.expr(v)))
                    .collect();
                Type::Record(fields)
            }
            ExprKind::Name(id) => self.name(id),
            ExprKind::Field {
                base,
                name,
                optional,
            } => self.field(base, name, *optional),
            ExprKind::Method {
                receiver,
                method,
                args,
                optional,
            } => self.method(receiver, method, args, *optional, e.span),
            ExprKind::Call { func, args } => self.call(func, args, e.span),
            ExprKind::Index { base, index } => self.index(base, index),
            ExprKind::Unary { op, expr } => self.unary(*op, expr, e.span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, e.span),
            ExprKind::Is { expr, .. } => {
                self.expr(expr);
                Type::Bool
            }
            ExprKind::Cast { expr, ty } => self.cast(expr, ty),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.condition(cond, "the `if` condition");
                let a = self.expr(then);
                let b = self.expr(otherwise);
                match types::unify(&a, &b) {
                    Some(t) => t,
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                otherwise.span,
                                format!(
                                    "the branches of `if` have different types: `{}` and `{}`",
                                    self.show(&a),
                                    self.show(&b)
                                ),
                            )
                            .with_secondary(then.span, format!("this is `{}`", self.show(&a)))
                            .with_label(format!("expected `{}`", self.show(&a))),
                        );
                        Type::Unknown
                    }
                }
            }
            ExprKind::Tiered(t) => self.tiered(t, e.span),
        }
    }

    fn list(&mut self, items: &[Expr]) -> Type {
        let mut elem = Type::Unknown;
        let mut first = true;
        for item in items {
            let t = self.expr(item);
            if first {
                elem = t;
                first = false;
                continue;
            }
            match types::unify(&elem, &t) {
                Some(u) => elem = u,
                None => {
                    self.diags.push(Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        item.span,
                        format!(
                            "list elements must all have one type; this is `{}`, the list holds `{}`",
                            self.show(&t),
                            self.show(&elem)
                        ),
                    ));
                }
            }
        }
        Type::List(Box::new(elem))
    }

    fn map(&mut self, entries: &[(Expr, Expr)], _span: Span) -> Type {
        let mut key = Type::Unknown;
        let mut value = Type::Unknown;
        for (i, (k, v)) in entries.iter().enumerate() {
            let kt = self.expr(k);
            let vt = self.expr(v);
            if i == 0 {
                key = kt;
                value = vt;
                continue;
            }
            for (t, acc, what, span) in [
                (kt, &mut key, "keys", k.span),
                (vt, &mut value, "values", v.span),
            ] {
                match types::unify(acc, &t) {
                    Some(u) => *acc = u,
                    None => {
                        let msg = format!(
                            "map {what} must all have one type; this is `{}`, expected `{}`",
                            self.p.show(&t),
                            self.p.show(acc)
                        );
                        self.diags
                            .push(Diagnostic::error(codes::TYPE_MISMATCH, span, msg));
                    }
                }
            }
        }
        Type::Map(Box::new(key), Box::new(value))
    }

    pub(crate) fn name(&mut self, id: &Ident) -> Type {
        match self.lookup_from(&id.name, 0) {
            Some(Found::Local(l)) => {
                self.resolve(id.span, Resolution::Local(l.span));
                if self.later_metrics.contains(&l.span) {
                    let own = self.current_metric == Some(l.span);
                    let d = if own {
                        Diagnostic::error(
                            codes::PLAN,
                            id.span,
                            format!("metric `{}` is used in its own definition", id.name),
                        )
                        .with_help(
                            "a metric cannot depend on itself; compute it from other metrics",
                        )
                    } else {
                        Diagnostic::error(
                            codes::PLAN,
                            id.span,
                            format!("metric `{}` is used before it is computed", id.name),
                        )
                        .with_secondary(l.span, "computed here, later in the plan")
                        .with_help(
                            "metrics are computed in order; move this metric below the one it uses",
                        )
                    };
                    self.diags.push(d);
                    return Type::Unknown;
                }
                l.ty
            }
            Some(Found::GroupInput(t, i)) => {
                self.resolve(id.span, Resolution::Column(t, i));
                self.diags.push(
                    Diagnostic::error(
                        codes::AGGREGATE,
                        id.span,
                        format!("`{}` is not a `group by` key, so it has many values per row of this report", id.name),
                    )
                    .with_help({
                        let numeric = self
                            .p
                            .table(t)
                            .and_then(|info| info.columns.get(i))
                            .is_some_and(|c| c.ty.is_numeric_or_money());
                        if numeric {
                            format!("use an aggregate such as `sum({0})`, or add `{0}` to `group by`", id.name)
                        } else {
                            format!("use an aggregate such as `first({0})` or `max({0})`, or add `{0}` to `group by`", id.name)
                        }
                    }),
                );
                Type::Unknown
            }
            Some(Found::Column(t, i, ty)) => {
                self.resolve(id.span, Resolution::Column(t, i));
                ty
            }
            Some(Found::GroupKey(l)) => {
                self.resolve(id.span, Resolution::Local(l.span));
                l.ty
            }
            Some(Found::Global(g)) => self.global(id, g),
            None => {
                if self.p.broken_names.iter().any(|b| b == &id.name) || self.in_broken_table() {
                    return Type::Unknown;
                }
                self.unknown_name(id);
                Type::Unknown
            }
        }
    }

    /// True when a table in scope could not be computed (a cycle); its
    /// columns are unknown, so names are not reported again.
    fn in_broken_table(&self) -> bool {
        self.scopes.iter().any(|s| match s {
            Scope::Columns(t) | Scope::Group { input: t, .. } => self.broken_tables.contains(t),
            Scope::Locals(_) => false,
        })
    }

    fn unknown_name(&mut self, id: &Ident) {
        let candidates = self.visible_names();
        let suggestion = closest(&id.name, candidates.iter().map(String::as_str));
        let table = self.scopes.iter().rev().find_map(|s| match s {
            Scope::Columns(t) | Scope::Group { input: t, .. } => Some(*t),
            _ => None,
        });
        // A typo of a column of the table in scope reads as a column error.
        if let (Some(t), Some(sugg)) = (table, &suggestion) {
            let is_column = self
                .p
                .table(t)
                .is_some_and(|info| info.column(sugg).is_some());
            if is_column {
                let table_name = self.p.table_name(t);
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_COLUMN,
                        id.span,
                        format!("unknown column `{}` on `{table_name}`", id.name),
                    )
                    .with_label(format!("not a column of `{table_name}`"))
                    .with_help(format!("did you mean `{sugg}`?")),
                );
                return;
            }
        }
        let help = match suggestion {
            Some(c) => Some(format!("did you mean `{c}`?")),
            None if id.name == "credits" => Some(
                "`credits` exists only when the policy has a `credit` block that says who is credited for each deal"
                    .to_string(),
            ),
            None if id.name == "today" => Some("policies never read the clock; use a date from the data or a date literal".to_string()),
            None => None,
        };
        let label = match table {
            Some(t) => format!(
                "not a column of `{}` nor a name in scope",
                self.p.table_name(t)
            ),
            None => "not declared anywhere".to_string(),
        };
        self.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_NAME,
                id.span,
                format!("unknown name `{}`", id.name),
            )
            .with_label(label)
            .with_help_opt(help),
        );
    }

    fn global(&mut self, id: &Ident, g: Global) -> Type {
        match g {
            Global::Table(t) => {
                self.resolve(id.span, Resolution::Table(t));
                self.ensure_table(t, Some(id.span));
                Type::Table(t)
            }
            Global::Territory(t) => {
                self.resolve(id.span, Resolution::Territory(t));
                Type::Territory
            }
            Global::Const(c) => {
                self.resolve(id.span, Resolution::Const(c));
                self.used_consts.insert(c);
                self.const_type(c)
            }
            Global::Fn(f) => {
                self.resolve(id.span, Resolution::Fn(f));
                self.diags.push(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        id.span,
                        format!("`{}` is a function; call it with arguments", id.name),
                    )
                    .with_help(format!("write `{}(...)`", id.name)),
                );
                Type::Unknown
            }
        }
    }

    fn field(&mut self, base: &Expr, name: &Ident, optional: bool) -> Type {
        let bt = self.expr(base);
        if bt.is_unknown() {
            return Type::Unknown;
        }
        if bt.is_optional() && !optional {
            self.optional_misuse(
                base,
                &bt,
                &format!("`.{}`", name.name),
                Some(format!(
                    "write `?.{}` to get none when the value is none",
                    name.name
                )),
            );
            return Type::Unknown;
        }
        let inner = bt.strip_optional().clone();
        let ty = self.field_of(&inner, name);
        if optional {
            ty.optional()
        } else {
            ty
        }
    }

    /// The type of `.name` on a (non-optional) value of type `ty`.
    pub(crate) fn field_of(&mut self, ty: &Type, name: &Ident) -> Type {
        match ty {
            Type::Row(t) => {
                let Some(info) = self.p.table(*t) else {
                    return Type::Unknown;
                };
                if let Some(i) = info.column(&name.name) {
                    let ty = info
                        .columns
                        .get(i)
                        .map(|c| c.ty.clone())
                        .unwrap_or(Type::Unknown);
                    self.resolve(name.span, Resolution::Column(*t, i));
                    return ty;
                }
                let table = info.name.clone();
                let help = closest(&name.name, info.columns.iter().map(|c| c.name.as_str()))
                    .map(|c| format!("did you mean `{c}`?"))
                    .or_else(|| {
                        Some(format!(
                            "the columns of `{table}` are {}",
                            info.columns
                                .iter()
                                .filter(|c| !c.name.ends_with("_rule"))
                                .map(|c| format!("`{}`", c.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    });
                if !self.p.broken_names.iter().any(|b| b == &name.name) {
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_COLUMN,
                            name.span,
                            format!("unknown column `{}` on `{table}`", name.name),
                        )
                        .with_label(format!("not a column of `{table}`"))
                        .with_help_opt(help),
                    );
                }
                Type::Unknown
            }
            Type::Territory => {
                match name.name.as_str() {
                    "name" | "path" => Type::Text,
                    "parent" => Type::Territory.optional(),
                    "level" => Type::Int,
                    _ => {
                        let help = closest(&name.name, ["name", "parent", "path", "level"])
                        .map(|c| format!("did you mean `{c}`?"))
                        .unwrap_or_else(|| "a territory has `name`, `parent`, `path`, `level` and `ancestor(n)`".to_string());
                        self.diags.push(
                            Diagnostic::error(
                                codes::UNKNOWN_COLUMN,
                                name.span,
                                format!("a territory has no field `{}`", name.name),
                            )
                            .with_help(help),
                        );
                        Type::Unknown
                    }
                }
            }
            Type::Table(t) => {
                let table = self.p.table_name(*t);
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_COLUMN,
                        name.span,
                        format!("`{table}` is a whole table; `.{}` needs one row", name.name),
                    )
                    .with_help(format!(
                        "pick a row with `{table}[key]` or `.first({0})`, or aggregate with `.sum({0})`",
                        name.name
                    )),
                );
                Type::Unknown
            }
            other => {
                self.diags.push(Diagnostic::error(
                    codes::UNKNOWN_COLUMN,
                    name.span,
                    format!(
                        "{} value has no field `{}`",
                        crate::types::article(&self.show(other)),
                        name.name
                    ),
                ));
                Type::Unknown
            }
        }
    }

    pub(crate) fn optional_misuse(
        &mut self,
        e: &Expr,
        ty: &Type,
        what: &str,
        help: Option<String>,
    ) {
        let help = help.unwrap_or_else(|| {
            let name = match &e.kind {
                ExprKind::Name(id) => id.name.clone(),
                _ => "x".to_string(),
            };
            match default_for(ty, &self.p.settings.currency) {
                Some(d) => format!("give a default with `??`, e.g. `({name} ?? {d})`, or test it with `is some` first"),
                None => format!("test it with `{name} is some` first, or use `?.` to pass none along"),
            }
        });
        self.diags.push(
            Diagnostic::error(
                codes::OPTIONAL_MISUSE,
                e.span,
                format!("{what} on a value that may be none (`{}`)", self.show(ty)),
            )
            .with_label("may be none")
            .with_help(help),
        );
    }

    fn index(&mut self, base: &Expr, index: &Expr) -> Type {
        let bt = self.expr(base);
        let it = self.expr(index);
        match &bt {
            Type::Unknown => Type::Unknown,
            Type::Map(k, v) => {
                if !types::comparable(&it, k) {
                    self.diags.push(Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        index.span,
                        format!(
                            "this map's keys are `{}`, but the index is `{}`",
                            self.show(k),
                            self.show(&it)
                        ),
                    ));
                }
                (**v).clone().optional()
            }
            Type::Table(t) => {
                let Some(info) = self.p.table(*t) else {
                    return Type::Unknown;
                };
                match info.key.and_then(|k| info.columns.get(k)) {
                    Some(key) => {
                        if !types::comparable(&it, &key.ty) {
                            let msg = format!(
                                "the key of `{}` is `{}`, but the index is `{}`",
                                info.name,
                                self.p.show(&key.ty),
                                self.p.show(&it)
                            );
                            self.diags.push(Diagnostic::error(
                                codes::TYPE_MISMATCH,
                                index.span,
                                msg,
                            ));
                        }
                        Type::Row(*t)
                    }
                    None => {
                        let msg = format!(
                            "`{}` has no `key` column, so rows cannot be looked up by key",
                            info.name
                        );
                        self.diags
                            .push(Diagnostic::error(codes::TABLE, base.span, msg).with_help(
                                "mark a column with `key`, or use `.where(...)` and `.first(...)`",
                            ));
                        Type::Unknown
                    }
                }
            }
            other if other.is_optional() => {
                self.optional_misuse(base, other, "`[...]`", None);
                Type::Unknown
            }
            other => {
                self.diags.push(Diagnostic::error(
                    codes::OPERATOR,
                    base.span,
                    format!(
                        "{} value cannot be indexed with `[...]`; only maps and keyed tables can",
                        crate::types::article(&self.show(other))
                    ),
                ));
                Type::Unknown
            }
        }
    }

    fn unary(&mut self, op: UnOp, e: &Expr, span: Span) -> Type {
        let t = self.expr(e);
        match op {
            UnOp::Not => {
                if !matches!(t, Type::Bool | Type::Unknown) {
                    self.diags.push(Diagnostic::error(
                        codes::OPERATOR,
                        e.span,
                        format!("`not` needs a `Bool`, but this is `{}`", self.show(&t)),
                    ));
                }
                Type::Bool
            }
            UnOp::Neg => {
                if t.is_optional() {
                    self.optional_misuse(e, &t, "`-`", None);
                    return Type::Unknown;
                }
                if !(t.is_numeric_or_money() || t == Type::Unknown) {
                    self.diags.push(Diagnostic::error(
                        codes::OPERATOR,
                        span,
                        format!(
                            "`-` needs a number or money, but this is `{}`",
                            self.show(&t)
                        ),
                    ));
                    return Type::Unknown;
                }
                t
            }
        }
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Type {
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            self.self_comparison(lhs, rhs);
        }
        let a = self.expr(lhs);
        let b = self.expr(rhs);
        match op {
            BinOp::And | BinOp::Or => {
                for (t, e) in [(&a, lhs), (&b, rhs)] {
                    if !matches!(t, Type::Bool | Type::Unknown) {
                        let msg = format!(
                            "`{}` needs `Bool` on both sides, but this is `{}`",
                            op.as_str(),
                            self.show(t)
                        );
                        self.diags
                            .push(Diagnostic::error(codes::OPERATOR, e.span, msg));
                    }
                }
                Type::Bool
            }
            BinOp::Eq | BinOp::Ne => {
                if !types::comparable(&a, &b) {
                    self.mismatch_op(op, &a, &b, span, lhs, rhs);
                }
                Type::Bool
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if b.is_optional() {
                    self.optional_misuse(rhs, &b, &format!("`{}`", op.as_str()), None);
                } else if !types::orderable(a.strip_optional(), &b) {
                    self.mismatch_op(op, &a, &b, span, lhs, rhs);
                }
                Type::Bool
            }
            BinOp::In => {
                match &b {
                    Type::List(elem) => {
                        if !types::comparable(&a, elem) {
                            let msg = format!(
                                "`in` looks for a `{}` in a list of `{}`",
                                self.show(&a),
                                self.show(elem)
                            );
                            self.diags
                                .push(Diagnostic::error(codes::TYPE_MISMATCH, span, msg));
                        }
                    }
                    Type::Period => {
                        if !matches!(a.strip_optional(), Type::Date | Type::Unknown) {
                            let msg = format!(
                                "`in` a period needs a `Date` on the left, but this is `{}`",
                                self.show(&a)
                            );
                            self.diags
                                .push(Diagnostic::error(codes::TYPE_MISMATCH, lhs.span, msg));
                        }
                    }
                    Type::Unknown => {}
                    other => {
                        let msg = format!(
                            "`in` needs a list or a fiscal period on the right, but this is `{}`",
                            self.show(other)
                        );
                        self.diags.push(
                            Diagnostic::error(codes::OPERATOR, rhs.span, msg)
                                .with_help("write a list such as `[\"NY\", \"NJ\"]`"),
                        );
                    }
                }
                Type::Bool
            }
            BinOp::Within => {
                for (t, e, side) in [(&a, lhs, "left"), (&b, rhs, "right")] {
                    let ok = match t {
                        Type::Territory | Type::Unknown => true,
                        Type::Optional(x) => side == "left" && **x == Type::Territory,
                        _ => false,
                    };
                    if !ok {
                        let msg = format!(
                            "`within` needs a `Territory` on the {side}, but this is `{}`",
                            self.show(t)
                        );
                        self.diags
                            .push(Diagnostic::error(codes::TYPE_MISMATCH, e.span, msg));
                    }
                }
                Type::Bool
            }
            BinOp::Default => {
                let inner = a.strip_optional().clone();
                match types::unify(&inner, &b) {
                    Some(t) if matches!(inner, Type::NoneLit) => t,
                    Some(t) => {
                        if b.is_optional() {
                            t.optional()
                        } else {
                            match t {
                                Type::Optional(x) => *x,
                                t => t,
                            }
                        }
                    }
                    None => {
                        let msg = format!(
                            "the default after `??` must match the value: `{}` and `{}`",
                            self.show(&inner),
                            self.show(&b)
                        );
                        let help = default_for(&inner, &self.p.settings.currency)
                            .map(|d| format!("write a default of the same type, e.g. `{d}`"));
                        self.diags.push(
                            Diagnostic::error(codes::TYPE_MISMATCH, rhs.span, msg)
                                .with_label(format!("expected `{}`", self.show(&inner)))
                                .with_help_opt(help),
                        );
                        Type::Unknown
                    }
                }
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                for (t, e) in [(&a, lhs), (&b, rhs)] {
                    if t.is_optional() {
                        self.optional_misuse(e, t, &format!("`{}`", op.as_str()), None);
                        return Type::Unknown;
                    }
                }
                let result = match op {
                    BinOp::Add | BinOp::Sub => types::add_type(&a, &b),
                    BinOp::Mul => types::mul_type(&a, &b),
                    _ => types::div_type(&a, &b),
                };
                match result {
                    Some(t) => t,
                    None => {
                        self.mismatch_op(op, &a, &b, span, lhs, rhs);
                        Type::Unknown
                    }
                }
            }
        }
    }

    fn mismatch_op(&mut self, op: BinOp, a: &Type, b: &Type, span: Span, lhs: &Expr, rhs: &Expr) {
        let (sa, sb) = (self.show(a), self.show(b));
        let help = match (a.strip_optional(), b.strip_optional(), op) {
            (Type::Money, Type::Percent, BinOp::Add | BinOp::Sub)
            | (Type::Percent, Type::Money, BinOp::Add | BinOp::Sub) => Some(
                "to add a percentage of an amount, multiply: `amount + amount * rate`".to_string(),
            ),
            (Type::Money, x, BinOp::Add | BinOp::Sub)
            | (x, Type::Money, BinOp::Add | BinOp::Sub)
                if x.is_number() =>
            {
                Some(
                    "money adds only to money; write the amount with its currency, e.g. `100 USD`"
                        .to_string(),
                )
            }
            (Type::Date, Type::Date, BinOp::Sub) => {
                Some("the days between two dates are `days_between(a, b)`".to_string())
            }
            (Type::Territory, Type::Text, _) | (Type::Text, Type::Territory, _) => Some(
                "territories are names, not text: remove the quotes, e.g. `territory == DACH`"
                    .to_string(),
            ),
            (Type::Money, Type::Money, BinOp::Mul) => {
                Some("multiply money by a number or a percent, not by money".to_string())
            }
            (Type::Row(_), Type::Row(_), _) => {
                Some("these are rows of different tables".to_string())
            }
            (Type::Money, x, _) | (x, Type::Money, _) if x.is_number() && op.is_comparison() => {
                Some("compare money with money, e.g. `quota > 0 USD`".to_string())
            }
            _ => None,
        };
        self.diags.push(
            Diagnostic::error(
                codes::OPERATOR,
                span,
                format!("`{}` cannot combine `{sa}` and `{sb}`", op.as_str()),
            )
            .with_secondary(lhs.span, format!("this is `{sa}`"))
            .with_secondary(rhs.span, format!("this is `{sb}`"))
            .with_help_opt(help),
        );
    }

    /// `role == role` inside a table method compares a column with itself.
    fn self_comparison(&mut self, lhs: &Expr, rhs: &Expr) {
        let (ExprKind::Name(a), ExprKind::Name(b)) = (&lhs.kind, &rhs.kind) else {
            return;
        };
        if a.name != b.name {
            return;
        }
        let Some(Found::Column(t, _, _)) = self.lookup_from(&a.name, 0) else {
            return;
        };
        // Find the scope that provided the column, then what it hides.
        let depth = self
            .scopes
            .iter()
            .rposition(|s| matches!(s, Scope::Columns(x) if *x == t))
            .unwrap_or(0);
        let skip = self.scopes.len() - depth;
        let shadowed = self.lookup_from(&a.name, skip);
        let table = self.p.table_name(t);
        let mut d = Diagnostic::error(
            codes::SELF_COMPARISON,
            lhs.span.to(rhs.span),
            format!("`{0} == {0}` compares the column `{0}` of `{table}` with itself, so it is always true", a.name),
        );
        d = match shadowed {
            Some(found) => {
                let def = match &found {
                    Found::Local(l) | Found::GroupKey(l) => Some(l.span),
                    Found::Global(g) => self.global_span(g),
                    Found::Column(t2, i, _) | Found::GroupInput(t2, i) => self
                        .p
                        .table(*t2)
                        .and_then(|t| t.columns.get(*i))
                        .and_then(|c| c.span),
                };
                let mut d = d
                    .with_label(format!("inside `{table}.where(...)`, `{}` means the column", a.name))
                    .with_help(format!(
                        "the outer `{0}` is hidden by the column `{0}`; rename the outer value (e.g. `wanted_{0}`) and compare `{0} == wanted_{0}`",
                        a.name
                    ));
                if let Some(s) = def {
                    d = d
                        .with_secondary(s, format!("the outer `{}` that the column hides", a.name));
                }
                d
            }
            None => d.with_help("compare the column with another value"),
        };
        self.diags.push(d);
    }

    fn cast(&mut self, e: &Expr, ty: &TypeExpr) -> Type {
        let from = self.expr(e);
        let to = self.type_expr(ty, self.in_stdlib);
        let ok = match (&from, &to) {
            (Type::Unknown, _) | (_, Type::Unknown) => true,
            (f, Type::Percent | Type::Decimal) if f.is_number() => true,
            (f, t) if f == t => true,
            _ => false,
        };
        if !ok {
            self.diags.push(
                Diagnostic::error(
                    codes::CAST,
                    e.span.to(ty.span),
                    format!(
                        "a `{}` cannot be converted to `{}`",
                        self.show(&from),
                        self.show(&to)
                    ),
                )
                .with_help(
                    "`as` converts between numbers: `x as Percent` shows a Decimal as a percentage",
                ),
            );
            return Type::Unknown;
        }
        to
    }

    fn tiered(&mut self, t: &Tiered, span: Span) -> Type {
        let value = self.expr(&t.value);
        if value.is_optional() {
            self.optional_misuse(&t.value, &value, "`tiered`", None);
        }
        let value = value.strip_optional().clone();
        if !(value.is_numeric_or_money() || value == Type::Unknown) {
            self.diags.push(Diagnostic::error(
                codes::TYPE_MISMATCH,
                t.value.span,
                format!(
                    "`tiered` needs a number or money to measure, but this is `{}`",
                    self.show(&value)
                ),
            ));
        }
        let relative = t.base.is_some();
        if let Some(base) = &t.base {
            let bt = self.expr(base);
            if !types::comparable(&bt, &value) && !bt.is_unknown() {
                self.diags.push(Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    base.span,
                    format!(
                        "the base after `of` must be like the value (`{}`), but this is `{}`",
                        self.show(&value),
                        self.show(&bt)
                    ),
                ));
            }
        }
        if t.bands.is_empty() {
            self.diags.push(
                Diagnostic::error(codes::TIERS, span, "`tiered` needs at least one band")
                    .with_help("add bands such as `up to 100% => 8%` and `above => 12%`"),
            );
        }
        for band in &t.bands {
            if let Some(upper) = &band.upper {
                let ut = self.expr(upper);
                let ok = if relative {
                    matches!(ut, Type::Percent)
                } else {
                    types::comparable(&ut, &value) && !ut.is_optional()
                };
                if !ok && !ut.is_unknown() && !value.is_unknown() {
                    let (want, help) = if relative {
                        let help = match &upper.kind {
                            ExprKind::Int(n) | ExprKind::Decimal(n) => Some(format!("write `{}`", percent_literal(n))),
                            _ => Some("bounds after `of BASE` are percentages of the base, e.g. `up to 100%`".to_string()),
                        };
                        ("a percent of the base (`up to 50%`)".to_string(), help)
                    } else {
                        (
                            format!("a `{}` like the measured value", self.show(&value)),
                            None,
                        )
                    };
                    self.diags.push(
                        Diagnostic::error(
                            codes::TIERS,
                            upper.span,
                            format!(
                                "this band's bound must be {want}, but it is `{}`",
                                self.show(&ut)
                            ),
                        )
                        .with_help_opt(help),
                    );
                }
            }
            let rt = self.expr(&band.rate);
            if !matches!(rt, Type::Percent | Type::Unknown) {
                let help = match &band.rate.kind {
                    ExprKind::Int(n) | ExprKind::Decimal(n) => {
                        format!("write `{}`", percent_literal(n))
                    }
                    _ => "a rate is a percentage such as `8%`".to_string(),
                };
                let msg = format!(
                    "a band's rate must be a percent such as `8%`, but this is `{}`",
                    self.show(&rt)
                );
                self.diags
                    .push(Diagnostic::error(codes::TIERS, band.rate.span, msg).with_help(help));
            }
        }
        self.check_band_order(t);
        if value == Type::Unknown {
            Type::Unknown
        } else if value == Type::Int {
            Type::Decimal
        } else {
            value
        }
    }

    fn check_band_order(&mut self, t: &Tiered) {
        let mut prev: Option<(rust_decimal::Decimal, Span)> = None;
        for (i, band) in t.bands.iter().enumerate() {
            match &band.upper {
                None => {
                    if i + 1 != t.bands.len() {
                        self.diags.push(
                            Diagnostic::error(
                                codes::TIERS,
                                band.span,
                                "`above` must be the last band",
                            )
                            .with_help("move `above => ...` after every `up to` band"),
                        );
                    }
                }
                Some(upper) => {
                    let Some(v) = literal_value(upper) else {
                        continue;
                    };
                    if let Some((p, pspan)) = prev {
                        if v <= p {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::TIERS,
                                    upper.span,
                                    "tier bands must increase: this bound is not above the previous one",
                                )
                                .with_secondary(pspan, "the previous bound")
                                .with_help("order the bands from the lowest bound to the highest"),
                            );
                        }
                    }
                    prev = Some((v, upper.span));
                }
            }
        }
    }
}

/// The exact value of a numeric literal (for static band checks).
pub(crate) fn literal_value(e: &Expr) -> Option<rust_decimal::Decimal> {
    match &e.kind {
        ExprKind::Int(n) | ExprKind::Decimal(n) | ExprKind::Percent(n) => Some(n.value),
        ExprKind::Money { amount, .. } => Some(amount.value),
        ExprKind::Paren(x) => literal_value(x),
        ExprKind::Unary {
            op: UnOp::Neg,
            expr,
        } => literal_value(expr).map(|v| -v),
        _ => None,
    }
}

/// A literal default of type `ty` for `??` suggestions.
pub(crate) fn default_for(ty: &Type, currency: &str) -> Option<String> {
    Some(match ty.strip_optional() {
        Type::Money => format!("0 {currency}"),
        Type::Percent => "0%".to_string(),
        Type::Int => "0".to_string(),
        Type::Decimal => "0".to_string(),
        Type::Text => "\"\"".to_string(),
        Type::Bool => "false".to_string(),
        _ => return None,
    })
}

/// A hint for a literal written with the wrong unit (`60` for `60%`).
fn literal_hint(e: &Expr, expected: &Type) -> Option<String> {
    match (&e.kind, expected.strip_optional()) {
        (ExprKind::Int(n) | ExprKind::Decimal(n), Type::Percent) => {
            Some(format!("write `{}` for a percentage", percent_literal(n)))
        }
        (ExprKind::Int(n) | ExprKind::Decimal(n), Type::Money) => Some(format!(
            "write the currency after the amount, e.g. `{} USD`",
            n.text
        )),
        (ExprKind::Text(t), Type::Territory) => Some(format!(
            "territories are names, not text: write `{t}` without quotes"
        )),
        (ExprKind::Text(t), Type::Date) => Some(format!("dates are written without quotes: `{t}`")),
        _ => None,
    }
}

/// `60` → `60%`; `0.5` (a fraction) → `50%`.
pub(crate) fn percent_literal(n: &Number) -> String {
    if n.text.contains('.') && n.value < rust_decimal::Decimal::ONE {
        let pct = (n.value * rust_decimal::Decimal::ONE_HUNDRED).normalize();
        format!("{pct}%")
    } else {
        format!("{}%", n.text)
    }
}
