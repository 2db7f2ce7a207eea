//! Load errors as people see them: one snapshot per kind of bad data.

use super::support::{load, program, rendered, table};
use tally_check::Program;
use tally_data::{DataLoader, Format, LoadLimits};

/// A policy with a column of every loadable type.
pub const POLICY: &str = r#"
settings {
  currency = USD
}

territories {
  Global { East  West }
}

table reps {
  id: Text key
  name: Text
  manager: reps?     from "manager_id"
}

table deals {
  id: Text key
  owner: reps        from "owner_id"
  seats: Int
  discount: Decimal
  rate: Percent
  amount: Money
  closed: Date       from "Close Date"
  signed: Date?      format "%m/%d/%Y"
  won: Bool
  period: Period
  territory: Territory
  note: Text?
}

table windows effective(start_date, end_date) {
  territory: Territory
  start_date: Date
  end_date: Date?
}
"#;

pub fn policy() -> Program {
    program(POLICY)
}

pub const REPS: &str = "id,name,manager_id\nR-1,Ava,\nR-2,Ben,R-1\n";

pub const DEALS_HEADER: &str =
    "id,owner_id,seats,discount,rate,amount,Close Date,signed,won,period,territory,note\n";

/// A good deals row.
pub const GOOD_ROW: [&str; 12] = [
    "D-1",
    "R-1",
    "12",
    "0.5",
    "12.5%",
    "1234.50",
    "2025-04-10",
    "04/11/2025",
    "yes",
    "FY2026-Q1",
    "East",
    "",
];

/// deals.csv with a good first row and a second row whose cell `column`
/// is `value`.
pub fn deals_with(column: usize, value: &str) -> String {
    let mut bad = GOOD_ROW.map(str::to_string);
    bad[0] = "D-2".to_string();
    bad[column] = value.to_string();
    format!("{DEALS_HEADER}{}\n{}\n", GOOD_ROW.join(","), bad.join(","))
}

/// Loads reps and the given deals text; renders the diagnostics.
fn deals_errors(deals: &str) -> String {
    let p = policy();
    let loaded = load(
        &p,
        &[
            ("reps", "reps.csv", REPS),
            ("deals", "deals.csv", deals),
            ("windows", "windows.csv", "territory,start_date,end_date\n"),
        ],
    );
    rendered(&loaded)
}

fn bad_cell(column: usize, value: &str) -> String {
    deals_errors(&deals_with(column, value))
}

#[test]
fn good_rows_load_cleanly() {
    assert_eq!(bad_cell(1, "R-2"), "");
}

#[test]
fn wrong_int() {
    insta::assert_snapshot!("wrong_int", bad_cell(2, "12a"));
}

#[test]
fn int_with_fraction_or_separators() {
    insta::assert_snapshot!("int_with_fraction", bad_cell(2, "12.5"));
    insta::assert_snapshot!("int_with_separators", bad_cell(2, "\"1,234\""));
}

#[test]
fn int_overflow() {
    insta::assert_snapshot!("int_overflow", bad_cell(2, "99999999999999999999"));
}

#[test]
fn wrong_decimal() {
    insta::assert_snapshot!("wrong_decimal", bad_cell(3, "1.2.3"));
}

#[test]
fn decimal_beyond_range() {
    insta::assert_snapshot!(
        "decimal_beyond_range",
        bad_cell(3, "123456789012345678901234567890123")
    );
}

#[test]
fn wrong_percent() {
    insta::assert_snapshot!("wrong_percent", bad_cell(4, "high%"));
}

#[test]
fn wrong_money() {
    insta::assert_snapshot!("wrong_money", bad_cell(5, "$1234.50"));
}

#[test]
fn unknown_currency_code_format() {
    insta::assert_snapshot!("money_lowercase_code", bad_cell(5, "12 usd"));
}

#[test]
fn wrong_date() {
    insta::assert_snapshot!("wrong_date", bad_cell(6, "10/04/2025"));
}

#[test]
fn invalid_date() {
    insta::assert_snapshot!("invalid_date", bad_cell(6, "2025-02-30"));
}

#[test]
fn custom_date_format_mismatch() {
    insta::assert_snapshot!("custom_format_mismatch", bad_cell(7, "2025-04-11"));
}

#[test]
fn wrong_bool() {
    insta::assert_snapshot!("wrong_bool", bad_cell(8, "maybe"));
}

#[test]
fn wrong_period() {
    insta::assert_snapshot!("wrong_period", bad_cell(9, "2026-Q1"));
}

