//! Every file format, good and bad: CSV variants, JSON, JSON Lines, Excel.

use super::errors::{policy, DEALS_HEADER, GOOD_ROW, REPS};
use super::support::{load, rendered, table};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use tally_data::{DataLoader, Format, LoadLimits};
use tally_eval::{Currency, Money, Value};

/// Where each row of `t` came from.
fn origins(t: &tally_eval::Table) -> Vec<String> {
    (0..t.len).filter_map(|r| t.origin(r)).collect()
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn bom_crlf_quoted_newlines_and_commas_load() {
    let p = policy();
    let reps = "\u{FEFF}id,name,manager_id\r\nR-1,\"Chen, Ava\",\r\nR-2,\"Ben \"\"the boss\"\"\nOrtiz\",R-1\r\n\r\n,,\r\n";
    let mut loader = DataLoader::new(&p, LoadLimits::default());
    loader.add_bytes(table(&p, "reps"), "reps.csv", reps.as_bytes(), Format::Csv);
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{}", rendered(&loaded));
    let t = loaded.store.table(table(&p, "reps"));
    assert_eq!(t.len, 2);
    assert_eq!(*t.get(1, 0), Value::text("Chen, Ava"));
    assert_eq!(*t.get(1, 1), Value::text("Ben \"the boss\"\nOrtiz"));
    assert_eq!(origins(t), vec!["reps.csv:2", "reps.csv:3"]);
    assert!(matches!(*t.get(2, 1), Value::Row(r) if r.row == 0));
}

#[test]
fn every_type_parses() {
    let p = policy();
    let row = "D-9,R-2, 7 ,-0.25,0.4,99.5 EUR,2025-12-31,,FALSE,FY2027-M03,West,  keep  spaces ";
    let text = format!("{DEALS_HEADER}{}\n{row}\n", GOOD_ROW.join(","));
    let loaded = load(
        &p,
        &[("reps", "reps.csv", REPS), ("deals", "deals.csv", &text)],
    );
    assert!(
        loaded
            .diagnostics
            .iter()
            .all(|d| d.code == "D0001" || !d.is_error()),
        "{}",
        rendered(&loaded)
    );
    let t = loaded.store.table(table(&p, "deals"));
    let usd = Currency(*b"USD");
    assert_eq!(*t.get(2, 0), Value::Int(12));
    assert_eq!(*t.get(3, 0), Value::Decimal(d("0.5")));
    assert_eq!(*t.get(4, 0), Value::Percent(d("0.125")));
    assert_eq!(*t.get(5, 0), Value::Money(Money::new(d("1234.50"), usd)));
    assert_eq!(
        *t.get(7, 0),
        Value::Date(NaiveDate::from_ymd_opt(2025, 4, 11).unwrap())
    );
    assert_eq!(*t.get(8, 0), Value::Bool(true));
    assert_eq!(*t.get(11, 0), Value::None);
    assert_eq!(*t.get(2, 1), Value::Int(7));
    assert_eq!(*t.get(3, 1), Value::Decimal(d("-0.25")));
    assert_eq!(*t.get(4, 1), Value::Percent(d("0.4")));
    assert_eq!(
        *t.get(5, 1),
        Value::Money(Money::new(d("99.5"), Currency(*b"EUR")))
    );
    assert_eq!(
        *t.get(6, 1),
        Value::Date(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
    );
    assert_eq!(*t.get(7, 1), Value::None);
    assert_eq!(*t.get(8, 1), Value::Bool(false));
    assert_eq!(crate_display(&t.get(9, 1)), "FY2027-M03");
    assert_eq!(*t.get(10, 1), Value::Territory(2));
    assert_eq!(*t.get(11, 1), Value::text("  keep  spaces "));
}

fn crate_display(v: &Value) -> String {
    match v {
        Value::Period(p) => p.to_string(),
        other => format!("{other:?}"),
    }
}

const JSON_DEALS: &str = r#"[
  {"id": "D-1", "owner_id": "R-1", "seats": 12, "discount": 0.10000000000000000001, "rate": "12.5%",
   "amount": 1234.5, "Close Date": "2025-04-10", "signed": null, "won": true, "period": "FY2026-Q1",
   "territory": "East", "extra": {"ignored": [1, 2]}},
  {"id": "D-2", "owner_id": "R-2", "seats": "3", "discount": 1e-2, "rate": 0.5,
   "amount": "10 EUR", "Close Date": "2025-04-11", "won": "no", "period": "FY2026",
   "territory": "West", "note": "hello"}
]"#;

#[test]
fn json_array_loads_with_exact_numbers() {
    let p = policy();
    let loaded = load(
        &p,
        &[
            (
                "reps",
                "reps.json",
                r#"[{"id": "R-1", "name": "Ava"}, {"id": "R-2", "name": "Ben", "manager_id": "R-1"}]"#,
            ),
            ("deals", "deals.json", JSON_DEALS),
        ],
    );
    assert!(loaded.diagnostics.is_empty(), "{}", rendered(&loaded));
    let t = loaded.store.table(table(&p, "deals"));
    assert_eq!(t.len, 2);
    assert_eq!(*t.get(2, 0), Value::Int(12));
    assert_eq!(*t.get(3, 0), Value::Decimal(d("0.10000000000000000001")));
    assert_eq!(
        *t.get(5, 0),
        Value::Money(Money::new(d("1234.5"), Currency(*b"USD")))
    );
    assert_eq!(*t.get(8, 0), Value::Bool(true));
    assert_eq!(*t.get(2, 1), Value::Int(3));
    assert_eq!(*t.get(3, 1), Value::Decimal(d("0.01")));
    assert_eq!(*t.get(4, 1), Value::Percent(d("0.5")));
    assert_eq!(*t.get(11, 1), Value::text("hello"));
    assert_eq!(origins(t), vec!["deals.json:2", "deals.json:5"]);
}

#[test]
fn json_errors() {
    let p = policy();
    let bad = r#"[
  {"id": "R-1", "name": "Ava", "manager_id": 7},
  {"id": "R-2", "name": ["Ben"], "id": "R-3"},
  "R-4",
  {"id": "R-5"}
]"#;
    let loaded = load(&p, &[("reps", "reps.json", bad)]);
    insta::assert_snapshot!("json_errors", rendered(&loaded));
}

