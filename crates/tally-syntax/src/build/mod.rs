//! Building the AST from pest's parse tree, one declaration chunk at a time.

mod decl;
mod expr;
mod pieces;

use crate::ast::{Comment, Decl, DeclKind, Expr, Ident, Let, Module};
use crate::errors::{limit_error, nesting_error, syntax_error};
use crate::scan::scan;
use crate::{Rule, TallyParser};
use pest::iterators::Pair;
use pest::Parser;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use tally_diagnostics::{Diagnostic, FileId, Span};

/// The result of parsing one file: always a module, plus any diagnostics.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The module (broken declarations as [`DeclKind::Error`]).
    pub module: Module,
    /// Syntax errors, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// A REPL entry: a `let` binding or an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplEntry {
    /// `let NAME = EXPR`
    Let(Let),
    /// A plain expression.
    Expr(Expr),
}

static INIT: Once = Once::new();

/// Default of the most parser steps (pest's counted calls) one declaration
/// may take before it is rejected with `E0006`. Parsing takes about 20–50
/// steps per byte: the largest declaration of the bundled examples takes
/// 7,000, an `assign` of 2,000 rules (330 kB) 4 million. The limit only
/// stops input that would make the parser backtrack without end.
pub const MAX_PARSE_CALLS: usize = 100_000_000;

static PARSE_CALLS: AtomicUsize = AtomicUsize::new(MAX_PARSE_CALLS);

/// Sets the most parser steps one declaration may take (default
/// [`MAX_PARSE_CALLS`]). pest keeps this limit for the whole process, so it
/// applies to every pest parser in the program.
pub fn set_max_parse_calls(limit: NonZeroUsize) {
    PARSE_CALLS.store(limit.get(), Ordering::Relaxed);
    init_pest();
    pest::set_call_limit(Some(limit));
}

/// The most parser steps one declaration may take now.
pub fn max_parse_calls() -> usize {
    PARSE_CALLS.load(Ordering::Relaxed)
}

/// Parses `text` as `rule`. The first parse does not record what was
/// expected where (that record costs a quarter of the parse, and input
/// that parses never needs it); input that fails is parsed again with the
/// record on, for the message.
fn parse_rule(
    rule: Rule,
    text: &str,
) -> Result<pest::iterators::Pairs<'_, Rule>, pest::error::Error<Rule>> {
    let first = TallyParser::parse(rule, text);
    let Err(err) = &first else {
        return first;
    };
    if is_limit(err) {
        return first;
    }
    // pest's switch is one for the whole process: detailed parses take
    // turns (a parse elsewhere that starts meanwhile only records more).
    static DETAILED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = DETAILED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let detailed = TallyParser::parse(rule, text);
    pest::set_error_detail(false);
    detailed
}

/// True for pest's own failures (its call or stack limit), which a second
/// parse would only repeat.
fn is_limit(err: &pest::error::Error<Rule>) -> bool {
    matches!(err.variant, pest::error::ErrorVariant::CustomError { .. })
}

fn init_pest() {
    INIT.call_once(|| {
        // Bound the work of one parse: pest fails with "call limit reached"
        // past it (and with "stack limit reached" when the native stack runs
        // low), which becomes an `E0006` that names the limit.
        pest::set_call_limit(NonZeroUsize::new(max_parse_calls()));
    });
}

/// Shared state while turning pairs into AST nodes.
pub(crate) struct Builder {
    pub(crate) file: FileId,
    /// Offset of the chunk being built inside the file.
    pub(crate) base: usize,
    /// One past the chunk's last byte in the file. A repaired chunk is
    /// parsed with closing brackets added after it; no span reaches them.
    pub(crate) end: usize,
    pub(crate) errors: Vec<Diagnostic>,
}

impl Builder {
    /// A builder for a chunk parsed at byte `base` of `file`, whose spans
    /// end at `end` at the latest.
    pub(crate) fn new(file: FileId, base: usize, end: usize) -> Builder {
        Builder {
            file,
            base,
            end,
            errors: Vec::new(),
        }
    }

