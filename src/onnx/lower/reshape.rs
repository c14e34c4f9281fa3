//! `Reshape` of a token sequence (docs/onnx.md#token-sequences): the
//! target's dims are matched, in order, by products of the sequence's
//! axes. Axes merge (`[tokens, batch, ..]` to `[tokens * batch, ..]`) and
//! split back; the channels split into heads (`[B, T, C]` to `[B, T, H,
//! D]`), a head again into a fused projection's parts and heads (Swin's
//! `[.., 3, heads, d]`), and a channels-last map's rows and columns into
//! windows (Swin's `[N, H / w, w, W / w, w, C]`,
//! docs/onnx.md#swin-transformer). The tokens and the batch stay whole.

use super::Lowering;
use super::attrs::unsupported;
use super::tokens::{Axis, Seq};
use crate::onnx::ImportError;
use crate::onnx::graph::Node;
use std::collections::VecDeque;

/// A reshape in progress: the sequence as its axes split so far, the
/// atoms (single axes) not yet matched, and the target's axes matched.
struct Reshaping {
    seq: Seq,
    atoms: VecDeque<Axis>,
    axes: Vec<Vec<Axis>>,
}

impl Reshaping {
    fn new(s: &Seq) -> Self {
        let atoms = s
            .axes
            .iter()
            .flatten()
            .copied()
            .filter(|&a| a != Axis::Unit)
            .collect();
        Reshaping {
            seq: s.clone(),
            atoms,
            axes: Vec::new(),
        }
    }

    /// Matches the target's next dim `t`; `None` if the atoms cannot.
    fn dim(&mut self, t: i64) -> Option<()> {
        // A literal 1 is the batch of a fixed-batch export, or one token,
        // or a repeat of one, where the next axis is such.
        if t == 1 {
            match self.atoms.front() {
                Some(&a) if a == Axis::Batch || self.seq.group_dim(&[a]) == Some(1) => {
                    self.atoms.pop_front();
                    self.axes.push(vec![a]);
                }
                _ => self.axes.push(vec![Axis::Unit]),
            }
            return Some(());
        }
        let mut group = Vec::new();
        let mut prod = 1i64;
        while prod < t {
            let a = self.atoms.pop_front()?;
            let e = self.seq.group_dim(&[a]).unwrap_or(i64::MAX);
            match prod.checked_mul(e) {
                Some(p) if p <= t && t % p == 0 => {
                    group.push(a);
                    prod = p;
                }
                _ => {
                    // `a` split in two: `t / prod` and the rest.
                    let n = t / prod;
                    let ok = t % prod == 0 && n > 1 && e % n == 0;
                    let (n, rest) = (u64::try_from(n).ok()?, u64::try_from(e / n).ok()?);
                    ok.then_some(())?;
                    self.split(a, &mut group, n, rest)?;
                    prod = t;
                }
            }
        }
        // The heads merged back are the channels.
        if group == [Axis::Heads, Axis::Head] {
            group = vec![Axis::Channels];
        }
        self.axes.push(group);
        Some(())
    }

    /// Splits the atom `a` into `n` (joining `group`) and `rest` (the next
    /// atom to match): the channels into heads, a head into a
    /// projection's parts and heads, rows or columns into windows.
    fn split(&mut self, a: Axis, group: &mut Vec<Axis>, n: u64, rest: u64) -> Option<()> {
        let s = &mut self.seq;
        let (first, second) = match a {
            Axis::Channels => {
                (s.heads, s.d) = (n, rest);
                (Axis::Heads, Axis::Head)
            }
            // A head split again (Swin's QKV `[.., 3, heads, d]`): the
            // first split was the projection's parts.
            Axis::Head if s.parts == 1 => {
                let relabel = |g: &mut Vec<Axis>| {
                    for x in g.iter_mut().filter(|x| **x == Axis::Heads) {
                        *x = Axis::Parts;
                    }
                };
                self.axes.iter_mut().for_each(relabel);
                relabel(group);
                (s.parts, s.heads, s.d) = (s.heads, n, rest);
                (Axis::Heads, Axis::Head)
            }
            // A map's rows or columns split into windows.
            Axis::Rows if !s.spatial.is_part() => {
                s.spatial.window.0 = rest;
                (Axis::WinRows, Axis::InRows)
            }
            Axis::Cols if !s.spatial.is_part() => {
                s.spatial.window.1 = rest;
                (Axis::WinCols, Axis::InCols)
            }
            _ => return None,
        };
        group.push(first);
        self.atoms.push_front(second);
        Some(())
    }

    /// The sequence and its axes, once every dim is matched.
    fn finish(self) -> Option<(Seq, Vec<Vec<Axis>>)> {
        if !self.atoms.is_empty() {
            return None;
        }
        let (next, mut axes) = (self.seq, self.axes);
        // An axis of one (one token, the batch of a fixed-batch export)
        // leading a merged group belongs as well to the group before: a
        // decode step's `[1, 1, C]` to `[1, C]` merges the batch and its
        // one token, as a prefill's `[T * B, C]` does.
        for i in 1..axes.len() {
            while axes[i].len() > 1 && next.group_dim(&axes[i][..1]) == Some(1) {
                let a = axes[i].remove(0);
                axes[i - 1].push(a);
            }
        }
        // The heads merged back are the channels, windows merged back
        // the map's rows and columns.
        for g in &mut axes {
            match g.as_slice() {
                [Axis::Heads, Axis::Head] => *g = vec![Axis::Channels],
                [Axis::WinRows, Axis::InRows] => *g = vec![Axis::Rows],
                [Axis::WinCols, Axis::InCols] => *g = vec![Axis::Cols],
                _ => {}
            }
        }
        Some((next, axes))
    }
}

impl Lowering<'_> {
    /// `Reshape` of a sequence (see the module): folded, its axes
    /// replaced.
    pub(super) fn seq_reshape(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let Some(target) = self.ints(node, 1).filter(|t| !t.is_empty()) else {
            return Err(unsupported(
                node,
                format!("a reshape of {} to a shape not known", s.shape()),
                "export with static shapes (the reshape's target a constant or shape \
                 arithmetic of the input's shape)",
            ));
        };
        let done = s
            .dims()
            .and_then(|dims| super::reshaped(&dims, &target))
            .and_then(|target| {
                let mut r = Reshaping::new(&s);
                target.iter().try_for_each(|&t| r.dim(t))?;
                r.finish()
            });
        let Some((next, axes)) = done else {
            return Err(unsupported(
                node,
                format!("a reshape of {} to {target:?}", s.shape()),
                "only reshapes that merge or split a sequence's axes, split its channels \
                 into heads or a channels-last map into windows, are supported \
                 (docs/onnx.md#token-sequences)",
            ));
        };
        self.seq_view(node, next, axes)
    }
}
