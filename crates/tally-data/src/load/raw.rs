//! The shape every reader produces before cells are typed: a header and
//! rows of raw cells, each with its byte range in the displayed file.

use chrono::NaiveDate;
use tally_diagnostics::{FileId, Span};

/// A byte range `start..end` in the displayed text of a data file.
pub(crate) type Range = (usize, usize);

/// A cell as the file holds it, before it is parsed for its column type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawValue {
    /// An empty cell (also JSON `null`).
    Empty,
    /// Text to be parsed like a CSV cell.
    Text(String),
    /// A native number (JSON, Excel) as exact decimal text; may use an
    /// exponent (`1.5e3`).
    Number(String),
    /// A native boolean (JSON, Excel).
    Bool(bool),
    /// A native date (Excel); `true` when it also had a time of day.
    Date(NaiveDate, bool),
    /// A JSON list or object (as JSON text): never a valid cell.
    Nested(String),
}

impl RawValue {
    /// The value as shown in messages.
    pub(crate) fn shown(&self) -> String {
        self.cell().shown()
    }

    /// The value as a borrowed [`Cell`].
    pub(crate) fn cell(&self) -> Cell<'_> {
        match self {
            RawValue::Empty => Cell::Empty,
            RawValue::Text(t) => Cell::Text(t),
            RawValue::Number(t) => Cell::Number(t),
            RawValue::Bool(b) => Cell::Bool(*b),
            RawValue::Date(d, time) => Cell::Date(*d, *time),
            RawValue::Nested(t) => Cell::Nested(t),
        }
    }
}

/// A cell borrowed from wherever the reader keeps it (the CSV text, a
/// [`RawValue`]): what typing a cell reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    /// An empty cell (also JSON `null`).
    Empty,
    /// Text to be parsed like a CSV cell.
    Text(&'a str),
    /// A native number as exact decimal text.
    Number(&'a str),
    /// A native boolean.
    Bool(bool),
    /// A native date; `true` when it also had a time of day.
    Date(NaiveDate, bool),
    /// A JSON list or object (as JSON text).
    Nested(&'a str),
}

impl Cell<'_> {
    /// The value as shown in messages.
    pub(crate) fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) | Cell::Number(t) | Cell::Nested(t) => t.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d, _) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One cell with its place in the file.
#[derive(Clone, Debug)]
pub(crate) struct RawCell {
    /// The value.
    pub value: RawValue,
    /// Where it is.
    pub range: Range,
}

/// One data row.
#[derive(Clone, Debug)]
pub(crate) struct RawRow {
    /// 1-based line (CSV, JSON) or sheet row (Excel) where the row starts.
    pub line: usize,
    /// The whole row.
    pub range: Range,
    /// Cells by header index; `None` when the row has no such cell (a key
    /// missing from a JSON object).
    pub cells: Vec<Option<RawCell>>,
}

/// One header cell (its text trimmed of surrounding spaces).
#[derive(Clone, Debug)]
pub(crate) struct RawHeader {
    /// The trimmed header.
    pub name: String,
    /// Where it is.
    pub range: Range,
}

/// How rows are counted in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Text files: the line where the row starts.
    Line,
    /// Spreadsheets: the sheet's row number; cells have references like `C5`.
    SheetRow {
        /// 0-based sheet column of the first header.
        first_column: usize,
    },
    /// Rows a host built: the row's 1-based position.
    Row,
}

/// A file read into header and rows.
#[derive(Clone, Debug)]
pub(crate) struct RawTable {
    /// The displayed file.
    pub file: FileId,
    /// How rows are counted.
    pub unit: Unit,
    /// The header, or `None` when the file has no header row at all.
    /// Sources without a header row (JSON) build it from the keys they see.
    pub headers: Option<Vec<RawHeader>>,
    /// True when the header was built from JSON keys (a missing column is
    /// then only reported when there are rows).
    pub keyed: bool,
    /// Where the header is (or the first object, for JSON).
    pub header_range: Range,
    /// The data rows.
    pub rows: Vec<RawRow>,
    /// True when the reader already reported that the file is unusable
    /// (no header checks, no rows).
    pub failed: bool,
}

impl RawTable {
    /// A table with no header and no rows.
    pub(crate) fn empty(file: FileId, unit: Unit) -> RawTable {
        RawTable {
            file,
            unit,
            headers: None,
            keyed: false,
            header_range: (0, 0),
            rows: Vec::new(),
            failed: false,
        }
    }

    /// A span in this table's file.
    pub(crate) fn span(&self, range: Range) -> Span {
        Span::new(self.file, range.0, range.1)
    }
}

/// `line 5`, or `row 5 (cell C5)` for spreadsheets (`header` is the
/// cell's header index).
pub(crate) fn cell_place(unit: Unit, line: usize, header: usize) -> String {
    match unit {
        Unit::Line | Unit::Row => place(unit, line),
        Unit::SheetRow { first_column } => {
            format!(
                "row {line} (cell {}{line})",
                column_letters(first_column + header)
            )
        }
    }
}

/// `line 5`, or `row 5` for spreadsheets.
pub(crate) fn place(unit: Unit, line: usize) -> String {
    match unit {
        Unit::Line => format!("line {line}"),
        Unit::SheetRow { .. } | Unit::Row => format!("row {line}"),
    }
}

/// Spreadsheet column letters of a 0-based column (`0` → `A`, `27` → `AB`).
pub(crate) fn column_letters(mut column: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (column % 26) as u8));
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// A value for messages: at most 40 characters, line breaks shown as `\n`.
pub(crate) fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '`' => out.push('\''),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn long_values_are_shortened() {
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), 41);
    }
}
