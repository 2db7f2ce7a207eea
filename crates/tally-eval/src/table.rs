//! Columnar in-memory tables and the store of every table of a run.

pub use crate::column::Column;
use crate::value::{hash_key, Key, RowRef, Value};
use crate::FastMap;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use tally_check::TableId;

/// A table stored column by column.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Table name.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Number of rows.
    pub len: usize,
    /// Index of the key column, if any.
    pub key: Option<usize>,
    /// Key value → row, for keyed tables whose keys are not ascending
    /// texts: built when the key is set (the duplicate keys are found
    /// then), and again at the first lookup after
    /// [`Table::forget_key_index`].
    index: std::sync::OnceLock<KeyIndex>,
    /// True when [`Table::set_key`] found the keys to be texts in
    /// ascending order, and no row was added since: a lookup then
    /// searches them by halves, and no index is built.
    ascending: bool,
    /// Where the rows came from, for messages about loaded data.
    pub origins: Origins,
}

/// Where the rows of a loaded table came from: one file, a line per row.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// The file's display name (`None`: the rows came from no file).
    pub file: Option<Arc<str>>,
    /// The 1-based line (or sheet row) of each row.
    pub lines: crate::Lines,
}

impl Table {
    /// An empty table with the given column names.
    pub fn new(name: impl Into<String>, columns: &[&str]) -> Table {
        Table {
            name: name.into(),
            columns: columns.iter().map(|c| Column::new(*c)).collect(),
            ..Table::default()
        }
    }

    /// Appends a row (values in column order; missing ones become none).
    pub fn push_row(&mut self, mut values: Vec<Value>) {
        self.ascending = false;
        values.resize(self.columns.len(), Value::None);
        for (c, v) in self.columns.iter_mut().zip(values) {
            c.push(v);
        }
        self.len += 1;
    }

    /// Appends a row of exactly `N` values given by reference: a coded
    /// column that already holds a value takes its code, and copies
    /// nothing.
    pub fn push_refs<const N: usize>(&mut self, values: [&Value; N]) {
        self.ascending = false;
        let mut values = values.into_iter();
        for c in &mut self.columns {
            c.push_ref(values.next().unwrap_or(&Value::None));
        }
        self.len += 1;
    }

    /// Reserves room for `rows` more rows. Room never written takes no
    /// memory; it saves the copies of growing a column step by step.
    pub fn reserve(&mut self, rows: usize) {
        for c in &mut self.columns {
            c.reserve(rows);
        }
    }

    /// Appends the rows of `other`, a table with the same columns (and
    /// settles the columns: see [`Column::settle`]).
    pub fn append(&mut self, other: Table) {
        self.append_on(other, 1);
    }

    /// [`Table::append`] with the columns appended on up to `threads`
    /// threads.
    pub fn append_on(&mut self, other: Table, threads: usize) {
        // (rows added after the key was set: a lookup indexes them all)
        self.ascending = false;
        if self.len == 0 && self.columns.len() == other.columns.len() {
            self.columns = other.columns;
            self.columns.iter_mut().for_each(Column::settle);
            self.origins.lines = other.origins.lines;
            self.len = other.len;
            return;
        }
        crate::column::append_columns(&mut self.columns, other.columns, threads);
        self.columns.iter_mut().for_each(Column::settle);
        self.origins.lines.extend(other.origins.lines);
        self.len += other.len;
    }

    /// Appends a column of `values` (padded with none, or cut, to the
    /// table's length).
    pub fn push_column(&mut self, name: impl Into<String>, values: Vec<Value>) {
        self.push_built_column(Column::from_values(name, values));
    }

    /// Appends a column (padded with none, or cut, to the table's length).
    pub fn push_built_column(&mut self, mut column: Column) {
        column.resize(self.len);
        column.settle();
        self.columns.push(column);
    }

