//! Filters of many rows answered by code: a credit block's `where` and a
//! report's `where`s, when one tests a column of the row against literals
//! (`stage == "Closed Won"`, `not (stage in ["Closed Won", "Closed Lost"])`),
//! are tested before anything else is done for a row. On a coded column
//! the answer for each code is found once per loop and then read by the
//! row's code: no closure is called and no value is made per row.

use super::{Compiler, LiteralTest};
use crate::column::Codes;
use crate::table::Store;
use crate::value::{RowRef, Value};
use tally_check::TableId;
use tally_syntax::ast::{Expr, ExprKind, UnOp};

/// An equality test (`==`, `!=`, `in`, or `not` of one) of a column of the
/// row in scope against literals.
pub(crate) struct CodeTest {
    test: LiteralTest,
    negated: bool,
}

/// One loop's answers of a [`CodeTest`], by code of the column it tests.
/// Unlike the answers a compiled test shares between threads
/// ([`super::ByCode`], up to 64 codes), these belong to one thread's loop:
/// no atomics and no limit on the codes. Answering the filters through
/// `ByCode` instead took crediting about 4% longer.
#[derive(Default)]
pub(crate) struct Answers {
    /// The dictionary the answers are for.
    dict: Option<u64>,
    /// Per code: unknown (0), fails (1), holds (2).
    by_code: Vec<u8>,
}

impl Answers {
    /// Makes these the answers for the codes of dictionary `dict`.
    fn of(&mut self, dict: u64) {
        if self.dict != Some(dict) {
            self.dict = Some(dict);
            self.by_code.clear();
        }
    }
}

impl Compiler<'_> {
    /// `e` as a [`CodeTest`] of the row in scope at depth 0, if it is one;
    /// [`CodeTest::holds`] then gives what the compiled `e` gives.
    pub(crate) fn code_test(&self, e: &Expr) -> Option<CodeTest> {
        match &e.kind {
            ExprKind::Paren(inner) => self.code_test(inner),
            ExprKind::Unary {
                op: UnOp::Not,
                expr,
            } => self.code_test(expr).map(|t| CodeTest {
                negated: !t.negated,
                ..t
            }),
            ExprKind::Binary { op, lhs, rhs } => {
                let (depth, test) = self.literal_test_at(*op, lhs, rhs, e.span)?;
                (depth == 0 && test.is_equality()).then_some(CodeTest {
                    test,
                    negated: false,
                })
            }
            _ => None,
        }
    }
}

impl CodeTest {
    /// Whether the test holds on `row`, read from `answers` when the
    /// row's code was answered before.
    pub(crate) fn holds(&self, store: &Store, row: RowRef, answers: &mut Answers) -> bool {
        let Some(cells) = store.table(row.table).columns.get(self.test.column) else {
            return self.answer(&Value::None, store);
        };
        let at = row.row as usize;
        let Some((dict, code)) = cells.code_at(at) else {
            return cells.read(at, |v| self.answer(v, store));
        };
        answers.of(dict);
        self.answered(answers, cells, at, code, store)
    }

    /// The answer for `code`, the code of row `at` of `cells`: found in
    /// `answers`, or answered from the row's value and kept there.
    #[inline]
    fn answered(
        &self,
        answers: &mut Answers,
        cells: &crate::Column,
        at: usize,
        code: u32,
        store: &Store,
    ) -> bool {
        let slot = code as usize;
        match answers.by_code.get(slot) {
            Some(1) => false,
            Some(2) => true,
            _ => {
                let holds = cells.read(at, |v| self.answer(v, store));
                if answers.by_code.len() <= slot {
                    answers.by_code.resize(slot + 1, 0);
                }
                if let Some(known) = answers.by_code.get_mut(slot) {
                    *known = if holds { 2 } else { 1 };
                }
                holds
            }
        }
    }

    /// Appends to `out` the rows of `rows` (rows of `table`, in order) on
    /// which the test holds: each row's code is read off the column and
    /// answered as [`CodeTest::holds`] answers it, in one tight loop.
    pub(crate) fn rows_passing(
        &self,
        store: &Store,
        table: TableId,
        rows: std::ops::Range<usize>,
        answers: &mut Answers,
        out: &mut Vec<u32>,
    ) {
        let coded = store
            .table(table)
            .columns
            .get(self.test.column)
            .and_then(|c| Some((c, c.codes_with_id()?)));
        let Some((cells, (dict, codes))) = coded else {
            out.extend(
                rows.filter_map(|row| u32::try_from(row).ok())
                    .filter(|&row| self.holds(store, RowRef { table, row }, answers)),
            );
            return;
        };
        answers.of(dict);
        let mut pass = |at: usize, code: u32| {
            if self.answered(answers, cells, at, code, store) {
                if let Ok(row) = u32::try_from(at) {
                    out.push(row);
                }
            }
        };
        let start = rows.start;
        match codes {
            Codes::U8(c) => (c.get(rows).unwrap_or_default().iter().enumerate())
                .for_each(|(i, code)| pass(start + i, u32::from(*code))),
            Codes::U16(c) => (c.get(rows).unwrap_or_default().iter().enumerate())
                .for_each(|(i, code)| pass(start + i, u32::from(*code))),
            Codes::U32(c) => (c.get(rows).unwrap_or_default().iter().enumerate())
                .for_each(|(i, code)| pass(start + i, *code)),
        }
    }

    fn answer(&self, cell: &Value, store: &Store) -> bool {
        self.test.matches(cell, store) != self.negated
    }
}
