//! `tally check --data`: findings on real data.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use serde_json::json;
use tally::{Limits, NoImports, Policy};

const POLICY: &str = r#"
table reps {
  id: Text key
  name: Text
}

table deals {
  id: Text key
  owner: reps
  partner: reps?
  amount: Money
  closed: Date
  region: Text
}

table owners effective(start, finish) {
  region: Text
  rep: reps
  start: Date
  finish: Date?
}

assign deals.segment (first match) {
  rule "Europe" when region == "EU" then "EMEA"
}

credit deals on closed {
  revenue (first match) {
    rule "Partner split" when partner is some then owner gets 60%, partner gets 30%
    rule "Direct" when region == "EU" then owner gets 100%
  }
}

plan comp "Comp" {
  for r in reps
  quota = 0 USD
  attainment = tiered marginal (100 USD of quota) {
    up to 100% => 5%
  }
}
"#;

#[test]
fn findings_on_data() {
    let p = Policy::compile("policy.tally", POLICY, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = p
        .tables_from_json(&[
            ("reps", json!([{ "id": "R-1", "name": "Ann" }, { "id": "R-2", "name": "Bob" }])),
            (
                "deals",
                json!([
                    { "id": "D-1", "owner": "R-1", "partner": "R-2", "amount": "100.00", "closed": "2025-01-10", "region": "EU" },
                    { "id": "D-2", "owner": "R-1", "amount": "50.00", "closed": "2025-02-10", "region": "US" },
                    { "id": "D-3", "owner": "R-2", "amount": "70.00", "closed": "2025-03-10", "region": "EU" },
                ]),
            ),
            (
                "owners",
                json!([
                    { "region": "EU", "rep": "R-1", "start": "2025-01-01", "finish": "2025-06-30" },
                    { "region": "EU", "rep": "R-2", "start": "2025-06-15", "finish": null },
                    { "region": "US", "rep": "R-1", "start": "2025-01-01", "finish": "2025-03-31" },
                    { "region": "US", "rep": "R-2", "start": "2025-05-01", "finish": null },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    // The zero quota is a warning here, not a failure: guard it so the run works.
    let results = match p.evaluate(&data, Limits::default()) {
        Ok(r) => r,
        Err(f) => {
            // The tier base is zero: that is a runtime error, reported as such.
            assert!(f.render(false).contains("R0006"));
            return;
        }
    };
    let found = tally::datacheck::data_checks(&results);
    insta::assert_snapshot!(tally::render_human(
        &found,
        &results.program().sources,
        Default::default()
    ));
}

#[test]
fn findings_on_data_without_runtime_errors() {
    let policy = POLICY.replace("quota = 0 USD", "quota = if r == \"R-1\" then 0 USD else 100 USD").replace(
        "attainment = tiered marginal (100 USD of quota) {\n    up to 100% => 5%\n  }",
        "attainment = if quota > 0 USD then tiered marginal (100 USD of quota) {\n    up to 100% => 5%\n  } else 0 USD",
    );
    let p = Policy::compile("policy.tally", &policy, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = p
        .tables_from_json(&[
            ("reps", json!([{ "id": "R-1", "name": "Ann" }, { "id": "R-2", "name": "Bob" }])),
            (
                "deals",
                json!([
                    { "id": "D-1", "owner": "R-1", "partner": "R-2", "amount": "100.00", "closed": "2025-01-10", "region": "EU" },
                    { "id": "D-2", "owner": "R-1", "amount": "50.00", "closed": "2025-02-10", "region": "US" },
                    { "id": "D-3", "owner": "R-2", "amount": "70.00", "closed": "2025-03-10", "region": "EU" },
                ]),
            ),
            (
                "owners",
                json!([
                    { "region": "EU", "rep": "R-1", "start": "2025-01-01", "finish": "2025-06-30" },
                    { "region": "EU", "rep": "R-2", "start": "2025-06-15", "finish": null },
                    { "region": "US", "rep": "R-1", "start": "2025-01-01", "finish": "2025-03-31" },
                    { "region": "US", "rep": "R-2", "start": "2025-05-01", "finish": null },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let results = p
        .evaluate(&data, Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let found = tally::datacheck::data_checks(&results);
    let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["W0201", "W0202", "W0203", "W0204", "W0205", "W0206"],
        "{found:#?}"
    );
    insta::assert_snapshot!(tally::render_human(
        &found,
        &results.program().sources,
        Default::default()
    ));
}
