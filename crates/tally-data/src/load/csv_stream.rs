//! Large CSV files read block by block: a block of a few megabytes is
//! read, cut after its last whole record, typed on every thread, and
//! dropped before the next is read, so a file's text is never held whole.
//! Rows, places and messages are the same as reading the file in one go.

use super::csv_file::{
    after_header, last_record_end, newlines, read_data, read_header, read_range, Piece,
    TypedRecords, BYTES_PER_THREAD,
};
use super::sink::Sink;
use super::ReadContext;
use std::io::Read;

/// The block size when the host sets none: 8 MiB for each thread, and at
/// least 16 MiB (smaller blocks make each thread wait for the others
/// more often).
pub(crate) fn default_block_bytes(threads: usize) -> usize {
    threads.saturating_mul(2 * BYTES_PER_THREAD).max(16 << 20)
}

/// What became of a file read block by block.
#[derive(Debug)]
pub(crate) enum Streamed {
    /// Read: its rows are in the records, its messages in the sink.
    Read,
    /// Not a file to read in blocks (it is not clean UTF-8): read it
    /// whole instead. Nothing was kept.
    Whole,
}

/// Reads the CSV file `file` (`len` bytes) in blocks of about `block`
/// bytes into `records`, each block on up to `threads` threads.
///
/// After the first block, the next block is read by the thread that is
/// done first with its range of this one (see [`read_data`]): it
/// reads it, cuts it after its last whole record, checks it is UTF-8 and
/// counts its lines, while this thread, the slower, is still typing its
/// range. No thread is added, and nothing is allocated for it: the block
/// is read into a buffer made here.
pub(crate) fn read_blocks<R: Read + Send>(
    file: &mut R,
    len: usize,
    block: usize,
    threads: usize,
    cx: &ReadContext<'_>,
    sink: &mut Sink,
    records: &mut TypedRecords<'_, '_>,
) -> std::io::Result<Streamed> {
    let block = block.max(1);
    let room = block.saturating_mul(2).min(len);
    let mut buf: Vec<u8> = Vec::with_capacity(room);
    // Enough for a byte-order mark, however small the blocks.
    let eof = fill(file, &mut buf, block.max(3))?;
    if buf.starts_with(&[0xFF, 0xFE]) || buf.starts_with(&[0xFE, 0xFF]) {
        return Ok(Streamed::Whole);
    }
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        buf.drain(..3);
    }
    // Rows to make room for: as many per byte as the first block has.
    let rows = newlines(&buf);
    records.expect(rows.saturating_mul(len) / buf.len().max(1) + rows / 64, len);
    let Some((text, mut tail, eof)) = first_block(file, buf, eof, block)? else {
        return Ok(Streamed::Whole);
    };
    let piece = Piece {
        text: &text,
        offset: 0,
        line: 1,
    };
    if after_header(text.as_bytes()).is_none() {
        // A header and no data.
        read_range(piece, 0..text.len(), None, cx, sink, records);
        return Ok(Streamed::Read);
    }
    let Some((mut from, header_len)) = read_header(piece, cx, sink, records) else {
        return Ok(Streamed::Read);
    };
    let mut current = Cut {
        lines: newlines(text.as_bytes()),
        text,
        ended: eof,
    };
    // The buffer the next block is read into while this one is typed.
    let mut spare: Vec<u8> = Vec::with_capacity(room);
    let (mut offset, mut line) = (0, 1);
    loop {
        let piece = Piece {
            text: &current.text,
            offset,
            line,
        };
        if current.ended {
            read_data(piece, from, header_len, cx, sink, records, threads, || ());
            return Ok(Streamed::Read);
        }
        // The next block starts with what is left of this one.
        spare.clear();
        spare.extend_from_slice(&tail);
        let (next, next_tail) = {
            let (file, next, mut next_tail) = (
                &mut *file,
                std::mem::take(&mut spare),
                std::mem::take(&mut tail),
            );
            let read_next = move || {
                let block = next_block(file, next, block, &mut next_tail);
                (block, next_tail)
            };
            read_data(
                piece, from, header_len, cx, sink, records, threads, read_next,
            )
            .ok_or_else(|| std::io::Error::other("the thread reading the file stopped"))?
        };
        from = 0;
        line += current.lines;
        offset += current.text.len();
        tail = next_tail;
        let Ok(next) = next? else {
            return Ok(Streamed::Whole);
        };
        spare = std::mem::replace(&mut current, next).text.into_bytes();
        if current.text.is_empty() && current.ended {
            return Ok(Streamed::Read);
        }
    }
}

