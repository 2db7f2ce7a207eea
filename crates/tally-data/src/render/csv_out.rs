//! CSV exactly as spec §9 and the golden files expect: a header row, `\n`
//! line endings (also after the last row), RFC 4180 quoting only where
//! needed, and a `<name>_currency` column after each money column that
//! holds more than one currency.

use super::cells::currencies;
use super::ReportView;
use tally_eval::display::csv_cell;
use tally_eval::Value;

/// Renders one report as CSV.
pub fn render_csv(view: &ReportView<'_>) -> String {
    let columns = &view.table.columns;
    let mixed: Vec<bool> = (0..columns.len())
        .map(|c| currencies(view, c).len() > 1)
        .collect();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let mut header: Vec<String> = Vec::new();
    for (c, column) in columns.iter().enumerate() {
        header.push(column.name.clone());
        if mixed.get(c).copied().unwrap_or(false) {
            header.push(format!("{}_currency", column.name));
        }
    }
    // Writing to memory cannot fail; a failure would only shorten the output.
    let _ = writer.write_record(&header);
    for row in 0..view.table.len {
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for c in 0..columns.len() {
            let v = view.table.get(c, row);
            record.push(csv_cell(&v, view.store, view.rounding));
            if mixed.get(c).copied().unwrap_or(false) {
                record.push(match &*v {
                    Value::Money(m) => m.currency.to_string(),
                    _ => String::new(),
                });
            }
        }
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
