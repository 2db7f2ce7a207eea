//! The bad-input corpus (`tests/bad_input/<case>/`): every case goes
//! through the `tally` facade — compile, load the folder, evaluate — and
//! the exact text a user would read is snapshotted
//! (`tests/snapshots/bad_input/<case>.snap`). Nothing may panic. Inputs too
//! large to commit are generated here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use tally::{FsLoader, Limits, Policy};
use tally_tests::{relative, root};

fn cases_dir() -> PathBuf {
    root().join("tests/bad_input")
}

/// `text` with the repository root (and the scratch directory) left out
/// of paths, so snapshots do not depend on the checkout.
fn portable(text: &str) -> String {
    let scratch = format!("{}/", env!("CARGO_TARGET_TMPDIR"));
    text.replace(&scratch, "<tmp>/")
        .replace(&format!("{}/", root().display()), "")
}

/// Compiles `policy` (named relative to the root, imports through the
/// file-system loader), loads `data`, evaluates, and says what happened.
fn outcome(policy: &Path, data: &Path) -> String {
    let text = std::fs::read_to_string(policy).unwrap();
    let compiled = Policy::compile(&relative(policy), &text, &FsLoader::for_policy(policy));
    let policy = match compiled {
        Ok(p) => p,
        Err(f) => return format!("the policy does not compile:\n\n{}", f.render(false)),
    };
    let loaded = match policy.load_dir(data) {
        Ok(d) => d,
        Err(f) => return format!("the data does not load:\n\n{}", f.render(false)),
    };
    match policy.evaluate(&loaded, Limits::default()) {
        Ok(results) => {
            let mut out = String::from("loads fine:\n");
            for name in results.report_names() {
                out.push_str(&format!("\n{}", results.csv(&name).unwrap_or_default()));
            }
            out
        }
        Err(f) => format!("the run fails:\n\n{}", f.render(false)),
    }
}

/// [`outcome`], with a panic turned into a failure message.
fn guarded(case: &str, policy: &Path, data: &Path) -> Result<String, String> {
    std::panic::catch_unwind(|| portable(&outcome(policy, data))).map_err(|e| {
        let why = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{case}: panicked: {why}")
    })
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => root().join("tests/snapshots/bad_input"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("tests/bad_input/{name}"),
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_case() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "bad-input cases are missing");
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let own = dir.join("policy.tally");
        let policy = if own.exists() {
            own
        } else {
            cases_dir().join("schema.tally")
        };
        match guarded(&name, &policy, dir) {
            Ok(text) => snapshot(&name, &text),
            Err(why) => failures.push(why),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A scratch data directory holding one generated `rows.csv`.
fn generated(name: &str, csv: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bad_input")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rows.csv"), csv).unwrap();
    dir
}

const HEADER: &str =
    "id,name,count,ratio,share,amount,start,end,Signed On,active,period,territory,parent_id\n";

#[test]
fn a_ten_megabyte_text_field_loads() {
    let big = "x".repeat(10 * 1024 * 1024);
    let csv = format!("{HEADER}A,{big},1,,1%,1,2025-01-01,,,true,,NY,\n");
    let dir = generated("ten_megabyte_text", &csv);
    let text = guarded("ten_megabyte_text", &cases_dir().join("schema.tally"), &dir).unwrap();
    assert!(text.starts_with("loads fine:"), "{}", &text[..200]);
    assert!(text.contains(&big));
}

#[test]
fn a_ten_megabyte_number_field_is_reported_briefly() {
    let big = "9".repeat(10 * 1024 * 1024);
    let csv = format!("{HEADER}A,,{big},,1%,1,2025-01-01,,,true,,NY,\n");
    let dir = generated("ten_megabyte_number", &csv);
    let text = guarded(
        "ten_megabyte_number",
        &cases_dir().join("schema.tally"),
        &dir,
    )
    .unwrap();
    // The message and the source line shown are cut short, not 10 MB long.
    assert!(text.len() < 4096, "{} bytes: {}", text.len(), &text[..400]);
    snapshot("ten_megabyte_number", &text);
}

#[test]
fn a_ten_megabyte_quoted_field_that_never_ends() {
    let big = "y".repeat(10 * 1024 * 1024);
    let csv = format!("{HEADER}A,\"{big}\n");
    let dir = generated("ten_megabyte_unterminated", &csv);
    let text = guarded(
        "ten_megabyte_unterminated",
        &cases_dir().join("schema.tally"),
        &dir,
    )
    .unwrap();
    assert!(text.len() < 4096, "{} bytes: {}", text.len(), &text[..400]);
    snapshot("ten_megabyte_unterminated", &text);
}
