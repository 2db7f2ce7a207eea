//! A compiled policy and the steps of a run: load, evaluate.

use crate::results::Results;
use std::path::Path;
use std::sync::Arc;
use tally_check::{Loader, Program};
use tally_data::{DataSources, LoadLimits};
use tally_diagnostics::{Diagnostic, SourceMap};
use tally_eval::{Limits, Store};

/// Why a step failed: diagnostics and the sources they point into.
#[derive(Clone, Debug)]
pub struct Failure {
    /// What went wrong (all of it, in order).
    pub diagnostics: Vec<Diagnostic>,
    /// The policy files, and data files where a diagnostic points into one.
    pub sources: SourceMap,
}

impl Failure {
    /// The diagnostics rendered for people.
    pub fn render(&self, color: bool) -> String {
        tally_diagnostics::render_human(
            &self.diagnostics,
            &self.sources,
            tally_diagnostics::RenderOptions { color },
        )
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.render(false))
    }
}

impl std::error::Error for Failure {}

/// A checked policy without errors, ready to evaluate. Cheap to clone;
/// `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Policy {
    program: Arc<Program>,
    warnings: Vec<Diagnostic>,
}

/// Loaded tables of one data set.
#[derive(Clone, Debug)]
pub struct Data {
    pub(crate) store: Store,
}

impl Policy {
    /// Compiles policy text (imports through `loader`); fails with every
    /// error found.
    pub fn compile(name: &str, text: &str, loader: &dyn Loader) -> Result<Policy, Failure> {
        let checked = tally_check::check_source(name, text, loader);
        if checked.has_errors() {
            return Err(Failure {
                diagnostics: checked.diagnostics,
                sources: checked.program.sources,
            });
        }
        Ok(Policy {
            warnings: checked.diagnostics,
            program: Arc::new(checked.program),
        })
    }

