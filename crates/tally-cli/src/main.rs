//! `tally`: the command-line front end. Each subcommand is a thin layer
//! over the library crates; exit codes follow spec §8 (0 success, 1 policy,
//! data or test failure, 2 usage error).

mod check;
mod diff;
mod explain;
mod fmt;
mod lsp;
mod output;
mod progress;
mod repl;
mod run;
mod test;

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
        /// Also load this data and check it: unmatched rows, uncredited deals,
        /// shares not adding to 100%, effective-date gaps and overlaps, zero quotas
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Read one table from a given file: `--table accounts=crm/accounts.csv`
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<String>,
        /// How to print diagnostics
        #[arg(long, value_enum, default_value_t = output::DiagFormat::Human)]
        format: output::DiagFormat,
        /// Treat warnings as errors (`--deny warnings`, for CI)
        #[arg(long, value_name = "warnings")]
        deny: Option<output::Deny>,
    },
    /// Compare two versions of a policy on the same data: territory, credit and plan changes
    #[command(
        after_help = "Examples:\n  tally diff main/policy.tally policy.tally --data examples/acme/data\n  tally diff old.tally new.tally --data data --format md --out diff.md   (a pull-request comment)\n\nExit 0 whether or not anything changed, 1 when either policy fails, 2 on usage errors."
    )]
    Diff {
        /// The policy before the change
        old: PathBuf,
        /// The policy after the change
        new: PathBuf,
        /// Directory with one file per table (`<table>.csv|.json|.jsonl|.xlsx`)
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Read one table from a given file: `--table accounts=crm/accounts.csv`
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<String>,
        /// Output format: table, md (a pull-request comment), csv or json
        #[arg(long, value_enum, default_value_t = run::Format::Table, hide_possible_values = true)]
        format: run::Format,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Evaluate a policy over data and print its reports
    #[command(
        after_help = "Examples:\n  tally run examples/acme/policy.tally --data examples/acme/data\n  tally run policy.tally --data data --report attainment --format csv\n  tally run policy.tally --data data --format csv --out reports/\n  tally run policy.tally --data data --format xlsx --out reports.xlsx"
    )]
    Run {
        /// The policy file
        policy: PathBuf,
        /// Directory with one file per table (`<table>.csv|.json|.jsonl|.xlsx`)
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Read one table from a given file: `--table accounts=crm/accounts.csv`
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<String>,
        /// Only these reports (repeatable); all reports by default
        #[arg(long = "report", value_name = "NAME")]
        reports: Vec<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = run::Format::Table)]
        format: run::Format,
        /// Write to this file (or directory, for several CSV reports) instead of stdout
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Evaluate one expression over the policy's results
    #[command(
        after_help = "Examples:\n  tally query examples/acme/policy.tally --data examples/acme/data 'credits.where(deal == \"O-003\").sum(amount)'\n  tally query policy.tally --data data 'ae_comp.where(payout > 10_000 USD)'"
    )]
    Query {
        /// The policy file
        policy: PathBuf,
        /// The expression (a table expression prints as a table)
        expr: String,
        /// Directory with one file per table
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Read one table from a given file: `--table accounts=crm/accounts.csv`
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = run::Format::Table)]
        format: run::Format,
        /// Write to this file instead of stdout
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Run the `test` and `golden` blocks of policies
    #[command(
        after_help = "Examples:\n  tally test examples/acme/policy.tally --data examples/acme/data\n  tally test policy.tally --data data --junit test-results.xml --coverage\n  tally test policy.tally --data data --bless        write or refresh golden files\n  tally test policy.tally --filter 'split*'           run a subset"
    )]
    Test {
        /// The policy files
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// The run's data, for tests without `given` and goldens without `data`
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Read one table from a given file: `--table accounts=crm/accounts.csv`
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<String>,
        /// Write or refresh golden files instead of comparing them
        #[arg(long)]
        bless: bool,
        /// Write JUnit XML for CI systems to this file
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// List every assign and credit rule with how many rows it fired for
        #[arg(long)]
        coverage: bool,
        /// Only run tests whose name matches (substring, or `*` wildcards)
        #[arg(long, value_name = "PATTERN")]
        filter: Option<String>,
    },
    /// Show every decision behind one deal's credits or one account's territory
    #[command(
        after_help = "Examples:\n  tally explain examples/acme/policy.tally --data examples/acme/data --deal O-003\n  tally explain examples/acme/policy.tally --data examples/acme/data --account A-006\n  tally explain policy.tally --data data --row reps:R-10 --format json"
    )]
    Explain {
        /// The policy file
        policy: PathBuf,
        /// Directory with one file per table
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
        /// Read one table from a given file: `--table accounts=crm/accounts.csv`
        #[arg(long = "table", value_name = "NAME=PATH")]
        tables: Vec<String>,
        /// A row of the credited table (its key)
        #[arg(long, value_name = "KEY", conflicts_with_all = ["account", "row"])]
        deal: Option<String>,
        /// A row of the table territories are assigned to (its key)
        #[arg(long, value_name = "KEY", conflicts_with = "row")]
        account: Option<String>,
        /// Any keyed row: `TABLE:KEY`
        #[arg(long, value_name = "TABLE:KEY")]
        row: Option<String>,
        /// `text` for people, `json` for tools
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Explore a policy's results interactively
    #[command(
        after_help = "Examples:\n  tally repl examples/acme/policy.tally --data examples/acme/data\n  echo 'credits.where(deal == \"O-003\").sum(amount)' | tally repl examples/acme/policy.tally --data examples/acme/data"
    )]
    Repl {
        /// The policy file (or `:load` it later)
        policy: Option<PathBuf>,
        /// Directory with one file per table (or `:data` it later)
        #[arg(long, value_name = "DIR")]
        data: Option<PathBuf>,
    },
    /// Format policy files in the one canonical layout
    #[command(
        after_help = "Example:\n  tally fmt policy.tally           rewrite in place\n  tally fmt --check policies/*.tally   exit 1 if any file is not formatted"
    )]
    Fmt {
        /// Only report files that are not formatted; change nothing
        #[arg(long)]
        check: bool,
        /// The files to format (`-`: read stdin, write the result to stdout)
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run the language server on stdin/stdout
    #[command(after_help = "Example (what an editor runs; see the editors/ folder):\n  tally lsp")]
    Lsp,
}

