//! The core writer: an output buffer that knows its current line, the
//! verbatim fallback for items whose comments cannot be placed, and the one
//! routine that prints every bracketed list of items (declaration bodies,
//! `columns { }`, lists, maps, records, arguments, tier bands) either inline
//! or one item per line with the comments and blank lines around them.

use crate::comments::Comments;
use crate::layout::Source;
use tally_syntax::ast::Comment;

/// Space between code and an end-of-line comment after it.
pub(crate) const COMMENT_GAP: &str = "  ";

/// Lines longer than this put a rule's `then` on its own line.
pub(crate) const MAX_WIDTH: usize = 100;

/// How a bracketed list of items is printed.
pub(crate) struct Brackets {
    /// Opening bracket (`{`, `[`, `(`).
    pub(crate) open: &'static str,
    /// Closing bracket.
    pub(crate) close: &'static str,
    /// Space inside the brackets when inline (`{ a, b }` vs `[a, b]`).
    pub(crate) pad: &'static str,
    /// Separator between inline items.
    pub(crate) inline_sep: &'static str,
    /// True when every item of the multi-line form ends with a comma
    /// (expression lists); false for declaration blocks (newlines only).
    pub(crate) trailing_comma: bool,
    /// The indentation of the closing bracket's line in the multi-line form
    /// (items go 2 further); `None` means the line the block opens on.
    pub(crate) base: Option<usize>,
    /// True for declaration blocks: one the author opened inline is still
    /// printed one item per line when an item cannot stay on one line.
    pub(crate) expand: bool,
}

impl Brackets {
    /// A declaration block: `{ a, b }` inline, one item per line otherwise.
    pub(crate) const BLOCK: Brackets = Brackets {
        open: "{",
        close: "}",
        pad: " ",
        inline_sep: ", ",
        trailing_comma: false,
        base: None,
        expand: true,
    };
    /// A list literal.
    pub(crate) const LIST: Brackets = Brackets {
        open: "[",
        close: "]",
        pad: "",
        inline_sep: ", ",
        trailing_comma: true,
        base: None,
        expand: false,
    };
    /// A record literal.
    pub(crate) const RECORD: Brackets = Brackets {
        open: "{",
        close: "}",
        pad: " ",
        inline_sep: ", ",
        trailing_comma: true,
        base: None,
        expand: false,
    };
    /// A map literal.
    pub(crate) const MAP: Brackets = Brackets {
        open: "{",
        close: "}",
        pad: "",
        inline_sep: ", ",
        trailing_comma: true,
        base: None,
        expand: false,
    };
    /// Arguments or parameters.
    pub(crate) const PARENS: Brackets = Brackets {
        open: "(",
        close: ")",
        pad: "",
        inline_sep: ", ",
        trailing_comma: true,
        base: None,
        expand: false,
    };
}

/// Where a bracketed list is in the source, and its items.
pub(crate) struct Region<'i> {
    /// The opening bracket, when found.
    pub(crate) open: Option<usize>,
    /// The closing bracket, when found.
    pub(crate) close: Option<usize>,
    /// Each item's source range (start, end of its code).
    pub(crate) items: &'i [(usize, usize)],
}

/// The value expression being printed, for laying out `tiered` blocks.
#[derive(Clone, Copy, Default)]
pub(crate) struct ValueCtx {
    /// Output column where the value starts.
    pub(crate) col: usize,
    /// Source start of the value expression.
    pub(crate) lo: usize,
    /// Source end of the value expression's code.
    pub(crate) hi: usize,
}

/// The formatter's state while printing one file.
pub(crate) struct Printer<'a> {
    pub(crate) src: Source<'a>,
    pub(crate) comments: Comments<'a>,
    pub(crate) out: String,
    pub(crate) value: ValueCtx,
}

impl<'a> Printer<'a> {
    pub(crate) fn new(text: &'a str, comments: &'a [Comment]) -> Self {
        Printer {
            src: Source::new(text, comments),
            comments: Comments::new(comments),
            out: String::with_capacity(text.len() + text.len() / 8),
            value: ValueCtx::default(),
        }
    }

