//! Crediting (spec §2.6): role groups, exact allocation, rollups.

use super::assign::{build_index, choose, CompiledArm};
use super::{row_label, Engine};
use crate::compile::{Answers, CodeTest, Compiler};
use crate::error::{codes, EvalError};
use crate::money::{allocate, Money};
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::{Store, Table};
use crate::value::{RowRef, Value};
use rust_decimal::Decimal;
use smallvec::SmallVec;
use std::sync::Arc;
use tally_check::{ColumnOrigin, DeclRef, TableId, Type};
use tally_diagnostics::Span;
use tally_syntax::ast::*;
use writer::Writer;

mod writer;

/// Column order of the `credits` table.
pub const CREDIT_COLUMNS: [&str; 7] = ["deal", "payee", "role", "rule", "share", "amount", "date"];

struct CompiledGets {
    payee: Eval,
    share: Eval,
    span: Span,
}

struct CompiledGroup {
    name: Arc<str>,
    /// The group's name as the `role` of its credits.
    role: Value,
    /// Each rule's label as the `rule` of its credits.
    labels: Vec<Value>,
    hit: HitPolicy,
    arms: Vec<CompiledArm>,
    payees: Vec<Vec<CompiledGets>>,
    when_exprs: Vec<Option<Expr>>,
}

enum Step {
    Group(CompiledGroup),
    Rollup {
        group: Arc<str>,
        via: Option<usize>,
        role: Value,
        /// `rollup of revenue via manager`: the rule of the rows it adds.
        rule: Value,
        span: Span,
    },
}

struct CompiledBlock {
    filter: Option<Eval>,
    /// The filter, when it is answered by code (see [`CodeTest`]).
    filter_by_code: Option<CodeTest>,
    on: Eval,
    amount: Eval,
    steps: Vec<Step>,
    slots: usize,
}

fn compile_block(
    engine: &Engine,
    r: DeclRef,
    credited: TableId,
) -> Result<Option<CompiledBlock>, EvalError> {
    let program = engine.program;
    let Some(DeclKind::Credit(c)) = program.decl(r).map(|d| &d.kind) else {
        return Ok(None);
    };
    let mut compiler = Compiler::new(program);
    compiler.push_row(credited);
    compiler.push_locals();
    let filter = c.filter.as_ref().map(|f| compiler.expr(f)).transpose()?;
    // (the reference evaluation tests the filter as compiled)
    let filter_by_code = c
        .filter
        .as_ref()
        .filter(|_| !engine.plain)
        .and_then(|f| compiler.code_test(f));
    let on = compiler.expr(&c.on)?;
    let mut amount: Option<Eval> = None;
    let mut steps = Vec::new();
    let payee_table = program.credit.as_ref().and_then(|c| c.payees);
    for item in &c.items {
        match item {
            CreditItem::Let(l) => {
                // Computed when a rule first reads it (see
                // `Compiler::bind_computed_when_read`).
                let value = compiler.expr(&l.value)?;
                compiler.bind_computed_when_read(l.name.span, value);
            }
            CreditItem::Setting(s) => amount = Some(compiler.expr(&s.value)?),
            CreditItem::Group(g) => {
                let mut arms = Vec::new();
                let mut payees = Vec::new();
                for arm in &g.arms {
                    arms.push(CompiledArm::new(&mut compiler, arm, engine.plain)?);
                    let mut list = Vec::new();
                    for gets in &arm.then {
                        list.push(CompiledGets {
                            payee: compiler.expr(&gets.payee)?,
                            share: compiler.expr(&gets.share)?,
                            span: gets.span,
                        });
                    }
                    payees.push(list);
                }
                steps.push(Step::Group(CompiledGroup {
                    name: g.name.name.as_str().into(),
                    role: Value::text(&g.name.name),
                    labels: arms.iter().map(|a| Value::Text(a.label.clone())).collect(),
                    hit: g.hit,
                    arms,
                    payees,
                    when_exprs: g.arms.iter().map(|a| a.when.clone()).collect(),
                }));
            }
            CreditItem::Rollup(ru) => {
                let via = payee_table
                    .and_then(|t| program.table(t))
                    .and_then(|t| t.column(&ru.via.name));
                let via_name = via
                    .and_then(|v| payee_table.and_then(|t| program.table(t))?.columns.get(v))
                    .map(|c| c.name.as_str())
                    .unwrap_or_default();
                steps.push(Step::Rollup {
                    group: ru.group.name.as_str().into(),
                    via,
                    role: Value::text(&ru.role.name),
                    rule: Value::text(&format!("rollup of {} via {via_name}", ru.group.name)),
                    span: ru.span,
                });
            }
        }
    }
    let amount = match amount {
        Some(a) => a,
        None => {
            let info = program.table(credited);
            let col = info.and_then(|t| {
                t.columns.iter().position(|c| {
                    c.ty == Type::Money && matches!(c.origin, ColumnOrigin::Loaded { .. })
                })
            });
            let Some(col) = col else {
                return Err(EvalError::new(
                    codes::NONE_VALUE,
                    c.table.span,
                    "the credited table has no Money column",
                ));
            };
            std::sync::Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let row = f.rows.first().copied();
                Ok(row
                    .map(|r| rt.store.cell(r, col).into_owned())
                    .unwrap_or(Value::None))
            })
        }
    };
    Ok(Some(CompiledBlock {
        filter,
        filter_by_code,
        on,
        amount,
        steps,
        slots: compiler.slots(),
    }))
}

