//! Rendering diagnostics for people (compiler style) and for tools (JSON).

use crate::{Diagnostic, Label, SourceMap};
use serde::Serialize;
use std::fmt::Write as _;

/// How [`render_human`] draws diagnostics.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Use ANSI colours (for terminals).
    pub color: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, style: &str, text: &str) -> String {
        if self.on {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Renders diagnostics the way a good compiler does: code, severity,
/// `file:line:col`, the source line with the span underlined, labels, and
/// `help:` / `note:` lines. Diagnostics are separated by blank lines.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, opts: RenderOptions) -> String {
    let paint = Paint { on: opts.color };
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(&mut out, d, sources, &paint);
    }
    out
}

fn gutter_width(d: &Diagnostic, sources: &SourceMap) -> usize {
    std::iter::once(&d.primary)
        .chain(d.secondary.iter())
        .filter_map(|l| {
            let f = sources.get(l.span.file)?;
            Some(f.line_col(l.span.lo()).line.to_string().len())
        })
        .max()
        .unwrap_or(1)
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &SourceMap, paint: &Paint) {
    let color = if d.is_error() { RED } else { YELLOW };
    let head = format!("{}[{}]", d.severity.as_str(), d.code);
    let _ = writeln!(
        out,
        "{}{}",
        paint.wrap(color, &head),
        paint.wrap(BOLD, &format!(": {}", d.message))
    );
    let width = gutter_width(d, sources);
    let pad = " ".repeat(width);
    let pipe = paint.wrap(BLUE, "|");
    if let Some(file) = sources.get(d.primary.span.file) {
        let lc = file.line_col(d.primary.span.lo());
        let _ = writeln!(
            out,
            "{pad}{} {}:{}:{}",
            paint.wrap(BLUE, "-->"),
            file.name,
            lc.line,
            lc.col
        );
    }
    // Labels grouped by file and line: each source line is printed once,
    // followed by one underline row per label on it.
    let mut labels: Vec<(&Label, char, &str)> = vec![(&d.primary, '^', color)];
    labels.extend(d.secondary.iter().map(|l| (l, '-', BLUE)));
    let line_of = |l: &Label| {
        sources
            .get(l.span.file)
            .map(|f| f.line_col(l.span.lo()).line)
            .unwrap_or(0)
    };
    let mut order: Vec<(u32, usize, usize)> = labels
        .iter()
        .enumerate()
        .map(|(i, (l, _, _))| (l.span.file.0, line_of(l), i))
        .collect();
    // Primary file first, then others; lines in order within a file.
    order.sort_by_key(|(f, line, i)| (*f != d.primary.span.file.0, *f, *line, *i));
    let mut last: Option<(u32, usize)> = None;
    let mut shown = Window::default();
    for (file_id, line, i) in order {
        let Some((label, mark, style)) = labels.get(i) else {
            continue;
        };
        if sources.get(label.span.file).is_none() {
            // A label that points into no file (data a host built in
            // memory) has no source line to show.
            continue;
        }
        if last != Some((file_id, line)) {
            if last.map(|(f, _)| f) != Some(file_id) && file_id != d.primary.span.file.0 {
                if let Some(file) = sources.get(label.span.file) {
                    let lc = file.line_col(label.span.lo());
                    let _ = writeln!(
                        out,
                        "{pad}{} {}:{}:{}",
                        paint.wrap(BLUE, ":::"),
                        file.name,
                        lc.line,
                        lc.col
                    );
                }
            }
            let _ = writeln!(out, "{pad} {pipe}");
            shown = source_line(out, label, sources, width, paint);
            last = Some((file_id, line));
        }
        underline(out, label, *mark, sources, width, paint, style, shown);
    }
    if d.help.is_some() || !d.notes.is_empty() {
        let _ = writeln!(out, "{pad} {pipe}");
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = {}: {help}", paint.wrap(BOLD, "help"));
    }
    for note in &d.notes {
        let _ = writeln!(out, "{pad} = {}: {note}", paint.wrap(BOLD, "note"));
    }
}

/// Most characters of a source line shown; a longer line (a minified
/// JSON file, a 10 MB CSV cell) is shown as a window around the label.
const MAX_SHOWN: usize = 160;
/// Characters shown before the label's start in a window.
const CONTEXT: usize = 60;

/// The characters `from..to` of a source line that are shown, and whether
/// an ellipsis stands for the ones cut before `from`.
#[derive(Clone, Copy, Debug, Default)]
struct Window {
    from: usize,
    to: usize,
    cut_before: bool,
}

impl Window {
    fn around(line_len: usize, col0: usize) -> Window {
        if line_len <= MAX_SHOWN {
            return Window {
                from: 0,
                to: line_len,
                cut_before: false,
            };
        }
        let from = col0.saturating_sub(CONTEXT).min(line_len - MAX_SHOWN);
        Window {
            from,
            to: from + MAX_SHOWN,
            cut_before: from > 0,
        }
    }
}

fn source_line(
    out: &mut String,
    label: &Label,
    sources: &SourceMap,
    width: usize,
    paint: &Paint,
) -> Window {
    let Some(file) = sources.get(label.span.file) else {
        return Window::default();
    };
    let start = file.line_col(label.span.lo());
    let text = file.line_text(start.line);
    let shown = Window::around(text.chars().count(), start.col.saturating_sub(1));
    let mut line: String = text
        .chars()
        .skip(shown.from)
        .take(shown.to - shown.from)
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    if shown.cut_before {
        line.insert(0, '…');
    }
    if shown.to < text.chars().count() {
        line.push('…');
    }
    let pipe = paint.wrap(BLUE, "|");
    let number = format!("{:>width$}", start.line);
    let _ = writeln!(out, "{} {pipe} {line}", paint.wrap(BLUE, &number));
    shown
}