    /// The value at `column`, `row` (none when out of range).
    #[inline]
    pub fn get(&self, column: usize, row: usize) -> Cow<'_, Value> {
        self.columns
            .get(column)
            .and_then(|c| c.get(row))
            .unwrap_or(Cow::Borrowed(&Value::None))
    }

    /// The index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The key value of `row`, if the table has a key.
    pub fn key_of(&self, row: usize) -> Option<Cow<'_, Value>> {
        self.key.map(|k| self.get(k, row))
    }

    /// Sets the key column and builds the key index. Returns the rows whose
    /// key repeats an earlier row's key (earlier row, later row).
    pub fn set_key(&mut self, column: usize) -> Vec<(u32, u32)> {
        self.set_key_on(column, None)
    }

    /// [`Table::set_key`] on at most `threads` threads (`None`: one per
    /// core). Texts in ascending order (an export sorted by id) are all
    /// different, and are looked up by halves: no index is built for them.
    pub fn set_key_on(&mut self, column: usize, threads: Option<usize>) -> Vec<(u32, u32)> {
        self.key = Some(column);
        let empty = Column::default();
        let values = self.columns.get(column).unwrap_or(&empty);
        self.ascending = texts_ascending(values, threads);
        if self.ascending {
            self.index = std::sync::OnceLock::new();
            return Vec::new();
        }
        let (index, duplicates) = KeyIndex::build(values, threads);
        self.index = std::sync::OnceLock::from(index);
        duplicates
    }

    /// Drops the key index (4 bytes and more a row) until a key is looked
    /// up again: the rows of a large table (deals) are reached through
    /// references, and seldom by their keys.
    pub fn forget_key_index(&mut self) {
        self.index = std::sync::OnceLock::new();
    }

    /// The row whose key equals `key`, trying the row after `last` first
    /// (the row found for the key looked up before): references in a file
    /// sorted like the table they refer to (the deals of each account, in
    /// the accounts' order) are then found with one comparison each, and
    /// no key index is built for them.
    pub fn lookup_after(&self, key: &Value, last: Option<u32>) -> Option<u32> {
        let next = last.map_or(0, |row| row.saturating_add(1));
        if let Some(values) = self.key.and_then(|k| self.columns.get(k)) {
            if (next as usize) < values.len() && values.same_key_at(next as usize, key) {
                return Some(next);
            }
        }
        self.lookup(key)
    }

    /// The row whose key equals `key`.
    pub fn lookup(&self, key: &Value) -> Option<u32> {
        let values = self.columns.get(self.key?)?;
        if self.ascending {
            return find_ascending(values, key);
        }
        let index = self.index.get_or_init(|| KeyIndex::build(values, None).0);
        index.find(values, key)
    }

    /// Where row `row` came from (`file:line`), if known.
    pub fn origin(&self, row: usize) -> Option<String> {
        let file = self.origins.file.as_ref()?;
        let line = self.origins.lines.get(row)?;
        Some(format!("{file}:{line}"))
    }
}

/// The row of text `key` among `values`, texts in ascending byte order
/// (see [`texts_ascending`]), found by halves.
fn find_ascending(values: &Column, key: &Value) -> Option<u32> {
    let Value::Text(key) = key else {
        return None;
    };
    let (mut low, mut high) = (0, values.len());
    while low < high {
        let mid = low + (high - low) / 2;
        match values.str_at(mid)?.cmp(&**key) {
            std::cmp::Ordering::Less => low = mid + 1,
            std::cmp::Ordering::Greater => high = mid,
            std::cmp::Ordering::Equal => return u32::try_from(mid).ok(),
        }
    }
    None
}

