"""``refnn.onnx.load``: an ONNX file as a refnn Module that runs the graph with refnn's functional ops.

Everything is checked before anything runs: the protobuf parses, the graph's nodes can be ordered
(no cycle) and every input is defined, every operator is one refnn maps (else
``UnsupportedOperatorError`` naming the node and its operator), every tensor's declared size agrees
with its bytes, and external data stays inside the model's folder. The initializers become the
module's parameters (floating point) or buffers (integers), nested by their dotted names so that
``state_dict()`` gives back the ONNX names (``conv1.weight``); a name that is not a dotted path of
identifiers (``onnx::MatMul_23``) is made one (``onnx__MatMul_23``), and ``onnx_names`` maps every
ONNX name to its ``state_dict`` key.
"""
import os
import re

import numpy as np

from ..nn.modules.module import Module
from ..nn.parameter import Parameter
from ..tensor import Tensor
from ._require import require_onnx


class InvalidModelError(ValueError):
    """A file that is not a well-formed ONNX model."""


class UnsupportedOperatorError(NotImplementedError):
    """A node whose operator (or attribute) refnn does not map."""


# ONNX TensorProto data types refnn reads: code -> (numpy dtype, the typed field holding the values)
_DTYPES = {1: (np.float32, "float_data"), 2: (np.uint8, "int32_data"), 3: (np.int8, "int32_data"),
           6: (np.int32, "int32_data"), 7: (np.int64, "int64_data"), 9: (np.bool_, "int32_data"),
           10: (np.float16, "int32_data"), 11: (np.float64, "double_data")}
_MAX_ELEMENTS = 1 << 40


def _tensor_array(tensor, base_dir, what):
    """The values of a TensorProto, after checking its declared size against its bytes."""
    if tensor.data_type not in _DTYPES:
        raise InvalidModelError(f"{what}: data type {tensor.data_type} is not supported")
    dtype, field = _DTYPES[tensor.data_type]
    dims = list(tensor.dims)
    count = 1
    for d in dims:
        if d < 0:
            raise InvalidModelError(f"{what}: negative dimension {d} in dims {dims}")
        count *= d
        if count > _MAX_ELEMENTS:
            raise InvalidModelError(f"{what}: dims {dims} are too large")
    itemsize = np.dtype(dtype).itemsize
    if tensor.data_location == 1:          # EXTERNAL
        raw = _external_bytes(tensor, base_dir, what)
    elif tensor.HasField("raw_data"):
        raw = tensor.raw_data
    else:
        raw = None
    if raw is not None:
        if len(raw) != count * itemsize:
            raise InvalidModelError(f"{what}: dims {dims} declare {count} elements of {itemsize} bytes "
                                    f"({count * itemsize} bytes) but the tensor holds {len(raw)} bytes")
        return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype).reshape(dims)
    values = getattr(tensor, field)
    if len(values) != count:
        raise InvalidModelError(f"{what}: dims {dims} declare {count} elements but {field} holds {len(values)}")
    if tensor.data_type == 10:
        return np.asarray(values, dtype=np.uint16).view(np.float16).reshape(dims)
    return np.asarray(values).astype(dtype).reshape(dims)


def _external_bytes(tensor, base_dir, what):
    info = {e.key: e.value for e in tensor.external_data}
    location = info.get("location")
    if not location:
        raise InvalidModelError(f"{what}: external data without a location")
    if base_dir is None:
        raise InvalidModelError(f"{what}: external data {location!r} in a model read from bytes")
    if os.path.isabs(location):
        raise InvalidModelError(f"{what}: external data location {location!r} is an absolute path")
    root = os.path.realpath(base_dir)
    path = os.path.realpath(os.path.join(root, location))
    if os.path.commonpath([root, path]) != root:
        raise InvalidModelError(f"{what}: external data location {location!r} points outside the model's "
                                f"folder {root}")
    if not os.path.isfile(path):
        raise InvalidModelError(f"{what}: external data file {location!r} does not exist")
    try:
        offset = int(info.get("offset", 0))
        length = int(info["length"]) if "length" in info else None
    except ValueError:
        raise InvalidModelError(f"{what}: external data offset/length are not integers") from None
    size = os.path.getsize(path)
    if offset < 0 or offset > size or (length is not None and (length < 0 or offset + length > size)):
        raise InvalidModelError(f"{what}: external data range (offset {offset}, length {length}) lies outside "
                                f"{location!r} ({size} bytes)")
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(size - offset if length is None else length)


