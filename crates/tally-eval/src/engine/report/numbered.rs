//! Groups found by number: most rows of a grouped report find their group
//! without hashing a value.
//!
//! A key is told by a number when one can be read straight off the row:
//! - a key that follows references to a coded column
//!   (`deal.account.territory`) is told by the code of the cell it reaches,
//!   and one grouped by reference (`payee.id`) by the row it reaches;
//! - a key computed from one coded column of the input row alone
//!   (`fiscal_quarter(date)`) is computed once per code of that column,
//!   and told by the number of the value it gave (the many dates of one
//!   quarter are one number).
//!
//! Rows whose numbers were seen before take the same group; the first
//! row of each set of numbers finds its group by its values, as every row
//! does without numbers. Equal numbers always mean equal values, so the
//! groups are the same either way. Up to two keys are numbered.

use super::groups::{GroupKey, Groups};
use crate::error::EvalError;
use crate::key_map::KeyMap;
use crate::runtime::{Frame, Runtime};
use crate::table::Store;
use crate::value::{RowRef, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use tally_check::{Program, Resolution, TableId, AGGREGATES};
use tally_syntax::ast::{Expr, ExprKind};

/// What a key's number is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Number {
    /// The code (or the row, grouped by reference) of the cell the key's
    /// path reaches.
    Path,
    /// The code of this column of the input row, mapped to the values
    /// the key takes.
    OfColumn(usize),
    /// Nothing: the key reads no row.
    Constant,
}

/// What the key `e` of a report over `input` can be numbered by, from
/// its form alone (the columns it reads must also be coded: see
/// [`Numbering::new`]).
pub(super) fn number_of(
    program: &Program,
    e: &Expr,
    input: TableId,
    is_path: bool,
) -> Option<Number> {
    if is_path {
        return Some(Number::Path);
    }
    let mut read = None;
    reads_one_column(program, e, input, &mut read).then_some(match read {
        Some(column) => Number::OfColumn(column),
        None => Number::Constant,
    })
}

/// True when `e` reads the input row only through one column (noted in
/// `read`) and is otherwise made of values, operators and calls of
/// functions: its value is then a function of that column's value.
fn reads_one_column(program: &Program, e: &Expr, input: TableId, read: &mut Option<usize>) -> bool {
    let mut each = |e: &Expr| reads_one_column(program, e, input, read);
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Decimal(_)
        | ExprKind::Percent(_)
        | ExprKind::Money { .. }
        | ExprKind::Date(_)
        | ExprKind::Period(_)
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::None => true,
        ExprKind::Name(id) => match program.resolutions.get(&id.span) {
            Some(Resolution::Column(t, c)) if *t == input => *read.get_or_insert(*c) == *c,
            Some(Resolution::Const(_) | Resolution::Territory(_)) => true,
            _ => false,
        },
        ExprKind::Field { base, .. } => each(base),
        ExprKind::Call { func, args } => {
            let pure = match program.resolutions.get(&func.span) {
                Some(Resolution::Fn(_)) => true,
                Some(Resolution::Builtin(name)) => !AGGREGATES.contains(&name.as_str()),
                _ => false,
            };
            pure && args.iter().all(|a| each(&a.value))
        }
        ExprKind::List(items) => items.iter().all(each),
        ExprKind::Index { base, index } => each(base) && each(index),
        ExprKind::Unary { expr, .. }
        | ExprKind::Is { expr, .. }
        | ExprKind::Cast { expr, .. }
        | ExprKind::Paren(expr) => each(expr),
        ExprKind::Binary { lhs, rhs, .. } => each(lhs) && each(rhs),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => each(cond) && each(then) && each(otherwise),
        ExprKind::Map(_) | ExprKind::Record(_) | ExprKind::Method { .. } | ExprKind::Tiered(_) => {
            false
        }
    }
}

/// Most keys numbered.
const MOST_KEYS: usize = 2;

/// The numbers of one part of a report's rows, and the group each set of
/// numbers found.
pub(super) struct Numbering {
    /// Per key: for [`Number::OfColumn`], each code's value number plus
    /// one (zero: not computed yet), and the values numbered.
    memos: Vec<(Vec<u32>, KeyMap<()>)>,
    known: HashMap<u64, u32, foldhash::fast::FixedState>,
}

impl Numbering {
    /// A numbering for the keys of a report over `input`; `None` when a
    /// key has no number (or there are too many keys).
    pub(super) fn new(
        keys: &[(usize, GroupKey)],
        store: &Store,
        input: TableId,
    ) -> Option<Numbering> {
        if keys.len() > MOST_KEYS || keys.is_empty() {
            return None;
        }
        let table = store.table(input);
        for (_, key) in keys {
            match key.number()? {
                Number::Path => key.path_is_numbered(store, input).then_some(())?,
                Number::OfColumn(c) => table.columns.get(c)?.is_coded().then_some(())?,
                Number::Constant => {}
            }
        }
        Some(Numbering {
            memos: keys
                .iter()
                .map(|_| (Vec::new(), KeyMap::default()))
                .collect(),
            known: HashMap::default(),
        })
    }

    /// The group of row `at` (the frame's row) in `groups`: by its numbers
    /// when they were seen before, else by its key values (in `values`).
    pub(super) fn group<'s>(
        &mut self,
        rt: &Runtime<'s>,
        frame: &mut Frame,
        keys: &[(usize, GroupKey)],
        at: RowRef,
        groups: &mut Groups,
        values: &mut Vec<Cow<'s, Value>>,
    ) -> Result<usize, EvalError> {
        let mut packed = 0u64;
        let mut numbered = true;
        for ((_, key), (memo, seen)) in keys.iter().zip(&mut self.memos) {
            let n = match key.number() {
                Some(Number::Path) => key.path_number(rt.store, at),
                Some(Number::OfColumn(c)) => memo_number(rt, frame, key, at, c, memo, seen)?,
                Some(Number::Constant) => Some(0),
                None => None,
            };
            match n {
                Some(n) => packed = packed << 32 | u64::from(n),
                None => numbered = false,
            }
        }
        if numbered {
            if let Some(&g) = self.known.get(&packed) {
                return Ok(g as usize);
            }
        }
        let g = groups.group_by_values(rt, frame, keys, at, values)?;
        if numbered {
            self.known
                .insert(packed, u32::try_from(g).unwrap_or(u32::MAX));
        }
        Ok(g)
    }
}

/// The number of the value key `key` takes on row `at`, computed from
/// its column `column`'s code: once per code, then read by code.
fn memo_number(
    rt: &Runtime<'_>,
    frame: &mut Frame,
    key: &GroupKey,
    at: RowRef,
    column: usize,
    memo: &mut Vec<u32>,
    seen: &mut KeyMap<()>,
) -> Result<Option<u32>, EvalError> {
    let Some((_, code)) = rt
        .store
        .table(at.table)
        .columns
        .get(column)
        .and_then(|c| c.code_at(at.row as usize))
    else {
        return Ok(None);
    };
    let slot = code as usize;
    if let Some(&n) = memo.get(slot).filter(|n| **n != 0) {
        return Ok(Some(n - 1));
    }
    let value = key.value(rt, frame, at)?;
    let n = u32::try_from(seen.entry(&[value], || ())).unwrap_or(u32::MAX);
    if memo.len() <= slot {
        memo.resize(slot + 1, 0);
    }
    if let Some(entry) = memo.get_mut(slot) {
        *entry = n.saturating_add(1);
    }
    Ok(Some(n))
}
