"""refnn as an ONNX backend (``onnx.backend.base.Backend``): ``prepare`` loads a model with
``refnn.onnx.load``; ``run`` feeds NumPy arrays and returns NumPy arrays.

``node_test_results()`` runs the node tests that ship with the ``onnx`` package
(``onnx.backend.test.loader.load_model_tests(kind="node")``) for every operator refnn maps and
returns, per operator, the tests passed, the total and each failure's message.
"""
import numpy as np

from ._require import require_onnx

require_onnx()

from onnx.backend.base import Backend, BackendRep  # noqa: E402

from .. import no_grad  # noqa: E402
from ..tensor import Tensor  # noqa: E402
from ._load import OnnxGraphModule  # noqa: E402


class RefnnBackendRep(BackendRep):
    def __init__(self, module):
        self.module = module

    def run(self, inputs, **kwargs):
        if isinstance(inputs, dict):
            inputs = [inputs[name] for name in self.module.input_names]
        elif not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        from onnx import TensorProto, numpy_helper
        arrays = [numpy_helper.to_array(a) if isinstance(a, TensorProto) else np.array(a, copy=True) for a in inputs]
        with no_grad():
            out = self.module(*[Tensor(a) for a in arrays])
        outs = out if isinstance(out, tuple) else (out,)
        return tuple(np.asarray(o.data) for o in outs)


class RefnnBackend(Backend):
    @classmethod
    def is_compatible(cls, model, device="CPU", **kwargs):
        return device == "CPU"

    @classmethod
    def supports_device(cls, device):
        return device == "CPU"

    @classmethod
    def prepare(cls, model, device="CPU", **kwargs):
        super().prepare(model, device, **kwargs)
        return RefnnBackendRep(OnnxGraphModule(model))

    @classmethod
    def run_model(cls, model, inputs, device="CPU", **kwargs):
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(cls, node, inputs, device="CPU", outputs_info=None, **kwargs):
        from onnx import helper
        names = [n for n in node.input]
        graph_inputs = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(np.asarray(a).dtype),
                                                      np.shape(a))
                        for n, a in zip(names, inputs) if n]
        graph_outputs = [helper.make_tensor_value_info(n, 0, None) for n in node.output if n]
        model = helper.make_model(helper.make_graph([node], "node", graph_inputs, graph_outputs))
        # a lone node has no output types to check: load it without onnx's checker
        return RefnnBackendRep(OnnxGraphModule(model)).run([a for n, a in zip(names, inputs) if n])


prepare = RefnnBackend.prepare
run_model = RefnnBackend.run_model
run_node = RefnnBackend.run_node
supports_device = RefnnBackend.supports_device


def _node_cases():
    import warnings
    from onnx.backend.test import loader
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return loader.load_model_tests(kind="node")


def node_test_results(ops=None):
    """{op_type: {"passed": n, "total": n, "failures": {test name: message}}} for the mapped operators.

    A test counts for an operator when its model is that single node (the ``_expanded`` variants, which
    compose other operators, are left out).
    """
    from onnx import numpy_helper  # noqa: F401
    from ._ops import OPS
    wanted = set(OPS) if ops is None else set(ops)
    results = {}
    for case in _node_cases():
        model = case.model
        if model is None or len(model.graph.node) != 1:
            continue
        op = model.graph.node[0].op_type
        if op not in wanted or model.graph.node[0].domain not in ("", "ai.onnx"):
            continue
        entry = results.setdefault(op, {"passed": 0, "total": 0, "failures": {}})
        entry["total"] += 1
        try:
            rep = RefnnBackend.prepare(model)
            for inputs, expected in case.data_sets:
                got = rep.run(list(inputs))
                if len(got) != len(expected):
                    raise AssertionError(f"{len(got)} outputs, expected {len(expected)}")
                for g, e in zip(got, expected):
                    e = numpy_helper.to_array(e) if hasattr(e, "data_type") else np.asarray(e)
                    if g.dtype != e.dtype:
                        raise AssertionError(f"dtype {g.dtype}, expected {e.dtype}")
                    np.testing.assert_allclose(g, e, rtol=case.rtol, atol=case.atol)
            entry["passed"] += 1
        except Exception as exc:  # noqa: BLE001 - every failure is recorded with its message
            message = f"{type(exc).__name__}: {exc}".strip().splitlines()
            entry["failures"][case.name] = " ".join(message[:3])[:300]
    return dict(sorted(results.items()))
