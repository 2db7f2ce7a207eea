//! Reports (spec §2.8): `from`, `where`, `group by` with aggregates,
//! `columns`, stable `order by` (output names first), `limit`, `totals`.

mod groups;
mod numbered;
mod streamed;

use super::parallel::{self, in_ranges};
use super::Engine;
use crate::compile::{Answers, CodeTest, Compiler};
use crate::error::EvalError;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::{Column, Store, Table};
use crate::value::{compare, RowRef, TableView, Value};
use groups::{GroupKey, Groups};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;
use streamed::{Acc, Stream};
use tally_check::{DeclRef, TableId};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

struct Compiled {
    input: TableId,
    source: Eval,
    wheres: Vec<Eval>,
    /// Each `where`, when it is answered by code (see [`CodeTest`]).
    wheres_by_code: Vec<Option<CodeTest>>,
    keys: Vec<(usize, GroupKey)>,
    columns: Vec<(usize, Eval)>,
    /// The columns aggregated in one pass over the rows (grouped reports).
    streams: Vec<Option<Stream>>,
    order: Vec<(Eval, bool)>,
    /// Every `order by` key is a name (an output column, a group key): it
    /// reads no group's rows.
    order_by_names: bool,
    limit: Option<Eval>,
    totals: bool,
    grouped: bool,
    slots: usize,
}

/// The span that names a report column (the explicit name or the bare name).
fn name_span(n: &NamedExpr) -> Span {
    match (&n.name, &n.value.kind) {
        (Some(id), _) => id.span,
        (None, ExprKind::Name(id)) => id.span,
        _ => n.span,
    }
}

fn compile(engine: &Engine, id: TableId, report: &Report) -> Result<Option<Compiled>, EvalError> {
    let program = engine.program;
    let ReportClauses {
        from,
        wheres,
        group,
        columns,
        order,
        limit,
        totals,
        ..
    } = report.clauses();
    let Some(from) = from else { return Ok(None) };
    let Some(input) = program.types.get(&from.span).and_then(|t| t.table_id()) else {
        return Ok(None);
    };
    let mut c = Compiler::new(program);
    c.push_locals();
    let source = c.expr(from)?;
    let depth = c.push_row(input);
    debug_assert_eq!(depth, 0);
    let wheres_by_code = wheres
        .iter()
        // (the reference evaluation tests each as compiled)
        .map(|w| c.code_test(w).filter(|_| !engine.plain))
        .collect();
    let wheres = wheres
        .iter()
        .map(|w| c.expr(w))
        .collect::<Result<Vec<_>, _>>()?;
    let mut keys = Vec::new();
    for k in group.unwrap_or(&[]) {
        let e = GroupKey::new(program, &k.value, input, c.expr(&k.value)?);
        keys.push((e, name_span(k)));
    }
    c.pop();
    let grouped = group.is_some();
    c.push_locals();
    let keys: Vec<(usize, GroupKey)> = keys
        .into_iter()
        .map(|(e, span)| (c.bind(span), e))
        .collect();
    if grouped {
        c.push_group(input);
    } else {
        c.push_row(input);
    }
    let mut cols = Vec::new();
    let mut streams = Vec::new();
    match columns {
        Some(list) => {
            for n in list {
                let e = c.expr(&n.value)?;
                cols.push((e, name_span(n)));
                streams.push(
                    grouped
                        .then(|| Stream::of(program, &n.value, input))
                        .flatten(),
                );
            }
        }
        None if !grouped => {
            // Every input column, as the checker listed them.
            if let Some(info) = program.table(id) {
                for col in &info.columns {
                    let input_info = program.table(input);
                    let Some(ci) = input_info.and_then(|t| t.column(&col.name)) else {
                        continue;
                    };
                    let e: Eval = Arc::new(move |rt: &Runtime, f: &mut Frame| {
                        let r = f.rows.first().copied();
                        Ok(r.map(|r| rt.store.cell(r, ci).into_owned())
                            .unwrap_or(Value::None))
                    });
                    cols.push((e, col.span.unwrap_or_default()));
                }
            }
        }
        None => {}
    }
    c.push_locals();
    let cols: Vec<(usize, Eval)> = cols
        .into_iter()
        .map(|(e, span)| (c.bind(span), e))
        .collect();
    let order_by_names = order
        .unwrap_or(&[])
        .iter()
        .all(|k| matches!(k.value.kind, ExprKind::Name(_)));
    let order = order
        .unwrap_or(&[])
        .iter()
        .map(|k| Ok((c.expr(&k.value)?, k.dir == Some(SortDir::Desc))))
        .collect::<Result<Vec<_>, EvalError>>()?;
    let limit = limit.map(|l| c.expr(l)).transpose()?;
    Ok(Some(Compiled {
        input,
        source,
        wheres,
        wheres_by_code,
        keys,
        columns: cols,
        streams,
        order,
        order_by_names,
        limit,
        totals: totals.is_some(),
        grouped,
        slots: c.slots(),
    }))
}

