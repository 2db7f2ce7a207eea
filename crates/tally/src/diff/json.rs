//! `--format json`: the diff as one structured object, exact values
//! (money as `{"amount", "currency"}`, numbers as strings, none as null).

use super::{CreditSide, NoteKind, PolicyDiff, RowPresence, Shown};
use serde_json::{json, Map, Value};

fn shown(s: Option<&Shown>) -> Value {
    s.map(|s| s.json.clone()).unwrap_or(Value::Null)
}

fn credit(s: Option<&CreditSide>) -> Value {
    match s {
        Some(s) => json!({
            "rule": s.rule.json,
            "share": s.share.json,
            "amount": s.amount.json,
            "date": s.date.json,
        }),
        None => Value::Null,
    }
}

fn note_kind(k: NoteKind) -> &'static str {
    match k {
        NoteKind::Setting => "setting",
        NoteKind::Territory => "territory",
        NoteKind::Field => "field",
        NoteKind::Plan => "plan",
        NoteKind::Metric => "metric",
        NoteKind::Grain => "loops",
    }
}

/// Renders the whole diff as pretty-printed JSON.
pub(crate) fn render(diff: &PolicyDiff) -> String {
    let s = diff.summary();
    let notes: Vec<Value> = diff
        .notes
        .iter()
        .map(|n| json!({ "kind": note_kind(n.kind), "name": n.name, "old": n.old, "new": n.new }))
        .collect();
    let fields: Vec<Value> = diff
        .fields
        .iter()
        .map(|f| {
            let changes: Vec<Value> = f
                .changes
                .iter()
                .map(|c| {
                    json!({
                        "key": c.key, "label": c.label,
                        "old": c.old.json, "new": c.new.json,
                        "old_rule": c.old_rule.json, "new_rule": c.new_rule.json,
                    })
                })
                .collect();
            json!({
                "table": f.table, "field": f.field, "compared": f.compared,
                "rule_only": f.rule_only, "changes": changes,
            })
        })
        .collect();
    let credits: Vec<Value> = diff
        .credits
        .iter()
        .map(|d| {
            let changes: Vec<Value> = d
                .changes
                .iter()
                .map(|c| {
                    json!({
                        "change": c.kind.word(), "payee": c.payee, "payee_label": c.payee_label,
                        "role": c.role, "old": credit(c.old.as_ref()), "new": credit(c.new.as_ref()),
                        "amount_delta": shown(c.amount_delta.as_ref()),
                    })
                })
                .collect();
            json!({ "deal": d.deal, "label": d.label, "changes": changes })
        })
        .collect();
    let plans: Vec<Value> = diff
        .plans
        .iter()
        .map(|p| {
            let rows: Vec<Value> = p
                .rows
                .iter()
                .map(|r| {
                    let mut keys = Map::new();
                    for (l, k) in p.loops.iter().zip(&r.keys) {
                        keys.insert(l.clone(), k.json.clone());
                    }
                    let metrics: Vec<Value> = r
                        .metrics
                        .iter()
                        .map(|m| {
                            json!({
                                "metric": m.name, "old": shown(m.old.as_ref()), "new": shown(m.new.as_ref()),
                                "delta": shown(m.delta.as_ref()), "changed": m.changed,
                            })
                        })
                        .collect();
                    let presence = match r.presence {
                        RowPresence::Both => "both",
                        RowPresence::OldOnly => "old",
                        RowPresence::NewOnly => "new",
                    };
                    json!({ "keys": keys, "labels": r.labels, "present_in": presence, "metrics": metrics })
                })
                .collect();
            let totals: Vec<Value> = p
                .totals
                .iter()
                .map(|t| {
                    json!({
                        "metric": t.metric, "currency": t.currency,
                        "old": t.old.json, "new": t.new.json, "delta": t.delta.json,
                    })
                })
                .collect();
            json!({
                "plan": p.name, "title": p.title, "loops": p.loops, "metrics": p.metrics,
                "compared": p.compared, "rows": rows, "totals": totals,
            })
        })
        .collect();
    let doc = json!({
        "old": diff.old_name,
        "new": diff.new_name,
        "has_changes": diff.has_changes(),
        "summary": {
            "credits_added": s.credits_added,
            "credits_removed": s.credits_removed,
            "credits_changed": s.credits_changed,
            "deals_changed": s.deals,
        },
        "notes": notes,
        "fields": fields,
        "credits": credits,
        "plans": plans,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
