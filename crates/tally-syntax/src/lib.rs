//! Tally's syntax: the pest grammar (`grammar/tally.pest`), a parser that
//! never fails (a broken declaration becomes [`ast::DeclKind::Error`] and a
//! diagnostic; the others parse normally), and the AST with byte spans and
//! comments kept.
//!
//! ```
//! use tally_diagnostics::FileId;
//! let parsed = tally_syntax::parse(FileId(0), "const rate = 12.5%\n");
//! assert!(parsed.diagnostics.is_empty());
//! assert_eq!(parsed.module.decls.len(), 1);
//! ```

pub mod ast;
mod build;
mod errors;
pub mod keywords;
pub mod literal;
pub mod scan;

pub use build::{
    max_parse_calls, parse, parse_expr, parse_repl_entry, set_max_parse_calls, Parsed, ReplEntry,
    MAX_PARSE_CALLS,
};

pub use grammar::{Rule, TallyParser};

#[allow(missing_docs, reason = "the Rule enum is generated from the grammar")]
mod grammar {
    /// The pest parser generated from `grammar/tally.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../../../grammar/tally.pest"]
    pub struct TallyParser;
}
