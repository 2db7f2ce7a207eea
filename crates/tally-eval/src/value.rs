//! Runtime values.

use crate::money::{Currency, Money};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use tally_check::TableId;
use tally_syntax::literal::Period;

/// A row of a table: the table and the row's index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowRef {
    /// The table.
    pub table: TableId,
    /// The row index (in table order).
    pub row: u32,
}

/// A table value: a whole table, or a selection of its rows in order.
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    /// The table.
    pub table: TableId,
    /// Selected row indices, or `None` for every row.
    pub rows: Option<Arc<[u32]>>,
}

/// A value of any Tally type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `none`
    None,
    /// `Bool`
    Bool(bool),
    /// `Int`
    Int(i64),
    /// `Decimal`
    Decimal(Decimal),
    /// `Percent` (the fraction: 12.5% is 0.125)
    Percent(Decimal),
    /// `Money`
    Money(Money),
    /// `Date`
    Date(NaiveDate),
    /// `Period`
    Period(Period),
    /// `Text`
    Text(Arc<str>),
    /// A territory, by its index in the hierarchy.
    Territory(u32),
    /// A row of a table (a reference).
    Row(RowRef),
    /// `List<T>`
    List(Arc<[Value]>),
    /// `Map<K, V>` (entries in written order)
    Map(Arc<[(Value, Value)]>),
    /// A table (behind a pointer, which keeps every value at 24 bytes).
    Table(Arc<TableView>),
    /// A record (rows of `given`).
    Record(Arc<[(Arc<str>, Value)]>),
}

impl Value {
    /// A text value.
    pub fn text(s: &str) -> Value {
        Value::Text(Arc::from(s))
    }

    /// True for `none`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The numeric value of Int, Decimal and Percent.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Int(i) => Some(Decimal::from(*i)),
            Value::Decimal(d) | Value::Percent(d) => Some(*d),
            _ => None,
        }
    }

    /// A short word for the value's kind (for error messages).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "Bool",
            Value::Int(_) => "Int",
            Value::Decimal(_) => "Decimal",
            Value::Percent(_) => "Percent",
            Value::Money(_) => "Money",
            Value::Date(_) => "Date",
            Value::Period(_) => "Period",
            Value::Text(_) => "Text",
            Value::Territory(_) => "Territory",
            Value::Row(_) => "row",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
            Value::Table(_) => "table",
            Value::Record(_) => "record",
        }
    }
}

/// A hashable, normalised form of a value, for group keys, `count_distinct`,
/// key lookups and rule indexes. Equal values have equal keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// none
    None,
    /// Bool
    Bool(bool),
    /// Any number, normalised (`1` and `1.00` are one key).
    Num(Decimal),
    /// Money: normalised amount and currency.
    Money(Decimal, Currency),
    /// Date
    Date(NaiveDate),
    /// Period
    Period(Period),
    /// Text
    Text(Arc<str>),
    /// Territory
    Territory(u32),
    /// Row
    Row(RowRef),
    /// Lists and other composite values.
    Composite(Vec<Key>),
}

impl Key {
    /// The key of `v`.
    pub fn of(v: &Value) -> Key {
        match v {
            Value::None => Key::None,
            Value::Bool(b) => Key::Bool(*b),
            Value::Int(i) => Key::Num(Decimal::from(*i)),
            Value::Decimal(d) | Value::Percent(d) => Key::Num(d.normalize()),
            Value::Money(m) => Key::Money(m.amount.normalize(), m.currency),
            Value::Date(d) => Key::Date(*d),
            Value::Period(p) => Key::Period(*p),
            Value::Text(t) => Key::Text(t.clone()),
            Value::Territory(t) => Key::Territory(*t),
            Value::Row(r) => Key::Row(*r),
            Value::List(items) => Key::Composite(items.iter().map(Key::of).collect()),
            Value::Map(entries) => Key::Composite(
                entries
                    .iter()
                    .flat_map(|(k, v)| [Key::of(k), Key::of(v)])
                    .collect(),
            ),
            Value::Table(t) => Key::Composite(vec![Key::Num(Decimal::from(t.table.0))]),
            Value::Record(fields) => {
                Key::Composite(fields.iter().map(|(_, v)| Key::of(v)).collect())
            }
        }
    }
}

/// Hashes `v` so that values of one key (`Key::of(a) == Key::of(b)`)
/// hash alike. Texts, the most common keys, are hashed as they are: no
/// [`Key`] is built, so no shared text is touched.
pub(crate) fn hash_key<H: Hasher>(v: &Value, h: &mut H) {
    match v {
        Value::Text(t) => hash_key_text(t, h),
        other => Key::of(other).hash(h),
    }
}

/// [`hash_key`] of a text key, read where it is.
pub(crate) fn hash_key_text<H: Hasher>(t: &str, h: &mut H) {
    KEY_TEXT.hash(h);
    t.hash(h);
}

/// What a text key's hash starts with.
const KEY_TEXT: u8 = 0x54;

/// True when `a` and `b` are the same key (`Key::of(a) == Key::of(b)`),
/// texts compared without building keys.
pub(crate) fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Text(_), _) | (_, Value::Text(_)) => false,
        (Value::Territory(x), Value::Territory(y)) => x == y,
        (Value::Row(x), Value::Row(y)) => x == y,
        (Value::Period(x), Value::Period(y)) => x == y,
        (Value::Date(x), Value::Date(y)) => x == y,
        _ => Key::of(a) == Key::of(b),
    }
}

/// Orders two non-none values of one type (territories in declaration
/// order, periods chronologically, text byte-wise, rows by position).
/// Values of different kinds order by kind so sorting is always total.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::None, Value::None) => Ordering::Equal,
        (Value::None, _) => Ordering::Greater,
        (_, Value::None) => Ordering::Less,
        (Value::Money(x), Value::Money(y)) => {
            x.amount.cmp(&y.amount).then(x.currency.cmp(&y.currency))
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Period(x), Value::Period(y)) => x.cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Territory(x), Value::Territory(y)) => x.cmp(y),
        (Value::Row(x), Value::Row(y)) => x.cmp(y),
        _ => match (a.as_decimal(), b.as_decimal()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => Key::of(a).cmp(&Key::of(b)),
        },
    }
}

#[cfg(test)]
mod size {
    /// Every cell of every table is a `Value`: its size is the memory of a
    /// run. Large variants go behind a pointer to keep it at 24 bytes.
    #[test]
    fn a_value_is_24_bytes() {
        assert_eq!(std::mem::size_of::<super::Value>(), 24);
    }
}
