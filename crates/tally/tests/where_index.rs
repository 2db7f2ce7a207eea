//! `T.where(...)` through an index gives exactly what a scan gives: the
//! same rows in the same order, for every shape of condition the index
//! takes apart (tests of one column twice, parentheses, tests left over
//! for the rows found, numbers written differently, references against
//! key text, `none`, `.at(date)`), and for every method folded straight
//! over the rows the index finds (`first`, `count`, `sum`, `any`, ...).

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
  region: Text?
  level: Int
}

table deals {
  id: Text key
  owner: reps
  amount: Money
  seats: Decimal
  closed: Date
  signed: Date?
}

table owners effective(start, end) {
  rep: reps
  region: Text
  start: Date
  end: Date?
}

fn mine(r: reps) -> Int = deals.where(owner == r).count()
fn by_key(k: Text) -> Int = deals.where(owner == k).count()
fn twice(r: reps) -> Int = deals.where(owner == r and owner == "R-1").count()
fn parens(r: reps) -> Int = deals.where((owner == r) and (seats == 2 and amount > 10 USD)).count()
fn numbers(r: reps, l: Int) -> Int = deals.where(seats == l and owner == r).count()
fn residual_first(r: reps) -> Int = deals.where(amount > 10 USD and owner == r).count()
fn regionless() -> Int = reps.where(region == none).count()
fn first_deal(r: reps) -> Text? = deals.where(owner == r).first(id)
fn held(r: reps) -> Int = owners.at(2025-06-30).where(rep == r and region == "EU").count()
fn either(r: reps) -> Int = deals.where(owner == r or seats == 1).count()
fn big_first(r: reps) -> Text? = deals.where(owner == r and amount > 10 USD).first(id)
fn total(r: reps) -> Money = deals.where(owner == r and closed > 2025-02-15).sum(amount)
fn average(r: reps) -> Decimal? = deals.where(owner == r).avg(seats)
fn seat_total(r: reps) -> Decimal = deals.where(owner == r).sum(seats)
fn least(r: reps) -> Money? = deals.where(owner == r).min(amount)
fn most(r: reps) -> Date? = deals.where(owner == r).max(closed)
fn any_big(r: reps) -> Bool = deals.where(owner == r).any(amount > 25 USD)
fn all_big(r: reps) -> Bool = deals.where(owner == r).all(amount > 2 USD)
fn sole(r: reps) -> Text = deals.where(owner == r and seats == 3).only(id)
fn in_quarter(r: reps, q: Period) -> Int = deals.where(owner == r and closed in q and amount > 1 USD).count()
fn in_literal(r: reps) -> Money = deals.where(closed in FY2025-Q1 and owner == r).sum(amount)
fn in_month(r: reps) -> Text? = deals.where(owner == r and (closed in FY2025-M05)).first(id)
fn signed_in(r: reps, q: Period) -> Int = deals.where(owner == r and signed in q).count()
fn in_list(r: reps) -> Int = deals.where(owner == r and closed in [2025-05-01, 2025-01-01]).count()
fn two_seats(r: reps) -> Int = deals.where(owner == r and seats == 2).count()
fn of_r1(k: Text) -> Int = deals.where(owner == "R-1" and id == k).count()
fn eu_at(l: Int) -> Int = reps.where(level == l and region == "EU").count()
fn two_seats_of_r1(r: reps) -> Money = deals.where(seats == 2.0 and owner == r and owner == "R-1").sum(amount)

report lookups "Lookups" {
  from reps
  columns {
    id
    deals = mine(reps[id])
    by_key = by_key(id)
    twice = twice(reps[id])
    parens = parens(reps[id])
    numbers = numbers(reps[id], level)
    residual_first = residual_first(reps[id])
    regionless = regionless()
    first_deal = first_deal(reps[id])
    held = held(reps[id])
    either = either(reps[id])
  }
  order by id
}

report periods "Rows found by period" {
  from reps
  columns {
    id
    q1 = in_quarter(reps[id], FY2025-Q1)
    q2 = in_quarter(reps[id], FY2025-Q2)
    year = in_quarter(reps[id], FY2025)
    literal = in_literal(reps[id])
    may = in_month(reps[id])
    signed_q1 = signed_in(reps[id], FY2025-Q1)
    closed_q1 = in_quarter(reps[id], FY2025-Q1)
    listed = in_list(reps[id])
  }
  order by id
}

report constants "Tests against literals" {
  from reps
  columns {
    id
    two_seats = two_seats(reps[id])
    d2_of_r1 = of_r1("D-2")
    d3_of_r1 = of_r1("D-3")
    eu_at = eu_at(level)
    two_seats_of_r1 = two_seats_of_r1(reps[id])
  }
  order by id
}

report folds "Folds over the rows found" {
  from reps where id != "R-2"
  columns {
    id
    big_first = big_first(reps[id])
    total = total(reps[id])
    average = average(reps[id])
    seat_total = seat_total(reps[id])
    least = least(reps[id])
    most = most(reps[id])
    any_big = any_big(reps[id])
    all_big = all_big(reps[id])
    sole = sole(reps[id])
  }
  order by id
}
"#;

