//! Running rows: in parallel on the current rayon pool, handed on in the
//! order asked for (docs/sweep.md#resuming), whatever order they finish in.
//! Rows whose per-node searches are shared (docs/sweep.md#shared-layer-searches)
//! run one after another. Rows are taken in chunks of [`CHUNK`], so that a
//! sweep of any size holds at most a chunk's rows (docs/sweep.md#large-grids).

use super::grid::{Design, Plan};
use crate::SharedSearch;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

/// How many rows are planned and run at a time: enough that the rows of
/// a cache slot of a small sweep run together, few enough that a chunk's
/// designs and pending lines take a few megabytes.
pub const CHUNK: usize = 16_384;

/// Schedules `rows` (grid indices) and calls `on_row` with each row's line,
/// in the order of `rows`: a row that finishes early waits for those before
/// it. Rows are run in tasks (`Plan::task`: the rows of one network and
/// batch on one cache slot, one after another, so that the first does
/// the per-node searches of all), tasks taken in the order of their first
/// row, one per worker at a time, so few rows wait.
/// Stops at the first error of `on_row` and returns it.
pub fn run_ordered<E: Send>(
    plan: &Plan<'_>,
    rows: impl IntoIterator<Item = usize>,
    on_row: &mut (dyn FnMut(String) -> Result<(), E> + Send),
) -> Result<(), E> {
    run_ordered_with(
        plan,
        rows,
        &|k, design, shared| plan.row_shared(k, design, shared),
        on_row,
    )
}

/// [`run_ordered`] with each row computed by `row` (its grid index, its
/// point's design and the shared search it may use) instead of
/// [`Plan::row_shared`]: for a caller that keeps more of a row than its
/// line, such as its schedule ([`Plan::schedule_row`]).
pub fn run_ordered_with<T: Send, E: Send>(
    plan: &Plan<'_>,
    rows: impl IntoIterator<Item = usize>,
    row: &(dyn Fn(usize, &Design, &SharedSearch) -> T + Sync),
    on_row: &mut (dyn FnMut(T) -> Result<(), E> + Send),
) -> Result<(), E> {
    run_in_chunks(plan, rows, CHUNK, row, on_row)
}

