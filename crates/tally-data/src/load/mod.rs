//! Loading the declared tables of a program (spec §2.2): finding the
//! files, reading CSV / JSON / JSON Lines / Excel, typing every cell, and
//! linking keys and references once every table is in.

mod build;
mod cell;
mod csv_cut;
mod csv_file;
mod csv_stream;
mod find;
mod json_file;
mod json_scan;
mod link;
mod loader;
mod messages;
mod number;
mod raw;
mod sink;
mod text;
mod texts;
mod xlsx_file;

pub use find::{DataSources, Format};
pub use loader::DataLoader;

use crate::codes;
use build::{build, TableState};
use cell::CellContext;
use find::Located;
use sink::{nowhere, Sink, NO_FILE};
use std::collections::BTreeSet;
use tally_check::{Program, TableId};
use tally_diagnostics::{closest, Diagnostic, FileId, SourceMap};
use tally_eval::{Store, Table};

/// Bounds on one load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadLimits {
    /// Most rows one table may have (`None`: no limit).
    pub max_rows_per_table: Option<usize>,
    /// Most errors reported; the rest are counted in one final diagnostic.
    pub max_errors: usize,
    /// Most threads reading one large CSV file, or looking up the
    /// references of one large column (`None`: one per core). The tables
    /// and messages are the same whatever the number.
    pub threads: Option<usize>,
    /// Size of the blocks a large CSV file is read in, in bytes (`None`:
    /// 8 MiB per thread, at least 16 MiB). A file of two blocks or more is read
    /// block by block, so its text is never held whole; it is read again
    /// only to show a message about it. The tables and messages are the
    /// same whatever the size.
    pub block_bytes: Option<usize>,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_rows_per_table: None,
            max_errors: 50,
            threads: None,
            block_bytes: None,
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
        &texts::Texts {
            sources: &SourceMap::default(),
            unkept: &[],
        },
        None,
        &mut sink,
    );
    sink.finish()
}