/// Sort key of a value: references sort by their key, none last.
fn sort_value(v: Value, store: &Store) -> Value {
    match v {
        Value::Row(r) => store.row_key(r).map_or(Value::None, Cow::into_owned),
        v => v,
    }
}

/// Input rows whose first filter, answered by code, is tested at once.
const FILTER_CHUNK: usize = 1 << 16;

/// Computes the table of report `r`.
pub(crate) fn run(
    engine: &Engine,
    store: &Store,
    id: TableId,
    r: DeclRef,
) -> Result<Table, EvalError> {
    let program = engine.program;
    let mut table = super::empty_table(program, id);
    let Some(DeclKind::Report(report)) = program.decl(r).map(|d| &d.kind) else {
        return Ok(table);
    };
    let Some(mut c) = compile(engine, id, report)? else {
        return Ok(table);
    };
    // (the reference evaluation groups by the values themselves)
    if !engine.plain {
        for (_, key) in &mut c.keys {
            key.by_reference(program, store);
        }
    }
    let rt = engine.runtime(store);
    let mut frame = Frame::with_slots(c.slots);
    let view = match (c.source)(&rt, &mut frame)? {
        Value::Table(v) => v,
        _ => Arc::new(TableView {
            table: c.input,
            rows: None,
        }),
    };
    // The input rows: a view's list, or every row of the table (not
    // listed: a `credits` table has millions).
    let listed = view.rows.as_deref();
    let input_len = listed.map_or(store.table(view.table).len, <[u32]>::len);
    let input_row = |i: usize| match listed {
        Some(rows) => rows.get(i).copied(),
        None => u32::try_from(i).ok(),
    };
    rt.step(input_len as u64, report.name.span)?;
    // The rows that pass the filters, and (grouped) their groups in the
    // order of their first rows: per range of the input, on as many
    // threads as the engine allows, then merged in range order.
    // Streamed columns need each kept row's group (not in the reference
    // evaluation, which evaluates every column on each group's rows).
    let streaming = c.grouped && !rt.plain && c.streams.iter().any(Option::is_some);
    // When every column is streamed and every order key is a name, the
    // streams run in the same pass, and no group's rows are listed.
    let mut one_pass = streaming && c.streams.iter().all(Option::is_some) && c.order_by_names;
    // Each stream's column, and whether its references come in order.
    let input = store.table(c.input);
    let sources: Vec<(Stream, Option<&Column>, bool)> = if one_pass {
        c.streams
            .iter()
            .flatten()
            .filter_map(|s| {
                let column = match s.column() {
                    Some(c) => Some(input.columns.get(c)?),
                    None => None,
                };
                let in_order = matches!(s, Stream::CountDistinct(_))
                    && column.is_some_and(|column| in_order(engine, column, input_len, &input_row));
                Some((*s, column, in_order))
            })
            .collect()
    } else {
        Vec::new()
    };
    one_pass &= sources.len() == c.streams.len();
    let pass = |one_pass: bool| {
        let parts = in_ranges(engine, input_len, parallel::ROWS, |range| {
            let mut frame = Frame::with_slots(c.slots);
            let mut part = Filtered::default();
            let mut values = Vec::with_capacity(c.keys.len());
            let mut answers: Vec<Answers> = c.wheres.iter().map(|_| Answers::default()).collect();
            // (the reference evaluation finds every group by its values)
            let mut numbering = (!rt.plain)
                .then(|| numbered::Numbering::new(&c.keys, store, view.table))
                .flatten();
            // A first filter answered by code is tested on a chunk of
            // rows at a time, in one tight loop over their codes, when the
            // input is the whole table; the other filters row by row.
            let first_by_code = match (listed, c.wheres_by_code.first()) {
                (None, Some(Some(test))) if !rt.plain => Some(test),
                _ => None,
            };
            let mut passing: Vec<u32> = Vec::new();
            let mut next = range.start;
            while next < range.end {
                let chunk = next..next.saturating_add(FILTER_CHUNK).min(range.end);
                next = chunk.end;
                passing.clear();
                match (first_by_code, answers.first_mut()) {
                    (Some(test), Some(answers)) => {
                        test.rows_passing(store, view.table, chunk, answers, &mut passing);
                    }
                    _ => passing.extend(chunk.filter_map(input_row)),
                }
                for &row in &passing {
                    let at = RowRef {
                        table: view.table,
                        row,
                    };
                    frame.rows.clear();
                    frame.rows.push(at);
                    let mut ok = true;
                    let each = c.wheres.iter().zip(&c.wheres_by_code).zip(&mut answers);
                    let tested = usize::from(first_by_code.is_some());
                    for ((w, by_code), answers) in each.skip(tested) {
                        let holds = match by_code {
                            Some(test) => test.holds(store, at, answers),
                            None => matches!(w(&rt, &mut frame)?, Value::Bool(true)),
                        };
                        if !holds {
                            ok = false;
                            break;
                        }
                    }
                    if !ok {
                        continue;
                    }
                    if !one_pass {
                        part.kept.push(row);
                    } else if c.totals {
                        part.add_total(&sources, row);
                    }
                    if !c.grouped {
                        continue;
                    }
                    let g = match &mut numbering {
                        Some(numbering) => numbering.group(
                            &rt,
                            &mut frame,
                            &c.keys,
                            at,
                            &mut part.groups,
                            &mut values,
                        )?,
                        None => part.groups.group_by_values(
                            &rt,
                            &mut frame,
                            &c.keys,
                            at,
                            &mut values,
                        )?,
                    };
                    if one_pass {
                        part.add(&sources, g, row);
                    } else {
                        part.groups.push_row(g, row);
                        if streaming {
                            part.group_of.push(u32::try_from(g).unwrap_or(u32::MAX));
                        }
                    }
                }
            }
            Ok(part)
        })?;
        let mut all = Filtered::default();
        for part in parts {
            all.append(part);
        }
        Ok::<_, EvalError>(all)
    };
    // (the steps taken before the first pass: a second pass takes its
    // place, and counts its steps again from there)
    let steps_before = rt.steps.load(std::sync::atomic::Ordering::Relaxed);
    let mut filtered = pass(one_pass)?;
    // The totals row's streamed columns, when made in the pass.
    let mut totals: Vec<Option<Value>> = Vec::new();
    // (output row, sort keys)
    let mut rows: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    if c.grouped {
        let mut streamed = if one_pass {
            filtered.finish(c.streams.len())
        } else {
            vec![None; c.streams.len()]
        };
        if one_pass && c.totals {
            totals = filtered.finish_totals(c.streams.len());
        }
        let complete = streamed.iter().all(|per_group| {
            per_group.as_ref().is_some_and(|values| {
                values.len() == filtered.groups.len() && values.iter().all(Option::is_some)
            })
        }) && (!c.totals || totals.iter().all(Option::is_some));
        if one_pass && !complete {
            // A group the streams could not total: its rows are read by
            // the column's expression, so the input is filtered again
            // with every group's rows listed. (With a step limit there is
            // one thread, and this pass's steps replace the first's.)
            rt.steps
                .store(steps_before, std::sync::atomic::Ordering::Relaxed);
            filtered = pass(false)?;
            one_pass = false;
        }
        if streaming && !one_pass {
            streamed = c
                .streams
                .iter()
                .map(|s| {
                    s.map(|s| {
                        s.run(
                            store.table(c.input),
                            &filtered.kept,
                            &filtered.group_of,
                            filtered.groups.len(),
                        )
                    })
                })
                .collect();
        }
        let groups = std::mem::take(&mut filtered.groups);
        let groups: Vec<(Vec<Value>, Arc<[u32]>)> = groups
            .into_list()
            .map(|(values, rows)| {
                let values = values
                    .into_iter()
                    .zip(&c.keys)
                    .map(|(v, (_, key))| key.listed(v, store))
                    .collect();
                (values, rows.into())
            })
            .collect();
        let parts = in_ranges(engine, groups.len(), parallel::ITEMS, |range| {
            let mut frame = Frame::with_slots(c.slots);
            let mut out = Vec::with_capacity(range.len());
            for (g, (values, members)) in
                groups.iter().enumerate().take(range.end).skip(range.start)
            {
                frame.rows.clear();
                frame.group = Some(members.clone());
                for ((slot, _), v) in c.keys.iter().zip(values) {
                    frame.set(*slot, v.clone());
                }
                let known = |column: usize| {
                    streamed
                        .get(column)
                        .and_then(Option::as_ref)
                        .and_then(|per_group| per_group.get(g))
                        .cloned()
                        .flatten()
                };
                out.push(output_row(&c, &rt, &mut frame, values.clone(), known)?);
            }
            Ok(out)
        })?;
        rows.extend(parts.into_iter().flatten());
    } else {
        let kept = &filtered.kept;
        let parts = in_ranges(engine, kept.len(), parallel::ROWS, |range| {
            let mut frame = Frame::with_slots(c.slots);
            let mut out = Vec::with_capacity(range.len());
            for &row in kept.get(range).unwrap_or_default() {
                frame.rows.clear();
                frame.rows.push(RowRef {
                    table: view.table,
                    row,
                });
                out.push(output_row(&c, &rt, &mut frame, Vec::new(), |_| None)?);
            }
            Ok(out)
        })?;
        rows.extend(parts.into_iter().flatten());
    }
    if !c.order.is_empty() {
        let dirs: Vec<bool> = c.order.iter().map(|(_, d)| *d).collect();
        rows.sort_by(|a, b| {
            for ((x, y), desc) in a.1.iter().zip(&b.1).zip(&dirs) {
                let ord = match (x.is_none(), y.is_none()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ if *desc => compare(y, x),
                    _ => compare(x, y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
    }
    if let Some(limit) = &c.limit {
        frame.rows.clear();
        if let Value::Int(n) = limit(&rt, &mut frame)? {
            rows.truncate(usize::try_from(n.max(0)).unwrap_or(usize::MAX));
        }
    }
    for (row, _) in rows {
        table.push_row(row);
    }
    if c.totals && c.grouped {
        // Streamed columns total every kept row in one pass; the others
        // (and a total a stream cannot make) are their expressions over
        // all the kept rows.
        if !one_pass {
            totals = c
                .streams
                .iter()
                .map(|s| match s {
                    Some(s) if streaming => s.total(input, &filtered.kept),
                    _ => None,
                })
                .collect();
        }
        frame.rows.clear();
        frame.group = Some(std::mem::take(&mut filtered.kept).into());
        let mut keys = vec![Value::None; c.keys.len()];
        if let Some(first) = keys.first_mut() {
            *first = Value::text("Total");
        }
        for (slot, _) in &c.keys {
            frame.set(*slot, Value::None);
        }
        let known = |column: usize| totals.get(column).cloned().flatten();
        let (row, _) = output_row(&c, &rt, &mut frame, keys, known)?;
        table.push_row(row);
    }
    Ok(table)
}

/// What filtering (a range of) a report's input keeps.
#[derive(Default)]
struct Filtered {
    /// The rows kept, in input order (not listed by a report made in one
    /// pass without totals).
    kept: Vec<u32>,
    /// The groups, with their rows unless the report is made in one pass.
    groups: Groups,
    /// The group of each kept row, for the streams run after the pass.
    group_of: Vec<u32>,
    /// In one pass: each stream's running aggregate of each group (none
    /// once the group's value must be left to the column's expression).
    accs: Vec<Vec<Option<Acc>>>,
    /// In one pass with totals: each stream's running aggregate of every
    /// kept row (none as for `accs`).
    totals: Vec<Option<Acc>>,
}

impl Filtered {
    /// Adds `row`, in group `g`, to the aggregate of each stream
    /// (`sources`: the stream, its column, its references in order).
    fn add(&mut self, sources: &[(Stream, Option<&Column>, bool)], g: usize, row: u32) {
        if self.accs.len() < sources.len() {
            self.accs.resize_with(sources.len(), Vec::new);
        }
        for ((stream, column, in_order), per_group) in sources.iter().zip(&mut self.accs) {
            if per_group.len() <= g {
                per_group.resize_with(g + 1, || Some(stream.start(*in_order)));
            }
            if let Some(slot) = per_group.get_mut(g) {
                if !slot.as_mut().is_some_and(|acc| acc.add_row(*column, row)) {
                    *slot = None;
                }
            }
        }
    }

    /// Adds `row` to the totals of each stream (see [`Filtered::add`]).
    fn add_total(&mut self, sources: &[(Stream, Option<&Column>, bool)], row: u32) {
        if self.totals.len() < sources.len() {
            self.totals = sources
                .iter()
                .map(|(stream, _, in_order)| Some(stream.start(*in_order)))
                .collect();
        }
        for ((_, column, _), slot) in sources.iter().zip(&mut self.totals) {
            if !slot.as_mut().is_some_and(|acc| acc.add_row(*column, row)) {
                *slot = None;
            }
        }
    }

    /// Each of the `streams` streams' total (see [`Filtered::add_total`]);
    /// all none when no row was kept (the columns' expressions then give
    /// the totals).
    fn finish_totals(&mut self, streams: usize) -> Vec<Option<Value>> {
        let totals = std::mem::take(&mut self.totals);
        if totals.is_empty() {
            return vec![None; streams];
        }
        totals
            .into_iter()
            .map(|a| a.and_then(Acc::finish))
            .collect()
    }

    /// Adds what a later range kept.
    fn append(&mut self, later: Filtered) {
        if self.totals.is_empty() {
            self.totals = later.totals;
        } else if !later.totals.is_empty() {
            for (mine, theirs) in self.totals.iter_mut().zip(later.totals) {
                *mine = match (mine.take(), theirs) {
                    (Some(mut a), Some(b)) => a.merge(b).then_some(a),
                    _ => None,
                };
            }
        }
        self.kept.extend(later.kept);
        let became = self.groups.merge(later.groups);
        let to = |g: usize| became.get(g).map_or(usize::MAX, |t| *t as usize);
        self.group_of.extend(
            later
                .group_of
                .into_iter()
                .map(|g| u32::try_from(to(g as usize)).unwrap_or(u32::MAX)),
        );
        if self.accs.len() < later.accs.len() {
            self.accs.resize_with(later.accs.len(), Vec::new);
        }
        for (mine, theirs) in self.accs.iter_mut().zip(later.accs) {
            for (g, acc) in theirs.into_iter().enumerate() {
                let to = to(g);
                if to >= mine.len() {
                    mine.resize_with(to + 1, || None);
                    if let Some(slot) = mine.get_mut(to) {
                        *slot = acc;
                    }
                    continue;
                }
                if let Some(slot) = mine.get_mut(to) {
                    let merged = match (slot.take(), acc) {
                        (Some(mut a), Some(b)) => a.merge(b).then_some(a),
                        _ => None,
                    };
                    *slot = merged;
                }
            }
        }
    }

    /// Each of the `streams` streams' value of each group (see
    /// [`Acc::finish`]).
    fn finish(&mut self, streams: usize) -> Vec<Option<Vec<Option<Value>>>> {
        let mut accs = std::mem::take(&mut self.accs).into_iter();
        (0..streams)
            .map(|_| {
                let per_group = accs.next().unwrap_or_default();
                Some(
                    per_group
                        .into_iter()
                        .map(|a| a.and_then(Acc::finish))
                        .collect(),
                )
            })
            .collect()
    }
}

/// True when the references of `column` on the input rows come in order
/// (see [`streamed::ascending`]): each range of the input is read on a
/// thread of its own, and the ranges must follow one another in order.
fn in_order(
    engine: &Engine,
    column: &Column,
    input_len: usize,
    input_row: &(impl Fn(usize) -> Option<u32> + Sync),
) -> bool {
    let parts = in_ranges(engine, input_len, parallel::ROWS, |range| {
        Ok(streamed::ascending_ends(
            column,
            range.filter_map(input_row),
        ))
    });
    let Ok(parts) = parts else { return false };
    parallel::ends_in_order(parts, |last: &RowRef, first: &RowRef| {
        last.table == first.table && last.row <= first.row
    })
}

/// Computes one output row (keys first) and its sort keys; `known` gives
/// the columns already computed (streamed), by their index.
fn output_row(
    c: &Compiled,
    rt: &Runtime,
    frame: &mut Frame,
    mut values: Vec<Value>,
    known: impl Fn(usize) -> Option<Value>,
) -> Result<(Vec<Value>, Vec<Value>), EvalError> {
    for (i, (slot, e)) in c.columns.iter().enumerate() {
        let v = match known(i) {
            Some(v) => v,
            None => e(rt, frame)?,
        };
        frame.set(*slot, v.clone());
        values.push(v);
    }
    let mut sort = Vec::with_capacity(c.order.len());
    for (e, _) in &c.order {
        sort.push(sort_value(e(rt, frame)?, rt.store));
    }
    Ok((values, sort))
}
