//! Values as the diff shows them (for people, exactly, as JSON) and the
//! arithmetic of deltas and totals.

use crate::Results;
use rust_decimal::Decimal;
use tally_check::{Program, TableId};
use tally_eval::display::csv_cell;
use tally_eval::{Currency, Money, RowRef, Store, Value};

/// One value, rendered once by the policy it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// For people ([`crate::value_text`]): `18,000.00 USD`, `87.5%`; a
    /// delta carries its sign (`+1,500.00 USD`). `none` for none.
    pub text: String,
    /// Exact, as a CSV cell (spec §9): `18000.00`, `0.875`; money in a
    /// currency other than its policy's base currency is followed by the
    /// code (`18000.00 EUR`), as the data loader reads it. Empty for none.
    pub exact: String,
    /// As JSON ([`crate::value_json`]): money as `{"amount", "currency"}`,
    /// numbers as strings, none as null.
    pub json: serde_json::Value,
}

/// A number the diff can subtract and add: money is rounded to its minor
/// unit by its own policy's mode (what a report shows, what is paid).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Decimal(Decimal),
    Percent(Decimal),
    Money(Decimal, Currency),
}

/// One side of the comparison: results and how they render.
pub(crate) struct Side<'a> {
    pub results: &'a Results,
}

impl<'a> Side<'a> {
    pub fn new(results: &'a Results) -> Side<'a> {
        Side { results }
    }

    pub fn program(&self) -> &'a Program {
        self.results.program()
    }

    pub fn store(&self) -> &'a Store {
        self.results.store()
    }

    /// The policy's root file name.
    pub fn file_name(&self) -> String {
        let p = self.program();
        p.sources.name(p.root).to_string()
    }

    /// `value` as people, CSV and JSON see it.
    pub fn show(&self, value: &Value) -> Shown {
        let (store, program) = (self.store(), self.program());
        let exact = match value {
            Value::Money(m) if m.currency.as_str() != program.settings.currency => {
                format!(
                    "{} {}",
                    csv_cell(value, store, program.settings.rounding),
                    m.currency
                )
            }
            _ => csv_cell(value, store, program.settings.rounding),
        };
        Shown {
            text: crate::value_text(value, store, program),
            exact,
            json: serde_json::from_str(&crate::value_json(value, store, program))
                .unwrap_or(serde_json::Value::Null),
        }
    }

    /// A delta or total: shown like a value, people's text signed when
    /// `signed` and positive.
    pub fn show_num(&self, n: Num, signed: bool) -> Shown {
        let positive = match n {
            Num::Int(i) => i > 0,
            Num::Decimal(d) | Num::Percent(d) | Num::Money(d, _) => d > Decimal::ZERO,
        };
        let mut shown = self.show(&n.value());
        if signed && positive {
            shown.text.insert(0, '+');
        }
        shown
    }

    /// The number in `value`, if it is one.
    pub fn num(&self, value: &Value) -> Option<Num> {
        match value {
            Value::Int(i) => Some(Num::Int(*i)),
            Value::Decimal(d) => Some(Num::Decimal(*d)),
            Value::Percent(d) => Some(Num::Percent(*d)),
            Value::Money(m) => Some(Num::Money(
                m.rounded(self.program().settings.rounding),
                m.currency,
            )),
            _ => None,
        }
    }

    /// The `name` of the row `value` refers to, when its table has a Text
    /// column called `name`.
    pub fn label(&self, value: &Value) -> Option<String> {
        let Value::Row(r) = value else { return None };
        let table = self.store().table(r.table);
        match &*table.get(table.column_index("name")?, r.row as usize) {
            Value::Text(t) => Some(t.to_string()),
            _ => None,
        }
    }

    /// The key of row `row` of table `table` (`accounts row 3` without a
    /// key column) and its label.
    pub fn row_key(&self, table: TableId, row: usize) -> (String, Option<String>) {
        let r = RowRef {
            table,
            row: u32::try_from(row).unwrap_or(u32::MAX),
        };
        (self.store().key_text(r), self.label(&Value::Row(r)))
    }
}

impl Num {
    /// The value this number stands for.
    pub fn value(self) -> Value {
        match self {
            Num::Int(i) => Value::Int(i),
            Num::Decimal(d) => Value::Decimal(d),
            Num::Percent(d) => Value::Percent(d),
            Num::Money(d, c) => Value::Money(Money::new(d, c)),
        }
    }

    /// `self + other` when both are of one kind (and currency); none on
    /// overflow or a mismatch.
    pub fn add(self, other: Num) -> Option<Num> {
        self.combine(other, Decimal::checked_add, i64::checked_add)
    }

    /// `other - self`: the delta from `self` (old) to `other` (new).
    pub fn delta_to(self, other: Num) -> Option<Num> {
        other.combine(self, Decimal::checked_sub, i64::checked_sub)
    }

    /// The zero of this number's kind.
    pub fn zero(self) -> Num {
        match self {
            Num::Int(_) => Num::Int(0),
            Num::Decimal(_) => Num::Decimal(Decimal::ZERO),
            Num::Percent(_) => Num::Percent(Decimal::ZERO),
            Num::Money(_, c) => Num::Money(Decimal::ZERO, c),
        }
    }

    fn decimal(self) -> Option<Decimal> {
        match self {
            Num::Int(i) => Some(Decimal::from(i)),
            Num::Decimal(d) | Num::Percent(d) => Some(d),
            Num::Money(..) => None,
        }
    }

    fn combine(
        self,
        other: Num,
        dec: fn(Decimal, Decimal) -> Option<Decimal>,
        int: fn(i64, i64) -> Option<i64>,
    ) -> Option<Num> {
        match (self, other) {
            (Num::Money(a, x), Num::Money(b, y)) if x == y => dec(a, b).map(|d| Num::Money(d, x)),
            (Num::Money(..), _) | (_, Num::Money(..)) => None,
            (Num::Int(a), Num::Int(b)) => match int(a, b) {
                Some(i) => Some(Num::Int(i)),
                None => dec(Decimal::from(a), Decimal::from(b)).map(Num::Decimal),
            },
            (Num::Percent(a), Num::Percent(b)) => dec(a, b).map(Num::Percent),
            (a, b) => dec(a.decimal()?, b.decimal()?).map(Num::Decimal),
        }
    }
}

/// True when two shown values differ (none differs from the text `none`).
pub(crate) fn differ(a: &Shown, b: &Shown) -> bool {
    a.text != b.text || a.json.is_null() != b.json.is_null()
}
