//! CSV files (RFC 4180; records cut by [`Cutter`], which reads quoted ones
//! with `csv_core`): a header row, then one row per record; quoted fields
//! may hold commas, quotes and line breaks.

use super::build::{Builder, PlaceMode, RowCells, TableState};
use super::cell::CellContext;
use super::csv_cut::Cutter;
use super::raw::{Cell, Range, RawHeader, RawTable, Unit};
#[cfg(test)]
use super::raw::{RawCell, RawRow};
use super::sink::Sink;
use super::ReadContext;
use crate::codes;
use std::cell::OnceCell;
use tally_check::{Program, TableId, TableInfo};
use tally_diagnostics::{Diagnostic, Span};
use tally_eval::Table;

/// What a CSV reader hands its records to.
pub(crate) trait Records {
    /// The header row (`raw` has no rows). False stops reading.
    fn header(&mut self, raw: &RawTable, sink: &mut Sink) -> bool;
    /// One data record starting on `line`. False stops reading.
    fn record(&mut self, line: usize, record: &CsvRecord<'_>, sink: &mut Sink) -> bool;
}

/// A piece of a CSV file's text that starts at the start of a record:
/// the whole file, or one block of a file read block by block.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Piece<'a> {
    /// The text.
    pub text: &'a str,
    /// Offset of the text's first byte in the whole file's text.
    pub offset: usize,
    /// The 1-based line the text starts on.
    pub line: usize,
}

impl<'a> Piece<'a> {
    /// The whole text of a file.
    pub(crate) fn whole(text: &'a str) -> Piece<'a> {
        Piece {
            text,
            offset: 0,
            line: 1,
        }
    }
}

/// One CSV record: its fields, and (found only when asked) their places.
pub(crate) struct CsvRecord<'a> {
    /// The piece of text the record is in.
    text: &'a str,
    /// Offset of the record's first field in `text`.
    start: usize,
    /// Offset of `text` in the file's text.
    offset: usize,
    /// The text the fields are ranges of: a part of `text`, or the
    /// quoting reader's output; `None` if that is not UTF-8.
    fields_in: Option<&'a str>,
    /// The raw bytes of the fields, when `fields_in` is not text.
    raw: &'a [u8],
    /// Each field's range in `fields_in`.
    bounds: &'a [(usize, usize)],
    ranges: OnceCell<Vec<Range>>,
}

impl CsvRecord<'_> {
    /// Byte offset of the record's first field in the file's text.
    pub(crate) fn start(&self) -> usize {
        self.offset + self.start
    }

    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// The fields' ranges in the file's text.
    fn ranges(&self) -> &[Range] {
        self.ranges.get_or_init(|| {
            let mut ranges = field_ranges(self.text, self.start, self.len());
            for r in &mut ranges {
                *r = (r.0 + self.offset, r.1 + self.offset);
            }
            ranges
        })
    }

    /// Field `i` as text.
    pub(crate) fn field(&self, i: usize) -> Option<&str> {
        // Fields are cut at ASCII delimiters of valid UTF-8 text, so
        // they are valid UTF-8 themselves: a field is a slice of text
        // checked once.
        let (from, to) = *self.bounds.get(i)?;
        match self.fields_in {
            Some(all) => all.get(from..to),
            None => std::str::from_utf8(self.raw.get(from..to)?).ok(),
        }
    }
}

impl RowCells for CsvRecord<'_> {
    fn cell(&self, i: usize) -> Option<Cell<'_>> {
        self.field(i).map(Cell::Text)
    }

    fn range(&self, i: usize) -> Option<Range> {
        self.ranges().get(i).copied()
    }

    fn row_range(&self) -> Range {
        let end = self.ranges().last().map_or(self.start(), |r| r.1);
        (self.start(), end)
    }
}

