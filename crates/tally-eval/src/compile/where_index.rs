//! `T.where(col == x and ...)` and `T.at(d).where(...)` through a hash
//! index: the rows whose columns equal the outer values are looked up, not
//! scanned. The index over (table, columns) is built once per evaluation
//! phase. Index keys are equal exactly when `==` holds (numbers by value, a
//! reference and its key text alike), so the rows found pass the tests the
//! index was keyed by; the rest of the condition is evaluated on each of
//! them. The result is exactly that of a scan, in the same (table) order.
//!
//! Two refinements keep lookups cheap on large tables:
//! - over coded columns (see [`crate::Column`]) the index groups rows by
//!   their codes and computes each key once per distinct value;
//! - a leading `col in period` test among the rest of the condition is
//!   answered by a binary search of the rows found, sorted by that date
//!   column the first time it is asked (plan metrics such as
//!   `credits.where(payee == ae and date in q)` look up every quarter).

use super::{column_named, CellPath, Compiler};
use crate::error::EvalError;
use crate::key_map::KeyMap;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::{Store, Table};
use crate::value::{compare, Key, RowRef, TableView, Value};
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use tally_check::{Resolution, TableId};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// Rows by the values of some columns (references by their key values).
pub(crate) type RowIndex = KeyMap<Bucket>;

/// The rows of one key of a [`RowIndex`], in table order.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    /// The rows, in table order.
    pub rows: Vec<u32>,
    /// The rows holding a date in one column (the column, then the rows
    /// in order of their dates), sorted the first time a `col in period`
    /// test asks for them. The dates are read from the column again: a
    /// row number is all a row costs.
    by_date: std::sync::OnceLock<(usize, Vec<u32>)>,
    /// The days each row is in effect from and to (the start and end
    /// columns, then a span per row), read the first time a lookup `at` a
    /// date asks: `None` when a cell is not a date.
    in_effect: std::sync::OnceLock<(usize, usize, Option<Vec<InEffect>>)>,
}

/// The days (counted from the common era) a row is in effect from and to,
/// both included: a row without a start is never in effect, one without
/// an end is from its start on.
#[derive(Clone, Copy, Debug)]
struct InEffect {
    from: i32,
    to: i32,
}

impl InEffect {
    /// The span of a row whose start and end cells are `start` and `end`
    /// (`None`: a cell is not a date).
    fn of(start: &Value, end: &Value) -> Option<InEffect> {
        let from = match start {
            Value::Date(d) => d.num_days_from_ce(),
            Value::None => i32::MAX,
            _ => return None,
        };
        let to = match end {
            Value::Date(d) => d.num_days_from_ce(),
            Value::None => i32::MAX,
            _ => return None,
        };
        Some(InEffect { from, to })
    }

    fn holds(self, day: i32) -> bool {
        self.from <= day && day <= self.to
    }
}

impl Bucket {
    /// Whether each row is in effect, by the `start` and `end` columns
    /// of `table`; `None` when they hold something other than dates.
    fn in_effect(&self, table: &Table, start: usize, end: usize) -> Option<&[InEffect]> {
        let (s, e, spans) = self.in_effect.get_or_init(|| {
            let spans = self
                .rows
                .iter()
                .map(|r| {
                    let row = *r as usize;
                    InEffect::of(&table.get(start, row), &table.get(end, row))
                })
                .collect();
            (start, end, spans)
        });
        ((*s, *e) == (start, end))
            .then_some(spans.as_deref())
            .flatten()
    }

    /// The rows whose `column` holds a date from `start` to `end`, in
    /// table order; `None` when the bucket's rows are sorted by another
    /// date column.
    fn rows_dated(
        &self,
        table: &Table,
        column: usize,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Option<Vec<u32>> {
        let date = |row: u32| match &*table.get(column, row as usize) {
            Value::Date(d) => Some(*d),
            _ => None,
        };
        let (sorted_by, by_date) = self.by_date.get_or_init(|| {
            // Each row's day and number in one word, sorted: by day, then
            // in table order.
            let day = days_of(table, column);
            let mut keys: Vec<u64> = self
                .rows
                .iter()
                .filter_map(|r| Some(day_and_row(day(*r)?, *r)))
                .collect();
            keys.sort_unstable();
            // (a vector of its own: collected in place, the rows would
            // keep the room of the keys)
            let mut rows = Vec::with_capacity(keys.len());
            rows.extend(keys.iter().map(|k| (k & u64::from(u32::MAX)) as u32));
            (column, rows)
        });
        if *sorted_by != column {
            return None;
        }
        let from = by_date.partition_point(|r| date(*r).is_some_and(|d| d < start));
        let to = by_date.partition_point(|r| date(*r).is_some_and(|d| d <= end));
        let mut rows: Vec<u32> = by_date.get(from..to).unwrap_or_default().to_vec();
        rows.sort_unstable();
        Some(rows)
    }
}

/// The day (counted from the common era) of the date on each row of
/// `column`, `None` where the cell is not a date; a coded column's days are
/// found by code, each code's day computed once.
fn days_of(table: &Table, column: usize) -> impl Fn(u32) -> Option<i32> + '_ {
    let day = |v: &Value| match v {
        Value::Date(d) => Some(d.num_days_from_ce()),
        _ => None,
    };
    let coded = table
        .columns
        .get(column)
        .and_then(crate::Column::coded)
        .map(|(codes, dict)| (codes, dict.iter().map(day).collect::<Vec<_>>()));
    move |row: u32| match &coded {
        Some((codes, days)) => codes
            .get(row as usize)
            .and_then(|code| days.get(code as usize).copied().flatten()),
        None => day(&table.get(column, row as usize)),
    }
}

