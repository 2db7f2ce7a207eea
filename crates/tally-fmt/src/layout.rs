//! Questions about the author's layout, answered from the source text: where
//! a line starts, whether a blank line separates two things, where the next
//! token or bracket is. AST spans do not say where keywords and brackets
//! are, and pest spans may end with trailing blanks and comments, so these
//! helpers skip whitespace and comments using the file's comment table.

use tally_syntax::ast::Comment;

/// Whitespace as the grammar sees it (including a byte-order mark).
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

/// The source text with its comments.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) text: &'a str,
    comments: &'a [Comment],
}

impl<'a> Source<'a> {
    pub(crate) fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        Source { text, comments }
    }

    /// `text[lo..hi]`, or "" when out of range.
    pub(crate) fn slice(&self, lo: usize, hi: usize) -> &'a str {
        self.text.get(lo..hi).unwrap_or("")
    }

    fn comment_starting_at(&self, pos: usize) -> Option<&'a Comment> {
        let i = self.comments.partition_point(|c| c.span.lo() < pos);
        self.comments.get(i).filter(|c| c.span.lo() == pos)
    }

    fn comment_ending_at(&self, pos: usize) -> Option<&'a Comment> {
        let i = self.comments.partition_point(|c| c.span.hi() < pos);
        self.comments.get(i).filter(|c| c.span.hi() == pos)
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..).and_then(|s| s.chars().next())
    }

    fn char_before(&self, pos: usize) -> Option<char> {
        self.text.get(..pos).and_then(|s| s.chars().next_back())
    }

    /// The end of the code in `lo..hi`: `hi` moved back over whitespace and
    /// comments (pest spans can include them), never before `lo`.
    pub(crate) fn code_end(&self, lo: usize, hi: usize) -> usize {
        let mut pos = hi.min(self.text.len());
        loop {
            while pos > lo {
                match self.char_before(pos) {
                    Some(c) if is_ws(c) => pos -= c.len_utf8(),
                    _ => break,
                }
            }
            match self.comment_ending_at(pos) {
                Some(c) if c.span.lo() >= lo && c.span.lo() < pos => pos = c.span.lo(),
                _ => return pos,
            }
        }
    }

    /// The position of the next token at or after `pos` (whitespace and
    /// comments skipped).
    pub(crate) fn next_token(&self, mut pos: usize) -> usize {
        loop {
            match self.char_at(pos) {
                Some(c) if is_ws(c) => pos += c.len_utf8(),
                Some('/') => match self.comment_starting_at(pos) {
                    Some(c) if c.span.hi() > pos => pos = c.span.hi(),
                    _ => return pos,
                },
                _ => return pos,
            }
        }
    }

    /// The first `ch` at or after `pos` that is code (not inside a comment
    /// or a string literal).
    pub(crate) fn find_code_char(&self, mut pos: usize, ch: char) -> Option<usize> {
        loop {
            let c = self.char_at(pos)?;
            if c == ch {
                return Some(pos);
            }
            if c == '/' {
                if let Some(com) = self.comment_starting_at(pos) {
                    if com.span.hi() > pos {
                        pos = com.span.hi();
                        continue;
                    }
                }
            }
            if c == '"' {
                pos += 1;
                loop {
                    match self.char_at(pos)? {
                        '"' => break,
                        '\\' => {
                            pos += 1;
                            if let Some(e) = self.char_at(pos) {
                                pos += e.len_utf8();
                            }
                        }
                        '\n' => break,
                        o => pos += o.len_utf8(),
                    }
                }
            }
            pos += c.len_utf8();
        }
    }

    /// The position of the closing bracket `ch` of a node whose span is
    /// `lo..hi`: the last code character, if it is `ch`.
    pub(crate) fn closing(&self, lo: usize, hi: usize, ch: char) -> Option<usize> {
        let end = self.code_end(lo, hi);
        let before = self.char_before(end)?;
        (before == ch && end > lo).then(|| end - before.len_utf8())
    }

    /// True when only whitespace precedes `pos` on its line.
    pub(crate) fn begins_line(&self, pos: usize) -> bool {
        let head = self.text.get(..pos).unwrap_or("");
        let line = match head.rfind('\n') {
            Some(i) => &head[i + 1..],
            None => head,
        };
        line.chars().all(is_ws)
    }

    /// True when a comment has code before it on its line.
    pub(crate) fn is_trailing(&self, c: &Comment) -> bool {
        !self.begins_line(c.span.lo())
    }

    /// True when `lo..hi` contains an empty line (only whitespace between two
    /// line breaks).
    pub(crate) fn has_blank_line(&self, lo: usize, hi: usize) -> bool {
        if hi <= lo {
            return false;
        }
        let gap = self.slice(lo, hi);
        let parts: Vec<&str> = gap.split('\n').collect();
        parts.len() >= 3
            && parts[1..parts.len() - 1]
                .iter()
                .any(|p| p.chars().all(is_ws))
    }

    /// True when the word `word` starts at `pos`.
    pub(crate) fn word_at(&self, pos: usize, word: &str) -> bool {
        let rest = self.text.get(pos..).unwrap_or("");
        rest.starts_with(word)
            && !rest[word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    /// The start of `word` when it is the code right before `pos` (only
    /// whitespace between), e.g. the `data` keyword before a golden's path.
    pub(crate) fn word_before(&self, pos: usize, word: &str) -> Option<usize> {
        let head = self.text.get(..pos)?;
        let trimmed = head.trim_end_matches(is_ws);
        let start = trimmed.strip_suffix(word).map(str::len)?;
        let boundary = trimmed[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        boundary.then_some(start)
    }
}
