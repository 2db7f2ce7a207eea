//! Loading the declared tables of a program (spec §2.2): finding the
//! files, reading CSV / JSON / JSON Lines / Excel, typing every cell, and
//! linking keys and references once every table is in.

mod build;
mod cell;
mod csv_file;
mod find;
mod json_file;
mod json_scan;
mod link;
mod messages;
mod number;
mod raw;
mod sink;
mod text;
mod xlsx_file;

pub use find::{DataSources, Format};

use crate::codes;
use build::{build, TableState};
use cell::CellContext;
use find::Located;
use raw::RawTable;
use sink::{nowhere, Sink, NO_FILE};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use tally_check::{Program, TableId, TableKind};
use tally_diagnostics::{closest, Diagnostic, FileId, SourceMap, Span};
use tally_eval::{Store, Table};
use text::{decode, EncodingProblem};

/// Bounds on one load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadLimits {
    /// Most rows one table may have (`None`: no limit).
    pub max_rows_per_table: Option<usize>,
    /// Most errors reported; the rest are counted in one final diagnostic.
    pub max_errors: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_rows_per_table: None,
            max_errors: 50,
        }
    }
}

/// The result of loading: the tables, and what went wrong.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Every declared table (loaded columns only, in declared order);
    /// other tables (`credits`, plans, reports) are empty.
    pub store: Store,
    /// Load errors (`D0xxx`), in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The program's sources followed by the data files, so diagnostics
    /// can point both into the policy and into the data.
    pub sources: SourceMap,
}

impl Loaded {
    /// True when any diagnostic is an error (the run must stop).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What a reader needs to know about the file it reads.
pub(crate) struct ReadContext<'a> {
    /// The table being read.
    pub table: &'a str,
    /// The file's display name.
    pub file_name: &'a str,
    /// The file.
    pub file: FileId,
    /// Stop after one row more than this.
    pub max_rows: Option<usize>,
}

/// Loads tables one file at a time, then links them: the building block
/// of [`load_all`] for hosts that get their data elsewhere.
#[derive(Debug)]
pub struct DataLoader<'p> {
    program: &'p Program,
    limits: LoadLimits,
    ctx: CellContext,
    sources: SourceMap,
    store: Store,
    sink: Sink,
    states: Vec<TableState>,
    /// Tables whose absence (or unreadable file) was already reported.
    reported: BTreeSet<TableId>,
}

