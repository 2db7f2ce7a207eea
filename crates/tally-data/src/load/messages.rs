//! The wording of load diagnostics about cells, headers and files.

use super::cell::{CellError, Kind};
use super::raw::shown;
use crate::codes;
use tally_diagnostics::{Diagnostic, Span};

/// Where a cell is and what it belongs to.
pub(crate) struct Site<'a> {
    /// The table.
    pub table: &'a str,
    /// The column.
    pub column: &'a str,
    /// `line 5` / `row 5 (cell C5)`.
    pub place: String,
    /// The cell.
    pub span: Span,
}

impl Site<'_> {
    fn subject(&self) -> String {
        format!("`{}.{}`", self.table, self.column)
    }
}

/// A short label for the underline.
fn label(kind: Kind<'_>, target: Option<&str>) -> String {
    if let Some(t) = target {
        return format!("not a key of `{t}`");
    }
    match kind {
        Kind::Text | Kind::KeyText => "not text",
        Kind::Int => "not a whole number",
        Kind::Decimal => "not a number",
        Kind::Percent => "not a percentage",
        Kind::Money => "not an amount of money",
        Kind::Date(_) => "not a date",
        Kind::Bool => "not a boolean",
        Kind::Period => "not a fiscal period",
        Kind::Territory => "not a declared territory",
    }
    .to_string()
}

/// A cell that does not parse. `target` is the referenced table for a
/// reference column (the cell holds one of its keys).
pub(crate) fn cell_error(
    site: &Site<'_>,
    kind: Kind<'_>,
    target: Option<&str>,
    value: &str,
    error: CellError,
) -> Diagnostic {
    let expected = match target {
        Some(t) => format!("a `{t}` key ({})", kind.expected()),
        None => kind.expected(),
    };
    let v = shown(value);
    let (subject, place) = (site.subject(), &site.place);
    match error {
        CellError::Bad { help } => Diagnostic::error(
            codes::BAD_VALUE,
            site.span,
            format!("{subject} must be {expected}, but {place} has `{v}`"),
        )
        .with_label(label(kind, target))
        .with_help_opt(help),
        CellError::OutOfRange { why } => Diagnostic::error(
            codes::OUT_OF_RANGE,
            site.span,
            format!("{subject} must be {expected}, but {place} has `{v}`, which is {why}"),
        )
        .with_label("out of range")
        .with_help_opt((kind == Kind::Int).then(|| {
            "declare the column `Decimal` for numbers beyond the 64-bit range".to_string()
        })),
        CellError::InvalidDate { why } => Diagnostic::error(
            codes::INVALID_DATE,
            site.span,
            format!("{subject} must be a date, but {place} has `{v}`: {why}"),
        )
        .with_label("no such day"),
        CellError::Territory { suggestion } => Diagnostic::error(
            codes::UNKNOWN_TERRITORY,
            site.span,
            format!("{subject} must name a declared territory, but {place} has `{v}`"),
        )
        .with_label("not a declared territory")
        .with_help_opt(suggestion.map(|s| format!("did you mean `{s}`?"))),
    }
}

/// An empty cell in a non-optional column (`absent`: a JSON object
/// without the key).
pub(crate) fn empty_cell(site: &Site<'_>, ty: &str, absent: bool) -> Diagnostic {
    let what = if absent { "missing" } else { "empty" };
    Diagnostic::error(
        codes::EMPTY_CELL,
        site.span,
        format!(
            "{} is {what} on {}, but the column is not optional",
            site.subject(),
            site.place
        ),
    )
    .with_label(what)
    .with_help(format!(
        "fill in the value, or declare the column `{ty}?` to allow empty cells"
    ))
}

/// A file with no header row.
pub(crate) fn empty_file(span: Span, file_name: &str, headers: &[&str]) -> Diagnostic {
    Diagnostic::error(
        codes::EMPTY_FILE,
        span,
        format!("`{file_name}` is empty, but its first line must be a header naming the columns"),
    )
    .with_help(format!(
        "start the file with the header: {}",
        csv_line(headers)
    ))
}

/// `a,b,"c, d"`: a CSV header line.
pub(crate) fn csv_line(names: &[&str]) -> String {
    let cells: Vec<String> = names
        .iter()
        .map(|n| {
            if n.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", n.replace('"', "\"\""))
            } else {
                n.to_string()
            }
        })
        .collect();
    cells.join(",")
}

/// Headers joined for a note, at most 20.
pub(crate) fn header_list(headers: &[&str]) -> String {
    let mut shown: Vec<String> = headers.iter().take(20).map(|h| format!("`{h}`")).collect();
    if headers.len() > 20 {
        shown.push(format!("and {} more", headers.len() - 20));
    }
    if shown.is_empty() {
        "no columns".to_string()
    } else {
        shown.join(", ")
    }
}
