//! Tests of a cell against literals answered once per distinct value: on
//! a coded column (see [`crate::Column`]) the answer for a code is found
//! the first time a row holds it, and every row after reads it by its
//! code (`stage == "Closed Won"` compares no text per deal). Columns of
//! many distinct values are tested value by value.

use crate::table::Store;
use crate::value::{RowRef, Value};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// No answer yet for a code.
const UNKNOWN: u8 = 0;
/// The test does not hold for a code's value.
const FAILS: u8 = 1;
/// The test holds for a code's value.
const HOLDS: u8 = 2;

/// Most codes a test keeps answers for: a column of more distinct values
/// (postal codes) is tested value by value, so that thousands of rules
/// testing it do not keep an answer per value each.
const MOST_CODES: usize = 64;

/// The answers of one test for the codes of the first coded column it
/// meets (any other column is tested value by value).
#[derive(Default)]
pub(super) struct ByCode {
    /// The dictionary's id, and the answer for each of its codes so far
    /// (threads that find one answer at once write the same answer).
    answers: OnceLock<(u64, Box<[AtomicU8]>)>,
}

impl ByCode {
    /// `test` of the value of column `column` on row `r`. The test must
    /// depend on the value alone.
    pub(super) fn test(
        &self,
        store: &Store,
        r: RowRef,
        column: usize,
        test: impl Fn(&Value) -> bool,
    ) -> bool {
        let Some(cells) = store.table(r.table).columns.get(column) else {
            return test(&Value::None);
        };
        let row = r.row as usize;
        let Some((id, code)) = cells.code_at(row) else {
            return cells.read(row, test);
        };
        let (answered, answers) = self.answers.get_or_init(|| {
            let codes = cells.coded().map_or(0, |(_, values)| values.len());
            let kept = if codes <= MOST_CODES { codes } else { 0 };
            (id, (0..kept).map(|_| AtomicU8::new(UNKNOWN)).collect())
        });
        // (another column, or a code added since: tested as a value)
        let slot = answers.get(code as usize).filter(|_| *answered == id);
        match slot.map(|s| s.load(Ordering::Relaxed)) {
            Some(HOLDS) => true,
            Some(FAILS) => false,
            _ => {
                let holds = cells.read(row, test);
                if let Some(slot) = slot {
                    slot.store(if holds { HOLDS } else { FAILS }, Ordering::Relaxed);
                }
                holds
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use crate::table::Table;
    use tally_check::TableId;

    fn table(values: &[&str]) -> Table {
        let mut t = Table::new("t", &["stage"]);
        for v in values {
            t.push_refs([&Value::text(v)]);
        }
        t
    }

    fn row(table: u32, row: u32) -> RowRef {
        RowRef {
            table: TableId(table),
            row,
        }
    }

    #[test]
    fn answers_by_code_are_the_answers_by_value() {
        let mut store = Store::with_tables(2);
        store.set(TableId(0), table(&["Won", "Lost", "Won", "Open"]));
        store.set(TableId(1), table(&["Lost", "Won"]));
        assert!(store.table(TableId(0)).columns[0].is_coded());
        let won = |v: &Value| matches!(v, Value::Text(t) if &**t == "Won");
        let by_code = ByCode::default();
        let answers = |store: &Store, t: u32, n: u32| -> Vec<bool> {
            (0..n)
                .map(|r| by_code.test(store, row(t, r), 0, won))
                .collect()
        };
        assert_eq!(answers(&store, 0, 4), [true, false, true, false]);
        assert_eq!(answers(&store, 0, 4), [true, false, true, false], "again");
        // Another column's codes mean other values: tested as values.
        assert_eq!(answers(&store, 1, 2), [false, true]);
        // A code added after the answers were made.
        let mut grown = table(&["Won", "Lost", "Won", "Open"]);
        grown.push_refs([&Value::text("Won")]);
        store.set(TableId(0), grown);
        let fresh = ByCode::default();
        assert!(!fresh.test(&store, row(0, 1), 0, won));
        let more = store.table_mut(TableId(0)).unwrap();
        more.push_refs([&Value::text("Pending")]);
        more.push_refs([&Value::text("Won")]);
        let rows: Vec<bool> = (0..7)
            .map(|r| fresh.test(&store, row(0, r), 0, won))
            .collect();
        assert_eq!(rows, [true, false, true, false, true, false, true]);
        // A copy's codes are another dictionary's.
        let copy = store.table(TableId(0)).clone();
        let id = |t: &Table| t.columns[0].code_at(0).map(|(id, _)| id);
        assert_ne!(id(&copy), id(store.table(TableId(0))));
        // A column of many values keeps no answers.
        let many: Vec<String> = (0..=MOST_CODES).map(|i| format!("S-{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        store.set(TableId(1), table(&refs));
        let wide = ByCode::default();
        let is = |want: &'static str| move |v: &Value| matches!(v, Value::Text(t) if &**t == want);
        assert!(wide.test(&store, row(1, 3), 0, is("S-3")));
        assert!(!wide.test(&store, row(1, 4), 0, is("S-3")));
        assert_eq!(wide.answers.get().map(|(_, a)| a.len()), Some(0));
        // Out of range and missing columns are none.
        assert!(!by_code.test(&store, row(0, 99), 0, won));
        assert!(by_code.test(&store, row(0, 0), 5, |v| v.is_none()));
    }
}
