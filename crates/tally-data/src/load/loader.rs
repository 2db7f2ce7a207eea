//! [`DataLoader`]: tables one file at a time, then linked.

use super::build::{self, build, TableState};
use super::cell::CellContext;
use super::csv_stream::{self, Streamed};
use super::raw::{self, RawTable};
use super::sink::{nowhere, Sink, NO_FILE};
use super::text::{self, decode, EncodingProblem};
use super::texts::{self, Texts, Unkept};
use super::{csv_file, json_file, link, xlsx_file, Format, LoadLimits, Loaded, ReadContext};
use crate::codes;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use tally_check::{Program, TableId, TableKind};
use tally_diagnostics::{Diagnostic, FileId, SourceMap, Span};
use tally_eval::{Store, Table};

/// Loads tables one file at a time, then links them: the building block
/// of [`load_all`](super::load_all) for hosts that get their data elsewhere.
#[derive(Debug)]
pub struct DataLoader<'p> {
    program: &'p Program,
    limits: LoadLimits,
    ctx: CellContext,
    sources: SourceMap,
    store: Store,
    pub(super) sink: Sink,
    states: Vec<TableState>,
    /// Tables whose absence (or unreadable file) was already reported.
    pub(super) reported: BTreeSet<TableId>,
    /// Data files read block by block, whose texts were not kept.
    unkept: Vec<Unkept>,
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
            unkept: Vec::new(),
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
        let mut file = None;
        if format == Format::Csv {
            match self.stream_csv(table, path, &name) {
                Ok(Streaming::Done) => return,
                Ok(Streaming::Small) => {}
                Ok(Streaming::Whole(f)) => file = Some(f),
                Err(e) => {
                    self.fail(
                        table,
                        Diagnostic::error(
                            codes::READ,
                            self.table_span(table),
                            format!("cannot read `{name}`: {e}"),
                        ),
                    );
                    return;
                }
            }
        }
        match read_file(path, self.limits.threads) {
            Ok(bytes) => self.add_owned_bytes_to(table, &name, file, bytes, format),
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
        self.add_decoded_bytes(table, file_name, None, decode(bytes), format);
    }

    /// Loads the bytes of a file (taking them, so a large file is not
    /// copied on the way in).
    pub fn add_owned_bytes(
        &mut self,
        table: TableId,
        file_name: &str,
        bytes: Vec<u8>,
        format: Format,
    ) {
        self.add_owned_bytes_to(table, file_name, None, bytes, format);
    }

    /// [`DataLoader::add_owned_bytes`] into source-map entry `file` when
    /// the file has one already.
    fn add_owned_bytes_to(
        &mut self,
        table: TableId,
        file_name: &str,
        file: Option<FileId>,
        bytes: Vec<u8>,
        format: Format,
    ) {
        if format == Format::Xlsx {
            self.add_xlsx(table, file_name, &bytes);
            return;
        }
        self.add_decoded_bytes(table, file_name, file, text::decode_owned(bytes), format);
    }

    /// Reads a large CSV file block by block (see [`csv_stream`]).
    fn stream_csv(
        &mut self,
        table: TableId,
        path: &Path,
        file_name: &str,
    ) -> std::io::Result<Streaming> {
        let threads = self.limits.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let block = self
            .limits
            .block_bytes
            .unwrap_or_else(|| csv_stream::default_block_bytes(threads));
        let handle = std::fs::File::open(path)?;
        let len = usize::try_from(handle.metadata()?.len()).unwrap_or(usize::MAX);
        if len < block.saturating_mul(2) || self.limits.max_rows_per_table.is_some() {
            return Ok(Streaming::Small);
        }
        let Some(info) = self.declared(table) else {
            return Ok(Streaming::Done);
        };
        let file = self.sources.add(file_name, String::new());
        let name = self.program.table_name(table);
        let cx = ReadContext {
            table: &name,
            file_name,
            file,
            max_rows: None,
        };
        let mut records = csv_file::TypedRecords::new(
            self.program,
            table,
            info,
            file_name,
            &self.ctx,
            None,
            0,
            len,
        );
        let mut sink = self.sink.fork();
        let mut reader = std::io::BufReader::with_capacity(1 << 16, handle);
        match csv_stream::read_blocks(
            &mut reader,
            len,
            block,
            threads,
            &cx,
            &mut sink,
            &mut records,
        )? {
            Streamed::Whole => Ok(Streaming::Whole(file)),
            Streamed::Read => {
                self.sink.absorb(sink);
                let (built, state) = records.finish();
                self.place(table, built, state);
                self.unkept.push(Unkept::new(file, path.to_path_buf()));
                Ok(Streaming::Done)
            }
        }
    }

    /// Loads a decoded file into `table`: into source-map entry `file`
    /// when the file has one already.
    fn add_decoded_bytes(
        &mut self,
        table: TableId,
        file_name: &str,
        file: Option<FileId>,
        decoded: text::Decoded,
        format: Format,
    ) {
        let problem = decoded.problem;
        let invalid_line = match &problem {
            Some(EncodingProblem::Invalid { offset, .. }) => {
                Some(text::Lines::new(&decoded.text).line(*offset))
            }
            _ => None,
        };
        let file = match file {
            Some(file) => {
                self.sources.set_text(file, decoded.text);
                file
            }
            None => self.sources.add(file_name, decoded.text),
        };
        match problem {
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
                let line = invalid_line.unwrap_or(1);
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
        self.add_decoded(table, file, file_name, format);
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
        self.add_decoded(table, file, file_name, format);
    }

    /// Loads rows a host built with serde (objects keyed by header) into
    /// `table`. Messages name rows by position.
    pub fn add_json_rows(&mut self, table: TableId, rows: &[serde_json::Value]) {
        let name = self.program.table_name(table);
        let file_name = format!("<{name} rows>");
        let cx = ReadContext {
            table: &name,
            file_name: &file_name,
            file: NO_FILE,
            max_rows: self.limits.max_rows_per_table,
        };
        let raw = json_file::from_values(rows, &cx, &mut self.sink);
        self.add_raw(table, &file_name, &raw);
    }

    /// Loads file `file` of the source map (already decoded).
    fn add_decoded(&mut self, table: TableId, file: FileId, file_name: &str, format: Format) {
        let name = self.program.table_name(table);
        let cx = ReadContext {
            table: &name,
            file_name,
            file,
            max_rows: self.limits.max_rows_per_table,
        };
        if format == Format::Csv {
            let Some(info) = self.declared(table) else {
                return;
            };
            let text = self.sources.get(file).map_or("", |f| f.text.as_str());
            // Room for every row, reserved once.
            let expected = csv_file::newlines(text.as_bytes());
            let mut records = csv_file::TypedRecords::new(
                self.program,
                table,
                info,
                file_name,
                &self.ctx,
                self.limits.max_rows_per_table,
                expected,
                text.len(),
            );
            // The number of threads a host asks for is used on any file;
            // otherwise a file gets a thread per few megabytes, up to one
            // per core.
            let (threads, min_bytes) = match self.limits.threads {
                Some(n) => (n, 1),
                None => (
                    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
                    csv_file::BYTES_PER_THREAD,
                ),
            };
            csv_file::read_typed(text, &cx, &mut self.sink, &mut records, threads, min_bytes);
            let (built, state) = records.finish();
            self.place(table, built, state);
            return;
        }
        let text = self.sources.get(file).map_or("", |f| f.text.as_str());
        let raw = match format {
            Format::Csv => RawTable::empty(file, raw::Unit::Line),
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

    /// The declaration of `table`, if it is a declared table (otherwise
    /// reported: no data can be loaded into it).
    fn declared(&mut self, table: TableId) -> Option<&'p tally_check::TableInfo> {
        let info = self.program.table(table)?;
        if !matches!(info.kind, TableKind::Declared(_)) {
            self.sink.push(Diagnostic::error(
                codes::UNKNOWN_TABLE,
                nowhere(),
                format!(
                    "`{}` is not a declared table, so no data can be loaded into it",
                    info.name
                ),
            ));
            return None;
        }
        Some(info)
    }

    /// Puts a built table in the store.
    fn place(&mut self, table: TableId, built: Table, state: TableState) {
        self.store.set(table, built);
        self.states.retain(|s| s.id != table);
        self.states.push(state);
        self.reported.remove(&table);
    }

    fn add_raw(&mut self, table: TableId, file_name: &str, raw: &RawTable) {
        let Some(info) = self.declared(table) else {
            return;
        };
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
        self.place(table, built, state);
    }

    /// The policy span of a table's declaration.
    pub(super) fn table_span(&self, table: TableId) -> Span {
        self.program
            .table(table)
            .and_then(|t| t.span)
            .unwrap_or_else(nowhere)
    }

    /// Reports a table that could not be loaded at all.
    pub(super) fn fail(&mut self, table: TableId, d: Diagnostic) {
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
        for id in &absent {
            let key = self.program.table(*id).and_then(build::loaded_key);
            if let (Some(key), Some(table)) = (key, self.store.table_mut(*id)) {
                table.set_key(key);
            }
        }
        let texts = Texts {
            sources: &self.sources,
            unkept: &self.unkept,
        };
        link::link(
            self.program,
            &mut self.store,
            &self.states,
            &absent,
            &self.reported,
            &texts,
            self.limits.threads,
            &mut self.sink,
        );
        // The key indexes found the duplicates and the referenced rows;
        // a lookup by key builds one again.
        for state in &self.states {
            if let Some(table) = self.store.table_mut(state.id) {
                table.forget_key_index();
            }
        }
        let diagnostics = self.sink.finish();
        texts::keep_for(self.unkept, &diagnostics, &mut self.sources);
        Loaded {
            store: self.store,
            diagnostics,
            sources: self.sources,
        }
    }
}

/// How far reading a CSV file block by block went.
enum Streaming {
    /// The file was read (or reported).
    Done,
    /// The file is small: read it whole.
    Small,
    /// The file is to be read whole into this source-map entry.
    Whole(FileId),
}

/// Fewest bytes worth a thread of their own when a file is read.
const READ_BYTES_PER_THREAD: usize = 16 << 20;

/// Reads the file at `path`: a large file in parts on several threads
/// (`threads`, or one per core), since copying it from the system's cache
/// into fresh memory is most of the time it takes.
fn read_file(path: &Path, threads: Option<usize>) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
        let threads = tally_eval::engine::parallel::parts_for(threads, len, READ_BYTES_PER_THREAD);
        if threads > 1 {
            let mut bytes = vec![0u8; len];
            let part = len.div_ceil(threads);
            let read = std::thread::scope(|scope| {
                let handles: Vec<_> = bytes
                    .chunks_mut(part)
                    .enumerate()
                    .map(|(i, chunk)| {
                        let file = &file;
                        scope.spawn(move || file.read_exact_at(chunk, (i * part) as u64))
                    })
                    .collect();
                handles
                    .into_iter()
                    .all(|h| h.join().is_ok_and(|r| r.is_ok()))
            });
            // A file that changed size while it was read is read again whole.
            if read && file.metadata()?.len() == len as u64 {
                return Ok(bytes);
            }
        }
    }
    std::fs::read(path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::read_file;

    #[test]
    fn a_file_read_in_parts_is_the_file() {
        let dir = std::env::temp_dir().join(format!("tally-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            ("empty.csv", String::new()),
            ("rows.csv", "id,n\n".repeat(1001)),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, &text).unwrap();
            for threads in [None, Some(1), Some(3), Some(64)] {
                assert_eq!(
                    read_file(&path, threads).unwrap(),
                    text.as_bytes(),
                    "{name} on {threads:?}"
                );
            }
        }
        assert!(read_file(&dir.join("missing.csv"), Some(2)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
