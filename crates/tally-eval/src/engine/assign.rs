//! Derived fields by ordered rules (spec §2.5), with rule dispatch through
//! an index: rules that test one column for equality (`==`, `in`) are
//! looked up by the row's value instead of being tried one by one.

use super::{row_label, Engine};
use crate::column::Column;
use crate::compile::{Compiler, LiteralTest};
use crate::error::{codes, EvalError};
use crate::key_map::KeyMap;
use crate::runtime::{Eval, Frame, Runtime};
use crate::table::Store;
use crate::value::{Key, RowRef, Value};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::BTreeMap;
use tally_check::{Program, Resolution, TableId};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// One compiled rule.
pub(crate) struct CompiledArm {
    pub label: std::sync::Arc<str>,
    /// The rule's condition (none for `otherwise`).
    pub when: Option<Condition>,
    pub span: Span,
}

/// A rule's compiled condition.
pub(crate) enum Condition {
    /// Tests of the row's columns against literals, joined by `and`,
    /// tested in place (no closure is compiled for them).
    Tests(Vec<LiteralTest>),
    /// Any other condition.
    Eval(Eval),
}

impl CompiledArm {
    /// The rule compiled by `compiler` (the rule's row at depth 0); its
    /// tests are not read out for the reference evaluation (`plain`).
    pub(crate) fn new<T>(
        compiler: &mut Compiler,
        arm: &Arm<T>,
        plain: bool,
    ) -> Result<CompiledArm, EvalError> {
        let when = match &arm.when {
            None => None,
            Some(w) => Some(
                match (!plain).then(|| compiler.literal_tests(w)).flatten() {
                    Some(tests) => Condition::Tests(tests),
                    None => Condition::Eval(compiler.expr(w)?),
                },
            ),
        };
        Ok(CompiledArm {
            label: arm.label_text().into(),
            when,
            span: arm.span,
        })
    }

    /// True when the rule's condition holds on `row` (the frame's row);
    /// false for `otherwise`.
    pub(crate) fn holds(
        &self,
        rt: &Runtime,
        frame: &mut Frame,
        row: RowRef,
    ) -> Result<bool, EvalError> {
        match &self.when {
            Some(Condition::Tests(tests)) => LiteralTest::all_hold(tests, rt, row),
            Some(Condition::Eval(when)) => Ok(matches!(when(rt, frame)?, Value::Bool(true))),
            None => Ok(false),
        }
    }
}

/// Which rules can match a row, by the value of one column.
pub(crate) struct RuleIndex {
    column: usize,
    /// The rules that test the column, by the value they require.
    by_value: KeyMap<Vec<usize>>,
    /// Rules that do not test the column (always candidates), in order.
    wildcards: Vec<usize>,
    /// The `otherwise` rule, if any (found once, not per row).
    otherwise: Option<usize>,
}

