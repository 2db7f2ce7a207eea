//! Derived fields (`assign`): rows whose value changed, matched by key.

use super::notes::one_side;
use super::shown::{differ, Side};
use super::{FieldChange, FieldDiff, Note, NoteKind};
use std::collections::HashMap;
use tally_check::AssignInfo;

/// `table.field` of an assign, and the assign.
fn targets<'a>(side: &Side<'a>) -> Vec<(String, String, &'a AssignInfo)> {
    let program = side.program();
    program
        .assigns
        .iter()
        .filter_map(|a| {
            let table = program.table(a.table)?;
            let field = table.columns.get(a.column)?;
            Some((table.name.clone(), field.name.clone(), a))
        })
        .collect()
}

/// Compares every assign target present in both policies; notes the
/// others.
pub(crate) fn compare(old: &Side<'_>, new: &Side<'_>, notes: &mut Vec<Note>) -> Vec<FieldDiff> {
    let (old_targets, new_targets) = (targets(old), targets(new));
    let mut out = Vec::new();
    for (table, field, a) in &old_targets {
        match new_targets
            .iter()
            .find(|(t, f, _)| t == table && f == field)
        {
            Some((_, _, b)) => out.push(compare_field(old, new, table, field, a, b)),
            None => notes.push(one_side(NoteKind::Field, format!("{table}.{field}"), true)),
        }
    }
    for (table, field, _) in &new_targets {
        if !old_targets.iter().any(|(t, f, _)| t == table && f == field) {
            notes.push(one_side(NoteKind::Field, format!("{table}.{field}"), false));
        }
    }
    out
}

fn compare_field(
    old: &Side<'_>,
    new: &Side<'_>,
    table: &str,
    field: &str,
    a: &AssignInfo,
    b: &AssignInfo,
) -> FieldDiff {
    let (ot, nt) = (old.store().table(a.table), new.store().table(b.table));
    // Same data on both sides: rows match by key, or by position without one.
    let new_rows: HashMap<String, usize> = (0..nt.len)
        .map(|r| (new.row_key(b.table, r).0, r))
        .collect();
    let mut diff = FieldDiff {
        table: table.to_string(),
        field: field.to_string(),
        compared: 0,
        changes: Vec::new(),
        rule_only: 0,
    };
    for row in 0..ot.len {
        let (key, label) = old.row_key(a.table, row);
        let found = match (ot.key, nt.key) {
            (Some(_), Some(_)) => new_rows.get(&key).copied(),
            _ => (row < nt.len).then_some(row),
        };
        let Some(new_row) = found else { continue };
        diff.compared += 1;
        let (ov, nv) = (
            old.show(&ot.get(a.column, row)),
            new.show(&nt.get(b.column, new_row)),
        );
        let (or, nr) = (
            old.show(&ot.get(a.rule_column, row)),
            new.show(&nt.get(b.rule_column, new_row)),
        );
        if differ(&ov, &nv) {
            diff.changes.push(FieldChange {
                key,
                label,
                old: ov,
                new: nv,
                old_rule: or,
                new_rule: nr,
            });
        } else if differ(&or, &nr) {
            diff.rule_only += 1;
        }
    }
    diff
}
