//! Turning pest's parse errors into diagnostics people can act on.

use crate::Rule;
use pest::error::{Error, ErrorVariant, InputLocation};
use std::collections::BTreeSet;
use tally_diagnostics::{Diagnostic, FileId, Span};

/// What the user should be told a rule stands for, or `None` to leave it out.
fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        ident | name | field_name => "a name",
        string | string_body => "a text in quotes",
        type_expr => "a type",
        expr | binary | if_expr | paren | list | record | map | tiered | number | money
        | percent | date | period | boolean | none_lit | call => "an expression",
        hit_policy | first_match | all_match | unique => "`first match`, `all match` or `unique`",
        op_or | op_and | op_eq | op_ne | op_lt | op_le | op_gt | op_ge | op_in | op_within
        | op_default | op_add | op_sub | op_mul | op_div => "an operator",
        is_some | is_none | method_call | opt_method_call | field | opt_field | index | cast => {
            "an operator"
        }
        op_not | op_neg => "an expression",
        policy_decl | import_decl | settings_decl | table_decl | territories_decl | const_decl
        | fn_decl | assign_decl | credit_decl | plan_decl | report_decl | test_decl
        | golden_decl => "a declaration (`table`, `assign`, `credit`, `plan`, `report`, ...)",
        column => "a column (`name: Type`)",
        setting => "a setting (`name = value`)",
        territory => "a territory name",
        assign_rule | credit_rule => "`rule`",
        otherwise_value | otherwise_payees => "`otherwise`",
        let_stmt => "`let`",
        credit_setting => "`amount = ...`",
        role_group => "a role group (`revenue (first match) { ... }`)",
        rollup => "`rollup`",
        plan_for => "`for`",
        metric => "a metric (`name = expression`)",
        report_from => "`from`",
        report_where => "`where`",
        report_group => "`group by`",
        report_columns => "`columns`",
        report_order => "`order by`",
        report_limit => "`limit`",
        report_totals => "`totals`",
        named_expr => "a column (`name = expression`)",
        order_key => "an expression",
        given => "`given`",
        expect => "`expect`",
        golden_report => "`report`",
        golden_data => "`data`",
        golden_matches => "`matches`",
        tier_band | tier_up_to => "`up to`",
        tier_above => "`above`",
        tier_mode => "`marginal` or `retro`",
        gets => "`PAYEE gets SHARE`",
        payees => "`PAYEE gets SHARE`",
        param => "a parameter (`name: Type`)",
        effective => "`effective(start, end)`",
        key_mark => "`key`",
        from_clause => "`from`",
        format_clause => "`format`",
        sort_dir => "`desc` or `asc`",
        EOI => "the end of the declaration",
        other => {
            let text = format!("{other:?}");
            let word = text.strip_prefix("kw_")?;
            return keyword_text(word);
        }
    })
}

fn keyword_text(word: &str) -> Option<&'static str> {
    crate::keywords::KEYWORDS
        .iter()
        .find(|k| **k == word)
        .map(|k| quoted(k))
}

fn quoted(word: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static QUOTED: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let map = QUOTED.get_or_init(|| {
        crate::keywords::KEYWORDS
            .iter()
            .map(|k| (*k, &*Box::leak(format!("`{k}`").into_boxed_str())))
            .collect()
    });
    map.get(word).copied().unwrap_or("a keyword")
}

