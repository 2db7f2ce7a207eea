//! Where a completion cursor is: the names in scope, the type expected
//! there, or a place that is not an expression (a type, a setting, the
//! start of a declaration).
//!
//! The text around an unfinished cursor rarely parses, so a placeholder
//! name is written at the cursor (with closing brackets where the rest of
//! the text does not close them) and that text is checked; the scope of
//! the placeholder is then read from the syntax tree and the types the
//! checker recorded. When even that does not parse, simple text
//! heuristics around the cursor and the last good program take over.

mod heuristic;
mod scope;

use crate::analysis::Analysis;
use crate::text::*;
use crate::walk::LocalKind;
use heuristic::heuristic_place;
use scope::{find_in_decl, Programs};
use tally_syntax::ast::*;

/// The name written at the cursor to make the text parse.
const CURSOR: &str = "__tally_cursor__";

/// A column as completion shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ColumnItem {
    pub name: String,
    pub ty: String,
    pub table: String,
}

/// A local name as completion shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalItem {
    pub name: String,
    pub ty: Option<String>,
    pub kind: LocalKind,
}

/// The names visible at an expression cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    /// Columns in scope, innermost table first.
    pub columns: Vec<ColumnItem>,
    /// Local names, innermost first.
    pub locals: Vec<LocalItem>,
    /// The type expected here, as shown to people (`Territory`, `reps`).
    pub expected: Option<String>,
    /// Report aggregates are allowed here.
    pub aggregates: bool,
}

/// What follows a `.`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Member {
    /// A row: its columns.
    Row(Vec<ColumnItem>),
    /// A table: its methods (`at` only when effective, `get` when keyed).
    Table { effective: bool, keyed: bool },
    /// A territory: its fields.
    Territory,
    /// Not known.
    Unknown,
}

/// Where the cursor is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Nothing to complete (a comment, a string, a new name).
    Nothing,
    /// The start of a top-level declaration.
    TopLevel,
    /// A setting name inside `settings { }`, with those already written.
    SettingName(Vec<String>),
    /// The value of this setting.
    SettingValue(String),
    /// A type.
    Type,
    /// These keywords only.
    Keywords(Vec<&'static str>),
    /// A report name (`golden { report | }`).
    ReportName,
    /// After `.`.
    Member(Member),
    /// An expression.
    Expr(Scope),
}

/// The cursor's context.
pub(crate) struct Context {
    /// Start of the word being typed.
    pub prefix_start: usize,
    /// Where the cursor is.
    pub place: Place,
    /// The text checked with the placeholder, when it parsed.
    pub patched: Option<Analysis>,
}

/// Works out the context of `offset` in `current`'s text.
pub(crate) fn analyse(current: &Analysis, last_good: Option<&Analysis>, offset: usize) -> Context {
    let text = current.text.as_str();
    let offset = clamp(text, offset);
    let prefix_start = word_start(text, offset);
    let nothing = |prefix_start| Context {
        prefix_start,
        place: Place::Nothing,
        patched: None,
    };
    if lexical_at(text, offset) != Lexical::Code {
        return nothing(prefix_start);
    }
    let prefix = text.get(prefix_start..offset).unwrap_or("");
    if prefix.starts_with(|c: char| c.is_ascii_digit()) {
        return nothing(prefix_start);
    }
    let (chunk_start, chunk_end) = chunk_at(text, prefix_start);
    if let Some(place) = text_place(text, chunk_start, prefix_start) {
        return Context {
            prefix_start,
            place,
            patched: None,
        };
    }
    let after_dot = text.get(..prefix_start).is_some_and(|s| s.ends_with('.'));
    if let Some(patched) = patch(current, offset, chunk_start, chunk_end) {
        let found = patched
            .module()
            .and_then(|m| m.decls.iter().find(|d| d.span.contains(offset)))
            .and_then(|d| {
                let programs = Programs {
                    current: patched.program(),
                    fallback: last_good.map(Analysis::program),
                };
                find_in_decl(&programs, d, offset)
            });
        if let Some(place) = found {
            return Context {
                prefix_start,
                place,
                patched: Some(patched),
            };
        }
    }
    let place = heuristic_place(
        current,
        last_good,
        offset,
        prefix_start,
        chunk_start,
        after_dot,
    );
    Context {
        prefix_start,
        place,
        patched: None,
    }
}

