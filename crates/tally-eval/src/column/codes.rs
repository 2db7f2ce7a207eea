//! The codes of a coded column, each as narrow as the dictionary allows.
//!
//! Most coded columns hold a handful of distinct values (roles, rules,
//! stages) or a few thousand (reps, dates): one or two bytes a row say
//! which. The codes start one byte wide and widen, once each, when a code
//! needs it.

use super::put;

/// A code per row: 1, 2 or 4 bytes wide.
#[derive(Clone, Debug)]
pub enum Codes {
    /// Codes below 256.
    U8(Vec<u8>),
    /// Codes below 65,536.
    U16(Vec<u16>),
    /// Any code.
    U32(Vec<u32>),
}

impl Default for Codes {
    fn default() -> Codes {
        Codes::U8(Vec::new())
    }
}

impl Codes {
    /// Number of codes.
    pub fn len(&self) -> usize {
        match self {
            Codes::U8(c) => c.len(),
            Codes::U16(c) => c.len(),
            Codes::U32(c) => c.len(),
        }
    }

    /// True when there are no codes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The code on `row`.
    #[inline]
    pub fn get(&self, row: usize) -> Option<u32> {
        match self {
            Codes::U8(c) => c.get(row).map(|x| u32::from(*x)),
            Codes::U16(c) => c.get(row).map(|x| u32::from(*x)),
            Codes::U32(c) => c.get(row).copied(),
        }
    }

    /// The last code.
    pub(super) fn last(&self) -> Option<u32> {
        self.len().checked_sub(1).and_then(|row| self.get(row))
    }

    /// The codes, in row order.
    pub fn iter(&self) -> CodesIter<'_> {
        match self {
            Codes::U8(c) => CodesIter::U8(c.iter()),
            Codes::U16(c) => CodesIter::U16(c.iter()),
            Codes::U32(c) => CodesIter::U32(c.iter()),
        }
    }

    /// `f` of each code, in row order: one loop over codes of one width.
    pub(super) fn map_to_vec<T>(&self, f: impl Fn(u32) -> T) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        self.extend_into(&mut out, f);
        out
    }

    /// Appends the codes of `other`, each code `c` becoming `remap[c]`
    /// (0 past its end): the codes of a column joined onto this one.
    pub(super) fn extend_remapped(&mut self, other: &Codes, remap: &[u32]) {
        self.widen_for(remap.iter().copied().max().unwrap_or(0));
        let new = |c: u32| remap.get(c as usize).copied().unwrap_or(0);
        // (each code fits: the codes are as wide as remap's largest)
        #[allow(clippy::cast_possible_truncation, reason = "widened above")]
        match self {
            Codes::U8(mine) => other.extend_into(mine, |c| new(c) as u8),
            Codes::U16(mine) => other.extend_into(mine, |c| new(c) as u16),
            Codes::U32(mine) => other.extend_into(mine, new),
        }
    }

    /// Appends `f` of each code to `out`.
    fn extend_into<T>(&self, out: &mut Vec<T>, f: impl Fn(u32) -> T) {
        match self {
            Codes::U8(c) => out.extend(c.iter().map(|x| f(u32::from(*x)))),
            Codes::U16(c) => out.extend(c.iter().map(|x| f(u32::from(*x)))),
            Codes::U32(c) => out.extend(c.iter().map(|x| f(*x))),
        }
    }

    /// Appends `code`, widening the codes first if it needs it.
    #[inline]
    pub(super) fn push(&mut self, code: u32) {
        self.widen_for(code);
        match self {
            Codes::U8(c) => c.push(code as u8),
            Codes::U16(c) => c.push(code as u16),
            Codes::U32(c) => c.push(code),
        }
    }

    /// Replaces the code on `row` (out of range: nothing happens).
    pub(super) fn set(&mut self, row: usize, code: u32) {
        self.widen_for(code);
        match self {
            Codes::U8(c) => put(c, row, code as u8),
            Codes::U16(c) => put(c, row, code as u16),
            Codes::U32(c) => put(c, row, code),
        }
    }

    /// Makes the codes wide enough for `code`.
    #[inline]
    fn widen_for(&mut self, code: u32) {
        let wide_enough = match self {
            Codes::U8(_) => code <= u32::from(u8::MAX),
            Codes::U16(_) => code <= u32::from(u16::MAX),
            Codes::U32(_) => true,
        };
        if !wide_enough {
            self.widen(code);
        }
    }

    #[cold]
    fn widen(&mut self, code: u32) {
        let room = self.capacity() - self.len();
        let codes = self.iter();
        *self = if code <= u32::from(u16::MAX) {
            let mut wide: Vec<u16> = Vec::with_capacity(self.len() + room);
            wide.extend(codes.map(|c| c as u16));
            Codes::U16(wide)
        } else {
            let mut wide: Vec<u32> = Vec::with_capacity(self.len() + room);
            wide.extend(codes);
            Codes::U32(wide)
        };
    }

    /// Room for codes before the next allocation.
    pub(super) fn capacity(&self) -> usize {
        match self {
            Codes::U8(c) => c.capacity(),
            Codes::U16(c) => c.capacity(),
            Codes::U32(c) => c.capacity(),
        }
    }

    /// Keeps the first `len` codes.
    pub(super) fn truncate(&mut self, len: usize) {
        match self {
            Codes::U8(c) => c.truncate(len),
            Codes::U16(c) => c.truncate(len),
            Codes::U32(c) => c.truncate(len),
        }
    }

    /// Reserves room for `rows` more codes.
    pub(super) fn reserve(&mut self, rows: usize) {
        match self {
            Codes::U8(c) => c.reserve(rows),
            Codes::U16(c) => c.reserve(rows),
            Codes::U32(c) => c.reserve(rows),
        }
    }
}

