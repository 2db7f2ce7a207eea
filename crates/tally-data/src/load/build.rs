//! Typing a raw table against its declaration: header matching, one
//! column per loaded column in declared order, cell parsing, origins.

use super::cell::{is_blank, parse, CellContext, Kind, Quick};
use super::messages::{self, Site};
use super::raw::{cell_place, Cell, Range, RawRow, RawTable, Unit};
use super::sink::Sink;
use super::texts::Texts;
use crate::codes;
use std::collections::HashMap;
use tally_check::{ColumnInfo, ColumnOrigin, Program, TableId, TableInfo, Type};
use tally_diagnostics::{closest, Diagnostic, Span};
use tally_eval::{Lines, Table, Value};

/// What linking needs to know about a loaded table: where its rows and
/// the cells of its key, reference and effective-date columns are.
#[derive(Clone, Debug)]
pub(crate) struct TableState {
    /// The table.
    pub id: TableId,
    /// How rows are counted.
    pub unit: Unit,
    /// The line (or sheet row) of each row.
    pub lines: Lines,
    /// Cell spans of the columns linking looks at, by column index.
    pub spans: HashMap<usize, Vec<Span>>,
    /// For CSV files: where each row starts, to find a cell's span again.
    pub csv: Option<CsvPlaces>,
}

/// Where the rows of a CSV file start, so that the span of any cell can
/// be found again from the file's text when a message needs it.
#[derive(Clone, Debug)]
pub(crate) struct CsvPlaces {
    /// The file.
    pub file: tally_diagnostics::FileId,
    /// Number of header fields.
    pub fields: usize,
    /// Header index of each loaded column.
    pub sources: Vec<Option<usize>>,
    /// Byte offset of each row's first field.
    pub starts: Vec<usize>,
}

impl TableState {
    /// A state without places (rows a host built): row `n` is "row n".
    pub(crate) fn unplaced(id: TableId, rows: usize) -> TableState {
        TableState {
            id,
            unit: Unit::Row,
            lines: Lines::counting(rows),
            spans: HashMap::new(),
            csv: None,
        }
    }

    /// A state for the same table and file with no rows yet (its places
    /// are not copied: a table has millions of them).
    fn without_places(&self) -> TableState {
        TableState {
            id: self.id,
            unit: self.unit,
            lines: Lines::default(),
            spans: self.spans.keys().map(|k| (*k, Vec::new())).collect(),
            csv: self.csv.as_ref().map(|csv| CsvPlaces {
                file: csv.file,
                fields: csv.fields,
                sources: csv.sources.clone(),
                starts: Vec::new(),
            }),
        }
    }

    /// The span of `column` on `row`, if known (`texts` has the text of
    /// CSV files).
    pub(crate) fn span(&self, column: usize, row: usize, texts: &Texts<'_>) -> Span {
        if let Some(csv) = &self.csv {
            let found = (|| {
                let start = *csv.starts.get(row)?;
                let source = (*csv.sources.get(column)?)?;
                let text = texts.text(csv.file);
                let ranges = super::csv_file::field_ranges(text, start, csv.fields);
                let (a, b) = *ranges.get(source)?;
                Some(Span::new(csv.file, a, b))
            })();
            return found.unwrap_or_else(super::sink::nowhere);
        }
        self.spans
            .get(&column)
            .and_then(|s| s.get(row))
            .copied()
            .unwrap_or_else(super::sink::nowhere)
    }

    /// `lines 2 and 7` / `rows 2 and 7` for two rows.
    pub(crate) fn places(&self, a: usize, b: usize) -> String {
        let line = |r: usize| self.lines.get(r).map_or(r + 1, |l| l as usize);
        let word = if self.unit == Unit::Line {
            "lines"
        } else {
            "rows"
        };
        format!("{word} {} and {}", line(a), line(b))
    }

