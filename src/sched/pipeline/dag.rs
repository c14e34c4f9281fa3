//! The scheduling DAG (docs/model/pipelining.md#the-scheduling-dag,
//! docs/model/pipelining.md#vertex-runs-and-their-rules).

use crate::ir::{LayerId, Network, Source};
use std::collections::BTreeSet;

/// An end of a DAG edge: memory (the network input and extern inputs, the
/// reference's vertex −1) or a vertex by its index in the scheduling order.
/// Memory orders first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VertexRef {
    /// The network input and extern inputs.
    Memory,
    /// A vertex, by its position in the scheduling order.
    Vertex(usize),
}

/// The scheduling DAG: vertices (runs of layers: a convolution and the
/// pooling and element-wise layers fused after it) in the scheduling order,
/// and their producers and consumers outside themselves.
#[derive(Clone, Debug)]
pub struct Dag {
    /// The layers of each vertex, vertices in the scheduling order.
    pub vertices: Vec<Vec<LayerId>>,
    /// Per vertex, where its layers' inputs come from (outside the vertex).
    pub prev: Vec<BTreeSet<VertexRef>>,
    /// Per vertex, the vertices its layers feed (outside it; the network
    /// output is not a vertex).
    pub next: Vec<BTreeSet<usize>>,
}

impl Dag {
    /// The DAG of `net` whose vertices, in the scheduling order, are
    /// `vertices` (`sched::search::order::vertex_order`).
    pub fn new(net: &Network, vertices: Vec<Vec<LayerId>>) -> Self {
        let mut vertex_of = vec![0usize; net.layers().len()];
        for (v, layers) in vertices.iter().enumerate() {
            for l in layers {
                vertex_of[l.index()] = v;
            }
        }
        let mut prev = vec![BTreeSet::new(); vertices.len()];
        let mut next = vec![BTreeSet::new(); vertices.len()];
        for (v, layers) in vertices.iter().enumerate() {
            for &l in layers {
                for s in net.sources(l) {
                    match s {
                        Source::Layer(p) if vertex_of[p.index()] != v => {
                            prev[v].insert(VertexRef::Vertex(vertex_of[p.index()]));
                        }
                        Source::Layer(_) => {}
                        Source::Input | Source::Extern(_) => {
                            prev[v].insert(VertexRef::Memory);
                        }
                    }
                }
                for c in net.consumers(l) {
                    let cv = vertex_of[c.index()];
                    if cv != v {
                        next[v].insert(cv);
                    }
                }
            }
        }
        Dag {
            vertices,
            prev,
            next,
        }
    }

    /// The candidate runs of consecutive vertices, in the reference's
    /// depth-first order (docs/model/pipelining.md#vertex-runs-and-their-rules): a vertex joins a run only if it depends on
    /// the run or on what the run depends on (rule 1) and at most one of its
    /// producers is inside (rule 2); a run is emitted when each of its
    /// vertices feeds no vertex outside it or exactly one (rule 3). Each
    /// start is expanded once.
    pub fn runs(&self) -> Vec<Vec<usize>> {
        self.runs_of_at_most(usize::MAX)
    }

    /// [`Dag::runs`] of at most `max_len` vertices: a start's run stops
    /// growing at that length, so a long chain costs its length times
    /// `max_len`, not its square. The runs are a subset of those of
    /// [`Dag::runs`] (a start reached only from the end of a longer run
    /// is not expanded), in the same order.
    pub fn runs_of_at_most(&self, max_len: usize) -> Vec<Vec<usize>> {
        /// One start being expanded: the next vertex to try and the run
        /// so far. Why a stack of these and not recursion: a chain of
        /// thousands of layers nests as deep as it is long.
        struct Frame {
            start: usize,
            next: usize,
            run: Vec<usize>,
        }
        let n = self.vertices.len();
        let mut out = Vec::new();
        let mut done = vec![false; n];
        let mut stack = vec![Frame {
            start: 0,
            next: 0,
            run: Vec::new(),
        }];
        while let Some(frame) = stack.last_mut() {
            let f = frame.next;
            if f >= n || frame.run.len() >= max_len || !self.extends(&frame.run, f) {
                if frame.start < n {
                    done[frame.start] = true;
                }
                stack.pop();
                continue;
            }
            frame.next += 1;
            frame.run.push(f);
            let run = &frame.run;
            let valid = run.iter().all(|&v| {
                let outside = self.next[v].iter().filter(|n| !run.contains(n)).count();
                outside == self.next[v].len() || outside <= 1
            });
            if valid {
                out.push(run.clone());
                if f + 1 < n && done[f + 1] {
                    continue;
                }
                stack.push(Frame {
                    start: f + 1,
                    next: f + 1,
                    run: Vec::new(),
                });
            }
        }
        out
    }

    /// May vertex `f` join `run` (rules 1 and 2 of
    /// docs/model/pipelining.md#vertex-runs-and-their-rules)?
    fn extends(&self, run: &[usize], f: usize) -> bool {
        let shares = run.is_empty() || {
            let mut reach: BTreeSet<VertexRef> =
                run.iter().map(|&v| VertexRef::Vertex(v)).collect();
            for &v in run {
                reach.extend(self.prev[v].iter().copied());
            }
            self.prev[f].iter().any(|p| reach.contains(p))
        };
        let inside = self.prev[f]
            .iter()
            .filter(|p| matches!(p, VertexRef::Vertex(v) if run.contains(v)))
            .count();
        shares && inside <= 1
    }
}
