//! Running a policy's `test` and `golden` blocks (spec §2.9): `tally test`.

mod given;
mod golden;
mod junit;

pub use golden::{csv_diff, BlessOutcome, WriteFile};
pub use junit::junit_xml;

use crate::policy::{Data, Failure, Policy};
use crate::results::Results;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tally_data::{DataSources, LoadLimits};
use tally_diagnostics::{Diagnostic, SourceMap, Span};
use tally_eval::{Limits, Value};
use tally_syntax::ast::{BinOp, DeclKind, Expr, ExprKind, GoldenItem, TestItem};

/// What `tally test` was asked to do.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// The run's data (for tests without `given` and goldens without `data`).
    pub data: Option<DataSources>,
    /// Only run tests whose name matches (substring, or `*` wildcards).
    pub filter: Option<String>,
    /// Write golden files instead of comparing.
    pub bless: bool,
    /// Count rule firings.
    pub coverage: bool,
    /// Bounds for each evaluation.
    pub limits: Limits,
    /// How `--bless` writes a golden file (`None`: to a temporary file
    /// beside it, then renamed into place). The CLI passes its own atomic
    /// write, whose temporary files an interruption (Ctrl-C) removes.
    pub write: Option<golden::WriteFile>,
}

/// Whether a case passed.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed; the text says why (rendered for people).
    Failed(String),
    /// A golden file was written (`--bless`).
    Blessed(BlessOutcome),
}

/// One `test` or `golden` block's result.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// `test` or `golden`.
    pub kind: &'static str,
    /// The block's name.
    pub name: String,
    /// Where it is declared (`file:line`).
    pub location: String,
    /// What happened.
    pub outcome: Outcome,
    /// How long it took.
    pub duration: Duration,
}

/// How often one rule fired across the test run.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleCoverage {
    /// `assign accounts.territory` or `credit revenue`.
    pub block: String,
    /// The rule's label (`otherwise` for the fallback).
    pub label: String,
    /// `file:line` of the rule.
    pub location: String,
    /// Rows (or deals) it fired for.
    pub count: u64,
}

/// Everything `tally test` found for one policy.
#[derive(Clone, Debug)]
pub struct TestReport {
    /// The policy file.
    pub policy: String,
    /// One result per block run, in declaration order.
    pub cases: Vec<CaseResult>,
    /// Rule firings, when asked for.
    pub coverage: Option<Vec<RuleCoverage>>,
}

impl TestReport {
    /// Number of failed cases.
    pub fn failures(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
            .count()
    }
}

/// True when `name` matches `pattern`, case-insensitively: the parts of
/// the pattern between `*`s must appear in `name` in order (a pattern
/// without `*` is a substring).
pub fn matches_filter(name: &str, pattern: &str) -> bool {
    let name = name.to_lowercase();
    let mut rest = name.as_str();
    for part in pattern.to_lowercase().split('*').filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(pos) => rest = &rest[pos + part.len()..],
            None => return false,
        }
    }
    true
}

/// Shared state while running one policy's tests.
struct Runner<'a> {
    policy: &'a Policy,
    dir: PathBuf,
    options: &'a TestOptions,
    run_results: Option<Result<Results, String>>,
    coverage: tally_eval::Coverage,
}

impl Runner<'_> {
    fn failure_text(f: &Failure) -> String {
        f.render(false)
    }

    /// Evaluates over `data`, adding to coverage.
    fn evaluate(&mut self, data: &Data) -> Result<Results, String> {
        let program = self.policy.program();
        let (results, coverage) = self
            .policy
            .evaluate_with_coverage(data, self.options.limits, self.options.coverage)
            .map_err(|f| Self::failure_text(&f))?;
        for (span, n) in coverage.unwrap_or_default() {
            *self.coverage.entry(span).or_default() += n;
        }
        let _ = program;
        Ok(results)
    }

    /// The results over the run's data (computed once).
    fn run_results(&mut self) -> Result<Results, String> {
        if let Some(r) = &self.run_results {
            return r.clone();
        }
        let outcome = match &self.options.data {
            None => Err("this reads the run's data: pass `--data DIR`".to_string()),
            Some(sources) => match self.policy.load(sources, &LoadLimits::default()) {
                Ok(data) => self.evaluate(&data),
                Err(f) => Err(format!(
                    "the data did not load:\n{}",
                    Self::failure_text(&f)
                )),
            },
        };
        self.run_results = Some(outcome.clone());
        outcome
    }
}

