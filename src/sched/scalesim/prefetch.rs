//! USER mode: fixed interface bandwidths, read buffers that prefetch in a
//! fixed order, and stalls (docs/model/scalesim.md#user-mode).
//!
//! Each read buffer fetches its operand once, in an order fixed by the
//! dataflow (docs/model/scalesim.md#prefetch_order), and keeps a window of
//! consecutive "sets" of that order. A request whose address is in none of
//! the window's sets moves the window and waits for the refill. The array
//! walks its demand row by row; each row's delay is the largest of the
//! operands' delays, and every later row is shifted by the delays so far.

use super::conventions;
use super::cycles::{Requests, fold_length};
use super::generations::{MemoryRun, Traffic};
use super::matrix::{Dim, Mapping};
use super::write_buffer::WriteBuffer;
use super::{Dataflow, InterfaceBandwidth, ScaleSimArray};
use crate::sched::types::{DataKind, PerData};

/// How a fetch order reads its stacked matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Traversal {
    /// Row by row, each row left to right.
    Rows,
    /// Anti-diagonal `d = row + col` in increasing order, each from the
    /// highest row down.
    AntiDiagonals,
}

/// An operand's fetch order: its matrix with one dimension (`outer`) down
/// the rows and the other (`inner`) cut into folds of `width` columns
/// (the last padded with nothing), the folds stacked, read by `traversal`.
#[derive(Clone, Copy, Debug)]
struct FetchOrder {
    outer: Dim,
    inner: Dim,
    width: u64,
    traversal: Traversal,
}

/// The fetch order of `operand` (the ifmap or the filters) under the
/// dataflow (docs/model/scalesim.md#prefetch_order).
fn fetch_order(m: &Mapping, operand: DataKind) -> FetchOrder {
    use Traversal::{AntiDiagonals as Diag, Rows};
    let (r, c) = (m.rows, m.cols);
    let (outer, inner, width, traversal) = match (m.dataflow, operand) {
        (Dataflow::Ws, DataKind::Ifm) => (Dim::P, Dim::K, r, Diag),
        (Dataflow::Ws, _) => (Dim::K, Dim::N, c, Rows),
        (Dataflow::Os, DataKind::Ifm) => (Dim::K, Dim::P, r, Diag),
        (Dataflow::Os, _) => (Dim::K, Dim::N, c, Diag),
        (Dataflow::Is, DataKind::Ifm) => (Dim::K, Dim::P, c, Rows),
        (Dataflow::Is, _) => (Dim::N, Dim::K, r, Diag),
    };
    FetchOrder {
        outer,
        inner,
        width,
        traversal,
    }
}

impl FetchOrder {
    /// Rows of the stacked matrix.
    fn rows(&self, m: &Mapping) -> u64 {
        m.dim(self.inner).div_ceil(self.width) * m.dim(self.outer)
    }

    /// Entries of the stacked matrix, padding included.
    fn entries(&self, m: &Mapping) -> u64 {
        self.rows(m) * self.width
    }

    /// Calls `f` with each entry's address in fetch order (`None` for
    /// padding and hanging-over windows).
    fn for_each(&self, m: &Mapping, operand: DataKind, mut f: impl FnMut(Option<u32>)) {
        let (n_outer, n_inner, w) = (m.dim(self.outer), m.dim(self.inner), self.width);
        let (outer, inner) = (self.outer as usize, self.inner as usize);
        let mut idx = [0u64; 3];
        // Entry (row, col) of the stacked matrix is the element (outer `o`,
        // inner `fold w + col`), `row = fold n_outer + o`; past the inner
        // size it is padding.
        let mut entry = |fold: u64, o: u64, col: u64| {
            let i = fold * w + col;
            if i >= n_inner {
                return f(None);
            }
            idx[outer] = o;
            idx[inner] = i;
            f(m.address(operand, idx));
        };
        let folds = n_inner.div_ceil(w);
        match self.traversal {
            Traversal::Rows => {
                for fold in 0..folds {
                    for o in 0..n_outer {
                        for col in 0..w {
                            entry(fold, o, col);
                        }
                    }
                }
            }
            Traversal::AntiDiagonals => {
                let rows = folds * n_outer;
                for d in 0..rows + w - 1 {
                    let hi = d.min(rows - 1);
                    let lo = d.saturating_sub(w - 1);
                    // Walk up from row `hi` without dividing per entry.
                    let (mut fold, mut o) = (hi / n_outer, hi % n_outer);
                    for row in (lo..=hi).rev() {
                        entry(fold, o, d - row);
                        if o == 0 {
                            o = n_outer;
                            fold = fold.wrapping_sub(1);
                        }
                        o -= 1;
                    }
                }
            }
        }
    }
}

