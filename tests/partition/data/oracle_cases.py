"""Random differential cases for the partition model, answered by the
reference (nn_dataflow 2.1): gen_partition lists and exact unit hops."""
import json, random, sys
from nn_dataflow.core import (DataLayout, NodeRegion, PartitionScheme, FmapRange,
    PhyDim2, Option, ConvLayer, FCLayer, PoolingLayer, EltwiseLayer, InputLayer)
from nn_dataflow.core import partition as P

rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)

def rand_layer(allow_input=False):
    k = rng.choice(['conv', 'conv', 'fc', 'pool', 'elt'] + (['input'] if allow_input else []))
    if k == 'conv':
        s = rng.randint(1, 9); f = rng.randint(1, 3); t = rng.randint(1, 2)
        l = ConvLayer(rng.randint(1, 40), rng.randint(1, 40), s, f, strd=t)
        d = dict(type='Conv', nifm=l.nifm, nofm=l.nofm, sofm=[l.hofm, l.wofm], sfil=[l.hfil, l.wfil], strd=[l.htrd, l.wtrd])
    elif k == 'fc':
        l = FCLayer(rng.randint(1, 64), rng.randint(1, 40), rng.randint(1, 3))
        d = dict(type='Conv', nifm=l.nifm, nofm=l.nofm, sofm=[1, 1], sfil=[l.hfil, l.wfil], strd=[1, 1])
    elif k == 'pool':
        r = rng.randint(1, 3)
        l = PoolingLayer(rng.randint(1, 40), rng.randint(1, 9), r, strd=rng.randint(1, r))
        d = dict(type='Pooling', nofm=l.nofm, sofm=[l.hofm, l.wofm], sreg=[l.hreg, l.wreg], strd=[l.htrd, l.wtrd])
    elif k == 'elt':
        l = EltwiseLayer(rng.randint(1, 24), rng.randint(1, 9), rng.randint(2, 3))
        d = dict(type='Eltwise', nofm=l.nofm, sofm=[l.hofm, l.wofm], nreg=l.nreg)
    else:
        l = InputLayer(rng.randint(1, 16), rng.randint(1, 16))
        d = dict(type='Input', nofm=l.nofm, sofm=[l.hofm, l.wofm])
    return l, d

def region_json(r):
    return dict(dim=list(r.dim), origin=list(r.origin), dist=list(r.dist),
                type='PROC' if r.type == NodeRegion.PROC else 'DRAM', wtot=r.wtot, wbeg=r.wbeg)

def part_json(p):
    return dict(order=list(p.order), pdims=[list(d) for d in p.pdims])

def layout_json(l):
    return [dict(frng=[list(f.fp_beg), list(f.fp_end)], region=region_json(r), part=part_json(p))
            for f, r, p in zip(l.frngs, l.regions, l.parts)]

def rand_opts():
    hybrid = rng.random() < 0.7
    return dict(partition_hybrid=hybrid, partition_batch=rng.random() < 0.6,
                partition_ifmaps=hybrid and rng.random() < 0.5)

def gen_cases(n):
    out = []
    for _ in range(n):
        layer, d = rand_layer(allow_input=True)
        batch = rng.choice([1, 2, 3, 4, 6, 8, 16])
        nodes = (rng.randint(1, 5), rng.randint(1, 5))
        opts = rand_opts()
        parts = list(P.gen_partition(layer, batch, PhyDim2(*nodes), Option(**opts), guaranteed=True))
        out.append(dict(layer=d, batch=batch, dim_nodes=list(nodes), options=opts,
                        schemes=[part_json(p) for p in parts]))
    return out

def clear():
    for f in (P.unit_nhops_to_proc_region, P._unit_nhops_to_fil, P._unit_nhops_to_ifm, P._unit_nhops_to_ofm):
        f.cache_clear()

def rand_part_for(layer, batch, dims, opts):
    parts = list(P.gen_partition(layer, batch, dims, Option(**opts), guaranteed=True))
    return rng.choice(parts)

def hop_cases(n):
    out = []
    while len(out) < n:
        layer, d = rand_layer()
        batch = rng.choice([1, 2, 4, 8])
        H, W = rng.randint(1, 4), rng.randint(1, 5)
        whole = NodeRegion(dim=PhyDim2(H, W), origin=PhyDim2(0, 0), type=NodeRegion.PROC)
        # The processing region: the whole array or a (possibly folded) allocated part.
        proc = whole
        if rng.random() < 0.4 and H * W >= 2:
            a = rng.randint(1, H * W - 1)
            subs = whole.allocate([a, H * W - a])
            if subs:
                proc = rng.choice(subs)
        if rng.random() < 0.5:
            dram = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=PhyDim2(H - 1, W - 1), type=NodeRegion.DRAM)
        else:
            dram = NodeRegion(dim=PhyDim2(H, W), origin=PhyDim2(0, 0), type=NodeRegion.DRAM)
        opts = rand_opts()
        part = rand_part_for(layer, batch, proc.dim, opts)
        # Ifmap layout: one piece or two (channel concatenation), on DRAM or on processing nodes.
        hin = layer.hifm if rng.random() < 0.8 else max(1, layer.hofm * layer.htrd)
        win = layer.wifm if rng.random() < 0.8 else max(1, layer.wofm * layer.wtrd)
        nin = layer.nifm
        def piece(n0, n1):
            reg = rng.choice([dram, dram, whole, proc])
            src = InputLayer(max(1, n1 - n0), (hin, win))
            p = rand_part_for(src, batch, reg.dim, dict(partition_hybrid=True, partition_batch=True))
            p = p.projection(reg, appl2frng=True)
            return DataLayout(frngs=(FmapRange((0, 0, 0, 0), (batch, n1 - n0, hin, win)),), regions=(reg,), parts=(p,))
        if nin >= 2 and rng.random() < 0.4:
            cut = rng.randint(1, nin - 1)
            ifl = DataLayout.concat(piece(0, cut), piece(cut, nin))
        else:
            ifl = piece(0, nin)
        ofrng = FmapRange((0, 0, 0, 0), (batch, layer.nofm, layer.hofm, layer.wofm))
        r = rng.random()
        if r < 0.25 and part.size(3) == 1:
            ofl = DataLayout(frngs=(ofrng,), regions=(proc,), parts=(part,))
        else:
            reg = dram if r < 0.8 else whole
            ofl = DataLayout(frngs=(ofrng,), regions=(reg,), parts=(part.projection(reg, appl2frng=True),))
        fwd = rng.random() < 0.4
        fil = frozenset(dram.iter_node())
        clear()
        hops = P.unit_nhops_to_proc_region(layer, batch, proc, part, fil, ifl, ofl,
                                           Option(hw_access_forwarding=fwd, **opts))
        out.append(dict(layer=d, batch=batch, proc_region=region_json(proc), dram_region=region_json(dram),
                        part=part_json(part), ifmap_layout=layout_json(ifl), ofmap_layout=layout_json(ofl),
                        forwarding=fwd, unit_nhops=list(hops)))
    return out

print(json.dumps(dict(gen_partition=gen_cases(int(sys.argv[2])), unit_nhops=hop_cases(int(sys.argv[3])))))
