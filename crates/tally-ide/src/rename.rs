//! Rename: every occurrence of a user-declared name, checked so that the
//! renamed program means what it meant before.

use crate::analysis::Analysis;
use crate::index::{Def, Symbol};
use crate::walk::{local_defs, LocalKind};
use std::collections::HashSet;
use tally_check::{ColumnOrigin, TableKind};
use tally_diagnostics::Span;
use tally_syntax::ast::DeclKind;

/// Replace the text at `span` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    /// What to replace (an empty span inserts).
    pub span: Span,
    /// The replacement.
    pub new_text: String,
}

/// The name at `offset` and its span, when it can be renamed; otherwise
/// why not.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Result<(Span, String), String> {
    let program = analysis.program();
    let occ = analysis
        .index
        .at(analysis.file(), offset)
        .ok_or_else(|| "there is no name here to rename".to_string())?;
    let name = span_text(analysis, occ.span).to_string();
    let def = match &occ.symbol {
        Symbol::Decl(def) => *def,
        Symbol::Native(_) | Symbol::Builtin(_) => {
            return Err(format!("`{name}` is built in and cannot be renamed"))
        }
        Symbol::Table(_) | Symbol::Column(..) => {
            return Err(format!(
                "`{name}` belongs to the built-in `credits` table and cannot be renamed"
            ))
        }
    };
    if program.is_stdlib(def.file) {
        return Err(format!(
            "`{name}` is part of the standard library and cannot be renamed"
        ));
    }
    let def_name = span_text(analysis, def);
    if def_name != name {
        return Err(format!(
            "`{name}` follows the name of `{def_name}`; rename `{def_name}` instead"
        ));
    }
    if analysis.index.local_kind(def) == Some(LocalKind::RoleGroup) {
        return Err(format!(
            "`{name}` is also the `role` of its credits (data that reports filter on); change it by hand"
        ));
    }
    Ok((occ.span, name))
}

/// The edits that rename the name at `offset` to `new_name`, or why it
/// cannot be done.
pub fn rename(analysis: &Analysis, offset: usize, new_name: &str) -> Result<Vec<TextEdit>, String> {
    let (span, old) = prepare_rename(analysis, offset)?;
    check_new_name(new_name)?;
    if new_name == old {
        return Ok(Vec::new());
    }
    let symbol = analysis
        .index
        .at(analysis.file(), span.lo())
        .map(|o| o.symbol.clone())
        .ok_or_else(|| "there is no name here to rename".to_string())?;
    let Symbol::Decl(def) = symbol else {
        return Err(format!("`{old}` cannot be renamed"));
    };
    check_clash(analysis, def, &old, new_name)?;
    let edits = edits_for(analysis, &symbol, def, &old, new_name);
    verify(analysis, &edits, def, &old, new_name)?;
    Ok(edits)
}

fn span_text(analysis: &Analysis, span: Span) -> &str {
    analysis
        .program()
        .sources
        .text(span.file)
        .get(span.lo()..span.hi())
        .unwrap_or("")
}

