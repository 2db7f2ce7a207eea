//! `T.where(col == x and ...)` and `T.at(d).where(...)` through a hash
//! index: the rows whose columns equal the outer values are looked up, not
//! scanned. The index over (table, columns) is built once per evaluation
//! phase. Index keys are equal exactly when `==` holds (numbers by value, a
//! reference and its key text alike), so the rows found pass the tests the
//! index was keyed by; the rest of the condition is evaluated on each of
//! them. The result is exactly that of a scan, in the same (table) order.

use super::Compiler;
use crate::error::EvalError;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::Store;
use crate::value::{compare, Key, RowRef, TableView, Value};
use std::sync::{Arc, Mutex};
use tally_check::{Resolution, TableId};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// Rows by the values of some columns.
pub type RowIndex = crate::FastMap<Vec<Key>, Vec<u32>>;

/// Which index: a table and the columns it is keyed by.
pub type IndexId = (TableId, Vec<usize>);

/// How many indexes a phase finds without taking a lock.
const SLOTS: usize = 16;

/// Indexes built during one evaluation phase, by (table, columns).
///
/// The first [`SLOTS`] indexes built are also published in slots that
/// threads read without taking the lock: a lookup runs once per row of a
/// phase, on every core, and a shared lock would pass between the cores on
/// every one. Later indexes are found under the lock.
#[derive(Debug, Default)]
pub struct IndexCache {
    slots: [std::sync::OnceLock<(IndexId, Arc<RowIndex>)>; SLOTS],
    built: Mutex<crate::FastMap<IndexId, Arc<RowIndex>>>,
}

/// An index found in an [`IndexCache`].
pub enum IndexRef<'a> {
    /// Read from a published slot.
    Slot(&'a RowIndex),
    /// Found (or built) under the lock.
    Shared(Arc<RowIndex>),
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

/// The key a value is looked up by: a reference by its row's key value (so
/// a reference and the text of its key meet), anything else as itself.
pub fn lookup_key(v: &Value, store: &Store) -> Key {
    match v {
        Value::Row(r) => match store.table(r.table).key_of(r.row as usize) {
            Some(k) => Key::of(k),
            None => Key::Row(*r),
        },
        other => Key::of(other),
    }
}

impl IndexCache {
    /// The index of table `id.0` over columns `id.1`, building it on
    /// first use (once: threads asking for it meanwhile wait for it).
    /// A large table's index is built on up to `threads` threads (`None`:
    /// one per core).
    pub fn get(&self, store: &Store, id: &IndexId, threads: Option<usize>) -> IndexRef<'_> {
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
    let (table, columns) = (id.0, id.1.as_slice());
    let t = store.table(table);
    let build_range = |range: std::ops::Range<usize>| {
        let mut index: RowIndex = RowIndex::default();
        let mut key: Vec<Key> = Vec::with_capacity(columns.len());
        for row in range {
            key.clear();
            key.extend(columns.iter().map(|c| lookup_key(t.get(*c, row), store)));
            let row = u32::try_from(row).unwrap_or(u32::MAX);
            match index.get_mut(key.as_slice()) {
                Some(rows) => rows.push(row),
                None => {
                    index.insert(key.clone(), vec![row]);
                }
            }
        }
        index
    };
    let parts = crate::engine::parallel::parts_for(threads, t.len, ROWS_PER_THREAD);
    let mut maps = crate::engine::parallel::map_ranges(t.len, parts, build_range).into_iter();
    let mut index = maps.next().unwrap_or_default();
    for part in maps {
        for (key, rows) in part {
            index.entry(key).or_default().extend(rows);
        }
    }
    index
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

/// `conjunct` as `col == outer`: (column, outer expression), when it
/// tests a column of `table` against a value computed outside its rows.
fn equality_atom<'e>(
    program: &tally_check::Program,
    conjunct: &'e Expr,
    table: TableId,
) -> Option<(usize, &'e Expr)> {
    let mut e = conjunct;
    while let ExprKind::Paren(x) = &e.kind {
        e = x;
    }
    let ExprKind::Binary {
        op: BinOp::Eq,
        lhs,
        rhs,
    } = &e.kind
    else {
        return None;
    };
    let column_of = |x: &Expr| match &x.kind {
        ExprKind::Name(id) => match program.resolutions.get(&id.span) {
            Some(Resolution::Column(t, c)) if *t == table => Some(*c),
            _ => None,
        },
        _ => None,
    };
    match (column_of(lhs), column_of(rhs)) {
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
    index_id: IndexId,
    span: Span,
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
        let mut keys: smallvec::SmallVec<[Key; 4]> = smallvec::SmallVec::new();
        for value in &self.values {
            keys.push(lookup_key(&value(rt, f)?, rt.store));
        }
        let on = self.at_date.as_ref().map(|d| d(rt, f)).transpose()?;
        let index = rt.indexes.get(rt.store, &self.index_id, rt.limits.threads);
        let candidates: &[u32] = index.get(keys.as_slice()).map(Vec::as_slice).unwrap_or(&[]);
        rt.step(candidates.len() as u64 + 1, self.span)?;
        let (table, depth) = (self.table, self.depth);
        let t = rt.store.table(table);
        let saved = f.rows.len();
        let mut visiting = true;
        for &row in candidates {
            if let (Some(on), Some((start, end))) = (&on, self.effective) {
                let s = t.get(start, row as usize);
                let e = t.get(end, row as usize);
                let in_effect = !s.is_none()
                    && compare(s, on).is_le()
                    && (e.is_none() || compare(on, e).is_le());
                if !in_effect {
                    continue;
                }
            }
            if !self.residual.is_empty() {
                f.rows.truncate(depth);
                f.rows.resize(depth, RowRef { table, row: 0 });
                f.rows.push(RowRef { table, row });
                let holds = holds_all(&self.residual, rt, f);
                f.rows.truncate(saved.min(depth));
                if !holds? {
                    continue;
                }
            }
            if visiting && !visit(f, row)? {
                visiting = false;
            }
            if !visiting && self.residual.is_empty() {
                break;
            }
        }
        Ok(())
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
        let columns: Vec<usize> = atoms.iter().map(|(c, _)| *c).collect();
        let values = atoms
            .iter()
            .map(|(_, e)| self.expr(e))
            .collect::<Result<Vec<_>, _>>()?;
        let at_date = at_date.map(|d| self.expr(d)).transpose()?;
        let effective = program.table(table).and_then(|t| t.effective);
        let depth = self.push_row(table);
        let residual: Result<Vec<Eval>, EvalError> =
            residual.iter().map(|e| self.expr(e)).collect();
        self.pop();
        Ok(Some(IndexedWhere {
            table,
            values,
            at_date,
            effective,
            depth,
            residual: residual?,
            index_id: (table, columns),
            span,
        }))
    }
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
