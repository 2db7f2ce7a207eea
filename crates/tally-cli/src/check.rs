//! `tally check POLICY`: parse, resolve, type-check and lint.

use crate::output::{self, DiagFormat};
use std::path::Path;

/// Runs the check and returns the exit code.
pub fn run(policy: &Path, format: DiagFormat, deny_warnings: bool) -> u8 {
    let compiled = match tally::compile_file(policy) {
        Ok(c) => c,
        Err(e) => {
            output::error_line(&format!("cannot read `{}`: {e}", policy.display()));
            return output::USAGE;
        }
    };
    let diags = &compiled.diagnostics;
    output::print_diagnostics(diags, &compiled.program.sources, format);
    let failed = compiled.has_errors() || (deny_warnings && !diags.is_empty());
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