/// A day and a row number as one word that sorts by day, then by row.
fn day_and_row(day: i32, row: u32) -> u64 {
    let day = u64::from(day.wrapping_sub(i32::MIN) as u32);
    day << 32 | u64::from(row)
}

/// Which index: a table, the columns it is keyed by, and the constant
/// tests its rows pass (`role == "revenue"` in `credits.where(payee == ae
/// and role == "revenue")`: only the rows that pass are indexed, by the
/// other columns).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndexId {
    table: TableId,
    columns: Vec<usize>,
    only: Vec<(usize, Key)>,
}

/// How many indexes a phase finds without taking a lock.
const SLOTS: usize = 16;

/// Indexes built during one evaluation phase, by [`IndexId`].
///
/// The first `SLOTS` (16) indexes built are also published in slots that
/// threads read without taking the lock: a lookup runs once per row of a
/// phase, on every core, and a shared lock would pass between the cores on
/// every one. Later indexes are found under the lock.
#[derive(Debug)]
pub struct IndexCache {
    /// This cache among all (see [`IndexedWhere::found`]).
    id: u64,
    slots: [std::sync::OnceLock<(IndexId, Arc<RowIndex>)>; SLOTS],
    built: Mutex<crate::FastMap<IndexId, Arc<RowIndex>>>,
}

impl Default for IndexCache {
    fn default() -> IndexCache {
        IndexCache {
            id: crate::unique_id(),
            slots: Default::default(),
            built: Mutex::default(),
        }
    }
}

/// An index found in an [`IndexCache`].
pub(crate) enum IndexRef<'a> {
    /// Read where it is kept (a published slot, an [`IndexedWhere`]).
    Slot(&'a Arc<RowIndex>),
    /// Found (or built) under the lock.
    Shared(Arc<RowIndex>),
}

impl IndexRef<'_> {
    /// The index, shared.
    fn to_shared(&self) -> Arc<RowIndex> {
        match self {
            IndexRef::Slot(ix) => Arc::clone(ix),
            IndexRef::Shared(ix) => ix.clone(),
        }
    }
}

impl std::ops::Deref for IndexRef<'_> {
    type Target = RowIndex;
    fn deref(&self) -> &RowIndex {
        match self {
            IndexRef::Slot(ix) => ix,
            IndexRef::Shared(ix) => ix,
        }
    }
}

/// The value `v` is looked up by ([`Store::as_key`]).
fn lookup_value<'s>(v: Cow<'s, Value>, store: &'s Store) -> Cow<'s, Value> {
    match *v {
        Value::Row(r) => store.row_key(r).unwrap_or(v),
        _ => v,
    }
}

impl IndexCache {
    /// The index `id`, building it on
    /// first use (once: threads asking for it meanwhile wait for it).
    /// A large table's index is built on up to `threads` threads (`None`:
    /// one per core).
    pub(crate) fn get(&self, store: &Store, id: &IndexId, threads: Option<usize>) -> IndexRef<'_> {
        // Slots are filled in order, under the lock: the first empty one
        // ends the published ones.
        for slot in &self.slots {
            match slot.get() {
                Some((published, ix)) if published == id => return IndexRef::Slot(ix),
                Some(_) => continue,
                None => break,
            }
        }
        let mut built = match self.built.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(ix) = built.get(id) {
            return IndexRef::Shared(ix.clone());
        }
        let index = Arc::new(build(store, id, threads));
        built.insert(id.clone(), index.clone());
        if let Some(free) = self.slots.iter().find(|s| s.get().is_none()) {
            let _ = free.set((id.clone(), index.clone()));
        }
        IndexRef::Shared(index)
    }
}

/// Fewest rows worth a thread of their own when an index is built.
const ROWS_PER_THREAD: usize = 1 << 16;

