//! Reading the results of an evaluation: reports, `credits`, plans.

use std::sync::Arc;
use tally_check::Program;
use tally_eval::{Store, Value};

/// Every table computed by one evaluation.
#[derive(Clone, Debug)]
pub struct Results {
    program: Arc<Program>,
    store: Store,
    /// Column types of every table, by table id.
    types: Vec<Vec<tally_check::Type>>,
}

/// A report's rows as plain values, for hosts.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRows {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl Results {
    pub(crate) fn new(program: Arc<Program>, store: Store) -> Results {
        let types = program
            .tables
            .iter()
            .map(|t| t.columns.iter().map(|c| c.ty.clone()).collect())
            .collect();
        Results { program, store, types }
    }

    /// The program these results came from.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Every table of the run.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Names of the reports, in declaration order.
    pub fn report_names(&self) -> Vec<String> {
        self.program.reports.iter().map(|(_, t)| self.program.table_name(*t)).collect()
    }

    /// The rows of the table called `name`.
    pub fn rows(&self, name: &str) -> Option<ReportRows> {
        let id = self.program.table_named(name)?;
        let t = self.store.table(id);
        Some(ReportRows {
            columns: t.columns.iter().map(|c| c.name.clone()).collect(),
            rows: (0..t.len).map(|r| t.columns.iter().map(|c| c.values.get(r).cloned().unwrap_or(Value::None)).collect()).collect(),
        })
    }

    /// The table called `name` rendered as CSV (spec §9).
    pub fn csv(&self, name: &str) -> Option<String> {
        let rows = self.rows(name)?;
        let mut out = rows.columns.join(",");
        out.push('\n');
        for row in &rows.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|v| tally_eval::display::csv_cell(v, &self.store, self.program.settings.rounding))
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        Some(out)
    }
}
