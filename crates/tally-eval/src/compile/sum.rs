//! Sums of many values (`sum`, `avg`), exactly as adding them one by one
//! with `+` gives them, with a fast path for money: amounts of one
//! currency are added as scaled integers.

use crate::error::EvalError;
use crate::money::{Currency, Money};
use crate::ops;
use crate::table::Store;
use crate::value::Value;
use rust_decimal::Decimal;
use std::borrow::Borrow;
use tally_diagnostics::Span;
use tally_syntax::ast::BinOp;

/// The sum of `values` in order (`None` for no values): what `a + b + ...`
/// gives, errors included.
pub(crate) fn sum<V: Borrow<Value>>(
    values: impl Iterator<Item = V> + Clone,
    span: Span,
    store: &Store,
) -> Result<Option<Value>, EvalError> {
    if let Some(total) = money_sum(values.clone()) {
        return Ok(Some(total));
    }
    let mut acc: Option<Value> = None;
    for v in values {
        acc = Some(match acc {
            None => v.borrow().clone(),
            Some(a) => ops::arith(BinOp::Add, &a, v.borrow(), span, store)?,
        });
    }
    Ok(acc)
}

/// The largest mantissa a decimal holds, plus one.
const MANTISSA_LIMIT: i128 = 1 << 96;

/// The sum of money amounts of one currency, added as integers scaled to
/// the largest number of decimals among them: exactly the decimal that
/// adding them one by one gives (its decimals are the most of any
/// amount's). `None` — and the values are added one by one instead — for
/// anything else: another kind of value or currency, a total too large
/// for a decimal at any step, or a total of zero (whose sign the decimal
/// addition decides).
fn money_sum<V: Borrow<Value>>(values: impl Iterator<Item = V>) -> Option<Value> {
    let mut total = MoneySum::default();
    for v in values {
        if !total.add(v.borrow()) {
            return None;
        }
    }
    total.finish()
}

/// A running [`money_sum`], fed one value at a time (a report's sums of
/// every group, in one pass over its rows).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MoneySum {
    currency: Option<Currency>,
    scale: u32,
    total: i128,
}

impl MoneySum {
    /// Adds `v`; false when the sum can no longer be made this way (the
    /// values must then be added one by one).
    #[inline]
    pub(crate) fn add(&mut self, v: &Value) -> bool {
        let Value::Money(m) = v else {
            return false;
        };
        self.add_units(m.currency, m.amount.mantissa(), m.amount.scale())
    }

    /// Adds the cell of `column` on `row`, packed money as it is packed;
    /// false as for `add`.
    #[inline]
    pub(crate) fn add_cell(&mut self, column: &crate::Column, row: usize) -> bool {
        match column.money_units_at(row) {
            Some((currency, units, scale)) => self.add_units(currency, i128::from(units), scale),
            None => column.read(row, |v| self.add(v)),
        }
    }

    /// Adds `units` at `scale` of `currency` (what [`MoneySum::add`] adds
    /// of money); false as for `add`.
    #[inline]
    pub(crate) fn add_units(&mut self, currency: Currency, units: i128, s: u32) -> bool {
        match self.currency {
            None => self.currency = Some(currency),
            Some(c) if c == currency => {}
            Some(_) => return false,
        }
        let mut mantissa = units;
        if s > self.scale {
            let Some(total) = 10i128
                .checked_pow(s - self.scale)
                .and_then(|f| self.total.checked_mul(f))
            else {
                return false;
            };
            self.total = total;
            self.scale = s;
        } else if s < self.scale {
            let Some(m) = 10i128
                .checked_pow(self.scale - s)
                .and_then(|f| mantissa.checked_mul(f))
            else {
                return false;
            };
            mantissa = m;
        }
        match self.total.checked_add(mantissa) {
            Some(t) if t.abs() < MANTISSA_LIMIT => {
                self.total = t;
                true
            }
            _ => false,
        }
    }

    /// Adds the sum of later values; false when the sums cannot be added
    /// this way (as for [`MoneySum::add`]).
    pub(crate) fn merge(&mut self, later: MoneySum) -> bool {
        let Some(currency) = later.currency else {
            return true;
        };
        let amount = Decimal::try_from_i128_with_scale(later.total, later.scale);
        match amount {
            Ok(amount) => self.add(&Value::Money(Money::new(amount, currency))),
            Err(_) => false,
        }
    }

    /// The sum, or `None` when the values must be added one by one (no
    /// values, or a total of zero).
    pub(crate) fn finish(self) -> Option<Value> {
        if self.total == 0 {
            return None;
        }
        let amount = Decimal::try_from_i128_with_scale(self.total, self.scale).ok()?;
        Some(Value::Money(Money::new(amount, self.currency?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(mantissa: i64, scale: u32, currency: &[u8; 3]) -> Value {
        Value::Money(Money::new(
            Decimal::new(mantissa, scale),
            Currency(*currency),
        ))
    }

    /// Adding one by one, as `+` does.
    fn one_by_one(values: &[Value]) -> Result<Option<Value>, EvalError> {
        let store = Store::default();
        let mut acc: Option<Value> = None;
        for v in values {
            acc = Some(match acc {
                None => v.clone(),
                Some(a) => ops::arith(BinOp::Add, &a, v, Span::default(), &store)?,
            });
        }
        Ok(acc)
    }

    fn shown(r: &Result<Option<Value>, EvalError>) -> String {
        match r {
            Ok(Some(Value::Money(m))) => format!("{} {}", m.amount, m.currency),
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error {}", e.message),
        }
    }

    fn amount() -> impl Strategy<Value = Value> {
        prop_oneof![
            6 => (-100_000i64..100_000, 0u32..4).prop_map(|(m, s)| money(m, s, b"USD")),
            1 => (-100i64..100, 0u32..3).prop_map(|(m, s)| money(m, s, b"EUR")),
            1 => (i64::MAX - 10..i64::MAX).prop_map(|m| money(m, 0, b"USD")),
            1 => Just(Value::None),
            1 => (0i64..5).prop_map(|m| Value::Decimal(Decimal::new(m, 1))),
        ]
    }

    proptest! {
        /// The sum is what adding the values one by one gives: the same
        /// amount with the same decimals, or the same error.
        #[test]
        fn a_sum_is_the_values_added_one_by_one(values in proptest::collection::vec(amount(), 0..30)) {
            let store = Store::default();
            let fast = sum(values.iter(), Span::default(), &store);
            prop_assert_eq!(shown(&fast), shown(&one_by_one(&values)));
        }
    }

    #[test]
    fn amounts_of_one_currency_are_added_as_integers() {
        let values = [
            money(150, 2, b"USD"),
            money(2, 0, b"USD"),
            money(1, 3, b"USD"),
        ];
        assert_eq!(
            money_sum(values.iter()),
            Some(money(3501, 3, b"USD")),
            "1.50 + 2 + 0.001 = 3.501"
        );
        // Mixed currencies, zero totals and other kinds are added one by one.
        assert_eq!(
            money_sum([money(1, 0, b"USD"), money(1, 0, b"EUR")].iter()),
            None
        );
        assert_eq!(
            money_sum([money(1, 0, b"USD"), money(-1, 0, b"USD")].iter()),
            None
        );
        assert_eq!(money_sum([Value::Int(1)].iter()), None);
    }
}