/// The index `id`: the rows of each range of the table on a thread of its
/// own, merged in range order (so every key's rows stay in table order).
fn build(store: &Store, id: &IndexId, threads: Option<usize>) -> RowIndex {
    let columns = id.columns.as_slice();
    let t = store.table(id.table);
    let passes = Passes::new(store, t, &id.only);
    if let Some(index) = build_from_codes(store, t, columns, &passes, threads) {
        return index;
    }
    let build_range = |range: std::ops::Range<usize>| {
        let mut index = RowIndex::default();
        let mut key: Vec<Cow<'_, Value>> = Vec::with_capacity(columns.len());
        for row in range.filter(|row| passes.row(*row)) {
            key.clear();
            key.extend(columns.iter().map(|c| lookup_value(t.get(*c, row), store)));
            let bucket = index.entry(&key, Bucket::default);
            if let Some(bucket) = index.get_mut(bucket) {
                bucket.rows.push(u32::try_from(row).unwrap_or(u32::MAX));
            }
        }
        index
    };
    let parts = crate::engine::parallel::parts_for(threads, t.len, ROWS_PER_THREAD);
    let mut maps = crate::engine::parallel::map_ranges(t.len, parts, build_range).into_iter();
    let mut index = maps.next().unwrap_or_default();
    for part in maps {
        index.merge(part, |mine, theirs| mine.rows.extend(theirs.rows));
    }
    index
}

/// The index over one or two coded columns (see [`crate::Column`]): rows
/// are grouped by their codes, and the keys are computed once per
/// distinct value instead of once per row. Codes of values with one key
/// (`1` and `1.00`, a reference and its key text) share a bucket, their
/// rows merged back into table order. `None` when a column is not coded.
fn build_from_codes<'s>(
    store: &'s Store,
    t: &'s Table,
    columns: &[usize],
    passes: &Passes<'_>,
    threads: Option<usize>,
) -> Option<RowIndex> {
    let coded: Vec<(&crate::column::Codes, &[Value])> = columns
        .iter()
        .map(|c| t.columns.get(*c).and_then(crate::Column::coded))
        .collect::<Option<_>>()?;
    let (first, second) = match coded.as_slice() {
        [one] => (*one, None),
        [one, two] => (*one, Some(*two)),
        _ => return None,
    };
    let pair = |row: usize| -> Option<u64> {
        if !passes.row(row) {
            return None;
        }
        let a = first.0.get(row).unwrap_or(0);
        let b = second.and_then(|s| s.0.get(row)).unwrap_or(0);
        Some((u64::from(a) << 32) | u64::from(b))
    };
    let parts = crate::engine::parallel::parts_for(threads, t.len, ROWS_PER_THREAD);
    let by_codes = rows_by(t.len, parts, pair);
    let key_of = |dict: &'s [Value], code: u64| {
        let v = usize::try_from(code)
            .ok()
            .and_then(|c| dict.get(c))
            .unwrap_or(&Value::None);
        lookup_value(Cow::Borrowed(v), store)
    };
    let mut index = RowIndex::default();
    let mut merged = Vec::new();
    for (codes, mut rows) in by_codes {
        let mut key = vec![key_of(first.1, codes >> 32)];
        if let Some((_, dict)) = second {
            key.push(key_of(dict, codes & u64::from(u32::MAX)));
        }
        let before = index.len();
        let bucket = index.entry(&key, Bucket::default);
        let Some(bucket_rows) = index.get_mut(bucket).map(|b| &mut b.rows) else {
            continue;
        };
        if bucket < before {
            merged.push(bucket);
            bucket_rows.append(&mut rows);
        } else {
            // A new bucket takes the rows as they are.
            *bucket_rows = rows;
        }
    }
    for bucket in merged {
        if let Some(bucket) = index.get_mut(bucket) {
            bucket.rows.sort_unstable();
        }
    }
    Some(index)
}

/// The rows that pass the constant tests of an index.
struct Passes<'t> {
    tests: Vec<Test<'t>>,
    store: &'t Store,
}

/// One constant test: the codes of a coded column that pass (found once
/// per distinct value), or the key the cells of another column must have.
enum Test<'t> {
    Codes {
        codes: &'t crate::column::Codes,
        pass: Vec<bool>,
    },
    Key {
        column: &'t crate::Column,
        key: Key,
    },
}

impl<'t> Passes<'t> {
    fn new(store: &'t Store, t: &'t Table, only: &[(usize, Key)]) -> Passes<'t> {
        let tests = only
            .iter()
            .filter_map(|(c, key)| {
                let column = t.columns.get(*c)?;
                Some(match column.coded() {
                    Some((codes, dict)) => Test::Codes {
                        codes,
                        pass: dict
                            .iter()
                            .map(|v| Key::of(&lookup_value(Cow::Borrowed(v), store)) == *key)
                            .collect(),
                    },
                    None => Test::Key {
                        column,
                        key: key.clone(),
                    },
                })
            })
            .collect();
        Passes { tests, store }
    }

    /// True when `row` passes every test.
    #[inline]
    fn row(&self, row: usize) -> bool {
        self.tests.iter().all(|test| match test {
            Test::Codes { codes, pass } => codes
                .get(row)
                .and_then(|code| pass.get(code as usize).copied())
                .unwrap_or(false),
            Test::Key { column, key } => column
                .get(row)
                .is_some_and(|v| Key::of(&lookup_value(v, self.store)) == *key),
        })
    }
}

