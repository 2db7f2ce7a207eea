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
