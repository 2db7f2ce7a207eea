//! Report columns that aggregate one input column (`sum(amount)`,
//! `count_distinct(deal)`), computed for every group in one pass over the
//! input rows.
//!
//! Reading a group's rows one group after another visits the column once
//! per group: with few large groups (a roll-up by manager) each visit
//! reads nearly every cache line of the column again. One pass in row
//! order, adding each row to its group's running total, reads the column
//! once. A group whose total cannot be made this way (values of another
//! kind, mixed currencies, a zero total) is left to the column's
//! expression, which gives the value (or the error) it always gives.

use crate::compile::calls::DistinctRows;
use crate::compile::column_named;
use crate::compile::sum::MoneySum;
use crate::table::Column;
use crate::table::Table;
use crate::value::{RowRef, Value};
use tally_check::{Program, Resolution, TableId};
use tally_syntax::ast::{Expr, ExprKind};

/// An aggregate of one input column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stream {
    /// `sum(column)`
    Sum(usize),
    /// `count_distinct(column)`
    CountDistinct(usize),
    /// `count()`: the group's rows
    Count,
}

impl Stream {
    /// The stream of report column `e` (over rows of `input`), if it is
    /// one aggregate of one input column.
    pub(super) fn of(program: &Program, e: &Expr, input: TableId) -> Option<Stream> {
        let ExprKind::Call { func, args } = &e.kind else {
            return None;
        };
        let Some(Resolution::Builtin(name)) = program.resolutions.get(&func.span) else {
            return None;
        };
        if name == "count" {
            return Some(Stream::Count);
        }
        let [arg] = args.as_slice() else {
            return None;
        };
        let column = column_named(program, &arg.value, input)?;
        match name.as_str() {
            "sum" => Some(Stream::Sum(column)),
            "count_distinct" => Some(Stream::CountDistinct(column)),
            _ => None,
        }
    }

    /// The aggregate of every group: `rows` are the input rows in order
    /// and `groups` the group of each; `None` for a group whose value the
    /// column's expression must give.
    pub(super) fn run(
        self,
        input: &Table,
        rows: &[u32],
        groups: &[u32],
        count: usize,
    ) -> Vec<Option<Value>> {
        let column = match self.column() {
            Some(c) => match input.columns.get(c) {
                Some(column) => Some(column),
                None => return vec![None; count],
            },
            None => None,
        };
        let in_order = column.is_some_and(|c| ascending(c, rows.iter().copied()));
        let mut accs: Vec<Option<Acc>> = (0..count).map(|_| Some(self.start(in_order))).collect();
        for (&row, &g) in rows.iter().zip(groups) {
            if let Some(slot) = accs.get_mut(g as usize) {
                if !slot.as_mut().is_some_and(|acc| acc.add_row(column, row)) {
                    *slot = None;
                }
            }
        }
        accs.into_iter().map(|a| a.and_then(Acc::finish)).collect()
    }

    /// The aggregate of all of `rows` (a report's totals row); `None`
    /// when the column's expression must give it.
    pub(super) fn total(self, input: &Table, rows: &[u32]) -> Option<Value> {
        let column = match self.column() {
            Some(c) => Some(input.columns.get(c)?),
            None => None,
        };
        let in_order = column.is_some_and(|c| ascending(c, rows.iter().copied()));
        let mut acc = self.start(in_order);
        for &row in rows {
            if !acc.add_row(column, row) {
                return None;
            }
        }
        acc.finish()
    }

    /// The input column aggregated (none for `count()`).
    pub(super) fn column(self) -> Option<usize> {
        match self {
            Stream::Sum(c) | Stream::CountDistinct(c) => Some(c),
            Stream::Count => None,
        }
    }

    /// An empty running aggregate of one group; `in_order` says the
    /// column's references come in order (see [`ascending`]).
    pub(super) fn start(self, in_order: bool) -> Acc {
        match self {
            Stream::Sum(_) => Acc::Sum(MoneySum::default()),
            Stream::CountDistinct(_) if in_order => Acc::Ascending(DistinctAscending::default()),
            Stream::CountDistinct(_) => Acc::Rows(DistinctRows::default()),
            Stream::Count => Acc::Count(0),
        }
    }
}

