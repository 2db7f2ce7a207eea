//! [`Amounts`]: the money of a packed column, 4 bytes an amount while
//! every amount fits in 4, 8 once one does not.
//!
//! An amount is kept as its decimal's integer and scale, so `1.0` and
//! `1.00` read back as written:
//! - narrow: the scale (0 to 14) in the top 4 bits and the integer in the
//!   other 28 (two's complement): up to 134,217,727 units, which is
//!   1,342,177.27 at two decimals;
//! - wide: the scale in the top byte and the integer in the other 56.
//!
//! Most amounts of a sales table are narrow (a credit of a split is less
//! than its deal); the first that is not widens the column once.

use rust_decimal::Decimal;

/// The narrow word that stands for none (scale 15, which no narrow
/// amount has).
const NO_NARROW: u32 = u32::MAX;
/// The wide word that stands for none (its scale, the top byte, is more
/// than any decimal's).
const NO_WIDE: u64 = u64::MAX;
/// Bits of a narrow amount's integer (the top 4 hold its scale).
const NARROW_BITS: u32 = 28;
/// Largest scale of a narrow amount.
const NARROW_SCALE: u32 = 14;
/// Bits of a wide amount's integer (the top 8 hold its scale).
const WIDE_BITS: u32 = 56;

/// Amounts (or none), packed.
#[derive(Clone, Debug)]
pub(super) enum Amounts {
    /// 4 bytes an amount.
    Narrow(Vec<u32>),
    /// 8 bytes an amount.
    Wide(Vec<u64>),
}

impl Default for Amounts {
    fn default() -> Self {
        Amounts::Narrow(Vec::new())
    }
}

/// The integer and scale of `amount`, when the integer fits in `bits`
/// bits (and is not a negative zero, which an integer cannot keep).
fn units(amount: &Decimal, bits: u32) -> Option<(i64, u32)> {
    let units = i64::try_from(amount.mantissa()).ok()?;
    let limit = 1i64 << (bits - 1);
    if !(-limit..limit).contains(&units) || (units == 0 && amount.is_sign_negative()) {
        return None;
    }
    Some((units, amount.scale()))
}

fn narrow(amount: &Decimal) -> Option<u32> {
    let (units, scale) = units(amount, NARROW_BITS)?;
    if scale > NARROW_SCALE {
        return None;
    }
    Some(scale << NARROW_BITS | (units as u32 & ((1 << NARROW_BITS) - 1)))
}

fn wide(amount: &Decimal) -> Option<u64> {
    let (units, scale) = units(amount, WIDE_BITS)?;
    Some(u64::from(scale) << WIDE_BITS | (units as u64 & ((1 << WIDE_BITS) - 1)))
}

/// The decimal of an integer and a scale.
#[inline]
fn decimal(units: i64, scale: u32) -> Decimal {
    let magnitude = units.unsigned_abs();
    let (lo, mid) = (magnitude as u32, (magnitude >> 32) as u32);
    Decimal::from_parts(lo, mid, 0, units < 0, scale)
}

/// The integer and scale of a narrow word (`None`: none).
#[inline]
fn narrow_units(word: u32) -> Option<(i64, u32)> {
    if word == NO_NARROW {
        return None;
    }
    // (shifted up and back to spread the integer's sign)
    let units = ((word << (32 - NARROW_BITS)) as i32) >> (32 - NARROW_BITS);
    Some((i64::from(units), word >> NARROW_BITS))
}

/// The integer and scale of a wide word (`None`: none).
#[inline]
fn wide_units(word: u64) -> Option<(i64, u32)> {
    if word == NO_WIDE {
        return None;
    }
    let units = ((word << (64 - WIDE_BITS)) as i64) >> (64 - WIDE_BITS);
    Some((units, (word >> WIDE_BITS) as u32))
}

#[inline]
fn from_narrow(word: u32) -> Option<Decimal> {
    narrow_units(word).map(|(units, scale)| decimal(units, scale))
}

