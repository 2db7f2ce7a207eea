//! `tally fmt [--check] FILE...`: canonical formatting. `-` as the file
//! reads the policy from stdin and writes it, formatted, to stdout (for
//! editors' format-on-save).

use crate::output;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Formats (or checks) every file; returns the exit code.
pub fn run(files: &[PathBuf], check_only: bool) -> u8 {
    let mut code = output::OK;
    for path in files {
        if path.as_os_str() == "-" {
            code = code.max(stdin_to_stdout(check_only));
            continue;
        }
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
        let formatted = match format(path, &text) {
            Ok(f) => f,
            Err(failed) => {
                code = code.max(failed);
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

/// `text` (of the file `name`) formatted, or the exit code after the
/// reason was printed.
fn format(name: &Path, text: &str) -> Result<String, u8> {
    match tally_fmt::format_source(text) {
        Ok(f) => Ok(f),
        Err(tally_fmt::FormatError::Syntax(diags)) => {
            let mut sources = tally::SourceMap::new();
            sources.add(name.display().to_string(), text.to_string());
            output::print_diagnostics(&diags, &sources, output::DiagFormat::Human);
            output::error_line(&format!(
                "`{}` was not formatted because it does not parse",
                name.display()
            ));
            Err(output::FAILED)
        }
        Err(e) => {
            output::error_line(&format!("`{}` was not formatted: {e}", name.display()));
            Err(output::FAILED)
        }
    }
}

/// `tally fmt -`: stdin formatted to stdout (nothing on stdout when it
/// cannot be formatted); with `--check`, only the exit code and a line on
/// stderr when it is not formatted.
fn stdin_to_stdout(check_only: bool) -> u8 {
    let name = Path::new("<stdin>");
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        output::error_line(&format!(
            "cannot read `<stdin>`: {}",
            tally::read_error_reason(&e)
        ));
        return output::USAGE;
    }
    let formatted = match format(name, &text) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if check_only {
        if formatted == text {
            return output::OK;
        }
        let line = first_difference(&text, &formatted);
        eprintln!("<stdin>:{line}: not formatted");
        return output::FAILED;
    }
    match std::io::stdout().write_all(formatted.as_bytes()) {
        Ok(()) => output::OK,
        Err(e) => {
            output::error_line(&format!("cannot write to stdout: {e}"));
            output::FAILED
        }
    }
}

/// The 1-based line where two texts first differ.
fn first_difference(a: &str, b: &str) -> usize {
    a.lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or_else(|| a.lines().count().min(b.lines().count()))
        + 1
}