impl<'p> DataLoader<'p> {
    /// A loader for the declared tables of `program`.
    pub fn new(program: &'p Program, limits: LoadLimits) -> DataLoader<'p> {
        let territories: Vec<String> = program.territories.iter().map(|t| t.name.clone()).collect();
        let mut store = Store::with_tables(program.tables.len());
        store.territories = Arc::new(territories.clone());
        for (id, info) in link::declared(program) {
            let columns = build::loaded_columns(info);
            let names: Vec<&str> = columns.iter().map(|(c, _, _)| c.name.as_str()).collect();
            store.set(id, Table::new(info.name.clone(), &names));
        }
        DataLoader {
            program,
            ctx: CellContext::new(&program.settings.currency, territories),
            sink: Sink::new(limits.max_errors),
            limits,
            sources: program.sources.clone(),
            store,
            states: Vec::new(),
            reported: BTreeSet::new(),
        }
    }

    /// The declared table called `name`.
    pub fn table_named(&self, name: &str) -> Option<TableId> {
        self.program.table_named(name).filter(|id| {
            matches!(
                self.program.table(*id).map(|t| &t.kind),
                Some(TableKind::Declared(_))
            )
        })
    }

    /// Reads `path` into `table` (the format comes from the extension).
    pub fn add_path(&mut self, table: TableId, path: &Path) {
        let name = path.display().to_string();
        let Some(format) = Format::from_path(path) else {
            self.fail(
                table,
                Diagnostic::error(
                    codes::READ,
                    self.table_span(table),
                    format!("cannot tell the format of `{name}`"),
                )
                .with_help("data files end in `.csv`, `.json`, `.jsonl` or `.xlsx`"),
            );
            return;
        };
        match std::fs::read(path) {
            Ok(bytes) => self.add_bytes(table, &name, &bytes, format),
            Err(e) => self.fail(
                table,
                Diagnostic::error(
                    codes::READ,
                    self.table_span(table),
                    format!("cannot read `{name}`: {e}"),
                ),
            ),
        }
    }

    /// Loads `bytes` of a file shown as `file_name` into `table`.
    pub fn add_bytes(&mut self, table: TableId, file_name: &str, bytes: &[u8], format: Format) {
        if format == Format::Xlsx {
            self.add_xlsx(table, file_name, bytes);
            return;
        }
        let decoded = decode(bytes);
        let file = self.sources.add(file_name, decoded.text.clone());
        match decoded.problem {
            None => {}
            Some(EncodingProblem::Utf16) => {
                self.fail(
                    table,
                    Diagnostic::error(
                        codes::ENCODING,
                        Span::new(file, 0, 0),
                        format!("`{file_name}` is UTF-16, not UTF-8"),
                    )
                    .with_help("save the file as UTF-8 (in Excel: Save As › CSV UTF-8)"),
                );
                return;
            }
            Some(EncodingProblem::Invalid {
                offset,
                byte,
                lines,
            }) => {
                let line = text::Lines::new(&decoded.text).line(offset);
                let mut d = Diagnostic::error(
                    codes::ENCODING,
                    Span::new(file, offset, offset + '\u{FFFD}'.len_utf8()),
                    format!("`{file_name}` is not UTF-8: line {line} has the byte 0x{byte:02X}"),
                )
                .with_label("not UTF-8")
                .with_help(if byte >= 0xA0 {
                    format!(
                        "the file looks like Latin-1 or Windows-1252 (0x{byte:02X} is `{}` there): save it as UTF-8",
                        char::from(byte)
                    )
                } else {
                    "save the file as UTF-8 (in Excel: Save As › CSV UTF-8)".to_string()
                });
                if lines > 1 {
                    d = d.with_note(format!("{lines} lines have bytes that are not UTF-8"));
                }
                self.sink.push(d);
            }
        }
        self.add_decoded(table, file, file_name, &decoded.text, format);
    }

    /// Loads `text` of a file shown as `file_name` into `table`
    /// (`Format::Xlsx` is binary: use [`DataLoader::add_bytes`]).
    pub fn add_text(&mut self, table: TableId, file_name: &str, text: &str, format: Format) {
        if format == Format::Xlsx {
            self.add_bytes(table, file_name, text.as_bytes(), format);
            return;
        }
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let file = self.sources.add(file_name, text);
        self.add_decoded(table, file, file_name, text, format);
    }

    /// Loads rows a host built with serde (objects keyed by header) into
    /// `table`. Messages name rows by position.
    pub fn add_json_rows(&mut self, table: TableId, rows: &[serde_json::Value]) {
        let name = self.program.table_name(table);
        let file_name = format!("<{name} rows>");
        let cx = self.read_context(&name, &file_name, NO_FILE);
        let raw = json_file::from_values(rows, &cx, &mut self.sink);
        self.add_raw(table, &file_name, &raw);
    }

    fn add_decoded(
        &mut self,
        table: TableId,
        file: FileId,
        file_name: &str,
        text: &str,
        format: Format,
    ) {
        let name = self.program.table_name(table);
        let cx = self.read_context(&name, file_name, file);
        let raw = match format {
            Format::Csv => csv_file::read(text, &cx, &mut self.sink),
            Format::Json => json_file::read_array(text, &cx, &mut self.sink),
            Format::JsonLines => json_file::read_lines(text, &cx, &mut self.sink),
            Format::Xlsx => RawTable::empty(file, raw::Unit::Line),
        };
        self.add_raw(table, file_name, &raw);
    }

    fn add_xlsx(&mut self, table: TableId, file_name: &str, bytes: &[u8]) {
        let name = self.program.table_name(table);
        match xlsx_file::read(bytes, &name, self.limits.max_rows_per_table) {
            Ok(sheet) => {
                let file = self.sources.add(file_name, sheet.text);
                let mut raw = sheet.raw;
                raw.file = file;
                self.add_raw(table, file_name, &raw);
            }
            Err(why) => {
                let file = self.sources.add(file_name, "");
                self.fail(
                    table,
                    Diagnostic::error(
                        codes::READ,
                        Span::new(file, 0, 0),
                        format!("cannot read `{file_name}`: {why}"),
                    ),
                );
            }
        }
    }

    fn read_context<'a>(
        &self,
        table: &'a str,
        file_name: &'a str,
        file: FileId,
    ) -> ReadContext<'a> {
        ReadContext {
            table,
            file_name,
            file,
            max_rows: self.limits.max_rows_per_table,
        }
    }

    fn add_raw(&mut self, table: TableId, file_name: &str, raw: &RawTable) {
        let Some(info) = self.program.table(table) else {
            return;
        };
        if !matches!(info.kind, TableKind::Declared(_)) {
            self.sink.push(Diagnostic::error(
                codes::UNKNOWN_TABLE,
                nowhere(),
                format!(
                    "`{}` is not a declared table, so no data can be loaded into it",
                    info.name
                ),
            ));
            return;
        }
        let (built, state) = build(
            self.program,
            table,
            info,
            raw,
            file_name,
            &self.ctx,
            self.limits.max_rows_per_table,
            &mut self.sink,
        );
        self.store.set(table, built);
        self.states.retain(|s| s.id != table);
        self.states.push(state);
        self.reported.remove(&table);
    }

    /// The policy span of a table's declaration.
    fn table_span(&self, table: TableId) -> Span {
        self.program
            .table(table)
            .and_then(|t| t.span)
            .unwrap_or_else(nowhere)
    }

    /// Reports a table that could not be loaded at all.
    fn fail(&mut self, table: TableId, d: Diagnostic) {
        self.sink.push(d);
        self.reported.insert(table);
    }

    /// Number of errors so far.
    pub fn error_count(&self) -> usize {
        self.sink.errors()
    }

    /// Links keys and references among the tables loaded so far and
    /// returns the store with every diagnostic. A reference to a declared
    /// table that was never loaded is an error.
    pub fn finish(mut self) -> Loaded {
        let loaded: BTreeSet<TableId> = self.states.iter().map(|s| s.id).collect();
        let absent: BTreeSet<TableId> = link::declared(self.program)
            .map(|(id, _)| id)
            .filter(|id| !loaded.contains(id))
            .collect();
        link::link(
            self.program,
            &mut self.store,
            &self.states,
            &absent,
            &self.reported,
            &mut self.sink,
        );
        Loaded {
            store: self.store,
            diagnostics: self.sink.finish(),
            sources: self.sources,
        }
    }
}

