//! Writing values as text: for messages (`plain`) and for CSV cells
//! (`csv_cell`, spec §9).

use crate::money::round;
use crate::table::Store;
use crate::value::Value;
use rust_decimal::Decimal;
use tally_check::Rounding;

/// A decimal without trailing zeros (`0.5`, `3`).
pub fn normalized(d: Decimal) -> String {
    let n = d.normalize();
    if n.is_zero() {
        "0".to_string()
    } else {
        n.to_string()
    }
}

/// A value as people read it in messages: `60000.01 USD`, `87.5%`, keys
/// for rows, names for territories.
pub fn plain(v: &Value, store: &Store) -> String {
    match v {
        Value::None => "none".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Decimal(d) => normalized(*d),
        Value::Percent(p) => match p.checked_mul(Decimal::ONE_HUNDRED) {
            Some(x) => format!("{}%", normalized(x)),
            None => normalized(*p),
        },
        Value::Money(m) => format!("{} {}", normalized(m.amount), m.currency),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Period(p) => p.to_string(),
        Value::Text(t) => format!("\"{t}\""),
        Value::Territory(t) => store.territory_name(*t).to_string(),
        Value::Row(r) => store.key_text(*r),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(|i| plain(i, store)).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", plain(k, store), plain(v, store)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Table(t) => {
            let table = store.table(t.table);
            let n = t.rows.as_ref().map(|r| r.len()).unwrap_or(table.len);
            format!("{} ({n} rows)", table.name)
        }
        Value::Record(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", plain(v, store)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

/// A value as a CSV cell (spec §9): text as is, decimals normalised,
/// percent as its fraction, money with the currency's minor-unit places,
/// ISO dates, periods, territory names, row keys, empty for none.
pub fn csv_cell(v: &Value, store: &Store, rounding: Rounding) -> String {
    match v {
        Value::None => String::new(),
        Value::Text(t) => t.to_string(),
        Value::Percent(p) => normalized(*p),
        Value::Money(m) => {
            let places = m.currency.minor_unit();
            let r = round(m.amount, places, rounding);
            format!("{:.*}", places as usize, r)
        }
        Value::Row(r) => match store.row_key(*r) {
            Some(k) => csv_cell(&k.clone(), store, rounding),
            None => store.key_text(*r),
        },
        other => plain(other, store),
    }
}