/// Reads CSV `text` (already decoded, without a byte-order mark) record
/// by record into `records`.
pub(crate) fn read(text: &str, cx: &ReadContext<'_>, sink: &mut Sink, records: &mut impl Records) {
    read_range(Piece::whole(text), 0..text.len(), None, cx, sink, records);
}

/// Reads the records of `piece.text[range]` into `records`: the first
/// record is the header unless `header_len` (the header's number of
/// fields) says the range holds data only. `range` starts at the start of
/// a record.
pub(crate) fn read_range(
    piece: Piece<'_>,
    range: std::ops::Range<usize>,
    mut header_len: Option<usize>,
    cx: &ReadContext<'_>,
    sink: &mut Sink,
    records: &mut impl Records,
) {
    let text = piece.text;
    let base = range.start;
    // (a range always starts and ends at a record's start, so on a
    // character boundary)
    let part_text = text.get(range.clone());
    let Some(part) = text.as_bytes().get(range) else {
        return;
    };
    let mut cutter = Cutter::new(part);
    let data_only = header_len.is_some();
    // Line counting is incremental: the lines between two records' starts.
    let mut line = piece.line + newlines(text.as_bytes().get(..base).unwrap_or_default());
    let mut counted_to = base;
    while let Some(at) = cutter.next() {
        let start = base + at;
        if let Some(between) = text.as_bytes().get(counted_to..start) {
            line += newlines(between);
            counted_to = start;
        }
        let unquoted = cutter.unquoted();
        let record = CsvRecord {
            text,
            start,
            offset: piece.offset,
            fields_in: match unquoted {
                Some(out) => std::str::from_utf8(out).ok(),
                None => part_text,
            },
            raw: unquoted.unwrap_or(part),
            bounds: cutter.bounds(),
            ranges: OnceCell::new(),
        };
        // A quote left open runs to the end of the text, so only the
        // last record can hold one.
        let at_end = cutter.position() >= part.len();
        if at_end {
            let (_, open) = scan_fields(text, start, record.len());
            if let Some(quote) = open {
                sink.push(unclosed_quote(cx, piece, quote));
                break;
            }
        }
        let Some(h) = header_len else {
            let mut raw = RawTable::empty(cx.file, Unit::Line);
            raw.headers = Some(
                (0..record.len())
                    .map(|i| RawHeader {
                        name: record.field(i).unwrap_or("").trim().to_string(),
                        range: record.range(i).unwrap_or((record.start(), record.start())),
                    })
                    .collect(),
            );
            raw.header_range = record.row_range();
            header_len = Some(record.len());
            if !records.header(&raw, sink) {
                return;
            }
            continue;
        };
        // Rows of nothing but empty fields (`,,,,` under spreadsheets'
        // last rows) are not data.
        if (0..record.len()).all(|i| record.field(i).is_some_and(|f| f.trim().is_empty())) {
            continue;
        }
        if record.len() != h {
            sink.push(ragged(cx, line, &record, h));
            continue;
        }
        if !records.record(line, &record, sink) {
            return;
        }
    }
    if header_len.is_none() && !data_only {
        records.header(&RawTable::empty(cx.file, Unit::Line), sink);
    }
}

/// Number of line feeds in `bytes`, counted 64 bytes at a time into a
/// byte-sized counter (a loop the compiler turns into vector
/// instructions: many times faster than counting byte by byte on the
/// files of a large load).
pub(crate) fn newlines(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(64);
    let mut n = 0;
    for chunk in &mut chunks {
        let in_chunk: u8 = chunk.iter().map(|b| u8::from(*b == b'\n')).sum();
        n += usize::from(in_chunk);
    }
    n + chunks.remainder().iter().filter(|b| **b == b'\n').count()
}

/// Where the record after the header of `text` starts, and the header's
/// number of fields (`None`: no header, or nothing after it).
pub(crate) fn after_header(text: &[u8]) -> Option<(usize, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut fields = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut fields).ok()? {
        return None;
    }
    let next = reader.position().byte() as usize;
    (next < text.len()).then_some((next, fields.len()))
}

