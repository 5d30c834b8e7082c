"""Fast paths of the normalisation Function against the generic kernels (their specification), bit for bit.

LayerNorm's backward (rows that are their own statistic) runs K.layer_rows_bwd, the row sums and the
input gradient in one pass per row; the same geometry with the fast path switched off runs
row_grad_sums + row_affine_bwd.  Input, weight and bias gradients must agree to the bit, at 1 and 2 threads.
"""
import copy

import numpy as np
import pytest

import refnn
from refnn._functions import normalization as N
from refnn._threads import get_num_threads, set_num_threads
from refnn.nn.functional import _normalization as FN


def _generic(geometry):
    plain = copy.copy(geometry)
    plain._rows_are_stats = False
    return plain


def _run(x_data, weight, bias, geometry, upstream):
    x = refnn.Tensor(x_data.copy(), requires_grad=True)
    params = [refnn.Tensor(p.copy(), requires_grad=True) if p is not None else None for p in (weight, bias)]
    out = N.NormFunction.apply(x, params[0], params[1], geometry, 1e-5)
    out.backward(refnn.Tensor(upstream))
    return [out.data, x.grad.data] + [p.grad.data for p in params if p is not None]


def _cases():
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        for rows, width in ((6, 40), (3, 1000), (1, 7), (5, 1), (257, 300)):
            x = (rng.standard_normal((rows, width)) * 3 + 1).astype(dtype)
            w = rng.uniform(0.5, 1.5, width).astype(dtype)
            b = rng.standard_normal(width).astype(dtype)
            for weight, bias in ((w, b), (w, None), (None, b), (None, None)):
                yield f"{rows}x{width}", x, weight, bias
        special = rng.standard_normal((4, 37)).astype(dtype)
        special[0, 3] = np.nan
        special[1, 5] = np.inf
        special[2] = 2.5   # a constant row: variance 0
        yield "nan_inf_constant", special, rng.uniform(0.5, 1.5, 37).astype(dtype), None


@pytest.mark.parametrize("threads", [1, 2])
def test_layer_rows_backward_equals_generic_kernels_bitwise(threads):
    saved = get_num_threads()
    set_num_threads(threads)
    try:
        rng = np.random.default_rng(9)
        for desc, x, weight, bias in _cases():
            geometry = FN._geometry("layer", x.shape[0], x.shape[1], 1)
            assert geometry.rows_are_stats, desc
            upstream = rng.standard_normal(x.shape).astype(x.dtype)
            with np.errstate(all="ignore"):
                fast = _run(x, weight, bias, geometry, upstream)
                spec = _run(x, weight, bias, _generic(geometry), upstream)
            assert len(fast) == len(spec)
            for got, want in zip(fast, spec):
                assert got.dtype == want.dtype and got.shape == want.shape, desc
                assert got.tobytes() == want.tobytes(), desc
    finally:
        set_num_threads(saved)


def test_other_geometries_take_the_generic_path():
    assert not FN._geometry("batch", 4, 6, 5).rows_are_stats
    assert not FN._geometry("instance", 4, 6, 5).rows_are_stats
    assert not FN._geometry("group", 4, 6, 5, 3).rows_are_stats
