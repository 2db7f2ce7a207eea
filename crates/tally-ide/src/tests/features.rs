use super::*;
use crate::*;

fn hover_at(a: &Analysis, offset: usize) -> String {
    match hover(a, offset) {
        Some(h) => format!("{}\n---\n{}", show(a, h.span), h.markdown),
        None => "(no hover)".to_string(),
    }
}

#[test]
fn acme_checks_clean() {
    let a = acme();
    assert!(!a.has_errors(), "{:?}", a.diagnostics());
    assert!(!a.has_syntax_errors());
}

#[test]
fn hover_on_a_column() {
    let a = acme();
    // `manager` in `rollup revenue via manager` is the reps column.
    let h = hover_at(&a, at(ACME, "via manager", 0, 4));
    insta::assert_snapshot!("hover_column", h);
    // `close_date` used in the credit block.
    insta::assert_snapshot!(
        "hover_column_use",
        hover_at(&a, at(ACME, "close_date {", 0, 2))
    );
}

#[test]
fn hover_on_every_kind_of_name() {
    let a = acme();
    let cases = [
        ("table", at(ACME, "from accounts", 0, 6)),
        ("function", at(ACME, "territory_rep(account", 0, 3)),
        ("native function", at(ACME, "fiscal_quarter(date)", 0, 2)),
        ("native in expression", at(ACME, "min(commission", 0, 1)),
        ("territory", at(ACME, "then NA_East", 0, 6)),
        ("plan", at(ACME, "from ae_comp", 0, 6)),
        ("report", at(ACME, "report attainment\n", 0, 8)),
        ("const", at(ACME, "in strategic_accounts", 0, 5)),
        ("let", at(ACME, "when ae is some", 0, 5)),
        ("param", at(ACME, "== job", 0, 4)),
        ("loop variable", at(ACME, "payee == ae", 0, 9)),
        ("metric", at(ACME, "bookings / quota", 0, 2)),
        ("method", at(ACME, ".where(territory", 0, 2)),
        ("rule", at(ACME, "rule \"US East\"", 0, 8)),
        (
            "hit policy",
            at(ACME, "(first match) {\n  rule \"Strategic", 0, 3),
        ),
        ("role group", at(ACME, "revenue (first match)", 0, 2)),
        ("derived column", at(ACME, "accounts.territory (", 0, 10)),
        ("credits table", at(ACME, "from credits\n", 0, 6)),
        ("credits column", at(ACME, "payee_name = payee.name", 0, 14)),
        ("expression", at(ACME, "0 USD then", 0, 0)),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(what, offset)| format!("## {what}\n{}", hover_at(&a, *offset)))
        .collect();
    insta::assert_snapshot!("hover_kinds", out.join("\n\n"));
}

#[test]
fn definition_of_a_function() {
    let a = acme();
    let defs = definition(&a, at(ACME, "territory_rep(account", 0, 4));
    let shown: Vec<String> = defs.iter().map(|s| show(&a, *s)).collect();
    assert_eq!(shown, ["64:4-64:17 `territory_rep`"]);
    // A stdlib function defined in Tally: its stdlib file.
    let std = definition(&a, at(ACME, "fiscal_quarter(date)", 0, 2));
    assert!(std.iter().all(|s| a.program().is_stdlib(s.file)));
    // A native has no definition.
    assert!(definition(&a, at(ACME, "quarters(FY2026)", 0, 2)).is_empty());
    // A column type names its table.
    let t = definition(&a, at(ACME, "account: accounts", 0, 10));
    assert_eq!(
        t.iter().map(|s| show(&a, *s)).collect::<Vec<_>>(),
        ["18:7-18:15 `accounts`"]
    );
}

#[test]
fn references_of_a_territory() {
    let a = acme();
    let refs = references(&a, at(ACME, "then NA_East", 0, 6), true);
    let shown: Vec<String> = refs.iter().map(|s| show(&a, *s)).collect();
    insta::assert_snapshot!("references_territory", shown.join("\n"));
    let without = references(&a, at(ACME, "then NA_East", 0, 6), false);
    assert_eq!(without.len(), refs.len() - 1);
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = text.to_string();
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for e in edits {
        out.replace_range(e.span.lo()..e.span.hi(), &e.new_text);
    }
    out
}

