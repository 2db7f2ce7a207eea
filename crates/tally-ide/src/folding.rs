//! Folding ranges: declarations, brace blocks and runs of comment lines.

use crate::analysis::Analysis;
use crate::text::brackets;

/// What a fold holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoldKind {
    /// A declaration or a `{ ... }` block.
    Region,
    /// Consecutive comment lines.
    Comment,
}

/// A foldable range: `start` and `end` are byte offsets of its first and
/// last character; `start_line` and `end_line` are 0-based lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    /// First byte.
    pub start: usize,
    /// Last byte (inclusive).
    pub end: usize,
    /// Line of `start` (0-based).
    pub start_line: usize,
    /// Line of `end` (0-based).
    pub end_line: usize,
    /// What it holds.
    pub kind: FoldKind,
}

/// The folding ranges of the analysed document, by start line; one per
/// start line (the widest).
pub fn folding_ranges(analysis: &Analysis) -> Vec<Fold> {
    let text = analysis.text.as_str();
    let line_of = |offset: usize| {
        text.get(..offset.min(text.len()))
            .map(|s| s.matches('\n').count())
            .unwrap_or(0)
    };
    let mut folds: Vec<Fold> = Vec::new();
    let mut add = |start: usize, end: usize, kind: FoldKind| {
        let (sl, el) = (line_of(start), line_of(end));
        if el > sl {
            folds.push(Fold {
                start,
                end,
                start_line: sl,
                end_line: el,
                kind,
            });
        }
    };
    if let Some(module) = analysis.module() {
        for decl in &module.decls {
            add(
                decl.span.lo(),
                decl.span.hi().saturating_sub(1),
                FoldKind::Region,
            );
        }
        // Runs of comment lines.
        let mut run: Option<(usize, usize, usize)> = None; // (start, end, last line)
        for c in &module.comments {
            let line = line_of(c.span.lo());
            let alone = text
                .get(crate::text::line_start(text, c.span.lo())..c.span.lo())
                .is_some_and(|s| s.trim().is_empty());
            match run {
                Some((s, _, last)) if alone && line == last + 1 => {
                    run = Some((s, c.span.hi(), line))
                }
                _ => {
                    if let Some((s, e, _)) = run.take() {
                        add(s, e.saturating_sub(1), FoldKind::Comment);
                    }
                    if alone {
                        run = Some((c.span.lo(), c.span.hi(), line));
                    }
                }
            }
        }
        if let Some((s, e, _)) = run {
            add(s, e.saturating_sub(1), FoldKind::Comment);
        }
    }
    let mut stack = Vec::new();
    brackets(text, 0, text.len(), |at, c| match c {
        '{' | '(' | '[' => stack.push(at),
        _ => {
            if let Some(open) = stack.pop() {
                add(open, at, FoldKind::Region);
            }
        }
    });
    folds.sort_by_key(|f| (f.start_line, std::cmp::Reverse(f.end_line)));
    folds.dedup_by_key(|f| f.start_line);
    folds
}