#[allow(
    clippy::too_many_arguments,
    reason = "one label, drawn in its line's window"
)]
fn underline(
    out: &mut String,
    label: &Label,
    mark: char,
    sources: &SourceMap,
    width: usize,
    paint: &Paint,
    color: &str,
    shown: Window,
) {
    let Some(file) = sources.get(label.span.file) else {
        return;
    };
    let start = file.line_col(label.span.lo());
    let end = file.line_col(label.span.hi());
    let line_len = file.line_text(start.line).chars().count();
    let underline_len = if end.line == start.line {
        end.col.saturating_sub(start.col).max(1)
    } else {
        line_len.saturating_sub(start.col - 1).max(1)
    };
    // Within the window the line is shown in (and after its ellipsis).
    let col0 = (start.col - 1).clamp(shown.from, shown.to.max(shown.from));
    let underline_len = underline_len
        .min((shown.to + 1).saturating_sub(col0))
        .max(1);
    let indent = col0 - shown.from + usize::from(shown.cut_before);
    let pipe = paint.wrap(BLUE, "|");
    let marks: String = std::iter::repeat_n(mark, underline_len).collect();
    let mut under = format!("{}{}", " ".repeat(indent), paint.wrap(color, &marks));
    if !label.message.is_empty() {
        under.push(' ');
        under.push_str(&paint.wrap(color, &label.message));
    }
    let _ = writeln!(out, "{} {pipe} {}", " ".repeat(width), under.trim_end());
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: u32,
    end: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    #[serde(flatten)]
    primary: JsonLabel<'a>,
    related: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    notes: &'a [String],
}

fn json_label<'a>(label: &'a Label, sources: &'a SourceMap) -> JsonLabel<'a> {
    let (file, start, end) = match sources.get(label.span.file) {
        Some(f) => (
            f.name.as_str(),
            f.line_col(label.span.lo()),
            f.line_col(label.span.hi()),
        ),
        None => {
            let zero = crate::LineCol { line: 0, col: 0 };
            ("<unknown>", zero, zero)
        }
    };
    JsonLabel {
        file,
        line: start.line,
        column: start.col,
        end_line: end.line,
        end_column: end.col,
        start: label.span.start,
        end: label.span.end,
        message: &label.message,
    }
}

/// Renders diagnostics as a JSON array (one object per diagnostic with
/// `code`, `severity`, `message`, `file`, `line`, `column`, `related`,
/// `help` and `notes`).
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let items: Vec<JsonDiagnostic> = diags
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            severity: d.severity.as_str(),
            message: &d.message,
            primary: json_label(&d.primary, sources),
            related: d.secondary.iter().map(|l| json_label(l, sources)).collect(),
            help: d.help.as_deref(),
            notes: &d.notes,
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Diagnostic, Span};

    #[test]
    fn renders_like_a_compiler() {
        let mut sources = SourceMap::new();
        let f = sources.add(
            "policy.tally",
            "assign accounts.territory (first match) {\n  rule \"X\" when contry == \"US\" then A\n}\n",
        );
        let d = Diagnostic::error("E0101", Span::new(f, 58, 64), "unknown name `contry`")
            .with_label("not a column of `accounts`")
            .with_help("did you mean `country`?");
        insta::assert_snapshot!(render_human(&[d], &sources, RenderOptions::default()), @r#"
        error[E0101]: unknown name `contry`
         --> policy.tally:2:17
          |
        2 |   rule "X" when contry == "US" then A
          |                 ^^^^^^ not a column of `accounts`
          |
          = help: did you mean `country`?
        "#);
    }

    /// A 10 MB line is shown as a window around the label, not whole.
    #[test]
    fn a_long_line_is_shown_around_the_label() {
        let mut sources = SourceMap::new();
        let line = format!("A,{},1\n", "9".repeat(10_000));
        let f = sources.add("rows.csv", format!("id,count,x\n{line}"));
        let lo = 11 + 2 + 5_000;
        let d = Diagnostic::error("D0011", Span::new(f, lo, lo + 3), "too big")
            .with_label("here")
            .with_secondary(Span::new(f, 11, 12), "row");
        let text = render_human(&[d], &sources, RenderOptions::default());
        assert!(text.len() < 1_000, "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let source = lines.iter().find(|l| l.starts_with("2 |")).unwrap();
        let marks = lines.iter().find(|l| l.contains("^^^")).unwrap();
        assert!(
            source.starts_with("2 | …") && source.ends_with('…'),
            "{text}"
        );
        // The underline sits under the label's first character.
        let caret = marks.find('^').unwrap();
        assert_eq!(source.chars().count(), source.len() - 4);
        assert_eq!(&source[caret + 2..caret + 2 + 3], "999", "{text}");
        assert_eq!(caret, 4 + 1 + 60, "{text}");
        // A short line is shown whole.
        let g = sources.add("short.csv", "id\nA\n");
        let short = Diagnostic::error("D0010", Span::new(g, 3, 4), "bad");
        let text = render_human(&[short], &sources, RenderOptions::default());
        assert!(text.contains("2 | A\n"), "{text}");
    }
}
