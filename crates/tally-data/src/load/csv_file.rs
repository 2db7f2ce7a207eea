//! CSV files (RFC 4180 through the `csv` crate): a header row, then one
//! row per record; quoted fields may hold commas, quotes and line breaks.

use super::raw::{Range, RawCell, RawHeader, RawRow, RawTable, RawValue, Unit};
use super::sink::Sink;
use super::text::Lines;
use super::ReadContext;
use crate::codes;
use tally_diagnostics::{Diagnostic, Span};

/// Reads CSV `text` (already decoded, without a byte-order mark).
pub(crate) fn read(text: &str, cx: &ReadContext<'_>, sink: &mut Sink) -> RawTable {
    let mut raw = RawTable::empty(cx.file, Unit::Line);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let lines = Lines::new(text);
    let mut headers: Option<Vec<RawHeader>> = None;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let at = e.position().map(|p| p.byte() as usize).unwrap_or(0);
                sink.push(Diagnostic::error(
                    codes::SYNTAX,
                    Span::new(cx.file, at, at),
                    format!("`{}` cannot be read as CSV: {e}", cx.file_name),
                ));
                break;
            }
        }
        // The reader's position is where it started looking for the
        // record: skip the line breaks (and blank lines) it skipped.
        let mut start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let line = lines.line(start);
        let ranges = field_ranges(text, start, record.len());
        let row_range = (start, ranges.last().map(|r| r.1).unwrap_or(start));
        let Some(header) = &headers else {
            headers = Some(
                record
                    .iter()
                    .zip(&ranges)
                    .map(|(name, range)| RawHeader {
                        name: name.trim().to_string(),
                        range: *range,
                    })
                    .collect(),
            );
            raw.header_range = row_range;
            continue;
        };
        // Rows of nothing but empty fields (`,,,,` under spreadsheets'
        // last rows) are not data.
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            let (n, h) = (record.len(), header.len());
            let s = |k: usize| if k == 1 { "" } else { "s" };
            let help = if n > h {
                "a field that contains a comma must be quoted: `\"Smith, Jane\"`"
            } else {
                "every row needs a field for every column; leave a field empty with nothing between the commas"
            };
            sink.push(
                Diagnostic::error(
                    codes::RAGGED_ROW,
                    Span::new(cx.file, row_range.0, row_range.1),
                    format!(
                        "`{}` line {line} has {n} field{}, but the header has {h}",
                        cx.file_name,
                        s(n)
                    ),
                )
                .with_label(format!("{n} field{}", s(n)))
                .with_help(help),
            );
            continue;
        }
        if cx.max_rows.is_some_and(|max| raw.rows.len() >= max) {
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
            cells: record
                .iter()
                .zip(&ranges)
                .map(|(field, range)| {
                    Some(RawCell {
                        value: RawValue::Text(field.to_string()),
                        range: *range,
                    })
                })
                .collect(),
        });
    }
    raw.headers = headers;
    raw
}

/// The byte ranges of the `count` fields of the record that starts at
/// `start` (a quoted field's range includes its quotes).
pub(crate) fn field_ranges(text: &str, start: usize, count: usize) -> Vec<Range> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(count);
    let mut i = start.min(b.len());
    while out.len() < count {
        let field_start = i;
        if b.get(i) == Some(&b'"') {
            i += 1;
            while i < b.len() {
                if b.get(i) == Some(&b'"') {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && !matches!(b.get(i), Some(b',' | b'\n' | b'\r')) {
            i += 1;
        }
        out.push((field_start, i));
        match b.get(i) {
            Some(b',') => i += 1,
            _ => break,
        }
    }
    while out.len() < count {
        out.push((i, i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_quoted_and_plain_fields() {
        let text = "a,\"b,\"\"c\"\"\nd\",e\nx,y,z\n";
        let r = field_ranges(text, 0, 3);
        assert_eq!(&text[r[0].0..r[0].1], "a");
        assert_eq!(&text[r[1].0..r[1].1], "\"b,\"\"c\"\"\nd\"");
        assert_eq!(&text[r[2].0..r[2].1], "e");
        let r = field_ranges(text, 16, 3);
        assert_eq!(&text[r[2].0..r[2].1], "z");
    }

    #[test]
    fn rows_know_their_lines_and_cells() {
        let text = "h1,h2\r\n\"a\nb\",c\r\n\r\nd,e\r\n";
        let cx = ReadContext {
            table: "t",
            file_name: "t.csv",
            file: tally_diagnostics::FileId(0),
            max_rows: None,
        };
        let mut sink = Sink::new(10);
        let raw = read(text, &cx, &mut sink);
        let lines: Vec<usize> = raw.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 5]);
        let cell = |r: usize, c: usize| {
            let range = raw.rows[r].cells[c].as_ref().unwrap().range;
            &text[range.0..range.1]
        };
        assert_eq!(cell(0, 0), "\"a\nb\"");
        assert_eq!(cell(1, 1), "e");
        assert_eq!(
            raw.rows[0].cells[0].as_ref().unwrap().value,
            RawValue::Text("a\nb".into())
        );
    }
}
