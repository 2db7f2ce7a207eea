//! Credits: per deal, the credits added, removed and changed.

use super::shown::{differ, Num, Side};
use super::{ChangeKind, CreditChange, CreditSide, DealDiff};
use std::collections::BTreeMap;
use tally_eval::Value;

/// One row of `credits`, shown.
struct Credit {
    deal: String,
    deal_label: Option<String>,
    /// The deal's row in the credited table (for ordering).
    deal_row: u32,
    payee: String,
    payee_label: Option<String>,
    role: String,
    side: CreditSide,
    amount: Option<Num>,
}

impl Credit {
    /// Every compared attribute is the same.
    fn same(&self, other: &Credit) -> bool {
        self.payee == other.payee
            && self.role == other.role
            && !differ(&self.side.rule, &other.side.rule)
            && !differ(&self.side.share, &other.side.share)
            && !differ(&self.side.amount, &other.side.amount)
            && !differ(&self.side.date, &other.side.date)
    }
}

/// The rows of `credits` on one side, in order.
fn credits(side: &Side<'_>) -> Vec<Credit> {
    let program = side.program();
    let Some(id) = program.credit.as_ref().map(|c| c.table) else {
        return Vec::new();
    };
    let t = side.store().table(id);
    let col = |name: &str| t.column_index(name);
    let (Some(deal), Some(payee), Some(role), Some(rule), Some(share), Some(amount), Some(date)) = (
        col("deal"),
        col("payee"),
        col("role"),
        col("rule"),
        col("share"),
        col("amount"),
        col("date"),
    ) else {
        return Vec::new();
    };
    (0..t.len)
        .map(|r| {
            let d = &*t.get(deal, r);
            let p = &*t.get(payee, r);
            Credit {
                deal: side.show(d).text,
                deal_label: side.label(d),
                deal_row: match d {
                    Value::Row(rr) => rr.row,
                    _ => u32::MAX,
                },
                payee: side.show(p).text,
                payee_label: side.label(p),
                role: side.show(&t.get(role, r)).text,
                side: CreditSide {
                    rule: side.show(&t.get(rule, r)),
                    share: side.show(&t.get(share, r)),
                    amount: side.show(&t.get(amount, r)),
                    date: side.show(&t.get(date, r)),
                },
                amount: side.num(&t.get(amount, r)),
            }
        })
        .collect()
}

/// The credits of each deal, by (row in the credited table, key).
type ByDeal = BTreeMap<(u32, String), (Option<String>, Vec<Credit>, Vec<Credit>)>;

/// Deals whose credits differ, in the credited table's order.
pub(crate) fn compare(old: &Side<'_>, new: &Side<'_>) -> Vec<DealDiff> {
    let mut by_deal: ByDeal = BTreeMap::new();
    let mut rows: BTreeMap<String, u32> = BTreeMap::new();
    let (old_c, new_c) = (credits(old), credits(new));
    for c in old_c.iter().chain(&new_c) {
        let row = rows.entry(c.deal.clone()).or_insert(c.deal_row);
        *row = (*row).min(c.deal_row);
    }
    let place = |c: &Credit| {
        (
            rows.get(&c.deal).copied().unwrap_or(u32::MAX),
            c.deal.clone(),
        )
    };
    for c in old_c {
        let entry = by_deal
            .entry(place(&c))
            .or_insert_with(|| (c.deal_label.clone(), Vec::new(), Vec::new()));
        entry.1.push(c);
    }
    for c in new_c {
        let entry = by_deal
            .entry(place(&c))
            .or_insert_with(|| (c.deal_label.clone(), Vec::new(), Vec::new()));
        entry.2.push(c);
    }
    by_deal
        .into_iter()
        .filter_map(|((_, deal), (label, o, n))| {
            let changes = deal_changes(new, o, n);
            (!changes.is_empty()).then_some(DealDiff {
                deal,
                label,
                changes,
            })
        })
        .collect()
}

/// Matches identical credits away, pairs the rest by payee and role
/// (changed), and reports what is left as removed or added.
fn deal_changes(new: &Side<'_>, o: Vec<Credit>, n: Vec<Credit>) -> Vec<CreditChange> {
    let mut n: Vec<Option<Credit>> = n.into_iter().map(Some).collect();
    let mut left = Vec::new();
    for c in o {
        match n
            .iter_mut()
            .find(|x| x.as_ref().is_some_and(|x| x.same(&c)))
        {
            Some(slot) => *slot = None,
            None => left.push(c),
        }
    }
    let mut changes = Vec::new();
    for c in left {
        let pair = n
            .iter_mut()
            .find(|x| {
                x.as_ref()
                    .is_some_and(|x| x.payee == c.payee && x.role == c.role)
            })
            .and_then(Option::take);
        changes.push(change(new, Some(c), pair));
    }
    changes.extend(n.into_iter().flatten().map(|c| change(new, None, Some(c))));
    changes
}

fn change(new: &Side<'_>, o: Option<Credit>, n: Option<Credit>) -> CreditChange {
    let kind = match (&o, &n) {
        (Some(_), Some(_)) => ChangeKind::Changed,
        (Some(_), None) => ChangeKind::Removed,
        _ => ChangeKind::Added,
    };
    let (oa, na) = (
        o.as_ref().and_then(|c| c.amount),
        n.as_ref().and_then(|c| c.amount),
    );
    let delta = match (oa, na) {
        (Some(a), Some(b)) => a.delta_to(b),
        (Some(a), None) => a.delta_to(a.zero()),
        (None, Some(b)) => b.zero().delta_to(b),
        (None, None) => None,
    };
    let who = n.as_ref().or(o.as_ref());
    CreditChange {
        kind,
        payee: who.map(|c| c.payee.clone()).unwrap_or_default(),
        payee_label: who.and_then(|c| c.payee_label.clone()),
        role: who.map(|c| c.role.clone()).unwrap_or_default(),
        amount_delta: delta.map(|d| new.show_num(d, true)),
        old: o.map(|c| c.side),
        new: n.map(|c| c.side),
    }
}
