"""``refnn.onnx.export``: torch.onnx.export's signature, by tracing a forward run of the refnn model."""
import enum
import io
import os

import numpy as np

from .. import autograd
from ..tensor import Tensor
from ._graph import Graph
from ._require import require_onnx

DEFAULT_OPSET = 20
SUPPORTED_OPSETS = (18, 19, 20)


class TrainingMode(enum.IntEnum):
    """torch.onnx.TrainingMode."""
    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


def _training_mode(training):
    name = getattr(training, "name", None)     # torch.onnx.TrainingMode works too
    if name is not None:
        training = name
    if isinstance(training, str):
        try:
            return TrainingMode[training.upper()]
        except KeyError:
            pass
    elif isinstance(training, int) and not isinstance(training, bool) and training in (0, 1, 2):
        return TrainingMode(training)
    raise ValueError(f"refnn.onnx.export: training must be a TrainingMode (EVAL, PRESERVE, TRAINING), "
                     f"got {training!r}")


def _as_args(args):
    if isinstance(args, Tensor):
        return (args,)
    if isinstance(args, (tuple, list)):
        if args and isinstance(args[-1], dict):
            if args[-1]:
                raise NotImplementedError("refnn.onnx.export: keyword arguments in args are not supported")
            args = args[:-1]
        for i, a in enumerate(args):
            if not isinstance(a, Tensor):
                raise TypeError(f"refnn.onnx.export: args[{i}] must be a refnn Tensor, not {type(a).__name__}")
        return tuple(args)
    raise TypeError(f"refnn.onnx.export: args must be a Tensor or a tuple of Tensors, not {type(args).__name__}")


def _flat_outputs(out):
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        flat = []
        for o in out:
            flat.extend(_flat_outputs(o))
        return flat
    raise TypeError(f"refnn.onnx.export: the model returned {type(out).__name__}; Tensors (or tuples of "
                    "them) can be exported")


def _fold_batch_norm(graph, output_names):
    """torch's eval-mode peephole: a Conv read only by a BatchNormalization absorbs it."""
    producers = {}
    readers = {}
    for node in graph.nodes:
        for o in node.outputs:
            producers[o] = node
        for i in node.inputs:
            readers[i] = readers.get(i, 0) + 1
    params = graph.param_tensors
    kept = []
    for node in graph.nodes:
        if node.op_type != "BatchNormalization":
            kept.append(node)
            continue
        conv = producers.get(node.inputs[0])
        if (conv is None or conv.op_type != "Conv" or readers.get(node.inputs[0]) != 1
                or node.inputs[0] in output_names or conv.inputs[1] not in params
                or any(n not in params and n not in graph.folded for n in node.inputs[1:])):
            kept.append(node)
            continue
        value = {n: np.asarray(params[n].data) if n in params else graph.folded[n] for n in node.inputs[1:]}
        scale, shift, mean, var = (value[n] for n in node.inputs[1:])
        weight = np.asarray(params[conv.inputs[1]].data)
        dtype = weight.dtype
        eps = np.asarray(node.attrs["epsilon"], dtype=dtype)
        factor = (scale / np.sqrt(var + eps)).astype(dtype)
        bias = (np.asarray(params[conv.inputs[2]].data) if len(conv.inputs) > 2
                else np.zeros(weight.shape[0], dtype))
        new_weight = weight * factor.reshape((-1,) + (1,) * (weight.ndim - 1))
        new_bias = (bias - mean) * factor + shift
        conv.inputs[1:] = [graph.add_folded("Conv", new_weight), graph.add_folded("Conv", new_bias.astype(dtype))]
        conv.outputs[0] = node.outputs[0]
    graph.nodes = kept


_ELEM_TYPES = {np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int32): 6,
               np.dtype(np.int64): 7, np.dtype(np.bool_): 9, np.dtype(np.float16): 10, np.dtype(np.float64): 11}


def _elem_type(dtype, what):
    try:
        return _ELEM_TYPES[np.dtype(dtype)]
    except KeyError:
        raise TypeError(f"refnn.onnx.export: {what} has dtype {dtype}, which has no ONNX export") from None


def _dims(shape, axes, name):
    dims = list(shape)
    if not axes:
        return dims
    if isinstance(axes, dict):
        items = axes.items()
    else:
        items = ((a, f"{name}_dynamic_axes_{k + 1}") for k, a in enumerate(axes))
    for axis, label in items:
        dims[int(axis)] = str(label)
    return dims


