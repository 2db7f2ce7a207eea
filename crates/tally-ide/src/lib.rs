//! Editor features for Tally policies, as plain functions over a checked
//! program: hover, go to definition, references, rename, outline and
//! workspace symbols, completion, signature help, semantic tokens, folding,
//! quick fixes, and — when a `tally.toml` names the policy's data — inlay
//! hints with rule hit counts and code lenses with row counts.
//!
//! Nothing here knows about the Language Server Protocol: positions are
//! byte offsets into the document's text, places are
//! [`Span`](tally_diagnostics::Span)s, and results are small structs. The
//! `tally-lsp` crate converts them.
//!
//! Every function is total: on text it cannot make sense of it answers
//! with less (an empty list, `None`), never with a panic.
//!
//! ```
//! use tally_ide::Analysis;
//! let text = "table reps {\n  id: Text key\n  name: Text\n}\nconst n = reps.count()\n";
//! let analysis = Analysis::new("p.tally", text, &tally_check::NoImports);
//! let at = text.find("reps.count").unwrap_or(0);
//! let hover = tally_ide::hover(&analysis, at).map(|h| h.markdown).unwrap_or_default();
//! assert!(hover.contains("table reps"));
//! ```

mod analysis;
mod completion;
mod context;
mod data;
mod fixes;
mod folding;
mod hover;
mod index;
mod navigate;
mod rename;
mod signature;
mod symbols;
mod text;
mod tokens;
mod walk;

pub use analysis::Analysis;
pub use completion::{completion, CompletionItem, CompletionKind};
pub use data::{
    code_lenses, find_config, inlay_hints, run_data, CodeLens, DataConfig, DataRun, InlayHint,
};
pub use fixes::{code_actions, CodeAction};
pub use folding::{folding_ranges, Fold, FoldKind};
pub use hover::{hover, Hover};
pub use index::{Def, Index, Occurrence, Symbol};
pub use navigate::{definition, references};
pub use rename::{prepare_rename, rename, TextEdit};
pub use signature::{signature_help, SignatureHelp};
pub use symbols::{
    document_symbols, workspace_symbols, DocumentSymbol, SymbolKind, WorkspaceSymbol,
};
pub use tokens::{semantic_tokens, SemanticToken, TokenKind, TokenModifiers};
pub use walk::LocalKind;

#[cfg(test)]
mod tests;
