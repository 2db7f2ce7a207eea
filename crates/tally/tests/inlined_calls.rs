//! Short functions are compiled in place of their calls; the results are
//! those of calling them (the reference evaluation always calls): inside a
//! grouped report (with aggregates as arguments), in a row scope whose
//! table the body also scans, with parameters named like the caller's
//! columns, and nested. A parameter given a literal is read as that
//! literal in the body (an index is then keyed by the other tests).

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
table deals {
  id: Text key
  region: Text
  amount: Money
  seats: Int
}

fn bigger(amount: Money, seats: Int) -> Money = max(amount, seats * 1 USD)
fn in_region(r: Text) -> Int = deals.where(region == r).count()
fn others(d: deals) -> Int = deals.where(region == d.region and id != d.id).count()
fn twice(x: Int) -> Int = x + x
fn four_times(x: Int) -> Int = twice(twice(x))
fn in_place(x: Int) -> Int = deals.where(seats > x).count() + twice(x)
fn same_seats(s: Int, r: Text) -> Int = deals.where(seats == s and region == r).count()
fn in_eu(s: Int) -> Int = same_seats(s, "EU")
fn europe(r: Text) -> Text = if r == "EU" then "Europe" else "elsewhere"

report by_region "By region" {
  from deals
  group by region
  columns {
    total = sum(amount)
    capped = clamp(sum(amount), 0 USD, 40 USD)
    bigger = bigger(sum(amount), count())
    deals = in_region(region)
    wider = bigger(1 USD, count() * 100)
  }
  order by region
}

report per_deal "Per deal" {
  from deals
  columns {
    id
    bigger = bigger(amount, seats)
    others = others(deals[id])
    four = four_times(seats)
    scans = in_place(seats)
    eu = same_seats(seats, "EU")
    nested = in_eu(seats)
    mixed = same_seats(seats, region)
    europe = europe("EU")
    other = europe(region)
  }
  order by id
}
"#;

