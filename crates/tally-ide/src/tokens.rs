//! Semantic tokens: every keyword, name, literal and comment of the
//! document, classified by what the checker resolved it to.

use crate::analysis::Analysis;
use crate::index::{Def, Occurrence, Symbol};
use crate::walk::LocalKind;
use std::collections::HashMap;
use tally_syntax::keywords::KEYWORDS;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A keyword.
    Keyword,
    /// A type name.
    Type,
    /// A table, plan or report name.
    Table,
    /// A column.
    Column,
    /// A function.
    Function,
    /// A table or territory method, a report aggregate.
    Method,
    /// A territory.
    Territory,
    /// A const.
    Const,
    /// A local name (`let`, loop variable, metric, group key).
    Variable,
    /// A function parameter.
    Parameter,
    /// A field that is not a column (a territory's `.name`, a setting).
    Property,
    /// A text literal.
    String,
    /// A number, percent, money, date or period literal.
    Number,
    /// A comment.
    Comment,
}

/// Extra facts about a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TokenModifiers {
    /// Where the name is declared.
    pub declaration: bool,
    /// Part of the standard library or built in.
    pub default_library: bool,
    /// A `///` doc comment.
    pub documentation: bool,
    /// A const.
    pub readonly: bool,
}

/// One token: a byte range of the document (never spanning lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it is.
    pub kind: TokenKind,
    /// Extra facts.
    pub modifiers: TokenModifiers,
}

/// The tokens of the analysed document, in order.
pub fn semantic_tokens(analysis: &Analysis) -> Vec<SemanticToken> {
    let text = analysis.text.as_str();
    let file = analysis.file();
    let by_span: HashMap<(usize, usize), &Occurrence> = analysis
        .index
        .iter()
        .filter(|o| o.span.file == file)
        .fold(HashMap::new(), |mut m, o| {
            // A use wins over a declaration at the same place.
            let e = m.entry((o.span.lo(), o.span.hi())).or_insert(o);
            if e.def && !o.def {
                *e = o;
            }
            m
        });
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0usize;
    let token = |start, end, kind, modifiers| SemanticToken {
        start,
        end,
        kind,
        modifiers,
    };
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(0);
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let end = text
                .get(i..)
                .and_then(|s| s.find('\n'))
                .map_or(text.len(), |n| i + n);
            let doc = bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/');
            let end = i + text.get(i..end).unwrap_or("").trim_end().len();
            let modifiers = TokenModifiers {
                documentation: doc,
                ..TokenModifiers::default()
            };
            out.push(token(i, end, TokenKind::Comment, modifiers));
            i = end.max(i + 1);
        } else if b == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes.get(j) != Some(&b'"') && bytes.get(j) != Some(&b'\n') {
                j += if bytes.get(j) == Some(&b'\\') && bytes.get(j + 1) != Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            if bytes.get(j) == Some(&b'"') {
                j += 1;
            }
            let j = j.min(bytes.len());
            out.push(token(i, j, TokenKind::String, TokenModifiers::default()));
            i = j;
        } else if b.is_ascii_digit() {
            let end = number_end(bytes, i);
            out.push(token(i, end, TokenKind::Number, TokenModifiers::default()));
            i = end;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let mut j = i;
            while bytes
                .get(j)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                j += 1;
            }
            let word = text.get(i..j).unwrap_or("");
            if let Some(end) = period_end(bytes, i, word) {
                out.push(token(i, end, TokenKind::Number, TokenModifiers::default()));
                i = end;
                continue;
            }
            let after_dot = i > 0 && bytes.get(i - 1) == Some(&b'.');
            if let Some(t) = classify(analysis, by_span.get(&(i, j)).copied(), word, after_dot) {
                out.push(token(i, j, t.0, t.1));
            }
            i = j;
        } else {
            i += 1;
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
    }
    out
}

