//! `tally lsp`: the language server on stdin/stdout.

/// Stack of the runtime's threads: analysis walks syntax trees recursively
/// (their depth is bounded by the parser's nesting limits).
const STACK: usize = 64 * 1024 * 1024;

/// Runs the language server until the editor sends `exit`. Returns the
/// exit code.
pub fn run() -> u8 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(STACK)
        .thread_name("tally-lsp")
        .build();
    match runtime {
        Ok(runtime) => {
            runtime.block_on(tally_lsp::serve_stdio());
            // The thread reading stdin may stay blocked in a read: do not
            // wait for it.
            runtime.shutdown_timeout(std::time::Duration::from_millis(200));
            0
        }
        Err(e) => {
            crate::output::error_line(&format!("cannot start the language server: {e}"));
            1
        }
    }
}
