//! The types of spec §4 and the numeric rules of spec §2.7.

use std::fmt;

/// Identifies a table-shaped thing: a declared table, `credits`, a plan's
/// result or a report's result. Index into [`crate::Program::tables`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub u32);

/// A Tally type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `Text`
    Text,
    /// `Int` (i64)
    Int,
    /// `Decimal` (exact)
    Decimal,
    /// `Percent` (a Decimal shown as a percentage)
    Percent,
    /// `Money` (amount and currency)
    Money,
    /// `Date`
    Date,
    /// `Bool`
    Bool,
    /// `Period` (fiscal year, quarter or month)
    Period,
    /// `Territory`
    Territory,
    /// A row of a table (a reference to its key).
    Row(TableId),
    /// A whole table.
    Table(TableId),
    /// `List<T>`
    List(Box<Type>),
    /// `Map<K, V>`
    Map(Box<Type>, Box<Type>),
    /// `T?`
    Optional(Box<Type>),
    /// A record literal (rows in `given`): field names and types.
    Record(Vec<(String, Type)>),
    /// The type of the `none` literal (fits any optional type).
    NoneLit,
    /// A type variable of a standard-library function: `N` (any number or
    /// money) or `T` (any type).
    Var(char),
    /// The type of an expression that already has an error (suppresses
    /// follow-up errors).
    Unknown,
}

impl Type {
    /// `T?` (never nested: `T??` is `T?`).
    pub fn optional(self) -> Type {
        match self {
            Type::Optional(_) | Type::NoneLit | Type::Unknown => self,
            t => Type::Optional(Box::new(t)),
        }
    }

    /// The type without `?`.
    pub fn strip_optional(&self) -> &Type {
        match self {
            Type::Optional(t) => t,
            t => t,
        }
    }

    /// True for `T?` and the `none` literal.
    pub fn is_optional(&self) -> bool {
        matches!(self, Type::Optional(_) | Type::NoneLit)
    }

    /// True for `Int`, `Decimal`, `Percent` (and the numeric type variable).
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Type::Int | Type::Decimal | Type::Percent | Type::Var('N')
        )
    }

    /// True for numbers and money.
    pub fn is_numeric_or_money(&self) -> bool {
        self.is_number() || matches!(self, Type::Money)
    }

    /// True when this type or any part of it is [`Type::Unknown`].
    pub fn is_unknown(&self) -> bool {
        match self {
            Type::Unknown => true,
            Type::Optional(t) | Type::List(t) => t.is_unknown(),
            Type::Map(k, v) => k.is_unknown() || v.is_unknown(),
            _ => false,
        }
    }

    /// The table a row or table type belongs to.
    pub fn table_id(&self) -> Option<TableId> {
        match self.strip_optional() {
            Type::Row(t) | Type::Table(t) => Some(*t),
            _ => None,
        }
    }
}

/// Displays a type with table names looked up through a closure.
pub struct TypeDisplay<'a> {
    ty: &'a Type,
    name_of: &'a dyn Fn(TableId) -> String,
}

impl<'a> TypeDisplay<'a> {
    /// Wraps `ty` for display.
    pub fn new(ty: &'a Type, name_of: &'a dyn Fn(TableId) -> String) -> Self {
        TypeDisplay { ty, name_of }
    }
}

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |t: &'_ Type| {
            TypeDisplay {
                ty: t,
                name_of: self.name_of,
            }
            .to_string()
        };
        match self.ty {
            Type::Text => write!(f, "Text"),
            Type::Int => write!(f, "Int"),
            Type::Decimal => write!(f, "Decimal"),
            Type::Percent => write!(f, "Percent"),
            Type::Money => write!(f, "Money"),
            Type::Date => write!(f, "Date"),
            Type::Bool => write!(f, "Bool"),
            Type::Period => write!(f, "Period"),
            Type::Territory => write!(f, "Territory"),
            Type::Row(t) => write!(f, "{}", (self.name_of)(*t)),
            Type::Table(t) => write!(f, "table {}", (self.name_of)(*t)),
            Type::List(t) => write!(f, "List<{}>", sub(t)),
            Type::Map(k, v) => write!(f, "Map<{}, {}>", sub(k), sub(v)),
            Type::Optional(t) => write!(f, "{}?", sub(t)),
            Type::Record(fields) => {
                write!(f, "{{ ")?;
                for (i, (n, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{n}: {}", sub(t))?;
                }
                write!(f, " }}")
            }
            Type::NoneLit => write!(f, "none"),
            Type::Var(c) => write!(f, "{c}"),
            Type::Unknown => write!(f, "?"),
        }
    }
}

/// The type of `a + b`, `a - b` for non-optional operands, or `None` when
/// the operands do not mix (spec §2.7).
pub fn add_type(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (a, b) {
        (Unknown, _) | (_, Unknown) => Unknown,
        (Int, Int) => Int,
        (Percent, Percent) => Percent,
        (Money, Money) => Money,
        (Var('N'), x) | (x, Var('N')) if x.is_numeric_or_money() => Var('N'),
        (x, y) if x.is_number() && y.is_number() => Decimal,
        (Date, Int) => Date,
        _ => return None,
    })
}

