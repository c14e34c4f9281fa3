//! The ofmap's double-buffered write buffer
//! (docs/model/scalesim.md#the-write-buffer,
//! docs/model/scalesim.md#write_buffer_drain).
//!
//! Valid writes fill lines of `w` words (the drain bandwidth). When fewer
//! than half the buffer's words are free, the partly filled line is closed
//! as it is and a drain of up to `ceil(D / w)` lines starts, one line per
//! cycle; what it counts is freed at once. Only counts matter here, never
//! addresses, so writes arrive in bulk: `n` at one cycle.

use super::conventions;
use super::generations::Traffic;
use std::collections::VecDeque;

/// The write buffer's state.
#[derive(Clone, Debug)]
pub(super) struct WriteBuffer {
    /// Words of the active half: a drain starts when fewer are free.
    active: u64,
    /// Lines one drain empties at most, `ceil(D / w)`.
    drain_lines: u64,
    /// Words per line `w`: the drain bandwidth in words per cycle.
    width: u64,
    /// Free words as the buffer counts them (a drain frees what it counts).
    free: i64,
    /// Words in the line being filled.
    open: u64,
    /// Closed lines waiting for a drain: runs of (words, lines).
    queue: VecDeque<(u64, u64)>,
    /// The last cycle of the latest drain.
    drain_end: i64,
    /// Words counted by the drains so far.
    words: u64,
    /// First and last drain cycles.
    span: Option<(i64, i64)>,
}

impl WriteBuffer {
    /// An empty buffer of `words` words draining `width` words per cycle.
    pub(super) fn new(words: u64, width: u64) -> Self {
        let (active, draining) = conventions::write_buffer_halves(words);
        WriteBuffer {
            active,
            drain_lines: draining.div_ceil(width),
            width,
            free: words as i64,
            open: 0,
            queue: VecDeque::new(),
            drain_end: i64::MIN,
            words: 0,
            span: None,
        }
    }

    /// Adds `n` words to the lines, closing every line that fills.
    fn fill(&mut self, n: u64) {
        self.free -= n as i64;
        let total = self.open + n;
        let full = total / self.width;
        if full > 0 {
            self.push(self.width, full);
        }
        self.open = total % self.width;
    }

    fn push(&mut self, fill: u64, lines: u64) {
        match self.queue.back_mut() {
            Some((f, count)) if *f == fill => *count += lines,
            _ => self.queue.push_back((fill, lines)),
        }
    }

    /// Takes up to `lines` lines off the queue: (lines taken, words of the
    /// last one).
    fn take(&mut self, lines: u64) -> (u64, u64) {
        let (mut taken, mut last) = (0, 0);
        while taken < lines {
            let Some((fill, count)) = self.queue.front_mut() else {
                break;
            };
            let k = (*count).min(lines - taken);
            taken += k;
            last = *fill;
            *count -= k;
            if *count == 0 {
                self.queue.pop_front();
            }
        }
        (taken, last)
    }

    /// Starts a drain of up to `lines` lines at cycle `t`: counts every
    /// line as full but the last, frees what it counts.
    fn drain(&mut self, t: i64, lines: u64) {
        if self.open > 0 {
            // The partly filled line is closed short.
            self.push(self.open, 1);
            self.open = 0;
        }
        let (taken, last) = self.take(lines);
        if taken == 0 {
            return;
        }
        let count = taken * self.width - (self.width - last);
        self.free += count as i64;
        self.words += count;
        let last_cycle = t + taken as i64 - 1;
        // The final drains may end before an earlier, longer one.
        self.span = Some(match self.span {
            Some((first, stop)) => (first, stop.max(last_cycle)),
            None => (t, last_cycle),
        });
        self.drain_end = last_cycle;
    }

    /// `n` valid writes at cycle `t`, in order. Returns the cycles the
    /// array stalls for them.
    pub(super) fn write(&mut self, mut n: u64, t: i64) -> i64 {
        let mut t = t;
        let mut stall = 0;
        // Bulk steps equal to checking after every write, in order: during a
        // drain, a write that leaves no word free stalls the array until the
        // drain's last cycle; otherwise a write that leaves fewer than
        // `active` words free starts a drain.
        while n > 0 {
            if t < self.drain_end {
                let k = (self.free.max(1) as u64).min(n);
                self.fill(k);
                n -= k;
                if self.free <= 0 {
                    stall += self.drain_end - t;
                    t = self.drain_end;
                }
            } else {
                let quiet = (self.free - self.active as i64).max(0) as u64;
                let k = quiet.min(n);
                self.fill(k);
                n -= k;
                if n == 0 {
                    break;
                }
                self.fill(1);
                n -= 1;
                self.drain(t, self.drain_lines);
            }
        }
        stall
    }

    /// Drains what is left, back to back from cycle `t` (the last demand
    /// row), and returns the DRAM writes.
    pub(super) fn finish(mut self, t: i64) -> Traffic {
        let mut t = t;
        loop {
            let before = self.words;
            self.drain(t, self.drain_lines);
            if self.words == before {
                break;
            }
            t = self.drain_end + 1;
        }
        let (start, stop) = self.span.unwrap_or((0, 0));
        Traffic {
            words: self.words,
            start,
            stop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drain_closes_the_open_line_short_and_counts_only_its_last_line_exactly() {
        // 8 words: active half 4, draining half 4, lines of 2: drains of 2 lines.
        let mut b = WriteBuffer::new(8, 2);
        // The 5th write leaves 3 < 4 free: a drain at cycle 0 closes the
        // 1-word line and empties the first two full lines (4 words).
        assert_eq!(b.write(5, 0), 0);
        assert_eq!((b.words, b.free, b.drain_end), (4, 7, 1));
        // Cycle 1 is the drain's last, so the 7 writes there may start the
        // next drain, after 4 of them: it empties the short line and a full
        // one, counted as 4 words though they carry 3.
        assert_eq!(b.write(7, 1), 0);
        assert_eq!((b.words, b.free, b.drain_end), (8, 4, 2));
        // At cycle 5 the next write starts a third drain of two full lines.
        assert_eq!(b.write(1, 5), 0);
        assert_eq!(b.words, 12);
        // One full line is left: the end drains it at cycle 9. 13 words were
        // written, 14 counted.
        let t = b.finish(9);
        assert_eq!((t.words, t.start, t.stop), (14, 0, 9));
    }

    #[test]
    fn a_full_buffer_stalls_until_the_drain_ends() {
        let mut b = WriteBuffer::new(8, 1);
        // The 5th write starts a drain of 4 lines (cycles 0 to 3), freeing 4.
        assert_eq!(b.write(5, 0), 0);
        assert_eq!(b.free, 7);
        // At cycle 1, 7 writes take every free word: stall until cycle 3.
        assert_eq!(b.write(8, 1), 2);
    }
}
