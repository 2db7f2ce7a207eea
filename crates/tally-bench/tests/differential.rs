//! Differential tests: on generated policies and data, the optimised engine
//! (rule dispatch and `where` indexes) gives exactly the same tables as the
//! reference evaluation (row by row, no indexes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use proptest::prelude::*;
use tally::{Limits, Policy};
use tally_bench::gen::{generate, Shape};

fn check(seed: u64, accounts: usize, rules: usize) {
    let dir = std::env::temp_dir().join(format!(
        "tally-diff-{}-{seed}-{accounts}-{rules}",
        std::process::id()
    ));
    let shape = Shape {
        accounts,
        rules,
        opportunities_per_account: 10,
        seed,
    };
    generate(&shape, &dir).unwrap();
    let policy = Policy::compile_file(&dir.join("policy.tally"))
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .load_dir(&dir.join("data"))
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let fast = policy.evaluate(&data, Limits::default()).unwrap();
    let slow = policy.evaluate_reference(&data, Limits::default()).unwrap();
    for table in &policy.program().tables {
        let (a, b) = (fast.csv(&table.name), slow.csv(&table.name));
        assert_eq!(
            a, b,
            "table {} differs (seed {seed}, {accounts} accounts, {rules} rules)",
            table.name
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fixed_case() {
    check(7, 150, 30);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    #[test]
    fn optimised_and_reference_agree(seed in 0u64..1_000_000, accounts in 10usize..120, rules in 2usize..40) {
        check(seed, accounts, rules);
    }
}