def _rename(graph, old, new):
    for node in graph.nodes:
        node.inputs = [new if i == old else i for i in node.inputs]
        node.outputs = [new if o == old else o for o in node.outputs]


def export(model, args, f, export_params=True, verbose=False, training=TrainingMode.EVAL, input_names=None,
           output_names=None, operator_export_type=None, opset_version=None, do_constant_folding=True,
           dynamic_axes=None, keep_initializers_as_inputs=None, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True, dynamo=False):
    """Export ``model`` run on ``args`` to the ONNX file (or writable binary file object) ``f``.

    The graph is traced from one forward run of refnn's own modules under ``no_grad``; each layer becomes
    the ONNX operators torch 2.13's TorchScript exporter (``torch.onnx.export(..., dynamo=False)``) emits
    for it, nodes and values named as torch names them, and initializers carry the ``state_dict`` names.
    Returns None, as torch does. Open the file in Netron (``pip install netron; netron model.onnx``).
    """
    onnx = require_onnx()
    from onnx import helper, numpy_helper

    mode = _training_mode(training)
    if mode == TrainingMode.TRAINING:
        raise NotImplementedError("refnn.onnx.export: training=TrainingMode.TRAINING is not supported; "
                                  "export in EVAL (or PRESERVE on a model in eval mode)")
    opset = DEFAULT_OPSET if opset_version is None else opset_version
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(f"refnn.onnx.export: opset_version must be one of {SUPPORTED_OPSETS}, got {opset_version!r}")
    if dynamo:
        raise ValueError("refnn.onnx.export: dynamo=True has no counterpart in refnn (it traces refnn's graph)")
    if export_modules_as_functions:
        raise NotImplementedError("refnn.onnx.export: export_modules_as_functions is not supported")
    args = _as_args(args)
    for name, value in (("input_names", input_names), ("output_names", output_names)):
        if value is not None and (not isinstance(value, (list, tuple))
                                  or not all(isinstance(v, str) for v in value)):
            raise TypeError(f"refnn.onnx.export: {name} must be a list of str, got {value!r}")
    if input_names is not None and len(input_names) > len(args):
        raise ValueError(f"refnn.onnx.export: {len(input_names)} input_names for {len(args)} inputs")

    state = model.state_dict(keep_vars=True)
    param_names = {}
    for name, tensor in state.items():
        if isinstance(tensor, Tensor):
            param_names.setdefault(id(tensor), name)
    graph = Graph(param_names)
    graph.fold = bool(do_constant_folding)
    names_in = list(input_names or [])
    for i, a in enumerate(args):
        name = names_in[i] if i < len(names_in) else f"input.{i + 1}"
        graph.inputs.append((name, a))
        graph.bind(a, name)

    from ._trace import tracing
    was_training = model.training
    if mode == TrainingMode.EVAL:
        model.eval()
    if model.training:
        model.train(was_training)
        raise NotImplementedError("refnn.onnx.export: the model is in training mode; export with "
                                  "training=TrainingMode.EVAL")
    try:
        with autograd.no_grad(), tracing(graph, model):
            result = model(*args)
    finally:
        model.train(was_training)
    outputs = _flat_outputs(result)

    # the outputs, named: a value that is an input, a parameter or repeated gets an Identity
    out_names = []
    input_set = {n for n, _ in graph.inputs}
    for i, out in enumerate(outputs):
        value = graph.value(out)
        wanted = output_names[i] if output_names is not None and i < len(output_names) else None
        produced = any(value in node.outputs for node in graph.nodes)
        if not produced or value in input_set or value in out_names:
            new = wanted or f"output.{i + 1}"
            n = len([nd for nd in graph.nodes if nd.op_type == "Identity"])
            graph.nodes.append(_identity(value, new, n))
            value = new
        elif wanted:
            _rename(graph, value, wanted)
            value = wanted
        out_names.append(value)

    if do_constant_folding:
        _fold_batch_norm(graph, set(out_names))

    _eliminate_dead_nodes(graph, set(out_names))
    used = set()
    for node in graph.nodes:
        used.update(node.inputs)
    initializer_arrays = [(n, np.asarray(t.data)) for n, t in state.items()
                          if n in graph.param_tensors and n in used]
    initializer_arrays += [(n, a) for n, a in graph.folded.items() if n in used]

    nodes = []
    for node in graph.nodes:
        attrs = {}
        for k, v in node.attrs.items():
            attrs[k] = numpy_helper.from_array(v) if isinstance(v, np.ndarray) else v
        nodes.append(helper.make_node(node.op_type, node.inputs, node.outputs, name=node.name, **attrs))

    dynamic_axes = dynamic_axes or {}
    graph_inputs = [helper.make_tensor_value_info(n, _elem_type(t.data.dtype, f"input {n!r}"),
                                                  _dims(t.shape, dynamic_axes.get(n), n))
                    for n, t in graph.inputs]
    initializers = [numpy_helper.from_array(np.array(a, order="C", copy=True), n) for n, a in initializer_arrays]
    if not export_params:
        graph_inputs += [helper.make_tensor_value_info(n, _elem_type(a.dtype, n), list(a.shape))
                         for n, a in initializer_arrays]
        initializers = []
    elif keep_initializers_as_inputs:
        graph_inputs += [helper.make_tensor_value_info(n, _elem_type(a.dtype, n), list(a.shape))
                         for n, a in initializer_arrays]
    graph_outputs = [helper.make_tensor_value_info(n, _elem_type(t.data.dtype, f"output {n!r}"),
                                                   _dims(t.shape, dynamic_axes.get(n), n))
                     for n, t in zip(out_names, outputs)]
    proto = helper.make_graph(nodes, "main_graph", graph_inputs, graph_outputs, initializers)
    from .. import __version__
    model_proto = helper.make_model(proto, producer_name="refnn", producer_version=__version__,
                                    opset_imports=[helper.make_opsetid("", opset)])
    model_proto.ir_version = 9 if opset <= 20 else 10
    if dynamic_axes and export_params:
        _check_dynamic_axes(model_proto, graph.inputs, outputs, out_names, dynamic_axes)
    data = model_proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"refnn.onnx.export: f must be a path or a writable binary file, not {type(f).__name__}")
    if verbose:
        print(onnx.helper.printable_graph(model_proto.graph))
    return None