/// [`run_ordered_with`] in chunks of `chunk` rows.
fn run_in_chunks<T: Send, E: Send>(
    plan: &Plan<'_>,
    rows: impl IntoIterator<Item = usize>,
    chunk: usize,
    row: &(dyn Fn(usize, &Design, &SharedSearch) -> T + Sync),
    on_row: &mut (dyn FnMut(T) -> Result<(), E> + Send),
) -> Result<(), E> {
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
        let mut rows = rows.into_iter();
        let mut start = 0;
        while !stop.load(Ordering::Relaxed) {
            let these: Vec<usize> = rows.by_ref().take(chunk).collect();
            if these.is_empty() {
                break;
            }
            run_chunk(plan, &these, start, row, &tx, &stop);
            start += these.len();
        }
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A cache slot's shared search while its rows run: how many rows of the
/// chunk have yet to use it, and the search once the first has made it.
type Held = (usize, Option<Arc<SharedSearch>>);

/// Runs the rows of one chunk, sending each row's result with its place
/// (`start` plus its place in `rows`) to the writer.
fn run_chunk<T: Send>(
    plan: &Plan<'_>,
    rows: &[usize],
    start: usize,
    row: &(dyn Fn(usize, &Design, &SharedSearch) -> T + Sync),
    tx: &mpsc::Sender<(usize, T)>,
    stop: &AtomicBool,
) {
    // Each point's hardware is read once, by the first row that needs it.
    let designs: HashMap<usize, OnceLock<Design>> = rows
        .iter()
        .map(|&k| (plan.locate(k).2, OnceLock::new()))
        .collect();
    let design = |k: usize| {
        let p = plan.locate(k).2;
        designs[&p].get_or_init(|| plan.design(p))
    };
    // Per-node results are shared by the rows of a cache slot, and dropped
    // when the last of them is done. Only the machines of these rows are
    // searched for (a chunk or a shard may hold some of a slot's points).
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for &k in rows {
        members.entry(plan.cache_slot(k)).or_default().push(k);
    }
    let caches: HashMap<usize, Mutex<Held>> = members
        .iter()
        .map(|(&slot, m)| (slot, Mutex::new((m.len(), None))))
        .collect();
    let search_of = |slot: usize| {
        let hardware = members[&slot]
            .iter()
            .filter_map(|&k| design(k).hardware.as_ref().ok());
        Arc::new(plan.shared_search(hardware))
    };
    let cache_of = |k: usize| -> Arc<SharedSearch> {
        let slot = plan.cache_slot(k);
        let Ok(mut held) = caches[&slot].lock() else {
            return search_of(slot);
        };
        held.1.get_or_insert_with(|| search_of(slot)).clone()
    };
    let done_with = |k: usize| {
        if let Ok(mut held) = caches[&plan.cache_slot(k)].lock() {
            held.0 = held.0.saturating_sub(1);
            if held.0 == 0 {
                held.1 = None;
            }
        }
    };
    // Each task's places in `rows`, tasks in the order of their first row.
    let mut tasks: Vec<Vec<usize>> = Vec::new();
    let mut task_of = HashMap::new();
    for (i, &k) in rows.iter().enumerate() {
        let t = *task_of.entry(plan.task(k)).or_insert_with(|| {
            tasks.push(Vec::new());
            tasks.len() - 1
        });
        tasks[t].push(i);
    }
    let next = AtomicUsize::new(0);
    rayon::scope(|s| {
        for _ in 0..rayon::current_num_threads().min(tasks.len()) {
            let tx = tx.clone();
            let (next, cache_of, done_with, tasks, design) =
                (&next, &cache_of, &done_with, &tasks, &design);
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
                        let k = rows[i];
                        let cache = cache_of(k);
                        let line = row(k, design(k), &cache);
                        drop(cache);
                        done_with(k);
                        if tx.send((start + i, line)).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::parse_spec;

    /// Rows cut into chunks come out as one run writes them, in order, on
    /// any number of threads.
    #[test]
    fn chunks_keep_the_order() {
        let text = "networks = [\"t.nn\"]\nbatch = [1, 2]\n[options]\nsolver = \"analytic\"\n\
                    [vary]\n\"node.gbuf_bytes\" = [32768, 65536, 131072]\n\
                    \"energy.dram\" = [100.0, 200.0]\n";
        let spec = parse_spec(text, std::path::Path::new(".")).unwrap();
        let source = "network T\ninput data [3, 8]\nc1 = conv(data, 4, kernel: 3, pad: 1)\n";
        let (net, _) = crate::compile(source).unwrap();
        let networks = [net];
        let plan = Plan::new(&spec, &networks, &[source]).unwrap();
        let run = |chunk: usize, threads: usize, rows: Vec<usize>| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut lines = Vec::new();
            let row = |k, d: &Design, s: &SharedSearch| plan.row_shared(k, d, s);
            pool.install(|| {
                run_in_chunks(&plan, rows, chunk, &row, &mut |l: String| {
                    lines.push(l);
                    Ok::<(), ()>(())
                })
            })
            .unwrap();
            lines
        };
        let whole = run(100, 1, (0..12).collect());
        let one_by_one: Vec<String> = (0..12).map(|k| plan.row(k)).collect();
        assert_eq!(whole, one_by_one);
        for (chunk, threads) in [(1, 2), (5, 2), (5, 3), (7, 1)] {
            assert_eq!(
                run(chunk, threads, (0..12).collect()),
                whole,
                "{chunk} {threads}"
            );
        }
        // A shard's rows, skipping some (a resume).
        let odd: Vec<usize> = (0..12).filter(|k| k % 2 == 1).skip(2).collect();
        let expected: Vec<String> = odd.iter().map(|&k| whole[k].clone()).collect();
        assert_eq!(run(4, 2, odd), expected);
    }
}