/// The type of `a * b`.
pub fn mul_type(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (a, b) {
        (Unknown, _) | (_, Unknown) => Unknown,
        (Int, Int) => Int,
        (Percent, Percent) => Percent,
        (Money, x) | (x, Money) if x.is_number() => Money,
        (Var('N'), x) | (x, Var('N')) if x.is_numeric_or_money() => Var('N'),
        (x, y) if x.is_number() && y.is_number() => Decimal,
        _ => return None,
    })
}

/// The type of `a / b`.
pub fn div_type(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    Some(match (a, b) {
        (Unknown, _) | (_, Unknown) => Unknown,
        (Money, Money) => Decimal,
        (Money, x) if x.is_number() => Money,
        (Var('N'), x) | (x, Var('N')) if x.is_numeric_or_money() => Var('N'),
        (x, y) if x.is_number() && y.is_number() => Decimal,
        _ => return None,
    })
}

/// The common type of two values that meet (if branches, list elements,
/// `??`), or `None` when they cannot meet.
pub fn unify(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    if a == b {
        return Some(a.clone());
    }
    Some(match (a, b) {
        (Unknown, _) | (_, Unknown) => Unknown,
        (NoneLit, t) | (t, NoneLit) => t.clone().optional(),
        (Optional(x), Optional(y)) => unify(x, y)?.optional(),
        (Optional(x), y) | (y, Optional(x)) => unify(x, y)?.optional(),
        (Var(_), t) | (t, Var(_)) => t.clone(),
        (x, y) if x.is_number() && y.is_number() => {
            if matches!((x, y), (Int, Int)) {
                Int
            } else {
                Decimal
            }
        }
        (List(x), List(y)) => List(Box::new(unify(x, y)?)),
        (Map(k1, v1), Map(k2, v2)) => Map(Box::new(unify(k1, k2)?), Box::new(unify(v1, v2)?)),
        _ => return None,
    })
}

/// True when a value of type `actual` may be used where `expected` is
/// declared (a parameter, a column, a function result).
pub fn assignable(actual: &Type, expected: &Type) -> bool {
    use Type::*;
    match (actual, expected) {
        (Unknown, _) | (_, Unknown) => true,
        (a, e) if a == e => true,
        (NoneLit, Optional(_)) => true,
        (Optional(a), Optional(e)) => assignable(a, e),
        (a, Optional(e)) => assignable(a, e),
        (_, Var('T')) => true,
        (a, Var('N')) => a.is_numeric_or_money(),
        (Var('N'), e) => e.is_numeric_or_money(),
        (Int, Decimal) | (Int, Percent) | (Decimal, Percent) | (Percent, Decimal) => true,
        (List(a), List(e)) => assignable(a, e),
        (Map(ak, av), Map(ek, ev)) => assignable(ak, ek) && assignable(av, ev),
        (Row(_), Text) => false,
        _ => false,
    }
}

/// True when `a == b` is allowed: same types, `T` against `T?`, numbers
/// with numbers, a reference against Text (compares the key).
pub fn comparable(a: &Type, b: &Type) -> bool {
    use Type::*;
    let (a, b) = (a.strip_optional(), b.strip_optional());
    match (a, b) {
        (Unknown, _) | (_, Unknown) | (NoneLit, _) | (_, NoneLit) => true,
        (Var(_), _) | (_, Var(_)) => true,
        (x, y) if x == y => true,
        (x, y) if x.is_number() && y.is_number() => true,
        (Row(_), Text) | (Text, Row(_)) => true,
        _ => false,
    }
}

/// True when `a < b` is allowed (ordered types of the same kind).
pub fn orderable(a: &Type, b: &Type) -> bool {
    use Type::*;
    match (a, b) {
        (Unknown, _) | (_, Unknown) => true,
        (x, y) if x.is_number() && y.is_number() => true,
        (Var('N'), Money) | (Money, Var('N')) => true,
        (Money, Money) | (Date, Date) | (Text, Text) | (Period, Period) => true,
        _ => false,
    }
}

/// "a `Text`", "an `Int`": the article for a type name in backticks.
pub fn article(shown: &str) -> String {
    let vowel = shown
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} `{shown}`", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::Type::*;
    use super::*;

    #[test]
    fn numeric_rules_of_the_spec() {
        assert_eq!(add_type(&Int, &Decimal), Some(Decimal));
        assert_eq!(add_type(&Percent, &Percent), Some(Percent));
        assert_eq!(add_type(&Percent, &Decimal), Some(Decimal));
        assert_eq!(mul_type(&Percent, &Percent), Some(Percent));
        assert_eq!(mul_type(&Money, &Percent), Some(Money));
        assert_eq!(div_type(&Money, &Money), Some(Decimal));
        assert_eq!(add_type(&Money, &Percent), None);
        assert_eq!(mul_type(&Money, &Money), None);
        assert_eq!(unify(&Percent, &Decimal), Some(Decimal));
        assert_eq!(unify(&Money, &NoneLit), Some(Optional(Box::new(Money))));
    }
}
