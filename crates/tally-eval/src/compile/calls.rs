//! Compiling calls: table methods, territory methods, report aggregates,
//! functions written in Tally, and native built-ins.

use super::sum::MoneySum;
use super::{constant, internal, to_decimal, Compiler};
use crate::calendar;
use crate::error::{codes, EvalError};
use crate::money::{round, Money};
use crate::ops;
use crate::runtime::{Eval, Frame, Runtime};
use crate::value::{compare, Key, RowRef, TableView, Value};
use chrono::Months;
use rust_decimal::Decimal;
use std::borrow::{Borrow, Cow};
use std::sync::Arc;
use tally_check::{Resolution, TableId, Type};
use tally_diagnostics::Span;
use tally_syntax::ast::*;
use tally_syntax::literal::PeriodPart;

/// The rows of a table view, in order.
pub(crate) fn view_rows<'v>(rt: &Runtime, view: &'v TableView) -> std::borrow::Cow<'v, [u32]> {
    match &view.rows {
        Some(rows) => std::borrow::Cow::Borrowed(rows),
        None => {
            let n = u32::try_from(rt.store.table(view.table).len).unwrap_or(u32::MAX);
            std::borrow::Cow::Owned((0..n).collect())
        }
    }
}

/// The zero a `sum` over no rows gives, by result type.
fn zero_of(rt: &Runtime, ty: &Type) -> Value {
    match ty.strip_optional() {
        Type::Money => rt.zero_money(),
        Type::Int => Value::Int(0),
        Type::Percent => Value::Percent(Decimal::ZERO),
        _ => Value::Decimal(Decimal::ZERO),
    }
}

/// Folds values with an aggregate (`sum`, `avg`, `min`, `max`, `first`,
/// `count_distinct`, `only`).
pub(crate) fn aggregate(
    name: &str,
    values: Vec<Value>,
    rt: &Runtime,
    ty: &Type,
    span: Span,
) -> Result<Value, EvalError> {
    match name {
        "sum" | "avg" => {
            let n = values.len();
            let Some(total) = super::sum::sum(values.iter(), span, rt.store)? else {
                return Ok(if name == "sum" {
                    zero_of(rt, ty)
                } else {
                    Value::None
                });
            };
            if name == "sum" {
                return Ok(total);
            }
            let count = Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
            let avg = ops::arith(BinOp::Div, &total, &count, span, rt.store)?;
            Ok(match total {
                Value::Percent(_) => match avg {
                    Value::Decimal(d) => Value::Percent(d),
                    v => v,
                },
                _ => avg,
            })
        }
        "min" | "max" => {
            let mut best: Option<Value> = None;
            for v in values.into_iter().filter(|v| !v.is_none()) {
                best = Some(match best {
                    None => v,
                    Some(b) => {
                        let ord = compare(&v, &b);
                        let better = if name == "min" {
                            ord.is_lt()
                        } else {
                            ord.is_gt()
                        };
                        if better {
                            v
                        } else {
                            b
                        }
                    }
                });
            }
            Ok(best.unwrap_or(Value::None))
        }
        "count_distinct" => {
            if let Some(n) = distinct_references(values.iter()) {
                return Ok(n);
            }
            let mut set = crate::FastSet::<Key>::default();
            set.reserve(values.len());
            set.extend(values.iter().filter(|v| !v.is_none()).map(Key::of));
            Ok(Value::Int(i64::try_from(set.len()).unwrap_or(i64::MAX)))
        }
        "only" => {
            let n = values.len();
            let mut it = values.into_iter();
            match (it.next(), n) {
                (Some(v), 1) => Ok(v),
                _ => Err(EvalError::new(
                    codes::MISSING_ROW,
                    span,
                    format!("`only` needs exactly one row, but there are {n}"),
                )
                .help("narrow the rows with `where`, or use `first` to take the first one")),
            }
        }
        _ => Ok(values.into_iter().next().unwrap_or(Value::None)),
    }
}

/// `fast`, except in the reference evaluation (row by row, no index: the
/// differential tests compare the two), which runs `reference`.
fn unless_reference(fast: Eval, reference: Eval) -> Eval {
    Arc::new(move |rt: &Runtime, f: &mut Frame| {
        if rt.plain {
            reference(rt, f)
        } else {
            fast(rt, f)
        }
    })
}

