//! Comparing two policies over the same data (`tally diff`, spec §8): the
//! review artefact for a policy pull request.
//!
//! [`diff`] takes the [`Results`] of the old and the new policy, both
//! evaluated over one data set, and finds what the change does:
//!
//! 1. **Derived fields** ([`FieldDiff`]): for every `assign` target present
//!    in both policies (matched by table and field name), the rows (matched
//!    by key) whose value changed, with the rule labels that decided it.
//!    Rows whose value stayed but whose rule label changed are counted.
//! 2. **Credits** ([`DealDiff`]): per deal, the credits added, removed and
//!    changed (same payee and role, different rule, share, amount or date).
//! 3. **Plans** ([`PlanDiff`]): per plan present in both, rows matched by
//!    their loop values; rows with at least one changed metric are listed
//!    with every compared metric and its delta.
//! 4. **Totals**: counts of the above and, for every Money metric, the
//!    total of each side and the delta, per currency ([`MoneyTotal`]).
//!
//! Values are compared as people read them ([`crate::value_text`]): money
//! rounded to its minor unit by the policy's own rounding mode, territories
//! and references by name and key (never by index), so two policies with
//! different hierarchies, rounding or currencies compare meaningfully.
//! Policy-level differences (settings, territories, declarations on one
//! side only) are listed as [`Note`]s.
//!
//! Everything is computed once; the renderers ([`PolicyDiff::to_table`],
//! [`PolicyDiff::to_markdown`], [`PolicyDiff::to_csv`],
//! [`PolicyDiff::to_json`]) only lay out text, deterministically.

mod credits;
mod csv;
mod fields;
mod grid;
mod json;
mod layout;
mod markdown;
mod notes;
mod plans;
mod shown;
mod summary;
mod table;

pub use shown::Shown;
pub use summary::Summary;

use crate::Results;

/// Everything a policy change does on one data set.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDiff {
    /// The old policy's file name.
    pub old_name: String,
    /// The new policy's file name.
    pub new_name: String,
    /// Policy-level differences: settings, territories, declarations that
    /// exist on one side only.
    pub notes: Vec<Note>,
    /// One entry per `assign` target present in both policies, in the old
    /// policy's order.
    pub fields: Vec<FieldDiff>,
    /// Deals whose credits changed, in the credited table's order.
    pub credits: Vec<DealDiff>,
    /// One entry per plan present in both policies, in the old policy's
    /// order.
    pub plans: Vec<PlanDiff>,
}

/// What a [`Note`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// A `settings` entry (`currency`, `fiscal_year_start`, `rounding`).
    Setting,
    /// A territory added, removed or moved in the hierarchy (old and new
    /// are its paths).
    Territory,
    /// An `assign` target declared on one side only.
    Field,
    /// A plan declared on one side only.
    Plan,
    /// A plan metric present on one side only.
    Metric,
    /// A plan whose `for` lines differ in number (its rows are not
    /// compared; old and new list the loop variables).
    Grain,
}

/// A policy-level difference. `old`/`new` are `None` for "absent".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// What it is about.
    pub kind: NoteKind,
    /// The setting, territory, field (`table.field`), plan or metric
    /// (`plan.metric`).
    pub name: String,
    /// The old side (value, path, or `declared`).
    pub old: Option<String>,
    /// The new side.
    pub new: Option<String>,
}

/// The rows whose derived value changed, for one `assign` target.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    /// The table (`accounts`).
    pub table: String,
    /// The derived field (`territory`).
    pub field: String,
    /// Rows compared (present on both sides).
    pub compared: usize,
    /// Rows whose value changed, in table order.
    pub changes: Vec<FieldChange>,
    /// Rows whose value is the same but whose rule label changed.
    pub rule_only: usize,
}

/// One row whose derived value changed.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    /// The row's key (`A-003`).
    pub key: String,
    /// The row's `name`, when its table has a Text column called `name`.
    pub label: Option<String>,
    /// The old value.
    pub old: Shown,
    /// The new value.
    pub new: Shown,
    /// The old rule label (the `<field>_rule` column).
    pub old_rule: Shown,
    /// The new rule label.
    pub new_rule: Shown,
}

/// The credit changes of one deal.
#[derive(Clone, Debug, PartialEq)]
pub struct DealDiff {
    /// The deal's key (`O-001`).
    pub deal: String,
    /// The deal's `name`, when the credited table has one.
    pub label: Option<String>,
    /// Changes: the old credits that were removed or changed (in `credits`
    /// order), then the credits added (in the new `credits` order).
    pub changes: Vec<CreditChange>,
}

/// How a credit changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the new results.
    Added,
    /// Only in the old results.
    Removed,
    /// Same deal, payee and role; different rule, share, amount or date.
    Changed,
}

