//! Aligned text tables for terminals.

use super::cells::{human_rows, is_numeric, names, pad, widths};
use super::ReportView;

/// Renders reports as aligned text: a title line (`Title (name)`), the
/// header, a dashed rule, then the rows; numbers and money right-aligned;
/// reports separated by a blank line.
pub fn render_table(views: &[ReportView<'_>]) -> String {
    let mut out = String::new();
    for (i, view) in views.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match view.title {
            Some(t) => out.push_str(&format!("{t} ({})\n", view.name)),
            None => out.push_str(&format!("{}\n", view.name)),
        }
        let header: Vec<String> = names(view).into_iter().map(str::to_string).collect();
        let rows = human_rows(view);
        let widths = widths(&header, &rows);
        let right: Vec<bool> = (0..header.len()).map(|c| is_numeric(view, c)).collect();
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, text)| {
                    pad(
                        text,
                        widths.get(c).copied().unwrap_or(0),
                        right.get(c).copied().unwrap_or(false),
                    )
                })
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        out.push_str(&line(&header));
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&line(&rule));
        for row in &rows {
            out.push_str(&line(row));
        }
        if rows.is_empty() {
            out.push_str("(no rows)\n");
        }
    }
    out
}
