//! The groups of a grouped report: each group's key values and rows, found
//! by hashing the values where they are.
//!
//! A key that follows references from the row (`payee.id`,
//! `deal.account.territory`) is read in place from the tables, and a
//! group's values are copied only when the group is new: a row of a
//! report touches no shared text, so the threads that share the rows
//! never contend for one. A key that ends at the key column of a loaded
//! table (`payee.id`) groups by the row it reaches, a reference hashed
//! without reading its text: keys of a loaded table are all different,
//! so the groups are the same. The reference becomes its key value when
//! the groups are listed.

use super::numbered::{number_of, Number};
use crate::compile::column_named;
use crate::error::EvalError;
use crate::key_map::KeyMap;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::Store;
use crate::value::{RowRef, Value};
use std::borrow::Cow;
use tally_check::{Program, Resolution, TableId};
use tally_syntax::ast::{Expr, ExprKind};

/// One `group by` key: its compiled expression and, when it only follows
/// references from the row, the columns it follows.
pub(super) struct GroupKey {
    pub(super) eval: Eval,
    path: Option<Path>,
    /// What the key is told by without its value (see [`super::numbered`]).
    number: Option<Number>,
}

/// A column of the input row, then a column of each table referenced in
/// turn: `deal.account.territory`.
struct Path {
    first: usize,
    then: Vec<usize>,
    /// The table of the last column read, when it is not the input's.
    last_table: Option<TableId>,
    /// The last column is that table's key, and groups are made by the
    /// row reached (see [`GroupKey::by_reference`]).
    by_row: bool,
}

impl GroupKey {
    /// The key `e` of a report over `input`, compiled as `eval`.
    pub(super) fn new(program: &Program, e: &Expr, input: TableId, eval: Eval) -> GroupKey {
        let path = path_of(program, e, input);
        GroupKey {
            eval,
            number: number_of(program, e, input, path.is_some()),
            path,
        }
    }

    /// What the key is told by without its value, if anything.
    pub(super) fn number(&self) -> Option<Number> {
        self.number
    }

    /// True when the cell the key's path reaches (from a row of `input`)
    /// is told by its code or its row.
    pub(super) fn path_is_numbered(&self, store: &Store, input: TableId) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        if path.by_row {
            return true;
        }
        let last = path.then.last().copied().unwrap_or(path.first);
        let table = path.last_table.unwrap_or(input);
        store
            .table(table)
            .columns
            .get(last)
            .is_some_and(crate::Column::is_coded)
    }

    /// The code (or, grouped by reference, the row) of the cell the key's
    /// path reaches from `row`; `None` when a step meets no reference or
    /// the cell has no code.
    pub(super) fn path_number(&self, store: &Store, row: RowRef) -> Option<u32> {
        let path = self.path.as_ref()?;
        let (last, at) = path.reach(store, row)?;
        if path.by_row {
            return Some(at.row);
        }
        let (_, code) = store
            .table(at.table)
            .columns
            .get(last)?
            .code_at(at.row as usize)?;
        Some(code)
    }

    /// The key's value on `row` (the frame's row): read in place when the
    /// path leads to it, else evaluated (which also gives the errors and
    /// the nones of a path that meets none).
    pub(super) fn value<'s>(
        &self,
        rt: &Runtime<'s>,
        frame: &mut Frame,
        row: RowRef,
    ) -> Result<Cow<'s, Value>, EvalError> {
        // (the reference evaluation evaluates every key)
        if let Some(v) = self
            .path
            .as_ref()
            .filter(|_| !rt.plain)
            .and_then(|p| p.follow(rt.store, row))
        {
            return Ok(v);
        }
        Ok(Cow::Owned((self.eval)(rt, frame)?))
    }

    /// Makes the key group by the row it reaches when its path ends at
    /// the key column of a loaded table (its keys all different: loading
    /// refuses a repeated key). [`GroupKey::listed`] then gives the key
    /// values.
    pub(super) fn by_reference(&mut self, program: &Program, store: &Store) {
        let Some(path) = &mut self.path else {
            return;
        };
        let Some((table, &last)) = path.last_table.zip(path.then.last()) else {
            return;
        };
        let loaded = program
            .table(table)
            .is_some_and(|t| matches!(t.kind, tally_check::TableKind::Declared(_)));
        path.by_row = loaded && store.table(table).key == Some(last);
    }

    /// The key's value for a group listed (the key value of the row it
    /// was grouped by, when grouped by reference).
    pub(super) fn listed(&self, value: Value, store: &Store) -> Value {
        match value {
            Value::Row(r) if self.path.as_ref().is_some_and(|p| p.by_row) => {
                store.row_key(r).map_or(Value::None, Cow::into_owned)
            }
            other => other,
        }
    }
}

