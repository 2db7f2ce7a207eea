//! Go to definition and find references.

use crate::analysis::Analysis;
use crate::index::Symbol;
use tally_check::TableKind;
use tally_diagnostics::Span;
use tally_syntax::ast::DeclKind;

/// Where the name at `offset` is declared (empty for built-ins). On
/// `credits` and its columns: the `credit` blocks that make it. On an
/// import's path: the start of the imported file.
pub fn definition(analysis: &Analysis, offset: usize) -> Vec<Span> {
    let program = analysis.program();
    if let Some(occ) = analysis.index.at(analysis.file(), offset) {
        return match &occ.symbol {
            Symbol::Decl(span) => vec![*span],
            Symbol::Table(t) | Symbol::Column(t, _) => {
                let is_credits =
                    matches!(program.table(*t).map(|i| &i.kind), Some(TableKind::Credits));
                if !is_credits {
                    return Vec::new();
                }
                program
                    .credit
                    .iter()
                    .flat_map(|c| c.blocks.iter())
                    .filter_map(|r| program.decl(*r))
                    .map(|d| match &d.kind {
                        DeclKind::Credit(c) => c.table.span,
                        _ => d.span,
                    })
                    .collect()
            }
            Symbol::Native(_) | Symbol::Builtin(_) => Vec::new(),
        };
    }
    let Some(module) = analysis.module() else {
        return Vec::new();
    };
    for decl in &module.decls {
        if let DeclKind::Import(path) = &decl.kind {
            if path.span.contains(offset) {
                if let Some(file) = analysis.imported_file(&path.value) {
                    return vec![Span::new(file, 0, 0)];
                }
            }
        }
    }
    Vec::new()
}

/// Every place the name at `offset` is written, in the document and its
/// imports (the declaration too when `include_declaration`).
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some(occ) = analysis.index.at(analysis.file(), offset) else {
        return Vec::new();
    };
    let symbol = occ.symbol.clone();
    let program = analysis.program();
    let mut out: Vec<Span> = analysis
        .index
        .occurrences_of(&symbol)
        .filter(|o| include_declaration || !o.def)
        .filter(|o| !program.is_stdlib(o.span.file) || matches!(symbol, Symbol::Decl(_)))
        .map(|o| o.span)
        .collect();
    out.dedup();
    out
}
