//! The groups of a grouped report: each group's key values and rows, found
//! by hashing the values where they are.
//!
//! A key that follows references from the row (`payee.id`,
//! `deal.account.territory`) is read in place from the tables, and a
//! group's values are copied only when the group is new: a row of a
//! report touches no shared text, so the threads that share the rows
//! never contend for one.

use crate::compile::column_named;
use crate::error::EvalError;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::Store;
use crate::value::{hash_key, same_key, RowRef, Value};
use crate::ByHash;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use tally_check::{Program, Resolution, TableId};
use tally_syntax::ast::{Expr, ExprKind};

/// One `group by` key: its compiled expression and, when it only follows
/// references from the row, the columns it follows.
pub(super) struct GroupKey {
    pub(super) eval: Eval,
    path: Option<Path>,
}

/// A column of the input row, then a column of each table referenced in
/// turn: `deal.account.territory`.
struct Path {
    first: usize,
    then: Vec<usize>,
}

impl GroupKey {
    /// The key `e` of a report over `input`, compiled as `eval`.
    pub(super) fn new(program: &Program, e: &Expr, input: TableId, eval: Eval) -> GroupKey {
        GroupKey {
            eval,
            path: path_of(program, e, input),
        }
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
        if let Some(v) = self.path.as_ref().and_then(|p| p.follow(rt.store, row)) {
            return Ok(Cow::Borrowed(v));
        }
        Ok(Cow::Owned((self.eval)(rt, frame)?))
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
        }),
        ExprKind::Field { base, name, .. } => {
            let mut path = path_of(program, base, input)?;
            match program.resolutions.get(&name.span) {
                Some(Resolution::Column(_, c)) => path.then.push(*c),
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
    fn follow<'s>(&self, store: &'s Store, row: RowRef) -> Option<&'s Value> {
        let mut v = store.cell(row, self.first);
        for &column in &self.then {
            match v {
                Value::Row(r) => v = store.cell(*r, column),
                _ => return None,
            }
        }
        Some(v)
    }
}

/// One group: its key values and its rows, in input order.
pub(super) struct Group {
    pub(super) values: Vec<Value>,
    pub(super) rows: Vec<u32>,
    hash: u64,
}

/// Groups of rows by their key values, in the order of their first rows.
#[derive(Default)]
pub(super) struct Groups {
    /// The groups in order.
    pub(super) list: Vec<Group>,
    /// Group by the hash of its values; groups whose hash an earlier
    /// group already has are in `collided`.
    by_hash: ByHash<u32>,
    collided: Vec<(u64, u32)>,
}

/// The hash of a group's key values (the same on every thread).
fn hash_values<'v>(values: impl Iterator<Item = &'v Value>) -> u64 {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    for v in values {
        hash_key(v, &mut h);
    }
    h.finish()
}

impl Groups {
    /// The index of the group of `values`, a new last group if none.
    pub(super) fn group_of(&mut self, values: &[Cow<'_, Value>]) -> usize {
        let hash = hash_values(values.iter().map(|v| &**v));
        if let Some(g) = self.find(hash, values.iter().map(|v| &**v)) {
            return g;
        }
        self.insert(Group {
            values: values.iter().map(|v| v.clone().into_owned()).collect(),
            rows: Vec::new(),
            hash,
        })
    }

    /// Adds `row` to group `g`.
    pub(super) fn push_row(&mut self, g: usize, row: u32) {
        if let Some(group) = self.list.get_mut(g) {
            group.rows.push(row);
        }
    }

    /// Adds the groups of `other` (rows that come after these), and says
    /// which group each of them became.
    pub(super) fn merge(&mut self, other: Groups) -> Vec<u32> {
        let mut became = Vec::with_capacity(other.list.len());
        for group in other.list {
            let g = match self.find(group.hash, group.values.iter()) {
                Some(g) => {
                    if let Some(mine) = self.list.get_mut(g) {
                        mine.rows.extend_from_slice(&group.rows);
                    }
                    g
                }
                None => self.insert(group),
            };
            became.push(u32::try_from(g).unwrap_or(u32::MAX));
        }
        became
    }

    fn find<'v>(
        &self,
        hash: u64,
        values: impl Iterator<Item = &'v Value> + Clone,
    ) -> Option<usize> {
        let same = |g: u32| {
            self.list.get(g as usize).is_some_and(|group| {
                group.values.len() == values.clone().count()
                    && group
                        .values
                        .iter()
                        .zip(values.clone())
                        .all(|(a, b)| same_key(a, b))
            })
        };
        let first = *self.by_hash.get(&hash)?;
        if same(first) {
            return Some(first as usize);
        }
        self.collided
            .iter()
            .find(|(h, g)| *h == hash && same(*g))
            .map(|(_, g)| *g as usize)
    }

    fn insert(&mut self, group: Group) -> usize {
        let g = self.list.len();
        let code = u32::try_from(g).unwrap_or(u32::MAX);
        match self.by_hash.entry(group.hash) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(code);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.push((group.hash, code))
            }
        }
        self.list.push(group);
        g
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn owned(values: &[Value]) -> Vec<Cow<'static, Value>> {
        values.iter().cloned().map(Cow::Owned).collect()
    }

    #[test]
    fn equal_keys_share_a_group_in_first_row_order() {
        let mut groups = Groups::default();
        let a = groups.group_of(&owned(&[Value::text("West"), Value::Int(1)]));
        let b = groups.group_of(&owned(&[Value::text("East"), Value::Int(1)]));
        // `1.00` is the key `1` again.
        let c = groups.group_of(&owned(&[
            Value::text("West"),
            Value::Decimal(Decimal::new(100, 2)),
        ]));
        assert_eq!((a, b, c), (0, 1, 0));
        assert_eq!(groups.list.len(), 2);
    }

    #[test]
    fn merged_groups_keep_their_rows_in_order() {
        let mut first = Groups::default();
        let g = first.group_of(&owned(&[Value::text("West")]));
        first.push_row(g, 0);
        let mut second = Groups::default();
        for (key, row) in [("East", 1), ("West", 2)] {
            let g = second.group_of(&owned(&[Value::text(key)]));
            second.push_row(g, row);
        }
        assert_eq!(first.merge(second), vec![1, 0]);
        let rows: Vec<&[u32]> = first.list.iter().map(|g| g.rows.as_slice()).collect();
        assert_eq!(rows, vec![&[0, 2][..], &[1][..]]);
    }

    #[test]
    fn groups_whose_hashes_collide_stay_apart() {
        let mut groups = Groups::default();
        for key in ["West", "East"] {
            groups.insert(Group {
                values: vec![Value::text(key)],
                rows: Vec::new(),
                hash: 7,
            });
        }
        let east = [Value::text("East")];
        let north = [Value::text("North")];
        assert_eq!(groups.find(7, east.iter()), Some(1));
        assert_eq!(groups.find(7, north.iter()), None);
    }
}
