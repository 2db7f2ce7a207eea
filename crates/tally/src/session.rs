//! The REPL's backend (spec §11): a policy and data loaded once, `let`
//! bindings kept for the session, and the `:commands`. Front ends (the
//! rustyline terminal, piped stdin, tests) only pass text in and print what
//! comes back.

use crate::policy::{Failure, Policy};
use crate::results::Results;
use std::path::{Path, PathBuf};
use tally_check::Type;
use tally_data::render::{render_csv, render_json, render_table};
use tally_data::{DataSources, LoadLimits};
use tally_diagnostics::{FileId, Span};
use tally_eval::{Limits, Value};

/// How values print in the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionFormat {
    /// Aligned tables.
    Table,
    /// CSV.
    Csv,
    /// JSON.
    Json,
}

/// One `let` binding.
#[derive(Clone, Debug)]
struct Binding {
    name: String,
    source: String,
    ty: Type,
    value: Value,
    span: Span,
}

/// What an entry produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// Text to print.
    Text(String),
    /// An error to print (rendered diagnostics or a plain message).
    Error(String),
    /// Nothing to print.
    Nothing,
    /// The session ends.
    Quit,
}

/// Rows a table shows before "… N more rows".
pub const PAGE: usize = 20;

/// A REPL session.
pub struct Session {
    policy_path: Option<PathBuf>,
    data: Option<DataSources>,
    policy: Option<Policy>,
    results: Option<Results>,
    bindings: Vec<Binding>,
    format: SessionFormat,
    next_binding: u32,
    entries: usize,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

/// The commands, for help and completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (":load", ":load POLICY        load a policy file"),
    (":data", ":data DIR           load data from a directory"),
    (
        ":reload",
        ":reload             re-read the policy and data (keeps `let`s that still check)",
    ),
    (
        ":type",
        ":type EXPR          show the type of an expression",
    ),
    (
        ":explain",
        ":explain deal KEY   every decision behind a deal (or `account KEY`)",
    ),
    (":report", ":report NAME        show a report"),
    (
        ":tables",
        ":tables             list the tables with row counts and columns",
    ),
    (
        ":diff",
        ":diff OTHER_POLICY   what another policy would change on this data",
    ),
    (":format", ":format table|csv|json   how results print"),
    (":help", ":help               this list"),
    (":quit", ":quit               leave (or Ctrl-D)"),
];

fn render_failure(f: &Failure) -> String {
    f.render(false)
}

impl Session {
    /// An empty session (no policy yet).
    pub fn new() -> Session {
        Session {
            policy_path: None,
            data: None,
            policy: None,
            results: None,
            bindings: Vec::new(),
            format: SessionFormat::Table,
            next_binding: 0,
            entries: 0,
        }
    }

    /// The loaded results, if any.
    pub fn results(&self) -> Option<&Results> {
        self.results.as_ref()
    }

    /// Names of the `let` bindings.
    pub fn binding_names(&self) -> Vec<String> {
        self.bindings.iter().map(|b| b.name.clone()).collect()
    }

    /// Loads (or reloads) the policy at `path`.
    pub fn load(&mut self, path: &Path) -> Reply {
        self.policy_path = Some(path.to_path_buf());
        self.refresh(false)
    }

    /// Loads data from `dir`.
    pub fn set_data(&mut self, dir: &Path) -> Reply {
        self.data = Some(DataSources::in_dir(dir));
        self.refresh(false)
    }

    /// Re-reads the policy and data, keeping bindings that still check.
    pub fn reload(&mut self) -> Reply {
        self.refresh(true)
    }

