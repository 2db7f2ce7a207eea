//! One ugly input per construct and its canonical layout.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use tally_fmt::{format_source, FormatError};

fn fmt(src: &str) -> String {
    let out = format_source(src).unwrap();
    assert_eq!(format_source(&out).unwrap(), out, "not idempotent");
    out
}

#[test]
fn blanks() {
    let src = r#"



policy "P"



const a = 1
const b = 2



settings {


  currency = USD



  rounding = half_up


}



"#;
    insta::assert_snapshot!(fmt(src), @r#"
policy "P"

const a = 1
const b = 2

settings {
  currency = USD

  rounding = half_up
}
"#);
}

#[test]
fn comments() {
    let src = r#"
// File header.

/// Documented constant.
const a = 1   // trailing on a
// about b
const b = 2
table t { // header comment
  // before a
  a: Text  // after a

  // dangling at the end
}
assign x.y (first match) {
  rule "r" when a // inside the rule
    then b
  otherwise c // fallback branch
}
const l = [1, // one
  2]
// the very end
"#;
    insta::assert_snapshot!(fmt(src), @r#"
// File header.

/// Documented constant.
const a = 1  // trailing on a
// about b
const b = 2
table t {  // header comment
  // before a
  a: Text  // after a

  // dangling at the end
}
assign x.y (first match) {
  rule "r" when a // inside the rule
    then b
  otherwise c  // fallback branch
}
const l = [
  1,  // one
  2,
]
// the very end
"#);
}

#[test]
fn credit() {
    let src = r#"
credit opportunities where stage=="Closed Won" on close_date{
  let ae=territory_rep(account.territory,"AE",close_date)
  amount = amount_of( amount )
  revenue(first match){
  rule "Named split" when co_owner is some then owner gets 60%,co_owner gets 40%
      otherwise owner gets 100%
  }
  overlay (all match) { rule "Security" when product == "Security" and specialist is some then specialist gets 100% }
  rollup   revenue via manager  as manager
}
"#;
    insta::assert_snapshot!(fmt(src), @r#"
credit opportunities where stage == "Closed Won" on close_date {
  let ae = territory_rep(account.territory, "AE", close_date)
  amount = amount_of(amount)
  revenue (first match) {
    rule "Named split" when co_owner is some then owner gets 60%, co_owner gets 40%
    otherwise owner gets 100%
  }
  overlay (all match) {
    rule "Security" when product == "Security" and specialist is some then specialist gets 100%
  }
  rollup revenue via manager as manager
}
"#);
}

#[test]
fn docs() {
    let src = r#"
/// Strategic accounts.
/// Reviewed every quarter.
const strategic = ["A-001"]   // keep sorted

/// Not attached: a blank line follows.

const other = 1
"#;
    insta::assert_snapshot!(fmt(src), @r#"
/// Strategic accounts.
/// Reviewed every quarter.
const strategic = ["A-001"]  // keep sorted

/// Not attached: a blank line follows.

const other = 1
"#);
}

#[test]
fn exprs() {
    let src = r#"
const strategic=["A-001","A-002",]
const probability={"Prospecting":10%,"Proposal":50%}
const empty = [ ]
const nested = [
  ["a", "b"],
      { k: 1,
        v: -2.50 },
]
/// The rep for a territory.
fn territory_rep(t:Territory?,job:Text,on:Date)->reps?=
      territory_owners.at(on).where(territory==t and role==job).first(rep)
fn f(x: Int) -> Int = -x+2*(x-1)??0
const when_ = if a>=b then a else b
const casts = (x as Percent) + y?.z.sort(a desc, b asc)[0] ?? FY2026-Q3
const text = "quote \" backslash \\ tab \t"
const date = 2025-04-10 within Americas
"#;
    insta::assert_snapshot!(fmt(src), @r#"
const strategic = ["A-001", "A-002"]
const probability = {"Prospecting": 10%, "Proposal": 50%}
const empty = []
const nested = [
  ["a", "b"],
  { k: 1, v: -2.50 },
]
/// The rep for a territory.
fn territory_rep(t: Territory?, job: Text, on: Date) -> reps? =
  territory_owners.at(on).where(territory == t and role == job).first(rep)
fn f(x: Int) -> Int = -x + 2 * (x - 1) ?? 0
const when_ = if a >= b then a else b
const casts = (x as Percent) + y?.z.sort(a desc, b asc)[0] ?? FY2026-Q3
const text = "quote \" backslash \\ tab \t"
const date = 2025-04-10 within Americas
"#);
}

#[test]
fn fallback() {
    let src = r#"
plan p {
  bookings = credits.where(payee == ae // only this rep
    and date in q).sum(amount)
  quota = 1
}
const y = // value below
  5
"#;
    insta::assert_snapshot!(fmt(src), @r#"
plan p {
  bookings = credits.where(
    payee == ae // only this rep
    and date in q,
  ).sum(amount)
  quota    = 1
}
const y = // value below
  5
"#);
}

#[test]
fn inline_blocks() {
    let src = r#"
test "t" { given reps = [
    { id: "R1", name: "Ann" },
  ] expect reps["R1"].name == "Ann" }
credit deals on date { revenue (first match) { otherwise owner gets 100% } }
report r { from x columns { a, b } }
"#;
    insta::assert_snapshot!(fmt(src), @r#"
test "t" {
  given reps = [
    { id: "R1", name: "Ann" },
  ]
  expect reps["R1"].name == "Ann"
}
credit deals on date { revenue (first match) { otherwise owner gets 100% } }
report r { from x columns { a, b } }
"#);
}

#[test]
fn plans() {
    let src = r#"
plan ae_comp "AE" {
  for ae in reps where role=="AE"
  for q in quarters(FY2026)



  bookings = credits.where(payee == ae and date in q).sum(amount)
  quota= quotas.where(rep == ae).sum(amount)
  commission = if quota > 0 USD then tiered marginal(bookings of quota){
  up to 50% => 4%
     up to 100%=>8%
  above=>12%
  } else 0 USD
  bonus = tiered retro (bookings) {
    up to 100_000 USD => 1%
    above => 2%
  }
  payout=min(commission,15_000 USD)
}
plan flat "Flat" { for r in reps, rate = tiered retro (r.sales) { up to 10 => 1%, above => 2% } }
"#;
    insta::assert_snapshot!(fmt(src), @r#"
plan ae_comp "AE" {
  for ae in reps where role == "AE"
  for q in quarters(FY2026)

  bookings   = credits.where(payee == ae and date in q).sum(amount)
  quota      = quotas.where(rep == ae).sum(amount)
  commission = if quota > 0 USD then tiered marginal (bookings of quota) {
                 up to 50%  => 4%
                 up to 100% => 8%
                 above      => 12%
               } else 0 USD
  bonus      = tiered retro (bookings) {
    up to 100_000 USD => 1%
    above             => 2%
  }
  payout     = min(commission, 15_000 USD)
}
plan flat "Flat" { for r in reps, rate = tiered retro (r.sales) { up to 10 => 1%, above => 2% } }
"#);
}

#[test]
fn reports() {
    let src = r#"
report by_territory "By territory"{from credits where role=="revenue"
  group by territory=deal.account.territory,quarter=fiscal_quarter(date)
  columns{
    deals=count_distinct(deal)
    bookings =sum(amount)
  }
  order by territory , quarter desc
  limit 10
  totals
}
report attainment "AE attainment" {
  from ae_comp
  where quota > 0 USD
  columns { rep = ae.name, quarter = q, bookings, attainment = round(attainment, 4) as Percent }
  columns {
    rep = ae.name
    bookings
  }
  order by quarter, attainment desc
}
report tiny { from reps columns { id } }
"#;
    insta::assert_snapshot!(fmt(src), @r#"
report by_territory "By territory" {
  from credits where role == "revenue"
  group by territory = deal.account.territory, quarter = fiscal_quarter(date)
  columns {
    deals    = count_distinct(deal)
    bookings = sum(amount)
  }
  order by territory, quarter desc
  limit 10
  totals
}
report attainment "AE attainment" {
  from ae_comp where quota > 0 USD
  columns { rep = ae.name, quarter = q, bookings, attainment = round(attainment, 4) as Percent }
  columns {
    rep = ae.name
    bookings
  }
  order by quarter, attainment desc
}
report tiny { from reps columns { id } }
"#);
}

#[test]
fn rules() {
    let src = r#"
assign accounts.territory(first   match){
  rule "Strategic" when id in strategic_accounts then Strategic
    rule "US East" when country=="US"and state in["NY","NJ","MA"]then NA_East
  rule "broken by the author" when country == "DE"
  then DACH
  rule "too long for one line" when country == "US" and state in ["CA", "WA", "OR"] and employees > 100 then NA_West
  otherwise   Global }
assign accounts.segment (unique) { rule "E" when employees >= 1_000 then "Enterprise", otherwise "Commercial" }
"#;
    insta::assert_snapshot!(fmt(src), @r#"
assign accounts.territory (first match) {
  rule "Strategic" when id in strategic_accounts then Strategic
  rule "US East" when country == "US" and state in ["NY", "NJ", "MA"] then NA_East
  rule "broken by the author" when country == "DE"
    then DACH
  rule "too long for one line" when country == "US" and state in ["CA", "WA", "OR"] and employees > 100
    then NA_West
  otherwise Global
}
assign accounts.segment (unique) { rule "E" when employees >= 1_000 then "Enterprise", otherwise "Commercial" }
"#);
}

#[test]
fn settings() {
    let src = r#"
settings{currency=USD,fiscal_year_start=February
      rounding   =   half_even   }
settings {
    currency =
        EUR
}
"#;
    insta::assert_snapshot!(fmt(src), @r#"
settings { currency = USD, fiscal_year_start = February, rounding = half_even }
settings {
  currency =
    EUR
}
"#);
}

#[test]
fn tables() {
    let src = r#"
table   reps{
  id:Text    key
      name :  Text
  manager:reps ?   from"manager_id"
  hired: Date format "%m/%d/%Y"    from "Hired On"
  region: Text,
}
table quotas effective( start , end ) {  rep : reps from "rep_id", period: Period ,amount:Money}
table wide {
  a_really_long_column_name: List<Text>? key from "x"
  b: Int from "b"
}
"#;
    insta::assert_snapshot!(fmt(src), @r#"
table reps {
  id: Text key
  name: Text
  manager: reps?        from "manager_id"
  hired: Date           from "Hired On" format "%m/%d/%Y"
  region: Text
}
table quotas effective(start, end) { rep: reps from "rep_id", period: Period, amount: Money }
table wide {
  a_really_long_column_name: List<Text>? key  from "x"
  b: Int                                      from "b"
}
"#);
}

#[test]
fn territories() {
    let src = r#"
territories{
    Global{
  Americas{NA_East    NA_West
  LATAM}
        EMEA { UKI DACH }
  Strategic {}
}
}
territories { A { B  C }  D }
"#;
    insta::assert_snapshot!(fmt(src), @r#"
territories {
  Global {
    Americas { NA_East  NA_West  LATAM }
    EMEA { UKI  DACH }
    Strategic
  }
}
territories { A { B  C }  D }
"#);
}

#[test]
fn tests() {
    let src = r#"
test "German accounts land in DACH"{given accounts=[
  {id:"X1",name:"Test GmbH",country:"DE",state:none,employees:50},
  { id: "X2", name: "Other", country: "AT", state: none, employees: 5 }]
  expect accounts["X1"].territory==DACH
  expect accounts[ "X2" ].segment=="Commercial"   and  not (x?.y is none)
}
golden"attainment"{report attainment
  data "fixtures"
      matches "expected/attainment.csv"}
"#;
    insta::assert_snapshot!(fmt(src), @r#"
test "German accounts land in DACH" {
  given accounts = [
    { id: "X1", name: "Test GmbH", country: "DE", state: none, employees: 50 },
    { id: "X2", name: "Other", country: "AT", state: none, employees: 5 },
  ]
  expect accounts["X1"].territory == DACH
  expect accounts["X2"].segment == "Commercial" and not (x?.y is none)
}
golden "attainment" { report attainment, data "fixtures", matches "expected/attainment.csv" }
"#);
}

#[test]
fn syntax_errors_are_reported_not_formatted() {
    let err = format_source("table t {\n  a: \n}\nconst ok = 1\n").unwrap_err();
    let FormatError::Syntax(diags) = &err else {
        panic!("{err:?}");
    };
    assert!(!diags.is_empty());
    assert!(err
        .to_string()
        .starts_with("cannot format a file with syntax errors"));
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
    assert_eq!(
        fmt("\n\n// just a note   \n\n\n// another\n\n"),
        "// just a note\n\n// another\n"
    );
}

#[test]
fn crlf_line_endings_become_lf() {
    assert_eq!(
        fmt("settings {\r\n  currency = USD // base\r\n}\r\n"),
        "settings {\n  currency = USD  // base\n}\n"
    );
}
