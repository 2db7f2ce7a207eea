//! `tally diff`: what a policy change does on the same data (spec §8).
//!
//! The policy below is a copy of `examples/acme/policy.tally`, so these
//! snapshots do not move when the example is edited.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use tally::diff::{diff, PolicyDiff};
use tally::{Limits, NoImports, Policy, Results};

const ACME: &str = r#"// Acme Cloud — FY2026 sales policy: territories, crediting, AE plan, reports.
policy "Acme Cloud FY2026"

settings {
  currency = USD
  fiscal_year_start = February
  rounding = half_even
}

table reps {
  id: Text key
  name: Text
  role: Text
  region: Text
  manager: reps?        from "manager_id"
}

table accounts {
  id: Text key
  name: Text
  country: Text
  state: Text?
  industry: Text
  employees: Int
}

table opportunities {
  id: Text key
  account: accounts     from "account_id"
  owner: reps           from "owner_id"
  co_owner: reps?       from "co_owner_id"
  amount: Money
  stage: Text
  close_date: Date
  product: Text
}

table territory_owners effective(start_date, end_date) {
  territory: Territory
  rep: reps             from "rep_id"
  role: Text
  start_date: Date
  end_date: Date?
}

table quotas {
  rep: reps             from "rep_id"
  period: Period
  amount: Money
}

territories {
  Global {
    Americas { NA_East  NA_West  LATAM }
    EMEA { UKI  DACH }
    Strategic
  }
}

const strategic_accounts = ["A-001", "A-002"]
const stage_probability = {"Prospecting": 10%, "Qualification": 20%, "Proposal": 50%, "Negotiation": 75%}

/// The rep holding `job` in territory `t` on date `on`, if any.
fn territory_rep(t: Territory?, job: Text, on: Date) -> reps? =
  territory_owners.at(on).where(territory == t and role == job).first(rep)

assign accounts.territory (first match) {
  rule "Strategic named accounts" when id in strategic_accounts then Strategic
  rule "US East" when country == "US" and state in ["NY", "NJ", "MA"] then NA_East
  rule "US West" when country == "US" and state in ["CA", "WA", "OR"] then NA_West
  rule "LATAM" when country in ["BR", "MX", "AR"] then LATAM
  rule "UK & Ireland" when country in ["GB", "IE"] then UKI
  rule "DACH" when country in ["DE", "AT", "CH"] then DACH
}

assign accounts.segment (first match) {
  rule "Enterprise" when employees >= 1000 then "Enterprise"
  otherwise "Commercial"
}

credit opportunities where stage == "Closed Won" on close_date {
  let ae = territory_rep(account.territory, "AE", close_date)
  let specialist = territory_rep(account.territory, "Security", close_date)

  revenue (first match) {
    rule "Named split" when co_owner is some then owner gets 60%, co_owner gets 40%
    rule "Territory AE" when ae is some then ae gets 100%
    otherwise owner gets 100%
  }
  overlay (all match) {
    rule "Security specialist" when product == "Security" and specialist is some
      then specialist gets 100%
  }
  rollup revenue via manager as manager
}

plan ae_comp "AE quarterly commission" {
  for ae in reps where role == "AE"
  for q in quarters(FY2026)

  bookings   = credits.where(payee == ae and role == "revenue" and date in q).sum(amount)
  quota      = quotas.where(rep == ae and period == q).sum(amount)
  attainment = if quota > 0 USD then bookings / quota else 0%
  commission = if quota > 0 USD then tiered marginal (bookings of quota) {
                 up to 50%  => 4%
                 up to 100% => 8%
                 above      => 12%
               } else 0 USD
  payout     = min(commission, 15_000 USD)
}

report assignments "Account assignment" {
  from accounts
  columns { id, name, territory, rule = territory_rule, segment }
  order by territory, id
}

report credit_detail "Credits" {
  from credits
  columns { deal, payee, payee_name = payee.name, role, rule, share, amount, date }
}

report bookings_by_territory "Bookings by territory and quarter" {
  from credits where role == "revenue"
  group by territory = deal.account.territory, quarter = fiscal_quarter(date)
  columns {
    deals    = count_distinct(deal)
    bookings = sum(amount)
  }
  order by territory, quarter
  totals
}

report attainment "AE attainment" {
  from ae_comp where quota > 0 USD
  columns {
    rep = ae.name
    quarter = q
    bookings
    quota
    attainment = round(attainment, 4) as Percent
    commission
    payout
  }
  order by quarter, attainment desc, rep
}

