"""to_pandas(): one row per layer, flat numeric columns with units."""

import sys

import pytest

import nnc


def test_schedule_frame():
    s = nnc.schedule("nns/alex_net.nn", "tetris", batch=4)
    df = s.to_pandas()
    assert len(df) == len(s.layers)
    assert list(df.index) == [l["name"] for l in s.layers]
    assert df.index.name == "layer"
    for c in df.columns:
        if c != "kind":
            assert df[c].dtype.kind in "if", c
    assert "energy_pj" in df.columns and "time_cycles" in df.columns
    assert df["energy_pj"].sum() == pytest.approx(s.totals["energy"], rel=1e-12)
    assert df["ops_macs"].sum() == pytest.approx(s.totals["ops"], rel=1e-12)
    assert (df["nodes"] >= 1).all()


def test_network_frame():
    df = nnc.network("nns/alex_net.nn").to_pandas()
    assert len(df) == len(nnc.network("nns/alex_net.nn").layers)
    assert df.loc["conv1_a", "nofm"] == 48
    assert df["ops_macs_per_sample"].dtype.kind in "if"


def test_without_pandas(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        nnc.schedule("nns/mlp_s.nn").to_pandas()
