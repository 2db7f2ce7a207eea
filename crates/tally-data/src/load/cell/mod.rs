//! Parsing one cell for its column's type (spec §2.2): text as written,
//! plain numbers, `12.5%` or `0.125`, `1234.50 EUR`, ISO or formatted
//! dates, booleans, fiscal periods and territory names.

mod dates;
mod numbers;
#[cfg(test)]
mod tests;

use super::number::native_decimal;
use super::raw::Cell;
use dates::{example_date, parse_date};
use numbers::{
    int_fraction_help, int_range, number_error, parse_decimal, parse_int, parse_money,
    parse_percent,
};
use rust_decimal::prelude::ToPrimitive;
use std::collections::HashMap;
use tally_eval::FastSet;
use tally_eval::{Currency, Money, Value};
use tally_syntax::literal::Period;

/// The scalar types a cell can hold (a reference cell holds a value of its
/// target table's key type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// `Text`
    Text,
    /// `Text` of a key column: every cell different, so not shared.
    KeyText,
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
            Kind::Text | Kind::KeyText => "text".to_string(),
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

pub(crate) fn bad(help: Option<String>) -> CellError {
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
    /// Interned text: equal cells share one allocation.
    texts: std::cell::RefCell<FastSet<std::sync::Arc<str>>>,
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
            texts: Default::default(),
        }
    }
}

impl CellContext {
    /// The shared copy of `text` (text columns repeat values a lot).
    pub(crate) fn intern(&self, text: &str) -> std::sync::Arc<str> {
        let Ok(mut set) = self.texts.try_borrow_mut() else {
            return std::sync::Arc::from(text);
        };
        if let Some(t) = set.get(text) {
            return t.clone();
        }
        let t: std::sync::Arc<str> = std::sync::Arc::from(text);
        set.insert(t.clone());
        t
    }
}

/// True when the cell counts as empty: nothing, JSON null, or only spaces.
pub(crate) fn is_blank(cell: Cell<'_>) -> bool {
    match cell {
        Cell::Empty => true,
        Cell::Text(t) => trimmed(t).is_empty(),
        _ => false,
    }
}

/// `t` without the white space around it (`str::trim`), found at once
/// when `t` starts and ends with a visible ASCII character, as nearly
/// every cell does.
pub(crate) fn trimmed(t: &str) -> &str {
    match t.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => t,
        [only] if only.is_ascii_graphic() => t,
        _ => t.trim(),
    }
}

/// `t` without the carriage returns that end it, if any.
pub(crate) fn without_cr(t: &str) -> &str {
    if t.as_bytes().last() == Some(&b'\r') {
        t.trim_end_matches('\r')
    } else {
        t
    }
}

/// Parses a non-blank cell as a value of `kind`.
pub(crate) fn parse(kind: Kind<'_>, cell: Cell<'_>, ctx: &CellContext) -> Result<Value, CellError> {
    if let Cell::Nested(_) = cell {
        return Err(nested());
    }
    if kind == Kind::Text {
        return Ok(Value::Text(match cell {
            Cell::Text(t) => ctx.intern(without_cr(t)),
            other => ctx.intern(&other.shown()),
        }));
    }
    if kind == Kind::KeyText {
        return Ok(Value::Text(match cell {
            Cell::Text(t) => std::sync::Arc::from(without_cr(t)),
            other => std::sync::Arc::from(other.shown()),
        }));
    }
    match cell {
        Cell::Empty => Err(bad(None)),
        Cell::Nested(_) => Err(nested()),
        Cell::Number(n) => parse_native_number(kind, n, ctx),
        Cell::Bool(b) => match kind {
            Kind::Bool => Ok(Value::Bool(b)),
            _ => Err(bad(None)),
        },
        Cell::Date(d, _) => match kind {
            Kind::Date(_) => Ok(Value::Date(d)),
            _ => Err(bad(None)),
        },
        Cell::Text(t) => parse_text(kind, trimmed(t), ctx),
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
        Kind::Text | Kind::KeyText => Ok(Value::text(t)),
        Kind::Int => parse_int(t),
        Kind::Decimal => parse_decimal(t),
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

/// A cell of a common shape, read without making a [`Value`]: money of
/// plain digits in the base currency, an ISO date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Quick {
    /// Money in the base currency.
    Money(rust_decimal::Decimal),
    /// A date.
    Date(chrono::NaiveDate),
}

/// `cell` read as `kind` when it has the common shape of its kind (what
/// [`parse`] reads it as, quicker); `None` for any other cell, which
/// [`parse`] reads (and reports).
pub(crate) fn quick(kind: Kind<'_>, cell: Cell<'_>) -> Option<Quick> {
    let Cell::Text(t) = cell else { return None };
    let t = trimmed(t);
    match kind {
        Kind::Money => numbers::plain_amount(t).map(Quick::Money),
        Kind::Date(None) => dates::iso_date(t).map(Quick::Date),
        _ => None,
    }
}
