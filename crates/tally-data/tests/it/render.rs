//! Rendering a small hand-built report in every format.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use tally_check::{Rounding, TableId, Type};
use tally_data::{render_csv, render_json, render_md, render_table, render_xlsx, ReportView};
use tally_eval::{Currency, Money, RowRef, Store, Table, Value};
use tally_syntax::literal::Period;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn usd(s: &str) -> Value {
    Value::Money(Money::new(d(s), Currency(*b"USD")))
}

fn eur(s: &str) -> Value {
    Value::Money(Money::new(d(s), Currency(*b"EUR")))
}

/// Table 0 is `reps`, table 1 the report.
fn store() -> Store {
    let mut store = Store::with_tables(2);
    store.territories = std::sync::Arc::new(vec!["Global".into(), "NA_East".into()]);
    let mut reps = Table::new("reps", &["id", "name"]);
    reps.push_row(vec![Value::text("R-10"), Value::text("Dan Miller")]);
    reps.push_row(vec![Value::text("R-11"), Value::text("Eve Santos")]);
    reps.set_key(0);
    store.set(TableId(0), reps);
    let mut report = Table::new(
        "bookings",
        &[
            "rep",
            "quarter",
            "territory",
            "deals",
            "bookings",
            "attainment",
            "ratio",
            "closed",
            "won",
            "note",
        ],
    );
    let rep = |row| {
        Value::Row(RowRef {
            table: TableId(0),
            row,
        })
    };
    report.push_row(vec![
        rep(0),
        Value::Period(Period::parse("FY2026-Q1").unwrap()),
        Value::Territory(1),
        Value::Int(3),
        usd("1234567.891"),
        Value::Percent(d("0.875")),
        Value::Decimal(d("0.50")),
        Value::Date(NaiveDate::from_ymd_opt(2025, 4, 10).unwrap()),
        Value::Bool(true),
        Value::text("plain"),
    ]);
    report.push_row(vec![
        rep(1),
        Value::Period(Period::parse("FY2026-Q2").unwrap()),
        Value::None,
        Value::Int(-12),
        usd("-0.005"),
        Value::Percent(d("1.25")),
        Value::Decimal(d("3")),
        Value::None,
        Value::Bool(false),
        Value::text("a, \"quoted\" | piped\nline"),
    ]);
    report.push_row(vec![
        Value::text("Total"),
        Value::None,
        Value::None,
        Value::Int(1000),
        usd("1234567.886"),
        Value::None,
        Value::None,
        Value::None,
        Value::None,
        Value::None,
    ]);
    store.set(TableId(1), report);
    store
}

fn types() -> Vec<Type> {
    vec![
        Type::Row(TableId(0)),
        Type::Period,
        Type::Territory.optional(),
        Type::Int,
        Type::Money,
        Type::Percent.optional(),
        Type::Decimal.optional(),
        Type::Date.optional(),
        Type::Bool.optional(),
        Type::Text.optional(),
    ]
}

fn view<'a>(store: &'a Store, types: &'a [Type]) -> ReportView<'a> {
    ReportView {
        name: "bookings",
        title: Some("Bookings by rep"),
        table: store.table(TableId(1)),
        types,
        store,
        rounding: Rounding::HalfEven,
    }
}

#[test]
fn csv_is_exact() {
    let store = store();
    let types = types();
    assert_eq!(
        render_csv(&view(&store, &types)),
        "rep,quarter,territory,deals,bookings,attainment,ratio,closed,won,note\n\
         R-10,FY2026-Q1,NA_East,3,1234567.89,0.875,0.5,2025-04-10,true,plain\n\
         R-11,FY2026-Q2,,-12,0.00,1.25,3,,false,\"a, \"\"quoted\"\" | piped\nline\"\n\
         Total,,,1000,1234567.89,,,,,\n"
    );
}

#[test]
fn csv_adds_a_currency_column_for_mixed_money() {
    let mut store = Store::with_tables(1);
    let mut t = Table::new("fx", &["deal", "amount", "fee"]);
    t.push_row(vec![Value::text("O-1"), usd("10"), usd("1")]);
    t.push_row(vec![Value::text("O-2"), eur("20.5"), usd("2")]);
    t.push_row(vec![
        Value::text("O-3"),
        Value::Money(Money::new(d("1000.4"), Currency(*b"JPY"))),
        Value::None,
    ]);
    t.push_row(vec![Value::text("O-4"), Value::None, usd("3")]);
    store.set(TableId(0), t);
    let types = vec![Type::Text, Type::Money.optional(), Type::Money.optional()];
    let view = ReportView {
        name: "fx",
        title: None,
        table: store.table(TableId(0)),
        types: &types,
        store: &store,
        rounding: Rounding::HalfUp,
    };
    assert_eq!(
        render_csv(&view),
        "deal,amount,amount_currency,fee\nO-1,10.00,USD,1.00\nO-2,20.50,EUR,2.00\nO-3,1000,JPY,\nO-4,,,3.00\n"
    );
    insta::assert_snapshot!("mixed_currency_table", render_table(&[view]));
}

