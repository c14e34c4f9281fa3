"""nnc.schedule gives the command line's schedule file, byte for byte."""

import json

import pytest

import nnc


@pytest.mark.parametrize("preset", nnc.PRESETS)
def test_each_preset_equals_the_cli(preset, cli, tmp_path):
    out = tmp_path / "cli.json"
    cli("schedule", "nns/alex_net.nn", "--hw", preset, "--batch", 16, "-q", "-o", out)
    s = nnc.schedule("nns/alex_net.nn", preset, batch=16)
    assert s.to_json() == out.read_text()
    assert s.to_dict() == json.loads(out.read_text())
    assert s.totals["energy"] == json.loads(out.read_text())["totals"]["energy"]


def test_the_readme_line(cli, tmp_path):
    out = tmp_path / "cli.json"
    cli("schedule", "nns/alex_net.nn", "--batch", 16, "-q", "-o", out)
    assert nnc.schedule("nns/alex_net.nn", batch=16).totals["energy"] == 80303647232.0
    assert json.loads(out.read_text())["totals"]["energy"] == 80303647232.0


def test_onnx_input_equals_the_cli(cli, tmp_path):
    out = tmp_path / "cli.json"
    model = "tests/data/onnx/alexnet.onnx"
    cli("schedule", model, "--hw", "tetris", "--batch", 4, "-q", "-o", out)
    s = nnc.schedule(model, "tetris", batch=4)
    assert s.to_json() == out.read_text()
    assert nnc.network(model).name == s.network


def test_options_are_the_flags(cli, tmp_path):
    out = tmp_path / "cli.json"
    cli(
        "schedule", "nns/mlp_m.nn", "--hw", "tetris", "--batch", 8,
        "--partition", "hybrid", "--batch-partition", "--save-writeback",
        "--no-bypass", "i,o", "--goal", "ed", "--top", 2, "-q", "-o", out,
    )
    s = nnc.schedule(
        "nns/mlp_m.nn", "tetris", batch=8, partition="hybrid", batch_partition=True,
        save_writeback=True, no_bypass=["i", "o"], goal="ed", top=2, threads=2,
    )
    assert s.to_json() == out.read_text()
    assert s.to_dict()["options"]["partition"] == "hybrid"


def test_hardware_set_equals_the_cli_set(cli, tmp_path):
    out = tmp_path / "cli.json"
    cli(
        "schedule", "nns/alex_net.nn", "--set", "node.gbuf_bytes=64 KiB",
        "--set", "node.pe_array=8x8", "-q", "-o", out,
    )
    hw = nnc.hardware("eyeriss", set={"node.gbuf_bytes": "64 KiB", "node.pe_array": (8, 8)})
    assert hw.to_dict()["pe_array"] == [8, 8] and hw.to_dict()["gbuf_bytes"] == 65536
    assert nnc.schedule("nns/alex_net.nn", hw).to_json() == out.read_text()


def test_source_text_and_objects():
    net = nnc.network("network Tiny\ninput data [3, 16]\nc1 = conv(data, 8, kernel: 3, pad: 1)\n")
    assert net.name == "Tiny"
    assert [l["name"] for l in net.layers] == ["c1"]
    s = nnc.schedule(net, nnc.hardware("tetris"), batch=2)
    assert [l["name"] for l in s.layers] == ["c1"]
    assert len(s.segments) == 1
    assert s.totals["time"] > 0


def test_save_report_and_load(tmp_path):
    s = nnc.schedule("nns/mlp_s.nn")
    s.save(tmp_path / "s.json")
    assert (tmp_path / "s.json").read_text() == s.to_json()
    s.report(tmp_path / "s.html")
    page = (tmp_path / "s.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "MLP" in page
    back = nnc.load_schedule(tmp_path / "s.json")
    assert back.to_dict() == s.to_dict()


def test_diff(cli, tmp_path):
    a = nnc.schedule("nns/alex_net.nn", "eyeriss", batch=4)
    b = nnc.schedule("nns/alex_net.nn", "tetris", batch=4)
    a.save(tmp_path / "a.json")
    b.save(tmp_path / "b.json")
    d = nnc.diff(tmp_path / "a.json", tmp_path / "b.json")
    shown = cli("diff", tmp_path / "a.json", tmp_path / "b.json", check=False)
    assert shown.returncode == 1
    assert d.text == shown.stdout
    assert not d.equal and d
    assert nnc.diff(a, a).equal
    frame = d.to_pandas()
    assert len(frame) == len(a.layers)
    assert frame["energy_change"].dtype.kind == "f"
