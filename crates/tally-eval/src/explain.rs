//! `tally explain`: every decision for one row, in order, with the values
//! that made each rule hold or not (spec §6). The answer to "why was I paid
//! this?".

use crate::compile::Compiler;
use crate::display::plain;
use crate::error::EvalError;
use crate::money::{allocate, round};
use crate::runtime::{Eval, Frame, Limits, Runtime};
use crate::table::Store;
use crate::value::{RowRef, Value};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use tally_check::{Program, Resolution, TableId};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// A place in the policy, for people (`policy.tally:85`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Place {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// A sub-expression and its value, shown to say why a condition held.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Shown {
    /// The expression as written.
    pub expr: String,
    /// Its value.
    pub value: String,
}

/// One rule tried.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RuleTry {
    /// The rule's label (`otherwise` for the fallback).
    pub label: String,
    /// The condition as written (empty for `otherwise`).
    pub when: String,
    /// Whether it held (`None` when not evaluated).
    pub held: Option<bool>,
    /// The values of the columns and names it reads.
    pub values: Vec<Shown>,
    /// True for the rule that decided the result.
    pub chosen: bool,
    /// Where the rule is.
    pub at: Place,
}

/// How one credit's amount was allocated.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CreditLine {
    /// The payee (key and name when there is one).
    pub payee: String,
    /// The share.
    pub share: String,
    /// `amount × share` exactly.
    pub exact: String,
    /// Rounded down to the minor unit.
    pub rounded_down: String,
    /// Cents added by the largest-remainder rule.
    pub extra_cents: i64,
    /// The credited amount.
    pub amount: String,
}

/// A rollup chain for one credit.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Chain {
    /// The credited payee.
    pub from: String,
    /// Managers, nearest first.
    pub managers: Vec<String>,
    /// The amount each manager is credited.
    pub amount: String,
}

/// One step of an explanation.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// A derived field: the rules tried and the result.
    Assign {
        /// `accounts.territory`
        field: String,
        /// Hit policy.
        hit: String,
        /// Rules tried, in order.
        rules: Vec<RuleTry>,
        /// The field's value.
        result: String,
        /// The deciding rule's label (`none` when no rule held).
        rule: String,
        /// Where the assign is.
        at: Place,
    },
    /// The `where` and `on` of a credit block.
    CreditRow {
        /// The `where` condition and whether it held.
        filter: Option<RuleTry>,
        /// The credit date.
        date: String,
        /// The credited amount.
        amount: String,
        /// Where the block is.
        at: Place,
    },
    /// A `let` inside a credit block.
    Let {
        /// Its name.
        name: String,
        /// Its expression.
        expr: String,
        /// Its value.
        value: String,
        /// The values it was computed from.
        inputs: Vec<Shown>,
        /// Where it is.
        at: Place,
    },
    /// A role group: its rules and the credits they gave.
    Group {
        /// The role.
        role: String,
        /// Hit policy.
        hit: String,
        /// Rules tried.
        rules: Vec<RuleTry>,
        /// Credits given (with allocation).
        credits: Vec<CreditLine>,
        /// Where it is.
        at: Place,
    },
    /// A rollup: the chains walked.
    Rollup {
        /// The group rolled up.
        group: String,
        /// The reference followed.
        via: String,
        /// The role given.
        role: String,
        /// One chain per credit of the group.
        chains: Vec<Chain>,
        /// Where it is.
        at: Place,
    },
}

/// Everything that decided one row.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Explanation {
    /// The table.
    pub table: String,
    /// The row's key.
    pub key: String,
    /// Where the row was loaded from.
    pub origin: Option<String>,
    /// The decisions, in order.
    pub steps: Vec<Step>,
}

struct Ctx<'a> {
    program: &'a Program,
    rt: Runtime<'a>,
}

