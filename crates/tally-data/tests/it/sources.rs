//! Finding files (`--data DIR`, `--table name=path`), rows built by hosts,
//! and inputs that must never crash the loader.

use super::errors::{policy, DEALS_HEADER, GOOD_ROW, REPS};
use super::support::{rendered, table};
use std::path::PathBuf;
use tally_data::{
    link_store, load_all, load_table_text, table_from_json_rows, DataLoader, DataSources, Format,
    LoadLimits,
};
use tally_eval::{Store, Value};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tally-data-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn data_dir_finds_each_format_and_reports_problems() {
    let dir = scratch("dir");
    std::fs::write(dir.join("reps.json"), r#"[{"id": "R-1", "name": "Ava"}]"#).unwrap();
    std::fs::write(
        dir.join("deals.csv"),
        format!("{DEALS_HEADER}{}\n", GOOD_ROW.join(",")),
    )
    .unwrap();
    std::fs::write(dir.join("deals.jsonl"), "").unwrap();
    let p = policy();
    let loaded = load_all(&p, &DataSources::in_dir(&dir), &LoadLimits::default());
    let messages: Vec<(&str, &str)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    let deals_csv = dir.join("deals.csv").display().to_string();
    let deals_jsonl = dir.join("deals.jsonl").display().to_string();
    let ambiguous =
        format!("table `deals` has more than one data file: `{deals_csv}` and `{deals_jsonl}`");
    assert_eq!(
        messages,
        vec![
            ("D0002", ambiguous.as_str()),
            ("D0001", "no data file for table `windows`")
        ]
    );
    let notes = &loaded.diagnostics[1].notes;
    assert_eq!(notes.len(), 1);
    for ext in ["csv", "json", "jsonl", "xlsx"] {
        assert!(
            notes[0].contains(&format!("windows.{ext}`")),
            "{}",
            notes[0]
        );
    }
    // The error points at the declaration in the policy.
    let text = rendered(&loaded);
    assert!(
        text.contains("table windows effective(start_date, end_date) {"),
        "{text}"
    );
    assert_eq!(loaded.store.table(table(&p, "reps")).len, 1);

    // `--table` picks one, and names that are no table are reported.
    std::fs::write(
        dir.join("w.csv"),
        "territory,start_date,end_date\nEast,2025-01-01,\n",
    )
    .unwrap();
    let sources = DataSources::in_dir(&dir)
        .with_table("deals", dir.join("deals.csv"))
        .with_table("windows", dir.join("w.csv"))
        .with_table("dealz", dir.join("deals.csv"));
    let loaded = load_all(&p, &sources, &LoadLimits::default());
    let messages: Vec<(&str, &str)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        vec![("D0019", "`--table dealz=...` names no declared table")]
    );
    assert_eq!(
        loaded.diagnostics[0].help.as_deref(),
        Some("did you mean `deals`?")
    );
    assert_eq!(loaded.store.table(table(&p, "windows")).len, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_data_dir_at_all() {
    let p = policy();
    let loaded = load_all(&p, &DataSources::default(), &LoadLimits::default());
    assert_eq!(loaded.diagnostics.len(), 3);
    assert_eq!(loaded.diagnostics[0].message, "no data for table `reps`");
    // Every declared table is in the store, empty, with its loaded columns.
    let deals = loaded.store.table(table(&p, "deals"));
    assert_eq!(deals.name, "deals");
    assert_eq!(deals.columns.len(), 12);
    assert_eq!(&*loaded.store.territories, &["Global", "East", "West"]);
}

#[test]
fn host_rows_then_link() {
    let p = policy();
    let reps = vec![
        serde_json::json!({"id": "R-1", "name": "Ava"}),
        serde_json::json!({"id": "R-2", "name": "Ben", "manager_id": "R-1"}),
    ];
    let deals_json: serde_json::Value = serde_json::from_str(
        r#"[{"id": "D-1", "owner_id": "R-2", "seats": 3, "discount": 0.5, "rate": "10%", "amount": 100.25,
             "Close Date": "2025-04-10", "won": true, "period": "FY2026", "territory": "East"}]"#,
    )
    .unwrap();
    let deals = deals_json.as_array().unwrap();
    let mut store = Store::with_tables(p.tables.len());
    store.set(
        table(&p, "reps"),
        table_from_json_rows(&p, table(&p, "reps"), &reps).unwrap(),
    );
    let built = table_from_json_rows(&p, table(&p, "deals"), deals).unwrap();
    assert_eq!(
        *built.get(1, 0),
        Value::text("R-2"),
        "references hold keys until linked"
    );
    store.set(table(&p, "deals"), built);
    assert!(link_store(&p, &mut store).is_empty());
    let owner = store.table(table(&p, "deals")).get(1, 0).into_owned();
    assert!(matches!(owner, Value::Row(r) if r.row == 1));

    let bad = vec![
        serde_json::json!({"id": "R-1"}),
        serde_json::json!({"id": "R-1", "name": "Again"}),
    ];
    let errors = table_from_json_rows(&p, table(&p, "reps"), &bad).unwrap_err();
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "`reps.name` is missing on row 1, but the column is not optional",
            "`reps` has two rows with the same key: rows 1 and 2",
        ]
    );
    let mut store = Store::with_tables(p.tables.len());
    let dangling = vec![serde_json::json!({"id": "R-1", "name": "A", "manager_id": "R-7"})];
    store.set(
        table(&p, "reps"),
        table_from_json_rows(&p, table(&p, "reps"), &dangling).unwrap(),
    );
    let errors = link_store(&p, &mut store);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].message,
        "`reps.manager` on row 1 refers to `R-7`, but no `reps` row has id `R-7`"
    );
}

