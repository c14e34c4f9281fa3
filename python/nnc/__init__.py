"""nnc from Python: schedule neural networks on accelerators, sweep design
spaces, and get the results as dictionaries or pandas frames.

The numbers are the command line's: ``nnc.schedule(net, hw, batch=16)``
gives byte for byte the schedule file ``nnc schedule NET --hw HW --batch 16
-o FILE`` writes. The search runs in Rust with the GIL released; Ctrl-C
stops it. See docs/python.md.

>>> import nnc
>>> s = nnc.schedule("nns/alex_net.nn", "eyeriss", batch=16)   # doctest: +SKIP
>>> s.totals["energy"]                                        # doctest: +SKIP
80303647232.0
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _nnc
from ._nnc import Error, InputError, NoScheduleError, UsageError
from ._frames import layer_rows, sweep_frame, to_frame

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Error",
    "InputError",
    "UsageError",
    "NoScheduleError",
    "Network",
    "Hardware",
    "Schedule",
    "SweepResult",
    "Diff",
    "network",
    "hardware",
    "schedule",
    "load_schedule",
    "sweep",
    "diff",
    "OPTIONS",
    "PRESETS",
]

__version__: str = _nnc.__version__

PathLike = Union[str, "os.PathLike[str]"]

#: The hardware presets shipped with nnc.
PRESETS = (
    "eyeriss",
    "eyeriss-chip",
    "tetris-l1",
    "tetris",
    "isca16-rs",
    "isca16-ws",
    "isca16-osa",
    "isca16-osb",
    "isca16-osc",
    "isca16-nlr",
    "tpu-v1",
)

#: The options of :func:`schedule`: the flags of ``nnc schedule`` with
#: underscores, and their defaults. ``None`` for ``partition`` and the
#: switches after it means the model's default, as on the command line:
#: in nnc's own model the search widens to hybrid partitioning (batch and
#: input channels too), access forwarding, save-writeback and inter-layer
#: pipelining; ``False`` (or ``partition="naive"``) restricts it; with
#: ``compat="nn_dataflow"`` all are off unless set.
OPTIONS: Dict[str, Any] = {
    "solver": "exhaustive",
    "partition": None,
    "batch_partition": None,
    "ifmap_partition": None,
    "access_forwarding": None,
    "gbuf_sharing": False,
    "interlayer": None,
    "save_writeback": None,
    "basic_interlayer": False,
    "pipeline_time_overhead": None,
    "pipeline_max_degree": None,
    "no_bypass": None,
    "goal": "e",
    "top": 1,
    "threads": None,
    "compat": None,
}


def _warn(text: str) -> None:
    if text:
        warnings.warn(text, UserWarning, stacklevel=3)


class Network:
    """A network, compiled (from a ``.nn`` file, ``.nn`` text or an ONNX
    model): its name, its ``.nn`` source and its layers."""

    def __init__(self, native: "_nnc.Network") -> None:
        self._native = native
        self._ir: Optional[Dict[str, Any]] = None

    @property
    def name(self) -> str:
        """The network's name (``network NAME``)."""
        return self._native.name

    @property
    def source(self) -> str:
        """Its ``.nn`` text (an ONNX model's: the text it is imported as)."""
        return self._native.source

    def to_dict(self) -> Dict[str, Any]:
        """The network IR as ``nnc check --json`` prints it."""
        if self._ir is None:
            self._ir = json.loads(self._native.to_json())
        return json.loads(json.dumps(self._ir))

    @property
    def layers(self) -> List[Dict[str, Any]]:
        """The layers in definition order, each a dict as in ``nnc check --json``."""
        return self.to_dict()["layers"]

    def to_pandas(self) -> "pandas.DataFrame":
        """One row per layer: name, kind, channels, sizes and MACs per sample."""
        rows = []
        for layer in self.layers:
            row: Dict[str, Any] = {"layer": layer["name"], "kind": layer["kind"]}
            for key in ("nifm", "nofm"):
                row[key] = layer[key]
            for key in ("ifmap", "ofmap", "kernel", "stride"):
                if key in layer:
                    row[f"{key}_h"], row[f"{key}_w"] = layer[key]
            row["ops_macs_per_sample"] = layer.get("ops")
            rows.append(row)
        return to_frame(rows, index="layer")

    def __repr__(self) -> str:
        return repr(self._native)


