//! Bytes to text for the text formats: UTF-8 with or without a byte-order
//! mark; anything else is reported with the first offending line.

/// A file's bytes as text, with the first encoding problem if any.
#[derive(Clone, Debug)]
pub(crate) struct Decoded {
    /// The text (invalid bytes replaced by U+FFFD; a UTF-8 BOM removed).
    pub text: String,
    /// The first problem, if the file is not clean UTF-8.
    pub problem: Option<EncodingProblem>,
}

/// Why a file is not UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EncodingProblem {
    /// The file starts with a UTF-16 byte-order mark.
    Utf16,
    /// Bytes that are not UTF-8.
    Invalid {
        /// Offset of the first replacement character in the decoded text.
        offset: usize,
        /// The first invalid byte.
        byte: u8,
        /// How many lines have invalid bytes.
        lines: usize,
    },
}

/// Decodes a text data file.
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Decoded {
            text: String::new(),
            problem: Some(EncodingProblem::Utf16),
        };
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: text.to_string(),
            problem: None,
        },
        Err(e) => {
            let offset = e.valid_up_to();
            let byte = bytes.get(offset).copied().unwrap_or(0);
            let mut lines = 0;
            let mut last_line = None;
            let mut line = 0usize;
            for chunk in bytes.utf8_chunks() {
                line += chunk.valid().matches('\n').count();
                if !chunk.invalid().is_empty() && last_line != Some(line) {
                    lines += 1;
                    last_line = Some(line);
                }
                line += chunk.invalid().iter().filter(|b| **b == b'\n').count();
            }
            Decoded {
                text: String::from_utf8_lossy(bytes).into_owned(),
                problem: Some(EncodingProblem::Invalid {
                    offset,
                    byte,
                    lines,
                }),
            }
        }
    }
}

/// Decodes a text data file, taking its bytes (clean UTF-8 is not copied).
pub(crate) fn decode_owned(mut bytes: Vec<u8>) -> Decoded {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return decode(&bytes);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded {
            text,
            problem: None,
        },
        Err(e) => decode(e.as_bytes()),
    }
}

/// Line numbers of byte offsets in one text.
#[derive(Clone, Debug)]
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// The line starts of `text`.
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    /// The 1-based line of `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i.max(1),
        }
    }

    /// The byte offset of 1-based `line`, `column` (columns count bytes).
    pub(crate) fn offset(&self, line: usize, column: usize) -> usize {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        start + column.saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_removed() {
        let d = decode(b"\xEF\xBB\xBFid\n");
        assert_eq!(d.text, "id\n");
        assert!(d.problem.is_none());
    }

    #[test]
    fn invalid_bytes_are_located() {
        let d = decode(b"id,name\n1,Z\xFCrich\n2,M\xFCnchen\n");
        assert_eq!(
            d.problem,
            Some(EncodingProblem::Invalid {
                offset: 11,
                byte: 0xFC,
                lines: 2
            })
        );
        assert_eq!(&d.text[11..14], "\u{FFFD}");
    }

    #[test]
    fn lines() {
        let text = "ab\r\ncd\n\nef";
        let l = Lines::new(text);
        assert_eq!(l.line(0), 1);
        assert_eq!(l.line(4), 2);
        assert_eq!(l.line(8), 4);
        assert_eq!(l.offset(2, 2), 5);
    }
}
