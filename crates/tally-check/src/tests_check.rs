//! Checking `test` and `golden` blocks (spec §2.9).

use crate::checker::Checker;
use crate::codes;
use crate::program::*;
use crate::types::{self, Type};
use tally_diagnostics::{closest, Diagnostic};
use tally_syntax::ast::*;

impl Checker {
    pub(crate) fn check_tests(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        for r in self.p.tests.clone() {
            let Some(DeclKind::Test(test)) = modules
                .get(r.module)
                .and_then(|m| m.decls.get(r.decl))
                .map(|d| &d.kind)
            else {
                continue;
            };
            let mut given_tables: Vec<(String, tally_diagnostics::Span)> = Vec::new();
            for item in &test.items {
                match item {
                    TestItem::Given { table, rows, span } => {
                        if let Some((_, prev)) = given_tables.iter().find(|(n, _)| n == &table.name)
                        {
                            self.diags.push(
                                Diagnostic::error(
                                    codes::TEST,
                                    *span,
                                    format!("`given {}` is written twice in this test", table.name),
                                )
                                .with_secondary(*prev, "the first `given`")
                                .with_help("put all the rows in one list"),
                            );
                        }
                        given_tables.push((table.name.clone(), *span));
                        self.check_given(table, rows);
                    }
                    TestItem::Expect { value, .. } => {
                        self.isolated(|c| c.condition(value, "`expect`"))
                    }
                }
            }
            if !test
                .items
                .iter()
                .any(|i| matches!(i, TestItem::Expect { .. }))
            {
                self.diags.push(
                    Diagnostic::warning(
                        codes::W_TEST_CANNOT_FAIL,
                        test.name.span,
                        format!(
                            "test {} has no `expect`, so it cannot fail",
                            tally_syntax::literal::escape(&test.name.value)
                        ),
                    )
                    .with_help("add `expect CONDITION`"),
                );
            }
        }
        for r in self.p.goldens.clone() {
            let Some(DeclKind::Golden(g)) = modules
                .get(r.module)
                .and_then(|m| m.decls.get(r.decl))
                .map(|d| &d.kind)
            else {
                continue;
            };
            let reports: Vec<&Ident> = g
                .items
                .iter()
                .filter_map(|i| {
                    if let GoldenItem::Report(r) = i {
                        Some(r)
                    } else {
                        None
                    }
                })
                .collect();
            let matches = g
                .items
                .iter()
                .filter(|i| matches!(i, GoldenItem::Matches(_)))
                .count();
            if reports.len() != 1 || matches != 1 {
                let mut d = Diagnostic::error(codes::TEST, g.name.span, "a `golden` block needs exactly one `report NAME` and one `matches \"file.csv\"`")
                    .with_help("e.g. `golden \"attainment\" { report attainment  matches \"golden/attainment.csv\" }`");
                for extra in reports.iter().skip(1) {
                    d = d.with_secondary(extra.span, "a second `report`");
                }
                self.diags.push(d);
            }
            for rep in reports {
                match self.p.table_named(&rep.name) {
                    Some(t)
                        if matches!(
                            self.p.table(t).map(|i| &i.kind),
                            Some(TableKind::Report(_))
                        ) =>
                    {
                        self.resolve(rep.span, Resolution::Table(t));
                    }
                    _ => {
                        let names: Vec<String> = self
                            .p
                            .reports
                            .iter()
                            .map(|(_, t)| self.p.table_name(*t))
                            .collect();
                        let help = closest(&rep.name, names.iter().map(String::as_str))
                            .map(|c| format!("did you mean `{c}`?"));
                        self.diags.push(
                            Diagnostic::error(
                                codes::UNKNOWN_NAME,
                                rep.span,
                                format!("unknown report `{}`", rep.name),
                            )
                            .with_help_opt(help),
                        );
                    }
                }
            }
        }
    }

    fn check_given(&mut self, table: &Ident, rows: &Expr) {
        let t = match self.p.table_named(&table.name) {
            Some(t)
                if matches!(
                    self.p.table(t).map(|i| &i.kind),
                    Some(TableKind::Declared(_))
                ) =>
            {
                t
            }
            _ => {
                let names: Vec<String> = self
                    .p
                    .tables
                    .iter()
                    .filter(|t| matches!(t.kind, TableKind::Declared(_)))
                    .map(|t| t.name.clone())
                    .collect();
                let help = closest(&table.name, names.iter().map(String::as_str))
                    .map(|c| format!("did you mean `{c}`?"));
                self.diags.push(
                    Diagnostic::error(
                        codes::TEST,
                        table.span,
                        format!(
                            "`given` replaces a declared table, and `{}` is not one",
                            table.name
                        ),
                    )
                    .with_help_opt(help),
                );
                return;
            }
        };
        self.resolve(table.span, Resolution::Table(t));
        let ExprKind::List(items) = &rows.kind else {
            self.diags.push(Diagnostic::error(
                codes::TEST,
                rows.span,
                "`given` needs a list of rows: `[{ col: value, ... }, ...]`",
            ));
            return;
        };
        let Some(info) = self.p.table(t).cloned() else {
            return;
        };
        let loaded: Vec<&ColumnInfo> = info
            .columns
            .iter()
            .filter(|c| matches!(c.origin, ColumnOrigin::Loaded { .. }))
            .collect();
        for row in items {
            let ExprKind::Record(fields) = &row.kind else {
                self.diags.push(Diagnostic::error(
                    codes::TEST,
                    row.span,
                    "each row of `given` is a record: `{ col: value, ... }`",
                ));
                continue;
            };
            let mut unknown_field = false;
            for (name, value) in fields {
                let Some(col) = loaded.iter().find(|c| c.name == name.name) else {
                    unknown_field = true;
                    let help = closest(&name.name, loaded.iter().map(|c| c.name.as_str()))
                        .map(|c| format!("did you mean `{c}`?"));
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_COLUMN,
                            name.span,
                            format!("unknown column `{}` on `{}`", name.name, info.name),
                        )
                        .with_help_opt(help),
                    );
                    continue;
                };
                if let Some(i) = info.column(&name.name) {
                    self.resolve(name.span, Resolution::Column(t, i));
                }
                let vt = self.isolated(|c| c.expr(value));
                // Reference cells are written as key values.
                let expected = match col.ty.strip_optional() {
                    Type::Row(r) => self
                        .p
                        .table(*r)
                        .and_then(|ri| ri.key.and_then(|k| ri.columns.get(k)))
                        .map(|k| k.ty.clone())
                        .unwrap_or(Type::Text),
                    other => other.clone(),
                };
                let expected = if col.ty.is_optional() {
                    expected.optional()
                } else {
                    expected
                };
                if !types::assignable(&vt, &expected) {
                    let msg = format!(
                        "column `{}` holds `{}`, but this is `{}`",
                        col.name,
                        self.show(&col.ty),
                        self.show(&vt)
                    );
                    self.diags
                        .push(Diagnostic::error(codes::TYPE_MISMATCH, value.span, msg));
                }
            }
            let missing: Vec<String> = loaded
                .iter()
                .filter(|c| !c.ty.is_optional() && !fields.iter().any(|(n, _)| n.name == c.name))
                .map(|c| format!("`{}`", c.name))
                .collect();
            if !missing.is_empty() && !unknown_field {
                self.diags.push(
                    Diagnostic::error(
                        codes::TEST,
                        row.span,
                        format!(
                            "this row of `{}` has no value for {}",
                            info.name,
                            missing.join(", ")
                        ),
                    )
                    .with_help("every column that is not optional needs a value"),
                );
            }
        }
    }
}
