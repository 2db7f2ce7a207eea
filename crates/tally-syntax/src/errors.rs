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
        sort_dir => "`desc`",
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

/// Words and symbols that carry the structure of a declaration: when the
/// parser expected one of these, it is the most useful thing to say.
const STRUCTURAL: &[&str] = &[
    "then",
    "else",
    "when",
    "gets",
    "via",
    "by",
    "of",
    "to",
    "match",
    "otherwise",
    "rule",
    "from",
    "matches",
    "data",
    "given",
    "expect",
    "}",
    ")",
    "]",
    "{",
    "(",
    "=",
    ":",
    "=>",
    "->",
    ",",
];

/// Operators that could continue an expression (summarised as "an operator").
const OPERATORS: &[&str] = &[
    "and", "or", "in", "is", "as", "within", "not", "!=", "==", "<", "<=", ">", ">=", "+", "-",
    "*", "/", "??", "?.", ".", "[",
];

/// Orders what the parser expected: structural tokens first, then kinds of
/// things, then other keywords, and "an operator" last; at most six.
fn rank_expected(tokens: &BTreeSet<String>, kinds: &BTreeSet<&'static str>) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    let push = |items: &mut Vec<String>, s: String| {
        if !items.contains(&s) {
            items.push(s);
        }
    };
    // When an expression is expected, its first tokens (`(`, `{`, `none`,
    // ...) are covered by saying "an expression".
    let expression_expected = kinds.contains("an expression") || kinds.contains("a name");
    let starts_expression = |t: &str| {
        expression_expected
            && [
                "{", "(", "[", "-", "false", "true", "none", "if", "not", "tiered",
            ]
            .contains(&t)
    };
    for s in STRUCTURAL {
        if tokens.contains(*s) && !starts_expression(s) {
            push(&mut items, format!("`{s}`"));
        }
    }
    let declaration_start = tokens
        .iter()
        .any(|t| crate::keywords::DECLARATION_KEYWORDS.contains(&t.as_str()));
    let quoted_word = |k: &str| k.trim_matches('`').to_string();
    let mut kinds: Vec<&str> = kinds
        .iter()
        .copied()
        .filter(|k| *k != "an operator" && !k.starts_with("a declaration"))
        .filter(|k| {
            let w = quoted_word(k);
            !(k.starts_with('`')
                && (OPERATORS.contains(&w.as_str())
                    || crate::keywords::DECLARATION_KEYWORDS.contains(&w.as_str())
                    || starts_expression(&w)))
        })
        .filter(|k| {
            !(expression_expected
                && (*k == "a text in quotes" || *k == "a name")
                && kinds.contains("an expression"))
        })
        .collect();
    kinds.sort_by_key(|k| (!k.starts_with('`'), *k));
    for k in kinds {
        push(&mut items, k.to_string());
    }
    for t in tokens {
        let t = t.as_str();
        if !STRUCTURAL.contains(&t)
            && !OPERATORS.contains(&t)
            && !crate::keywords::DECLARATION_KEYWORDS.contains(&t)
            && !starts_expression(t)
        {
            push(&mut items, format!("`{t}`"));
        }
    }
    let has_operator = tokens.iter().any(|t| OPERATORS.contains(&t.as_str()));
    items.truncate(5);
    if has_operator {
        push(&mut items, "an operator".to_string());
    }
    if declaration_start && items.len() < 6 {
        push(&mut items, "a new declaration".to_string());
    }
    if items.is_empty() {
        items.push("something else".to_string());
    }
    items
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
        let s: String = rest
            .chars()
            .skip(1)
            .take_while(|c| *c != '"' && *c != '\n')
            .collect();
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
    let mut kinds: BTreeSet<&'static str> = BTreeSet::new();
    let mut tokens: BTreeSet<String> = BTreeSet::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        kinds.extend(positives.iter().filter_map(|r| describe(*r)));
    }
    if let Some(attempts) = err.parse_attempts() {
        for t in attempts.expected_tokens() {
            let token = t.to_string();
            let token = token.trim();
            let punctuation = !token.is_empty()
                && token.len() <= 3
                && !token.contains("..")
                && token.chars().all(|c| c.is_ascii_punctuation());
            if (punctuation && !["_", "//", "\"", "%"].contains(&token))
                || crate::keywords::KEYWORDS.contains(&token)
            {
                tokens.insert(token.to_string());
            }
        }
    }
    let items = rank_expected(&tokens, &kinds);
    // A text that is never closed, or a bracket that is never closed, is the
    // real cause; point there instead of where the parser gave up.
    if let Some(open) = unterminated_text(text) {
        return Diagnostic::error(
            "E0001",
            Span::new(file, base + open, base + open + 1),
            "this text is never closed",
        )
        .with_label("the text starts here")
        .with_help("close it with `\"` on the same line");
    }
    let rest = text.get(pos..).unwrap_or("");
    if rest.trim().is_empty()
        || items.iter().any(|i| i == "`}`" || i == "`)`" || i == "`]`")
            && found_is_declaration(rest)
    {
        if let Some((open, ch)) = unclosed_bracket(text) {
            let close = match ch {
                '{' => '}',
                '(' => ')',
                _ => ']',
            };
            return Diagnostic::error(
                "E0001",
                Span::new(file, base + open, base + open + 1),
                format!("this `{ch}` is never closed"),
            )
            .with_label(format!("needs a matching `{close}`"))
            .with_help(format!("add `{close}` where the block ends"));
        }
    }
    // When the unexpected token starts a new line, the line above is
    // usually the one missing something: point at its last token.
    if let Some((start, len, prev)) = previous_line_end(text, pos) {
        let wanted: Vec<String> = items
            .iter()
            .filter(|i| *i != "an operator")
            .cloned()
            .collect();
        let wanted = if wanted.is_empty() {
            items.clone()
        } else {
            wanted
        };
        let message = format!(
            "expected {} after `{prev}`, found the end of the line",
            join_or(&wanted)
        );
        let mut d = Diagnostic::error(
            "E0001",
            Span::new(file, base + start, base + start + len),
            message,
        )
        .with_label("something is missing after this");
        if let Some(help) = hint(text, pos, &items) {
            d = d.with_help(help);
        }
        return d;
    }
    let found = found_at(text, pos);
    let at = base + pos;
    let end = at + found_len(text, pos);
    let only_declarations = items.iter().any(|i| i == "a new declaration")
        && items
            .iter()
            .all(|i| i == "a new declaration" || i == "the end of the declaration");
    if only_declarations
        && rest
            .trim_start()
            .starts_with(|c: char| c.is_ascii_alphabetic())
    {
        let word: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let help = tally_diagnostics::closest(&word, crate::keywords::DECLARATION_KEYWORDS.iter().copied())
            .map(|k| format!("did you mean `{k}`?"))
            .unwrap_or_else(|| "a policy is made of declarations: `table`, `territories`, `assign`, `credit`, `plan`, `report`, `test`, ...".to_string());
        return Diagnostic::error(
            "E0001",
            Span::new(file, at, end),
            format!("expected a declaration such as `table`, `assign`, `credit`, `plan` or `report`, found {found}"),
        )
        .with_label("not a declaration")
        .with_help(help);
    }
    let message = format!("expected {}, found {found}", join_or(&items));
    let mut d =
        Diagnostic::error("E0001", Span::new(file, at, end), message).with_label("unexpected here");
    if let Some(help) = hint(text, pos, &items) {
        d = d.with_help(help);
    }
    d
}

