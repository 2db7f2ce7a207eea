//! Literal values shared by the parser and the evaluator: fiscal periods,
//! number text, string escapes.

use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// Which part of a fiscal year a period names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodPart {
    /// The whole fiscal year (`FY2026`).
    Year,
    /// Quarter 1..=4 (`FY2026-Q3`).
    Quarter(u8),
    /// Fiscal month 1..=12 (`FY2026-M07`).
    Month(u8),
}

/// A fiscal period: `FY2026`, `FY2026-Q3`, `FY2026-M07`. The fiscal year is
/// named by the calendar year in which it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    /// The fiscal year's name (the calendar year it ends in).
    pub year: i32,
    /// Year, quarter or month.
    pub part: PeriodPart,
}

impl Period {
    /// Parses `FY2026`, `FY2026-Q3` or `FY2026-M07`; `None` when malformed
    /// or out of range.
    pub fn parse(text: &str) -> Option<Period> {
        let rest = text.strip_prefix("FY")?;
        let (year, part) = match rest.split_once('-') {
            None => (rest, PeriodPart::Year),
            Some((y, p)) => {
                let part = if let Some(q) = p.strip_prefix('Q') {
                    let q: u8 = q.parse().ok()?;
                    if !(1..=4).contains(&q) || p.len() != 2 {
                        return None;
                    }
                    PeriodPart::Quarter(q)
                } else {
                    let m = p.strip_prefix('M')?;
                    let m: u8 = m.parse().ok()?;
                    if !(1..=12).contains(&m) || p.len() != 3 {
                        return None;
                    }
                    PeriodPart::Month(m)
                };
                (y, part)
            }
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Period {
            year: year.parse().ok()?,
            part,
        })
    }

    /// Sort key: chronological, a year before its quarters, a quarter
    /// before its months.
    pub fn sort_key(self) -> (i32, u8, u8) {
        match self.part {
            PeriodPart::Year => (self.year, 0, 0),
            PeriodPart::Quarter(q) => (self.year, q * 3 - 2, 1),
            PeriodPart::Month(m) => (self.year, m, 2),
        }
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.part {
            PeriodPart::Year => write!(f, "FY{:04}", self.year),
            PeriodPart::Quarter(q) => write!(f, "FY{:04}-Q{q}", self.year),
            PeriodPart::Month(m) => write!(f, "FY{:04}-M{m:02}", self.year),
        }
    }
}

/// Parses number text with `_` separators into an exact decimal.
pub fn parse_number(text: &str) -> Option<Decimal> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    Decimal::from_str(&clean).ok()
}

/// Resolves the escapes of a string literal body (`\"`, `\\`, `\n`, `\t`).
/// Returns the offending escape on error.
pub fn unescape(body: &str) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => return Err(format!("\\{other}")),
            None => return Err("\\".to_string()),
        }
    }
    Ok(out)
}

/// Writes `value` as a string literal with escapes.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_round_trip() {
        for text in ["FY2026", "FY2026-Q3", "FY2026-M07"] {
            let p = Period::parse(text).unwrap();
            assert_eq!(p.to_string(), text);
        }
        assert!(Period::parse("FY2026-Q5").is_none());
        assert!(Period::parse("FY2026-M13").is_none());
        assert!(Period::parse("FY2026-M7").is_none());
    }

    #[test]
    fn escapes_round_trip() {
        let v = unescape(r#"a\"b\\c\nd\te"#).unwrap();
        assert_eq!(v, "a\"b\\c\nd\te");
        assert_eq!(unescape(&escape(&v)[1..escape(&v).len() - 1]).unwrap(), v);
        assert_eq!(unescape(r"\q"), Err("\\q".to_string()));
    }
}
