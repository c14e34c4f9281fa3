#!/usr/bin/env python3
"""Regenerates nnc's technology tables (src/tech/tables/*.csv).

Never run by the tests: nnc reads the committed CSV files. How to run it
(Python >= 3.12, in a throwaway virtual environment outside the repo):

    python3.12 -m venv /work/venvs/tech
    /work/venvs/tech/bin/pip install hwcomponents==1.0.114 \
        hwcomponents-cacti==1.0.40 hwcomponents-library==1.0.58 \
        hwcomponents-neurosim==1.0.43
    # hwcomponents-cacti ships a CACTI 7 binary built against a newer glibc;
    # if `cacti` fails to start, rebuild it from the sources it ships, with
    # -O2 (the shipped makefile has no optimization; the numbers are the same):
    #   cd <site-packages>/hwcomponents_cacti/cacti && mv cacti cacti.shipped \
    #     && sed -i 's/^  OPT = -g /  OPT = -O2 /' cacti.mk \
    #     && rm -rf obj_opt && make opt
    /work/venvs/tech/bin/python tools/tech/generate.py src/tech/tables

What each table holds and where its numbers come from is written down in
docs/model/technology.md; this script is the command behind the CACTI,
Aladdin, ISAAC and wire numbers, and the place where the cited published
figures (Horowitz, ISSCC'14) are scaled to every node.
"""

import logging
import math
import os
import sys

logging.disable(logging.CRITICAL)

from hwcomponents.scaling.techscaling import tech_node_area, tech_node_energy
import hwcomponents_cacti.hwcomponents_cacti as cacti_wrapper
from hwcomponents_cacti import SRAM, LPDDR4, LPDDR, DDR3, HBM2, HBM3
from hwcomponents_library.library.aladdin import AladdinRegister
from hwcomponents_library.library.isaac import IsaacRouter
from hwcomponents_library.library.misc import Wire

# Nodes CACTI covers through hwcomponents-cacti (28 nm is the package's
# linear interpolation between its 22 nm and 32 nm runs).
CACTI_NODES = [65, 45, 32, 22, 28]
# FinFET nodes: the 22 nm CACTI table scaled by Stillmaker & Baas (2017).
FINFET_NODES = [16, 7]
FINFET_BASE = 22
NODES = CACTI_NODES + FINFET_NODES

SRAM_CAPACITIES = [2**k for k in range(8, 26)]  # 256 B .. 32 MiB
SRAM_WORD_BITS = [8, 16, 32, 64, 128, 256, 512]
SRAM_PORTS = [1, 2]

# Horowitz, "Computing's energy problem (and what we can do about it)",
# ISSCC 2014, 45 nm, 0.9 V: integer add and multiply, energy (pJ) and area
# (um^2) per operation, as tabulated in Sze et al., "Efficient processing of
# deep neural networks: a tutorial and survey", Proc. IEEE 2017.
HOROWITZ_NM = 45
HOROWITZ_ADD = {8: (0.03, 36.0), 16: (0.05, 67.0), 32: (0.1, 137.0)}
HOROWITZ_MULT = {8: (0.2, 282.0), 32: (3.1, 3495.0)}
MAC_WORD_BITS = [8, 16, 32]


def _keep_every_run():
    """The package's run cache, without its pruning to the newest 200 runs,
    so that the 28 nm rows reuse the 32 and 22 nm runs. The numbers are the
    same either way; only the time differs."""
    d = os.path.join(os.path.dirname(os.path.abspath(cacti_wrapper.__file__)),
                     "cacti_inputs_outputs")
    os.makedirs(d, exist_ok=True)
    return d


cacti_wrapper._clean_tmp_dir = _keep_every_run


def m(nm):
    return nm * 1e-9


def loglog(x, x0, y0, x1, y1):
    """Power law through (x0, y0) and (x1, y1), evaluated at x."""
    t = math.log(x / x0) / math.log(x1 / x0)
    return math.exp(math.log(y0) + t * (math.log(y1) - math.log(y0)))


def horowitz_mult(bits):
    if bits in HOROWITZ_MULT:
        return HOROWITZ_MULT[bits]
    (e0, a0), (e1, a1) = HOROWITZ_MULT[8], HOROWITZ_MULT[32]
    return loglog(bits, 8, e0, 32, e1), loglog(bits, 8, a0, 32, a1)


def horowitz_add(bits):
    if bits in HOROWITZ_ADD:
        return HOROWITZ_ADD[bits]
    # An adder grows linearly with its width: a 64-bit adder is two 32-bit ones.
    e, a = HOROWITZ_ADD[32]
    return e * bits / 32, a * bits / 32


def mac_45nm(bits):
    """An n-bit MAC: an n x n multiplier and a 2n-bit accumulating adder."""
    me, ma = horowitz_mult(bits)
    ae, aa = horowitz_add(2 * bits)
    return me + ae, ma + aa


