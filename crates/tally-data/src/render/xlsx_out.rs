//! Excel workbooks: one sheet per report with native numbers, currency,
//! percent and date formats. The bytes are deterministic: the document's
//! creation date is fixed and the zip entries carry no timestamps.

use super::cells::{human_rows, names, widths};
use super::ReportView;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;
use tally_eval::display::csv_cell;
use tally_eval::money::round;
use tally_eval::{Currency, Value};

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique
/// regardless of case.
fn sheet_name(name: &str, used: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'');
    let base: String = if clean.is_empty() {
        "report".to_string()
    } else {
        clean.chars().take(31).collect()
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&candidate)) {
        let suffix = format!("_{n}");
        let keep = 31usize.saturating_sub(suffix.chars().count());
        candidate = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    used.push(candidate.clone());
    candidate
}

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Text for one cell, cut to what Excel accepts.
fn cell_text(text: String) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        text
    } else {
        text.chars().take(MAX_CELL_CHARS).collect()
    }
}

/// `#,##0.00 "USD"`: the currency's minor-unit places and its code.
fn money_format(currency: Currency) -> Format {
    let places = currency.minor_unit() as usize;
    let decimals = if places == 0 {
        String::new()
    } else {
        format!(".{}", "0".repeat(places))
    };
    Format::new().set_num_format(format!("#,##0{decimals} \"{currency}\""))
}

struct Formats {
    header: Format,
    percent: Format,
    date: Format,
    money: HashMap<Currency, Format>,
}

fn write_value(
    ws: &mut Worksheet,
    (row, col): (u32, u16),
    v: &Value,
    view: &ReportView<'_>,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    match v {
        Value::None => {}
        Value::Bool(b) => {
            ws.write_boolean(row, col, *b)?;
        }
        Value::Int(i) => {
            ws.write_number(row, col, *i as f64)?;
        }
        Value::Decimal(d) => {
            ws.write_number(row, col, d.to_f64().unwrap_or(0.0))?;
        }
        Value::Percent(p) => {
            ws.write_number_with_format(row, col, p.to_f64().unwrap_or(0.0), &formats.percent)?;
        }
        Value::Money(m) => {
            let amount = round(m.amount, m.currency.minor_unit(), view.rounding);
            let format = formats
                .money
                .entry(m.currency)
                .or_insert_with(|| money_format(m.currency));
            ws.write_number_with_format(row, col, amount.to_f64().unwrap_or(0.0), format)?;
        }
        Value::Date(d) => {
            use chrono::Datelike;
            let date = u16::try_from(d.year())
                .ok()
                .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
            match date {
                Some(date) => ws.write_datetime_with_format(row, col, &date, &formats.date)?,
                None => ws.write_string(row, col, d.format("%Y-%m-%d").to_string())?,
            };
        }
        Value::Row(r) => match view.store.row_key(*r).as_deref() {
            Some(k @ (Value::Int(_) | Value::Text(_))) => {
                write_value(ws, (row, col), k, view, formats)?
            }
            _ => {
                ws.write_string(row, col, cell_text(csv_cell(v, view.store, view.rounding)))?;
            }
        },
        other => {
            ws.write_string(
                row,
                col,
                cell_text(csv_cell(other, view.store, view.rounding)),
            )?;
        }
    }
    Ok(())
}

fn write_sheet(
    ws: &mut Worksheet,
    view: &ReportView<'_>,
    formats: &mut Formats,
) -> Result<(), XlsxError> {
    let header: Vec<String> = names(view).into_iter().map(str::to_string).collect();
    for (c, name) in header.iter().enumerate() {
        ws.write_string_with_format(0, col_num(c)?, cell_text(name.clone()), &formats.header)?;
    }
    for row in 0..view.table.len {
        let r = u32::try_from(row + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for c in 0..view.table.columns.len() {
            write_value(ws, (r, col_num(c)?), &view.table.get(c, row), view, formats)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if view.table.len > 0 && !header.is_empty() {
        let last_row = u32::try_from(view.table.len).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.autofilter(0, 0, last_row, col_num(header.len() - 1)?)?;
    }
    // Widths from the text people would see, with room for the filter button.
    for (c, w) in widths(&header, &human_rows(view)).into_iter().enumerate() {
        ws.set_column_width(col_num(c)?, (w + 4).clamp(8, 60) as f64)?;
    }
    Ok(())
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Renders reports as an Excel workbook: one sheet per report (named after
/// it), a bold filled header row that is frozen and filtered, native
/// numbers, `#,##0.00 "USD"`-style money per currency, `0.0%` percents,
/// `yyyy-mm-dd` dates, and column widths that fit the values. The same
/// reports always give the same bytes.
pub fn render_xlsx(views: &[ReportView<'_>]) -> Result<Vec<u8>, String> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| e.to_string())?;
    let mut properties = DocProperties::new().set_creation_datetime(&created);
    if let [only] = views {
        properties = properties.set_title(only.heading());
    }
    workbook.set_properties(&properties);
    let mut formats = Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border_bottom(FormatBorder::Thin),
        percent: Format::new().set_num_format("0.0%"),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        money: HashMap::new(),
    };
    let mut used = Vec::new();
    for view in views {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet_name(view.name, &mut used))
            .map_err(|e| e.to_string())?;
        write_sheet(ws, view, &mut formats).map_err(|e| format!("report `{}`: {e}", view.name))?;
    }
    if views.is_empty() {
        workbook.add_worksheet();
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        assert_eq!(sheet_name("attainment", &mut used), "attainment");
        assert_eq!(sheet_name("Attainment", &mut used), "Attainment_2");
        assert_eq!(sheet_name("a/b", &mut used), "a_b");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut used).len(), 31);
        assert_eq!(
            sheet_name(&long, &mut used),
            format!("{}_2", "x".repeat(29))
        );
    }
}
