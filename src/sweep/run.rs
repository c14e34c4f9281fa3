//! Running rows: in parallel on the current rayon pool, handed on in the
//! order asked for (docs/sweep.md#resuming), whatever order they finish in.

use super::grid::Plan;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Schedules `rows` (grid indices) and calls `on_row` with each row's line,
/// in the order of `rows`: a row that finishes early waits for those before
/// it. Rows are taken in order, one per worker at a time, so few wait.
/// Stops at the first error of `on_row` and returns it.
pub fn run_ordered<E: Send>(
    plan: &Plan<'_>,
    rows: &[usize],
    on_row: &mut (dyn FnMut(String) -> Result<(), E> + Send),
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, String)>();
    std::thread::scope(|scope| {
        // The writer is a thread of its own: it waits most of the time, and
        // must not hold a worker of the pool while it does.
        let writer = scope.spawn(|| {
            let mut pending = BTreeMap::new();
            let mut due = 0;
            for (i, line) in rx {
                pending.insert(i, line);
                while let Some(line) = pending.remove(&due) {
                    if let Err(e) = on_row(line) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                    due += 1;
                }
            }
            Ok(())
        });
        rayon::scope(|s| {
            for _ in 0..rayon::current_num_threads().min(rows.len()) {
                let tx = tx.clone();
                let (next, stop) = (&next, &stop);
                s.spawn(move |_| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= rows.len() || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        if tx.send((i, plan.row(rows[i]))).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
