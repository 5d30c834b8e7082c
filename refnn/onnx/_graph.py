"""The graph an export records: nodes, constants and initializers, named the way torch names them.

torch's TorchScript exporter names a node ``<scope>/<OpType>`` (``/conv1/Conv``, ``/Relu_1``: a
counter per name), its outputs ``<node name>_output_<i>``, and the folded constants it turns into
initializers ``onnx::<OpType>_<n>``. The scope is the chain of module names from the root, each
written as torch's ``_unqualified_variable_name`` writes it (``layer1/layer1.0/conv1``).
"""
from collections import OrderedDict

import numpy as np


def unqualified_name(qualified):
    """``layer1.0.conv1`` -> ``conv1``; ``layer1.0`` -> ``layer1.0``; ``0.1`` -> ``0.1``."""
    atoms = qualified.split(".")
    for i in range(len(atoms) - 1, -1, -1):
        if not atoms[i].isnumeric():
            return ".".join(atoms[i:])
    return qualified


class Node:
    __slots__ = ("op_type", "inputs", "outputs", "attrs", "name")

    def __init__(self, op_type, inputs, outputs, attrs, name):
        self.op_type = op_type
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.attrs = dict(attrs)
        self.name = name


class Graph:
    """Nodes in execution order, the value name of each traced tensor, and the initializers."""

    def __init__(self, param_names):
        self.nodes = []
        self.param_names = param_names          # id(tensor) -> state_dict name
        self.param_tensors = {}                 # state_dict name -> tensor (kept alive)
        self.folded = OrderedDict()             # onnx::<Op>_<n> -> ndarray
        self.values = {}                        # id(tensor) -> value name
        self._alive = []                        # keeps traced tensors alive: ids stay unique
        self.scope = []
        self._name_counts = {}
        self._folded_count = 0
        self.inputs = []                        # (name, tensor)
        self.fold = True                        # do_constant_folding

    # ---- names ---------------------------------------------------------
    def _node_name(self, op_type):
        base = "".join("/" + s for s in self.scope) + "/" + op_type
        n = self._name_counts.get(base, 0)
        self._name_counts[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def folded_name(self, op_type):
        self._folded_count += 1
        return f"onnx::{op_type}_{self._folded_count}"

    # ---- values --------------------------------------------------------
    def bind(self, tensor, name):
        self._alive.append(tensor)
        self.values[id(tensor)] = name

    def has(self, tensor):
        return id(tensor) in self.values or id(tensor) in self.param_names

    def value(self, tensor):
        """The value name of a tensor: traced, a parameter or buffer, or else a constant."""
        name = self.values.get(id(tensor))
        if name is not None:
            return name
        name = self.param_names.get(id(tensor))
        if name is not None:
            self.param_tensors[name] = tensor
            return name
        return self.constant(np.asarray(tensor.data))

    def add_folded(self, op_type, array):
        name = self.folded_name(op_type)
        self.folded[name] = np.array(array, order="C", copy=True)
        return name

    # ---- nodes ---------------------------------------------------------
    def node(self, op_type, inputs, attrs=None, num_outputs=1, output_names=None):
        name = self._node_name(op_type) if output_names is None else op_type + "_" + str(len(self.nodes))
        outputs = output_names or [f"{name}_output_{i}" for i in range(num_outputs)]
        self.nodes.append(Node(op_type, inputs, outputs, attrs or {}, name))
        return outputs[0] if num_outputs == 1 else outputs

    def constant(self, array, dtype=None):
        """A Constant node holding ``array`` (a 0-d float for a scalar, int64 for shapes)."""
        array = np.asarray(array, dtype=dtype)
        return self.node("Constant", [], {"value": np.array(array, order="C", copy=True)})   # 0-d stays 0-d

    def scalar(self, value, like):
        """A 0-d constant of the element type of tensor ``like`` (torch's scalar operands)."""
        return self.constant(np.asarray(value, dtype=like.data.dtype))

    def ints(self, values):
        return self.constant(np.asarray(list(values), dtype=np.int64))
