//! GitHub Markdown tables.

use super::cells::{human_rows, is_numeric, names, pad, widths};
use super::ReportView;

/// Escapes a cell for a Markdown table (pipes; line breaks were already
/// shown as `\n`).
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Renders reports as Markdown: `### Title`, a blank line, then a table
/// whose numeric columns are right-aligned (`---:`); cells are padded so
/// the source reads as a table too. Reports are separated by a blank line.
pub fn render_md(views: &[ReportView<'_>]) -> String {
    let mut out = String::new();
    for (i, view) in views.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("### {}\n\n", escape(view.heading())));
        let header: Vec<String> = names(view).into_iter().map(escape).collect();
        let rows: Vec<Vec<String>> = human_rows(view)
            .into_iter()
            .map(|r| r.iter().map(|c| escape(c)).collect())
            .collect();
        let widths: Vec<usize> = widths(&header, &rows)
            .into_iter()
            .map(|w| w.max(3))
            .collect();
        let right: Vec<bool> = (0..header.len()).map(|c| is_numeric(view, c)).collect();
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(c, text)| {
                    pad(
                        text,
                        widths.get(c).copied().unwrap_or(3),
                        right.get(c).copied().unwrap_or(false),
                    )
                })
                .collect();
            format!("| {} |\n", padded.join(" | "))
        };
        out.push_str(&line(&header));
        let rule: Vec<String> = widths
            .iter()
            .zip(&right)
            .map(|(w, r)| {
                if *r {
                    format!("{}:", "-".repeat(w - 1))
                } else {
                    "-".repeat(*w)
                }
            })
            .collect();
        out.push_str(&line(&rule));
        for row in &rows {
            out.push_str(&line(row));
        }
    }
    out
}
