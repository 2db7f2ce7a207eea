//! Features on text being typed: broken declarations, the last good
//! program, any offset.

use super::*;
use crate::*;

fn labels(items: &[CompletionItem]) -> Vec<String> {
    items.iter().map(|i| i.label.clone()).collect()
}

/// ACME with `insert` written after the `nth` `needle` (plus `delta`);
/// returns the text and the cursor after the insertion.
fn typed(needle: &str, nth: usize, delta: usize, insert: &str) -> (String, usize) {
    let at = at(ACME, needle, nth, delta);
    let mut text = ACME.to_string();
    text.insert_str(at, insert);
    (text, at + insert.len())
}

#[test]
fn completion_in_an_unclosed_where() {
    let good = acme();
    let (text, cursor) = typed("  payout     =", 0, 0, "  target = quotas.where(\n");
    let cursor = cursor - 1;
    let a = analyse(&text);
    assert!(a.has_errors());
    let items = completion(&a, Some(&good), cursor);
    let l = labels(&items);
    for name in ["rep", "period", "amount", "ae", "q", "bookings"] {
        assert!(l.contains(&name.to_string()), "{name} missing: {l:?}");
    }
}

#[test]
fn completion_after_a_dot_on_a_local_row() {
    let good = acme();
    let (text, cursor) = typed("  payout     =", 0, 0, "  who = ae.\n");
    let a = analyse(&text);
    let items = completion(&a, Some(&good), cursor - 1);
    let l = labels(&items);
    for name in ["name", "role", "manager"] {
        assert!(l.contains(&name.to_string()), "{name} missing: {l:?}");
    }
}

#[test]
fn completion_of_a_rule_being_written() {
    let good = acme();
    let (text, cursor) = typed("  rule \"DACH\"", 0, 0, "  rule \"Nordics\" when coun\n");
    let a = analyse(&text);
    let items = completion(&a, Some(&good), cursor - 1);
    assert!(labels(&items).contains(&"country".to_string()));
    let (text, cursor) = typed(
        "  rule \"DACH\"",
        0,
        0,
        "  rule \"Nordics\" when country in [\"SE\"] then \n",
    );
    let a = analyse(&text);
    let mut items = completion(&a, Some(&good), cursor - 1);
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    assert_eq!(
        items.first().map(|i| i.kind),
        Some(CompletionKind::Territory)
    );
}

#[test]
fn completion_within_expects_a_territory() {
    let (text, cursor) = typed(
        "  expect accounts[\"X1\"].segment",
        0,
        0,
        "  expect accounts[\"X1\"].territory within \n",
    );
    let a = analyse(&text);
    let mut items = completion(&a, Some(&acme()), cursor - 1);
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    assert_eq!(items.first().map(|i| i.label.as_str()), Some("Americas"));
}

#[test]
fn completion_uses_the_last_good_program_for_broken_declarations() {
    // The table being edited is broken, its columns come from the last
    // good text.
    let good = acme();
    let text = ACME.replace(
        "  amount: Money\n}\n\nterritories",
        "  amount: Money\n  x: \n}\n\nterritories",
    );
    let a = analyse(&text);
    assert!(a.has_syntax_errors());
    let offset = at(&text, "quotas.where(", 0, 13);
    let l = labels(&completion(&a, Some(&good), offset));
    assert!(l.contains(&"period".to_string()), "{l:?}");
}

#[test]
fn features_on_every_prefix_never_panic() {
    // Every feature at a few offsets of every 17th prefix of the policy.
    let good = acme();
    let mut n = 0;
    for end in (0..ACME.len()).step_by(17) {
        if !ACME.is_char_boundary(end) {
            continue;
        }
        let text = &ACME[..end];
        let a = analyse(text);
        for offset in [0, end / 2, end.saturating_sub(1), end, end + 5] {
            hover(&a, offset);
            definition(&a, offset);
            references(&a, offset, true);
            let _ = prepare_rename(&a, offset);
            signature_help(&a, Some(&good), offset);
            code_actions(&a, offset, offset);
        }
        if end % 51 == 0 {
            completion(&a, Some(&good), end);
            n += 1;
        }
        semantic_tokens(&a);
        folding_ranges(&a);
        document_symbols(&a);
    }
    assert!(n > 20);
}

#[test]
fn non_ascii_text_is_safe() {
    let text =
        "// Prämie für Außendienst — “quotes”\nconst café = \"naïve\" // ünïcödé\nconst x = café\n";
    let a = analyse(text);
    for offset in 0..text.len() + 2 {
        hover(&a, offset);
        completion(&a, None, offset);
        signature_help(&a, None, offset);
        let _ = rename(&a, offset, "y");
    }
    let tokens = semantic_tokens(&a);
    assert!(tokens
        .iter()
        .all(|t| text.is_char_boundary(t.start) && text.is_char_boundary(t.end)));
}

#[test]
fn deep_and_long_expressions_are_safe() {
    let long = format!("const x = 1{}\n", " + 1".repeat(999));
    let deep = format!("const y = {}1{}\n", "(".repeat(99), ")".repeat(99));
    let too_deep = format!("const z = {}1{}\n", "(".repeat(300), ")".repeat(300));
    for text in [long, deep, too_deep] {
        let a = analyse(&text);
        for offset in [0, 12, text.len() / 2, text.len() - 2] {
            hover(&a, offset);
            completion(&a, None, offset);
            signature_help(&a, None, offset);
            references(&a, offset, true);
        }
        semantic_tokens(&a);
        folding_ranges(&a);
    }
}
