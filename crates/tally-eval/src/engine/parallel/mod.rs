//! Spreading the rows of one phase over threads without changing a byte
//! of the result: the rows are cut into contiguous ranges, each range is
//! evaluated on its own thread into its own output, and the outputs are
//! joined in range order — exactly the rows, in exactly the order, of a
//! single pass. When ranges fail, the error reported is the one of the
//! first failing range, which is the first failing row.
//!
//! An evaluation with a step or output-row limit runs on one thread, so
//! that the row at which a limit is exceeded does not depend on timing.

mod batches;

use super::Engine;
use crate::error::{codes, EvalError};
pub(crate) use batches::in_batches;
use std::ops::Range;
use tally_diagnostics::Span;

/// Fewest rows worth a thread of their own, for passes that do little
/// per row.
pub(crate) const ROWS: usize = 2048;

/// Fewest items worth a thread of their own, for passes that do a lot per
/// item (a plan's outer loop value, a report group).
pub(crate) const ITEMS: usize = 16;

/// Stack of each worker thread (expressions nest up to 100 levels).
const WORKER_STACK: usize = 64 * 1024 * 1024;

impl Engine<'_> {
    /// How many threads a pass over `n` items uses: the number the host
    /// asked for (at most one per item), or else one per core with at
    /// least `grain` items each.
    pub(crate) fn threads_for(&self, n: usize, grain: usize) -> usize {
        if self.limits.max_steps.is_some() || self.limits.max_output_rows.is_some() {
            return 1;
        }
        parts_for(self.limits.threads, n, grain)
    }
}

/// How many contiguous ranges a pass over `n` items is cut into: the
/// number of threads the host asked for (at most one per item; a number
/// asked for splits even a small input), or else one per core with at
/// least `grain` items each.
pub fn parts_for(asked: Option<usize>, n: usize, grain: usize) -> usize {
    match asked {
        Some(asked) => asked.clamp(1, 64).min(n).max(1),
        None => {
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
            cores.clamp(1, 64).min(n / grain.max(1)).max(1)
        }
    }
}

/// True when the parts of a sequence, in order, are each in order and
/// follow one another: each part is `None` when it is not in order, else
/// its first and last items (`None` for an empty part); `before(a, b)`
/// says `a` may come before `b`.
pub(crate) fn ends_in_order<T>(
    parts: impl IntoIterator<Item = Option<Option<(T, T)>>>,
    before: impl Fn(&T, &T) -> bool,
) -> bool {
    let mut last: Option<T> = None;
    for part in parts {
        match part {
            None => return false,
            Some(None) => {}
            Some(Some((first, end))) => {
                if last.as_ref().is_some_and(|l| !before(l, &first)) {
                    return false;
                }
                last = Some(end);
            }
        }
    }
    true
}

/// `0..n` cut into `parts` contiguous ranges, none of them empty.
pub(crate) fn cut(n: usize, parts: usize) -> Vec<Range<usize>> {
    let size = n.div_ceil(parts.max(1)).max(1);
    (0..parts)
        .map(|i| (i * size).min(n)..((i + 1) * size).min(n))
        .filter(|r| !r.is_empty())
        .collect()
}

/// Runs `work` (which cannot fail) over `parts` contiguous ranges of
/// `0..n`, each on a thread of its own, and returns the outputs in range
/// order. A range whose thread stops is run again on this thread.
pub fn map_ranges<T: Send>(
    n: usize,
    parts: usize,
    work: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    if parts <= 1 {
        return vec![work(0..n)];
    }
    let work = &work;
    std::thread::scope(|scope| {
        let spawned: Vec<_> = cut(n, parts)
            .into_iter()
            .map(|r| (r.clone(), scope.spawn(move || work(r))))
            .collect();
        spawned
            .into_iter()
            .map(|(r, handle)| handle.join().unwrap_or_else(|_| work(r)))
            .collect()
    })
}

