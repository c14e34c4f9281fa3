//! The order in which the network search visits layers
//! (docs/model/network.md#the-scheduling-order).
//!
//! Layers are grouped into vertices of a scheduling DAG — a convolution
//! starts a vertex, and a pooling or element-wise layer joins the vertex of
//! the producer it directly follows (as in the reference, in both models:
//! docs/compat.md#known_limitations) — and the vertices are visited in
//! reverse DFS post-order. The reference walks this order even without
//! pipelining, and since each layer's options depend on the layers scheduled
//! before it, the order can change results.

use crate::ir::{LayerId, Network, Source};

/// Layer groups of the scheduling DAG, in creation order.
fn vertices(net: &Network) -> Vec<Vec<LayerId>> {
    let mut vertices: Vec<Vec<LayerId>> = Vec::new();
    let consumers: Vec<Vec<LayerId>> = net.layer_ids().map(|id| net.consumers(id)).collect();
    for id in net.layer_ids() {
        let layer = net.layer(id);
        if layer.shape.is_conv() {
            vertices.push(vec![id]);
            continue;
        }
        let producers: Vec<LayerId> = layer
            .inputs
            .iter()
            .filter_map(|s| match s.source {
                Source::Layer(p) => Some(p),
                _ => None,
            })
            .collect();
        let joins = |v: &Vec<LayerId>| {
            let Some((&last, init)) = v.split_last() else {
                return false;
            };
            init.iter().all(|l| !producers.contains(l))
                && producers.contains(&last)
                && consumers[last.index()].len() == 1
        };
        match vertices.iter_mut().rev().find(|v| joins(v)) {
            Some(v) => v.push(id),
            None => vertices.push(vec![id]),
        }
    }
    vertices
}

/// The layers in the order the network search schedules them (the unit
/// tests read the order by name).
#[cfg(test)]
pub(crate) fn schedule_order(net: &Network) -> Vec<LayerId> {
    vertex_order(net).into_iter().flatten().collect()
}

/// The vertices of the scheduling DAG (each a run of layers), in the order
/// the network search visits them; inter-layer pipelining indexes vertices
/// by their position here (`sched::pipeline::dag`).
pub fn vertex_order(net: &Network) -> Vec<Vec<LayerId>> {
    let vertices = vertices(net);
    let mut vertex_of = vec![0; net.layers().len()];
    for (v, layers) in vertices.iter().enumerate() {
        for l in layers {
            vertex_of[l.index()] = v;
        }
    }
    // Consumers of a vertex outside it, in order of first appearance.
    let nexts = |v: usize| {
        let mut out: Vec<usize> = Vec::new();
        for &l in &vertices[v] {
            for c in net.consumers(l) {
                let cv = vertex_of[c.index()];
                if cv != v && !out.contains(&cv) {
                    out.push(cv);
                }
            }
        }
        out
    };
    let mut discovered = vec![false; vertices.len()];
    let mut finished = vec![false; vertices.len()];
    let mut post = Vec::with_capacity(vertices.len());
    // An explicit stack: (vertex, queued successors, next to visit).
    fn dfs(
        root: usize,
        nexts: &dyn Fn(usize) -> Vec<usize>,
        discovered: &mut [bool],
        finished: &mut [bool],
        post: &mut Vec<usize>,
    ) {
        let mut stack: Vec<(usize, Vec<usize>, usize)> = Vec::new();
        let enter = |v: usize, discovered: &mut [bool]| {
            discovered[v] = true;
            let queue: Vec<usize> = nexts(v)
                .into_iter()
                .rev()
                .filter(|&n| !discovered[n])
                .collect();
            (v, queue, 0)
        };
        if finished[root] {
            return;
        }
        stack.push(enter(root, discovered));
        while let Some((v, queue, i)) = stack.last_mut() {
            if let Some(&n) = queue.get(*i) {
                *i += 1;
                if !finished[n] {
                    let frame = enter(n, discovered);
                    stack.push(frame);
                }
            } else {
                let v = *v;
                finished[v] = true;
                post.push(v);
                stack.pop();
            }
        }
    }
    // Roots: vertices of the layers fed only by network inputs, in reverse.
    let firsts: Vec<LayerId> = net
        .layer_ids()
        .filter(|&id| {
            net.layer(id)
                .inputs
                .iter()
                .all(|s| !matches!(s.source, Source::Layer(_)))
        })
        .collect();
    for &l in firsts.iter().rev() {
        dfs(
            vertex_of[l.index()],
            &nexts,
            &mut discovered,
            &mut finished,
            &mut post,
        );
    }
    post.iter().rev().map(|&v| vertices[v].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        ConvShape, DataInput, Dim2, Layer, LayerKind, LayerShape, LocalShape, NetworkBuilder, Span,
    };

    fn input(name: &str, c: u64) -> DataInput {
        DataInput {
            name: name.into(),
            channels: c,
            size: Dim2::square(8),
            span: Span::Api,
        }
    }

    fn add(b: &mut NetworkBuilder, name: &str, shape: LayerShape, srcs: &[&str]) {
        let inputs = srcs.iter().map(|s| b.source(s).unwrap().into()).collect();
        let kind = if shape.is_conv() {
            LayerKind::Conv
        } else {
            LayerKind::Eltwise
        };
        b.add_layer(Layer::api(name, kind, shape, inputs)).unwrap();
    }

    fn conv(nifm: u64, nofm: u64) -> LayerShape {
        LayerShape::Conv(ConvShape::dense(
            nifm,
            nofm,
            Dim2::square(8),
            Dim2::square(1),
            Dim2::square(1),
        ))
    }

    #[test]
    fn reverse_post_order_of_the_spec_example() {
        // docs/model/network.md#the-scheduling-order: c1; a1, b1 <- c1; a2 <- a1; p1 <- b1;
        // cat <- (a2, p1); e <- (cat, c1).
        let mut b = NetworkBuilder::new("t", input("x", 4)).unwrap();
        add(&mut b, "c1", conv(4, 8), &["x"]);
        add(&mut b, "a1", conv(8, 8), &["c1"]);
        add(&mut b, "b1", conv(8, 8), &["c1"]);
        add(&mut b, "a2", conv(8, 8), &["a1"]);
        let pool = LocalShape::pool(8, Dim2::square(8), Dim2::square(1), Dim2::square(1));
        add(&mut b, "p1", LayerShape::Local(pool), &["b1"]);
        add(&mut b, "cat", conv(16, 8), &["a2", "p1"]);
        add(
            &mut b,
            "e",
            LayerShape::Local(LocalShape::eltwise(8, Dim2::square(8), 2)),
            &["cat", "c1"],
        );
        let net = b.finish();
        let names: Vec<&str> = schedule_order(&net)
            .into_iter()
            .map(|id| net.layer(id).name.as_str())
            .collect();
        assert_eq!(names, ["c1", "a1", "a2", "b1", "p1", "cat", "e"]);
    }
}