/// `add` of the cell of `column` on each of `rows` in turn, into one
/// accumulator; `None` once `add` refuses a cell.
fn fold_cells<A: Default>(
    column: &crate::Column,
    rows: &[u32],
    add: impl Fn(&mut A, &Value) -> bool,
) -> Option<A> {
    let mut acc = A::default();
    rows.iter()
        .all(|r| column.read(*r as usize, |v| add(&mut acc, v)))
        .then_some(acc)
}

/// `count_distinct` of references (and nones) without building keys:
/// `None` when some value is not a reference.
fn distinct_references<V: Borrow<Value>>(values: impl Iterator<Item = V>) -> Option<Value> {
    let mut rows = DistinctRows::default();
    for v in values {
        if !rows.add(v.borrow()) {
            return None;
        }
    }
    Some(rows.finish())
}

/// A running `count_distinct` of references, fed one value at a time (a
/// report's counts of every group, in one pass over its rows).
#[derive(Clone, Debug, Default)]
pub(crate) struct DistinctRows {
    rows: Vec<RowRef>,
}

impl DistinctRows {
    /// Adds `v` (nones are not counted); false when `v` is not a
    /// reference, and the values must be counted by their keys.
    #[inline]
    pub(crate) fn add(&mut self, v: &Value) -> bool {
        match v {
            Value::Row(r) => {
                // (a run of one row, as the credits of one deal are, is kept once)
                if self.rows.last() != Some(r) {
                    self.rows.push(*r);
                }
                true
            }
            Value::None => true,
            _ => false,
        }
    }

    /// Adds the references of `later`.
    pub(crate) fn merge(&mut self, mut later: DistinctRows) {
        self.rows.append(&mut later.rows);
    }

    /// The number of distinct references added.
    pub(crate) fn finish(mut self) -> Value {
        self.rows.sort_unstable();
        self.rows.dedup();
        Value::Int(i64::try_from(self.rows.len()).unwrap_or(i64::MAX))
    }
}