fn check_new_name(new_name: &str) -> Result<(), String> {
    let mut chars = new_name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{new_name}` is not a name: use letters, digits and `_`, starting with a letter"
        ));
    }
    if tally_syntax::keywords::is_keyword(new_name) {
        return Err(format!("`{new_name}` is a reserved word"));
    }
    if tally_check::TYPE_NAMES.contains(&new_name) {
        return Err(format!("`{new_name}` is the name of a type"));
    }
    Ok(())
}

fn check_clash(analysis: &Analysis, def: Span, old: &str, new_name: &str) -> Result<(), String> {
    let program = analysis.program();
    let global = |what: &str| -> Result<(), String> {
        if program.global_names().contains(&new_name)
            || program.broken_names.iter().any(|b| b == new_name)
        {
            return Err(format!(
                "cannot rename {what} `{old}` to `{new_name}`: `{new_name}` is already declared"
            ));
        }
        Ok(())
    };
    match analysis.index.def(def) {
        Some(Def::Table(t)) => {
            let what = match program.table(t).map(|i| &i.kind) {
                Some(TableKind::Plan(_)) => "plan",
                Some(TableKind::Report(_)) => "report",
                _ => "table",
            };
            global(what)?;
        }
        Some(Def::Const(_)) => global("const")?,
        Some(Def::Fn(_)) => global("function")?,
        Some(Def::Territory(_)) => global("territory")?,
        Some(Def::Column(t, i)) => {
            let info = program
                .table(t)
                .ok_or_else(|| "unknown table".to_string())?;
            let derived = matches!(
                info.columns.get(i).map(|c| &c.origin),
                Some(ColumnOrigin::Derived(_))
            );
            let rule_name = format!("{new_name}_rule");
            if let Some(c) = info
                .columns
                .iter()
                .find(|c| c.name == new_name || (derived && c.name == rule_name))
            {
                return Err(format!("`{}` already has a column `{}`", info.name, c.name));
            }
        }
        Some(Def::Local(_)) | None => {}
    }
    // Other local names of the same declaration.
    if let Some(module) = program.modules.iter().find(|m| m.file == def.file) {
        if let Some(decl) = module.decls.iter().find(|d| d.span.contains(def.lo())) {
            let locals = local_defs(decl);
            if locals.iter().any(|(id, _)| id.span == def) {
                if let Some((id, kind)) = locals.iter().find(|(id, _)| id.name == new_name) {
                    return Err(format!(
                        "`{}` is already a {} here",
                        id.name,
                        kind.describe()
                    ));
                }
            }
        }
    }
    Ok(())
}

fn edits_for(
    analysis: &Analysis,
    symbol: &Symbol,
    def: Span,
    old: &str,
    new_name: &str,
) -> Vec<TextEdit> {
    let program = analysis.program();
    let index = &analysis.index;
    // Spans where a use of one symbol is also the declaration of another:
    // a bare report column (`columns { territory }`) both reads the input
    // column and names the output column.
    let mut shared: HashSet<Span> = HashSet::new();
    for o in index.iter() {
        if !o.def && index.def(o.span).is_some() && o.symbol != Symbol::Decl(o.span) {
            shared.insert(o.span);
        }
    }
    let old_rule = format!("{old}_rule");
    let mut edits = Vec::new();
    for o in index.occurrences_of(symbol) {
        if program.is_stdlib(o.span.file) {
            continue;
        }
        let text = span_text(analysis, o.span);
        let new_text = if text == old {
            if shared.contains(&o.span) {
                if o.def {
                    // Renaming the output column: keep reading the input.
                    format!("{new_name} = {old}")
                } else {
                    // Renaming the input column: keep the output's name.
                    format!("{old} = {new_name}")
                }
            } else {
                new_name.to_string()
            }
        } else if text == old_rule {
            if shared.contains(&o.span) && !o.def {
                format!("{old_rule} = {new_name}_rule")
            } else {
                format!("{new_name}_rule")
            }
        } else {
            continue;
        };
        edits.push(TextEdit {
            span: o.span,
            new_text,
        });
    }
    // A loaded column without `from` reads the header of its name: keep
    // reading the same header.
    if let Some(edit) = keep_header(analysis, def, old) {
        edits.push(edit);
    }
    edits.sort_by_key(|e| (e.span.file, e.span.start, e.span.end));
    edits.dedup();
    edits
}

fn keep_header(analysis: &Analysis, def: Span, old: &str) -> Option<TextEdit> {
    let module = analysis
        .program()
        .modules
        .iter()
        .find(|m| m.file == def.file)?;
    for decl in &module.decls {
        let DeclKind::Table(t) = &decl.kind else {
            continue;
        };
        if let Some(c) = t.columns.iter().find(|c| c.name.span == def) {
            if c.from.is_some() {
                return None;
            }
            let at = crate::text::trim_span(analysis.program().sources.text(def.file), c.span).hi();
            return Some(TextEdit {
                span: Span::new(def.file, at, at),
                new_text: format!(" from \"{old}\""),
            });
        }
    }
    None
}

/// Applies the edits of the document and checks it again: the rename must
/// not add errors, and the renamed declaration must have as many
/// occurrences as before.
fn verify(
    analysis: &Analysis,
    edits: &[TextEdit],
    def: Span,
    old: &str,
    new_name: &str,
) -> Result<(), String> {
    let file = analysis.file();
    if edits.iter().any(|e| e.span.file != file) || def.file != file {
        return Ok(());
    }
    let mut text = analysis.text.clone();
    for e in edits.iter().rev() {
        if text.get(e.span.lo()..e.span.hi()).is_none() {
            return Err("the document changed; try again".to_string());
        }
        text.replace_range(e.span.lo()..e.span.hi(), &e.new_text);
    }
    let after = analysis.recheck(&text);
    let errors = |a: &Analysis| a.diagnostics().iter().filter(|d| d.is_error()).count();
    let problem =
        || format!("renaming `{old}` to `{new_name}` would change what some names mean here");
    if errors(&after) > errors(analysis) {
        return Err(problem());
    }
    // Every occurrence must still be one, and no other name may have
    // become one (captured by the new name).
    let moved = |old: usize| -> usize {
        let shift: i64 = edits
            .iter()
            .filter(|e| e.span.hi() <= old && e.span.lo() < old)
            .map(|e| e.new_text.len() as i64 - (e.span.hi() - e.span.lo()) as i64)
            .sum();
        usize::try_from(old as i64 + shift).unwrap_or(0)
    };
    let new_def = moved(def.lo());
    let new_span = Span::new(file, new_def, new_def + new_name.len());
    let mut before: Vec<(u32, usize)> = analysis
        .index
        .occurrences_of(&Symbol::Decl(def))
        .map(|o| {
            // In `old = new` (a bare report column kept by name) the
            // renamed use follows the ` = `.
            let inside = edits
                .iter()
                .find(|e| e.span == o.span && !o.def)
                .and_then(|e| e.new_text.find(" = ").map(|i| i + 3))
                .unwrap_or(0);
            (o.span.file.0, moved(o.span.lo()) + inside)
        })
        .collect();
    let mut now: Vec<(u32, usize)> = after
        .index
        .occurrences_of(&Symbol::Decl(new_span))
        .map(|o| (o.span.file.0, o.span.lo()))
        .collect();
    before.sort_unstable();
    before.dedup();
    now.sort_unstable();
    now.dedup();
    if before != now {
        return Err(problem());
    }
    Ok(())
}
