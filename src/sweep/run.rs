//! Running rows: in parallel on the current rayon pool, handed on in the
//! order asked for (docs/sweep.md#resuming), whatever order they finish in.

use super::grid::Plan;
use crate::sched::layer::NodeCache;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// Schedules `rows` (grid indices) and calls `on_row` with each row's line,
/// in the order of `rows`: a row that finishes early waits for those before
/// it. Rows are taken in order, one per worker at a time, so few wait.
/// Stops at the first error of `on_row` and returns it.
pub fn run_ordered<E: Send>(
    plan: &Plan<'_>,
    rows: &[usize],
    on_row: &mut (dyn FnMut(String) -> Result<(), E> + Send),
) -> Result<(), E> {
    // Per-node results are shared by the rows of a cache slot (a point),
    // and dropped when the last of them is done.
    let slots = 2 * plan.points.len();
    let mut left = vec![0usize; slots];
    for &k in rows {
        left[plan.cache_slot(k)] += 1;
    }
    let caches: Vec<Mutex<(usize, Option<Arc<NodeCache>>)>> =
        left.into_iter().map(|n| Mutex::new((n, None))).collect();
    let cache_of = |k: usize| -> Arc<NodeCache> {
        let Ok(mut slot) = caches[plan.cache_slot(k)].lock() else {
            return Arc::new(NodeCache::new());
        };
        slot.1
            .get_or_insert_with(|| Arc::new(NodeCache::new()))
            .clone()
    };
    let done_with = |k: usize| {
        if let Ok(mut slot) = caches[plan.cache_slot(k)].lock() {
            slot.0 = slot.0.saturating_sub(1);
            if slot.0 == 0 {
                slot.1 = None;
            }
        }
    };
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
                let (next, stop, cache_of, done_with) = (&next, &stop, &cache_of, &done_with);
                s.spawn(move |_| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= rows.len() || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let cache = cache_of(rows[i]);
                        let line = plan.row_cached(rows[i], &cache);
                        drop(cache);
                        done_with(rows[i]);
                        if tx.send((i, line)).is_err() {
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
