//! `tally-bench`: generates benchmark data and policies, and times Tally's
//! phases on them.
//!
//! ```text
//! cargo run -p tally-bench --release -- gen --accounts 200000 --rules 2000 --out target/bench/200k
//! cargo run -p tally-bench --release -- run target/bench/200k --out target/bench/200k/tally-out
//! ```

use tally_bench::{gen, timing};

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "tally-bench",
    about = "Benchmark data generator and timing driver"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate data files, rules.csv and policy.tally (fixed seed)
    Gen {
        /// Number of accounts (ten opportunities each)
        #[arg(long, default_value_t = 1000)]
        accounts: usize,
        /// Number of territory assignment rules
        #[arg(long, default_value_t = 100)]
        rules: usize,
        /// Output directory
        #[arg(long)]
        out: PathBuf,
        /// Random seed
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Number of territories (default: one per two rules)
        #[arg(long)]
        territories: Option<usize>,
    },
    /// Run Tally on a generated directory, write the report CSVs and print
    /// the time of each phase as JSON
    Run {
        /// A directory made by `gen`
        dir: PathBuf,
        /// Where to write the report CSVs
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Gen {
            accounts,
            rules,
            out,
            seed,
            territories,
        } => {
            let shape = gen::Shape {
                accounts,
                rules,
                opportunities_per_account: 10,
                seed,
                territories,
            };
            gen::generate(&shape, &out).map_err(|e| e.to_string())
        }
        Command::Run { dir, out } => timing::run(&dir, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
