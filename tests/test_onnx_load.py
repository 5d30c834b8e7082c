"""refnn.onnx.load: torch's ONNX files run on refnn to torch's outputs and gradients; files that are
damaged or use what refnn does not run are refused with a clear exception before anything runs."""
import io
import os
import warnings

import numpy as np
import pytest
import torch

import onnx
import refnn
import refnn.onnx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper
from refnn.onnx import InvalidModelError, UnsupportedOperatorError
from tests.test_onnx_export import NETS, RECURRENT, pair, recurrent_pair


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def torch_bytes(model, x, **kwargs):
    buffer = io.BytesIO()
    torch.onnx.export(model, x, buffer, dynamo=False, **kwargs)
    return buffer.getvalue()


def _tuple(out):
    return out if isinstance(out, tuple) else (out,)


# the op zoo's gradients pass through exp, log, square roots, powers and a Gram matrix (flat @ flat.T), where
# each library's float32 rounding of ~40 operations is amplified: 1e-3 there, 1e-4 elsewhere
GRAD_RTOL = {"op_zoo": 1e-3}


@pytest.mark.parametrize("folding", [True, False])
@pytest.mark.parametrize("name", list(NETS))
def test_round_trip_outputs_and_gradients_equal_torchs(name, folding):
    """torch model -> torch.onnx.export -> refnn.onnx.load: outputs equal torch's, and a backward pass
    gives every loaded parameter torch's gradient on the parameter it came from."""
    tm, _, x = pair(name)
    loaded = refnn.onnx.load(torch_bytes(tm, x, do_constant_folding=folding))
    xr = refnn.tensor(x.numpy(), requires_grad=True)
    xt = x.clone().requires_grad_()
    got, want = _tuple(loaded(xr)), _tuple(tm(xt))
    assert len(got) == len(want)
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(w.shape).astype(np.float32) for w in want]
    for g, w in zip(got, want):
        assert g.dtype == np.dtype(str(w.dtype).replace("torch.", ""))
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-5, atol=1e-5)
    floating = [i for i, w in enumerate(want) if w.dtype.is_floating_point]      # not MaxPool's indices
    refnn.autograd.backward([got[i] for i in floating], [refnn.tensor(grads[i]) for i in floating])
    torch.autograd.backward([want[i] for i in floating], [torch.tensor(grads[i]) for i in floating])
    # gradients pass through up to ~40 operations, each rounding as its own library sums: 1e-4
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    params = dict(tm.named_parameters())
    checked = 0
    for onnx_name in loaded.onnx_names:
        p = loaded.initializer(onnx_name)
        if onnx_name in params:
            np.testing.assert_allclose(p.grad.numpy(), params[onnx_name].grad.numpy(), rtol=GRAD_RTOL.get(name, 1e-4),
                                       atol=1e-5, err_msg=onnx_name)
            checked += 1
    # with folding, Conv+BatchNorm pairs and transposed MatMul weights get new names; the rest keep theirs
    assert checked >= (1 if folding else len([n for n in params if n in loaded.onnx_names]))


def test_loaded_parameters_carry_the_onnx_names_and_train():
    tm, _, x = pair("mnist_convnet")
    loaded = refnn.onnx.load(torch_bytes(tm, x))
    keys = list(loaded.state_dict())
    assert "conv1.weight" in keys and "fc1.bias" in keys
    folded = [k for k in loaded.onnx_names if k.startswith("onnx::")]
    assert folded and all(loaded.onnx_names[k] == k.replace("::", "__") for k in folded)
    # the transposed Linear weight's gradient is the transpose of torch's
    xt = x.clone()
    out = tm(xt)
    g = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    out.backward(torch.tensor(g))
    loaded(refnn.tensor(x.numpy())).backward(refnn.tensor(g))
    np.testing.assert_allclose(loaded.initializer(folded[0]).grad.numpy(), tm.fc1.weight.grad.numpy().T,
                               rtol=1e-5, atol=1e-6)
    opt = refnn.optim.SGD(loaded.parameters(), lr=0.1)
    before = loaded.initializer("conv1.weight").data.copy()
    opt.step()
    assert not np.array_equal(before, loaded.initializer("conv1.weight").data)


