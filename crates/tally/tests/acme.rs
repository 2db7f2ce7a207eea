//! The bundled example: every report prints exactly `expected/<name>.csv`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn check_example(dir: &str) {
    let acme = root().join(dir);
    let results = tally::policy::run_files(
        &acme.join("policy.tally"),
        &acme.join("data"),
        tally::Limits::default(),
    )
    .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let mut failures = Vec::new();
    for name in results.report_names() {
        let expected = std::fs::read_to_string(acme.join(format!("expected/{name}.csv"))).unwrap();
        let got = results.csv(&name).unwrap();
        if got != expected {
            failures.push(format!("== {name}\n-- expected\n{expected}-- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn acme_reports_match_the_expected_files() {
    check_example("examples/acme");
}

/// Northwind's expected files were checked by hand (see the comments in
/// its README): calendar fiscal year, EUR, half-up rounding, unique rules,
/// retro tiers, JSON Lines, header aliases, a date format, Bool spellings.
#[test]
fn northwind_reports_match_the_expected_files() {
    check_example("examples/northwind");
}

#[test]
fn two_runs_give_the_same_bytes() {
    let acme = root().join("examples/acme");
    let run = || {
        let r = tally::policy::run_files(
            &acme.join("policy.tally"),
            &acme.join("data"),
            tally::Limits::default(),
        )
        .unwrap();
        r.report_names()
            .iter()
            .map(|n| r.csv(n).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(run(), run());
}

/// The examples' own `test` and `golden` blocks pass (the Northwind test
/// gives rows for a table whose key column is read from another header).
#[test]
fn the_examples_own_tests_pass() {
    for dir in ["examples/acme", "examples/northwind"] {
        let root = root().join(dir);
        let path = root.join("policy.tally");
        let policy =
            tally::Policy::compile_file(&path).unwrap_or_else(|f| panic!("{}", f.render(false)));
        let options = tally::testing::TestOptions {
            data: Some(tally::DataSources::in_dir(root.join("data"))),
            ..Default::default()
        };
        let report = tally::testing::run_tests(&policy, &path, &options);
        assert_eq!(report.failures(), 0, "{dir}: {:#?}", report.cases);
        assert!(report.cases.len() >= 2);
    }
}
