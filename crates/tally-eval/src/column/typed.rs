//! Columns of one kind of value kept without a [`Value`] per row.
//!
//! A column whose values hardly repeat (ids, amounts, the deals of
//! credits) gains nothing from codes, and a 24-byte value per row (plus
//! a separate allocation per text) is most of a large table's memory.
//! When all of such a column's values are of one kind, it keeps them
//! packed instead:
//!
//! - references to rows of one table as 4-byte row numbers;
//! - money of one currency as an integer and a scale in one word per row
//!   (4 bytes while the amounts fit, 8 after: see [`Amounts`]; one memory
//!   access when rows are read out of order), so `1.0 USD` and
//!   `1.00 USD` read back as written;
//! - texts one after another in one block, with where each ends.
//!
//! A value that does not fit (another kind, another table or currency, a
//! text column's none) turns the column back into plain values, for good.

use super::amounts::Amounts;
use super::codes::Codes;
use super::put;
use crate::money::{Currency, Money};
use crate::value::{RowRef, Value};
use std::sync::Arc;
use tally_check::TableId;

/// The row number that stands for none in a column of references.
const NO_ROW: u32 = u32::MAX;
/// Values of one kind, packed.
#[derive(Clone, Debug)]
pub(super) enum Typed {
    /// References to rows of `table` (`NO_ROW`: none).
    Rows { table: TableId, rows: Vec<u32> },
    /// Money in `currency`.
    Money {
        currency: Currency,
        amounts: Amounts,
    },
    /// Texts: row `i` is `text[ends[i - 1]..ends[i]]`.
    Texts { text: String, ends: Vec<u32> },
}

impl Typed {
    /// An empty packed column for values like `v`, if there is one.
    pub(super) fn for_value(v: &Value) -> Option<Typed> {
        match v {
            Value::Row(r) => Some(Typed::Rows {
                table: r.table,
                rows: Vec::new(),
            }),
            Value::Money(m) => Some(Typed::Money {
                currency: m.currency,
                amounts: Amounts::default(),
            }),
            Value::Text(_) => Some(Typed::Texts {
                text: String::new(),
                ends: Vec::new(),
            }),
            _ => None,
        }
    }

    /// An empty packed column for values of the kind `self` packs.
    pub(super) fn empty_like(&self) -> Typed {
        match self {
            Typed::Rows { table, .. } => Typed::Rows {
                table: *table,
                rows: Vec::new(),
            },
            Typed::Money { currency, .. } => Typed::Money {
                currency: *currency,
                amounts: Amounts::default(),
            },
            Typed::Texts { .. } => Typed::Texts {
                text: String::new(),
                ends: Vec::new(),
            },
        }
    }

    /// A packed column of `values`, if they all fit one.
    pub(super) fn of_values<'v, I>(values: I) -> Option<Typed>
    where
        I: IntoIterator<Item = &'v Value>,
        I::IntoIter: Clone,
    {
        let values = values.into_iter();
        let first = values.clone().find(|v| !v.is_none())?;
        let mut typed = Typed::for_value(first)?;
        typed.reserve(values.size_hint().0);
        for v in values {
            if !typed.push(v) {
                return None;
            }
        }
        Some(typed)
    }

