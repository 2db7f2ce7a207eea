//! Reading the results of an evaluation: reports, `credits`, plans.

use crate::policy::Failure;
use std::sync::Arc;
use tally_check::{Program, TableId, TableKind};
use tally_data::render::ReportView;
use tally_eval::{Store, Value};
use tally_syntax::ast::DeclKind;

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
        Results {
            program,
            store,
            types,
        }
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
        self.program
            .reports
            .iter()
            .map(|(_, t)| self.program.table_name(*t))
            .collect()
    }

    /// The rows of the table called `name`.
    pub fn rows(&self, name: &str) -> Option<ReportRows> {
        let id = self.program.table_named(name)?;
        let t = self.store.table(id);
        Some(ReportRows {
            columns: t.columns.iter().map(|c| c.name.clone()).collect(),
            rows: (0..t.len)
                .map(|r| {
                    t.columns
                        .iter()
                        .map(|c| c.get(r).map_or(Value::None, std::borrow::Cow::into_owned))
                        .collect()
                })
                .collect(),
        })
    }

    /// A view of the table called `name` (report, plan, `credits` or
    /// declared table) for the renderers.
    pub fn view(&self, name: &str) -> Option<ReportView<'_>> {
        let id = self.program.table_named(name)?;
        Some(self.view_of(id, self.store.table(id)))
    }

    /// A view of `table`, whose columns are those of table `id`.
    pub fn view_of<'a>(&'a self, id: TableId, table: &'a tally_eval::Table) -> ReportView<'a> {
        let info = self.program.table(id);
        let title = info.and_then(|info| match &info.kind {
            TableKind::Report(r) | TableKind::Plan(r) => {
                match self.program.decl(*r).map(|d| &d.kind) {
                    Some(DeclKind::Report(rep)) => rep.title.as_ref().map(|t| t.value.as_str()),
                    Some(DeclKind::Plan(p)) => p.title.as_ref().map(|t| t.value.as_str()),
                    _ => None,
                }
            }
            _ => None,
        });
        ReportView {
            name: info.map(|i| i.name.as_str()).unwrap_or(""),
            title,
            table,
            types: self
                .types
                .get(id.0 as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            store: &self.store,
            rounding: self.program.settings.rounding,
        }
    }

    /// The rows of the table called `name` as JSON objects (column → value):
    /// text as strings, Int and Bool native, Decimal and Percent as exact
    /// strings, Money as `{"amount": "60000.01", "currency": "USD"}`, dates
    /// ISO, references as their key, none as `null`.
    pub fn rows_json(&self, name: &str) -> Option<Vec<serde_json::Map<String, serde_json::Value>>> {
        let rows = self.rows(name)?;
        Some(
            rows.rows
                .iter()
                .map(|row| {
                    rows.columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| {
                            let j = serde_json::from_str(&crate::value_json(
                                v,
                                &self.store,
                                &self.program,
                            ))
                            .unwrap_or(serde_json::Value::Null);
                            (c.clone(), j)
                        })
                        .collect()
                })
                .collect(),
        )
    }

    /// The rows of the table called `name` as the host's own type, through
    /// serde (see [`Results::rows_json`] for how values are represented).
    pub fn rows_as<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Vec<T>, String> {
        let rows = self
            .rows_json(name)
            .ok_or_else(|| format!("no table `{name}`"))?;
        rows.into_iter()
            .map(|r| {
                serde_json::from_value(serde_json::Value::Object(r)).map_err(|e| e.to_string())
            })
            .collect()
    }

    /// The table called `name` rendered as CSV (spec §9).
    pub fn csv(&self, name: &str) -> Option<String> {
        self.view(name).map(|v| tally_data::render::render_csv(&v))
    }

    /// Every decision for row `key` of table `table` (`tally explain`).
    pub fn explain(
        &self,
        table: &str,
        key: &str,
    ) -> Result<Option<tally_eval::explain::Explanation>, Failure> {
        let Some(id) = self.program.table_named(table) else {
            return Ok(None);
        };
        tally_eval::explain::explain(&self.program, &self.store, id, key).map_err(|e| Failure {
            diagnostics: vec![e.to_diagnostic()],
            sources: self.program.sources.clone(),
        })
    }

    /// The table `--deal` explains: the credited table.
    pub fn deal_table(&self) -> Option<String> {
        self.program
            .credit
            .as_ref()
            .map(|c| self.program.table_name(c.credited))
    }

    /// The table `--account` explains: the first table that has `assign`s.
    pub fn account_table(&self) -> Option<String> {
        if self.program.table_named("accounts").is_some() {
            return Some("accounts".to_string());
        }
        self.program
            .assigns
            .first()
            .map(|a| self.program.table_name(a.table))
    }

    /// Evaluates an expression over these results (`tally query`).
    pub fn query(&self, text: &str, limits: tally_eval::Limits) -> Result<QueryOutput, Failure> {
        let checked = tally_check::check_expression(&self.program, "<query>", text, &[]);
        let failure = |diagnostics: Vec<tally_diagnostics::Diagnostic>,
                       sources: tally_diagnostics::SourceMap| Failure {
            diagnostics,
            sources,
        };
        if checked.diagnostics.iter().any(|d| d.is_error()) {
            return Err(failure(checked.diagnostics, checked.program.sources));
        }
        let Some(expr) = &checked.expr else {
            return Err(failure(checked.diagnostics, checked.program.sources));
        };
        match tally_eval::evaluate_expr(&checked.program, &self.store, expr, &[], limits) {
            Ok(value) => Ok(QueryOutput {
                value,
                ty: checked.ty,
            }),
            Err(e) => Err(failure(vec![e.to_diagnostic()], checked.program.sources)),
        }
    }
}

/// The value of a query and its type.
#[derive(Clone, Debug)]
pub struct QueryOutput {
    /// The value.
    pub value: Value,
    /// Its type.
    pub ty: tally_check::Type,
}

/// The rows a table value selects, in order.
pub(crate) fn view_rows(store: &tally_eval::Store, view: &tally_eval::TableView) -> Vec<u32> {
    match &view.rows {
        Some(r) => r.to_vec(),
        None => (0..u32::try_from(store.table(view.table).len).unwrap_or(u32::MAX)).collect(),
    }
}