class Hardware:
    """A hardware description, checked: a preset or a ``.toml`` file, with
    ``set`` changes applied."""

    def __init__(self, native: "_nnc.Hardware") -> None:
        self._native = native

    @property
    def name(self) -> str:
        """The hardware's name."""
        return self._native.name

    def to_dict(self) -> Dict[str, Any]:
        """The hardware file as resolved."""
        return json.loads(self._native.to_json())

    def __repr__(self) -> str:
        return repr(self._native)


def network(path_or_source: Union[PathLike, Network], *, input_shape: Optional[Sequence[int]] = None) -> Network:
    """Loads a network: a ``.nn`` file, an ``.onnx`` model, or ``.nn`` text.

    A string holding a line break is ``.nn`` source text; any other string
    (or path) names a file, read as ONNX when it ends in ``.onnx``.
    ``input_shape`` is ``(channels, height, width)`` for an ONNX model whose
    input leaves sizes free (``--input-shape``). Warnings become Python
    warnings; errors raise :class:`InputError` (the diagnostic with its
    place) or :class:`UsageError` (a file that cannot be read).
    """
    if isinstance(path_or_source, Network):
        return path_or_source
    shape = None if input_shape is None else [int(d) for d in input_shape]
    if shape is not None and len(shape) != 3:
        raise UsageError(f"error: input_shape must be (channels, height, width), not {input_shape!r}")
    if isinstance(path_or_source, str) and "\n" in path_or_source:
        native, warned = _nnc.load_network(source=path_or_source, name="<string>")
    else:
        native, warned = _nnc.load_network(path=os.fspath(path_or_source), input_shape=shape)
    _warn(warned)
    return Network(native)


_load_network = network


def _set_value(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_set_value(v) for v in value]
    return value


def hardware(preset_or_path: Union[PathLike, Hardware] = "eyeriss", *, set: Optional[Mapping[str, Any]] = None) -> Hardware:
    """Loads a hardware: a preset (:data:`PRESETS`) or a ``.toml`` file.

    ``set`` maps dotted keys to values, as ``--set`` takes them:
    ``{"node.gbuf_bytes": 65536, "node.pe_array": (8, 8)}`` (sizes may also
    be strings such as ``"64 KiB"``, pairs ``"8x8"``).
    """
    if isinstance(preset_or_path, Hardware):
        if set:
            raise UsageError("error: `set` changes a hardware as it is loaded: pass its preset or path")
        return preset_or_path
    sets = json.dumps({str(k): _set_value(v) for k, v in (set or {}).items()})
    native, warned = _nnc.load_hardware(os.fspath(preset_or_path), sets)
    _warn(warned)
    return Hardware(native)


