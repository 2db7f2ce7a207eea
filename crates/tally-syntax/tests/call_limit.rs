//! pest's call limit (`tally_syntax::set_max_parse_calls`): a declaration
//! that takes more parser steps than the limit is an `E0006` naming the
//! limit; the other declarations still parse. Its own test binary, because
//! the limit is process-wide.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::num::NonZeroUsize;
use tally_diagnostics::{render_human, FileId, SourceMap};

#[test]
fn a_declaration_past_the_call_limit() {
    assert_eq!(
        tally_syntax::max_parse_calls(),
        tally_syntax::MAX_PARSE_CALLS
    );
    let src = format!(
        "const small = 1\n\nconst big = [{}]\n\nconst after = 2\n",
        "1, ".repeat(2_000)
    );
    // Fine with the default limit.
    let parsed = tally_syntax::parse(FileId(0), &src);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);

    tally_syntax::set_max_parse_calls(NonZeroUsize::new(10_000).unwrap());
    let parsed = tally_syntax::parse(FileId(0), &src);
    let mut sources = SourceMap::new();
    sources.add("big.tally", src.as_str());
    let text = render_human(&parsed.diagnostics, &sources, Default::default());
    let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0006"], "{text}");
    assert!(text.contains("more than 10000 parser steps"), "{text}");
    assert!(text.contains("set_max_parse_calls"), "{text}");
    let errors = parsed
        .module
        .decls
        .iter()
        .filter(|d| matches!(d.kind, tally_syntax::ast::DeclKind::Error(_)))
        .count();
    assert_eq!((parsed.module.decls.len(), errors), (3, 1));
    insta::assert_snapshot!(text);

    // The expression parser (`tally query`) reports it the same way.
    let expr = format!("[{}]", "1, ".repeat(2_000));
    let err = tally_syntax::parse_expr(FileId(0), &expr).unwrap_err();
    assert_eq!(err[0].code, "E0006");

    tally_syntax::set_max_parse_calls(NonZeroUsize::new(tally_syntax::MAX_PARSE_CALLS).unwrap());
    assert!(tally_syntax::parse(FileId(0), &src).diagnostics.is_empty());
}