    fn refresh(&mut self, keep_bindings: bool) -> Reply {
        let Some(path) = self.policy_path.clone() else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let policy = match Policy::compile_file(&path) {
            Ok(p) => p,
            Err(f) => return Reply::Error(render_failure(&f)),
        };
        let mut notes = vec![format!("loaded {}", path.display())];
        self.results = None;
        if let Some(sources) = &self.data {
            match policy.load(sources, &LoadLimits::default()) {
                Ok(data) => match policy.evaluate(&data, Limits::default()) {
                    Ok(r) => {
                        notes.push(format!(
                            "evaluated over {}",
                            sources
                                .dir
                                .as_ref()
                                .map(|d| d.display().to_string())
                                .unwrap_or_default()
                        ));
                        self.results = Some(r);
                    }
                    Err(f) => {
                        self.policy = Some(policy);
                        return Reply::Error(render_failure(&f));
                    }
                },
                Err(f) => {
                    self.policy = Some(policy);
                    return Reply::Error(render_failure(&f));
                }
            }
        } else {
            // Without data, tables are empty but expressions still work.
            match policy
                .tables_from_json(&[])
                .and_then(|d| policy.evaluate(&d, Limits::default()))
            {
                Ok(r) => self.results = Some(r),
                Err(f) => return Reply::Error(render_failure(&f)),
            }
            notes.push("no data yet: `:data DIR` (tables are empty)".to_string());
        }
        self.policy = Some(policy);
        let old = std::mem::take(&mut self.bindings);
        if keep_bindings {
            for b in old {
                let text = format!("let {} = {}", b.name, b.source);
                match self.entry(&text) {
                    Reply::Error(_) => {
                        notes.push(format!("dropped `let {}`: it no longer checks", b.name))
                    }
                    _ => notes.push(format!("kept `let {}`", b.name)),
                }
            }
        }
        Reply::Text(notes.join("\n"))
    }

