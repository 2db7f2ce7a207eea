//! Shared output helpers: diagnostics rendering and atomic file writes.

use std::io::{IsTerminal, Write};
use std::path::Path;
use tally::{render_human, render_json, Diagnostic, RenderOptions, SourceMap};

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagFormat {
    /// Compiler-style text with the source line underlined
    Human,
    /// A JSON array, for tools
    Json,
}

/// What `--deny` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Fail on warnings too
    Warnings,
}

/// Exit code for success.
pub const OK: u8 = 0;
/// Exit code for policy, data or test failures.
pub const FAILED: u8 = 1;
/// Exit code for usage errors (bad arguments, unreadable files).
pub const USAGE: u8 = 2;

/// True when colours should be used on stdout.
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// True when colours should be used on stderr.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints diagnostics to stderr in the chosen format.
pub fn print_diagnostics(diags: &[Diagnostic], sources: &SourceMap, format: DiagFormat) {
    let text = match format {
        DiagFormat::Human => render_human(
            diags,
            sources,
            RenderOptions {
                color: stderr_color(),
            },
        ),
        DiagFormat::Json => render_json(diags, sources) + "\n",
    };
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// A one-line summary such as `2 errors and 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Prints a plain error line (for problems that are not diagnostics).
pub fn error_line(message: &str) {
    let head = if stderr_color() {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let _ = writeln!(std::io::stderr(), "{head}: {message}");
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, then a rename, so a failure never leaves a partial file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tally-tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
