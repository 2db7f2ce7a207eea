//! `--format md`: GitHub-flavoured Markdown for a pull-request comment.

use super::layout::{
    self, count_lines, credit_grid, field_counts, field_grid, field_shown, plan_counts, plan_grid,
};
use super::PolicyDiff;

/// Escapes text outside code spans (the few characters Markdown would
/// take for formatting in names and titles).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '|' | '<' | '>' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders the whole diff as Markdown.
pub(crate) fn render(diff: &PolicyDiff) -> String {
    let mut out = format!(
        "## Policy diff: `{}` → `{}`\n\n",
        diff.old_name, diff.new_name
    );
    out.push_str(&format!("**Summary:** {}\n", diff.summary().headline("`")));

    if !diff.notes.is_empty() {
        out.push_str("\n### Policy changes\n\n");
        for n in &diff.notes {
            out.push_str(&format!("- {}\n", layout::note(n, "`")));
        }
    }

    out.push_str("\n### Territory and derived fields\n\n");
    let fields: Vec<_> = diff.fields.iter().filter(|f| field_shown(f)).collect();
    if fields.is_empty() {
        out.push_str("No changes\n");
    }
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "#### `{}.{}`\n\n{}.\n",
            f.table,
            f.field,
            field_counts(f)
        ));
        if !f.changes.is_empty() {
            out.push('\n');
            out.push_str(&field_grid(f).markdown());
        }
    }

    out.push_str("\n### Credits\n\n");
    if diff.credits.is_empty() {
        out.push_str("No changes\n");
    } else {
        out.push_str(&credit_grid(&diff.credits).markdown());
    }

    out.push_str("\n### Plans\n\n");
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
            .map(|t| format!(" — {}", escape(t)))
            .unwrap_or_default();
        out.push_str(&format!(
            "#### `{}`{title}\n\n{}.\n\n",
            p.name,
            plan_counts(p)
        ));
        out.push_str(&plan_grid(p).markdown());
    }

    out.push_str("\n### Totals\n\n");
    for line in count_lines(diff, "`") {
        out.push_str(&format!("- {line}\n"));
    }
    if let Some(g) = layout::totals_grid(diff) {
        out.push('\n');
        out.push_str(&g.markdown());
    }
    out
}
