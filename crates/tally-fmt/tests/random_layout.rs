//! Property: for small policies built from fragments with random
//! whitespace, blank lines and comments between their tokens, formatting
//! succeeds (the self-check passes), keeps the program and every comment,
//! and is idempotent.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use proptest::prelude::*;
use tally_diagnostics::FileId;
use tally_fmt::{format_source, same_ast, same_comments};

/// Declarations, as tokens separated by single spaces (`~` is a space inside
/// a token: in a text, or in a money literal, which cannot span lines). Any separator may go
/// between two tokens.
const FRAGMENTS: &[&str] = &[
    r#"policy "Random~policy""#,
    r#"settings { currency = USD , fiscal_year_start = February rounding = half_even }"#,
    r#"table reps { id : Text key , name : Text manager : reps ? from "manager_id" hired : Date from "Hired" format "%d/%m/%Y" }"#,
    r#"table owners effective ( start , end ) { rep : reps from "rep_id" start : Date end : Date ? }"#,
    r#"territories { Global { Americas { NA_East NA_West } EMEA { } Strategic } Other }"#,
    r#"const strategic = [ "A-001" , "A-002" , ]"#,
    r#"const probability = { "Proposal" : 50% , "Won" : 100% }"#,
    r#"const rows = [ { id : "X1" , n : - 1 } , { id : "X2" , n : 2_000 } ]"#,
    r#"fn rep_for ( t : Territory ? , on : Date ) -> reps ? = owners . at ( on ) . where ( territory == t ) . first ( rep )"#,
    r#"fn calc ( x : Int ) -> Decimal = - x + 2 * ( x - 1 ) ?? 0.5 as Percent"#,
    r#"assign accounts . territory ( first match ) { rule "US" when country == "US" and state in [ "NY" , "NJ" ] then NA_East rule "DE" when country in [ "DE" ] then EMEA , otherwise Global }"#,
    r#"assign accounts . segment ( unique ) { rule "Big" when employees >= 1_000 then "Enterprise" }"#,
    r#"credit opportunities where stage == "Closed~Won" on close_date { let ae = rep_for ( account . territory , close_date ) revenue ( first match ) { rule "Split" when co_owner is some then owner gets 60% , co_owner gets 40% otherwise owner gets 100% } overlay ( all match ) { rule "Spec" when ae is none then owner gets 100% } rollup revenue via manager as manager }"#,
    r#"plan comp "Comp" { for ae in reps where role == "AE" for q in quarters ( FY2026 ) bookings = credits . where ( payee == ae and date in q ) . sum ( amount ) commission = if bookings > 0~USD then tiered marginal ( bookings of 100_000~USD ) { up to 50% => 4% up to 100% => 8% above => 12% } else 0~USD payout = min ( commission , 15_000~USD ) }"#,
    r#"plan flat { for r in reps rate = tiered retro ( r . sales ) { up to 10 => 1% , above => 2% } }"#,
    r#"report totals_by "By~territory" { from credits where role == "revenue" group by territory = deal . account . territory , quarter = fiscal_quarter ( date ) columns { deals = count_distinct ( deal ) bookings = sum ( amount ) } order by territory , quarter desc limit 10 totals }"#,
    r#"report plain { from comp , where payout > 0~USD columns { rep = ae . name , q , payout as Percent } order by q }"#,
    r#"test "lands~in~EMEA" { given accounts = [ { id : "X1" , country : "DE" , state : none } , ] expect accounts [ "X1" ] . territory == EMEA expect not ( x ?. y is some ) }"#,
    r#"golden "comp" { report plain data "fixtures" matches "expected/plain.csv" }"#,
    r#"const nested = { "a" : [ 1 , 2 ] , "b" : { k : 1 , } , "c" : [ ] , "d" : { } }"#,
    r#"const chain = x [ 0 ] . y ?. z ( a desc , b asc ) as reps ? . name ?. first ( )"#,
    r#"const cond = if a then - - b else not not c or d and e within Americas"#,
    r#"fn nothing ( ) -> List < Map < Text , Int ? > > = [ - 1 , ( 2 ) , [ 3 ] , 2025-04-10 , FY2026-Q3 , true , none ]"#,
    r#"const rates = tiered marginal ( x ) { up to 1 => 2% , above => 3% }"#,
    r#"const esc = "tab\t~quote\"~back\\" + 1.50 + 12.5% - 1_000.000_1~EUR"#,
    r#"report bare { from x columns { a , - b , ( c ) , [ d ] , e = f } where g }"#,
];

