//! The generated data files.

use super::{Rng, RuleSpec, Shape, BANDS, COUNTRIES, INDUSTRIES};
use std::io::{BufWriter, Write};
use std::path::Path;

const STAGES: &[&str] = &["Prospecting", "Qualification", "Proposal", "Negotiation"];
const PRODUCTS: &[&str] = &["Compute", "Storage", "Security", "Analytics", "Compute"];

fn file(dir: &Path, name: &str) -> std::io::Result<BufWriter<std::fs::File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join(name))?,
    ))
}

/// A date `days` after 2025-02-01 (the first day of FY2026).
fn date(days: usize) -> String {
    let mut y = 2025;
    let mut m = 2;
    let mut d = 1 + days;
    loop {
        let len = match m {
            2 => {
                if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) {
                    29
                } else {
                    28
                }
            }
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if d <= len {
            break;
        }
        d -= len;
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    format!("{y:04}-{m:02}-{d:02}")
}

/// Writes reps, accounts, opportunities, territory_owners and quotas.
pub fn write_data(shape: &Shape, rules: &[RuleSpec], dir: &Path) -> std::io::Result<()> {
    let mut rng = Rng::new(shape.seed);
    let territories = shape.territories();
    let regions = territories.div_ceil(50);
    // reps: a VP, one RVP and one security specialist per region, one AE per
    // territory and a tenth more for mid-year changes.
    let mut reps = file(dir, "reps.csv")?;
    writeln!(reps, "id,name,role,region,manager_id")?;
    writeln!(reps, "R-00000,Vice President,VP,Global,")?;
    for r in 0..regions {
        writeln!(reps, "R-1{r:04},RVP {r},RVP,Region_{:02},R-00000", r + 1)?;
        writeln!(
            reps,
            "R-2{r:04},Security {r},Security,Region_{:02},R-1{r:04}",
            r + 1
        )?;
    }
    let aes = territories + territories / 10 + 1;
    for a in 0..aes {
        let region = (a % territories) / 50;
        writeln!(
            reps,
            "R-3{a:04},AE {a},AE,Region_{:02},R-1{region:04}",
            region + 1
        )?;
    }
    reps.flush()?;
    // territory owners, with mid-year changes for about one in five.
    let mut owners = file(dir, "territory_owners.csv")?;
    writeln!(owners, "territory,rep_id,role,start_date,end_date")?;
    let mut spare = territories;
    for t in 0..territories {
        let name = format!("T_{:04}", t + 1);
        if rng.chance(20) && spare < aes {
            writeln!(owners, "{name},R-3{t:04},AE,2025-02-01,2025-07-31")?;
            writeln!(owners, "{name},R-3{spare:04},AE,2025-08-01,")?;
            spare += 1;
        } else {
            writeln!(owners, "{name},R-3{t:04},AE,2025-02-01,")?;
        }
        writeln!(owners, "{name},R-2{:04},Security,2025-02-01,", t / 50)?;
    }
    owners.flush()?;
    // quotas: every AE, every quarter of FY2026.
    let mut quotas = file(dir, "quotas.csv")?;
    writeln!(quotas, "rep_id,period,amount")?;
    for a in 0..aes {
        for q in 1..=4 {
            let amount = 50_000 + rng.below(250) * 1_000;
            writeln!(quotas, "R-3{a:04},FY2026-Q{q},{amount}.00")?;
        }
    }
    quotas.flush()?;
    // accounts: most match a rule of the model, some match none.
    let mut accounts = file(dir, "accounts.csv")?;
    let mut opps = file(dir, "opportunities.csv")?;
    writeln!(
        accounts,
        "id,name,country,state,postal_prefix,industry,employees"
    )?;
    writeln!(
        opps,
        "id,account_id,owner_id,co_owner_id,amount,stage,close_date,product"
    )?;
    let mut opp_id = 0usize;
    for i in 0..shape.accounts {
        let (country, state, prefix, industry, employees) = match rules.get(rng.below(rules.len()))
        {
            Some(r) if rng.chance(90) => {
                let (lo, hi) = BANDS.get(r.band).copied().unwrap_or((0, None));
                let span = hi.unwrap_or(lo + 20_000) - lo;
                let employees = lo + (rng.below(span.max(1) as usize) as i64);
                let state = r.state.or_else(|| {
                    COUNTRIES
                        .iter()
                        .find(|(c, _)| *c == r.country)
                        .and_then(|(_, s)| rng.pick(s).copied())
                });
                (
                    r.country,
                    state,
                    r.postal_prefix.clone(),
                    r.industry,
                    employees,
                )
            }
            _ => {
                let (c, states) = *rng.pick(COUNTRIES).unwrap_or(&("US", &[]));
                (
                    c,
                    rng.pick(states).copied(),
                    format!("{:03}", rng.below(1000)),
                    rng.pick(INDUSTRIES).copied().unwrap_or("Retail"),
                    rng.below(30_000) as i64,
                )
            }
        };
        writeln!(
            accounts,
            "A-{i:07},Account {i},{country},{},{prefix},{industry},{employees}",
            state.unwrap_or("")
        )?;
        for _ in 0..shape.opportunities_per_account {
            let owner = rng.below(aes);
            let co_owner = if rng.chance(10) {
                format!("R-3{:04}", rng.below(aes))
            } else {
                String::new()
            };
            let cents = 100_000 + rng.below(19_900_000);
            let roll = rng.below(100);
            let stage = match roll {
                0..=59 => "Closed Won",
                60..=74 => "Closed Lost",
                _ => rng.pick(STAGES).copied().unwrap_or("Proposal"),
            };
            let product = rng.pick(PRODUCTS).copied().unwrap_or("Compute");
            writeln!(
                opps,
                "O-{opp_id:08},A-{i:07},R-3{owner:04},{co_owner},{}.{:02},{stage},{},{product}",
                cents / 100,
                cents % 100,
                date(rng.below(730))
            )?;
            opp_id += 1;
        }
    }
    accounts.flush()?;
    opps.flush()
}

#[cfg(test)]
mod tests {
    use super::date;

    #[test]
    fn dates_count_from_the_fiscal_year_start() {
        assert_eq!(date(0), "2025-02-01");
        assert_eq!(date(28), "2025-03-01");
        assert_eq!(date(365), "2026-02-01");
        assert_eq!(date(729), "2027-01-31");
    }
}