    /// `line 5` / `row 5` for `row`.
    pub(crate) fn place(&self, row: usize) -> String {
        super::raw::place(
            self.unit,
            self.lines.get(row).map_or(row + 1, |l| l as usize),
        )
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

/// Empty columns for the loaded columns of `info`: the key's values are
/// all distinct, so it is kept plain; the others are coded while their
/// values repeat (see [`tally_eval::Column`]).
fn empty_columns(info: &TableInfo, plans: &[Plan<'_>]) -> Vec<tally_eval::Column> {
    let key = loaded_key(info);
    plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = p.info.name.clone();
            // (keys are all different, and amounts mostly: codes for them
            // would be found, row by row, not worth keeping)
            if Some(i) == key || matches!(p.info.ty.strip_optional(), Type::Money) {
                tally_eval::Column::plain(name)
            } else {
                tally_eval::Column::new(name)
            }
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
#[derive(Clone)]
struct Plan<'p> {
    info: &'p ColumnInfo,
    kind: Option<(Kind<'p>, Option<TableId>)>,
    source: Option<usize>,
    keep_spans: bool,
}

/// The cells of one row, as a reader hands them to a [`Builder`].
pub(crate) trait RowCells {
    /// The cell under header `i` (`None`: the row has no such cell).
    fn cell(&self, i: usize) -> Option<Cell<'_>>;
    /// Where the cell under header `i` is.
    fn range(&self, i: usize) -> Option<Range>;
    /// Where the whole row is.
    fn row_range(&self) -> Range;
}

impl RowCells for RawRow {
    fn cell(&self, i: usize) -> Option<Cell<'_>> {
        self.cells.get(i)?.as_ref().map(|c| c.value.cell())
    }

    fn range(&self, i: usize) -> Option<Range> {
        self.cells.get(i)?.as_ref().map(|c| c.range)
    }

    fn row_range(&self) -> Range {
        self.range
    }
}

/// Types the rows of one file as a declared table, one row at a time, so
/// a reader never holds more than one row of cells.
pub(crate) struct Builder<'p> {
    program: &'p Program,
    info: &'p TableInfo,
    file: tally_diagnostics::FileId,
    unit: Unit,
    keyed: bool,
    plans: Vec<Plan<'p>>,
    columns: Vec<tally_eval::Column>,
    state: TableState,
    lines: Lines,
    max_rows: Option<usize>,
    full: bool,
    /// Where the cell spans of linked columns come from.
    places: PlaceMode,
}

/// How a [`Builder`] remembers where the cells of linked columns are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PlaceMode {
    /// Keep every such cell's span.
    Spans,
    /// Keep each row's start in the CSV text; spans are found again only
    /// for the rows a message is about.
    CsvStarts,
}

impl<'p> Builder<'p> {
    /// A builder for `raw`'s header (its rows, if any, are not read here:
    /// feed them to [`Builder::row`]). `None` when the file has no
    /// header or was unusable; problems with the header are reported.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        program: &'p Program,
        id: TableId,
        info: &'p TableInfo,
        raw: &RawTable,
        file_name: &str,
        max_rows: Option<usize>,
        places: PlaceMode,
        sink: &mut Sink,
    ) -> Option<Builder<'p>> {
        let columns = loaded_columns(info);
        let names: Vec<&str> = columns.iter().map(|(c, _, _)| c.name.as_str()).collect();
        if raw.failed {
            return None;
        }
        let Some(headers) = &raw.headers else {
            let wanted: Vec<&str> = columns.iter().map(|(_, h, _)| *h).collect();
            sink.push(messages::empty_file(raw.span((0, 0)), file_name, &wanted));
            return None;
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
        let key = loaded_key(info);
        let mut plans = Vec::with_capacity(columns.len());
        for (i, (column, header, format)) in columns.iter().enumerate() {
            let kind = match kind_of(program, &column.ty, *format) {
                // A key's texts are all different: sharing them saves nothing.
                Ok((Kind::Text, None)) if key == Some(i) => Some((Kind::KeyText, None)),
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
        let mut state = TableState {
            id,
            unit: raw.unit,
            lines: Lines::default(),
            spans: HashMap::new(),
            csv: None,
        };
        match places {
            PlaceMode::Spans => {
                for (i, plan) in plans.iter().enumerate() {
                    if plan.keep_spans {
                        state.spans.insert(i, Vec::new());
                    }
                }
            }
            PlaceMode::CsvStarts => {
                state.csv = Some(CsvPlaces {
                    file: raw.file,
                    fields: headers.len(),
                    sources: plans.iter().map(|p| p.source).collect(),
                    starts: Vec::new(),
                });
            }
        }
        Some(Builder {
            program,
            info,
            file: raw.file,
            unit: raw.unit,
            keyed: raw.keyed,
            columns: empty_columns(info, &plans),
            plans,
            state,
            lines: Lines::default(),
            max_rows,
            full: false,
            places,
        })
    }

    /// An empty builder for more rows of the same file (a range of it
    /// read on another thread); [`Builder::join`] puts them back.
    pub(crate) fn fork(&self) -> Builder<'p> {
        let state = self.state.without_places();
        Builder {
            program: self.program,
            info: self.info,
            file: self.file,
            unit: self.unit,
            keyed: self.keyed,
            plans: self.plans.clone(),
            // (each column kept as this one's is: amounts found not worth
            // coding are not coded again in every part)
            columns: self
                .columns
                .iter()
                .map(|c| tally_eval::Column::empty_like(c.name.clone(), c))
                .collect(),
            state,
            lines: Lines::default(),
            max_rows: self.max_rows,
            full: false,
            places: self.places,
        }
    }

    /// Appends the rows of `other` (a [`Builder::fork`] of this one), its
    /// columns appended on up to `threads` threads.
    pub(crate) fn join(&mut self, other: Builder<'p>, threads: usize) {
        if self.lines.is_empty() {
            // No rows yet: take the other's columns as they are (with the
            // room they reserved) instead of copying them.
            self.columns = other.columns;
            self.lines = other.lines;
        } else {
            tally_eval::column::append_columns(&mut self.columns, other.columns, threads);
            self.lines.extend(other.lines);
        }
        for (column, spans) in other.state.spans {
            self.state.spans.entry(column).or_default().extend(spans);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.state.csv, other.state.csv) {
            mine.starts.extend(theirs.starts);
        }
        self.full |= other.full;
    }

    /// Reserves room for `rows` more rows.
    pub(crate) fn reserve(&mut self, rows: usize) {
        for c in &mut self.columns {
            c.reserve(rows);
        }
    }

    /// True once the table holds `max_rows` rows and one more was offered
    /// (and reported): readers stop there.
    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    /// Types one row starting on `line` (at byte `start` of the file).
    pub(crate) fn row(
        &mut self,
        line: usize,
        start: usize,
        row: &impl RowCells,
        sink: &mut Sink,
        ctx: &CellContext,
    ) {
        if self.full {
            return;
        }
        if let Some(max) = self.max_rows.filter(|max| self.lines.len() >= *max) {
            let over = row.row_range();
            sink.push(
                Diagnostic::error(
                    codes::ROW_LIMIT,
                    Span::new(self.file, over.0, over.1),
                    format!(
                        "`{}` has more than {max} row{}, the most this run allows (the `max_rows_per_table` load limit)",
                        self.info.name,
                        if max == 1 { "" } else { "s" }
                    ),
                )
                .with_label(format!("row {}", max + 1))
                .with_help("load a smaller export, or raise the limit: the host sets it with `LoadLimits::max_rows_per_table`"),
            );
            self.full = true;
            return;
        }
        let span_of = |range: Option<Range>| {
            let r = range.unwrap_or_else(|| row.row_range());
            Span::new(self.file, r.0, r.1)
        };
        for (i, plan) in self.plans.iter().enumerate() {
            let cell = plan.source.and_then(|s| row.cell(s));
            if plan.keep_spans && self.places == PlaceMode::Spans {
                let span = span_of(plan.source.and_then(|s| row.range(s)));
                if let Some(spans) = self.state.spans.get_mut(&i) {
                    spans.push(span);
                }
            }
            let value = match (plan.kind, plan.source) {
                (Some((kind, target)), Some(source)) => {
                    let site = || Site {
                        table: &self.info.name,
                        column: &plan.info.name,
                        place: cell_place(self.unit, line, source),
                        span: span_of(row.range(source)),
                    };
                    let c = cell.unwrap_or(Cell::Empty);
                    if is_blank(c) {
                        if !plan.info.ty.is_optional() {
                            sink.push(messages::empty_cell(
                                &site(),
                                &self.program.show(&plan.info.ty),
                                cell.is_none() && self.keyed,
                            ));
                        }
                        if let Some(column) = self.columns.get_mut(i) {
                            column.push_none();
                        }
                        continue;
                    } else if let (Kind::Text | Kind::KeyText, Cell::Text(t)) = (kind, c) {
                        // Text goes straight into the column, which keeps
                        // one copy of each distinct text (a key's texts,
                        // all different, one after another in one block).
                        if let Some(column) = self.columns.get_mut(i) {
                            column.push_str(super::cell::without_cr(t));
                        }
                        continue;
                    } else if let Some(quick) = super::cell::quick(kind, c) {
                        // Money of plain digits and ISO dates (most of
                        // their cells) go straight into the column.
                        if let Some(column) = self.columns.get_mut(i) {
                            match quick {
                                Quick::Money(amount) => column.push_money(amount, ctx.base),
                                Quick::Date(date) => column.push_date(date),
                            }
                        }
                        continue;
                    } else {
                        match parse(kind, c, ctx) {
                            Ok(v) => v,
                            Err(e) => {
                                let target_name = target.map(|t| self.program.table_name(t));
                                sink.push(messages::cell_error(
                                    &site(),
                                    kind,
                                    target_name.as_deref(),
                                    &c.shown(),
                                    e,
                                ));
                                Value::None
                            }
                        }
                    }
                }
                _ => Value::None,
            };
            if let Some(column) = self.columns.get_mut(i) {
                column.push(value);
            }
        }
        if let Some(csv) = &mut self.state.csv {
            csv.starts.push(start);
        }
        self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
    }

    /// The typed table, and where its rows and cells are.
    pub(crate) fn finish(self, file_name: &str) -> (Table, TableState) {
        let mut table = Table::new(self.info.name.clone(), &[]);
        table.len = self.lines.len();
        for column in self.columns {
            table.push_built_column(column);
        }
        table.origins.file = Some(std::sync::Arc::from(file_name));
        let mut state = self.state;
        state.lines = self.lines.clone();
        table.origins.lines = self.lines;
        (table, state)
    }
}

/// Declared table `id` with its columns and no rows.
pub(crate) fn empty(info: &TableInfo, id: TableId) -> (Table, TableState) {
    let columns = loaded_columns(info);
    let names: Vec<&str> = columns.iter().map(|(c, _, _)| c.name.as_str()).collect();
    (
        Table::new(info.name.clone(), &names),
        TableState::unplaced(id, 0),
    )
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
    let Some(mut builder) = Builder::new(
        program,
        id,
        info,
        raw,
        file_name,
        max_rows,
        PlaceMode::Spans,
        sink,
    ) else {
        return empty(info, id);
    };
    builder.reserve(raw.rows.len());
    for row in &raw.rows {
        builder.row(row.line, row.range.0, row, sink, ctx);
        if builder.is_full() {
            break;
        }
    }
    builder.finish(file_name)
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