impl ChangeKind {
    /// `added`, `removed` or `changed`.
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One credit added, removed or changed.
#[derive(Clone, Debug, PartialEq)]
pub struct CreditChange {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// The payee's key (`R-10`).
    pub payee: String,
    /// The payee's `name`, when the reps table has one.
    pub payee_label: Option<String>,
    /// The role (`revenue`, `manager`, ...).
    pub role: String,
    /// The credit before (none when added).
    pub old: Option<CreditSide>,
    /// The credit after (none when removed).
    pub new: Option<CreditSide>,
    /// New amount minus old amount (a missing side counts as zero); none
    /// when the currencies differ.
    pub amount_delta: Option<Shown>,
}

/// The compared attributes of one credit.
#[derive(Clone, Debug, PartialEq)]
pub struct CreditSide {
    /// The rule label.
    pub rule: Shown,
    /// The share.
    pub share: Shown,
    /// The amount.
    pub amount: Shown,
    /// The credit date.
    pub date: Shown,
}

/// The changed rows of one plan present in both policies.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanDiff {
    /// The plan's name (`ae_comp`).
    pub name: String,
    /// Its title in the new policy, if any.
    pub title: Option<String>,
    /// The loop variables (the new policy's names).
    pub loops: Vec<String>,
    /// The metrics compared (present on both sides), in the old order.
    pub metrics: Vec<String>,
    /// Rows compared (present on both sides).
    pub compared: usize,
    /// Rows with at least one changed metric, or present on one side only.
    pub rows: Vec<PlanRowDiff>,
    /// Totals of every compared Money metric, per currency.
    pub totals: Vec<MoneyTotal>,
}

/// Whether a plan row exists on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowPresence {
    /// On both sides.
    Both,
    /// Only in the old results.
    OldOnly,
    /// Only in the new results.
    NewOnly,
}

/// One plan row that changed.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRowDiff {
    /// The loop values, one per loop variable.
    pub keys: Vec<Shown>,
    /// The `name` of each loop value that is a row of a table with one.
    pub labels: Vec<Option<String>>,
    /// Whether the row exists on both sides.
    pub presence: RowPresence,
    /// Every compared metric, changed or not.
    pub metrics: Vec<MetricDiff>,
}

/// One metric of one plan row.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDiff {
    /// The metric's name.
    pub name: String,
    /// The old value (none when the row is only in the new results).
    pub old: Option<Shown>,
    /// The new value.
    pub new: Option<Shown>,
    /// New minus old for Money (same currency), Int, Decimal and Percent.
    pub delta: Option<Shown>,
    /// True when the values differ as shown.
    pub changed: bool,
}

/// The total of one Money metric over every row of its plan, in one
/// currency.
#[derive(Clone, Debug, PartialEq)]
pub struct MoneyTotal {
    /// The metric.
    pub metric: String,
    /// The currency code.
    pub currency: String,
    /// Sum over the old rows (each amount as shown, i.e. rounded to the
    /// minor unit by the old policy's rounding mode).
    pub old: Shown,
    /// Sum over the new rows.
    pub new: Shown,
    /// New minus old.
    pub delta: Shown,
}

impl PolicyDiff {
    /// True when any derived field, credit or plan row changed. Notes
    /// alone (a setting that changes nothing on this data) do not count.
    pub fn has_changes(&self) -> bool {
        self.fields.iter().any(|f| !f.changes.is_empty())
            || !self.credits.is_empty()
            || self.plans.iter().any(|p| !p.rows.is_empty())
    }

    /// The counts of the totals section.
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }

    /// Aligned plain text, for terminals and CI logs.
    pub fn to_table(&self) -> String {
        table::render(self)
    }

    /// GitHub-flavoured Markdown, for a pull-request comment.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }

    /// One long-format CSV table: `section,key,item,old,new,delta`, exact
    /// values.
    pub fn to_csv(&self) -> String {
        csv::render(self)
    }

    /// Structured JSON (exact values: money as `{"amount", "currency"}`).
    pub fn to_json(&self) -> String {
        json::render(self)
    }
}

/// Compares the results of two policies evaluated over the same data.
pub fn diff(old: &Results, new: &Results) -> PolicyDiff {
    let old = shown::Side::new(old);
    let new = shown::Side::new(new);
    let mut notes = notes::policy_notes(&old, &new);
    let fields = fields::compare(&old, &new, &mut notes);
    let credits = credits::compare(&old, &new);
    let plans = plans::compare(&old, &new, &mut notes);
    PolicyDiff {
        old_name: old.file_name(),
        new_name: new.file_name(),
        notes,
        fields,
        credits,
        plans,
    }
}
