//! Tally's evaluator: runtime values, columnar tables, expressions compiled
//! once into closures, and the evaluation of `assign`, `credit`, `plan` and
//! `report` in the order of spec §5.

pub mod calendar;
pub mod column;
pub mod display;
pub mod error;
pub mod money;
pub mod table;
pub mod value;

pub use error::EvalError;
pub use money::{Currency, Money};
pub use table::{Column, Store, Table};

/// A hash map with a fast, randomly seeded hasher (the engine's indexes).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A hash set with a fast, randomly seeded hasher.
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
pub use value::{Key, RowRef, TableView, Value};
pub mod compile;
pub mod ops;
pub mod runtime;

pub use runtime::{Frame, Limits, Runtime};
pub mod engine;
pub mod explain;

pub use engine::{
    evaluate, evaluate_expr, evaluate_profiled, evaluate_reference, evaluate_with_coverage,
    materialize, Coverage, Phases,
};
