//! Micro-benchmarks of the engine's hot paths, on one core, over a small
//! generated territory model (2,000 accounts, 20,000 opportunities, 2,000
//! rules): compiling the policy, reading the CSV files, territory
//! assignment, crediting, the whole evaluation, and the cent-exact
//! allocation of a split.
//!
//! `cargo bench -p tally-bench --bench hot_paths` (not part of the tests;
//! `benches/run` is the end-to-end comparison with DuckDB and pandas).
//! The policies are cut from the generated one: tables and assignment
//! only, then with crediting, then the whole policy, so the difference
//! between two benchmarks is the cost of one phase.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark code"
)]

use divan::{black_box, Bencher};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::sync::OnceLock;
use tally::{Limits, NoImports, Policy};
use tally_bench::gen::{generate, Shape};

/// The generated model's folder, made on first use.
static MODEL: OnceLock<PathBuf> = OnceLock::new();

fn main() {
    divan::main();
    if let Some(dir) = MODEL.get() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn model() -> &'static PathBuf {
    MODEL.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tally-hot-paths-{}", std::process::id()));
        let shape = Shape {
            accounts: 2_000,
            rules: 2_000,
            opportunities_per_account: 10,
            seed: 7,
            territories: None,
        };
        generate(&shape, &dir).unwrap();
        dir
    })
}

/// The generated policy cut before `marker` (the whole text for `None`).
fn policy_until(marker: Option<&str>) -> Policy {
    let text = std::fs::read_to_string(model().join("policy.tally")).unwrap();
    let text = match marker.and_then(|m| text.find(m)) {
        Some(end) => &text[..end],
        None => &text[..],
    };
    Policy::compile("policy.tally", text, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

fn one_thread() -> Limits {
    Limits {
        threads: Some(1),
        ..Limits::default()
    }
}

/// Parsing and checking the whole policy (2,000 rules, about 330 kB; its
/// `assign` is parsed in pieces on every core).
#[divan::bench(sample_count = 20)]
fn compile(bencher: Bencher) {
    let text = std::fs::read_to_string(model().join("policy.tally")).unwrap();
    bencher.bench(|| Policy::compile("policy.tally", black_box(&text), &NoImports).is_ok());
}

/// Reading and typing every CSV file of the model.
#[divan::bench(sample_count = 20)]
fn load_csv(bencher: Bencher) {
    let policy = policy_until(None);
    let data = model().join("data");
    bencher.bench_local(|| policy.load_dir(black_box(&data)).unwrap());
}

/// Territory assignment of 2,000 accounts by 2,000 rules (and nothing else).
#[divan::bench(sample_count = 20)]
fn assign(bencher: Bencher) {
    let policy = policy_until(Some("\ncredit "));
    let data = policy.load_dir(&model().join("data")).unwrap();
    bencher.bench_local(|| policy.evaluate(black_box(&data), one_thread()).unwrap());
}

/// Assignment and crediting (splits, overlay, roll-ups) of 20,000 deals.
#[divan::bench(sample_count = 20)]
fn assign_and_credit(bencher: Bencher) {
    let policy = policy_until(Some("\nplan "));
    let data = policy.load_dir(&model().join("data")).unwrap();
    bencher.bench_local(|| policy.evaluate(black_box(&data), one_thread()).unwrap());
}

/// The whole policy: assignment, crediting, the plan and four reports.
#[divan::bench(sample_count = 20)]
fn whole_policy(bencher: Bencher) {
    let policy = policy_until(None);
    let data = policy.load_dir(&model().join("data")).unwrap();
    bencher.bench_local(|| policy.evaluate(black_box(&data), one_thread()).unwrap());
}

/// A 60/40 and a three-way split of one amount, to the cent.
#[divan::bench(args = [2, 3])]
fn allocate(ways: usize) -> tally_eval::money::Parts {
    let shares: Vec<Decimal> = match ways {
        2 => vec![Decimal::new(60, 2), Decimal::new(40, 2)],
        _ => vec![Decimal::new(3333, 4); 3],
    };
    tally_eval::money::allocate(
        black_box(Decimal::new(123_456_789, 2)),
        black_box(&shares),
        2,
        tally_check::Rounding::HalfEven,
    )
}