/// An empty `credits` table. Its deals and amounts are kept plain: a
/// deal's credits are few and its amounts split, so their values hardly
/// repeat (the other columns are coded: see [`crate::Column`]).
fn credits_table() -> Table {
    let mut table = Table::new("credits", &CREDIT_COLUMNS);
    for column in &mut table.columns {
        if column.name == "deal" || column.name == "amount" {
            *column = crate::Column::plain(std::mem::take(&mut column.name));
        }
    }
    table
}

/// Credited rows in one batch (see [`super::parallel::in_batches`]): a
/// thread takes the next batch when it is done with one.
const CREDIT_BATCH: usize = 1 << 15;

/// Credits per credited row that the parts of `credits` make room for
/// before they start (a part with more grows as vectors do).
const CREDITS_PER_ROW: usize = 3;

/// Buffers one thread reuses from deal to deal.
#[derive(Default)]
struct Scratch<'b> {
    /// The deal's credits so far.
    credits: Vec<Credit<'b>>,
    /// The managers above one payee.
    chain: Vec<RowRef>,
}

/// One credit row before it goes into the table (its role and rule are
/// the compiled block's values, written without a copy).
struct Credit<'b> {
    payee: RowRef,
    role: &'b Value,
    rule: &'b Value,
    share: Decimal,
    amount: Value,
}

/// Computes the `credits` table.
pub(crate) fn run(engine: &Engine, store: &Store, id: TableId) -> Result<Table, EvalError> {
    let _ = id;
    credit_in_batches(engine, store, CREDIT_BATCH)
}

