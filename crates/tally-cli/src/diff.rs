//! `tally diff OLD NEW --data DIR`: both policies over the same data, and
//! what the change does (the comparison itself is `tally::diff`).

use crate::output::{self, DiagFormat};
use crate::progress::Progress;
use crate::run::{DataArgs, Format};
use std::path::Path;
use tally::{DataSources, Failure, Limits, LoadLimits, Policy, Results};

/// Which policy a message is about.
#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

impl Side {
    fn word(self) -> &'static str {
        match self {
            Side::Old => "old",
            Side::New => "new",
        }
    }
}

/// Prints a failed step's diagnostics under a line naming the side.
fn report(side: Side, policy: &Path, step: &str, f: &Failure) {
    output::error_line(&format!(
        "the {} policy `{}` failed to {step}:",
        side.word(),
        policy.display()
    ));
    output::print_diagnostics(&f.diagnostics, &f.sources, DiagFormat::Human);
}

/// Compiles `policy`, loads the data with its own schema and evaluates it;
/// prints what went wrong, prefixed by the side, and returns the exit code.
fn evaluate(
    side: Side,
    policy: &Path,
    sources: &DataSources,
    progress: &Progress,
) -> Result<Results, u8> {
    progress.phase(&format!("checking the {} policy", side.word()));
    let compiled = Policy::compile_file(policy).map_err(|f| {
        if f.sources.iter().next().is_none() {
            output::error_line(&format!(
                "cannot read the {} policy `{}`",
                side.word(),
                policy.display()
            ));
            return output::USAGE;
        }
        report(side, policy, "compile", &f);
        output::FAILED
    })?;
    progress.phase(&format!("loading data for the {} policy", side.word()));
    let data = compiled
        .load(sources, &LoadLimits::default())
        .map_err(|f| {
            report(side, policy, "load the data", &f);
            output::FAILED
        })?;
    progress.phase(&format!("evaluating the {} policy", side.word()));
    compiled.evaluate(&data, Limits::default()).map_err(|f| {
        report(side, policy, "evaluate", &f);
        output::FAILED
    })
}

/// `tally diff`: evaluates both policies over the same data and prints
/// what changed. Exit 0 whether or not anything changed, 1 when either
/// policy fails to compile, load or evaluate (both are tried), 2 on usage
/// errors.
pub fn run(old: &Path, new: &Path, data: &DataArgs, format: Format, out: Option<&Path>) -> u8 {
    if format == Format::Xlsx {
        output::error_line(
            "`tally diff` writes table, md, csv or json (`--format xlsx` is for `tally run`)",
        );
        return output::USAGE;
    }
    let sources = match data.sources() {
        Ok(s) => s,
        Err(e) => {
            output::error_line(&e);
            return output::USAGE;
        }
    };
    let progress = Progress::start();
    let old_results = evaluate(Side::Old, old, &sources, &progress);
    let new_results = evaluate(Side::New, new, &sources, &progress);
    let (old_results, new_results) = match (old_results, new_results) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(a), Err(b)) => {
            progress.finish();
            return a.max(b);
        }
        (Err(code), _) | (_, Err(code)) => {
            progress.finish();
            return code;
        }
    };
    progress.phase("comparing");
    let diff = tally::diff::diff(&old_results, &new_results);
    let text = match format {
        Format::Md => diff.to_markdown(),
        Format::Csv => diff.to_csv(),
        Format::Json => diff.to_json(),
        Format::Table | Format::Xlsx => diff.to_table(),
    };
    progress.finish();
    emit(text.as_bytes(), out)
}

/// Writes `bytes` to `out` atomically, or to stdout.
fn emit(bytes: &[u8], out: Option<&Path>) -> u8 {
    match out {
        Some(path) => match output::write_atomic(path, bytes) {
            Ok(()) => output::OK,
            Err(e) => {
                output::error_line(&format!("cannot write `{}`: {e}", path.display()));
                output::FAILED
            }
        },
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(bytes);
            let _ = stdout.flush();
            output::OK
        }
    }
}
