//! Shared helpers: checking a policy, loading text, rendering diagnostics.

use tally_check::{check_source, NoImports, Program, TableId};
use tally_data::{DataLoader, Format, LoadLimits, Loaded};
use tally_diagnostics::{render_human, RenderOptions};

/// The repository root.
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Checks a policy that must have no errors.
pub fn program(text: &str) -> Program {
    let checked = check_source("policy.tally", text, &NoImports);
    assert!(
        !checked.has_errors(),
        "{}",
        render_human(
            &checked.diagnostics,
            &checked.program.sources,
            RenderOptions::default()
        )
    );
    checked.program
}

/// The acme example's program.
pub fn acme() -> Program {
    let text = std::fs::read_to_string(root().join("examples/acme/policy.tally")).unwrap();
    program(&text)
}

/// The table called `name`.
pub fn table(program: &Program, name: &str) -> TableId {
    program.table_named(name).unwrap()
}

/// Loads `(table, file name, text)` files together.
pub fn load(program: &Program, files: &[(&str, &str, &str)]) -> Loaded {
    let mut loader = DataLoader::new(program, LoadLimits::default());
    for (t, name, text) in files {
        let format = Format::from_path(std::path::Path::new(name)).unwrap();
        loader.add_text(table(program, t), name, text, format);
    }
    loader.finish()
}

/// The diagnostics of a load as people see them.
pub fn rendered(loaded: &Loaded) -> String {
    render_human(
        &loaded.diagnostics,
        &loaded.sources,
        RenderOptions::default(),
    )
}