/// When `pos` is the first token of its line and the previous line ends in
/// a token that needs a continuation (`then`, `gets`, `=`, an operator),
/// that token's offset, length and text.
fn previous_line_end(text: &str, pos: usize) -> Option<(usize, usize, String)> {
    let line_start = text.get(..pos)?.rfind('\n')? + 1;
    if !text.get(line_start..pos)?.trim().is_empty() {
        return None;
    }
    let before = text.get(..line_start)?;
    // skip blank and comment-only lines
    let mut end = before.len();
    loop {
        let chunk = before.get(..end)?;
        let line_begin = chunk
            .trim_end_matches(['\n', '\r'])
            .rfind('\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let line = chunk.get(line_begin..)?.trim_end();
        let code = line.split("//").next().unwrap_or("").trim_end();
        if code.trim().is_empty() {
            if line_begin == 0 {
                return None;
            }
            end = line_begin;
            continue;
        }
        let token: String = code
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || "=<>!+-*/?".contains(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let continues = [
            "then", "gets", "when", "else", "and", "or", "not", "=", "==", "+", "-", "*", "/",
            "??", "in", "of", "to",
        ];
        if !continues.contains(&token.as_str()) {
            return None;
        }
        let start = line_begin + code.len() - token.len();
        return Some((start, token.len(), token));
    }
}

/// True when `rest` starts with a top-level declaration keyword.
fn found_is_declaration(rest: &str) -> bool {
    let word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    crate::keywords::DECLARATION_KEYWORDS.contains(&word.as_str())
}

/// Offset of a `"` whose text is not closed on its line, if any.
fn unterminated_text(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'/') if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes.get(i) != Some(&b'\n') {
                    i += 1;
                }
            }
            Some(b'"') => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') => return Some(start),
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        _ => i += 1,
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The closing brackets that would balance `text` (innermost first), when
/// every bracket it closes matches.
pub(crate) fn missing_closers(text: &str) -> Option<String> {
    let mut stack: Vec<char> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for n in chars.by_ref() {
                    if n == '\n' || (n == '"' && !escaped) {
                        break;
                    }
                    escaped = n == '\\' && !escaped;
                }
            }
            '{' => stack.push('}'),
            '(' => stack.push(')'),
            '[' => stack.push(']'),
            '}' | ')' | ']' if stack.pop() != Some(c) => return None,
            _ => {}
        }
    }
    if stack.is_empty() {
        None
    } else {
        Some(stack.iter().rev().collect())
    }
}

