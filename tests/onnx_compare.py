"""Comparing an ONNX model refnn exported with the one torch's TorchScript exporter wrote."""
import io
import re

import numpy as np

import onnx
from onnx import helper, numpy_helper


def torch_export(model, args, **kwargs):
    import torch
    buffer = io.BytesIO()
    torch.onnx.export(model, args, buffer, dynamo=False, **kwargs)
    return onnx.load_from_string(buffer.getvalue())


def refnn_export(model, args, **kwargs):
    import refnn.onnx
    buffer = io.BytesIO()
    refnn.onnx.export(model, args, buffer, **kwargs)
    return onnx.load_from_string(buffer.getvalue())


def _attrs(node):
    out = {}
    for a in node.attribute:
        value = helper.get_attribute_value(a)
        if isinstance(value, onnx.TensorProto):
            value = numpy_helper.to_array(value)
        out[a.name] = value
    return out


def _folded_kind(name):
    """``onnx::Conv_31`` -> ``onnx::Conv`` (the number is the TorchScript value's id)."""
    match = re.fullmatch(r"(onnx::[A-Za-z]+)_\d+", name)
    return match.group(1) if match else name


def _node_name(name):
    """Scoped node names compare exactly; torch's unscoped ``Constant_98`` carries a TorchScript value id."""
    return "Constant_<id>" if re.fullmatch(r"Constant_\d+", name) else name


def _dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def without_initial_states(model):
    """torch's graph less the nodes that build the zero initial states of its LSTM/GRU/RNN nodes (refnn
    leaves those inputs out: ONNX's default is the same zeros)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    for node in model.graph.node:
        if node.op_type in ("LSTM", "GRU", "RNN"):
            kept = list(node.input[:5])
            while kept and kept[-1] == "":
                kept.pop()
            del node.input[:]
            node.input.extend(kept)
    outputs = {o.name for o in model.graph.output}
    while True:
        read = set(outputs)
        for node in model.graph.node:
            read.update(node.input)
        dead = [i for i, n in enumerate(model.graph.node) if not any(o in read for o in n.output)]
        if not dead:
            return model
        for i in reversed(dead):
            del model.graph.node[i]


def assert_same_graph(ours, theirs, compare_outputs=True, constant_names=True):
    """The same operators in the same order with the same node names and attributes, the same
    initializers (state_dict names exactly, folded ones by kind), shapes and values, and the same
    inputs and outputs."""
    ours_nodes, theirs_nodes = list(ours.graph.node), list(theirs.graph.node)
    assert [n.op_type for n in ours_nodes] == [n.op_type for n in theirs_nodes]
    if constant_names:
        assert [_node_name(n.name) for n in ours_nodes] == [_node_name(n.name) for n in theirs_nodes]
    else:
        assert [n.name for n in ours_nodes if n.op_type != "Constant"] == \
            [n.name for n in theirs_nodes if n.op_type != "Constant"]
    inits_ours = {i.name: numpy_helper.to_array(i) for i in ours.graph.initializer}
    inits_theirs = {i.name: numpy_helper.to_array(i) for i in theirs.graph.initializer}
    assert [_folded_kind(n) for n in inits_ours] == [_folded_kind(n) for n in inits_theirs]
    rename = dict(zip(inits_ours, inits_theirs))
    for (name, a), (tname, b) in zip(inits_ours.items(), inits_theirs.items()):
        assert a.shape == b.shape, name
        assert a.dtype == b.dtype, name
        np.testing.assert_allclose(a, b, rtol=1.3e-6, atol=1e-5, err_msg=name)
    for n, t in zip(ours_nodes, theirs_nodes):
        a, b = _attrs(n), _attrs(t)
        assert sorted(a) == sorted(b), (n.name, sorted(a), sorted(b))
        for key in a:
            if isinstance(a[key], np.ndarray):
                assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, (n.name, key)
                np.testing.assert_allclose(a[key], b[key], rtol=1e-6, err_msg=f"{n.name} {key}")
            elif isinstance(a[key], float):
                assert np.float32(a[key]) == np.float32(b[key]), (n.name, key, a[key], b[key])
            else:
                assert a[key] == b[key], (n.name, key, a[key], b[key])
    # the wiring: each node reads the values the corresponding torch node reads
    value_map = dict(rename)
    value_map.update(zip([i.name for i in ours.graph.input], [i.name for i in theirs.graph.input]))
    value_map[""] = ""
    for n, t in zip(ours_nodes, theirs_nodes):
        assert [value_map.get(i, "?" + i) for i in n.input] == list(t.input), n.name
        value_map.update(zip(n.output, t.output))
        if any(_folded_kind(o) != o for o in n.output):     # an unscoped constant: same kind of name
            assert [_folded_kind(o) for o in n.output] == [_folded_kind(o) for o in t.output], n.name
    assert [(i.name, _dims(i), i.type.tensor_type.elem_type) for i in ours.graph.input] == \
        [(i.name, _dims(i), i.type.tensor_type.elem_type) for i in theirs.graph.input]
    if compare_outputs:
        assert [(o.name, _dims(o), o.type.tensor_type.elem_type) for o in ours.graph.output] == \
            [(o.name, _dims(o), o.type.tensor_type.elem_type) for o in theirs.graph.output]
    assert [o.version for o in ours.opset_import if o.domain in ("", "ai.onnx")] == \
        [o.version for o in theirs.opset_import if o.domain in ("", "ai.onnx")]
