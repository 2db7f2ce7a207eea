//! Writing credits into one part of the `credits` table.
//!
//! A run writes millions of credits, and most of their cells repeat: the
//! roles and rules are the compiled block's own values, the payees a few
//! thousand reps, the shares a few percentages, and a deal's credits
//! share its date. The writer keeps each such value's code in the part's
//! coded columns where it finds it without hashing (a payee by its row,
//! a role or rule by where the block keeps it, a date once per deal), and
//! writes codes; a value it has no code for is written as any value is.

use super::Credit;
use crate::table::Table;
use crate::value::{RowRef, Value};
use rust_decimal::Decimal;
use tally_check::TableId;

/// A payee row without a code yet.
const NO_CODE: u32 = u32::MAX;

/// Distinct shares a part finds by looking at each (more are hashed).
const FEW_SHARES: usize = 16;

/// One part of the `credits` table, and the codes of its repeated values.
pub(super) struct Writer {
    table: Table,
    /// The table payees are rows of.
    payee_table: Option<TableId>,
    /// Codes of the `payee` column by payee row (`NO_CODE`: none yet).
    payees: Vec<u32>,
    /// Codes of the `role` and `rule` columns by the address of the
    /// compiled block's value (a block keeps its values while it runs).
    roles: Vec<(usize, u32)>,
    rules: Vec<(usize, u32)>,
    /// Codes of the `share` column by exact share (its scale included).
    shares: Vec<([u8; 16], u32)>,
}

impl Writer {
    /// An empty part, with room for `rows` credits; payees are rows of
    /// `payee_table`.
    pub(super) fn new(rows: usize, payee_table: Option<TableId>) -> Writer {
        let mut table = super::credits_table();
        table.reserve(rows);
        Writer {
            table,
            payee_table,
            payees: Vec::new(),
            roles: Vec::new(),
            rules: Vec::new(),
            shares: Vec::new(),
        }
    }

    /// Credits written so far.
    pub(super) fn len(&self) -> usize {
        self.table.len
    }

    /// The part, written.
    pub(super) fn finish(self) -> Table {
        self.table
    }

