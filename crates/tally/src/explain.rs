//! Explanations for people: the text `tally explain` prints.

use std::fmt::Write as _;
use tally_eval::explain::{Explanation, Place, RuleTry, Step};

fn at(p: &Place) -> String {
    format!("{}:{}", p.file, p.line)
}

fn rule_line(out: &mut String, r: &RuleTry, indent: &str) {
    let mark = match (r.chosen, r.held) {
        (true, _) => "→",
        (false, Some(false)) => "✗",
        _ => " ",
    };
    let verdict = match r.held {
        Some(true) => "true",
        Some(false) => "false",
        None => "(otherwise)",
    };
    if r.when.is_empty() {
        let _ = writeln!(
            out,
            "{indent}{mark} otherwise{}  [{}]",
            if r.chosen { " — no rule held" } else { "" },
            at(&r.at)
        );
        return;
    }
    let _ = writeln!(
        out,
        "{indent}{mark} rule \"{}\" when {} → {verdict}  [{}]",
        r.label,
        r.when,
        at(&r.at)
    );
    if !r.values.is_empty() {
        let values: Vec<String> = r
            .values
            .iter()
            .map(|v| format!("{} = {}", v.expr, v.value))
            .collect();
        let _ = writeln!(out, "{indent}    because {}", values.join(", "));
    }
}

/// The explanation as text: every decision in order, each with its line.
pub fn explanation_text(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = write!(out, "{} {}", e.table, e.key);
    if let Some(o) = &e.origin {
        let _ = write!(out, "  (loaded from {o})");
    }
    out.push('\n');
    for step in &e.steps {
        out.push('\n');
        match step {
            Step::Assign {
                field,
                hit,
                rules,
                result,
                rule,
                at: place,
            } => {
                let _ = writeln!(out, "assign {field} ({hit})  [{}]", at(place));
                for r in rules {
                    rule_line(&mut out, r, "  ");
                }
                if rule == "none" {
                    let _ = writeln!(out, "  = {field} is none: no rule matched this row");
                } else {
                    let _ = writeln!(out, "  = {result} (rule \"{rule}\")");
                }
            }
            Step::CreditRow {
                filter,
                date,
                amount,
                at: place,
            } => {
                let _ = writeln!(out, "credit  [{}]", at(place));
                if let Some(f) = filter {
                    let verdict = if f.held == Some(true) {
                        "true: the deal is credited"
                    } else {
                        "false: the deal is not credited"
                    };
                    let _ = writeln!(out, "  where {} → {verdict}", f.when);
                    if !f.values.is_empty() {
                        let values: Vec<String> = f
                            .values
                            .iter()
                            .map(|v| format!("{} = {}", v.expr, v.value))
                            .collect();
                        let _ = writeln!(out, "      because {}", values.join(", "));
                    }
                }
                let _ = writeln!(out, "  amount {amount}, credit date {date}");
            }
            Step::Let {
                name,
                expr,
                value,
                inputs,
                at: place,
            } => {
                let _ = writeln!(out, "  let {name} = {expr}  [{}]", at(place));
                if !inputs.is_empty() {
                    let values: Vec<String> = inputs
                        .iter()
                        .map(|v| format!("{} = {}", v.expr, v.value))
                        .collect();
                    let _ = writeln!(out, "      with {}", values.join(", "));
                }
                let _ = writeln!(out, "      = {value}");
            }
            Step::Group {
                role,
                hit,
                rules,
                credits,
                at: place,
            } => {
                let _ = writeln!(out, "  {role} ({hit})  [{}]", at(place));
                for r in rules {
                    rule_line(&mut out, r, "    ");
                }
                if credits.is_empty() {
                    let _ = writeln!(out, "    = no credit from `{role}`");
                }
                for c in credits {
                    let extra = match c.extra_cents {
                        0 => String::new(),
                        1 => " + 1 cent (largest remainder)".to_string(),
                        n => format!(" + {n} cents (largest remainder)"),
                    };
                    let _ = writeln!(
                        out,
                        "    = {} gets {}: {} exactly → {}{extra} = {}",
                        c.payee, c.share, c.exact, c.rounded_down, c.amount
                    );
                }
            }
            Step::Rollup {
                group,
                via,
                role,
                chains,
                at: place,
            } => {
                let _ = writeln!(out, "  rollup {group} via {via} as {role}  [{}]", at(place));
                if chains.is_empty() {
                    let _ = writeln!(out, "    = nothing to roll up");
                }
                for c in chains {
                    if c.managers.is_empty() {
                        let _ = writeln!(out, "    {}: no manager", c.from);
                    } else {
                        let _ = writeln!(
                            out,
                            "    {} → {}: {} each",
                            c.from,
                            c.managers.join(" → "),
                            c.amount
                        );
                    }
                }
            }
        }
    }
    out
}