    /// Compiles the policy file at `path` (imports below its directory).
    pub fn compile_file(path: &Path) -> Result<Policy, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| Failure {
            diagnostics: vec![Diagnostic::error(
                "E0106",
                tally_diagnostics::Span::default(),
                format!(
                    "cannot read `{}`: {}",
                    path.display(),
                    crate::read_error_reason(&e)
                ),
            )],
            sources: SourceMap::new(),
        })?;
        let loader = crate::FsLoader::for_policy(path);
        Policy::compile(&path.display().to_string(), &text, &loader)
    }

    /// The checked program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Warnings found while checking.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Loads every declared table from `sources`.
    pub fn load(&self, sources: &DataSources, limits: &LoadLimits) -> Result<Data, Failure> {
        let loaded = tally_data::load_all(&self.program, sources, limits);
        if loaded.has_errors() {
            return Err(Failure {
                diagnostics: loaded.diagnostics,
                sources: loaded.sources,
            });
        }
        Ok(Data {
            store: loaded.store,
        })
    }

    /// Loads every declared table from `DIR/<table>.csv|.json|.jsonl|.xlsx`.
    pub fn load_dir(&self, dir: &Path) -> Result<Data, Failure> {
        self.load(&DataSources::in_dir(dir), &LoadLimits::default())
    }

    /// Builds the data set from rows the host made (one JSON array of
    /// objects per table name, e.g. from `serde_json::to_value`).
    pub fn tables_from_json(&self, tables: &[(&str, serde_json::Value)]) -> Result<Data, Failure> {
        let mut store = self.empty_store();
        let mut diagnostics = Vec::new();
        for (name, rows) in tables {
            let Some(id) = self.program.table_named(name) else {
                diagnostics.push(Diagnostic::error(
                    "D0001",
                    tally_diagnostics::Span::default(),
                    format!("the policy has no table `{name}`"),
                ));
                continue;
            };
            let rows: Vec<serde_json::Value> = match rows {
                serde_json::Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            match tally_data::table_from_json_rows(&self.program, id, &rows) {
                Ok(t) => store.set(id, t),
                Err(mut d) => diagnostics.append(&mut d),
            }
        }
        diagnostics.extend(tally_data::link_store(&self.program, &mut store));
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Failure {
                diagnostics,
                sources: self.program.sources.clone(),
            });
        }
        Ok(Data { store })
    }

    /// Evaluates the policy over `data` within `limits`.
    pub fn evaluate(&self, data: &Data, limits: Limits) -> Result<Results, Failure> {
        self.evaluate_with_coverage(data, limits, false)
            .map(|(r, _)| r)
    }

    /// [`Policy::evaluate`] for a one-shot run: takes the data, so the
    /// loaded tables are extended in place rather than copied first.
    pub fn evaluate_owned(&self, data: Data, limits: Limits) -> Result<Results, Failure> {
        match tally_eval::evaluate(&self.program, data.store, limits) {
            Ok(store) => Ok(Results::new(self.program.clone(), store)),
            Err(e) => Err(Failure {
                diagnostics: vec![e.to_diagnostic()],
                sources: self.program.sources.clone(),
            }),
        }
    }

    /// [`Policy::evaluate`], also counting how often each rule fired.
    pub fn evaluate_with_coverage(
        &self,
        data: &Data,
        limits: Limits,
        coverage: bool,
    ) -> Result<(Results, Option<tally_eval::Coverage>), Failure> {
        let store = data.store.clone();
        match tally_eval::evaluate_with_coverage(&self.program, store, limits, coverage) {
            Ok((store, cov)) => Ok((Results::new(self.program.clone(), store), cov)),
            Err(e) => Err(Failure {
                diagnostics: vec![e.to_diagnostic()],
                sources: self.program.sources.clone(),
            }),
        }
    }

    /// [`Policy::evaluate_owned`], also timing each phase (for benchmarks).
    pub fn evaluate_profiled(
        &self,
        data: Data,
        limits: Limits,
    ) -> Result<(Results, tally_eval::Phases), Failure> {
        match tally_eval::evaluate_profiled(&self.program, data.store, limits) {
            Ok((store, phases)) => Ok((Results::new(self.program.clone(), store), phases)),
            Err(e) => Err(Failure {
                diagnostics: vec![e.to_diagnostic()],
                sources: self.program.sources.clone(),
            }),
        }
    }

    /// The reference evaluation (row by row, no indexes), for differential
    /// tests of the optimised engine.
    pub fn evaluate_reference(&self, data: &Data, limits: Limits) -> Result<Results, Failure> {
        match tally_eval::evaluate_reference(&self.program, data.store.clone(), limits) {
            Ok(store) => Ok(Results::new(self.program.clone(), store)),
            Err(e) => Err(Failure {
                diagnostics: vec![e.to_diagnostic()],
                sources: self.program.sources.clone(),
            }),
        }
    }

    /// A store with every declared table present and empty.
    fn empty_store(&self) -> Store {
        let mut store = Store::with_tables(self.program.tables.len());
        store.territories = Arc::new(
            self.program
                .territories
                .iter()
                .map(|t| t.name.clone())
                .collect(),
        );
        for (i, info) in self.program.tables.iter().enumerate() {
            if !matches!(info.kind, tally_check::TableKind::Declared(_)) {
                continue;
            }
            let names: Vec<&str> = info
                .columns
                .iter()
                .filter(|c| matches!(c.origin, tally_check::ColumnOrigin::Loaded { .. }))
                .map(|c| c.name.as_str())
                .collect();
            let mut table = tally_eval::Table::new(info.name.clone(), &names);
            if let Some(k) = info.key {
                table.set_key(k);
            }
            store.set(
                tally_check::TableId(u32::try_from(i).unwrap_or(u32::MAX)),
                table,
            );
        }
        store
    }
}

/// Compiles and runs in one step (for tools): policy file, data directory.
pub fn run_files(policy: &Path, data: &Path, limits: Limits) -> Result<Results, Failure> {
    let p = Policy::compile_file(policy)?;
    let d = p.load_dir(data)?;
    p.evaluate(&d, limits)
}
