//! Tally's data layer: loading the declared tables of a policy from CSV,
//! JSON, JSON Lines and Excel files (spec §2.2), and rendering report
//! tables as terminal tables, CSV, Markdown, JSON and Excel (spec §8, §9).
//!
//! Loading never panics and never stops at the first problem: every load
//! error of a run (up to [`LoadLimits::max_errors`]) becomes a
//! [`Diagnostic`](tally_diagnostics::Diagnostic) with a `D0xxx` code (see
//! [`codes`]) whose primary span points into the data file, so the
//! compiler-style rendering shows the offending line with the cell
//! underlined.
//!
//! ```no_run
//! use tally_data::{load_all, DataSources, LoadLimits};
//! # let program = tally_check::Program::default();
//! let sources = DataSources::in_dir("examples/acme/data");
//! let loaded = load_all(&program, &sources, &LoadLimits::default());
//! if loaded.has_errors() {
//!     eprint!("{}", tally_diagnostics::render_human(&loaded.diagnostics, &loaded.sources, Default::default()));
//! }
//! ```

pub mod codes;
pub mod load;
pub mod render;

pub use load::{
    link_store, load_all, load_table_bytes, load_table_text, table_from_json_rows, DataLoader,
    DataSources, Format, LoadLimits, Loaded,
};

pub use render::{render_csv, render_json, render_md, render_table, render_xlsx, ReportView};