/// Which sets of the fetch order hold each word.
enum Membership {
    /// The window holds every set: every word is always there.
    All,
    /// Each word appears at most once: its set (`u32::MAX` if none).
    Single(Vec<u32>),
    /// Per word, the sorted distinct sets holding it:
    /// `sets[at[a]..at[a + 1]]`.
    Multi { at: Vec<u32>, sets: Vec<u32> },
}

impl Membership {
    /// The sets holding each word of `operand`, in fetch order `order` cut
    /// into sets of `per_set` real entries.
    fn new(m: &Mapping, operand: DataKind, order: &FetchOrder, per_set: u64) -> Membership {
        let stored = m.stored_words(operand) as usize;
        // The set of the next real entry, and its entries so far.
        let (mut set, mut filled) = (0u32, 0u64);
        let mut advance = || {
            let s = set;
            filled += 1;
            if filled == per_set {
                (set, filled) = (set + 1, 0);
            }
            s
        };
        if m.entries_unique(operand) {
            let mut set_of = vec![u32::MAX; stored];
            order.for_each(m, operand, |a| {
                if let Some(a) = a {
                    set_of[a as usize] = advance();
                }
            });
            return Membership::Single(set_of);
        }
        // Two passes over the order: count each word's distinct sets, then
        // list them.
        let mut last = vec![u32::MAX; stored];
        let mut at = vec![0u32; stored + 1];
        order.for_each(m, operand, |a| {
            if let Some(a) = a {
                let set = advance();
                if last[a as usize] != set {
                    last[a as usize] = set;
                    at[a as usize + 1] += 1;
                }
            }
        });
        for i in 1..at.len() {
            at[i] += at[i - 1];
        }
        let mut sets = vec![0u32; at[stored] as usize];
        let mut next = at.clone();
        last.fill(u32::MAX);
        let (mut set, mut filled) = (0u32, 0u64);
        order.for_each(m, operand, |a| {
            if let Some(a) = a {
                if last[a as usize] != set {
                    last[a as usize] = set;
                    sets[next[a as usize] as usize] = set;
                    next[a as usize] += 1;
                }
                filled += 1;
                if filled == per_set {
                    (set, filled) = (set + 1, 0);
                }
            }
        });
        Membership::Multi { at, sets }
    }
}

/// One read buffer in USER mode.
struct ReadBuffer {
    /// Which sets hold each word.
    membership: Membership,
    /// Sets in the fetch order `n_s`, in the window `n_a`, moved per refill `n_p`.
    n_sets: u64,
    n_window: u64,
    n_step: u64,
    /// First set of the window.
    start: u64,
    /// Lines fetched per refill, and in all.
    refill_lines: u64,
    lines: u64,
    /// Cycle the last fetch is ready.
    ready: i64,
    /// Lines fetched before cycle 0.
    initial: u64,
    /// Words per line.
    width: u64,
}

