//! Checking the crediting policy (spec §2.6) and building the schema of the
//! built-in `credits` table.

use crate::checker::{Checker, Scope};
use crate::codes;
use crate::program::*;
use crate::types::{TableId, Type};
use std::collections::HashMap;
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_syntax::ast::*;

impl Checker {
    /// Checks every `credit` block and fills in the `credits` columns.
    pub(crate) fn check_credits(&mut self, credits: TableId) {
        let modules = std::sync::Arc::clone(&self.modules);
        let mut blocks: Vec<(DeclRef, &Credit)> = Vec::new();
        for (mi, m) in modules.iter().enumerate() {
            for (di, d) in m.decls.iter().enumerate() {
                if let DeclKind::Credit(c) = &d.kind {
                    blocks.push((
                        DeclRef {
                            module: mi,
                            decl: di,
                        },
                        c,
                    ));
                }
            }
        }
        let mut credited: Option<(TableId, Span)> = None;
        let mut payees: Option<TableId> = None;
        for (_, block) in &blocks {
            let Some(t) = self.credited_table(block) else {
                continue;
            };
            match credited {
                None => credited = Some((t, block.table.span)),
                Some((prev, prev_span)) if prev != t => self.diags.push(
                    Diagnostic::error(
                        codes::CREDIT,
                        block.table.span,
                        format!(
                            "all `credit` blocks must credit one table, but this credits `{}` and another credits `{}`",
                            block.table.name,
                            self.p.table_name(prev)
                        ),
                    )
                    .with_secondary(prev_span, "the first credited table"),
                ),
                _ => {}
            }
            self.check_credit_block(t, block, &mut payees);
        }
        if let Some(info) = self.p.tables.get_mut(credits.0 as usize) {
            let deal = credited.map(|(t, _)| Type::Row(t)).unwrap_or(Type::Unknown);
            let payee = payees.map(Type::Row).unwrap_or(Type::Unknown);
            let cols: [(&str, Type); 7] = [
                ("deal", deal),
                ("payee", payee),
                ("role", Type::Text),
                ("rule", Type::Text),
                ("share", Type::Percent),
                ("amount", Type::Money),
                ("date", Type::Date),
            ];
            info.columns = cols
                .into_iter()
                .map(|(name, ty)| ColumnInfo {
                    name: name.to_string(),
                    ty,
                    span: None,
                    origin: ColumnOrigin::Computed,
                })
                .collect();
        }
        if let Some((t, _)) = credited {
            self.p.credit = Some(CreditInfo {
                credited: t,
                payees,
                blocks: blocks.iter().map(|(r, _)| *r).collect(),
                table: credits,
            });
        }
    }

