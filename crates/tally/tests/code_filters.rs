//! A filter that tests one column against literals (`stage == "Won"`,
//! `not (stage in [...])`, `region != "EU"`) is answered once per distinct
//! value and then by each row's code, in a credit block's `where` and in a
//! report's: the rows kept are those the filter keeps when evaluated row
//! by row, nones included (`none in [...]` is false, so its `not` is true).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use serde_json::json;
use tally::{NoImports, Policy};

const POLICY: &str = r#"
table reps {
  id: Text key
}

table deals {
  id: Text key
  owner: reps
  stage: Text
  region: Text?
  amount: Money
}

credit deals where not (stage in ["Lost", "Open"]) on 2026-01-01 {
  revenue (first match) {
    otherwise owner gets 100%
  }
}

report credited "Credited" {
  from credits
  columns { deal = deal.id, payee = payee.id, amount }
}

report won "Won" {
  from deals where stage == "Won"
  columns { id, amount }
}

report not_closed "Not closed" {
  from deals where not (stage in ["Won", "Lost"])
  columns { id, stage }
}

report outside_eu "Outside EU" {
  from deals where region != "EU" and not (region in ["US"])
  columns { id, region }
}

report by_stage "By stage" {
  from deals where (stage != "Open")
  group by stage
  columns { deals = count(), total = sum(amount) }
  order by stage
}
"#;

fn every_way(name: &str) -> String {
    let policy = Policy::compile("policy.tally", POLICY, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .tables_from_json(&[
            ("reps", json!([{ "id": "R-1" }, { "id": "R-2" }])),
            (
                "deals",
                json!([
                    { "id": "D-1", "owner": "R-1", "stage": "Won", "region": "EU", "amount": "10.00" },
                    { "id": "D-2", "owner": "R-2", "stage": "Lost", "region": null, "amount": "20.00" },
                    { "id": "D-3", "owner": "R-1", "stage": "Open", "region": "US", "amount": "30.00" },
                    { "id": "D-4", "owner": "R-2", "stage": "Won", "region": "APAC", "amount": "40.00" },
                    { "id": "D-5", "owner": "R-1", "stage": "Review", "region": null, "amount": "50.00" },
                    { "id": "D-6", "owner": "R-2", "stage": "Open", "region": "EU", "amount": "60.00" },
                    { "id": "D-7", "owner": "R-1", "stage": "Won", "region": "APAC", "amount": "70.00" },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    common::same_every_way(&policy, &data, name, &[1, 2, 3])
}

#[test]
fn a_credit_blocks_filter_keeps_the_rows_it_keeps_row_by_row() {
    assert_eq!(
        every_way("credited"),
        "deal,payee,amount\n\
         D-1,R-1,10.00\n\
         D-4,R-2,40.00\n\
         D-5,R-1,50.00\n\
         D-7,R-1,70.00\n"
    );
}

#[test]
fn report_filters_keep_the_rows_they_keep_row_by_row() {
    assert_eq!(
        every_way("won"),
        "id,amount\nD-1,10.00\nD-4,40.00\nD-7,70.00\n"
    );
    assert_eq!(
        every_way("not_closed"),
        "id,stage\nD-3,Open\nD-5,Review\nD-6,Open\n"
    );
    // A none region is not "EU" and in no list.
    assert_eq!(
        every_way("outside_eu"),
        "id,region\nD-2,\nD-4,APAC\nD-5,\nD-7,APAC\n"
    );
    assert_eq!(
        every_way("by_stage"),
        "stage,deals,total\nLost,1,20.00\nReview,1,50.00\nWon,3,120.00\n"
    );
}

/// A report's filter answered by code over many rows and many distinct
/// values (codes two bytes wide, rows in several chunks tested at once):
/// the rows kept, and their groups, are those kept row by row.
#[test]
fn a_filter_over_many_rows_and_values_keeps_the_rows_it_keeps_row_by_row() {
    const MANY: &str = r#"
table deals {
  id: Text key
  region: Text?
  amount: Money
}

report kept "Kept" {
  from deals where not (region in ["R-7", "R-300"])
  group by region
  columns { deals = count(), total = sum(amount) }
  order by region
}
"#;
    let policy = Policy::compile("many.tally", MANY, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let rows: Vec<serde_json::Value> = (0..150_000u32)
        .map(|i| {
            // 400 regions, and a none every 97 rows.
            let region = (i % 97 != 0).then(|| format!("R-{}", (i * 7919) % 400));
            json!({ "id": format!("D-{i}"), "region": region, "amount": "1.00" })
        })
        .collect();
    let data = policy
        .tables_from_json(&[("deals", serde_json::Value::Array(rows))])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let kept = common::same_every_way(&policy, &data, "kept", &[1, 2, 3]);
    let groups: Vec<&str> = kept.lines().skip(1).collect();
    // 398 regions and none.
    assert_eq!(groups.len(), 399, "{}", &kept[..200]);
    assert!(!kept.contains("R-7,") && !kept.contains("R-300,"));
}
