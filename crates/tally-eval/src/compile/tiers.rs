//! `tiered marginal` and `tiered retro` (spec §2.7).
//!
//! Bands are `up to BOUND => RATE` in increasing order, optionally ended by
//! `above => RATE`. With `of BASE`, bounds are fractions of the base. A
//! value exactly on a bound belongs to the lower band. Without `above`,
//! values past the last bound are paid at the last band's rate.

use super::Compiler;
use crate::error::{codes, EvalError};
use crate::money::Money;
use crate::runtime::{Eval, Frame, Runtime};
use crate::value::Value;
use rust_decimal::Decimal;
use std::sync::Arc;
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// A measured amount: a number, or money in a currency.
#[derive(Clone, Copy)]
struct Amount {
    value: Decimal,
    currency: Option<crate::money::Currency>,
}

fn amount(v: &Value, span: Span, what: &str) -> Result<Amount, EvalError> {
    match v {
        Value::Money(m) => Ok(Amount {
            value: m.amount,
            currency: Some(m.currency),
        }),
        other => match other.as_decimal() {
            Some(d) => Ok(Amount {
                value: d,
                currency: None,
            }),
            None => Err(EvalError::new(
                codes::NONE_VALUE,
                span,
                format!("the {what} of `tiered` is none"),
            )
            .help("give a default with `??`")),
        },
    }
}

/// Pays `value` through `bands` (upper bounds in the value's unit; `None`
/// is `above`) with marginal or retro rates.
pub fn pay(mode: TierMode, value: Decimal, bands: &[(Option<Decimal>, Decimal)]) -> Decimal {
    match mode {
        TierMode::Marginal => {
            let mut total = Decimal::ZERO;
            let mut lower = Decimal::ZERO;
            let last = bands.len().saturating_sub(1);
            for (i, (upper, rate)) in bands.iter().enumerate() {
                let top = if i == last { None } else { *upper };
                let part = match top {
                    Some(u) => value.min(u) - lower,
                    None => value - lower,
                };
                if part > Decimal::ZERO {
                    total += part * *rate;
                }
                match top {
                    Some(u) if value > u => lower = u,
                    _ => break,
                }
            }
            if value < Decimal::ZERO {
                // Below zero (reversals) is paid at the first band's rate.
                total += value * bands.first().map(|b| b.1).unwrap_or_default();
            }
            total
        }
        TierMode::Retro => {
            let rate = bands
                .iter()
                .find(|(upper, _)| upper.is_none_or(|u| value <= u))
                .or(bands.last())
                .map(|b| b.1)
                .unwrap_or_default();
            value * rate
        }
    }
}

impl Compiler<'_> {
    pub(super) fn tiered(&mut self, t: &Tiered, span: Span) -> Result<Eval, EvalError> {
        let value = self.expr(&t.value)?;
        let base = match &t.base {
            Some(b) => Some(self.expr(b)?),
            None => None,
        };
        let mut bands: Vec<(Option<Eval>, Eval)> = Vec::new();
        for b in &t.bands {
            let upper = match &b.upper {
                Some(u) => Some(self.expr(u)?),
                None => None,
            };
            bands.push((upper, self.expr(&b.rate)?));
        }
        let mode = t.mode;
        let base_span = t.base.as_ref().map(|b| b.span).unwrap_or(span);
        Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
            let v = amount(&value(rt, f)?, span, "value")?;
            let scale = match &base {
                Some(b) => {
                    let bv = b(rt, f)?;
                    let base_amount = amount(&bv, base_span, "base")?;
                    if base_amount.value.is_zero() {
                        return Err(EvalError::new(
                            codes::ZERO_BASE,
                            base_span,
                            "the base of `tiered ... of BASE` is zero, so its bands have no size",
                        )
                        .value("base", crate::display::plain(&bv, rt.store))
                        .help("guard it, e.g. `if quota > 0 USD then tiered ... else 0 USD`"));
                    }
                    Some(base_amount.value)
                }
                None => None,
            };
            let mut resolved = Vec::with_capacity(bands.len());
            for (upper, rate) in &bands {
                let u = match upper {
                    Some(u) => {
                        let uv = u(rt, f)?;
                        let a = amount(&uv, span, "band bound")?;
                        Some(match scale {
                            Some(s) => a.value * s,
                            None => a.value,
                        })
                    }
                    None => None,
                };
                let r = rate(rt, f)?.as_decimal().unwrap_or_default();
                resolved.push((u, r));
            }
            let paid = pay(mode, v.value, &resolved);
            Ok(match v.currency {
                Some(c) => Value::Money(Money::new(paid, c)),
                None => Value::Decimal(paid),
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    fn acme_bands(quota: i64) -> Vec<(Option<Decimal>, Decimal)> {
        vec![
            (Some(d(quota) * Decimal::new(5, 1)), Decimal::new(4, 2)),
            (Some(d(quota)), Decimal::new(8, 2)),
            (None, Decimal::new(12, 2)),
        ]
    }

    #[test]
    fn acme_marginal() {
        // 250,000 on a 200,000 quota: 100k at 4% + 100k at 8% + 50k at 12%.
        assert_eq!(
            pay(TierMode::Marginal, d(250_000), &acme_bands(200_000)),
            d(18_000)
        );
        assert_eq!(
            pay(TierMode::Marginal, d(40_000), &acme_bands(50_000)),
            d(2_200)
        );
    }

    #[test]
    fn boundaries_belong_to_the_lower_band() {
        let bands = acme_bands(100);
        assert_eq!(pay(TierMode::Retro, d(50), &bands), d(2));
        assert_eq!(pay(TierMode::Retro, d(100), &bands), d(8));
        assert_eq!(
            pay(TierMode::Retro, Decimal::new(10001, 2), &bands),
            Decimal::new(10001, 2) * Decimal::new(12, 2)
        );
    }

    proptest! {
        #[test]
        fn marginal_is_continuous_and_monotone(a in 0i64..1_000_000, b in 0i64..1_000_000) {
            let bands = acme_bands(300_000);
            let (lo, hi) = (a.min(b), a.max(b));
            let (pl, ph) = (pay(TierMode::Marginal, d(lo), &bands), pay(TierMode::Marginal, d(hi), &bands));
            prop_assert!(pl <= ph);
            // one more unit of value never pays more than the top rate
            let next = pay(TierMode::Marginal, d(lo + 1), &bands);
            prop_assert!(next - pl <= Decimal::new(12, 2));
        }
    }
}
