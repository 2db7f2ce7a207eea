//! `tally test POLICY...`: run `test` and `golden` blocks.

use crate::output;
use crate::run::DataArgs;
use std::path::{Path, PathBuf};
use tally::testing::{junit_xml, run_tests, BlessOutcome, Outcome, TestOptions, TestReport};
use tally::Policy;

/// What `tally test` was asked.
pub struct TestArgs {
    /// Policies to test.
    pub policies: Vec<PathBuf>,
    /// The run's data.
    pub data: DataArgs,
    /// Rewrite golden files.
    pub bless: bool,
    /// Write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// List rules with their firing counts.
    pub coverage: bool,
    /// Only tests whose name matches.
    pub filter: Option<String>,
}

fn paint(code: &str, text: &str) -> String {
    if output::stdout_color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn print_report(report: &TestReport) {
    println!("{}", report.policy);
    for case in &report.cases {
        let title = format!("{} \"{}\"", case.kind, case.name);
        match &case.outcome {
            Outcome::Passed => println!("  {}  {title}", paint("32", "ok  ")),
            Outcome::Blessed(b) => {
                let word = match b {
                    BlessOutcome::Created => "created",
                    BlessOutcome::Updated => "updated",
                    BlessOutcome::Unchanged => "unchanged",
                };
                println!(
                    "  {}  {title} ({word} its golden file)",
                    paint("36", "bless")
                );
            }
            Outcome::Failed(why) => {
                println!("  {}  {title}  ({})", paint("31", "FAIL"), case.location);
                for line in why.lines() {
                    println!("        {line}");
                }
            }
        }
    }
    if let Some(cov) = &report.coverage {
        println!("\ncoverage (rows each rule fired for):");
        let width = cov
            .iter()
            .map(|c| c.block.len() + c.label.len() + 3)
            .max()
            .unwrap_or(0);
        for c in cov {
            let name = format!("{} \"{}\"", c.block, c.label);
            let flag = if c.count == 0 {
                paint("33", "  never fired")
            } else {
                String::new()
            };
            println!("  {name:<width$}  {:>6}  {}{flag}", c.count, c.location);
        }
        let never = cov.iter().filter(|c| c.count == 0).count();
        println!("  {} of {} rules never fired", never, cov.len());
    }
}

/// Runs the tests of every policy; returns the exit code.
pub fn run(args: &TestArgs) -> u8 {
    let options = TestOptions {
        data: match (&args.data.dir, args.data.tables.is_empty()) {
            (None, true) => None,
            _ => match args.data.sources() {
                Ok(s) => Some(s),
                Err(e) => {
                    output::error_line(&e);
                    return output::USAGE;
                }
            },
        },
        filter: args.filter.clone(),
        bless: args.bless,
        coverage: args.coverage,
        limits: tally::Limits::default(),
        // Blessed files are written like `--out`: a temporary file that
        // Ctrl-C removes, renamed into place.
        write: Some(output::write_atomic),
    };
    let mut reports = Vec::new();
    let mut setup_failed = false;
    for path in &args.policies {
        match Policy::compile_file(path) {
            Ok(policy) => {
                let report = run_tests(&policy, path, &options);
                print_report(&report);
                reports.push(report);
            }
            Err(f) => {
                if f.sources.iter().next().is_none() {
                    output::error_line(&crate::output::first_message(&f.diagnostics, path));
                    return output::USAGE;
                }
                output::print_diagnostics(&f.diagnostics, &f.sources, output::DiagFormat::Human);
                setup_failed = true;
            }
        }
    }
    if let Some(junit) = &args.junit {
        if let Err(e) = output::write_atomic(Path::new(junit), junit_xml(&reports).as_bytes()) {
            output::error_line(&format!("cannot write `{}`: {e}", junit.display()));
            return output::FAILED;
        }
    }
    let failed: usize = reports.iter().map(TestReport::failures).sum();
    let total: usize = reports.iter().map(|r| r.cases.len()).sum();
    println!("\n{} passed, {failed} failed", total - failed);
    if failed > 0 || setup_failed {
        output::FAILED
    } else {
        output::OK
    }
}