#[test]
fn hostile_inputs_never_panic() {
    let p = policy();
    let reps = table(&p, "reps");
    let huge_field = format!(
        "id,name,manager_id\nR-1,\"{}\",\n",
        "x".repeat(10 * 1024 * 1024)
    );
    let loaded = load_table_text(
        &p,
        reps,
        "reps.csv",
        &huge_field,
        Format::Csv,
        &LoadLimits::default(),
    );
    assert!(loaded.diagnostics.is_empty());
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"\"".to_vec(),
        b"\"unterminated\n".to_vec(),
        b"\xFF\xFE\x00i\x00d".to_vec(),
        b"\n\n\n".to_vec(),
        b",,,\n,,,\n".to_vec(),
        b"id,name,manager_id\n\"a\"b,c\"\"d,\"\n".to_vec(),
        format!("id,name,manager_id\n{}\n", "9".repeat(100_000)).into_bytes(),
        vec![0u8; 1000],
        (0..=255u8).collect(),
    ];
    for bytes in &inputs {
        for format in [Format::Csv, Format::Json, Format::JsonLines, Format::Xlsx] {
            let mut loader = DataLoader::new(&p, LoadLimits::default());
            loader.add_bytes(reps, "reps.x", bytes, format);
            let loaded = loader.finish();
            let _ = rendered(&loaded);
        }
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let loaded = load_table_text(
        &p,
        reps,
        "reps.json",
        &deep,
        Format::Json,
        &LoadLimits::default(),
    );
    assert_eq!(loaded.diagnostics[0].code, "D0005");
    let numbers = "[{\"id\": \"R-1\", \"name\": 1e999999999, \"manager_id\": null}]";
    let loaded = load_table_text(
        &p,
        reps,
        "reps.json",
        numbers,
        Format::Json,
        &LoadLimits::default(),
    );
    let _ = rendered(&loaded);
    let deals = table(&p, "deals");
    let row = format!(
        "{DEALS_HEADER}D-1,R-1,1e99999,1e99999,1e99999%,1e400 USD,2025-04-10,,yes,FY2026,East,\n"
    );
    let loaded = load_table_text(
        &p,
        deals,
        "deals.csv",
        &row,
        Format::Csv,
        &LoadLimits::default(),
    );
    assert!(loaded.diagnostics.iter().all(|d| d.is_error()));
    let json = "[{\"id\": \"D-1\", \"owner_id\": \"R-1\", \"seats\": 1e300, \"discount\": 1e300, \"rate\": -1e-300, \"amount\": 123456789012345678901234567890, \"Close Date\": \"2025-04-10\", \"won\": 1, \"period\": \"FY2026\", \"territory\": \"East\"}]";
    let loaded = load_table_text(
        &p,
        deals,
        "deals.json",
        json,
        Format::Json,
        &LoadLimits::default(),
    );
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec!["D0011", "D0011", "D0011", "D0011", "D0021"]);
    let _ = REPS;
}
