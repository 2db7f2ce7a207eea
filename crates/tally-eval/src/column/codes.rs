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
    pub fn iter(&self) -> impl Iterator<Item = u32> + Clone + '_ {
        (0..self.len()).filter_map(|row| self.get(row))
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