impl Ctx<'_> {
    fn place(&self, span: Span) -> Place {
        match self.program.sources.get(span.file) {
            Some(f) => Place {
                file: f.name.clone(),
                line: f.line_col(span.lo()).line,
            },
            None => Place {
                file: String::new(),
                line: 0,
            },
        }
    }

    fn source(&self, e: &Expr) -> String {
        self.program
            .sources
            .get(e.span.file)
            .and_then(|f| f.text.get(e.span.lo()..e.span.hi()))
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn show(&self, v: &Value) -> String {
        match v {
            Value::Row(r) => {
                let key = self.rt.store.key_text(*r);
                let table = self.rt.store.table(r.table);
                match table
                    .column_index("name")
                    .map(|c| table.get(c, r.row as usize))
                    .as_deref()
                {
                    Some(Value::Text(n)) => format!("{key} ({n})"),
                    _ => key,
                }
            }
            other => plain(other, self.rt.store),
        }
    }

    /// Evaluates `e` in a compiler scope set up by `setup`.
    fn eval(
        &self,
        compiler: &mut Compiler<'_>,
        frame: &mut Frame,
        e: &Expr,
    ) -> Result<Value, EvalError> {
        let compiled = compiler.expr(e)?;
        self.run(compiler, frame, &compiled)
    }

    /// Runs `compiled`, made by `compiler`, in `frame`.
    fn run(
        &self,
        compiler: &Compiler<'_>,
        frame: &mut Frame,
        compiled: &Eval,
    ) -> Result<Value, EvalError> {
        if frame.slots.len() < compiler.slots() {
            frame.slots.resize(compiler.slots(), Value::None);
        }
        compiled(&self.rt, frame)
    }

    /// The values of the columns and names a condition reads.
    fn atoms(
        &self,
        compiler: &mut Compiler<'_>,
        frame: &mut Frame,
        e: &Expr,
        out: &mut Vec<Shown>,
    ) {
        let interesting = match &e.kind {
            ExprKind::Name(id) => matches!(
                self.program.resolutions.get(&id.span),
                Some(Resolution::Column(..) | Resolution::Local(_))
            ),
            ExprKind::Field { .. }
            | ExprKind::Method { .. }
            | ExprKind::Call { .. }
            | ExprKind::Index { .. } => true,
            _ => false,
        };
        if interesting {
            let text = self.source(e);
            if !out.iter().any(|s| s.expr == text) {
                let value = match self.eval(compiler, frame, e) {
                    Ok(v) => self.show(&v),
                    Err(err) => format!("error: {}", err.message),
                };
                out.push(Shown { expr: text, value });
            }
            return;
        }
        match &e.kind {
            ExprKind::Paren(x)
            | ExprKind::Unary { expr: x, .. }
            | ExprKind::Is { expr: x, .. }
            | ExprKind::Cast { expr: x, .. } => self.atoms(compiler, frame, x, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.atoms(compiler, frame, lhs, out);
                self.atoms(compiler, frame, rhs, out);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.atoms(compiler, frame, cond, out);
                self.atoms(compiler, frame, then, out);
                self.atoms(compiler, frame, otherwise, out);
            }
            _ => {}
        }
    }

    fn try_rule<T>(
        &self,
        compiler: &mut Compiler<'_>,
        frame: &mut Frame,
        arm: &Arm<T>,
    ) -> Result<RuleTry, EvalError> {
        let (held, when, values) = match &arm.when {
            Some(w) => {
                let held = matches!(self.eval(compiler, frame, w)?, Value::Bool(true));
                let mut values = Vec::new();
                self.atoms(compiler, frame, w, &mut values);
                (Some(held), self.source(w), values)
            }
            None => (None, String::new(), Vec::new()),
        };
        Ok(RuleTry {
            label: arm.label_text().to_string(),
            when,
            held,
            values,
            chosen: false,
            at: self.place(arm.span),
        })
    }
}

/// Marks the chosen rules of a block by its hit policy.
fn choose(tries: &mut [RuleTry], hit: HitPolicy) {
    let holding: Vec<usize> = tries
        .iter()
        .enumerate()
        .filter(|(_, t)| t.held == Some(true))
        .map(|(i, _)| i)
        .collect();
    let chosen: Vec<usize> = match hit {
        HitPolicy::AllMatch => holding.clone(),
        _ => holding.first().copied().into_iter().collect(),
    };
    let chosen = if chosen.is_empty() {
        tries
            .iter()
            .position(|t| t.held.is_none())
            .into_iter()
            .collect()
    } else {
        chosen
    };
    for i in chosen {
        if let Some(t) = tries.get_mut(i) {
            t.chosen = true;
        }
    }
}

/// Explains row `key` of table `table` over a finished run's `store`.
pub fn explain(
    program: &Program,
    store: &Store,
    table: TableId,
    key: &str,
) -> Result<Option<Explanation>, EvalError> {
    let engine = crate::engine::Engine::new(program, Limits::default())?;
    let rt = engine.runtime(store);
    let ctx = Ctx { program, rt };
    let t = store.table(table);
    let Some(row) = t.lookup(&Value::text(key)) else {
        return Ok(None);
    };
    let row = RowRef { table, row };
    let mut steps = Vec::new();
    explain_assigns(&ctx, row, &mut steps)?;
    if program.credit.as_ref().is_some_and(|c| c.credited == table) {
        explain_credit(&ctx, row, &mut steps)?;
    }
    Ok(Some(Explanation {
        table: t.name.clone(),
        key: key.to_string(),
        origin: t.origin(row.row as usize),
        steps,
    }))
}