/// The rows `0..n` by their `pair` of codes, in row order: counted, then
/// written into vectors of the exact length, each range of rows on a
/// thread of its own (into its share of each vector, which starts where
/// the earlier ranges' shares end). No vector grows, and no rows are
/// copied from one vector into another.
/// A row whose `pair` is `None` is left out.
fn rows_by(
    n: usize,
    parts: usize,
    pair: impl Fn(usize) -> Option<u64> + Sync,
) -> crate::FastMap<u64, Vec<u32>> {
    use crate::engine::parallel::{cut, map_ranges};
    let count = |range: std::ops::Range<usize>| {
        let mut counts: crate::FastMap<u64, usize> = crate::FastMap::default();
        for row in range {
            if let Some(pair) = pair(row) {
                *counts.entry(pair).or_default() += 1;
            }
        }
        counts
    };
    let counts = map_ranges(n, parts, count);
    let mut totals: crate::FastMap<u64, usize> = crate::FastMap::default();
    for (codes, count) in counts.iter().flatten() {
        *totals.entry(*codes).or_default() += count;
    }
    let mut rows: crate::FastMap<u64, Vec<u32>> = totals
        .into_iter()
        .map(|(codes, total)| (codes, vec![0; total]))
        .collect();
    // Each range's share of each vector, with where the range is in it.
    let mut shares: Vec<crate::FastMap<u64, (&mut [u32], usize)>> =
        counts.iter().map(|_| crate::FastMap::default()).collect();
    for (codes, all) in &mut rows {
        let mut rest = all.as_mut_slice();
        for (share, counted) in shares.iter_mut().zip(&counts) {
            let len = counted.get(codes).copied().unwrap_or(0);
            let (mine, later) = std::mem::take(&mut rest).split_at_mut(len);
            share.insert(*codes, (mine, 0));
            rest = later;
        }
    }
    let pair = &pair;
    std::thread::scope(|scope| {
        for (range, mut share) in cut(n, parts).into_iter().zip(shares) {
            scope.spawn(move || {
                for row in range {
                    if let Some((slice, at)) = pair(row).and_then(|p| share.get_mut(&p)) {
                        if let Some(slot) = slice.get_mut(*at) {
                            *slot = u32::try_from(row).unwrap_or(u32::MAX);
                        }
                        *at += 1;
                    }
                }
            });
        }
    });
    rows
}

/// True when `e` reads no column of `table` (it can be computed outside
/// the rows of `table.where(...)`). Unusual shapes count as dependent.
fn independent_of(program: &tally_check::Program, e: &Expr, table: TableId) -> bool {
    let all = |items: &mut dyn Iterator<Item = &Expr>| {
        let mut ok = true;
        for x in items {
            ok &= independent_of(program, x, table);
        }
        ok
    };
    match &e.kind {
        ExprKind::Name(id) => {
            !matches!(program.resolutions.get(&id.span), Some(Resolution::Column(t, _)) if *t == table)
        }
        ExprKind::Paren(x)
        | ExprKind::Unary { expr: x, .. }
        | ExprKind::Is { expr: x, .. }
        | ExprKind::Cast { expr: x, .. } => independent_of(program, x, table),
        ExprKind::Field { base, .. } => independent_of(program, base, table),
        ExprKind::Index { base, index } => all(&mut [base.as_ref(), index.as_ref()].into_iter()),
        ExprKind::Binary { lhs, rhs, .. } => all(&mut [lhs.as_ref(), rhs.as_ref()].into_iter()),
        ExprKind::Method { receiver, args, .. } => {
            independent_of(program, receiver, table) && all(&mut args.iter().map(|a| &a.value))
        }
        ExprKind::Call { args, .. } => all(&mut args.iter().map(|a| &a.value)),
        ExprKind::List(items) => all(&mut items.iter()),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => all(&mut [cond.as_ref(), then.as_ref(), otherwise.as_ref()].into_iter()),
        ExprKind::Tiered(_) | ExprKind::Map(_) | ExprKind::Record(_) => false,
        _ => true,
    }
}

/// The conjuncts of `e`: the operands of its top-level `and`s (through
/// parentheses), left to right.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Paren(x) => conjuncts(x, out),
        ExprKind::Binary {
            op: BinOp::And,
            lhs,
            rhs,
        } => {
            conjuncts(lhs, out);
            conjuncts(rhs, out);
        }
        _ => out.push(e),
    }
}

/// `e` (through parentheses) as `lhs op rhs`.
fn binary_parts(e: &Expr, op: BinOp) -> Option<(&Expr, &Expr)> {
    let mut e = e;
    while let ExprKind::Paren(x) = &e.kind {
        e = x;
    }
    match &e.kind {
        ExprKind::Binary { op: o, lhs, rhs } if *o == op => Some((lhs, rhs)),
        _ => None,
    }
}

/// `conjunct` as `col == outer`: (column, outer expression), when it
/// tests a column of `table` against a value computed outside its rows.
fn equality_atom<'e>(
    program: &tally_check::Program,
    conjunct: &'e Expr,
    table: TableId,
) -> Option<(usize, &'e Expr)> {
    let (lhs, rhs) = binary_parts(conjunct, BinOp::Eq)?;
    match (
        column_named(program, lhs, table),
        column_named(program, rhs, table),
    ) {
        (Some(c), None) if independent_of(program, rhs, table) => Some((c, rhs)),
        (None, Some(c)) if independent_of(program, lhs, table) => Some((c, lhs)),
        _ => None,
    }
}

