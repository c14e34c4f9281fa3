"""Shared fixtures: the repository's root and the `nnc` command line the
package is compared with (NNC_BIN, else target/{release,debug}/nnc, built
with cargo when neither is there)."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def nnc_bin():
    env = os.environ.get("NNC_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        path = ROOT / "target" / profile / "nnc"
        if path.exists():
            return str(path)
    subprocess.run(["cargo", "build", "--quiet", "--bin", "nnc"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "debug" / "nnc")


@pytest.fixture
def cli(nnc_bin):
    """Runs `nnc ARGS` from the root; returns the completed process."""

    def run(*args, check=True):
        return subprocess.run(
            [nnc_bin, *map(str, args)], cwd=ROOT, capture_output=True, text=True, check=check
        )

    return run


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Paths in the tests are relative to the root, as in the README."""
    monkeypatch.chdir(ROOT)
