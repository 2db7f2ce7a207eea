//! The generated policy: Acme's crediting, plan and reports over a
//! territory model of R rules.

use super::{RuleSpec, Shape, BANDS};
use std::fmt::Write as _;

/// The policy text for `rules`.
pub fn policy_text(shape: &Shape, rules: &[RuleSpec]) -> String {
    let territories = shape.territories();
    let mut out = String::new();
    out.push_str(
        r#"// Generated benchmark policy: a territory model of many rules, Acme's
// crediting (splits, a security overlay, manager roll-ups), an AE plan with
// marginal tiers and a cap, and Acme-style reports.
policy "Generated benchmark"

settings {
  currency = USD
  fiscal_year_start = February
  rounding = half_even
}

table reps {
  id: Text key
  name: Text
  role: Text
  region: Text
  manager: reps?        from "manager_id"
}

table accounts {
  id: Text key
  name: Text
  country: Text
  state: Text?
  postal_prefix: Text
  industry: Text
  employees: Int
}

table opportunities {
  id: Text key
  account: accounts     from "account_id"
  owner: reps           from "owner_id"
  co_owner: reps?       from "co_owner_id"
  amount: Money
  stage: Text
  close_date: Date
  product: Text
}

table territory_owners effective(start_date, end_date) {
  territory: Territory
  rep: reps             from "rep_id"
  role: Text
  start_date: Date
  end_date: Date?
}

table quotas {
  rep: reps             from "rep_id"
  period: Period
  amount: Money
}

"#,
    );
    out.push_str("territories {\n  Global {\n");
    for region in 0..territories.div_ceil(50) {
        let names: Vec<String> = (region * 50..((region + 1) * 50).min(territories))
            .map(|t| format!("T_{:04}", t + 1))
            .collect();
        let _ = writeln!(
            out,
            "    Region_{:02} {{ {} }}",
            region + 1,
            names.join("  ")
        );
    }
    out.push_str("  }\n}\n\n");
    out.push_str(
        r#"/// The rep holding `job` in territory `t` on date `on`, if any.
fn territory_rep(t: Territory?, job: Text, on: Date) -> reps? =
  territory_owners.at(on).where(territory == t and role == job).first(rep)

"#,
    );
    out.push_str("assign accounts.territory (first match) {\n");
    for r in rules {
        let mut when = format!(
            "postal_prefix == \"{}\" and country == \"{}\"",
            r.postal_prefix, r.country
        );
        if let Some(s) = r.state {
            let _ = write!(when, " and state == \"{s}\"");
        }
        let _ = write!(when, " and industry == \"{}\"", r.industry);
        let (lo, hi) = BANDS.get(r.band).copied().unwrap_or((0, None));
        if lo > 0 {
            let _ = write!(when, " and employees >= {lo}");
        }
        if let Some(h) = hi {
            let _ = write!(when, " and employees < {h}");
        }
        let _ = writeln!(
            out,
            "  rule \"R{:04}\" when {when}\n    then {}",
            r.priority, r.territory
        );
    }
    out.push_str("}\n\n");
    out.push_str(
        r#"credit opportunities where stage == "Closed Won" on close_date {
  let ae = territory_rep(account.territory, "AE", close_date)
  let specialist = territory_rep(account.territory, "Security", close_date)

  revenue (first match) {
    rule "Named split" when co_owner is some then owner gets 60%, co_owner gets 40%
    rule "Territory AE" when ae is some then ae gets 100%
    otherwise owner gets 100%
  }
  overlay (all match) {
    rule "Security specialist" when product == "Security" and specialist is some
      then specialist gets 100%
  }
  rollup revenue via manager as manager
}

plan ae_comp "AE quarterly commission" {
  for ae in reps where role == "AE"
  for q in quarters(FY2026)

  bookings   = credits.where(payee == ae and role == "revenue" and date in q).sum(amount)
  quota      = quotas.where(rep == ae and period == q).sum(amount)
  attainment = if quota > 0 USD then bookings / quota else 0%
  commission = if quota > 0 USD then tiered marginal (bookings of quota) {
                 up to 50%  => 4%
                 up to 100% => 8%
                 above      => 12%
               } else 0 USD
  payout     = min(commission, 30_000 USD)
}

report bookings_by_territory "Bookings by territory and quarter" {
  from credits where role == "revenue"
  group by territory = deal.account.territory, quarter = fiscal_quarter(date)
  columns {
    deals    = count_distinct(deal)
    bookings = sum(amount)
  }
  order by territory, quarter
  totals
}

report attainment "AE attainment" {
  from ae_comp where quota > 0 USD
  columns {
    rep = ae.id
    quarter = q
    bookings
    quota
    attainment = round(attainment, 4) as Percent
    commission
    payout
  }
  order by quarter, rep
}

report forecast "Open pipeline by quarter" {
  from opportunities where not (stage in ["Closed Won", "Closed Lost"])
  group by quarter = fiscal_quarter(close_date)
  columns {
    deals    = count()
    pipeline = sum(amount)
  }
  order by quarter
}

report manager_rollup "Manager roll-up credit" {
  from credits where role == "manager"
  group by manager = payee.id
  columns {
    total = sum(amount)
    deals = count_distinct(deal)
  }
  order by total desc, manager
}
"#,
    );
    out
}