fn location(program: &tally_check::Program, span: Span) -> String {
    match program.sources.get(span.file) {
        Some(f) => format!("{}:{}", f.name, f.line_col(span.lo()).line),
        None => String::new(),
    }
}

/// Runs every `test` and `golden` of `policy` (whose file is `path`).
pub fn run_tests(policy: &Policy, path: &Path, options: &TestOptions) -> TestReport {
    let program = policy.program();
    let mut runner = Runner {
        policy,
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        options,
        run_results: None,
        coverage: tally_eval::Coverage::new(),
    };
    let mut cases = Vec::new();
    let mut decls: Vec<tally_check::DeclRef> = program
        .tests
        .iter()
        .chain(program.goldens.iter())
        .copied()
        .collect();
    decls.sort_by_key(|r| (r.module, r.decl));
    for r in decls {
        let Some(decl) = program.decl(r) else {
            continue;
        };
        if program
            .modules
            .get(r.module)
            .is_some_and(|m| program.is_stdlib(m.file))
        {
            continue;
        }
        let (kind, name) = match &decl.kind {
            DeclKind::Test(t) => ("test", t.name.value.clone()),
            DeclKind::Golden(g) => ("golden", g.name.value.clone()),
            _ => continue,
        };
        if let Some(f) = &options.filter {
            if !matches_filter(&name, f) {
                continue;
            }
        }
        let started = Instant::now();
        let outcome = match &decl.kind {
            DeclKind::Test(t) => run_test(&mut runner, &t.items),
            DeclKind::Golden(g) => run_golden(&mut runner, &g.items),
            _ => Outcome::Passed,
        };
        cases.push(CaseResult {
            kind,
            name,
            location: location(program, decl.span),
            outcome,
            duration: started.elapsed(),
        });
    }
    let coverage = options
        .coverage
        .then(|| coverage_table(program, &runner.coverage));
    TestReport {
        policy: path.display().to_string(),
        cases,
        coverage,
    }
}

fn run_test(runner: &mut Runner<'_>, items: &[TestItem]) -> Outcome {
    let program = runner.policy.program();
    let givens: Vec<(&str, &Expr)> = items
        .iter()
        .filter_map(|i| match i {
            TestItem::Given { table, rows, .. } => Some((table.name.as_str(), rows)),
            _ => None,
        })
        .collect();
    let results = if givens.is_empty() {
        runner.run_results()
    } else {
        match given::data_from_givens(runner.policy, &givens) {
            Ok(data) => runner.evaluate(&data),
            Err(f) => Err(Runner::failure_text(&f)),
        }
    };
    let results = match results {
        Ok(r) => r,
        Err(why) => return Outcome::Failed(why),
    };
    let mut failures = Vec::new();
    for item in items {
        let TestItem::Expect { value, span } = item else {
            continue;
        };
        match check_expect(&results, value, *span) {
            Ok(None) => {}
            Ok(Some(d)) | Err(d) => failures.push(d),
        }
    }
    if failures.is_empty() {
        Outcome::Passed
    } else {
        Outcome::Failed(tally_diagnostics::render_human(
            &failures,
            &program.sources,
            Default::default(),
        ))
    }
}

/// Evaluates an `expect`; `Ok(None)` when it holds, otherwise a diagnostic
/// with the value of each operand.
fn check_expect(
    results: &Results,
    value: &Expr,
    span: Span,
) -> Result<Option<Diagnostic>, Diagnostic> {
    let program = results.program();
    let eval =
        |e: &Expr| tally_eval::evaluate_expr(program, results.store(), e, &[], Limits::default());
    let v = eval(value).map_err(|e| e.to_diagnostic())?;
    if matches!(v, Value::Bool(true)) {
        return Ok(None);
    }
    let source = |e: &Expr| {
        program
            .sources
            .get(e.span.file)
            .and_then(|f| f.text.get(e.span.lo()..e.span.hi()))
            .unwrap_or("")
            .to_string()
    };
    let mut d = Diagnostic::error("T0001", span, "expectation failed")
        .with_label(format!("`{}` is false", source(value)));
    for operand in operands(value) {
        let shown = match eval(operand) {
            Ok(v) => crate::value_text(&v, results.store(), program),
            Err(e) => format!("error: {}", e.message),
        };
        d = d.with_note(format!("`{}` = {shown}", source(operand)));
    }
    Ok(Some(d))
}

