//! Signature help: the signature of the call around the cursor and the
//! argument being written.

use crate::analysis::Analysis;
use crate::text::{clamp, open_brackets, word_start};
use tally_check::TABLE_METHODS;

/// A signature with the active parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    /// The signature, e.g. `territory_rep(t: Territory?, job: Text, on: Date) -> reps?`.
    pub label: String,
    /// Byte ranges of each parameter inside `label`.
    pub parameters: Vec<(usize, usize)>,
    /// The parameter the cursor is in (0-based).
    pub active_parameter: usize,
    /// Markdown documentation.
    pub documentation: Option<String>,
}

/// The signature help at `offset`, looking functions up in `current` (and
/// in `last_good` when the current text has lost them).
pub fn signature_help(
    current: &Analysis,
    last_good: Option<&Analysis>,
    offset: usize,
) -> Option<SignatureHelp> {
    let text = current.text.as_str();
    let offset = clamp(text, offset);
    for (paren, c) in open_brackets(text, 0, offset).into_iter().rev() {
        if c != '(' {
            continue;
        }
        let start = word_start(text, paren);
        let name = text.get(start..paren).unwrap_or("");
        if name.is_empty() {
            continue;
        }
        let is_method = text.get(..start).is_some_and(|s| s.ends_with('.'));
        let (label, documentation) = if is_method {
            method_signature(name)?
        } else {
            [Some(current), last_good]
                .into_iter()
                .flatten()
                .find_map(|a| function_signature(a, name))
                .or_else(|| aggregate_signature(name))?
        };
        let parameters = parameter_ranges(&label);
        let active = active_argument(text, paren + 1, offset);
        return Some(SignatureHelp {
            active_parameter: active.min(parameters.len().saturating_sub(1)),
            label,
            parameters,
            documentation,
        });
    }
    None
}

fn method_signature(name: &str) -> Option<(String, Option<String>)> {
    if name == "ancestor" {
        return Some((
            "ancestor(level: Int) -> Territory?".to_string(),
            Some("The ancestor at that level (0 is the root), or none.".to_string()),
        ));
    }
    let m = TABLE_METHODS.iter().find(|m| m.name == name)?;
    Some((m.signature.to_string(), Some(m.doc.to_string())))
}

fn function_signature(analysis: &Analysis, name: &str) -> Option<(String, Option<String>)> {
    let program = analysis.program();
    let f = program.fn_named(name)?;
    let sig = crate::hover::fn_signature(program, f)?;
    let label = sig.strip_prefix("fn ").unwrap_or(&sig).to_string();
    Some((label, program.fns.get(f).and_then(|i| i.doc.clone())))
}

fn aggregate_signature(name: &str) -> Option<(String, Option<String>)> {
    let (sig, doc) = match name {
        "count" => ("count() -> Int", "The number of rows in the group."),
        "count_distinct" => (
            "count_distinct(value) -> Int",
            "The number of distinct values in the group.",
        ),
        "sum" => (
            "sum(value) -> number or Money",
            "The exact sum over the group.",
        ),
        "avg" => ("avg(value) -> value?", "The exact average over the group."),
        "first" => (
            "first(value) -> value?",
            "The value on the group's first row.",
        ),
        _ => return None,
    };
    Some((sig.to_string(), Some(doc.to_string())))
}

/// Byte ranges of the comma-separated parameters between the first `(`
/// and its `)`.
fn parameter_ranges(label: &str) -> Vec<(usize, usize)> {
    let Some(open) = label.find('(') else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    for (i, c) in label.char_indices().skip_while(|(i, _)| *i <= open) {
        match c {
            '(' | '<' | '[' => depth += 1,
            ')' if depth == 0 => {
                push_param(label, start, i, &mut out);
                break;
            }
            ')' | '>' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                push_param(label, start, i, &mut out);
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

fn push_param(label: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let part = label.get(start..end).unwrap_or("");
    let lead = part.len() - part.trim_start().len();
    let trimmed = part.trim();
    if !trimmed.is_empty() {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

/// How many top-level commas lie between `from` and `to`.
fn active_argument(text: &str, from: usize, to: usize) -> usize {
    let mut commas = 0;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut chars = text.get(from..to).unwrap_or("").chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    commas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_of_a_label() {
        let l = "f(a: Map<Text, Int>, b: Int) -> Int";
        let ranges = parameter_ranges(l);
        let parts: Vec<&str> = ranges.iter().map(|(s, e)| &l[*s..*e]).collect();
        assert_eq!(parts, ["a: Map<Text, Int>", "b: Int"]);
        assert!(parameter_ranges("count() -> Int").is_empty());
        assert_eq!(active_argument("a, [b, c], \"d,e\", f", 0, 19), 3);
    }
}
