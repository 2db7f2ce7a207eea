//! Pass 1: collect every declaration's name and shape (settings, tables,
//! territories, consts, function signatures, plans, reports) so names
//! resolve over the whole program regardless of order.

use crate::checker::Checker;
use crate::codes;
use crate::program::*;
use crate::types::{TableId, Type};
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_syntax::ast::*;

/// The month names `fiscal_year_start` accepts (and messages use), in
/// calendar order.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The names of the built-in types that take no parameters.
pub const SCALAR_TYPE_NAMES: [&str; 9] = [
    "Text",
    "Int",
    "Decimal",
    "Percent",
    "Money",
    "Date",
    "Bool",
    "Period",
    "Territory",
];

/// The names of every built-in type: the scalar ones, then `List` and
/// `Map` (written with parameters, `List<T>`, `Map<K, V>`).
pub const TYPE_NAMES: [&str; 11] = {
    let mut all = [""; 11];
    let mut i = 0;
    while i < SCALAR_TYPE_NAMES.len() {
        all[i] = SCALAR_TYPE_NAMES[i];
        i += 1;
    }
    all[9] = "List";
    all[10] = "Map";
    all
};

impl Checker {
    /// Registers a global name, reporting duplicates.
    pub(crate) fn declare(&mut self, name: &Ident, global: Global, is_stdlib: bool) {
        if name.name.is_empty() {
            return;
        }
        if let Some(prev) = self.p.names.get(&name.name).cloned() {
            let prev_span = self.global_span(&prev);
            let prev_is_stdlib = prev_span.is_some_and(|s| self.p.is_stdlib(s.file))
                || matches!(prev, Global::Fn(f) if self.p.fns.get(f).is_some_and(|f| f.decl.is_none()));
            if prev_is_stdlib && !is_stdlib {
                let mut d = Diagnostic::warning(
                    codes::W_SHADOWS_STDLIB,
                    name.span,
                    format!(
                        "`{}` shadows the standard library item of the same name",
                        name.name
                    ),
                )
                .with_label("declared here")
                .with_help("rename it, or the standard library item cannot be used in this policy");
                if let Some(s) = prev_span {
                    d = d.with_secondary(s, "the standard library item");
                }
                self.diags.push(d);
                self.p.names.insert(name.name.clone(), global);
                return;
            }
            let mut d = Diagnostic::error(
                codes::DUPLICATE,
                name.span,
                format!("`{}` is declared more than once", name.name),
            )
            .with_label("second declaration")
            .with_help("names of tables, territories, consts, functions, plans and reports share one namespace; rename one of them");
            if let Some(s) = prev_span {
                d = d.with_secondary(s, "first declared here");
            }
            self.diags.push(d);
            return;
        }
        self.p.names.insert(name.name.clone(), global);
    }

    pub(crate) fn global_span(&self, g: &Global) -> Option<Span> {
        match g {
            Global::Table(t) => self.p.table(*t).and_then(|t| t.span),
            Global::Territory(t) => self.p.territories.get(*t).map(|t| t.span),
            Global::Const(c) => {
                let r = self.p.consts.get(*c)?.decl;
                self.decl_name_span(r)
            }
            Global::Fn(f) => {
                let r = self.p.fns.get(*f)?.decl?;
                self.decl_name_span(r)
            }
        }
    }

    fn decl_name_span(&self, r: DeclRef) -> Option<Span> {
        let d = self.modules.get(r.module)?.decls.get(r.decl)?;
        Some(match &d.kind {
            DeclKind::Const(c) => c.name.span,
            DeclKind::Fn(f) => f.name.span,
            _ => d.span,
        })
    }

