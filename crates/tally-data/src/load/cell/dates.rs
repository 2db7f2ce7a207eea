//! Dates in cells: ISO `2025-04-10`, or the column's `format`.

use super::{bad, CellError};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;
use tally_eval::Value;

/// 2025-04-10 written with `format`, if the format can write dates.
pub(crate) fn example_date(format: &str) -> Option<String> {
    let d = NaiveDate::from_ymd_opt(2025, 4, 10)?;
    let mut s = String::new();
    // A format chrono cannot write (or one with a time of day) is an
    // error here, never a panic.
    write!(s, "{}", d.format(format)).ok()?;
    Some(s)
}

use tally_check::MONTHS;

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

/// An ISO date that names a calendar day (`2025-03-01`); `None` for any
/// other cell.
pub(crate) fn iso_date(t: &str) -> Option<NaiveDate> {
    let (y, m, d) = iso_parts(t)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// An ISO date, or a date in the column's `format`.
pub(crate) fn parse_date(t: &str, format: Option<&str>) -> Result<Value, CellError> {
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