/// True when every value of `values` is a text, each one after the one
/// before in byte order (so no two are equal). Ranges of the rows are read
/// on up to `threads` threads, and each range must start after the one
/// before ends.
fn texts_ascending(values: &Column, threads: Option<usize>) -> bool {
    use crate::engine::parallel::{map_ranges, parts_for};
    let n = values.len();
    let parts = parts_for(threads, n, KEYS_PER_THREAD);
    // Each range's first and last text, none when it is not ascending.
    let ends = map_ranges(n, parts, |range| {
        let mut ends: Option<(&str, &str)> = None;
        for row in range {
            let text = values.str_at(row)?;
            ends = match ends {
                Some((_, last)) if last >= text => return None,
                Some((first, _)) => Some((first, text)),
                None => Some((text, text)),
            };
        }
        Some(ends)
    });
    crate::engine::parallel::ends_in_order(ends, |last, first| last < first)
}

/// Every table of one run, by [`TableId`]: loaded tables, `credits`, plans
/// and reports.
#[derive(Clone, Debug, Default)]
pub struct Store {
    tables: Vec<Table>,
    /// Territory names by index (declaration order).
    pub territories: std::sync::Arc<Vec<String>>,
}

impl Store {
    /// A store with `n` empty tables.
    pub fn with_tables(n: usize) -> Store {
        Store {
            tables: vec![Table::default(); n],
            territories: std::sync::Arc::new(Vec::new()),
        }
    }

    /// The table with `id` (an empty table when out of range).
    #[inline]
    pub fn table(&self, id: TableId) -> &Table {
        static EMPTY: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
        self.tables
            .get(id.0 as usize)
            .unwrap_or_else(|| EMPTY.get_or_init(Table::default))
    }

    /// Replaces the table with `id`.
    pub fn set(&mut self, id: TableId, table: Table) {
        let i = id.0 as usize;
        if self.tables.len() <= i {
            self.tables.resize(i + 1, Table::default());
        }
        if let Some(slot) = self.tables.get_mut(i) {
            *slot = table;
        }
    }

    /// Mutable access to the table with `id`.
    pub fn table_mut(&mut self, id: TableId) -> Option<&mut Table> {
        self.tables.get_mut(id.0 as usize)
    }

    /// The value of column `column` on the row `r`.
    #[inline]
    pub fn cell(&self, r: RowRef, column: usize) -> Cow<'_, Value> {
        self.table(r.table).get(column, r.row as usize)
    }

    /// The row the cell of column `column` on row `r` refers to, when it
    /// is a reference.
    #[inline]
    pub fn row_at(&self, r: RowRef, column: usize) -> Option<RowRef> {
        self.table(r.table)
            .columns
            .get(column)?
            .row_at(r.row as usize)
    }

    /// The name of territory `t`.
    pub fn territory_name(&self, t: u32) -> &str {
        self.territories
            .get(t as usize)
            .map(String::as_str)
            .unwrap_or("?")
    }

    /// The key value of row `r`, if its table has a key.
    pub fn row_key(&self, r: RowRef) -> Option<Cow<'_, Value>> {
        self.table(r.table).key_of(r.row as usize)
    }

    /// The value `v` is compared by as a key: a reference by its row's key
    /// value (so a reference and the text of its key meet), anything else
    /// (and a row of a table without a key) as itself.
    pub fn as_key<'s>(&'s self, v: &'s Value) -> Cow<'s, Value> {
        match v {
            Value::Row(r) => self.row_key(*r).unwrap_or(Cow::Borrowed(v)),
            other => Cow::Borrowed(other),
        }
    }

    /// The key of a row as text (for messages and rendering).
    pub fn key_text(&self, r: RowRef) -> String {
        match self.row_key(r).as_deref() {
            Some(Value::Text(s)) => s.to_string(),
            Some(v) => crate::display::plain(v, self),
            None => format!("{} row {}", self.table(r.table).name, r.row + 1),
        }
    }
}

/// Rows by key value: by the hash of the key (a small entry per row, and
/// no copy of the key), with the rare key whose hash another key already
/// has kept whole. The index is cut into parts by the top bits of the
/// hash, a power of two of them, each built on its own thread.
#[derive(Clone, Debug, Default)]
struct KeyIndex<S = foldhash::fast::RandomState> {
    hasher: S,
    parts: Vec<KeyPart>,
}

