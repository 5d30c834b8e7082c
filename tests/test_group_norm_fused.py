"""GroupNorm / InstanceNorm's fused forward (statistics and apply per group, K.grouped_rows_fwd) gives the
bits of the unfused path (row_moments, then NormFunction's numpy, then row_affine_fwd), and is the path taken."""
import numpy as np
import pytest
import torch

import refnn
import refnn.nn.functional as F
from refnn._functions import normalization as N


def _both(monkeypatch, fn):
    calls = []
    real = N.K.grouped_rows_fwd
    monkeypatch.setattr(N.K, "grouped_rows_fwd", lambda *a: (calls.append(1), real(*a))[1])
    fused = fn()
    assert calls, "the fused kernel was not used"
    monkeypatch.setattr(N.NormGeometry, "grouped_rows", property(lambda self: 0))
    plain = fn()
    return fused, plain


def _bits_equal(a, b):
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(np.where(np.isnan(a), 0, a).view(np.uint8), np.where(np.isnan(b), 0, b).view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,groups,affine", [((4, 12, 7, 9), 3, True), ((2, 8, 33), 8, False),
                                                 ((3, 6, 5, 4, 3), 1, True), ((5, 4), 2, True)])
def test_group_norm_fused_equals_unfused(monkeypatch, dtype, shape, groups, affine):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    x.flat[7] = np.inf if shape[0] > 2 else x.flat[7]
    w = refnn.Tensor(rng.standard_normal(shape[1]).astype(dtype)) if affine else None
    b = refnn.Tensor(rng.standard_normal(shape[1]).astype(dtype)) if affine else None
    fused, plain = _both(monkeypatch, lambda: F.group_norm(refnn.Tensor(x), groups, w, b, 1e-5).data)
    _bits_equal(fused, plain)
    want = torch.nn.functional.group_norm(torch.from_numpy(x), groups, None if w is None else torch.from_numpy(w.data),
                                          None if b is None else torch.from_numpy(b.data), 1e-5).numpy()
    np.testing.assert_allclose(fused, want, rtol=1e-4 if dtype == np.float32 else 1e-10, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_instance_norm_fused_equals_unfused_and_backward_runs(monkeypatch, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5, 6, 7)).astype(dtype)
    w = refnn.Tensor(rng.standard_normal(5).astype(dtype), requires_grad=True)

    def run():
        xt = refnn.Tensor(x, requires_grad=True)
        y = F.instance_norm(xt, weight=w, bias=None)
        y.backward(refnn.Tensor(np.ones_like(x)))
        return y.data, xt.grad.data

    (fy, fg), (py, pg) = _both(monkeypatch, run)
    _bits_equal(fy, py)
    _bits_equal(fg, pg)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("shape,groups,affine", [((4, 12, 7, 9), 3, True), ((2, 8, 33), 8, False),
                                                 ((3, 6, 5, 4, 3), 1, True), ((5, 4), 2, True),
                                                 ((2, 64, 300), 4, True)])
def test_group_norm_fused_backward_equals_unfused(monkeypatch, dtype, threads, shape, groups, affine, stream):
    """K.grouped_rows_bwd (row sums and input gradient per group) against row_grad_sums + numpy +
    row_affine_bwd: the input, weight and bias gradients to the bit, with an inf in the input and a NaN
    in the upstream gradient; stream: its streaming-store apply (large float32 outputs) on these."""
    rng = np.random.default_rng(2)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    if x.size > 100:
        x.flat[11] = np.inf
        dy.flat[x.size - 3] = np.nan
    w = rng.standard_normal(shape[1]).astype(dtype) if affine else None
    b = rng.standard_normal(shape[1]).astype(dtype) if affine else None
    calls = []
    real = N.K.grouped_rows_bwd
    monkeypatch.setattr(N.K, "grouped_rows_bwd", lambda *a: (calls.append(1), real(*a))[1])

    def run():
        xt = refnn.Tensor(x, requires_grad=True)
        wt = refnn.Tensor(w, requires_grad=True) if affine else None
        bt = refnn.Tensor(b, requires_grad=True) if affine else None
        F.group_norm(xt, groups, wt, bt, 1e-5).backward(refnn.Tensor(dy))
        return [xt.grad.data] + ([wt.grad.data, bt.grad.data] if affine else [])

    saved = refnn.get_num_threads()
    refnn.set_num_threads(threads)
    saved_stream = N.K._set_stream_min_bytes(0 if stream else 1 << 62)
    try:
        fused = run()
        assert calls, "the fused backward was not used"
        monkeypatch.setattr(N.NormGeometry, "grouped_rows", property(lambda self: 0))
        plain = run()
    finally:
        refnn.set_num_threads(saved)
        N.K._set_stream_min_bytes(saved_stream)
    for a, p in zip(fused, plain):
        _bits_equal(a, p)