def test_refnn_export_loads_back_into_refnn():
    _, rm, x = pair("layer_zoo")
    buffer = io.BytesIO()
    refnn.onnx.export(rm, refnn.tensor(x.numpy()), buffer)
    loaded = refnn.onnx.load(buffer.getvalue())
    rm.eval()
    with refnn.no_grad():
        got, want = _tuple(loaded(refnn.tensor(x.numpy()))), _tuple(rm(refnn.tensor(x.numpy())))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-5)


def test_load_reads_a_path(tmp_path):
    tm, _, x = pair("lenet")
    path = tmp_path / "lenet.onnx"
    path.write_bytes(torch_bytes(tm, x))
    loaded = refnn.onnx.load(str(path))
    with refnn.no_grad():
        np.testing.assert_allclose(loaded(refnn.tensor(x.numpy())).numpy(), tm(x).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
    with open(path, "rb") as fh:
        assert isinstance(refnn.onnx.load(fh), refnn.onnx.OnnxGraphModule)


# ---- refusals ------------------------------------------------------------
def _model(nodes, inputs, outputs, initializers=(), opset=20):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 9
    return model


X = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
Y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])


def test_unsupported_operator_is_refused_at_load_naming_node_and_operator():
    model = _model([helper.make_node("Relu", ["x"], ["r"], name="first"),
                    helper.make_node("Hardmax", ["r"], ["y"], name="the_hardmax")], [X], [Y])
    with pytest.raises(UnsupportedOperatorError, match=r"'the_hardmax' \(Hardmax\)"):
        refnn.onnx.load(model.SerializeToString())


def test_unsupported_attribute_is_refused_at_load():
    w = numpy_helper.from_array(np.ones((3, 3, 3, 3), np.float32), "w")
    x4 = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 5, 5])
    model = _model([helper.make_node("Conv", ["x", "w"], ["y"], name="c", pads=[0, 0, 1, 1])], [x4],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    with pytest.raises(UnsupportedOperatorError, match=r"'c' \(Conv\): asymmetric pads"):
        refnn.onnx.load(model.SerializeToString())


def test_truncated_and_garbage_files_are_refused():
    tm, _, x = pair("lenet")
    data = torch_bytes(tm, x)
    for cut in (1, 7, len(data) // 3, len(data) - 5):
        with pytest.raises(InvalidModelError):
            refnn.onnx.load(data[:cut])
    with pytest.raises(InvalidModelError):
        refnn.onnx.load(b"")
    with pytest.raises(InvalidModelError):
        refnn.onnx.load(b"\xff" * 64)


def test_a_cycle_is_refused():
    model = _model([helper.make_node("Relu", ["b"], ["a"], name="n1"),
                    helper.make_node("Relu", ["a"], ["b"], name="n2"),
                    helper.make_node("Add", ["x", "a"], ["y"], name="n3")], [X], [Y])
    with pytest.raises(InvalidModelError, match="cycle"):
        refnn.onnx.load(model.SerializeToString())


def test_an_undefined_input_is_refused():
    model = _model([helper.make_node("Add", ["x", "nowhere"], ["y"], name="adder")], [X], [Y])
    with pytest.raises(InvalidModelError, match=r"'adder' \(Add\) reads 'nowhere'"):
        refnn.onnx.load(model.SerializeToString())
    model = _model([helper.make_node("Relu", ["x"], ["r"], name="r")], [X], [Y])
    with pytest.raises(InvalidModelError, match="graph output 'y'"):
        refnn.onnx.load(model.SerializeToString())


def test_a_tensor_whose_size_disagrees_with_its_bytes_is_refused():
    w = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
    w.raw_data = w.raw_data[:-4]
    model = _model([helper.make_node("Add", ["x", "w"], ["y"], name="a")], [X], [Y], [w])
    with pytest.raises(InvalidModelError, match=r"initializer 'w': dims \[2, 3\] declare 6 elements"):
        refnn.onnx.load(model.SerializeToString())
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
    w.float_data.extend([1.0] * 5)
    model = _model([helper.make_node("Add", ["x", "w"], ["y"], name="a")], [X], [Y], [w])
    with pytest.raises(InvalidModelError, match="float_data holds 5"):
        refnn.onnx.load(model.SerializeToString())


def _external(location, offset=0, length=24):
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2, 3])
    w.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    return _model([helper.make_node("Add", ["x", "w"], ["y"], name="a")], [X], [Y], [w])


