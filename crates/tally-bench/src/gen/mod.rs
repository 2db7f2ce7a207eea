//! The benchmark's data and policy generator: accounts with countries,
//! states, postal prefixes, industries and employee counts; reps with a
//! manager hierarchy; ten opportunities per account over two fiscal years
//! with some co-owners; effective-dated territory owners with mid-year
//! changes; quarterly quotas; and a policy with R territory rules in the
//! style real territory models use.

mod data;
mod policy;
mod rng;

use std::io::Write;
use std::path::Path;

pub use rng::Rng;

/// Industries accounts belong to.
pub const INDUSTRIES: &[&str] = &[
    "Software",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Energy",
    "Media",
    "Food",
];

/// Countries and, for some, states.
pub const COUNTRIES: &[(&str, &[&str])] = &[
    (
        "US",
        &["CA", "NY", "TX", "WA", "MA", "IL", "FL", "GA", "CO", "NJ"],
    ),
    ("CA", &["ON", "QC", "BC", "AB"]),
    ("DE", &[]),
    ("GB", &[]),
    ("FR", &[]),
    ("BR", &[]),
    ("JP", &[]),
    ("AU", &["NSW", "VIC", "QLD"]),
];

/// Employee bands of the rules: `[lo, hi)`; `None` is open.
pub const BANDS: &[(i64, Option<i64>)] = &[
    (0, Some(200)),
    (200, Some(1000)),
    (1000, Some(5000)),
    (5000, None),
];

/// One territory rule of the generated policy.
#[derive(Clone, Debug)]
pub struct RuleSpec {
    /// Rule order (1-based priority).
    pub priority: usize,
    /// Country tested.
    pub country: &'static str,
    /// State tested, if the country has states.
    pub state: Option<&'static str>,
    /// Three-digit postal prefix tested.
    pub postal_prefix: String,
    /// Industry tested.
    pub industry: &'static str,
    /// Employee band index into [`BANDS`].
    pub band: usize,
    /// The territory the rule assigns.
    pub territory: String,
}

/// The shape of a generated data set.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Number of accounts.
    pub accounts: usize,
    /// Number of territory rules.
    pub rules: usize,
    /// Opportunities per account.
    pub opportunities_per_account: usize,
    /// Random seed.
    pub seed: u64,
    /// Number of territories (`None`: one per two rules, so that more
    /// rules also mean more territories, owners and AEs).
    pub territories: Option<usize>,
}

impl Shape {
    /// The number of territories the rules assign (at least one).
    pub fn territories(&self) -> usize {
        self.territories.unwrap_or(self.rules / 2).max(1)
    }
}

/// The rules of the territory model (also written to `rules.csv` so the
/// peer implementations use exactly the same model).
pub fn rules(shape: &Shape) -> Vec<RuleSpec> {
    let mut rng = Rng::new(shape.seed ^ 0x5EED);
    let territories = shape.territories();
    (0..shape.rules)
        .map(|i| {
            let (country, states) = *rng.pick(COUNTRIES).unwrap_or(&("US", &[]));
            RuleSpec {
                priority: i + 1,
                country,
                state: rng.pick(states).copied(),
                postal_prefix: format!("{:03}", rng.below(shape.rules.max(10) / 2 + 1)),
                industry: rng.pick(INDUSTRIES).copied().unwrap_or("Software"),
                band: rng.below(BANDS.len()),
                territory: format!("T_{:04}", i % territories + 1),
            }
        })
        .collect()
}

/// Writes the data files, `rules.csv` and `policy.tally` into `out`.
pub fn generate(shape: &Shape, out: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out.join("data"))?;
    let rules = rules(shape);
    let policy = policy::policy_text(shape, &rules);
    std::fs::write(out.join("policy.tally"), policy)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(out.join("rules.csv"))?);
    writeln!(
        f,
        "priority,country,state,postal_prefix,industry,emp_min,emp_max,territory"
    )?;
    for r in &rules {
        let (lo, hi) = BANDS.get(r.band).copied().unwrap_or((0, None));
        writeln!(
            f,
            "{},{},{},{},{},{lo},{},{}",
            r.priority,
            r.country,
            r.state.unwrap_or(""),
            r.postal_prefix,
            r.industry,
            hi.map(|h| h.to_string()).unwrap_or_default(),
            r.territory
        )?;
    }
    f.flush()?;
    data::write_data(shape, &rules, &out.join("data"))
}