    /// Evaluates one entry: a `:command`, `let NAME = EXPR`, or an expression.
    pub fn entry(&mut self, text: &str) -> Reply {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Reply::Nothing;
        }
        if let Some(cmd) = trimmed.strip_prefix(':') {
            return self.command(cmd);
        }
        self.entries += 1;
        let (name, expr_text) = match parse_let(trimmed) {
            Some((n, e)) => (Some(n), e),
            None => (None, trimmed.to_string()),
        };
        let Some(results) = &self.results else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let locals: Vec<(String, Type, Span)> = self
            .bindings
            .iter()
            .map(|b| (b.name.clone(), b.ty.clone(), b.span))
            .collect();
        let checked =
            tally_check::check_expression(results.program(), "<repl>", &expr_text, &locals);
        if checked.diagnostics.iter().any(|d| d.is_error()) || checked.expr.is_none() {
            return Reply::Error(tally_diagnostics::render_human(
                &checked.diagnostics,
                &checked.program.sources,
                Default::default(),
            ));
        }
        let Some(expr) = &checked.expr else {
            return Reply::Nothing;
        };
        let values: Vec<(Span, Value)> = self
            .bindings
            .iter()
            .map(|b| (b.span, b.value.clone()))
            .collect();
        let value = match tally_eval::evaluate_expr(
            &checked.program,
            results.store(),
            expr,
            &values,
            Limits::default(),
        ) {
            Ok(v) => v,
            Err(e) => {
                return Reply::Error(tally_diagnostics::render_human(
                    &[e.to_diagnostic()],
                    &checked.program.sources,
                    Default::default(),
                ))
            }
        };
        match name {
            Some(name) => {
                self.next_binding += 1;
                let span = Span::new(FileId(u32::MAX - self.next_binding), 0, 0);
                let shown = format!("{name}: {}", results.program().show(&checked.ty));
                self.bindings.retain(|b| b.name != name);
                self.bindings.push(Binding {
                    name,
                    source: expr_text,
                    ty: checked.ty,
                    value,
                    span,
                });
                Reply::Text(shown)
            }
            None => Reply::Text(self.show_value(&value)),
        }
    }

    fn show_value(&self, v: &Value) -> String {
        let Some(results) = &self.results else {
            return String::new();
        };
        match v {
            Value::Table(view) => {
                let table = tally_eval::materialize(results.store(), view);
                let total = table.len;
                let shown = if self.format == SessionFormat::Table && total > PAGE {
                    let mut t = table.clone();
                    for c in &mut t.columns {
                        c.truncate(PAGE);
                    }
                    t.len = PAGE;
                    t
                } else {
                    table
                };
                let view = results.view_of(view.table, &shown);
                let mut out = match self.format {
                    SessionFormat::Table => render_table(&[view]),
                    SessionFormat::Csv => render_csv(&view),
                    SessionFormat::Json => render_json(&[view]),
                };
                if self.format == SessionFormat::Table && total > PAGE {
                    out.push_str(&format!("… {} more rows\n", total - PAGE));
                }
                out.trim_end().to_string()
            }
            other => match self.format {
                SessionFormat::Json => crate::value_json(other, results.store(), results.program()),
                SessionFormat::Csv => tally_eval::display::csv_cell(
                    other,
                    results.store(),
                    results.program().settings.rounding,
                ),
                SessionFormat::Table => {
                    crate::value_text(other, results.store(), results.program())
                }
            },
        }
    }

    fn command(&mut self, cmd: &str) -> Reply {
        let (name, arg) = match cmd.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (cmd, ""),
        };
        match name {
            "q" | "quit" | "exit" => Reply::Quit,
            "h" | "help" => Reply::Text(
                std::iter::once(
                    "Enter an expression to evaluate it, or `let NAME = EXPR` to keep a value."
                        .to_string(),
                )
                .chain(COMMANDS.iter().map(|(_, h)| format!("  {h}")))
                .collect::<Vec<_>>()
                .join("\n"),
            ),
            "load" if !arg.is_empty() => self.load(Path::new(arg)),
            "data" if !arg.is_empty() => self.set_data(Path::new(arg)),
            "reload" => self.reload(),
            "format" => match arg {
                "table" => self.set_format(SessionFormat::Table),
                "csv" => self.set_format(SessionFormat::Csv),
                "json" => self.set_format(SessionFormat::Json),
                _ => Reply::Error("`:format` takes `table`, `csv` or `json`".to_string()),
            },
            "type" if !arg.is_empty() => self.type_of(arg),
            "tables" => self.tables(),
            "report" if !arg.is_empty() => self.report(arg),
            "explain" => self.explain(arg),
            "diff" if !arg.is_empty() => self.diff(Path::new(arg)),
            other => {
                let known: Vec<String> = COMMANDS
                    .iter()
                    .map(|(c, _)| c.trim_start_matches(':').to_string())
                    .collect();
                if known.iter().any(|k| k == other) {
                    return Reply::Error(format!("`:{other}` needs an argument; see `:help`"));
                }
                let hint = crate::suggest(other, &known)
                    .map(|s| format!(" (did you mean `:{s}`?)"))
                    .unwrap_or_default();
                Reply::Error(format!(
                    "unknown command `:{other}`{hint}; `:help` lists the commands"
                ))
            }
        }
    }

    fn set_format(&mut self, f: SessionFormat) -> Reply {
        self.format = f;
        Reply::Nothing
    }

    fn type_of(&self, text: &str) -> Reply {
        let Some(results) = &self.results else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let locals: Vec<(String, Type, Span)> = self
            .bindings
            .iter()
            .map(|b| (b.name.clone(), b.ty.clone(), b.span))
            .collect();
        let checked = tally_check::check_expression(results.program(), "<repl>", text, &locals);
        if checked.diagnostics.iter().any(|d| d.is_error()) {
            return Reply::Error(tally_diagnostics::render_human(
                &checked.diagnostics,
                &checked.program.sources,
                Default::default(),
            ));
        }
        Reply::Text(results.program().show(&checked.ty))
    }

    fn tables(&self) -> Reply {
        let Some(results) = &self.results else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let program = results.program();
        let mut lines = Vec::new();
        for (i, t) in program.tables.iter().enumerate() {
            let rows = results.store().table(tally_check::TableId(i as u32)).len;
            let kind = match t.kind {
                tally_check::TableKind::Declared(_) => "table",
                tally_check::TableKind::Credits => "credits",
                tally_check::TableKind::Plan(_) => "plan",
                tally_check::TableKind::Report(_) => "report",
            };
            let cols: Vec<String> = t
                .columns
                .iter()
                .map(|c| format!("{}: {}", c.name, program.show(&c.ty)))
                .collect();
            lines.push(format!(
                "{} ({kind}, {rows} rows)\n    {}",
                t.name,
                cols.join(", ")
            ));
        }
        Reply::Text(lines.join("\n"))
    }

    fn report(&self, name: &str) -> Reply {
        let Some(results) = &self.results else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let Some(view) = results
            .view(name)
            .filter(|_| results.report_names().iter().any(|n| n == name))
        else {
            let hint = crate::suggest(name, &results.report_names())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Reply::Error(format!("no report `{name}`{hint}"));
        };
        Reply::Text(
            match self.format {
                SessionFormat::Table => render_table(&[view]),
                SessionFormat::Csv => render_csv(&view),
                SessionFormat::Json => render_json(&[view]),
            }
            .trim_end()
            .to_string(),
        )
    }

    fn diff(&self, other: &Path) -> Reply {
        let Some(results) = &self.results else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let other_policy = match Policy::compile_file(other) {
            Ok(p) => p,
            Err(f) => return Reply::Error(render_failure(&f)),
        };
        let data = match &self.data {
            Some(sources) => other_policy.load(sources, &LoadLimits::default()),
            None => other_policy.tables_from_json(&[]),
        };
        let other_results = match data.and_then(|d| other_policy.evaluate(&d, Limits::default())) {
            Ok(r) => r,
            Err(f) => return Reply::Error(render_failure(&f)),
        };
        Reply::Text(
            crate::diff::diff(results, &other_results)
                .to_table()
                .trim_end()
                .to_string(),
        )
    }

    fn explain(&self, arg: &str) -> Reply {
        let Some(results) = &self.results else {
            return Reply::Error("no policy loaded yet: `:load POLICY`".to_string());
        };
        let (what, key) = arg
            .split_once(char::is_whitespace)
            .map(|(w, k)| (w, k.trim()))
            .unwrap_or((arg, ""));
        let table = match what {
            "deal" => results.deal_table(),
            "account" => results.account_table(),
            _ => None,
        };
        let (Some(table), false) = (table, key.is_empty()) else {
            return Reply::Error("write `:explain deal KEY` or `:explain account KEY`".to_string());
        };
        match results.explain(&table, key) {
            Ok(Some(e)) => Reply::Text(crate::explanation_text(&e).trim_end().to_string()),
            Ok(None) => Reply::Error(format!("`{table}` has no row with key `{key}`")),
            Err(f) => Reply::Error(render_failure(&f)),
        }
    }
}

/// `let NAME = EXPR` → (NAME, EXPR).
fn parse_let(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix("let")?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (name, expr) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || expr.starts_with('=')
    {
        return None;
    }
    Some((name.to_string(), expr.trim().to_string()))
}

/// True when an entry is complete: every bracket and text is closed (the
/// front end keeps reading lines until then).
pub fn is_complete(text: &str) -> bool {
    let mut depth: i64 = 0;
    let mut in_text = false;
    let mut escaped = false;
    for line in text.lines() {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_text {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => in_text = false,
                    _ => escaped = false,
                }
                continue;
            }
            match c {
                '"' => in_text = true,
                '/' if chars.peek() == Some(&'/') => break,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
        in_text = false;
    }
    depth <= 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness() {
        assert!(is_complete("1 + 2"));
        assert!(!is_complete("let x = credits.where("));
        assert!(is_complete("let x = credits.where(\n  deal == \"(\")"));
        assert!(is_complete("\"(\""));
    }

    #[test]
    fn lets() {
        assert_eq!(
            parse_let("let x = 1"),
            Some(("x".to_string(), "1".to_string()))
        );
        assert_eq!(parse_let("letter == 1"), None);
        assert_eq!(parse_let("let x == 1"), None);
    }
}
