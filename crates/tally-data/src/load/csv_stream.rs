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
pub(crate) fn read_blocks(
    file: &mut impl Read,
    len: usize,
    block: usize,
    threads: usize,
    cx: &ReadContext<'_>,
    sink: &mut Sink,
    records: &mut TypedRecords<'_, '_>,
) -> std::io::Result<Streamed> {
    let block = block.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(block.saturating_mul(2).min(len));
    // Enough for a byte-order mark, however small the blocks.
    let mut eof = fill(file, &mut buf, block.max(3))?;
    if buf.starts_with(&[0xFF, 0xFE]) || buf.starts_with(&[0xFE, 0xFF]) {
        return Ok(Streamed::Whole);
    }
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        buf.drain(..3);
    }
    // Rows to make room for: as many per byte as the first block has.
    let rows = newlines(&buf);
    records.expect(rows.saturating_mul(len) / buf.len().max(1) + rows / 64, len);
    let (mut offset, mut line) = (0, 1);
    let mut header: Option<usize> = None;
    let mut want = block;
    loop {
        let cut = if eof {
            buf.len()
        } else {
            match last_record_end(&buf) {
                Some(cut) => cut,
                None => {
                    // One record longer than a block: read on until it ends.
                    want = want.saturating_mul(2);
                    eof = fill(file, &mut buf, want)?;
                    continue;
                }
            }
        };
        let Some(text) = buf.get(..cut).and_then(|b| std::str::from_utf8(b).ok()) else {
            return Ok(Streamed::Whole);
        };
        let piece = Piece { text, offset, line };
        let (from, header_len) = match header {
            Some(h) => (0, h),
            None => {
                if after_header(text).is_none() {
                    if !eof {
                        // The header and no record after it yet.
                        want = want.saturating_mul(2);
                        eof = fill(file, &mut buf, want)?;
                        continue;
                    }
                    // A header and no data.
                    read_range(piece, 0..text.len(), None, cx, sink, records);
                    return Ok(Streamed::Read);
                }
                let Some((data, h)) = read_header(piece, cx, sink, records) else {
                    return Ok(Streamed::Read);
                };
                (data, h)
            }
        };
        read_data(piece, from, header_len, cx, sink, records, threads);
        header = Some(header_len);
        if eof {
            return Ok(Streamed::Read);
        }
        line += newlines(text.as_bytes());
        offset += cut;
        buf.drain(..cut);
        want = block;
        eof = fill(file, &mut buf, want)?;
        if buf.is_empty() {
            return Ok(Streamed::Read);
        }
    }
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