report forecast "Open pipeline by quarter" {
  from opportunities where not (stage in ["Closed Won", "Closed Lost"])
  group by quarter = fiscal_quarter(close_date)
  columns {
    deals    = count()
    pipeline = sum(amount)
    weighted = sum(amount * (stage_probability[stage] ?? 0%))
  }
  order by quarter
}

report manager_rollup "Manager roll-up credit" {
  from credits where role == "manager"
  group by manager = payee.name
  columns {
    total = sum(amount)
    deals = count_distinct(deal)
  }
  order by total desc, manager
}

test "a German account lands in DACH" {
  given accounts = [
    { id: "X1", name: "Test GmbH", country: "DE", state: none, industry: "Retail", employees: 50 },
  ]
  expect accounts["X1"].territory == DACH
  expect accounts["X1"].segment == "Commercial"
}

test "NA East changes hands on 2025-08-01" {
  expect territory_rep(NA_East, "AE", 2025-07-31) == "R-10"
  expect territory_rep(NA_East, "AE", 2025-08-01) == "R-12"
}

test "split deal keeps every cent" {
  expect credits.where(deal == "O-003" and role == "revenue").sum(amount) == 100_000.01 USD
}

golden "attainment FY2026" {
  report attainment
  matches "expected/attainment.csv"
}

golden "account assignment" {
  report assignments
  matches "expected/assignments.csv"
}

golden "credits" {
  report credit_detail
  matches "expected/credit_detail.csv"
}

golden "bookings by territory" {
  report bookings_by_territory
  matches "expected/bookings_by_territory.csv"
}

golden "open pipeline" {
  report forecast
  matches "expected/forecast.csv"
}

golden "manager roll-up" {
  report manager_rollup
  matches "expected/manager_rollup.csv"
}
"#;

fn acme_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme/data")
}

/// Compiles `text` as `name` and evaluates it over the acme data.
fn evaluate(name: &str, text: &str) -> Results {
    let policy =
        Policy::compile(name, text, &NoImports).unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .load_dir(&acme_data())
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    policy
        .evaluate(&data, Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

/// `text` with each `(from, to)` replaced exactly once.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (from, to) in edits {
        assert_eq!(out.matches(from).count(), 1, "`{from}` must occur once");
        out = out.replace(from, to);
    }
    out
}

fn acme_diff(new_text: &str) -> PolicyDiff {
    diff(
        &evaluate("old.tally", ACME),
        &evaluate("new.tally", new_text),
    )
}

/// The accelerator goes from 12% to 15%, and MA moves from "US East" to
/// "US West".
fn mutated() -> String {
    edit(
        ACME,
        &[
            ("above      => 12%", "above      => 15%"),
            (
                r#"state in ["NY", "NJ", "MA"] then NA_East"#,
                r#"state in ["NY", "NJ"] then NA_East"#,
            ),
            (
                r#"state in ["CA", "WA", "OR"] then NA_West"#,
                r#"state in ["CA", "WA", "OR", "MA"] then NA_West"#,
            ),
        ],
    )
}

#[test]
fn accelerator_and_moved_state_markdown() {
    insta::assert_snapshot!(acme_diff(&mutated()).to_markdown());
}

#[test]
fn accelerator_and_moved_state_table() {
    insta::assert_snapshot!(acme_diff(&mutated()).to_table());
}

#[test]
fn accelerator_and_moved_state_csv() {
    insta::assert_snapshot!(acme_diff(&mutated()).to_csv());
}

#[test]
fn accelerator_and_moved_state_json() {
    insta::assert_snapshot!(acme_diff(&mutated()).to_json());
}

#[test]
fn accelerator_and_moved_state_finds_exactly_the_affected_rows() {
    let d = acme_diff(&mutated());
    let territory = d.fields.iter().find(|f| f.field == "territory").unwrap();
    let moved: Vec<_> = territory
        .changes
        .iter()
        .map(|c| (c.key.as_str(), c.old.text.as_str(), c.new.text.as_str()))
        .collect();
    assert_eq!(moved, [("A-003", "NA_East", "NA_West")]);
    let deals: Vec<_> = d.credits.iter().map(|c| c.deal.as_str()).collect();
    assert_eq!(deals, ["O-001", "O-002"]);
    let plan = &d.plans[0];
    let lee = plan
        .rows
        .iter()
        .find(|r| r.labels[0].as_deref() == Some("Lee Strand"))
        .unwrap();
    let metric = |name: &str| lee.metrics.iter().find(|m| m.name == name).unwrap();
    assert_eq!(
        metric("commission").old.as_ref().unwrap().text,
        "18,000.00 USD"
    );
    assert_eq!(
        metric("commission").new.as_ref().unwrap().text,
        "19,500.00 USD"
    );
    assert!(
        !metric("payout").changed,
        "the cap keeps Lee Strand's payout at 15,000"
    );
}