def _check_options(options: Mapping[str, Any]) -> Dict[str, Any]:
    checked: Dict[str, Any] = {}
    for key, value in options.items():
        name = key.replace("-", "_")
        if name not in OPTIONS:
            close = difflib.get_close_matches(name, list(OPTIONS) + ["batch"], n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise UsageError(f"error: unknown option `{key}`{hint} (the options are the flags of `nnc schedule`: {', '.join(OPTIONS)})")
        if name == "no_bypass" and value is not None and not isinstance(value, str):
            value = ",".join(value)
        checked[name] = value
    return checked


class Schedule:
    """A schedule: exactly the file ``nnc schedule -o`` writes.

    ``totals``, ``layers`` and ``segments`` are its sections as dicts;
    :meth:`to_dict` is the whole file; :meth:`to_pandas` one row per layer.
    """

    def __init__(self, native: "_nnc.Schedule") -> None:
        self._native = native
        self._parsed: Optional[Dict[str, Any]] = None

    @property
    def _dict(self) -> Dict[str, Any]:
        # Parsed when first read: a schedule only saved costs no parse.
        if self._parsed is None:
            self._parsed = json.loads(self._native.to_json())
        return self._parsed

    def to_dict(self) -> Dict[str, Any]:
        """The schedule file, as ``json.loads`` reads it (a fresh copy)."""
        return json.loads(self._native.to_json())

    def to_json(self) -> str:
        """The schedule file's text."""
        return self._native.to_json()

    @property
    def network(self) -> str:
        """The network's name."""
        return self._dict["network"]

    @property
    def batch(self) -> int:
        """Samples per batch."""
        return self._dict["batch"]

    @property
    def totals(self) -> Dict[str, Any]:
        """Sums over all layers: ``energy`` (in ``energy_unit``), ``time``
        (cycles), ``energy_breakdown``, ``ops``, ``utilization``, ..."""
        return self._dict["totals"]

    @property
    def layers(self) -> List[Dict[str, Any]]:
        """Every layer, in network order, as in the schedule file."""
        return self._dict["layers"]

    @property
    def segments(self) -> List[Dict[str, Any]]:
        """The segments in order (one per layer without pipelining)."""
        return self._dict["segments"]

    def to_pandas(self) -> "pandas.DataFrame":
        """One row per layer, flat numeric columns with units in their
        names (``energy_pj`` or ``energy_mac``, ``time_cycles``, ...),
        indexed by layer name. Needs pandas."""
        unit = self.totals["energy_unit"]
        return to_frame(layer_rows(self._dict["layers"], unit), index="layer")

    def save(self, path: PathLike) -> None:
        """Writes the schedule file to ``path`` (whole or not at all)."""
        _write(path, self.to_json())

    def report(self, path: PathLike) -> None:
        """Writes the HTML report (``nnc report``) to ``path``."""
        _write(path, self._native.report_html())

    def __repr__(self) -> str:
        t = self.totals
        return f"<nnc.Schedule {self.network} batch {self.batch}: energy {t['energy']:.6g} {t['energy_unit']}, time {t['time']} cycles>"


def _write(path: PathLike, text: str) -> None:
    """Writes ``text`` to ``path`` whole or not at all: a temporary file
    beside it, then a rename."""
    path = os.fspath(path)
    tmp = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise UsageError(f"error: cannot write `{path}`: {e}") from None


def schedule(
    network: Union[PathLike, Network],
    hw: Union[PathLike, Hardware] = "eyeriss",
    *,
    batch: int = 1,
    **options: Any,
) -> Schedule:
    """Schedules ``network`` on ``hw``: the best dataflow of every layer.

    ``network`` is a :class:`Network` or what :func:`network` takes;
    ``hw`` a :class:`Hardware`, a preset or a ``.toml`` file. ``options``
    are the flags of ``nnc schedule`` with underscores, values typed
    (:data:`OPTIONS`): ``partition="hybrid"``, ``solver="analytic"``,
    ``save_writeback=True``, ``no_bypass="i,o"``, ``threads=4``, ...
    The search releases the GIL; Ctrl-C stops it (``KeyboardInterrupt``).
    Raises :class:`UsageError` (an unknown option, a value out of range),
    :class:`InputError` or :class:`NoScheduleError`.
    """
    flags = _check_options(options)
    flags["batch"] = batch
    net = _load_network(network)
    machine = hardware(hw)
    return Schedule(_nnc.schedule(net._native, machine._native, flags))


def load_schedule(path: PathLike) -> Schedule:
    """Reads a schedule file (``nnc schedule -o``, :meth:`Schedule.save`)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise UsageError(f"error: cannot read `{path}`: {e}") from None
    return Schedule(_nnc.read_schedule(text, path))


def _as_schedule(s: Union[Schedule, PathLike]) -> Schedule:
    return s if isinstance(s, Schedule) else load_schedule(s)


class Diff:
    """The difference of two schedules (``nnc diff``): ``equal``, the text,
    and per-layer energies and times side by side."""

    def __init__(self, a: Schedule, b: Schedule, text: str, equal: bool) -> None:
        self.a, self.b, self.text, self.equal = a, b, text, equal

    def __bool__(self) -> bool:
        """True when the schedules differ (as ``nnc diff`` exits 1)."""
        return not self.equal

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<nnc.Diff {'equal' if self.equal else 'different'}>"

    def to_pandas(self) -> "pandas.DataFrame":
        """One row per layer of either: energy and time in each, and the
        change (b - a); NaN where a layer is in one only."""
        nan = float("nan")
        ua, ub = self.a.totals["energy_unit"], self.b.totals["energy_unit"]
        la = {l["name"]: l for l in self.a.layers}
        lb = {l["name"]: l for l in self.b.layers}
        names = list(la) + [n for n in lb if n not in la]
        rows = []
        for n in names:
            ea = la[n]["energy"] if n in la else nan
            eb = lb[n]["energy"] if n in lb else nan
            ta = la[n]["time"]["total"] if n in la else nan
            tb = lb[n]["time"]["total"] if n in lb else nan
            rows.append({
                "layer": n,
                f"energy_a_{ua.lower()}": ea,
                f"energy_b_{ub.lower()}": eb,
                "energy_change": eb - ea,
                "time_a_cycles": ta,
                "time_b_cycles": tb,
                "time_change_cycles": tb - ta,
            })
        return to_frame(rows, index="layer")


def diff(a: Union[Schedule, PathLike], b: Union[Schedule, PathLike]) -> Diff:
    """Compares two schedules (objects or schedule files): ``nnc diff a b``."""
    sa, sb = _as_schedule(a), _as_schedule(b)
    text, equal = _nnc.diff(sa._native, sb._native)
    return Diff(sa, sb, text, equal)


class SweepResult:
    """A sweep's results: the rows of ``nnc sweep -o`` (one per network,
    batch and design point), and, when asked for, every row's schedule."""

    def __init__(self, run: "_nnc.SweepRun") -> None:
        self.csv: str = run["csv"]
        self.energy_unit: str = run["energy_unit"]
        self.computed: int = run["computed"]
        self._schedules: Optional[List[Optional[str]]] = run["schedules"]
        lines = io.StringIO(self.csv)
        self.header: str = lines.readline().rstrip("\n")
        reader = csv.reader(lines)
        columns = next(reader)
        # The last column is each row's checksum (docs/sweep.md#the-results-file):
        # the file's integrity, not a result.
        keep = len(columns) - 1 if columns[-1:] == ["checksum"] else len(columns)
        self.columns: List[str] = columns[:keep]
        self.rows: List[List[str]] = [r[:keep] for r in reader]

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"<nnc.SweepResult {len(self.rows)} rows>"

    def schedules(self) -> List[Optional[Schedule]]:
        """Every row's schedule (``None`` without one); needs ``layers=True``."""
        if self._schedules is None:
            raise UsageError("error: the schedules are kept with nnc.sweep(..., layers=True)")
        return [None if s is None else Schedule(_nnc.read_schedule(s, "<sweep row>")) for s in self._schedules]

    def to_pandas(self, *, layers: bool = False) -> "pandas.DataFrame":
        """One row per sweep row: the network, batch and varied keys, then
        ``energy_<unit>``, ``time_cycles`` and the energy breakdown as
        numbers, and ``status``. With ``layers=True`` (a sweep run with
        ``layers=True``), one row per layer of every row that has a
        schedule, the row's keys first."""
        frame_rows = sweep_frame(self.columns, self.rows, self.energy_unit)
        if not layers:
            return to_frame(frame_rows)
        if self._schedules is None:
            raise UsageError("error: per-layer rows need the schedules: run nnc.sweep(..., layers=True)")
        keys = self.columns[: self.columns.index("energy")]
        out = []
        for row, text in zip(frame_rows, self._schedules):
            if text is None:
                continue
            s = json.loads(text)
            for layer in layer_rows(s["layers"], s["totals"]["energy_unit"]):
                out.append({**{k: row[k] for k in keys}, **layer})
        return to_frame(out)