    /// Writes `credits`, the credits of `deal` dated `date`.
    pub(super) fn write(&mut self, deal: RowRef, date: &Value, credits: &[Credit<'_>]) {
        let Writer {
            table,
            payee_table,
            payees,
            roles,
            rules,
            shares,
        } = self;
        let [deal_col, payee_col, role_col, rule_col, share_col, amount_col, date_col] =
            table.columns.as_mut_slice()
        else {
            return;
        };
        let date_code = date_col.intern(date);
        let mut written = 0;
        for c in credits {
            deal_col.push_row(deal);
            let payee = (*payee_table == Some(c.payee.table))
                .then(|| code_by_row(payees, payee_col, c.payee))
                .flatten();
            if !pushed(payee_col, payee) {
                payee_col.push_row(c.payee);
            }
            let role = code_by_address(roles, role_col, c.role);
            push(role_col, role, c.role);
            let rule = code_by_address(rules, rule_col, c.rule);
            push(rule_col, rule, c.rule);
            let share_code = code_of_share(shares, share_col, &c.share);
            if !pushed(share_col, share_code) {
                share_col.push(Value::Percent(c.share));
            }
            match &c.amount {
                Value::Money(m) => amount_col.push_money(m.amount, m.currency),
                other => amount_col.push_ref(other),
            }
            push(date_col, date_code, date);
            written += 1;
        }
        table.len += written;
    }
}

/// Writes the value of `code`, or `v` itself when there is no code (or
/// the column no longer holds it).
#[inline(always)]
fn push(column: &mut crate::Column, code: Option<u32>, v: &Value) {
    if !pushed(column, code) {
        column.push_ref(v);
    }
}

/// Writes the value of `code`; false, and nothing written, when there is
/// no code (or the column no longer holds it).
#[inline(always)]
fn pushed(column: &mut crate::Column, code: Option<u32>) -> bool {
    code.is_some_and(|code| column.push_code(code))
}

/// The code of the payee `row`, kept by row number.
fn code_by_row(codes: &mut Vec<u32>, column: &mut crate::Column, row: RowRef) -> Option<u32> {
    let at = row.row as usize;
    if let Some(&code) = codes.get(at).filter(|c| **c != NO_CODE) {
        return Some(code);
    }
    let code = column.intern(&Value::Row(row))?;
    if codes.len() <= at {
        codes.resize(at + 1, NO_CODE);
    }
    if let Some(slot) = codes.get_mut(at) {
        *slot = code;
    }
    Some(code)
}

/// The code of `v`, kept by the address of the value.
fn code_by_address(
    codes: &mut Vec<(usize, u32)>,
    column: &mut crate::Column,
    v: &Value,
) -> Option<u32> {
    let address = std::ptr::from_ref(v) as usize;
    if let Some((_, code)) = codes.iter().find(|(a, _)| *a == address) {
        return Some(*code);
    }
    let code = column.intern(v)?;
    codes.push((address, code));
    Some(code)
}

/// The code of the share `d`, kept for the first few
/// shares.
fn code_of_share(
    codes: &mut Vec<([u8; 16], u32)>,
    column: &mut crate::Column,
    d: &Decimal,
) -> Option<u32> {
    let exact = d.serialize();
    if let Some((_, code)) = codes.iter().find(|(e, _)| *e == exact) {
        return Some(*code);
    }
    let code = column.intern(&Value::Percent(*d))?;
    if codes.len() < FEW_SHARES {
        codes.push((exact, code));
    }
    Some(code)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use crate::engine::credit::CREDIT_COLUMNS;
    use crate::money::{Currency, Money};
    use chrono::NaiveDate;

    fn row(table: u32, row: u32) -> RowRef {
        RowRef {
            table: TableId(table),
            row,
        }
    }

    /// Every cell, shown exactly (`0.60` is not `0.6`).
    fn cells(table: &Table) -> Vec<String> {
        (0..table.len)
            .flat_map(|r| (0..CREDIT_COLUMNS.len()).map(move |c| (r, c)))
            .map(|(r, c)| format!("{:?}", table.get(c, r)))
            .collect()
    }

    /// The writer's table holds exactly the values written, whichever way
    /// it finds their codes: payees of the payee table and of another,
    /// many roles and rules, more shares than it keeps codes for (one
    /// share at two scales), texts
    /// among the dates, and amounts that are not money.
    #[test]
    fn writes_exactly_the_values_given() {
        let roles: Vec<Value> = (0..3).map(|i| Value::text(&format!("role {i}"))).collect();
        let rules: Vec<Value> = (0..20).map(|i| Value::text(&format!("rule {i}"))).collect();
        let mut writer = Writer::new(4, Some(TableId(1)));
        let mut expected = super::super::credits_table();
        for d in 0..300u32 {
            let date = if d % 7 == 0 {
                Value::text("not a date")
            } else {
                Value::Date(NaiveDate::from_ymd_opt(2025, 1, 1 + d % 28).unwrap())
            };
            let credits: Vec<Credit> = (0..d % 4)
                .map(|k| Credit {
                    payee: row(if (d + k) % 5 == 0 { 2 } else { 1 }, (d * 7 + k) % 50),
                    role: &roles[(d + k) as usize % roles.len()],
                    rule: &rules[(d * 3 + k) as usize % rules.len()],
                    // 0.30 and 0.300 alike: one share, two values.
                    share: match k % 2 {
                        0 => Decimal::new(i64::from((d + k) % 40), 2),
                        _ => Decimal::new(i64::from((d + k) % 40) * 10, 3),
                    },
                    amount: if k == 2 {
                        Value::Decimal(Decimal::new(i64::from(d), 1))
                    } else {
                        Value::Money(Money::new(
                            Decimal::new(i64::from(d) * 100, 2),
                            Currency(*b"USD"),
                        ))
                    },
                })
                .collect();
            for c in &credits {
                expected.push_refs([
                    &Value::Row(row(0, d)),
                    &Value::Row(c.payee),
                    c.role,
                    c.rule,
                    &Value::Percent(c.share),
                    &c.amount,
                    &date,
                ]);
            }
            writer.write(row(0, d), &date, &credits);
        }
        assert_eq!(writer.len(), expected.len);
        let written = writer.finish();
        assert_eq!(cells(&written), cells(&expected));
    }
}