def sram_point(args):
    node, cap, bits, ports = args
    s = SRAM(tech_node=m(node), width=bits, size=cap * 8, n_rw_ports=ports)
    return (node, cap, bits, ports, s.cacti_area * 1e6, s.read_energy * 1e12,
            s.write_energy * 1e12, s.cacti_leak_power * 1e3)


def g(x):
    return "%.9g" % x


def write(path, header, rows):
    with open(path, "w") as f:
        for line in header:
            f.write(("# " + line).rstrip() + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def main(out):
    base = [(n, c, b, p) for n in CACTI_NODES for c in SRAM_CAPACITIES
            for b in SRAM_WORD_BITS for p in SRAM_PORTS]
    # One run at a time: the package's run cache is not safe across processes
    # (CACTI itself runs several threads).
    cacti = [sram_point(a) for a in base]
    by_key = {(r[0], r[1], r[2], r[3]): r for r in cacti}
    rows = []
    for node in sorted(NODES, reverse=True):
        for c in SRAM_CAPACITIES:
            for b in SRAM_WORD_BITS:
                for p in SRAM_PORTS:
                    if node in CACTI_NODES:
                        _, _, _, _, area, rd, wr, leak = by_key[(node, c, b, p)]
                    else:
                        _, _, _, _, area, rd, wr, leak = by_key[(FINFET_BASE, c, b, p)]
                        fa = tech_node_area(m(node), m(FINFET_BASE))
                        fe = tech_node_energy(m(node), m(FINFET_BASE))
                        area, rd, wr, leak = area * fa, rd * fe, wr * fe, leak * fe
                    rows.append([f"{node}nm", str(c), str(b), str(p), g(area), g(rd),
                                 g(wr), g(leak)])
    write(os.path.join(out, "sram.csv"), [
        "SRAM: area and energy per access of one word, by node, capacity, word width",
        "and read/write ports. Made by tools/tech/generate.py with hwcomponents-cacti",
        "1.0.40 (CACTI 7, itrs-lstp cells, one bank); 16nm and 7nm are the 22nm rows",
        "scaled by Stillmaker & Baas 2017 (hwcomponents 1.0.114 techscaling, 0.8 V).",
        "See docs/model/technology.md#sram.",
    ], [["node", "capacity_bytes", "word_bits", "ports", "area_mm2", "read_pj",
         "write_pj", "leakage_mw"]] + rows)

    parts = []
    for node in sorted(NODES, reverse=True):
        reg = AladdinRegister(tech_node=m(node), width=1)
        router = IsaacRouter(tech_node=m(node), width=1)
        wire = Wire(length=1e-3, tech_node=m(node))
        fa = tech_node_area(m(node), m(HOROWITZ_NM))
        fe = tech_node_energy(m(node), m(HOROWITZ_NM))
        for bits in MAC_WORD_BITS:
            e, a = mac_45nm(bits)
            parts.append([f"{node}nm", f"mac{bits}", g(a * fa * 1e-6), g(e * fe), ""])
        parts.append([f"{node}nm", "flipflop_bit", g(reg.area * 1e6),
                      g(reg.read().energy * 1e12), g(reg.write().energy * 1e12)])
        parts.append([f"{node}nm", "router_bit", g(router.area * 1e6),
                      g(router.transfer().energy * 1e12), ""])
        parts.append([f"{node}nm", "wire_bit_mm", "0", g(wire.read().energy * 1e12), ""])
    write(os.path.join(out, "parts.csv"), [
        "Per-node parts: area (mm2) and energy (pJ) per operation or per bit.",
        "macN: an N-bit integer MAC (N x N multiply + 2N-bit add), Horowitz ISSCC'14",
        "  45nm figures scaled by Stillmaker & Baas 2017; energy per MAC.",
        "flipflop_bit: one bit of a register (Aladdin, ISCA'14, 40nm, via",
        "  hwcomponents-library 1.0.58); energy = read, energy2 = write, per bit.",
        "router_bit: one bit of flit width of a NoC router (ISAAC, ISCA'16, 32nm,",
        "  via hwcomponents-library 1.0.58); energy per bit per traversal.",
        "wire_bit_mm: one bit over one mm of on-chip wire (hwcomponents-library",
        "  Wire: 0.2 pF/mm at 0.7 V, E = C V^2).",
        "Made by tools/tech/generate.py; see docs/model/technology.md#what-the-model-covers.",
    ], [["node", "part", "area_mm2", "energy_pj", "energy2_pj"]] + parts)

    dram = []
    for name, cls in [("lpddr", LPDDR), ("lpddr4", LPDDR4), ("ddr3", DDR3),
                      ("hbm2", HBM2), ("hbm3", HBM3)]:
        d = cls()
        dram.append([name, g(d.read().energy * 1e12 / d.width)])
    write(os.path.join(out, "dram.csv"), [
        "DRAM: energy per bit read or written, by interface. hwcomponents-cacti",
        "1.0.40's DRAM models (their sources: docs/model/technology.md#dram).",
        "Made by tools/tech/generate.py.",
    ], [["interface", "pj_per_bit"]] + dram)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/tech/tables")