    /// The declarations of a parsed `chunk`.
    pub(crate) fn decls(&mut self, chunk: pest::iterators::Pairs<'_, Rule>) -> Vec<Decl> {
        chunk
            .flat_map(|c| c.into_inner())
            .filter(|p| p.as_rule() != Rule::EOI)
            .map(|p| self.decl(p))
            .collect()
    }

    pub(crate) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let lo = (self.base + s.start()).min(self.end);
        let hi = (self.base + s.end()).min(self.end);
        Span::new(self.file, lo, hi)
    }

    pub(crate) fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    pub(crate) fn error(&mut self, code: &'static str, span: Span, message: String) {
        self.errors.push(Diagnostic::error(code, span, message));
    }
}

/// Pairs of a node without the keyword tokens (`kw_*`), which carry no data.
pub(crate) fn significant<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_keyword_rule(p.as_rule()))
}

fn is_keyword_rule(rule: Rule) -> bool {
    static KEYWORD_RULES: std::sync::OnceLock<std::collections::HashSet<Rule>> =
        std::sync::OnceLock::new();
    KEYWORD_RULES
        .get_or_init(|| {
            Rule::all_rules()
                .iter()
                .copied()
                .filter(|r| format!("{r:?}").starts_with("kw_"))
                .collect()
        })
        .contains(&rule)
}

/// Parses a whole file. Never fails: every declaration that does not parse
/// becomes an error node with a diagnostic, and the rest parse normally.
pub fn parse(file: FileId, src: &str) -> Parsed {
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    parse_on(file, src, threads)
}

/// [`parse`], a large `assign` in pieces on up to `threads` threads.
pub(crate) fn parse_on(file: FileId, src: &str, threads: usize) -> Parsed {
    init_pest();
    let scanned = scan(src);
    let comments = scanned
        .comments
        .iter()
        .map(|c| Comment {
            text: src.get(c.start..c.end).unwrap_or("").to_string(),
            span: Span::new(file, c.start, c.end),
            doc: c.doc,
        })
        .collect::<Vec<_>>();
    let mut decls = Vec::new();
    let mut diagnostics = Vec::new();
    for (&(start, end), deep) in scanned.chunks.iter().zip(&scanned.too_deep) {
        let text = src.get(start..end).unwrap_or("");
        if let Some(at) = deep {
            diagnostics.push(nesting_error(Span::new(file, *at, *at + 1), src));
            decls.push(error_decl(file, src, start, end));
            continue;
        }
        if let Some(decl) = pieces::large_assign(file, text, start, end, threads) {
            decls.push(decl);
            continue;
        }
        let mut builder = Builder::new(file, start, end);
        match parse_rule(Rule::chunk, text) {
            Ok(pairs) => {
                let built = builder.decls(pairs);
                if builder.errors.is_empty() {
                    decls.extend(built);
                } else {
                    diagnostics.append(&mut builder.errors);
                    decls.push(error_decl(file, src, start, end));
                }
            }
            Err(err) => {
                if let Some(d) = limit_error(&err, file, start, text) {
                    // Too complex to parse: do not try again with repairs.
                    diagnostics.push(d);
                    decls.push(error_decl(file, src, start, end));
                    continue;
                }
                diagnostics.push(syntax_error(&err, file, start, text));
                // An unclosed bracket is reported, but the declaration is
                // still read as if it were closed, so its names and types
                // are known to the rest of the program.
                let repaired = crate::errors::missing_closers(text).and_then(|closers| {
                    let fixed = format!("{text}\n{closers}");
                    let mut b = Builder::new(file, start, end);
                    let built = b.decls(TallyParser::parse(Rule::chunk, &fixed).ok()?);
                    (b.errors.is_empty() && !built.is_empty()).then_some(built)
                });
                match repaired {
                    Some(mut built) => {
                        for d in &mut built {
                            let hi = d.span.hi().min(end);
                            d.span = Span::new(file, d.span.lo(), hi);
                        }
                        decls.extend(built);
                    }
                    None => decls.push(error_decl(file, src, start, end)),
                }
            }
        }
    }
    attach_docs(&mut decls, &comments, src);
    Parsed {
        module: Module {
            file,
            decls,
            comments,
        },
        diagnostics,
    }
}

