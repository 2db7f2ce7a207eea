//! The one table of Tally's reserved words (spec §12). Tests check that the
//! pest grammar and the editor grammars agree with it.

/// Every reserved word.
pub const KEYWORDS: &[&str] = &[
    "policy",
    "import",
    "settings",
    "table",
    "key",
    "from",
    "format",
    "effective",
    "territories",
    "const",
    "fn",
    "assign",
    "first",
    "match",
    "unique",
    "all",
    "otherwise",
    "rule",
    "when",
    "then",
    "credit",
    "where",
    "on",
    "let",
    "gets",
    "rollup",
    "via",
    "as",
    "plan",
    "for",
    "in",
    "report",
    "group",
    "by",
    "columns",
    "order",
    "desc",
    "asc",
    "limit",
    "totals",
    "test",
    "given",
    "expect",
    "golden",
    "matches",
    "data",
    "tiered",
    "marginal",
    "retro",
    "up",
    "to",
    "above",
    "if",
    "else",
    "and",
    "or",
    "not",
    "is",
    "some",
    "none",
    "true",
    "false",
    "within",
    "of",
];

/// Words that start a top-level declaration.
pub const DECLARATION_KEYWORDS: &[&str] = &[
    "policy",
    "import",
    "settings",
    "table",
    "territories",
    "const",
    "fn",
    "assign",
    "credit",
    "plan",
    "report",
    "test",
    "golden",
];

/// The keywords that are reserved: they start or continue an expression,
/// so they can never be names. Every other keyword is contextual: it only
/// means something at the start of a declaration or clause and can be used
/// as a name elsewhere (a column called `rule`, a parameter called `on`).
pub const RESERVED: &[&str] = &[
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "in",
    "is",
    "as",
    "some",
    "none",
    "true",
    "false",
    "within",
    "of",
    "gets",
    "when",
    "where",
    "desc",
    "asc",
    "by",
    "tiered",
    "otherwise",
];

/// True when `word` is reserved (cannot be used as a name).
pub fn is_keyword(word: &str) -> bool {
    RESERVED.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grammar_keywords() -> Vec<String> {
        let grammar = include_str!("../../../grammar/tally.pest");
        let start = grammar.find("keyword = @{").unwrap();
        let end = start + grammar[start..].find("~ !ident_char").unwrap();
        grammar[start..end]
            .split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn grammar_reserves_exactly_the_keyword_table() {
        let mut from_grammar = grammar_keywords();
        from_grammar.sort();
        let mut table: Vec<String> = RESERVED.iter().map(|s| s.to_string()).collect();
        table.sort();
        table.dedup();
        assert_eq!(from_grammar, table);
    }

    #[test]
    fn grammar_lists_longer_keywords_before_their_prefixes() {
        let words = grammar_keywords();
        for (i, a) in words.iter().enumerate() {
            for b in &words[i + 1..] {
                assert!(!b.starts_with(a.as_str()), "`{a}` comes before `{b}`");
            }
        }
    }

    #[test]
    fn reserved_words_are_keywords() {
        for r in RESERVED {
            assert!(KEYWORDS.contains(r), "{r}");
        }
    }

    #[test]
    fn every_keyword_has_a_rule() {
        let grammar = include_str!("../../../grammar/tally.pest");
        for k in KEYWORDS {
            assert!(
                grammar.contains(&format!("kw_{k} = @{{ \"{k}\" ~ !ident_char")),
                "no kw_{k} rule"
            );
        }
    }

    /// The words that the regular expressions (`match` and `begin`) of a
    /// TextMate grammar in JSON can consume: JSON and regex escapes,
    /// character classes and lookarounds (`(?=...)`, `(?!...)`, `(?<=...)`,
    /// `(?<!...)`) are dropped, so a keyword that is only mentioned in a
    /// lookahead (e.g. a list of words a name may not be) does not count.
    fn textmate_regex_words(json: &str) -> std::collections::HashSet<String> {
        let mut words = std::collections::HashSet::new();
        for key in ["\"match\"", "\"begin\""] {
            for (at, _) in json.match_indices(key) {
                let value = json[at + key.len()..].trim_start();
                let Some(value) = value.strip_prefix(':') else {
                    continue;
                };
                let Some(value) = value.trim_start().strip_prefix('"') else {
                    continue;
                };
                // The JSON string up to its closing quote, JSON escapes resolved.
                let mut regex = Vec::new();
                let mut chars = value.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => regex.extend(chars.next()),
                        c => regex.push(c),
                    }
                }
                let mut plain = String::new();
                let mut lookaround_depth = 0usize;
                let mut i = 0;
                while i < regex.len() {
                    match regex[i] {
                        '\\' => {
                            plain.push(' ');
                            i += 2;
                            continue;
                        }
                        '[' => {
                            i += 1;
                            while i < regex.len() && regex[i] != ']' {
                                i += if regex[i] == '\\' { 2 } else { 1 };
                            }
                            plain.push(' ');
                        }
                        '(' => {
                            let head: String = regex[i + 1..].iter().take(3).collect();
                            let opens_lookaround = ["?=", "?!", "?<=", "?<!"]
                                .iter()
                                .any(|p| head.starts_with(p));
                            if lookaround_depth > 0 || opens_lookaround {
                                lookaround_depth += 1;
                            }
                            plain.push(' ');
                        }
                        ')' => {
                            lookaround_depth = lookaround_depth.saturating_sub(1);
                            plain.push(' ');
                        }
                        c if lookaround_depth == 0 => plain.push(c),
                        _ => {}
                    }
                    i += 1;
                }
                words.extend(
                    plain
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .filter(|w| !w.is_empty())
                        .map(str::to_string),
                );
            }
        }
        words
    }

    #[test]
    fn textmate_grammar_highlights_every_keyword() {
        let grammar = include_str!("../../../editors/vscode/syntaxes/tally.tmLanguage.json");
        let words = textmate_regex_words(grammar);
        let missing: Vec<&str> = KEYWORDS
            .iter()
            .copied()
            .filter(|k| !words.contains(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "keywords missing from the patterns of editors/vscode/syntaxes/tally.tmLanguage.json: {missing:?}"
        );
    }
}
