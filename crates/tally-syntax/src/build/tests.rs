use super::*;
use crate::ast::*;

fn parse_ok(src: &str) -> Module {
    let parsed = parse(FileId(0), src);
    assert!(parsed.diagnostics.is_empty(), "{:#?}", parsed.diagnostics);
    parsed.module
}

#[test]
fn parses_the_acme_policy() {
    let src = include_str!("../../../../examples/acme/policy.tally");
    let m = parse_ok(src);
    assert!(m.decls.len() > 20);
    assert!(m
        .decls
        .iter()
        .all(|d| !matches!(d.kind, DeclKind::Error(_))));
    let fn_decl = m
        .decls
        .iter()
        .find(|d| matches!(d.kind, DeclKind::Fn(_)))
        .unwrap();
    assert_eq!(
        fn_decl.doc.as_deref(),
        Some("The rep holding `job` in territory `t` on date `on`, if any.")
    );
}

#[test]
fn precedence_follows_the_spec() {
    let e = parse_expr(FileId(0), "not a == b and c or d").unwrap();
    let ExprKind::Binary {
        op: BinOp::Or, lhs, ..
    } = e.kind
    else {
        panic!("{e:?}")
    };
    let ExprKind::Binary {
        op: BinOp::And,
        lhs,
        ..
    } = lhs.kind
    else {
        panic!()
    };
    assert!(matches!(lhs.kind, ExprKind::Unary { op: UnOp::Not, .. }));
    let e = parse_expr(FileId(0), "a + b * c ?? d").unwrap();
    let ExprKind::Binary {
        op: BinOp::Default, ..
    } = e.kind
    else {
        panic!("{e:?}")
    };
    let e = parse_expr(FileId(0), "-x.y as Percent").unwrap();
    assert!(matches!(e.kind, ExprKind::Unary { op: UnOp::Neg, .. }));
    let e = parse_expr(FileId(0), "co_owner is some").unwrap();
    assert!(matches!(e.kind, ExprKind::Is { some: true, .. }));
}

#[test]
fn literals() {
    let cases = [
        ("1_000", "Int"),
        ("12.5", "Decimal"),
        ("12.5%", "Percent"),
        ("120_000 USD", "Money"),
        ("2025-04-10", "Date"),
        ("FY2026-Q3", "Period"),
        ("\"a\\\"b\"", "Text"),
        ("[1, 2,]", "List"),
        ("{\"a\": 1%}", "Map"),
        ("{ id: \"X\" }", "Record"),
        ("none", "None"),
        ("true", "Bool"),
    ];
    for (src, kind) in cases {
        let e = parse_expr(FileId(0), src).unwrap();
        assert!(
            format!("{:?}", e.kind).starts_with(kind),
            "{src}: {:?}",
            e.kind
        );
    }
    let e = parse_expr(FileId(0), "12.5%").unwrap();
    let ExprKind::Percent(n) = e.kind else {
        panic!()
    };
    assert_eq!(n.value.to_string(), "0.125");
}

#[test]
fn invalid_literals_are_errors() {
    assert!(parse_expr(FileId(0), "2025-02-30").is_err());
    assert!(parse_expr(FileId(0), "FY2026-Q5").is_err());
    assert!(parse_expr(FileId(0), "99999999999999999999").is_err());
}