fn data(policy: &Policy) -> tally::Data {
    policy
        .tables_from_json(&[
            (
                "reps",
                json!([
                    { "id": "R-1", "region": "EU", "level": 2 },
                    { "id": "R-2", "region": null, "level": 1 },
                    { "id": "R-3", "region": "US", "level": 3 },
                ]),
            ),
            (
                "deals",
                json!([
                    { "id": "D-1", "owner": "R-1", "amount": "5.00", "seats": "2.00", "closed": "2025-03-01", "signed": "2025-01-15" },
                    { "id": "D-2", "owner": "R-2", "amount": "50.00", "seats": "1", "closed": "2025-04-01" },
                    { "id": "D-3", "owner": "R-1", "amount": "20.00", "seats": "2", "closed": "2025-05-01" },
                    { "id": "D-4", "owner": "R-1", "amount": "30.00", "seats": "3", "closed": "2025-02-01", "signed": null },
                    { "id": "D-5", "owner": "R-3", "amount": "1.00", "seats": "3.0", "closed": "2025-01-01" },
                ]),
            ),
            (
                "owners",
                json!([
                    { "rep": "R-1", "region": "EU", "start": "2025-01-01", "end": "2025-03-31" },
                    { "rep": "R-1", "region": "EU", "start": "2025-04-01", "end": null },
                    { "rep": "R-2", "region": "EU", "start": "2025-07-01", "end": null },
                    { "rep": "R-3", "region": "US", "start": "2025-01-01", "end": null },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

/// Report `name` as the indexed evaluation makes it, after checking that
/// the reference evaluation (a scan of every row) makes the same.
fn indexed_and_scanned(name: &str) -> String {
    let policy = Policy::compile("policy.tally", POLICY, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = data(&policy);
    let fast = policy.evaluate(&data, Limits::default()).unwrap();
    let scan = policy.evaluate_reference(&data, Limits::default()).unwrap();
    let got = fast.csv(name).unwrap();
    assert_eq!(got, scan.csv(name).unwrap(), "report {name}");
    got
}

#[test]
fn indexed_where_gives_what_a_scan_gives() {
    let got = indexed_and_scanned("lookups");
    assert_eq!(
        got,
        "id,deals,by_key,twice,parens,numbers,residual_first,regionless,first_deal,held,either\n\
         R-1,3,3,3,1,2,2,1,D-1,1,4\n\
         R-2,1,1,0,0,1,1,1,D-2,0,1\n\
         R-3,1,1,0,0,1,0,1,D-5,0,2\n"
    );
}

/// Tests against literals (`seats == 2`, `owner == "R-1"`) filter the rows
/// an index holds, keyed by the other tests: numbers written differently
/// and references against key text match as in a scan.
#[test]
fn tests_against_literals_give_what_a_scan_gives() {
    let got = indexed_and_scanned("constants");
    assert_eq!(
        got,
        "id,two_seats,d2_of_r1,d3_of_r1,eu_at,two_seats_of_r1\n\
         R-1,2,0,1,1,25.00\n\
         R-2,0,0,1,0,0.00\n\
         R-3,0,0,1,0,0.00\n"
    );
}

#[test]
fn methods_folded_over_an_index_give_what_a_scan_gives() {
    let got = indexed_and_scanned("folds");
    assert_eq!(
        got,
        "id,big_first,total,average,seat_total,least,most,any_big,all_big,sole\n\
         R-1,D-3,25.00,2.3333333333333333333333333333,7,5.00,2025-05-01,true,true,D-4\n\
         R-3,,0.00,3,3,1.00,2025-01-01,false,false,D-5\n"
    );
}

/// `first` over an index stops looking once it has its row, but the rest
/// of the condition is still tested on the later rows: a condition that
/// fails on one of them fails as it does in a scan.
#[test]
fn a_condition_failing_on_a_later_row_fails_as_in_a_scan() {
    let text = format!(
        "{POLICY}\n\
         fn odd_first(r: reps) -> Text? = deals.where(owner == r and 10 / (seats - 3) < 0).first(id)\n\
         report odd \"Odd\" {{\n  from reps where id == \"R-1\"\n  columns {{\n    id\n    odd = odd_first(reps[id])\n  }}\n}}\n"
    );
    let policy = Policy::compile("policy.tally", &text, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = data(&policy);
    let fast = policy.evaluate(&data, Limits::default());
    let scan = policy.evaluate_reference(&data, Limits::default());
    let (Err(fast), Err(scan)) = (fast, scan) else {
        panic!("both evaluations should fail: R-1's third deal has 3 seats");
    };
    assert_eq!(fast.render(false), scan.render(false));
    assert!(
        fast.render(false).contains("by zero"),
        "{}",
        fast.render(false)
    );
}

/// `col in period` after an indexed `where` is answered from the rows
/// found sorted by date: periods as parameters and literals, a test in
/// parentheses, a second date column over the same index, a column with
/// none in it, and `in` a list (which is tested row by row).
#[test]
fn rows_found_by_period_are_what_a_scan_finds() {
    let got = indexed_and_scanned("periods");
    // FY2025 starts in January (no settings): Q1 is January to March.
    assert_eq!(
        got,
        "id,q1,q2,year,literal,may,signed_q1,closed_q1,listed\n\
         R-1,2,1,3,35.00,D-3,1,2,1\n\
         R-2,0,1,1,0.00,,0,0,0\n\
         R-3,0,0,0,1.00,,0,0,1\n"
    );
}
