//! Compiling checked expressions into closures, once. Names are resolved
//! here (through the checker's resolutions) into row, column and slot
//! positions, so evaluation never looks anything up by name.

mod by_code;
mod code_test;
mod inline;
pub(crate) use code_test::{Answers, CodeTest};
pub(crate) mod calls;
pub(crate) mod sum;
pub mod tiers;
pub mod where_index;

use crate::error::{codes, EvalError};
use crate::ops;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::Store;
use crate::value::{RowRef, TableView, Value};
use by_code::ByCode;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use tally_check::{Program, Resolution, TableId, Type};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// A compiled function: its body and the number of local slots it needs.
pub struct CompiledFn {
    /// The body (parameters are slots `0..params`).
    pub body: Eval,
    /// Local slots the body uses.
    pub slots: usize,
}

#[derive(Clone, Debug)]
enum Scope {
    /// A row of `table` is at `frame.rows[depth]`.
    Row { table: TableId, depth: usize },
    /// Locals defined at these spans live in these slots.
    Locals(Vec<(Span, usize)>),
    /// A grouped report: keys are locals; aggregates iterate `frame.group`
    /// rows of `input`, pushing each at `frame.rows[depth]`.
    Group { input: TableId, depth: usize },
    /// The body of a function compiled in place of its call: nothing
    /// outside it (the caller's locals, rows and group) is in scope.
    Inlined,
}

/// Compiles expressions of one program.
pub struct Compiler<'p> {
    pub(crate) program: &'p Program,
    scopes: Vec<Scope>,
    rows_depth: usize,
    next_slot: usize,
    max_slot: usize,
    fns: HashMap<usize, Arc<CompiledFn>>,
    /// The functions whose bodies are being compiled in place of a call.
    inlining: Vec<usize>,
    /// The slots of parameters given a literal by the call their body is
    /// compiled in place of, with that literal: the body reads it as a
    /// literal (`role == job` with `job` given `"AE"` is `role == "AE"`).
    known: HashMap<usize, Value>,
    /// The slots of parameters given a value read in place by the call
    /// their body is compiled in place of (see [`Compiler::reads_in_place`]),
    /// with that read: the body reads the caller's cell where it reads the
    /// parameter, and no slot is written.
    read_in_place: HashMap<usize, Eval>,
    /// Of those, the ones given a cell reached from a row in scope (see
    /// [`Compiler::cell_path`]), with the way to the cell.
    cell_paths: HashMap<usize, CellPath>,
    /// The slots of locals computed when first read (a credit block's
    /// `let`s): their compiled value and the row depth it was compiled at.
    computed_when_read: HashMap<usize, (Eval, usize)>,
}

fn internal(span: Span, what: &str) -> EvalError {
    EvalError::new(codes::NONE_VALUE, span, format!("internal error: {what}"))
}

