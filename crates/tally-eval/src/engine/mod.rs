//! The order of evaluation (spec §5): derived fields (`assign`), then
//! `credits`, plans and reports in dependency order.

mod assign;
mod credit;
pub mod parallel;
mod plan;
mod report;

use crate::compile::Compiler;
use crate::error::{codes, EvalError};
use crate::money::Currency;
use crate::runtime::{Eval, Limits, Runtime};
use crate::table::Store;
use crate::value::Value;
use std::borrow::Cow;
use std::sync::atomic::AtomicU64;
use std::sync::OnceLock;
use tally_check::{ColumnOrigin, Program, TableId, TableKind};
use tally_diagnostics::Span;
use tally_syntax::ast::DeclKind;

/// Shared state of one evaluation across its phases.
pub(crate) struct Engine<'p> {
    pub program: &'p Program,
    /// Evaluate without indexes: the reference evaluation of differential tests.
    pub plain: bool,
    /// Rule firings by rule span, when coverage is collected.
    pub coverage: Option<std::sync::Mutex<std::collections::BTreeMap<Span, u64>>>,
    pub consts: Vec<OnceLock<Result<Value, EvalError>>>,
    pub const_exprs: Vec<Option<Eval>>,
    pub steps: AtomicU64,
    pub limits: Limits,
    pub currency: Currency,
}

