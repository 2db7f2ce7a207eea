//! `tally check POLICY --data DIR`: checks of the policy against real data
//! (spec §2.5–2.6). All findings are warnings; `--deny warnings` fails CI.

use crate::results::Results;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use tally_check::{ColumnOrigin, Program, Resolution, TableId, TableKind, Type};
use tally_diagnostics::{Diagnostic, Span};
use tally_eval::{Key, RowRef, Value};
use tally_syntax::ast::{CreditItem, DeclKind, ExprKind, HitPolicy, PlanItem};

/// Rows of an `assign` without `otherwise` that no rule matched.
pub const W_UNMATCHED_ROWS: &str = "W0201";
/// Deals a `first match` / `unique` role group gave no credit.
pub const W_UNCREDITED: &str = "W0202";
/// Deals whose shares in one role group do not add up to 100%.
pub const W_SHARES: &str = "W0203";
/// Effective-dated rows that overlap for the same key.
pub const W_EFFECTIVE_OVERLAP: &str = "W0204";
/// Effective-dated rows that leave a gap for the same key.
pub const W_EFFECTIVE_GAP: &str = "W0205";
/// Plan rows whose quota (or tier base) is zero.
pub const W_ZERO_QUOTA: &str = "W0206";

/// How many keys a finding lists before "and N more".
const SHOWN: usize = 5;

fn keys_note(keys: &[String]) -> String {
    let mut shown: Vec<String> = keys.iter().take(SHOWN).map(|k| format!("`{k}`")).collect();
    if keys.len() > SHOWN {
        shown.push(format!("and {} more", keys.len() - SHOWN));
    }
    shown.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Every data check over a finished run.
pub fn data_checks(results: &Results) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    unmatched_rows(results, &mut out);
    crediting(results, &mut out);
    effective_tables(results, &mut out);
    zero_quotas(results, &mut out);
    out
}

fn unmatched_rows(results: &Results, out: &mut Vec<Diagnostic>) {
    let program = results.program();
    for info in &program.assigns {
        let Some(DeclKind::Assign(a)) = program.decl(info.decl).map(|d| &d.kind) else {
            continue;
        };
        if a.arms.iter().any(|arm| arm.is_otherwise()) {
            continue;
        }
        let table = results.store().table(info.table);
        let keys: Vec<String> = (0..table.len)
            .filter(|r| table.get(info.column, *r).is_none())
            .map(|r| {
                results.store().key_text(RowRef {
                    table: info.table,
                    row: r as u32,
                })
            })
            .collect();
        if keys.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::warning(
                W_UNMATCHED_ROWS,
                a.field.span,
                format!(
                    "{} of `{}` {} no rule of `{}.{}`",
                    plural(keys.len(), "row", "rows"),
                    a.table.name,
                    if keys.len() == 1 { "matches" } else { "match" },
                    a.table.name,
                    a.field.name
                ),
            )
            .with_label(format!("these rows get no `{}`", a.field.name))
            .with_note(format!("rows: {}", keys_note(&keys)))
            .with_help(format!(
                "add a rule for them, or an `otherwise`; `tally explain --row {}:{}` shows why",
                a.table.name,
                keys.first().cloned().unwrap_or_default()
            )),
        );
    }
}

/// The rows of the credited table that pass a block's `where`.
fn credited_rows(results: &Results, table: &str, filter: Option<&str>) -> Vec<u32> {
    let expr = match filter {
        Some(f) => format!("{table}.where({f})"),
        None => table.to_string(),
    };
    match results.query(&expr, tally_eval::Limits::default()) {
        Ok(q) => match q.value {
            Value::Table(view) => crate::results::view_rows(results.store(), &view),
            _ => Vec::new(),
        },
        Err(_) => Vec::new(),
    }
}