/// The running aggregate of one group over some of its rows, merged with
/// the aggregates of its later rows (the ranges of a report's input).
pub(super) enum Acc {
    /// `sum`
    Sum(MoneySum),
    /// `count_distinct` of references in order
    Ascending(DistinctAscending),
    /// `count_distinct` of references in any order
    Rows(DistinctRows),
    /// `count()`
    Count(i64),
}

impl Acc {
    /// Adds `v`; false when the group's value must be left to the
    /// column's expression.
    #[inline]
    pub(super) fn add(&mut self, v: &Value) -> bool {
        match self {
            Acc::Sum(a) => a.add(v),
            Acc::Ascending(a) => a.add(v),
            Acc::Rows(a) => a.add(v),
            Acc::Count(n) => {
                *n += 1;
                true
            }
        }
    }

    /// Adds input row `row`: its cell of `column` (none for `count()`).
    #[inline]
    pub(super) fn add_row(&mut self, column: Option<&Column>, row: u32) -> bool {
        if let (Acc::Sum(sum), Some(column)) = (&mut *self, column) {
            return sum.add_cell(column, row as usize);
        }
        match column {
            Some(column) => column.read(row as usize, |v| self.add(v)),
            None => self.add(&Value::None),
        }
    }

    /// Adds the aggregate of the group's later rows; false as for `add`.
    pub(super) fn merge(&mut self, later: Acc) -> bool {
        match (self, later) {
            (Acc::Sum(a), Acc::Sum(b)) => a.merge(b),
            (Acc::Ascending(a), Acc::Ascending(b)) => {
                a.merge(b);
                true
            }
            (Acc::Rows(a), Acc::Rows(b)) => {
                a.merge(b);
                true
            }
            (Acc::Count(a), Acc::Count(b)) => {
                *a += b;
                true
            }
            _ => false,
        }
    }

    /// The group's value, or `None` when the expression must give it.
    pub(super) fn finish(self) -> Option<Value> {
        match self {
            Acc::Sum(a) => a.finish(),
            Acc::Ascending(a) => Some(a.finish()),
            Acc::Rows(a) => Some(a.finish()),
            Acc::Count(n) => Some(Value::Int(n)),
        }
    }
}

/// True when `column` holds references on every one of `rows` (taken in
/// order), each to the same row as the one before or a later row of the
/// same table: the deals of `credits`, made deal by deal. Each group then
/// meets its references in order too, and counts the distinct ones by
/// counting changes, keeping none of them.
pub(super) fn ascending(column: &Column, rows: impl IntoIterator<Item = u32>) -> bool {
    ascending_ends(column, rows).is_some()
}

/// The first and last references of `rows` (none for no rows) when they
/// are [`ascending`]; `None` when they are not.
pub(super) fn ascending_ends(
    column: &Column,
    rows: impl IntoIterator<Item = u32>,
) -> Option<Option<(RowRef, RowRef)>> {
    let mut ends: Option<(RowRef, RowRef)> = None;
    for row in rows {
        let r = column.row_at(row as usize)?;
        ends = match ends {
            Some((_, l)) if l.table != r.table || l.row > r.row => return None,
            Some((first, _)) => Some((first, r)),
            None => Some((r, r)),
        };
    }
    Some(ends)
}

/// A running `count_distinct` of references that come in order (see
/// [`ascending`]): a count of changes.
#[derive(Default)]
pub(super) struct DistinctAscending {
    first: Option<RowRef>,
    last: Option<RowRef>,
    count: i64,
}

impl DistinctAscending {
    fn add(&mut self, v: &Value) -> bool {
        let Value::Row(r) = v else {
            return false;
        };
        if self.last != Some(*r) {
            self.first = self.first.or(Some(*r));
            self.last = Some(*r);
            self.count += 1;
        }
        true
    }

    /// Adds the count of later references (which come after these: the
    /// last of these and the first of those may be one reference).
    fn merge(&mut self, later: DistinctAscending) {
        let Some(first) = later.first else {
            return;
        };
        self.count += later.count - i64::from(self.last == Some(first));
        self.first = self.first.or(Some(first));
        self.last = later.last;
    }

