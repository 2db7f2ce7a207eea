//! `tally repl`: the rustyline front end over `tally::session::Session`
//! (history, multi-line entry, completion, hints, highlighting), and a
//! plain reader for piped stdin.

use crate::output;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use tally::session::{is_complete, Reply, Session, COMMANDS};

/// Names the completer offers, refreshed after every entry.
#[derive(Default)]
struct Names {
    /// Tables (declared, `credits`, plans, reports) with their columns.
    tables: Vec<(String, Vec<String>)>,
    functions: Vec<String>,
    territories: Vec<String>,
    reports: Vec<String>,
    bindings: Vec<String>,
    consts: Vec<String>,
}

impl Names {
    fn from_session(s: &Session) -> Names {
        let Some(results) = s.results() else {
            return Names::default();
        };
        let p = results.program();
        Names {
            tables: p
                .tables
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        t.columns.iter().map(|c| c.name.clone()).collect(),
                    )
                })
                .collect(),
            functions: p.fns.iter().map(|f| f.name.clone()).collect(),
            territories: p.territories.iter().map(|t| t.name.clone()).collect(),
            reports: results.report_names(),
            bindings: s.binding_names(),
            consts: p.consts.iter().map(|c| c.name.clone()).collect(),
        }
    }

    fn columns_of(&self, table: &str) -> Option<&[String]> {
        self.tables
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, c)| c.as_slice())
    }
}

/// The rustyline helper: completion, hints, highlighting, multi-line.
struct ReplHelper {
    names: Names,
}

const METHODS: &[&str] = &[
    "where", "sum", "count", "avg", "min", "max", "first", "only", "any", "all", "sort", "at",
    "get",
];

fn word_start(line: &str, pos: usize) -> usize {
    line.get(..pos)
        .and_then(|l| {
            l.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map(|i| i + 1)
        })
        .unwrap_or(0)
}

/// The table whose columns are in scope at `pos`: the receiver of the
/// innermost unclosed `.method(`.
fn table_in_scope<'a>(line: &str, pos: usize, names: &'a Names) -> Option<&'a [String]> {
    let before = line.get(..pos)?;
    let mut depth = 0i32;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth > 0 => depth -= 1,
            '(' => {
                let head = before.get(..i)?;
                let method_start = word_start(head, head.len());
                let dot = head.get(..method_start)?.strip_suffix('.')?;
                let table_start = word_start(dot, dot.len());
                return names.columns_of(dot.get(table_start..)?);
            }
            _ => {}
        }
    }
    None
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = word_start(line, pos);
        let prefix = line.get(start..pos).unwrap_or("");
        let pair = |s: &str| Pair {
            display: s.to_string(),
            replacement: s.to_string(),
        };
        // `:commands`
        if line.starts_with(':') && !line.contains(' ') {
            let typed = line.get(..pos).unwrap_or("");
            let hits = COMMANDS
                .iter()
                .filter(|(c, _)| c.starts_with(typed))
                .map(|(c, _)| pair(c))
                .collect();
            return Ok((0, hits));
        }
        if let Some(rest) = line.strip_prefix(":report ") {
            let _ = rest;
            return Ok((
                start,
                self.names
                    .reports
                    .iter()
                    .filter(|r| r.starts_with(prefix))
                    .map(|r| pair(r))
                    .collect(),
            ));
        }
        let mut candidates: Vec<String> = Vec::new();
        let before = line.get(..start).unwrap_or("");
        if let Some(receiver) = before
            .strip_suffix('.')
            .or_else(|| before.strip_suffix("?."))
        {
            // After `table.`: its columns and the table methods.
            let rs = word_start(receiver, receiver.len());
            let name = receiver.get(rs..).unwrap_or("");
            if let Some(cols) = self.names.columns_of(name) {
                candidates.extend(cols.iter().cloned());
                candidates.extend(METHODS.iter().map(|m| m.to_string()));
            } else {
                candidates.extend(METHODS.iter().map(|m| m.to_string()));
                candidates.extend(
                    ["name", "parent", "path", "level"]
                        .iter()
                        .map(|s| s.to_string()),
                );
                for (_, cols) in &self.names.tables {
                    candidates.extend(cols.iter().cloned());
                }
            }
        } else {
            if let Some(cols) = table_in_scope(line, start, &self.names) {
                candidates.extend(cols.iter().cloned());
            }
            candidates.extend(self.names.bindings.iter().cloned());
            candidates.extend(self.names.tables.iter().map(|(t, _)| t.clone()));
            candidates.extend(self.names.consts.iter().cloned());
            candidates.extend(self.names.territories.iter().cloned());
            candidates.extend(self.names.functions.iter().cloned());
            candidates.extend(
                [
                    "let", "if", "then", "else", "and", "or", "not", "none", "true", "false",
                    "within", "in",
                ]
                .iter()
                .map(|s| s.to_string()),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        let hits: Vec<Pair> = candidates
            .into_iter()
            .filter(|c| c.starts_with(prefix) && seen.insert(c.clone()))
            .map(|c| pair(&c))
            .collect();
        Ok((start, hits))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos != line.len() || !line.starts_with(':') || line.len() < 2 || line.contains(' ') {
            return None;
        }
        let (cmd, _) = COMMANDS.iter().find(|(c, _)| c.starts_with(line))?;
        cmd.get(line.len()..).map(str::to_string)
    }
}

