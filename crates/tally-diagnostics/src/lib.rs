//! Source files, byte spans and compiler-style diagnostics shared by every
//! phase of Tally (parser, checker, loader, evaluator).
//!
//! A [`Diagnostic`] carries a stable code (`E0101`), a severity, a one-line
//! message in plain words, a primary [`Label`] pointing into a source file,
//! optional secondary labels, and an optional `help:` suggestion. It renders
//! either for people ([`render_human`]) or for tools ([`render_json`]).

mod render;
mod source;
mod suggest;

pub use render::{render_human, render_json, RenderOptions};
pub use source::{FileId, LineCol, SourceFile, SourceMap};
pub use suggest::{closest, closest_many};

use serde::Serialize;

/// A half-open byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The start as a `usize` offset.
    pub fn lo(self) -> usize {
        self.start as usize
    }

    /// The end as a `usize` offset.
    pub fn hi(self) -> usize {
        self.end as usize
    }

    /// True when `offset` lies inside the span (end inclusive, so a cursor
    /// just after a name still counts as on it).
    pub fn contains(self, offset: usize) -> bool {
        self.lo() <= offset && offset <= self.hi()
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A problem that stops the policy from running.
    Error,
    /// Something that is probably a mistake but does not stop the run.
    Warning,
}

impl Severity {
    /// The word shown before the code: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A span with an optional short message shown under the underline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where the label points.
    pub span: Span,
    /// The text printed next to the underline (may be empty).
    pub message: String,
}

impl Label {
    /// A label at `span` with `message`.
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One finding about a policy or its data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `E0101` (errors) or `W0101` (warnings).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One line in plain words: lowercase, no final period.
    pub message: String,
    /// The place the diagnostic is about.
    pub primary: Label,
    /// Further related places (e.g. the earlier rule that covers this one).
    pub secondary: Vec<Label>,
    /// A suggestion, printed as `help: ...`.
    pub help: Option<String>,
    /// Extra facts, printed as `note: ...`.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error with `code` and `message` at `span`.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, span, message)
    }

    /// A warning with `code` and `message` at `span`.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, span, message)
    }

    fn new(severity: Severity, code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the text under the primary underline.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label::new(span, message));
        self
    }

    /// Sets the `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the `help:` line when `help` is `Some`.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a `note:` line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file and position, errors before warnings at the
/// same place, and removes exact duplicates.
pub fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.severity,
            a.code,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.severity,
                b.code,
            ))
    });
    diags.dedup();
}
