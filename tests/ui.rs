//! Folder-driven diagnostics tests. Every `tests/ui/**/*.tally` file is a
//! broken (or deliberately warned-about) policy. Its first line says which
//! code it must produce:
//!
//! ```text
//! // expect: E0102
//! ```
//!
//! The rendered diagnostics are snapshotted with insta
//! (`tests/snapshots/ui__<name>.snap`). Adding a case is adding a file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use tally_tests::{files_with_extension, relative, root};

fn expected_codes(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .filter_map(|l| l.strip_prefix("// expect:"))
        .flat_map(|rest| {
            rest.split([',', ' '])
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn ui_cases() {
    let files = files_with_extension("tests/ui", "tally");
    assert!(!files.is_empty(), "no ui cases found");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = relative(path);
        let expected = expected_codes(&text);
        if expected.is_empty() {
            failures.push(format!("{name}: no `// expect: CODE` header"));
            continue;
        }
        let checked = tally::compile_str(&name, &text);
        let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        for code in &expected {
            if !codes.contains(&code.as_str()) {
                failures.push(format!("{name}: expected {code}, got {codes:?}"));
            }
        }
        let rendered = tally::render_human(
            &checked.diagnostics,
            &checked.program.sources,
            Default::default(),
        );
        let snap = path
            .strip_prefix(root().join("tests/ui"))
            .unwrap()
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        insta::with_settings!({ snapshot_path => root().join("tests/snapshots/ui"), prepend_module_to_snapshot => false, description => name.clone(), omit_expression => true }, {
            insta::assert_snapshot!(snap, rendered);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_code_has_a_ui_case() {
    let mut covered = std::collections::BTreeSet::new();
    for path in files_with_extension("tests/ui", "tally") {
        let text = std::fs::read_to_string(&path).unwrap();
        covered.extend(expected_codes(&text));
    }
    let missing: Vec<&str> = tally_check::codes::ALL
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| *c != "E0000" && !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "codes without a ui case: {missing:?}");
}

#[test]
fn the_reference_documents_every_code() {
    let reference = std::fs::read_to_string(root().join("docs/reference.md")).unwrap();
    let missing: Vec<&str> = tally_check::codes::ALL
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| *c != "E0000" && !reference.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/reference.md: {missing:?}"
    );
}