impl RuleIndex {
    /// The candidate rules for `row`, in rule order.
    pub fn candidates(&self, store: &Store, row: RowRef) -> SmallVec<[usize; 8]> {
        // (a reference is looked up by its row's key, as `==` compares it)
        let cell = store.cell(row, self.column);
        let v = store.as_key(&cell);
        let hits = self.by_value.get([&*v]).map(Vec::as_slice).unwrap_or(&[]);
        let mut out = SmallVec::with_capacity(hits.len() + self.wildcards.len());
        let (mut i, mut j) = (0, 0);
        while i < hits.len() || j < self.wildcards.len() {
            match (hits.get(i), self.wildcards.get(j)) {
                (Some(a), Some(b)) if a < b => {
                    out.push(*a);
                    i += 1;
                }
                (Some(a), None) => {
                    out.push(*a);
                    i += 1;
                }
                (_, Some(b)) => {
                    out.push(*b);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        out
    }
}

/// The values `e` requires of a column, if `e` is `col == v` or `col in [..]`
/// with constant right-hand sides.
fn equality_atoms(
    program: &Program,
    rt: &Runtime,
    e: &Expr,
    out: &mut BTreeMap<usize, Vec<Value>>,
) {
    match &e.kind {
        ExprKind::Paren(x) => equality_atoms(program, rt, x, out),
        ExprKind::Binary {
            op: BinOp::And,
            lhs,
            rhs,
        } => {
            equality_atoms(program, rt, lhs, out);
            equality_atoms(program, rt, rhs, out);
        }
        ExprKind::Binary {
            op: op @ (BinOp::Eq | BinOp::In),
            lhs,
            rhs,
        } => {
            let column = match &lhs.kind {
                ExprKind::Name(id) => match program.resolutions.get(&id.span) {
                    Some(Resolution::Column(_, c)) => *c,
                    _ => return,
                },
                _ => return,
            };
            let Some(value) = constant_value(program, rt, rhs) else {
                return;
            };
            let keys = match (op, value) {
                (BinOp::Eq, v) => vec![v],
                (_, Value::List(items)) => items.to_vec(),
                _ => return,
            };
            // Two tests on one column: keep the first (still a correct
            // over-approximation of the candidates).
            out.entry(column).or_insert(keys);
        }
        _ => {}
    }
}

/// The value of a literal, territory, const, or list of those.
fn constant_value(program: &Program, rt: &Runtime, e: &Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Text(t) => Value::text(t),
        ExprKind::Int(n) => Value::Int(i64::try_from(n.value.mantissa()).ok()?),
        ExprKind::Decimal(n) => Value::Decimal(n.value),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::Period(p) => Value::Period(*p),
        ExprKind::Paren(x) => constant_value(program, rt, x)?,
        ExprKind::List(items) => Value::List(
            items
                .iter()
                .map(|i| constant_value(program, rt, i))
                .collect::<Option<Vec<_>>>()?
                .into(),
        ),
        ExprKind::Name(id) => match program.resolutions.get(&id.span)? {
            Resolution::Territory(t) => Value::Territory(u32::try_from(*t).ok()?),
            Resolution::Const(c) => rt.const_value(*c).ok()?,
            _ => return None,
        },
        _ => return None,
    })
}

/// Builds a dispatch index over the column most rules test for equality.
pub(crate) fn build_index(
    program: &Program,
    rt: &Runtime,
    whens: &[Option<&Expr>],
) -> Option<RuleIndex> {
    let atoms: Vec<BTreeMap<usize, Vec<Value>>> = whens
        .iter()
        .map(|w| {
            let mut m = BTreeMap::new();
            if let Some(w) = w {
                equality_atoms(program, rt, w, &mut m);
            }
            m
        })
        .collect();
    // The dispatch column: tested by the most rules, then with the most
    // distinct values (the smallest candidate lists).
    let mut counts: BTreeMap<usize, (usize, std::collections::HashSet<Key>)> = BTreeMap::new();
    for a in &atoms {
        for (c, keys) in a {
            let entry = counts.entry(*c).or_default();
            entry.0 += 1;
            entry.1.extend(keys.iter().map(Key::of));
        }
    }
    let (&column, (count, _)) = counts
        .iter()
        .max_by_key(|(c, (n, distinct))| (*n, distinct.len(), std::cmp::Reverse(**c)))?;
    if *count < 2 {
        return None;
    }
    let mut by_value: KeyMap<Vec<usize>> = KeyMap::default();
    let mut wildcards = Vec::new();
    for (i, a) in atoms.iter().enumerate() {
        match a.get(&column) {
            Some(keys) => {
                for k in keys {
                    let entry = by_value.entry(&[Cow::Borrowed(k)], Vec::new);
                    if let Some(list) = by_value.get_mut(entry) {
                        if list.last() != Some(&i) {
                            list.push(i);
                        }
                    }
                }
            }
            None => wildcards.push(i),
        }
    }
    Some(RuleIndex {
        column,
        by_value,
        wildcards,
        otherwise: whens.iter().position(Option::is_none),
    })
}

/// Computes derived field `idx` for every row of its table.
pub(crate) fn run(engine: &Engine, store: &mut Store, idx: usize) -> Result<(), EvalError> {
    let program = engine.program;
    let Some(info) = program.assigns.get(idx) else {
        return Ok(());
    };
    let Some(DeclKind::Assign(a)) = program.decl(info.decl).map(|d| &d.kind) else {
        return Ok(());
    };
    let table: TableId = info.table;
    let mut compiler = Compiler::new(program);
    compiler.push_row(table);
    let mut arms = Vec::with_capacity(a.arms.len());
    let mut values = Vec::with_capacity(a.arms.len());
    for arm in &a.arms {
        arms.push(CompiledArm::new(&mut compiler, arm, engine.plain)?);
        values.push(compiler.expr(&arm.then)?);
    }
    let (column, rule_column) = (info.column, info.rule_column);
    // Each rule's label as the value of the rule column.
    let label_values: Vec<Value> = arms.iter().map(|a| Value::Text(a.label.clone())).collect();
    let (new_values, new_labels) = {
        let rt = engine.runtime(store);
        let whens: Vec<Option<&Expr>> = a.arms.iter().map(|arm| arm.when.as_ref()).collect();
        let index =
            if !engine.plain && (a.hit == HitPolicy::FirstMatch || a.hit == HitPolicy::Unique) {
                build_index(program, &rt, &whens)
            } else {
                None
            };
        let n = store.table(table).len;
        let slots = compiler.slots();
        let parts = super::parallel::in_ranges(engine, n, super::parallel::ROWS, |rows| {
            // (coded as they are written, on each thread)
            let mut out = Column::new("");
            let mut labels = Column::new("");
            out.reserve(rows.len());
            labels.reserve(rows.len());
            let mut frame = Frame::with_slots(slots);
            // Each rule's value and label codes, tried first the next
            // time the rule is chosen (a rule's value is most often a
            // constant: its code is then found without hashing).
            let mut value_hints = vec![None; arms.len()];
            let mut label_hints = vec![None; arms.len()];
            for row in rows {
                let r = RowRef {
                    table,
                    row: u32::try_from(row).unwrap_or(u32::MAX),
                };
                frame.rows.clear();
                frame.rows.push(r);
                let chosen = choose(&rt, &mut frame, &arms, a.hit, index.as_ref(), r)
                    .map_err(|e| e.at_row(|| row_label(rt.store, r)))?;
                match chosen {
                    Some(i) => {
                        if let Some(arm) = arms.get(i) {
                            engine.fired(arm.span);
                        }
                        let v = values.get(i).map(|e| e(&rt, &mut frame)).transpose();
                        let v = v
                            .map_err(|e| e.at_row(|| row_label(rt.store, r)))?
                            .unwrap_or(Value::None);
                        let label = label_values.get(i).unwrap_or(&Value::None);
                        if let (Some(vh), Some(lh)) =
                            (value_hints.get_mut(i), label_hints.get_mut(i))
                        {
                            out.push_hinted(&v, vh);
                            labels.push_hinted(label, lh);
                        }
                    }
                    None => {
                        out.push(Value::None);
                        labels.push(Value::None);
                    }
                }
            }
            Ok((out, labels))
        })?;
        rt.step(n as u64, a.field.span)?;
        let mut out = Column::new("");
        let mut labels = Column::new("");
        for (o, l) in parts {
            out.append(o);
            labels.append(l);
        }
        (out, labels)
    };
    if let Some(t) = store.table_mut(table) {
        for (index, mut values) in [(column, new_values), (rule_column, new_labels)] {
            if let Some(c) = t.columns.get_mut(index) {
                values.name = std::mem::take(&mut c.name);
                *c = values;
            }
        }
    }
    Ok(())
}

/// The arm that holds for the row under `hit`, if any (`otherwise` included).
pub(crate) fn choose(
    rt: &Runtime,
    frame: &mut Frame,
    arms: &[CompiledArm],
    hit: HitPolicy,
    index: Option<&RuleIndex>,
    row: RowRef,
) -> Result<Option<usize>, EvalError> {
    // (without an index every rule is a candidate, in order)
    let listed: SmallVec<[usize; 8]> = match index {
        Some(ix) => ix.candidates(rt.store, row),
        None => SmallVec::new(),
    };
    let count = if index.is_some() {
        listed.len()
    } else {
        arms.len()
    };
    let mut matched: Option<usize> = None;
    for k in 0..count {
        let i = listed.get(k).copied().unwrap_or(k);
        let Some(arm) = arms.get(i) else { continue };
        if arm.when.is_none() {
            continue;
        }
        if arm.holds(rt, frame, row)? {
            match (hit, matched) {
                (HitPolicy::Unique, Some(first)) => {
                    let first_arm = arms.get(first);
                    let mut e = EvalError::new(
                        codes::UNIQUE,
                        arm.span,
                        format!(
                            "rules \"{}\" and \"{}\" both match, but the block is `unique`",
                            first_arm.map(|a| &*a.label).unwrap_or("?"),
                            arm.label
                        ),
                    )
                    .help("make the rules' conditions exclusive, or use `first match`");
                    if let Some(f) = first_arm {
                        e = e.related(f.span, "the first matching rule");
                    }
                    return Err(e);
                }
                (HitPolicy::Unique, None) => matched = Some(i),
                _ => return Ok(Some(i)),
            }
        }
    }
    // (the `otherwise` arm is looked for only when no rule matched)
    Ok(matched.or_else(|| match index {
        Some(ix) => ix.otherwise,
        None => arms.iter().position(|a| a.when.is_none()),
    }))
}