/// The declaration chunk holding `offset` (as the parser splits the text).
fn chunk_at(text: &str, offset: usize) -> (usize, usize) {
    let scanned = tally_syntax::scan::scan(text);
    scanned
        .chunks
        .iter()
        .copied()
        .find(|(s, e)| *s <= offset && offset <= *e)
        .unwrap_or((0, text.len()))
}

/// The first word of a chunk (its declaration keyword).
fn chunk_keyword(text: &str, chunk_start: usize) -> &str {
    let rest = text.get(chunk_start..).unwrap_or("");
    let end = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
    rest.get(..end).unwrap_or("")
}

/// Places recognised from the text alone.
fn text_place(text: &str, chunk_start: usize, at: usize) -> Option<Place> {
    let open = open_brackets(text, 0, at);
    let line_head = text.get(line_start(text, at)..at).unwrap_or("");
    if open.is_empty() && line_head.is_empty() {
        return Some(Place::TopLevel);
    }
    let keyword = chunk_keyword(text, chunk_start);
    let prev_word = previous_word(text, at);
    let prev_char = previous_char(text, at);
    if matches!(
        prev_word,
        "table" | "const" | "fn" | "plan" | "let" | "for" | "policy" | "import" | "via"
    ) && prev_char.is_some_and(is_ident_char)
    {
        return Some(Place::Nothing);
    }
    if prev_word == "report" && prev_char.is_some_and(is_ident_char) {
        return Some(if keyword == "golden" {
            Place::ReportName
        } else {
            Place::Nothing
        });
    }
    match keyword {
        "territories" => return Some(Place::Nothing),
        "settings" if !open.is_empty() => {
            if prev_char == Some('=') {
                let before = text.get(..at).unwrap_or("").trim_end();
                let before = before.strip_suffix('=').unwrap_or(before);
                return Some(Place::SettingValue(
                    previous_word(before, before.len()).to_string(),
                ));
            }
            let body = text.get(chunk_start..at).unwrap_or("");
            let present = body
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(name, _)| name.trim().trim_start_matches('{').trim().to_string())
                .collect();
            return Some(Place::SettingName(present));
        }
        "golden" => return Some(Place::Keywords(vec!["report", "data", "matches"])),
        _ => {}
    }
    let before = text.get(..at).unwrap_or("").trim_end();
    if prev_word == "as" || before.ends_with("->") {
        return Some(Place::Type);
    }
    if prev_char == Some(':') {
        let in_header = match keyword {
            "table" => true,
            "fn" | "const" => !has_body_equals(text.get(chunk_start..at).unwrap_or("")),
            _ => false,
        };
        if in_header {
            return Some(Place::Type);
        }
    }
    None
}

/// True when `head` has an `=` that starts a body (not `==`, `<=`, `->`).
fn has_body_equals(head: &str) -> bool {
    let bytes = head.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'='
            && bytes.get(i + 1) != Some(&b'=')
            && !matches!(
                i.checked_sub(1).and_then(|p| bytes.get(p)),
                Some(b'=' | b'<' | b'>' | b'!')
            )
    })
}

/// The document with the placeholder at `offset`, checked, when some way
/// of writing it makes the declaration there parse.
fn patch(
    current: &Analysis,
    offset: usize,
    chunk_start: usize,
    chunk_end: usize,
) -> Option<Analysis> {
    let text = current.text.as_str();
    let head = text.get(..offset)?;
    let tail = text.get(offset..)?;
    let open = open_brackets(text, chunk_start, offset);
    let rest_closers = unmatched_closers(text, offset, chunk_end);
    let closers = repair(&open, &rest_closers);
    let eol = line_end(text, offset);
    let line_rest = unmatched_closers(text, eol, chunk_end);
    let line_closers = repair(&open, &line_rest);
    let candidates = [
        format!("{head}{CURSOR}{tail}"),
        format!("{head}{CURSOR}{closers}{tail}"),
        format!(
            "{head}{CURSOR}{line_closers}{}",
            text.get(eol..).unwrap_or("")
        ),
        format!(
            "{head}{CURSOR} then none{line_closers}{}",
            text.get(eol..).unwrap_or("")
        ),
    ];
    for candidate in candidates {
        let parsed = tally_syntax::parse(tally_diagnostics::FileId(0), &candidate);
        let ok = parsed
            .module
            .decls
            .iter()
            .find(|d| d.span.contains(offset))
            .is_some_and(|d| !matches!(d.kind, DeclKind::Error(_)));
        if ok {
            return Some(current.recheck(&candidate));
        }
    }
    None
}