/// Cuts `text[from..]` into at most `parts` ranges that each start at the
/// start of a record (see [`RecordStarts`]), so that each range can be
/// read on its own; `quoted` says whether `text[from..]` holds a quote.
/// The first range is about `first` bytes long when given, and the others
/// share the rest; otherwise all are about as long.
pub(crate) fn split_lines(
    text: &str,
    from: usize,
    parts: usize,
    quoted: bool,
    first: Option<usize>,
) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let from = from.min(len);
    let parts = parts.max(1);
    let (mut target, step) = match first {
        Some(first) if parts > 1 => {
            let target = from + first.min(len - from);
            (target, (len - target) / (parts - 1))
        }
        _ => (from + (len - from) / parts, (len - from) / parts),
    };
    let mut cuts = vec![from];
    if !quoted {
        while cuts.len() < parts && target < len {
            match bytes
                .get(target..)
                .and_then(|b| b.iter().position(|c| *c == b'\n'))
            {
                Some(at) => {
                    let cut = target + at + 1;
                    if cut < len {
                        cuts.push(cut);
                    }
                    target = (cut + step).max(target + 1);
                }
                None => break,
            }
        }
    } else {
        for start in RecordStarts::new(bytes, from) {
            if cuts.len() >= parts {
                break;
            }
            if start >= target && start < len {
                cuts.push(start);
                target = start + step;
            }
        }
    }
    cuts.push(len);
    cuts.windows(2)
        .filter_map(|w| match w {
            [a, b] if a < b => Some(*a..*b),
            _ => None,
        })
        .collect()
}

/// The end of the last whole record of `bytes`, which start at the start
/// of a record: just after its last line feed outside any quoted field.
/// `None` when no record ends in `bytes`.
pub(crate) fn last_record_end(bytes: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        return memchr::memrchr(b'\n', bytes).map(|at| at + 1);
    }
    RecordStarts::new(bytes, 0).last()
}

/// The offsets just after each line feed outside a quoted field of
/// `bytes[from..]` (which starts at the start of a record): where the
/// records after the first start. Quotes are followed exactly as the CSV
/// reader does: a `"` opens a quoted field only at the start of a field,
/// `""` inside one is a quote, and any other `"` closes it.
pub(crate) struct RecordStarts<'a> {
    bytes: &'a [u8],
    at: usize,
    in_quotes: bool,
    field_start: bool,
}

impl<'a> RecordStarts<'a> {
    /// The record starts of `bytes[from..]`.
    pub(crate) fn new(bytes: &'a [u8], from: usize) -> RecordStarts<'a> {
        RecordStarts {
            bytes,
            at: from,
            in_quotes: false,
            field_start: true,
        }
    }
}

impl Iterator for RecordStarts<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            if self.in_quotes {
                if b == b'"' {
                    if self.bytes.get(self.at) == Some(&b'"') {
                        self.at += 1;
                    } else {
                        self.in_quotes = false;
                    }
                }
                continue;
            }
            match b {
                b'"' if self.field_start => {
                    self.in_quotes = true;
                    self.field_start = false;
                }
                b',' | b'\r' => self.field_start = true,
                b'\n' => {
                    self.field_start = true;
                    return Some(self.at);
                }
                _ => self.field_start = false,
            }
        }
        None
    }
}

/// Fewest bytes worth a thread of their own when reading a CSV file.
pub(crate) const BYTES_PER_THREAD: usize = 4 << 20;

