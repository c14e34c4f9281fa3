//! Which data of each layer some segment may keep on chip, under any
//! pipelining options (docs/model/bound.md#data-kept-on-chip): necessary
//! conditions drawn from the segment rules, so that the lower bound may
//! charge DRAM for everything else.

use super::dag::Dag;
use crate::ir::{LayerId, LayerShape, Network, Source};
use crate::sched::types::PerData;

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

/// Per layer (by index), per data kind: may some segment keep the layer's
/// data of that kind on chip, never touching DRAM for it? Filters: never
/// here (pinned filters are the bound's own question,
/// docs/model/bound.md#filters-kept-on-chip). A layer that is alone in
/// every segment (every layer of a DAG vertex holding a matmul or an
/// upsampling: runs holding it are skipped,
/// docs/model/pipelining.md#segment-generation) keeps nothing on chip.
/// Otherwise its input may stay on chip when every producer is such a
/// layer (one producer in memory makes the layer read all its input from
/// DRAM), or when another such layer reads the same sources and may fetch
/// them for it (a shared memory source); its output may, when every
/// consumer is such a layer (one consumer outside the segment, or none,
/// makes it write its output to DRAM).
pub(crate) fn may_stay_on_chip(net: &Network, dag: &Dag) -> Vec<PerData<bool>> {
    let mut alone = vec![false; net.layers().len()];
    for v in &dag.vertices {
        if v.iter().any(|&l| always_alone(&net.layer(l).shape)) {
            for l in v {
                alone[l.index()] = true;
            }
        }
    }
    let pipelinable = |l: LayerId| !alone[l.index()];
    let keys: Vec<SourceKey> = net.layer_ids().map(|l| source_key(net, l)).collect();
    net.layer_ids()
        .map(|l| {
            if !pipelinable(l) {
                return PerData([false; 3]);
            }
            let from_layers = net.sources(l).all(|s| match s {
                Source::Layer(p) => pipelinable(p),
                Source::Input | Source::Extern(_) => false,
            });
            let shared = net
                .layer_ids()
                .any(|o| o != l && pipelinable(o) && keys[o.index()] == keys[l.index()]);
            let consumers = net.consumers(l);
            let to_layers = !consumers.is_empty() && consumers.iter().all(|&c| pipelinable(c));
            PerData([false, from_layers || shared, to_layers])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        ConvShape, DataInput, Dim2, Layer, LayerKind, LocalShape, NetworkBuilder, Span, WindowMode,
    };

    fn layer(name: &str, kind: LayerKind, shape: LayerShape, inputs: &[Source]) -> Layer {
        Layer {
            name: name.into(),
            kind,
            shape,
            inputs: inputs.iter().map(|&s| s.into()).collect(),
            mode: WindowMode::Exact,
            span: Span::Api,
        }
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
        let on = may_stay_on_chip(&net, &dag);
        // `a` reads the network input alone and feeds `sum` on chip.
        assert_eq!(on[a.index()].0, [false, false, true]);
        // `sum` reads the input from memory too: all of its input from DRAM.
        assert_eq!(on[s.index()].0, [false, false, true]);
        // `b`'s output is the network's.
        assert_eq!(on[b.index()].0, [false, true, false]);
    }
}
