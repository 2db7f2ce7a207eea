//! No panic on any input: the checker runs over every prefix of the example
//! policy (cut at every char boundary) and over hostile inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use tally_tests::root;

#[test]
fn every_prefix_of_the_example_checks_without_panicking() {
    let text = std::fs::read_to_string(root().join("examples/acme/policy.tally")).unwrap();
    let mut cuts = 0;
    for (i, _) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let prefix = &text[..i];
        let checked = tally::compile_str("prefix.tally", prefix);
        // A cut policy may have errors, but every diagnostic must point
        // inside the text it was given.
        for d in &checked.diagnostics {
            if checked.program.sources.name(d.primary.span.file) == "prefix.tally" {
                assert!(
                    d.primary.span.hi() <= prefix.len(),
                    "span out of range at cut {i}: {d:?}"
                );
            }
        }
        cuts += 1;
    }
    assert!(cuts > 1000);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep_parens = format!(
        "const x = {}1{}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let deep_lists = format!("const x = {}1{}\n", "[".repeat(50_000), "]".repeat(50_000));
    let nots = format!("const x = {}true\n", "not ".repeat(50_000));
    let minus = format!("const x = {}1\n", "-".repeat(50_000));
    let ifs = format!(
        "const x = {}1{}\n",
        "if true then ".repeat(20_000),
        " else 2".repeat(20_000)
    );
    let unclosed = "table a {\n".repeat(1000);
    let long_chain = format!("const x = 1{}\n", " + 1".repeat(20_000));
    let inputs = [
        deep_parens,
        deep_lists,
        nots,
        minus,
        ifs,
        unclosed,
        long_chain,
        "\u{feff}policy \"x\"\n".to_string(),
        "\"unterminated".to_string(),
        "table \u{0}\u{1} {".to_string(),
        "}}}}}}".to_string(),
        "const x = 9999999999999999999999999999999999999999\n".to_string(),
        "const x = 2025-13-45\n".to_string(),
    ];
    for input in &inputs {
        let checked = tally::compile_str("hostile.tally", input);
        let _ = tally::render_human(
            &checked.diagnostics,
            &checked.program.sources,
            Default::default(),
        );
    }
}

#[test]
#[ignore = "timing probe"]
fn time_one_check() {
    let text = std::fs::read_to_string(root().join("examples/acme/policy.tally")).unwrap();
    let start = std::time::Instant::now();
    for i in (0..text.len()).step_by(97) {
        if text.is_char_boundary(i) {
            let _ = tally::compile_str("p.tally", &text[..i]);
        }
    }
    eprintln!("{:?} per check", start.elapsed() / (text.len() / 97) as u32);
}

#[test]
#[ignore = "timing probe"]
fn time_one_parse() {
    let text = std::fs::read_to_string(root().join("examples/acme/policy.tally")).unwrap();
    let start = std::time::Instant::now();
    for i in (0..text.len()).step_by(97) {
        if text.is_char_boundary(i) {
            let _ = tally_syntax::parse(tally_diagnostics::FileId(0), &text[..i]);
        }
    }
    eprintln!("{:?} per parse", start.elapsed() / (text.len() / 97) as u32);
    let start = std::time::Instant::now();
    for (_, t) in tally_check::STDLIB_SOURCES {
        for _ in 0..10 {
            let _ = tally_syntax::parse(tally_diagnostics::FileId(0), t);
        }
    }
    eprintln!("{:?} per stdlib parse", start.elapsed() / 10);
}