/// Loads every declared table of `program` from `sources` (spec §2.2):
/// all of them must be found; every problem is reported, up to
/// `limits.max_errors`.
pub fn load_all(program: &Program, sources: &DataSources, limits: &LoadLimits) -> Loaded {
    let mut loader = DataLoader::new(program, limits.clone());
    let declared: Vec<(TableId, String)> = link::declared(program)
        .map(|(id, t)| (id, t.name.clone()))
        .collect();
    for name in sources.overrides.keys() {
        if loader.table_named(name).is_none() {
            let help = closest(name, declared.iter().map(|(_, n)| n.as_str()))
                .map(|n| format!("did you mean `{n}`?"));
            loader.sink.push(
                Diagnostic::error(
                    codes::UNKNOWN_TABLE,
                    nowhere(),
                    format!("`--table {name}=...` names no declared table"),
                )
                .with_help_opt(help)
                .with_note(format!(
                    "the declared tables are {}",
                    messages::header_list(
                        &declared.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>()
                    )
                )),
            );
        }
    }
    for (id, name) in &declared {
        match sources.locate(name) {
            Located::Found(path) => loader.add_path(*id, &path),
            Located::Missing(tried) => {
                let span = loader.table_span(*id);
                let d = if tried.is_empty() {
                    Diagnostic::error(
                        codes::MISSING_FILE,
                        span,
                        format!("no data for table `{name}`"),
                    )
                    .with_label("declared here")
                    .with_help(format!(
                        "pass `--data DIR` with a `{name}.csv` in it, or `--table {name}=PATH`"
                    ))
                } else {
                    let list: Vec<String> =
                        tried.iter().map(|p| format!("`{}`", p.display())).collect();
                    Diagnostic::error(codes::MISSING_FILE, span, format!("no data file for table `{name}`"))
                        .with_label("declared here")
                        .with_note(format!("looked for {}", list.join(", ")))
                        .with_help(format!("export the table as `{name}.csv` (or `.json`, `.jsonl`, `.xlsx`), or pass `--table {name}=PATH`"))
                };
                loader.fail(*id, d);
            }
            Located::Ambiguous(found) => {
                let list: Vec<String> =
                    found.iter().map(|p| format!("`{}`", p.display())).collect();
                let span = loader.table_span(*id);
                loader.fail(
                    *id,
                    Diagnostic::error(
                        codes::AMBIGUOUS_FILE,
                        span,
                        format!(
                            "table `{name}` has more than one data file: {}",
                            list.join(" and ")
                        ),
                    )
                    .with_label("declared here")
                    .with_help(format!(
                        "keep only one of them, or choose one with `--table {name}=PATH`"
                    )),
                );
            }
        }
    }
    loader.finish()
}

