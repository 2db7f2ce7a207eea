//! Results on real data in the editor: a `tally.toml` next to the policy
//! names its data directory; the policy is evaluated over it, and each
//! rule shows how many rows it matched (inlay hints) and each plan and
//! report how many rows it has (code lenses).

use crate::analysis::Analysis;
use crate::text::trim_span;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tally::{DataSources, Limits, LoadLimits, Policy};
use tally_diagnostics::Span;
use tally_syntax::ast::{CreditItem, DeclKind};

/// Where a policy's data is, from `tally.toml` next to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataConfig {
    /// The `tally.toml` file.
    pub file: PathBuf,
    /// The data directory (`data = "..."`, relative to the file).
    pub data_dir: PathBuf,
}

/// Reads `tally.toml` next to the policy at `policy`: `Ok(None)` when
/// there is none, an error when it cannot be read or has no usable `data`.
pub fn find_config(policy: &Path) -> Result<Option<DataConfig>, String> {
    let dir = policy.parent().unwrap_or(Path::new("."));
    let file = dir.join("tally.toml");
    if !file.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let table: toml::Table = toml::from_str(&text)
        .map_err(|e| format!("`{}` is not valid TOML: {}", file.display(), e.message()))?;
    match table.get("data") {
        Some(toml::Value::String(rel)) => Ok(Some(DataConfig {
            data_dir: dir.join(rel),
            file,
        })),
        Some(_) => Err(format!(
            "`data` in `{}` must be a string, e.g. `data = \"data\"`",
            file.display()
        )),
        None => Err(format!(
            "`{}` has no `data = \"DIR\"` line naming the policy's data",
            file.display()
        )),
    }
}

/// What one evaluation over the configured data found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataRun {
    /// How many rows each assign and credit rule fired for, by the rule's span.
    pub rule_hits: BTreeMap<Span, u64>,
    /// Rows of every table (declared, `credits`, plans, reports) by name.
    pub rows: HashMap<String, usize>,
    /// Why there are no results, when there are none.
    pub error: Option<String>,
}

/// Evaluation bounds in the editor: a runaway policy stops, it never hangs
/// the server.
const LIMITS: Limits = Limits {
    max_rows: Some(5_000_000),
    max_steps: Some(200_000_000),
    max_output_rows: Some(5_000_000),
    max_rollup_depth: Some(100),
    threads: None,
};

/// Evaluates the analysed policy over the data `config` names.
pub fn run_data(analysis: &Analysis, config: &DataConfig) -> DataRun {
    let failed = |error: String| DataRun {
        error: Some(error),
        ..DataRun::default()
    };
    if analysis.has_errors() {
        return failed("the policy has errors".to_string());
    }
    let first = |f: tally::Failure| {
        f.diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_else(|| "failed".to_string())
    };
    let policy = match Policy::compile(&analysis.name, &analysis.text, &analysis.replay_loader()) {
        Ok(p) => p,
        Err(f) => return failed(first(f)),
    };
    let limits = LoadLimits {
        max_rows_per_table: LIMITS.max_rows,
        ..LoadLimits::default()
    };
    let data = match policy.load(&DataSources::in_dir(&config.data_dir), &limits) {
        Ok(d) => d,
        Err(f) => return failed(format!("the data did not load: {}", first(f))),
    };
    let (results, coverage) = match policy.evaluate_with_coverage(&data, LIMITS, true) {
        Ok(r) => r,
        Err(f) => return failed(format!("the evaluation failed: {}", first(f))),
    };
    let program = results.program();
    let rows = program
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let id = tally_check::TableId(u32::try_from(i).unwrap_or(u32::MAX));
            (t.name.clone(), results.store().table(id).len)
        })
        .collect();
    DataRun {
        rule_hits: coverage.unwrap_or_default(),
        rows,
        error: None,
    }
}

/// A label shown inside the text, after `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where it is shown (after the rule).
    pub offset: usize,
    /// The label, e.g. `3 rows`.
    pub label: String,
    /// Shown on hover.
    pub tooltip: String,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// After every assign and credit rule of the document: how many rows it
/// matched in `run`.
pub fn inlay_hints(analysis: &Analysis, run: &DataRun) -> Vec<InlayHint> {
    let mut out = Vec::new();
    if run.error.is_some() {
        return out;
    }
    let Some(module) = analysis.module() else {
        return out;
    };
    let hits = |span: Span| run.rule_hits.get(&span).copied().unwrap_or(0);
    for decl in &module.decls {
        match &decl.kind {
            DeclKind::Assign(a) => {
                for arm in &a.arms {
                    let n = hits(arm.span);
                    out.push(InlayHint {
                        offset: trim_span(&analysis.text, arm.span).hi(),
                        label: plural(n, "row", "rows"),
                        tooltip: format!(
                            "`{}` set `{}` on {} of `{}`",
                            arm.label_text(),
                            a.field.name,
                            plural(n, "row", "rows"),
                            a.table.name
                        ),
                    });
                }
            }
            DeclKind::Credit(c) => {
                for item in &c.items {
                    let CreditItem::Group(g) = item else { continue };
                    for arm in &g.arms {
                        let n = hits(arm.span);
                        out.push(InlayHint {
                            offset: trim_span(&analysis.text, arm.span).hi(),
                            label: plural(n, "deal", "deals"),
                            tooltip: format!(
                                "`{}` credited {} of `{}` in role group `{}`",
                                arm.label_text(),
                                plural(n, "row", "rows"),
                                c.table.name,
                                g.name.name
                            ),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A line of text shown above a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    /// The name it is about.
    pub span: Span,
    /// The text, e.g. `12 rows`.
    pub title: String,
}

/// Above every plan and report of the document: its row count in `run`
/// (nothing without data; the error above the first one when the run
/// failed).
pub fn code_lenses(analysis: &Analysis, run: Option<&DataRun>) -> Vec<CodeLens> {
    let (Some(run), Some(module)) = (run, analysis.module()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for decl in &module.decls {
        let name = match &decl.kind {
            DeclKind::Plan(p) => &p.name,
            DeclKind::Report(r) => &r.name,
            _ => continue,
        };
        if let Some(error) = &run.error {
            out.push(CodeLens {
                span: name.span,
                title: format!("no results: {error}"),
            });
            break;
        }
        let n = run.rows.get(&name.name).copied().unwrap_or(0) as u64;
        out.push(CodeLens {
            span: name.span,
            title: plural(n, "row", "rows"),
        });
    }
    out
}