/// The token found at `offset` in `text`, for "found ..." in messages.
fn found_at(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t', '\r']);
    let Some(c) = rest.chars().next() else {
        return "the end of the declaration".to_string();
    };
    if c == '\n' {
        return "the end of the line".to_string();
    }
    if c.is_alphanumeric() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '%')
            .collect();
        return format!("`{word}`");
    }
    if c == '"' {
        let s: String = rest.chars().skip(1).take_while(|c| *c != '"' && *c != '\n').collect();
        return format!("`\"{s}\"`");
    }
    let two: String = rest.chars().take(2).collect();
    if ["==", "!=", "<=", ">=", "??", "?.", "=>", "->"].contains(&two.as_str()) {
        return format!("`{two}`");
    }
    format!("`{c}`")
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Converts a pest error in the chunk starting at `base` into a diagnostic.
pub(crate) fn syntax_error(err: &Error<Rule>, file: FileId, base: usize, text: &str) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: BTreeSet<&'static str> = BTreeSet::new();
    let mut tokens: BTreeSet<String> = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        expected.extend(positives.iter().filter_map(|r| describe(*r)));
    }
    if let Some(attempts) = err.parse_attempts() {
        for t in attempts.expected_tokens() {
            // Only literal tokens are named: punctuation and keywords.
            let token = t.to_string();
            let token = token.trim();
            let punctuation = !token.is_empty()
                && token.len() <= 3
                && !token.contains("..")
                && token.chars().all(|c| c.is_ascii_punctuation());
            if (punctuation && token != "_") || crate::keywords::KEYWORDS.contains(&token) {
                tokens.insert(format!("`{token}`"));
            }
        }
    }
    // Punctuation and keywords first, then the kinds of things, operators last.
    let mut items: Vec<String> = tokens
        .into_iter()
        .filter(|t| !["`-`", "`+`", "`*`", "`/`", "`<`", "`>`", "`==`", "`!=`", "`<=`", "`>=`", "`??`", "`.`", "`?.`", "`[`", "`%`"].contains(&t.as_str()))
        .collect();
    let mut kinds: Vec<&str> = expected.into_iter().filter(|e| *e != "an operator").collect();
    kinds.sort_by_key(|k| (!k.starts_with('`'), *k));
    for k in kinds {
        if !items.iter().any(|i| i == k) {
            items.push(k.to_string());
        }
    }
    if items.is_empty() {
        items.push("an operator".to_string());
    }
    items.truncate(6);
    let found = found_at(text, pos);
    let at = base + pos;
    let end = at + found_len(text, pos);
    let message = format!("expected {}, found {found}", join_or(&items));
    let mut d = Diagnostic::error("E0001", Span::new(file, at, end), message)
        .with_label("unexpected here");
    if let Some(help) = hint(text, pos, &items) {
        d = d.with_help(help);
    }
    d
}

fn found_len(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return 0;
    };
    if c.is_alphanumeric() || c == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .map(char::len_utf8)
            .sum()
    } else if c.is_whitespace() {
        0
    } else {
        c.len_utf8()
    }
}

/// A suggestion for common slips.
fn hint(text: &str, pos: usize, expected: &[String]) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("").trim_start();
    let before = text.get(..pos).unwrap_or("").trim_end();
    if rest.starts_with('=') && !rest.starts_with("==") && expected.iter().any(|e| e == "`then`" || e == "an operator") {
        return Some("to compare values write `==`".to_string());
    }
    if rest.is_empty() && before.matches('{').count() > before.matches('}').count() {
        return Some("a `{` is not closed; add the matching `}`".to_string());
    }
    if rest.starts_with('\'') {
        return Some("text is written in double quotes: `\"...\"`".to_string());
    }
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if crate::keywords::is_keyword(&word) && expected.iter().any(|e| e == "a name") {
        return Some(format!("`{word}` is a reserved word and cannot be used as a name"));
    }
    None
}

/// The error for input nested deeper (or chained longer) than the parser
/// accepts.
pub(crate) fn nesting_error(span: Span, src: &str) -> Diagnostic {
    use crate::scan::{MAX_CHAIN, MAX_NESTING};
    let at = src.get(span.lo()..).unwrap_or("");
    // A chain error points at a binary operator; a nesting error at a
    // bracket or a prefix (`not`, `if`, unary `-`).
    let prefix_minus = at.starts_with('-') && src.get(..span.lo()).is_some_and(|b| {
        b.trim_end().ends_with(|c: char| "([{,=+-*/<>!?".contains(c)) || b.trim_end().ends_with("then") || b.trim_end().ends_with("else")
    });
    let nested = at.starts_with(['(', '[', '{']) || at.starts_with("not") || at.starts_with("if") || prefix_minus;
    let (message, label) = if nested {
        (format!("expression nested more than {MAX_NESTING} levels deep"), "too deeply nested")
    } else {
        (format!("expression chains more than {MAX_CHAIN} operators"), "too long")
    };
    Diagnostic::error("E0006", span, message)
        .with_label(label)
        .with_help("split the expression with `let`, `const` or `fn`")
}
