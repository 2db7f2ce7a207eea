//! Money: exact amounts with an ISO-4217 currency, rounding to the
//! currency's minor unit, and exact largest-remainder allocation.

use rust_decimal::{Decimal, RoundingStrategy};
use smallvec::SmallVec;
use std::fmt;
use tally_check::Rounding;

/// An ISO-4217 currency code (three ASCII upper-case letters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(pub [u8; 3]);

impl Currency {
    /// Parses a three-letter upper-case code.
    pub fn parse(code: &str) -> Option<Currency> {
        let b = code.as_bytes();
        match b {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Some(Currency([*a, *b, *c]))
            }
            _ => None,
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Decimal places of the currency's minor unit (2 for USD, 0 for JPY).
    pub fn minor_unit(&self) -> u32 {
        // (the code's three bytes compared at once: this is asked for
        // every credit)
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

/// An exact amount of money in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// The exact amount (not rounded until rendered).
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// Money of `amount` in `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// The amount rounded to the currency's minor unit.
    pub fn rounded(&self, mode: Rounding) -> Decimal {
        round(self.amount, self.currency.minor_unit(), mode)
    }
}

/// Rounds `x` to `places` decimal places with the policy's mode.
pub fn round(x: Decimal, places: u32, mode: Rounding) -> Decimal {
    let strategy = match mode {
        Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
    };
    x.round_dp_with_strategy(places, strategy)
}

/// The parts of an allocation, one per share (kept inline for up to four).
pub type Parts = SmallVec<[Decimal; 4]>;

/// Splits `amount` by `shares` exactly (spec §2.6): each part is
/// `amount × share` rounded down to the minor unit, then the cents still
/// missing to reach `round(amount × Σ shares)` go one by one to the largest
/// fractional remainders, ties to the earlier share. A negative amount is
/// allocated on its absolute value and re-signed.
pub fn allocate(amount: Decimal, shares: &[Decimal], places: u32, mode: Rounding) -> Parts {
    if let [share] = shares {
        if *share == Decimal::ONE && amount.scale() == places {
            // All of an amount already in cents (`owner gets 100%` of
            // `1867.82`): the amount itself, no arithmetic needed.
            return smallvec::smallvec![amount];
        }
        // One share (`owner gets 100%`): its part rounded down, plus the
        // cent the total is missing, is the rounded total itself.
        let part = round(amount.abs() * *share, places, mode);
        return smallvec::smallvec![if amount.is_sign_negative() {
            -part
        } else {
            part
        }];
    }
    by_remainders(amount, shares, places, mode)
}

/// [`allocate`] by rounding each part down and handing out the missing
/// cents by largest remainder (what it does for two shares or more).
fn by_remainders(amount: Decimal, shares: &[Decimal], places: u32, mode: Rounding) -> Parts {
    let negative = amount.is_sign_negative();
    let abs = amount.abs();
    let total_share: Decimal = shares.iter().copied().sum();
    let target = round(abs * total_share, places, mode);
    let unit = Decimal::new(1, places);
    let mut parts = Parts::with_capacity(shares.len());
    let mut remainders: SmallVec<[(Decimal, usize); 4]> = SmallVec::with_capacity(shares.len());
    for (i, share) in shares.iter().enumerate() {
        let exact = abs * *share;
        let down = exact.round_dp_with_strategy(places, RoundingStrategy::ToZero);
        parts.push(down);
        remainders.push((exact - down, i));
    }
    let allocated: Decimal = parts.iter().copied().sum();
    let mut missing = target - allocated;
    if missing.abs() >= unit {
        // Largest remainder first; equal remainders keep their listed order.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    }
    let mut k = 0;
    while missing >= unit && !remainders.is_empty() {
        let Some((_, i)) = remainders.get(k % remainders.len()) else {
            break;
        };
        if let Some(p) = parts.get_mut(*i) {
            *p += unit;
        }
        missing -= unit;
        k += 1;
    }
    // Rounding the total down (possible with negative shares) takes cents back.
    while missing <= -unit && !remainders.is_empty() {
        let Some((_, i)) = remainders.get(remainders.len() - 1 - (k % remainders.len())) else {
            break;
        };
        if let Some(p) = parts.get_mut(*i) {
            *p -= unit;
        }
        missing += unit;
        k += 1;
    }
    if negative {
        parts.iter_mut().for_each(|p| *p = -*p);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn spec_example_split() {
        let parts = allocate(d("100.01"), &[d("0.6"), d("0.4")], 2, Rounding::HalfEven);
        assert_eq!(parts.as_slice(), [d("60.01"), d("40.00")]);
        let parts = allocate(d("-100.01"), &[d("0.6"), d("0.4")], 2, Rounding::HalfEven);
        assert_eq!(parts.as_slice(), [d("-60.01"), d("-40.00")]);
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        let unit = |code: &str| Currency::parse(code).unwrap().minor_unit();
        assert_eq!(
            ["USD", "EUR", "JPY", "KRW", "XPF", "KWD", "TND", "CLF", "UYW", "GBP"].map(unit),
            [2, 2, 0, 0, 0, 3, 3, 4, 4, 2]
        );
    }

    #[test]
    fn ties_go_to_the_first_listed() {
        let parts = allocate(d("0.01"), &[d("0.5"), d("0.5")], 2, Rounding::HalfEven);
        assert_eq!(parts.as_slice(), [d("0.01"), d("0.00")]);
        let parts = allocate(
            d("100"),
            &[d("0.3333"), d("0.3333"), d("0.3334")],
            2,
            Rounding::HalfUp,
        );
        assert_eq!(parts.iter().copied().sum::<Decimal>(), d("100.00"));
    }

    proptest! {
        /// One share is allocated as the general rule allocates it, to the
        /// last digit of the decimal (its scale included).
        #[test]
        fn one_share_is_allocated_as_by_remainders(
            units in -10_000_000_000i64..10_000_000_000i64,
            scale in 0u32..5,
            share in -20_000i64..20_000i64,
            share_scale in 0u32..5,
            places in 0u32..4,
            half_up in any::<bool>(),
        ) {
            let amount = Decimal::new(units, scale);
            let shares = [Decimal::new(share, share_scale)];
            let mode = if half_up { Rounding::HalfUp } else { Rounding::HalfEven };
            let fast = allocate(amount, &shares, places, mode);
            let general = by_remainders(amount, &shares, places, mode);
            prop_assert_eq!(fast.len(), 1);
            prop_assert_eq!(fast[0], general[0]);
            prop_assert_eq!(fast[0].to_string(), general[0].to_string());
            prop_assert_eq!(fast[0].is_sign_negative(), general[0].is_sign_negative());
        }

        /// All of an amount (`100%`, however it is written) is allocated
        /// as the general rule allocates it, to the last digit, whether
        /// the amount is in whole minor units or not.
        #[test]
        fn a_whole_share_is_allocated_as_by_remainders(
            units in -10_000_000_000i64..10_000_000_000i64,
            scale in 0u32..5,
            share_scale in 0u32..4,
            places in 0u32..4,
            half_up in any::<bool>(),
        ) {
            let amount = Decimal::new(units, scale);
            let shares = [Decimal::new(10i64.pow(share_scale), share_scale)];
            let mode = if half_up { Rounding::HalfUp } else { Rounding::HalfEven };
            let fast = allocate(amount, &shares, places, mode);
            let general = by_remainders(amount, &shares, places, mode);
            prop_assert_eq!(fast.len(), 1);
            prop_assert_eq!(fast[0].to_string(), general[0].to_string());
            prop_assert_eq!(fast[0].is_sign_negative(), general[0].is_sign_negative());
        }

        #[test]
        fn allocation_conserves_every_cent(
            cents in -10_000_000_000i64..10_000_000_000i64,
            shares in proptest::collection::vec(0u32..=10_000u32, 1..6),
            half_up in any::<bool>(),
        ) {
            let amount = Decimal::new(cents, 2);
            let shares: Vec<Decimal> = shares.iter().map(|s| Decimal::new(i64::from(*s), 4)).collect();
            let mode = if half_up { Rounding::HalfUp } else { Rounding::HalfEven };
            let parts = allocate(amount, &shares, 2, mode);
            let total: Decimal = shares.iter().copied().sum();
            let target = round(amount.abs() * total, 2, mode) * if amount.is_sign_negative() { -Decimal::ONE } else { Decimal::ONE };
            prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), target);
            for (p, s) in parts.iter().zip(&shares) {
                // every part is within one cent of its exact value
                prop_assert!((*p - amount * *s).abs() < Decimal::new(1, 2));
            }
        }
    }
}
