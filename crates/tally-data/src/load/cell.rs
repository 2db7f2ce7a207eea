//! Parsing one cell for its column's type (spec §2.2): text as written,
//! plain numbers, `12.5%` or `0.125`, `1234.50 EUR`, ISO or formatted
//! dates, booleans, fiscal periods and territory names.

use super::number::{is_plain_integer, is_plain_number, native_decimal, plain_decimal, NumError};
use super::raw::RawValue;
use chrono::{Datelike, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt::Write as _;
use tally_eval::{Currency, Money, Value};
use tally_syntax::literal::Period;

/// The scalar types a cell can hold (a reference cell holds a value of its
/// target table's key type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// `Text`
    Text,
    /// `Int`
    Int,
    /// `Decimal`
    Decimal,
    /// `Percent`
    Percent,
    /// `Money`
    Money,
    /// `Date`, with the column's `format` if any.
    Date(Option<&'a str>),
    /// `Bool`
    Bool,
    /// `Period`
    Period,
    /// `Territory`
    Territory,
}

impl Kind<'_> {
    /// What a cell of this kind looks like, for messages.
    pub(crate) fn expected(&self) -> String {
        match self {
            Kind::Text => "text".to_string(),
            Kind::Int => "a whole number".to_string(),
            Kind::Decimal => "a number like `1234.50`".to_string(),
            Kind::Percent => "a percentage like `12.5%` or a fraction like `0.125`".to_string(),
            Kind::Money => "an amount like `1234.50` or `1234.50 EUR`".to_string(),
            Kind::Date(None) => "a date like `2025-04-10`".to_string(),
            Kind::Date(Some(f)) => match example_date(f) {
                Some(e) => format!("a date in the format `{f}` (like `{e}`)"),
                None => format!("a date in the format `{f}`"),
            },
            Kind::Bool => "`true` or `false` (or `yes`/`no`, `1`/`0`)".to_string(),
            Kind::Period => {
                "a fiscal period like `FY2026`, `FY2026-Q1` or `FY2026-M01`".to_string()
            }
            Kind::Territory => "a declared territory".to_string(),
        }
    }
}

/// 2025-04-10 written with `format`, if the format can write dates.
fn example_date(format: &str) -> Option<String> {
    let d = NaiveDate::from_ymd_opt(2025, 4, 10)?;
    let mut s = String::new();
    // A format chrono cannot write (or one with a time of day) is an
    // error here, never a panic.
    write!(s, "{}", d.format(format)).ok()?;
    Some(s)
}

/// Why a cell is not a value of its kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CellError {
    /// Not a value of the kind at all.
    Bad {
        /// A suggestion.
        help: Option<String>,
    },
    /// A number beyond the type's range.
    OutOfRange {
        /// E.g. `too large for a whole number`.
        why: String,
    },
    /// Date-shaped, but no calendar day.
    InvalidDate {
        /// E.g. `February 2025 has only 28 days`.
        why: String,
    },
    /// A name that is not a declared territory.
    Territory {
        /// The closest declared name.
        suggestion: Option<String>,
    },
}

fn nested() -> CellError {
    bad(Some(
        "a cell holds one value, not a JSON list or object".to_string(),
    ))
}

fn bad(help: Option<String>) -> CellError {
    CellError::Bad { help }
}

/// What cells are parsed against: the base currency and the territories.
#[derive(Clone, Debug)]
pub(crate) struct CellContext {
    /// `settings { currency = ... }`.
    pub base: Currency,
    /// Territory names in declaration order.
    pub territories: Vec<String>,
    by_name: HashMap<String, u32>,
}

impl CellContext {
    /// A context for the base currency code and the territory names.
    pub(crate) fn new(base: &str, territories: Vec<String>) -> CellContext {
        let by_name = territories
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        CellContext {
            base: Currency::parse(base).unwrap_or(Currency(*b"USD")),
            territories,
            by_name,
        }
    }
}

