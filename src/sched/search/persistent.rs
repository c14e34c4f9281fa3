//! A persistent array: a copy is a pointer, and setting one entry copies
//! only the path to it (a tree of 32-way nodes, `log32 n` deep), so that
//! the search's partial schedules, each a copy of its parent with one
//! layer more, cost time and memory linear in the layers in all (a
//! `Vec` per partial schedule made both quadratic: issue 26).

use std::sync::Arc;

/// Entries per node.
const WIDTH: usize = 32;
const BITS: u32 = WIDTH.trailing_zeros();

// Why allowed: clippy cannot size the generic leaf; for the search's
// entries (an `Arc`, a small place) both variants are 32 words or so.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Node<T> {
    Leaf([Option<T>; WIDTH]),
    Branch([Option<Arc<Node<T>>>; WIDTH]),
}

/// `n` optional entries, all `None` at first.
#[derive(Debug)]
pub(crate) struct Persistent<T> {
    root: Option<Arc<Node<T>>>,
    /// How many levels of branches above the leaves.
    depth: u32,
    len: usize,
}

impl<T> Clone for Persistent<T> {
    fn clone(&self) -> Self {
        Persistent {
            root: self.root.clone(),
            depth: self.depth,
            len: self.len,
        }
    }
}

impl<T: Clone> Persistent<T> {
    /// `len` entries, all `None`.
    pub(crate) fn new(len: usize) -> Self {
        let mut depth = 0;
        while (WIDTH as u128) << (BITS * depth) < len as u128 {
            depth += 1;
        }
        Persistent {
            root: None,
            depth,
            len,
        }
    }

    /// The slot of entry `i` in the node at `level` (0: the leaves).
    fn slot(i: usize, level: u32) -> usize {
        (i >> (BITS * level)) & (WIDTH - 1)
    }

    /// Entry `i`, if set (and in range).
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let mut node = self.root.as_deref()?;
        let mut level = self.depth;
        loop {
            match node {
                Node::Leaf(values) => return values[Self::slot(i, 0)].as_ref(),
                Node::Branch(children) => {
                    node = children[Self::slot(i, level)].as_deref()?;
                    level -= 1;
                }
            }
        }
    }

    /// Sets entry `i` (in range) to `value`, copying the nodes on its path
    /// that are shared with other copies.
    pub(crate) fn set(&mut self, i: usize, value: T) {
        debug_assert!(i < self.len);
        let mut node = self.root.get_or_insert_with(|| Arc::new(empty(self.depth)));
        let mut level = self.depth;
        loop {
            match Arc::make_mut(node) {
                Node::Leaf(values) => {
                    values[Self::slot(i, 0)] = Some(value);
                    return;
                }
                Node::Branch(children) => {
                    let below = level - 1;
                    node = children[Self::slot(i, level)]
                        .get_or_insert_with(|| Arc::new(empty(below)));
                    level = below;
                }
            }
        }
    }

    /// Every entry, in order.
    pub(crate) fn to_vec(&self) -> Vec<Option<T>> {
        (0..self.len).map(|i| self.get(i).cloned()).collect()
    }
}

impl<T: Clone> Clone for Node<T> {
    fn clone(&self) -> Self {
        match self {
            Node::Leaf(v) => Node::Leaf(v.clone()),
            Node::Branch(c) => Node::Branch(c.clone()),
        }
    }
}

/// An empty node `level` levels above the leaves.
fn empty<T>(level: u32) -> Node<T> {
    if level == 0 {
        Node::Leaf(std::array::from_fn(|_| None))
    } else {
        Node::Branch(std::array::from_fn(|_| None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_independent() {
        for len in [0, 1, 31, 32, 33, 1024, 1025, 70_000] {
            let mut a = Persistent::new(len);
            let step = (len / 97).max(1);
            for i in (0..len).step_by(step) {
                a.set(i, i);
            }
            let mut b = a.clone();
            if len > 0 {
                b.set(len - 1, usize::MAX);
            }
            for i in 0..len {
                let set = i % step == 0;
                assert_eq!(a.get(i), set.then_some(&i), "{len} {i}");
                if i + 1 < len {
                    assert_eq!(b.get(i), a.get(i));
                }
            }
            if len > 0 {
                assert_eq!(b.get(len - 1), Some(&usize::MAX));
                assert_eq!(a.to_vec().len(), len);
            }
            assert_eq!(a.get(len), None);
        }
    }
}
