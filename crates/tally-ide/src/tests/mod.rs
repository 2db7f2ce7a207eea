//! Every feature on the Acme policy (`examples/acme/policy.tally`), with
//! snapshots of what an editor would show.

mod broken;
mod features;
mod imports;

use crate::Analysis;
use tally_diagnostics::Span;

const ACME: &str = include_str!("../../../../examples/acme/policy.tally");

fn acme() -> Analysis {
    Analysis::new("policy.tally", ACME, &tally_check::NoImports)
}

fn analyse(text: &str) -> Analysis {
    Analysis::new("policy.tally", text, &tally_check::NoImports)
}

/// The offset of the `nth` (0-based) occurrence of `needle`, plus `delta`.
fn at(text: &str, needle: &str, nth: usize, delta: usize) -> usize {
    text.match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i + delta)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not found"))
}

/// `line:col-line:col `text`` for a span of the analysed program.
fn show(a: &Analysis, s: Span) -> String {
    let Some(file) = a.source(s.file) else {
        return format!("{s:?}");
    };
    let (b, e) = (file.line_col(s.lo()), file.line_col(s.hi()));
    let text = file.text.get(s.lo()..s.hi()).unwrap_or("");
    let name = if s.file == a.file() {
        ""
    } else {
        file.name.as_str()
    };
    format!("{name}{}:{}-{}:{} `{text}`", b.line, b.col, e.line, e.col)
}
