//! `tally check POLICY [--data DIR]`: parse, resolve, type-check and lint;
//! with data, also load-validate and run the data checks.

use crate::output::{self, DiagFormat};
use crate::run::DataArgs;
use std::path::Path;
use tally::{Diagnostic, Limits, LoadLimits, Policy, SourceMap};

/// Runs the check and returns the exit code.
pub fn run(policy: &Path, data: &DataArgs, format: DiagFormat, deny_warnings: bool) -> u8 {
    let compiled = match tally::compile_file(policy) {
        Ok(c) => c,
        Err(e) => {
            output::error_line(&format!(
                "cannot read `{}`: {}",
                policy.display(),
                tally::read_error_reason(&e)
            ));
            return output::USAGE;
        }
    };
    let mut diags: Vec<Diagnostic> = compiled.diagnostics.clone();
    let mut sources: SourceMap = compiled.program.sources.clone();
    let with_data = data.dir.is_some() || !data.tables.is_empty();
    if with_data && !compiled.has_errors() {
        match data_findings(policy, data) {
            Ok((found, src)) => {
                diags.extend(found);
                sources = src;
            }
            Err(code) => return code,
        }
    }
    report(policy, &diags, &sources, format, deny_warnings)
}

/// Loads and evaluates, then runs the data checks.
fn data_findings(policy: &Path, data: &DataArgs) -> Result<(Vec<Diagnostic>, SourceMap), u8> {
    let sources = data.sources().map_err(|e| {
        output::error_line(&e);
        output::USAGE
    })?;
    let p = Policy::compile_file(policy).map_err(|_| output::FAILED)?;
    match p.load(&sources, &LoadLimits::default()) {
        Err(f) => Ok((f.diagnostics, f.sources)),
        Ok(loaded) => match p.evaluate(&loaded, Limits::default()) {
            Err(f) => Ok((f.diagnostics, f.sources)),
            Ok(results) => Ok((
                tally::datacheck::data_checks(&results),
                results.program().sources.clone(),
            )),
        },
    }
}

fn report(
    policy: &Path,
    diags: &[Diagnostic],
    sources: &SourceMap,
    format: DiagFormat,
    deny_warnings: bool,
) -> u8 {
    output::print_diagnostics(diags, sources, format);
    let errors = diags.iter().any(Diagnostic::is_error);
    let failed = errors || (deny_warnings && !diags.is_empty());
    if !diags.is_empty() && format == DiagFormat::Human {
        let verdict = if failed { "failed" } else { "passed" };
        eprintln!(
            "\n{}: {verdict} with {}",
            policy.display(),
            output::summary(diags)
        );
    }
    if failed {
        output::FAILED
    } else {
        output::OK
    }
}
