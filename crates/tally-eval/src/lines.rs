//! [`Lines`]: the line of each row of a loaded table, kept as runs of
//! rows on consecutive lines.

/// The 1-based line (or sheet row) of each row of a table, in runs: a run
/// is rows on consecutive lines, so a file with no line break inside a
/// cell and no blank line is one run however many rows it has (a row
/// costs nothing), and a JSON file with an object over several lines a
/// run per row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lines {
    /// (first row, its line) of each run, by row.
    runs: Vec<(u32, u32)>,
    /// Number of rows.
    len: u32,
}

impl Lines {
    /// Rows `1..=rows` on lines `1..=rows` (rows a host built).
    pub fn counting(rows: usize) -> Lines {
        let len = u32::try_from(rows).unwrap_or(u32::MAX);
        Lines {
            runs: if len == 0 { Vec::new() } else { vec![(0, 1)] },
            len,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a row on `line`.
    pub fn push(&mut self, line: u32) {
        let continues = self.runs.last().is_some_and(|(row, first)| {
            u64::from(*first) + u64::from(self.len - row) == u64::from(line)
        });
        if !continues {
            self.runs.push((self.len, line));
        }
        self.len = self.len.saturating_add(1);
    }

    /// The line of `row`.
    pub fn get(&self, row: usize) -> Option<u32> {
        let row = u32::try_from(row).ok().filter(|r| *r < self.len)?;
        let run = self.runs.partition_point(|(first, _)| *first <= row);
        let (first, line) = self.runs.get(run.checked_sub(1)?)?;
        Some(line.saturating_add(row - first))
    }

    /// Adds the rows of `later`.
    pub fn extend(&mut self, later: Lines) {
        let ends = later.runs.iter().skip(1).map(|(first, _)| *first);
        for ((first, line), end) in later.runs.iter().zip(ends.chain([later.len])) {
            // The run's first row may continue the last run here; the
            // rest of the run follows it line by line.
            self.push(*line);
            self.len = self.len.saturating_add(end.saturating_sub(first + 1));
        }
    }
}

impl FromIterator<u32> for Lines {
    fn from_iter<I: IntoIterator<Item = u32>>(lines: I) -> Lines {
        let mut out = Lines::default();
        for line in lines {
            out.push(line);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_clean_file_is_one_run() {
        let lines: Lines = (2..100_002).collect();
        assert_eq!(lines.runs.len(), 1);
        assert_eq!(lines.get(0), Some(2));
        assert_eq!(lines.get(99_999), Some(100_001));
        assert_eq!(lines.get(100_000), None);
        assert_eq!(Lines::counting(3).get(2), Some(3));
        assert_eq!(Lines::counting(0).get(0), None);
    }

    proptest! {
        /// Lines read back as pushed, however they are cut and joined.
        #[test]
        fn lines_read_back_as_pushed(
            steps in proptest::collection::vec(0u32..4, 0..80),
            cut in 0usize..80,
        ) {
            let mut line = 1;
            let all: Vec<u32> = steps.iter().map(|s| { line += s; line }).collect();
            let cut = cut.min(all.len());
            let mut joined: Lines = all[..cut].iter().copied().collect();
            joined.extend(all[cut..].iter().copied().collect());
            let whole: Lines = all.iter().copied().collect();
            prop_assert_eq!(&joined, &whole);
            prop_assert_eq!(whole.len(), all.len());
            for (row, line) in all.iter().enumerate() {
                prop_assert_eq!(whole.get(row), Some(*line));
            }
        }
    }
}