/// The path of `e` when it is a column of `input` followed by fields of
/// referenced tables.
fn path_of(program: &Program, e: &Expr, input: TableId) -> Option<Path> {
    match &e.kind {
        ExprKind::Paren(inner) => path_of(program, inner, input),
        ExprKind::Name(_) => Some(Path {
            first: column_named(program, e, input)?,
            then: Vec::new(),
            last_table: None,
            by_row: false,
        }),
        ExprKind::Field { base, name, .. } => {
            let mut path = path_of(program, base, input)?;
            match program.resolutions.get(&name.span) {
                Some(Resolution::Column(t, c)) => {
                    path.then.push(*c);
                    path.last_table = Some(*t);
                }
                _ => return None,
            }
            Some(path)
        }
        _ => None,
    }
}

impl Path {
    /// The cell the path leads to from `row`; `None` when a step meets
    /// something other than a reference (the expression says what then).
    fn follow<'s>(&self, store: &'s Store, row: RowRef) -> Option<Cow<'s, Value>> {
        let (last, at) = self.reach(store, row)?;
        if self.by_row {
            return Some(Cow::Owned(Value::Row(at)));
        }
        Some(store.cell(at, last))
    }

    /// The last column of the path and the row it is read on, from
    /// `row`; `None` when a step meets something other than a reference.
    fn reach(&self, store: &Store, row: RowRef) -> Option<(usize, RowRef)> {
        let Some((&last, steps)) = self.then.split_last() else {
            return Some((self.first, row));
        };
        let mut at = store.row_at(row, self.first)?;
        for &column in steps {
            at = store.row_at(at, column)?;
        }
        Some((last, at))
    }
}

/// Groups of rows by their key values, in the order of their first rows:
/// each group's key values and its rows, in input order.
#[derive(Default)]
pub(super) struct Groups {
    map: KeyMap<Vec<u32>>,
}

impl Groups {
    /// The index of the group of `values`, a new last group if none.
    pub(super) fn group_of(&mut self, values: &[Cow<'_, Value>]) -> usize {
        self.map.entry(values, Vec::new)
    }

    /// Adds `row` to group `g`.
    pub(super) fn push_row(&mut self, g: usize, row: u32) {
        if let Some(rows) = self.map.get_mut(g) {
            rows.push(row);
        }
    }

    /// Adds the groups of `other` (rows that come after these), and says
    /// which group each of them became.
    pub(super) fn merge(&mut self, other: Groups) -> Vec<u32> {
        self.map
            .merge(other.map, |mine, theirs| mine.extend(theirs))
    }

    /// The group of row `at` (the frame's row) by its values of `keys`
    /// (kept in `values`).
    pub(super) fn group_by_values<'s>(
        &mut self,
        rt: &Runtime<'s>,
        frame: &mut Frame,
        keys: &[(usize, GroupKey)],
        at: RowRef,
        values: &mut Vec<Cow<'s, Value>>,
    ) -> Result<usize, EvalError> {
        values.clear();
        for (_, k) in keys {
            values.push(k.value(rt, frame, at)?);
        }
        Ok(self.group_of(values))
    }

    /// The number of groups.
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    /// Each group's key values and rows, in order.
    pub(super) fn into_list(self) -> impl Iterator<Item = (Vec<Value>, Vec<u32>)> {
        self.map
            .into_entries()
            .into_iter()
            .map(|e| (e.key, e.value))
    }
}