impl Compiler<'_> {
    /// Compiles `e` to run once per row of `table` (a row scope).
    fn per_row(&mut self, table: TableId, e: &Expr) -> Result<(Eval, usize), EvalError> {
        let depth = self.push_row(table);
        let compiled = self.expr(e);
        self.pop();
        Ok((compiled?, depth))
    }

    pub(super) fn method(
        &mut self,
        receiver: &Expr,
        method: &Ident,
        args: &[Arg],
        optional: bool,
        span: Span,
    ) -> Result<Eval, EvalError> {
        if method.name == "where" && !optional {
            if let [arg] = args {
                if let Some(indexed) = self.indexed_where(receiver, &arg.value, span)? {
                    let scan = self.method_scan(receiver, method, args, optional, span)?;
                    let found: Eval =
                        Arc::new(move |rt: &Runtime, f: &mut Frame| indexed.view(rt, f));
                    return Ok(unless_reference(found, scan));
                }
            }
        }
        if let Some(fused) = self.fused_where(receiver, method, args, optional, span)? {
            let scan = self.method_scan(receiver, method, args, optional, span)?;
            return Ok(unless_reference(fused, scan));
        }
        self.method_scan(receiver, method, args, optional, span)
    }

    /// `T.where(...).first(x)` (and `count`, `sum`, `any`... after an
    /// indexed `where`): the rows the index finds are folded as they are
    /// found, without a table value in between, and `first` stops at the
    /// first. `None` when the receiver is not an indexed `where`.
    fn fused_where(
        &mut self,
        receiver: &Expr,
        method: &Ident,
        args: &[Arg],
        optional: bool,
        span: Span,
    ) -> Result<Option<Eval>, EvalError> {
        const FUSED: [&str; 9] = [
            "first", "count", "any", "all", "sum", "avg", "min", "max", "only",
        ];
        if optional || !FUSED.contains(&method.name.as_str()) {
            return Ok(None);
        }
        let ExprKind::Method {
            receiver: inner,
            method: inner_method,
            args: inner_args,
            optional: false,
        } = &receiver.kind
        else {
            return Ok(None);
        };
        let [pred] = inner_args.as_slice() else {
            return Ok(None);
        };
        if inner_method.name != "where" {
            return Ok(None);
        }
        let Some(source) = self.indexed_where(inner, &pred.value, receiver.span)? else {
            return Ok(None);
        };
        let table = source.table;
        // `.first(col)` of a column of the table: the first row's cell,
        // read where it is (no row scope set up for it).
        let first_column = args
            .first()
            .filter(|_| method.name == "first")
            .and_then(|a| super::column_named(self.program, &a.value, table));
        if let Some(column) = first_column {
            return Ok(Some(Arc::new(move |rt: &Runtime, f: &mut Frame| {
                source.first_cell(rt, f, column)
            })));
        }
        let (per_row, depth) = match args.first() {
            Some(a) if method.name != "count" => self.per_row(table, &a.value)?,
            _ => (constant(Value::Bool(true)), self.rows_depth),
        };
        // `.sum(col)` of a column of the table: money added as the rows
        // are found, read where they are (no value copied per row).
        let summed = args
            .first()
            .filter(|_| method.name == "sum")
            .and_then(|a| super::column_named(self.program, &a.value, table));
        let name = method.name.clone();
        let ty = self.type_of(span);
        Ok(Some(Arc::new(move |rt: &Runtime, f: &mut Frame| {
            if let Some(column) = summed {
                // (reading a column cannot fail: the rows are kept, and
                // anything but money of one currency is added one by one)
                let t = rt.store.table(table);
                let cells = t.columns.get(column);
                let mut total = MoneySum::default();
                let mut exact = cells.is_some();
                let mut rows = Vec::new();
                source.each(rt, f, |_, row| {
                    exact = exact && cells.is_some_and(|c| total.add_cell(c, row as usize));
                    rows.push(row);
                    Ok(true)
                })?;
                if let Some(sum) = total.finish().filter(|_| exact) {
                    return Ok(sum);
                }
                let values = rows
                    .iter()
                    .map(|r| t.get(column, *r as usize).into_owned())
                    .collect();
                return aggregate(&name, values, rt, &ty, span);
            }
            let saved = f.rows.len();
            let eval_row = |f: &mut Frame, row: u32| -> Result<Value, EvalError> {
                f.rows.truncate(depth);
                f.rows.resize(depth, RowRef { table, row: 0 });
                f.rows.push(RowRef { table, row });
                let v = per_row(rt, f);
                f.rows.truncate(saved.min(depth));
                v
            };
            match name.as_str() {
                "count" => {
                    let mut n: i64 = 0;
                    source.each(rt, f, |_, _| {
                        n = n.saturating_add(1);
                        Ok(true)
                    })?;
                    Ok(Value::Int(n))
                }
                "first" => {
                    let mut first = Value::None;
                    source.each(rt, f, |f, row| {
                        first = eval_row(f, row)?;
                        Ok(false)
                    })?;
                    Ok(first)
                }
                "any" | "all" => {
                    let want = name == "any";
                    let mut found = false;
                    source.each(rt, f, |f, row| {
                        found = matches!(eval_row(f, row)?, Value::Bool(true)) == want;
                        Ok(!found)
                    })?;
                    Ok(Value::Bool(found == want))
                }
                _ => {
                    let mut values = Vec::new();
                    source.each(rt, f, |f, row| {
                        values.push(eval_row(f, row)?);
                        Ok(true)
                    })?;
                    aggregate(&name, values, rt, &ty, span)
                }
            }
        })))
    }

    /// A method call evaluated row by row (no index).
    fn method_scan(
        &mut self,
        receiver: &Expr,
        method: &Ident,
        args: &[Arg],
        optional: bool,
        span: Span,
    ) -> Result<Eval, EvalError> {
        let recv = self.expr(receiver)?;
        let recv_ty = self.type_of(receiver.span);
        let name = method.name.clone();
        if name == "ancestor" && matches!(recv_ty.strip_optional(), Type::Territory) {
            let level = match args.first() {
                Some(a) => self.expr(&a.value)?,
                None => constant(Value::Int(0)),
            };
            return Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let t = match recv(rt, f)? {
                    Value::Territory(t) => t,
                    _ => return Ok(Value::None),
                };
                let Value::Int(want) = level(rt, f)? else {
                    return Ok(Value::None);
                };
                let mut cur = Some(t as usize);
                while let Some(c) = cur {
                    let info = rt.program.territories.get(c);
                    if info.map(|i| i.level as i64) == Some(want) {
                        return Ok(Value::Territory(u32::try_from(c).unwrap_or(u32::MAX)));
                    }
                    cur = info.and_then(|i| i.parent);
                }
                Ok(Value::None)
            }));
        }
        let Some(table) = recv_ty.table_id() else {
            return Err(internal(span, "method on a non-table"));
        };
        let result_ty = self.type_of(span);
        let arg = args.first();
        let compiled: Eval = match name.as_str() {
            "where" | "any" | "all" | "sum" | "avg" | "min" | "max" | "first" | "only" | "sort" => {
                let (per_row, depth) = match arg {
                    Some(a) => self.per_row(table, &a.value)?,
                    None => (constant(Value::Bool(true)), self.rows_depth),
                };
                let desc = arg.and_then(|a| a.dir) == Some(SortDir::Desc);
                let ty = result_ty.clone();
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let view = match recv(rt, f)? {
                        Value::Table(v) => v,
                        Value::None if optional => return Ok(Value::None),
                        _ => return Err(internal(span, "expected a table")),
                    };
                    let rows = view_rows(rt, &view);
                    rt.step(rows.len() as u64, span)?;
                    let saved = f.rows.len();
                    f.rows.truncate(depth);
                    f.rows.resize(depth, RowRef { table, row: 0 });
                    let result =
                        run_method(&name, rt, f, &view, &rows, &per_row, depth, desc, &ty, span);
                    f.rows.truncate(saved.min(depth));
                    result
                })
            }
            "count" => Arc::new(move |rt: &Runtime, f: &mut Frame| match recv(rt, f)? {
                Value::Table(v) => {
                    let n = v
                        .rows
                        .as_ref()
                        .map(|r| r.len())
                        .unwrap_or(rt.store.table(v.table).len);
                    Ok(Value::Int(i64::try_from(n).unwrap_or(i64::MAX)))
                }
                _ => Ok(Value::None),
            }),
            "at" => {
                let date = match arg {
                    Some(a) => self.expr(&a.value)?,
                    None => constant(Value::None),
                };
                let info = self.program.table(table).and_then(|t| t.effective);
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let view = match recv(rt, f)? {
                        Value::Table(v) => v,
                        _ => return Ok(Value::None),
                    };
                    let on = date(rt, f)?;
                    let Some((start, end)) = info else {
                        return Ok(Value::Table(view));
                    };
                    let rows = view_rows(rt, &view);
                    rt.step(rows.len() as u64, span)?;
                    let t = rt.store.table(view.table);
                    let kept: Vec<u32> = rows
                        .iter()
                        .copied()
                        .filter(|r| {
                            let s = t.get(start, *r as usize);
                            let e = t.get(end, *r as usize);
                            let after_start = !s.is_none() && compare(&s, &on).is_le();
                            let before_end = e.is_none() || compare(&on, &e).is_le();
                            after_start && before_end
                        })
                        .collect();
                    Ok(Value::Table(Arc::new(TableView {
                        table: view.table,
                        rows: Some(kept.into()),
                    })))
                })
            }
            "get" => {
                let key = match arg {
                    Some(a) => self.expr(&a.value)?,
                    None => constant(Value::None),
                };
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let view = match recv(rt, f)? {
                        Value::Table(v) => v,
                        _ => return Ok(Value::None),
                    };
                    let k = key(rt, f)?;
                    Ok(rt
                        .store
                        .table(view.table)
                        .lookup(&k)
                        .map(|row| {
                            Value::Row(RowRef {
                                table: view.table,
                                row,
                            })
                        })
                        .unwrap_or(Value::None))
                })
            }
            other => return Err(internal(span, &format!("unknown method `{other}`"))),
        };
        Ok(compiled)
    }

    /// A call `f(args)`: aggregate, Tally function or native.
    pub(super) fn call(
        &mut self,
        func: &Ident,
        args: &[Arg],
        span: Span,
    ) -> Result<Eval, EvalError> {
        let name = func.name.as_str();
        if let Some(Resolution::Builtin(agg)) = self.program.resolutions.get(&func.span) {
            if let Some((input, depth)) = self.group_scope() {
                return self.group_aggregate(agg.clone(), input, depth, args, span);
            }
        }
        let index = match self.program.resolutions.get(&func.span) {
            Some(Resolution::Fn(i)) => *i,
            _ => return Err(internal(span, &format!("`{name}` is not resolved"))),
        };
        let compiled_args = args
            .iter()
            .map(|a| self.expr(&a.value))
            .collect::<Result<Vec<_>, _>>()?;
        let has_body = self
            .program
            .fns
            .get(index)
            .is_some_and(|f| f.decl.is_some());
        if has_body {
            let passed = args.iter().map(|a| self.passed(&a.value)).collect();
            let inlined = self.inline(index, compiled_args.clone(), passed, span)?;
            let function = self.function(index, span)?;
            let called: Eval = Arc::new(move |rt: &Runtime, f: &mut Frame| {
                rt.step(1, span)?;
                Frame::borrowed(function.slots, |frame| {
                    for (i, a) in compiled_args.iter().enumerate() {
                        frame.set(i, a(rt, f)?);
                    }
                    (function.body)(rt, frame)
                })
            });
            // (the reference evaluation always calls)
            return Ok(match inlined {
                Some(inlined) => unless_reference(inlined, called),
                None => called,
            });
        }
        let native = name.to_string();
        let result_ty = self.type_of(span);
        Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
            // (no argument vector for the common one- and two-argument calls)
            match compiled_args.as_slice() {
                [a] => native_call(&native, &[a(rt, f)?], rt, &result_ty, span),
                [a, b] => native_call(&native, &[a(rt, f)?, b(rt, f)?], rt, &result_ty, span),
                all => {
                    let values = all
                        .iter()
                        .map(|a| a(rt, f))
                        .collect::<Result<Vec<_>, _>>()?;
                    native_call(&native, &values, rt, &result_ty, span)
                }
            }
        }))
    }

    fn group_aggregate(
        &mut self,
        name: String,
        input: TableId,
        _group_depth: usize,
        args: &[Arg],
        span: Span,
    ) -> Result<Eval, EvalError> {
        let result_ty = self.type_of(span);
        let column = args
            .first()
            .and_then(|a| super::column_named(self.program, &a.value, input));
        if let Some(column) = column {
            let direct = column_aggregate(name.clone(), input, column, result_ty, span);
            let by_row = self.group_aggregate_by_row(name, input, args, span)?;
            return Ok(unless_reference(direct, by_row));
        }
        self.group_aggregate_by_row(name, input, args, span)
    }

    /// A report aggregate evaluated on each row of the group.
    fn group_aggregate_by_row(
        &mut self,
        name: String,
        input: TableId,
        args: &[Arg],
        span: Span,
    ) -> Result<Eval, EvalError> {
        let result_ty = self.type_of(span);
        let (per_row, depth) = match args.first() {
            Some(a) => self.per_row(input, &a.value)?,
            None => (constant(Value::Bool(true)), self.rows_depth),
        };
        Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
            let rows: Arc<[u32]> = f.group.clone().unwrap_or_else(|| Arc::from([]));
            if name == "count" {
                return Ok(Value::Int(i64::try_from(rows.len()).unwrap_or(i64::MAX)));
            }
            let saved = f.rows.len();
            f.rows.truncate(depth);
            f.rows.resize(
                depth,
                RowRef {
                    table: input,
                    row: 0,
                },
            );
            let mut values = Vec::with_capacity(rows.len());
            let mut result = Ok(());
            for r in rows.iter() {
                f.rows.push(RowRef {
                    table: input,
                    row: *r,
                });
                match per_row(rt, f) {
                    Ok(v) => values.push(v),
                    Err(e) => result = Err(e),
                }
                f.rows.pop();
                if result.is_err() {
                    break;
                }
            }
            f.rows.truncate(saved.min(depth));
            result?;
            aggregate(&name, values, rt, &result_ty, span)
        }))
    }
}