/// The first block of a file, `buf` (`eof`: it is the whole file), read
/// on until it holds the header and a record, and cut after its last
/// whole record: its text, what follows it, and whether it ends the file.
/// `None` when it is not UTF-8.
fn first_block(
    file: &mut impl Read,
    mut buf: Vec<u8>,
    mut eof: bool,
    block: usize,
) -> std::io::Result<Option<(String, Vec<u8>, bool)>> {
    let mut want = block;
    let first = loop {
        let Some(at) = cut(&buf, eof) else {
            want = want.saturating_mul(2);
            eof = fill(file, &mut buf, want)?;
            continue;
        };
        // (checked as UTF-8 once, when it holds a record)
        match after_header(buf.get(..at).unwrap_or_default()) {
            None if !eof => {
                want = want.saturating_mul(2);
                eof = fill(file, &mut buf, want)?;
            }
            _ => break at,
        }
    };
    // (room for a long record: only a longer one grows it)
    let mut tail = Vec::with_capacity(TAIL_ROOM);
    tail.extend_from_slice(buf.get(first..).unwrap_or_default());
    buf.truncate(first);
    Ok(String::from_utf8(buf).ok().map(|text| (text, tail, eof)))
}

/// Bytes the part of a block after its last whole record has room for.
const TAIL_ROOM: usize = 64 << 10;

/// Where a block is cut: after its last whole record, or at its end when
/// it ends the file; `None` when it holds no whole record yet.
fn cut(buf: &[u8], eof: bool) -> Option<usize> {
    if eof {
        Some(buf.len())
    } else {
        last_record_end(buf)
    }
}

/// A block cut after its last whole record, checked to be UTF-8.
struct Cut {
    text: String,
    /// The line feeds in the text.
    lines: usize,
    /// True when the block ends the file.
    ended: bool,
}

/// Reads `file` into `buf` (which holds what was left of the block
/// before) until it holds `block` bytes and a whole record, cuts it after
/// its last whole record (moving the rest into `tail`), and checks it:
/// the block, or its bytes when they are not UTF-8.
fn next_block(
    file: &mut impl Read,
    mut buf: Vec<u8>,
    block: usize,
    tail: &mut Vec<u8>,
) -> std::io::Result<Result<Cut, Vec<u8>>> {
    let mut want = block;
    let mut eof = fill(file, &mut buf, want)?;
    let at = loop {
        match cut(&buf, eof) {
            Some(at) => break at,
            None => {
                // One record longer than a block: read on until it ends.
                want = want.saturating_mul(2);
                eof = fill(file, &mut buf, want)?;
            }
        }
    };
    tail.clear();
    tail.extend_from_slice(buf.get(at..).unwrap_or_default());
    buf.truncate(at);
    Ok(match String::from_utf8(buf) {
        Ok(text) => Ok(Cut {
            lines: newlines(text.as_bytes()),
            text,
            ended: eof,
        }),
        Err(e) => Err(e.into_bytes()),
    })
}

/// Reads from `file` until `buf` holds `want` bytes or the file ends;
/// true when it ended.
fn fill(file: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let missing = want.saturating_sub(buf.len());
    if missing == 0 {
        return Ok(false);
    }
    let got = file.by_ref().take(missing as u64).read_to_end(buf)?;
    Ok(got < missing)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn a_file_is_filled_to_the_size_asked_then_ends() {
        let data = b"0123456789".to_vec();
        let mut file = std::io::Cursor::new(data);
        let mut buf = Vec::new();
        assert!(!fill(&mut file, &mut buf, 4).unwrap());
        assert_eq!(buf, b"0123");
        assert!(!fill(&mut file, &mut buf, 4).unwrap(), "full already");
        assert!(!fill(&mut file, &mut buf, 10).unwrap());
        assert!(fill(&mut file, &mut buf, 12).unwrap());
        assert_eq!(buf, b"0123456789");
    }

    #[test]
    fn blocks_are_cut_after_their_last_whole_record() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne,"), Some(8));
        assert_eq!(last_record_end(b"a,b"), None);
        assert_eq!(last_record_end(b"a,\"b\nc\"\nd"), Some(8));
        assert_eq!(
            last_record_end(b"a,\"b\nc"),
            None,
            "the line feed is quoted"
        );
        assert_eq!(
            last_record_end(b"a,b\"c\nd"),
            Some(6),
            "a quote inside a field"
        );
    }
}
