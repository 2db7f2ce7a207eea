//! Tally's evaluator: runtime values, columnar tables, expressions compiled
//! once into closures, and the evaluation of `assign`, `credit`, `plan` and
//! `report` in the order of spec §5.

pub mod calendar;
pub mod column;
pub mod display;
pub mod error;
mod key_map;
pub mod lines;
pub mod money;
pub mod table;
pub mod value;

pub use error::EvalError;
pub use lines::Lines;
pub use money::{Currency, Money};
pub use table::{Column, Store, Table};

/// A hash map with a fast, randomly seeded hasher (the engine's indexes).
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A hash set with a fast, randomly seeded hasher.
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
/// A map keyed by hashes computed beforehand (each key is its own hash).
pub(crate) type ByHash<V> =
    std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<AlreadyHashed>>;

/// A number no other call in this process returns: it tells apart
/// dictionaries and index caches that may sit at one address in turn.
pub(crate) fn unique_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The hasher of a [`ByHash`] map: the key is its own hash.
#[derive(Default)]
pub(crate) struct AlreadyHashed(u64);

impl std::hash::Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
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