fn crediting(results: &Results, out: &mut Vec<Diagnostic>) {
    let program = results.program();
    let Some(info) = &program.credit else { return };
    let Some(credits_id) = program.table_named("credits") else {
        return;
    };
    let credits = results.store().table(credits_id);
    let col = |name: &str| credits.column_index(name);
    let (Some(deal_c), Some(role_c), Some(share_c)) = (col("deal"), col("role"), col("share"))
    else {
        return;
    };
    // deal row → role → total share
    let mut shares: HashMap<(u32, String), Decimal> = HashMap::new();
    for r in 0..credits.len {
        let (Value::Row(deal), Value::Text(role)) =
            (&*credits.get(deal_c, r), &*credits.get(role_c, r))
        else {
            continue;
        };
        let share = credits.get(share_c, r).as_decimal().unwrap_or_default();
        *shares.entry((deal.row, role.to_string())).or_default() += share;
    }
    let table_name = program.table_name(info.credited);
    for r in &info.blocks {
        let Some(DeclKind::Credit(c)) = program.decl(*r).map(|d| &d.kind) else {
            continue;
        };
        let filter_text = c.filter.as_ref().and_then(|f| {
            program
                .sources
                .get(f.span.file)
                .and_then(|s| s.text.get(f.span.lo()..f.span.hi()))
                .map(str::to_string)
        });
        let rows = credited_rows(results, &table_name, filter_text.as_deref());
        for item in &c.items {
            let CreditItem::Group(g) = item else { continue };
            // `all match` groups (overlays) may credit some deals only, and may
            // stack shares: they are exempt from both checks.
            if g.hit == HitPolicy::AllMatch {
                continue;
            }
            let key = |row: u32| {
                results.store().key_text(RowRef {
                    table: info.credited,
                    row,
                })
            };
            let uncredited: Vec<String> = rows
                .iter()
                .filter(|row| !shares.contains_key(&(**row, g.name.name.clone())))
                .map(|row| key(*row))
                .collect();
            if !uncredited.is_empty() {
                out.push(
                    Diagnostic::warning(
                        W_UNCREDITED,
                        g.name.span,
                        format!(
                            "`{}` gives no credit for {} of `{table_name}`",
                            g.name.name,
                            plural(uncredited.len(), "deal", "deals")
                        ),
                    )
                    .with_note(format!("deals: {}", keys_note(&uncredited)))
                    .with_help("add a rule or an `otherwise` so every credited deal has a payee"),
                );
            }
            let off: Vec<String> = rows
                .iter()
                .filter_map(|row| {
                    let total = shares.get(&(*row, g.name.name.clone()))?;
                    (*total != Decimal::ONE).then(|| {
                        format!(
                            "{} ({}%)",
                            key(*row),
                            (*total * Decimal::ONE_HUNDRED).normalize()
                        )
                    })
                })
                .collect();
            if !off.is_empty() {
                out.push(
                    Diagnostic::warning(
                        W_SHARES,
                        g.name.span,
                        format!("the shares of `{}` do not add up to 100% for {}", g.name.name, plural(off.len(), "deal", "deals")),
                    )
                    .with_note(format!("deals: {}", keys_note(&off)))
                    .with_help("make each rule's shares add up to 100%, or use `all match` for credit that may stack"),
                );
            }
        }
    }
}

/// The columns that identify "the same thing" over time in an
/// effective-dated table: its key, or else its Text, Territory, Period and
/// Bool columns (not references, amounts or the dates themselves).
fn slot_columns(program: &Program, id: TableId) -> Vec<usize> {
    let Some(info) = program.table(id) else {
        return Vec::new();
    };
    if let Some(k) = info.key {
        return vec![k];
    }
    let (s, e) = info.effective.unwrap_or((usize::MAX, usize::MAX));
    info.columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            *i != s
                && *i != e
                && matches!(c.origin, ColumnOrigin::Loaded { .. })
                && matches!(
                    c.ty.strip_optional(),
                    Type::Text | Type::Territory | Type::Period | Type::Bool
                )
        })
        .map(|(i, _)| i)
        .collect()
}

fn effective_tables(results: &Results, out: &mut Vec<Diagnostic>) {
    let program = results.program();
    let store = results.store();
    for (i, info) in program.tables.iter().enumerate() {
        let Some((s, e)) = info.effective else {
            continue;
        };
        if !matches!(info.kind, TableKind::Declared(_)) {
            continue;
        }
        let id = TableId(i as u32);
        let slots = slot_columns(program, id);
        let table = store.table(id);
        let mut groups: BTreeMap<Vec<Key>, Vec<usize>> = BTreeMap::new();
        for r in 0..table.len {
            groups
                .entry(slots.iter().map(|c| Key::of(&table.get(*c, r))).collect())
                .or_default()
                .push(r);
        }
        let mut overlaps = Vec::new();
        let mut gaps = Vec::new();
        for rows in groups.values_mut() {
            rows.sort_by_key(|r| match &*table.get(s, *r) {
                Value::Date(d) => Some(*d),
                _ => None,
            });
            for w in rows.windows(2) {
                let (Some(a), Some(b)) = (w.first(), w.get(1)) else {
                    continue;
                };
                let (Value::Date(b_start), a_end) = (&*table.get(s, *b), table.get(e, *a)) else {
                    continue;
                };
                let label = |r: usize| {
                    let slot: Vec<String> = slots
                        .iter()
                        .map(|c| tally_eval::display::plain(&table.get(*c, r), store))
                        .collect();
                    format!(
                        "{} ({})",
                        slot.join(", "),
                        table.origin(r).unwrap_or_default()
                    )
                };
                match &*a_end {
                    Value::Date(a_end) if *b_start <= *a_end => overlaps.push(label(*b)),
                    Value::None => overlaps.push(label(*b)),
                    Value::Date(a_end) if (*b_start - *a_end).num_days() > 1 => {
                        gaps.push(format!("{} from {} to {}", label(*b), a_end, b_start))
                    }
                    _ => {}
                }
            }
        }
        let span = info.span.unwrap_or_default();
        if !overlaps.is_empty() {
            out.push(
                Diagnostic::warning(
                    W_EFFECTIVE_OVERLAP,
                    span,
                    format!(
                        "`{}` has rows in effect at the same time for the same key",
                        info.name
                    ),
                )
                .with_note(format!("overlapping: {}", keys_note(&overlaps)))
                .with_help("end the earlier row the day before the later one starts"),
            );
        }
        if !gaps.is_empty() {
            out.push(
                Diagnostic::warning(
                    W_EFFECTIVE_GAP,
                    span,
                    format!(
                        "`{}` has gaps: days when no row is in effect for a key",
                        info.name
                    ),
                )
                .with_note(format!("gaps: {}", keys_note(&gaps)))
                .with_help("start each row the day after the previous one ends"),
            );
        }
    }
}

