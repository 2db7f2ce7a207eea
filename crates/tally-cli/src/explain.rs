//! `tally explain POLICY --data DIR (--deal KEY | --account KEY)`.

use crate::output;
use crate::run::DataArgs;
use std::path::Path;

/// What to explain.
pub enum Target {
    /// A row of the credited table.
    Deal(String),
    /// A row of the assigned table.
    Account(String),
    /// `TABLE:KEY`.
    Row(String, String),
}

/// Runs `explain`; returns the exit code.
pub fn run(policy: &Path, data: &DataArgs, target: Target, json: bool) -> u8 {
    let progress = crate::progress::Progress::start();
    let results = match crate::run::evaluate_for(policy, data, &progress) {
        Ok(r) => r,
        Err(code) => return code,
    };
    progress.finish();
    let (table, key) = match target {
        Target::Deal(k) => match results.deal_table() {
            Some(t) => (t, k),
            None => {
                output::error_line(
                    "the policy has no `credit` block, so there are no deals to explain",
                );
                return output::USAGE;
            }
        },
        Target::Account(k) => match results.account_table() {
            Some(t) => (t, k),
            None => {
                output::error_line(
                    "the policy has no `assign`, so there are no accounts to explain",
                );
                return output::USAGE;
            }
        },
        Target::Row(t, k) => (t, k),
    };
    match results.explain(&table, &key) {
        Ok(Some(e)) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&e).unwrap_or_default());
            } else {
                print!("{}", tally::explanation_text(&e));
            }
            output::OK
        }
        Ok(None) => {
            output::error_line(&format!("`{table}` has no row with key `{key}`"));
            output::FAILED
        }
        Err(f) => {
            output::print_diagnostics(&f.diagnostics, &f.sources, output::DiagFormat::Human);
            output::FAILED
        }
    }
}
