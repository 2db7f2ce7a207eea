//! Plans (spec §2.7): the grain from the `for` lines, then the metrics in
//! order, one row per combination.

use super::Engine;
use crate::compile::calls::view_rows;
use crate::compile::Compiler;
use crate::error::EvalError;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::{Store, Table};
use crate::value::{RowRef, Value};
use tally_check::{DeclRef, TableId};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

struct Loop {
    slot: usize,
    source: Eval,
    /// For a table source: the filter runs with the row at `frame.rows[depth]`.
    filter: Option<(Eval, Option<usize>)>,
}

/// Computes the table of plan `r`.
pub(crate) fn run(
    engine: &Engine,
    store: &Store,
    id: TableId,
    r: DeclRef,
) -> Result<Table, EvalError> {
    let program = engine.program;
    let mut table = super::empty_table(program, id);
    let Some(DeclKind::Plan(plan)) = program.decl(r).map(|d| &d.kind) else {
        return Ok(table);
    };
    let mut compiler = Compiler::new(program);
    compiler.push_locals();
    let mut loops = Vec::new();
    let mut metrics: Vec<(usize, Eval, Span)> = Vec::new();
    for item in &plan.items {
        match item {
            PlanItem::For(f) => {
                let source = compiler.expr(&f.source)?;
                let table_source = compiler.type_of(f.source.span).table_id();
                let slot = compiler.bind(f.var.span);
                let filter = match (&f.filter, table_source) {
                    (Some(flt), Some(t)) => {
                        let depth = compiler.push_row(t);
                        let e = compiler.expr(flt);
                        compiler.pop();
                        Some((e?, Some(depth)))
                    }
                    (Some(flt), None) => Some((compiler.expr(flt)?, None)),
                    _ => None,
                };
                loops.push(Loop {
                    slot,
                    source,
                    filter,
                });
            }
            PlanItem::Metric(m) => {
                let e = compiler.expr(&m.value)?;
                let slot = compiler.bind(m.name.span);
                metrics.push((slot, e, m.name.span));
            }
        }
    }
    let rt = engine.runtime(store);
    let slots = compiler.slots() + 1;
    let mut frame = Frame::with_slots(slots);
    let mut out_slots: Vec<usize> = loops.iter().map(|l| l.slot).collect();
    out_slots.extend(metrics.iter().map(|m| m.0));
    let Some(outer) = loops.first() else {
        expand(
            &rt,
            &mut frame,
            &loops,
            0,
            &metrics,
            &out_slots,
            &mut table,
            engine,
            plan.name.span,
        )?;
        return Ok(table);
    };
    // The values of the outer loop are spread over threads; each range
    // expands the inner loops and metrics into its own rows.
    let values = loop_values(&rt, &mut frame, outer)?;
    let parts =
        super::parallel::in_ranges(engine, values.len(), super::parallel::ITEMS, |range| {
            let mut part = super::empty_table(program, id);
            let mut frame = Frame::with_slots(slots);
            for v in values.get(range).unwrap_or_default() {
                frame.set(outer.slot, v.clone());
                expand(
                    &rt,
                    &mut frame,
                    &loops,
                    1,
                    &metrics,
                    &out_slots,
                    &mut part,
                    engine,
                    plan.name.span,
                )?;
            }
            Ok(part)
        })?;
    let threads = engine.threads_for(table.columns.len(), 1);
    for part in parts {
        table.append_on(part, threads);
    }
    Ok(table)
}

/// The values of loop `l` in the current frame, filtered.
fn loop_values(rt: &Runtime, frame: &mut Frame, l: &Loop) -> Result<Vec<Value>, EvalError> {
    let source = (l.source)(rt, frame)?;
    let candidates: Vec<Value> = match &source {
        Value::Table(view) => view_rows(rt, view)
            .iter()
            .map(|&row| {
                Value::Row(RowRef {
                    table: view.table,
                    row,
                })
            })
            .collect(),
        Value::List(items) => items.to_vec(),
        Value::None => Vec::new(),
        other => vec![other.clone()],
    };
    let Some((filter, depth)) = &l.filter else {
        return Ok(candidates);
    };
    let mut kept = Vec::new();
    for v in candidates {
        frame.set(l.slot, v.clone());
        let saved = frame.rows.len();
        if let (Some(d), Value::Row(r)) = (depth, &v) {
            frame.rows.truncate(*d);
            frame.rows.push(*r);
        }
        let holds = matches!(filter(rt, frame)?, Value::Bool(true));
        frame.rows.truncate(saved);
        if holds {
            kept.push(v);
        }
    }
    Ok(kept)
}

#[allow(
    clippy::too_many_arguments,
    reason = "recursive helper carrying the plan's pieces"
)]
fn expand(
    rt: &Runtime,
    frame: &mut Frame,
    loops: &[Loop],
    level: usize,
    metrics: &[(usize, Eval, Span)],
    out_slots: &[usize],
    table: &mut Table,
    engine: &Engine,
    span: Span,
) -> Result<(), EvalError> {
    let Some(l) = loops.get(level) else {
        rt.step(1, span)?;
        for (slot, e, _) in metrics {
            let v = e(rt, frame).map_err(|err| {
                err.at_row(|| {
                    let vars: Vec<String> = loops
                        .iter()
                        .map(|l| {
                            crate::display::plain(
                                frame.slots.get(l.slot).unwrap_or(&Value::None),
                                rt.store,
                            )
                        })
                        .collect();
                    format!("plan `{}` row {}", table.name, vars.join(", "))
                })
            })?;
            frame.set(*slot, v);
        }
        let row: Vec<Value> = out_slots
            .iter()
            .map(|s| frame.slots.get(*s).cloned().unwrap_or(Value::None))
            .collect();
        table.push_row(row);
        return engine.check_output(table.len, &table.name, span);
    };
    for v in loop_values(rt, frame, l)? {
        frame.set(l.slot, v);
        expand(
            rt,
            frame,
            loops,
            level + 1,
            metrics,
            out_slots,
            table,
            engine,
            span,
        )?;
    }
    Ok(())
}