/// True when the cell counts as empty: nothing, JSON null, or only spaces.
pub(crate) fn is_blank(raw: &RawValue) -> bool {
    match raw {
        RawValue::Empty => true,
        RawValue::Text(t) => t.trim().is_empty(),
        _ => false,
    }
}

/// Parses a non-blank cell as a value of `kind`.
pub(crate) fn parse(kind: Kind<'_>, raw: &RawValue, ctx: &CellContext) -> Result<Value, CellError> {
    if let RawValue::Nested(_) = raw {
        return Err(nested());
    }
    if kind == Kind::Text {
        return Ok(Value::text(&match raw {
            RawValue::Text(t) => t.trim_end_matches('\r').to_string(),
            other => other.shown(),
        }));
    }
    match raw {
        RawValue::Empty => Err(bad(None)),
        RawValue::Nested(_) => Err(nested()),
        RawValue::Number(n) => parse_native_number(kind, n, ctx),
        RawValue::Bool(b) => match kind {
            Kind::Bool => Ok(Value::Bool(*b)),
            _ => Err(bad(None)),
        },
        RawValue::Date(d, _) => match kind {
            Kind::Date(_) => Ok(Value::Date(*d)),
            _ => Err(bad(None)),
        },
        RawValue::Text(t) => parse_text(kind, t.trim(), ctx),
    }
}

fn parse_native_number(kind: Kind<'_>, n: &str, ctx: &CellContext) -> Result<Value, CellError> {
    let number = || native_decimal(n).map_err(|e| number_error(kind, e, n));
    match kind {
        Kind::Int => {
            let d = number()?;
            if !d.fract().is_zero() {
                return Err(bad(Some(int_fraction_help())));
            }
            d.to_i64().map(Value::Int).ok_or_else(int_range)
        }
        Kind::Decimal => number().map(Value::Decimal),
        Kind::Percent => number().map(Value::Percent),
        Kind::Money => number().map(|d| Value::Money(Money::new(d, ctx.base))),
        _ => parse_text(kind, n, ctx),
    }
}

fn parse_text(kind: Kind<'_>, t: &str, ctx: &CellContext) -> Result<Value, CellError> {
    match kind {
        Kind::Text => Ok(Value::text(t)),
        Kind::Int => parse_int(t),
        Kind::Decimal => plain_decimal(t)
            .map(Value::Decimal)
            .map_err(|e| number_error(kind, e, t)),
        Kind::Percent => parse_percent(t),
        Kind::Money => parse_money(t, ctx),
        Kind::Date(format) => parse_date(t, format),
        Kind::Bool => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err(bad(None)),
        },
        Kind::Period => Period::parse(&t.to_ascii_uppercase())
            .map(Value::Period)
            .ok_or_else(|| {
                let help = (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| format!("fiscal years are written with `FY`: `FY{t}`"));
                bad(help)
            }),
        Kind::Territory => match ctx.by_name.get(t) {
            Some(i) => Ok(Value::Territory(*i)),
            None => Err(CellError::Territory {
                suggestion: tally_diagnostics::closest(
                    t,
                    ctx.territories.iter().map(String::as_str),
                ),
            }),
        },
    }
}

fn int_fraction_help() -> String {
    "this is an `Int` column: declare it `Decimal` to allow fractions".to_string()
}

fn int_range() -> CellError {
    CellError::OutOfRange {
        why: "beyond the range of whole numbers (-9223372036854775808 to 9223372036854775807)"
            .to_string(),
    }
}