/// Output of `tally explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ExplainFormat {
    /// Readable text
    Text,
    /// JSON
    Json,
}

fn main() -> ExitCode {
    // An interrupted run leaves no temporary file behind (exit code 130).
    output::install_interrupt_handler();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check {
            policy,
            data,
            tables,
            format,
            deny,
        } => check::run(
            &policy,
            &run::DataArgs { dir: data, tables },
            format,
            deny.is_some(),
        ),
        Command::Fmt { check, files } => fmt::run(&files, check),
        Command::Lsp => lsp::run(),
        Command::Repl { policy, data } => repl::run(policy.as_deref(), data.as_deref()),
        Command::Diff {
            old,
            new,
            data,
            tables,
            format,
            out,
        } => diff::run(
            &old,
            &new,
            &run::DataArgs { dir: data, tables },
            format,
            out.as_deref(),
        ),
        Command::Explain {
            policy,
            data,
            tables,
            deal,
            account,
            row,
            format,
        } => {
            let target = match (deal, account, row) {
                (Some(d), _, _) => Some(explain::Target::Deal(d)),
                (_, Some(a), _) => Some(explain::Target::Account(a)),
                (_, _, Some(r)) => r
                    .split_once(':')
                    .map(|(t, k)| explain::Target::Row(t.to_string(), k.to_string())),
                _ => None,
            };
            match target {
                Some(t) => explain::run(
                    &policy,
                    &run::DataArgs { dir: data, tables },
                    t,
                    format == ExplainFormat::Json,
                ),
                None => {
                    output::error_line(
                        "say what to explain: `--deal KEY`, `--account KEY` or `--row TABLE:KEY`",
                    );
                    output::USAGE
                }
            }
        }
        Command::Test {
            policies,
            data,
            tables,
            bless,
            junit,
            coverage,
            filter,
        } => test::run(&test::TestArgs {
            policies,
            data: run::DataArgs { dir: data, tables },
            bless,
            junit,
            coverage,
            filter,
        }),
        Command::Run {
            policy,
            data,
            tables,
            reports,
            format,
            out,
        } => run::run(
            &policy,
            &run::DataArgs { dir: data, tables },
            &reports,
            format,
            out.as_deref(),
        ),
        Command::Query {
            policy,
            expr,
            data,
            tables,
            format,
            out,
        } => run::query(
            &policy,
            &run::DataArgs { dir: data, tables },
            &expr,
            format,
            out.as_deref(),
        ),
    };
    ExitCode::from(code)
}