#[test]
fn a_broken_declaration_does_not_hide_the_others() {
    let src = "table a {\n  x: Text\n}\n\nconst b = = 1\n\nconst c = 2\nassign a.y (first match) {\n  rule \"r\" when x == \"1\" then 2\n}\n";
    let parsed = parse(FileId(0), src);
    assert_eq!(parsed.diagnostics.len(), 1, "{:#?}", parsed.diagnostics);
    let kinds: Vec<bool> = parsed
        .module
        .decls
        .iter()
        .map(|d| matches!(d.kind, DeclKind::Error(_)))
        .collect();
    assert_eq!(kinds, vec![false, true, false, false]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!(
        "const x = {}1{}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let parsed = parse(FileId(0), &src);
    assert_eq!(parsed.diagnostics[0].code, "E0006");
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let n = crate::scan::MAX_NESTING - 1;
    let src = format!("const x = {}1{}\n", "(".repeat(n), ")".repeat(n));
    let parsed = parse(FileId(0), &src);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
}

#[test]
fn pest_limits_become_e0006_naming_the_limit() {
    use pest::error::{Error, ErrorVariant};
    let text = "report big \"Big\" {\n  from t\n}\n";
    let at = |message: &str| {
        let err: Error<Rule> = Error::new_from_pos(
            ErrorVariant::CustomError {
                message: message.to_string(),
            },
            pest::Position::from_start(text),
        );
        crate::errors::limit_error(&err, FileId(0), 10, text)
    };
    let stack = at("stack limit reached").unwrap();
    assert_eq!(stack.code, "E0006");
    assert_eq!((stack.primary.span.lo(), stack.primary.span.hi()), (10, 16));
    assert!(stack.message.contains("stack limit"), "{stack:?}");
    assert!(stack.notes[0].contains("larger stack"), "{stack:?}");
    let calls = at("call limit reached").unwrap();
    assert!(calls.message.contains("call limit"), "{calls:?}");
    assert!(calls.notes[0].contains("set_max_parse_calls"), "{calls:?}");
    assert!(at("something else").is_none());
}

/// Found by the `check` fuzz target: a declaration left open at the end of
/// the file is parsed again with its closing brackets added; none of its
/// spans may reach past the end of the file.
#[test]
fn spans_of_a_repaired_declaration_stay_in_the_file() {
    let src = "test \"t\" {\n  given accounts = [\n    { id: \"X1\" },\n  ]\n  given accounts = [\n    { id: \"X2\", name: \"Test\"";
    let parsed = parse(FileId(0), src);
    assert!(!parsed.diagnostics.is_empty());
    let text = format!("{:?}", parsed.module);
    let mut rest = text.as_str();
    while let Some(i) = rest.find("Span { file: FileId(0), start: ") {
        rest = &rest[i + 31..];
        let nums: Vec<usize> = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .take(2)
            .map(|n| n.parse().unwrap())
            .collect();
        assert!(
            nums[0] <= nums[1] && nums[1] <= src.len(),
            "{nums:?} in {text}"
        );
    }
}

/// A large `assign` with the shapes its pieces must survive: commas between
/// rules, comments and strings that mention `rule "`, `otherwise` among the
/// rules, brackets, a record, and a doc comment on the declaration.
fn large_assign(rules: usize, broken_at: Option<usize>) -> String {
    let mut src = String::from("table accounts {\n  id: Text key\n  n: Int\n}\n\n/// Territories.\nassign accounts.territory (first match) {\n");
    for i in 0..rules {
        let when = match i % 5 {
            0 => format!("n == {i} and id == \"rule \\\"x{i}\\\"\""),
            1 => format!("(n > {i} or n < -{i}) and id in [\"a\", \"rule\"]"),
            2 => format!("{{ rule: n }}.rule == {i}"),
            3 => format!("n == {i} // rule \"not one\""),
            _ => format!("not (n == {i})"),
        };
        let comma = if i % 7 == 0 { "," } else { "" };
        src.push_str(&format!(
            "  rule \"R{i}\" when {when}\n    then T_{i}{comma}\n"
        ));
        if i == rules / 2 {
            src.push_str("  otherwise Middle\n");
        }
        if Some(i) == broken_at {
            src.push_str("  rule \"Broken\" when n == then X\n");
        }
    }
    src.push_str("  otherwise Rest\n}\n\nconst after = 1\n");
    src
}

#[test]
fn a_large_assign_parsed_in_pieces_is_the_assign_parsed_whole() {
    let src = large_assign(6000, None);
    assert!(src.len() > 4 * 64 * 1024, "large enough for four pieces");
    let start = src.find("assign").unwrap();
    let end = src.find("\n\nconst").unwrap() + 2;
    let text = &src[start..end];
    assert!(
        pieces::large_assign(FileId(0), text, start, end, 4).is_some(),
        "the pieces parse"
    );
    let whole = parse_on(FileId(0), &src, 1);
    assert!(whole.diagnostics.is_empty(), "{:#?}", whole.diagnostics);
    for threads in [2, 3, 4] {
        let in_pieces = parse_on(FileId(0), &src, threads);
        assert!(in_pieces.diagnostics.is_empty());
        assert!(in_pieces.module == whole.module, "{threads} threads");
    }
    let DeclKind::Assign(a) = &whole.module.decls[1].kind else {
        panic!("{:?}", whole.module.decls[1].kind)
    };
    assert_eq!(a.arms.len(), 6002);
    assert_eq!(whole.module.decls[1].doc.as_deref(), Some("Territories."));
    // Cut before many different rules (after a comma, a comment, an
    // `otherwise`...), each piece's decl is the one parsed whole.
    // (doc comments are attached to the declarations afterwards)
    let mut parsed_whole = whole.module.decls[1].clone();
    parsed_whole.doc = None;
    for pieces in [7, 40, 200] {
        let decl = pieces::in_pieces(FileId(0), text, start, end, pieces);
        assert!(decl.as_ref() == Some(&parsed_whole), "{pieces} pieces");
    }
}

#[test]
fn a_broken_large_assign_is_reported_as_when_parsed_whole() {
    let src = large_assign(3000, Some(2500));
    let whole = parse_on(FileId(0), &src, 1);
    let in_pieces = parse_on(FileId(0), &src, 4);
    assert_eq!(whole.diagnostics.len(), 1);
    assert_eq!(in_pieces.diagnostics, whole.diagnostics);
    assert_eq!(in_pieces.module, whole.module);
}

#[test]
fn report_clauses_are_sorted_out() {
    let src = "report r {\n  where a\n  from t where b\n  from u\n  limit 1\n  where c\n  limit 2\n  limit 3\n  totals\n}\n";
    let m = parse_ok(src);
    let Some(DeclKind::Report(report)) = m.decls.first().map(|d| &d.kind) else {
        panic!("not a report");
    };
    let c = report.clauses();
    let text = |e: &Expr| {
        src.get(e.span.lo()..e.span.hi())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(c.from.map(text).as_deref(), Some("t"));
    // The first `from`'s filter is kept where it stands among the filters.
    assert_eq!(
        c.wheres.into_iter().map(text).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(c.limit.map(text).as_deref(), Some("1"));
    assert!(c.totals.is_some());
    let line = |s: Span| src.get(..s.lo()).unwrap_or_default().matches('\n').count() + 1;
    // Each repeat points at the clause written before it.
    let repeated: Vec<_> = c
        .repeated
        .iter()
        .map(|(clause, again, before)| (*clause, line(*again), line(*before)))
        .collect();
    assert_eq!(repeated, [("from", 4, 3), ("limit", 7, 5), ("limit", 8, 7)]);
}
