//! JSON sources: an array of objects (`.json`) or one object per line
//! (`.jsonl`). Keys are the headers; numbers keep their exact text; a
//! missing key or `null` is an empty cell.

use super::json_scan::{scan_array, scan_object, Member};
use super::raw::{Range, RawCell, RawHeader, RawRow, RawTable, RawValue, Unit};
use super::sink::Sink;
use super::text::Lines;
use super::ReadContext;
use crate::codes;
use std::collections::HashMap;
use tally_diagnostics::{Diagnostic, Span};

/// Converts one JSON value to a raw cell value.
pub(crate) fn raw_value(v: &serde_json::Value) -> RawValue {
    match v {
        serde_json::Value::Null => RawValue::Empty,
        serde_json::Value::Bool(b) => RawValue::Bool(*b),
        serde_json::Value::Number(n) => RawValue::Number(n.to_string()),
        serde_json::Value::String(s) => RawValue::Text(s.clone()),
        nested => RawValue::Nested(nested.to_string()),
    }
}

/// Builds the header from the keys seen, in first-seen order.
#[derive(Default)]
pub(crate) struct KeyedRows {
    headers: Vec<RawHeader>,
    index: HashMap<String, usize>,
    rows: Vec<RawRow>,
}

impl KeyedRows {
    /// Adds a row from `(key, key range, value, value range)` members.
    /// Returns the keys that appear twice (with both key ranges).
    pub(crate) fn push(
        &mut self,
        line: usize,
        range: Range,
        members: impl IntoIterator<Item = (String, Range, RawValue, Range)>,
    ) -> Vec<(String, Range, Range)> {
        let mut cells: Vec<Option<RawCell>> = vec![None; self.headers.len()];
        let mut seen: HashMap<usize, Range> = HashMap::new();
        let mut duplicates = Vec::new();
        for (key, key_range, value, value_range) in members {
            let h = match self.index.get(&key) {
                Some(h) => *h,
                None => {
                    let h = self.headers.len();
                    self.index.insert(key.clone(), h);
                    self.headers.push(RawHeader {
                        name: key.clone(),
                        range: key_range,
                    });
                    cells.push(None);
                    h
                }
            };
            if let Some(first) = seen.insert(h, key_range) {
                duplicates.push((key, first, key_range));
            }
            if let Some(slot) = cells.get_mut(h) {
                *slot = Some(RawCell {
                    value,
                    range: value_range,
                });
            }
        }
        self.rows.push(RawRow { line, range, cells });
        duplicates
    }

    /// Number of rows so far.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Finishes the raw table (headers are the keys seen).
    pub(crate) fn into_raw(self, mut raw: RawTable) -> RawTable {
        raw.header_range = self.rows.first().map(|r| r.range).unwrap_or((0, 0));
        raw.headers = Some(self.headers);
        raw.keyed = true;
        raw.rows = self.rows;
        raw
    }
}

fn members_of(text: &str, members: &[Member]) -> Vec<(String, Range, RawValue, Range)> {
    members
        .iter()
        .map(|m| {
            let value = text
                .get(m.value_range.0..m.value_range.1)
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                .map(|v| raw_value(&v))
                .unwrap_or(RawValue::Empty);
            (m.key.clone(), m.key_range, value, m.value_range)
        })
        .collect()
}

fn duplicate_key(cx: &ReadContext<'_>, key: &str, first: Range, again: Range) -> Diagnostic {
    Diagnostic::error(
        codes::DUPLICATE_HEADER,
        Span::new(cx.file, again.0, again.1),
        format!("an object in `{}` has the key `{key}` twice", cx.file_name),
    )
    .with_label("again here")
    .with_secondary(Span::new(cx.file, first.0, first.1), "first here")
}

fn syntax(
    cx: &ReadContext<'_>,
    text: &str,
    lines: &Lines,
    e: &serde_json::Error,
    base: usize,
) -> Diagnostic {
    let at = if base == 0 {
        lines.offset(e.line(), e.column())
    } else {
        base + e.column().saturating_sub(1)
    };
    // serde_json counts columns in bytes: its position may fall inside a
    // character (or past the end). Point at the whole character.
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let message = e.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    Diagnostic::error(
        codes::SYNTAX,
        Span::new(cx.file, at, end),
        format!("`{}` is not valid JSON: {message}", cx.file_name),
    )
}