impl<'p> Compiler<'p> {
    /// A compiler for `program` with no scopes.
    pub fn new(program: &'p Program) -> Compiler<'p> {
        Compiler {
            program,
            scopes: Vec::new(),
            rows_depth: 0,
            next_slot: 0,
            max_slot: 0,
            fns: HashMap::new(),
            inlining: Vec::new(),
            known: HashMap::new(),
            read_in_place: HashMap::new(),
            cell_paths: HashMap::new(),
            computed_when_read: HashMap::new(),
        }
    }

    /// Slots needed by what was compiled so far.
    pub fn slots(&self) -> usize {
        self.max_slot
    }

    /// Allocates a new local slot for the name defined at `def`.
    pub fn bind(&mut self, def: Span) -> usize {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.max_slot = self.max_slot.max(self.next_slot);
        match self.scopes.last_mut() {
            Some(Scope::Locals(v)) => v.push((def, slot)),
            _ => self.scopes.push(Scope::Locals(vec![(def, slot)])),
        }
        slot
    }

    /// Binds the name defined at `def` to `value`, computed the first time
    /// the name is read in a use of the frame and kept until the frame is
    /// reset (a credit block's `let`, once per deal): a deal whose rules
    /// never read it never computes it.
    pub fn bind_computed_when_read(&mut self, def: Span, value: Eval) -> usize {
        let slot = self.bind(def);
        self.computed_when_read
            .insert(slot, (value, self.rows_depth));
        slot
    }

    /// Opens a scope for locals.
    pub fn push_locals(&mut self) {
        self.scopes.push(Scope::Locals(Vec::new()));
    }

    /// Opens a row scope: a row of `table` will be at `frame.rows[depth]`.
    /// Returns the depth.
    pub fn push_row(&mut self, table: TableId) -> usize {
        let depth = self.rows_depth;
        self.rows_depth += 1;
        self.scopes.push(Scope::Row { table, depth });
        depth
    }

    /// Opens a grouped-report scope over `input`.
    pub fn push_group(&mut self, input: TableId) -> usize {
        let depth = self.rows_depth;
        self.rows_depth += 1;
        self.scopes.push(Scope::Group { input, depth });
        depth
    }

    /// Closes the innermost scope.
    pub fn pop(&mut self) {
        if let Some(Scope::Row { .. } | Scope::Group { .. }) = self.scopes.pop() {
            self.rows_depth = self.rows_depth.saturating_sub(1);
        }
    }

    /// The scopes in view, innermost first (up to an inlined body's edge).
    fn visible(&self) -> impl Iterator<Item = &Scope> {
        self.scopes
            .iter()
            .rev()
            .take_while(|s| !matches!(s, Scope::Inlined))
    }

    fn find_local(&self, def: Span) -> Option<usize> {
        self.visible().find_map(|s| match s {
            Scope::Locals(v) => v
                .iter()
                .rev()
                .find(|(d, _)| *d == def)
                .map(|(_, slot)| *slot),
            _ => None,
        })
    }

    fn find_row(&self, table: TableId) -> Option<usize> {
        self.visible().find_map(|s| match s {
            Scope::Row { table: t, depth } | Scope::Group { input: t, depth } if *t == table => {
                Some(*depth)
            }
            _ => None,
        })
    }

    pub(crate) fn group_scope(&self) -> Option<(TableId, usize)> {
        self.visible().find_map(|s| match s {
            Scope::Group { input, depth } => Some((*input, *depth)),
            _ => None,
        })
    }

    pub(crate) fn type_of(&self, span: Span) -> Type {
        self.program
            .types
            .get(&span)
            .cloned()
            .unwrap_or(Type::Unknown)
    }

    /// Compiles an expression.
    pub fn expr(&mut self, e: &Expr) -> Result<Eval, EvalError> {
        let span = e.span;
        Ok(match &e.kind {
            ExprKind::Int(n) => {
                let v = Value::Int(i64::try_from(n.value.mantissa()).unwrap_or(i64::MAX));
                constant(v)
            }
            ExprKind::Decimal(n) => constant(Value::Decimal(n.value)),
            ExprKind::Percent(n) => constant(Value::Percent(n.value)),
            ExprKind::Money { amount, currency } => {
                let c = crate::money::Currency::parse(currency)
                    .ok_or_else(|| internal(span, "bad currency"))?;
                constant(Value::Money(crate::money::Money::new(amount.value, c)))
            }
            ExprKind::Date(d) => constant(Value::Date(*d)),
            ExprKind::Period(p) => constant(Value::Period(*p)),
            ExprKind::Text(t) => constant(Value::text(t)),
            ExprKind::Bool(b) => constant(Value::Bool(*b)),
            ExprKind::None => constant(Value::None),
            ExprKind::Paren(inner) => self.expr(inner)?,
            ExprKind::List(items) => {
                let items = items
                    .iter()
                    .map(|i| self.expr(i))
                    .collect::<Result<Vec<_>, _>>()?;
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let values = items
                        .iter()
                        .map(|i| i(rt, f))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Value::List(values.into()))
                })
            }
            ExprKind::Map(entries) => {
                let entries = entries
                    .iter()
                    .map(|(k, v)| Ok((self.expr(k)?, self.expr(v)?)))
                    .collect::<Result<Vec<_>, EvalError>>()?;
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let mut out = Vec::with_capacity(entries.len());
                    for (k, v) in &entries {
                        out.push((k(rt, f)?, v(rt, f)?));
                    }
                    Ok(Value::Map(out.into()))
                })
            }
            ExprKind::Record(fields) => {
                let fields = fields
                    .iter()
                    .map(|(n, v)| Ok((Arc::<str>::from(n.name.as_str()), self.expr(v)?)))
                    .collect::<Result<Vec<_>, EvalError>>()?;
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let mut out = Vec::with_capacity(fields.len());
                    for (n, v) in &fields {
                        out.push((n.clone(), v(rt, f)?));
                    }
                    Ok(Value::Record(out.into()))
                })
            }
            ExprKind::Name(id) => self.name(id)?,
            ExprKind::Field {
                base,
                name,
                optional,
            } => self.field(base, name, *optional, span)?,
            ExprKind::Method {
                receiver,
                method,
                args,
                optional,
            } => self.method(receiver, method, args, *optional, span)?,
            ExprKind::Call { func, args } => self.call(func, args, span)?,
            ExprKind::Index { base, index } => self.index(base, index, span)?,
            ExprKind::Unary { op, expr } => {
                let inner = self.expr(expr)?;
                match op {
                    UnOp::Not => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                        Ok(Value::Bool(!matches!(inner(rt, f)?, Value::Bool(true))))
                    }),
                    UnOp::Neg => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                        ops::negate(&inner(rt, f)?, span)
                    }),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, span)?,
            ExprKind::Is { expr, some } => {
                let inner = self.expr(expr)?;
                let some = *some;
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    Ok(Value::Bool(inner(rt, f)?.is_none() != some))
                })
            }
            ExprKind::Cast { expr, ty } => {
                let inner = self.expr(expr)?;
                let to = ty.name.name.clone();
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let v = inner(rt, f)?;
                    Ok(match (to.as_str(), v.as_decimal()) {
                        ("Percent", Some(d)) => Value::Percent(d),
                        ("Decimal", Some(d)) => Value::Decimal(d),
                        _ => v,
                    })
                })
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let (c, t, o) = (self.expr(cond)?, self.expr(then)?, self.expr(otherwise)?);
                let ty = self.type_of(span);
                let widen = matches!(ty.strip_optional(), Type::Decimal);
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let v = if matches!(c(rt, f)?, Value::Bool(true)) {
                        t(rt, f)?
                    } else {
                        o(rt, f)?
                    };
                    Ok(if widen { to_decimal(v) } else { v })
                })
            }
            ExprKind::Tiered(t) => self.tiered(t, span)?,
        })
    }

    fn name(&mut self, id: &Ident) -> Result<Eval, EvalError> {
        let span = id.span;
        match self.program.resolutions.get(&id.span).cloned() {
            Some(Resolution::Local(def)) => {
                let slot = self
                    .find_local(def)
                    .ok_or_else(|| internal(span, &format!("no slot for `{}`", id.name)))?;
                if let Some(v) = self.known.get(&slot) {
                    return Ok(constant(v.clone()));
                }
                if let Some(read) = self.read_in_place.get(&slot) {
                    return Ok(read.clone());
                }
                if let Some((value, depth)) = self.computed_when_read.get(&slot) {
                    return Ok(computed_when_read(slot, value.clone(), *depth));
                }
                Ok(Arc::new(move |_: &Runtime, f: &mut Frame| {
                    Ok(f.slots.get(slot).cloned().unwrap_or(Value::None))
                }))
            }
            Some(Resolution::Column(t, col)) => {
                let depth = self
                    .find_row(t)
                    .ok_or_else(|| internal(span, &format!("no row for `{}`", id.name)))?;
                Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let r = row_in(f, depth, span)?;
                    Ok(rt.store.cell(r, col).into_owned())
                }))
            }
            Some(Resolution::Const(c)) => Ok(Arc::new(move |rt: &Runtime, _: &mut Frame| {
                rt.const_value(c)
            })),
            Some(Resolution::Territory(t)) => Ok(constant(Value::Territory(
                u32::try_from(t).unwrap_or(u32::MAX),
            ))),
            Some(Resolution::Table(t)) => Ok(constant(Value::Table(Arc::new(TableView {
                table: t,
                rows: None,
            })))),
            _ => Err(internal(span, &format!("`{}` is not resolved", id.name))),
        }
    }

    fn field(
        &mut self,
        base: &Expr,
        name: &Ident,
        optional: bool,
        span: Span,
    ) -> Result<Eval, EvalError> {
        let b = self.expr(base)?;
        let column = match self.program.resolutions.get(&name.span) {
            Some(Resolution::Column(_, c)) => Some(*c),
            _ => None,
        };
        let field = name.name.clone();
        let step: Eval = Arc::new(move |rt: &Runtime, f: &mut Frame| {
            let v = b(rt, f)?;
            match v {
                Value::None if optional => Ok(Value::None),
                Value::Row(r) => match column {
                    Some(c) => Ok(rt.store.cell(r, c).into_owned()),
                    None => Err(internal(span, "unresolved column")),
                },
                Value::Territory(t) => Ok(territory_field(rt, t, &field)),
                Value::None => Err(EvalError::new(
                    codes::NONE_VALUE,
                    span,
                    format!("`.{field}` on a value that is none"),
                )
                .help(format!("write `?.{field}` to get none instead"))),
                other => Err(internal(span, &format!("`.{field}` on {}", other.kind()))),
            }
        });
        // `account.territory`, `deal.account.territory`: the references
        // are followed by row number, and only the last cell is read; a
        // reference that is not there (none, a territory) is left to the
        // step by step reading, which says what it is.
        match (self.column_path(base), column) {
            (Some((depth, mut columns)), Some(last)) => {
                columns.push(last);
                let path = CellPath { depth, columns };
                Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    match path.read(rt.store, f) {
                        Some(cell) => Ok(cell.into_owned()),
                        None => step(rt, f),
                    }
                }))
            }
            _ => Ok(step),
        }
    }

    /// When `e` reads a cell of a row in scope, directly or through
    /// references (`close_date`, `account.territory`), or is a parameter
    /// given such a read: the way to the cell.
    pub(super) fn cell_path(&self, e: &Expr) -> Option<CellPath> {
        if let ExprKind::Name(id) = &e.kind {
            if let Some(Resolution::Local(def)) = self.program.resolutions.get(&id.span) {
                let slot = self.find_local(*def)?;
                return self.cell_paths.get(&slot).cloned();
            }
        }
        let (depth, columns) = self.column_path(e)?;
        Some(CellPath { depth, columns })
    }

    /// When `e` is a column of a row in scope followed by fields
    /// (`account`, `deal.account`): the row's depth, and the columns
    /// whose references lead from it to the row `e` is.
    fn column_path(&self, e: &Expr) -> Option<(usize, Vec<usize>)> {
        let resolved = |id: &Ident| match self.program.resolutions.get(&id.span) {
            Some(Resolution::Column(t, c)) => Some((*t, *c)),
            _ => None,
        };
        match &e.kind {
            ExprKind::Name(id) => {
                let (table, column) = resolved(id)?;
                Some((self.find_row(table)?, vec![column]))
            }
            ExprKind::Field { base, name, .. } => {
                let (depth, mut path) = self.column_path(base)?;
                path.push(resolved(name)?.1);
                Some((depth, path))
            }
            _ => None,
        }
    }

    fn index(&mut self, base: &Expr, index: &Expr, span: Span) -> Result<Eval, EvalError> {
        let (b, i) = (self.expr(base)?, self.expr(index)?);
        Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
            let container = b(rt, f)?;
            let key = i(rt, f)?;
            match container {
                Value::Map(entries) => Ok(entries
                    .iter()
                    .find(|(k, _)| ops::equal(k, &key, rt.store))
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::None)),
                Value::Table(view) => {
                    let table = rt.store.table(view.table);
                    let lookup_key = match &key {
                        Value::Row(r) => rt.store.row_key(*r).map_or(Value::None, Cow::into_owned),
                        k => k.clone(),
                    };
                    match table.lookup(&lookup_key) {
                        Some(row) => Ok(Value::Row(RowRef {
                            table: view.table,
                            row,
                        })),
                        None => Err(EvalError::new(
                            codes::MISSING_ROW,
                            span,
                            format!(
                                "`{}` has no row with key {}",
                                table.name,
                                crate::display::plain(&key, rt.store)
                            ),
                        )
                        .help("use `.get(key)` to get none instead of an error")),
                    }
                }
                Value::None => Ok(Value::None),
                other => Err(internal(span, &format!("indexing {}", other.kind()))),
            }
        }))
    }

    /// The value of `e` when it is a literal, or a parameter given a
    /// literal by the call its body is compiled in place of.
    pub(super) fn literal_of(&self, e: &Expr) -> Option<Value> {
        if let ExprKind::Name(id) = &e.kind {
            if let Some(Resolution::Local(def)) = self.program.resolutions.get(&id.span) {
                let slot = self.find_local(*def)?;
                return self.known.get(&slot).cloned();
            }
        }
        literal_value(self.program, e)
    }

    /// The row depth and column of `e` when it is a column of a row in scope.
    fn column_ref(&self, e: &Expr) -> Option<(usize, usize)> {
        let ExprKind::Name(id) = &e.kind else {
            return None;
        };
        match self.program.resolutions.get(&id.span) {
            Some(Resolution::Column(t, c)) => self.find_row(*t).map(|d| (d, *c)),
            _ => None,
        }
    }

    /// `column OP literal` compared in place, without copying the cell: the
    /// filters of rules and `where`s are mostly of this shape.
    fn column_vs_literal(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Option<Eval> {
        let (depth, test) = self.literal_test_at(op, lhs, rhs, span)?;
        Some(if test.is_equality() {
            let by_code = ByCode::default();
            let col = test.column;
            Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let r = row_in(f, depth, span)?;
                Ok(Value::Bool(
                    by_code.test(rt.store, r, col, |v| test.matches(v, rt.store)),
                ))
            })
        } else {
            Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let r = row_in(f, depth, span)?;
                Ok(Value::Bool(test.holds(rt, r)?))
            })
        })
    }

    /// The (row depth, column) and the literal that `lhs OP rhs` compares
    /// (`column OP literal`, or `literal == column` and `!=`).
    fn column_and_literal(
        &self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
    ) -> Option<((usize, usize), Value)> {
        match (self.column_ref(lhs), self.literal_of(rhs)) {
            (Some(c), Some(v)) => Some((c, v)),
            _ => match (self.literal_of(lhs), self.column_ref(rhs)) {
                (Some(v), Some(c)) if op == BinOp::Eq || op == BinOp::Ne => Some((c, v)),
                _ => None,
            },
        }
    }

    /// `e` as tests of columns of the row in scope at depth 0 against
    /// literals, joined by `and` (a territory rule's condition); `None`
    /// when it is anything else. [`LiteralTest::all_hold`] gives what the
    /// compiled `e` gives, without a closure per test.
    pub(crate) fn literal_tests(&self, e: &Expr) -> Option<Vec<LiteralTest>> {
        let mut operands = Vec::new();
        and_operands(e, &mut operands);
        operands.into_iter().map(|x| self.literal_test(x)).collect()
    }

    fn literal_test(&self, e: &Expr) -> Option<LiteralTest> {
        let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
            return None;
        };
        let (depth, test) = self.literal_test_at(*op, lhs, rhs, e.span)?;
        (depth == 0).then_some(test)
    }

    /// `lhs OP rhs` (spanning `span`) as a test of a column against a
    /// literal, with the depth of the column's row.
    fn literal_test_at(
        &self,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Option<(usize, LiteralTest)> {
        let ((depth, column), literal) = self.column_and_literal(op, lhs, rhs)?;
        let supported = match op {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => true,
            BinOp::In => matches!(literal, Value::List(_)),
            _ => false,
        };
        supported.then_some((
            depth,
            LiteralTest {
                column,
                op,
                literal,
                span,
            },
        ))
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> Result<Eval, EvalError> {
        if let Some(fast) = self.column_vs_literal(op, lhs, rhs, span) {
            return Ok(fast);
        }
        if op == BinOp::And {
            // `a and b and c ...` as one loop over the operands, left to
            // right, stopping at the first that is not true.
            let mut operands = Vec::new();
            and_operands(lhs, &mut operands);
            and_operands(rhs, &mut operands);
            let tests = operands
                .into_iter()
                .map(|e| self.expr(e))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Arc::new(move |rt: &Runtime, f: &mut Frame| {
                for test in &tests {
                    if !matches!(test(rt, f)?, Value::Bool(true)) {
                        return Ok(Value::Bool(false));
                    }
                }
                Ok(Value::Bool(true))
            }));
        }
        let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
        Ok(match op {
            BinOp::And => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                Ok(Value::Bool(
                    matches!(a(rt, f)?, Value::Bool(true))
                        && matches!(b(rt, f)?, Value::Bool(true)),
                ))
            }),
            BinOp::Or => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                Ok(Value::Bool(
                    matches!(a(rt, f)?, Value::Bool(true))
                        || matches!(b(rt, f)?, Value::Bool(true)),
                ))
            }),
            BinOp::Eq | BinOp::Ne => {
                let want = op == BinOp::Eq;
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let (x, y) = (a(rt, f)?, b(rt, f)?);
                    Ok(Value::Bool(ops::equal(&x, &y, rt.store) == want))
                })
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let (x, y) = (a(rt, f)?, b(rt, f)?);
                    Ok(Value::Bool(ops::order(op, &x, &y, span, rt.store)?))
                })
            }
            BinOp::In => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let (x, y) = (a(rt, f)?, b(rt, f)?);
                Ok(Value::Bool(match (&x, &y) {
                    (Value::None, _) => false,
                    (_, Value::List(items)) => items.iter().any(|i| ops::equal(&x, i, rt.store)),
                    (Value::Date(d), Value::Period(p)) => rt.calendar.contains(*p, *d),
                    _ => false,
                }))
            }),
            BinOp::Within => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let (x, y) = (a(rt, f)?, b(rt, f)?);
                Ok(Value::Bool(match (x, y) {
                    (Value::Territory(t), Value::Territory(anc)) => within(rt, t, anc),
                    _ => false,
                }))
            }),
            BinOp::Default => Arc::new(move |rt: &Runtime, f: &mut Frame| {
                let x = a(rt, f)?;
                if x.is_none() {
                    b(rt, f)
                } else {
                    Ok(x)
                }
            }),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                Arc::new(move |rt: &Runtime, f: &mut Frame| {
                    let (x, y) = (a(rt, f)?, b(rt, f)?);
                    ops::arith(op, &x, &y, span, rt.store)
                })
            }
        })
    }

    /// Compiles (once) and returns function `index`.
    pub(crate) fn function(
        &mut self,
        index: usize,
        span: Span,
    ) -> Result<Arc<CompiledFn>, EvalError> {
        if let Some(f) = self.fns.get(&index) {
            return Ok(f.clone());
        }
        let info = self
            .program
            .fns
            .get(index)
            .ok_or_else(|| internal(span, "unknown function"))?;
        let r = info
            .decl
            .ok_or_else(|| internal(span, "native function has no body"))?;
        let Some(DeclKind::Fn(decl)) = self.program.decl(r).map(|d| &d.kind) else {
            return Err(internal(span, "function declaration missing"));
        };
        let mut inner = Compiler::new(self.program);
        inner.fns = std::mem::take(&mut self.fns);
        inner.push_locals();
        for p in &decl.params {
            inner.bind(p.name.span);
        }
        let body = inner.expr(&decl.body);
        self.fns = std::mem::take(&mut inner.fns);
        let compiled = Arc::new(CompiledFn {
            body: body?,
            slots: inner.slots(),
        });
        self.fns.insert(index, compiled.clone());
        Ok(compiled)
    }
}

