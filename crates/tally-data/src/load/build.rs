//! Typing a raw table against its declaration: header matching, one
//! column per loaded column in declared order, cell parsing, origins.

use super::cell::{is_blank, parse, CellContext, Kind};
use super::messages::{self, Site};
use super::raw::{RawTable, RawValue, Unit};
use super::sink::Sink;
use crate::codes;
use std::collections::HashMap;
use tally_check::{ColumnInfo, ColumnOrigin, Program, TableId, TableInfo, Type};
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_eval::{Table, Value};

/// What linking needs to know about a loaded table: where its rows and
/// the cells of its key, reference and effective-date columns are.
#[derive(Clone, Debug)]
pub(crate) struct TableState {
    /// The table.
    pub id: TableId,
    /// How rows are counted.
    pub unit: Unit,
    /// The line (or sheet row) of each row.
    pub lines: Vec<usize>,
    /// Cell spans of the columns linking looks at, by column index.
    pub spans: HashMap<usize, Vec<Span>>,
}

impl TableState {
    /// A state without places (rows a host built): row `n` is "row n".
    pub(crate) fn unplaced(id: TableId, rows: usize) -> TableState {
        TableState {
            id,
            unit: Unit::Row,
            lines: (1..=rows).collect(),
            spans: HashMap::new(),
        }
    }

    /// The span of `column` on `row`, if known.
    pub(crate) fn span(&self, column: usize, row: usize) -> Span {
        self.spans
            .get(&column)
            .and_then(|s| s.get(row))
            .copied()
            .unwrap_or_else(super::sink::nowhere)
    }

    /// `lines 2 and 7` / `rows 2 and 7` for two rows.
    pub(crate) fn places(&self, a: usize, b: usize) -> String {
        let line = |r: usize| self.lines.get(r).copied().unwrap_or(r + 1);
        let word = if self.unit == Unit::Line {
            "lines"
        } else {
            "rows"
        };
        format!("{word} {} and {}", line(a), line(b))
    }

    /// `line 5` / `row 5` for `row`.
    pub(crate) fn place(&self, row: usize) -> String {
        super::raw::place(self.unit, self.lines.get(row).copied().unwrap_or(row + 1))
    }
}

/// The loaded columns of a declared table: (column, header, date format).
pub(crate) fn loaded_columns(info: &TableInfo) -> Vec<(&ColumnInfo, &str, Option<&str>)> {
    info.columns
        .iter()
        .filter_map(|c| match &c.origin {
            ColumnOrigin::Loaded { header, format } => {
                Some((c, header.as_str(), format.as_deref()))
            }
            _ => None,
        })
        .collect()
}

/// The key's position among the loaded columns.
pub(crate) fn loaded_key(info: &TableInfo) -> Option<usize> {
    let key = info.columns.get(info.key?)?;
    loaded_columns(info)
        .iter()
        .position(|(c, _, _)| std::ptr::eq(*c, key))
}

/// The kind of cell a column type reads, and the referenced table for a
/// reference. `Err` says why the type cannot be loaded.
pub(crate) fn kind_of<'p>(
    program: &'p Program,
    ty: &'p Type,
    format: Option<&'p str>,
) -> Result<(Kind<'p>, Option<TableId>), String> {
    let mut ty = ty.strip_optional();
    let mut format = format;
    let mut target = None;
    for _ in 0..8 {
        let kind = match ty {
            Type::Text => Kind::Text,
            Type::Int => Kind::Int,
            Type::Decimal => Kind::Decimal,
            Type::Percent => Kind::Percent,
            Type::Money => Kind::Money,
            Type::Date => Kind::Date(format),
            Type::Bool => Kind::Bool,
            Type::Period => Kind::Period,
            Type::Territory => Kind::Territory,
            Type::Row(t) => {
                let info = program
                    .table(*t)
                    .ok_or_else(|| "it refers to an unknown table".to_string())?;
                let key = info.key.and_then(|k| info.columns.get(k)).ok_or_else(|| {
                    format!(
                        "`{}` has no key column, so the cells cannot name its rows",
                        info.name
                    )
                })?;
                target = target.or(Some(*t));
                ty = key.ty.strip_optional();
                format = match &key.origin {
                    ColumnOrigin::Loaded { format, .. } => format.as_deref(),
                    _ => None,
                };
                continue;
            }
            other => {
                return Err(format!(
                    "values of type `{}` cannot come from a data file",
                    program.show(other)
                ))
            }
        };
        return Ok((kind, target));
    }
    Err("its references form a cycle of keys".to_string())
}

