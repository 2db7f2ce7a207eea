//! Quick fixes: "did you mean" suggestions applied, and a missing
//! `otherwise` added to an `assign` or a role group.

use crate::analysis::Analysis;
use crate::rename::TextEdit;
use crate::text::{is_ident_char, line_start};
use tally_check::{Program, Type};
use tally_diagnostics::{Diagnostic, Span};
use tally_syntax::ast::*;

/// A fix the editor can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    /// What it does, e.g. "replace `contry` with `country`".
    pub title: String,
    /// The edits.
    pub edits: Vec<TextEdit>,
    /// The diagnostic it fixes, if it fixes one.
    pub diagnostic: Option<Diagnostic>,
    /// The obvious fix (editors may apply it with one key).
    pub preferred: bool,
}

/// The fixes for the range `start..end` of the analysed document.
pub fn code_actions(analysis: &Analysis, start: usize, end: usize) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let file = analysis.file();
    let touches = |s: Span| s.file == file && s.lo() <= end && start <= s.hi();
    for d in analysis.diagnostics() {
        if !touches(d.primary.span) {
            continue;
        }
        let Some(suggestion) = d.help.as_deref().and_then(did_you_mean) else {
            continue;
        };
        let span = d.primary.span;
        let old = analysis.text.get(span.lo()..span.hi()).unwrap_or("");
        if old.is_empty() || !old.chars().all(is_ident_char) || old == suggestion {
            continue;
        }
        out.push(CodeAction {
            title: format!("replace `{old}` with `{suggestion}`"),
            edits: vec![TextEdit {
                span,
                new_text: suggestion.to_string(),
            }],
            diagnostic: Some(d.clone()),
            preferred: true,
        });
    }
    if let Some(module) = analysis.module() {
        for decl in &module.decls {
            if !touches(decl.span) {
                continue;
            }
            match &decl.kind {
                DeclKind::Assign(a) => {
                    if let Some(fix) = assign_otherwise(analysis, a, decl.span) {
                        out.push(fix);
                    }
                }
                DeclKind::Credit(c) => {
                    for item in &c.items {
                        if let CreditItem::Group(g) = item {
                            if touches(g.span) {
                                if let Some(fix) = group_otherwise(analysis, c, g) {
                                    out.push(fix);
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The name in "did you mean `name`?".
fn did_you_mean(help: &str) -> Option<&str> {
    let rest = help.split("did you mean `").nth(1)?;
    let name = rest.split('`').next()?;
    (!name.is_empty()).then_some(name)
}

/// A value of `ty` to start an `otherwise` with.
fn default_value(program: &Program, ty: &Type) -> String {
    match ty.strip_optional() {
        Type::Territory => program
            .territories
            .first()
            .map(|t| t.name.clone())
            .unwrap_or_else(|| "none".to_string()),
        Type::Text => "\"Other\"".to_string(),
        Type::Int | Type::Decimal => "0".to_string(),
        Type::Percent => "0%".to_string(),
        Type::Money => format!("0 {}", program.settings.currency),
        Type::Bool => "false".to_string(),
        _ => "none".to_string(),
    }
}

/// An edit that inserts `line` as the last item of the block whose closing
/// brace is the last character of `block`.
fn insert_before_close(
    analysis: &Analysis,
    block: Span,
    arms_start: usize,
    line: &str,
) -> Option<TextEdit> {
    let text = analysis.text.as_str();
    let close = block.hi().checked_sub(1)?;
    if text.get(close..=close) != Some("}") {
        return None;
    }
    let close_line = line_start(text, close);
    let brace_alone = text
        .get(close_line..close)
        .is_some_and(|s| s.trim().is_empty());
    let arm_line = line_start(text, arms_start);
    let indent: String = text
        .get(arm_line..)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let (at, new_text) = if brace_alone {
        (close_line, format!("{indent}{line}\n"))
    } else {
        (close, format!(" {line} "))
    };
    Some(TextEdit {
        span: Span::new(block.file, at, at),
        new_text,
    })
}

fn assign_otherwise(analysis: &Analysis, a: &Assign, span: Span) -> Option<CodeAction> {
    if a.arms.iter().any(|arm| arm.is_otherwise()) {
        return None;
    }
    let program = analysis.program();
    let t = program.table_named(&a.table.name)?;
    let info = program.table(t)?;
    let ty = info
        .column(&a.field.name)
        .and_then(|i| info.columns.get(i))?
        .ty
        .clone();
    let value = default_value(program, &ty);
    let first = a.arms.first().map(|arm| arm.span.lo()).unwrap_or(span.lo());
    let edit = insert_before_close(analysis, span, first, &format!("otherwise {value}"))?;
    Some(CodeAction {
        title: format!(
            "add `otherwise` to `assign {}.{}` (rows no rule matches get {value})",
            a.table.name, a.field.name
        ),
        edits: vec![edit],
        diagnostic: None,
        preferred: false,
    })
}

fn group_otherwise(analysis: &Analysis, c: &Credit, g: &RoleGroup) -> Option<CodeAction> {
    // An `all match` group (an overlay) credits only where a rule holds.
    if g.hit == HitPolicy::AllMatch || g.arms.iter().any(|arm| arm.is_otherwise()) {
        return None;
    }
    let program = analysis.program();
    let payees = program.credit.as_ref()?.payees?;
    let credited = program.table(program.table_named(&c.table.name)?)?;
    // The first non-optional column of the credited table that is a payee.
    let payee = credited
        .columns
        .iter()
        .find(|col| col.ty == Type::Row(payees))?
        .name
        .clone();
    let first = g
        .arms
        .first()
        .map(|arm| arm.span.lo())
        .unwrap_or(g.span.lo());
    let edit = insert_before_close(
        analysis,
        g.span,
        first,
        &format!("otherwise {payee} gets 100%"),
    )?;
    Some(CodeAction {
        title: format!(
            "add `otherwise` to role group `{}` (deals no rule matches credit `{payee}`)",
            g.name.name
        ),
        edits: vec![edit],
        diagnostic: None,
        preferred: false,
    })
}