/// The end of a number literal starting at `i`: digits, `.`, `_`, a date's
/// `-MM-DD`, a `%`, or a currency code after blanks.
fn number_end(bytes: &[u8], i: usize) -> usize {
    let digit = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_digit);
    let mut j = i;
    while bytes
        .get(j)
        .is_some_and(|c| c.is_ascii_digit() || *c == b'_' || *c == b'.')
    {
        j += 1;
    }
    // A date: 2025-04-10.
    if j - i == 4
        && bytes.get(j) == Some(&b'-')
        && digit(j + 1)
        && digit(j + 2)
        && bytes.get(j + 3) == Some(&b'-')
        && digit(j + 4)
        && digit(j + 5)
    {
        return j + 6;
    }
    if bytes.get(j) == Some(&b'%') {
        return j + 1;
    }
    let mut k = j;
    while bytes.get(k).is_some_and(|c| *c == b' ' || *c == b'\t') {
        k += 1;
    }
    let upper = |n: usize| bytes.get(n).is_some_and(u8::is_ascii_uppercase);
    let ident = |n: usize| {
        bytes
            .get(n)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    if upper(k) && upper(k + 1) && upper(k + 2) && !ident(k + 3) {
        return k + 3;
    }
    j
}

/// The end of a fiscal period literal (`FY2026`, `FY2026-Q3`, `FY2026-M07`).
fn period_end(bytes: &[u8], i: usize, word: &str) -> Option<usize> {
    let digits = word.strip_prefix("FY")?;
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let end = i + word.len();
    let digit = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_digit);
    if bytes.get(end) == Some(&b'-') {
        match bytes.get(end + 1) {
            Some(b'Q') if digit(end + 2) => return Some(end + 3),
            Some(b'M') if digit(end + 2) && digit(end + 3) => return Some(end + 4),
            _ => {}
        }
    }
    Some(end)
}

fn classify(
    analysis: &Analysis,
    occ: Option<&Occurrence>,
    word: &str,
    after_dot: bool,
) -> Option<(TokenKind, TokenModifiers)> {
    let program = analysis.program();
    let mut m = TokenModifiers::default();
    if let Some(occ) = occ {
        m.declaration = occ.def;
        let kind = match &occ.symbol {
            Symbol::Decl(def) => {
                if program.is_stdlib(def.file) {
                    m.default_library = true;
                }
                match (analysis.index.local_kind(*def), analysis.index.def(*def)) {
                    (Some(LocalKind::Param), _) => TokenKind::Parameter,
                    (Some(_), _) => TokenKind::Variable,
                    (None, Some(Def::Table(_))) => TokenKind::Table,
                    (None, Some(Def::Column(..))) => TokenKind::Column,
                    (None, Some(Def::Territory(_))) => TokenKind::Territory,
                    (None, Some(Def::Const(_))) => {
                        m.readonly = true;
                        TokenKind::Const
                    }
                    (None, Some(Def::Fn(_))) => TokenKind::Function,
                    (None, Some(Def::Local(_)) | None) => TokenKind::Variable,
                }
            }
            Symbol::Native(_) => {
                m.default_library = true;
                TokenKind::Function
            }
            Symbol::Builtin(_) => {
                m.default_library = true;
                if after_dot {
                    TokenKind::Method
                } else {
                    TokenKind::Function
                }
            }
            Symbol::Table(_) => {
                m.default_library = true;
                TokenKind::Table
            }
            Symbol::Column(..) => TokenKind::Column,
        };
        return Some((kind, m));
    }
    if after_dot {
        return Some((TokenKind::Property, m));
    }
    if KEYWORDS.contains(&word) {
        return Some((TokenKind::Keyword, m));
    }
    if tally_check::TYPE_NAMES.contains(&word) {
        return Some((TokenKind::Type, m));
    }
    if matches!(word, "currency" | "fiscal_year_start" | "rounding") {
        return Some((TokenKind::Property, m));
    }
    None
}
