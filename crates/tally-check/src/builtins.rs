//! Native built-ins: the standard-library functions that cannot be written
//! in Tally itself, declared in this one place with their types and docs.
//! The rest of the standard library is Tally source in `stdlib/`.

use crate::program::FnInfo;
use crate::types::Type;

/// The standard-library files written in Tally, with their display names.
pub const STDLIB_SOURCES: &[(&str, &str)] = &[
    (
        "<stdlib/numbers.tally>",
        include_str!("../../../stdlib/numbers.tally"),
    ),
    (
        "<stdlib/periods.tally>",
        include_str!("../../../stdlib/periods.tally"),
    ),
];

/// One native function signature (for hover, completion and docs).
pub struct Native {
    /// Name.
    pub name: &'static str,
    /// Signature as shown to users.
    pub signature: &'static str,
    /// What it does.
    pub doc: &'static str,
}

/// Natives whose argument types are checked by hand (overloaded or
/// variadic): `len`, `contains`, `concat`, and `min`/`max`, which are also
/// aggregates in reports.
pub const OVERLOADED: &[&str] = &["len", "contains", "concat", "min", "max"];

/// Aggregates allowed in the `columns` of a report with `group by`.
pub const AGGREGATES: &[&str] = &[
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "first",
];

/// Methods of a table value.
pub const TABLE_METHODS: &[Native] = &[
    Native { name: "where", signature: "where(predicate: Bool) -> table", doc: "The rows for which the predicate holds; the table's columns are in scope unqualified." },
    Native { name: "sum", signature: "sum(value) -> number or Money", doc: "The exact sum of the value over the rows; zero (`0 USD` in the base currency for Money) when there are none." },
    Native { name: "count", signature: "count() -> Int", doc: "The number of rows." },
    Native { name: "avg", signature: "avg(value) -> value?", doc: "The exact average, or none when there are no rows." },
    Native { name: "min", signature: "min(value) -> value?", doc: "The smallest value, or none when there are no rows." },
    Native { name: "max", signature: "max(value) -> value?", doc: "The largest value, or none when there are no rows." },
    Native { name: "first", signature: "first(value) -> value?", doc: "The value on the first row, or none when there are no rows." },
    Native { name: "only", signature: "only(value) -> value", doc: "The value on the only row; a runtime error unless there is exactly one row." },
    Native { name: "any", signature: "any(predicate: Bool) -> Bool", doc: "True when the predicate holds for at least one row." },
    Native { name: "all", signature: "all(predicate: Bool) -> Bool", doc: "True when the predicate holds for every row (also when there are none)." },
    Native { name: "sort", signature: "sort(key [desc]) -> table", doc: "The rows ordered by the key (stable; none last)." },
    Native { name: "at", signature: "at(date: Date) -> table", doc: "The rows of an effective-dated table in effect on that date." },
    Native { name: "get", signature: "get(key) -> row?", doc: "The row with that key, or none." },
];

/// Fields of a `Territory` value.
pub const TERRITORY_FIELDS: &[(&str, &str)] = &[
    ("name", "Text: the territory's name"),
    (
        "parent",
        "Territory?: the parent territory, none for a root",
    ),
    (
        "path",
        "Text: the path from the root, `Global/Americas/NA_East`",
    ),
    ("level", "Int: the depth, 0 for a root"),
];

fn n() -> Type {
    Type::Var('N')
}

fn native(name: &str, params: &[(&str, Type)], ret: Type, doc: &str) -> FnInfo {
    FnInfo {
        name: name.to_string(),
        params: params
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect(),
        ret,
        decl: None,
        stdlib: true,
        doc: Some(doc.to_string()),
    }
}

/// The native functions with their types.
pub fn natives() -> Vec<FnInfo> {
    use Type::*;
    let list_period = List(Box::new(Period));
    vec![
        native("fiscal_year", &[("d", Date)], Period, "The fiscal year containing the date (named by the calendar year it ends in)."),
        native("fiscal_quarter", &[("d", Date)], Period, "The fiscal quarter containing the date, e.g. `FY2026-Q1`."),
        native("fiscal_month", &[("d", Date)], Period, "The fiscal month containing the date, e.g. `FY2026-M01`."),
        native("quarters", &[("p", Period)], list_period.clone(), "The quarters of a fiscal year (or the quarter itself), in order."),
        native("months", &[("p", Period)], list_period, "The fiscal months of a year or quarter (or the month itself), in order."),
        native("start", &[("p", Period)], Date, "The first day of the period."),
        native("end", &[("p", Period)], Date, "The last day of the period."),
        native("add_days", &[("d", Date), ("n", Int)], Date, "The date `n` days later (earlier when negative)."),
        native("add_months", &[("d", Date), ("n", Int)], Date, "The date `n` months later, clamped to the end of a shorter month."),
        native("days_between", &[("a", Date), ("b", Date)], Int, "The number of days from `a` to `b` (negative when `b` is earlier)."),
        native("round", &[("x", n()), ("places", Int)], n(), "The value rounded to `places` decimal places with the policy's rounding mode."),
        native("abs", &[("x", n())], n(), "The absolute value."),
        native("min", &[("a", n()), ("b", n())], n(), "The smaller of two values (in a report with `group by`, with one argument: the smallest value of the group)."),
        native("max", &[("a", n()), ("b", n())], n(), "The larger of two values (in a report with `group by`, with one argument: the largest value of the group)."),
        native("currency", &[("m", Money)], Text, "The ISO-4217 code of a money value."),
        native("amount_of", &[("m", Money)], Decimal, "The amount of a money value, without its currency."),
        native("lower", &[("t", Text)], Text, "The text in lower case."),
        native("upper", &[("t", Text)], Text, "The text in upper case."),
        native("trim", &[("t", Text)], Text, "The text without leading and trailing spaces."),
        native("starts_with", &[("t", Text), ("prefix", Text)], Bool, "True when the text starts with the prefix."),
        native("ends_with", &[("t", Text), ("suffix", Text)], Bool, "True when the text ends with the suffix."),
        native("contains", &[("t", Text), ("part", Text)], Bool, "True when the text contains the part (or, for a list, when the list contains the value)."),
        native("len", &[("t", Text)], Int, "The number of characters of a text (or of elements of a list)."),
        native("concat", &[("a", Text), ("b", Text)], Text, "The texts joined together (any number of arguments)."),
    ]
}
