"""Flattening schedules and sweep results into pandas frames: one row per
layer or per sweep row, every column a number (names and kinds aside),
units in the column names."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

#: The energy breakdown's parts, in the schedule file's order.
ENERGY_PARTS = ("op", "dram", "gbuf", "array", "regf", "noc", "static")
LEVELS = ("dram", "gbuf", "array", "regf")
KINDS = ("fil", "ifm", "ofm")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "to_pandas() needs pandas, which nnc does not install: pip install pandas"
        ) from None
    return pandas


def to_frame(rows: List[Dict[str, Any]], index: Optional[str] = None) -> Any:
    """A DataFrame of ``rows`` (dicts with the same keys)."""
    pd = _pandas()
    frame = pd.DataFrame.from_records(rows)
    if index is not None and len(frame):
        frame = frame.set_index(index)
    return frame


def unit_suffix(unit: str) -> str:
    """An energy unit as a column suffix: ``pJ`` -> ``pj``, ``MAC`` -> ``mac``."""
    return "".join(c if c.isalnum() else "_" for c in unit).lower()


def layer_rows(layers: Sequence[Dict[str, Any]], energy_unit: str) -> List[Dict[str, Any]]:
    """One flat row per layer of a schedule file."""
    e = unit_suffix(energy_unit)
    rows = []
    for layer in layers:
        shape = layer["shape"]
        time = layer["time"]
        row: Dict[str, Any] = {"layer": layer["name"], "kind": layer["kind"]}
        place = layer.get("place")
        row["segment"] = place["segment"] if place else None
        row["nifm"], row["nofm"] = shape["nifm"], shape["nofm"]
        row["ofmap_h"], row["ofmap_w"] = shape["ofmap"]
        row["kernel_h"], row["kernel_w"] = shape["kernel"]
        row["stride_h"], row["stride_w"] = shape["stride"]
        row["ops_macs"] = layer["ops"]
        row[f"energy_{e}"] = layer["energy"]
        for part in ENERGY_PARTS:
            row[f"energy_{part}_{e}"] = layer["energy_breakdown"][part]
        row["time_cycles"] = time["total"]
        for part in ("proc", "bus", "dram"):
            row[f"time_{part}_cycles"] = time[part]
        for level in LEVELS:
            for kind in KINDS:
                row[f"accesses_{level}_{kind}_words"] = layer["accesses"][level][kind]
        for kind in KINDS:
            row[f"noc_hops_{kind}_word_hops"] = layer["noc_hops"][kind]
        row["nodes"] = layer["partition"]["nodes"]
        row["active_pes"] = layer["active_pes"]
        row["utilization_fraction"] = layer["utilization"]
        row[f"lower_bound_energy_{e}"] = layer["lower_bound"]["energy"]
        row["lower_bound_time_cycles"] = layer["lower_bound"]["time"]
        rows.append(row)
    return rows


def _number(cell: str) -> Any:
    """A cell as a number when it is one (``8x8`` and words stay text)."""
    if cell == "":
        return float("nan")
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell


def sweep_frame(columns: Sequence[str], rows: Sequence[Sequence[str]], energy_unit: str) -> List[Dict[str, Any]]:
    """The rows of a results file as dicts: keys as numbers where they are,
    results renamed with their units (``energy`` -> ``energy_pj``,
    ``time`` -> ``time_cycles``) and always floats."""
    e = unit_suffix(energy_unit)
    first = columns.index("energy")
    names = []
    for i, c in enumerate(columns):
        if c == "energy":
            names.append(f"energy_{e}")
        elif c == "time":
            names.append("time_cycles")
        elif i > first and c.startswith("energy_"):
            names.append(f"{c}_{e}")
        else:
            names.append(c)
    out = []
    for r in rows:
        row: Dict[str, Any] = {}
        for i, (name, cell) in enumerate(zip(names, r)):
            if name in ("network", "status"):
                row[name] = cell
            elif i >= first:
                row[name] = float("nan") if cell == "" else float(cell)
            else:
                row[name] = _number(cell)
        out.append(row)
    return out
