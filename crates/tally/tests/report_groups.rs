//! Grouped reports give the same groups, in the same order, with the same
//! totals, whichever way they are computed: keys read in place along
//! references or evaluated, sums and distinct counts made in one pass over
//! the rows or group by group, on one thread or several. The totals row
//! is made in that one pass too, and by the expressions when the pass
//! cannot total it (a zero sum).

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
  region: Text?
  manager: reps?
}

table deals {
  id: Text key
  owner: reps
  amount: Money
  seats: Decimal
}

table lines {
  deal: deals
  amount: Money
}

report lines_by_owner "Lines by owner" {
  from lines
  group by owner = deal.owner.id
  columns {
    lines = count()
    deals = count_distinct(deal)
    total = sum(amount)
  }
  order by owner
  totals
}

table returns {
  deal: deals
  amount: Money
}

report returns_by_owner "Returns by owner" {
  from returns
  group by owner = deal.owner.id
  columns {
    deals = count_distinct(deal)
    total = sum(amount)
  }
  order by owner
  totals
}

report balanced "Balanced" {
  from lines where amount != 1 USD
  group by owner = deal.owner.id
  columns {
    lines = count()
    deals = count_distinct(deal)
    total = sum(amount)
  }
  order by owner
  totals
}

report by_region "By region" {
  from deals
  group by region = owner.region
  columns {
    deals = count()
    reps = count_distinct(owner)
    ids = count_distinct(id)
    total = sum(amount)
    seats = sum(seats)
  }
  order by region
  totals
}

table sales {
  deal: deals
  on: Date
  amount: Money
}

report by_quarter_and_region "By quarter and region" {
  from sales
  group by quarter = fiscal_quarter(on), region = deal.owner.region
  columns {
    sales = count()
    total = sum(amount)
  }
  order by quarter, region
}

report by_size "By size" {
  from sales
  group by size = if on < 2026-03-01 then "early" else "late", everything = "all"
  columns {
    sales = count()
  }
  order by size
}

report by_quarter_and_owner "By quarter and owner" {
  from sales
  group by quarter = fiscal_quarter(on), owner = deal.owner.id
  columns {
    sales = count()
    total = sum(amount)
  }
  order by quarter, owner
}

report by_two_columns "By two columns" {
  from sales
  group by quarter = fiscal_quarter(on), big = amount > 10 USD
  columns {
    sales = count()
  }
  order by quarter, big
}

report by_manager "By manager" {
  from deals where amount != 0 USD
  group by manager = owner.manager?.id, rep = (owner).id
  columns {
    total = sum(amount)
    reps = count_distinct(owner)
  }
}
"#;