impl<'p> Engine<'p> {
    pub(crate) fn new(program: &'p Program, limits: Limits) -> Result<Engine<'p>, EvalError> {
        let mut const_exprs = Vec::with_capacity(program.consts.len());
        for c in &program.consts {
            let compiled = match program.decl(c.decl).map(|d| &d.kind) {
                Some(DeclKind::Const(k)) => Some(Compiler::new(program).expr(&k.value)?),
                _ => None,
            };
            const_exprs.push(compiled);
        }
        let currency = Currency::parse(&program.settings.currency).unwrap_or(Currency(*b"USD"));
        Ok(Engine {
            program,
            plain: false,
            coverage: None,
            consts: (0..program.consts.len()).map(|_| OnceLock::new()).collect(),
            const_exprs,
            steps: AtomicU64::new(0),
            limits,
            currency,
        })
    }

    /// A runtime over `store` for one phase.
    pub fn runtime<'a>(&'a self, store: &'a Store) -> Runtime<'a> {
        Runtime {
            program: self.program,
            store,
            calendar: crate::calendar::Calendar::new(self.program.settings.fiscal_year_start),
            rounding: self.program.settings.rounding,
            currency: self.currency,
            consts: &self.consts,
            const_exprs: &self.const_exprs,
            steps: &self.steps,
            limits: self.limits,
            indexes: Default::default(),
            plain: self.plain,
        }
    }

    /// Counts one firing of the rule at `span` (when collecting coverage).
    pub fn fired(&self, span: Span) {
        if let Some(c) = &self.coverage {
            if let Ok(mut map) = c.lock() {
                *map.entry(span).or_default() += 1;
            }
        }
    }

    /// Fails when a computed table grew past `max_output_rows`.
    pub fn check_output(&self, rows: usize, table: &str, span: Span) -> Result<(), EvalError> {
        match self.limits.max_output_rows {
            Some(max) if rows > max => Err(EvalError::new(
                codes::LIMIT,
                span,
                format!("`{table}` has more than {max} rows (the `max_output_rows` limit)"),
            )
            .help("raise `Limits::max_output_rows` given to the evaluation, or narrow the table")),
            _ => Ok(()),
        }
    }
}

/// How many rows each rule fired for (assign rules per row, crediting
/// rules per deal), by the rule's span.
pub type Coverage = std::collections::BTreeMap<Span, u64>;

/// Evaluates a checked program over a store whose declared tables are
/// loaded: fills in derived columns, `credits`, plans and reports.
pub fn evaluate(program: &Program, store: Store, limits: Limits) -> Result<Store, EvalError> {
    evaluate_with_coverage(program, store, limits, false).map(|(s, _)| s)
}

/// [`evaluate`], also counting rule firings when `coverage` is true.
pub fn evaluate_with_coverage(
    program: &Program,
    store: Store,
    limits: Limits,
    coverage: bool,
) -> Result<(Store, Option<Coverage>), EvalError> {
    run_phases(program, store, limits, coverage).map(|(s, c, _)| (s, c))
}

/// How long each phase of an evaluation took: `assign`, `credit`, `plans`,
/// `reports`.
pub type Phases = Vec<(&'static str, std::time::Duration)>;

/// The reference evaluation: the same program evaluated row by row, with
/// no rule dispatch index and no `where` index. Differential tests check
/// that [`evaluate`] gives exactly the same tables.
pub fn evaluate_reference(
    program: &Program,
    store: Store,
    limits: Limits,
) -> Result<Store, EvalError> {
    run_phases_with(program, store, limits, false, true).map(|(s, _, _)| s)
}

/// [`evaluate`], also timing each phase (for benchmarks).
pub fn evaluate_profiled(
    program: &Program,
    store: Store,
    limits: Limits,
) -> Result<(Store, Phases), EvalError> {
    run_phases(program, store, limits, false).map(|(s, _, p)| (s, p))
}

fn add_phase(phases: &mut Phases, name: &'static str, d: std::time::Duration) {
    match phases.iter_mut().find(|(n, _)| *n == name) {
        Some((_, t)) => *t += d,
        None => phases.push((name, d)),
    }
}

fn run_phases(
    program: &Program,
    store: Store,
    limits: Limits,
    coverage: bool,
) -> Result<(Store, Option<Coverage>, Phases), EvalError> {
    run_phases_with(program, store, limits, coverage, false)
}

fn run_phases_with(
    program: &Program,
    mut store: Store,
    limits: Limits,
    coverage: bool,
    plain: bool,
) -> Result<(Store, Option<Coverage>, Phases), EvalError> {
    let mut phases = Phases::new();
    let mut engine = Engine::new(program, limits)?;
    engine.plain = plain;
    if coverage {
        engine.coverage = Some(std::sync::Mutex::new(Coverage::new()));
    }
    if let Some(max) = limits.max_rows {
        for (i, info) in program.tables.iter().enumerate() {
            let id = TableId(u32::try_from(i).unwrap_or(u32::MAX));
            let len = store.table(id).len;
            if matches!(info.kind, TableKind::Declared(_)) && len > max {
                return Err(EvalError::new(
                    codes::LIMIT,
                    info.span.unwrap_or_default(),
                    format!(
                        "table `{}` has {len} rows, more than the `max_rows` limit of {max}",
                        info.name
                    ),
                )
                .help("raise `Limits::max_rows` given to the evaluation, or load less data"));
            }
        }
    }
    prepare_derived_columns(program, &mut store);
    let started = std::time::Instant::now();
    for &idx in &program.assign_order {
        assign::run(&engine, &mut store, idx)?;
    }
    add_phase(&mut phases, "assign", started.elapsed());
    for &id in &program.table_order {
        let Some(info) = program.table(id) else {
            continue;
        };
        let started = std::time::Instant::now();
        let (phase, table) = match &info.kind {
            TableKind::Credits => ("credit", credit::run(&engine, &store, id)?),
            TableKind::Plan(r) => ("plans", plan::run(&engine, &store, id, *r)?),
            TableKind::Report(r) => ("reports", report::run(&engine, &store, id, *r)?),
            TableKind::Declared(_) => continue,
        };
        add_phase(&mut phases, phase, started.elapsed());
        engine.check_output(table.len, &info.name, info.span.unwrap_or_default())?;
        store.set(id, table);
    }
    let coverage = engine.coverage.take().and_then(|c| c.into_inner().ok());
    Ok((store, coverage, phases))
}

/// Adds an empty column for every derived field and rule label, so store
/// column indices match the checker's.
fn prepare_derived_columns(program: &Program, store: &mut Store) {
    for (i, info) in program.tables.iter().enumerate() {
        if !matches!(info.kind, TableKind::Declared(_)) {
            continue;
        }
        let id = TableId(u32::try_from(i).unwrap_or(u32::MAX));
        let Some(table) = store.table_mut(id) else {
            continue;
        };
        if table.name.is_empty() {
            table.name = info.name.clone();
        }
        for col in info.columns.iter().skip(table.columns.len()) {
            if matches!(
                col.origin,
                ColumnOrigin::Derived(_) | ColumnOrigin::RuleLabel(_)
            ) {
                let n = table.len;
                table.push_column(col.name.clone(), vec![Value::None; n]);
            }
        }
    }
}

/// The computed table `id` (a plan or report) with its columns and no rows.
pub(crate) fn empty_table(program: &Program, id: TableId) -> crate::table::Table {
    let info = program.table(id);
    let names: Vec<&str> = info
        .map(|t| t.columns.iter().map(|c| c.name.as_str()).collect())
        .unwrap_or_default();
    crate::table::Table::new(info.map(|t| t.name.as_str()).unwrap_or(""), &names)
}

/// "opportunities O-003": the table and key of a row, for messages.
pub(crate) fn row_label(store: &Store, r: crate::value::RowRef) -> String {
    let t = store.table(r.table);
    match t.origin(r.row as usize) {
        Some(origin) => format!("`{}` row {} ({origin})", t.name, store.key_text(r)),
        None => format!("`{}` row {}", t.name, store.key_text(r)),
    }
}

/// Evaluates one checked expression over the tables of a finished run
/// (`tally query`, the REPL). `locals` are REPL bindings: the span that
/// defines each, and its value.
pub fn evaluate_expr(
    program: &Program,
    store: &Store,
    expr: &tally_syntax::ast::Expr,
    locals: &[(Span, Value)],
    limits: Limits,
) -> Result<Value, EvalError> {
    let engine = Engine::new(program, limits)?;
    let mut compiler = Compiler::new(program);
    compiler.push_locals();
    let slots: Vec<usize> = locals
        .iter()
        .map(|(span, _)| compiler.bind(*span))
        .collect();
    let compiled = compiler.expr(expr)?;
    let rt = engine.runtime(store);
    let mut frame = crate::runtime::Frame::with_slots(compiler.slots());
    for (slot, (_, v)) in slots.iter().zip(locals) {
        frame.set(*slot, v.clone());
    }
    compiled(&rt, &mut frame)
}

/// A table value as a stand-alone table (the selected rows, in order).
pub fn materialize(store: &Store, view: &crate::value::TableView) -> crate::table::Table {
    let source = store.table(view.table);
    let names: Vec<&str> = source.columns.iter().map(|c| c.name.as_str()).collect();
    let mut out = crate::table::Table::new(source.name.clone(), &names);
    let rows: Vec<u32> = match &view.rows {
        Some(r) => r.to_vec(),
        None => (0..u32::try_from(source.len).unwrap_or(u32::MAX)).collect(),
    };
    out.origins.file = source.origins.file.clone();
    for r in rows {
        out.push_row(
            source
                .columns
                .iter()
                .map(|c| c.get(r as usize).map_or(Value::None, Cow::into_owned))
                .collect(),
        );
        if let Some(line) = source.origins.lines.get(r as usize) {
            out.origins.lines.push(line);
        }
    }
    if let Some(k) = source.key {
        out.set_key(k);
    }
    out
}
