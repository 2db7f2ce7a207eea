//! Rendering a report as CSV and loading the file back gives the same
//! values: every type a report column can have, text with commas, quotes
//! and line breaks, negative amounts, empty optional cells.

use super::support::{program, table};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use tally_check::{Rounding, Type};
use tally_data::{load_table_text, render_csv, Format, LoadLimits, ReportView};
use tally_eval::{Currency, Key, Money, Store, Table, Value};

const POLICY: &str = r#"
table out {
  n: Int
  amount: Money
  rate: Percent?
  ratio: Decimal?
  day: Date?
  won: Bool?
  note: Text?
}
"#;

const COLUMNS: [&str; 7] = ["n", "amount", "rate", "ratio", "day", "won", "note"];

fn types() -> Vec<Type> {
    vec![
        Type::Int,
        Type::Money,
        Type::Percent.optional(),
        Type::Decimal.optional(),
        Type::Date.optional(),
        Type::Bool.optional(),
        Type::Text.optional(),
    ]
}

/// One row's values from generated parts (amounts in cents, rates in
/// hundredths of a percent, as reports show them).
fn row(
    (n, cents, rate, ratio): (i64, i64, Option<i64>, Option<(i64, u32)>),
    (day, won, note): (Option<i32>, Option<bool>, Option<String>),
) -> Vec<Value> {
    vec![
        Value::Int(n),
        Value::Money(Money::new(Decimal::new(cents, 2), Currency(*b"USD"))),
        rate.map_or(Value::None, |r| Value::Percent(Decimal::new(r, 4))),
        ratio.map_or(Value::None, |(m, s)| Value::Decimal(Decimal::new(m, s))),
        day.and_then(|d| NaiveDate::from_num_days_from_ce_opt(730_000 + d))
            .map_or(Value::None, Value::Date),
        won.map_or(Value::None, Value::Bool),
        note.map_or(Value::None, |t| Value::text(&t)),
    ]
}

fn parts() -> impl Strategy<Value = Vec<Value>> {
    (
        (
            any::<i64>(),
            -1_000_000_000_000i64..1_000_000_000_000,
            proptest::option::of(-100_000i64..100_000),
            proptest::option::of((any::<i32>().prop_map(i64::from), 0u32..8)),
        ),
        (
            proptest::option::of(0i32..20_000),
            proptest::option::of(any::<bool>()),
            proptest::option::of("[a-z,\"][a-zA-Z0-9,\" \n|]{0,12}"),
        ),
    )
        .prop_map(|(a, b)| row(a, b))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn a_rendered_csv_loads_back_to_the_same_values(rows in proptest::collection::vec(parts(), 0..12)) {
        let p = program(POLICY);
        let mut t = Table::new("out", &COLUMNS);
        for r in &rows {
            t.push_row(r.clone());
        }
        let store = Store::with_tables(1);
        let types = types();
        let csv = render_csv(&ReportView {
            name: "out",
            title: None,
            table: &t,
            types: &types,
            store: &store,
            rounding: Rounding::HalfEven,
        });
        let loaded = load_table_text(&p, table(&p, "out"), "out.csv", &csv, Format::Csv, &LoadLimits::default());
        prop_assert!(loaded.diagnostics.is_empty(), "{:?}\n{csv}", loaded.diagnostics);
        let back = loaded.store.table(table(&p, "out"));
        prop_assert_eq!(back.len, rows.len());
        for (i, r) in rows.iter().enumerate() {
            for (c, v) in r.iter().enumerate() {
                prop_assert_eq!(Key::of(&back.get(c, i)), Key::of(v), "row {} column {}\n{}", i, COLUMNS[c], csv);
            }
        }
    }
}
