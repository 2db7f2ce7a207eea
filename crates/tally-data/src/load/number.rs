//! Exact number text: plain decimals (`-1234.50`) for text cells, and the
//! native numbers of JSON and Excel (which may use an exponent).

use rust_decimal::Decimal;

/// Why number text is not a number of the wanted kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumError {
    /// Not number text at all.
    NotNumber,
    /// A number, but beyond the exact decimal range (or too precise).
    TooBig,
}

/// True for `[+-]digits[.digits]`.
pub(crate) fn is_plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && frac.is_none_or(digits)
}

/// True for `[+-]digits`.
pub(crate) fn is_plain_integer(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
}

/// Parses a plain decimal (`-1234.50`; no exponent, no separators) exactly.
pub(crate) fn plain_decimal(s: &str) -> Result<Decimal, NumError> {
    if !is_plain_number(s) {
        return Err(NumError::NotNumber);
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    // Leading zeros would count against the 28 digits; they carry nothing.
    Decimal::from_str_exact(body).map_err(|_| NumError::TooBig)
}

/// Parses the text of a native number (JSON or Excel), which may use an
/// exponent (`1.5e3`, `2E-2`). The decimal point is moved in the text, so
/// the result is exact or an error, never rounded.
pub(crate) fn native_decimal(s: &str) -> Result<Decimal, NumError> {
    let Some(at) = s.find(['e', 'E']) else {
        return plain_decimal(s);
    };
    let (mantissa, exponent) = (&s[..at], &s[at + 1..]);
    if !is_plain_number(mantissa) || !is_plain_integer(exponent) {
        return Err(NumError::NotNumber);
    }
    let sign = if mantissa.starts_with('-') { "-" } else { "" };
    let body = mantissa.trim_start_matches(['-', '+']);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = format!("{int}{frac}");
    if digits.bytes().all(|b| b == b'0') {
        return Ok(Decimal::ZERO);
    }
    let e: i64 = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .map_err(|_| NumError::TooBig)?;
    if !(-100..=100).contains(&e) {
        return Err(NumError::TooBig);
    }
    let point = int.len() as i64 + e;
    let len = digits.len() as i64;
    let text = if point <= 0 {
        format!(
            "{sign}0.{}{digits}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point >= len {
        format!("{sign}{digits}{}", "0".repeat((point - len) as usize))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{sign}{a}.{b}")
    };
    plain_decimal(&text)
}

/// The exact decimal text of a float (the shortest text that reads back
/// as the same float), or `None` for NaN and infinities.
pub(crate) fn float_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some("0".to_string());
    }
    Some(format!("{f}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(plain_decimal("-1234.50"), Ok(d("-1234.50")));
        assert_eq!(plain_decimal("+7"), Ok(d("7")));
        assert_eq!(plain_decimal("1,234"), Err(NumError::NotNumber));
        assert_eq!(plain_decimal("1e5"), Err(NumError::NotNumber));
        assert_eq!(plain_decimal("."), Err(NumError::NotNumber));
        assert_eq!(plain_decimal("5."), Err(NumError::NotNumber));
        assert_eq!(plain_decimal(""), Err(NumError::NotNumber));
        assert_eq!(plain_decimal(&"9".repeat(40)), Err(NumError::TooBig));
        assert_eq!(
            plain_decimal(&format!("0.{}", "1".repeat(40))),
            Err(NumError::TooBig)
        );
        assert_eq!(
            plain_decimal(&"9".repeat(10_000_000)),
            Err(NumError::TooBig)
        );
    }

    #[test]
    fn native_numbers() {
        assert_eq!(native_decimal("1.5e3"), Ok(d("1500")));
        assert_eq!(native_decimal("25E-2"), Ok(d("0.25")));
        assert_eq!(native_decimal("1e400"), Err(NumError::TooBig));
        assert_eq!(native_decimal("1e-400"), Err(NumError::TooBig));
        assert_eq!(native_decimal("0e999999999999999999999"), Ok(Decimal::ZERO));
        assert_eq!(
            native_decimal("1e99999999999999999999999"),
            Err(NumError::TooBig)
        );
        assert_eq!(
            native_decimal("1e-27"),
            Ok(d("0.000000000000000000000000001"))
        );
        assert_eq!(native_decimal("1e-29"), Err(NumError::TooBig));
        assert_eq!(native_decimal("e5"), Err(NumError::NotNumber));
    }

    #[test]
    fn floats_keep_their_shortest_text() {
        assert_eq!(float_text(0.1).as_deref(), Some("0.1"));
        assert_eq!(float_text(33333.33).as_deref(), Some("33333.33"));
        assert_eq!(float_text(1e20).as_deref(), Some("100000000000000000000"));
        assert_eq!(float_text(f64::NAN), None);
        assert_eq!(
            plain_decimal(&float_text(1e300).unwrap()),
            Err(NumError::TooBig)
        );
    }
}
