//! Every kind of runtime error names the rows, rules and values involved.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use serde_json::json;
use tally::{Limits, NoImports, Policy};

const BASE: &str = r#"
table reps {
  id: Text key
  name: Text
  manager: reps?
}

table deals {
  id: Text key
  owner: reps
  helper: reps?
  amount: Money
  closed: Date
  region: Text
}
"#;

fn run(policy: &str, reps: serde_json::Value, deals: serde_json::Value) -> String {
    let text = format!("{BASE}{policy}");
    let p = Policy::compile("policy.tally", &text, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = p
        .tables_from_json(&[("reps", reps), ("deals", deals)])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    match p.evaluate(&data, Limits::default()) {
        Ok(_) => "no error".to_string(),
        Err(f) => f.render(false),
    }
}

fn reps() -> serde_json::Value {
    json!([
        { "id": "R-1", "name": "Ann", "manager": null },
        { "id": "R-2", "name": "Bob", "manager": "R-1" },
    ])
}

fn deals() -> serde_json::Value {
    json!([
        { "id": "D-1", "owner": "R-2", "helper": null, "amount": "100.00", "closed": "2025-03-01", "region": "EU" },
        { "id": "D-2", "owner": "R-1", "helper": "R-2", "amount": "50.00 EUR", "closed": "2025-04-01", "region": "US" },
    ])
}

#[test]
fn overlapping_rules_under_unique() {
    let out = run(
        r#"
assign deals.segment (unique) {
  rule "Europe" when region == "EU" then "EMEA"
  rule "Big" when amount > 10 USD then "Enterprise"
}
"#,
        reps(),
        json!([{ "id": "D-1", "owner": "R-2", "helper": null, "amount": "100.00", "closed": "2025-03-01", "region": "EU" }]),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_manager_cycle_in_a_rollup() {
    let cyclic = json!([
        { "id": "R-1", "name": "Ann", "manager": "R-2" },
        { "id": "R-2", "name": "Bob", "manager": "R-1" },
    ]);
    let out = run(
        r#"
credit deals on closed {
  revenue (first match) {
    otherwise owner gets 100%
  }
  rollup revenue via manager as manager
}
"#,
        cyclic,
        json!([{ "id": "D-1", "owner": "R-2", "helper": null, "amount": "100.00", "closed": "2025-03-01", "region": "EU" }]),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_none_payee() {
    let out = run(
        r#"
credit deals on closed {
  revenue (first match) {
    rule "Helper split" when region == "EU" then owner gets 50%, helper gets 50%
    otherwise owner gets 100%
  }
}
"#,
        reps(),
        deals(),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn a_zero_tier_base() {
    let out = run(
        r#"
plan comp "Commission" {
  for r in reps
  quota = 0 USD
  commission = tiered marginal (100 USD of quota) {
    up to 100% => 5%
    above => 10%
  }
}
"#,
        reps(),
        deals(),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn adding_different_currencies() {
    let out = run(
        r#"
const total = deals.sum(amount)

report totals "Totals" {
  from reps
  columns { id, all_deals = total }
}
"#,
        reps(),
        deals(),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn adding_different_currencies_in_a_group() {
    // Every column is an aggregate of one column, summed in one pass; the
    // group the pass cannot total is left to its expression, which reads
    // the group's rows and reports the mix.
    let out = run(
        r#"
report by_region "By region" {
  from deals
  group by all = "all"
  columns {
    total = sum(amount)
    deals = count_distinct(owner)
  }
  order by total
}
"#,
        reps(),
        deals(),
    );
    assert!(out.contains("R0002"), "{out}");
    assert!(out.contains("100 USD") && out.contains("50 EUR"), "{out}");
}

#[test]
fn a_missing_key() {
    let out = run(
        r#"
report one "One" {
  from reps
  columns { id, other = reps["R-9"].name }
}
"#,
        reps(),
        deals(),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn limits_stop_a_run() {
    let text =
        format!("{BASE}\nreport all_deals \"All\" {{\n  from deals\n  columns {{ id }}\n}}\n");
    let p = Policy::compile("policy.tally", &text, &NoImports).unwrap();
    let data = p
        .tables_from_json(&[("reps", reps()), ("deals", deals())])
        .unwrap();
    let rows = Limits {
        max_rows: Some(1),
        ..Limits::default()
    };
    let out = p.evaluate(&data, rows).unwrap_err().render(false);
    assert!(out.contains("`max_rows` limit of 1"), "{out}");
    let steps = Limits {
        max_steps: Some(1),
        ..Limits::default()
    };
    let out = p.evaluate(&data, steps).unwrap_err().render(false);
    assert!(out.contains("`max_steps` limit"), "{out}");
    let output = Limits {
        max_output_rows: Some(1),
        ..Limits::default()
    };
    let out = p.evaluate(&data, output).unwrap_err().render(false);
    assert!(out.contains("`max_output_rows` limit"), "{out}");
}
