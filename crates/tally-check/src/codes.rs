//! Every diagnostic code the checker emits, with a one-line explanation.
//! Parser codes (E0001–E0006) come from `tally-syntax`.

/// A name that is not declared anywhere.
pub const UNKNOWN_NAME: &str = "E0101";
/// A column or field that the table or value does not have.
pub const UNKNOWN_COLUMN: &str = "E0102";
/// A type name that is not a type or a table.
pub const UNKNOWN_TYPE: &str = "E0103";
/// A function or method that does not exist.
pub const UNKNOWN_FUNCTION: &str = "E0104";
/// A name declared twice.
pub const DUPLICATE: &str = "E0105";
/// An import that cannot be read, or imports that form a cycle.
pub const IMPORT: &str = "E0106";
/// A column compared with itself, hiding an outer name.
pub const SELF_COMPARISON: &str = "E0107";
/// A value of the wrong type.
pub const TYPE_MISMATCH: &str = "E0201";
/// Arithmetic or navigation on an optional value.
pub const OPTIONAL_MISUSE: &str = "E0202";
/// A share that is not a Percent.
pub const SHARE_TYPE: &str = "E0203";
/// A payee that is not a row of the reps table.
pub const PAYEE_TYPE: &str = "E0204";
/// Operands an operator does not accept.
pub const OPERATOR: &str = "E0205";
/// A call with the wrong number of arguments.
pub const ARITY: &str = "E0206";
/// An aggregate where it is not allowed, or a plain column under `group by`.
pub const AGGREGATE: &str = "E0207";
/// A conversion `as Type` that is not possible.
pub const CAST: &str = "E0208";
/// A recursive function.
pub const RECURSION: &str = "E0301";
/// Derived fields (or consts, plans, reports) that depend on each other in a cycle.
pub const CYCLE: &str = "E0302";
/// A setting that does not exist or has a wrong value.
pub const SETTING: &str = "E0401";
/// A table declaration problem (keys, effective dates, column types).
pub const TABLE: &str = "E0402";
/// A rule block problem (`otherwise` not last, missing rules, derived column clashes).
pub const RULES: &str = "E0403";
/// Tier bands that are not increasing or malformed.
pub const TIERS: &str = "E0404";
/// A crediting problem (rollups, amount column, credited table).
pub const CREDIT: &str = "E0405";
/// A plan problem (metric order, grain).
pub const PLAN: &str = "E0406";
/// A report problem (missing `from`, duplicate clauses, `totals`, `limit`).
pub const REPORT: &str = "E0407";
/// A test or golden problem.
pub const TEST: &str = "E0408";

/// An unused const or function.
pub const W_UNUSED: &str = "W0101";
/// A rule that can never fire because an earlier rule covers it.
pub const W_UNREACHABLE_RULE: &str = "W0102";
/// Two rules of a `unique` block that can both match one row.
pub const W_UNIQUE_OVERLAP: &str = "W0103";
/// A leaf territory that no assign rule produces.
pub const W_UNREACHABLE_TERRITORY: &str = "W0104";
/// A declaration that shadows a standard-library item.
pub const W_SHADOWS_STDLIB: &str = "W0105";
/// A test without `expect`.
pub const W_TEST_CANNOT_FAIL: &str = "W0106";

/// Every code with its explanation (for `tally explain-code` style docs and tests).
pub const ALL: &[(&str, &str)] = &[
    ("E0000", "internal error"),
    ("E0001", "syntax error"),
    ("E0002", "invalid date or fiscal period literal"),
    ("E0003", "number out of range"),
    ("E0004", "unknown escape in text"),
    ("E0005", "column modifier written twice"),
    ("E0006", "expression nested too deeply"),
    (UNKNOWN_NAME, "unknown name"),
    (UNKNOWN_COLUMN, "unknown column or field"),
    (UNKNOWN_TYPE, "unknown type"),
    (UNKNOWN_FUNCTION, "unknown function or method"),
    (DUPLICATE, "declared more than once"),
    (IMPORT, "import cannot be read or forms a cycle"),
    (SELF_COMPARISON, "column compared with itself"),
    (TYPE_MISMATCH, "type mismatch"),
    (OPTIONAL_MISUSE, "optional value used as if always present"),
    (SHARE_TYPE, "share is not a Percent"),
    (PAYEE_TYPE, "payee is not a rep"),
    (OPERATOR, "operator does not accept these operands"),
    (ARITY, "wrong number of arguments"),
    (AGGREGATE, "aggregate misuse"),
    (CAST, "impossible conversion"),
    (RECURSION, "recursive function"),
    (CYCLE, "dependency cycle"),
    (SETTING, "bad setting"),
    (TABLE, "bad table declaration"),
    (RULES, "bad rule block"),
    (TIERS, "bad tier bands"),
    (CREDIT, "bad crediting policy"),
    (PLAN, "bad plan"),
    (REPORT, "bad report"),
    (TEST, "bad test or golden"),
    (W_UNUSED, "unused const or function"),
    (W_UNREACHABLE_RULE, "rule can never fire"),
    (W_UNIQUE_OVERLAP, "rules of a unique block overlap"),
    (W_UNREACHABLE_TERRITORY, "territory no rule assigns"),
    (W_SHADOWS_STDLIB, "shadows a standard-library item"),
    (W_TEST_CANNOT_FAIL, "test without `expect`"),
];