#[test]
fn invalid_json() {
    let p = policy();
    let loaded = load(&p, &[("reps", "reps.json", "[\n  {\"id\": \"R-1\",}\n]")]);
    insta::assert_snapshot!("json_invalid", rendered(&loaded));
    let loaded = load(&p, &[("reps", "reps.json", "{\"id\": \"R-1\"}")]);
    insta::assert_snapshot!("json_not_an_array", rendered(&loaded));
}

#[test]
fn json_lines_load() {
    let p = policy();
    let text = "{\"id\": \"R-1\", \"name\": \"Ava\"}\n\n{\"id\": \"R-2\", \"name\": \"Ben\", \"manager_id\": \"R-1\"}\r\n";
    let loaded = load(&p, &[("reps", "reps.jsonl", text)]);
    assert!(loaded.diagnostics.is_empty(), "{}", rendered(&loaded));
    let t = loaded.store.table(table(&p, "reps"));
    assert_eq!(t.len, 2);
    assert_eq!(origins(t), vec!["reps.jsonl:1", "reps.jsonl:3"]);
}

#[test]
fn json_lines_errors() {
    let p = policy();
    let text = "{\"id\": \"R-1\", \"name\": \"Ava\"}\n[1, 2]\n{\"id\": \"R-2\", \"name\": \n{\"id\": \"R-3\", \"name\": \"Cy\", \"manager_id\": \"R-9\"}\n";
    let loaded = load(&p, &[("reps", "reps.jsonl", text)]);
    insta::assert_snapshot!("jsonl_errors", rendered(&loaded));
}

