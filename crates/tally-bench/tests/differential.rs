//! Differential tests: on generated policies and data, the optimised engine
//! (rule dispatch and `where` indexes, rows spread over threads) gives
//! exactly the same tables as the reference evaluation (row by row, no
//! indexes, one thread); and the reports, which all have a complete
//! `order by`, do not depend on the order of the rows in the data files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use proptest::prelude::*;
use tally::{Limits, Policy};
use tally_bench::gen::{generate, Shape};

/// The generator's shape: ten opportunities per account, a territory per
/// two rules.
fn shape(seed: u64, accounts: usize, rules: usize) -> Shape {
    Shape {
        accounts,
        rules,
        opportunities_per_account: 10,
        seed,
        territories: None,
    }
}

/// `territories`: that many territories instead of one per two rules
/// (several rules to a territory, as the rules curve of the benchmark has).
fn check(seed: u64, accounts: usize, rules: usize, territories: Option<usize>) {
    let dir = std::env::temp_dir().join(format!(
        "tally-diff-{}-{seed}-{accounts}-{rules}-{territories:?}",
        std::process::id()
    ));
    let shape = Shape {
        territories,
        ..shape(seed, accounts, rules)
    };
    generate(&shape, &dir).unwrap();
    let policy = Policy::compile_file(&dir.join("policy.tally"))
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .load_dir(&dir.join("data"))
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let threads = |n| Limits {
        threads: Some(n),
        ..Limits::default()
    };
    let fast = policy.evaluate(&data, threads(3)).unwrap();
    let single = policy.evaluate(&data, threads(1)).unwrap();
    let slow = policy.evaluate_reference(&data, threads(1)).unwrap();
    for table in &policy.program().tables {
        let a = fast.csv(&table.name);
        for (b, what) in [
            (slow.csv(&table.name), "reference"),
            (single.csv(&table.name), "one thread"),
        ] {
            assert_eq!(
                a, b,
                "table {} differs from the {what} evaluation (seed {seed}, {accounts} accounts, {rules} rules, {territories:?} territories)",
                table.name
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A seeded shuffle (xorshift), so a failure can be replayed.
fn shuffle<T>(items: &mut [T], mut state: u64) {
    state |= 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = usize::try_from(state % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

/// Every report is the same when the rows of every data file come in
/// another order (the generated data has one value per line).
fn check_row_order(seed: u64, accounts: usize, rules: usize, order: u64) {
    let base = std::env::temp_dir().join(format!(
        "tally-order-{}-{seed}-{accounts}-{rules}-{order}",
        std::process::id()
    ));
    let shape = shape(seed, accounts, rules);
    let (first, second) = (base.join("a"), base.join("b"));
    generate(&shape, &first).unwrap();
    std::fs::create_dir_all(second.join("data")).unwrap();
    std::fs::copy(first.join("policy.tally"), second.join("policy.tally")).unwrap();
    for entry in std::fs::read_dir(first.join("data")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        shuffle(&mut lines, order);
        let shuffled = format!("{header}\n{}\n", lines.join("\n"));
        std::fs::write(
            second.join("data").join(path.file_name().unwrap()),
            shuffled,
        )
        .unwrap();
    }
    let run = |dir: &std::path::Path| {
        let policy = Policy::compile_file(&dir.join("policy.tally")).unwrap();
        let data = policy.load_dir(&dir.join("data")).unwrap();
        let results = policy.evaluate(&data, Limits::default()).unwrap();
        results
            .report_names()
            .into_iter()
            .map(|name| (results.csv(&name), name))
            .collect::<Vec<_>>()
    };
    let (a, b) = (run(&first), run(&second));
    assert!(!a.is_empty());
    for ((x, name), (y, _)) in a.iter().zip(&b) {
        assert_eq!(
            x, y,
            "report {name} depends on the row order (seed {seed}, order {order})"
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn reports_do_not_depend_on_row_order() {
    check_row_order(11, 120, 20, 3);
}

#[test]
fn a_fixed_case() {
    check(7, 150, 30, None);
}

#[test]
fn a_fixed_case_with_few_territories() {
    check(7, 150, 30, Some(3));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]
    #[test]
    fn optimised_and_reference_agree(
        seed in 0u64..1_000_000,
        accounts in 10usize..120,
        rules in 2usize..40,
        territories in proptest::option::of(1usize..8),
    ) {
        check(seed, accounts, rules, territories);
    }

    #[test]
    fn row_order_does_not_matter(seed in 0u64..1_000_000, accounts in 10usize..80, order in 1u64..u64::MAX) {
        check_row_order(seed, accounts, 10, order);
    }
}