#[inline]
fn from_wide(word: u64) -> Option<Decimal> {
    wide_units(word).map(|(units, scale)| decimal(units, scale))
}

/// The wide word of a narrow one.
fn widened(word: u32) -> u64 {
    from_narrow(word).and_then(|d| wide(&d)).unwrap_or(NO_WIDE)
}

impl Amounts {
    /// Number of amounts.
    pub(super) fn len(&self) -> usize {
        match self {
            Amounts::Narrow(words) => words.len(),
            Amounts::Wide(words) => words.len(),
        }
    }

    /// The amount on `row`: `Some(None)` for none, `None` past the end.
    #[inline(always)]
    pub(super) fn get(&self, row: usize) -> Option<Option<Decimal>> {
        match self {
            Amounts::Narrow(words) => words.get(row).map(|w| from_narrow(*w)),
            Amounts::Wide(words) => words.get(row).map(|w| from_wide(*w)),
        }
    }

    /// The integer and scale of the amount on `row`: `Some(None)` for
    /// none, `None` past the end.
    #[inline(always)]
    pub(super) fn units(&self, row: usize) -> Option<Option<(i64, u32)>> {
        match self {
            Amounts::Narrow(words) => words.get(row).map(|w| narrow_units(*w)),
            Amounts::Wide(words) => words.get(row).map(|w| wide_units(*w)),
        }
    }

    /// Turns the amounts to 8 bytes each (once).
    fn widen(&mut self) {
        if let Amounts::Narrow(words) = self {
            let mut wide = Vec::with_capacity(words.capacity());
            wide.extend(words.iter().map(|w| widened(*w)));
            *self = Amounts::Wide(wide);
        }
    }

    /// Appends `amount` (none: `None`); false when it does not fit.
    pub(super) fn push(&mut self, amount: Option<&Decimal>) -> bool {
        match (self, amount) {
            (Amounts::Narrow(words), None) => words.push(NO_NARROW),
            (Amounts::Wide(words), None) => words.push(NO_WIDE),
            (amounts, Some(d)) => {
                if let (Amounts::Narrow(words), Some(w)) = (&mut *amounts, narrow(d)) {
                    words.push(w);
                    return true;
                }
                let Some(w) = wide(d) else {
                    return false;
                };
                amounts.widen();
                if let Amounts::Wide(words) = amounts {
                    words.push(w);
                }
            }
        }
        true
    }

    /// Replaces the amount on `row`; false when it does not fit.
    pub(super) fn set(&mut self, row: usize, amount: Option<&Decimal>) -> bool {
        match (self, amount) {
            (Amounts::Narrow(words), None) => super::put(words, row, NO_NARROW),
            (Amounts::Wide(words), None) => super::put(words, row, NO_WIDE),
            (amounts, Some(d)) => {
                if let (Amounts::Narrow(words), Some(w)) = (&mut *amounts, narrow(d)) {
                    super::put(words, row, w);
                    return true;
                }
                let Some(w) = wide(d) else {
                    return false;
                };
                amounts.widen();
                if let Amounts::Wide(words) = amounts {
                    super::put(words, row, w);
                }
            }
        }
        true
    }

    /// Appends the amounts of `other`.
    pub(super) fn append(&mut self, other: Amounts) {
        match (self, other) {
            (Amounts::Narrow(mine), Amounts::Narrow(theirs)) => mine.extend(theirs),
            (Amounts::Wide(mine), Amounts::Wide(theirs)) => mine.extend(theirs),
            (Amounts::Wide(mine), Amounts::Narrow(theirs)) => {
                mine.extend(theirs.iter().map(|w| widened(*w)));
            }
            (mine, Amounts::Wide(theirs)) => {
                mine.widen();
                if let Amounts::Wide(words) = mine {
                    words.extend(theirs);
                }
            }
        }
    }

    /// Keeps the first `len` amounts.
    pub(super) fn truncate(&mut self, len: usize) {
        match self {
            Amounts::Narrow(words) => words.truncate(len),
            Amounts::Wide(words) => words.truncate(len),
        }
    }

