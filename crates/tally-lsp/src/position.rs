//! Positions: LSP speaks lines and UTF-16 code units, the analysis speaks
//! byte offsets.

use tower_lsp_server::lsp_types::{Position, Range};

/// Line starts of one text, for converting positions both ways.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The byte offset of an LSP position; positions past the end of a line
    /// or of the text are clamped to it, and a position inside a character
    /// moves to its start.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
            if units > pos.character {
                return start + i;
            }
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        start + line.len().min(end - start)
    }

    /// The LSP position of a byte offset (clamped to the text, moved to the
    /// start of the character it falls in).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character: usize = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(character).unwrap_or(u32::MAX),
        )
    }

    /// The LSP range of `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The range of the whole text.
    pub fn whole(&self) -> Range {
        self.range(0, self.text.len())
    }

    /// The byte offset where line `line` (0-based) starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_round_trip() {
        let t = "ab\ncd\n";
        let ix = LineIndex::new(t);
        for off in 0..=t.len() {
            assert_eq!(ix.offset(ix.position(off)), off);
        }
        assert_eq!(ix.position(4), Position::new(1, 1));
        assert_eq!(ix.offset(Position::new(0, 99)), 2);
        assert_eq!(ix.offset(Position::new(9, 0)), t.len());
    }

    #[test]
    fn non_ascii_counts_utf16_units() {
        // `é` is 2 bytes and 1 UTF-16 unit; `😀` is 4 bytes and 2 units.
        let t = "é😀x\n“y”";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(2), Position::new(0, 1));
        assert_eq!(ix.position(6), Position::new(0, 3));
        assert_eq!(ix.offset(Position::new(0, 3)), 6);
        assert_eq!(ix.offset(Position::new(0, 4)), 7);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(ix.offset(Position::new(0, 2)), 2);
        // Inside a multi-byte character: its start.
        assert_eq!(ix.position(3), Position::new(0, 1));
        assert_eq!(ix.position(t.len()), Position::new(1, 3));
        assert_eq!(ix.offset(Position::new(1, 1)), t.len() - 4);
        for off in (0..=t.len()).filter(|o| t.is_char_boundary(*o)) {
            assert_eq!(ix.offset(ix.position(off)), off);
        }
    }

    #[test]
    fn crlf_lines() {
        let t = "a\r\nb";
        let ix = LineIndex::new(t);
        assert_eq!(ix.offset(Position::new(0, 5)), 1);
        assert_eq!(ix.position(3), Position::new(1, 0));
    }
}