/// A compiled `T.where(...)` (or `T.at(d).where(...)`) answered through an
/// index: the rows that pass are found, not scanned for.
pub(super) struct IndexedWhere {
    /// The table whose rows are selected.
    pub(super) table: TableId,
    /// The outer values the index is keyed by, one per indexed column.
    values: Vec<Eval>,
    /// The date of `.at(date)`, if any.
    at_date: Option<Eval>,
    /// The table's effective-date columns (start, end).
    effective: Option<(usize, usize)>,
    /// The row-scope depth of the condition.
    depth: usize,
    /// The conjuncts the index does not guarantee, tested on each row found.
    residual: Vec<Eval>,
    /// A leading `col in period` conjunct of the residual, answered from
    /// the rows found sorted by date.
    dated: Option<DatedTest>,
    index_id: IndexId,
    /// For a lookup by one value and nothing else to test, the ways to
    /// its value and date when both are cells (see [`Direct`]).
    direct: Option<Direct>,
    /// The index, with the [`IndexCache`] it was found in: found once, not
    /// on every lookup.
    found: std::sync::OnceLock<(u64, Arc<RowIndex>)>,
    span: Span,
}

/// A lookup by one value read from a cell of a row in scope, with no
/// other test (`owners.at(close_date).where(territory ==
/// account.territory)`, the shape of a crediting `let`): its value and
/// date are read where they are, and the rows found are tested by their
/// spans of days alone.
struct Direct {
    /// The way to the value looked up.
    key: CellPath,
    /// The way to the date of `.at(date)`, if any.
    at: Option<CellPath>,
}

/// `col in period` (the first conjunct of a residual), where the period is
/// a local or a literal.
struct DatedTest {
    /// The date column.
    column: usize,
    /// The period.
    period: Eval,
    /// The residual without this test.
    rest: Vec<Eval>,
}