/// The operands worth showing for a failed expectation.
fn operands(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Paren(x) => operands(x),
        ExprKind::Binary {
            op: BinOp::And | BinOp::Or,
            lhs,
            rhs,
        } => {
            let mut v = operands(lhs);
            v.extend(operands(rhs));
            v
        }
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs.as_ref(), rhs.as_ref()],
        ExprKind::Unary { expr, .. } | ExprKind::Is { expr, .. } => vec![expr.as_ref()],
        _ => vec![e],
    }
}

fn run_golden(runner: &mut Runner<'_>, items: &[GoldenItem]) -> Outcome {
    let mut report = None;
    let mut data_dir = None;
    let mut file = None;
    for item in items {
        match item {
            GoldenItem::Report(r) => report = Some(r.name.clone()),
            GoldenItem::Data(d) => data_dir = Some(d.value.clone()),
            GoldenItem::Matches(m) => file = Some(m.value.clone()),
        }
    }
    let (Some(report), Some(file)) = (report, file) else {
        return Outcome::Failed(
            "a golden block needs `report NAME` and `matches \"file.csv\"`".to_string(),
        );
    };
    // Like imports, golden files and `data` directories are read (and, with
    // `--bless`, written) only in the policy's directory or below it.
    let below = |rel: &str| tally_check::confined_join(&runner.dir, &runner.dir, rel);
    let outside = |what: &str, rel: &str| {
        Outcome::Failed(format!(
            "{what} \"{rel}\" is outside the policy's directory: golden files and their data must be in the policy's directory or below it"
        ))
    };
    let Some(path) = below(&file) else {
        return outside("matches", &file);
    };
    let data_dir = match data_dir {
        Some(dir) => match below(&dir) {
            Some(path) => Some(path),
            None => return outside("data", &dir),
        },
        None => None,
    };
    let results = match data_dir {
        Some(dir) => {
            match runner
                .policy
                .load(&DataSources::in_dir(&dir), &LoadLimits::default())
            {
                Ok(data) => runner.evaluate(&data),
                Err(f) => Err(Runner::failure_text(&f)),
            }
        }
        None => runner.run_results(),
    };
    let results = match results {
        Ok(r) => r,
        Err(why) => return Outcome::Failed(why),
    };
    let Some(actual) = results.csv(&report) else {
        return Outcome::Failed(format!("the policy has no report `{report}`"));
    };
    if runner.options.bless {
        return match golden::bless(&path, &actual, runner.options.write) {
            Ok(outcome) => Outcome::Blessed(outcome),
            Err(e) => Outcome::Failed(format!("cannot write `{}`: {e}", path.display())),
        };
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => Outcome::Passed,
        Ok(expected) => Outcome::Failed(format!(
            "report `{report}` differs from `{file}`:\n{}",
            csv_diff(&expected, &actual)
        )),
        Err(_) => Outcome::Failed(format!(
            "the golden file `{file}` does not exist yet; run `tally test --bless` to create it"
        )),
    }
}

fn coverage_table(
    program: &tally_check::Program,
    counts: &tally_eval::Coverage,
) -> Vec<RuleCoverage> {
    let mut out = Vec::new();
    for module in &program.modules {
        if program.is_stdlib(module.file) {
            continue;
        }
        for decl in &module.decls {
            match &decl.kind {
                DeclKind::Assign(a) => {
                    let block = format!("assign {}.{}", a.table.name, a.field.name);
                    for arm in &a.arms {
                        out.push(RuleCoverage {
                            block: block.clone(),
                            label: arm.label_text().to_string(),
                            location: location(program, arm.span),
                            count: counts.get(&arm.span).copied().unwrap_or(0),
                        });
                    }
                }
                DeclKind::Credit(c) => {
                    for item in &c.items {
                        if let tally_syntax::ast::CreditItem::Group(g) = item {
                            let block = format!("credit {}", g.name.name);
                            for arm in &g.arms {
                                out.push(RuleCoverage {
                                    block: block.clone(),
                                    label: arm.label_text().to_string(),
                                    location: location(program, arm.span),
                                    count: counts.get(&arm.span).copied().unwrap_or(0),
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// A failure that is not about one case: the policy or data did not load.
pub fn setup_failure(message: &str) -> Failure {
    Failure {
        diagnostics: vec![Diagnostic::error(
            "T0002",
            Span::default(),
            message.to_string(),
        )],
        sources: SourceMap::new(),
    }
}
