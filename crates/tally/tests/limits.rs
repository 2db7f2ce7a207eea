//! Every bound a host can put on a run is hit here, and its message names
//! the limit and how to raise it: `Limits::max_rows`, `max_steps`,
//! `max_output_rows`, `max_rollup_depth`, and the loader's
//! `LoadLimits::max_rows_per_table` and `max_errors`. (The parser's limits
//! are tested in `tally-syntax`: `tests/limits.rs`, `tests/call_limit.rs`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use serde_json::json;
use tally::{DataSources, Limits, LoadLimits, NoImports, Policy};

const POLICY: &str = r#"
table reps {
  id: Text key
  name: Text
  manager: reps?
}

table deals {
  id: Text key
  owner: reps
  amount: Money
  closed: Date
}

credit deals on closed {
  revenue (first match) {
    otherwise owner gets 100%
  }
  rollup revenue via manager as manager
}

plan pairs "Every rep with every quarter" {
  for r in reps
  for q in quarters(FY2025)
  bookings = credits.where(payee == r and date in q).sum(amount)
}

report all_credits "All credits" {
  from credits
  columns { deal, payee, role, amount }
}
"#;

fn policy() -> Policy {
    Policy::compile("policy.tally", POLICY, &NoImports).unwrap_or_else(|f| panic!("{f}"))
}

/// Ten reps in one management chain (R-1 reports to nobody, R-10 is at
/// the bottom) and one deal owned by R-10.
fn chain_data(p: &Policy) -> tally::Data {
    let reps: Vec<serde_json::Value> = (1..=10)
        .map(|i| {
            json!({
                "id": format!("R-{i}"),
                "name": format!("Rep {i}"),
                "manager": if i == 1 { None } else { Some(format!("R-{}", i - 1)) },
            })
        })
        .collect();
    let deals =
        json!([{ "id": "D-1", "owner": "R-10", "amount": "100.00", "closed": "2025-03-01" }]);
    p.tables_from_json(&[("reps", json!(reps)), ("deals", deals)])
        .unwrap_or_else(|f| panic!("{f}"))
}

fn failure(limits: Limits) -> String {
    let p = policy();
    let data = chain_data(&p);
    p.evaluate(&data, limits).unwrap_err().render(false)
}

#[test]
fn the_runs_within_the_limits_succeed() {
    let p = policy();
    let data = chain_data(&p);
    let limits = Limits {
        max_rows: Some(10),
        max_steps: Some(10_000),
        max_output_rows: Some(100),
        max_rollup_depth: Some(9),
        threads: Some(1),
    };
    let results = p.evaluate(&data, limits).unwrap();
    // The deal's owner and the nine managers above them.
    assert_eq!(results.rows("all_credits").unwrap().rows.len(), 10);
}

#[test]
fn max_rows() {
    let out = failure(Limits {
        max_rows: Some(5),
        ..Limits::default()
    });
    assert!(out.contains("`max_rows` limit of 5"), "{out}");
    assert!(out.contains("raise `Limits::max_rows`"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn max_steps() {
    let out = failure(Limits {
        max_steps: Some(50),
        ..Limits::default()
    });
    assert!(
        out.contains("more than 50 steps (the `max_steps` limit)"),
        "{out}"
    );
    assert!(out.contains("raise `Limits::max_steps`"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn max_output_rows() {
    let out = failure(Limits {
        max_output_rows: Some(5),
        ..Limits::default()
    });
    assert!(
        out.contains("more than 5 rows (the `max_output_rows` limit)"),
        "{out}"
    );
    assert!(out.contains("raise `Limits::max_output_rows`"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn max_rollup_depth() {
    let out = failure(Limits {
        max_rollup_depth: Some(3),
        ..Limits::default()
    });
    assert!(
        out.contains("longer than 3 levels (the `max_rollup_depth` limit)"),
        "{out}"
    );
    assert!(out.contains("raise `Limits::max_rollup_depth`"), "{out}");
    insta::assert_snapshot!(out);
}

/// A data directory of this test, written once.
fn data_dir(name: &str, files: &[(&str, String)]) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("limits")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

fn reps_csv(n: usize, manager: &str) -> String {
    let mut text = String::from("id,name,manager\n");
    for i in 1..=n {
        text.push_str(&format!("R-{i},Rep {i},{manager}\n"));
    }
    text
}

#[test]
fn max_rows_per_table_when_loading() {
    let p = policy();
    let dir = data_dir(
        "rows",
        &[
            ("reps.csv", reps_csv(5, "")),
            ("deals.csv", "id,owner,amount,closed\n".to_string()),
        ],
    );
    let limits = LoadLimits {
        max_rows_per_table: Some(3),
        ..LoadLimits::default()
    };
    let out = p
        .load(&DataSources::in_dir(&dir), &limits)
        .unwrap_err()
        .render(false)
        .replace(&dir.display().to_string(), "DATA");
    assert!(out.contains("the `max_rows_per_table` load limit"), "{out}");
    assert!(out.contains("LoadLimits::max_rows_per_table"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn max_errors_when_loading() {
    let p = policy();
    let dir = data_dir(
        "errors",
        &[
            ("reps.csv", reps_csv(8, "R-missing")),
            ("deals.csv", "id,owner,amount,closed\n".to_string()),
        ],
    );
    let limits = LoadLimits {
        max_errors: 2,
        ..LoadLimits::default()
    };
    let failure = p.load(&DataSources::in_dir(&dir), &limits).unwrap_err();
    assert_eq!(failure.diagnostics.len(), 3);
    let last = failure
        .render(false)
        .replace(&dir.display().to_string(), "DATA");
    assert!(
        last.contains("6 more load errors not shown (8 in all)"),
        "{last}"
    );
    assert!(last.contains("LoadLimits::max_errors"), "{last}");
    insta::assert_snapshot!(last);
}

/// A grouped report whose streams cannot total a group (a sum of `Int`s)
/// reads its input a second time; the steps of its filter are counted
/// once, as the reference evaluation (which reads it once) counts them.
#[test]
fn a_report_read_twice_counts_its_steps_once() {
    let p = Policy::compile(
        "policy.tally",
        r#"
table deals {
  id: Text key
  region: Text
  amount: Money
  seats: Int
}

fn big(a: Money) -> Bool = a > 50 USD

report by_region "Seats by region" {
  from deals where big(amount)
  group by region
  columns { seats = sum(seats) }
  order by region
}
"#,
        &NoImports,
    )
    .unwrap_or_else(|f| panic!("{f}"));
    let deals: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            json!({
                "id": format!("D-{i}"),
                "region": if i % 2 == 0 { "EU" } else { "US" },
                "amount": format!("{}.00", 10 * i),
                "seats": i,
            })
        })
        .collect();
    let data = p.tables_from_json(&[("deals", json!(deals))]).unwrap();
    // The fewest steps each evaluation needs.
    let fewest = |reference: bool| {
        (0..1000u64)
            .find(|max| {
                let limits = Limits {
                    max_steps: Some(*max),
                    ..Limits::default()
                };
                let run = if reference {
                    p.evaluate_reference(&data, limits).map(|_| ())
                } else {
                    p.evaluate(&data, limits).map(|_| ())
                };
                run.is_ok()
            })
            .unwrap()
    };
    let (engine, reference) = (fewest(false), fewest(true));
    assert!(
        reference > 20,
        "the filter takes a step per deal: {reference}"
    );
    assert_eq!(engine, reference);
}
