//! Batches of a pass handed to threads as they come free, their outputs
//! handed over in order (see [`in_batches`]).

use super::{worker_failed, Engine, WORKER_STACK};
use crate::error::EvalError;
use std::ops::Range;
use std::sync::{Condvar, Mutex};

/// Runs `work` over `0..n` cut into batches of `batch` items, on as many
/// threads as `engine` allows, and hands the outputs to `take` in batch
/// order. A thread takes the next batch as soon as it is free, so that
/// no thread waits for a slower one; this thread also hands over the
/// outputs while the others go on. At most [`AHEAD`] batches a thread are
/// done and not yet handed over, so that a pass holds a bounded part of
/// its outputs at once (the credits of a million deals are joined as they
/// are made, not all at the end). The first error, in item order, stops
/// the pass; the outputs before it are handed over.
pub(crate) fn in_batches<T: Send>(
    engine: &Engine<'_>,
    n: usize,
    grain: usize,
    batch: usize,
    work: impl Fn(Range<usize>) -> Result<T, EvalError> + Sync,
    mut take: impl FnMut(T) -> Result<(), EvalError>,
) -> Result<(), EvalError> {
    let batch = batch.max(1);
    let batches = n.div_ceil(batch);
    let range = |i: usize| i * batch..((i + 1) * batch).min(n);
    let threads = engine.threads_for(n, grain).min(batches);
    if threads <= 1 {
        for i in 0..batches {
            take(work(range(i))?)?;
        }
        return Ok(());
    }
    let queue = Queue {
        state: Mutex::new(QueueState {
            next: 0,
            taken: 0,
            done: std::collections::BTreeMap::new(),
            stop: false,
        }),
        changed: Condvar::new(),
        batches,
        window: threads * AHEAD,
    };
    let (queue, work, range) = (&queue, &work, &range);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let worker = move || {
                while let Some(i) = queue.next_batch(false) {
                    let out =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(range(i))))
                            .unwrap_or_else(|_| Err(worker_failed()));
                    queue.done(i, out);
                }
            };
            if std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, worker)
                .is_err()
            {
                // (fewer threads: this one does the batches left over)
                break;
            }
        }
        // (the threads stop however this one ends, a panic included)
        let _stop = StopOnDrop(queue);
        hand_over(queue, &mut take, |i| work(range(i)))
    })
}

/// Stops a queue's pass when dropped.
struct StopOnDrop<'q, T>(&'q Queue<T>);

impl<T> Drop for StopOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Batches done and not yet handed over, at most, for each thread.
const AHEAD: usize = 8;

/// The batches of an [`in_batches`] pass: which is next, which are done.
struct Queue<T> {
    state: Mutex<QueueState<T>>,
    /// Told when a batch is done or handed over, or the pass stops.
    changed: Condvar,
    batches: usize,
    /// Most batches done and not yet handed over.
    window: usize,
}

struct QueueState<T> {
    /// The next batch to start.
    next: usize,
    /// Batches handed over (the next one to hand over).
    taken: usize,
    /// Outputs of the batches done and not yet handed over.
    done: std::collections::BTreeMap<usize, Result<T, EvalError>>,
    stop: bool,
}