def _check_dynamic_axes(model_proto, inputs, outputs, out_names, dynamic_axes):
    """Run the exported graph (on refnn) with every dynamic input axis one longer: a size the forward read
    from a tensor and the graph now holds as a number (``x.view(x.size(0), -1)``) fails here, instead of
    giving wrong results to whoever runs the file at another size."""
    from ._load import OnnxGraphModule, UnsupportedOperatorError
    try:
        module = OnnxGraphModule(model_proto)
    except UnsupportedOperatorError:
        return                                   # refnn does not run every exported pattern back
    grown = []
    for name, t in inputs:
        shape = list(t.shape)
        for axis in _axes_of(dynamic_axes.get(name)):
            shape[axis] += 1
        grown.append(Tensor(np.resize(np.asarray(t.data), shape)))
    problem = None
    try:
        with autograd.no_grad():
            result = module(*grown)
    except Exception as exc:  # noqa: BLE001 - any failure means the graph is not dynamic
        problem = f"{type(exc).__name__}: {exc}"
    else:
        result = result if isinstance(result, tuple) else (result,)
        for name, before, after in zip(out_names, outputs, result):
            free = set(_axes_of(dynamic_axes.get(name)))
            fixed = [(i, a, b) for i, (a, b) in enumerate(zip(before.shape, after.shape)) if i not in free and a != b]
            if len(before.shape) != len(after.shape) or fixed:
                problem = f"output {name!r} has shape {tuple(after.shape)} instead of {tuple(before.shape)}"
                break
    if problem:
        raise ValueError("refnn.onnx.export: the graph does not run at other sizes of its dynamic_axes (a size the "
                         "forward computed, e.g. from x.size(), is written as a number; use -1 in view/reshape): "
                         + problem)


def _axes_of(axes):
    if not axes:
        return []
    return [int(a) for a in (axes.keys() if isinstance(axes, dict) else axes)]


def _eliminate_dead_nodes(graph, outputs):
    """Drop nodes none of whose outputs is read (torch's exporter does the same)."""
    while True:
        read = set(outputs)
        for node in graph.nodes:
            read.update(node.inputs)
        kept = [n for n in graph.nodes if any(o in read for o in n.outputs)]
        if len(kept) == len(graph.nodes):
            return
        graph.nodes = kept


def _identity(value, new, n):
    from ._graph import Node
    return Node("Identity", [value], [new], {}, f"Identity_{n}")


def export_to_bytes(model, args, **kwargs):
    """The exported model's bytes (a convenience for tests and tools)."""
    buffer = io.BytesIO()
    export(model, args, buffer, **kwargs)
    return buffer.getvalue()
