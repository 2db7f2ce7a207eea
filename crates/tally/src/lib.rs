//! The Tally facade: what a host program embeds.
//!
//! Compile a policy from text or from a file (imports are read through a
//! [`Loader`] the host chooses; [`FsLoader`] reads files below the policy's
//! own directory), then inspect its diagnostics and its checked program.
//!
//! ```
//! let compiled = tally::compile_str("policy.tally", "const rate = 5%\n");
//! assert!(!compiled.has_errors());
//! ```

mod loader;

pub use loader::FsLoader;
pub use tally_check::{Checked, Loader, NoImports, Program};
pub use tally_diagnostics::{
    render_human, render_json, Diagnostic, RenderOptions, Severity, SourceMap,
};

use std::path::Path;

/// A compiled policy: the checked program plus its diagnostics.
pub type Compiled = Checked;

/// Compiles policy text that has no imports.
pub fn compile_str(name: &str, text: &str) -> Compiled {
    tally_check::check_source(name, text, &NoImports)
}

/// Compiles policy text, reading its imports through `loader`.
pub fn compile_with(name: &str, text: &str, loader: &dyn Loader) -> Compiled {
    tally_check::check_source(name, text, loader)
}

/// Reads and compiles the policy at `path`; imports are read relative to it,
/// and only from its directory or below.
pub fn compile_file(path: &Path) -> std::io::Result<Compiled> {
    let text = std::fs::read_to_string(path)?;
    let loader = FsLoader::for_policy(path);
    let name = path.display().to_string();
    Ok(tally_check::check_source(&name, &text, &loader))
}
