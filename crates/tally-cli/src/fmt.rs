//! `tally fmt [--check] FILE...`: canonical formatting.

use crate::output;
use std::path::PathBuf;

/// Formats (or checks) every file; returns the exit code.
pub fn run(files: &[PathBuf], check_only: bool) -> u8 {
    let mut code = output::OK;
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                output::error_line(&format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    tally::read_error_reason(&e)
                ));
                code = code.max(output::USAGE);
                continue;
            }
        };
        let formatted = match tally_fmt::format_source(&text) {
            Ok(f) => f,
            Err(tally_fmt::FormatError::Syntax(diags)) => {
                let mut sources = tally::SourceMap::new();
                sources.add(path.display().to_string(), text.clone());
                output::print_diagnostics(&diags, &sources, output::DiagFormat::Human);
                output::error_line(&format!(
                    "`{}` was not formatted because it does not parse",
                    path.display()
                ));
                code = code.max(output::FAILED);
                continue;
            }
            Err(e) => {
                output::error_line(&format!("`{}` was not formatted: {e}", path.display()));
                code = code.max(output::FAILED);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check_only {
            let line = first_difference(&text, &formatted);
            eprintln!(
                "{}:{line}: not formatted (run `tally fmt {}`)",
                path.display(),
                path.display()
            );
            code = code.max(output::FAILED);
        } else if let Err(e) = output::write_atomic(path, formatted.as_bytes()) {
            output::error_line(&format!("cannot write `{}`: {e}", path.display()));
            code = code.max(output::FAILED);
        } else {
            eprintln!("formatted {}", path.display());
        }
    }
    code
}

/// The 1-based line where two texts first differ.
fn first_difference(a: &str, b: &str) -> usize {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()))
        + 1
}