impl ReadBuffer {
    /// The buffer of `operand`, `words` words, filled at `bw` words per cycle.
    fn new(m: &Mapping, operand: DataKind, words: u64, bw: u64) -> ReadBuffer {
        let order = fetch_order(m, operand);
        let per_set = conventions::prefetch_set_entries(words);
        // Sets are closed as they fill, and the last is kept even when empty.
        let n_sets = m.real_entries(operand) / per_set + 1;
        let half = words.div_ceil(2);
        let n_window = half.div_ceil(per_set).min(n_sets);
        let n_step = (words - half).div_ceil(per_set).min(n_sets - n_window);
        let membership = if n_window >= n_sets {
            Membership::All
        } else {
            Membership::new(m, operand, &order, per_set)
        };
        let total_lines = order.entries(m).div_ceil(bw);
        let initial = half.div_ceil(bw).min(total_lines);
        ReadBuffer {
            membership,
            n_sets,
            n_window,
            n_step,
            start: 0,
            refill_lines: (words - half).div_ceil(bw),
            lines: initial,
            ready: -1,
            initial,
            width: bw,
        }
    }

    /// Is set `s` in the window?
    #[inline]
    fn in_window(&self, s: u32) -> bool {
        let (s, end) = (u64::from(s), self.start + self.n_window);
        (s >= self.start && s < end) || (end > self.n_sets && s < end - self.n_sets)
    }

    /// Is address `a` in one of the window's sets?
    #[inline]
    fn holds(&self, a: u32) -> bool {
        match &self.membership {
            Membership::All => true,
            Membership::Single(set_of) => {
                let s = set_of[a as usize];
                s != u32::MAX && self.in_window(s)
            }
            Membership::Multi { at, sets } => {
                let list = &sets[at[a as usize] as usize..at[a as usize + 1] as usize];
                let end = self.start + self.n_window;
                let i = list.partition_point(|&s| u64::from(s) < self.start);
                if list.get(i).is_some_and(|&s| u64::from(s) < end) {
                    return true;
                }
                // The window wraps around to the first sets.
                end > self.n_sets
                    && list
                        .first()
                        .is_some_and(|&s| u64::from(s) < end - self.n_sets)
            }
        }
    }

    /// The delay of a row at cycle `t` whose requests are `addresses`.
    fn row_delay(&mut self, t: i64, addresses: &[u32]) -> i64 {
        let mut offset = conventions::READ_HIT_LATENCY as i64;
        // Every demanded word is in some set, so a full turn of the window
        // finds it; the bound only guards the loop.
        let turn = self.n_sets.div_ceil(self.n_step.max(1));
        for &a in addresses {
            let mut moves = 0;
            while !self.holds(a) {
                if self.n_step == 0 || moves > turn {
                    break;
                }
                moves += 1;
                self.start = (self.start + self.n_step) % self.n_sets;
                self.lines += self.refill_lines;
                self.ready += self.refill_lines as i64 + 1;
                offset += conventions::wait_offset(self.ready - (t + offset));
            }
        }
        offset - conventions::READ_HIT_LATENCY as i64
    }

    /// The DRAM traffic so far.
    fn traffic(&self) -> Traffic {
        Traffic {
            words: self.lines * self.width,
            start: -(self.initial as i64),
            stop: self.ready,
        }
    }
}