fn diff(before: &str, after: &str) -> String {
    before
        .lines()
        .zip(after.lines())
        .enumerate()
        .filter(|(_, (b, a))| b != a)
        .map(|(i, (b, a))| format!("{:>3} - {b}\n    + {a}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn rename_a_table() {
    let a = acme();
    let offset = at(ACME, "table accounts", 0, 8);
    let (span, name) = prepare_rename(&a, offset).unwrap();
    assert_eq!(
        (show(&a, span), name.as_str()),
        ("18:7-18:15 `accounts`".to_string(), "accounts")
    );
    let edits = rename(&a, offset, "customers").unwrap();
    let after = apply(ACME, &edits);
    insta::assert_snapshot!("rename_table", diff(ACME, &after));
    let again = analyse(&after);
    assert!(!again.has_errors(), "{:?}", again.diagnostics());
}

#[test]
fn rename_a_column_keeps_its_header_and_report_columns() {
    let a = acme();
    let edits = rename(&a, at(ACME, "country: Text", 0, 1), "nation").unwrap();
    let after = apply(ACME, &edits);
    insta::assert_snapshot!("rename_column", diff(ACME, &after));
    assert!(!analyse(&after).has_errors());
    // A derived column takes its `_rule` column along, and the bare report
    // column keeps its output name.
    let edits = rename(&a, at(ACME, "accounts.territory (", 0, 10), "region_of").unwrap();
    let after = apply(ACME, &edits);
    insta::assert_snapshot!("rename_derived_column", diff(ACME, &after));
    assert!(!analyse(&after).has_errors());
}

#[test]
fn rename_locals_and_globals() {
    let a = acme();
    for (needle, delta, new) in [
        ("let ae =", 4, "account_exec"),
        ("for q in", 4, "quarter_of"),
        ("on: Date", 0, "day"),
        ("const stage_probability", 6, "probability"),
        ("fn territory_rep", 3, "owner_of"),
        ("Strategic\n  }", 0, "Key_Accounts"),
        ("plan ae_comp", 5, "ae_plan"),
        ("report forecast", 7, "pipeline_report"),
    ] {
        let edits =
            rename(&a, at(ACME, needle, 0, delta), new).unwrap_or_else(|e| panic!("{needle}: {e}"));
        assert!(edits.len() >= 2, "{needle}: {edits:?}");
        let after = analyse(&apply(ACME, &edits));
        assert!(!after.has_errors(), "{needle}: {:?}", after.diagnostics());
    }
}

#[test]
fn rename_refusals() {
    let a = acme();
    let refuse = |offset: usize, new: &str| rename(&a, offset, new).unwrap_err();
    let out = [
        refuse(at(ACME, "fiscal_quarter(date)", 0, 2), "fq"),
        refuse(at(ACME, "quarters(FY2026)", 0, 2), "qs"),
        refuse(at(ACME, "table accounts", 0, 8), "when"),
        refuse(at(ACME, "table accounts", 0, 8), "reps"),
        refuse(at(ACME, "table accounts", 0, 8), "Text"),
        refuse(at(ACME, "table accounts", 0, 8), "9lives"),
        refuse(at(ACME, "country: Text", 0, 1), "state"),
        refuse(at(ACME, "let ae =", 0, 4), "specialist"),
        refuse(at(ACME, "revenue (first", 0, 1), "bookings"),
        refuse(at(ACME, "from credits\n", 0, 6), "credit_rows"),
        refuse(at(ACME, ".where(territory", 0, 2), "filter"),
        refuse(at(ACME, "territory_rule", 0, 2), "x"),
        refuse(at(ACME, "policy \"Acme", 0, 2), "x"),
    ];
    insta::assert_snapshot!("rename_refusals", out.join("\n"));
}

#[test]
fn renaming_into_a_capture_is_refused() {
    // `ae` renamed to `role` would be captured by the `role` column of
    // `credits` inside `where(...)`.
    let a = acme();
    let err = rename(&a, at(ACME, "for ae in", 0, 4), "role").unwrap_err();
    assert!(err.contains("would change what some names mean"), "{err}");
}

fn labels(items: &[CompletionItem]) -> Vec<&str> {
    items.iter().map(|i| i.label.as_str()).collect()
}

fn completion_text(items: &[CompletionItem], first: usize) -> String {
    let mut sorted: Vec<&CompletionItem> = items.iter().collect();
    sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    sorted
        .iter()
        .take(first)
        .map(|i| {
            format!(
                "{:?} {} — {} => {}",
                i.kind,
                i.label,
                i.detail.clone().unwrap_or_default(),
                i.insert_text.replace('\n', "\\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn completion_inside_where_offers_the_tables_columns() {
    let a = acme();
    let offset = at(ACME, "quotas.where(", 0, 13);
    let items = completion(&a, None, offset);
    let l = labels(&items);
    for col in ["rep", "period", "amount"] {
        assert!(l.contains(&col), "{col} missing: {l:?}");
    }
    // The loop variables of the plan are in scope too.
    assert!(l.contains(&"ae") && l.contains(&"q"), "{l:?}");
    insta::assert_snapshot!("completion_where", completion_text(&items, 12));
}

#[test]
fn completion_after_a_dot() {
    let a = acme();
    // `payee.` on a credits row: the reps columns.
    let offset = at(ACME, "payee.name", 0, 6);
    let items = completion(&a, None, offset);
    insta::assert_snapshot!("completion_row_dot", completion_text(&items, 20));
    // `quotas.` on a table: the methods.
    let offset = at(ACME, "quotas.where", 0, 7);
    let items = completion(&a, None, offset);
    insta::assert_snapshot!("completion_table_dot", completion_text(&items, 20));
}

#[test]
fn completion_offers_territories_where_one_is_expected() {
    let a = acme();
    let offset = at(ACME, "then NA_West", 0, 5);
    let items = completion(&a, None, offset);
    let mut sorted = items.clone();
    sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    let first: Vec<&str> = sorted.iter().take(9).map(|i| i.label.as_str()).collect();
    assert_eq!(
        first,
        [
            "Americas",
            "DACH",
            "EMEA",
            "Global",
            "LATAM",
            "NA_East",
            "NA_West",
            "Strategic",
            "UKI"
        ]
    );
}

#[test]
fn completion_of_functions_uses_snippets() {
    let a = acme();
    let items = completion(&a, None, at(ACME, "territory_rep(account", 0, 0));
    let f = items.iter().find(|i| i.label == "territory_rep").unwrap();
    assert!(f.snippet);
    assert_eq!(f.insert_text, "territory_rep(${1:t}, ${2:job}, ${3:on})");
    assert_eq!(
        f.detail.as_deref(),
        Some("fn territory_rep(t: Territory?, job: Text, on: Date) -> reps?")
    );
}

#[test]
fn completion_of_settings_and_declarations() {
    let text = "settings {\n  currency = USD\n  \n}\n\n";
    let a = analyse(text);
    let items = completion(&a, None, at(text, "  \n}", 0, 2));
    assert_eq!(labels(&items), ["fiscal_year_start", "rounding"]);
    let text2 = "settings {\n  fiscal_year_start = Fe\n}\n";
    let items = completion(&analyse(text2), None, at(text2, "Fe\n", 0, 2));
    assert!(labels(&items).contains(&"February"));
    let top = completion(&a, None, text.len());
    assert!(labels(&top).contains(&"table") && labels(&top).contains(&"report"));
    let types = "table t {\n  a: \n}\n";
    let items = completion(&analyse(types), None, at(types, "a: ", 0, 3));
    assert!(labels(&items).contains(&"Money"), "{:?}", labels(&items));
}

#[test]
fn signature_help_shows_the_active_parameter() {
    let a = acme();
    let offset = at(ACME, "\"AE\", close_date)", 0, 6);
    let help = signature_help(&a, None, offset).unwrap();
    assert_eq!(
        help.label,
        "territory_rep(t: Territory?, job: Text, on: Date) -> reps?"
    );
    assert_eq!(help.active_parameter, 2);
    let params: Vec<&str> = help
        .parameters
        .iter()
        .map(|(s, e)| &help.label[*s..*e])
        .collect();
    assert_eq!(params, ["t: Territory?", "job: Text", "on: Date"]);
    assert!(help.documentation.unwrap().contains("The rep holding"));
    let m = signature_help(&a, None, at(ACME, "quotas.where(rep", 0, 14)).unwrap();
    assert_eq!(
        (m.label.as_str(), m.active_parameter),
        ("where(predicate: Bool) -> table", 0)
    );
}

#[test]
fn semantic_tokens_cover_the_policy() {
    let a = acme();
    let tokens = semantic_tokens(&a);
    assert!(tokens.len() > 400, "{}", tokens.len());
    assert!(
        tokens.windows(2).all(|w| w[0].end <= w[1].start),
        "tokens overlap"
    );
    let kind_of = |needle: &str, nth: usize| {
        let offset = at(ACME, needle, nth, 0);
        tokens.iter().find(|t| t.start == offset).map(|t| t.kind)
    };
    assert_eq!(kind_of("table", 0), Some(TokenKind::Keyword));
    assert_eq!(kind_of("reps {", 0), Some(TokenKind::Table));
    assert_eq!(kind_of("country ==", 0), Some(TokenKind::Column));
    assert_eq!(
        kind_of("territory_rep(account", 0),
        Some(TokenKind::Function)
    );
    assert_eq!(kind_of("NA_East", 1), Some(TokenKind::Territory));
    assert_eq!(kind_of("\"Closed Won\"", 0), Some(TokenKind::String));
    assert_eq!(kind_of("15_000 USD", 0), Some(TokenKind::Number));
    assert_eq!(kind_of("FY2026)", 0), Some(TokenKind::Number));
    assert_eq!(kind_of("// Acme", 0), Some(TokenKind::Comment));
    assert_eq!(kind_of("Money", 0), Some(TokenKind::Type));
    assert_eq!(kind_of("job)", 0), Some(TokenKind::Parameter));
    assert_eq!(
        kind_of("strategic_accounts then", 0),
        Some(TokenKind::Const)
    );
    let mut counts = std::collections::BTreeMap::new();
    for t in &tokens {
        *counts.entry(format!("{:?}", t.kind)).or_insert(0) += 1;
    }
    insta::assert_debug_snapshot!("token_counts", counts);
}

#[test]
fn folding_ranges_of_the_policy() {
    let a = acme();
    let folds = folding_ranges(&a);
    let shown: Vec<String> = folds
        .iter()
        .map(|f| format!("{:?} {}-{}", f.kind, f.start_line + 1, f.end_line + 1))
        .collect();
    insta::assert_snapshot!("folding", shown.join("\n"));
}

#[test]
fn document_and_workspace_symbols() {
    let a = acme();
    fn render(s: &DocumentSymbol, depth: usize, out: &mut Vec<String>) {
        out.push(format!(
            "{}{:?} {}{}",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
                .as_ref()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default()
        ));
        for c in &s.children {
            render(c, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for s in document_symbols(&a) {
        render(&s, 0, &mut out);
    }
    insta::assert_snapshot!("document_symbols", out.join("\n"));
    let found: Vec<String> = workspace_symbols(&a, "terr")
        .iter()
        .map(|s| {
            format!(
                "{:?} {} in {}",
                s.kind,
                s.name,
                s.container.clone().unwrap_or_default()
            )
        })
        .collect();
    insta::assert_snapshot!("workspace_symbols", found.join("\n"));
}

#[test]
fn quick_fix_for_a_typo() {
    let text = ACME.replace(
        "when country == \"US\" and state in [\"NY\"",
        "when contry == \"US\" and state in [\"NY\"",
    );
    let a = analyse(&text);
    let offset = at(&text, "contry", 0, 2);
    let actions = code_actions(&a, offset, offset);
    let fix = actions.iter().find(|x| x.preferred).unwrap();
    assert_eq!(fix.title, "replace `contry` with `country`");
    assert_eq!(fix.diagnostic.as_ref().map(|d| d.code), Some("E0102"));
    let fixed = apply(&text, &fix.edits);
    assert_eq!(fixed, ACME);
}

#[test]
fn quick_fix_adds_a_missing_otherwise() {
    let a = acme();
    let offset = at(ACME, "rule \"DACH\"", 0, 0);
    let actions = code_actions(&a, offset, offset);
    let fix = actions
        .iter()
        .find(|x| x.title.starts_with("add `otherwise`"))
        .unwrap();
    let after = apply(ACME, &fix.edits);
    insta::assert_snapshot!(
        "otherwise_fix",
        format!("{}\n{}", fix.title, diff_lines(ACME, &after))
    );
    assert!(!analyse(&after).has_errors());
}

fn diff_lines(before: &str, after: &str) -> String {
    let b: Vec<&str> = before.lines().collect();
    after
        .lines()
        .enumerate()
        .filter(|(i, l)| b.get(*i) != Some(l))
        .take(2)
        .map(|(i, l)| format!("{:>3} + {l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn inlay_hints_and_code_lenses_with_data() {
    let root = std::env::temp_dir().join(format!("tally-ide-data-{}", std::process::id()));
    let data = root.join("acme-data");
    std::fs::create_dir_all(&data).unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/acme/data");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    let policy = root.join("policy.tally");
    std::fs::write(&policy, ACME).unwrap();
    assert_eq!(find_config(&policy), Ok(None));
    std::fs::write(root.join("tally.toml"), "data = \"acme-data\"\n").unwrap();
    let config = find_config(&policy).unwrap().unwrap();
    let a = Analysis::new(&policy.display().to_string(), ACME, &tally_check::NoImports);
    let run = run_data(&a, &config);
    assert_eq!(run.error, None);
    let hints: Vec<String> = inlay_hints(&a, &run)
        .iter()
        .map(|h| {
            let line = ACME.get(..h.offset).unwrap().lines().count();
            format!("{line}: {}", h.label)
        })
        .collect();
    insta::assert_snapshot!("inlay_hints", hints.join("\n"));
    let lenses: Vec<String> = code_lenses(&a, Some(&run))
        .iter()
        .map(|l| format!("{}: {}", show(&a, l.span), l.title))
        .collect();
    insta::assert_snapshot!("code_lenses", lenses.join("\n"));
    assert!(code_lenses(&a, None).is_empty());
    std::fs::write(root.join("tally.toml"), "data = 3\n").unwrap();
    assert!(find_config(&policy).is_err());
    let _ = std::fs::remove_dir_all(&root);
}