    /// Appends text.
    pub(crate) fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Ends the current line (dropping trailing spaces), optionally leaves an
    /// empty line, and indents the new line.
    pub(crate) fn newline(&mut self, blank: bool, indent: usize) {
        let kept = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(kept);
        self.out.push('\n');
        if blank {
            self.out.push('\n');
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    fn current_line(&self) -> &str {
        match self.out.rfind('\n') {
            Some(i) => &self.out[i + 1..],
            None => &self.out,
        }
    }

    /// Indentation of the line being written.
    pub(crate) fn line_indent(&self) -> usize {
        self.current_line()
            .chars()
            .take_while(|c| *c == ' ')
            .count()
    }

    /// Column (in characters) where the next text goes.
    pub(crate) fn col(&self) -> usize {
        self.current_line().chars().count()
    }

    /// Pads the current line with spaces up to column `col`.
    pub(crate) fn pad_to(&mut self, col: usize) {
        let now = self.col();
        if col > now {
            self.out.extend(std::iter::repeat_n(' ', col - now));
        }
    }

    /// The widest line written since output position `mark` (counting the
    /// whole line `mark` is on).
    pub(crate) fn widest_since(&self, mark: usize) -> usize {
        let start = self
            .out
            .get(..mark)
            .and_then(|h| h.rfind('\n'))
            .map_or(0, |i| i + 1);
        self.out
            .get(start..)
            .unwrap_or("")
            .split('\n')
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    }

    /// A point the output and the comment marks can be rolled back to.
    pub(crate) fn mark(&self) -> (usize, usize) {
        (self.out.len(), self.comments.checkpoint())
    }

    /// Rolls output and comment marks back to `mark`.
    pub(crate) fn rollback(&mut self, mark: (usize, usize)) {
        self.out.truncate(mark.0);
        self.comments.rollback(mark.1);
    }

    /// The width `f` would print on the current line, without printing it.
    pub(crate) fn measure(&mut self, f: impl FnOnce(&mut Self)) -> usize {
        let mark = self.mark();
        let start = self.col();
        let value = self.value;
        f(self);
        let text = self.out.get(mark.0..).unwrap_or("");
        let width = match text.find('\n') {
            Some(i) => start + text[..i].chars().count(),
            None => self.col(),
        };
        self.rollback(mark);
        self.value = value;
        width.saturating_sub(start)
    }

    /// Prints the item whose code is `lo..hi` with `f`; if that leaves one
    /// of the item's comments unprinted (a comment inside an expression, a
    /// comment between keywords), prints the item's source text instead,
    /// indented at its first line only, which keeps every comment.
    pub(crate) fn guarded(&mut self, lo: usize, hi: usize, f: impl FnOnce(&mut Self)) {
        let mark = self.mark();
        let value = self.value;
        f(self);
        self.value = value;
        if self.comments.all_used(lo, hi) {
            return;
        }
        self.rollback(mark);
        self.verbatim(lo, hi);
    }

    /// Writes `lo..hi` as in the source (trailing blanks of each line
    /// removed) and marks its comments printed.
    pub(crate) fn verbatim(&mut self, lo: usize, hi: usize) {
        let text = self.src.slice(lo, hi);
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                let kept = self.out.trim_end_matches([' ', '\t']).len();
                self.out.truncate(kept);
                self.out.push('\n');
            }
            self.out.push_str(line.trim_end_matches([' ', '\t', '\r']));
        }
        self.comments.mark_within(lo, hi);
    }

    /// Writes comment `i` and marks it printed.
    pub(crate) fn comment(&mut self, i: usize) {
        if let Some(c) = self.comments.get(i) {
            self.out.push_str(&c.text);
            self.comments.mark(i);
        }
    }

    /// If the first unprinted comment in `lo..hi` has code before it on its
    /// line, writes it at the end of the current line and returns its end.
    pub(crate) fn trailing_comment(&mut self, lo: usize, hi: usize) -> Option<usize> {
        let first = *self.comments.unused_within(lo, hi).first()?;
        let c = self.comments.get(first)?;
        if !self.src.is_trailing(c) {
            return None;
        }
        self.w(COMMENT_GAP);
        self.comment(first);
        Some(c.span.hi())
    }