fn explain_assigns(ctx: &Ctx<'_>, row: RowRef, steps: &mut Vec<Step>) -> Result<(), EvalError> {
    let program = ctx.program;
    for &idx in &program.assign_order {
        let Some(info) = program.assigns.get(idx) else {
            continue;
        };
        if info.table != row.table {
            continue;
        }
        let Some(DeclKind::Assign(a)) = program.decl(info.decl).map(|d| &d.kind) else {
            continue;
        };
        let mut compiler = Compiler::new(program);
        compiler.push_row(row.table);
        let mut frame = Frame::default();
        frame.rows.push(row);
        let mut rules = Vec::new();
        for arm in &a.arms {
            rules.push(ctx.try_rule(&mut compiler, &mut frame, arm)?);
            // first match stops at the first rule that held
            if a.hit == HitPolicy::FirstMatch
                && rules.last().is_some_and(|r: &RuleTry| r.held == Some(true))
            {
                break;
            }
        }
        choose(&mut rules, a.hit);
        let result = ctx.rt.store.cell(row, info.column).into_owned();
        let rule = match &*ctx.rt.store.cell(row, info.rule_column) {
            Value::Text(t) => t.to_string(),
            _ => "none".to_string(),
        };
        steps.push(Step::Assign {
            field: format!("{}.{}", a.table.name, a.field.name),
            hit: a.hit.as_str().to_string(),
            rules,
            result: ctx.show(&result),
            rule,
            at: ctx.place(a.field.span),
        });
    }
    Ok(())
}

fn explain_credit(ctx: &Ctx<'_>, deal: RowRef, steps: &mut Vec<Step>) -> Result<(), EvalError> {
    let program = ctx.program;
    let Some(info) = &program.credit else {
        return Ok(());
    };
    let payee_table = info.payees;
    for r in &info.blocks {
        let Some(DeclKind::Credit(c)) = program.decl(*r).map(|d| &d.kind) else {
            continue;
        };
        let mut compiler = Compiler::new(program);
        compiler.push_row(deal.table);
        compiler.push_locals();
        let mut frame = Frame::default();
        frame.rows.push(deal);
        let filter = match &c.filter {
            Some(f) => {
                let held = matches!(ctx.eval(&mut compiler, &mut frame, f)?, Value::Bool(true));
                let mut values = Vec::new();
                ctx.atoms(&mut compiler, &mut frame, f, &mut values);
                Some(RuleTry {
                    label: "where".to_string(),
                    when: ctx.source(f),
                    held: Some(held),
                    values,
                    chosen: held,
                    at: ctx.place(f.span),
                })
            }
            None => None,
        };
        let passes = filter.as_ref().is_none_or(|f| f.held == Some(true));
        let date = ctx.eval(&mut compiler, &mut frame, &c.on)?;
        let amount_expr = c.items.iter().find_map(|i| match i {
            CreditItem::Setting(s) if s.name.name == "amount" => Some(&s.value),
            _ => None,
        });
        let amount = match amount_expr {
            Some(e) => ctx.eval(&mut compiler, &mut frame, e)?,
            None => {
                let col = program.table(deal.table).and_then(|t| {
                    t.columns.iter().position(|c| {
                        c.ty == tally_check::Type::Money
                            && matches!(c.origin, tally_check::ColumnOrigin::Loaded { .. })
                    })
                });
                col.map(|c| ctx.rt.store.cell(deal, c).into_owned())
                    .unwrap_or(Value::None)
            }
        };
        steps.push(Step::CreditRow {
            filter,
            date: ctx.show(&date),
            amount: ctx.show(&amount),
            at: ctx.place(c.table.span),
        });
        if !passes {
            continue;
        }
        let mut given: Vec<(String, RowRef, Value)> = Vec::new();
        for item in &c.items {
            match item {
                CreditItem::Let(l) => {
                    // Shown whether or not a rule reads it; one that fails
                    // shows its error, and fails the rules that read it, as
                    // in the run (see `Compiler::bind_computed_when_read`).
                    let value = compiler.expr(&l.value)?;
                    let computed = ctx.run(&compiler, &mut frame, &value);
                    let mut inputs = Vec::new();
                    match &l.value.kind {
                        ExprKind::Call { args, .. } => {
                            for a in args {
                                ctx.atoms(&mut compiler, &mut frame, &a.value, &mut inputs);
                            }
                        }
                        _ => ctx.atoms(&mut compiler, &mut frame, &l.value, &mut inputs),
                    }
                    inputs.retain(|i| i.expr != ctx.source(&l.value));
                    let slot = compiler.bind_computed_when_read(l.name.span, value);
                    let shown = match computed {
                        Ok(v) => {
                            let shown = ctx.show(&v);
                            frame.set_computed(slot, v);
                            shown
                        }
                        Err(e) => format!("fails ({}): {}", e.code, e.message),
                    };
                    steps.push(Step::Let {
                        name: l.name.name.clone(),
                        expr: ctx.source(&l.value),
                        value: shown,
                        inputs,
                        at: ctx.place(l.span),
                    });
                }
                CreditItem::Setting(_) => {}
                CreditItem::Group(g) => {
                    let mut rules = Vec::new();
                    for arm in &g.arms {
                        rules.push(ctx.try_rule(&mut compiler, &mut frame, arm)?);
                        if g.hit == HitPolicy::FirstMatch
                            && rules.last().is_some_and(|r: &RuleTry| r.held == Some(true))
                        {
                            break;
                        }
                    }
                    choose(&mut rules, g.hit);
                    let mut credits = Vec::new();
                    for (arm, tried) in g.arms.iter().zip(&rules) {
                        if !tried.chosen {
                            continue;
                        }
                        let mut payees = Vec::new();
                        let mut shares = Vec::new();
                        for gets in &arm.then {
                            payees.push(ctx.eval(&mut compiler, &mut frame, &gets.payee)?);
                            shares.push(
                                ctx.eval(&mut compiler, &mut frame, &gets.share)?
                                    .as_decimal()
                                    .unwrap_or_default(),
                            );
                        }
                        credits.extend(allocation_lines(ctx, &amount, &payees, &shares));
                        for (p, _) in payees.iter().zip(&shares) {
                            if let Value::Row(p) = p {
                                given.push((g.name.name.clone(), *p, Value::None));
                            }
                        }
                    }
                    // amounts of the credits, for rollups
                    let amounts: Vec<String> = credits.iter().map(|c| c.amount.clone()).collect();
                    let n = given.len();
                    for (k, a) in amounts.iter().enumerate() {
                        if let Some(entry) = given.get_mut(n - amounts.len() + k) {
                            entry.2 = Value::text(a);
                        }
                    }
                    steps.push(Step::Group {
                        role: g.name.name.clone(),
                        hit: g.hit.as_str().to_string(),
                        rules,
                        credits,
                        at: ctx.place(g.name.span),
                    });
                }
                CreditItem::Rollup(ru) => {
                    let via = payee_table
                        .and_then(|t| program.table(t))
                        .and_then(|t| t.column(&ru.via.name));
                    let mut chains = Vec::new();
                    for (role, payee, amount) in &given {
                        if role != &ru.group.name {
                            continue;
                        }
                        let mut managers = Vec::new();
                        let mut seen = vec![*payee];
                        let mut cur = *payee;
                        while let Some(Value::Row(m)) =
                            via.map(|v| ctx.rt.store.cell(cur, v).into_owned())
                        {
                            if seen.contains(&m) {
                                managers.push(format!(
                                    "{} (the chain loops)",
                                    ctx.show(&Value::Row(m))
                                ));
                                break;
                            }
                            seen.push(m);
                            managers.push(ctx.show(&Value::Row(m)));
                            cur = m;
                        }
                        chains.push(Chain {
                            from: ctx.show(&Value::Row(*payee)),
                            managers,
                            amount: match amount {
                                Value::Text(t) => t.to_string(),
                                other => ctx.show(other),
                            },
                        });
                    }
                    steps.push(Step::Rollup {
                        group: ru.group.name.clone(),
                        via: ru.via.name.clone(),
                        role: ru.role.name.clone(),
                        chains,
                        at: ctx.place(ru.span),
                    });
                }
            }
        }
    }
    Ok(())
}

