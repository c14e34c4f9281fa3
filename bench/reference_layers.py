"""Times nn_dataflow 2.1's per-layer search on AlexNet's conv and fc layers.

Usage: PYTHON reference_layers.py [--batch 16] [--solver exhaustive|analytic]
Runs in a virtual environment with nn-dataflow==2.1 (see vs-reference.sh).
Prints one JSON line per layer: name, seconds, best cost and time.
The hardware is nnc's `eyeriss` preset: one node, 16x16 PEs, 256-word
register files, 65536-word global buffer, energies 1/200/6/2/1, all
bypasses allowed, one result kept, one process.
"""
import argparse, json, time
from nn_dataflow.core import (Cost, DataLayout, FmapPosition, FmapRange, MapStrategyEyeriss,
                              NodeRegion, Option, PartitionScheme, PhyDim2, Resource, Scheduling,
                              SchedulingCondition, SchedulingConstraint, ParallelEnum)
from nn_dataflow.nns import import_network

LAYERS = ["conv1_a", "conv2_a", "conv3_a", "conv4_a", "conv5_a", "fc1", "fc2", "fc3"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--solver", default="exhaustive", choices=["exhaustive", "analytic"])
    args = ap.parse_args()
    net = import_network("alex_net")
    proc = NodeRegion(dim=PhyDim2(1, 1), origin=PhyDim2(0, 0), type=NodeRegion.PROC)
    dram = NodeRegion(dim=PhyDim2(2, 2), origin=PhyDim2(0, 0), dist=PhyDim2(0, 0),
                      type=NodeRegion.DRAM)
    resource = Resource(proc_region=proc, dram_region=dram, src_data_region=dram,
                        dst_data_region=dram, dim_array=PhyDim2(16, 16), size_gbuf=65536,
                        size_regf=256, array_bus_width=float("inf"),
                        dram_bandwidth=float("inf"), no_time_mux=False)
    cost = Cost(mac_op=1, mem_hier=(200, 6, 2, 1), noc_hop=0, idl_unit=0)
    options = Option(sw_gbuf_bypass=(True, True, True),
                     sw_solve_loopblocking=args.solver == "analytic", ntops=1, nprocesses=1)
    trivial = PartitionScheme(order=range(ParallelEnum.NUM),
                              pdims=[PhyDim2(1, 1)] * ParallelEnum.NUM)
    for name in LAYERS:
        layer = net[name]
        ifrng = FmapRange(FmapPosition(b=0, n=0, h=0, w=0),
                          FmapPosition(b=args.batch, n=layer.nifm, h=layer.hifm, w=layer.wifm))
        layout = DataLayout(frngs=(ifrng,), regions=(dram,),
                            parts=(trivial.projection(dram, appl2frng=True),))
        cond = SchedulingCondition(resource=resource, constraint=SchedulingConstraint(),
                                   ifmap_layout=layout, sched_seq=(0, 0, 0))
        sched = Scheduling(layer, args.batch, cost, MapStrategyEyeriss)
        t0 = time.perf_counter()
        tops = sched.schedule_search(cond, options)
        dt = time.perf_counter() - t0
        best = tops[0] if tops else None
        print(json.dumps({"layer": name, "solver": args.solver, "seconds": dt,
                          "cost": best.total_cost if best else None,
                          "time": best.total_time if best else None}), flush=True)


if __name__ == "__main__":
    main()
