//! Declarations: pairs → AST.

use super::{significant, Builder};
use crate::ast::*;
use crate::literal::unescape;
use crate::Rule;
use pest::iterators::Pair;

impl Builder {
    pub(crate) fn decl(&mut self, pair: Pair<'_, Rule>) -> Decl {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::policy_decl => DeclKind::Policy(self.first_string(pair)),
            Rule::import_decl => DeclKind::Import(self.first_string(pair)),
            Rule::settings_decl => {
                DeclKind::Settings(significant(pair).map(|p| self.setting(p)).collect())
            }
            Rule::table_decl => DeclKind::Table(self.table(pair)),
            Rule::territories_decl => {
                DeclKind::Territories(significant(pair).map(|p| self.territory(p)).collect())
            }
            Rule::const_decl => DeclKind::Const(self.const_decl(pair)),
            Rule::fn_decl => DeclKind::Fn(self.fn_decl(pair)),
            Rule::assign_decl => DeclKind::Assign(self.assign(pair)),
            Rule::credit_decl => DeclKind::Credit(self.credit(pair)),
            Rule::plan_decl => DeclKind::Plan(self.plan(pair)),
            Rule::report_decl => DeclKind::Report(self.report(pair)),
            Rule::test_decl => DeclKind::Test(self.test(pair)),
            Rule::golden_decl => DeclKind::Golden(self.golden(pair)),
            _ => DeclKind::Error(pair.as_str().to_string()),
        };
        Decl {
            kind,
            span,
            doc: None,
        }
    }

    pub(crate) fn string(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let body = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let value = match unescape(body) {
            Ok(v) => v,
            Err(bad) => {
                self.error(
                    "E0004",
                    span,
                    format!("unknown escape `{bad}` in text; use `\\\"`, `\\\\`, `\\n` or `\\t`"),
                );
                String::new()
            }
        };
        StrLit { value, span }
    }

    fn first_string(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        match significant(pair).find(|p| p.as_rule() == Rule::string) {
            Some(p) => self.string(p),
            None => StrLit {
                value: String::new(),
                span,
            },
        }
    }

    pub(crate) fn setting(&mut self, pair: Pair<'_, Rule>) -> Setting {
        let span = self.span(&pair);
        let mut it = significant(pair);
        let name = self.ident_of(it.next(), span);
        let value = self.expr_of(it.next(), span);
        Setting { name, value, span }
    }

    pub(crate) fn ident_of(
        &mut self,
        pair: Option<Pair<'_, Rule>>,
        at: tally_diagnostics::Span,
    ) -> Ident {
        match pair {
            Some(p) => self.ident(p),
            None => Ident {
                name: String::new(),
                span: at,
            },
        }
    }

    pub(crate) fn expr_of(
        &mut self,
        pair: Option<Pair<'_, Rule>>,
        at: tally_diagnostics::Span,
    ) -> Expr {
        match pair {
            Some(p) => self.expr(p),
            None => Expr {
                kind: ExprKind::None,
                span: at,
            },
        }
    }

    pub(crate) fn type_expr(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut name = None;
        let mut args = Vec::new();
        let mut optional = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::type_args => args = p.into_inner().map(|a| self.type_expr(a)).collect(),
                Rule::optional_mark => optional = true,
                _ => {}
            }
        }
        TypeExpr {
            name: self.ident_of(None, span).clone_or(name),
            args,
            optional,
            span,
        }
    }

    fn table(&mut self, pair: Pair<'_, Rule>) -> Table {
        let span = self.span(&pair);
        let mut name = None;
        let mut effective = None;
        let mut columns = Vec::new();
        for p in significant(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::effective => {
                    let mut ids = significant(p).map(|i| self.ident(i));
                    if let (Some(a), Some(b)) = (ids.next(), ids.next()) {
                        effective = Some((a, b));
                    }
                }
                Rule::column => columns.push(self.column(p)),
                _ => {}
            }
        }
        Table {
            name: self.ident_of(None, span).clone_or(name),
            effective,
            columns,
        }
    }

    fn column(&mut self, pair: Pair<'_, Rule>) -> Column {
        let span = self.span(&pair);
        let mut it = significant(pair);
        let name = self.ident_of(it.next(), span);
        let ty = match it.next() {
            Some(p) => self.type_expr(p),
            None => TypeExpr {
                name: name.clone(),
                args: Vec::new(),
                optional: false,
                span,
            },
        };
        let mut column = Column {
            name,
            ty,
            key: None,
            from: None,
            format: None,
            span,
        };
        for p in it {
            let pspan = self.span(&p);
            match p.as_rule() {
                Rule::key_mark => {
                    if column.key.is_some() {
                        self.error("E0005", pspan, "`key` is written twice".to_string());
                    }
                    column.key = Some(pspan);
                }
                Rule::from_clause => {
                    let s = self.first_string(p);
                    if column.from.is_some() {
                        self.error("E0005", pspan, "`from` is written twice".to_string());
                    }
                    column.from = Some(s);
                }
                Rule::format_clause => {
                    let s = self.first_string(p);
                    if column.format.is_some() {
                        self.error("E0005", pspan, "`format` is written twice".to_string());
                    }
                    column.format = Some(s);
                }
                _ => {}
            }
        }
        column
    }

    fn territory(&mut self, pair: Pair<'_, Rule>) -> TerritoryNode {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let name = self.ident_of(it.next(), span);
        let children = it.map(|p| self.territory(p)).collect();
        TerritoryNode {
            name,
            children,
            span,
        }
    }

    fn const_decl(&mut self, pair: Pair<'_, Rule>) -> Const {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut value = None;
        for p in significant(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::type_expr => ty = Some(self.type_expr(p)),
                _ => value = Some(self.expr(p)),
            }
        }
        Const {
            name: self.ident_of(None, span).clone_or(name),
            ty,
            value: self.expr_of(None, span).clone_or(value),
        }
    }

    fn fn_decl(&mut self, pair: Pair<'_, Rule>) -> FnDecl {
        let span = self.span(&pair);
        let mut name = None;
        let mut params = Vec::new();
        let mut ret = None;
        let mut body = None;
        for p in significant(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::param => {
                    let pspan = self.span(&p);
                    let mut it = p.into_inner();
                    let pname = self.ident_of(it.next(), pspan);
                    let ty = match it.next() {
                        Some(t) => self.type_expr(t),
                        None => TypeExpr {
                            name: pname.clone(),
                            args: Vec::new(),
                            optional: false,
                            span: pspan,
                        },
                    };
                    params.push(Param {
                        name: pname,
                        ty,
                        span: pspan,
                    });
                }
                Rule::type_expr => ret = Some(self.type_expr(p)),
                _ => body = Some(self.expr(p)),
            }
        }
        let name = self.ident_of(None, span).clone_or(name);
        let ret = ret.unwrap_or_else(|| TypeExpr {
            name: name.clone(),
            args: Vec::new(),
            optional: false,
            span,
        });
        FnDecl {
            name,
            params,
            ret,
            body: self.expr_of(None, span).clone_or(body),
        }
    }

    fn hit_policy(&self, pair: &Pair<'_, Rule>) -> HitPolicy {
        match pair.clone().into_inner().next().map(|p| p.as_rule()) {
            Some(Rule::all_match) => HitPolicy::AllMatch,
            Some(Rule::unique) => HitPolicy::Unique,
            _ => HitPolicy::FirstMatch,
        }
    }

    fn assign(&mut self, pair: Pair<'_, Rule>) -> Assign {
        let span = self.span(&pair);
        let mut it = significant(pair);
        let table = self.ident_of(it.next(), span);
        let field = self.ident_of(it.next(), span);
        let mut hit = HitPolicy::FirstMatch;
        let mut hit_span = span;
        let mut arms = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::hit_policy => {
                    hit = self.hit_policy(&p);
                    hit_span = self.span(&p);
                }
                Rule::assign_rule => {
                    let aspan = self.span(&p);
                    let mut parts = significant(p);
                    let label = parts.next().map(|s| self.string(s));
                    let when = parts.next().map(|w| self.expr(w));
                    let then = self.expr_of(parts.next(), aspan);
                    arms.push(Arm {
                        label,
                        when,
                        then,
                        span: aspan,
                    });
                }
                Rule::otherwise_value => {
                    let aspan = self.span(&p);
                    let then = self.expr_of(significant(p).next(), aspan);
                    arms.push(Arm {
                        label: None,
                        when: None,
                        then,
                        span: aspan,
                    });
                }
                _ => {}
            }
        }
        Assign {
            table,
            field,
            hit,
            hit_span,
            arms,
        }
    }

    fn payees(&mut self, pair: Option<Pair<'_, Rule>>) -> Vec<Gets> {
        let Some(pair) = pair else {
            return Vec::new();
        };
        pair.into_inner()
            .map(|g| {
                let span = self.span(&g);
                let mut parts = significant(g);
                let payee = self.expr_of(parts.next(), span);
                let share = self.expr_of(parts.next(), span);
                Gets { payee, share, span }
            })
            .collect()
    }

    fn credit(&mut self, pair: Pair<'_, Rule>) -> Credit {
        let span = self.span(&pair);
        let mut it = significant(pair).peekable();
        let table = self.ident_of(it.next(), span);
        let mut exprs = Vec::new();
        let mut items = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::expr => exprs.push(self.expr(p)),
                Rule::let_stmt => items.push(CreditItem::Let(self.let_stmt(p))),
                Rule::credit_setting => items.push(CreditItem::Setting(self.setting(p))),
                Rule::role_group => items.push(CreditItem::Group(self.role_group(p))),
                Rule::rollup => {
                    let rspan = self.span(&p);
                    let mut ids = significant(p);
                    let group = self.ident_of(ids.next(), rspan);
                    let via = self.ident_of(ids.next(), rspan);
                    let role = self.ident_of(ids.next(), rspan);
                    items.push(CreditItem::Rollup(Rollup {
                        group,
                        via,
                        role,
                        span: rspan,
                    }));
                }
                _ => {}
            }
        }
        let (filter, on) = match exprs.len() {
            0 => (None, self.expr_of(None, span)),
            1 => (None, exprs.remove(0)),
            _ => {
                let on = exprs.remove(1);
                (Some(exprs.remove(0)), on)
            }
        };
        Credit {
            table,
            filter,
            on,
            items,
        }
    }

    pub(crate) fn let_stmt(&mut self, pair: Pair<'_, Rule>) -> Let {
        let span = self.span(&pair);
        let mut it = significant(pair);
        let name = self.ident_of(it.next(), span);
        let value = self.expr_of(it.next(), span);
        Let { name, value, span }
    }

    fn role_group(&mut self, pair: Pair<'_, Rule>) -> RoleGroup {
        let span = self.span(&pair);
        let mut it = significant(pair);
        let name = self.ident_of(it.next(), span);
        let mut hit = HitPolicy::FirstMatch;
        let mut hit_span = span;
        let mut arms = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::hit_policy => {
                    hit = self.hit_policy(&p);
                    hit_span = self.span(&p);
                }
                Rule::credit_rule => {
                    let aspan = self.span(&p);
                    let mut parts = significant(p);
                    let label = parts.next().map(|s| self.string(s));
                    let when = parts.next().map(|w| self.expr(w));
                    let then = self.payees(parts.next());
                    arms.push(Arm {
                        label,
                        when,
                        then,
                        span: aspan,
                    });
                }
                Rule::otherwise_payees => {
                    let aspan = self.span(&p);
                    let then = self.payees(significant(p).next());
                    arms.push(Arm {
                        label: None,
                        when: None,
                        then,
                        span: aspan,
                    });
                }
                _ => {}
            }
        }
        RoleGroup {
            name,
            hit,
            hit_span,
            arms,
            span,
        }
    }

    fn plan(&mut self, pair: Pair<'_, Rule>) -> Plan {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut items = Vec::new();
        for p in significant(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::string => title = Some(self.string(p)),
                Rule::plan_for => {
                    let fspan = self.span(&p);
                    let mut parts = significant(p);
                    let var = self.ident_of(parts.next(), fspan);
                    let source = self.expr_of(parts.next(), fspan);
                    let filter = parts.next().map(|f| self.expr(f));
                    items.push(PlanItem::For(PlanFor {
                        var,
                        source,
                        filter,
                        span: fspan,
                    }));
                }
                Rule::metric => items.push(PlanItem::Metric(self.setting(p))),
                _ => {}
            }
        }
        Plan {
            name: self.ident_of(None, span).clone_or(name),
            title,
            items,
        }
    }

    fn named_expr(&mut self, pair: Pair<'_, Rule>) -> NamedExpr {
        let span = self.span(&pair);
        let mut name = None;
        let mut value = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                _ => value = Some(self.expr(p)),
            }
        }
        NamedExpr {
            name,
            value: self.expr_of(None, span).clone_or(value),
            span,
        }
    }

    fn report(&mut self, pair: Pair<'_, Rule>) -> Report {
        let span = self.span(&pair);
        let mut name = None;
        let mut title = None;
        let mut items = Vec::new();
        for p in significant(pair) {
            let ispan = self.span(&p);
            let kind = match p.as_rule() {
                Rule::ident => {
                    name = Some(self.ident(p));
                    continue;
                }
                Rule::string => {
                    title = Some(self.string(p));
                    continue;
                }
                Rule::report_from => {
                    let mut parts = significant(p);
                    let source = self.expr_of(parts.next(), ispan);
                    let filter = parts.next().map(|f| self.expr(f));
                    ReportItemKind::From { source, filter }
                }
                Rule::report_where => {
                    ReportItemKind::Where(self.expr_of(significant(p).next(), ispan))
                }
                Rule::report_group => {
                    ReportItemKind::GroupBy(significant(p).map(|n| self.named_expr(n)).collect())
                }
                Rule::report_columns => {
                    ReportItemKind::Columns(significant(p).map(|n| self.named_expr(n)).collect())
                }
                Rule::report_order => ReportItemKind::OrderBy(
                    significant(p)
                        .map(|k| {
                            let kspan = self.span(&k);
                            let mut parts = k.into_inner();
                            let value = self.expr_of(parts.next(), kspan);
                            let dir = parts.next().map(|d| sort_dir(&d));
                            OrderKey {
                                value,
                                dir,
                                span: kspan,
                            }
                        })
                        .collect(),
                ),
                Rule::report_limit => {
                    ReportItemKind::Limit(self.expr_of(significant(p).next(), ispan))
                }
                Rule::report_totals => ReportItemKind::Totals,
                _ => continue,
            };
            items.push(ReportItem { kind, span: ispan });
        }
        Report {
            name: self.ident_of(None, span).clone_or(name),
            title,
            items,
        }
    }

    fn test(&mut self, pair: Pair<'_, Rule>) -> Test {
        let span = self.span(&pair);
        let mut name = None;
        let mut items = Vec::new();
        for p in significant(pair) {
            let ispan = self.span(&p);
            match p.as_rule() {
                Rule::string => name = Some(self.string(p)),
                Rule::given => {
                    let mut parts = significant(p);
                    let table = self.ident_of(parts.next(), ispan);
                    let rows = self.expr_of(parts.next(), ispan);
                    items.push(TestItem::Given {
                        table,
                        rows,
                        span: ispan,
                    });
                }
                Rule::expect => {
                    let value = self.expr_of(significant(p).next(), ispan);
                    items.push(TestItem::Expect { value, span: ispan });
                }
                _ => {}
            }
        }
        Test {
            name: name.unwrap_or(StrLit {
                value: String::new(),
                span,
            }),
            items,
        }
    }

    fn golden(&mut self, pair: Pair<'_, Rule>) -> Golden {
        let span = self.span(&pair);
        let mut name = None;
        let mut items = Vec::new();
        for p in significant(pair) {
            match p.as_rule() {
                Rule::string => name = Some(self.string(p)),
                Rule::golden_report => {
                    let ispan = self.span(&p);
                    let id = self.ident_of(significant(p).next(), ispan);
                    items.push(GoldenItem::Report(id));
                }
                Rule::golden_data => items.push(GoldenItem::Data(self.first_string(p))),
                Rule::golden_matches => items.push(GoldenItem::Matches(self.first_string(p))),
                _ => {}
            }
        }
        Golden {
            name: name.unwrap_or(StrLit {
                value: String::new(),
                span,
            }),
            items,
        }
    }
}

pub(crate) fn sort_dir(pair: &Pair<'_, Rule>) -> SortDir {
    if pair.as_str().trim() == "desc" {
        SortDir::Desc
    } else {
        SortDir::Asc
    }
}

/// `placeholder.clone_or(Some(x))` is `x`; used where the grammar
/// guarantees a child but the builder must not panic if it is missing.
trait CloneOr: Sized {
    fn clone_or(self, value: Option<Self>) -> Self {
        value.unwrap_or(self)
    }
}

impl CloneOr for Ident {}
impl CloneOr for Expr {}
