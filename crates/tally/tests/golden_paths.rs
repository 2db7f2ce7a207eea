//! Golden files and `data` directories of a policy's `golden` blocks are
//! confined like imports: only the policy's directory and below. A policy
//! under review cannot make `tally test` show (or `--bless` overwrite) a
//! file elsewhere.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use tally::testing::{run_tests, Outcome, TestOptions};
use tally::Policy;

const POLICY: &str = r#"
table rows {
  id: Text key
}

report all "All" {
  from rows
}

golden "inside" {
  report all
  data "data"
  matches "expected/all.csv"
}

golden "parent" {
  report all
  data "data"
  matches "../outside.csv"
}

golden "absolute" {
  report all
  data "data"
  matches "/etc/hostname"
}

golden "data outside" {
  report all
  data "../data"
  matches "expected/all.csv"
}
"#;

#[test]
fn goldens_read_and_write_only_below_the_policy() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("golden_paths");
    let dir = root.join("policy");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(dir.join("data/rows.csv"), "id\nA\n").unwrap();
    std::fs::write(root.join("data/rows.csv"), "id\nB\n").unwrap();
    std::fs::write(root.join("outside.csv"), "secret\n").unwrap();
    let path = dir.join("policy.tally");
    std::fs::write(&path, POLICY).unwrap();
    let policy = Policy::compile_file(&path).unwrap_or_else(|f| panic!("{f}"));
    for bless in [true, false] {
        let options = TestOptions {
            bless,
            ..TestOptions::default()
        };
        let report = run_tests(&policy, &path, &options);
        let outcomes: Vec<(&str, &Outcome)> = report
            .cases
            .iter()
            .map(|c| (c.name.as_str(), &c.outcome))
            .collect();
        assert_eq!(outcomes.len(), 4);
        assert!(
            matches!(outcomes[0].1, Outcome::Blessed(_) | Outcome::Passed),
            "{outcomes:?}"
        );
        for (name, outcome) in &outcomes[1..] {
            let Outcome::Failed(why) = outcome else {
                panic!("{name}: {outcome:?}")
            };
            assert!(
                why.contains("outside the policy's directory"),
                "{name}: {why}"
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(root.join("outside.csv")).unwrap(),
        "secret\n"
    );
}