/// Loads one table from `text` (CSV, JSON or JSON Lines). Other declared
/// tables stay empty; references are resolved among the tables loaded
/// together, so a reference to another table is reported as not loaded —
/// use [`DataLoader`] to load several tables.
pub fn load_table_text(
    program: &Program,
    table: TableId,
    file_name: &str,
    text: &str,
    format: Format,
    limits: &LoadLimits,
) -> Loaded {
    let mut loader = DataLoader::new(program, limits.clone());
    loader.add_text(table, file_name, text, format);
    loader.finish()
}

/// [`load_table_text`] for raw bytes (any format, including `.xlsx`).
pub fn load_table_bytes(
    program: &Program,
    table: TableId,
    file_name: &str,
    bytes: &[u8],
    format: Format,
    limits: &LoadLimits,
) -> Loaded {
    let mut loader = DataLoader::new(program, limits.clone());
    loader.add_bytes(table, file_name, bytes, format);
    loader.finish()
}

/// Builds declared table `table` from rows a host built with serde (JSON
/// objects keyed by column header). Cells parse like CSV cells; JSON
/// numbers keep their exact text. The key index is built (duplicate keys
/// are errors), but reference cells still hold the referenced keys: put
/// every table in a [`Store`] and call [`link_store`] to resolve them.
/// Diagnostics name rows by position and point at no file.
pub fn table_from_json_rows(
    program: &Program,
    table: TableId,
    rows: &[serde_json::Value],
) -> Result<Table, Vec<Diagnostic>> {
    let name = program.table_name(table);
    let Some(info) = program.table(table) else {
        return Err(vec![Diagnostic::error(
            codes::UNKNOWN_TABLE,
            nowhere(),
            format!("no table `{name}`"),
        )]);
    };
    let mut sink = Sink::new(usize::MAX);
    let file_name = format!("<{name} rows>");
    let cx = ReadContext {
        table: &name,
        file_name: &file_name,
        file: NO_FILE,
        max_rows: None,
    };
    let raw = json_file::from_values(rows, &cx, &mut sink);
    let territories: Vec<String> = program.territories.iter().map(|t| t.name.clone()).collect();
    let ctx = CellContext::new(&program.settings.currency, territories);
    let (mut built, _) = build(
        program, table, info, &raw, &file_name, &ctx, None, &mut sink,
    );
    if let Some(key) = build::loaded_key(info) {
        for (first, again) in built.set_key(key) {
            sink.push(Diagnostic::error(
                codes::DUPLICATE_KEY,
                nowhere(),
                format!(
                    "`{name}` has two rows with the same key: rows {} and {}",
                    first + 1,
                    again + 1
                ),
            ));
        }
    }
    let diagnostics = sink.finish();
    if diagnostics.iter().any(Diagnostic::is_error) {
        Err(diagnostics)
    } else {
        Ok(built)
    }
}

/// Resolves the reference cells of every declared table in `store` (key
/// values, as [`table_from_json_rows`] leaves them) to rows, and builds key
/// indexes. A key that is not in the referenced table is an error.
pub fn link_store(program: &Program, store: &mut Store) -> Vec<Diagnostic> {
    let mut sink = Sink::new(usize::MAX);
    let states: Vec<TableState> = link::declared(program)
        .map(|(id, _)| TableState::unplaced(id, store.table(id).len))
        .collect();
    link::link(
        program,
        store,
        &states,
        &BTreeSet::new(),
        &BTreeSet::new(),
        &mut sink,
    );
    sink.finish()
}