    /// Pass 1 over every module.
    pub(crate) fn collect(&mut self) {
        for f in crate::builtins::natives() {
            let idx = self.p.fns.len();
            self.p.names.insert(f.name.clone(), Global::Fn(idx));
            self.p.fns.push(f);
        }
        let modules = std::sync::Arc::clone(&self.modules);
        let mut settings_seen: Option<Span> = None;
        let mut title_seen: Option<Span> = None;
        for (mi, module) in modules.iter().enumerate() {
            let is_stdlib = self.p.is_stdlib(module.file);
            for (di, decl) in module.decls.iter().enumerate() {
                let r = DeclRef {
                    module: mi,
                    decl: di,
                };
                match &decl.kind {
                    DeclKind::Policy(title) => {
                        if let Some(prev) = title_seen {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::DUPLICATE,
                                    decl.span,
                                    "a program has at most one `policy` title",
                                )
                                .with_secondary(prev, "the first title"),
                            );
                        } else {
                            title_seen = Some(decl.span);
                            if module.file == self.p.root {
                                self.p.title = Some(title.value.clone());
                            }
                        }
                    }
                    DeclKind::Settings(items) => {
                        if let Some(prev) = settings_seen {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::DUPLICATE,
                                    decl.span,
                                    "`settings` is declared more than once",
                                )
                                .with_secondary(prev, "the first `settings`")
                                .with_help("put every setting in one `settings` block"),
                            );
                        } else {
                            settings_seen = Some(decl.span);
                            self.settings(items);
                        }
                    }
                    DeclKind::Table(t) => self.collect_table(t, r, decl.doc.clone()),
                    DeclKind::Territories(nodes) => {
                        for n in nodes {
                            self.collect_territory(n, None, "");
                        }
                    }
                    DeclKind::Const(c) => {
                        let idx = self.p.consts.len();
                        self.p.consts.push(ConstInfo {
                            name: c.name.name.clone(),
                            decl: r,
                            ty: Type::Unknown,
                        });
                        self.declare(&c.name, Global::Const(idx), is_stdlib);
                    }
                    DeclKind::Fn(f) => self.collect_fn(f, r, decl.doc.clone(), is_stdlib),
                    DeclKind::Plan(plan) => {
                        let id = self.add_table(&plan.name, TableKind::Plan(r), decl.doc.clone());
                        self.p.plans.push((r, id));
                        self.declare(&plan.name, Global::Table(id), is_stdlib);
                    }
                    DeclKind::Report(rep) => {
                        let id = self.add_table(&rep.name, TableKind::Report(r), decl.doc.clone());
                        self.p.reports.push((r, id));
                        self.declare(&rep.name, Global::Table(id), is_stdlib);
                    }
                    DeclKind::Test(_) => self.p.tests.push(r),
                    DeclKind::Golden(_) => self.p.goldens.push(r),
                    DeclKind::Error(text) => self.collect_broken(text),
                    DeclKind::Import(_) | DeclKind::Assign(_) | DeclKind::Credit(_) => {}
                }
            }
        }
        // The built-in `credits` table exists when any credit block does.
        let has_credit = self.modules.iter().any(|m| {
            m.decls
                .iter()
                .any(|d| matches!(d.kind, DeclKind::Credit(_)))
        });
        if has_credit {
            let id = TableId(self.p.tables.len() as u32);
            self.p.tables.push(TableInfo {
                name: "credits".to_string(),
                kind: TableKind::Credits,
                columns: Vec::new(),
                key: None,
                effective: None,
                span: None,
                doc: Some(
                    "Every credit: one row per payee, role and rule (spec §2.6).".to_string(),
                ),
            });
            self.p
                .names
                .insert("credits".to_string(), Global::Table(id));
        }
        self.resolve_column_types();
    }

    /// A declaration that did not parse still declares its name, so its
    /// uses are not reported as unknown.
    fn collect_broken(&mut self, text: &str) {
        let mut words = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty());
        let Some(kw) = words.next() else { return };
        if matches!(kw, "table" | "const" | "fn" | "plan" | "report") {
            if let Some(name) = words.next() {
                self.p.broken_names.push(name.to_string());
            }
        }
        if kw == "assign" {
            // `assign table.field`: the field is broken, not unknown.
            if let Some(field) = words.nth(1) {
                self.p.broken_names.push(field.to_string());
            }
        }
        if kw == "credit" {
            self.p.broken_names.push("credits".to_string());
        }
        if kw == "territories" {
            self.p.broken_names.extend(words.map(str::to_string));
        }
    }

    fn settings(&mut self, items: &[Setting]) {
        let mut seen: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        for s in items {
            if let Some(prev) = seen.insert(s.name.name.as_str(), s.name.span) {
                self.diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE,
                        s.name.span,
                        format!("setting `{}` is written twice", s.name.name),
                    )
                    .with_secondary(prev, "the first value"),
                );
                continue;
            }
            let text = match &s.value.kind {
                ExprKind::Name(id) => Some(id.name.clone()),
                ExprKind::Text(t) => Some(t.clone()),
                _ => None,
            };
            match s.name.name.as_str() {
                "currency" => match text {
                    Some(c) if c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()) => {
                        self.p.settings.currency = c
                    }
                    _ => self.diags.push(
                        Diagnostic::error(
                            codes::SETTING,
                            s.value.span,
                            "`currency` must be a three-letter ISO-4217 code",
                        )
                        .with_help("for example `currency = USD`"),
                    ),
                },
                "fiscal_year_start" => {
                    let month = text
                        .as_deref()
                        .and_then(|m| MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m)));
                    match month {
                        Some(m) => self.p.settings.fiscal_year_start = m as u32 + 1,
                        None => {
                            let given = text.unwrap_or_else(|| {
                                let span = s.value.span;
                                format!("{}..{}", span.start, span.end)
                            });
                            let given = if given.contains("..") {
                                "this".to_string()
                            } else {
                                given
                            };
                            let help = closest(&given, MONTHS)
                                .map(|m| format!("did you mean `{m}`?"))
                                .unwrap_or_else(|| {
                                    "write a month name, e.g. `fiscal_year_start = February`"
                                        .to_string()
                                });
                            self.diags.push(
                                Diagnostic::error(
                                    codes::SETTING,
                                    s.value.span,
                                    if given == "this" {
                                        "`fiscal_year_start` must be a month name".to_string()
                                    } else {
                                        format!("`{given}` is not a month name")
                                    },
                                )
                                .with_help(help),
                            )
                        }
                    }
                }
                "rounding" => match text.as_deref() {
                    Some("half_even") => self.p.settings.rounding = Rounding::HalfEven,
                    Some("half_up") => self.p.settings.rounding = Rounding::HalfUp,
                    other => self.diags.push(
                        Diagnostic::error(
                            codes::SETTING,
                            s.value.span,
                            format!("`{}` is not a rounding mode", other.unwrap_or("this")),
                        )
                        .with_help(
                            "write `rounding = half_even` (the default) or `rounding = half_up`",
                        ),
                    ),
                },
                other => {
                    let names = ["currency", "fiscal_year_start", "rounding"];
                    let help = closest(other, names)
                        .map(|m| format!("did you mean `{m}`?"))
                        .unwrap_or_else(|| {
                            "the settings are `currency`, `fiscal_year_start` and `rounding`"
                                .to_string()
                        });
                    self.diags.push(
                        Diagnostic::error(
                            codes::SETTING,
                            s.name.span,
                            format!("unknown setting `{other}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }

    pub(crate) fn add_table(
        &mut self,
        name: &Ident,
        kind: TableKind,
        doc: Option<String>,
    ) -> TableId {
        let id = TableId(self.p.tables.len() as u32);
        self.p.tables.push(TableInfo {
            name: name.name.clone(),
            kind,
            columns: Vec::new(),
            key: None,
            effective: None,
            span: Some(name.span),
            doc,
        });
        id
    }

    fn collect_table(&mut self, t: &Table, r: DeclRef, doc: Option<String>) {
        let is_stdlib = self
            .modules
            .get(r.module)
            .is_some_and(|m| self.p.is_stdlib(m.file));
        let id = self.add_table(&t.name, TableKind::Declared(r), doc);
        self.declare(&t.name, Global::Table(id), is_stdlib);
        let mut key: Option<(usize, Span)> = None;
        let mut columns: Vec<ColumnInfo> = Vec::new();
        for c in &t.columns {
            if let Some(prev) = columns.iter().find(|x| x.name == c.name.name) {
                let mut d = Diagnostic::error(
                    codes::DUPLICATE,
                    c.name.span,
                    format!(
                        "column `{}` is declared twice in table `{}`",
                        c.name.name, t.name.name
                    ),
                );
                if let Some(s) = prev.span {
                    d = d.with_secondary(s, "first declared here");
                }
                self.diags.push(d);
                continue;
            }
            if let Some(kspan) = c.key {
                if let Some((_, prev)) = key {
                    self.diags.push(
                        Diagnostic::error(
                            codes::TABLE,
                            kspan,
                            format!("table `{}` has more than one `key` column", t.name.name),
                        )
                        .with_secondary(prev, "the first key")
                        .with_help("a table has at most one key column"),
                    );
                } else {
                    key = Some((columns.len(), kspan));
                }
            }
            columns.push(ColumnInfo {
                name: c.name.name.clone(),
                ty: Type::Unknown,
                span: Some(c.name.span),
                origin: ColumnOrigin::Loaded {
                    header: c
                        .from
                        .as_ref()
                        .map(|f| f.value.trim().to_string())
                        .unwrap_or_else(|| c.name.name.clone()),
                    format: c.format.as_ref().map(|f| f.value.clone()),
                },
            });
        }
        let mut effective = None;
        if let Some((start, end)) = &t.effective {
            let s = columns.iter().position(|c| c.name == start.name);
            let e = columns.iter().position(|c| c.name == end.name);
            for (name, found) in [(start, s), (end, e)] {
                if found.is_none() {
                    let help = closest(&name.name, columns.iter().map(|c| c.name.as_str()))
                        .map(|m| format!("did you mean `{m}`?"));
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_COLUMN,
                            name.span,
                            format!(
                                "`effective` names `{}`, which is not a column of `{}`",
                                name.name, t.name.name
                            ),
                        )
                        .with_help_opt(help),
                    );
                }
            }
            if let (Some(s), Some(e)) = (s, e) {
                effective = Some((s, e));
            }
        }
        if let Some(info) = self.p.tables.get_mut(id.0 as usize) {
            info.columns = columns;
            info.key = key.map(|(k, _)| k);
            info.effective = effective;
        }
    }

    fn collect_territory(&mut self, node: &TerritoryNode, parent: Option<usize>, prefix: &str) {
        let idx = self.p.territories.len();
        let path = if prefix.is_empty() {
            node.name.name.clone()
        } else {
            format!("{prefix}/{}", node.name.name)
        };
        let level = parent
            .and_then(|p| self.p.territories.get(p))
            .map(|p| p.level + 1)
            .unwrap_or(0);
        self.p.territories.push(TerritoryInfo {
            name: node.name.name.clone(),
            parent,
            children: Vec::new(),
            level,
            path: path.clone(),
            span: node.name.span,
        });
        if let Some(p) = parent.and_then(|p| self.p.territories.get_mut(p)) {
            p.children.push(idx);
        }
        self.declare(&node.name, Global::Territory(idx), false);
        for c in &node.children {
            self.collect_territory(c, Some(idx), &path);
        }
    }

    fn collect_fn(&mut self, f: &FnDecl, r: DeclRef, doc: Option<String>, is_stdlib: bool) {
        let params = f
            .params
            .iter()
            .map(|p| (p.name.name.clone(), self.type_expr(&p.ty, is_stdlib)))
            .collect();
        let ret = self.type_expr(&f.ret, is_stdlib);
        let idx = self.p.fns.len();
        self.p.fns.push(FnInfo {
            name: f.name.name.clone(),
            params,
            ret,
            decl: Some(r),
            stdlib: is_stdlib,
            doc,
        });
        self.declare(&f.name, Global::Fn(idx), is_stdlib);
    }

    /// Column types are resolved once every table name is known.
    fn resolve_column_types(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        for (mi, module) in modules.iter().enumerate() {
            for (di, decl) in module.decls.iter().enumerate() {
                let DeclKind::Table(t) = &decl.kind else {
                    continue;
                };
                let Some(id) = self.table_of_decl(DeclRef {
                    module: mi,
                    decl: di,
                }) else {
                    continue;
                };
                for c in &t.columns {
                    let ty = self.type_expr(&c.ty, false);
                    if matches!(ty.strip_optional(), Type::List(_) | Type::Map(..)) {
                        self.diags.push(Diagnostic::error(
                            codes::TABLE,
                            c.ty.span,
                            "a column holds one value per row; lists and maps are not column types",
                        ));
                    }
                    if let Type::Row(target) = ty.strip_optional() {
                        if let Some(t) = self.p.table(*target).filter(|t| t.key.is_none()) {
                            let name = t.name.clone();
                            self.diags.push(
                                Diagnostic::error(
                                    codes::TABLE,
                                    c.ty.span,
                                    format!("`{name}` has no `key` column, so a column cannot refer to its rows"),
                                )
                                .with_help(format!("mark the column of `{name}` that identifies a row with `key`")),
                            );
                        }
                    }
                    if let Some(fmt) = &c.format {
                        use chrono::format::{Item, StrftimeItems};
                        if StrftimeItems::new(&fmt.value).any(|i| matches!(i, Item::Error)) {
                            self.diags.push(
                                Diagnostic::error(codes::TABLE, fmt.span, format!("`{}` is not a valid date format", fmt.value))
                                    .with_help("use strftime codes, e.g. `%m/%d/%Y` for 04/10/2025 or `%d.%m.%Y` for 10.04.2025"),
                            );
                        }
                    }
                    if c.format.is_some() && !matches!(ty.strip_optional(), Type::Date) {
                        self.diags.push(
                            Diagnostic::error(
                                codes::TABLE,
                                c.span,
                                format!(
                                    "`format` applies only to Date columns, and `{}` is not one",
                                    c.name.name
                                ),
                            )
                            .with_help(
                                "remove the `format`, or change the column's type to `Date`",
                            ),
                        );
                    }
                    let Some(info) = self.p.tables.get_mut(id.0 as usize) else {
                        continue;
                    };
                    if let Some(col) = info
                        .columns
                        .iter_mut()
                        .find(|x| x.span == Some(c.name.span))
                    {
                        col.ty = ty;
                    }
                }
                let Some(info) = self.p.tables.get(id.0 as usize).cloned() else {
                    continue;
                };
                if let Some((s, e)) = info.effective {
                    for (ci, optional_ok) in [(s, false), (e, true)] {
                        let Some(col) = info.columns.get(ci) else {
                            continue;
                        };
                        let ok = match &col.ty {
                            Type::Date => true,
                            Type::Optional(t) => optional_ok && **t == Type::Date,
                            Type::Unknown => true,
                            _ => false,
                        };
                        if !ok {
                            let want = if optional_ok {
                                "`Date` or `Date?`"
                            } else {
                                "`Date`"
                            };
                            let at = t
                                .effective
                                .as_ref()
                                .map(|(s, e)| if optional_ok { e.span } else { s.span })
                                .or(col.span)
                                .unwrap_or_default();
                            self.diags.push(Diagnostic::error(
                                codes::TABLE,
                                at,
                                format!("the effective-date column `{}` must have type {want}, not `{}`", col.name, self.p.show(&col.ty)),
                            ));
                        }
                    }
                }
                if let Some(k) = info.key.and_then(|k| info.columns.get(k)) {
                    if k.ty.is_optional() {
                        self.diags.push(Diagnostic::error(
                            codes::TABLE,
                            k.span.unwrap_or_default(),
                            format!("the key column `{}` cannot be optional", k.name),
                        ));
                    }
                }
            }
        }
    }

    pub(crate) fn table_of_decl(&self, r: DeclRef) -> Option<TableId> {
        self.p
            .tables
            .iter()
            .position(|t| matches!(t.kind, TableKind::Declared(d) | TableKind::Plan(d) | TableKind::Report(d) if d == r))
            .map(|i| TableId(i as u32))
    }

    /// Resolves a written type. Type variables `N`, `T` only in the stdlib.
    pub(crate) fn type_expr(&mut self, t: &TypeExpr, allow_vars: bool) -> Type {
        let base = match t.name.name.as_str() {
            "Text" => Type::Text,
            "Int" => Type::Int,
            "Decimal" => Type::Decimal,
            "Percent" => Type::Percent,
            "Money" => Type::Money,
            "Date" => Type::Date,
            "Bool" => Type::Bool,
            "Period" => Type::Period,
            "Territory" => Type::Territory,
            "N" | "T" if allow_vars => Type::Var(t.name.name.chars().next().unwrap_or('T')),
            "List" | "Map" => {
                let want = if t.name.name == "List" { 1 } else { 2 };
                if t.args.len() != want {
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_TYPE,
                            t.span,
                            format!(
                                "`{}` takes {want} type argument{}",
                                t.name.name,
                                if want == 1 { "" } else { "s" }
                            ),
                        )
                        .with_help(if want == 1 {
                            "write `List<Text>`"
                        } else {
                            "write `Map<Text, Percent>`"
                        }),
                    );
                    Type::Unknown
                } else {
                    let args: Vec<Type> = t
                        .args
                        .iter()
                        .map(|a| self.type_expr(a, allow_vars))
                        .collect();
                    let mut it = args.into_iter();
                    let a = it.next().unwrap_or(Type::Unknown);
                    match it.next() {
                        Some(b) => Type::Map(Box::new(a), Box::new(b)),
                        None => Type::List(Box::new(a)),
                    }
                }
            }
            name => match self.p.table_named(name) {
                Some(id)
                    if matches!(
                        self.p.table(id).map(|t| &t.kind),
                        Some(TableKind::Declared(_))
                    ) =>
                {
                    self.p
                        .resolutions
                        .insert(t.name.span, Resolution::Table(id));
                    Type::Row(id)
                }
                _ if self.p.broken_names.iter().any(|b| b == name) => Type::Unknown,
                _ => {
                    let mut candidates: Vec<String> =
                        SCALAR_TYPE_NAMES.iter().map(|s| s.to_string()).collect();
                    candidates.extend(
                        self.p
                            .tables
                            .iter()
                            .filter(|t| matches!(t.kind, TableKind::Declared(_)))
                            .map(|t| t.name.clone()),
                    );
                    let help = closest(name, candidates.iter().map(String::as_str))
                        .map(|m| format!("did you mean `{m}`?"))
                        .unwrap_or_else(|| "types are Text, Int, Decimal, Percent, Money, Date, Bool, Period, Territory, or a table name for a reference".to_string());
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_TYPE,
                            t.name.span,
                            format!("unknown type `{name}`"),
                        )
                        .with_label("not a type or a table")
                        .with_help(help),
                    );
                    Type::Unknown
                }
            },
        };
        if t.optional {
            base.optional()
        } else {
            base
        }
    }
}

#[cfg(test)]
mod type_name_tests {
    #[test]
    fn every_type_name_starts_with_the_scalar_ones() {
        assert_eq!(super::TYPE_NAMES[..9], super::SCALAR_TYPE_NAMES);
        assert_eq!(super::TYPE_NAMES[9..], ["List", "Map"]);
    }
}