fn workbook(bad: bool) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let other = wb.add_worksheet();
    other.set_name("Notes").unwrap();
    other.write_string(0, 0, "not this sheet").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("deals").unwrap();
    let header = DEALS_HEADER.trim_end().split(',').collect::<Vec<_>>();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let row = 1;
    ws.write_string(row, 0, "D-1").unwrap();
    ws.write_string(row, 1, "R-1").unwrap();
    ws.write_number(row, 2, 12.0).unwrap();
    ws.write_number(row, 3, 0.1).unwrap();
    ws.write_number(row, 4, 0.125).unwrap();
    ws.write_number(row, 5, 33333.33).unwrap();
    ws.write_datetime_with_format(row, 6, ExcelDateTime::from_ymd(2025, 4, 10).unwrap(), &date)
        .unwrap();
    ws.write_string(row, 7, "04/11/2025").unwrap();
    ws.write_boolean(row, 8, true).unwrap();
    ws.write_string(row, 9, "FY2026-Q1").unwrap();
    ws.write_string(row, 10, "East").unwrap();
    if bad {
        ws.write_string(2, 0, "D-2").unwrap();
        ws.write_string(2, 1, "R-1").unwrap();
        ws.write_number(2, 2, 1.5).unwrap();
        ws.write_number(2, 3, 1.0).unwrap();
        ws.write_number(2, 4, 1.0).unwrap();
        ws.write_number(2, 5, 1.0).unwrap();
        ws.write_string(2, 6, "soon").unwrap();
        ws.write_boolean(2, 8, false).unwrap();
        ws.write_string(2, 9, "FY2026").unwrap();
        ws.write_string(2, 10, "Nowhere").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_native_cells_load() {
    let p = policy();
    let mut loader = DataLoader::new(&p, LoadLimits::default());
    loader.add_text(table(&p, "reps"), "reps.csv", REPS, Format::Csv);
    loader.add_bytes(
        table(&p, "deals"),
        "deals.xlsx",
        &workbook(false),
        Format::Xlsx,
    );
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{}", rendered(&loaded));
    let t = loaded.store.table(table(&p, "deals"));
    assert_eq!(t.len, 1);
    assert_eq!(*t.get(2, 0), Value::Int(12));
    assert_eq!(*t.get(3, 0), Value::Decimal(d("0.1")));
    assert_eq!(*t.get(4, 0), Value::Percent(d("0.125")));
    assert_eq!(
        *t.get(5, 0),
        Value::Money(Money::new(d("33333.33"), Currency(*b"USD")))
    );
    assert_eq!(
        *t.get(6, 0),
        Value::Date(NaiveDate::from_ymd_opt(2025, 4, 10).unwrap())
    );
    assert_eq!(*t.get(8, 0), Value::Bool(true));
    assert!(matches!(*t.get(1, 0), Value::Row(_)));
    assert_eq!(origins(t), vec!["deals.xlsx:2"]);
}

#[test]
fn xlsx_errors_point_at_cells() {
    let p = policy();
    let mut loader = DataLoader::new(&p, LoadLimits::default());
    loader.add_text(table(&p, "reps"), "reps.csv", REPS, Format::Csv);
    loader.add_bytes(
        table(&p, "deals"),
        "deals.xlsx",
        &workbook(true),
        Format::Xlsx,
    );
    loader.add_bytes(
        table(&p, "windows"),
        "windows.xlsx",
        b"PK\x03\x04 not really",
        Format::Xlsx,
    );
    insta::assert_snapshot!("xlsx_errors", rendered(&loader.finish()));
}

/// Found by the `load_json` fuzz target: serde_json counts columns in
/// bytes, so an error right after a multi-byte character (here the
/// replacement characters of bytes that are not UTF-8) pointed inside it.
#[test]
fn json_errors_point_at_whole_characters() {
    let p = policy();
    for (name, format) in [
        ("reps.jsonl", Format::JsonLines),
        ("reps.json", Format::Json),
    ] {
        for bytes in [
            &b"{\"id\": \"R-1\", \"manager_id\": 123\xC6\xCD\xCC\xCB5}\n"[..],
            "{\"id\": \"R-1\", \"name\": \"Zo\u{eb}\" \u{e9}}\n".as_bytes(),
        ] {
            let mut loader = DataLoader::new(&p, LoadLimits::default());
            loader.add_bytes(table(&p, "reps"), name, bytes, format);
            let loaded = loader.finish();
            let syntax = loaded
                .diagnostics
                .iter()
                .find(|d| d.code == "D0005")
                .unwrap_or_else(|| panic!("{}", rendered(&loaded)));
            let span = syntax.primary.span;
            let text = loaded.sources.text(span.file);
            assert!(
                span.hi() <= text.len()
                    && text.is_char_boundary(span.lo())
                    && text.is_char_boundary(span.hi()),
                "{span:?} in {text:?}"
            );
            let _ = rendered(&loaded);
        }
    }
}
