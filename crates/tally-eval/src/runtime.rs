//! What compiled expressions run against: the store, the calendar, the
//! rounding mode, memoised consts, and the step budget.

use crate::calendar::Calendar;
use crate::error::{codes, EvalError};
use crate::money::Currency;
use crate::table::Store;
use crate::value::{RowRef, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use tally_check::{Program, Rounding};
use tally_diagnostics::Span;

/// A compiled expression: evaluated many times, compiled once.
pub type Eval = Arc<dyn Fn(&Runtime, &mut Frame) -> Result<Value, EvalError> + Send + Sync>;

/// The per-evaluation state of one expression: the rows in scope (a stack,
/// one per table method or rule being evaluated) and the local slots.
#[derive(Clone, Debug, Default)]
pub struct Frame {
    /// Rows in scope, outermost first.
    pub rows: Vec<RowRef>,
    /// Local values (`let`, parameters, loop variables, metrics).
    pub slots: Vec<Value>,
    /// The input rows of the current group (grouped reports).
    pub group: Option<Arc<[u32]>>,
    /// Which slots of computed-when-read locals (a credit block's `let`s)
    /// hold their value already: a slot past the end holds none yet.
    computed: Vec<bool>,
}

impl Frame {
    /// A frame with `slots` empty local slots.
    pub fn with_slots(slots: usize) -> Frame {
        Frame {
            rows: Vec::new(),
            slots: vec![Value::None; slots],
            group: None,
            computed: Vec::new(),
        }
    }

    /// Runs `work` with an empty frame of `slots` slots, taken from (and
    /// given back to) this thread's spare frames, so that a function call
    /// allocates nothing once its thread has called a function before.
    pub fn borrowed<R>(slots: usize, work: impl FnOnce(&mut Frame) -> R) -> R {
        thread_local! {
            static SPARE: std::cell::RefCell<Vec<Frame>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let spare = SPARE.with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()));
        let mut frame = spare.unwrap_or_else(|| Frame::with_slots(0));
        frame.slots.resize(slots, Value::None);
        let result = work(&mut frame);
        frame.reset();
        frame.slots.clear();
        SPARE.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                s.push(frame);
            }
        });
        result
    }

    /// Empties the frame for its next use: no rows, every slot none.
    pub fn reset(&mut self) {
        self.rows.clear();
        // (only the slots written are emptied: most of a deal's are not)
        for slot in &mut self.slots {
            if !matches!(slot, Value::None) {
                *slot = Value::None;
            }
        }
        self.group = None;
        // (kept at its length: the next use marks the same slots again)
        self.computed.fill(false);
    }

    /// True when the computed-when-read local in slot `i` holds its value.
    pub(crate) fn is_computed(&self, i: usize) -> bool {
        self.computed.get(i).copied().unwrap_or(false)
    }

    /// Sets the computed-when-read local in slot `i` to `v`, for the rest
    /// of this use of the frame (until [`Frame::reset`]).
    pub(crate) fn set_computed(&mut self, i: usize, v: Value) {
        self.set(i, v);
        if self.computed.len() <= i {
            self.computed.resize(i + 1, false);
        }
        if let Some(done) = self.computed.get_mut(i) {
            *done = true;
        }
    }

    /// Sets slot `i` (growing the frame if needed).
    pub fn set(&mut self, i: usize, v: Value) {
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Value::None);
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = v;
        }
    }
}

/// Bounds a host may put on one evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most rows any loaded table may have.
    pub max_rows: Option<usize>,
    /// Most evaluation steps (row visits and function calls).
    pub max_steps: Option<u64>,
    /// Most rows any computed table (credits, plans, reports) may have.
    pub max_output_rows: Option<usize>,
    /// Longest rollup chain.
    pub max_rollup_depth: Option<usize>,
    /// Most threads one evaluation uses (`None`: one per core). The
    /// results are the same, byte for byte, whatever the number; an
    /// evaluation with `max_steps` or `max_output_rows` uses one thread.
    pub threads: Option<usize>,
}

/// Everything compiled expressions read while running.
pub struct Runtime<'a> {
    /// The checked program.
    pub program: &'a Program,
    /// Every table computed so far.
    pub store: &'a Store,
    /// The fiscal calendar of the policy's settings.
    pub calendar: Calendar,
    /// Money rounding mode.
    pub rounding: Rounding,
    /// Base currency.
    pub currency: Currency,
    /// Const values, computed on first use.
    pub consts: &'a [OnceLock<Result<Value, EvalError>>],
    /// Compiled const expressions.
    pub const_exprs: &'a [Option<Eval>],
    /// Steps taken so far.
    pub steps: &'a AtomicU64,
    /// The limits of this evaluation.
    pub limits: Limits,
    /// Hash indexes for `where` built during this phase.
    pub indexes: crate::compile::where_index::IndexCache,
    /// Evaluate without any index (the reference evaluation).
    pub plain: bool,
}

impl Runtime<'_> {
    /// Counts `n` steps against the budget. Without a `max_steps` limit
    /// nothing is counted: a shared counter touched on every row by every
    /// core would cost more than the work it counts.
    pub fn step(&self, n: u64, span: Span) -> Result<(), EvalError> {
        let Some(max) = self.limits.max_steps else {
            return Ok(());
        };
        let taken = self.steps.fetch_add(n, Ordering::Relaxed) + n;
        if taken <= max {
            return Ok(());
        }
        Err(EvalError::new(
            codes::LIMIT,
            span,
            format!("the evaluation took more than {max} steps (the `max_steps` limit)"),
        )
        .help("raise `Limits::max_steps` given to the evaluation, or reduce the data or the policy's work per row"))
    }

    /// The value of const `i`.
    pub fn const_value(&self, i: usize) -> Result<Value, EvalError> {
        let Some(cell) = self.consts.get(i) else {
            return Ok(Value::None);
        };
        cell.get_or_init(|| match self.const_exprs.get(i) {
            Some(Some(e)) => e(self, &mut Frame::default()),
            _ => Ok(Value::None),
        })
        .clone()
    }

    /// The zero of a result type (sums over no rows).
    pub fn zero_money(&self) -> Value {
        Value::Money(crate::money::Money::new(
            rust_decimal::Decimal::ZERO,
            self.currency,
        ))
    }
}
