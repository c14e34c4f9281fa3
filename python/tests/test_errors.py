"""Every error is an nnc.Error subclass whose message is the rendered
diagnostic, with its place."""

import pytest

import nnc


def test_an_invalid_network_is_an_input_error():
    with pytest.raises(nnc.InputError) as e:
        nnc.network("network Bad\ninput data [3, 16]\nc1 = conv(nothing, 8, kernel: 3)\n")
    text = str(e.value)
    assert "error[" in text and "<string>:3:" in text and "nothing" in text


def test_an_invalid_file_names_its_line(root):
    with pytest.raises(nnc.InputError) as e:
        nnc.network("tests/fixtures/errors/E001.nn")
    assert "tests/fixtures/errors/E001.nn:" in str(e.value)


def test_a_missing_file_is_a_usage_error():
    with pytest.raises(nnc.UsageError, match="cannot read `nns/missing.nn`"):
        nnc.network("nns/missing.nn")
    with pytest.raises(nnc.UsageError, match="no-such-preset"):
        nnc.hardware("no-such-preset")


def test_an_invalid_hardware_file_is_an_input_error():
    with pytest.raises(nnc.InputError, match=r"(?s)H005.*tests/fixtures/hardware/H005.toml:3:1"):
        nnc.hardware("tests/fixtures/hardware/H005.toml")


def test_a_bad_set_is_a_usage_error():
    with pytest.raises(nnc.UsageError, match="did you mean `node.gbuf_bytes`"):
        nnc.hardware("eyeriss", set={"node.gbuf_byte": 1024})


def test_options_are_checked():
    with pytest.raises(nnc.UsageError, match="did you mean `partition`"):
        nnc.schedule("nns/mlp_s.nn", partiton="hybrid")
    with pytest.raises(nnc.UsageError, match="'hybird' is not one of 'naive', 'hybrid'"):
        nnc.schedule("nns/mlp_s.nn", partition="hybird")
    with pytest.raises(nnc.UsageError, match="batch=0: must be between 1 and"):
        nnc.schedule("nns/mlp_s.nn", batch=0)
    with pytest.raises(nnc.UsageError, match="batch=-3: must be between 1 and"):
        nnc.schedule("nns/mlp_s.nn", batch=-3)
    with pytest.raises(nnc.UsageError, match="needs --partition hybrid|hybrid"):
        nnc.schedule("nns/mlp_s.nn", partition="naive", ifmap_partition=True)
    with pytest.raises(TypeError, match="top"):
        nnc.schedule("nns/mlp_s.nn", top="many")


def test_no_schedule():
    with pytest.raises(nnc.NoScheduleError, match="no valid schedule of `AlexNet`"):
        nnc.schedule("nns/alex_net.nn", nnc.hardware("eyeriss", set={"node.gbuf_bytes": 64, "node.regf_bytes": 4}))


def test_every_error_is_an_nnc_error():
    for kind in (nnc.InputError, nnc.UsageError, nnc.NoScheduleError):
        assert issubclass(kind, nnc.Error) and issubclass(kind, Exception)
