//! Plans: rows matched by their loop values, metric by metric, and the
//! totals of Money metrics.

use super::notes::one_side;
use super::shown::{differ, Num, Side};
use super::{MetricDiff, MoneyTotal, Note, NoteKind, PlanDiff, PlanRowDiff, RowPresence};
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use tally_eval::{Currency, Table, Value};
use tally_syntax::ast::{DeclKind, PlanItem};

/// A plan of one side: name, title, loop variables, result table.
struct PlanOf<'a> {
    name: String,
    title: Option<String>,
    loops: Vec<String>,
    table: &'a Table,
}

fn plans<'a>(side: &Side<'a>) -> Vec<PlanOf<'a>> {
    let program = side.program();
    program
        .plans
        .iter()
        .filter_map(|(decl, id)| {
            let DeclKind::Plan(p) = &program.decl(*decl)?.kind else {
                return None;
            };
            let loops = p
                .items
                .iter()
                .filter_map(|i| match i {
                    PlanItem::For(f) => Some(f.var.name.clone()),
                    PlanItem::Metric(_) => None,
                })
                .collect();
            Some(PlanOf {
                name: program.table_name(*id),
                title: p.title.as_ref().map(|t| t.value.clone()),
                loops,
                table: side.store().table(*id),
            })
        })
        .collect()
}

impl PlanOf<'_> {
    fn metrics(&self) -> Vec<&str> {
        self.table
            .columns
            .iter()
            .skip(self.loops.len())
            .map(|c| c.name.as_str())
            .collect()
    }
}

/// Compares every plan present in both policies; notes the others.
pub(crate) fn compare(old: &Side<'_>, new: &Side<'_>, notes: &mut Vec<Note>) -> Vec<PlanDiff> {
    let (old_p, new_p) = (plans(old), plans(new));
    let mut out = Vec::new();
    for a in &old_p {
        let Some(b) = new_p.iter().find(|b| b.name == a.name) else {
            notes.push(one_side(NoteKind::Plan, a.name.clone(), true));
            continue;
        };
        if a.loops.len() != b.loops.len() {
            notes.push(Note {
                kind: NoteKind::Grain,
                name: a.name.clone(),
                old: Some(a.loops.join(", ")),
                new: Some(b.loops.join(", ")),
            });
            continue;
        }
        let (am, bm) = (a.metrics(), b.metrics());
        for m in am.iter().filter(|m| !bm.contains(m)) {
            notes.push(one_side(NoteKind::Metric, format!("{}.{m}", a.name), true));
        }
        for m in bm.iter().filter(|m| !am.contains(m)) {
            notes.push(one_side(NoteKind::Metric, format!("{}.{m}", a.name), false));
        }
        let metrics: Vec<String> = am
            .iter()
            .filter(|m| bm.contains(m))
            .map(|m| m.to_string())
            .collect();
        out.push(compare_plan(old, new, a, b, metrics));
    }
    for b in &new_p {
        if !old_p.iter().any(|a| a.name == b.name) {
            notes.push(one_side(NoteKind::Plan, b.name.clone(), false));
        }
    }
    out
}

/// The loop values of `row` as people read them (the matching key).
fn key_of(side: &Side<'_>, plan: &PlanOf<'_>, row: usize) -> Vec<String> {
    (0..plan.loops.len())
        .map(|c| side.show(&plan.table.get(c, row)).text)
        .collect()
}

fn compare_plan(
    old: &Side<'_>,
    new: &Side<'_>,
    a: &PlanOf<'_>,
    b: &PlanOf<'_>,
    metrics: Vec<String>,
) -> PlanDiff {
    let col = |p: &PlanOf<'_>, m: &str| p.table.column_index(m);
    let (acols, bcols): (Vec<_>, Vec<_>) = metrics.iter().map(|m| (col(a, m), col(b, m))).unzip();
    let mut unmatched: HashMap<Vec<String>, VecDeque<usize>> = HashMap::new();
    for r in 0..b.table.len {
        unmatched.entry(key_of(new, b, r)).or_default().push_back(r);
    }
    let mut diff = PlanDiff {
        name: a.name.clone(),
        title: b.title.clone(),
        loops: b.loops.clone(),
        metrics: metrics.clone(),
        compared: 0,
        rows: Vec::new(),
        totals: totals(old, new, a, b, &metrics, &acols, &bcols),
    };
    let cell = |p: &PlanOf<'_>, c: Option<usize>, r: usize| {
        c.map(|c| p.table.get(c, r).into_owned())
            .unwrap_or(Value::None)
    };
    for r in 0..a.table.len {
        let found = unmatched
            .get_mut(&key_of(old, a, r))
            .and_then(VecDeque::pop_front);
        let olds: Vec<Value> = acols.iter().map(|c| cell(a, *c, r)).collect();
        let news: Option<Vec<Value>> =
            found.map(|nr| bcols.iter().map(|c| cell(b, *c, nr)).collect());
        if found.is_some() {
            diff.compared += 1;
        }
        let row = row_diff(old, new, a, r, &metrics, Some(&olds), news.as_deref());
        if row.presence != RowPresence::Both || row.metrics.iter().any(|m| m.changed) {
            diff.rows.push(row);
        }
    }
    let mut left: Vec<usize> = unmatched.into_values().flatten().collect();
    left.sort_unstable();
    for nr in left {
        let news: Vec<Value> = bcols.iter().map(|c| cell(b, *c, nr)).collect();
        diff.rows
            .push(row_diff(new, new, b, nr, &metrics, None, Some(&news)));
    }
    diff
}

