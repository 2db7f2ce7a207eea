//! A table of text cells, laid out for a terminal or as GitHub Markdown.

/// Header, alignment and rows of one table.
pub(crate) struct Grid {
    header: Vec<String>,
    /// Right-align this column (numbers).
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Grid {
    /// A grid with these column names; `right` marks numeric columns.
    pub fn new(header: Vec<String>, right: Vec<bool>) -> Grid {
        Grid {
            header,
            right,
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn widths(&self, min: usize) -> Vec<usize> {
        (0..self.header.len())
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .chain(self.header.get(c))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(min)
            })
            .collect()
    }

    fn line(&self, cells: &[String], widths: &[usize]) -> Vec<String> {
        widths
            .iter()
            .enumerate()
            .map(|(c, w)| {
                let text = cells.get(c).map(String::as_str).unwrap_or("");
                let fill = " ".repeat(w.saturating_sub(text.chars().count()));
                if self.right.get(c).copied().unwrap_or(false) {
                    format!("{fill}{text}")
                } else {
                    format!("{text}{fill}")
                }
            })
            .collect()
    }

    /// Aligned columns separated by two spaces, a dashed rule under the
    /// header.
    pub fn text(&self) -> String {
        let widths = self.widths(0);
        let mut out = String::new();
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        for row in std::iter::once(&self.header)
            .chain(std::iter::once(&rule))
            .chain(&self.rows)
        {
            out.push_str(self.line(row, &widths).join("  ").trim_end());
            out.push('\n');
        }
        out
    }

    /// A Markdown table; numeric columns right-aligned (`---:`), cells
    /// padded so the source reads as a table too.
    pub fn markdown(&self) -> String {
        let escape = |row: &Vec<String>| {
            row.iter()
                .map(|c| c.replace('|', "\\|"))
                .collect::<Vec<_>>()
        };
        let header = escape(&self.header);
        let rows: Vec<Vec<String>> = self.rows.iter().map(escape).collect();
        let widths = Grid {
            header: header.clone(),
            right: self.right.clone(),
            rows: rows.clone(),
        }
        .widths(3);
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, w)| match self.right.get(c) {
                Some(true) => format!("{}:", "-".repeat(w.saturating_sub(1))),
                _ => "-".repeat(*w),
            })
            .collect();
        let mut out = String::new();
        out.push_str(&format!(
            "| {} |\n",
            self.line(&header, &widths).join(" | ")
        ));
        out.push_str(&format!("| {} |\n", rule.join(" | ")));
        for row in &rows {
            out.push_str(&format!("| {} |\n", self.line(row, &widths).join(" | ")));
        }
        out
    }
}