/// USER mode's run: the rows of all folds in order, each delayed by its
/// slowest operand.
pub(super) fn user_run(m: &Mapping, array: &ScaleSimArray) -> MemoryRun {
    let InterfaceBandwidth::User {
        ifmap,
        filter,
        ofmap,
    } = array.bandwidth
    else {
        unreachable!("user_run is called in USER mode only")
    };
    let read_ops = [(DataKind::Ifm, ifmap), (DataKind::Fil, filter)];
    let mut reads = read_ops.map(|(op, bw)| ReadBuffer::new(m, op, array.sram_words[op], bw));
    let mut writes = WriteBuffer::new(array.sram_words[DataKind::Ofm], ofmap);
    // Each SRAM's first and last served rows: a row's requests are served
    // after its own delay (the reports' cycles include it).
    let mut first_last: PerData<Option<(i64, i64)>> = PerData::splat(None);
    let mut served = |op: DataKind, cycle: i64| {
        let fl = first_last[op].get_or_insert((cycle, cycle));
        fl.1 = cycle;
    };
    let mut stalls: u64 = 0;
    let mut row_addresses = Vec::new();
    let mut end = 0i64;
    let lf = fold_length(m);
    for index in 0..m.folds() {
        let fold = m.fold(index);
        let req = PerData::from_fn(|op| Requests::new(m, op, fold));
        for tau in 0..lf {
            let row = index * lf + tau;
            let t = (row + stalls) as i64;
            let mut delay = 0i64;
            for (buffer, (op, _)) in reads.iter_mut().zip(read_ops) {
                row_addresses.clear();
                req[op].for_each_at(tau, |a| row_addresses.extend(a));
                if row_addresses.is_empty() {
                    continue;
                }
                let d = buffer.row_delay(t, &row_addresses);
                served(op, t + d);
                delay = delay.max(d);
            }
            let n = req[DataKind::Ofm].count_at(tau);
            let mut write_stall = 0;
            if n > 0 {
                write_stall = writes.write(n, t);
                served(DataKind::Ofm, t + write_stall);
                delay = delay.max(write_stall);
            }
            // The final drains start when the last row's writes are done.
            end = t + write_stall;
            stalls += delay.max(0) as u64;
        }
    }
    let mut dram = PerData::splat(Traffic {
        words: 0,
        start: 0,
        stop: 0,
    });
    for (buffer, (op, _)) in reads.iter().zip(read_ops) {
        dram[op] = buffer.traffic();
    }
    dram[DataKind::Ofm] = writes.finish(end);
    MemoryRun {
        stalls,
        sram: first_last.map(|v| v.unwrap_or((0, 0))),
        dram,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SystolicLayer, test_grid, test_mapping};
    use super::*;

    fn order(m: &Mapping, op: DataKind) -> Vec<Option<u32>> {
        let mut out = Vec::new();
        fetch_order(m, op).for_each(m, op, |a| out.push(a));
        out
    }

    #[test]
    fn os_filters_are_fetched_along_anti_diagonals_highest_row_first() {
        let m = test_mapping(SystolicLayer::gemm(4, 2, 3), 2, 3, Dataflow::Os);
        // K x N = 3 x 2 in one fold of 3 columns, the third padding; the
        // word (k, n) is at n K + k.
        let want = [
            Some(0),
            Some(1),
            Some(3),
            Some(2),
            Some(4),
            None,
            Some(5),
            None,
            None,
        ];
        assert_eq!(order(&m, DataKind::Fil), want);
    }

    #[test]
    fn ws_filters_are_fetched_row_by_row_in_column_folds() {
        let m = test_mapping(SystolicLayer::gemm(4, 3, 2), 2, 2, Dataflow::Ws);
        // K x N = 2 x 3 in folds of 2 columns: n = 0, 1, then n = 2 and padding.
        let want = [
            Some(0),
            Some(2),
            Some(1),
            Some(3),
            Some(4),
            None,
            Some(5),
            None,
        ];
        assert_eq!(order(&m, DataKind::Fil), want);
    }

    #[test]
    fn every_fetch_order_covers_its_matrix_once() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            for op in [DataKind::Ifm, DataKind::Fil] {
                let o = order(&m, op);
                assert_eq!(o.len() as u64, fetch_order(&m, op).entries(&m));
                assert_eq!(
                    o.iter().flatten().count() as u64,
                    m.real_entries(op),
                    "{layer:?} {op}"
                );
            }
        }
    }

    #[test]
    fn the_window_wraps_around() {
        let m = test_mapping(SystolicLayer::gemm(40, 30, 20), 2, 2, Dataflow::Ws);
        let mut b = ReadBuffer::new(&m, DataKind::Fil, 200, 4);
        // 600 filter words in sets of 2: 301 sets, 50 in the window.
        assert_eq!((b.n_sets, b.n_window, b.n_step), (301, 50, 50));
        b.start = 280;
        assert!(b.in_window(280) && b.in_window(300) && b.in_window(0) && b.in_window(28));
        assert!(!b.in_window(29) && !b.in_window(279));
    }
}
