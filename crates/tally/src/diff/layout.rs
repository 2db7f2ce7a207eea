//! What `table` and `md` show, section by section, as grids and lines;
//! the two formats differ only in headings and table syntax.

use super::grid::Grid;
use super::summary::plural;
use super::{
    CreditChange, CreditSide, DealDiff, FieldDiff, MoneyTotal, Note, NoteKind, PlanDiff,
    PolicyDiff, RowPresence, Shown,
};

/// `old → new`, or the value when both are the same.
fn arrow(old: &str, new: &str) -> String {
    if old == new {
        old.to_string()
    } else {
        format!("{old} → {new}")
    }
}

/// `A-003 (Umbrella Health)`, or the key alone.
pub(crate) fn keyed(key: &str, label: Option<&str>) -> String {
    match label {
        Some(l) if l != key => format!("{key} ({l})"),
        _ => key.to_string(),
    }
}

/// A note as a sentence; `code` wraps names.
pub(crate) fn note(n: &Note, code: &str) -> String {
    let name = format!("{code}{}{code}", n.name);
    let (o, v) = (n.old.as_deref(), n.new.as_deref());
    let side = if o.is_some() { "old" } else { "new" };
    match n.kind {
        NoteKind::Setting => format!(
            "setting {name}: {}",
            arrow(o.unwrap_or("none"), v.unwrap_or("none"))
        ),
        NoteKind::Territory => match (o, v) {
            (Some(a), Some(b)) => format!("territory {name} moved: {a} → {b}"),
            (Some(a), None) => format!("territory {name} removed (was {a})"),
            (None, b) => format!("territory {name} added ({})", b.unwrap_or("")),
        },
        NoteKind::Field => format!("derived field {name} only in the {side} policy (not compared)"),
        NoteKind::Plan => format!("plan {name} only in the {side} policy (not compared)"),
        NoteKind::Metric => format!("metric {name} only in the {side} policy (not compared)"),
        NoteKind::Grain => format!(
            "plan {name} loops changed: for {} → for {} (rows not compared)",
            o.unwrap_or(""),
            v.unwrap_or("")
        ),
    }
}

/// `1 of 12 rows changed value; 2 more changed only their rule`.
pub(crate) fn field_counts(f: &FieldDiff) -> String {
    format!(
        "{} of {} changed value; {} changed only {}",
        f.changes.len(),
        plural(f.compared, "row"),
        f.rule_only,
        if f.rule_only == 1 {
            "its rule"
        } else {
            "their rule"
        }
    )
}

/// The changed rows of one derived field.
pub(crate) fn field_grid(f: &FieldDiff) -> Grid {
    let mut g = Grid::new(
        vec![f.table.clone(), f.field.clone(), "rule".into()],
        vec![false; 3],
    );
    for c in &f.changes {
        g.push(vec![
            keyed(&c.key, c.label.as_deref()),
            arrow(&c.old.text, &c.new.text),
            arrow(&c.old_rule.text, &c.new_rule.text),
        ]);
    }
    g
}

/// One attribute of a credit, `old → new` when both sides have it.
fn attr(c: &CreditChange, pick: fn(&CreditSide) -> &Shown) -> String {
    match (&c.old, &c.new) {
        (Some(o), Some(n)) => arrow(&pick(o).text, &pick(n).text),
        (Some(s), None) | (None, Some(s)) => pick(s).text.clone(),
        (None, None) => String::new(),
    }
}

