//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/*`) on the
//! stable toolchain, without libFuzzer: every input goes through the same
//! body as its fuzz target (`fuzz/targets/bodies.rs`), so every crash the
//! fuzzers found and that was fixed stays fixed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

#[path = "../fuzz/targets/bodies.rs"]
mod bodies;

use std::path::PathBuf;
use tally_tests::root;

/// The corpus files of one target, sorted.
fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `body` on every corpus file of `target`; a panic names the file.
fn replay(target: &str, body: fn(&[u8])) {
    let files = corpus(target);
    assert!(!files.is_empty(), "the `{target}` corpus is empty");
    for path in &files {
        // (a file removed while a fuzzer minimises the corpus is skipped)
        let Ok(data) = std::fs::read(path) else {
            continue;
        };
        let outcome = std::panic::catch_unwind(|| body(&data));
        if let Err(e) = outcome {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!(
                "fuzz target `{target}` fails on {}: {why}",
                tally_tests::relative(path)
            );
        }
    }
}

#[test]
fn parse_corpus() {
    replay("parse", bodies::parse);
}

#[test]
fn check_corpus() {
    replay("check", bodies::check);
}

#[test]
fn fmt_roundtrip_corpus() {
    replay("fmt_roundtrip", bodies::fmt_roundtrip);
}

#[test]
fn load_csv_corpus() {
    replay("load_csv", bodies::load_csv);
}

#[test]
fn load_json_corpus() {
    replay("load_json", bodies::load_json);
}

#[test]
fn eval_corpus() {
    replay("eval", bodies::eval);
}

/// The generated policies of the `eval` target stay valid Tally: the base
/// with every fragment checks without errors, and the schema of the loader
/// targets checks.
#[test]
fn eval_fragments_and_schema_check() {
    let mut text = bodies::EVAL_BASE.to_string();
    for f in bodies::FRAGMENTS {
        text.push('\n');
        text.push_str(f);
    }
    let checked = tally::compile_str("fragments.tally", &text);
    assert!(
        !checked.has_errors(),
        "{}",
        tally::render_human(
            &checked.diagnostics,
            &checked.program.sources,
            Default::default()
        )
    );
    let _ = bodies::schema();
}

/// The `eval` target's fragment mode spends its executions on evaluation,
/// not on policies the checker refuses: any pick of fragments compiles.
#[test]
fn every_pick_of_eval_fragments_compiles() {
    let n = bodies::FRAGMENTS.len();
    let mut picks: Vec<Vec<usize>> = vec![(0..n).collect()];
    for i in 0..n {
        for j in 0..n {
            picks.push(vec![i, j]);
        }
    }
    for pick in picks {
        let text = bodies::fragment_policy(&pick);
        if let Err(failure) = tally::Policy::compile("fuzz.tally", &text, &tally::NoImports) {
            let first = failure.diagnostics.first().map(|d| d.message.clone());
            panic!("fragments {pick:?} do not compile: {first:?}");
        }
    }
}
