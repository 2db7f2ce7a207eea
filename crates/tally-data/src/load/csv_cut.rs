//! Cutting CSV text into records and fields.
//!
//! Most records of an export hold no quote and end in a plain line break:
//! such a record is cut at its commas where it lies, its fields slices of
//! the text. Any other record (a quote anywhere in it, or a byte-order
//! mark at the start) goes through `csv_core`, which
//! knows RFC 4180 quoting. The records, their starts and their fields are
//! exactly those the `csv` crate's reader gives (a property test checks
//! this), found several times faster on plain records.

/// What a byte means to the plain cut: nothing, or a reason to stop.
const SPECIAL: [bool; 256] = {
    let mut special = [false; 256];
    special[b',' as usize] = true;
    special[b'\n' as usize] = true;
    special[b'\r' as usize] = true;
    special[b'"' as usize] = true;
    special
};

/// The offset of the first byte at or after `i` that means something to
/// the plain cut ([`SPECIAL`]), or the length of `bytes`. Eight bytes are
/// looked at together while there are eight left: a field of an export
/// is mostly a few bytes long, so most are passed in one step.
#[inline]
fn next_special(bytes: &[u8], mut i: usize) -> usize {
    while let Some(eight) = bytes.get(i..i + 8) {
        let Ok(eight) = <[u8; 8]>::try_from(eight) else {
            break;
        };
        let word = u64::from_le_bytes(eight);
        let found = bytes_equal(word, b',')
            | bytes_equal(word, b'\n')
            | bytes_equal(word, b'\r')
            | bytes_equal(word, b'"');
        if found != 0 {
            // (the lowest byte flagged is the first that is one of them)
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes.get(i).is_some_and(|b| !SPECIAL[usize::from(*b)]) {
        i += 1;
    }
    i
}

/// The high bit of each byte of `word` that equals `byte`; above the
/// lowest such byte, another may be flagged that does not equal it (a
/// borrow carried up), so only the lowest flag is to be trusted.
#[inline]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ ONES.wrapping_mul(u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The UTF-8 byte-order mark, which the CSV reader drops at the start.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Cuts `bytes` (which start at the start of a record) into records, one
/// at a time: [`Cutter::next`] finds a record, [`Cutter::field`] reads its
/// fields.
pub(crate) struct Cutter<'t> {
    bytes: &'t [u8],
    /// Where the search for the next record starts.
    at: usize,
    /// The quoting reader, for the records that need it; it has read
    /// nothing while `quoted_yet` is false.
    core: csv_core::Reader,
    quoted_yet: bool,
    /// The unquoted fields of a record read by `core`.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The current record's fields: ranges of `bytes`, or of
    /// `out[..out_len]` when `in_out`.
    bounds: Vec<(usize, usize)>,
    in_out: bool,
    out_len: usize,
}

impl<'t> Cutter<'t> {
    /// A cutter of `bytes`.
    pub(crate) fn new(bytes: &'t [u8]) -> Cutter<'t> {
        Cutter {
            bytes,
            at: 0,
            core: csv_core::Reader::new(),
            quoted_yet: false,
            out: vec![0; 256],
            ends: vec![0; 16],
            bounds: Vec::new(),
            in_out: false,
            out_len: 0,
        }
    }

    /// Finds the next record and returns its start: the offset of its
    /// first byte, after any line breaks and blank lines before it.
    /// `None` when no record is left.
    pub(crate) fn next(&mut self) -> Option<usize> {
        while matches!(self.bytes.get(self.at), Some(b'\r' | b'\n')) {
            self.at += 1;
        }
        let start = self.at;
        if start >= self.bytes.len() {
            return None;
        }
        if self.plain(start) || self.quoted(start) {
            return Some(start);
        }
        None
    }

    /// Where the search for the record after the current one starts.
    pub(crate) fn position(&self) -> usize {
        self.at
    }

    /// Each field's range of the current record: in the text cut, or in
    /// [`Cutter::unquoted`] when there is one.
    pub(crate) fn bounds(&self) -> &[(usize, usize)] {
        &self.bounds
    }

    /// The current record's fields, unquoted and one after another, when
    /// the quoting reader read it; `None` when they lie in the text.
    pub(crate) fn unquoted(&self) -> Option<&[u8]> {
        self.in_out.then(|| self.out.get(..self.out_len)).flatten()
    }

    /// Cuts the record at `start` at its commas, if it is plain: no
    /// quote, and no byte-order mark where the reader would drop one.
    fn plain(&mut self, start: usize) -> bool {
        let bytes = self.bytes;
        if start == 0 && !self.quoted_yet && bytes.starts_with(BOM) {
            return false;
        }
        self.bounds.clear();
        let mut from = start;
        let mut i = start;
        loop {
            i = next_special(bytes, i);
            match bytes.get(i) {
                Some(b',') => {
                    self.bounds.push((from, i));
                    i += 1;
                    from = i;
                }
                None => {
                    self.bounds.push((from, i));
                    self.at = i;
                    break;
                }
                // A carriage return ends a record as a line feed does (a
                // line feed after it is then a blank line).
                Some(b'\n' | b'\r') => {
                    self.bounds.push((from, i));
                    self.at = i + 1;
                    break;
                }
                Some(_) => return false,
            }
        }
        self.in_out = false;
        true
    }

    /// Reads the record at `start` with the quoting reader; false when
    /// there was none after all (nothing but a byte-order mark).
    fn quoted(&mut self, start: usize) -> bool {
        if !self.quoted_yet && start > 0 {
            // The reader drops a byte-order mark only where the text
            // starts: having it read a blank line first tells it that
            // this is not the start.
            let (mut out, mut ends) = ([0; 1], [0; 1]);
            self.core.read_record(b"\n", &mut out, &mut ends);
        }
        self.quoted_yet = true;
        let mut input = self.bytes.get(start..).unwrap_or_default();
        let (mut nout, mut nend) = (0, 0);
        self.at = start;
        let found = loop {
            let (result, nin, wrote, ended) = self.core.read_record(
                input,
                self.out.get_mut(nout..).unwrap_or_default(),
                self.ends.get_mut(nend..).unwrap_or_default(),
            );
            input = input.get(nin..).unwrap_or_default();
            self.at += nin;
            nout += wrote;
            nend += ended;
            match result {
                csv_core::ReadRecordResult::OutputFull => {
                    let longer = self.out.len() * 2;
                    self.out.resize(longer, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let longer = self.ends.len() * 2;
                    self.ends.resize(longer, 0);
                }
                csv_core::ReadRecordResult::InputEmpty if input.is_empty() => {
                    // The text ends inside the record: reading nothing
                    // more ends it.
                }
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::Record => break true,
                csv_core::ReadRecordResult::End => break false,
            }
        };
        self.bounds.clear();
        let mut from = 0;
        for &end in self.ends.get(..nend).unwrap_or_default() {
            self.bounds.push((from, end));
            from = end;
        }
        self.in_out = true;
        self.out_len = nout;
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each record's start and fields, by the cutter.
    fn cut(text: &[u8]) -> Vec<(usize, Vec<Vec<u8>>)> {
        let mut cutter = Cutter::new(text);
        let mut records = Vec::new();
        while let Some(start) = cutter.next() {
            let buffer = cutter.unquoted().unwrap_or(text);
            let fields = cutter
                .bounds()
                .iter()
                .map(|&(from, to)| buffer.get(from..to).unwrap_or_default().to_vec())
                .collect();
            records.push((start, fields));
        }
        records
    }

    /// Each record's start and fields, by the `csv` crate's reader.
    fn read(text: &[u8]) -> Vec<(usize, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut record = csv::ByteRecord::new();
        let mut records = Vec::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            let mut start = record.position().map_or(0, |p| p.byte() as usize);
            while matches!(text.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            records.push((start, record.iter().map(<[u8]>::to_vec).collect()));
        }
        records
    }

    #[test]
    fn plain_records_are_cut_at_their_commas() {
        let text = b"id,name\r\nA-1,Acme\n\nA-2,,\nA-3,Last";
        let records = cut(text);
        let fields: Vec<Vec<&[u8]>> = records
            .iter()
            .map(|(_, f)| f.iter().map(Vec::as_slice).collect())
            .collect();
        assert_eq!(
            fields,
            vec![
                vec![&b"id"[..], b"name"],
                vec![b"A-1", b"Acme"],
                vec![b"A-2", b"", b""],
                vec![b"A-3", b"Last"],
            ]
        );
        let starts: Vec<usize> = records.iter().map(|(s, _)| *s).collect();
        assert_eq!(starts, vec![0, 9, 19, 25]);
    }

    #[test]
    fn quoted_records_are_read_as_the_csv_reader_reads_them() {
        for text in [
            &b"a,\"b,c\"\nd,e\n"[..],
            b"\"multi\nline\",x\r\ny,z",
            b"\"open,quote\nno end",
            b"a\rb,c\n",
            b"\xef\xbb\xbfid,name\nA,B\n",
            b"x,\"he said \"\"hi\"\"\"\n\"\"\n",
            b"a\"b,c\n",
            b"a,b\n\xef\xbb\xbf\"c\"\n",
            b"\xef\xbb\xbf",
        ] {
            assert_eq!(cut(text), read(text), "{:?}", String::from_utf8_lossy(text));
        }
    }

    proptest! {
        /// Eight bytes at a time find the byte a byte at a time finds,
        /// whatever bytes are around it (letters, digits, and bytes just
        /// above and below the special ones, where a borrow could mislead).
        #[test]
        fn the_next_special_byte_is_the_first(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'0', b',', b'\n', b'\r', b'"', b'+', b'-', b'!', b'#', 0x0b, 0x0c, 0x0e, 0xc3, 0xa9, 0x00, 0xff]),
                0..40,
            ),
            from in 0usize..40,
        ) {
            let from = from.min(bytes.len());
            let naive = (from..bytes.len())
                .find(|&i| SPECIAL[usize::from(bytes[i])])
                .unwrap_or(bytes.len());
            prop_assert_eq!(next_special(&bytes, from), naive);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The cutter gives the records, starts and fields the `csv`
        /// reader gives, on text made of the bytes that matter to CSV.
        #[test]
        fn cuts_as_the_csv_reader_reads(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b"b"[..]), Just(&b" "[..]), Just(&b","[..]),
                    Just(&b"\""[..]), Just(&b"\r"[..]), Just(&b"\n"[..]), Just(BOM),
                ],
                0..80,
            ),
        ) {
            let text = pieces.concat();
            prop_assert_eq!(cut(&text), read(&text));
        }
    }
}
