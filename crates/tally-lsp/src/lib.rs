//! The Tally language server: glue between the Language Server Protocol
//! (through `tower-lsp-server`) and the editor features of `tally-ide`.
//!
//! This crate owns only what is about the protocol: open documents and
//! their versions, UTF-16 positions, conversions to LSP types, debounced
//! diagnostics, and a panic boundary around every feature. The features
//! themselves live in `tally-ide`.
//!
//! - Documents are synchronised in full; each change is analysed after a
//!   short pause ([`server::DEBOUNCE`]) on a blocking thread, and requests
//!   on a version not analysed yet analyse it first.
//! - The last analysis without syntax errors is kept, so completion on a
//!   broken file still knows the names it had.
//! - Imports are read relative to the document, never above its
//!   directory, and from the editor's text when the imported file is open.
//! - Every request runs behind `catch_unwind` and a time budget
//!   ([`server::BUDGET`]); a failure is logged and answers with nothing.
//!   An answer for a version that is no longer current is dropped.
//! - With a `tally.toml` (`data = "DIR"`) next to the policy, the policy is
//!   run on that data after each successful analysis: inlay hints show how
//!   many rows each rule matched, code lenses how many rows each plan and
//!   report has.

mod convert;
mod documents;
mod handlers;
pub mod position;
pub mod server;

pub use handlers::capabilities;
pub use server::Backend;

use tower_lsp_server::{LspService, Server};

/// Serves the language server on stdin/stdout until the editor exits it.
/// Needs a Tokio runtime.
pub async fn serve_stdio() {
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let (service, socket) = LspService::new(Backend::new);
    Server::new(stdin, stdout, socket).serve(service).await;
}
