//! A map keyed by a tuple of values compared as keys (`1` and `1.00`
//! alike, see [`crate::Key`]), whose entries stay in the order they were
//! added: the groups of a report, the buckets of a `where` index.
//!
//! Keys are found by hashing the values where they are: no [`crate::Key`]
//! is built per lookup, so a lookup copies no shared text, and threads
//! looking up the same texts never contend for their reference counts.

use crate::value::{hash_key, same_key, Value};
use crate::ByHash;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};

/// The hash of a tuple of key values: equal keys hash alike, and a tuple
/// hashes the same on every thread and in every run.
pub(crate) fn hash_values<'v>(values: impl IntoIterator<Item = &'v Value>) -> u64 {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    for v in values {
        hash_key(v, &mut h);
    }
    h.finish()
}

/// One entry: its key values and what it holds.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    /// The key values, as first added.
    pub(crate) key: Vec<Value>,
    /// What the entry holds.
    pub(crate) value: T,
    hash: u64,
}

/// Entries by key, in the order they were added.
#[derive(Debug)]
pub(crate) struct KeyMap<T> {
    entries: Vec<Entry<T>>,
    /// Entry by the hash of its key; entries whose hash an earlier entry
    /// already has are in `collided`.
    by_hash: ByHash<u32>,
    collided: Vec<(u64, u32)>,
    /// While every key is one territory (the owners of a territory, rules
    /// on a territory), the entry of each territory by its index, with
    /// `NO_ENTRY` where there is none: found without hashing.
    by_territory: Option<Vec<u32>>,
}

/// A territory without an entry in [`KeyMap::by_territory`].
const NO_ENTRY: u32 = u32::MAX;

/// Most territories [`KeyMap::by_territory`] keeps entries for.
const MOST_TERRITORIES: usize = 1 << 20;

impl<T> Default for KeyMap<T> {
    fn default() -> KeyMap<T> {
        KeyMap {
            entries: Vec::new(),
            by_hash: ByHash::default(),
            collided: Vec::new(),
            by_territory: Some(Vec::new()),
        }
    }
}

impl<T> KeyMap<T> {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries in order.
    pub(crate) fn into_entries(self) -> Vec<Entry<T>> {
        self.entries
    }

