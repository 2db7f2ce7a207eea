use super::*;

fn check(src: &str) -> Checked {
    check_source("test.tally", src, &NoImports)
}

fn codes_of(src: &str) -> Vec<&'static str> {
    check(src).diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn acme_checks_clean() {
    let src = include_str!("../../../examples/acme/policy.tally");
    let checked = check(src);
    let rendered = tally_diagnostics::render_human(
        &checked.diagnostics,
        &checked.program.sources,
        Default::default(),
    );
    assert!(checked.diagnostics.is_empty(), "{rendered}");
}

#[test]
fn stdlib_checks_clean() {
    let checked = check("");
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
}

#[test]
fn acme_schema() {
    let src = include_str!("../../../examples/acme/policy.tally");
    let p = check(src).program;
    let accounts = p.table(p.table_named("accounts").unwrap()).unwrap();
    let territory = &accounts.columns[accounts.column("territory").unwrap()];
    assert_eq!(p.show(&territory.ty), "Territory?");
    let plan = p.table(p.table_named("ae_comp").unwrap()).unwrap();
    let cols: Vec<String> = plan
        .columns
        .iter()
        .map(|c| format!("{}: {}", c.name, p.show(&c.ty)))
        .collect();
    assert_eq!(
        cols,
        [
            "ae: reps",
            "q: Period",
            "bookings: Money",
            "quota: Money",
            "attainment: Decimal",
            "commission: Money",
            "payout: Money"
        ]
    );
    let report = p
        .table(p.table_named("bookings_by_territory").unwrap())
        .unwrap();
    let cols: Vec<String> = report
        .columns
        .iter()
        .map(|c| format!("{}: {}", c.name, p.show(&c.ty)))
        .collect();
    assert_eq!(
        cols,
        [
            "territory: Territory?",
            "quarter: Period",
            "deals: Int",
            "bookings: Money"
        ]
    );
}

#[test]
fn unknown_column_suggests() {
    let checked = check("table a {\n  country: Text\n}\nassign a.t (first match) {\n  rule \"x\" when contry == \"US\" then 1\n}\n");
    let d = &checked.diagnostics[0];
    assert_eq!(d.code, codes::UNKNOWN_COLUMN);
    assert_eq!(d.message, "unknown column `contry` on `a`");
    assert_eq!(d.help.as_deref(), Some("did you mean `country`?"));
}

#[test]
fn recursion_is_an_error() {
    assert!(
        codes_of("fn f(x: Int) -> Int = g(x)\nfn g(x: Int) -> Int = f(x)\nconst y = f(1)\n")
            .contains(&codes::RECURSION)
    );
}

#[test]
fn share_must_be_percent() {
    let src = "table reps {\n  id: Text key\n}\ntable deals {\n  id: Text key\n  owner: reps\n  amount: Money\n  close: Date\n}\ncredit deals on close {\n  revenue (first match) {\n    otherwise owner gets 60\n  }\n}\n";
    let checked = check(src);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == codes::SHARE_TYPE)
        .unwrap();
    assert_eq!(d.help.as_deref(), Some("write `60%`"));
}