impl IndexedWhere {
    /// Calls `visit` with each row that passes, in table order, until it
    /// returns `false`. The frame's rows are as they were on each call.
    ///
    /// After `visit` is done, the rest of the condition is still tested on
    /// the remaining rows (when there is a rest to test), so that a
    /// condition that fails on a later row fails here as it does in a scan.
    pub(super) fn each(
        &self,
        rt: &Runtime,
        f: &mut Frame,
        mut visit: impl FnMut(&mut Frame, u32) -> Result<bool, EvalError>,
    ) -> Result<(), EvalError> {
        let mut key: smallvec::SmallVec<[Cow<'_, Value>; 4]> = smallvec::SmallVec::new();
        for value in &self.values {
            key.push(lookup_value(Cow::Owned(value(rt, f)?), rt.store));
        }
        let on = self.at_date.as_ref().map(|d| d(rt, f)).transpose()?;
        let index = self.index(rt);
        let (table, depth) = (self.table, self.depth);
        let t = rt.store.table(table);
        let bucket = index.get(key.iter().map(|v| &**v));
        let dated = match (&self.dated, bucket) {
            (Some(test), Some(bucket)) => dated_rows(test, bucket, t, rt, f)?,
            _ => None,
        };
        let (candidates, residual): (&[u32], &[Eval]) = match (&dated, &self.dated) {
            (Some(rows), Some(test)) => (rows, &test.rest),
            _ => (
                bucket.map(|b| b.rows.as_slice()).unwrap_or(&[]),
                &self.residual,
            ),
        };
        rt.step(candidates.len() as u64 + 1, self.span)?;
        let saved = f.rows.len();
        let mut visiting = true;
        // The bucket's rows in effect are told by their spans of days when
        // the candidates are the bucket's rows.
        let spans = match (&on, self.effective, bucket, &dated) {
            (Some(Value::Date(_)), Some((start, end)), Some(b), None) => b.in_effect(t, start, end),
            _ => None,
        };
        let day = match &on {
            Some(Value::Date(d)) => d.num_days_from_ce(),
            _ => 0,
        };
        for (i, &row) in candidates.iter().enumerate() {
            if let Some(span) = spans.and_then(|s| s.get(i)) {
                if !span.holds(day) {
                    continue;
                }
            } else if let (Some(on), Some((start, end))) = (&on, self.effective) {
                let s = t.get(start, row as usize);
                let e = t.get(end, row as usize);
                let in_effect = !s.is_none()
                    && compare(&s, on).is_le()
                    && (e.is_none() || compare(on, &e).is_le());
                if !in_effect {
                    continue;
                }
            }
            if !residual.is_empty() {
                f.rows.truncate(depth);
                f.rows.resize(depth, RowRef { table, row: 0 });
                f.rows.push(RowRef { table, row });
                let holds = holds_all(residual, rt, f);
                f.rows.truncate(saved.min(depth));
                if !holds? {
                    continue;
                }
            }
            if visiting && !visit(f, row)? {
                visiting = false;
            }
            if !visiting && residual.is_empty() {
                break;
            }
        }
        Ok(())
    }

    /// The cell in `column` of the first row that passes, or none: what
    /// [`IndexedWhere::each`] finds first, read where it is, and for a
    /// [`Direct`] lookup found without the general loop when it can be.
    pub(super) fn first_cell(
        &self,
        rt: &Runtime,
        f: &mut Frame,
        column: usize,
    ) -> Result<Value, EvalError> {
        if let Some(found) = self
            .direct
            .as_ref()
            .and_then(|d| self.first_direct(rt, f, d, column))
        {
            return found;
        }
        let mut first = Value::None;
        self.each(rt, f, |_, row| {
            first = rt
                .store
                .table(self.table)
                .get(column, row as usize)
                .into_owned();
            Ok(false)
        })?;
        Ok(first)
    }

    /// [`IndexedWhere::first_cell`] of a [`Direct`] lookup; `None` when it
    /// is left to the general loop (a cell on the way is not there, the
    /// date is not a date, or the rows' spans of days are not dates).
    fn first_direct(
        &self,
        rt: &Runtime,
        f: &Frame,
        direct: &Direct,
        column: usize,
    ) -> Option<Result<Value, EvalError>> {
        let key = lookup_value(direct.key.read(rt.store, f)?, rt.store);
        let day = match &direct.at {
            Some(at) => match &*at.read(rt.store, f)? {
                Value::Date(d) => Some(d.num_days_from_ce()),
                _ => return None,
            },
            None => None,
        };
        let t = rt.store.table(self.table);
        let index = self.index(rt);
        let Some(bucket) = index.get(std::iter::once(&*key)) else {
            return Some(rt.step(1, self.span).map(|()| Value::None));
        };
        let found = match (day, self.effective) {
            (None, _) => bucket.rows.first().copied(),
            (Some(day), Some((start, end))) => bucket
                .in_effect(t, start, end)?
                .iter()
                .zip(&bucket.rows)
                .find(|(span, _)| span.holds(day))
                .map(|(_, row)| *row),
            (Some(_), None) => return None,
        };
        Some(
            rt.step(bucket.rows.len() as u64 + 1, self.span).map(|()| {
                found.map_or(Value::None, |row| t.get(column, row as usize).into_owned())
            }),
        )
    }

    /// The index of the phase `rt` evaluates (found in its cache once).
    fn index<'r>(&'r self, rt: &'r Runtime) -> IndexRef<'r> {
        if let Some((cache, index)) = self.found.get() {
            if *cache == rt.indexes.id {
                return IndexRef::Slot(index);
            }
        }
        let index = rt.indexes.get(rt.store, &self.index_id, rt.limits.threads);
        if self.found.get().is_none() {
            let _ = self.found.set((rt.indexes.id, index.to_shared()));
        }
        index
    }

    /// The rows that pass, as a table value.
    pub(super) fn view(&self, rt: &Runtime, f: &mut Frame) -> Result<Value, EvalError> {
        let mut kept = Vec::new();
        self.each(rt, f, |_, row| {
            kept.push(row);
            Ok(true)
        })?;
        Ok(Value::Table(Arc::new(TableView {
            table: self.table,
            rows: Some(kept.into()),
        })))
    }
}

/// `conjunct` as `col in period`: (column, period expression), when it
/// tests a column of `table` against a local or a period literal (values
/// that are read without fail, so reading them once for all rows is what
/// reading them for each row would be).
fn dated_atom<'e>(
    program: &tally_check::Program,
    conjunct: &'e Expr,
    table: TableId,
) -> Option<(usize, &'e Expr)> {
    let (lhs, rhs) = binary_parts(conjunct, BinOp::In)?;
    let column = column_named(program, lhs, table)?;
    let plain = match &rhs.kind {
        ExprKind::Name(id) => matches!(
            program.resolutions.get(&id.span),
            Some(Resolution::Local(_))
        ),
        ExprKind::Period(_) => true,
        _ => false,
    };
    plain.then_some((column, rhs))
}

