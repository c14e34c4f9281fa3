"""nnc.sweep: the rows of `nnc sweep -o`, as numbers; resumable; per-layer
rows when asked."""

import pytest

import nnc

SPEC = {
    "networks": ["nns/mlp_s.nn", "nns/alex_net.nn"],
    "hw": "eyeriss",
    "batch": [1, 4],
    "vary": {"node.gbuf_bytes": [32768, 65536, 131072]},
}


def spec_toml(tmp_path):
    """SPEC as a file in `tmp_path`, its paths relative to it."""
    text = (
        'networks = ["{root}/nns/mlp_s.nn", "{root}/nns/alex_net.nn"]\n'
        'hw = "eyeriss"\nbatch = [1, 4]\n[vary]\n"node.gbuf_bytes" = [32768, 65536, 131072]\n'
    )
    return text


def test_rows_equal_the_cli(cli, root, tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(spec_toml(tmp_path).format(root=root))
    cli("sweep", path, "-q", "-o", tmp_path / "cli.csv")
    result = nnc.sweep(path)
    assert result.csv == (tmp_path / "cli.csv").read_text()
    assert len(result) == 2 * 2 * 3 and result.computed == 12


def test_a_dict_spec_and_its_frame():
    result = nnc.sweep(SPEC)
    df = result.to_pandas()
    assert len(df) == 12
    assert list(df.columns[:3]) == ["network", "batch", "node.gbuf_bytes"]
    assert "energy_mac" in df.columns and "time_cycles" in df.columns
    assert "energy_regf_mac" in df.columns
    for c in df.columns:
        if c not in ("network", "status"):
            assert df[c].dtype.kind in "if", c
    assert (df["status"] == "ok").all()
    # The same numbers as nnc.schedule at the point.
    row = df[(df["network"] == "nns/alex_net.nn") & (df["batch"] == 4) & (df["node.gbuf_bytes"] == 65536)]
    s = nnc.schedule("nns/alex_net.nn", nnc.hardware("eyeriss", set={"node.gbuf_bytes": 65536}), batch=4)
    assert row["energy_mac"].item() == s.totals["energy"]
    assert row["time_cycles"].item() == s.totals["time"]


def test_resume_from_out(tmp_path):
    out = tmp_path / "results.csv"
    first = nnc.sweep(SPEC, out=out)
    assert first.computed == 12
    lines = out.read_text().splitlines(keepends=True)
    # A run killed after 5 rows, midway through the 6th.
    out.write_text("".join(lines[: 2 + 5]) + lines[7][:10])
    again = nnc.sweep(SPEC, out=out)
    assert again.computed == 7
    assert out.read_text() == first.csv == again.csv
    other = dict(SPEC, batch=[2])
    with pytest.raises(nnc.UsageError, match="R010"):
        nnc.sweep(other, out=out)


def test_per_layer_rows():
    result = nnc.sweep(dict(SPEC, networks=["nns/alex_net.nn"], batch=[4]), layers=True)
    rows = result.to_pandas()
    layers = result.to_pandas(layers=True)
    s = nnc.schedule("nns/alex_net.nn", batch=4)
    assert len(layers) == len(rows) * len(s.layers)
    first = layers[layers["node.gbuf_bytes"] == 131072]
    assert list(first["layer"]) == [l["name"] for l in s.layers]
    assert first["energy_mac"].sum() == pytest.approx(s.totals["energy"], rel=1e-12)
    assert all(x is not None for x in result.schedules())
    with pytest.raises(nnc.UsageError, match="layers=True"):
        nnc.sweep(SPEC).to_pandas(layers=True)


def test_spec_errors_have_their_place(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('networks = ["x.nn"]\n[vary]\n"node.gbuf_byte" = [1]\n')
    with pytest.raises(nnc.InputError, match=r"(?s)S0\d\d.*bad.toml:3"):
        nnc.sweep(path)