/// Reads a CSV file into `records` like [`read`], but with the data rows
/// cut into ranges of at least `min_bytes` read on up to `threads`
/// threads; the result (rows, places and diagnostics, in order) is the
/// same as reading it in one go.
pub(crate) fn read_typed(
    text: &str,
    cx: &ReadContext<'_>,
    sink: &mut Sink,
    records: &mut TypedRecords<'_, '_>,
    threads: usize,
    min_bytes: usize,
) {
    let threads = threads.min(text.len() / min_bytes.max(1)).max(1);
    let piece = Piece::whole(text);
    if threads == 1 || cx.max_rows.is_some() {
        read(text, cx, sink, records);
        return;
    }
    let Some((data, header_len)) = read_header(piece, cx, sink, records) else {
        return;
    };
    read_data(piece, data, header_len, cx, sink, records, threads, || ());
}

/// Reads the header record at the start of `piece` into `records`, and
/// tells where the data after it starts and how many fields the header
/// has. `None` when there is no data after the header (it was read in
/// full then, header and all) or the header was unusable.
pub(crate) fn read_header(
    piece: Piece<'_>,
    cx: &ReadContext<'_>,
    sink: &mut Sink,
    records: &mut TypedRecords<'_, '_>,
) -> Option<(usize, usize)> {
    let Some((data, header_len)) = after_header(piece.text.as_bytes()) else {
        read_range(piece, 0..piece.text.len(), None, cx, sink, records);
        return None;
    };
    read_range(piece, 0..data, None, cx, sink, records);
    records.builder.as_ref()?;
    Some((data, header_len))
}

/// Reads the data records of `piece.text[from..]` (all of them whole)
/// into `records`, cut into ranges read on up to `threads` threads: the
/// first on this thread, straight into the table; the others into parts
/// of their own, joined onto it in order. Then `then` is done by the
/// first other thread once its range is read (by this thread at the end
/// when it is alone): this thread, which reads into the table, is the
/// slower, and the next block of a large file is read meanwhile. `None`
/// when the thread doing `then` stopped.
#[allow(
    clippy::too_many_arguments,
    reason = "the block, the reader's state, and what comes next"
)]
pub(crate) fn read_data<T: Send>(
    piece: Piece<'_>,
    from: usize,
    header_len: usize,
    cx: &ReadContext<'_>,
    sink: &mut Sink,
    records: &mut TypedRecords<'_, '_>,
    threads: usize,
    then: impl FnOnce() -> T + Send,
) -> Option<T> {
    let Some(builder) = &records.builder else {
        return Some(then());
    };
    // (cuts in a text with quotes follow the records from the start)
    let quoted = piece
        .text
        .as_bytes()
        .get(from..)
        .is_some_and(|b| memchr::memchr(b'"', b).is_some());
    // This thread's share of the block, in bytes (see `next_share`).
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a fraction of a length"
    )]
    let first = records
        .first_share
        .map(|share| (piece.text.len().saturating_sub(from) as f64 * share) as usize);
    let ranges = split_lines(piece.text, from, threads, quoted, first);
    let Some((first, rest)) = ranges.split_first() else {
        return Some(then());
    };
    let started = std::time::Instant::now();
    let (program, id, info, file_name) =
        (records.program, records.id, records.info, records.file_name);
    let others: Vec<_> = rest
        .iter()
        .map(|range| {
            let mut forked = builder.fork();
            // Room for this range's share of the file's rows.
            let share =
                records.expected_rows.saturating_mul(range.len()) / records.expected_bytes.max(1);
            forked.reserve(share + share / 16 + 16);
            // Each thread has its own cell context (text interning for
            // plain columns, territory names).
            (range.clone(), forked, sink.fork(), records.ctx.clone())
        })
        .collect();
    let mut then = Some(then);
    let mut done = None;
    let parts: Vec<Option<(Option<Builder<'_>>, Sink)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = others
            .into_iter()
            .map(|(range, forked, mut part_sink, part_ctx)| {
                let after = then.take();
                scope.spawn(move || {
                    let mut part =
                        TypedRecords::new(program, id, info, file_name, &part_ctx, None, 0, 0);
                    part.builder = Some(forked);
                    read_range(
                        piece,
                        range,
                        Some(header_len),
                        cx,
                        &mut part_sink,
                        &mut part,
                    );
                    let after = after.map(|after| after());
                    (part.builder, part_sink, after, started.elapsed())
                })
            })
            .collect();
        read_range(piece, first.clone(), Some(header_len), cx, sink, records);
        let mine = started.elapsed();
        let mut theirs = std::time::Duration::ZERO;
        let parts = handles
            .into_iter()
            .map(|h| {
                h.join().ok().map(|(builder, part_sink, after, took)| {
                    done = done.take().or(after);
                    theirs = theirs.max(took);
                    (builder, part_sink)
                })
            })
            .collect();
        records.first_share = next_share(records.first_share, threads, mine, theirs);
        parts
    });
    // (alone, this thread does what comes next itself)
    if let Some(then) = then {
        done = Some(then());
    }
    for part in parts {
        let Some((part_builder, part_sink)) = part else {
            sink.push(Diagnostic::error(
                codes::READ,
                Span::new(cx.file, 0, 0),
                format!(
                    "internal error: a thread reading `{}` stopped",
                    cx.file_name
                ),
            ));
            continue;
        };
        sink.absorb(part_sink);
        if let (Some(mine), Some(theirs)) = (&mut records.builder, part_builder) {
            mine.join(theirs, threads);
        }
    }
    done
}

