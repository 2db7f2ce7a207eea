//! The comment table of one file: which comments have been printed, and
//! where each one sits relative to the code around it.

use tally_syntax::ast::Comment;

/// Every comment of the file with a "printed" flag. Marks are logged so a
/// failed attempt at printing an item can be rolled back cheaply.
pub(crate) struct Comments<'a> {
    list: &'a [Comment],
    used: Vec<bool>,
    log: Vec<usize>,
}

impl<'a> Comments<'a> {
    pub(crate) fn new(list: &'a [Comment]) -> Self {
        Comments {
            list,
            used: vec![false; list.len()],
            log: Vec::new(),
        }
    }

    /// The comment at index `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&'a Comment> {
        self.list.get(i)
    }

    /// Index of the first comment starting at or after `pos`.
    fn first_from(&self, pos: usize) -> usize {
        self.list.partition_point(|c| c.span.lo() < pos)
    }

    /// Indices of the comments that start in `lo..hi` (printed or not).
    pub(crate) fn within(&self, lo: usize, hi: usize) -> std::ops::Range<usize> {
        let a = self.first_from(lo);
        let b = self.first_from(hi).max(a);
        a..b
    }

    /// True when a comment starts in `lo..hi`.
    pub(crate) fn any_within(&self, lo: usize, hi: usize) -> bool {
        !self.within(lo, hi).is_empty()
    }

    /// Indices of the comments in `lo..hi` that have not been printed yet.
    pub(crate) fn unused_within(&self, lo: usize, hi: usize) -> Vec<usize> {
        self.within(lo, hi).filter(|&i| !self.is_used(i)).collect()
    }

    /// True when every comment starting in `lo..hi` has been printed.
    pub(crate) fn all_used(&self, lo: usize, hi: usize) -> bool {
        self.within(lo, hi).all(|i| self.is_used(i))
    }

    fn is_used(&self, i: usize) -> bool {
        self.used.get(i).copied().unwrap_or(true)
    }

    /// Marks comment `i` as printed.
    pub(crate) fn mark(&mut self, i: usize) {
        if let Some(u) = self.used.get_mut(i) {
            if !*u {
                *u = true;
                self.log.push(i);
            }
        }
    }

    /// Marks every comment starting in `lo..hi` as printed.
    pub(crate) fn mark_within(&mut self, lo: usize, hi: usize) {
        for i in self.within(lo, hi) {
            self.mark(i);
        }
    }

    /// A point to roll back to.
    pub(crate) fn checkpoint(&self) -> usize {
        self.log.len()
    }

    /// Forgets every mark made since `checkpoint`.
    pub(crate) fn rollback(&mut self, checkpoint: usize) {
        while self.log.len() > checkpoint {
            if let Some(i) = self.log.pop() {
                if let Some(u) = self.used.get_mut(i) {
                    *u = false;
                }
            }
        }
    }
}
