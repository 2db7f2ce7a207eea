//! Policy-level differences: settings and the territory hierarchy
//! (compared by name, never by index).

use super::shown::Side;
use super::{Note, NoteKind};
use tally_check::{Rounding, Settings};

/// Notes for settings and territories that differ.
pub(crate) fn policy_notes(old: &Side<'_>, new: &Side<'_>) -> Vec<Note> {
    let mut notes = settings(&old.program().settings, &new.program().settings);
    notes.extend(territories(old, new));
    notes
}

fn settings(old: &Settings, new: &Settings) -> Vec<Note> {
    let entries = [
        ("currency", old.currency.clone(), new.currency.clone()),
        (
            "fiscal_year_start",
            month(old.fiscal_year_start),
            month(new.fiscal_year_start),
        ),
        (
            "rounding",
            rounding(old.rounding).to_string(),
            rounding(new.rounding).to_string(),
        ),
    ];
    entries
        .into_iter()
        .filter(|(_, o, n)| o != n)
        .map(|(name, o, n)| Note {
            kind: NoteKind::Setting,
            name: name.to_string(),
            old: Some(o),
            new: Some(n),
        })
        .collect()
}

fn rounding(r: Rounding) -> &'static str {
    match r {
        Rounding::HalfEven => "half_even",
        Rounding::HalfUp => "half_up",
    }
}

fn month(m: u32) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    m.checked_sub(1)
        .and_then(|i| MONTHS.get(i as usize))
        .map(|s| s.to_string())
        .unwrap_or_else(|| m.to_string())
}

/// Territories removed or moved (old order), then added (new order).
fn territories(old: &Side<'_>, new: &Side<'_>) -> Vec<Note> {
    let (old_t, new_t) = (&old.program().territories, &new.program().territories);
    let path_in = |list: &[tally_check::TerritoryInfo], name: &str| {
        list.iter().find(|t| t.name == name).map(|t| t.path.clone())
    };
    let note = |name: &str, o: Option<String>, n: Option<String>| Note {
        kind: NoteKind::Territory,
        name: name.to_string(),
        old: o,
        new: n,
    };
    let mut notes = Vec::new();
    for t in old_t {
        let now = path_in(new_t, &t.name);
        if now.as_deref() != Some(t.path.as_str()) {
            notes.push(note(&t.name, Some(t.path.clone()), now));
        }
    }
    for t in new_t {
        if path_in(old_t, &t.name).is_none() {
            notes.push(note(&t.name, None, Some(t.path.clone())));
        }
    }
    notes
}

/// A note for a declaration (`kind`) that exists on one side only.
pub(crate) fn one_side(kind: NoteKind, name: String, in_old: bool) -> Note {
    let declared = Some("declared".to_string());
    Note {
        kind,
        name,
        old: if in_old { declared.clone() } else { None },
        new: if in_old { None } else { declared },
    }
}