#[test]
fn a_policy_against_itself_has_no_changes() {
    let d = acme_diff(ACME);
    assert!(!d.has_changes());
    assert!(d.notes.is_empty());
    insta::assert_snapshot!(d.to_markdown());
}

#[test]
fn a_territory_hierarchy_change_compares_territories_by_name() {
    let new = edit(
        ACME,
        &[
            (
                "    Americas { NA_East  NA_West  LATAM }\n    EMEA { UKI  DACH }\n",
                "    EMEA { UKI  DACH }\n    Americas {\n      NorthAmerica { NA_East  NA_Central  NA_West }\n      LATAM\n    }\n",
            ),
            (
                "  rule \"LATAM\" when",
                "  rule \"US Central\" when country == \"US\" and state in [\"TX\"] then NA_Central\n  rule \"LATAM\" when",
            ),
        ],
    );
    let d = acme_diff(&new);
    insta::assert_snapshot!(d.to_table());
}

/// A small policy where the rounding mode matters: a 50% credit of 0.05
/// is 0.025, and 2.5% of 0.20 is 0.005.
const ROUNDING: &str = r#"
policy "Rounding"
settings { rounding = half_even }

table reps {
  id: Text key
  name: Text
}

table deals {
  id: Text key
  owner: reps   from "owner_id"
  amount: Money
  closed: Date
}

credit deals on closed {
  revenue (first match) {
    otherwise owner gets 50%
  }
}

plan comp "Commission" {
  for r in reps
  bookings   = credits.where(payee == r).sum(amount)
  commission = bookings * 2.5%
}
"#;

fn rounding_results(name: &str, text: &str) -> Results {
    let policy =
        Policy::compile(name, text, &NoImports).unwrap_or_else(|f| panic!("{}", f.render(false)));
    let data = policy
        .tables_from_json(&[
            (
                "reps",
                serde_json::json!([{ "id": "R-1", "name": "Ann" }, { "id": "R-2", "name": "Bob" }]),
            ),
            (
                "deals",
                serde_json::json!([
                    { "id": "D-1", "owner_id": "R-1", "amount": "0.05", "closed": "2025-03-01" },
                    { "id": "D-2", "owner_id": "R-2", "amount": "0.40", "closed": "2025-03-02" },
                ]),
            ),
        ])
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    policy
        .evaluate(&data, Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render(false)))
}

#[test]
fn a_rounding_change_shows_every_cent_it_moves() {
    let new = edit(ROUNDING, &[("rounding = half_even", "rounding = half_up")]);
    let d = diff(
        &rounding_results("old.tally", ROUNDING),
        &rounding_results("new.tally", &new),
    );
    insta::assert_snapshot!("rounding_markdown", d.to_markdown());
    insta::assert_snapshot!("rounding_csv", d.to_csv());
    insta::assert_snapshot!("rounding_json", d.to_json());
}

#[test]
fn a_renamed_rule_is_counted_but_changes_no_value() {
    let d = acme_diff(&edit(
        ACME,
        &[(r#"rule "US West""#, r#"rule "US West coast""#)],
    ));
    assert!(!d.has_changes());
    let territory = d.fields.iter().find(|f| f.field == "territory").unwrap();
    assert_eq!(
        (territory.changes.len(), territory.rule_only),
        (0, 2),
        "A-004 and A-012"
    );
    assert_eq!(
        d.summary().headline("`"),
        "2 rows of `accounts.territory` change only their rule."
    );
}

#[test]
fn a_currency_change_is_totalled_per_currency() {
    let d = acme_diff(&ACME.replace("USD", "EUR"));
    assert_eq!(d.notes.len(), 1);
    assert_eq!(
        (d.notes[0].old.as_deref(), d.notes[0].new.as_deref()),
        (Some("USD"), Some("EUR"))
    );
    let payout: Vec<_> = d.plans[0]
        .totals
        .iter()
        .filter(|t| t.metric == "payout")
        .map(|t| {
            (
                t.currency.as_str(),
                t.old.text.as_str(),
                t.new.text.as_str(),
                t.delta.text.as_str(),
            )
        })
        .collect();
    assert_eq!(
        payout,
        [
            ("USD", "40,733.33 USD", "0.00 USD", "-40,733.33 USD"),
            ("EUR", "0.00 EUR", "40,733.33 EUR", "+40,733.33 EUR"),
        ]
    );
    // Amounts in two currencies have no delta.
    let change = &d.credits[0].changes[0];
    assert_eq!(change.kind, tally::diff::ChangeKind::Changed);
    assert!(change.amount_delta.is_none());
}