/// The codes of [`Codes::iter`], in row order.
#[derive(Clone, Debug)]
pub enum CodesIter<'a> {
    /// One-byte codes.
    U8(std::slice::Iter<'a, u8>),
    /// Two-byte codes.
    U16(std::slice::Iter<'a, u16>),
    /// Four-byte codes.
    U32(std::slice::Iter<'a, u32>),
}

impl Iterator for CodesIter<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        match self {
            CodesIter::U8(c) => c.next().map(|x| u32::from(*x)),
            CodesIter::U16(c) => c.next().map(|x| u32::from(*x)),
            CodesIter::U32(c) => c.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len();
        (n, Some(n))
    }

    // (one loop over codes of one width, not a choice of width per code)
    fn fold<B, F: FnMut(B, u32) -> B>(self, init: B, mut f: F) -> B {
        match self {
            CodesIter::U8(c) => c.fold(init, |acc, x| f(acc, u32::from(*x))),
            CodesIter::U16(c) => c.fold(init, |acc, x| f(acc, u32::from(*x))),
            CodesIter::U32(c) => c.fold(init, |acc, x| f(acc, *x)),
        }
    }
}

impl ExactSizeIterator for CodesIter<'_> {
    fn len(&self) -> usize {
        match self {
            CodesIter::U8(c) => c.len(),
            CodesIter::U16(c) => c.len(),
            CodesIter::U32(c) => c.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Codes read back as pushed and set, whatever widths they pass.
        #[test]
        fn codes_read_back_as_written(
            pushed in proptest::collection::vec(
                prop_oneof![0u32..300, 0u32..70_000, Just(u32::MAX)], 0..60),
            sets in proptest::collection::vec((0usize..70, 0u32..70_000), 0..8),
            cut in 0usize..70,
        ) {
            let mut codes = Codes::default();
            let mut model = Vec::new();
            for c in &pushed {
                codes.push(*c);
                model.push(*c);
            }
            for (row, c) in sets {
                codes.set(row, c);
                if let Some(slot) = model.get_mut(row) {
                    *slot = c;
                }
            }
            prop_assert_eq!(codes.iter().collect::<Vec<_>>(), model.clone());
            prop_assert_eq!(codes.last(), model.last().copied());
            codes.truncate(cut);
            model.truncate(cut);
            prop_assert_eq!(codes.iter().collect::<Vec<_>>(), model);
        }

        /// Codes joined through a remap read back as the remapped codes,
        /// one at a time or folded, whatever the widths on either side.
        #[test]
        fn remapped_codes_read_back_as_remapped(
            mine in proptest::collection::vec(prop_oneof![0u32..300, 0u32..70_000], 0..40),
            theirs in proptest::collection::vec(0u32..12, 0..40),
            remap in proptest::collection::vec(
                prop_oneof![0u32..300, 0u32..70_000, Just(u32::MAX)], 0..10),
        ) {
            let mut codes = Codes::default();
            mine.iter().for_each(|c| codes.push(*c));
            let mut other = Codes::default();
            theirs.iter().for_each(|c| other.push(*c));
            codes.extend_remapped(&other, &remap);
            let model: Vec<u32> = mine
                .iter()
                .copied()
                .chain(theirs.iter().map(|c| remap.get(*c as usize).copied().unwrap_or(0)))
                .collect();
            let iter = codes.iter();
            prop_assert_eq!(iter.len(), model.len());
            prop_assert_eq!(iter.clone().fold(Vec::new(), |mut v, c| { v.push(c); v }), model.clone());
            let mut one_by_one = Vec::new();
            for c in iter {
                one_by_one.push(c);
            }
            prop_assert_eq!(&one_by_one, &model);
            prop_assert_eq!(codes.map_to_vec(|c| c.wrapping_add(1)),
                model.iter().map(|c| c.wrapping_add(1)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn codes_are_as_narrow_as_they_can_be() {
        let mut codes = Codes::default();
        codes.push(255);
        assert!(matches!(codes, Codes::U8(_)));
        codes.push(256);
        assert!(matches!(codes, Codes::U16(_)));
        codes.set(0, 65_536);
        assert!(matches!(codes, Codes::U32(_)));
        assert_eq!(codes.iter().collect::<Vec<_>>(), vec![65_536, 256]);
    }
}
