//! Static lints (warnings): rules that can never fire, overlapping rules
//! under `unique`, unused consts and functions, unreachable territories.
//!
//! Rule analysis understands conditions that are conjunctions (`and`) of
//! tests on columns: `col == v`, `v == col`, `col in [v, ...]`, and range
//! comparisons `col < v`, `<=`, `>`, `>=` against literals or consts.

use crate::checker::Checker;
use crate::codes;
use crate::program::*;
use crate::types::Type;
use std::collections::{BTreeMap, BTreeSet};
use tally_diagnostics::{Diagnostic, Span};
use tally_syntax::ast::*;

/// A literal value a rule compares against, ordered for range tests.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Lit {
    Num(rust_decimal::Decimal),
    Text(String),
    Date(chrono::NaiveDate),
    Name(String),
    Bool(bool),
}

/// What one rule requires of one column.
#[derive(Clone, Debug, Default, PartialEq)]
struct Constraint {
    /// Allowed values (`==`, `in`); `None` = any.
    set: Option<BTreeSet<Lit>>,
    /// Lower bound and whether it is inclusive.
    lo: Option<(Lit, bool)>,
    /// Upper bound and whether it is inclusive.
    hi: Option<(Lit, bool)>,
}

impl Constraint {
    fn admits(&self, v: &Lit) -> bool {
        if let Some(s) = &self.set {
            if !s.contains(v) {
                return false;
            }
        }
        if let Some((lo, inc)) = &self.lo {
            if v < lo || (v == lo && !inc) {
                return false;
            }
        }
        if let Some((hi, inc)) = &self.hi {
            if v > hi || (v == hi && !inc) {
                return false;
            }
        }
        true
    }

    /// True when every value this admits, `other` admits too.
    fn within(&self, other: &Constraint) -> bool {
        if let Some(s) = &self.set {
            return s.iter().filter(|v| self.admits(v)).all(|v| other.admits(v));
        }
        if other.set.is_some() {
            return false;
        }
        let lo_ok = match (&other.lo, &self.lo) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some((o, oi)), Some((s, si))) => s > o || (s == o && (*oi || !*si)),
        };
        let hi_ok = match (&other.hi, &self.hi) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some((o, oi)), Some((s, si))) => s < o || (s == o && (*oi || !*si)),
        };
        lo_ok && hi_ok
    }

    /// True when some value satisfies both.
    fn meets(&self, other: &Constraint) -> bool {
        match (&self.set, &other.set) {
            (Some(a), _) => a.iter().any(|v| self.admits(v) && other.admits(v)),
            (None, Some(b)) => b.iter().any(|v| self.admits(v) && other.admits(v)),
            (None, None) => {
                let lo = max_lo(&self.lo, &other.lo);
                let hi = min_hi(&self.hi, &other.hi);
                match (lo, hi) {
                    (Some((l, li)), Some((h, hi))) => l < h || (l == h && li && hi),
                    _ => true,
                }
            }
        }
    }
}

fn max_lo(a: &Option<(Lit, bool)>, b: &Option<(Lit, bool)>) -> Option<(Lit, bool)> {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) => Some(if x.0 > y.0 || (x.0 == y.0 && !x.1) {
            x.clone()
        } else {
            y.clone()
        }),
    }
}

fn min_hi(a: &Option<(Lit, bool)>, b: &Option<(Lit, bool)>) -> Option<(Lit, bool)> {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) => Some(if x.0 < y.0 || (x.0 == y.0 && !x.1) {
            x.clone()
        } else {
            y.clone()
        }),
    }
}

/// A rule's condition as per-column constraints, when analysable.
type Conjunction = BTreeMap<String, Constraint>;

/// True when every row `later` matches, `earlier` matches too.
fn covers(earlier: &Conjunction, later: &Conjunction) -> bool {
    earlier
        .iter()
        .all(|(col, c)| later.get(col).is_some_and(|x| x.within(c)))
}

