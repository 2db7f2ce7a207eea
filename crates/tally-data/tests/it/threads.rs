//! Reading a CSV file on several threads gives exactly what reading it
//! on one gives: the same rows, the same places, the same messages in the
//! same order — whatever the quoting, line breaks and errors in the file.

use super::errors::policy;
use super::support::{rendered, table};
use proptest::prelude::*;
use tally_check::Program;
use tally_data::{DataLoader, Format, LoadLimits, Loaded};

/// Loads `reps.csv` text (and a deals file referring to it) with `threads`.
fn load_with(p: &Program, reps: &str, deals: &str, threads: usize) -> Loaded {
    let limits = LoadLimits {
        threads: Some(threads),
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(p, limits);
    loader.add_text(table(p, "reps"), "reps.csv", reps, Format::Csv);
    loader.add_text(table(p, "deals"), "deals.csv", deals, Format::Csv);
    loader.finish()
}

/// The whole outcome of a load, as text: every cell and origin of every
/// table, then the messages.
pub fn outcome(p: &Program, loaded: &Loaded) -> String {
    let mut out = String::new();
    for name in ["reps", "deals"] {
        let t = loaded.store.table(table(p, name));
        for row in 0..t.len {
            let cells: Vec<String> = (0..t.columns.len())
                .map(|c| format!("{:?}", t.get(c, row)))
                .collect();
            out.push_str(&format!(
                "{} {}\n",
                t.origin(row).unwrap_or_default(),
                cells.join(" | ")
            ));
        }
    }
    out.push_str(&rendered(loaded));
    out
}

const DEALS_HEADER: &str =
    "id,owner_id,seats,discount,rate,amount,Close Date,signed,won,period,territory,note\n";

/// A deals row from a few picks (some of them bad).
fn deal(i: usize, owner: &str, pick: u8) -> String {
    let note = match pick % 6 {
        0 => "plain".to_string(),
        1 => "\"quoted, with a comma\"".to_string(),
        2 => "\"two\nlines\"".to_string(),
        3 => "\"a \"\"quote\"\"\"".to_string(),
        4 => "stray\"quote".to_string(),
        _ => String::new(),
    };
    let seats = if pick % 7 == 3 {
        "many".to_string()
    } else {
        (i % 50).to_string()
    };
    let line_end = if pick % 5 == 1 { "\r\n" } else { "\n" };
    let blank = if pick % 11 == 4 { "\n" } else { "" };
    let ragged = if pick % 13 == 6 { ",extra" } else { "" };
    format!(
        "D-{i},{owner},{seats},0.5,10%,100.00,2025-04-0{},,yes,FY2026-Q1,East,{note}{ragged}{line_end}{blank}",
        1 + i % 9
    )
}

pub fn files(picks: &[u8]) -> (String, String) {
    let mut reps = String::from("id,name,manager_id\n");
    for i in 0..20 {
        reps.push_str(&format!(
            "R-{i},\"Rep, {i}\",{}\n",
            if i == 0 {
                String::new()
            } else {
                format!("R-{}", i - 1)
            }
        ));
    }
    let mut deals = String::from(DEALS_HEADER);
    for (i, pick) in picks.iter().enumerate() {
        let owner = if pick % 17 == 9 {
            "R-missing".to_string()
        } else {
            format!("R-{}", i % 20)
        };
        let id = if pick % 19 == 2 { 0 } else { i };
        deals.push_str(&deal(id, &owner, *pick));
    }
    (reps, deals)
}

#[test]
fn a_file_cut_in_ranges_reads_like_one() {
    let p = policy();
    let picks: Vec<u8> = (0..400u32).map(|i| (i * 37 % 251) as u8).collect();
    let (reps, deals) = files(&picks);
    let one = outcome(&p, &load_with(&p, &reps, &deals, 1));
    assert!(
        one.contains("D0010") || one.contains("error"),
        "the file has errors to compare"
    );
    for threads in [2, 3, 8] {
        assert_eq!(
            one,
            outcome(&p, &load_with(&p, &reps, &deals, threads)),
            "{threads} threads"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn threads_never_change_a_load(picks in proptest::collection::vec(any::<u8>(), 0..120), threads in 2usize..9) {
        let p = policy();
        let (reps, deals) = files(&picks);
        let one = outcome(&p, &load_with(&p, &reps, &deals, 1));
        let many = outcome(&p, &load_with(&p, &reps, &deals, threads));
        prop_assert_eq!(one, many);
    }
}
