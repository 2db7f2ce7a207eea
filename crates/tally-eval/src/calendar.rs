//! The fiscal calendar (spec §2.1): a fiscal year starts on the first day
//! of `fiscal_year_start` and is named by the calendar year in which it ends.

use chrono::{Datelike, Months, NaiveDate};
use tally_syntax::literal::{Period, PeriodPart};

/// A fiscal calendar for one `fiscal_year_start` month (1..=12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Calendar {
    start_month: u32,
}

impl Calendar {
    /// A calendar whose years start on the first of `start_month`.
    pub fn new(start_month: u32) -> Calendar {
        Calendar {
            start_month: start_month.clamp(1, 12),
        }
    }

    /// The fiscal year (its name) containing `d`.
    pub fn fiscal_year(&self, d: NaiveDate) -> i32 {
        if self.start_month == 1 || d.month() < self.start_month {
            d.year()
        } else {
            d.year() + 1
        }
    }

    /// 0-based month of the fiscal year (0 = first month).
    fn month_offset(&self, d: NaiveDate) -> u32 {
        (d.month() + 12 - self.start_month) % 12
    }

    /// The period of the given granularity containing `d`.
    pub fn period_of(&self, d: NaiveDate, part: PeriodPart) -> Period {
        let year = self.fiscal_year(d);
        let m = self.month_offset(d);
        let part = match part {
            PeriodPart::Year => PeriodPart::Year,
            PeriodPart::Quarter(_) => PeriodPart::Quarter((m / 3 + 1) as u8),
            PeriodPart::Month(_) => PeriodPart::Month((m + 1) as u8),
        };
        Period { year, part }
    }

    /// First day of fiscal year `year`.
    fn year_start(&self, year: i32) -> Option<NaiveDate> {
        let calendar_year = if self.start_month == 1 {
            year
        } else {
            year - 1
        };
        NaiveDate::from_ymd_opt(calendar_year, self.start_month, 1)
    }

    /// First day of the period.
    pub fn start(&self, p: Period) -> Option<NaiveDate> {
        let y = self.year_start(p.year)?;
        let months = match p.part {
            PeriodPart::Year => 0,
            PeriodPart::Quarter(q) => 3 * (u32::from(q).max(1) - 1),
            PeriodPart::Month(m) => u32::from(m).max(1) - 1,
        };
        y.checked_add_months(Months::new(months))
    }

    /// Last day of the period.
    pub fn end(&self, p: Period) -> Option<NaiveDate> {
        let start = self.start(p)?;
        let len = match p.part {
            PeriodPart::Year => 12,
            PeriodPart::Quarter(_) => 3,
            PeriodPart::Month(_) => 1,
        };
        start.checked_add_months(Months::new(len))?.pred_opt()
    }

    /// True when `d` lies in `p` (first and last day included).
    pub fn contains(&self, p: Period, d: NaiveDate) -> bool {
        let valid_part = match p.part {
            PeriodPart::Year => true,
            PeriodPart::Quarter(q) => (1..=4).contains(&q),
            PeriodPart::Month(m) => (1..=12).contains(&m),
        };
        // Far from the ends of the calendar, `d` lies in `p` exactly when
        // `p` is the period of its granularity that contains `d`.
        if valid_part && (-200_000..200_000).contains(&p.year) {
            return self.period_of(d, p.part) == p;
        }
        self.contains_by_bounds(p, d)
    }

    /// [`Calendar::contains`] from the period's first and last days.
    fn contains_by_bounds(&self, p: Period, d: NaiveDate) -> bool {
        match (self.start(p), self.end(p)) {
            (Some(s), Some(e)) => s <= d && d <= e,
            _ => false,
        }
    }
}

