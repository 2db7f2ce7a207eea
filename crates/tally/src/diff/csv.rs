//! `--format csv`: one long-format table, `section,key,item,old,new,delta`,
//! with exact values (CSV cells as in spec §9).

use super::{ChangeKind, CreditSide, NoteKind, PolicyDiff, Shown};

/// Quotes a cell when it holds a comma, a quote or a line break.
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Picks one attribute of a credit.
type Pick = fn(&CreditSide) -> &Shown;

struct Out(String);

impl Out {
    fn row(&mut self, cells: [&str; 6]) {
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        self.0.push_str(&cells.join(","));
        self.0.push('\n');
    }
}

fn exact(s: Option<&Shown>) -> &str {
    s.map(|s| s.exact.as_str()).unwrap_or("")
}

fn kind_word(k: NoteKind) -> &'static str {
    match k {
        NoteKind::Setting => "setting",
        NoteKind::Territory => "territory",
        NoteKind::Field => "field",
        NoteKind::Plan => "plan",
        NoteKind::Metric => "metric",
        NoteKind::Grain => "loops",
    }
}

/// Renders the whole diff as CSV.
pub(crate) fn render(diff: &PolicyDiff) -> String {
    let mut out = Out(String::new());
    out.row(["section", "key", "item", "old", "new", "delta"]);
    for n in &diff.notes {
        let (o, v) = (
            n.old.as_deref().unwrap_or(""),
            n.new.as_deref().unwrap_or(""),
        );
        out.row(["policy", kind_word(n.kind), &n.name, o, v, ""]);
    }
    for f in &diff.fields {
        let item = format!("{}.{}", f.table, f.field);
        let rule = format!("{item}_rule");
        for c in &f.changes {
            out.row(["field", &c.key, &item, &c.old.exact, &c.new.exact, ""]);
            out.row([
                "field",
                &c.key,
                &rule,
                &c.old_rule.exact,
                &c.new_rule.exact,
                "",
            ]);
        }
    }
    let attrs: [(&str, Pick); 4] = [
        ("rule", |s| &s.rule),
        ("share", |s| &s.share),
        ("amount", |s| &s.amount),
        ("date", |s| &s.date),
    ];
    for d in &diff.credits {
        for c in &d.changes {
            for (name, pick) in attrs {
                let (o, n) = (c.old.as_ref().map(pick), c.new.as_ref().map(pick));
                if c.kind == ChangeKind::Changed && o.map(|s| &s.text) == n.map(|s| &s.text) {
                    continue;
                }
                let delta = if name == "amount" {
                    exact(c.amount_delta.as_ref())
                } else {
                    ""
                };
                let item = format!("{} {} {name}", c.payee, c.role);
                out.row(["credit", &d.deal, &item, exact(o), exact(n), delta]);
            }
        }
    }
    for p in &diff.plans {
        for r in &p.rows {
            let key: Vec<String> = p
                .loops
                .iter()
                .zip(&r.keys)
                .map(|(l, k)| format!("{l}={}", k.exact))
                .collect();
            let key = key.join(" ");
            for m in &r.metrics {
                let item = format!("{}.{}", p.name, m.name);
                out.row([
                    "plan",
                    &key,
                    &item,
                    exact(m.old.as_ref()),
                    exact(m.new.as_ref()),
                    exact(m.delta.as_ref()),
                ]);
            }
        }
    }
    let s = diff.summary();
    for (name, changed, rule_only, _) in &s.fields {
        out.row(["total", name, "rows changed", "", &changed.to_string(), ""]);
        out.row(["total", name, "rule only", "", &rule_only.to_string(), ""]);
    }
    for (item, n) in [
        ("added", s.credits_added),
        ("removed", s.credits_removed),
        ("changed", s.credits_changed),
        ("deals", s.deals),
    ] {
        out.row(["total", "credits", item, "", &n.to_string(), ""]);
    }
    for p in &diff.plans {
        out.row([
            "total",
            &p.name,
            "rows changed",
            "",
            &p.rows.len().to_string(),
            "",
        ]);
        for t in &p.totals {
            let name = format!("{}.{}", p.name, t.metric);
            out.row([
                "total",
                &name,
                &t.currency,
                &t.old.exact,
                &t.new.exact,
                &t.delta.exact,
            ]);
        }
    }
    out.0
}
