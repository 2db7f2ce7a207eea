//! Single values for people and tools (`tally query` scalars, the REPL).

use tally_check::Program;
use tally_eval::display::{normalized, plain};
use tally_eval::money::round;
use tally_eval::{Store, Value};

/// `1234567.891` → `1,234,567.891`.
fn thousands(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", number),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// A value as people read it: `100,000.01 USD`, `87.5%`, text unquoted.
pub fn value_text(v: &Value, store: &Store, program: &Program) -> String {
    match v {
        Value::Money(m) => {
            let places = m.currency.minor_unit();
            let r = round(m.amount, places, program.settings.rounding);
            format!(
                "{} {}",
                thousands(&format!("{:.*}", places as usize, r)),
                m.currency
            )
        }
        Value::Percent(p) => format!("{}%", normalized(*p * rust_decimal::Decimal::ONE_HUNDRED)),
        Value::Text(t) => t.to_string(),
        other => plain(other, store),
    }
}

/// A value as JSON: numbers and money as strings (exact), none as null.
pub fn value_json(v: &Value, store: &Store, program: &Program) -> String {
    let j = match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Money(m) => serde_json::json!({
            "amount": tally_eval::display::csv_cell(v, store, program.settings.rounding),
            "currency": m.currency.as_str(),
        }),
        Value::List(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|i| {
                    serde_json::from_str(&value_json(i, store, program))
                        .unwrap_or(serde_json::Value::Null)
                })
                .collect(),
        ),
        other => serde_json::Value::String(tally_eval::display::csv_cell(
            other,
            store,
            program.settings.rounding,
        )),
    };
    j.to_string()
}

/// The closest of `known` to `name`, for "did you mean".
pub fn suggest(name: &str, known: &[String]) -> Option<String> {
    tally_diagnostics::closest(name, known.iter().map(String::as_str))
}
