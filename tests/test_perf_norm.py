"""Fast paths of the normalisation Function against the generic kernels (their specification), bit for bit.

GroupNorm and InstanceNorm (batch statistics) run K.stat_rows_fwd, statistics and normalisation in one
kernel; the same geometry with the fast path switched off runs row_moments + row_affine_fwd.
Outputs, running buffers and gradients must agree to the bit, at 1 and 2 threads.
"""
import copy

import numpy as np
import pytest

import refnn
import refnn.nn.functional as F
from refnn._functions import normalization as N
from refnn._threads import get_num_threads, set_num_threads


def _generic(geometry):
    plain = copy.copy(geometry)
    plain._rows_per_stat = None
    return plain


def _run(x_data, weight, bias, geometry, running, upstream):
    x = refnn.Tensor(x_data.copy(), requires_grad=True)
    params = [refnn.Tensor(p.copy(), requires_grad=True) if p is not None else None for p in (weight, bias)]
    buffers = [refnn.Tensor(b.copy()) for b in running] if running else [None, None]
    out = N.NormFunction.apply(x, params[0], params[1], geometry, 1e-5, True, buffers[0], buffers[1], 0.1)
    out.backward(refnn.Tensor(upstream))
    grads = [x.grad.data] + [p.grad.data for p in params if p is not None]
    return [out.data] + grads + [b.data for b in buffers if b is not None]


def _cases():
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal((3, 12, 5, 7)) * 3 + 1).astype(dtype)
        w = rng.uniform(0.5, 1.5, 12).astype(dtype)
        b = rng.standard_normal(12).astype(dtype)
        for groups in (1, 3, 12):
            for weight, bias in ((w, b), (w, None), (None, b), (None, None)):
                geometry = F._normalization._geometry("group", 3, 12, 35, groups)
                yield f"group{groups}", x, weight, bias, geometry, None
        geometry = F._normalization._geometry("instance", 3, 12, 35)
        running = (rng.standard_normal(12).astype(dtype), rng.uniform(0.5, 2, 12).astype(dtype))
        yield "instance_running", x, w, b, geometry, running
        special = x.copy()
        special[0, 1, 2, 3] = np.nan
        special[1, 4, 0, 0] = np.inf
        special[2, 7] = 5.0   # a constant channel: variance 0
        yield "nan_inf_constant", special, w, b, F._normalization._geometry("group", 3, 12, 35, 4), None
        long_rows = rng.standard_normal((2, 4, 33, 31)).astype(dtype)
        yield "long_rows", long_rows, w[:4], b[:4], F._normalization._geometry("group", 2, 4, 33 * 31, 2), None


@pytest.mark.parametrize("threads", [1, 2])
def test_stat_rows_fast_path_equals_generic_kernels_bitwise(threads):
    saved = get_num_threads()
    set_num_threads(threads)
    try:
        rng = np.random.default_rng(9)
        for desc, x, weight, bias, geometry, running in _cases():
            assert geometry.rows_per_stat, desc
            upstream = rng.standard_normal(x.shape).astype(x.dtype)
            with np.errstate(all="ignore"):
                fast = _run(x, weight, bias, geometry, running, upstream)
                spec = _run(x, weight, bias, _generic(geometry), running, upstream)
            assert len(fast) == len(spec)
            for got, want in zip(fast, spec):
                assert got.dtype == want.dtype and got.shape == want.shape, desc
                assert got.tobytes() == want.tobytes(), desc
    finally:
        set_num_threads(saved)


def test_layer_and_batch_geometries_take_the_generic_path():
    assert F._normalization._geometry("layer", 4, 6, 1).rows_per_stat is None
    assert F._normalization._geometry("batch", 4, 6, 5).rows_per_stat is None
