"""refnn as an ONNX backend, held against the node tests that ship with the onnx package (a second
oracle beside torch): every node test of every operator refnn maps passes, or its failure matches a
reason recorded here. A recorded reason that no failure matches any more fails too, so the list
stays true."""
import re

import numpy as np
import pytest

import onnx
from onnx import TensorProto, helper

from refnn.onnx import backend

from tests.onnx_node_reasons import NODE_TEST_REASONS, reason_for


@pytest.fixture(scope="module")
def results():
    return backend.node_test_results()


def test_every_node_test_passes_or_has_a_recorded_reason(results):
    unexplained = {name: msg for entry in results.values() for name, msg in entry["failures"].items()
                   if reason_for(name) is None}
    assert not unexplained, unexplained


def test_every_recorded_reason_still_explains_a_failure(results):
    failures = [name for entry in results.values() for name in entry["failures"]]
    stale = [p for p in NODE_TEST_REASONS if not any(re.fullmatch(p, name) for name in failures)]
    assert not stale, stale


def test_every_mapped_operator_with_node_tests_passes_some(results):
    assert sum(e["total"] for e in results.values()) > 400
    # Cast and Resize lose most tests to types and modes recorded above; every operator passes at least one
    assert all(e["passed"] > 0 for e in results.values()), {op: e for op, e in results.items() if not e["passed"]}


def test_backend_api_runs_a_model_and_a_node():
    node = helper.make_node("Relu", ["x"], ["y"])
    x = np.array([[-1.0, 2.0]], dtype=np.float32)
    (y,) = backend.run_node(node, [x])
    np.testing.assert_array_equal(y, [[0.0, 2.0]])
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    rep = backend.prepare(model)
    np.testing.assert_array_equal(rep.run({"x": x})[0], [[0.0, 2.0]])
    assert backend.supports_device("CPU") and not backend.supports_device("CUDA")
    assert isinstance(rep, onnx.backend.base.BackendRep)