/// An error node for a chunk that did not parse. Its text is kept, and if
/// it still reads like `table NAME`, the checker learns that `NAME` exists
/// (so one broken declaration does not cause errors at every use).
fn error_decl(file: FileId, src: &str, start: usize, end: usize) -> Decl {
    let text = src.get(start..end).unwrap_or("");
    let trimmed = text.trim_end();
    Decl {
        kind: DeclKind::Error(trimmed.to_string()),
        span: Span::new(file, start, start + trimmed.len()),
        doc: None,
    }
}

fn attach_docs(decls: &mut [Decl], comments: &[Comment], src: &str) {
    for decl in decls.iter_mut() {
        let mut lines = Vec::new();
        let mut cursor = decl.span.lo();
        for c in comments.iter().rev() {
            if c.span.hi() > cursor {
                continue;
            }
            let gap = src.get(c.span.hi()..cursor).unwrap_or("x");
            if !gap.trim().is_empty() || gap.matches('\n').count() > 1 || !c.doc {
                break;
            }
            lines.push(
                c.text
                    .trim_start_matches("///")
                    .trim_start_matches(' ')
                    .to_string(),
            );
            cursor = c.span.lo();
        }
        if !lines.is_empty() {
            lines.reverse();
            decl.doc = Some(lines.join("\n"));
        }
    }
}

fn parse_standalone<T>(
    file: FileId,
    src: &str,
    rule: Rule,
    build: impl FnOnce(&mut Builder, Pair<'_, Rule>) -> T,
) -> Result<T, Vec<Diagnostic>> {
    init_pest();
    let scanned = scan(src);
    if let Some(Some(at)) = scanned.too_deep.iter().find(|d| d.is_some()) {
        return Err(vec![nesting_error(Span::new(file, *at, *at + 1), src)]);
    }
    let mut builder = Builder::new(file, 0, src.len());
    match parse_rule(rule, src) {
        Ok(mut pairs) => {
            let Some(top) = pairs.next() else {
                return Err(vec![Diagnostic::error(
                    "E0001",
                    Span::new(file, 0, 0),
                    "expected an expression",
                )]);
            };
            let inner = top.into_inner().find(|p| p.as_rule() != Rule::EOI);
            let Some(inner) = inner else {
                return Err(vec![Diagnostic::error(
                    "E0001",
                    Span::new(file, 0, 0),
                    "expected an expression",
                )]);
            };
            let value = build(&mut builder, inner);
            if builder.errors.is_empty() {
                Ok(value)
            } else {
                Err(builder.errors)
            }
        }
        Err(err) => Err(vec![
            limit_error(&err, file, 0, src).unwrap_or_else(|| syntax_error(&err, file, 0, src))
        ]),
    }
}

/// Parses a single expression (for `tally query`).
pub fn parse_expr(file: FileId, src: &str) -> Result<Expr, Vec<Diagnostic>> {
    parse_standalone(file, src, Rule::expr_input, |b, p| b.expr(p))
}

/// Parses a REPL entry: `let NAME = EXPR` or an expression.
pub fn parse_repl_entry(file: FileId, src: &str) -> Result<ReplEntry, Vec<Diagnostic>> {
    parse_standalone(file, src, Rule::repl_input, |b, p| {
        if p.as_rule() == Rule::let_stmt {
            ReplEntry::Let(b.let_stmt(p))
        } else {
            ReplEntry::Expr(b.expr(p))
        }
    })
}

#[cfg(test)]
mod tests;
