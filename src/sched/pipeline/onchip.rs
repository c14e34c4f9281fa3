//! Which data of each layer some segment may keep on chip, under any
//! pipelining options (docs/model/bound.md#data-kept-on-chip): necessary
//! conditions drawn from the segment rules, so that the lower bound may
//! charge DRAM for everything else.

use super::dag::Dag;
use crate::ir::{LayerId, LayerShape, Network, Source};
use crate::sched::types::PerData;
use std::collections::BTreeMap;

/// Is a layer of this shape alone in every segment? A matmul runs sample
/// by sample and reads its operand from DRAM (docs/model/layers.md#matmul),
/// and an upsampling's consumers read its output reshaped
/// (docs/model/layers.md#upsampling).
pub(crate) fn always_alone(shape: &LayerShape) -> bool {
    shape.is_matmul() || matches!(shape, LayerShape::Conv(c) if c.is_shuffled())
}

/// What makes two layers' inputs a shared memory source
/// (docs/model/pipelining.md#dependencies): the same producers, memory (the
/// network input and every extern input alike) or layers, with the same
/// channels of each.
type SourceKey = Vec<(Option<LayerId>, Option<crate::ir::ChannelRange>)>;

fn source_key(net: &Network, l: LayerId) -> SourceKey {
    net.layer(l)
        .inputs
        .iter()
        .map(|v| match v.source {
            Source::Layer(p) => (Some(p), v.channels),
            Source::Input | Source::Extern(_) => (None, v.channels),
        })
        .collect()
}

/// What some segment may keep on chip of one layer, under any options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OnChip {
    /// Per data kind: may the layer's data of that kind stay on chip, never
    /// touching DRAM? Filters: never here (pinned filters are the bound's
    /// own question, docs/model/bound.md#filters-kept-on-chip).
    pub data: PerData<bool>,
    /// May the layer run in a segment with other layers (its time then
    /// overlapping theirs)?
    pub shared_segment: bool,
}