fn zero_quotas(results: &Results, out: &mut Vec<Diagnostic>) {
    let program = results.program();
    for (r, id) in &program.plans {
        let Some(DeclKind::Plan(plan)) = program.decl(*r).map(|d| &d.kind) else {
            continue;
        };
        let table = results.store().table(*id);
        // metrics named `quota`, or used as the base of relative tiers
        let mut quota_metrics: Vec<(String, Span)> = Vec::new();
        for item in &plan.items {
            let PlanItem::Metric(m) = item else { continue };
            if m.name.name == "quota" {
                quota_metrics.push((m.name.name.clone(), m.name.span));
            }
            collect_bases(program, &m.value, plan, &mut quota_metrics);
        }
        quota_metrics.dedup();
        for (name, span) in quota_metrics {
            let Some(col) = table.column_index(&name) else {
                continue;
            };
            let loops: Vec<usize> = plan
                .items
                .iter()
                .filter_map(|i| match i {
                    PlanItem::For(f) => table.column_index(&f.var.name),
                    PlanItem::Metric(_) => None,
                })
                .collect();
            let zero: Vec<String> = (0..table.len)
                .filter(|row| match &*table.get(col, *row) {
                    Value::Money(m) => m.amount.is_zero(),
                    v => v.as_decimal().is_some_and(|d| d.is_zero()),
                })
                .map(|row| {
                    loops
                        .iter()
                        .map(|c| tally_eval::display::plain(&table.get(*c, row), results.store()))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            if !zero.is_empty() {
                out.push(
                    Diagnostic::warning(
                        W_ZERO_QUOTA,
                        span,
                        format!(
                            "`{name}` is zero on {} of plan `{}`",
                            plural(zero.len(), "row", "rows"),
                            plan.name.name
                        ),
                    )
                    .with_note(format!("rows: {}", keys_note(&zero)))
                    .with_help(
                        "load a quota for them, or leave them out of the plan's `for` lines",
                    ),
                );
            }
        }
    }
}

/// Metrics used as `of BASE` in relative tiers.
fn collect_bases(
    program: &Program,
    e: &tally_syntax::ast::Expr,
    plan: &tally_syntax::ast::Plan,
    out: &mut Vec<(String, Span)>,
) {
    match &e.kind {
        ExprKind::Tiered(t) => {
            if let Some(base) = &t.base {
                if let ExprKind::Name(id) = &base.kind {
                    if let Some(Resolution::Local(def)) = program.resolutions.get(&id.span) {
                        let is_metric = plan
                            .items
                            .iter()
                            .any(|i| matches!(i, PlanItem::Metric(m) if m.name.span == *def));
                        if is_metric && !out.iter().any(|(n, _)| n == &id.name) {
                            out.push((id.name.clone(), *def));
                        }
                    }
                }
            }
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            collect_bases(program, cond, plan, out);
            collect_bases(program, then, plan, out);
            collect_bases(program, otherwise, plan, out);
        }
        ExprKind::Paren(x) => collect_bases(program, x, plan, out),
        ExprKind::Call { args, .. } => args
            .iter()
            .for_each(|a| collect_bases(program, &a.value, plan, out)),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_bases(program, lhs, plan, out);
            collect_bases(program, rhs, plan, out);
        }
        _ => {}
    }
}