/// How the amount was split between the payees of one rule.
fn allocation_lines(
    ctx: &Ctx<'_>,
    amount: &Value,
    payees: &[Value],
    shares: &[Decimal],
) -> Vec<CreditLine> {
    let Value::Money(m) = amount else {
        return Vec::new();
    };
    let places = m.currency.minor_unit();
    let parts = allocate(m.amount, shares, places, ctx.rt.rounding);
    let unit = Decimal::new(1, places);
    payees
        .iter()
        .zip(shares)
        .zip(parts)
        .map(|((p, s), part)| {
            let exact = m.amount * *s;
            let down = exact
                .abs()
                .round_dp_with_strategy(places, RoundingStrategy::ToZero)
                * if exact.is_sign_negative() {
                    -Decimal::ONE
                } else {
                    Decimal::ONE
                };
            let extra = ((part - down) / unit).abs();
            let extra = i64::try_from(extra.trunc().mantissa()).unwrap_or(0);
            CreditLine {
                payee: ctx.show(p),
                share: format!("{}%", crate::display::normalized(*s * Decimal::ONE_HUNDRED)),
                exact: format!("{} {}", crate::display::normalized(exact), m.currency),
                rounded_down: format!(
                    "{:.*} {}",
                    places as usize,
                    round(down, places, ctx.rt.rounding),
                    m.currency
                ),
                extra_cents: extra,
                amount: format!("{:.*} {}", places as usize, part, m.currency),
            }
        })
        .collect()
}