/// Per layer (by index), what some segment may keep on chip, on a machine
/// of `nodes` nodes of `size_gbuf` buffer words each
/// (docs/model/bound.md#data-kept-on-chip). A layer that is alone in every
/// segment (every layer of a DAG vertex holding a matmul or an upsampling:
/// runs holding it are skipped, docs/model/pipelining.md#segment-generation)
/// keeps nothing on chip. Otherwise its input may stay on chip when every
/// producer may pass it its output on chip (one producer in memory makes the
/// layer read all its input from DRAM), or when another such layer reads the
/// same sources and may fetch them for it (a shared memory source); its
/// output may, when it has consumers and may pass its output on chip to
/// every one (a consumer outside the segment, or none, makes it write its
/// output to DRAM).
pub(crate) fn may_stay_on_chip(
    net: &Network,
    dag: &Dag,
    nodes: u64,
    size_gbuf: u64,
) -> Vec<OnChip> {
    let mut alone = vec![false; net.layers().len()];
    let mut after_conv = vec![false; net.layers().len()];
    for v in &dag.vertices {
        if v.iter().any(|&l| always_alone(&net.layer(l).shape)) {
            for l in v {
                alone[l.index()] = true;
            }
        }
        let mut conv = false;
        for &l in v {
            conv |= net.layer(l).shape.is_conv();
            after_conv[l.index()] = conv;
        }
    }
    let pipelinable = |l: LayerId| !alone[l.index()];
    // May `p` pass its output to `c` on chip? Both must be pipelinable. On
    // one node a segment is one temporal group; when `c` is a convolution
    // and a convolution precedes `p` in its vertex (or `p` is one), both
    // are in that group, and `p` must buffer its whole output of one
    // sample in the node's buffer (docs/model/pipelining.md#fbofm_init):
    // if it does not fit, no segment holds both.
    let passes = |p: LayerId, c: LayerId| {
        let too_large = nodes == 1
            && net.layer(c).shape.is_conv()
            && after_conv[p.index()]
            && net.layer(p).shape.total_ofmap_size(1) > size_gbuf;
        pipelinable(p) && pipelinable(c) && !too_large
    };
    let keys: Vec<SourceKey> = net.layer_ids().map(|l| source_key(net, l)).collect();
    // Pipelinable readers of each source key.
    let mut readers: BTreeMap<&SourceKey, usize> = BTreeMap::new();
    for l in net.layer_ids().filter(|&l| pipelinable(l)) {
        *readers.entry(&keys[l.index()]).or_default() += 1;
    }
    let several = net.layers().len() > 1;
    net.layer_ids()
        .map(|l| {
            if !pipelinable(l) {
                return OnChip {
                    data: PerData([false; 3]),
                    shared_segment: false,
                };
            }
            let from_layers = net.sources(l).all(|s| match s {
                Source::Layer(p) => passes(p, l),
                Source::Input | Source::Extern(_) => false,
            });
            let shared = readers.get(&keys[l.index()]).is_some_and(|&n| n > 1);
            let consumers = net.consumers(l);
            let to_layers = !consumers.is_empty() && consumers.iter().all(|&c| passes(l, c));
            OnChip {
                data: PerData([false, from_layers || shared, to_layers]),
                shared_segment: several,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        ConvShape, DataInput, Dim2, Layer, LayerKind, LocalShape, NetworkBuilder, Span,
    };

    fn layer(name: &str, kind: LayerKind, shape: LayerShape, inputs: &[Source]) -> Layer {
        Layer::api(
            name,
            kind,
            shape,
            inputs.iter().map(|&s| s.into()).collect(),
        )
    }

    #[test]
    fn data_of_layers_that_may_share_a_segment() {
        // data -> a (1x1 conv) -> sum(data, a); data -> b (1x1 conv);
        // a twin of b reads data too.
        let input = DataInput {
            name: "data".into(),
            channels: 4,
            size: Dim2::square(3),
            span: Span::Api,
        };
        let mut net = NetworkBuilder::new("n", input).unwrap();
        let conv = LayerShape::Conv(ConvShape::dense(
            4,
            4,
            Dim2::square(3),
            Dim2::square(1),
            Dim2::square(1),
        ));
        let sum = LayerShape::Local(LocalShape::eltwise(4, Dim2::square(3), 2));
        let a = net
            .add_layer(layer("a", LayerKind::Conv, conv, &[Source::Input]))
            .unwrap();
        let s = net
            .add_layer(layer(
                "sum",
                LayerKind::Eltwise,
                sum,
                &[Source::Input, Source::Layer(a)],
            ))
            .unwrap();
        let b = net
            .add_layer(layer("b", LayerKind::Conv, conv, &[Source::Layer(s)]))
            .unwrap();
        let net = net.finish();
        let dag = Dag::new(&net, crate::sched::search::order::vertex_order(&net));
        let on = |nodes, gbuf| -> Vec<[bool; 3]> {
            may_stay_on_chip(&net, &dag, nodes, gbuf)
                .iter()
                .map(|o| o.data.0)
                .collect()
        };
        let big = on(1, 1 << 20);
        // `a` reads the network input alone and feeds `sum` on chip.
        assert_eq!(big[a.index()], [false, false, true]);
        // `sum` reads the input from memory too: all of its input from DRAM.
        assert_eq!(big[s.index()], [false, false, true]);
        // `b`'s output is the network's.
        assert_eq!(big[b.index()], [false, true, false]);
        // `sum` follows the convolution `a` in its vertex and feeds the
        // convolution `b`: on one node its 36 words of one sample must fit
        // the buffer, on more nodes `b` may stream them from a group of
        // its own.
        assert_eq!(on(1, 35)[b.index()], [false, false, false]);
        assert_eq!(on(1, 35)[s.index()], [false, false, false]);
        assert_eq!(on(1, 36)[b.index()], [false, true, false]);
        assert_eq!(on(2, 35)[b.index()], [false, true, false]);
    }
}