/// Reads the local in `slot`, computing it with `value` first when this use
/// of the frame has not yet. It may be read inside deeper row scopes (a
/// `where` of a rule's condition) than the `depth` rows it was compiled
/// under: those rows are set aside while it is computed, and put back.
fn computed_when_read(slot: usize, value: Eval, depth: usize) -> Eval {
    Arc::new(move |rt: &Runtime, f: &mut Frame| {
        if !f.is_computed(slot) {
            // (read where it was compiled, as most are: no rows to set aside)
            let deeper: smallvec::SmallVec<[RowRef; 4]> = if f.rows.len() > depth {
                f.rows.drain(depth..).collect()
            } else {
                smallvec::SmallVec::new()
            };
            let v = value(rt, f);
            f.rows.truncate(depth);
            if !deeper.is_empty() {
                f.rows.extend(deeper);
            }
            f.set_computed(slot, v?);
        }
        Ok(f.slots.get(slot).cloned().unwrap_or(Value::None))
    })
}

/// The value of a literal (or a list of literals, or a territory name).
pub(super) fn literal_value(program: &Program, e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Text(t) => Value::text(t),
        ExprKind::Int(n) => Value::Int(i64::try_from(n.value.mantissa()).ok()?),
        ExprKind::Decimal(n) => Value::Decimal(n.value),
        ExprKind::Percent(n) => Value::Percent(n.value),
        ExprKind::Money { amount, currency } => Value::Money(crate::money::Money::new(
            amount.value,
            crate::money::Currency::parse(currency)?,
        )),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::Period(p) => Value::Period(*p),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Paren(x) => literal_value(program, x)?,
        ExprKind::List(items) => Value::List(
            items
                .iter()
                .map(|i| literal_value(program, i))
                .collect::<Option<Vec<_>>>()?
                .into(),
        ),
        ExprKind::Name(id) => match program.resolutions.get(&id.span)? {
            Resolution::Territory(t) => Value::Territory(u32::try_from(*t).ok()?),
            _ => return None,
        },
        _ => return None,
    })
}