/// One column being loaded.
struct Plan<'p> {
    info: &'p ColumnInfo,
    kind: Option<(Kind<'p>, Option<TableId>)>,
    source: Option<usize>,
    keep_spans: bool,
}

/// Types `raw` as the declared table `id`; reports every problem to `sink`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    program: &Program,
    id: TableId,
    info: &TableInfo,
    raw: &RawTable,
    file_name: &str,
    ctx: &CellContext,
    max_rows: Option<usize>,
    sink: &mut Sink,
) -> (Table, TableState) {
    let columns = loaded_columns(info);
    let names: Vec<&str> = columns.iter().map(|(c, _, _)| c.name.as_str()).collect();
    let mut table = Table::new(info.name.clone(), &names);
    let mut state = TableState {
        id,
        unit: raw.unit,
        lines: Vec::new(),
        spans: HashMap::new(),
    };
    if raw.failed {
        return (table, state);
    }
    let Some(headers) = &raw.headers else {
        let wanted: Vec<&str> = columns.iter().map(|(_, h, _)| *h).collect();
        sink.push(messages::empty_file(raw.span((0, 0)), file_name, &wanted));
        return (table, state);
    };
    check_duplicate_headers(raw, file_name, sink);
    let special: Vec<usize> = [
        info.key,
        info.effective.map(|e| e.0),
        info.effective.map(|e| e.1),
    ]
    .into_iter()
    .flatten()
    .filter_map(|i| info.columns.get(i))
    .map(|c| c.name.as_str())
    .filter_map(|n| names.iter().position(|x| *x == n))
    .collect();
    let mut plans = Vec::with_capacity(columns.len());
    for (i, (column, header, format)) in columns.iter().enumerate() {
        let kind = match kind_of(program, &column.ty, *format) {
            Ok(k) => Some(k),
            Err(why) => {
                sink.push(Diagnostic::error(
                    codes::UNSUPPORTED,
                    column.span.unwrap_or_else(super::sink::nowhere),
                    format!(
                        "column `{}.{}` cannot be loaded: {why}",
                        info.name, column.name
                    ),
                ));
                None
            }
        };
        let source = headers.iter().position(|h| h.name == *header);
        // JSON leaves out keys whose value is null: an optional column no
        // object mentions is all none.
        let absent_ok = raw.keyed && (raw.rows.is_empty() || column.ty.is_optional());
        if source.is_none() && !absent_ok {
            sink.push(missing_column(raw, file_name, info, column, header));
        }
        let keep_spans = special.contains(&i) || kind.is_some_and(|k| k.1.is_some());
        plans.push(Plan {
            info: column,
            kind,
            source,
            keep_spans,
        });
    }
    for (i, plan) in plans.iter().enumerate() {
        if plan.keep_spans {
            state.spans.insert(i, Vec::with_capacity(raw.rows.len()));
        }
    }
    let mut rows = raw.rows.as_slice();
    if let Some(max) = max_rows.filter(|max| rows.len() > *max) {
        let over = rows.get(max).map(|r| r.range).unwrap_or((0, 0));
        sink.push(
            Diagnostic::error(
                codes::ROW_LIMIT,
                raw.span(over),
                format!(
                    "`{}` has more than {max} row{}, the most this run allows (the `max_rows_per_table` load limit)",
                    info.name,
                    if max == 1 { "" } else { "s" }
                ),
            )
            .with_label(format!("row {}", max + 1))
            .with_help("load a smaller export, or raise the limit: the host sets it with `LoadLimits::max_rows_per_table`"),
        );
        rows = rows.get(..max).unwrap_or(rows);
    }
    for row in rows {
        let mut values = Vec::with_capacity(plans.len());
        for (i, plan) in plans.iter().enumerate() {
            let cell = plan
                .source
                .and_then(|s| row.cells.get(s))
                .and_then(Option::as_ref);
            let span = raw.span(cell.map(|c| c.range).unwrap_or(row.range));
            if let Some(spans) = state.spans.get_mut(&i) {
                spans.push(span);
            }
            let Some((kind, target)) = plan.kind else {
                values.push(Value::None);
                continue;
            };
            let Some(source) = plan.source else {
                values.push(Value::None);
                continue;
            };
            let site = || Site {
                table: &info.name,
                column: &plan.info.name,
                place: raw.cell_place(row.line, source),
                span,
            };
            let raw_value = cell.map(|c| &c.value).unwrap_or(&RawValue::Empty);
            if is_blank(raw_value) {
                if !plan.info.ty.is_optional() {
                    sink.push(messages::empty_cell(
                        &site(),
                        &program.show(&plan.info.ty),
                        cell.is_none() && raw.keyed,
                    ));
                }
                values.push(Value::None);
                continue;
            }
            match parse(kind, raw_value, ctx) {
                Ok(v) => values.push(v),
                Err(e) => {
                    let target_name = target.map(|t| program.table_name(t));
                    sink.push(messages::cell_error(
                        &site(),
                        kind,
                        target_name.as_deref(),
                        &raw_value.shown(),
                        e,
                    ));
                    values.push(Value::None);
                }
            }
        }
        table.push_row(values);
        table.origins.push(format!("{file_name}:{}", row.line));
        state.lines.push(row.line);
    }
    (table, state)
}