impl<T> Queue<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState<T>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next batch to do: `None` when there is none left or the pass
    /// stopped. Waits while the window is full, unless `no_wait`.
    fn next_batch(&self, no_wait: bool) -> Option<usize> {
        let mut state = self.lock();
        loop {
            if state.stop || state.next >= self.batches {
                return None;
            }
            if state.next < state.taken + self.window {
                state.next += 1;
                return Some(state.next - 1);
            }
            if no_wait {
                return None;
            }
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Keeps the output of batch `i`.
    fn done(&self, i: usize, out: Result<T, EvalError>) {
        self.lock().done.insert(i, out);
        self.changed.notify_all();
    }

    /// Ends the pass: threads waiting for a batch stop.
    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Hands the outputs over in batch order, doing batches meanwhile while
/// none is ready to hand over.
fn hand_over<T>(
    queue: &Queue<T>,
    take: &mut impl FnMut(T) -> Result<(), EvalError>,
    work: impl Fn(usize) -> Result<T, EvalError>,
) -> Result<(), EvalError> {
    loop {
        let mut state = queue.lock();
        if state.taken >= queue.batches {
            return Ok(());
        }
        let taken = state.taken;
        if let Some(out) = state.done.remove(&taken) {
            drop(state);
            take(out?)?;
            queue.lock().taken += 1;
            queue.changed.notify_all();
            continue;
        }
        drop(state);
        match queue.next_batch(true) {
            Some(i) => queue.done(i, work(i)),
            None => {
                let state = queue.lock();
                if !state.done.contains_key(&state.taken) {
                    drop(
                        queue
                            .changed
                            .wait(state)
                            .unwrap_or_else(std::sync::PoisonError::into_inner),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::engine;
    use super::super::ROWS;
    use super::*;
    use tally_diagnostics::Span;

    #[test]
    fn batches_hand_over_every_row_in_order_and_stop_at_the_first_error() {
        let program = tally_check::check_source("t.tally", "", &tally_check::NoImports).program;
        for threads in [1, 3] {
            let e = engine(&program, threads);
            for (n, batch) in [(0, 4), (10, 3), (10_001, 4096), (5, 100)] {
                let mut joined = Vec::new();
                in_batches(
                    &e,
                    n,
                    ROWS,
                    batch,
                    |r| Ok(r.collect::<Vec<_>>()),
                    |part| {
                        joined.extend(part);
                        Ok(())
                    },
                )
                .unwrap();
                assert_eq!(
                    joined,
                    (0..n).collect::<Vec<_>>(),
                    "{threads} threads, {n} in {batch}"
                );
            }
            let mut taken = 0;
            let err = in_batches(
                &e,
                100,
                1,
                10,
                |r| {
                    if r.contains(&35) || r.contains(&75) {
                        Err(EvalError::new("R0001", Span::default(), "at 35"))
                    } else {
                        Ok(r.len())
                    }
                },
                |n| {
                    taken += n;
                    Ok(())
                },
            )
            .unwrap_err();
            assert_eq!(err.message, "at 35");
            assert_eq!(
                taken, 30,
                "the batches before the failing one, {threads} threads"
            );
        }
    }

    /// Threads take batches as they come free, yet the outputs are handed
    /// over in batch order; no more than [`AHEAD`] batches a thread wait
    /// to be handed over, however slow the first batch is.
    #[test]
    fn batches_are_handed_over_in_order_within_the_window() {
        let program = tally_check::check_source("t.tally", "", &tally_check::NoImports).program;
        for threads in [2, 3] {
            let e = engine(&program, threads);
            let started = std::sync::atomic::AtomicUsize::new(0);
            let handed = std::sync::atomic::AtomicUsize::new(0);
            let most_ahead = std::sync::atomic::AtomicUsize::new(0);
            let mut joined = Vec::new();
            in_batches(
                &e,
                1_000,
                1,
                7,
                |r| {
                    let ahead = started.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                        - handed.load(std::sync::atomic::Ordering::SeqCst);
                    most_ahead.fetch_max(ahead, std::sync::atomic::Ordering::SeqCst);
                    if r.start == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(30));
                    }
                    Ok(r.collect::<Vec<_>>())
                },
                |part| {
                    handed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    joined.extend(part);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(joined, (0..1_000).collect::<Vec<_>>(), "{threads} threads");
            let ahead = most_ahead.load(std::sync::atomic::Ordering::SeqCst);
            assert!(
                ahead <= threads * AHEAD,
                "{ahead} batches ahead on {threads} threads"
            );
        }
    }

    /// A batch that panics on another thread fails the pass; the pass
    /// does not wait for it forever.
    #[test]
    fn a_batch_that_panics_fails_the_pass() {
        let program = tally_check::check_source("t.tally", "", &tally_check::NoImports).program;
        let e = engine(&program, 2);
        let main = std::thread::current().id();
        let panicked = std::sync::atomic::AtomicBool::new(false);
        let err = in_batches(
            &e,
            100,
            1,
            10,
            |r| {
                if std::thread::current().id() != main {
                    panicked.store(true, std::sync::atomic::Ordering::SeqCst);
                    panic!("a worker stops");
                }
                // (this thread's first batch waits for the other thread
                // to take one)
                for _ in 0..5_000 {
                    if r.start > 0 || panicked.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                Ok(r.len())
            },
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.message.contains("stopped"), "{}", err.message);
    }
}
