//! The bundled example: every report prints exactly `expected/<name>.csv`.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn acme_reports_match_the_expected_files() {
    let acme = root().join("examples/acme");
    let results = tally::policy::run_files(&acme.join("policy.tally"), &acme.join("data"), tally::Limits::default())
        .unwrap_or_else(|f| panic!("{}", f.render(false)));
    let mut failures = Vec::new();
    for name in results.report_names() {
        let expected = std::fs::read_to_string(acme.join(format!("expected/{name}.csv"))).unwrap();
        let got = results.csv(&name).unwrap();
        if got != expected {
            failures.push(format!("== {name}\n-- expected\n{expected}-- got\n{got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