/// The way from a row in scope to a cell: the row's depth, the columns
/// whose references lead on from it, and last the cell's column.
#[derive(Clone, Debug)]
pub(crate) struct CellPath {
    depth: usize,
    columns: Vec<usize>,
}

impl CellPath {
    /// The cell, read where it is; `None` when a row is not in the frame
    /// or a reference on the way is not a row (none): the value is then
    /// left to the step by step reading, which says what it is.
    pub(crate) fn read<'s>(&self, store: &'s Store, f: &Frame) -> Option<Cow<'s, Value>> {
        let (last, steps) = self.columns.split_last()?;
        let mut row = *f.rows.get(self.depth)?;
        for column in steps {
            row = store.row_at(row, *column)?;
        }
        Some(store.cell(row, *last))
    }
}

/// The row at `depth` of the frame (an internal error if it is missing).
fn row_in(f: &Frame, depth: usize, span: Span) -> Result<RowRef, EvalError> {
    f.rows
        .get(depth)
        .copied()
        .ok_or_else(|| internal(span, "row missing"))
}

/// A closure returning a constant.
pub(crate) fn constant(v: Value) -> Eval {
    Arc::new(move |_: &Runtime, _: &mut Frame| Ok(v.clone()))
}

/// Widens Int and Percent to Decimal (where the checker typed Decimal).
pub(crate) fn to_decimal(v: Value) -> Value {
    match v {
        Value::Int(i) => Value::Decimal(rust_decimal::Decimal::from(i)),
        Value::Percent(p) => Value::Decimal(p),
        v => v,
    }
}