/// [`run`], `batch` credited rows at a time.
fn credit_in_batches(engine: &Engine, store: &Store, batch: usize) -> Result<Table, EvalError> {
    let program = engine.program;
    let mut table = credits_table();
    let Some(info) = &program.credit else {
        return Ok(table);
    };
    let credited = info.credited;
    let mut blocks = Vec::new();
    for r in &info.blocks {
        if let Some(b) = compile_block(engine, *r, credited)? {
            blocks.push(b);
        }
    }
    let rt = engine.runtime(store);
    let indexes: Vec<Vec<Option<super::assign::RuleIndex>>> = blocks
        .iter()
        .map(|b| {
            b.steps
                .iter()
                .map(|s| match s {
                    Step::Group(_) if engine.plain => None,
                    Step::Group(g) => {
                        let whens: Vec<Option<&Expr>> =
                            g.when_exprs.iter().map(Option::as_ref).collect();
                        build_index(program, &rt, &whens)
                    }
                    _ => None,
                })
                .collect()
        })
        .collect();
    // Where a `credits` table past `max_output_rows` is reported: the
    // credited table's name in the first credit block.
    let credit_span = info
        .blocks
        .iter()
        .find_map(|r| match program.decl(*r).map(|d| &d.kind) {
            Some(DeclKind::Credit(c)) => Some(c.table.span),
            _ => None,
        })
        .unwrap_or_default();
    let n = store.table(credited).len;
    // Credits of the batches before (the output-row limit counts them all).
    let before = std::sync::atomic::AtomicUsize::new(0);
    let credit_range = |rows: std::ops::Range<usize>| {
        // Room for a few credits per row (a split, an overlay, the
        // managers above): room never written takes no memory. The
        // first part is the one the others are appended to, so it has
        // room for all of them, and joining the parts moves no rows.
        let room = if rows.start == 0 { n } else { rows.len() };
        let mut part = Writer::new(room.saturating_mul(CREDITS_PER_ROW), info.payees);
        let mut frames: Vec<Frame> = blocks.iter().map(|b| Frame::with_slots(b.slots)).collect();
        let mut scratch = Scratch::default();
        let mut answers: Vec<Answers> = blocks.iter().map(|_| Answers::default()).collect();
        for row in rows {
            let deal = RowRef {
                table: credited,
                row: u32::try_from(row).unwrap_or(u32::MAX),
            };
            let each = blocks
                .iter()
                .zip(&indexes)
                .zip(frames.iter_mut())
                .zip(answers.iter_mut());
            for (((block, idx), frame), answers) in each {
                credit_row(
                    engine,
                    &rt,
                    block,
                    idx,
                    frame,
                    deal,
                    &mut part,
                    &mut scratch,
                    answers,
                )
                .map_err(|e| e.at_row(|| row_label(store, deal)))?;
            }
            let earlier = before.load(std::sync::atomic::Ordering::Relaxed);
            engine.check_output(earlier + part.len(), "credits", credit_span)?;
        }
        Ok(part.finish())
    };
    // The parts are joined in order as they are made (a part is a copy of
    // its credits until then), on this thread while the others credit.
    super::parallel::in_batches(
        engine,
        n,
        super::parallel::ROWS,
        batch,
        credit_range,
        |part| {
            table.append_on(part, 1);
            before.store(table.len, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        },
    )?;
    Ok(table)
}

#[allow(
    clippy::too_many_arguments,
    reason = "the pieces of one deal's crediting"
)]
fn credit_row<'b>(
    engine: &Engine,
    rt: &Runtime,
    block: &'b CompiledBlock,
    indexes: &[Option<super::assign::RuleIndex>],
    frame: &mut Frame,
    deal: RowRef,
    part: &mut Writer,
    scratch: &mut Scratch<'b>,
    answers: &mut Answers,
) -> Result<(), EvalError> {
    rt.step(1, Span::default())?;
    if let Some(test) = &block.filter_by_code {
        if !test.holds(rt.store, deal, answers) {
            return Ok(());
        }
    }
    frame.reset();
    frame.rows.push(deal);
    if let Some(filter) = block
        .filter
        .as_ref()
        .filter(|_| block.filter_by_code.is_none())
    {
        if !matches!(filter(rt, frame)?, Value::Bool(true)) {
            return Ok(());
        }
    }
    let date = (block.on)(rt, frame)?;
    let amount = (block.amount)(rt, frame)?;
    let Scratch { credits, chain } = scratch;
    credits.clear();
    for (step, index) in block.steps.iter().zip(indexes) {
        match step {
            Step::Group(g) => {
                credit_group(engine, rt, frame, g, index.as_ref(), deal, &amount, credits)?
            }
            Step::Rollup {
                group,
                via,
                role,
                rule,
                span,
            } => {
                let Some(via) = via else { continue };
                // The credits added go after the deal's credits so far,
                // in their order (the ones added are not rolled up again).
                let before = credits.len();
                for k in 0..before {
                    let Some(c) = credits.get(k) else { break };
                    if !matches!(c.role, Value::Text(t) if t == group) {
                        continue;
                    }
                    let (payee, share, amount) = (c.payee, c.share, c.amount.clone());
                    chain.clear();
                    chain.push(payee);
                    let mut cur = payee;
                    while let Some(manager) = rt.store.row_at(cur, *via) {
                        if chain.contains(&manager) {
                            chain.push(manager);
                            let names: Vec<String> =
                                chain.iter().map(|r| rt.store.key_text(*r)).collect();
                            return Err(EvalError::new(
                                codes::ROLLUP_CYCLE,
                                *span,
                                format!(
                                    "the `{}` chain loops: {}",
                                    via_name(rt, *via),
                                    names.join(" → ")
                                ),
                            )
                            .help("fix the data so every chain ends at a rep without a manager"));
                        }
                        if let Some(max) = engine.limits.max_rollup_depth {
                            if chain.len() > max {
                                return Err(EvalError::new(
                                    codes::LIMIT,
                                    *span,
                                    format!("a rollup chain is longer than {max} levels (the `max_rollup_depth` limit)"),
                                )
                                .help("raise `Limits::max_rollup_depth` given to the evaluation, or shorten the chain in the data"));
                            }
                        }
                        chain.push(manager);
                        credits.push(Credit {
                            payee: manager,
                            role,
                            rule,
                            share,
                            amount: amount.clone(),
                        });
                        cur = manager;
                    }
                }
            }
        }
    }
    part.write(deal, &date, credits);
    credits.clear();
    Ok(())
}

