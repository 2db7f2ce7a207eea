//! `tally test` on the Acme example catches policy changes: each mutation of
//! a copy of the policy makes a golden test fail with a readable diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use tally::testing::{run_tests, Outcome, TestOptions};
use tally::{DataSources, Policy};

fn acme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme")
}

/// Runs the tests of the Acme policy with `from` replaced by `to`, returning
/// the failure texts.
fn failures_after(from: &str, to: &str) -> String {
    let original = std::fs::read_to_string(acme().join("policy.tally")).unwrap();
    assert!(
        original.contains(from),
        "mutation target `{from}` not found"
    );
    let mutated = original.replacen(from, to, 1);
    // The mutated policy sits next to the real one so golden paths resolve.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = acme().join(format!("mutated-{}-{n}.tally", std::process::id()));
    std::fs::write(&path, &mutated).unwrap();
    let policy = Policy::compile_file(&path);
    let _ = std::fs::remove_file(&path);
    let policy = policy.unwrap_or_else(|f| panic!("{}", f.render(false)));
    let options = TestOptions {
        data: Some(DataSources::in_dir(acme().join("data"))),
        ..TestOptions::default()
    };
    let report = run_tests(&policy, &path, &options);
    report
        .cases
        .iter()
        .filter_map(|c| match &c.outcome {
            Outcome::Failed(why) => Some(format!("{} \"{}\":\n{why}", c.kind, c.name)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_unchanged_policy_passes() {
    assert_eq!(
        failures_after("rounding = half_even", "rounding = half_even"),
        ""
    );
}

#[test]
fn a_tier_rate() {
    insta::assert_snapshot!(failures_after("above      => 12%", "above      => 15%"));
}

#[test]
fn a_split_share() {
    insta::assert_snapshot!(failures_after(
        "owner gets 60%, co_owner gets 40%",
        "owner gets 50%, co_owner gets 50%"
    ));
}

#[test]
fn a_territory_rule() {
    insta::assert_snapshot!(failures_after(
        r#"state in ["NY", "NJ", "MA"] then NA_East"#,
        r#"state in ["NY", "NJ"] then NA_East"#
    ));
}

#[test]
fn a_segment_threshold() {
    insta::assert_snapshot!(failures_after("employees >= 1000", "employees >= 1500"));
}

#[test]
fn a_stage_probability() {
    insta::assert_snapshot!(failures_after(r#""Proposal": 50%"#, r#""Proposal": 60%"#));
}

#[test]
fn a_rollup() {
    insta::assert_snapshot!(failures_after(
        "rollup revenue via manager as manager",
        "rollup overlay via manager as manager"
    ));
}

#[test]
fn a_cap() {
    insta::assert_snapshot!(failures_after(
        "min(commission, 15_000 USD)",
        "min(commission, 17_500 USD)"
    ));
}