/// The part of the next block this thread is to read so that it ends
/// with the others: this one read `share` of a block (`None`: an even
/// share) in `mine`, and the others took `theirs` (what the first of them
/// did next included). Halfway from the share before, to even out noise.
fn next_share(
    share: Option<f64>,
    threads: usize,
    mine: std::time::Duration,
    theirs: std::time::Duration,
) -> Option<f64> {
    #[allow(clippy::cast_precision_loss, reason = "a few threads")]
    let even = 1.0 / threads.max(1) as f64;
    let share = share.unwrap_or(even);
    let (mine, theirs) = (mine.as_secs_f64(), theirs.as_secs_f64());
    if threads < 2 || mine <= 0.0 || theirs <= 0.0 {
        return Some(share);
    }
    // Bytes a second, this thread's and another's.
    let (my_pace, their_pace) = (share / mine, (1.0 - share) / theirs);
    let balanced = my_pace / (my_pace + their_pace);
    Some(((share + balanced) / 2.0).clamp(0.1, 0.9))
}

fn ragged(cx: &ReadContext<'_>, line: usize, record: &CsvRecord<'_>, h: usize) -> Diagnostic {
    let n = record.len();
    let row_range = record.row_range();
    let s = |k: usize| if k == 1 { "" } else { "s" };
    let help = if n > h {
        "a field that contains a comma must be quoted: `\"Smith, Jane\"`"
    } else {
        "every row needs a field for every column; leave a field empty with nothing between the commas"
    };
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
    .with_help(help)
}

/// Types the records of a CSV file as a declared table as they are read.
pub(crate) struct TypedRecords<'p, 'c> {
    program: &'p Program,
    id: TableId,
    info: &'p TableInfo,
    file_name: &'c str,
    ctx: &'c CellContext,
    max_rows: Option<usize>,
    /// Rows expected (for reserving room), from the file's size.
    expected_rows: usize,
    /// The size of the file the rows are expected in (bytes).
    expected_bytes: usize,
    builder: Option<Builder<'p>>,
    /// The part of a block this thread reads when a block is read on
    /// several (see [`read_data`]): `None` until a block has shown
    /// how long each thread takes.
    first_share: Option<f64>,
}

impl<'p, 'c> TypedRecords<'p, 'c> {
    /// Records typed as `info` (declared table `id`), about
    /// `expected_rows` of them in a file of `expected_bytes`.
    #[allow(clippy::too_many_arguments, reason = "the table and its file")]
    pub(crate) fn new(
        program: &'p Program,
        id: TableId,
        info: &'p TableInfo,
        file_name: &'c str,
        ctx: &'c CellContext,
        max_rows: Option<usize>,
        expected_rows: usize,
        expected_bytes: usize,
    ) -> Self {
        TypedRecords {
            program,
            id,
            info,
            file_name,
            ctx,
            max_rows,
            expected_rows,
            expected_bytes,
            builder: None,
            first_share: None,
        }
    }