def _attributes(node, base_dir):
    from onnx import helper
    attrs = {}
    for a in node.attribute:
        if a.type == 4:                     # TENSOR
            attrs[a.name] = _tensor_array(a.t, base_dir, f"node {node.name!r} ({node.op_type}) attribute {a.name!r}")
        elif a.type in (5, 10, 11, 13):     # GRAPH, GRAPHS, SPARSE_TENSOR(S)
            raise UnsupportedOperatorError(f"node {node.name!r} ({node.op_type}): attribute {a.name!r} holds a "
                                           "graph or sparse tensor, which refnn does not run")
        else:
            value = helper.get_attribute_value(a)
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            elif isinstance(value, list):
                value = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in value]
            attrs[a.name] = value
    return attrs


def _topological(nodes, defined, what_name):
    """Nodes in an order where each runs after its inputs' producers; cycles and undefined inputs refused."""
    producer = {}
    for i, node in enumerate(nodes):
        for o in node.output:
            if o == "":
                continue
            if o in producer or o in defined:
                raise InvalidModelError(f"value {o!r} is produced twice (node {what_name(node)})")
            producer[o] = i
    waiting = []
    for i, node in enumerate(nodes):
        deps = set()
        for name in node.input:
            if name == "" or name in defined:
                continue
            if name not in producer:
                raise InvalidModelError(f"node {what_name(node)} reads {name!r}, which no graph input, "
                                        "initializer or node defines")
            deps.add(producer[name])
        waiting.append(deps)
    order, done = [], set()
    ready = [i for i, d in enumerate(waiting) if not d]
    readers = {}
    for i, deps in enumerate(waiting):
        for d in deps:
            readers.setdefault(d, []).append(i)
    while ready:
        i = ready.pop(0)
        order.append(i)
        done.add(i)
        for r in readers.get(i, ()):
            waiting[r].discard(i)
            if not waiting[r] and r not in done and r not in ready:
                ready.append(r)
        ready.sort()
    if len(order) != len(nodes):
        stuck = [what_name(nodes[i]) for i in range(len(nodes)) if i not in done]
        raise InvalidModelError(f"the graph has a cycle through nodes {', '.join(stuck[:5])}")
    return [nodes[i] for i in order]


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$|^[0-9]+$")


def _key_for(name, taken):
    """A state_dict key for an ONNX initializer name (a dotted path of identifiers, or sanitised)."""
    parts = name.split(".")
    if not all(_IDENT.match(p) for p in parts) or not re.match(r"^[A-Za-z_]", parts[-1]):
        key = re.sub(r"\W", "_", name)
        if not re.match(r"^[A-Za-z_]", key):
            key = "_" + key
        parts = [key]
    key = ".".join(parts)
    base, n = key, 1
    while key in taken:
        key = f"{base}_{n}"
        n += 1
    return key


class _Holder(Module):
    """A plain module that holds a level of nested initializer names."""

    def forward(self, *args):
        raise RuntimeError("an initializer holder is not callable")


