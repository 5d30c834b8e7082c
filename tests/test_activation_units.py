"""Activation unit tests that are not torch comparisons: in-place semantics and version counters,
the accuracy of the float32 exp the kernels use, softmax stability, PReLU state, RReLU seeding."""
import math

import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F

INPLACE = [("relu", {}), ("relu6", {}), ("elu", {"alpha": 0.5}), ("celu", {}), ("selu", {}), ("hardtanh", {}),
           ("leaky_relu", {"negative_slope": 0.2}), ("hardsigmoid", {}), ("hardswish", {}), ("silu", {}),
           ("mish", {}), ("threshold", {"threshold": 0.1, "value": 2.0}), ("rrelu", {})]


def _x(shape=(4, 6), seed=0, dtype=np.float64):
    return np.random.default_rng(seed).uniform(-4, 4, size=shape).astype(dtype)


@pytest.mark.parametrize("op,kw", INPLACE)
def test_inplace_same_object_same_values_same_grad(op, kw):
    data = _x()
    g = np.random.default_rng(1).standard_normal(data.shape)
    x0 = refnn.Tensor(data.copy(), requires_grad=True)
    y0 = getattr(F, op)(x0 * 1, **kw)
    y0.backward(g)
    x1 = refnn.Tensor(data.copy(), requires_grad=True)
    z = x1 * 1
    version = z._version
    y1 = getattr(F, op)(z, inplace=True, **kw)
    assert y1 is z
    assert z._version == version + 1
    np.testing.assert_array_equal(z.data, y0.data)
    y1.backward(g)
    # the ELU family's in-place backward reads the result (as torch's does): equal up to rounding
    np.testing.assert_allclose(x1.grad.data, x0.grad.data, rtol=1e-12, atol=1e-15)


def test_inplace_on_leaf_requiring_grad_raises():
    x = refnn.Tensor(_x(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(x, inplace=True)


def test_inplace_noncontiguous_view_writes_through():
    base = _x((6, 4))
    x = refnn.Tensor(base.T)  # a transposed view
    y = F.hardtanh(x, inplace=True)
    assert y is x
    np.testing.assert_array_equal(base.T, np.clip(_x((6, 4)).T, -1, 1))


@pytest.mark.parametrize("op,kw", [("elu", {"alpha": -1.0}), ("leaky_relu", {"negative_slope": -0.1})])
def test_negative_slope_inplace_fails_at_backward_not_forward(op, kw):
    x = refnn.Tensor(_x(), requires_grad=True)
    y = getattr(F, op)(x * 1, inplace=True, **kw)  # the forward is allowed, as in torch
    with pytest.raises(RuntimeError, match="negative slope"):
        y.sum().backward()


def test_modified_saved_result_raises():
    x = refnn.Tensor(_x(), requires_grad=True)
    y = F.sigmoid(x * 1)
    F.relu(y, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_float32_exp_within_two_ulp():
    """sigmoid and softmax in float32 use refnn's vectorisable exp: compare with float64 maths."""
    x = np.linspace(-87, 100, 200001).astype(np.float32)  # below -87 the result is denormal (or 0, as torch)
    y = F.sigmoid(refnn.Tensor(x)).data
    expected = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    ulps = np.abs(y.view(np.int32).astype(np.int64) - expected.view(np.int32).astype(np.int64))
    assert ulps.max() <= 2
    assert F.sigmoid(refnn.Tensor(np.float32([-1e4, -200, 1e4]))).data.tolist() == [0, 0, 1]
    rows = np.random.default_rng(0).uniform(-80, 80, size=(64, 300)).astype(np.float32)
    s = F.softmax(refnn.Tensor(rows), dim=1).data.astype(np.float64)
    r64 = rows.astype(np.float64)
    e = np.exp(r64 - r64.max(1, keepdims=True))
    # x - max rounds in float32 (|x| up to 80): relative error up to ~1e-5 in the exponential
    np.testing.assert_allclose(s, e / e.sum(1, keepdims=True), rtol=2e-5, atol=1e-30)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_big_logits_stable(dtype):
    x = np.array([[1e4, 1e4 - 1, -1e4], [-1e30, -1e30, -1e30]], dtype=dtype)
    s = F.softmax(refnn.Tensor(x), dim=1).data
    assert np.isfinite(s).all()
    np.testing.assert_allclose(s.sum(1), 1, rtol=1e-6)
    ls = F.log_softmax(refnn.Tensor(x), dim=1).data
    assert np.isfinite(ls).all()


def test_softmax_row_sum_order_is_fixed():
    """The row sum is the 8-lane sum of the module docstring: check it bit for bit in float64.

    The exponentials are refnn's own exp (refnn_math.h, here through the Tensor API's kernel; its accuracy
    against torch is tests/test_transcendentals.py's business): this test is about the order of the sum."""
    from refnn._kernels import elementwise as E
    x = np.random.default_rng(3).uniform(-3, 3, size=(3, 29))
    s = F.softmax(refnn.Tensor(x), dim=1).data
    for r in range(3):
        e = np.empty(29)
        E.unary(E.EXP, x[r] - x[r].max(), e, 1)
        np.testing.assert_allclose(e, [math.exp(v) for v in x[r] - x[r].max()], rtol=5e-16)
        lanes = [0.0] * 8
        for d, v in enumerate(e):
            lanes[d % 8] += v
        total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        np.testing.assert_array_equal(s[r], e * (1 / total))


def test_prelu_parameter_and_grad():
    m = nn.PReLU(3, init=0.1)
    assert list(m.state_dict()) == ["weight"]
    np.testing.assert_array_equal(m.weight.data, np.full(3, 0.1, np.float32))
    x = refnn.Tensor(np.array([[[-1.0, 2.0], [3.0, -4.0], [-5.0, -6.0]]], dtype=np.float32), requires_grad=True)
    m(x).backward(np.ones((1, 3, 2), np.float32))
    np.testing.assert_allclose(m.weight.grad.data, [-1.0, -4.0, -11.0])
    np.testing.assert_allclose(x.grad.data, [[[0.1, 1], [1, 0.1], [0.1, 0.1]]], rtol=1e-6)


def test_rrelu_seeded_and_eval_mean_slope():
    x = refnn.Tensor(-np.ones((50, 50)))
    refnn.manual_seed(5)
    a = F.rrelu(x, 0.1, 0.3, training=True).data
    refnn.manual_seed(5)
    b = F.rrelu(x, 0.1, 0.3, training=True).data
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a)) > 100 and (-a >= 0.1).all() and (-a <= 0.3).all()
    m = nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(m(x).data, -0.2)


def test_gelu_float32_erf_close_to_exact():
    """GELU's float32 erf is refnn's own (refnn_math.h, within 1 ulp): GELU within a few float32 ulps of exact."""
    import math
    x = np.linspace(-6, 6, 4001)
    y32 = F.gelu(refnn.Tensor(x.astype(np.float32))).data.astype(np.float64)
    exact = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    assert np.max(np.abs(y32 - exact) / np.maximum(np.abs(x), 1)) < 2e-7