fn via_name(rt: &Runtime, via: usize) -> String {
    rt.program
        .credit
        .as_ref()
        .and_then(|c| c.payees)
        .and_then(|t| rt.program.table(t))
        .and_then(|t| t.columns.get(via))
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

#[allow(
    clippy::too_many_arguments,
    reason = "the pieces of one deal's crediting"
)]
fn credit_group<'b>(
    engine: &Engine,
    rt: &Runtime,
    frame: &mut Frame,
    g: &'b CompiledGroup,
    index: Option<&super::assign::RuleIndex>,
    deal: RowRef,
    amount: &Value,
    credits: &mut Vec<Credit<'b>>,
) -> Result<(), EvalError> {
    let chosen: SmallVec<[usize; 4]> = if g.hit == HitPolicy::AllMatch {
        let mut all = SmallVec::new();
        for (i, arm) in g.arms.iter().enumerate() {
            let holds = match &arm.when {
                Some(_) => arm.holds(rt, frame, deal)?,
                None => all.is_empty(),
            };
            if holds {
                all.push(i);
            }
        }
        all
    } else {
        let mut one = SmallVec::new();
        if let Some(i) = choose(rt, frame, &g.arms, g.hit, index, deal)? {
            one.push(i);
        }
        one
    };
    for i in chosen {
        let (Some(arm), Some(list)) = (g.arms.get(i), g.payees.get(i)) else {
            continue;
        };
        engine.fired(arm.span);
        let mut payees: SmallVec<[RowRef; 4]> = SmallVec::new();
        let mut shares: SmallVec<[Decimal; 4]> = SmallVec::new();
        for gets in list {
            let payee = (gets.payee)(rt, frame)?;
            let Value::Row(p) = payee else {
                return Err(EvalError::new(
                    codes::NONE_PAYEE,
                    gets.span,
                    format!(
                        "rule \"{}\" of `{}` credits a payee that is none",
                        arm.label, g.name
                    ),
                )
                .related(arm.span, "the rule that matched")
                .help(
                    "add a condition such as `when ... is some` to the rule, or a fallback payee",
                ));
            };
            let share = (gets.share)(rt, frame)?.as_decimal().unwrap_or_default();
            payees.push(p);
            shares.push(share);
        }
        let rule = g.labels.get(i).unwrap_or(&Value::None);
        let credit = |(payee, share): (&RowRef, &Decimal), amount: Value| Credit {
            payee: *payee,
            role: &g.role,
            rule,
            share: *share,
            amount,
        };
        let credited = payees.iter().zip(&shares);
        match amount {
            Value::Money(m) => {
                let parts = allocate(m.amount, &shares, m.currency.minor_unit(), rt.rounding);
                credits.extend(
                    credited
                        .zip(parts)
                        .map(|(to, part)| credit(to, Value::Money(Money::new(part, m.currency)))),
                );
            }
            Value::None => {
                return Err(EvalError::new(
                    codes::NONE_VALUE,
                    arm.span,
                    "the credited amount is none",
                )
                .help("every credited row needs an amount"));
            }
            other => {
                let d = other.as_decimal().unwrap_or_default();
                credits.extend(credited.map(|to| credit(to, Value::Decimal(d * *to.1))));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use crate::money::Currency;
    use crate::runtime::Limits;
    use chrono::NaiveDate;

    const POLICY: &str = r#"
table reps {
  id: Text key
  manager: reps?
}

table deals {
  id: Text key
  owner: reps
  amount: Money
  closed: Date
}

credit deals on closed {
  revenue (first match) {
    otherwise owner gets 100%
  }
  rollup revenue via manager as manager
}
"#;

    /// Ten deals of R-2, whose manager is R-1: two credits each.
    fn store(program: &tally_check::Program) -> Store {
        let (reps, deals) = (
            program.table_named("reps").unwrap(),
            program.table_named("deals").unwrap(),
        );
        let mut store = Store::with_tables(program.tables.len());
        let mut people = Table::new("reps", &["id", "manager"]);
        people.push_refs([&Value::text("R-1"), &Value::None]);
        people.push_refs([
            &Value::text("R-2"),
            &Value::Row(RowRef {
                table: reps,
                row: 0,
            }),
        ]);
        store.set(reps, people);
        let mut sold = Table::new("deals", &["id", "owner", "amount", "closed"]);
        let closed = Value::Date(NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        for d in 0..10 {
            sold.push_refs([
                &Value::text(&format!("D-{d}")),
                &Value::Row(RowRef {
                    table: reps,
                    row: 1,
                }),
                &Value::Money(Money::new(Decimal::new(100, 0), Currency(*b"USD"))),
                &closed,
            ]);
        }
        store.set(deals, sold);
        store
    }

    /// The output-row limit counts the credits of earlier batches: the
    /// credits of ten deals fail a limit under 20 however the deals are
    /// batched, and fit one of 20 whatever the batches.
    #[test]
    fn the_output_limit_counts_the_credits_of_every_batch() {
        let program = tally_check::check_source("p.tally", POLICY, &tally_check::NoImports).program;
        let store = store(&program);
        for max in [3, 15, 16, 19, 20, 25] {
            let limits = Limits {
                max_output_rows: Some(max),
                ..Limits::default()
            };
            let engine = Engine::new(&program, limits).unwrap();
            for batch in [1, 3, 4, 10, 100] {
                let credits = credit_in_batches(&engine, &store, batch);
                match credits {
                    Ok(t) => {
                        assert!(max >= 20, "limit {max}, batches of {batch}: no error");
                        assert_eq!(t.len, 20, "batches of {batch}");
                    }
                    Err(e) => {
                        assert!(max < 20, "limit {max}, batches of {batch}: {}", e.message);
                        assert!(e.message.contains("max_output_rows"), "{}", e.message);
                    }
                }
            }
        }
    }
}
