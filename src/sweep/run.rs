//! Running rows: in parallel on the current rayon pool, handed on in the
//! order asked for (docs/sweep.md#resuming), whatever order they finish in.
//! Rows whose per-node searches are shared (docs/sweep.md#shared-layer-searches)
//! run one after another.

use super::grid::Plan;
use crate::SharedSearch;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

/// Schedules `rows` (grid indices) and calls `on_row` with each row's line,
/// in the order of `rows`: a row that finishes early waits for those before
/// it. Rows are run in tasks (`Plan::task`: the rows of one network and
/// batch on one capacity group, one after another, so that the first does
/// the per-node searches of all), tasks taken in the order of their first
/// row, one per worker at a time, so few rows wait.
/// Stops at the first error of `on_row` and returns it.
pub fn run_ordered<E: Send>(
    plan: &Plan<'_>,
    rows: &[usize],
    on_row: &mut (dyn FnMut(String) -> Result<(), E> + Send),
) -> Result<(), E> {
    run_ordered_with(plan, rows, &|k, shared| plan.row_shared(k, shared), on_row)
}

/// [`run_ordered`] with each row computed by `row` (its grid index and
/// the shared search it may use) instead of [`Plan::row_shared`]: for a
/// caller that keeps more of a row than its line, such as its schedule
/// ([`Plan::schedule_row`]).
pub fn run_ordered_with<T: Send, E: Send>(
    plan: &Plan<'_>,
    rows: &[usize],
    row: &(dyn Fn(usize, &SharedSearch) -> T + Sync),
    on_row: &mut (dyn FnMut(T) -> Result<(), E> + Send),
) -> Result<(), E> {
    // Per-node results are shared by the rows of a cache slot, and dropped
    // when the last of them is done. Only the machines of these rows are
    // searched for (a shard may hold some of a group's points only).
    let mut members = vec![Vec::new(); plan.cache_slots()];
    for &k in rows {
        members[plan.cache_slot(k)].push(k);
    }
    let caches: Vec<Mutex<(usize, Option<Arc<SharedSearch>>)>> = members
        .iter()
        .map(|m| Mutex::new((m.len(), None)))
        .collect();
    let cache_of = |k: usize| -> Arc<SharedSearch> {
        let slot = plan.cache_slot(k);
        let Ok(mut held) = caches[slot].lock() else {
            return Arc::new(plan.shared_search(&members[slot]));
        };
        held.1
            .get_or_insert_with(|| Arc::new(plan.shared_search(&members[slot])))
            .clone()
    };
    let done_with = |k: usize| {
        if let Ok(mut held) = caches[plan.cache_slot(k)].lock() {
            held.0 = held.0.saturating_sub(1);
            if held.0 == 0 {
                held.1 = None;
            }
        }
    };
    // Each task's places in `rows`, tasks in the order of their first row.
    let mut tasks: Vec<Vec<usize>> = Vec::new();
    let mut task_of = BTreeMap::new();
    for (i, &k) in rows.iter().enumerate() {
        let t = *task_of.entry(plan.task(k)).or_insert_with(|| {
            tasks.push(Vec::new());
            tasks.len() - 1
        });
        tasks[t].push(i);
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, T)>();
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
            for _ in 0..rayon::current_num_threads().min(tasks.len()) {
                let tx = tx.clone();
                let (next, stop, cache_of, done_with, tasks) =
                    (&next, &stop, &cache_of, &done_with, &tasks);
                s.spawn(move |_| {
                    loop {
                        let t = next.fetch_add(1, Ordering::Relaxed);
                        if t >= tasks.len() {
                            break;
                        }
                        for &i in &tasks[t] {
                            if stop.load(Ordering::Relaxed) {
                                return;
                            }
                            let cache = cache_of(rows[i]);
                            let line = row(rows[i], &cache);
                            drop(cache);
                            done_with(rows[i]);
                            if tx.send((i, line)).is_err() {
                                return;
                            }
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
