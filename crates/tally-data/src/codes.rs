//! Stable codes of load diagnostics (`D0xxx`). Every load error names the
//! file, the line (or sheet row), the table, the column and the value
//! involved.

/// No data file was found for a declared table (the message lists the
/// file names that were tried).
pub const MISSING_FILE: &str = "D0001";
/// More than one data file exists for one table (`reps.csv` and
/// `reps.json`), so the choice would be ambiguous.
pub const AMBIGUOUS_FILE: &str = "D0002";
/// A data file could not be read (I/O error, unknown extension, not an
/// Excel workbook).
pub const READ: &str = "D0003";
/// A text data file is not UTF-8 (or is UTF-16).
pub const ENCODING: &str = "D0004";
/// A data file is malformed: a CSV quoted field that is never closed,
/// invalid JSON, JSON that is not an array of objects, a JSON Lines line
/// that is not an object, a workbook without sheets, a cell holding a
/// list or object.
pub const SYNTAX: &str = "D0005";
/// A CSV file or sheet without even a header row.
pub const EMPTY_FILE: &str = "D0006";
/// A declared column is missing from the file's header.
pub const MISSING_COLUMN: &str = "D0007";
/// The same header appears twice in one file (or one key twice in one
/// JSON object).
pub const DUPLICATE_HEADER: &str = "D0008";
/// A CSV row with more or fewer fields than the header.
pub const RAGGED_ROW: &str = "D0009";
/// A cell that is not a value of its column's type (`12a` in an `Int`
/// column).
pub const BAD_VALUE: &str = "D0010";
/// A number too large (or too precise) for its type: `Int` is 64-bit,
/// `Decimal` holds 28 significant digits.
pub const OUT_OF_RANGE: &str = "D0011";
/// A date-shaped cell that names no calendar day (`2025-02-30`).
pub const INVALID_DATE: &str = "D0012";
/// An empty cell in a column that is not optional.
pub const EMPTY_CELL: &str = "D0013";
/// A `Territory` cell that names no declared territory.
pub const UNKNOWN_TERRITORY: &str = "D0014";
/// A reference cell whose key is not in the referenced table.
pub const DANGLING_REFERENCE: &str = "D0015";
/// Two rows of a keyed table with the same key.
pub const DUPLICATE_KEY: &str = "D0016";
/// A table with more rows than the host allows.
pub const ROW_LIMIT: &str = "D0017";
/// A row of an effective-dated table whose end date is before its start.
pub const EFFECTIVE_RANGE: &str = "D0018";
/// `--table name=path` names no declared table.
pub const UNKNOWN_TABLE: &str = "D0019";
/// More load errors than [`crate::LoadLimits::max_errors`]; the rest are
/// counted, not shown.
pub const TOO_MANY_ERRORS: &str = "D0020";
/// A column whose type cannot come from a data file, or a reference to a
/// table without a key or that was not loaded.
pub const UNSUPPORTED: &str = "D0021";