class OnnxGraphModule(Module):
    """An ONNX graph run with refnn's functional operations (so autograd reaches its parameters)."""

    def __init__(self, model_proto, base_dir=None):
        super().__init__()
        from . import _ops
        onnx = require_onnx()
        graph = model_proto.graph
        opsets = {o.domain: o.version for o in model_proto.opset_import}
        self.opset = opsets.get("", opsets.get("ai.onnx"))
        if self.opset is None:
            raise InvalidModelError("the model imports no version of the default ONNX operator set")
        for domain in opsets:
            if domain not in ("", "ai.onnx"):
                used = [n for n in graph.node if n.domain == domain]
                if used:
                    raise UnsupportedOperatorError(f"node {used[0].name!r} ({used[0].op_type}) is in operator "
                                                   f"domain {domain!r}, which refnn does not run")
        initializer_arrays = {}
        for t in graph.initializer:
            if t.name in initializer_arrays:
                raise InvalidModelError(f"initializer {t.name!r} is defined twice")
            initializer_arrays[t.name] = _tensor_array(t, base_dir, f"initializer {t.name!r}")
        if len(graph.sparse_initializer):
            raise UnsupportedOperatorError("the graph has sparse initializers, which refnn does not read")
        self.input_names = [i.name for i in graph.input if i.name not in initializer_arrays]
        self.output_names = [o.name for o in graph.output]
        if len(set(self.input_names)) != len(self.input_names):
            raise InvalidModelError("the graph has two inputs of the same name")
        defined = set(self.input_names) | set(initializer_arrays)

        def what(node):
            return f"{node.name!r} ({node.op_type})"

        nodes = _topological(list(graph.node), defined, what)
        produced = defined | {o for n in nodes for o in n.output}
        for name in self.output_names:
            if name not in produced:
                raise InvalidModelError(f"graph output {name!r} is not defined by any node, input or initializer")
        self._plan = []
        for node in nodes:
            if node.domain not in ("", "ai.onnx"):
                raise UnsupportedOperatorError(f"node {what(node)} is in operator domain {node.domain!r}, "
                                               "which refnn does not run")
            attrs = _attributes(node, base_dir)
            impl = _ops.lookup(node, attrs, self.opset)
            self._plan.append((impl, list(node.input), list(node.output), attrs, what(node)))

        # initializers as nested parameters / buffers
        self.onnx_names = {}
        taken = set()
        for name, array in initializer_arrays.items():
            key = _key_for(name, taken)
            taken.add(key)
            self.onnx_names[name] = key
            *path, leaf = key.split(".")
            owner = self
            for part in path:
                child = owner._modules.get(part)
                if child is None:
                    child = _Holder()
                    owner.add_module(part, child)
                owner = child
            array = np.array(array, copy=True)
            if array.dtype.kind == "f" and array.dtype != np.float16:
                owner.register_parameter(leaf, Parameter(Tensor(array)))
            else:
                owner.register_buffer(leaf, Tensor(array))
        del onnx

    def _initializer(self, name):
        owner = self
        *path, leaf = self.onnx_names[name].split(".")
        for part in path:
            owner = owner._modules[part]
        return owner._parameters.get(leaf) if leaf in owner._parameters else owner._buffers[leaf]

    def initializer(self, name):
        """The parameter or buffer holding ONNX initializer ``name``."""
        return self._initializer(name)

    def forward(self, *inputs):
        if len(inputs) != len(self.input_names):
            raise TypeError(f"the ONNX graph takes {len(self.input_names)} inputs "
                            f"({', '.join(self.input_names)}), got {len(inputs)}")
        env = {name: self._initializer(name) for name in self.onnx_names}
        for name, value in zip(self.input_names, inputs):
            env[name] = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
        for impl, ins, outs, attrs, what in self._plan:
            args = [env[n] if n else None for n in ins]
            try:
                results = impl(args, attrs)
            except UnsupportedOperatorError:
                raise
            except Exception as exc:
                raise type(exc)(f"node {what}: {exc}") from exc
            if not isinstance(results, tuple):
                results = (results,)
            if len([n for n in outs if n]) > len(results):
                raise UnsupportedOperatorError(f"node {what}: refnn computes {len(results)} output(s), the graph "
                                               f"reads {len([n for n in outs if n])}")
            for n, r in zip(outs, results):
                if n:
                    env[n] = r
        outputs = tuple(env[n] for n in self.output_names)
        return outputs[0] if len(outputs) == 1 else outputs


def load(f):
    """Read an ONNX model (a path, a binary file object or bytes) as an :class:`OnnxGraphModule`."""
    require_onnx()
    from google.protobuf.message import DecodeError
    from onnx import ModelProto
    base_dir = None
    if isinstance(f, (bytes, bytearray, memoryview)):
        data = bytes(f)
    elif isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
        base_dir = os.path.dirname(os.path.abspath(f))
    elif hasattr(f, "read"):
        data = f.read()
        name = getattr(f, "name", None)
        if isinstance(name, str) and os.path.exists(name):
            base_dir = os.path.dirname(os.path.abspath(name))
    else:
        raise TypeError(f"refnn.onnx.load: f must be a path, a binary file or bytes, not {type(f).__name__}")
    model = ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise InvalidModelError(f"refnn.onnx.load: not a valid ONNX model (the protobuf does not parse: "
                                f"{exc})") from None
    if not data or not model.HasField("graph"):
        raise InvalidModelError("refnn.onnx.load: not a valid ONNX model (no graph)")
    if model.ir_version < 3:
        raise InvalidModelError(f"refnn.onnx.load: ir_version {model.ir_version} is not supported (>= 3)")
    try:
        module = OnnxGraphModule(model, base_dir)
    except (InvalidModelError, UnsupportedOperatorError):
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # an attribute or field of the wrong kind (a damaged file): refused, never half-loaded
        raise InvalidModelError(f"refnn.onnx.load: malformed model ({type(exc).__name__}: {exc})") from exc
    from onnx import checker
    try:                                   # onnx's own structural check, after refnn's clearer ones
        checker.check_model(str(f) if isinstance(f, (str, os.PathLike)) else model)
    except (checker.ValidationError, ValueError, RuntimeError) as exc:
        raise InvalidModelError(f"refnn.onnx.load: onnx's checker refuses the model: {exc}") from None
    return module