fn territory_field(rt: &Runtime, t: u32, field: &str) -> Value {
    let Some(info) = rt.program.territories.get(t as usize) else {
        return Value::None;
    };
    match field {
        "name" => Value::text(&info.name),
        "path" => Value::text(&info.path),
        "level" => Value::Int(i64::try_from(info.level).unwrap_or(i64::MAX)),
        "parent" => info
            .parent
            .map(|p| Value::Territory(u32::try_from(p).unwrap_or(u32::MAX)))
            .unwrap_or(Value::None),
        _ => Value::None,
    }
}

/// `t within anc`: ancestor-or-self.
pub(crate) fn within(rt: &Runtime, t: u32, anc: u32) -> bool {
    let mut cur = Some(t as usize);
    let mut guard = 0;
    while let Some(c) = cur {
        if c == anc as usize {
            return true;
        }
        cur = rt.program.territories.get(c).and_then(|i| i.parent);
        guard += 1;
        if guard > rt.program.territories.len() {
            break;
        }
    }
    false
}

/// The column of `table` that `e` names, when `e` is just a column name.
pub(crate) fn column_named(program: &Program, e: &Expr, table: TableId) -> Option<usize> {
    let ExprKind::Name(id) = &e.kind else {
        return None;
    };
    match program.resolutions.get(&id.span) {
        Some(Resolution::Column(t, c)) if *t == table => Some(*c),
        _ => None,
    }
}

