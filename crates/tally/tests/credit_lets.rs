//! A credit block's `let` is computed the first time a rule reads it, once
//! per deal: a deal whose rules never read it never computes it (and so
//! cannot fail on it; `and` and `or` stop as soon as their answer is
//! known), and a `let` first read inside a rule's own `where` leaves that
//! `where`'s rows as they were.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

mod common;

use serde_json::json;
use tally::{Limits, NoImports, Policy};

const TABLES: &str = r#"
table reps {
  id: Text key
  name: Text
}

table deals {
  id: Text key
  owner: reps
  helper: reps?
  amount: Money
  seats: Int
  closed: Date
}

fn deals_of(r: reps) -> Int = deals.where(owner == r).count()

report credit_list "Credits" {
  from credits
  columns { deal = deal.id, payee = payee.id, rule, amount }
}
"#;

fn compile(block: &str) -> Policy {
    Policy::compile("policy.tally", &format!("{TABLES}{block}"), &NoImports)
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

fn data(policy: &Policy) -> tally::Data {
    policy
        .tables_from_json(&[
            (
                "reps",
                json!([
                    { "id": "R-1", "name": "Ann" },
                    { "id": "R-2", "name": "Bob" },
                ]),
            ),
            (
                "deals",
                json!([
                    { "id": "D-1", "owner": "R-2", "helper": "R-1", "amount": "100.00", "seats": 0, "closed": "2025-03-01" },
                    { "id": "D-2", "owner": "R-1", "helper": null, "amount": "100.00", "seats": 5, "closed": "2025-03-02" },
                    { "id": "D-3", "owner": "R-2", "helper": "R-1", "amount": "30.00", "seats": 3, "closed": "2025-03-03" },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

/// The `credit_list` report of `block`, the same on one and two threads
/// and in the reference evaluation.
fn credit_list(block: &str) -> String {
    let policy = compile(block);
    common::same_every_way(&policy, &data(&policy), "credit_list", &[1, 2])
}

#[test]
fn a_let_no_rule_reads_is_not_computed_and_one_read_in_a_where_keeps_its_rows() {
    // D-1 has no seats: `per_seat` would divide by zero, but its rules never
    // read it. `mine` is first read inside the scan of "Busy", whose row
    // (`amount`) must still be the scanned deal's after it is computed.
    let out = credit_list(
        r#"
credit deals on closed {
  let per_seat = amount / seats
  let mine = deals_of(owner)
  revenue (first match) {
    rule "Per seat" when seats > 0 and per_seat > 12 USD then owner gets 100%
    rule "Busy" when deals.where(mine > 1 and amount > 60 USD or amount > 1000 USD).count() > 0
      then owner gets 50%, helper gets 50%
    otherwise owner gets 100%
  }
}
"#,
    );
    assert_eq!(
        out,
        "deal,payee,rule,amount\n\
         D-1,R-2,Busy,50.00\n\
         D-1,R-1,Busy,50.00\n\
         D-2,R-1,Per seat,100.00\n\
         D-3,R-2,Busy,15.00\n\
         D-3,R-1,Busy,15.00\n"
    );
}

#[test]
fn a_let_that_fails_where_a_rule_reads_it_is_an_error_naming_the_deal() {
    let policy = compile(
        r#"
credit deals on closed {
  let per_seat = amount / seats
  revenue (first match) {
    rule "Per seat" when per_seat > 12 USD then owner gets 100%
    otherwise owner gets 100%
  }
}
"#,
    );
    let data = data(&policy);
    let err = match policy.evaluate(&data, Limits::default()) {
        Ok(_) => panic!("dividing by no seats must fail"),
        Err(f) => f.render(false),
    };
    assert!(err.contains("R0001"), "{err}");
    assert!(err.contains("D-1"), "{err}");
}

#[test]
fn explain_shows_every_let_and_the_error_of_one_no_rule_reads() {
    let policy = compile(
        r#"
credit deals on closed {
  let per_seat = amount / seats
  let mine = deals_of(owner)
  revenue (first match) {
    rule "Per seat" when seats > 0 and per_seat > 12 USD then owner gets 100%
    otherwise owner gets 100%
  }
}
"#,
    );
    let results = policy
        .evaluate(&data(&policy), Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let lets = |key: &str| -> Vec<(String, String)> {
        let explained = results.explain("deals", key).unwrap().unwrap();
        explained
            .steps
            .into_iter()
            .filter_map(|s| match s {
                tally_eval::explain::Step::Let { name, value, .. } => Some((name, value)),
                _ => None,
            })
            .collect()
    };
    let d1 = lets("D-1");
    assert_eq!(d1.len(), 2, "{d1:?}");
    assert_eq!(d1[0].0, "per_seat");
    assert!(d1[0].1.starts_with("fails (R0001)"), "{d1:?}");
    assert_eq!(d1[1], ("mine".to_string(), "2".to_string()));
    assert_eq!(
        lets("D-2")[0],
        ("per_seat".to_string(), "20 USD".to_string())
    );
}

#[test]
fn or_stops_at_the_first_operand_that_is_true() {
    // D-1 has no seats: `seats == 0` holds, so `per_seat` is not read.
    let out = credit_list(
        r#"
credit deals on closed {
  let per_seat = amount / seats
  revenue (first match) {
    rule "Small" when seats == 0 or per_seat < 15 USD then owner gets 100%
    otherwise owner gets 100%
  }
}
"#,
    );
    assert_eq!(
        out,
        "deal,payee,rule,amount\n\
         D-1,R-2,Small,100.00\n\
         D-2,R-1,otherwise,100.00\n\
         D-3,R-2,Small,30.00\n"
    );
}