    fn finish(self) -> Value {
        Value::Int(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::table::Column;
    use crate::value::RowRef;
    use rust_decimal::Decimal;

    fn usd(cents: i64) -> Value {
        Value::Money(Money::new(Decimal::new(cents, 2), Currency(*b"USD")))
    }

    fn deal(row: u32) -> Value {
        Value::Row(RowRef {
            table: TableId(0),
            row,
        })
    }

    fn table() -> Table {
        let mut t = Table::default();
        let amounts = [usd(100), usd(250), usd(-100), Value::Int(3), usd(5)];
        let deals = [deal(1), deal(2), deal(1), deal(1), deal(3)];
        t.columns
            .push(Column::from_values("amount", amounts.to_vec()));
        t.columns.push(Column::from_values("deal", deals.to_vec()));
        t.len = 5;
        t
    }

    #[test]
    fn each_group_gets_its_own_total() {
        let t = table();
        // Groups 0, 1, 0, 2, 1 over rows 0..5.
        let groups = [0, 1, 0, 2, 1];
        let rows = [0, 1, 2, 3, 4];
        let sums = Stream::Sum(0).run(&t, &rows, &groups, 3);
        // Group 0 sums to zero and group 2 holds a number: both are left
        // to the expression.
        assert_eq!(sums, vec![None, Some(usd(255)), None]);
        // All rows together: the sum mixes a number in (left to the
        // expression); the counts are of every row.
        assert_eq!(Stream::Sum(0).total(&t, &rows), None);
        assert_eq!(Stream::Sum(0).total(&t, &[0, 1, 4]), Some(usd(355)));
        assert_eq!(Stream::Count.total(&t, &rows), Some(Value::Int(5)));
        assert_eq!(
            Stream::CountDistinct(1).total(&t, &rows),
            Some(Value::Int(3))
        );
        let counts = Stream::Count.run(&t, &rows, &groups, 3);
        let int = |n| Some(Value::Int(n));
        assert_eq!(counts, vec![int(2), int(2), int(1)]);
        let distinct = Stream::CountDistinct(1).run(&t, &rows, &groups, 3);
        assert_eq!(
            distinct,
            vec![
                Some(Value::Int(1)),
                Some(Value::Int(2)),
                Some(Value::Int(1))
            ]
        );
    }

    proptest::proptest! {
        /// References in order are counted by their changes, and the
        /// count is the one of keeping them all; references out of order
        /// (or with a none among them) are kept, as before.
        #[test]
        fn references_in_order_count_like_references_kept(
            steps in proptest::collection::vec((0u32..3, 0u32..4), 0..60),
            shuffle in proptest::bool::ANY,
        ) {
            let mut row = 0;
            let mut deals: Vec<Value> = steps.iter().map(|(step, _)| {
                row += step;
                deal(row)
            }).collect();
            let last = deals.len().saturating_sub(1);
            if shuffle && last > 0 {
                deals.swap(0, last);
            }
            let groups: Vec<u32> = steps.iter().map(|(_, g)| *g).collect();
            let rows: Vec<u32> = (0..deals.len() as u32).collect();
            let mut t = Table::default();
            t.columns.push(Column::from_values("deal", deals.clone()));
            t.len = deals.len();
            let counted = Stream::CountDistinct(0).run(&t, &rows, &groups, 4);
            // Every reference kept, and counted at the end.
            let mut kept: Vec<DistinctRows> = (0..4).map(|_| DistinctRows::default()).collect();
            for (v, g) in deals.iter().zip(&groups) {
                kept[*g as usize].add(v);
            }
            let kept: Vec<Option<Value>> = kept.into_iter().map(|d| Some(d.finish())).collect();
            proptest::prop_assert_eq!(counted, kept);
            let in_order = deals.windows(2).all(|w| match (&w[0], &w[1]) {
                (Value::Row(a), Value::Row(b)) => a.row <= b.row,
                _ => false,
            });
            proptest::prop_assert_eq!(ascending(&t.columns[0], rows.iter().copied()), in_order);
        }
    }

    #[test]
    fn a_none_or_another_table_is_not_in_order() {
        let other = Value::Row(RowRef {
            table: TableId(1),
            row: 5,
        });
        for values in [vec![deal(1), Value::None], vec![deal(1), other]] {
            let column = Column::from_values("deal", values);
            assert!(!ascending(&column, [0, 1]));
        }
        assert!(ascending(
            &Column::from_values("deal", vec![deal(1), deal(1), deal(4)]),
            [0, 1, 2]
        ));
    }
}