/// A column of a rule's row tested against a literal: `country == "AU"`,
/// `employees >= 5000`, `industry in ["Retail", "Media"]`.
pub(crate) struct LiteralTest {
    column: usize,
    op: BinOp,
    literal: Value,
    span: Span,
}

impl LiteralTest {
    /// True when every one of `tests` holds on `row`, tested left to
    /// right until one does not (as `and` does).
    pub(crate) fn all_hold(
        tests: &[LiteralTest],
        rt: &Runtime,
        row: RowRef,
    ) -> Result<bool, EvalError> {
        for test in tests {
            if !test.holds(rt, row)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn holds(&self, rt: &Runtime, row: RowRef) -> Result<bool, EvalError> {
        let cell = rt.store.cell(row, self.column);
        if self.is_equality() {
            return Ok(self.matches(&cell, rt.store));
        }
        ops::order(self.op, &cell, &self.literal, self.span, rt.store)
    }

    /// True for `==`, `!=` and `in`: tests of the cell's value alone,
    /// answered once per code of a coded column (see [`ByCode`]).
    fn is_equality(&self) -> bool {
        matches!(self.op, BinOp::Eq | BinOp::Ne | BinOp::In)
    }

    /// Whether the equality test holds on `cell` (`in`: some item equals
    /// it, and none is in no list).
    fn matches(&self, cell: &Value, store: &crate::Store) -> bool {
        let equal = |v: &Value| ops::equal(cell, v, store);
        match (self.op, &self.literal) {
            (BinOp::Ne, v) => !equal(v),
            (BinOp::In, Value::List(items)) => !cell.is_none() && items.iter().any(equal),
            (BinOp::In, _) => false,
            (_, v) => equal(v),
        }
    }
}

/// The operands of `e` read as a chain of `and`s (through parentheses),
/// left to right.
fn and_operands<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Paren(x) => and_operands(x, out),
        ExprKind::Binary {
            op: BinOp::And,
            lhs,
            rhs,
        } => {
            and_operands(lhs, out);
            and_operands(rhs, out);
        }
        _ => out.push(e),
    }
}
