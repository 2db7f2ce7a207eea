//! Unit tests of cell parsing.

use super::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

fn ctx() -> CellContext {
    CellContext::new("USD", vec!["Global".into(), "NA_East".into()])
}

fn text(kind: Kind<'_>, s: &str) -> Result<Value, CellError> {
    parse(kind, Cell::Text(s), &ctx())
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn numbers() {
    assert_eq!(text(Kind::Int, " -12 "), Ok(Value::Int(-12)));
    assert!(matches!(
        text(Kind::Int, "12a"),
        Err(CellError::Bad { help: None })
    ));
    assert!(matches!(
        text(Kind::Int, "99999999999999999999"),
        Err(CellError::OutOfRange { .. })
    ));
    assert_eq!(
        text(Kind::Decimal, "1234.50"),
        Ok(Value::Decimal(d("1234.50")))
    );
    assert_eq!(text(Kind::Percent, "12.5%"), Ok(Value::Percent(d("0.125"))));
    assert_eq!(text(Kind::Percent, "0.125"), Ok(Value::Percent(d("0.125"))));
    assert_eq!(
        parse(Kind::Int, Cell::Number("1.2e3"), &ctx()),
        Ok(Value::Int(1200))
    );
}

#[test]
fn money() {
    let usd = Currency(*b"USD");
    let eur = Currency(*b"EUR");
    assert_eq!(
        text(Kind::Money, "1234.50"),
        Ok(Value::Money(Money::new(d("1234.50"), usd)))
    );
    assert_eq!(
        text(Kind::Money, "1234.50 EUR"),
        Ok(Value::Money(Money::new(d("1234.50"), eur)))
    );
    let Err(CellError::Bad { help: Some(h) }) = text(Kind::Money, "12 usd") else {
        panic!()
    };
    assert_eq!(h, "currency codes are upper case: `12 USD`");
    assert!(text(Kind::Money, "$12").is_err());
    let Err(CellError::Bad { help: Some(h) }) = text(Kind::Money, "1,234.50 EUR") else {
        panic!()
    };
    assert_eq!(h, "write numbers without thousands separators: `1234.50`");
    // Found by the bad-input corpus: `1,5` is a decimal comma, not `15`.
    let Err(CellError::Bad { help: Some(h) }) = text(Kind::Decimal, "1,5") else {
        panic!()
    };
    assert_eq!(h, "the decimal separator is a point: `1.5`");
    let Err(CellError::Bad { help: Some(h) }) = text(Kind::Int, "1_000_000") else {
        panic!()
    };
    assert_eq!(h, "write numbers without thousands separators: `1000000`");
}

#[test]
fn dates() {
    assert_eq!(
        text(Kind::Date(None), "2025-04-10"),
        Ok(Value::Date(NaiveDate::from_ymd_opt(2025, 4, 10).unwrap()))
    );
    assert_eq!(
        text(Kind::Date(None), "2025-02-30"),
        Err(CellError::InvalidDate {
            why: "February 2025 has only 28 days".into()
        })
    );
    assert_eq!(
        text(Kind::Date(None), "2024-13-01"),
        Err(CellError::InvalidDate {
            why: "there is no month 13".into()
        })
    );
    assert_eq!(
        text(Kind::Date(Some("%m/%d/%Y")), "04/10/2025"),
        Ok(Value::Date(NaiveDate::from_ymd_opt(2025, 4, 10).unwrap()))
    );
    assert!(matches!(
        text(Kind::Date(Some("%m/%d/%Y")), "2025-04-10"),
        Err(CellError::Bad { help: Some(_) })
    ));
    assert!(matches!(
        text(Kind::Date(Some("%m/%d/%Y")), "02/30/2025"),
        Err(CellError::InvalidDate { .. })
    ));
    // An unusable format is an error, not a panic.
    assert!(text(Kind::Date(Some("%Q")), "x").is_err());
    assert_eq!(
        Kind::Date(Some("%Q")).expected(),
        "a date in the format `%Q`"
    );
    assert_eq!(
        Kind::Date(Some("%H")).expected(),
        "a date in the format `%H`"
    );
}

#[test]
fn bools_periods_territories() {
    assert_eq!(text(Kind::Bool, "Yes"), Ok(Value::Bool(true)));
    assert_eq!(text(Kind::Bool, "0"), Ok(Value::Bool(false)));
    assert!(text(Kind::Bool, "maybe").is_err());
    assert_eq!(
        text(Kind::Period, "FY2026-Q1").map(|v| matches!(v, Value::Period(_))),
        Ok(true)
    );
    assert_eq!(text(Kind::Territory, "NA_East"), Ok(Value::Territory(1)));
    assert_eq!(
        text(Kind::Territory, "NA_Est"),
        Err(CellError::Territory {
            suggestion: Some("NA_East".into())
        })
    );
}

#[test]
fn text_is_kept_as_written() {
    assert_eq!(text(Kind::Text, "  a b \r"), Ok(Value::text("  a b ")));
    assert_eq!(text(Kind::KeyText, "  a b \r"), Ok(Value::text("  a b ")));
}

proptest::proptest! {
    /// The quick trims are the library's trims, whatever the text.
    #[test]
    fn quick_trims_are_the_trims(t in "[ \t\r\u{a0}a-z0-9$€,.\"-]{0,6}") {
        proptest::prop_assert_eq!(trimmed(&t), t.trim());
        proptest::prop_assert_eq!(without_cr(&t), t.trim_end_matches('\r'));
        proptest::prop_assert_eq!(is_blank(Cell::Text(&t)), t.trim().is_empty());
    }
}

proptest::proptest! {
    /// A plain amount read at once is what reading it word by word gives,
    /// errors included.
    #[test]
    fn plain_amounts_read_at_once_as_word_by_word(t in "[0-9.+-]{0,14}") {
        let c = ctx();
        proptest::prop_assert_eq!(
            numbers::parse_money(&t, &c),
            numbers::parse_money_words(&t, &c)
        );
    }
}

/// The value `parse` gives for `t`, and the value `quick` gives, if any:
/// shown with their exact form (a decimal's scale, a zero's sign).
fn quick_and_parsed(kind: Kind<'_>, t: &str) -> (Option<String>, String) {
    let quick = quick(kind, Cell::Text(t)).map(|q| match q {
        Quick::Money(m) => format!("{:?}", Value::Money(tally_eval::Money::new(m, ctx().base))),
        Quick::Date(d) => format!("{:?}", Value::Date(d)),
    });
    let parsed = match text(kind, t) {
        Ok(v) => format!("{v:?}"),
        Err(e) => format!("error {e:?}"),
    };
    (quick, parsed)
}

#[test]
fn quick_cells_are_the_cells_parsed() {
    for t in [
        "134077.24",
        "-5",
        "+0.50",
        "007.10",
        " 12.00 ",
        "2025-03-01",
    ] {
        let kind = if t.contains('-') && t.len() == 10 {
            Kind::Date(None)
        } else {
            Kind::Money
        };
        let (quick, parsed) = quick_and_parsed(kind, t);
        assert_eq!(quick.as_deref(), Some(parsed.as_str()), "{t}");
    }
    // Zeros (signed or not), other shapes and impossible days are left
    // to `parse`.
    for t in [
        "0.00",
        "-0",
        "5.",
        ".5",
        "1,000",
        "12 EUR",
        "1234567890123456789",
    ] {
        assert_eq!(quick(Kind::Money, Cell::Text(t)), None, "{t}");
    }
    for t in ["2025-02-30", "2025-3-1", "01/03/2025"] {
        assert_eq!(quick(Kind::Date(None), Cell::Text(t)), None, "{t}");
    }
    assert_eq!(
        quick(Kind::Date(Some("%d/%m/%Y")), Cell::Text("2025-03-01")),
        None
    );
    assert_eq!(quick(Kind::Decimal, Cell::Text("1.5")), None);
}

proptest::proptest! {
    /// A cell read quickly is the value `parse` reads, to its scale.
    #[test]
    fn quick_cells_are_parsed_cells(
        money in "[ +-]?[0-9]{0,20}(\\.[0-9]{0,4})?",
        date in "[0-9]{4}-[0-9]{2}-[0-9]{2}",
    ) {
        for (kind, t) in [(Kind::Money, &money), (Kind::Date(None), &date)] {
            let (quick, parsed) = quick_and_parsed(kind, t);
            if let Some(quick) = quick {
                proptest::prop_assert_eq!(quick, parsed);
            }
        }
    }
}