def test_external_data_inside_the_folder_is_read_and_outside_refused(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    values = np.arange(6, dtype=np.float32)
    (folder / "w.bin").write_bytes(values.tobytes())
    (tmp_path / "secret.bin").write_bytes(values.tobytes())
    path = folder / "m.onnx"
    path.write_bytes(_external("w.bin").SerializeToString())
    loaded = refnn.onnx.load(str(path))
    np.testing.assert_array_equal(loaded.initializer("w").data, values.reshape(2, 3))
    for bad, message in (("../secret.bin", "outside the model's folder"),
                         (str(tmp_path / "secret.bin"), "absolute path"),
                         ("missing.bin", "does not exist")):
        path.write_bytes(_external(bad).SerializeToString())
        with pytest.raises(InvalidModelError, match=message):
            refnn.onnx.load(str(path))
    path.write_bytes(_external("w.bin", offset=8, length=24).SerializeToString())
    with pytest.raises(InvalidModelError, match="outside"):
        refnn.onnx.load(str(path))
    if hasattr(os, "symlink"):
        os.symlink(tmp_path / "secret.bin", folder / "link.bin")
        path.write_bytes(_external("link.bin").SerializeToString())
        with pytest.raises(InvalidModelError, match="outside the model's folder"):
            refnn.onnx.load(str(path))
    with pytest.raises(InvalidModelError, match="read from bytes"):
        refnn.onnx.load(_external("w.bin").SerializeToString())


EXAMPLES = int(os.environ.get("REFNN_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def _fuzz_base():
    tm, _, x = pair("resnet_style")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch_bytes(tm, x), x.numpy()


FUZZ_BYTES, FUZZ_INPUT = _fuzz_base()


@st.composite
def damaged(draw):
    """The exported ResNet with bytes flipped, overwritten, inserted or deleted, or cut short."""
    data = bytearray(FUZZ_BYTES)
    kind = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "truncate"]))
    if kind == "truncate":
        return bytes(data[:draw(st.integers(0, len(data) - 1))])
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            data[i] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[i:i] = bytes([draw(st.integers(0, 255))])
        else:
            del data[i]
    return bytes(data)


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
@FUZZ
@given(damaged())
def test_damaged_files_are_refused_cleanly_or_run(data):
    """refnn.onnx.load raises only InvalidModelError or UnsupportedOperatorError on a damaged file; a file
    it accepts runs to tensors or raises a Python exception that names the node (never a crash)."""
    try:
        model = refnn.onnx.load(data)
    except (InvalidModelError, UnsupportedOperatorError):
        return
    try:
        with refnn.no_grad():
            out = model(refnn.tensor(FUZZ_INPUT))
    except UnsupportedOperatorError:
        return
    except (RuntimeError, ValueError, TypeError, IndexError, NotImplementedError) as exc:
        assert "node " in str(exc), exc
        return
    assert isinstance(out, (refnn.Tensor, tuple))


def test_readme_onnx_example_runs(tmp_path, monkeypatch):
    import re
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    onnx_block = next(b for b in blocks if "refnn.onnx.export" in b)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    exec(compile(onnx_block, "README.md", "exec"), namespace)
    with refnn.no_grad():
        want = namespace["net"](namespace["x"]).numpy()
    np.testing.assert_allclose(namespace["out"].detach().numpy(), want, rtol=1e-6, atol=1e-6)
    assert namespace["model"].initializer("fc3.bias").grad is not None
    assert (tmp_path / "model.onnx").exists()


@pytest.mark.parametrize("name", list(RECURRENT))
def test_recurrent_round_trip_outputs_and_gradients_equal_torchs(name):
    tm, _, x = recurrent_pair(name)
    loaded = refnn.onnx.load(torch_bytes(tm, x, do_constant_folding=False))
    xr = refnn.tensor(x.numpy(), requires_grad=True)
    xt = x.clone().requires_grad_()
    got, want = loaded(xr), tm(xt)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = np.random.default_rng(2).standard_normal(want.shape).astype(np.float32)
    got.backward(refnn.tensor(g))
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(xr.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    # without folding, torch's file rebuilds ONNX's gate order from the state_dict tensors (Slice, Concat):
    # every parameter keeps its name, and its gradient is torch's
    params = dict(tm.named_parameters())
    assert set(params) <= set(loaded.onnx_names), sorted(set(params) - set(loaded.onnx_names))
    for pname, p in params.items():
        np.testing.assert_allclose(loaded.initializer(pname).grad.numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=pname)