    /// The references of a coded column as row numbers: `rows` are its
    /// values (each a row of one table), `codes` its rows' codes (taken:
    /// four-byte codes become the row numbers where they are). `None`,
    /// and `codes` left as they were, when a value is not a row of the
    /// first value's table.
    pub(super) fn rows_by_code(rows: &[Value], codes: &mut Codes) -> Option<Typed> {
        let Some(Value::Row(first)) = rows.first() else {
            return None;
        };
        let table = first.table;
        let row_of: Vec<u32> = rows
            .iter()
            .map(|v| match v {
                Value::Row(r) if r.table == table && r.row != NO_ROW => Some(r.row),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let row = |code: u32| row_of.get(code as usize).copied().unwrap_or(NO_ROW);
        let rows = match std::mem::take(codes) {
            Codes::U32(mut codes) => {
                codes.iter_mut().for_each(|c| *c = row(*c));
                codes
            }
            narrow => narrow.map_to_vec(row),
        };
        Some(Typed::Rows { table, rows })
    }

    /// True for a column of texts.
    pub(super) fn is_texts(&self) -> bool {
        matches!(self, Typed::Texts { .. })
    }

    /// Number of values.
    pub(super) fn len(&self) -> usize {
        match self {
            Typed::Rows { rows, .. } => rows.len(),
            Typed::Money { amounts, .. } => amounts.len(),
            Typed::Texts { ends, .. } => ends.len(),
        }
    }

    /// Appends a reference to `row`; false (and nothing appended) unless
    /// these are references to its table.
    #[inline]
    pub(super) fn push_row(&mut self, row: RowRef) -> bool {
        match self {
            Typed::Rows { table, rows } if row.table == *table && row.row != NO_ROW => {
                rows.push(row.row);
                true
            }
            _ => false,
        }
    }

    /// Appends `v`; false (and nothing appended) when it does not fit.
    pub(super) fn push(&mut self, v: &Value) -> bool {
        match (self, v) {
            (Typed::Rows { rows, .. }, Value::None) => rows.push(NO_ROW),
            (Typed::Rows { table, rows }, Value::Row(r))
                if r.table == *table && r.row != NO_ROW =>
            {
                rows.push(r.row);
            }
            (Typed::Money { amounts, .. }, Value::None) => return amounts.push(None),
            (Typed::Money { currency, amounts }, Value::Money(m)) if m.currency == *currency => {
                return amounts.push(Some(&m.amount));
            }
            (typed @ Typed::Texts { .. }, Value::Text(t)) => return typed.push_str(t),
            _ => return false,
        }
        true
    }

    /// Appends the text `s`; false when this is not a column of texts (or
    /// its block would pass 4 GiB).
    pub(super) fn push_str(&mut self, s: &str) -> bool {
        let Typed::Texts { text, ends } = self else {
            return false;
        };
        let Ok(end) = u32::try_from(text.len() + s.len()) else {
            return false;
        };
        text.push_str(s);
        ends.push(end);
        true
    }

    /// The value on `row`.
    #[inline(always)]
    pub(super) fn get(&self, row: usize) -> Option<Value> {
        match self {
            Typed::Rows { table, rows } => rows.get(row).map(|r| match *r {
                NO_ROW => Value::None,
                row => Value::Row(RowRef { table: *table, row }),
            }),
            Typed::Money { currency, amounts } => Some(match amounts.get(row)? {
                None => Value::None,
                Some(a) => Value::Money(Money::new(a, *currency)),
            }),
            Typed::Texts { .. } => self.str_at(row).map(|s| Value::Text(Arc::from(s))),
        }
    }

    /// `f` of the value on `row` (none when out of range), made where `f`
    /// reads it: a reference or an amount is dropped as what it is, with
    /// no look at which kind of value it was.
    #[inline(always)]
    pub(super) fn read<R>(&self, row: usize, f: impl FnOnce(&Value) -> R) -> R {
        match self {
            Typed::Rows { table, rows } => match rows.get(row) {
                Some(&r) if r != NO_ROW => f(&Value::Row(RowRef {
                    table: *table,
                    row: r,
                })),
                _ => f(&Value::None),
            },
            Typed::Money { currency, amounts } => match amounts.get(row) {
                Some(Some(a)) => f(&Value::Money(Money::new(a, *currency))),
                _ => f(&Value::None),
            },
            Typed::Texts { .. } => f(&self
                .str_at(row)
                .map_or(Value::None, |s| Value::Text(Arc::from(s)))),
        }
    }

    /// The currency, integer and scale of the amount on `row`, in a
    /// column of money (`None` for none, and in any other column).
    #[inline(always)]
    pub(super) fn units_at(&self, row: usize) -> Option<(Currency, i64, u32)> {
        match self {
            Typed::Money { currency, amounts } => {
                amounts.units(row).flatten().map(|(u, s)| (*currency, u, s))
            }
            _ => None,
        }
    }

    /// The row referred to on `row`, in a column of references.
    #[inline]
    pub(super) fn row_at(&self, row: usize) -> Option<RowRef> {
        match self {
            Typed::Rows { table, rows } => match *rows.get(row)? {
                NO_ROW => None,
                row => Some(RowRef { table: *table, row }),
            },
            _ => None,
        }
    }

    /// The text on `row`, read in place, in a column of texts.
    pub(super) fn str_at(&self, row: usize) -> Option<&str> {
        let Typed::Texts { text, ends } = self else {
            return None;
        };
        let end = *ends.get(row)? as usize;
        let start = match row.checked_sub(1) {
            Some(before) => *ends.get(before)? as usize,
            None => 0,
        };
        text.get(start..end)
    }

    /// Appends the values of `other`; `Err(other)` when they are another
    /// kind (or table, or currency) than these.
    pub(super) fn append(&mut self, other: Typed) -> Result<(), Typed> {
        match (self, other) {
            (Typed::Rows { table, rows }, Typed::Rows { table: t, rows: r }) if *table == t => {
                rows.extend(r);
            }
            (
                Typed::Money { currency, amounts },
                Typed::Money {
                    currency: c,
                    amounts: a,
                },
            ) if *currency == c => amounts.append(a),
            (Typed::Texts { text, ends }, Typed::Texts { text: t, ends: e }) => {
                let base = text.len();
                let Some(last) = e.last().map(|end| base + *end as usize) else {
                    return Ok(());
                };
                if u32::try_from(last).is_err() {
                    return Err(Typed::Texts { text: t, ends: e });
                }
                text.push_str(&t);
                // (`base` fits: `last` does)
                let base = u32::try_from(base).unwrap_or(0);
                ends.extend(e.iter().map(|end| base + end));
            }
            (_, other) => return Err(other),
        }
        Ok(())
    }

    /// Replaces the value on `row`; false when `v` does not fit.
    pub(super) fn set(&mut self, row: usize, v: &Value) -> bool {
        match (self, v) {
            (Typed::Rows { rows, .. }, Value::None) => put(rows, row, NO_ROW),
            (Typed::Rows { table, rows }, Value::Row(r))
                if r.table == *table && r.row != NO_ROW =>
            {
                put(rows, row, r.row);
            }
            (Typed::Money { amounts, .. }, Value::None) => return amounts.set(row, None),
            (Typed::Money { currency, amounts }, Value::Money(m)) if m.currency == *currency => {
                return amounts.set(row, Some(&m.amount));
            }
            // (a text changes the block's length: such columns turn plain)
            _ => return false,
        }
        true
    }

    /// Keeps the first `len` values.
    pub(super) fn truncate(&mut self, len: usize) {
        match self {
            Typed::Rows { rows, .. } => rows.truncate(len),
            Typed::Money { amounts, .. } => amounts.truncate(len),
            Typed::Texts { text, ends } => {
                ends.truncate(len);
                text.truncate(ends.last().map_or(0, |e| *e as usize));
            }
        }
    }

    /// Reserves room for `rows` more values.
    pub(super) fn reserve(&mut self, rows: usize) {
        match self {
            Typed::Rows { rows: r, .. } => r.reserve(rows),
            Typed::Money { amounts, .. } => amounts.reserve(rows),
            Typed::Texts { ends, .. } => ends.reserve(rows),
        }
    }

    /// The values, in row order.
    pub(super) fn to_values(&self) -> Vec<Value> {
        (0..self.len())
            .map(|row| self.get(row).unwrap_or(Value::None))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn usd(units: i64, scale: u32) -> Value {
        Value::Money(Money::new(Decimal::new(units, scale), Currency(*b"USD")))
    }

    fn row(table: u32, row: u32) -> Value {
        Value::Row(RowRef {
            table: TableId(table),
            row,
        })
    }

    fn shown(values: &[Value]) -> Vec<String> {
        values.iter().map(|v| format!("{v:?}")).collect()
    }

    #[test]
    fn values_of_one_kind_read_back_as_written() {
        let kinds = [
            vec![row(1, 0), Value::None, row(1, 7)],
            vec![
                usd(100, 1),
                usd(100, 2),
                Value::None,
                usd(-5, 0),
                usd(0, 28),
            ],
            // The largest integers that pack, either sign.
            vec![usd((1 << 55) - 1, 2), usd(-(1 << 55), 0), usd(-1, 3)],
            vec![Value::text("A-1"), Value::text(""), Value::text("Ünïcode")],
        ];
        for values in kinds {
            let typed = Typed::of_values(&values).expect("one kind");
            assert_eq!(shown(&typed.to_values()), shown(&values));
        }
    }

    #[test]
    fn values_that_do_not_fit_are_refused() {
        let refused = [
            vec![row(1, 0), row(2, 0)],
            vec![
                usd(1, 0),
                Value::Money(Money::new(Decimal::ONE, Currency(*b"EUR"))),
            ],
            vec![
                usd(1, 0),
                Value::Money(Money::new(Decimal::MAX, Currency(*b"USD"))),
            ],
            vec![
                usd(1, 0),
                Value::Money(Money::new(-Decimal::ZERO, Currency(*b"USD"))),
            ],
            vec![usd(1, 0), usd(1 << 55, 2)],
            vec![usd(1, 0), usd(-(1 << 55) - 1, 2)],
            vec![Value::text("a"), Value::None],
            vec![Value::Int(1)],
        ];
        for values in refused {
            assert!(Typed::of_values(&values).is_none(), "{values:?}");
        }
    }

    #[test]
    fn appending_and_setting_keep_every_value() {
        let mut texts = Typed::of_values(&[Value::text("ab"), Value::text("c")]).unwrap();
        let more = Typed::of_values(&[Value::text(""), Value::text("def")]).unwrap();
        assert!(texts.append(more).is_ok());
        assert_eq!(texts.str_at(3), Some("def"));
        texts.truncate(2);
        assert_eq!(
            shown(&texts.to_values()),
            shown(&[Value::text("ab"), Value::text("c")])
        );
        let mut rows = Typed::of_values(&[row(0, 1), row(0, 2)]).unwrap();
        assert!(rows
            .append(Typed::of_values(&[row(3, 1)]).unwrap())
            .is_err());
        assert!(rows.set(1, &Value::None));
        assert!(!rows.set(0, &row(3, 1)));
        assert_eq!(shown(&rows.to_values()), shown(&[row(0, 1), Value::None]));
    }
}
