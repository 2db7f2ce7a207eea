//! Inputs the `fmt_roundtrip` fuzz target found: each formats, the result
//! formats to itself, and it parses to the same declarations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use tally_diagnostics::FileId;

fn round_trip(src: &str) -> String {
    let parsed = tally_syntax::parse(FileId(0), src);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let once = tally_fmt::format_source(src).unwrap_or_else(|e| panic!("{e}"));
    let again = tally_syntax::parse(FileId(0), &once);
    assert!(
        again.diagnostics.is_empty(),
        "{:?}\n{once}",
        again.diagnostics
    );
    assert!(tally_fmt::same_ast(&parsed.module, &again.module), "{once}");
    assert_eq!(tally_fmt::format_source(&once).unwrap(), once);
    once
}

/// `FY2026-Qx` used to parse as the name `FY2026` minus `Qx`, but the
/// formatted `FY2026 - Qx` as the period `FY2026` minus `Qx`.
#[test]
fn a_period_followed_by_a_minus_without_spaces() {
    for src in [
        "const x = FY2026-Qx\n",
        "const x = FY2026-Q5x\n",
        "const x = FY2026-M1a\n",
        "const x = FY2026-q1\n",
    ] {
        let out = round_trip(src);
        assert!(out.contains("FY2026 - "), "{out}");
    }
    // A period with too many digits is one invalid period, not a subtraction.
    for bad in ["const x = FY2026-Q52\n", "const x = FY2026-M011\n"] {
        let parsed = tally_syntax::parse(FileId(0), bad);
        let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0002"], "{bad}");
    }
}