    /// Reserves room for `rows` more amounts.
    pub(super) fn reserve(&mut self, rows: usize) {
        match self {
            Amounts::Narrow(words) => words.reserve(rows),
            Amounts::Wide(words) => words.reserve(rows),
        }
    }

    /// True while every amount takes 4 bytes.
    #[cfg(test)]
    pub(super) fn is_narrow(&self) -> bool {
        matches!(self, Amounts::Narrow(_))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    fn d(units: i64, scale: u32) -> Decimal {
        Decimal::new(units, scale)
    }

    fn shown(amounts: &Amounts) -> Vec<String> {
        (0..amounts.len())
            .map(|r| {
                let amount = amounts.get(r).unwrap();
                // The integer and scale read where they are packed are
                // the amount's own.
                let units = amount.map(|a| (i64::try_from(a.mantissa()).unwrap(), a.scale()));
                assert_eq!(amounts.units(r), Some(units), "row {r}");
                format!("{amount:?}")
            })
            .collect()
    }

    #[test]
    fn narrow_amounts_read_back_as_written_and_stay_narrow() {
        let mut amounts = Amounts::default();
        let values = [
            Some(d(100, 1)),
            Some(d(100, 2)),
            None,
            Some(d(-5, 0)),
            Some(d((1 << 27) - 1, 2)),
            Some(d(-(1 << 27), 14)),
            Some(d(0, 14)),
        ];
        for v in &values {
            assert!(amounts.push(v.as_ref()));
        }
        assert!(amounts.is_narrow());
        let expected: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(shown(&amounts), expected);
    }

    #[test]
    fn the_first_amount_past_4_bytes_widens_the_column_once() {
        for big in [
            d(1 << 27, 2),
            d(-(1 << 27) - 1, 0),
            d(1, 15),
            d((1 << 55) - 1, 2),
        ] {
            let mut amounts = Amounts::default();
            assert!(amounts.push(Some(&d(-1, 3))));
            assert!(amounts.push(None));
            assert!(amounts.push(Some(&big)));
            assert!(!amounts.is_narrow(), "{big}");
            assert_eq!(
                shown(&amounts),
                vec![
                    format!("{:?}", Some(d(-1, 3))),
                    "None".to_string(),
                    format!("{:?}", Some(big))
                ]
            );
        }
    }

    #[test]
    fn amounts_past_8_bytes_and_negative_zeros_do_not_fit() {
        let mut amounts = Amounts::default();
        for refused in [
            d(1 << 55, 2),
            d(-(1 << 55) - 1, 0),
            -Decimal::ZERO,
            Decimal::MAX,
        ] {
            assert!(!amounts.push(Some(&refused)), "{refused}");
            assert!(!amounts.set(0, Some(&refused)), "{refused}");
            assert!(wide(&refused).is_none());
        }
        assert_eq!(amounts.len(), 0);
    }

    #[test]
    fn appending_and_setting_widen_what_needs_it() {
        let narrow = |values: &[i64]| {
            let mut a = Amounts::default();
            for v in values {
                a.push(Some(&d(*v, 2)));
            }
            a
        };
        let mut wide = narrow(&[1]);
        wide.push(Some(&d(1 << 40, 2)));
        let mut mine = narrow(&[1, 2]);
        mine.append(wide.clone());
        assert!(!mine.is_narrow());
        let mut theirs = wide;
        theirs.append(narrow(&[3]));
        assert_eq!(
            shown(&theirs),
            shown(&{
                let mut all = narrow(&[1]);
                all.push(Some(&d(1 << 40, 2)));
                all.push(Some(&d(3, 2)));
                all
            })
        );
        let mut set = narrow(&[1, 2]);
        assert!(set.set(1, Some(&d(1 << 40, 0))));
        assert!(set.set(0, None));
        assert_eq!(
            shown(&set),
            vec!["None".to_string(), format!("{:?}", Some(d(1 << 40, 0)))]
        );
        set.truncate(1);
        assert_eq!(set.len(), 1);
    }
}