/// The last bracket opened in `text` and never closed, if any.
fn unclosed_bracket(text: &str) -> Option<(usize, char)> {
    let mut stack: Vec<(usize, char)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '/' if chars.peek().map(|(_, n)| *n) == Some('/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for (_, n) in chars.by_ref() {
                    if n == '\n' || (n == '"' && !escaped) {
                        break;
                    }
                    escaped = n == '\\' && !escaped;
                }
            }
            '{' | '(' | '[' => stack.push((i, c)),
            '}' | ')' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
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
    if rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>") {
        return Some("to compare values write `==`".to_string());
    }
    if rest.starts_with('\'') {
        return Some("text is written in double quotes: `\"...\"`".to_string());
    }
    if rest.starts_with(',')
        && before.ends_with(|c: char| c.is_ascii_digit())
        && rest[1..].starts_with(|c: char| c.is_ascii_digit())
    {
        return Some("write numbers without thousands separators: `15000` or `15_000`".to_string());
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if word.len() == 3
        && word.chars().all(|c| c.is_ascii_alphabetic())
        && before.ends_with(|c: char| c.is_ascii_digit())
    {
        return Some(format!(
            "currency codes are three capital letters: `{}`",
            word.to_uppercase()
        ));
    }
    let after_word = rest.get(word.len()..).unwrap_or("").trim_start();
    let used_as_name = after_word.starts_with(':')
        || (after_word.starts_with('=') && !after_word.starts_with("=="));
    if crate::keywords::is_keyword(&word) && used_as_name {
        return Some(format!(
            "`{word}` is a reserved word and cannot be used as a name"
        ));
    }
    if expected.iter().any(|e| e == "`match`") {
        return Some(
            "the hit policies are `(first match)`, `(all match)` and `(unique)`".to_string(),
        );
    }
    if word == "descending" || word == "ascending" {
        return Some(format!(
            "write `{}`",
            &word[..if word == "descending" { 4 } else { 3 }]
        ));
    }
    if !word.is_empty()
        && expected.iter().any(|e| e == "`:`")
        && after_word.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return Some(format!("a column is written `{word}: Type`"));
    }
    let otherwise_like = ["otherwize", "otherwse", "othewise", "else", "default"];
    if otherwise_like.contains(&word.as_str())
        && expected
            .iter()
            .any(|e| e == "`rule`" || e == "`otherwise`" || e == "`}`")
    {
        return Some("the fallback branch is written `otherwise VALUE`".to_string());
    }
    None
}