/// Reads a JSON array of objects.
pub(crate) fn read_array(text: &str, cx: &ReadContext<'_>, sink: &mut Sink) -> RawTable {
    let raw = RawTable::empty(cx.file, Unit::Line);
    let lines = Lines::new(text);
    if text.trim().is_empty() {
        return raw;
    }
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            sink.push(syntax(cx, text, &lines, &e, 0));
            return RawTable {
                failed: true,
                ..raw
            };
        }
    };
    let (Some(elements), serde_json::Value::Array(_)) = (scan_array(text), &doc) else {
        let start = text.len() - text.trim_start().len();
        sink.push(
            Diagnostic::error(
                codes::SYNTAX,
                Span::new(cx.file, start, start + 1),
                format!("`{}` must hold an array of objects, one per row", cx.file_name),
            )
            .with_help("write the rows as `[{\"id\": ...}, {\"id\": ...}]`, or one object per line in a `.jsonl` file"),
        );
        return RawTable {
            failed: true,
            ..raw
        };
    };
    let mut rows = KeyedRows::default();
    for (n, element) in elements.iter().enumerate() {
        let line = lines.line(element.range.0);
        let Some(members) = &element.members else {
            sink.push(Diagnostic::error(
                codes::SYNTAX,
                Span::new(cx.file, element.range.0, element.range.1),
                format!(
                    "element {} of `{}` (line {line}) is not an object",
                    n + 1,
                    cx.file_name
                ),
            ));
            continue;
        };
        if cx.max_rows.is_some_and(|max| rows.len() >= max) {
            rows.push(line, element.range, Vec::new());
            break;
        }
        for (key, first, again) in rows.push(line, element.range, members_of(text, members)) {
            sink.push(duplicate_key(cx, &key, first, again));
        }
    }
    rows.into_raw(raw)
}

/// Reads JSON Lines: one object per line; blank lines are skipped.
pub(crate) fn read_lines(text: &str, cx: &ReadContext<'_>, sink: &mut Sink) -> RawTable {
    let raw = RawTable::empty(cx.file, Unit::Line);
    let mut rows = KeyedRows::default();
    let mut start = 0usize;
    for (i, line_text) in text.split('\n').enumerate() {
        let line = i + 1;
        let line_start = start;
        start += line_text.len() + 1;
        let trimmed = line_text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lead = line_text.len() - line_text.trim_start().len();
        let object_start = line_start + lead;
        let range = (object_start, object_start + trimmed.len());
        let value: serde_json::Value = match serde_json::from_str(trimmed) {
            Ok(v) => v,
            Err(e) => {
                sink.push(syntax(cx, text, &Lines::new(""), &e, object_start));
                continue;
            }
        };
        let members = match (&value, scan_object(text, object_start)) {
            (serde_json::Value::Object(_), Some(m)) => m,
            _ => {
                sink.push(
                    Diagnostic::error(
                        codes::SYNTAX,
                        Span::new(cx.file, range.0, range.1),
                        format!("line {line} of `{}` is not a JSON object", cx.file_name),
                    )
                    .with_help(
                        "a JSON Lines file holds one object per line: `{\"id\": \"A-1\", ...}`",
                    ),
                );
                continue;
            }
        };
        if cx.max_rows.is_some_and(|max| rows.len() >= max) {
            rows.push(line, range, Vec::new());
            break;
        }
        for (key, first, again) in rows.push(line, range, members_of(text, &members)) {
            sink.push(duplicate_key(cx, &key, first, again));
        }
    }
    rows.into_raw(raw)
}

/// Raw rows from values a host built (no file): row `n` is "row n".
pub(crate) fn from_values(
    rows: &[serde_json::Value],
    cx: &ReadContext<'_>,
    sink: &mut Sink,
) -> RawTable {
    let raw = RawTable::empty(cx.file, Unit::Row);
    let mut out = KeyedRows::default();
    for (i, row) in rows.iter().enumerate() {
        let serde_json::Value::Object(map) = row else {
            sink.push(Diagnostic::error(
                codes::SYNTAX,
                Span::new(cx.file, 0, 0),
                format!(
                    "row {} of the rows given for `{}` is not an object",
                    i + 1,
                    cx.table
                ),
            ));
            continue;
        };
        if cx.max_rows.is_some_and(|max| out.len() >= max) {
            out.push(i + 1, (0, 0), Vec::new());
            break;
        }
        out.push(
            i + 1,
            (0, 0),
            map.iter()
                .map(|(k, v)| (k.clone(), (0, 0), raw_value(v), (0, 0))),
        );
    }
    out.into_raw(raw)
}