    /// Entry `i`, to change what it holds.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.entries.get_mut(i).map(|e| &mut e.value)
    }

    /// What the entry of `key` holds.
    pub(crate) fn get<'v, K>(&self, key: K) -> Option<&T>
    where
        K: IntoIterator<Item = &'v Value>,
        K::IntoIter: Clone,
    {
        let key = key.into_iter();
        let i = match self.find_territory(key.clone()) {
            Some(found) => found?,
            None => self.find(hash_values(key.clone()), key)?,
        };
        self.entries.get(i).map(|e| &e.value)
    }

    /// The index of the entry of `key`, made with `make` (a new last entry)
    /// when there is none.
    pub(crate) fn entry(&mut self, key: &[Cow<'_, Value>], make: impl FnOnce() -> T) -> usize {
        let values = key.iter().map(|v| &**v);
        if let Some(Some(i)) = self.find_territory(values.clone()) {
            return i;
        }
        let hash = hash_values(values.clone());
        if let Some(i) = self.find(hash, values) {
            return i;
        }
        let key = key.iter().map(|v| v.clone().into_owned()).collect();
        self.push(Entry {
            key,
            value: make(),
            hash,
        })
    }

    /// Adds the entries of `other`: each joins the entry of its key with
    /// `join`, or comes last when there is none. Returns the index each of
    /// `other`'s entries became.
    pub(crate) fn merge(&mut self, other: KeyMap<T>, mut join: impl FnMut(&mut T, T)) -> Vec<u32> {
        let mut became = Vec::with_capacity(other.entries.len());
        for entry in other.entries {
            let i = match self.find(entry.hash, entry.key.iter()) {
                Some(i) => {
                    if let Some(mine) = self.get_mut(i) {
                        join(mine, entry.value);
                    }
                    i
                }
                None => self.push(entry),
            };
            became.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        became
    }

    /// The index of the entry of `key`, whose hash is `hash`.
    fn find<'v>(&self, hash: u64, key: impl Iterator<Item = &'v Value> + Clone) -> Option<usize> {
        let same = |i: u32| {
            self.entries.get(i as usize).is_some_and(|e| {
                let mut theirs = key.clone();
                e.key
                    .iter()
                    .all(|a| theirs.next().is_some_and(|b| same_key(a, b)))
                    && theirs.next().is_none()
            })
        };
        let first = *self.by_hash.get(&hash)?;
        if same(first) {
            return Some(first as usize);
        }
        self.collided
            .iter()
            .find(|(h, i)| *h == hash && same(*i))
            .map(|(_, i)| *i as usize)
    }

    /// The entry of `key` found by its territory: `None` when `key` is not
    /// one territory or the keys are not all territories, else whether
    /// there is an entry.
    fn find_territory<'v>(
        &self,
        mut key: impl Iterator<Item = &'v Value>,
    ) -> Option<Option<usize>> {
        let entries = self.by_territory.as_ref()?;
        let (Some(Value::Territory(t)), None) = (key.next(), key.next()) else {
            return None;
        };
        Some(
            entries
                .get(*t as usize)
                .filter(|i| **i != NO_ENTRY)
                .map(|i| *i as usize),
        )
    }

    fn push(&mut self, entry: Entry<T>) -> usize {
        let i = self.entries.len();
        let code = u32::try_from(i).unwrap_or(u32::MAX);
        let territory = match entry.key.as_slice() {
            [Value::Territory(t)] => Some(*t as usize).filter(|t| *t < MOST_TERRITORIES),
            _ => None,
        };
        match (territory, &mut self.by_territory) {
            (Some(t), Some(entries)) => {
                if entries.len() <= t {
                    entries.resize(t + 1, NO_ENTRY);
                }
                if let Some(slot) = entries.get_mut(t) {
                    *slot = code;
                }
            }
            (None, Some(_)) => self.by_territory = None,
            (_, None) => {}
        }
        match self.by_hash.entry(entry.hash) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(code);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.push((entry.hash, code));
            }
        }
        self.entries.push(entry);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn owned(values: &[Value]) -> Vec<Cow<'static, Value>> {
        values.iter().cloned().map(Cow::Owned).collect()
    }

    #[test]
    fn equal_keys_share_an_entry_in_first_added_order() {
        let mut map: KeyMap<()> = KeyMap::default();
        let a = map.entry(&owned(&[Value::text("West"), Value::Int(1)]), || ());
        let b = map.entry(&owned(&[Value::text("East"), Value::Int(1)]), || ());
        // `1.00` is the key `1` again.
        let one = Value::Decimal(Decimal::new(100, 2));
        let c = map.entry(&owned(&[Value::text("West"), one.clone()]), || ());
        assert_eq!((a, b, c), (0, 1, 0));
        assert_eq!(map.len(), 2);
        assert!(map.get([&Value::text("East"), &one]).is_some());
        assert!(map.get([&Value::text("East")]).is_none(), "a shorter key");
    }

    #[test]
    fn merged_entries_join_or_come_last() {
        let mut first: KeyMap<Vec<u32>> = KeyMap::default();
        first.entry(&owned(&[Value::text("West")]), || vec![0]);
        let mut second: KeyMap<Vec<u32>> = KeyMap::default();
        second.entry(&owned(&[Value::text("East")]), || vec![1]);
        second.entry(&owned(&[Value::text("West")]), || vec![2]);
        assert_eq!(first.merge(second, |a, b| a.extend(b)), vec![1, 0]);
        let rows: Vec<Vec<u32>> = first.into_entries().into_iter().map(|e| e.value).collect();
        assert_eq!(rows, vec![vec![0, 2], vec![1]]);
    }

    #[test]
    fn keys_whose_hashes_collide_stay_apart() {
        let mut map = KeyMap::default();
        for (key, n) in [("West", 1), ("East", 2)] {
            map.push(Entry {
                key: vec![Value::text(key)],
                value: n,
                hash: 7,
            });
        }
        let east = [Value::text("East")];
        let north = [Value::text("North")];
        assert_eq!(map.find(7, east.iter()), Some(1));
        assert_eq!(map.find(7, north.iter()), None);
    }

    /// Territories are found by their index while every key is one
    /// territory, and by hash once another key comes: the same entries
    /// either way.
    #[test]
    fn territories_are_found_with_or_without_hashing() {
        let mut map: KeyMap<u32> = KeyMap::default();
        assert!(map.get([&Value::Territory(3)]).is_none(), "an empty map");
        for (n, t) in [9u32, 3, 9, 0].into_iter().enumerate() {
            let n = u32::try_from(n).unwrap_or(0);
            map.entry(&owned(&[Value::Territory(t)]), || n);
        }
        assert!(map.by_territory.is_some());
        let found = |map: &KeyMap<u32>, t| map.get([&Value::Territory(t)]).copied();
        let all = |map: &KeyMap<u32>| [0, 3, 5, 9, 12].map(|t| found(map, t));
        let expected = [Some(3), Some(1), None, Some(0), None];
        assert_eq!(all(&map), expected);
        assert!(
            map.get([&Value::Territory(9), &Value::Int(1)]).is_none(),
            "a longer key"
        );
        assert_eq!(map.entry(&owned(&[Value::Territory(3)]), || 99), 1);
        map.entry(&owned(&[Value::text("West")]), || 4);
        assert!(map.by_territory.is_none(), "a key that is not a territory");
        assert_eq!(all(&map), expected);
        assert_eq!(map.get([&Value::text("West")]), Some(&4));
    }
}
