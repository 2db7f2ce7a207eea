//! The place when no placeholder text parsed: text heuristics around the
//! cursor, and the last good version of the declaration.

use super::scope::{columns_of, member_place, PER_ROW};
use super::{LocalItem, Member, Place, Scope};
use crate::analysis::Analysis;
use crate::text::*;
use crate::walk::{local_defs, LocalKind};
use tally_check::{Program, TableId, Type};

/// The place when no placeholder text parsed: the receiver word before a
/// `.`, the table of the innermost `method(`, the table a declaration
/// works on, and the locals of the last good version of the declaration.
pub(crate) fn heuristic_place(
    current: &Analysis,
    last_good: Option<&Analysis>,
    offset: usize,
    prefix_start: usize,
    chunk_start: usize,
    after_dot: bool,
) -> Place {
    let text = current.text.as_str();
    let programs: Vec<&Analysis> = std::iter::once(current).chain(last_good).collect();
    let table_named = |name: &str| -> Option<(&Program, TableId)> {
        programs
            .iter()
            .find_map(|a| a.program().table_named(name).map(|t| (a.program(), t)))
    };
    let locals = last_good
        .map(|a| locals_near(a, chunk_start, text))
        .unwrap_or_default();
    if after_dot {
        let receiver_end = prefix_start.saturating_sub(1);
        let receiver = text
            .get(word_start(text, receiver_end)..receiver_end)
            .unwrap_or("");
        if let Some((p, t)) = table_named(receiver) {
            return member_place(p, Some(&Type::Table(t)));
        }
        if let Some((_, Some(ty), _)) = locals.iter().find(|(n, _, _)| n == receiver) {
            if let Some((p, t)) = table_named(ty.trim_end_matches('?')) {
                return member_place(p, Some(&Type::Row(t)));
            }
        }
        return Place::Member(Member::Unknown);
    }
    let mut scope = Scope::default();
    // The table of the innermost `receiver.method(`.
    for (at, c) in open_brackets(text, chunk_start, offset).iter().rev() {
        if *c != '(' {
            continue;
        }
        let method_start = word_start(text, *at);
        let method = text.get(method_start..*at).unwrap_or("");
        if !PER_ROW.contains(&method) || !text.get(..method_start).is_some_and(|s| s.ends_with('.'))
        {
            continue;
        }
        let receiver_end = method_start - 1;
        let receiver = text
            .get(word_start(text, receiver_end)..receiver_end)
            .unwrap_or("");
        if let Some((p, t)) = table_named(receiver) {
            scope.columns.extend(columns_of(p, t));
        }
        break;
    }
    // The table the declaration works on.
    let head = text
        .get(chunk_start..line_end(text, chunk_start))
        .unwrap_or("");
    let words: Vec<&str> = head
        .split(|c: char| !is_ident_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    let decl_table = match words.as_slice() {
        ["assign", t, ..] | ["credit", t, ..] => Some(*t),
        ["report", ..] => text
            .get(chunk_start..offset)
            .and_then(|body| body.split("from").nth(1))
            .and_then(|rest| {
                rest.split(|c: char| !is_ident_char(c))
                    .find(|w| !w.is_empty())
            }),
        _ => None,
    };
    if let Some((p, t)) = decl_table.and_then(table_named) {
        scope.columns.extend(columns_of(p, t));
    }
    scope.locals = locals
        .into_iter()
        .map(|(name, ty, kind)| LocalItem { name, ty, kind })
        .collect();
    Place::Expr(scope)
}

/// The local names of the last good version of the declaration starting
/// at `chunk_start` (matched by its first line).
fn locals_near(
    good: &Analysis,
    chunk_start: usize,
    text: &str,
) -> Vec<(String, Option<String>, LocalKind)> {
    let head = text
        .get(chunk_start..line_end(text, chunk_start))
        .unwrap_or("");
    let Some(module) = good.module() else {
        return Vec::new();
    };
    let program = good.program();
    let decl = module.decls.iter().find(|d| {
        let start = d.span.lo();
        good.text.get(start..line_end(&good.text, start)) == Some(head)
    });
    let Some(decl) = decl else {
        return Vec::new();
    };
    local_defs(decl)
        .into_iter()
        .filter(|(_, kind)| *kind != LocalKind::RoleGroup)
        .map(|(id, kind)| {
            let ty = crate::hover::local_type(program, id.span).map(|t| program.show(&t));
            (id.name.clone(), ty, kind)
        })
        .collect()
}
