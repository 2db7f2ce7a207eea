//! Shared output helpers: diagnostics rendering and atomic file writes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
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

/// The message of a failure that has no source to show (the policy file
/// itself could not be read): its first diagnostic, or a generic line.
pub fn first_message(diagnostics: &[tally::Diagnostic], path: &std::path::Path) -> String {
    diagnostics
        .first()
        .map(|d| d.message.clone())
        .unwrap_or_else(|| format!("cannot read `{}`", path.display()))
}

/// Prints a plain error line (for problems that are not diagnostics):
/// `error: MESSAGE` on stderr, red on a terminal.
pub fn error_line(message: &str) {
    let head = if stderr_color() {
        "\x1b[1;31merror\x1b[0m"
    } else {
        "error"
    };
    let _ = writeln!(std::io::stderr(), "{head}: {message}");
}

/// Temporary files being written right now (by [`write_atomic`]). An
/// interrupted run removes them ([`remove_pending`]) before it exits.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The registry of temporary files, even if a thread panicked holding it.
fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, then a rename, so a failure never leaves a partial file.
///
/// The temporary file is created and registered, and later renamed and
/// unregistered, while holding the registry's lock, so an interruption
/// ([`install_interrupt_handler`]) either finds it registered and removes
/// it, or comes before it exists or after it was renamed.
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
    let created = {
        let mut list = pending();
        let file = std::fs::File::create(&tmp);
        if file.is_ok() {
            list.push(tmp.clone());
        }
        file
    };
    let result = created.and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    let mut list = pending();
    let result = result.and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    list.retain(|p| p != &tmp);
    result
}

/// Removes every temporary file still being written and returns how many
/// there were. The registry stays locked until the returned guard is
/// dropped, so no write can register (or rename) another one meanwhile.
pub fn remove_pending() -> (usize, MutexGuard<'static, Vec<PathBuf>>) {
    let mut list = pending();
    let n = list.len();
    for tmp in list.drain(..) {
        let _ = std::fs::remove_file(&tmp);
    }
    (n, list)
}

/// Exit code of a run interrupted by Ctrl-C (128 + SIGINT), as shells use.
pub const INTERRUPTED: i32 = 130;

/// On Ctrl-C (SIGINT, and SIGTERM), remove the temporary files of writes in
/// progress and exit with [`INTERRUPTED`]: an interrupted run leaves
/// neither a partial output nor a temporary file behind. The REPL reads
/// its terminal in raw mode, where Ctrl-C is a key that cancels the entry,
/// not a signal.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        // Keep the registry locked while exiting: no write gets further.
        let (_removed, _locked) = remove_pending();
        std::process::exit(INTERRUPTED);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry is global: these tests take turns.
    static TURN: Mutex<()> = Mutex::new(());

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tally-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(std::fs::create_dir_all(&dir).is_ok());
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn a_write_leaves_only_its_file_and_unregisters_its_temporary() {
        let _turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = scratch("write");
        let path = dir.join("out.csv");
        assert!(write_atomic(&path, b"a,b\n").is_ok());
        assert_eq!(entries(&dir), ["out.csv"]);
        assert!(!pending().iter().any(|p| p.starts_with(&dir)));
        // A failed write (its directory does not exist) leaves nothing.
        assert!(write_atomic(&dir.join("missing/out.csv"), b"x").is_err());
        assert_eq!(entries(&dir), ["out.csv"]);
        assert!(!pending().iter().any(|p| p.starts_with(&dir)));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_interruption_removes_the_temporary_files_being_written() {
        let _turn = TURN.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = scratch("interrupt");
        // As if a write were in progress: created and registered.
        let tmp = dir.join(".out.csv.tally-tmp-1");
        assert!(std::fs::write(&tmp, b"partial").is_ok());
        pending().push(tmp.clone());
        let (removed, locked) = remove_pending();
        assert!(removed >= 1);
        assert!(locked.is_empty());
        drop(locked);
        assert_eq!(entries(&dir), Vec::<String>::new());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
