//! The counts of a diff and the one-line summary.

use super::{ChangeKind, PolicyDiff};

/// How much changed, section by section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Per derived field (`accounts.territory`): rows whose value changed,
    /// rows whose rule label alone changed, rows compared.
    pub fields: Vec<(String, usize, usize, usize)>,
    /// Credits added.
    pub credits_added: usize,
    /// Credits removed.
    pub credits_removed: usize,
    /// Credits changed (same deal, payee and role).
    pub credits_changed: usize,
    /// Deals with at least one credit change.
    pub deals: usize,
    /// Per plan: rows listed as changed, rows compared.
    pub plans: Vec<(String, usize, usize)>,
}

impl Summary {
    pub(crate) fn of(diff: &PolicyDiff) -> Summary {
        let count = |kind: ChangeKind| {
            diff.credits
                .iter()
                .flat_map(|d| &d.changes)
                .filter(|c| c.kind == kind)
                .count()
        };
        Summary {
            fields: diff
                .fields
                .iter()
                .map(|f| {
                    (
                        format!("{}.{}", f.table, f.field),
                        f.changes.len(),
                        f.rule_only,
                        f.compared,
                    )
                })
                .collect(),
            credits_added: count(ChangeKind::Added),
            credits_removed: count(ChangeKind::Removed),
            credits_changed: count(ChangeKind::Changed),
            deals: diff.credits.len(),
            plans: diff
                .plans
                .iter()
                .map(|p| (p.name.clone(), p.rows.len(), p.compared))
                .collect(),
        }
    }

    /// Credits added, removed and changed.
    pub fn credit_changes(&self) -> usize {
        self.credits_added + self.credits_removed + self.credits_changed
    }

    /// The one-line summary: `1 row changes accounts.territory; 4 credit
    /// changes on 2 deals (2 added, 2 removed); 5 rows of ae_comp change.`
    /// (rows whose rule alone changed are mentioned too), or `No changes:
    /// ...`. `code` wraps names (a backtick for Markdown).
    pub fn headline(&self, code: &str) -> String {
        let mut parts = Vec::new();
        for (name, changed, rule_only, _) in &self.fields {
            let name = format!("{code}{name}{code}");
            match (*changed, *rule_only) {
                (0, 0) => {}
                (0, r) => parts.push(format!(
                    "{} of {name} {} only {} rule",
                    plural(r, "row"),
                    if r == 1 { "changes" } else { "change" },
                    if r == 1 { "its" } else { "their" }
                )),
                (c, 0) => parts.push(format!("{} {name}", rows(c, "changes", "change"))),
                (c, r) => parts.push(format!(
                    "{} {name} ({r} more only {} rule)",
                    rows(c, "changes", "change"),
                    if r == 1 { "its" } else { "their" }
                )),
            }
        }
        if self.deals > 0 {
            let kinds: Vec<String> = [
                (self.credits_added, "added"),
                (self.credits_removed, "removed"),
                (self.credits_changed, "changed"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect();
            parts.push(format!(
                "{} on {} ({})",
                plural(self.credit_changes(), "credit change"),
                plural(self.deals, "deal"),
                kinds.join(", ")
            ));
        }
        for (name, changed, _) in &self.plans {
            if *changed > 0 {
                parts.push(format!(
                    "{} of {code}{name}{code} {}",
                    plural(*changed, "row"),
                    if *changed == 1 { "changes" } else { "change" }
                ));
            }
        }
        if parts.is_empty() {
            "No changes: both policies give the same results on this data.".to_string()
        } else {
            format!("{}.", parts.join("; "))
        }
    }
}

/// `1 deal`, `2 deals`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `1 row changes`, `3 rows change`.
fn rows(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", plural(n, "row"), if n == 1 { one } else { many })
}
