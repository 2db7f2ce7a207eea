//! Numbers, percentages and money in cells.

use super::{bad, CellContext, CellError, Kind};
use crate::load::number::{
    is_plain_integer, is_plain_number, native_decimal, plain_decimal, NumError,
};
use rust_decimal::Decimal;
use tally_eval::{Currency, Money, Value};

/// The help for a fraction in an `Int` column.
pub(crate) fn int_fraction_help() -> String {
    "this is an `Int` column: declare it `Decimal` to allow fractions".to_string()
}

/// A whole number beyond 64 bits.
pub(crate) fn int_range() -> CellError {
    CellError::OutOfRange {
        why: "beyond the range of whole numbers (-9223372036854775808 to 9223372036854775807)"
            .to_string(),
    }
}

/// `-12`: an optional sign and digits.
pub(crate) fn parse_int(t: &str) -> Result<Value, CellError> {
    if is_plain_integer(t) {
        return t
            .strip_prefix('+')
            .unwrap_or(t)
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| int_range());
    }
    if is_plain_number(t) {
        return Err(bad(Some(int_fraction_help())));
    }
    Err(bad(number_help(t)))
}

/// Help for number text that is almost a number.
fn number_help(t: &str) -> Option<String> {
    let without: String = t.chars().filter(|c| *c != ',' && *c != '_').collect();
    // Thousands separators group three digits (`1,234.50`); `1,5` is a
    // decimal comma.
    let integer_part = t.split('.').next().unwrap_or(t);
    let grouped = integer_part
        .split([',', '_'])
        .skip(1)
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if without != t && grouped && is_plain_number(&without) {
        return Some(format!(
            "write numbers without thousands separators: `{without}`"
        ));
    }
    if t.contains(',') && is_plain_number(&t.replace(',', ".")) {
        return Some(format!(
            "the decimal separator is a point: `{}`",
            t.replace(',', ".")
        ));
    }
    if t.contains(['e', 'E']) && native_decimal(t).is_ok() {
        return Some("write the number in full, without an exponent".to_string());
    }
    if t.ends_with('%') {
        return Some("this is a percentage: declare the column `Percent`".to_string());
    }
    None
}

/// The error for number text that is not a number (or too big).
pub(crate) fn number_error(kind: Kind<'_>, e: NumError, t: &str) -> CellError {
    match e {
        NumError::TooBig => CellError::OutOfRange {
            why: "beyond the range of exact decimals (28 significant digits)".to_string(),
        },
        NumError::NotNumber => {
            let mut help = number_help(t);
            if kind == Kind::Decimal && help.is_none() && money_code(t).is_some() {
                help = Some("this is an amount of money: declare the column `Money`".to_string());
            }
            bad(help)
        }
    }
}

/// The currency code of `1234.50 EUR`-shaped text.
fn money_code(t: &str) -> Option<&str> {
    let mut parts = t.split_whitespace();
    let (amount, code, rest) = (parts.next()?, parts.next()?, parts.next());
    (rest.is_none() && is_plain_number(amount)).then_some(code)
}

/// `1234.50`: a plain decimal.
pub(crate) fn parse_decimal(t: &str) -> Result<Value, CellError> {
    plain_decimal(t)
        .map(Value::Decimal)
        .map_err(|e| number_error(Kind::Decimal, e, t))
}

/// `12.5%` or the fraction `0.125`.
pub(crate) fn parse_percent(t: &str) -> Result<Value, CellError> {
    let kind = Kind::Percent;
    match t.strip_suffix('%') {
        Some(number) => {
            let number = number.trim_end();
            let d = plain_decimal(number).map_err(|e| number_error(kind, e, number))?;
            d.checked_div(Decimal::ONE_HUNDRED)
                .map(Value::Percent)
                .ok_or_else(|| number_error(kind, NumError::TooBig, number))
        }
        None => plain_decimal(t)
            .map(Value::Percent)
            .map_err(|e| number_error(kind, e, t)),
    }
}

/// `1234.50` (the base currency) or `1234.50 EUR`.
pub(crate) fn parse_money(t: &str, ctx: &CellContext) -> Result<Value, CellError> {
    // An amount of digits, a point and a sign (nearly every cell) is read
    // at once: it is one word, without a currency.
    if t.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'))
    {
        let value = plain_decimal(t).map_err(|e| number_error(Kind::Money, e, t))?;
        return Ok(Value::Money(Money::new(value, ctx.base)));
    }
    parse_money_words(t, ctx)
}

/// [`parse_money`] of a cell of one or more words.
pub(crate) fn parse_money_words(t: &str, ctx: &CellContext) -> Result<Value, CellError> {
    let kind = Kind::Money;
    // One or two words (no list of them is built for each cell).
    let mut words = t.split_whitespace();
    let (first, second, more) = (words.next(), words.next(), words.next().is_some());
    let (amount, code) = match (first, second, more) {
        (Some(amount), None, _) => (amount, None),
        (Some(code), Some(amount), false)
            if is_plain_number(amount) && code.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            return Err(bad(Some(format!(
                "write the currency after the amount: `{amount} {}`",
                code.to_ascii_uppercase()
            ))))
        }
        (Some(amount), Some(code), false) => (amount, Some(code)),
        _ => (t, None),
    };
    if amount.starts_with(['$', '€', '£', '¥']) || amount.ends_with(['$', '€', '£', '¥']) {
        let digits = amount.trim_matches(['$', '€', '£', '¥']);
        return Err(bad(Some(format!(
            "write amounts without currency symbols: `{digits}`, or `{digits} EUR` for another currency than {}",
            ctx.base
        ))));
    }
    let value = plain_decimal(amount).map_err(|e| number_error(kind, e, amount))?;
    let currency = match code {
        None => ctx.base,
        Some(code) => match Currency::parse(code) {
            Some(c) => c,
            None => {
                let help = if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
                    format!(
                        "currency codes are upper case: `{amount} {}`",
                        code.to_ascii_uppercase()
                    )
                } else {
                    "a currency is a three-letter ISO 4217 code like `EUR`".to_string()
                };
                return Err(bad(Some(help)));
            }
        },
    };
    Ok(Value::Money(Money::new(value, currency)))
}

/// A money cell of up to 18 digits, with a sign and a point if any
/// (`-1234.50`), as [`parse_money`] reads it: the digits as written, the
/// scale as many as after the point. `None` for any other cell, and for
/// zero (whose sign [`parse_money`] keeps as written).
pub(crate) fn plain_amount(t: &str) -> Option<rust_decimal::Decimal> {
    let (negative, body) = match t.as_bytes().first()? {
        b'-' => (true, t.get(1..)?),
        b'+' => (false, t.get(1..)?),
        _ => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || (body.contains('.') && frac.is_empty()) || int.len() + frac.len() > 18 {
        return None;
    }
    let mut units: i64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        units = units * 10 + i64::from(b - b'0');
    }
    if units == 0 {
        return None;
    }
    let scale = u32::try_from(frac.len()).ok()?;
    Some(rust_decimal::Decimal::new(
        if negative { -units } else { units },
        scale,
    ))
}
