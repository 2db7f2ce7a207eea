//! `--format table`: plain aligned text for terminals and CI logs.

use super::layout::{
    self, count_lines, credit_grid, field_counts, field_grid, field_shown, plan_counts, plan_grid,
};
use super::PolicyDiff;

/// Renders the whole diff as text.
pub(crate) fn render(diff: &PolicyDiff) -> String {
    let mut out = format!("Policy diff: {} → {}\n", diff.old_name, diff.new_name);
    out.push_str(&diff.summary().headline(""));
    out.push('\n');

    if !diff.notes.is_empty() {
        out.push_str("\n== Policy changes ==\n");
        for n in &diff.notes {
            out.push_str(&format!("- {}\n", layout::note(n, "")));
        }
    }

    out.push_str("\n== Territory and derived fields ==\n");
    let fields: Vec<_> = diff.fields.iter().filter(|f| field_shown(f)).collect();
    if fields.is_empty() {
        out.push_str("No changes\n");
    }
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}.{}: {}\n", f.table, f.field, field_counts(f)));
        if !f.changes.is_empty() {
            out.push_str(&field_grid(f).text());
        }
    }

    out.push_str("\n== Credits ==\n");
    if diff.credits.is_empty() {
        out.push_str("No changes\n");
    } else {
        out.push_str(&credit_grid(&diff.credits).text());
    }

    out.push_str("\n== Plans ==\n");
    let plans: Vec<_> = diff.plans.iter().filter(|p| !p.rows.is_empty()).collect();
    if plans.is_empty() {
        out.push_str("No changes\n");
    }
    for (i, p) in plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = p
            .title
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        out.push_str(&format!("{}{title}: {}\n", p.name, plan_counts(p)));
        out.push_str(&plan_grid(p).text());
    }

    out.push_str("\n== Totals ==\n");
    for line in count_lines(diff, "") {
        out.push_str(&format!("- {line}\n"));
    }
    if let Some(g) = layout::totals_grid(diff) {
        out.push('\n');
        out.push_str(&g.text());
    }
    out
}
