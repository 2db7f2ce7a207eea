//! The Tally facade: what a host program embeds (spec §10).
//!
//! 1. Compile a policy from text or a file ([`Policy`]); imports are read
//!    through a [`Loader`] the host chooses ([`FsLoader`] reads files below
//!    the policy's own directory).
//! 2. Load its tables from files ([`Policy::load_dir`], [`Policy::load`]) or
//!    from rows the host builds with serde ([`Policy::tables_from_json`]).
//! 3. Evaluate with limits ([`Policy::evaluate`]) and read reports, `credits`
//!    and plan tables ([`Results`]).
//!
//! A compiled [`Policy`] is `Send + Sync` and can evaluate many data sets
//! at once; policy code does no I/O of its own.
//!
//! ```
//! let compiled = tally::compile_str("policy.tally", "const rate = 5%\n");
//! assert!(!compiled.has_errors());
//! ```

pub mod datacheck;
pub mod diff;
mod explain;
mod loader;
pub mod policy;
mod results;
pub mod session;
pub mod testing;
mod values;

pub use explain::explanation_text;
pub use loader::FsLoader;
pub use policy::{Data, Failure, Policy};
pub use results::{QueryOutput, ReportRows, Results};
pub use tally_check::{Checked, Loader, NoImports, Program};
pub use tally_data::{DataSources, LoadLimits};
pub use tally_diagnostics::{
    render_human, render_json, Diagnostic, RenderOptions, Severity, SourceMap,
};
pub use tally_eval::explain::Explanation;
pub use tally_eval::{Limits, Value};
pub use values::{suggest, value_json, value_text};

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

/// Why a file could not be read, as a plain sentence for people (`cannot
/// read `x`: <reason>`): a missing file, a folder, a file that is not
/// UTF-8 text.
pub fn read_error_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "there is no such file".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a folder, not a file".to_string(),
        ErrorKind::InvalidData => {
            "it is not UTF-8 text; save it with the UTF-8 encoding".to_string()
        }
        _ => e.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn compiled_policies_and_results_cross_threads() {
        send_sync::<crate::Policy>();
        send_sync::<crate::Results>();
        send_sync::<crate::Program>();
    }
}