fn results(name: &str) -> String {
    let policy = Policy::compile("policy.tally", POLICY, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .tables_from_json(&[(
            "deals",
            json!([
                { "id": "D-1", "region": "EU", "amount": "30.00", "seats": 2 },
                { "id": "D-2", "region": "US", "amount": "5.00", "seats": 9 },
                { "id": "D-3", "region": "EU", "amount": "25.00", "seats": 1 },
            ]),
        )])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    common::same_every_way(&policy, &data, name, &[1, 2])
}

#[test]
fn functions_in_a_grouped_report_give_what_calls_give() {
    assert_eq!(
        results("by_region"),
        "region,total,capped,bigger,deals,wider\n\
         EU,55.00,40.00,55.00,2,200.00\n\
         US,5.00,5.00,5.00,1,100.00\n"
    );
}

#[test]
fn functions_over_rows_give_what_calls_give() {
    assert_eq!(
        results("per_deal"),
        "id,bigger,others,four,scans,eu,nested,mixed,europe,other\n\
         D-1,30.00,1,8,5,1,1,1,Europe,Europe\n\
         D-2,9.00,0,36,18,0,0,1,Europe,elsewhere\n\
         D-3,25.00,1,4,4,1,1,1,Europe,Europe\n"
    );
}

/// Arguments that read a cell (`region`, `manager.region`,
/// `mentor?.region`) are read where the body reads its parameter, not
/// copied into it first: the same values, whether the body reads the
/// parameter once, twice, inside a scan of the caller's own table, after
/// it, or not at all (a parameter never read costs nothing and cannot
/// fail). Chains of references are followed by row number, and a
/// reference that is none ends an optional chain as none.
const PEOPLE: &str = r#"
table reps {
  id: Text key
  region: Text
  manager: reps
  mentor: reps?
  started: Date
}

fn peers(r: Text) -> Int = reps.where(region == r).count()
fn newer(d: Date, r: Text) -> Int = reps.where(started > d and region != r).count() + peers(r)
fn label(r: Text?, unused: Text) -> Text = if r is some then concat(r ?? "", "/", r ?? "") else "-"
fn boss_of(p: reps) -> Text = p.manager.id

report people "People" {
  from reps
  columns {
    id
    same = peers(region)
    boss = peers(manager.region)
    newer = newer(started, manager.region)
    mentor = label(mentor?.region, manager.manager.id)
    chain = boss_of(manager)
    up = manager.manager.manager.id
    mentors = mentor?.manager?.region ?? "-"
  }
  order by id
}
"#;

#[test]
fn cells_read_in_place_give_what_calls_give() {
    let policy = Policy::compile("people.tally", PEOPLE, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .tables_from_json(&[(
            "reps",
            json!([
                { "id": "R-1", "region": "EU", "manager": "R-1", "mentor": null, "started": "2024-01-01" },
                { "id": "R-2", "region": "US", "manager": "R-1", "mentor": "R-1", "started": "2025-03-01" },
                { "id": "R-3", "region": "US", "manager": "R-2", "mentor": "R-2", "started": "2025-06-01" },
                { "id": "R-4", "region": "EU", "manager": "R-3", "mentor": null, "started": "2023-01-01" },
            ]),
        )])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    assert_eq!(
        common::same_every_way(&policy, &data, "people", &[1, 2]),
        "id,same,boss,newer,mentor,chain,up,mentors\n\
         R-1,2,2,4,-,R-1,R-1,-\n\
         R-2,2,2,3,EU/EU,R-1,R-1,EU\n\
         R-3,2,2,2,US/US,R-1,R-1,EU\n\
         R-4,2,2,3,-,R-2,R-1,-\n"
    );
}

/// A lookup by one value read from a cell (`account?.region`, directly or
/// through an inlined function's parameter), at a date read from a cell,
/// finds the row a scan finds: by the rows' spans of days, with a
/// reference on the way that is none, a value that is none, a date before
/// or after every span, and without a date.
const OWNERS: &str = r#"
table accounts {
  id: Text key
  region: Text?
}

table deals {
  id: Text key
  account: accounts?
  closed: Date
}

table owners effective(start_date, end_date) {
  region: Text
  rep: Text
  start_date: Date
  end_date: Date?
}

fn owner_on(r: Text?, on: Date) -> Text? = owners.at(on).where(region == r).first(rep)

report owners_of_deals "Owners of deals" {
  from deals
  columns {
    id
    direct = owners.at(closed).where(region == account?.region).first(rep) ?? "-"
    inlined = owner_on(account?.region, closed) ?? "-"
    undated = owners.where(region == account?.region).first(rep) ?? "-"
  }
  order by id
}
"#;

#[test]
fn lookups_by_a_cell_at_a_date_give_what_scans_give() {
    let policy = Policy::compile("owners.tally", OWNERS, &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .tables_from_json(&[
            (
                "accounts",
                json!([
                    { "id": "A-1", "region": "EU" },
                    { "id": "A-2", "region": "US" },
                    { "id": "A-3", "region": null },
                ]),
            ),
            (
                "deals",
                json!([
                    { "id": "D-1", "account": "A-1", "closed": "2025-02-01" },
                    { "id": "D-2", "account": "A-1", "closed": "2025-08-01" },
                    { "id": "D-3", "account": "A-2", "closed": "2025-01-15" },
                    { "id": "D-4", "account": "A-3", "closed": "2025-04-01" },
                    { "id": "D-5", "account": null, "closed": "2025-04-01" },
                    { "id": "D-6", "account": "A-2", "closed": "2026-02-01" },
                ]),
            ),
            (
                "owners",
                json!([
                    { "region": "EU", "rep": "R-1", "start_date": "2025-01-01", "end_date": "2025-06-30" },
                    { "region": "EU", "rep": "R-2", "start_date": "2025-07-01", "end_date": null },
                    { "region": "US", "rep": "R-3", "start_date": "2025-03-01", "end_date": "2025-12-31" },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    assert_eq!(
        common::same_every_way(&policy, &data, "owners_of_deals", &[1, 2]),
        "id,direct,inlined,undated\n\
         D-1,R-1,R-1,R-1\n\
         D-2,R-2,R-2,R-1\n\
         D-3,-,-,R-3\n\
         D-4,-,-,-\n\
         D-5,-,-,-\n\
         D-6,-,-,R-3\n"
    );
}