fn check_duplicate_headers(raw: &RawTable, file_name: &str, sink: &mut Sink) {
    if raw.keyed {
        return;
    }
    let Some(headers) = &raw.headers else { return };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.name.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(h.name.as_str(), i) {
            let first_range = headers.get(first).map(|f| f.range).unwrap_or(h.range);
            sink.push(
                Diagnostic::error(
                    codes::DUPLICATE_HEADER,
                    raw.span(h.range),
                    format!("`{file_name}` has the header `{}` twice", h.name),
                )
                .with_label("again here")
                .with_secondary(raw.span(first_range), "first here")
                .with_help("rename or remove one of the columns; headers must be unique"),
            );
        }
    }
}

fn missing_column(
    raw: &RawTable,
    file_name: &str,
    info: &TableInfo,
    column: &ColumnInfo,
    header: &str,
) -> Diagnostic {
    let found: Vec<&str> = raw
        .headers
        .iter()
        .flatten()
        .map(|h| h.name.as_str())
        .filter(|h| !h.is_empty())
        .collect();
    let what = if raw.keyed { "key" } else { "column" };
    let read_into = if header == column.name {
        String::new()
    } else {
        format!(" (read into `{}.{}`)", info.name, column.name)
    };
    let message = if raw.keyed {
        format!("no object in `{file_name}` has the key `{header}`{read_into}")
    } else {
        format!("`{file_name}` has no column `{header}`{read_into}")
    };
    let mut d = Diagnostic::error(codes::MISSING_COLUMN, raw.span(raw.header_range), message)
        .with_label(format!("no `{header}` here"));
    if let Some(s) = column.span {
        d = d.with_secondary(s, format!("`{}` is declared here", column.name));
    }
    let help = if header != column.name && found.contains(&column.name.as_str()) {
        Some(format!(
            "the file has a {what} `{}`: remove `from \"{header}\"` from the column to read it",
            column.name
        ))
    } else {
        closest(header, found.iter().copied()).map(|near| {
            format!("the file has a {what} `{near}`: rename it to `{header}`, or declare the column with `from \"{near}\"`")
        })
    };
    d.with_help_opt(help).with_note(format!(
        "the {}s of `{file_name}` are {}",
        if raw.keyed { "key" } else { "header" },
        messages::header_list(&found)
    ))
}