const KEYWORDS: &[&str] = &[
    "let", "if", "then", "else", "and", "or", "not", "in", "is", "as", "some", "none", "true",
    "false", "within", "of", "tiered", "marginal", "retro", "desc", "asc",
];

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight_line(line))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

/// Colours keywords, text, numbers and comments.
fn highlight_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            let rest: String = chars[i..].iter().collect();
            out.push_str(&format!("\x1b[2m{rest}\x1b[0m"));
            break;
        }
        if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            let s: String = chars[i..end].iter().collect();
            out.push_str(&format!("\x1b[32m{s}\x1b[0m"));
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric() || matches!(chars[j], '_' | '.' | '%' | '-'))
            {
                j += 1;
            }
            let s: String = chars[i..j].iter().collect();
            out.push_str(&format!("\x1b[36m{s}\x1b[0m"));
            i = j;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let w: String = chars[i..j].iter().collect();
            if KEYWORDS.contains(&w.as_str()) || (w.starts_with(':') && i == 0) {
                out.push_str(&format!("\x1b[1;34m{w}\x1b[0m"));
            } else {
                out.push_str(&w);
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if is_complete(ctx.input()) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Helper for ReplHelper {}

/// Where the history is kept: the user's data directory.
fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("tally");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("repl-history.txt"))
}

fn print_reply(reply: &Reply) -> bool {
    match reply {
        Reply::Text(t) => println!("{t}"),
        Reply::Error(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("{}", e.trim_end());
        }
        Reply::Nothing | Reply::Quit => {}
    }
    matches!(reply, Reply::Quit)
}

/// Starts the REPL; returns the exit code.
pub fn run(policy: Option<&Path>, data: Option<&Path>) -> u8 {
    let mut session = Session::new();
    let interactive = std::io::stdin().is_terminal();
    let mut failed = false;
    if let Some(d) = data {
        // Data first, so loading the policy evaluates once.
        let _ = session.set_data(d);
    }
    if let Some(p) = policy {
        let reply = session.load(p);
        failed |= matches!(reply, Reply::Error(_));
        if interactive || matches!(reply, Reply::Error(_)) {
            print_reply(&reply);
        }
    }
    if !interactive {
        return piped(&mut session, failed);
    }
    println!("tally repl — `:help` for commands, Ctrl-D to leave");
    let Ok(mut editor) = Editor::<ReplHelper, DefaultHistory>::new() else {
        output::error_line("this terminal cannot run the line editor");
        return output::FAILED;
    };
    editor.set_helper(Some(ReplHelper {
        names: Names::from_session(&session),
    }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    loop {
        match editor.readline("tally> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let reply = session.entry(&line);
                if print_reply(&reply) {
                    break;
                }
                if let Some(h) = editor.helper_mut() {
                    h.names = Names::from_session(&session);
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                output::error_line(&format!("cannot read the line: {e}"));
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    output::OK
}

/// Reads entries from piped stdin (an entry continues while brackets are
/// open) and prints results without prompts.
fn piped(session: &mut Session, mut failed: bool) -> u8 {
    let stdin = std::io::stdin();
    let mut entry = String::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if !entry.is_empty() {
            entry.push('\n');
        }
        entry.push_str(&line);
        if !is_complete(&entry) {
            continue;
        }
        let reply = session.entry(&entry);
        entry.clear();
        failed |= matches!(reply, Reply::Error(_));
        if print_reply(&reply) {
            break;
        }
    }
    if !entry.trim().is_empty() {
        let reply = session.entry(&entry);
        failed |= matches!(reply, Reply::Error(_));
        print_reply(&reply);
    }
    if failed {
        output::FAILED
    } else {
        output::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            tables: vec![(
                "opportunities".into(),
                vec!["id".into(), "close_date".into(), "amount".into()],
            )],
            ..Names::default()
        }
    }

    #[test]
    fn columns_after_a_dot_and_inside_where() {
        let h = ReplHelper { names: names() };
        let history = DefaultHistory::new();
        let ctx = Context::new(&history);
        let (start, hits) = h.complete("opportunities.cl", 16, &ctx).unwrap();
        assert_eq!(start, 14);
        assert_eq!(
            hits.iter()
                .map(|p| p.replacement.as_str())
                .collect::<Vec<_>>(),
            ["close_date"]
        );
        let line = "opportunities.where(am";
        let (_, hits) = h.complete(line, line.len(), &ctx).unwrap();
        assert!(hits.iter().any(|p| p.replacement == "amount"));
    }
}