fn data(policy: &Policy) -> tally::Data {
    policy
        .tables_from_json(&[
            (
                "reps",
                json!([
                    { "id": "R-1", "region": "EU", "manager": null },
                    { "id": "R-2", "region": null, "manager": "R-1" },
                    { "id": "R-3", "region": "US", "manager": "R-1" },
                    { "id": "R-4", "region": "EU", "manager": "R-3" },
                ]),
            ),
            (
                "deals",
                json!([
                    { "id": "D-1", "owner": "R-1", "amount": "5.00", "seats": "2" },
                    { "id": "D-2", "owner": "R-2", "amount": "50.00", "seats": "1.5" },
                    { "id": "D-3", "owner": "R-4", "amount": "-5.00", "seats": "2" },
                    { "id": "D-4", "owner": "R-3", "amount": "30.00", "seats": "3" },
                    { "id": "D-5", "owner": "R-4", "amount": "0.50", "seats": "1" },
                    { "id": "D-6", "owner": "R-2", "amount": "1.005", "seats": "0" },
                    { "id": "D-7", "owner": "R-1", "amount": "-0.50", "seats": "1" },
                ]),
            ),
            (
                "lines",
                json!([
                    { "deal": "D-1", "amount": "10.00" },
                    { "deal": "D-1", "amount": "2.00" },
                    { "deal": "D-2", "amount": "-4.00" },
                    { "deal": "D-4", "amount": "-8.00" },
                    { "deal": "D-4", "amount": "1.00" },
                ]),
            ),
            (
                "sales",
                json!([
                    { "deal": "D-1", "on": "2026-01-15", "amount": "1.00" },
                    { "deal": "D-2", "on": "2026-02-15", "amount": "20.00" },
                    { "deal": "D-3", "on": "2026-01-20", "amount": "3.00" },
                    { "deal": "D-4", "on": "2026-05-01", "amount": "40.00" },
                    { "deal": "D-1", "on": "2026-04-30", "amount": "5.00" },
                    { "deal": "D-2", "on": "2026-01-15", "amount": "6.00" },
                    { "deal": "D-5", "on": "2026-02-15", "amount": "70.00" },
                    { "deal": "D-4", "on": "2026-04-30", "amount": "8.00" },
                ]),
            ),
            (
                "returns",
                json!([
                    { "deal": "D-2", "amount": "1.00" },
                    { "deal": "D-4", "amount": "2.00" },
                    { "deal": "D-1", "amount": "3.00" },
                    { "deal": "D-2", "amount": "4.00" },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

/// The report `name` computed on 1 to 4 threads and by the reference
/// evaluation: all the same, and returned.
fn every_way(name: &str) -> String {
    let policy = Policy::compile("policy.tally", POLICY, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = data(&policy);
    common::same_every_way(&policy, &data, name, &[1, 2, 3, 4])
}

#[test]
fn groups_and_their_totals_are_the_same_every_way() {
    // EU sums to zero (5.00 - 5.00 + 0.50 - 0.50), which one pass over
    // the rows leaves to the expression; `seats` are numbers, not money.
    assert_eq!(
        every_way("by_region"),
        "region,deals,reps,ids,total,seats\n\
         EU,4,2,4,0.00,6\n\
         US,1,1,1,30.00,3\n\
         ,2,1,2,51.00,1.5\n\
         Total,7,4,7,81.00,10.5\n"
    );
}

#[test]
fn keys_through_a_missing_reference_are_none() {
    // R-1 has no manager: `owner.manager?.id` is none for its deals.
    assert_eq!(
        every_way("by_manager"),
        "manager,rep,total,reps\n\
         ,R-1,4.50,1\n\
         R-1,R-2,51.00,1\n\
         R-3,R-4,-4.50,1\n\
         R-1,R-3,30.00,1\n"
    );
}

#[test]
fn totals_made_in_the_one_pass_are_those_of_the_rows() {
    // The lines' deals come in order: their distinct count is a count of
    // changes, in each range and across ranges.
    assert_eq!(
        every_way("lines_by_owner"),
        "owner,lines,deals,total\n\
         R-1,2,1,12.00\n\
         R-2,1,1,-4.00\n\
         R-3,2,1,-7.00\n\
         Total,5,3,1.00\n"
    );
}

#[test]
fn a_total_the_one_pass_cannot_make_is_the_expression_over_the_rows() {
    // No group sums to zero, the total does.
    assert_eq!(
        every_way("balanced"),
        "owner,lines,deals,total\n\
         R-1,2,1,12.00\n\
         R-2,1,1,-4.00\n\
         R-3,1,1,-8.00\n\
         Total,4,3,0.00\n"
    );
}

#[test]
fn references_in_order_in_each_range_but_not_across_are_counted_as_distinct() {
    // Two ranges of `returns` each meet their deals in order (D-2, D-4
    // and D-1, D-2); all four rows do not, and D-2 is counted once.
    assert_eq!(
        every_way("returns_by_owner"),
        "owner,deals,total\n\
         R-1,1,3.00\n\
         R-2,1,5.00\n\
         R-3,1,2.00\n\
         Total,3,10.00\n"
    );
}

#[test]
fn keys_told_by_codes_group_as_their_values() {
    // Several dates of one quarter are one group; a key through
    // references (the owner's region, none for R-2) beside it.
    assert_eq!(
        every_way("by_quarter_and_region"),
        "quarter,region,sales,total\n\
         FY2026-Q1,EU,3,74.00\n\
         FY2026-Q1,,2,26.00\n\
         FY2026-Q2,EU,1,5.00\n\
         FY2026-Q2,US,2,48.00\n"
    );
    assert_eq!(
        every_way("by_quarter_and_owner"),
        "quarter,owner,sales,total\n\
         FY2026-Q1,R-1,1,1.00\n\
         FY2026-Q1,R-2,2,26.00\n\
         FY2026-Q1,R-4,2,73.00\n\
         FY2026-Q2,R-1,1,5.00\n\
         FY2026-Q2,R-3,2,48.00\n"
    );
    // A key computed from one column, and a key that reads none.
    assert_eq!(
        every_way("by_size"),
        "size,everything,sales\n\
         early,all,5\n\
         late,all,3\n"
    );
    // A key reading two columns is found by its value.
    assert_eq!(
        every_way("by_two_columns"),
        "quarter,big,sales\n\
         FY2026-Q1,false,3\n\
         FY2026-Q1,true,2\n\
         FY2026-Q2,false,2\n\
         FY2026-Q2,true,1\n"
    );
}
