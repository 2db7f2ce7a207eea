//! After every table is loaded: key indexes (duplicate keys are errors),
//! references resolved to rows (a key that is not there is an error), and
//! effective-date ranges checked.

use super::build::{loaded_columns, loaded_key, TableState};
use super::sink::{nowhere, Sink};
use super::texts::Texts;
use crate::codes;
use std::borrow::Cow;
use std::collections::BTreeSet;
use tally_check::{Program, TableId, TableKind, Type};
use tally_diagnostics::{closest_many, Diagnostic};
use tally_eval::display::plain;
use tally_eval::engine::parallel;
use tally_eval::{RowRef, Store, Value};

/// A key value as people write it.
fn key_text(v: &Value, store: &Store) -> String {
    match v {
        Value::Text(t) => t.to_string(),
        other => plain(other, store),
    }
}

/// Links the declared tables of `store`. `states` says where rows and
/// cells are; tables in `absent` were never loaded (references to them
/// are reported once per column unless `quiet` holds the table: its
/// absence was already reported). `threads` is the host's
/// [`super::LoadLimits::threads`].
#[allow(
    clippy::too_many_arguments,
    reason = "the loader's state, passed once from two callers"
)]
pub(crate) fn link(
    program: &Program,
    store: &mut Store,
    states: &[TableState],
    absent: &BTreeSet<TableId>,
    quiet: &BTreeSet<TableId>,
    texts: &Texts<'_>,
    threads: Option<usize>,
    sink: &mut Sink,
) {
    // Keys first: references look rows up by key.
    for state in states {
        let Some(info) = program.table(state.id) else {
            continue;
        };
        let Some(key) = loaded_key(info) else {
            continue;
        };
        let Some(table) = store.table_mut(state.id) else {
            continue;
        };
        for (first, again) in table.set_key_on(key, threads) {
            let key_name = loaded_columns(info)
                .get(key)
                .map(|c| c.0.name.clone())
                .unwrap_or_default();
            let value = key_text(&store.table(state.id).get(key, again as usize), store);
            sink.push(
                Diagnostic::error(
                    codes::DUPLICATE_KEY,
                    state.span(key, again as usize, texts),
                    format!(
                        "`{}` has two rows with {key_name} `{value}`: {}",
                        info.name,
                        state.places(first as usize, again as usize)
                    ),
                )
                .with_label("used again here")
                .with_secondary(state.span(key, first as usize, texts), "first used here")
                .with_help(format!(
                    "`{key_name}` is the key of `{}`: every row needs its own",
                    info.name
                )),
            );
        }
    }
    let mut rekey = Vec::new();
    for state in states {
        let Some(info) = program.table(state.id) else {
            continue;
        };
        let columns = loaded_columns(info);
        for (ci, (column, _, _)) in columns.iter().enumerate() {
            let Some(target) = column.ty.table_id() else {
                continue;
            };
            if !matches!(column.ty.strip_optional(), Type::Row(_)) {
                continue;
            }
            if loaded_key(info) == Some(ci) {
                rekey.push((state.id, ci));
            }
            let target_name = program.table_name(target);
            if absent.contains(&target) {
                if !quiet.contains(&target) {
                    sink.push(Diagnostic::error(
                        codes::UNSUPPORTED,
                        column.span.unwrap_or_else(nowhere),
                        format!(
                            "`{}.{}` refers to `{target_name}`, which was not loaded",
                            info.name, column.name
                        ),
                    ));
                }
                continue;
            }
            let target_key = program
                .table(target)
                .and_then(|t| t.key.and_then(|k| t.columns.get(k)))
                .map(|c| c.name.clone())
                .unwrap_or_else(|| "key".to_string());
            let resolved = resolve_column(store, state, target, ci, threads);
            let target_table = store.table(target);
            let empty = tally_eval::Column::default();
            let cells = store.table(state.id).columns.get(ci).unwrap_or(&empty);
            // The rows whose key is not there, in row order.
            let missing: Vec<usize> = if resolved.iter().any(|(_, found)| found.is_none()) {
                let missing_items: std::collections::HashSet<usize> = resolved
                    .iter()
                    .filter(|(_, found)| found.is_none())
                    .map(|(item, _)| *item)
                    .collect();
                (0..cells.len())
                    .filter(|row| {
                        cells
                            .item_of(*row)
                            .is_some_and(|i| missing_items.contains(&i))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let mut dangling = Vec::new();
            for row in &missing {
                let v = cells.get(*row).unwrap_or(Cow::Borrowed(&Value::None));
                let value = key_text(&v, store);
                let suggestion = if target_table.len <= 10_000 {
                    let keys: Vec<String> = (0..target_table.len)
                        .filter_map(|r| target_table.key_of(r).map(|k| key_text(&k, store)))
                        .collect();
                    // Only a single close key is a likely typo.
                    let near = closest_many(&value, keys.iter().map(String::as_str), 2);
                    if near.len() == 1 {
                        near.into_iter().next()
                    } else {
                        None
                    }
                } else {
                    None
                };
                dangling.push(
                        Diagnostic::error(
                            codes::DANGLING_REFERENCE,
                            state.span(ci, *row, texts),
                            format!(
                                "`{}.{}` on {} refers to `{value}`, but no `{target_name}` row has {target_key} `{value}`",
                                info.name,
                                column.name,
                                state.place(*row)
                            ),
                        )
                        .with_label(format!("no `{target_name}` row has this {target_key}"))
                        .with_help_opt(suggestion.map(|s| format!("did you mean `{s}`?"))),
                    );
            }
            dangling.into_iter().for_each(|d| sink.push(d));
            if let Some(table) = store.table_mut(state.id) {
                if let Some(col) = table.columns.get_mut(ci) {
                    let mut outcomes: Vec<Option<Option<u32>>> = vec![None; col.item_count()];
                    for (item, found) in resolved {
                        if let Some(slot) = outcomes.get_mut(item) {
                            *slot = Some(found);
                        }
                    }
                    col.map_items(|item, v| match outcomes.get(item) {
                        Some(Some(Some(row))) => Value::Row(RowRef {
                            table: target,
                            row: *row,
                        }),
                        Some(Some(None)) => Value::None,
                        _ => v.clone(),
                    });
                }
            }
        }
    }
    for (id, key) in rekey {
        if let Some(table) = store.table_mut(id) {
            table.set_key_on(key, threads);
        }
    }
    for state in states {
        check_effective(program, store, state, texts, sink);
    }
}

/// Fewest cells worth a thread of their own when references are looked up.
const CELLS_PER_THREAD: usize = 1 << 16;

/// Looks up every key value of reference column `ci` in `target`, once
/// per item of the column (see [`tally_eval::Column::items`]): the target
/// row of each item that holds a key, `None` for a key that is not there.
/// Many items are looked up on several threads (`threads`, or one per
/// core), in ranges joined in item order.
fn resolve_column(
    store: &Store,
    state: &TableState,
    target: TableId,
    ci: usize,
    threads: Option<usize>,
) -> Vec<(usize, Option<u32>)> {
    let table = store.table(state.id);
    let target_table = store.table(target);
    let Some(col) = table.columns.get(ci) else {
        return Vec::new();
    };
    let cells = col.items();
    let resolve = |range: std::ops::Range<usize>| -> Vec<(usize, Option<u32>)> {
        let from = range.start;
        // (the row found last is tried first: see `Table::lookup_after`)
        let mut last = None;
        cells
            .get(range)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, v)| !matches!(v, Value::None | Value::Row(_)))
            .map(|(i, v)| {
                let found = target_table.lookup_after(v, last);
                last = found.or(last);
                (from + i, found)
            })
            .collect()
    };
    let parts = parallel::parts_for(threads, cells.len(), CELLS_PER_THREAD);
    parallel::map_ranges(cells.len(), parts, resolve)
        .into_iter()
        .flatten()
        .collect()
}

fn check_effective(
    program: &Program,
    store: &Store,
    state: &TableState,
    texts: &Texts<'_>,
    sink: &mut Sink,
) {
    let Some(info) = program.table(state.id) else {
        return;
    };
    let Some((s, e)) = info.effective else { return };
    let columns = loaded_columns(info);
    let position = |i: usize| {
        let c = info.columns.get(i)?;
        columns.iter().position(|(x, _, _)| std::ptr::eq(*x, c))
    };
    let (Some(s), Some(e)) = (position(s), position(e)) else {
        return;
    };
    let table = store.table(state.id);
    for row in 0..table.len {
        if let (Value::Date(start), Value::Date(end)) = (&*table.get(s, row), &*table.get(e, row)) {
            if end < start {
                let names = |i: usize| columns.get(i).map(|c| c.0.name.clone()).unwrap_or_default();
                sink.push(
                    Diagnostic::error(
                        codes::EFFECTIVE_RANGE,
                        state.span(e, row, texts),
                        format!(
                            "`{}` on {} ends on {end} ({}), before it starts on {start} ({})",
                            info.name,
                            state.place(row),
                            names(e),
                            names(s)
                        ),
                    )
                    .with_label("before the start")
                    .with_secondary(state.span(s, row, texts), "the start"),
                );
            }
        }
    }
}

/// The declared tables of a program.
pub(crate) fn declared(
    program: &Program,
) -> impl Iterator<Item = (TableId, &tally_check::TableInfo)> {
    program
        .tables
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.kind, TableKind::Declared(_)))
        .map(|(i, t)| (TableId(u32::try_from(i).unwrap_or(u32::MAX)), t))
}