/// Runs `work` over contiguous ranges covering `0..n` (at least `grain`
/// items each), on as many threads as `engine` allows, and returns the
/// outputs in range order.
pub(crate) fn in_ranges<T: Send>(
    engine: &Engine<'_>,
    n: usize,
    grain: usize,
    work: impl Fn(Range<usize>) -> Result<T, EvalError> + Sync,
) -> Result<Vec<T>, EvalError> {
    let threads = engine.threads_for(n, grain);
    if threads <= 1 {
        return Ok(vec![work(0..n)?]);
    }
    let ranges = cut(n, threads);
    let work = &work;
    let results: Vec<Result<T, EvalError>> = std::thread::scope(|scope| {
        let spawned: Vec<_> = ranges
            .iter()
            .skip(1)
            .map(|r| {
                let r = r.clone();
                std::thread::Builder::new()
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || work(r))
            })
            .collect();
        let mut out = Vec::with_capacity(ranges.len());
        out.push(work(ranges.first().cloned().unwrap_or(0..0)));
        for handle in spawned {
            out.push(match handle {
                Ok(h) => h.join().unwrap_or_else(|_| Err(worker_failed())),
                Err(e) => Err(EvalError::new(
                    codes::LIMIT,
                    Span::default(),
                    format!("cannot start an evaluation thread: {e}"),
                )
                .help("run with `Limits::threads` set to 1")),
            });
        }
        out
    });
    results.into_iter().collect()
}

pub(crate) fn worker_failed() -> EvalError {
    EvalError::new(
        codes::NONE_VALUE,
        Span::default(),
        "internal error: an evaluation thread stopped unexpectedly",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Limits;

    pub(super) fn engine(program: &tally_check::Program, threads: usize) -> Engine<'_> {
        let limits = Limits {
            threads: Some(threads),
            ..Limits::default()
        };
        Engine::new(program, limits).unwrap()
    }

    #[test]
    fn ranges_cover_every_row_in_order() {
        let program = tally_check::check_source("t.tally", "", &tally_check::NoImports).program;
        for threads in [1, 2, 3, 7] {
            let e = engine(&program, threads);
            for n in [0, 1, 2047, 2048, 4096, 10_001] {
                let parts = in_ranges(&e, n, ROWS, |r| Ok(r.collect::<Vec<_>>())).unwrap();
                let joined: Vec<usize> = parts.into_iter().flatten().collect();
                assert_eq!(
                    joined,
                    (0..n).collect::<Vec<_>>(),
                    "{threads} threads, {n} rows"
                );
            }
        }
    }

    #[test]
    fn the_first_failing_range_is_reported() {
        let program = tally_check::check_source("t.tally", "", &tally_check::NoImports).program;
        let e = engine(&program, 4);
        let err = in_ranges(&e, 20_000, ROWS, |r| {
            if r.contains(&7_000) || r.contains(&17_000) {
                Err(EvalError::new(
                    "R0001",
                    Span::default(),
                    format!("at {}", r.start),
                ))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
        assert_eq!(err.message, "at 5000");
    }

    #[test]
    fn limits_keep_one_thread() {
        let program = tally_check::check_source("t.tally", "", &tally_check::NoImports).program;
        let limits = Limits {
            threads: Some(8),
            max_steps: Some(1_000_000),
            ..Limits::default()
        };
        let e = Engine::new(&program, limits).unwrap();
        assert_eq!(e.threads_for(1_000_000, ROWS), 1);
        assert_eq!(engine(&program, 8).threads_for(1_000_000, ROWS), 8);
        assert_eq!(engine(&program, 8).threads_for(100, ROWS), 8);
        assert_eq!(engine(&program, 8).threads_for(3, ROWS), 3);
        let auto = Engine::new(&program, Limits::default()).unwrap();
        assert_eq!(auto.threads_for(100, ROWS), 1);
        assert!(auto.threads_for(100, ITEMS) <= 6);
    }
}