/// Every credit change, deal by deal; a date column only when a date
/// changed.
pub(crate) fn credit_grid(deals: &[DealDiff]) -> Grid {
    let dated = deals
        .iter()
        .flat_map(|d| &d.changes)
        .any(|c| match (&c.old, &c.new) {
            (Some(o), Some(n)) => o.date.text != n.date.text,
            _ => false,
        });
    let mut header: Vec<String> = [
        "deal", "change", "payee", "role", "rule", "share", "amount", "delta",
    ]
    .map(String::from)
    .to_vec();
    let mut right = vec![false, false, false, false, false, true, true, true];
    if dated {
        header.push("date".into());
        right.push(false);
    }
    let mut g = Grid::new(header, right);
    for d in deals {
        for (i, c) in d.changes.iter().enumerate() {
            let mut row = vec![
                if i == 0 {
                    keyed(&d.deal, d.label.as_deref())
                } else {
                    String::new()
                },
                c.kind.word().to_string(),
                keyed(&c.payee, c.payee_label.as_deref()),
                c.role.clone(),
                attr(c, |s| &s.rule),
                attr(c, |s| &s.share),
                attr(c, |s| &s.amount),
                c.amount_delta
                    .as_ref()
                    .map(|d| d.text.clone())
                    .unwrap_or_default(),
            ];
            if dated {
                row.push(attr(c, |s| &s.date));
            }
            g.push(row);
        }
    }
    g
}

/// `5 of 24 rows changed`.
pub(crate) fn plan_counts(p: &PlanDiff) -> String {
    format!("{} of {} changed", p.rows.len(), plural(p.compared, "row"))
}

/// The changed rows of one plan: one line per metric, the loop values on
/// the row's first line.
pub(crate) fn plan_grid(p: &PlanDiff) -> Grid {
    let mut header = p.loops.clone();
    header.extend(["metric", "old", "new", "delta"].map(String::from));
    let mut right = vec![false; p.loops.len() + 1];
    right.extend([true, true, true]);
    let mut g = Grid::new(header, right);
    for row in &p.rows {
        for (i, m) in row.metrics.iter().enumerate() {
            let mut cells: Vec<String> = if i == 0 {
                row.keys
                    .iter()
                    .zip(&row.labels)
                    .map(|(k, l)| keyed(&k.text, l.as_deref()))
                    .collect()
            } else {
                vec![String::new(); p.loops.len()]
            };
            let delta = match (row.presence, &m.delta) {
                (RowPresence::OldOnly, _) => "row removed".to_string(),
                (RowPresence::NewOnly, _) => "row added".to_string(),
                _ if !m.changed => "=".to_string(),
                (_, Some(d)) => d.text.clone(),
                (_, None) => "changed".to_string(),
            };
            cells.extend([
                m.name.clone(),
                m.old
                    .as_ref()
                    .map(|s| s.text.clone())
                    .unwrap_or_else(|| "—".into()),
                m.new
                    .as_ref()
                    .map(|s| s.text.clone())
                    .unwrap_or_else(|| "—".into()),
                delta,
            ]);
            g.push(cells);
        }
    }
    g
}

/// The count lines of the totals section; `code` wraps names.
pub(crate) fn count_lines(diff: &PolicyDiff, code: &str) -> Vec<String> {
    let s = diff.summary();
    let mut lines: Vec<String> = diff
        .fields
        .iter()
        .map(|f| format!("{code}{}.{}{code}: {}", f.table, f.field, field_counts(f)))
        .collect();
    lines.push(format!(
        "credits: {} added, {} removed, {} changed, on {}",
        s.credits_added,
        s.credits_removed,
        s.credits_changed,
        plural(s.deals, "deal")
    ));
    lines.extend(
        diff.plans
            .iter()
            .map(|p| format!("{code}{}{code}: {}", p.name, plan_counts(p))),
    );
    lines
}

/// Every Money metric's totals, plan by plan.
pub(crate) fn totals_grid(diff: &PolicyDiff) -> Option<Grid> {
    let all: Vec<(&str, &MoneyTotal)> = diff
        .plans
        .iter()
        .flat_map(|p| p.totals.iter().map(move |t| (p.name.as_str(), t)))
        .collect();
    if all.is_empty() {
        return None;
    }
    let header = ["metric", "old total", "new total", "delta"]
        .map(String::from)
        .to_vec();
    let mut g = Grid::new(header, vec![false, true, true, true]);
    for (plan, t) in all {
        g.push(vec![
            format!("{plan}.{}", t.metric),
            t.old.text.clone(),
            t.new.text.clone(),
            t.delta.text.clone(),
        ]);
    }
    Some(g)
}

/// True when a field has something to show in its section.
pub(crate) fn field_shown(f: &FieldDiff) -> bool {
    !f.changes.is_empty() || f.rule_only > 0
}
