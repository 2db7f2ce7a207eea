//! The parser's input limits: each one is hit, and its message names the
//! limit and how to live with it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use tally_diagnostics::{render_human, FileId, SourceMap};
use tally_syntax::scan::{MAX_CHAIN, MAX_NESTING};

/// Parses `src` and renders its diagnostics.
fn rendered(src: &str) -> (Vec<&'static str>, String) {
    let parsed = tally_syntax::parse(FileId(0), src);
    let mut sources = SourceMap::new();
    sources.add("limits.tally", src);
    let text = render_human(&parsed.diagnostics, &sources, Default::default());
    // Long source lines are shown as a window around the problem.
    (parsed.diagnostics.iter().map(|d| d.code).collect(), text)
}

#[test]
fn a_hundred_thousand_nested_parentheses() {
    let src = format!(
        "const x = {}1{}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let (codes, text) = rendered(&src);
    assert_eq!(codes, ["E0006"]);
    assert!(
        text.contains(&format!("more than {MAX_NESTING} levels")),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn nesting_of_every_kind_is_limited() {
    let n = MAX_NESTING + 1;
    for src in [
        format!("const x = {}1{}\n", "[".repeat(n), "]".repeat(n)),
        format!("const x = {}true\n", "not ".repeat(n)),
        format!("const x = {}1\n", "-".repeat(n)),
        format!(
            "const x = {}1{}\n",
            "if a then ".repeat(n),
            " else 2".repeat(n)
        ),
    ] {
        let (codes, text) = rendered(&src);
        assert_eq!(codes, ["E0006"], "{text}");
        assert!(text.contains("MAX_NESTING"), "{text}");
    }
}

#[test]
fn a_chain_of_operators() {
    let src = format!("const x = 1{}\n", " + 1".repeat(MAX_CHAIN + 1));
    let (codes, text) = rendered(&src);
    assert_eq!(codes, ["E0006"]);
    assert!(
        text.contains(&format!("more than {MAX_CHAIN} operators")),
        "{text}"
    );
    insta::assert_snapshot!(text);
    // (The `=` of `const x =` counts as one operator of the chain.)
    let at_limit = format!("const x = 1{}\n", " + 1".repeat(MAX_CHAIN - 1));
    assert_eq!(rendered(&at_limit).0, Vec::<&str>::new());
}

#[test]
fn only_the_deep_declaration_is_rejected() {
    let src = format!(
        "const a = 1\nconst x = {}1{}\nconst b = 2\n",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    let parsed = tally_syntax::parse(FileId(0), &src);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.module.decls.len(), 3);
}

#[test]
fn the_deepest_allowed_nesting_fits_a_small_thread_stack() {
    // The nesting limit is what keeps the recursive parser and AST builder
    // on the stack: at the limit, every kind of nesting parses on a thread
    // with 1 MiB of stack (half of Rust's default for spawned threads).
    let n = MAX_NESTING - 1;
    let inputs = [
        format!("const x = {}1{}\n", "(".repeat(n), ")".repeat(n)),
        format!("const x = {}1{}\n", "[".repeat(n), "]".repeat(n)),
        format!("const x = {}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
        format!("const x = {}1{}\n", "f(".repeat(n), ")".repeat(n)),
        format!("const x = {}true\n", "not ".repeat(n)),
        format!("const x = {}1\n", "-".repeat(n)),
        format!(
            "const x = {}1{}\n",
            "if a then ".repeat(n),
            " else 2".repeat(n)
        ),
    ];
    for src in inputs {
        let codes = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(move || rendered(&src).0)
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(codes, Vec::<&str>::new());
    }
}
