//! `tally run` and `tally query`: evaluate and render.

use crate::output::{self, DiagFormat};
use crate::progress::Progress;
use std::path::{Path, PathBuf};
use tally::{DataSources, Limits, LoadLimits, Policy};
use tally_data::render::{
    render_csv, render_json, render_md, render_table, render_xlsx, ReportView,
};

/// Output formats of `run` and `query`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for the terminal
    Table,
    /// CSV exactly as golden files (spec §9)
    Csv,
    /// JSON (an array of reports)
    Json,
    /// Markdown tables
    Md,
    /// An Excel workbook, one sheet per report (needs --out)
    Xlsx,
}

/// Where the data comes from: `--data DIR` and `--table name=path`.
pub struct DataArgs {
    /// `--data DIR`
    pub dir: Option<PathBuf>,
    /// `--table name=path`
    pub tables: Vec<String>,
}

impl DataArgs {
    /// The data sources these arguments name.
    pub fn sources(&self) -> Result<DataSources, String> {
        let mut sources = DataSources {
            dir: self.dir.clone(),
            overrides: Default::default(),
        };
        for t in &self.tables {
            let Some((name, path)) = t.split_once('=') else {
                return Err(format!("`--table {t}` must be written `--table name=path`"));
            };
            sources
                .overrides
                .insert(name.trim().to_string(), PathBuf::from(path.trim()));
        }
        if sources.dir.is_none() && sources.overrides.is_empty() {
            return Err(
                "say where the data is with `--data DIR` (or `--table name=path`)".to_string(),
            );
        }
        Ok(sources)
    }
}

/// Compiles, loads and evaluates; prints diagnostics on failure.
fn evaluate(
    policy: &Path,
    data: &DataArgs,
    progress: &Progress,
) -> Result<(Policy, tally::Results), u8> {
    progress.phase("checking the policy");
    let compiled = Policy::compile_file(policy).map_err(|f| {
        progress.finish();
        if f.sources.iter().next().is_none() {
            output::error_line(&crate::output::first_message(&f.diagnostics, policy));
            return output::USAGE;
        }
        output::print_diagnostics(&f.diagnostics, &f.sources, DiagFormat::Human);
        output::FAILED
    })?;
    let sources = data.sources().map_err(|e| {
        progress.finish();
        output::error_line(&e);
        output::USAGE
    })?;
    progress.phase("loading data");
    let loaded = compiled
        .load(&sources, &LoadLimits::default())
        .map_err(|f| {
            progress.finish();
            output::print_diagnostics(&f.diagnostics, &f.sources, DiagFormat::Human);
            output::FAILED
        })?;
    progress.phase("evaluating");
    let results = compiled
        .evaluate_owned(loaded, Limits::default())
        .map_err(|f| {
            progress.finish();
            output::print_diagnostics(&f.diagnostics, &f.sources, DiagFormat::Human);
            output::FAILED
        })?;
    Ok((compiled, results))
}

/// Compiles, loads and evaluates (for commands that only need results).
pub fn evaluate_for(
    policy: &Path,
    data: &DataArgs,
    progress: &Progress,
) -> Result<tally::Results, u8> {
    evaluate(policy, data, progress).map(|(_, r)| r)
}

/// `tally run`.
pub fn run(
    policy: &Path,
    data: &DataArgs,
    reports: &[String],
    format: Format,
    out: Option<&Path>,
) -> u8 {
    let progress = Progress::start();
    let (_, results) = match evaluate(policy, data, &progress) {
        Ok(r) => r,
        Err(code) => return code,
    };
    progress.phase("rendering");
    let names: Vec<String> = if reports.is_empty() {
        results.report_names()
    } else {
        reports.to_vec()
    };
    if names.is_empty() {
        progress.finish();
        eprintln!(
            "note: `{}` declares no reports, so there is nothing to print (add a `report` block)",
            policy.display()
        );
        return output::OK;
    }
    let mut views = Vec::new();
    for name in &names {
        match results.view(name) {
            Some(v) if results.report_names().contains(name) => views.push(v),
            _ => {
                progress.finish();
                let known = results.report_names();
                let hint = tally::suggest(name, &known)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                let reports = if known.is_empty() {
                    "it declares none".to_string()
                } else {
                    format!("its reports are {}", known.join(", "))
                };
                output::error_line(&format!(
                    "the policy has no report `{name}`{hint}; {reports}"
                ));
                return output::USAGE;
            }
        }
    }
    let code = write_views(&views, format, out);
    progress.finish();
    code
}

/// Renders views in `format` to `out` (a file, or a directory for several
/// CSV reports) or stdout.
pub fn write_views(views: &[ReportView<'_>], format: Format, out: Option<&Path>) -> u8 {
    let bytes: Vec<u8> = match format {
        Format::Table => render_table(views).into_bytes(),
        Format::Md => render_md(views).into_bytes(),
        Format::Json => render_json(views).into_bytes(),
        Format::Csv if views.len() > 1 && out.is_some() => {
            let Some(dir) = out else { return output::USAGE };
            if let Err(e) = std::fs::create_dir_all(dir) {
                output::error_line(&format!("cannot create `{}`: {e}", dir.display()));
                return output::FAILED;
            }
            // Everything is rendered before anything is written.
            let files: Vec<(PathBuf, String)> = views
                .iter()
                .map(|v| (dir.join(format!("{}.csv", v.name)), render_csv(v)))
                .collect();
            for (path, text) in files {
                if let Err(e) = output::write_atomic(&path, text.as_bytes()) {
                    output::error_line(&format!("cannot write `{}`: {e}", path.display()));
                    return output::FAILED;
                }
            }
            return output::OK;
        }
        Format::Csv => views
            .iter()
            .map(render_csv)
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes(),
        Format::Xlsx => {
            if out.is_none() {
                output::error_line(
                    "`--format xlsx` writes a workbook: name the file with `--out report.xlsx`",
                );
                return output::USAGE;
            }
            match render_xlsx(views) {
                Ok(b) => b,
                Err(e) => {
                    output::error_line(&format!("cannot build the workbook: {e}"));
                    return output::FAILED;
                }
            }
        }
    };
    match out {
        Some(path) => match output::write_atomic(path, &bytes) {
            Ok(()) => output::OK,
            Err(e) => {
                output::error_line(&format!("cannot write `{}`: {e}", path.display()));
                output::FAILED
            }
        },
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&bytes);
            let _ = stdout.flush();
            output::OK
        }
    }
}

/// `tally query`.
pub fn query(policy: &Path, data: &DataArgs, expr: &str, format: Format, out: Option<&Path>) -> u8 {
    let progress = Progress::start();
    let (_, results) = match evaluate(policy, data, &progress) {
        Ok(r) => r,
        Err(code) => return code,
    };
    progress.finish();
    let answer = match results.query(expr, Limits::default()) {
        Ok(a) => a,
        Err(f) => {
            output::print_diagnostics(&f.diagnostics, &f.sources, DiagFormat::Human);
            return output::FAILED;
        }
    };
    match &answer.value {
        tally::Value::Table(view) => {
            let table = tally_eval::materialize(results.store(), view);
            let v = results.view_of(view.table, &table);
            write_views(&[v], format, out)
        }
        other => {
            let text = match format {
                Format::Json => tally::value_json(other, results.store(), results.program()),
                Format::Csv => tally_eval::display::csv_cell(
                    other,
                    results.store(),
                    results.program().settings.rounding,
                ),
                _ => tally::value_text(other, results.store(), results.program()),
            };
            println!("{text}");
            output::OK
        }
    }
}
