//! A large `assign` (thousands of territory rules) parsed in pieces on
//! several threads.
//!
//! The rules of an `assign` are independent items between its braces: the
//! text can be cut before any `rule "..."` that stands directly inside
//! them. Each piece is parsed as an `assign` of its own — the first one as
//! written up to the cut, then closed; the others behind a copy of the
//! declaration's head — and the rules are put back together in order, with
//! their spans in the file. When the declaration is small, or any piece
//! does not parse, the declaration is parsed whole instead, so a syntax
//! error is reported exactly as it always is.

use super::Builder;
use crate::ast::{Decl, DeclKind};
use crate::{Rule, TallyParser};
use pest::Parser;
use tally_diagnostics::{FileId, Span};

/// Fewest bytes of rules worth a thread of their own.
const BYTES_PER_PIECE: usize = 64 * 1024;

/// Stack of each thread parsing a piece (nesting is bounded beforehand,
/// as for the whole declaration).
const PIECE_STACK: usize = 64 * 1024 * 1024;

/// The declaration in `text` (bytes `start..end` of `file`) when it is one
/// large `assign`, its rules parsed in pieces on up to `threads` threads;
/// `None` when it is not, or when a piece does not parse.
pub(super) fn large_assign(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    threads: usize,
) -> Option<Decl> {
    in_pieces(
        file,
        text,
        start,
        end,
        threads.min(text.len() / BYTES_PER_PIECE),
    )
}

/// [`large_assign`] in (at most) `pieces` pieces.
pub(super) fn in_pieces(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    pieces: usize,
) -> Option<Decl> {
    if pieces < 2 || !text.starts_with("assign") {
        return None;
    }
    let (open, rules) = rule_starts(text)?;
    let head = text.get(..=open)?;
    let cuts = cut_points(&rules, text.len(), pieces);
    if cuts.is_empty() {
        return None;
    }
    // (text of the piece, where its own text starts in the piece, where
    // that text starts in the declaration)
    let mut jobs: Vec<(String, usize, usize)> = Vec::with_capacity(cuts.len() + 1);
    let first = cuts.first().copied()?;
    // (pest's span of a rule runs over the blanks after it, up to the next
    // token: a piece is closed right where the next rule would start)
    jobs.push((format!("{}}}", text.get(..first)?), 0, 0));
    for (i, &from) in cuts.iter().enumerate() {
        let to = cuts.get(i + 1).copied().unwrap_or(text.len());
        let body = text.get(from..to)?;
        let closer = if to == text.len() { "" } else { "}" };
        jobs.push((format!("{head}\n{body}{closer}"), head.len() + 1, from));
    }
    let parsed: Vec<Option<Decl>> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(piece, own, at)| {
                // Spans of the piece's own text land where it is in the file.
                let base = (start + at).checked_sub(*own);
                std::thread::Builder::new()
                    .stack_size(PIECE_STACK)
                    .spawn_scoped(scope, move || one_decl(file, piece, base?, end))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.ok().and_then(|h| h.join().ok().flatten()))
            .collect()
    });
    let mut parsed = parsed.into_iter();
    let mut whole = parsed.next()??;
    let mut last_hi = whole.span.hi();
    for decl in parsed {
        let decl = decl?;
        last_hi = decl.span.hi();
        let (DeclKind::Assign(all), DeclKind::Assign(more)) = (&mut whole.kind, decl.kind) else {
            return None;
        };
        all.arms.extend(more.arms);
    }
    whole.span = Span::new(file, whole.span.lo(), last_hi);
    Some(whole)
}

/// Parses `piece` as exactly one `assign` declaration without errors.
fn one_decl(file: FileId, piece: &str, base: usize, end: usize) -> Option<Decl> {
    let mut builder = Builder::new(file, base, end);
    let decls = builder.decls(TallyParser::parse(Rule::chunk, piece).ok()?);
    match <[Decl; 1]>::try_from(decls) {
        Ok([decl]) if builder.errors.is_empty() && matches!(decl.kind, DeclKind::Assign(_)) => {
            Some(decl)
        }
        _ => None,
    }
}

/// Where the `{` of the declaration is, and where each `rule "` directly
/// inside it starts (strings and comments skipped). `None` without a `{`.
fn rule_starts(text: &str) -> Option<(usize, Vec<usize>)> {
    let bytes = text.as_bytes();
    let (mut depth, mut open, mut starts) = (0usize, None, Vec::new());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' if bytes.get(i + 1).is_some_and(|n| *n != b'\n') => i += 1,
                        b'"' | b'\n' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                if b == b'{' && depth == 0 && open.is_none() {
                    open = Some(i);
                }
                depth += 1;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'r' if depth == 1 && open.is_some() && starts_rule(bytes, i) => starts.push(i),
            _ => {}
        }
        i += 1;
    }
    Some((open?, starts))
}

/// True when `bytes[i..]` is the word `rule` followed by a string.
fn starts_rule(bytes: &[u8], i: usize) -> bool {
    let word_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let before = i.checked_sub(1).and_then(|p| bytes.get(p));
    if before.is_some_and(word_char) || bytes.get(i..i + 4) != Some(b"rule") {
        return false;
    }
    let rest = bytes.get(i + 4..).unwrap_or_default();
    let blank = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    blank > 0 && rest.get(blank) == Some(&b'"')
}

/// Up to `pieces - 1` cut points among the rule starts, evenly spread over
/// `len` bytes (none before the second rule: the first piece keeps the head).
fn cut_points(rules: &[usize], len: usize, pieces: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = Vec::new();
    for k in 1..pieces {
        let target = len * k / pieces;
        let at = rules.partition_point(|r| *r < target);
        if let Some(&cut) = rules.get(at.max(1)) {
            if cuts.last().is_none_or(|last| *last < cut) {
                cuts.push(cut);
            }
        }
    }
    cuts
}
