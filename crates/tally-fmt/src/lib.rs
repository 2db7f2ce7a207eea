//! `tally fmt`: the one canonical layout of a Tally policy.
//!
//! [`format_source`] prints a file in canonical layout, keeps every comment
//! (own-line and end-of-line, `//` and `///`), and never changes meaning:
//! the result is parsed again and compared with the input (declarations
//! ignoring spans, comments in order) before it is returned, like Cedar's
//! formatter does. Formatting is idempotent.
//!
//! The layout (the bundled `examples/acme/policy.tally` is a fixed point):
//!
//! - Two spaces of indentation per block; no trailing whitespace; the file
//!   ends with exactly one newline. Blank lines are kept where the author
//!   had one or more (as exactly one), but never at the start of the file,
//!   right after `{` or right before `}`.
//! - Every bracketed list — declaration bodies, `columns { }`, territory
//!   children, lists, maps, records, call arguments, parameters, tier
//!   bands — is printed inline when its first item is on the line of the
//!   opening bracket (and nothing inside it is a comment), otherwise one
//!   item per line. Inline: `{ a, b }`, `[a, b]`, `{"k": v}`, `{ id: v }`,
//!   `f(a, b)`, territory children `{ A  B }`, report clauses separated by
//!   spaces. One per line: declaration items need no separator;
//!   expression lists end every item with a comma. A declaration block
//!   (not an expression list) opened inline is still printed one item per
//!   line when one of its items cannot stay on one line (a multi-line list
//!   inside it, a rule whose `then` goes on its own line).
//! - Table columns: `name: Type key`, then `from "..."` / `format "..."`
//!   starting at column max(22, widest head + 2) of the block.
//! - The `=` of plan metrics, and of a multi-line `columns { }` whose
//!   columns are all named, are aligned; so are the `=>` of tier bands.
//! - A rule stays on one line unless the author began a line with `then`
//!   or the line would pass 100 columns; then `then ...` goes on the next
//!   line, one level deeper.
//! - The value of a `const`, `fn`, `let`, metric, setting or `given` stays
//!   on the line of `=` unless the author put it on the next line.
//!   Expressions are never broken by width.
//! - A `tiered` block that is a whole value indents its bands one level from
//!   its line; one inside a larger value indents them two columns from
//!   where that value starts, with `}` under that start.
//! - Comments: an own-line comment goes on its own line at the indentation
//!   of what follows it; an end-of-line comment stays at the end of its
//!   item's line, two spaces after the code. A comment the layout cannot
//!   place (inside an expression, between keywords) makes its item print
//!   exactly as written, re-indented at its first line only.

mod check;
mod comments;
mod decls;
mod exprs;
mod layout;
mod printer;

pub use check::{same_ast, same_comments};

use std::fmt;
use tally_diagnostics::{Diagnostic, FileId};
use tally_syntax::ast::{DeclKind, Module};

/// Why a file was not formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// The source has syntax errors (the parser's diagnostics); broken
    /// declarations are never reformatted.
    Syntax(Vec<Diagnostic>),
    /// The formatted text would not have meant the same as the source (a
    /// formatter bug); the explanation says what differed. Nothing should
    /// be written back.
    SelfCheck(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(diags) => {
                let n = diags.len();
                write!(f, "cannot format a file with syntax errors ({n} found)")?;
                if let Some(first) = diags.first() {
                    write!(f, "; the first: {}", first.message)?;
                }
                Ok(())
            }
            FormatError::SelfCheck(why) => write!(
                f,
                "the formatter's self-check failed, so the file was left as it is: {why}"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a whole file. Errors when the source has syntax errors (returns
/// the parse diagnostics) or when the self-check fails.
pub fn format_source(src: &str) -> Result<String, FormatError> {
    let parsed = tally_syntax::parse(FileId(0), src);
    let broken = parsed
        .module
        .decls
        .iter()
        .any(|d| matches!(d.kind, DeclKind::Error(_)));
    if broken || parsed.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(FormatError::Syntax(parsed.diagnostics));
    }
    let text = format_module(src, &parsed.module);
    let again = tally_syntax::parse(FileId(0), &text);
    if let Some(d) = again.diagnostics.first() {
        return Err(FormatError::SelfCheck(format!(
            "the formatted text does not parse: {}",
            d.message
        )));
    }
    if !same_ast(&parsed.module, &again.module) || !same_comments(&parsed.module, &again.module) {
        return Err(FormatError::SelfCheck(check::first_difference(
            &parsed.module,
            &again.module,
        )));
    }
    Ok(text)
}

/// Prints `module` (parsed from `src`) in canonical layout, without the
/// self-check.
fn format_module(src: &str, module: &Module) -> String {
    let mut p = printer::Printer::new(src, &module.comments);
    p.module(module);
    let mut out = String::with_capacity(p.out.len() + 1);
    for line in p.out.lines() {
        out.push_str(line.trim_end_matches([' ', '\t', '\r']));
        out.push('\n');
    }
    let kept = out.trim_end_matches('\n').len();
    out.truncate(kept);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}
