//! Cell text shared by the people-facing formats (`table`, `md`, `xlsx`
//! widths): thousands separators, percentages, currency codes.

use super::ReportView;
use rust_decimal::Decimal;
use tally_check::Type;
use tally_eval::display::{csv_cell, normalized};
use tally_eval::money::round;
use tally_eval::{Currency, Value};

/// The distinct currencies of a column, in order of first use.
pub(crate) fn currencies(view: &ReportView<'_>, column: usize) -> Vec<Currency> {
    let mut out: Vec<Currency> = Vec::new();
    if let Some(c) = view.table.columns.get(column) {
        for v in c.iter() {
            if let Value::Money(m) = &*v {
                if !out.contains(&m.currency) {
                    out.push(m.currency);
                }
            }
        }
    }
    out
}

/// True when a column holds numbers or money (right-aligned).
pub(crate) fn is_numeric(view: &ReportView<'_>, column: usize) -> bool {
    match view.types.get(column).map(Type::strip_optional) {
        Some(Type::Int | Type::Decimal | Type::Percent | Type::Money) => true,
        Some(Type::Unknown | Type::Var(_)) | None => {
            view.table.columns.get(column).is_some_and(|c| {
                c.iter().find(|v| !v.is_none()).is_some_and(|v| {
                    matches!(
                        &*v,
                        Value::Int(_) | Value::Decimal(_) | Value::Percent(_) | Value::Money(_)
                    )
                })
            })
        }
        _ => false,
    }
}

/// `1234567.89` → `1,234,567.89` (the sign and fraction are kept).
pub(crate) fn thousands(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", number),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A percentage for people: the fraction 0.875 is `87.5%`.
pub(crate) fn percent(p: Decimal) -> String {
    match p.checked_mul(Decimal::ONE_HUNDRED) {
        Some(x) => format!("{}%", normalized(x)),
        None => normalized(p),
    }
}

/// A cell as `table` and `md` show it. `with_code`: append the currency
/// code to money (columns that mix currencies).
pub(crate) fn human(view: &ReportView<'_>, v: &Value, with_code: bool) -> String {
    let text = match v {
        Value::Money(m) => {
            let places = m.currency.minor_unit();
            let amount = thousands(&format!(
                "{:.*}",
                places as usize,
                round(m.amount, places, view.rounding)
            ));
            if with_code {
                format!("{amount} {}", m.currency)
            } else {
                amount
            }
        }
        Value::Percent(p) => percent(*p),
        other => csv_cell(other, view.store, view.rounding),
    };
    text.replace('\r', "").replace('\n', "\\n")
}

/// Every cell of a view as `table`/`md` show it, row by row.
pub(crate) fn human_rows(view: &ReportView<'_>) -> Vec<Vec<String>> {
    let mixed: Vec<bool> = (0..view.table.columns.len())
        .map(|c| currencies(view, c).len() > 1)
        .collect();
    (0..view.table.len)
        .map(|row| {
            (0..view.table.columns.len())
                .map(|c| {
                    human(
                        view,
                        &view.table.get(c, row),
                        mixed.get(c).copied().unwrap_or(false),
                    )
                })
                .collect()
        })
        .collect()
}

/// Column names of a view.
pub(crate) fn names<'a>(view: &ReportView<'a>) -> Vec<&'a str> {
    view.table.columns.iter().map(|c| c.name.as_str()).collect()
}

/// Pads `text` to `width` characters, on the left for numbers.
pub(crate) fn pad(text: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(text.chars().count()));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// The width of every column: the widest of the header and the cells.
pub(crate) fn widths(header: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .chain(std::iter::once(h.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands("1234567.89"), "1,234,567.89");
        assert_eq!(thousands("-1234.5"), "-1,234.5");
        assert_eq!(thousands("123"), "123");
        assert_eq!(thousands("1000"), "1,000");
        assert_eq!(thousands("0.00"), "0.00");
    }
}