/// The quarters of a year (or the quarter itself; the quarter of a month).
pub fn quarters(p: Period) -> Vec<Period> {
    match p.part {
        PeriodPart::Year => (1..=4)
            .map(|q| Period {
                year: p.year,
                part: PeriodPart::Quarter(q),
            })
            .collect(),
        PeriodPart::Quarter(_) => vec![p],
        PeriodPart::Month(m) => vec![Period {
            year: p.year,
            part: PeriodPart::Quarter((m - 1) / 3 + 1),
        }],
    }
}

/// The months of a year or quarter (or the month itself).
pub fn months(p: Period) -> Vec<Period> {
    let range = match p.part {
        PeriodPart::Year => 1..=12,
        PeriodPart::Quarter(q) => (q * 3 - 2)..=(q * 3),
        PeriodPart::Month(m) => m..=m,
    };
    range
        .map(|m| Period {
            year: p.year,
            part: PeriodPart::Month(m),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn february_start_matches_the_spec() {
        let c = Calendar::new(2);
        let fy26 = Period::parse("FY2026").unwrap();
        assert_eq!(c.start(fy26), Some(date("2025-02-01")));
        assert_eq!(c.end(fy26), Some(date("2026-01-31")));
        assert_eq!(
            c.period_of(date("2025-03-15"), PeriodPart::Quarter(1))
                .to_string(),
            "FY2026-Q1"
        );
        assert_eq!(
            c.period_of(date("2026-01-20"), PeriodPart::Quarter(1))
                .to_string(),
            "FY2026-Q4"
        );
        assert_eq!(
            c.period_of(date("2026-02-01"), PeriodPart::Quarter(1))
                .to_string(),
            "FY2027-Q1"
        );
        assert_eq!(
            c.period_of(date("2025-02-01"), PeriodPart::Month(1))
                .to_string(),
            "FY2026-M01"
        );
        let q4 = Period::parse("FY2026-Q4").unwrap();
        assert_eq!(c.start(q4), Some(date("2025-11-01")));
        assert_eq!(c.end(q4), Some(date("2026-01-31")));
    }

    #[test]
    fn every_start_month_partitions_the_year() {
        for start in 1..=12 {
            let c = Calendar::new(start);
            let mut d = date("2024-01-01");
            while d <= date("2027-12-31") {
                for part in [
                    PeriodPart::Year,
                    PeriodPart::Quarter(1),
                    PeriodPart::Month(1),
                ] {
                    let p = c.period_of(d, part);
                    assert!(c.contains(p, d), "start {start}: {d} not in {p}");
                }
                let q = c.period_of(d, PeriodPart::Quarter(1));
                assert!(quarters(c.period_of(d, PeriodPart::Year)).contains(&q));
                d = d.succ_opt().unwrap();
            }
            // the year containing a date ends in the year it is named after
            let fy = c.period_of(date("2026-06-15"), PeriodPart::Year);
            assert_eq!(c.end(fy).unwrap().year(), fy.year);
        }
    }

    #[test]
    fn january_start_is_the_calendar_year() {
        let c = Calendar::new(1);
        assert_eq!(c.fiscal_year(date("2026-12-31")), 2026);
        assert_eq!(
            c.start(Period::parse("FY2026").unwrap()),
            Some(date("2026-01-01"))
        );
    }

    proptest::proptest! {
        #[test]
        fn contains_agrees_with_the_period_bounds(
            start_month in 1u32..=12,
            days in -800_000i32..800_000,
            year_shift in -1i32..=1,
            part in 0u8..3,
            n in 0u8..14,
        ) {
            let c = Calendar::new(start_month);
            let d = NaiveDate::from_num_days_from_ce_opt(730_000 + days).unwrap();
            let part = match part {
                0 => PeriodPart::Year,
                1 => PeriodPart::Quarter(n % 6),
                _ => PeriodPart::Month(n),
            };
            let p = Period { year: c.fiscal_year(d) + year_shift, part };
            proptest::prop_assert_eq!(c.contains(p, d), c.contains_by_bounds(p, d));
        }
    }
}