    /// Writes the unprinted comments in `lo..hi` on their own lines at
    /// `indent`, keeping one blank line where the author had any (except
    /// before the first when `first` is set). Returns where the last ended.
    pub(crate) fn own_line_comments(
        &mut self,
        lo: usize,
        hi: usize,
        indent: usize,
        mut first: bool,
    ) -> usize {
        let mut prev = lo;
        for i in self.comments.unused_within(lo, hi) {
            let Some(c) = self.comments.get(i) else {
                continue;
            };
            let blank = !first && self.src.has_blank_line(prev, c.span.lo());
            if !(first && self.out.is_empty()) {
                self.newline(blank, indent);
            }
            self.comment(i);
            prev = c.span.hi();
            first = false;
        }
        prev
    }

    /// True when a bracketed region is printed one item per line: the author
    /// put the first item on its own line, or there is a comment inside.
    pub(crate) fn is_multiline(&self, region: &Region<'_>) -> bool {
        let (Some(open), Some(close)) = (region.open, region.close) else {
            return false;
        };
        if self.comments.any_within(open + 1, close) {
            return true;
        }
        region
            .items
            .first()
            .is_some_and(|&(lo, _)| self.src.begins_line(lo))
    }

    /// Prints a bracketed list of items. `comma_after(i)` says that item `i`
    /// must be followed by a comma even where newlines or spaces would
    /// otherwise separate it from the next (so the next item cannot be read
    /// as a continuation of it). `item(p, i, multiline)` prints item `i`.
    pub(crate) fn brackets(
        &mut self,
        spec: &Brackets,
        region: &Region<'_>,
        comma_after: &dyn Fn(usize) -> bool,
        item: &mut dyn FnMut(&mut Self, usize, bool),
    ) {
        if self.is_multiline(region) {
            self.multiline(spec, region, comma_after, item);
            return;
        }
        let mark = self.mark();
        self.inline(spec, region, comma_after, item);
        let spans_lines = self.out.get(mark.0..).is_some_and(|t| t.contains('\n'));
        if spec.expand && spans_lines && region.open.is_some() && region.close.is_some() {
            self.rollback(mark);
            self.multiline(spec, region, comma_after, item);
        }
    }

    fn inline(
        &mut self,
        spec: &Brackets,
        region: &Region<'_>,
        comma_after: &dyn Fn(usize) -> bool,
        item: &mut dyn FnMut(&mut Self, usize, bool),
    ) {
        let items = region.items;
        self.w(spec.open);
        if !items.is_empty() {
            self.w(spec.pad);
            for i in 0..items.len() {
                if i > 0 {
                    let sep = if comma_after(i - 1) && !spec.inline_sep.starts_with(',') {
                        ", "
                    } else {
                        spec.inline_sep
                    };
                    self.w(sep);
                }
                item(self, i, false);
            }
            self.w(spec.pad);
        }
        self.w(spec.close);
    }

    fn multiline(
        &mut self,
        spec: &Brackets,
        region: &Region<'_>,
        comma_after: &dyn Fn(usize) -> bool,
        item: &mut dyn FnMut(&mut Self, usize, bool),
    ) {
        let items = region.items;
        let (Some(open), Some(close)) = (region.open, region.close) else {
            self.inline(spec, region, comma_after, item);
            return;
        };
        let base = spec.base.unwrap_or_else(|| self.line_indent());
        let inner = base + 2;
        self.w(spec.open);
        let first_lo = items.first().map_or(close, |it| it.0);
        let mut prev = self
            .trailing_comment(open + 1, first_lo)
            .unwrap_or(open + 1);
        let mut first = true;
        for (i, &(lo, hi)) in items.iter().enumerate() {
            let before = self.comments.unused_within(prev, lo);
            if !before.is_empty() {
                prev = self.own_line_comments(prev, lo, inner, first);
                first = false;
            }
            let blank = !first && self.src.has_blank_line(prev, lo);
            self.newline(blank, inner);
            first = false;
            self.guarded(lo, hi, |p| item(p, i, true));
            if spec.trailing_comma || (i + 1 < items.len() && comma_after(i)) {
                self.w(",");
            }
            let next_lo = items.get(i + 1).map_or(close, |it| it.0);
            prev = self.trailing_comment(hi, next_lo).unwrap_or(hi);
        }
        self.own_line_comments(prev, close, inner, first);
        self.newline(false, base);
        self.w(spec.close);
    }
}