impl Compiler<'_> {
    /// Compiles `receiver.where(pred)` through an index when the receiver
    /// is a table (or `table.at(date)`) and `pred` tests columns for
    /// equality with values from outside; `None` when it does not apply.
    pub(super) fn indexed_where(
        &mut self,
        receiver: &Expr,
        pred: &Expr,
        span: Span,
    ) -> Result<Option<IndexedWhere>, EvalError> {
        let program = self.program;
        let table_of = |e: &Expr| match &e.kind {
            ExprKind::Name(id) => match program.resolutions.get(&id.span) {
                Some(Resolution::Table(t)) => Some(*t),
                _ => None,
            },
            _ => None,
        };
        let (table, at_date) = match &receiver.kind {
            ExprKind::Name(_) => match table_of(receiver) {
                Some(t) => (t, None),
                None => return Ok(None),
            },
            ExprKind::Method {
                receiver: inner,
                method,
                args,
                optional: false,
            } if method.name == "at" => match (table_of(inner), args.first()) {
                (Some(t), Some(a)) => (t, Some(&a.value)),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        // The first `col == outer` test of each column keys the index; the
        // rest of the conjunction (`residual`) is tested on the rows found.
        let mut parts = Vec::new();
        conjuncts(pred, &mut parts);
        let mut atoms: Vec<(usize, &Expr)> = Vec::new();
        let mut residual: Vec<&Expr> = Vec::new();
        for part in parts {
            match equality_atom(program, part, table) {
                Some((c, outer)) if !atoms.iter().any(|(seen, _)| *seen == c) => {
                    atoms.push((c, outer));
                }
                _ => residual.push(part),
            }
        }
        if atoms.is_empty() {
            return Ok(None);
        }
        atoms.sort_by_key(|(c, _)| *c);
        // Tests against literals filter the rows indexed, when other tests
        // key the index: the index then holds only the rows that pass.
        let literal = |e: &Expr| self.literal_of(e).map(|v| Key::of(&v));
        let mut only = Vec::new();
        if atoms.iter().any(|(_, e)| literal(e).is_none()) {
            atoms.retain(|(c, e)| match literal(e) {
                Some(key) => {
                    only.push((*c, key));
                    false
                }
                None => true,
            });
        }
        let columns: Vec<usize> = atoms.iter().map(|(c, _)| *c).collect();
        let direct = match (atoms.as_slice(), residual.is_empty()) {
            ([(_, key)], true) => match (self.cell_path(key), at_date) {
                (Some(key), None) => Some(Direct { key, at: None }),
                (Some(key), Some(d)) => self.cell_path(d).map(|at| Direct { key, at: Some(at) }),
                (None, _) => None,
            },
            _ => None,
        };
        let values = atoms
            .iter()
            .map(|(_, e)| self.expr(e))
            .collect::<Result<Vec<_>, _>>()?;
        let at_date = at_date.map(|d| self.expr(d)).transpose()?;
        let effective = program.table(table).and_then(|t| t.effective);
        let dated_test = residual
            .first()
            .and_then(|first| dated_atom(program, first, table));
        let period = dated_test.map(|(_, p)| self.expr(p)).transpose()?;
        let depth = self.push_row(table);
        let compiled: Result<Vec<Eval>, EvalError> =
            residual.iter().map(|e| self.expr(e)).collect();
        self.pop();
        let residual = compiled?;
        let dated = match (dated_test, period) {
            (Some((column, _)), Some(period)) => Some(DatedTest {
                column,
                period,
                rest: residual.get(1..).unwrap_or_default().to_vec(),
            }),
            _ => None,
        };
        Ok(Some(IndexedWhere {
            table,
            values,
            at_date,
            effective,
            depth,
            residual,
            dated,
            index_id: IndexId {
                table,
                columns,
                only,
            },
            direct,
            found: std::sync::OnceLock::new(),
            span,
        }))
    }
}

/// The rows of `bucket` that pass `test`, in table order; `None` when the
/// test is to be run row by row instead (the period is not a period, or
/// the bucket is sorted by another column). The period is read only when
/// there are rows, as a scan would.
fn dated_rows(
    test: &DatedTest,
    bucket: &Bucket,
    t: &Table,
    rt: &Runtime,
    f: &mut Frame,
) -> Result<Option<Vec<u32>>, EvalError> {
    if bucket.rows.is_empty() {
        return Ok(None);
    }
    let Value::Period(p) = (test.period)(rt, f)? else {
        return Ok(None);
    };
    Ok(match (rt.calendar.start(p), rt.calendar.end(p)) {
        (Some(start), Some(end)) => bucket.rows_dated(t, test.column, start, end),
        _ => Some(Vec::new()),
    })
}

/// True when every test holds (`and`, left to right, stopping at the
/// first that does not).
fn holds_all(tests: &[Eval], rt: &Runtime, f: &mut Frame) -> Result<bool, EvalError> {
    for test in tests {
        if !matches!(test(rt, f)?, Value::Bool(true)) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]
    use super::*;
    use proptest::prelude::*;

    /// A table of deals with these regions.
    fn deals(regions: &[&str]) -> Table {
        let mut t = Table::new("deals", &["id", "region"]);
        for (i, r) in regions.iter().enumerate() {
            t.push_refs([&Value::text(&format!("D-{i}")), &Value::text(r)]);
        }
        t
    }

    /// One compiled lookup evaluated under the runtimes of two evaluations
    /// (each with its own indexes) answers each from its own data: the
    /// index it kept from the first is not used for the second.
    /// A row is in effect from its start to its end, both days
    /// included; without a start never, without an end from its start on.
    #[test]
    fn a_row_is_in_effect_from_its_start_to_its_end() {
        let date = |d: u32| Value::Date(NaiveDate::from_ymd_opt(2025, 3, d).unwrap_or_default());
        let day = |d: u32| match date(d) {
            Value::Date(d) => d.num_days_from_ce(),
            _ => 0,
        };
        let held = |start: &Value, end: &Value| {
            let span = InEffect::of(start, end).unwrap();
            (1..=31)
                .filter(|d| span.holds(day(*d)))
                .collect::<Vec<u32>>()
        };
        assert_eq!(held(&date(10), &date(12)), vec![10, 11, 12]);
        assert_eq!(held(&date(30), &Value::None), vec![30, 31]);
        assert!(held(&Value::None, &date(12)).is_empty());
        assert!(held(&date(12), &date(10)).is_empty());
        assert!(InEffect::of(&Value::text("2025-03-10"), &Value::None).is_none());
        assert!(InEffect::of(&date(1), &Value::Int(3)).is_none());
    }

    /// A day and a row in one word sort by day, then by row, days before
    /// the common era included.
    #[test]
    fn days_and_rows_sort_by_day_then_row() {
        let mut pairs = [
            (3, 9),
            (-5, 2),
            (3, 1),
            (0, 7),
            (i32::MIN, 4),
            (i32::MAX, 0),
            (-5, 0),
        ];
        let mut keys: Vec<u64> = pairs.iter().map(|(d, r)| day_and_row(*d, *r)).collect();
        keys.sort_unstable();
        pairs.sort_unstable();
        let rows: Vec<u32> = keys
            .iter()
            .map(|k| (k & u64::from(u32::MAX)) as u32)
            .collect();
        assert_eq!(rows, pairs.iter().map(|(_, r)| *r).collect::<Vec<_>>());
    }

    /// A date column's days are read by code where it is coded, and from
    /// the values where it is not: the same days either way.
    #[test]
    fn days_are_read_by_code_as_from_the_values() {
        let date = |d: u32| Value::Date(NaiveDate::from_ymd_opt(2025, 1, 1 + d % 28).unwrap());
        let values: Vec<Value> = (0..500)
            .map(|i| {
                if i % 11 == 0 {
                    Value::None
                } else {
                    date(i * 7)
                }
            })
            .collect();
        let mut coded = Table::new("t", &["d"]);
        let mut plain = Table::new("t", &["d"]);
        plain.columns[0] = crate::Column::plain("d");
        for v in &values {
            coded.push_refs([v]);
            plain.push_refs([v]);
        }
        assert!(coded.columns[0].is_coded());
        assert!(!plain.columns[0].is_coded());
        let (by_code, by_value) = (days_of(&coded, 0), days_of(&plain, 0));
        for row in 0..500u32 {
            let expected = match &values[row as usize] {
                Value::Date(d) => Some(d.num_days_from_ce()),
                _ => None,
            };
            assert_eq!(by_code(row), expected, "row {row}");
            assert_eq!(by_value(row), expected, "row {row}");
        }
    }

    #[test]
    fn a_lookup_run_under_another_runtime_uses_that_runtimes_index() {
        let source = "table deals {\n  id: Text key\n  region: Text\n}\n\n\
                      fn in_region(r: Text) -> Int = deals.where(region == r).count()\n";
        let program = tally_check::check_source("p.tally", source, &tally_check::NoImports).program;
        let table = program.table_named("deals").unwrap();
        let Some(DeclKind::Fn(f)) = program
            .fns
            .iter()
            .find(|f| f.name == "in_region")
            .and_then(|f| f.decl)
            .and_then(|d| program.decl(d))
            .map(|d| &d.kind)
        else {
            panic!("no function");
        };
        let mut compiler = Compiler::new(&program);
        compiler.push_locals();
        let slot = compiler.bind(f.params[0].name.span);
        let count = compiler.expr(&f.body).unwrap();
        let store_of = |regions: &[&str]| {
            let mut store = Store::with_tables(program.tables.len());
            store.set(table, deals(regions));
            store
        };
        let first = store_of(&["EU", "US", "EU", "EU"]);
        let second = store_of(&["US", "EU"]);
        let engine = crate::engine::Engine::new(&program, crate::Limits::default()).unwrap();
        let mut frame = Frame::with_slots(compiler.slots());
        frame.set(slot, Value::text("EU"));
        for (store, eu) in [(&first, 3), (&second, 1), (&first, 3)] {
            let rt = engine.runtime(store);
            assert_eq!(count(&rt, &mut frame).unwrap(), Value::Int(eu));
        }
    }

    proptest! {
        /// Counting then writing each range's share gives every pair's
        /// rows in row order, whatever the number of ranges; rows with no
        /// pair (failing a constant test) are left out.
        #[test]
        fn rows_by_codes_are_the_rows_of_each_pair_in_order(
            pairs in proptest::collection::vec(proptest::option::of(0u64..6), 0..200),
            parts in 1usize..6,
        ) {
            let got = rows_by(pairs.len(), parts, |row| pairs[row]);
            let mut expected: crate::FastMap<u64, Vec<u32>> = crate::FastMap::default();
            for (row, pair) in pairs.iter().enumerate() {
                if let Some(pair) = pair {
                    expected.entry(*pair).or_default().push(row as u32);
                }
            }
            prop_assert_eq!(got, expected);
        }
    }
}