    fn credited_table(&mut self, block: &Credit) -> Option<TableId> {
        match self.p.table_named(&block.table.name) {
            Some(t)
                if matches!(
                    self.p.table(t).map(|i| &i.kind),
                    Some(TableKind::Declared(_))
                ) =>
            {
                self.resolve(block.table.span, Resolution::Table(t));
                Some(t)
            }
            _ => {
                if !self.p.broken_names.iter().any(|b| b == &block.table.name) {
                    let names: Vec<String> = self
                        .p
                        .tables
                        .iter()
                        .filter(|t| matches!(t.kind, TableKind::Declared(_)))
                        .map(|t| t.name.clone())
                        .collect();
                    let help = closest(&block.table.name, names.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"));
                    self.diags.push(
                        Diagnostic::error(
                            codes::UNKNOWN_NAME,
                            block.table.span,
                            format!(
                                "unknown table `{}`; `credit` credits the rows of a declared table",
                                block.table.name
                            ),
                        )
                        .with_help_opt(help),
                    );
                }
                None
            }
        }
    }

    fn check_credit_block(&mut self, t: TableId, block: &Credit, payees: &mut Option<TableId>) {
        self.with_scope(Scope::Columns(t), |c| {
            if let Some(f) = &block.filter {
                c.condition(f, "the `where` of `credit`");
            }
            c.expect_type(&block.on, &Type::Date, "the credit date after `on`");
            c.with_scope(Scope::Locals(Vec::new()), |c| {
                let mut groups: HashMap<String, Span> = HashMap::new();
                let mut amount_set = false;
                for item in &block.items {
                    match item {
                        CreditItem::Let(l) => {
                            let ty = c.expr(&l.value);
                            c.bind(&l.name.name, ty, l.name.span);
                        }
                        CreditItem::Setting(s) => {
                            if s.name.name == "amount" {
                                c.expect_type(&s.value, &Type::Money, "the credited `amount`");
                                amount_set = true;
                            } else {
                                c.diags.push(
                                    Diagnostic::error(codes::CREDIT, s.name.span, format!("unknown credit setting `{}`", s.name.name))
                                        .with_help("a credit block knows `amount = EXPR`; use `let` for other values"),
                                );
                            }
                        }
                        CreditItem::Group(g) => {
                            if let Some(prev) = groups.insert(g.name.name.clone(), g.name.span) {
                                c.diags.push(
                                    Diagnostic::error(codes::DUPLICATE, g.name.span, format!("role group `{}` is declared twice", g.name.name))
                                        .with_secondary(prev, "first declared here"),
                                );
                            }
                            c.check_role_group(g, payees);
                        }
                        CreditItem::Rollup(r) => c.check_rollup(r, &groups, payees),
                    }
                }
                if !amount_set {
                    c.credited_amount_column(t, block.table.span);
                }
            });
        });
    }

    /// Without `amount = ...`, the credited table needs exactly one Money column.
    fn credited_amount_column(&mut self, t: TableId, at: Span) {
        let Some(info) = self.p.table(t) else { return };
        let money: Vec<&ColumnInfo> = info
            .columns
            .iter()
            .filter(|c| {
                matches!(c.ty, Type::Money) && matches!(c.origin, ColumnOrigin::Loaded { .. })
            })
            .collect();
        if money.len() == 1 {
            return;
        }
        let names: Vec<String> = money.iter().map(|c| format!("`{}`", c.name)).collect();
        let msg = if money.is_empty() {
            format!("`{}` has no `Money` column to credit", info.name)
        } else {
            format!(
                "`{}` has several `Money` columns ({}), so the credited amount is ambiguous",
                info.name,
                names.join(", ")
            )
        };
        self.diags.push(
            Diagnostic::error(codes::CREDIT, at, msg)
                .with_help(match money.first() {
                    Some(c) => format!("name the credited amount inside the block, e.g. `amount = {}`", c.name),
                    None => "add a `Money` column to the table, or compute one inside the block: `amount = ...`".to_string(),
                }),
        );
    }

    fn check_role_group(&mut self, g: &RoleGroup, payees: &mut Option<TableId>) {
        self.check_arm_shape(&g.arms, g.name.span, &g.name.name);
        for arm in &g.arms {
            if let Some(w) = &arm.when {
                self.condition(w, "a rule's `when`");
            }
            if arm.then.is_empty() {
                self.diags.push(Diagnostic::error(
                    codes::CREDIT,
                    arm.span,
                    "a crediting rule needs at least one `PAYEE gets SHARE`",
                ));
            }
            for gets in &arm.then {
                let pt = self.expr(&gets.payee);
                match pt.strip_optional() {
                    Type::Row(r) => match payees {
                        None => *payees = Some(*r),
                        Some(prev) if prev != r => {
                            let msg = format!(
                                "every payee must be a row of the same table: this is from `{}`, earlier payees are from `{}`",
                                self.p.table_name(*r),
                                self.p.table_name(*prev)
                            );
                            self.diags.push(Diagnostic::error(
                                codes::PAYEE_TYPE,
                                gets.payee.span,
                                msg,
                            ));
                        }
                        _ => {}
                    },
                    Type::Unknown => {}
                    other => {
                        let help = match other {
                            Type::Text => Some("a payee is a rep, not a name or id: use a reference column such as `owner`, or look the rep up with `reps[\"R-10\"]`".to_string()),
                            _ => None,
                        };
                        let msg = format!(
                            "a payee must be a rep (a row of the reps table), but this is `{}`",
                            self.show(&pt)
                        );
                        self.diags.push(
                            Diagnostic::error(codes::PAYEE_TYPE, gets.payee.span, msg)
                                .with_label("not a rep")
                                .with_help_opt(help),
                        );
                    }
                }
                let st = self.expr(&gets.share);
                if !matches!(st, Type::Percent | Type::Unknown) {
                    let help = match &gets.share.kind {
                        ExprKind::Int(n) | ExprKind::Decimal(n) => {
                            format!("write `{}`", crate::expr::percent_literal(n))
                        }
                        _ => "write the share as a percent, e.g. `60%`".to_string(),
                    };
                    let msg = format!(
                        "a share must be a `Percent`, but this is `{}`",
                        self.show(&st)
                    );
                    self.diags.push(
                        Diagnostic::error(codes::SHARE_TYPE, gets.share.span, msg)
                            .with_label("expected `Percent`")
                            .with_help(help),
                    );
                }
            }
        }
    }

    fn check_rollup(
        &mut self,
        r: &Rollup,
        groups: &HashMap<String, Span>,
        payees: &Option<TableId>,
    ) {
        if let Some(span) = groups.get(&r.group.name) {
            self.resolve(r.group.span, Resolution::Local(*span));
        } else {
            let help = closest(&r.group.name, groups.keys().map(String::as_str))
                .map(|c| format!("did you mean `{c}`?"));
            self.diags.push(
                Diagnostic::error(
                    codes::CREDIT,
                    r.group.span,
                    format!("`rollup` names `{}`, which is not a role group declared before it in this block", r.group.name),
                )
                .with_help_opt(help),
            );
        }
        let Some(pt) = payees else { return };
        let Some(info) = self.p.table(*pt).cloned() else {
            return;
        };
        match info.column(&r.via.name) {
            Some(i) => {
                let ty = info
                    .columns
                    .get(i)
                    .map(|c| c.ty.clone())
                    .unwrap_or(Type::Unknown);
                self.resolve(r.via.span, Resolution::Column(*pt, i));
                if ty.strip_optional() != &Type::Row(*pt) && !ty.is_unknown() {
                    let msg = format!(
                        "`rollup ... via {}` needs a column of `{}` that points to another `{}` row, but `{}` is `{}`",
                        r.via.name,
                        info.name,
                        info.name,
                        r.via.name,
                        self.p.show(&ty)
                    );
                    let candidates: Vec<String> = info
                        .columns
                        .iter()
                        .filter(|c| c.ty.strip_optional() == &Type::Row(*pt))
                        .map(|c| format!("`{}`", c.name))
                        .collect();
                    let help = if candidates.is_empty() {
                        format!(
                            "add a column such as `manager: {}?` that names each rep's manager",
                            info.name
                        )
                    } else {
                        format!(
                            "roll up through a column that points to a rep, such as {}",
                            candidates.join(" or ")
                        )
                    };
                    self.diags
                        .push(Diagnostic::error(codes::CREDIT, r.via.span, msg).with_help(help));
                }
            }
            None => {
                let help = closest(&r.via.name, info.columns.iter().map(|c| c.name.as_str()))
                    .map(|c| format!("did you mean `{c}`?"));
                let msg = format!("unknown column `{}` on `{}`", r.via.name, info.name);
                self.diags.push(
                    Diagnostic::error(codes::UNKNOWN_COLUMN, r.via.span, msg).with_help_opt(help),
                );
            }
        }
    }
}
