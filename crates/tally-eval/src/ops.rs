//! Operators on values: arithmetic with the numeric rules of spec §2.7,
//! equality (a reference equals its key), ordering, `in` and `within`.

use crate::error::{codes, EvalError};
use crate::money::Money;
use crate::table::Store;
use crate::value::{compare, Value};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use tally_diagnostics::Span;
use tally_syntax::ast::BinOp;

fn overflow(span: Span, op: BinOp) -> EvalError {
    EvalError::new(
        codes::ARITHMETIC,
        span,
        format!("the result of `{}` is too large", op.as_str()),
    )
}

fn checked(d: Option<Decimal>, span: Span, op: BinOp) -> Result<Decimal, EvalError> {
    d.ok_or_else(|| overflow(span, op))
}

fn dec_op(op: BinOp, a: Decimal, b: Decimal, span: Span) -> Result<Decimal, EvalError> {
    match op {
        BinOp::Add => checked(a.checked_add(b), span, op),
        BinOp::Sub => checked(a.checked_sub(b), span, op),
        BinOp::Mul => checked(a.checked_mul(b), span, op),
        _ => {
            if b.is_zero() {
                return Err(
                    EvalError::new(codes::ARITHMETIC, span, "division by zero").help(
                        "guard the division, e.g. `if quota > 0 USD then bookings / quota else 0%`",
                    ),
                );
            }
            checked(a.checked_div(b), span, op)
        }
    }
}

/// `a op b` for `+ - * /`.
pub fn arith(
    op: BinOp,
    a: &Value,
    b: &Value,
    span: Span,
    store: &Store,
) -> Result<Value, EvalError> {
    use Value::*;
    let none = |v: &Value| v.is_none();
    if none(a) || none(b) {
        return Err(EvalError::new(
            codes::NONE_VALUE,
            span,
            format!("`{}` on a value that is none", op.as_str()),
        )
        .value("left", crate::display::plain(a, store))
        .value("right", crate::display::plain(b, store))
        .help("give a default with `??`"));
    }
    Ok(match (a, b) {
        (Int(x), Int(y)) if op != BinOp::Div => {
            let r = match op {
                BinOp::Add => x.checked_add(*y),
                BinOp::Sub => x.checked_sub(*y),
                _ => x.checked_mul(*y),
            };
            Int(r.ok_or_else(|| overflow(span, op))?)
        }
        (Percent(x), Percent(y)) if op != BinOp::Div => Percent(dec_op(op, *x, *y, span)?),
        (Money(x), Money(y)) => {
            if x.currency != y.currency {
                return Err(EvalError::new(
                    codes::CURRENCY,
                    span,
                    format!(
                        "`{}` of money in different currencies ({} and {})",
                        op.as_str(),
                        x.currency,
                        y.currency
                    ),
                )
                .value("left", crate::display::plain(a, store))
                .value("right", crate::display::plain(b, store))
                .help("convert the amounts to one currency in the data before combining them"));
            }
            match op {
                BinOp::Div => Decimal(dec_op(op, x.amount, y.amount, span)?),
                _ => Money(crate::money::Money::new(
                    dec_op(op, x.amount, y.amount, span)?,
                    x.currency,
                )),
            }
        }
        (Money(m), n) if n.as_decimal().is_some() && matches!(op, BinOp::Mul | BinOp::Div) => {
            let d = n.as_decimal().unwrap_or_default();
            Money(crate::money::Money::new(
                dec_op(op, m.amount, d, span)?,
                m.currency,
            ))
        }
        (n, Money(m)) if n.as_decimal().is_some() && op == BinOp::Mul => {
            let d = n.as_decimal().unwrap_or_default();
            Money(crate::money::Money::new(
                dec_op(op, d, m.amount, span)?,
                m.currency,
            ))
        }
        (Date(d), Int(n)) if matches!(op, BinOp::Add | BinOp::Sub) => {
            let days = chrono::Duration::try_days(if op == BinOp::Add { *n } else { -*n });
            let r = days.and_then(|days| d.checked_add_signed(days));
            Date(r.ok_or_else(|| EvalError::new(codes::DATE, span, "the date is out of range"))?)
        }
        _ => match (a.as_decimal(), b.as_decimal()) {
            (Some(x), Some(y)) => Decimal(dec_op(op, x, y, span)?),
            _ => {
                return Err(EvalError::new(
                    codes::ARITHMETIC,
                    span,
                    format!(
                        "`{}` cannot combine {} and {}",
                        op.as_str(),
                        a.kind(),
                        b.kind()
                    ),
                ))
            }
        },
    })
}

/// `-x`.
pub fn negate(v: &Value, span: Span) -> Result<Value, EvalError> {
    Ok(match v {
        Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(|| overflow(span, BinOp::Sub))?),
        Value::Decimal(d) => Value::Decimal(-*d),
        Value::Percent(d) => Value::Percent(-*d),
        Value::Money(m) => Value::Money(Money::new(-m.amount, m.currency)),
        other => {
            return Err(
                EvalError::new(codes::NONE_VALUE, span, format!("`-` on {}", other.kind()))
                    .help("give a default with `??`"),
            )
        }
    })
}

/// `a == b`: none equals only none; numbers compare by value; a reference
/// equals its key; money compares amount and currency.
pub fn equal(a: &Value, b: &Value, store: &Store) -> bool {
    use Value::*;
    match (a, b) {
        (None, None) => true,
        (None, _) | (_, None) => false,
        (Row(x), Row(y)) => x == y,
        (Row(r), other) | (other, Row(r)) => match store.row_key(*r) {
            Some(k) => equal(&k, other, store),
            Option::None => false,
        },
        (Money(x), Money(y)) => x.currency == y.currency && x.amount == y.amount,
        (Text(x), Text(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        (Date(x), Date(y)) => x == y,
        (Period(x), Period(y)) => x == y,
        (Territory(x), Territory(y)) => x == y,
        (List(x), List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q, store))
        }
        _ => match (a.as_decimal(), b.as_decimal()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// `a < b` etc. A none left operand is never less or greater (false).
pub fn order(
    op: BinOp,
    a: &Value,
    b: &Value,
    span: Span,
    store: &Store,
) -> Result<bool, EvalError> {
    if a.is_none() || b.is_none() {
        return Ok(false);
    }
    if let (Value::Money(x), Value::Money(y)) = (a, b) {
        if x.currency != y.currency {
            return Err(EvalError::new(
                codes::CURRENCY,
                span,
                format!(
                    "`{}` compares money in different currencies ({} and {})",
                    op.as_str(),
                    x.currency,
                    y.currency
                ),
            )
            .value("left", crate::display::plain(a, store))
            .value("right", crate::display::plain(b, store)));
        }
    }
    let ord = compare(a, b);
    Ok(match op {
        BinOp::Lt => ord == Ordering::Less,
        BinOp::Le => ord != Ordering::Greater,
        BinOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}