/// One row's metrics; `plan` and `row` give the loop values, rendered by
/// `old` (the new side for rows only in the new results, which have no old
/// values).
fn row_diff(
    old: &Side<'_>,
    new: &Side<'_>,
    plan: &PlanOf<'_>,
    row: usize,
    metrics: &[String],
    olds: Option<&[Value]>,
    news: Option<&[Value]>,
) -> PlanRowDiff {
    let presence = match (olds, news) {
        (Some(_), Some(_)) => RowPresence::Both,
        (Some(_), None) => RowPresence::OldOnly,
        _ => RowPresence::NewOnly,
    };
    let loop_values: Vec<Cow<'_, Value>> = (0..plan.loops.len())
        .map(|c| plan.table.get(c, row))
        .collect();
    let metrics = metrics
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let o = olds.and_then(|v| v.get(i));
            let n = news.and_then(|v| v.get(i));
            let (os, ns) = (o.map(|v| old.show(v)), n.map(|v| new.show(v)));
            let delta = match (o.and_then(|v| old.num(v)), n.and_then(|v| new.num(v))) {
                (Some(x), Some(y)) => x.delta_to(y).map(|d| new.show_num(d, true)),
                _ => None,
            };
            let changed = match (&os, &ns) {
                (Some(x), Some(y)) => differ(x, y),
                _ => true,
            };
            MetricDiff {
                name: name.clone(),
                old: os,
                new: ns,
                delta,
                changed,
            }
        })
        .collect();
    PlanRowDiff {
        keys: loop_values.iter().map(|v| old.show(v)).collect(),
        labels: loop_values.iter().map(|v| old.label(v)).collect(),
        presence,
        metrics,
    }
}

/// Per Money metric and currency, the sum over every row of each side.
fn totals(
    old: &Side<'_>,
    new: &Side<'_>,
    a: &PlanOf<'_>,
    b: &PlanOf<'_>,
    metrics: &[String],
    acols: &[Option<usize>],
    bcols: &[Option<usize>],
) -> Vec<MoneyTotal> {
    let mut out = Vec::new();
    for (i, metric) in metrics.iter().enumerate() {
        let (os, ns) = (
            sums(old, a, acols.get(i).copied().flatten()),
            sums(new, b, bcols.get(i).copied().flatten()),
        );
        let mut currencies: Vec<Currency> = Vec::new();
        for (c, _) in os.iter().chain(&ns) {
            if !currencies.contains(c) {
                currencies.push(*c);
            }
        }
        for c in currencies {
            let find = |list: &[(Currency, Num)]| {
                list.iter()
                    .find(|(x, _)| *x == c)
                    .map(|(_, n)| *n)
                    .unwrap_or(Num::Money(rust_decimal::Decimal::ZERO, c))
            };
            let (o, n) = (find(&os), find(&ns));
            let Some(delta) = o.delta_to(n) else { continue };
            out.push(MoneyTotal {
                metric: metric.clone(),
                currency: c.to_string(),
                old: old.show_num(o, false),
                new: new.show_num(n, false),
                delta: new.show_num(delta, true),
            });
        }
    }
    out
}

/// Sums of the money in `column` of `plan`, per currency in order of first
/// use (none when the column holds no money or a sum overflows).
fn sums(side: &Side<'_>, plan: &PlanOf<'_>, column: Option<usize>) -> Vec<(Currency, Num)> {
    let mut out: Vec<(Currency, Num)> = Vec::new();
    let Some(column) = column else { return out };
    for r in 0..plan.table.len {
        let Some(n @ Num::Money(_, c)) = side.num(&plan.table.get(column, r)) else {
            continue;
        };
        match out.iter_mut().find(|(x, _)| *x == c) {
            Some((_, total)) => match total.add(n) {
                Some(t) => *total = t,
                None => return Vec::new(),
            },
            None => out.push((c, n)),
        }
    }
    out
}