#[test]
fn wrong_territory() {
    insta::assert_snapshot!("wrong_territory", bad_cell(10, "Eest"));
}

#[test]
fn empty_cell_in_required_column() {
    insta::assert_snapshot!("empty_required", bad_cell(5, ""));
}

#[test]
fn dangling_reference() {
    insta::assert_snapshot!("dangling_reference", bad_cell(1, "R-3"));
}

#[test]
fn duplicate_key() {
    insta::assert_snapshot!("duplicate_key", bad_cell(0, "D-1"));
}

#[test]
fn missing_column() {
    let text = "id,owner_id,seats,discount,rate,amount,closed,signed,won,period,territory\nD-1,R-1,1,1,1,1,2025-01-01,,yes,FY2026,East\n";
    insta::assert_snapshot!("missing_column", deals_errors(text));
}

#[test]
fn duplicated_header() {
    let text = "id,name,name,manager_id\nR-1,Ava,Ava,\n";
    let p = policy();
    let loaded = load(&p, &[("reps", "reps.csv", text)]);
    insta::assert_snapshot!("duplicated_header", rendered(&loaded));
}

#[test]
fn ragged_row() {
    let text = "id,name,manager_id\nR-1,Ava,\nR-2,Smith, Ben,R-1\nR-3,Cy\n";
    let p = policy();
    let loaded = load(&p, &[("reps", "reps.csv", text)]);
    insta::assert_snapshot!("ragged_row", rendered(&loaded));
}

#[test]
fn empty_file() {
    let p = policy();
    let loaded = load(&p, &[("reps", "reps.csv", "")]);
    insta::assert_snapshot!("empty_file", rendered(&loaded));
}

#[test]
fn header_only_loads_zero_rows() {
    let p = policy();
    let loaded = load(&p, &[("reps", "reps.csv", "id,name,manager_id\n")]);
    assert!(loaded.diagnostics.is_empty(), "{}", rendered(&loaded));
    assert_eq!(loaded.store.table(table(&p, "reps")).len, 0);
}

#[test]
fn non_utf8_bytes() {
    let p = policy();
    let mut loader = DataLoader::new(&p, LoadLimits::default());
    loader.add_bytes(
        table(&p, "reps"),
        "reps.csv",
        b"id,name,manager_id\nR-1,Andr\xE9,\nR-2,Zo\xEB,R-1\n",
        Format::Csv,
    );
    let loaded = loader.finish();
    insta::assert_snapshot!("non_utf8", rendered(&loaded));
    // The rest of the file still loads (with replacement characters).
    assert_eq!(loaded.store.table(table(&p, "reps")).len, 2);
}

#[test]
fn effective_range_backwards() {
    let p = policy();
    let text = "territory,start_date,end_date\nEast,2025-02-01,2025-01-31\nWest,2025-02-01,\n";
    let loaded = load(&p, &[("windows", "windows.csv", text)]);
    insta::assert_snapshot!("effective_backwards", rendered(&loaded));
}

#[test]
fn reference_to_a_table_not_loaded() {
    let p = policy();
    let loaded = load(&p, &[("deals", "deals.csv", &deals_with(1, "R-2"))]);
    insta::assert_snapshot!("reference_not_loaded", rendered(&loaded));
}

#[test]
fn errors_stop_at_the_maximum() {
    let p = policy();
    let mut text = String::from("id,name,manager_id\n");
    for i in 0..20 {
        text.push_str(&format!("R-{i},Rep {i},R-missing{i}\n"));
    }
    let limits = LoadLimits {
        max_rows_per_table: None,
        max_errors: 3,
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(&p, limits);
    loader.add_text(table(&p, "reps"), "reps.csv", &text, Format::Csv);
    let loaded = loader.finish();
    assert_eq!(loaded.diagnostics.len(), 4);
    assert_eq!(loaded.diagnostics[3].code, "D0020");
    assert_eq!(
        loaded.diagnostics[3].message,
        "17 more load errors not shown (20 in all)"
    );
}

#[test]
fn row_limit() {
    let p = policy();
    let limits = LoadLimits {
        max_rows_per_table: Some(1),
        max_errors: 50,
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(&p, limits);
    loader.add_text(table(&p, "reps"), "reps.csv", REPS, Format::Csv);
    let loaded = loader.finish();
    insta::assert_snapshot!("row_limit", rendered(&loaded));
    assert_eq!(loaded.store.table(table(&p, "reps")).len, 1);
}
