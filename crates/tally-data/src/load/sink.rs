//! Collects load diagnostics up to a maximum number of errors and counts
//! the rest.

use crate::codes;
use tally_diagnostics::{Diagnostic, FileId, Span};

/// A file id that names no file: diagnostics about things that are not in
/// any file (rows built by a host, a table with no file) use it, and
/// render without a source snippet.
pub(crate) const NO_FILE: FileId = FileId(u32::MAX);

/// A span that points at no file.
pub(crate) fn nowhere() -> Span {
    Span::new(NO_FILE, 0, 0)
}

/// Diagnostics of one load.
#[derive(Debug)]
pub(crate) struct Sink {
    max_errors: usize,
    shown: Vec<Diagnostic>,
    errors: usize,
}

impl Sink {
    /// A sink that keeps at most `max_errors` errors.
    pub(crate) fn new(max_errors: usize) -> Sink {
        Sink {
            max_errors,
            shown: Vec::new(),
            errors: 0,
        }
    }

    /// Records a diagnostic (errors beyond the maximum are only counted).
    pub(crate) fn push(&mut self, d: Diagnostic) {
        if d.is_error() {
            self.errors += 1;
            if self.errors > self.max_errors {
                return;
            }
        }
        self.shown.push(d);
    }

    /// Takes the diagnostics of `other` (the sink of a later part of the
    /// same file), as if they had been pushed here.
    pub(crate) fn absorb(&mut self, other: Sink) {
        let unshown = other.errors - other.errors.min(other.max_errors);
        for d in other.shown {
            self.push(d);
        }
        self.errors += unshown;
    }

    /// A sink like this one, empty.
    pub(crate) fn fork(&self) -> Sink {
        Sink::new(self.max_errors)
    }

    /// Number of errors so far (shown or not).
    pub(crate) fn errors(&self) -> usize {
        self.errors
    }

    /// The diagnostics, plus one saying how many errors were not shown.
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        if self.errors > self.max_errors {
            let hidden = self.errors - self.max_errors;
            let s = if hidden == 1 { "" } else { "s" };
            self.shown.push(
                Diagnostic::error(
                    codes::TOO_MANY_ERRORS,
                    nowhere(),
                    format!(
                        "{hidden} more load error{s} not shown ({} in all)",
                        self.errors
                    ),
                )
                .with_help("fix the errors above and load again to see the rest")
                .with_note(format!(
                    "at most {} load errors are shown (the `max_errors` load limit); a host raises it with `LoadLimits::max_errors`",
                    self.max_errors
                )),
            );
        }
        self.shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_it_does_not_keep() {
        let mut sink = Sink::new(2);
        for _ in 0..5 {
            sink.push(Diagnostic::error("D0010", nowhere(), "x"));
        }
        assert_eq!(sink.errors(), 5);
        let out = sink.finish();
        assert_eq!(out.len(), 3);
        assert_eq!(out[2].message, "3 more load errors not shown (5 in all)");
    }
}
