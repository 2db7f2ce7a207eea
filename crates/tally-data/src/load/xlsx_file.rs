//! Excel workbooks (`.xlsx`, through `calamine`): the sheet named like the
//! table (or the first sheet), first row the header. Native numbers keep
//! the float's shortest decimal text, native dates become dates.
//!
//! Messages need text to point into, so the sheet is also rendered as
//! text, one line per sheet row (line `n` is row `n`), cells separated by
//! commas: that text is the "file" diagnostics show.

use super::number::float_text;
use super::raw::{RawCell, RawHeader, RawRow, RawTable, RawValue, Unit};
use super::sink::NO_FILE;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::NaiveDate;
use std::io::Cursor;

/// A sheet read into rows, with its text rendering.
#[derive(Debug)]
pub(crate) struct Sheet {
    /// One line per sheet row.
    pub text: String,
    /// Header and rows; `file` is set by the caller once `text` is added.
    pub raw: RawTable,
}

fn raw_value(cell: &Data) -> RawValue {
    match cell {
        Data::Empty => RawValue::Empty,
        Data::String(s) => RawValue::Text(s.clone()),
        Data::Int(i) => RawValue::Number(i.to_string()),
        Data::Float(f) => match float_text(*f) {
            Some(t) => RawValue::Number(t),
            None => RawValue::Text(f.to_string()),
        },
        Data::Bool(b) => RawValue::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let time = h != 0 || mi != 0 || s != 0 || ms != 0;
            match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                Some(date) => RawValue::Date(date, time),
                None => RawValue::Text(format!("{y:04}-{m:02}-{d:02}")),
            }
        }
        Data::DateTime(dt) => RawValue::Number(float_text(dt.as_f64()).unwrap_or_default()),
        Data::DateTimeIso(s) => {
            let date = s
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            match date {
                Some(d) => {
                    let rest = s.get(10..).unwrap_or("");
                    RawValue::Date(
                        d,
                        !rest
                            .trim_start_matches('T')
                            .trim_matches(['0', ':', '.'])
                            .is_empty(),
                    )
                }
                None => RawValue::Text(s.clone()),
            }
        }
        Data::DurationIso(s) => RawValue::Text(s.clone()),
        Data::Error(e) => RawValue::Text(e.to_string()),
    }
}

/// How a cell is shown in the sheet's text rendering.
fn display(value: &RawValue) -> String {
    let text = match value {
        RawValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        other => other.shown(),
    };
    let text = text.replace('\r', "").replace('\n', "\\n");
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Reads the sheet for `table` from workbook `bytes`.
pub(crate) fn read(bytes: &[u8], table: &str, max_rows: Option<usize>) -> Result<Sheet, String> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("it is not an Excel workbook ({e})"))?;
    let names = workbook.sheet_names();
    let name = names
        .iter()
        .find(|n| n.as_str() == table)
        .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(table)))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| "the workbook has no sheets".to_string())?;
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| format!("sheet `{name}` cannot be read ({e})"))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let (first_row, first_column) = (first_row as usize, first_column as usize);
    let mut raw = RawTable::empty(NO_FILE, Unit::SheetRow { first_column });
    let mut text = "\n".repeat(first_row);
    let mut headers = None;
    for (i, row) in range.rows().enumerate() {
        let line = first_row + i + 1;
        let line_start = text.len();
        let mut cells = Vec::with_capacity(row.len());
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                text.push(',');
            }
            let value = raw_value(cell);
            let start = text.len();
            text.push_str(&display(&value));
            cells.push(Some(RawCell {
                value,
                range: (start, text.len()),
            }));
        }
        let row_range = (line_start, text.len());
        text.push('\n');
        if headers.is_none() {
            headers = Some(
                cells
                    .iter()
                    .flatten()
                    .map(|cell| RawHeader {
                        name: cell.value.shown().trim().to_string(),
                        range: cell.range,
                    })
                    .collect::<Vec<_>>(),
            );
            raw.header_range = row_range;
            continue;
        }
        if cells
            .iter()
            .flatten()
            .all(|c| super::cell::is_blank(c.value.cell()))
        {
            continue;
        }
        if max_rows.is_some_and(|max| raw.rows.len() >= max) {
            raw.rows.push(RawRow {
                line,
                range: row_range,
                cells: Vec::new(),
            });
            break;
        }
        raw.rows.push(RawRow {
            line,
            range: row_range,
            cells,
        });
    }
    raw.headers = headers;
    Ok(Sheet { text, raw })
}