#[test]
fn csv_of_an_empty_report_is_its_header() {
    let mut store = Store::with_tables(1);
    store.set(TableId(0), Table::new("empty", &["a", "b c"]));
    let types = vec![Type::Text, Type::Int];
    let view = ReportView {
        name: "empty",
        title: None,
        table: store.table(TableId(0)),
        types: &types,
        store: &store,
        rounding: Rounding::HalfEven,
    };
    assert_eq!(render_csv(&view), "a,b c\n");
    assert_eq!(render_json(&[view]), "[\n  {\n    \"report\": \"empty\",\n    \"title\": null,\n    \"columns\": [{\"name\": \"a\", \"type\": \"Text\"}, {\"name\": \"b c\", \"type\": \"Int\"}],\n    \"rows\": []\n  }\n]\n");
    assert_eq!(render_json(&[]), "[]\n");
}

#[test]
fn table_md_and_json() {
    let store = store();
    let types = types();
    let v = view(&store, &types);
    insta::assert_snapshot!("table", render_table(&[v, v]));
    insta::assert_snapshot!("md", render_md(&[v]));
    let json = render_json(&[v]);
    insta::assert_snapshot!("json", json);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["rows"][0]["bookings"]["amount"], "1234567.89");
}

#[test]
fn xlsx_is_native_and_deterministic() {
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    let store = store();
    let types = types();
    let v = view(&store, &types);
    let bytes = render_xlsx(&[v]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(
        bytes,
        render_xlsx(&[v]).unwrap(),
        "same reports, same bytes"
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), vec!["bookings"]);
    let range = wb.worksheet_range("bookings").unwrap();
    let row: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
    assert_eq!(row[0], &Data::String("R-10".into()));
    assert_eq!(row[3], &Data::Float(3.0));
    assert_eq!(row[4], &Data::Float(1234567.89));
    assert_eq!(row[5], &Data::Float(0.875));
    assert!(matches!(row[7], Data::DateTime(_)));
    assert_eq!(row[8], &Data::Bool(true));
    assert_eq!(range.rows().nth(2).unwrap()[2], Data::Empty);
}

/// Loading each expected acme report with the right column types and
/// rendering it again gives the file back byte for byte.
#[test]
fn acme_expected_csv_round_trips() {
    use super::support::{program, root};
    use tally_check::TableInfo;
    let p = program(
        r#"
table attainment { rep: Text, quarter: Period, bookings: Money, quota: Money, attainment: Percent, commission: Money, payout: Money }
table bookings_by_territory { territory: Text?, quarter: Period?, deals: Int, bookings: Money }
table credit_detail { deal: Text, payee: Text, payee_name: Text, role: Text, rule: Text, share: Percent, amount: Money, date: Date }
table forecast { quarter: Period, deals: Int, pipeline: Money, weighted: Money }
table manager_rollup { manager: Text, total: Money, deals: Int }
table assignments { id: Text, name: Text, territory: Text?, rule: Text?, segment: Text }
"#,
    );
    for name in [
        "attainment",
        "bookings_by_territory",
        "credit_detail",
        "forecast",
        "manager_rollup",
        "assignments",
    ] {
        let path = root().join(format!("examples/acme/expected/{name}.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        let id = p.table_named(name).unwrap();
        let loaded = tally_data::load_table_text(
            &p,
            id,
            name,
            &text,
            tally_data::Format::Csv,
            &Default::default(),
        );
        assert!(
            loaded.diagnostics.is_empty(),
            "{}",
            super::support::rendered(&loaded)
        );
        let info: &TableInfo = p.table(id).unwrap();
        let types: Vec<Type> = info.columns.iter().map(|c| c.ty.clone()).collect();
        let view = ReportView {
            name,
            title: None,
            table: loaded.store.table(id),
            types: &types,
            store: &loaded.store,
            rounding: Rounding::HalfEven,
        };
        assert_eq!(render_csv(&view), text, "{name}");
    }
}

#[test]
fn xlsx_accepts_any_text() {
    let mut store = Store::with_tables(1);
    let mut t = Table::new("long", &["text"]);
    t.push_row(vec![Value::text(&"x".repeat(40_000))]);
    store.set(TableId(0), t);
    let types = vec![Type::Text];
    let view = ReportView {
        name: "a/b:c",
        title: None,
        table: store.table(TableId(0)),
        types: &types,
        store: &store,
        rounding: Rounding::HalfEven,
    };
    assert!(render_xlsx(&[view, view]).is_ok());
    assert!(render_xlsx(&[]).is_ok());
}