/// The keys of one part of a [`KeyIndex`].
#[derive(Clone, Debug, Default)]
struct KeyPart {
    /// Rows by the hash of their key. Only the row is kept (4 bytes a
    /// row): a lookup compares the row's key with the key looked for, and
    /// the table never grows once built, so no hash needs keeping.
    rows: hashbrown::HashTable<u32>,
    collided: FastMap<Key, u32>,
}

impl KeyIndex {
    /// The index of the key column `values`, and the (first, later) rows
    /// of every duplicate key (the first one stays in the index).
    fn build(values: &Column, threads: Option<usize>) -> (KeyIndex, Vec<(u32, u32)>) {
        KeyIndex::build_with(foldhash::fast::RandomState::default(), values, threads)
    }
}

/// The hash of key value `v` (see [`hash_key`]).
fn key_hash<S: BuildHasher>(hasher: &S, v: &Value) -> u64 {
    let mut h = hasher.build_hasher();
    hash_key(v, &mut h);
    h.finish()
}

/// The part of an index of `parts` parts (a power of two) that holds
/// `hash`: its top bits.
fn part_of(hash: u64, parts: usize) -> usize {
    match parts.trailing_zeros() {
        0 => 0,
        bits => usize::try_from(hash >> (64 - bits)).unwrap_or(0),
    }
}

/// Fewest keys worth a thread of their own when they are hashed.
const KEYS_PER_THREAD: usize = 1 << 16;

impl<S: BuildHasher + Sync> KeyIndex<S> {
    /// [`KeyIndex::build`] with a given hasher. The keys are hashed on
    /// several threads; then each part of the index takes its keys in row
    /// order (so the first of two equal keys is the one kept), the parts
    /// on several threads.
    fn build_with(
        hasher: S,
        values: &Column,
        threads: Option<usize>,
    ) -> (KeyIndex<S>, Vec<(u32, u32)>) {
        use crate::engine::parallel::{map_ranges, parts_for};
        let threads = parts_for(threads, values.len(), KEYS_PER_THREAD);
        let hashes: Vec<u64> = map_ranges(values.len(), threads, |range| {
            range
                .map(|row| {
                    let mut h = hasher.build_hasher();
                    values.hash_key_at(row, &mut h);
                    h.finish()
                })
                .collect::<Vec<u64>>()
        })
        .into_iter()
        .flatten()
        .collect();
        // A power of two of parts, at most one per thread.
        let parts = 1usize << threads.max(1).ilog2();
        let built = map_ranges(parts, parts, |range| {
            range
                .map(|part| KeyPart::build(values, &hashes, part, parts))
                .collect::<Vec<_>>()
        });
        let mut index = KeyIndex {
            hasher,
            parts: Vec::with_capacity(parts),
        };
        let mut duplicates = Vec::new();
        for (part, dups) in built.into_iter().flatten() {
            index.parts.push(part);
            duplicates.extend(dups);
        }
        // In the order of the later rows, as one pass over the rows finds them.
        duplicates.sort_unstable_by_key(|(_, again)| *again);
        (index, duplicates)
    }

    /// The row of the key column `values` whose key equals `key`.
    fn find(&self, values: &Column, key: &Value) -> Option<u32> {
        let hash = key_hash(&self.hasher, key);
        let part = self.parts.get(part_of(hash, self.parts.len()))?;
        // (a key whose hash another key has is in `collided`, not here)
        let same = |row: &u32| values.same_key_at(*row as usize, key);
        if let Some(&row) = part.rows.find(hash, same) {
            return Some(row);
        }
        if part.collided.is_empty() {
            return None;
        }
        part.collided.get(&Key::of(key)).copied()
    }
}