    /// Expects about `rows` rows in a file of `bytes` (for making room).
    pub(crate) fn expect(&mut self, rows: usize, bytes: usize) {
        self.expected_rows = rows;
        self.expected_bytes = bytes;
    }

    /// The table (empty when the header was unusable) and its places.
    pub(crate) fn finish(self) -> (Table, TableState) {
        match self.builder {
            Some(b) => b.finish(self.file_name),
            None => super::build::empty(self.info, self.id),
        }
    }
}

impl Records for TypedRecords<'_, '_> {
    fn header(&mut self, raw: &RawTable, sink: &mut Sink) -> bool {
        self.builder = Builder::new(
            self.program,
            self.id,
            self.info,
            raw,
            self.file_name,
            self.max_rows,
            PlaceMode::CsvStarts,
            sink,
        );
        if let Some(b) = &mut self.builder {
            b.reserve(self.expected_rows);
        }
        self.builder.is_some()
    }

    fn record(&mut self, line: usize, record: &CsvRecord<'_>, sink: &mut Sink) -> bool {
        let Some(b) = &mut self.builder else {
            return false;
        };
        b.row(line, record.start(), record, sink, self.ctx);
        !b.is_full()
    }
}

/// Collects records into a [`RawTable`] (for tests and tools that want
/// the cells themselves).
#[cfg(test)]
pub(crate) fn read_raw(text: &str, cx: &ReadContext<'_>, sink: &mut Sink) -> RawTable {
    struct Collect(RawTable);
    impl Records for Collect {
        fn header(&mut self, raw: &RawTable, _: &mut Sink) -> bool {
            self.0.headers = raw.headers.clone();
            self.0.header_range = raw.header_range;
            true
        }
        fn record(&mut self, line: usize, record: &CsvRecord<'_>, _: &mut Sink) -> bool {
            self.0.rows.push(RawRow {
                line,
                range: record.row_range(),
                cells: (0..record.len())
                    .map(|i| {
                        Some(RawCell {
                            value: super::raw::RawValue::Text(
                                record.field(i).unwrap_or("").to_string(),
                            ),
                            range: record.range(i).unwrap_or((0, 0)),
                        })
                    })
                    .collect(),
            });
            true
        }
    }
    let mut collect = Collect(RawTable::empty(cx.file, Unit::Line));
    read(text, cx, sink, &mut collect);
    collect.0
}

/// The byte ranges of the `count` fields of the record that starts at
/// `start` (a quoted field's range includes its quotes).
pub(crate) fn field_ranges(text: &str, start: usize, count: usize) -> Vec<Range> {
    scan_fields(text, start, count).0
}