/// A report aggregate of one column of its input (`sum(amount)`,
/// `count_distinct(deal)`): the group's values are read from the column
/// as they are, not evaluated row by row. Sums add in row order, as
/// [`aggregate`] does.
fn column_aggregate(
    name: String,
    input: TableId,
    column: usize,
    result_ty: Type,
    span: Span,
) -> Eval {
    Arc::new(move |rt: &Runtime, f: &mut Frame| {
        let rows: &[u32] = f.group.as_deref().unwrap_or(&[]);
        let t = rt.store.table(input);
        let cells = rows.iter().map(|r| t.get(column, *r as usize));
        let cell = t.columns.get(column);
        match name.as_str() {
            "count" => Ok(Value::Int(i64::try_from(rows.len()).unwrap_or(i64::MAX))),
            "sum" => {
                if let Some(total) = cell.and_then(|c| fold_cells(c, rows, MoneySum::add)) {
                    if let Some(total) = total.finish() {
                        return Ok(total);
                    }
                }
                Ok(super::sum::sum(cells, span, rt.store)?
                    .unwrap_or_else(|| zero_of(rt, &result_ty)))
            }
            "count_distinct" => match cell.and_then(|c| fold_cells(c, rows, DistinctRows::add)) {
                Some(n) => Ok(n.finish()),
                None => aggregate(
                    &name,
                    cells.map(Cow::into_owned).collect(),
                    rt,
                    &result_ty,
                    span,
                ),
            },
            _ => aggregate(
                &name,
                cells.map(Cow::into_owned).collect(),
                rt,
                &result_ty,
                span,
            ),
        }
    })
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the pieces are all needed"
)]
fn run_method(
    name: &str,
    rt: &Runtime,
    f: &mut Frame,
    view: &TableView,
    rows: &[u32],
    per_row: &Eval,
    depth: usize,
    desc: bool,
    ty: &Type,
    span: Span,
) -> Result<Value, EvalError> {
    let table = view.table;
    let eval_row = |f: &mut Frame, row: u32| -> Result<Value, EvalError> {
        f.rows.truncate(depth);
        f.rows.push(RowRef { table, row });
        let v = per_row(rt, f);
        f.rows.truncate(depth);
        v
    };
    match name {
        "where" => {
            let mut kept = Vec::new();
            for &r in rows {
                if matches!(eval_row(f, r)?, Value::Bool(true)) {
                    kept.push(r);
                }
            }
            Ok(Value::Table(Arc::new(TableView {
                table,
                rows: Some(kept.into()),
            })))
        }
        "any" => {
            for &r in rows {
                if matches!(eval_row(f, r)?, Value::Bool(true)) {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        "all" => {
            for &r in rows {
                if !matches!(eval_row(f, r)?, Value::Bool(true)) {
                    return Ok(Value::Bool(false));
                }
            }
            Ok(Value::Bool(true))
        }
        "first" => match rows.first() {
            Some(&r) => eval_row(f, r),
            None => Ok(Value::None),
        },
        "sort" => {
            let mut keyed: Vec<(Value, u32)> = Vec::with_capacity(rows.len());
            for &r in rows {
                keyed.push((eval_row(f, r)?, r));
            }
            keyed.sort_by(|a, b| match (a.0.is_none(), b.0.is_none()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ if desc => compare(&b.0, &a.0),
                _ => compare(&a.0, &b.0),
            });
            let sorted: Vec<u32> = keyed.into_iter().map(|(_, r)| r).collect();
            Ok(Value::Table(Arc::new(TableView {
                table,
                rows: Some(sorted.into()),
            })))
        }
        _ => {
            let mut values = Vec::with_capacity(rows.len());
            for &r in rows {
                values.push(eval_row(f, r)?);
            }
            aggregate(name, values, rt, ty, span)
        }
    }
}

fn arg(values: &[Value], i: usize) -> &Value {
    values.get(i).unwrap_or(&Value::None)
}

fn date_err(span: Span) -> EvalError {
    EvalError::new(codes::DATE, span, "the date is out of range")
}

/// Native built-ins (see `tally_check`'s builtins for their types).
fn native_call(
    name: &str,
    v: &[Value],
    rt: &Runtime,
    ty: &Type,
    span: Span,
) -> Result<Value, EvalError> {
    let text = |i: usize| match arg(v, i) {
        Value::Text(t) => t.to_string(),
        _ => String::new(),
    };
    let period_of = |part: PeriodPart| match arg(v, 0) {
        Value::Date(d) => Value::Period(rt.calendar.period_of(*d, part)),
        _ => Value::None,
    };
    Ok(match name {
        "fiscal_year" => period_of(PeriodPart::Year),
        "fiscal_quarter" => period_of(PeriodPart::Quarter(1)),
        "fiscal_month" => period_of(PeriodPart::Month(1)),
        "quarters" | "months" => match arg(v, 0) {
            Value::Period(p) => {
                let list = if name == "quarters" {
                    calendar::quarters(*p)
                } else {
                    calendar::months(*p)
                };
                Value::List(
                    list.into_iter()
                        .map(Value::Period)
                        .collect::<Vec<_>>()
                        .into(),
                )
            }
            _ => Value::None,
        },
        "start" | "end" => match arg(v, 0) {
            Value::Period(p) => {
                let d = if name == "start" {
                    rt.calendar.start(*p)
                } else {
                    rt.calendar.end(*p)
                };
                Value::Date(d.ok_or_else(|| date_err(span))?)
            }
            _ => Value::None,
        },
        "add_days" => match (arg(v, 0), arg(v, 1)) {
            (Value::Date(d), Value::Int(n)) => {
                let days = chrono::Duration::try_days(*n).ok_or_else(|| date_err(span))?;
                Value::Date(d.checked_add_signed(days).ok_or_else(|| date_err(span))?)
            }
            _ => Value::None,
        },
        "add_months" => match (arg(v, 0), arg(v, 1)) {
            (Value::Date(d), Value::Int(n)) => {
                let months =
                    Months::new(u32::try_from(n.unsigned_abs()).map_err(|_| date_err(span))?);
                let r = if *n >= 0 {
                    d.checked_add_months(months)
                } else {
                    d.checked_sub_months(months)
                };
                Value::Date(r.ok_or_else(|| date_err(span))?)
            }
            _ => Value::None,
        },
        "days_between" => match (arg(v, 0), arg(v, 1)) {
            (Value::Date(a), Value::Date(b)) => Value::Int((*b - *a).num_days()),
            _ => Value::None,
        },
        "round" => {
            let places = match arg(v, 1) {
                Value::Int(p) => u32::try_from((*p).clamp(0, 28)).unwrap_or(0),
                _ => 0,
            };
            match arg(v, 0) {
                Value::Money(m) => {
                    Value::Money(Money::new(round(m.amount, places, rt.rounding), m.currency))
                }
                Value::Percent(p) => Value::Percent(round(*p, places, rt.rounding)),
                Value::Int(i) => Value::Int(*i),
                other => match other.as_decimal() {
                    Some(d) => Value::Decimal(round(d, places, rt.rounding)),
                    None => Value::None,
                },
            }
        }
        "abs" => match arg(v, 0) {
            Value::Money(m) => Value::Money(Money::new(m.amount.abs(), m.currency)),
            Value::Int(i) => Value::Int(
                i.checked_abs()
                    .ok_or_else(|| EvalError::new(codes::ARITHMETIC, span, "`abs` overflows"))?,
            ),
            Value::Percent(p) => Value::Percent(p.abs()),
            Value::Decimal(d) => Value::Decimal(d.abs()),
            _ => Value::None,
        },
        "min" | "max" => {
            if let (Value::Money(a), Value::Money(b)) = (arg(v, 0), arg(v, 1)) {
                if a.currency != b.currency {
                    return Err(EvalError::new(
                        codes::CURRENCY,
                        span,
                        format!(
                            "`{name}` of money in different currencies ({} and {})",
                            a.currency, b.currency
                        ),
                    ));
                }
            }
            let ord = compare(arg(v, 0), arg(v, 1));
            let first = if name == "min" {
                ord.is_le()
            } else {
                ord.is_ge()
            };
            let r = if first {
                arg(v, 0).clone()
            } else {
                arg(v, 1).clone()
            };
            if matches!(ty, Type::Decimal) {
                to_decimal(r)
            } else {
                r
            }
        }
        "currency" => match arg(v, 0) {
            Value::Money(m) => Value::text(m.currency.as_str()),
            _ => Value::None,
        },
        "amount_of" => match arg(v, 0) {
            Value::Money(m) => Value::Decimal(m.amount),
            _ => Value::None,
        },
        "lower" => Value::text(&text(0).to_lowercase()),
        "upper" => Value::text(&text(0).to_uppercase()),
        "trim" => Value::text(text(0).trim()),
        "starts_with" => Value::Bool(text(0).starts_with(&text(1))),
        "ends_with" => Value::Bool(text(0).ends_with(&text(1))),
        "contains" => match arg(v, 0) {
            Value::List(items) => {
                Value::Bool(items.iter().any(|i| ops::equal(i, arg(v, 1), rt.store)))
            }
            _ => Value::Bool(text(0).contains(&text(1))),
        },
        "len" => match arg(v, 0) {
            Value::List(items) => Value::Int(i64::try_from(items.len()).unwrap_or(i64::MAX)),
            Value::Text(t) => Value::Int(i64::try_from(t.chars().count()).unwrap_or(i64::MAX)),
            _ => Value::None,
        },
        "concat" => {
            let mut out = String::new();
            for x in v {
                if let Value::Text(t) = x {
                    out.push_str(t);
                }
            }
            Value::text(&out)
        }
        other => return Err(internal(span, &format!("unknown built-in `{other}`"))),
    })
}
