"""Replays fixed sequences of unit-hop queries through nn_dataflow 2.1's
memoised unit_nhops_to_proc_region, one process per sequence, and prints the
hops returned (memo effects included) as JSON."""
import json, sys
from nn_dataflow.core import (DataLayout, NodeRegion, PartitionScheme, FmapRange,
    PhyDim2, Option, ConvLayer, FCLayer, PoolingLayer, EltwiseLayer)
from nn_dataflow.core import partition as P

LAYERS = [
    ConvLayer(8, 16, 8, 3), ConvLayer(16, 16, 8, 3), ConvLayer(16, 32, 4, 3, strd=2),
    FCLayer(64, 32, 2), PoolingLayer(16, 4, 2, strd=2), EltwiseLayer(8, 8, 2),
    ConvLayer(3, 8, 7, 3), PoolingLayer(48, 27, 3, strd=2),
]
CONFIGS = {
    'A': dict(nodes=(4, 4), mem='2D', batch=4, opts=dict(partition_hybrid=True, partition_batch=True), fwd=False, passes=1),
    'B': dict(nodes=(4, 4), mem='2D', batch=4, opts=dict(partition_hybrid=True, partition_batch=True, partition_ifmaps=True), fwd=True, passes=1),
    'C': dict(nodes=(2, 2), mem='2D', batch=4, opts=dict(), fwd=False, passes=1),
    'D': dict(nodes=(2, 4), mem='3D', batch=8, opts=dict(partition_hybrid=True, partition_batch=True), fwd=False, passes=1),
    'E': dict(nodes=(4, 4), mem='2D', batch=16, opts=dict(partition_hybrid=True, partition_batch=True, partition_ifmaps=True), fwd=False, passes=2),
}

def run(name):
    cfg = CONFIGS[name]
    h, w = cfg['nodes']
    proc = NodeRegion(dim=PhyDim2(h, w), origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    if cfg['mem'] == '2D':
        dram = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=PhyDim2(h - 1, w - 1), type=NodeRegion.DRAM)
    else:
        dram = NodeRegion(dim=PhyDim2(h, w), origin=PhyDim2(0, 0), type=NodeRegion.DRAM)
    opt = Option(hw_access_forwarding=cfg['fwd'], **cfg['opts'])
    fil = frozenset(dram.iter_node())
    B = cfg['batch']
    out = []
    for _ in range(cfg['passes']):
        for layer in LAYERS:
            parts = list(P.gen_partition(layer, B, proc.dim, opt, guaranteed=True))
            ifrng = FmapRange((0, 0, 0, 0), (B, layer.nifm, layer.hifm, layer.wifm))
            ofrng = FmapRange((0, 0, 0, 0), (B, layer.nofm, layer.hofm, layer.wofm))
            for p_in in parts[:2]:
                ifl = DataLayout(frngs=(ifrng,), regions=(dram,), parts=(p_in.projection(dram, appl2frng=True),))
                for i, part in enumerate(parts):
                    if i % 4 == 3 and part.size(3) == 1:
                        ofl = DataLayout(frngs=(ofrng,), regions=(proc,), parts=(part,))
                    else:
                        ofl = DataLayout(frngs=(ofrng,), regions=(dram,), parts=(part.projection(dram, appl2frng=True),))
                    out.append(list(P.unit_nhops_to_proc_region(layer, B, proc, part, fil, ifl, ofl, opt)))
    return out

def run_lru(name):
    """F: the aliased IFM entry is evicted by 1024 newer ones before the
    second order comes; G: it is refreshed (a hit) after 1000 of them, so it
    survives 100 more and the second order is aliased."""
    proc = NodeRegion(dim=PhyDim2(4, 4), origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    dram = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=PhyDim2(3, 3), type=NodeRegion.DRAM)
    opt = Option(partition_hybrid=True, partition_batch=True)
    fil = frozenset(dram.iter_node())
    pool = PoolingLayer(48, 27, 3, strd=2)
    def mk(order, pdims):
        return PartitionScheme(order=order, pdims=[PhyDim2(*p) for p in pdims])
    conv1a = mk((0, 3, 2, 1), [(1, 1), (2, 1), (1, 2), (1, 1)])
    ifl = DataLayout(frngs=(FmapRange((0, 0, 0, 0), (16, 48, 55, 55)),), regions=(dram,), parts=(conv1a,))
    ofrng = FmapRange((0, 0, 0, 0), (16, 48, 27, 27))
    def pool_query(order, local=False):
        part = mk(order, [(2, 1), (2, 1), (1, 4), (1, 1)])
        if local:
            ofl = DataLayout(frngs=(ofrng,), regions=(proc,), parts=(part,))
        else:
            ofl = DataLayout(frngs=(ofrng,), regions=(dram,), parts=(part.projection(dram, appl2frng=True),))
        return list(P.unit_nhops_to_proc_region(pool, 16, proc, part, fil, ifl, ofl, opt))
    def filler(n):
        layer = ConvLayer(n, 4, 2, 1)
        part = next(iter(P.gen_partition(layer, 1, proc.dim, opt, guaranteed=True)))
        ifl = DataLayout(frngs=(FmapRange((0, 0, 0, 0), (1, n, 2, 2)),), regions=(dram,), parts=(part.projection(dram, appl2frng=True),))
        ofl = DataLayout(frngs=(FmapRange((0, 0, 0, 0), (1, 4, 2, 2)),), regions=(dram,), parts=(part.projection(dram, appl2frng=True),))
        return list(P.unit_nhops_to_proc_region(layer, 1, proc, part, fil, ifl, ofl, opt))
    first, second = (3, 2, 0, 1), (3, 2, 1, 0)
    out = [pool_query(first)]
    if name == 'F':
        out += [filler(n) for n in range(1, 1025)]
    else:
        out += [filler(n) for n in range(1, 1001)]
        out.append(pool_query(first, local=True))
        out += [filler(n) for n in range(1001, 1101)]
    out.append(pool_query(second))
    return out

print(json.dumps(run(sys.argv[1]) if sys.argv[1] in CONFIGS else run_lru(sys.argv[1])))
