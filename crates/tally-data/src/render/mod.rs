//! Rendering report tables (spec §8, §9): CSV exactly as golden files
//! expect, aligned text for terminals, GitHub Markdown, JSON and Excel.
//!
//! Decisions where the spec is silent:
//! - `table` and `md` show Money with thousands separators and the
//!   currency's minor-unit places (rounded by the policy's mode); when a
//!   column holds more than one currency every amount is followed by its
//!   code (`1,234.50 EUR`). Percent shows as `87.5%`; Int and Decimal show
//!   exactly (no separators: they are often ids or years). Values are
//!   never rounded beyond the money rule: round in the policy.
//! - `json` (see [`render_json`]): decimals, percents and money amounts
//!   are strings; money is `{"amount": "60000.00", "currency": "USD"}`.
//! - `xlsx` puts no title row above the header, so the header row can be
//!   frozen and filtered.

mod cells;
mod csv_out;
mod json_out;
mod md_out;
mod table_out;
mod xlsx_out;

pub use csv_out::render_csv;
pub use json_out::render_json;
pub use md_out::render_md;
pub use table_out::render_table;
pub use xlsx_out::render_xlsx;

use tally_check::{Rounding, Type};
use tally_eval::{Store, Table};

/// One report to render: its result table with the column types the
/// checker gave it.
#[derive(Clone, Copy, Debug)]
pub struct ReportView<'a> {
    /// The report's name (`attainment`).
    pub name: &'a str,
    /// Its title (`"AE attainment"`), if any.
    pub title: Option<&'a str>,
    /// The rows.
    pub table: &'a Table,
    /// `types[i]` is the type of `table.columns[i]`.
    pub types: &'a [Type],
    /// The store, for reference keys and territory names.
    pub store: &'a Store,
    /// The policy's money rounding mode.
    pub rounding: Rounding,
}

impl ReportView<'_> {
    /// The title, or the name when there is none.
    pub fn heading(&self) -> &str {
        self.title.unwrap_or(self.name)
    }
}