/// The field ranges of [`field_ranges`], and the offset of the opening
/// quote of a quoted field that is never closed (it runs to the end of
/// the text), if there is one.
fn scan_fields(text: &str, start: usize, count: usize) -> (Vec<Range>, Option<usize>) {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(count);
    let mut unclosed = None;
    let mut i = start.min(b.len());
    while out.len() < count {
        let field_start = i;
        if b.get(i) == Some(&b'"') {
            i += 1;
            let mut closed = false;
            while i < b.len() {
                if b.get(i) == Some(&b'"') {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    closed = true;
                    break;
                }
                i += 1;
            }
            if !closed {
                unclosed = Some(field_start);
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
    (out, unclosed)
}

/// An error for a record whose quoted field opens at `quote` (in
/// `piece`) and never closes: the CSV reader would take the rest of the
/// file as its text.
fn unclosed_quote(cx: &ReadContext<'_>, piece: Piece<'_>, quote: usize) -> Diagnostic {
    let line = piece.line + newlines(piece.text.as_bytes().get(..quote).unwrap_or_default());
    let at = piece.offset + quote;
    Diagnostic::error(
        codes::SYNTAX,
        Span::new(cx.file, at, at + 1),
        format!(
            "`{}` line {line}: this quote opens a field that is never closed, so the field would run to the end of the file",
            cx.file_name
        ),
    )
    .with_help("add the closing `\"`; a quote inside a quoted field is written twice: `\"5\"\" screen\"`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Counting 64 bytes at a time counts every line feed, wherever
        /// the chunks end (up to 64 in one chunk).
        #[test]
        fn newlines_are_counted_in_chunks_as_one_by_one(
            text in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), Just(b'\r')], 0..300)
        ) {
            let one_by_one = text.iter().filter(|b| **b == b'\n').count();
            prop_assert_eq!(newlines(&text), one_by_one);
        }
    }

    /// The next block is cut so that a thread that was quicker gets more
    /// of it: an even share stays even when both took as long, moves
    /// halfway toward the balance otherwise, and stays within bounds.
    #[test]
    fn the_share_of_the_next_block_follows_how_fast_each_thread_read() {
        let ms = std::time::Duration::from_millis;
        assert_eq!(next_share(None, 2, ms(40), ms(40)), Some(0.5));
        // This thread read half in 60 ms, the other half in 40 ms: the
        // balance is 0.4, and the next share halfway there.
        let share = next_share(Some(0.5), 2, ms(60), ms(40)).unwrap();
        assert!((share - 0.45).abs() < 1e-9, "{share}");
        let quicker = next_share(Some(0.5), 2, ms(30), ms(40)).unwrap();
        assert!(quicker > 0.5, "{quicker}");
        assert_eq!(next_share(Some(0.9), 2, ms(1), ms(1_000)), Some(0.9));
        assert_eq!(next_share(Some(0.3), 1, ms(10), ms(20)), Some(0.3));
        assert_eq!(next_share(Some(0.3), 2, ms(0), ms(20)), Some(0.3));
    }

    /// A block cut with its first range about so long still cuts at the
    /// start of a record: after a line feed, or, in a text with quotes,
    /// after a line feed outside a quoted field.
    #[test]
    fn a_cut_falls_at_the_start_of_a_record() {
        let plain = "a,b\ncc,dd\ne,f\n";
        assert_eq!(
            split_lines(plain, 0, 2, false, Some(5)),
            vec![0..10, 10..14]
        );
        assert_eq!(split_lines(plain, 0, 2, false, Some(1)), vec![0..4, 4..14]);
        assert_eq!(split_lines(plain, 0, 2, false, Some(99)), vec![0..14]);
        let quoted = "a,\"b\nc\"\nd,e\n";
        assert_eq!(split_lines(quoted, 0, 2, true, Some(3)), vec![0..8, 8..12]);
        assert_eq!(split_lines(quoted, 0, 2, true, Some(9)), vec![0..12]);
        // (without a first length, the ranges share the text evenly)
        assert_eq!(
            split_lines(plain, 0, 2, false, None),
            split_lines(plain, 0, 2, false, Some(7))
        );
    }

    #[test]
    fn a_chunk_of_nothing_but_line_feeds_is_counted_whole() {
        assert_eq!(newlines(&[b'\n'; 200]), 200);
    }

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
    fn an_open_quote_is_found_at_its_opening() {
        assert_eq!(scan_fields("a,\"b\"\"\n", 0, 2).1, Some(2));
        assert_eq!(scan_fields("a,\"b\"\"\"\n", 0, 2).1, None);
        assert_eq!(scan_fields("a,b\"c\n", 0, 2).1, None);
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
        let raw = read_raw(text, &cx, &mut sink);
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
            super::super::raw::RawValue::Text("a\nb".into())
        );
    }
}
