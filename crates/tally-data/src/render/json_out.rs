//! JSON: an array with one object per report.

use super::ReportView;
use tally_check::Type;
use tally_eval::display::{csv_cell, normalized};
use tally_eval::{Store, Value};

/// A JSON string literal.
fn string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A type as written in policies (`reps?`, `Money`).
fn type_name(ty: &Type, store: &Store) -> String {
    match ty {
        Type::Optional(inner) => format!("{}?", type_name(inner, store)),
        Type::Row(t) => store.table(*t).name.clone(),
        Type::Text => "Text".into(),
        Type::Int => "Int".into(),
        Type::Decimal => "Decimal".into(),
        Type::Percent => "Percent".into(),
        Type::Money => "Money".into(),
        Type::Date => "Date".into(),
        Type::Bool => "Bool".into(),
        Type::Period => "Period".into(),
        Type::Territory => "Territory".into(),
        Type::List(t) => format!("List<{}>", type_name(t, store)),
        Type::Map(k, v) => format!("Map<{}, {}>", type_name(k, store), type_name(v, store)),
        _ => "Unknown".into(),
    }
}

/// One value as JSON.
fn value(view: &ReportView<'_>, v: &Value) -> String {
    match v {
        Value::None => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Decimal(d) | Value::Percent(d) => string(&normalized(*d)),
        Value::Money(m) => format!(
            "{{\"amount\": {}, \"currency\": {}}}",
            string(&csv_cell(v, view.store, view.rounding)),
            string(m.currency.as_str())
        ),
        Value::Row(r) => match view.store.row_key(*r).as_deref() {
            Some(k @ (Value::Int(_) | Value::Text(_))) => value(view, k),
            _ => string(&csv_cell(v, view.store, view.rounding)),
        },
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(|i| value(view, i)).collect();
            format!("[{}]", inner.join(", "))
        }
        other => string(&csv_cell(other, view.store, view.rounding)),
    }
}

/// Renders reports as a JSON array of
/// `{"report", "title", "columns", "rows"}` objects:
/// - `title` is a string or `null`;
/// - `columns` lists `{"name", "type"}` in order (types as written in
///   policies: `Money`, `reps?`);
/// - `rows` are objects keyed by column name, in column order;
/// - none is `null`, `Bool` is `true`/`false`, `Int` a JSON number;
///   `Decimal` and `Percent` are strings of the exact value (`"0.875"`);
///   `Money` is `{"amount": "60000.00", "currency": "USD"}` with the
///   amount rounded to the currency's minor unit; dates (`"2025-04-10"`),
///   periods, territories and texts are strings; a reference is its key.
///
/// One row per line; the output ends with a newline.
pub fn render_json(views: &[ReportView<'_>]) -> String {
    let mut out = String::from("[");
    for (i, view) in views.iter().enumerate() {
        out.push_str(if i > 0 { ",\n" } else { "\n" });
        out.push_str("  {\n");
        out.push_str(&format!("    \"report\": {},\n", string(view.name)));
        out.push_str(&format!(
            "    \"title\": {},\n",
            view.title.map(string).unwrap_or_else(|| "null".to_string())
        ));
        let columns: Vec<String> = view
            .table
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                let ty = view
                    .types
                    .get(c)
                    .map(|t| type_name(t, view.store))
                    .unwrap_or_else(|| "Unknown".into());
                format!(
                    "{{\"name\": {}, \"type\": {}}}",
                    string(&col.name),
                    string(&ty)
                )
            })
            .collect();
        out.push_str(&format!("    \"columns\": [{}],\n", columns.join(", ")));
        if view.table.len == 0 {
            out.push_str("    \"rows\": []\n  }");
            continue;
        }
        out.push_str("    \"rows\": [\n");
        for row in 0..view.table.len {
            let cells: Vec<String> = view
                .table
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    format!(
                        "{}: {}",
                        string(&col.name),
                        value(view, &view.table.get(c, row))
                    )
                })
                .collect();
            let comma = if row + 1 < view.table.len { "," } else { "" };
            out.push_str(&format!("      {{{}}}{comma}\n", cells.join(", ")));
        }
        out.push_str("    ]\n  }");
    }
    out.push_str(if views.is_empty() { "]\n" } else { "\n]\n" });
    out
}