/// True when some row can match both.
fn overlaps(earlier: &Conjunction, later: &Conjunction) -> bool {
    earlier
        .iter()
        .all(|(col, c)| later.get(col).is_none_or(|x| x.meets(c)))
}

/// The (completely understood) rules seen so far, by one column whose
/// values each lists: a later rule can only be covered by, or overlap, a
/// rule that lists one of its values there — or one that lists no values
/// at all. Each rule is filed under the column whose lists hold the fewest
/// rules so far, so that rules sharing a country are told apart by, say,
/// their postal prefix.
#[derive(Default)]
struct Pivots {
    by_value: BTreeMap<(String, Lit), Vec<usize>>,
    by_column: BTreeMap<String, Vec<usize>>,
    unlisted: Vec<usize>,
}

impl Pivots {
    fn add(&mut self, rule: usize, c: &Conjunction) {
        let crowd = |col: &String, set: &BTreeSet<Lit>| -> usize {
            set.iter()
                .map(|v| {
                    self.by_value
                        .get(&(col.clone(), v.clone()))
                        .map_or(0, Vec::len)
                })
                .sum()
        };
        let pivot = c
            .iter()
            .filter_map(|(col, k)| k.set.as_ref().map(|s| (col, s)))
            .min_by_key(|(col, s)| crowd(col, s));
        match pivot {
            Some((col, set)) => {
                let (col, set) = (col.clone(), set.clone());
                for v in set {
                    self.by_value
                        .entry((col.clone(), v))
                        .or_default()
                        .push(rule);
                }
                self.by_column.entry(col).or_default().push(rule);
            }
            None => self.unlisted.push(rule),
        }
    }