fn parse_int(t: &str) -> Result<Value, CellError> {
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
    if without != t && is_plain_number(&without) {
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

fn number_error(kind: Kind<'_>, e: NumError, t: &str) -> CellError {
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

fn parse_percent(t: &str) -> Result<Value, CellError> {
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

fn parse_money(t: &str, ctx: &CellContext) -> Result<Value, CellError> {
    let kind = Kind::Money;
    let parts: Vec<&str> = t.split_whitespace().collect();
    let (amount, code) = match parts.as_slice() {
        [amount] => (*amount, None),
        [amount, code] if is_plain_number(amount) => (*amount, Some(*code)),
        [code, amount]
            if is_plain_number(amount) && code.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            return Err(bad(Some(format!(
                "write the currency after the amount: `{amount} {}`",
                code.to_ascii_uppercase()
            ))))
        }
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Why year-month-day names no day.
fn explain_invalid(y: i32, m: u32, d: u32) -> String {
    if !(1..=12).contains(&m) {
        return format!("there is no month {m}");
    }
    if d == 0 {
        return "there is no day 0".to_string();
    }
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    let days = next
        .and_then(|n| n.pred_opt())
        .map(|l| l.day())
        .unwrap_or(31);
    let name = MONTHS.get(m as usize - 1).copied().unwrap_or("that month");
    format!("{name} {y} has only {days} days")
}

/// `2025-04-10`: four-digit year, two-digit month and day.
fn iso_parts(t: &str) -> Option<(i32, u32, u32)> {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return None;
    }
    Some((
        t.get(0..4)?.parse().ok()?,
        t.get(5..7)?.parse().ok()?,
        t.get(8..10)?.parse().ok()?,
    ))
}

fn parse_date(t: &str, format: Option<&str>) -> Result<Value, CellError> {
    if let Some(format) = format {
        return NaiveDate::parse_from_str(t, format).map(Value::Date).map_err(|e| {
            use chrono::format::ParseErrorKind;
            // Out of range in the declared shape (`02/30/2025`) is a day
            // that does not exist; anything else is another format.
            let same_shape = example_date(format).is_some_and(|ex| shape(&ex) == shape(t));
            match e.kind() {
                ParseErrorKind::OutOfRange | ParseErrorKind::Impossible if same_shape => CellError::InvalidDate {
                    why: "it names no calendar day".to_string(),
                },
                _ => {
                    let help = iso_parts(t).is_some().then(|| {
                        "this is an ISO date: remove `format` from the column, or export the dates in the declared format"
                            .to_string()
                    });
                    bad(help)
                }
            }
        });
    }
    if let Some((y, m, d)) = iso_parts(t) {
        return NaiveDate::from_ymd_opt(y, m, d)
            .map(Value::Date)
            .ok_or_else(|| CellError::InvalidDate {
                why: explain_invalid(y, m, d),
            });
    }
    let help = if t.get(..10).and_then(iso_parts).is_some() {
        Some(
            "the column holds dates: remove the time of day, or declare a `format` that reads it"
                .to_string(),
        )
    } else {
        slash_format(t)
            .map(|f| format!("add `format \"{f}\"` to the column to read dates written like this"))
    };
    Err(bad(help))
}

/// Digits as `9`, letters as `a`: `04/10/2025` → `99/99/9999`.
fn shape(t: &str) -> String {
    t.chars()
        .map(|c| match c {
            c if c.is_ascii_digit() => '9',
            c if c.is_alphabetic() => 'a',
            c => c,
        })
        .collect()
}

/// A likely format for `04/10/2025`-style dates.
fn slash_format(t: &str) -> Option<&'static str> {
    let parts: Vec<&str> = t.split(['/', '.']).collect();
    let [a, b, y] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| s.len() <= 2 && !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if !(num(a) && num(b) && y.len() == 4 && y.bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let sep_dot = t.contains('.');
    let first: u32 = a.parse().ok()?;
    Some(match (first > 12, sep_dot) {
        (true, false) => "%d/%m/%Y",
        (true, true) | (false, true) => "%d.%m.%Y",
        (false, false) => "%m/%d/%Y",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn ctx() -> CellContext {
        CellContext::new("USD", vec!["Global".into(), "NA_East".into()])
    }

    fn text(kind: Kind<'_>, s: &str) -> Result<Value, CellError> {
        parse(kind, &RawValue::Text(s.to_string()), &ctx())
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(text(Kind::Int, " -12 "), Ok(Value::Int(-12)));
        assert!(matches!(
            text(Kind::Int, "12a"),
            Err(CellError::Bad { help: None })
        ));
        assert!(matches!(
            text(Kind::Int, "99999999999999999999"),
            Err(CellError::OutOfRange { .. })
        ));
        assert_eq!(
            text(Kind::Decimal, "1234.50"),
            Ok(Value::Decimal(d("1234.50")))
        );
        assert_eq!(text(Kind::Percent, "12.5%"), Ok(Value::Percent(d("0.125"))));
        assert_eq!(text(Kind::Percent, "0.125"), Ok(Value::Percent(d("0.125"))));
        assert_eq!(
            parse(Kind::Int, &RawValue::Number("1.2e3".into()), &ctx()),
            Ok(Value::Int(1200))
        );
    }

    #[test]
    fn money() {
        let usd = Currency(*b"USD");
        let eur = Currency(*b"EUR");
        assert_eq!(
            text(Kind::Money, "1234.50"),
            Ok(Value::Money(Money::new(d("1234.50"), usd)))
        );
        assert_eq!(
            text(Kind::Money, "1234.50 EUR"),
            Ok(Value::Money(Money::new(d("1234.50"), eur)))
        );
        let Err(CellError::Bad { help: Some(h) }) = text(Kind::Money, "12 usd") else {
            panic!()
        };
        assert_eq!(h, "currency codes are upper case: `12 USD`");
        assert!(text(Kind::Money, "$12").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(
            text(Kind::Date(None), "2025-04-10"),
            Ok(Value::Date(NaiveDate::from_ymd_opt(2025, 4, 10).unwrap()))
        );
        assert_eq!(
            text(Kind::Date(None), "2025-02-30"),
            Err(CellError::InvalidDate {
                why: "February 2025 has only 28 days".into()
            })
        );
        assert_eq!(
            text(Kind::Date(None), "2024-13-01"),
            Err(CellError::InvalidDate {
                why: "there is no month 13".into()
            })
        );
        assert_eq!(
            text(Kind::Date(Some("%m/%d/%Y")), "04/10/2025"),
            Ok(Value::Date(NaiveDate::from_ymd_opt(2025, 4, 10).unwrap()))
        );
        assert!(matches!(
            text(Kind::Date(Some("%m/%d/%Y")), "2025-04-10"),
            Err(CellError::Bad { help: Some(_) })
        ));
        assert!(matches!(
            text(Kind::Date(Some("%m/%d/%Y")), "02/30/2025"),
            Err(CellError::InvalidDate { .. })
        ));
        // An unusable format is an error, not a panic.
        assert!(text(Kind::Date(Some("%Q")), "x").is_err());
        assert_eq!(
            Kind::Date(Some("%Q")).expected(),
            "a date in the format `%Q`"
        );
        assert_eq!(
            Kind::Date(Some("%H")).expected(),
            "a date in the format `%H`"
        );
    }

    #[test]
    fn bools_periods_territories() {
        assert_eq!(text(Kind::Bool, "Yes"), Ok(Value::Bool(true)));
        assert_eq!(text(Kind::Bool, "0"), Ok(Value::Bool(false)));
        assert!(text(Kind::Bool, "maybe").is_err());
        assert_eq!(
            text(Kind::Period, "FY2026-Q1").map(|v| matches!(v, Value::Period(_))),
            Ok(true)
        );
        assert_eq!(text(Kind::Territory, "NA_East"), Ok(Value::Territory(1)));
        assert_eq!(
            text(Kind::Territory, "NA_Est"),
            Err(CellError::Territory {
                suggestion: Some("NA_East".into())
            })
        );
    }

    #[test]
    fn text_is_kept_as_written() {
        assert_eq!(text(Kind::Text, "  a b \r"), Ok(Value::text("  a b ")));
    }
}
