"""Type stubs of nnc's native module (python/src/): the Python API in
nnc/__init__.py wraps it."""

from typing import Dict, List, Optional, Sequence, Tuple, TypedDict, Any

__version__: str

class Error(Exception):
    """Any error of nnc; its message is the rendered diagnostic."""

class InputError(Error):
    """A network, hardware file, sweep spec, ONNX model or schedule file that is not valid."""

class UsageError(Error):
    """An unknown option or value, a number out of range, a file that cannot be read or written."""

class NoScheduleError(Error):
    """The network has no valid schedule on the hardware."""

class Network:
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    def to_json(self) -> str: ...

class Hardware:
    @property
    def name(self) -> str: ...
    def to_json(self) -> str: ...

class Schedule:
    @property
    def origin(self) -> str: ...
    def to_json(self) -> str: ...
    def report_html(self) -> str: ...

class SweepRun(TypedDict):
    csv: str
    schedules: Optional[List[Optional[str]]]
    energy_unit: str
    computed: int

def load_network(
    path: Optional[str] = None,
    source: Optional[str] = None,
    name: str = "<string>",
    input_shape: Optional[Sequence[int]] = None,
) -> Tuple[Network, str]: ...
def load_hardware(arg: str, sets: str = "{}") -> Tuple[Hardware, str]: ...
def schedule(network: Network, hardware: Hardware, flags: Dict[str, Any]) -> Schedule: ...
def read_schedule(text: str, origin: str) -> Schedule: ...
def diff(a: Schedule, b: Schedule) -> Tuple[str, bool]: ...
def sweep(
    spec: Optional[str] = None,
    spec_json: Optional[str] = None,
    name: str = "<sweep>",
    dir: str = ".",
    out: Optional[str] = None,
    layers: bool = False,
    threads: Optional[int] = None,
) -> SweepRun: ...
