//! Runtime errors: what went wrong, where in the policy, on which row, and
//! the values involved.

use tally_diagnostics::{Diagnostic, Span};

/// A runtime error of an evaluation (boxed: errors are rare and results
/// stay small).
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError(Box<EvalErrorData>);

impl std::ops::Deref for EvalError {
    type Target = EvalErrorData;
    fn deref(&self) -> &EvalErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for EvalError {
    fn deref_mut(&mut self) -> &mut EvalErrorData {
        &mut self.0
    }
}

/// What a runtime error says.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalErrorData {
    /// Stable code (`R0xxx`).
    pub code: &'static str,
    /// One line in plain words.
    pub message: String,
    /// The policy span being evaluated.
    pub span: Span,
    /// The table and row key being evaluated, e.g. `opportunities O-003`.
    pub row: Option<String>,
    /// Names and values involved, in order.
    pub values: Vec<(String, String)>,
    /// A suggestion.
    pub help: Option<String>,
    /// Further places involved (e.g. the second matching rule).
    pub related: Vec<(Span, String)>,
}

impl EvalError {
    /// An error with `code` and `message` at `span`.
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> EvalError {
        EvalError(Box::new(EvalErrorData {
            code,
            message: message.into(),
            span,
            row: None,
            values: Vec::new(),
            help: None,
            related: Vec::new(),
        }))
    }

    /// Adds a named value.
    pub fn value(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.values.push((name.into(), value.into()));
        self
    }

    /// Sets the row being evaluated, unless an inner frame already did.
    pub fn at_row(mut self, row: impl FnOnce() -> String) -> Self {
        if self.row.is_none() {
            self.row = Some(row());
        }
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related place.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push((span, message.into()));
        self
    }

    /// The error as a diagnostic (row and values become notes).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.span, self.message.clone());
        if let Some(row) = &self.row {
            d = d.with_note(format!("while evaluating {row}"));
        }
        for (name, value) in &self.values {
            d = d.with_note(format!("{name} = {value}"));
        }
        for (span, msg) in &self.related {
            d = d.with_secondary(*span, msg.clone());
        }
        if let Some(h) = &self.help {
            d = d.with_help(h.clone());
        }
        d
    }
}

/// Runtime error codes.
pub mod codes {
    /// Arithmetic overflow or division by zero.
    pub const ARITHMETIC: &str = "R0001";
    /// Money of different currencies combined.
    pub const CURRENCY: &str = "R0002";
    /// More than one rule matched under `unique`.
    pub const UNIQUE: &str = "R0003";
    /// A payee evaluated to none.
    pub const NONE_PAYEE: &str = "R0004";
    /// A rollup chain that loops.
    pub const ROLLUP_CYCLE: &str = "R0005";
    /// A zero base for relative tiers.
    pub const ZERO_BASE: &str = "R0006";
    /// A key that is not in the table (`T[key]`), or `only` on not exactly one row.
    pub const MISSING_ROW: &str = "R0007";
    /// A none value where a value is required.
    pub const NONE_VALUE: &str = "R0008";
    /// A resource limit was exceeded (rows, steps, output rows, rollup length).
    pub const LIMIT: &str = "R0009";
    /// A date computation out of range.
    pub const DATE: &str = "R0010";
}