def sweep(
    spec: Union[PathLike, Mapping[str, Any]],
    *,
    out: Optional[PathLike] = None,
    layers: bool = False,
    threads: Optional[int] = None,
    base_dir: Optional[PathLike] = None,
) -> SweepResult:
    """Runs a sweep (docs/sweep.md): every network and batch on every
    design point, on as many threads as there are cores (or ``threads``).

    ``spec`` is a spec file's path, or a dict in the spec's shape, e.g.
    ``{"networks": ["nns/alex_net.nn"], "hw": "eyeriss", "batch": [16],
    "vary": {"node.gbuf_bytes": [65536, 131072]}}``; its paths are
    relative to the spec file (a dict's to ``base_dir``, default the
    current directory). With ``out``, rows are appended to that results
    file as they finish, and a call that finds this sweep's rows there
    continues after them (``nnc sweep -o``). ``layers=True`` keeps every
    row's schedule, for ``to_pandas(layers=True)`` and ``schedules()``.
    """
    kwargs: Dict[str, Any] = {"layers": layers, "threads": threads}
    if out is not None:
        kwargs["out"] = os.fspath(out)
    if isinstance(spec, Mapping):
        kwargs["spec_json"] = json.dumps(spec)
        kwargs["dir"] = os.fspath(base_dir) if base_dir is not None else "."
    else:
        path = os.fspath(spec)
        try:
            with open(path, encoding="utf-8") as f:
                kwargs["spec"] = f.read()
        except OSError as e:
            raise UsageError(f"error: cannot read `{path}`: {e}") from None
        kwargs["name"] = path
        kwargs["dir"] = os.fspath(base_dir) if base_dir is not None else (os.path.dirname(path) or ".")
    return SweepResult(_nnc.sweep(**kwargs))