/// Separators inside a declaration: never a newline straight into column
/// 0 (an unindented declaration keyword inside braces starts a new
/// declaration during error recovery).
/// The first `PLAIN` of them hold no comment.
const INNER: &[&str] = &[
    " ",
    " ",
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n  ",
    "\n\n    ",
    "\n\n\n      ",
    " // c\n  ",
    "\n  // c\n  ",
    "   /// c\n\n ",
    "\n    // c\n\n  // c\n   ",
];
const PLAIN: usize = 10;

/// Separators between declarations.
const OUTER: &[&str] = &[
    "\n",
    "\n\n",
    "\n\n\n\n",
    " // c\n",
    "\n// c\n",
    "\n\n/// c\n",
    "\n// c\n\n// c\n\n",
];

fn build(decls: &[usize], seps: &[u8], comments: bool) -> String {
    let inner = if comments { INNER } else { &INNER[..PLAIN] };
    let mut src = String::new();
    let mut k = 0usize;
    let mut comment = 0usize;
    let mut next = |table: &[&str]| {
        let choice = seps.get(k % seps.len().max(1)).copied().unwrap_or(0) as usize;
        k += 1;
        table[choice % table.len()].to_string()
    };
    for (n, &d) in decls.iter().enumerate() {
        if n > 0 {
            src.push_str(&number(&next(OUTER), &mut comment));
        }
        for (i, token) in FRAGMENTS[d % FRAGMENTS.len()].split(' ').enumerate() {
            if i > 0 {
                src.push_str(&number(&next(inner), &mut comment));
            }
            src.push_str(&token.replace('~', " "));
        }
    }
    src.push_str(&number(&next(OUTER), &mut comment));
    src
}

/// Numbers the comments so a reordering would show.
fn number(sep: &str, counter: &mut usize) -> String {
    let mut out = String::new();
    for (i, part) in sep.split("// c").enumerate() {
        if i > 0 {
            *counter += 1;
            out.push_str(&format!("// c{counter}"));
        }
        out.push_str(part);
    }
    out
}

fn check(src: &str) -> Result<(), TestCaseError> {
    let parsed = tally_syntax::parse(FileId(0), src);
    prop_assume!(parsed.diagnostics.is_empty());
    let once = match format_source(src) {
        Ok(text) => text,
        Err(e) => return Err(TestCaseError::fail(format!("{e}\n--- input ---\n{src}"))),
    };
    let twice = format_source(&once).map_err(|e| TestCaseError::fail(format!("{e}\n{once}")))?;
    prop_assert_eq!(&once, &twice, "not idempotent; input:\n{}", src);
    let again = tally_syntax::parse(FileId(0), &once);
    prop_assert!(same_ast(&parsed.module, &again.module));
    prop_assert!(same_comments(&parsed.module, &again.module));
    prop_assert!(once.ends_with('\n') && !once.ends_with("\n\n"));
    prop_assert!(once.lines().all(|l| l == l.trim_end()));
    Ok(())
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_layouts_format_idempotently(
        decls in prop::collection::vec(0..FRAGMENTS.len(), 1..5),
        seps in prop::collection::vec(any::<u8>(), 1..400),
        comments in any::<bool>(),
    ) {
        check(&build(&decls, &seps, comments))?;
    }

    #[test]
    fn every_fragment_with_random_layout(
        d in 0..FRAGMENTS.len(),
        seps in prop::collection::vec(any::<u8>(), 1..200),
        comments in any::<bool>(),
    ) {
        check(&build(&[d], &seps, comments))?;
    }
}

#[test]
fn every_fragment_parses_as_written() {
    for d in 0..FRAGMENTS.len() {
        let src = build(&[d], &[0], false);
        let parsed = tally_syntax::parse(FileId(0), &src);
        assert!(
            parsed.diagnostics.is_empty(),
            "{src}: {:?}",
            parsed.diagnostics
        );
        check(&src).unwrap();
    }
}