    /// The earlier rules that may cover every row `c` matches, in order.
    fn may_cover(&self, c: &Conjunction) -> Vec<usize> {
        let mut out = self.unlisted.clone();
        for (col, rules) in &self.by_column {
            // Covering needs `c` to list values for the column too (a
            // range is never within a list), all of them the rule's.
            let Some((k, set)) = c.get(col).and_then(|k| k.set.as_ref().map(|s| (k, s))) else {
                continue;
            };
            match set.iter().find(|v| k.admits(v)) {
                Some(v) => out.extend(self.listing(col, v)),
                None => out.extend(rules),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The earlier rules that may match a row `c` matches, in order.
    fn may_meet(&self, c: &Conjunction) -> Vec<usize> {
        let mut out = self.unlisted.clone();
        for (col, rules) in &self.by_column {
            match c.get(col).and_then(|k| k.set.as_ref().map(|s| (k, s))) {
                Some((k, set)) => {
                    for v in set.iter().filter(|v| k.admits(v)) {
                        out.extend(self.listing(col, v));
                    }
                }
                None => out.extend(rules),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn listing(&self, col: &str, v: &Lit) -> impl Iterator<Item = &usize> {
        self.by_value
            .get(&(col.to_string(), v.clone()))
            .into_iter()
            .flatten()
    }
}

impl Checker {
    pub(crate) fn lints(&mut self) {
        self.lint_unused();
        self.lint_rules();
        self.lint_territories();
    }

    fn lint_unused(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        for (i, c) in self.p.consts.clone().iter().enumerate() {
            if self.used_consts.contains(&i)
                || modules
                    .get(c.decl.module)
                    .is_some_and(|m| self.p.is_stdlib(m.file))
            {
                continue;
            }
            // A duplicate declaration is already an error.
            if self.p.const_named(&c.name) != Some(i) {
                continue;
            }
            if let Some(DeclKind::Const(decl)) = self.p_decl(c.decl).map(|d| &d.kind) {
                let span = decl.name.span;
                self.diags.push(
                    Diagnostic::warning(
                        codes::W_UNUSED,
                        span,
                        format!("const `{}` is never used", c.name),
                    )
                    .with_help("remove it, or use it in a rule, plan or report"),
                );
            }
        }
        for (i, f) in self.p.fns.clone().iter().enumerate() {
            if f.stdlib || self.used_fns.contains(&i) || self.p.fn_named(&f.name) != Some(i) {
                continue;
            }
            let Some(r) = f.decl else { continue };
            if let Some(DeclKind::Fn(decl)) = self.p_decl(r).map(|d| &d.kind) {
                let span = decl.name.span;
                self.diags.push(
                    Diagnostic::warning(
                        codes::W_UNUSED,
                        span,
                        format!("function `{}` is never used", f.name),
                    )
                    .with_help("remove it, or call it from a rule, plan, report or test"),
                );
            }
        }
    }

    /// Resolves a literal-ish expression (literal, territory, const) to a value.
    fn lit(&self, e: &Expr) -> Option<Lit> {
        Some(match &e.kind {
            ExprKind::Int(n) | ExprKind::Decimal(n) | ExprKind::Percent(n) => Lit::Num(n.value),
            ExprKind::Money { amount, .. } => Lit::Num(amount.value),
            ExprKind::Text(t) => Lit::Text(t.clone()),
            ExprKind::Date(d) => Lit::Date(*d),
            ExprKind::Bool(b) => Lit::Bool(*b),
            ExprKind::Paren(x) => return self.lit(x),
            ExprKind::Name(id) => match self.p.resolutions.get(&id.span) {
                Some(Resolution::Territory(_)) => Lit::Name(id.name.clone()),
                Some(Resolution::Const(c)) => {
                    let r = self.p.consts.get(*c)?.decl;
                    match &self.p_decl(r)?.kind {
                        DeclKind::Const(k) => return self.lit(&k.value),
                        _ => return None,
                    }
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    fn lit_list(&self, e: &Expr) -> Option<BTreeSet<Lit>> {
        match &e.kind {
            ExprKind::List(items) => items.iter().map(|i| self.lit(i)).collect(),
            ExprKind::Paren(x) => self.lit_list(x),
            ExprKind::Name(id) => match self.p.resolutions.get(&id.span) {
                Some(Resolution::Const(c)) => {
                    let r = self.p.consts.get(*c)?.decl;
                    match &self.p_decl(r)?.kind {
                        DeclKind::Const(k) => self.lit_list(&k.value),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn column_of(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Name(id) => match self.p.resolutions.get(&id.span) {
                Some(Resolution::Column(..)) => Some(id.name.clone()),
                _ => None,
            },
            ExprKind::Paren(x) => self.column_of(x),
            _ => None,
        }
    }

    /// The condition as column constraints. Parts it cannot analyse are
    /// left out and make the result incomplete (`false`): the constraints
    /// then say what the condition implies, not what it is.
    fn conjunction_partial(&self, e: &Expr, out: &mut Conjunction) -> bool {
        match &e.kind {
            ExprKind::Paren(x) => self.conjunction_partial(x, out),
            ExprKind::Binary {
                op: BinOp::And,
                lhs,
                rhs,
            } => {
                let a = self.conjunction_partial(lhs, out);
                let b = self.conjunction_partial(rhs, out);
                a && b
            }
            ExprKind::Bool(true) => true,
            _ => match self.comparison(e) {
                Some((col, c)) => {
                    let entry = out.entry(col).or_default();
                    if let Some(set) = c.set {
                        narrow_set(entry, set);
                    }
                    if c.lo.is_some() {
                        entry.lo = max_lo(&entry.lo, &c.lo);
                    }
                    if c.hi.is_some() {
                        entry.hi = min_hi(&entry.hi, &c.hi);
                    }
                    true
                }
                None => false,
            },
        }
    }

    /// A comparison of a column with literals, as the constraint it puts
    /// on that column; `None` for any other expression.
    fn comparison(&self, e: &Expr) -> Option<(String, Constraint)> {
        let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
            return None;
        };
        let (col, value, op) = match (self.column_of(lhs), self.column_of(rhs)) {
            (Some(c), None) => (c, rhs, *op),
            (None, Some(c)) => (c, lhs, flip(*op)?),
            _ => return None,
        };
        let mut c = Constraint::default();
        match op {
            BinOp::Eq => c.set = Some(BTreeSet::from([self.lit(value)?])),
            BinOp::In => c.set = Some(self.lit_list(value)?),
            BinOp::Gt | BinOp::Ge => c.lo = Some((self.lit(value)?, op == BinOp::Ge)),
            BinOp::Lt | BinOp::Le => c.hi = Some((self.lit(value)?, op == BinOp::Le)),
            _ => return None,
        }
        Some((col, c))
    }

    fn lint_rules(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        for m in modules.iter() {
            if self.p.is_stdlib(m.file) {
                continue;
            }
            for d in &m.decls {
                match &d.kind {
                    DeclKind::Assign(a) => {
                        let arms: Vec<(Option<&Expr>, Span, &str)> = a
                            .arms
                            .iter()
                            .map(|arm| (arm.when.as_ref(), arm.span, arm.label_text()))
                            .collect();
                        self.lint_arms(&arms, a.hit);
                    }
                    DeclKind::Credit(c) => {
                        for item in &c.items {
                            if let CreditItem::Group(g) = item {
                                let arms: Vec<(Option<&Expr>, Span, &str)> = g
                                    .arms
                                    .iter()
                                    .map(|arm| (arm.when.as_ref(), arm.span, arm.label_text()))
                                    .collect();
                                self.lint_arms(&arms, g.hit);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn lint_arms(&mut self, arms: &[(Option<&Expr>, Span, &str)], hit: HitPolicy) {
        // (constraints, complete) per rule; `otherwise` has none.
        let conj: Vec<Option<(Conjunction, bool)>> = arms
            .iter()
            .map(|(when, _, _)| {
                let w = (*when)?;
                let mut c = Conjunction::new();
                let complete = self.conjunction_partial(w, &mut c);
                Some((c, complete))
            })
            .collect();
        // Only the earlier rules the index offers can cover or overlap a
        // rule, so thousands of rules are not compared pair by pair.
        let mut earlier = Pivots::default();
        for (j, cj) in conj.iter().enumerate() {
            let Some((cj, cj_complete)) = cj else {
                continue;
            };
            let Some((_, span_j, label_j)) = arms.get(j) else {
                continue;
            };
            let candidates = match hit {
                HitPolicy::FirstMatch => earlier.may_cover(cj),
                HitPolicy::Unique if *cj_complete => earlier.may_meet(cj),
                _ => Vec::new(),
            };
            let candidates = || {
                candidates
                    .iter()
                    .filter_map(|&i| conj.get(i).map(|c| (i, c)))
            };
            if hit == HitPolicy::FirstMatch {
                for (i, ci) in candidates() {
                    // The earlier rule must be understood completely; the
                    // later one only needs to imply the earlier one.
                    let Some((ci, true)) = ci else { continue };
                    if covers(ci, cj) {
                        if let Some((_, span_i, label_i)) = arms.get(i) {
                            self.diags.push(
                                Diagnostic::warning(
                                    codes::W_UNREACHABLE_RULE,
                                    *span_j,
                                    format!("rule \"{label_j}\" can never fire: every row it matches is already taken by rule \"{label_i}\""),
                                )
                                .with_secondary(*span_i, "this earlier rule covers it")
                                .with_help("remove the rule, or move it above the rule that covers it"),
                            );
                        }
                        break;
                    }
                }
            }
            if hit == HitPolicy::Unique {
                for (i, ci) in candidates() {
                    let Some((ci, true)) = ci else { continue };
                    if !cj_complete {
                        continue;
                    }
                    if overlaps(ci, cj) {
                        if let Some((_, span_i, label_i)) = arms.get(i) {
                            self.diags.push(
                                Diagnostic::warning(
                                    codes::W_UNIQUE_OVERLAP,
                                    *span_j,
                                    format!("rules \"{label_i}\" and \"{label_j}\" can both match one row, which is an error under `unique`"),
                                )
                                .with_secondary(*span_i, "overlaps with this rule")
                                .with_help("make the conditions exclusive, or use `first match`"),
                            );
                        }
                    }
                }
            }
            if *cj_complete {
                earlier.add(j, cj);
            }
        }
    }

    /// Leaf territories that no assign rule can produce.
    fn lint_territories(&mut self) {
        let modules = std::sync::Arc::clone(&self.modules);
        let mut produced: BTreeSet<String> = BTreeSet::new();
        let mut any = false;
        for info in &self.p.assigns {
            let Some(col) = self
                .p
                .table(info.table)
                .and_then(|t| t.columns.get(info.column))
            else {
                continue;
            };
            if col.ty.strip_optional() != &Type::Territory {
                continue;
            }
            let Some(DeclKind::Assign(a)) = modules
                .get(info.decl.module)
                .and_then(|m| m.decls.get(info.decl.decl))
                .map(|d| &d.kind)
            else {
                continue;
            };
            any = true;
            for arm in &a.arms {
                match &arm.then.kind {
                    ExprKind::Name(id)
                        if matches!(
                            self.p.resolutions.get(&id.span),
                            Some(Resolution::Territory(_))
                        ) =>
                    {
                        produced.insert(id.name.clone());
                    }
                    // Computed territories: any territory may be produced.
                    _ => return,
                }
            }
        }
        if !any {
            return;
        }
        for t in self.p.territories.clone() {
            if !t.children.is_empty() || produced.contains(&t.name) {
                continue;
            }
            self.diags.push(
                Diagnostic::warning(
                    codes::W_UNREACHABLE_TERRITORY,
                    t.span,
                    format!("no assign rule puts any account in territory `{}`", t.name),
                )
                .with_help("add a rule that assigns it, or remove the territory"),
            );
        }
    }
}

fn flip(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Eq => BinOp::Eq,
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        _ => return None,
    })
}

fn narrow_set(c: &mut Constraint, values: BTreeSet<Lit>) {
    c.set = Some(match c.set.take() {
        None => values,
        Some(prev) => prev.intersection(&values).cloned().collect(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A constraint on one column: a list of values, a range, or both.
    fn constraint() -> impl Strategy<Value = Constraint> {
        let lit = (0i64..6).prop_map(|n| Lit::Num(rust_decimal::Decimal::from(n)));
        let bound = proptest::option::of((lit.clone(), any::<bool>()));
        (
            proptest::option::of(proptest::collection::btree_set(lit, 0..3)),
            bound.clone(),
            bound,
        )
            .prop_map(|(set, lo, hi)| Constraint { set, lo, hi })
    }

    fn conjunction() -> impl Strategy<Value = Conjunction> {
        proptest::collection::btree_map(
            prop_oneof![Just("a"), Just("b"), Just("c")].prop_map(String::from),
            constraint(),
            0..3,
        )
    }

    proptest! {
        /// The index offers every earlier rule that covers or overlaps a
        /// later one: the warnings are those of comparing every pair.
        #[test]
        fn pivots_offer_every_rule_a_pair_check_would_find(
            rules in proptest::collection::vec(conjunction(), 0..24)
        ) {
            let mut earlier = Pivots::default();
            for (j, cj) in rules.iter().enumerate() {
                let all = || rules.iter().enumerate().take(j);
                let covering: Vec<usize> = all().filter(|(_, ci)| covers(ci, cj)).map(|(i, _)| i).collect();
                let meeting: Vec<usize> = all().filter(|(_, ci)| overlaps(ci, cj)).map(|(i, _)| i).collect();
                let offered_cover: Vec<usize> = earlier
                    .may_cover(cj)
                    .into_iter()
                    .filter(|&i| covers(&rules[i], cj))
                    .collect();
                let offered_meet: Vec<usize> = earlier
                    .may_meet(cj)
                    .into_iter()
                    .filter(|&i| overlaps(&rules[i], cj))
                    .collect();
                prop_assert_eq!(offered_cover, covering);
                prop_assert_eq!(offered_meet, meeting);
                earlier.add(j, cj);
            }
        }
    }
}