/// The error for a declaration on which pest gave up because it reached
/// its call limit or ran low on stack (`None` for other errors).
pub(crate) fn limit_error(
    err: &Error<Rule>,
    file: FileId,
    base: usize,
    text: &str,
) -> Option<Diagnostic> {
    let ErrorVariant::CustomError { message } = &err.variant else {
        return None;
    };
    // Point at the declaration's keyword (the rest may be megabytes).
    let lead = text.len() - text.trim_start().len();
    let word = text[lead..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len() - lead);
    let span = Span::new(file, base + lead, base + lead + word);
    match message.as_str() {
        "call limit reached" => {
            let max = crate::build::max_parse_calls();
            Some(
                Diagnostic::error(
                    "E0006",
                    span,
                    format!(
                        "this declaration is too complex to parse: it takes more than {max} parser steps (the parser's call limit)"
                    ),
                )
                .with_label("too complex")
                .with_help("split it into smaller declarations (`const`, `fn`, several `report`s or files)")
                .with_note(format!(
                    "a host can raise the limit with `tally_syntax::set_max_parse_calls` (default {})",
                    crate::build::MAX_PARSE_CALLS
                )),
            )
        }
        "stack limit reached" => Some(
            Diagnostic::error(
                "E0006",
                span,
                "this declaration is too complex to parse: the parser ran out of stack (its stack limit)",
            )
            .with_label("too complex")
            .with_help("split it into smaller declarations, or nest less deeply")
            .with_note(
                "a host raises the limit by parsing on a thread with a larger stack (`tally_check::check_source` uses 256 MiB)",
            ),
        ),
        _ => None,
    }
}

/// The error for input nested deeper (or chained longer) than the parser
/// accepts.
pub(crate) fn nesting_error(span: Span, src: &str) -> Diagnostic {
    use crate::scan::{MAX_CHAIN, MAX_NESTING};
    let at = src.get(span.lo()..).unwrap_or("");
    // A chain error points at a binary operator; a nesting error at a
    // bracket or a prefix (`not`, `if`, unary `-`).
    let prefix_minus = at.starts_with('-')
        && src.get(..span.lo()).is_some_and(|b| {
            b.trim_end()
                .ends_with(|c: char| "([{,=+-*/<>!?".contains(c))
                || b.trim_end().ends_with("then")
                || b.trim_end().ends_with("else")
        });
    let nested = at.starts_with(['(', '[', '{'])
        || at.starts_with("not")
        || at.starts_with("if")
        || prefix_minus;
    let (message, label) = if nested {
        (
            format!("expression nested more than {MAX_NESTING} levels deep"),
            "too deeply nested",
        )
    } else {
        (
            format!("expression chains more than {MAX_CHAIN} operators"),
            "too long",
        )
    };
    let limit = if nested {
        "`tally_syntax::scan::MAX_NESTING`"
    } else {
        "`tally_syntax::scan::MAX_CHAIN`"
    };
    Diagnostic::error("E0006", span, message)
        .with_label(label)
        .with_help("split the expression with `let`, `const` or `fn`")
        .with_note(format!(
            "the limit ({limit}) keeps the parser within its stack; it is fixed when Tally is built"
        ))
}
