"""Sweep a design space, load it into pandas, plot the Pareto front of
energy against time (docs/python.md). Run from the repository root:
python python/examples/pareto.py [OUT.png]"""

import sys

import matplotlib

matplotlib.use("Agg")  # headless: no display needed
import matplotlib.pyplot as plt

import nnc

# AlexNet at batch 16 on TETRIS: node arrays x PE arrays x buffer sizes,
# SRAM energies scaled with capacity (docs/sweep.md#the-sram-energy-rule).
result = nnc.sweep({
    "networks": ["nns/alex_net.nn"],
    "hw": "tetris",
    "batch": [16],
    "sram_energy": "sqrt",
    "options": {"partition": "hybrid"},
    "vary": {
        "nodes.dims": [[2, 2], [4, 4], [8, 8]],
        "node.pe_array": [[8, 8], [16, 16]],
        "node.gbuf_bytes": [32768, 131072, 524288],
    },
})
df = result.to_pandas()
df = df[df["status"] == "ok"].sort_values(["time_cycles", "energy_pj"])

# The Pareto front: the points no other beats in both energy and time.
front = df[df["energy_pj"] < df["energy_pj"].cummin().shift(fill_value=float("inf"))]
# A pair is two columns, its rows and its columns (docs/sweep.md#the-results-file).
pair = lambda p, key: f"{p[key + '.rows']}x{p[key + '.cols']}"
front = front.assign(nodes=front.apply(pair, axis=1, key="nodes.dims"),
                     pe_array=front.apply(pair, axis=1, key="node.pe_array"))
print(front[["nodes", "pe_array", "node.gbuf_bytes", "energy_pj", "time_cycles"]].to_string(index=False))

fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(df["time_cycles"], df["energy_pj"] / 1e6, label="design points", color="0.6")
ax.plot(front["time_cycles"], front["energy_pj"] / 1e6, "o-", color="C3", label="Pareto front")
for _, p in front.iterrows():
    ax.annotate(f"{p['nodes']} x {p['pe_array']}, {p['node.gbuf_bytes'] // 1024} KiB",
                (p["time_cycles"], p["energy_pj"] / 1e6), fontsize=7,
                textcoords="offset points", xytext=(4, 4))
ax.set_xlabel("time (cycles)")
ax.set_ylabel("energy (µJ)")
ax.set_title("AlexNet, batch 16, on TETRIS-like nodes")
ax.legend()
fig.tight_layout()
out = sys.argv[1] if len(sys.argv) > 1 else "pareto.png"
fig.savefig(out, dpi=120)
print(f"wrote {out}")