impl KeyPart {
    /// Part `part` of `parts`: the rows whose key's hash (in `hashes`)
    /// falls in it, in row order, and the (first, later) rows of its
    /// duplicate keys.
    fn build(
        values: &Column,
        hashes: &[u64],
        part: usize,
        parts: usize,
    ) -> (KeyPart, Vec<(u32, u32)>) {
        use std::collections::hash_map::Entry;
        let hash_of = |row: &u32| hashes.get(*row as usize).copied().unwrap_or(0);
        let mut keys = KeyPart::default();
        keys.rows.reserve(hashes.len() / parts.max(1) + 16, hash_of);
        let mut duplicates = Vec::new();
        for (i, &hash) in hashes.iter().enumerate() {
            if part_of(hash, parts) != part {
                continue;
            }
            let row = u32::try_from(i).unwrap_or(u32::MAX);
            match keys.rows.entry(hash, |r| hash_of(r) == hash, hash_of) {
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(row);
                }
                hashbrown::hash_table::Entry::Occupied(e) => {
                    let prev = *e.get();
                    if values.same_key_rows(prev as usize, i) {
                        duplicates.push((prev, row));
                    } else {
                        let v = values.get(i).unwrap_or(Cow::Borrowed(&Value::None));
                        match keys.collided.entry(Key::of(&v)) {
                            Entry::Vacant(e) => {
                                e.insert(row);
                            }
                            Entry::Occupied(e) => duplicates.push((*e.get(), row)),
                        }
                    }
                }
            }
        }
        (keys, duplicates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    /// A hasher under which every key collides.
    #[derive(Default)]
    struct Collide;
    impl std::hash::Hasher for Collide {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    fn keys() -> Column {
        Column::from_values(
            "id",
            vec![
                Value::text("A-1"),
                Value::Int(2),
                Value::text("A-3"),
                Value::Decimal(Decimal::new(200, 2)),
                Value::text("A-1"),
            ],
        )
    }

    fn check<S: BuildHasher + Sync>(index: &KeyIndex<S>, duplicates: &[(u32, u32)]) {
        let values = keys();
        // `2.00` is the key `2` again; `A-1` comes twice.
        assert_eq!(duplicates, &[(1, 3), (0, 4)]);
        assert_eq!(index.find(&values, &Value::text("A-1")), Some(0));
        assert_eq!(
            index.find(&values, &Value::Decimal(Decimal::new(2, 0))),
            Some(1)
        );
        assert_eq!(index.find(&values, &Value::text("A-3")), Some(2));
        assert_eq!(index.find(&values, &Value::text("A-9")), None);
    }

    #[test]
    fn a_forgotten_key_index_is_built_again_at_the_first_lookup() {
        let mut table = Table::new("t", &[]);
        table.len = 5;
        table.push_built_column(keys());
        assert_eq!(table.set_key(0), vec![(1, 3), (0, 4)]);
        table.forget_key_index();
        assert!(table.index.get().is_none());
        assert_eq!(table.lookup(&Value::text("A-3")), Some(2));
        assert!(table.index.get().is_some());
        assert_eq!(table.lookup(&Value::Int(2)), Some(1));
        assert_eq!(table.lookup(&Value::text("A-9")), None);
    }

    #[test]
    fn keys_in_ascending_order_are_found_by_halves_with_no_index() {
        let texts = |keys: &[&str]| {
            Column::from_values("id", keys.iter().map(|k| Value::text(k)).collect())
        };
        for threads in [Some(1), Some(2), Some(3), Some(4)] {
            let mut table = Table::new("t", &[]);
            table.len = 4;
            table.push_built_column(texts(&["A-1", "A-2", "A-3", "B-1"]));
            assert!(table.set_key_on(0, threads).is_empty());
            assert!(table.index.get().is_none(), "no index");
            for (row, key) in ["A-1", "A-2", "A-3", "B-1"].into_iter().enumerate() {
                let row = u32::try_from(row).ok();
                assert_eq!(table.lookup(&Value::text(key)), row, "{key}");
                for last in [None, Some(0), Some(1), Some(3), Some(7)] {
                    assert_eq!(table.lookup_after(&Value::text(key), last), row);
                }
            }
            for missing in ["A-0", "A-25", "A-9", "C", ""] {
                assert_eq!(table.lookup(&Value::text(missing)), None, "{missing}");
            }
            assert_eq!(table.lookup(&Value::Int(1)), None);
            assert!(table.index.get().is_none(), "found by halves, not indexed");
            // A row added after the key was set (out of order): every key
            // is still found, through an index.
            let mut more = table.clone();
            more.push_row(vec![Value::text("A-0")]);
            assert_eq!(more.lookup(&Value::text("A-0")), Some(4));
            assert_eq!(more.lookup(&Value::text("A-3")), Some(2));
            // In order within each range of two rows, not across them.
            let mut table = Table::new("t", &[]);
            table.len = 4;
            table.push_built_column(texts(&["A-1", "A-2", "A-2", "A-3"]));
            assert_eq!(table.set_key_on(0, threads), vec![(1, 2)]);
            assert!(table.index.get().is_some());
        }
        // Not texts, or descending: indexed at once.
        let mut table = Table::new("t", &[]);
        table.len = 2;
        table.push_built_column(texts(&["B", "A"]));
        assert!(table.set_key_on(0, Some(1)).is_empty());
        assert!(table.index.get().is_some());
        assert!(!texts_ascending(&keys(), Some(1)), "numbers among the keys");
    }

    #[test]
    fn keys_are_found_and_duplicates_reported() {
        for threads in [None, Some(1), Some(2), Some(3), Some(4)] {
            let (index, duplicates) = KeyIndex::build(&keys(), threads);
            check(&index, &duplicates);
        }
    }

    #[test]
    fn an_index_in_parts_finds_what_one_pass_finds() {
        // Every seventh key is a repeat of the key 100 rows before it.
        let values: Vec<Value> = (0..5000)
            .map(|i| {
                let k = if i % 7 == 0 && i >= 100 { i - 100 } else { i };
                Value::text(&format!("K-{k}"))
            })
            .collect();
        let mut packed = Column::plain("id");
        values.iter().for_each(|v| packed.push_ref(v));
        assert!(packed.is_packed());
        let mut first_row = std::collections::HashMap::new();
        let mut expected = Vec::new();
        for (row, v) in values.iter().enumerate() {
            let row = u32::try_from(row).unwrap();
            match first_row.get(&Key::of(v)) {
                Some(first) => expected.push((*first, row)),
                None => {
                    first_row.insert(Key::of(v), row);
                }
            }
        }
        // Texts as values, and packed in one block.
        let columns = [Column::from_values("id", values.clone()), packed];
        for (column, threads) in columns
            .iter()
            .flat_map(|c| [Some(1), Some(2), Some(4), Some(8)].map(|t| (c, t)))
        {
            let (index, duplicates) = KeyIndex::build(column, threads);
            assert_eq!(index.parts.len(), threads.unwrap());
            assert_eq!(duplicates, expected);
            for (row, v) in values.iter().enumerate().take(100) {
                assert_eq!(index.find(column, v), first_row.get(&Key::of(v)).copied());
                assert_eq!(index.find(column, v), Some(u32::try_from(row).unwrap()));
            }
            assert_eq!(index.find(column, &Value::text("K-5000")), None);
            assert_eq!(index.find(column, &Value::Int(5)), None);
        }
    }

    #[test]
    fn colliding_hashes_still_find_the_right_row() {
        let hasher = std::hash::BuildHasherDefault::<Collide>::default();
        let (index, duplicates) = KeyIndex::build_with(hasher, &keys(), Some(1));
        check(&index, &duplicates);
    }
}
