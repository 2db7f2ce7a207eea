//! A host program that embeds Tally: it builds its own rows (here from
//! structs, as it would from its database), compiles a small commission
//! policy, evaluates it with limits, and reads one rep's payout.
//!
//! Run it with `cargo run -p tally-embed-example`.

use serde::{Deserialize, Serialize};
use tally::{Limits, NoImports, Policy};

const POLICY: &str = r#"
policy "Embedded commission"

table reps {
  id: Text key
  name: Text
}

table deals {
  id: Text key
  owner: reps
  amount: Money
  closed: Date
}

credit deals on closed {
  revenue (first match) {
    otherwise owner gets 100%
  }
}

plan payout "Quarterly payout" {
  for rep in reps
  for q in quarters(FY2025)

  bookings = credits.where(payee == rep and date in q).sum(amount)
  payout   = tiered marginal (bookings) {
    up to 100_000 USD => 5%
    above             => 8%
  }
}
"#;

/// Money as the results give it: an exact amount and its currency.
#[derive(Deserialize)]
struct Amount {
    amount: String,
    currency: String,
}

/// One row of the `payout` plan.
#[derive(Deserialize)]
struct PayoutRow {
    rep: String,
    q: String,
    payout: Amount,
}

#[derive(Serialize)]
struct Rep {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct Deal {
    id: &'static str,
    owner: &'static str,
    amount: &'static str,
    closed: &'static str,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = Policy::compile("embedded.tally", POLICY, &NoImports)?;

    let reps = vec![
        Rep {
            id: "R-1",
            name: "Ava",
        },
        Rep {
            id: "R-2",
            name: "Ben",
        },
    ];
    let deals = vec![
        Deal {
            id: "D-1",
            owner: "R-1",
            amount: "80000.00",
            closed: "2025-02-10",
        },
        Deal {
            id: "D-2",
            owner: "R-1",
            amount: "45000.00",
            closed: "2025-03-31",
        },
        Deal {
            id: "D-3",
            owner: "R-2",
            amount: "12500.50",
            closed: "2025-05-02",
        },
    ];
    let data = policy.tables_from_json(&[
        ("reps", serde_json::to_value(&reps)?),
        ("deals", serde_json::to_value(&deals)?),
    ])?;

    // Bound the work a policy may do on this host.
    let limits = Limits {
        max_rows: Some(100_000),
        max_steps: Some(10_000_000),
        max_output_rows: Some(100_000),
        max_rollup_depth: Some(20),
        // One thread per core (with a step or output limit, the
        // evaluation uses one thread so a limit trips at the same row).
        threads: None,
    };
    let results = policy.evaluate(&data, limits)?;

    // Read the plan table back as the host's own rows.
    let rows: Vec<PayoutRow> = results.rows_as("payout")?;
    for row in rows.iter().filter(|r| r.rep == "R-1") {
        println!(
            "{} {}: {} {}",
            row.rep, row.q, row.payout.amount, row.payout.currency
        );
    }
    // The whole table as CSV, as a golden file would hold it.
    print!("{}", results.csv("payout").unwrap_or_default());
    Ok(())
}
