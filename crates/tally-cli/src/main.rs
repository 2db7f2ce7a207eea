//! `tally`: the command-line front end. Each subcommand is a thin layer
//! over the library crates; exit codes follow spec §8 (0 success, 1 policy,
//! data or test failure, 2 usage error).

mod check;
mod fmt;
mod output;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Tally: sales-ops policies as plain text.
#[derive(Parser)]
#[command(name = "tally", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve, type-check and lint a policy
    #[command(
        after_help = "Example:\n  tally check examples/acme/policy.tally\n  tally check policy.tally --format json --deny warnings"
    )]
    Check {
        /// The policy file
        policy: PathBuf,
        /// How to print diagnostics
        #[arg(long, value_enum, default_value_t = output::DiagFormat::Human)]
        format: output::DiagFormat,
        /// Treat warnings as errors (`--deny warnings`, for CI)
        #[arg(long, value_name = "warnings")]
        deny: Option<output::Deny>,
    },
    /// Format policy files in the one canonical layout
    #[command(
        after_help = "Example:\n  tally fmt policy.tally           rewrite in place\n  tally fmt --check policies/*.tally   exit 1 if any file is not formatted"
    )]
    Fmt {
        /// Only report files that are not formatted; change nothing
        #[arg(long)]
        check: bool,
        /// The files to format
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check {
            policy,
            format,
            deny,
        } => check::run(&policy, format, deny.is_some()),
        Command::Fmt { check, files } => fmt::run(&files, check),
    };
    ExitCode::from(code)
}
