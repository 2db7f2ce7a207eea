//! The acme example's data loads with the acme policy.

use super::support::{acme, root, table};
use rust_decimal::Decimal;
use std::str::FromStr;
use tally_data::{load_all, DataSources, LoadLimits};
use tally_eval::{Currency, Money, Value};

#[test]
fn acme_data_loads() {
    let program = acme();
    let loaded = load_all(
        &program,
        &DataSources::in_dir(root().join("examples/acme/data")),
        &LoadLimits::default(),
    );
    assert!(
        loaded.diagnostics.is_empty(),
        "{}",
        super::support::rendered(&loaded)
    );
    let store = &loaded.store;
    let count = |name: &str| store.table(table(&program, name)).len;
    assert_eq!(count("reps"), 12);
    assert_eq!(count("accounts"), 12);
    assert_eq!(count("opportunities"), 16);
    assert_eq!(count("territory_owners"), 12);
    assert_eq!(count("quotas"), 24);
    assert_eq!(store.territories.len(), program.territories.len());

    let opps = store.table(table(&program, "opportunities"));
    let names: Vec<&str> = opps.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "account",
            "owner",
            "co_owner",
            "amount",
            "stage",
            "close_date",
            "product"
        ]
    );
    let o3 = opps.lookup(&Value::text("O-003")).unwrap() as usize;
    assert_eq!(
        *opps.get(4, o3),
        Value::Money(Money::new(
            Decimal::from_str("100000.01").unwrap(),
            Currency(*b"USD")
        ))
    );
    let Value::Row(owner) = *opps.get(2, o3) else {
        panic!("owner is not a row")
    };
    assert_eq!(owner.table, table(&program, "reps"));
    assert_eq!(store.key_text(owner), "R-11");
    assert_eq!(*opps.get(3, 0), Value::None);
    assert_eq!(
        opps.origin(o3),
        Some(format!(
            "{}:4",
            root()
                .join("examples/acme/data/opportunities.csv")
                .display()
        ))
    );

    let reps = store.table(table(&program, "reps"));
    assert_eq!(*reps.get(4, 0), Value::None, "the VP has no manager");
    assert!(matches!(*reps.get(4, 1), Value::Row(_)));

    let owners = store.table(table(&program, "territory_owners"));
    let east = program.territory_named("NA_East").unwrap() as u32;
    assert_eq!(*owners.get(0, 0), Value::Territory(east));
    assert_eq!(owners.get(4, 0).kind(), "Date");
    assert_eq!(*owners.get(4, 1), Value::None);

    let accounts = store.table(table(&program, "accounts"));
    assert_eq!(*accounts.get(5, 0), Value::Int(120000));
    assert_eq!(*accounts.get(3, 1), Value::None, "Initech has no state");

    let quotas = store.table(table(&program, "quotas"));
    assert_eq!(quotas.get(1, 0).kind(), "Period");
}
