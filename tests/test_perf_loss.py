"""The fused cross_entropy (class indices) against its specification, nll_loss(log_softmax(x)), bit for bit.

Forward value and input gradient, every reduction, weights, ignore_index (inside and outside the
class range), spatial targets, the unbatched form, NaN and inf logits, float32 and float64, and at
1 and 2 threads.
"""
import numpy as np
import pytest

import refnn
import refnn.nn.functional as F
from refnn._threads import get_num_threads, set_num_threads


def _composition(x, target, **kwargs):
    return F.nll_loss(F.log_softmax(x, dim=0 if x.dim() == 1 else 1), target, **kwargs)


def _loss_and_grad(fn, x_data, target, upstream, **kwargs):
    x = refnn.Tensor(x_data.copy(), requires_grad=True)
    loss = fn(x, refnn.Tensor(target), **kwargs)
    loss.backward(refnn.Tensor(upstream.astype(x_data.dtype)))
    return loss.data, x.grad.data


def _cases():
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        logits = rng.standard_normal((7, 13)).astype(dtype) * 4
        yield "plain", logits, rng.integers(0, 13, size=7), {}
        spatial = rng.standard_normal((3, 11, 4, 5)).astype(dtype)
        yield "spatial", spatial, rng.integers(0, 11, size=(3, 4, 5)), {}
        yield "unbatched", logits[0], np.array(4), {}
        weight = refnn.Tensor(rng.uniform(0.2, 2.0, size=13).astype(dtype))
        target = rng.integers(0, 13, size=7)
        target[[1, 4]] = 2
        yield "weight_ignore_inside", logits, target, {"weight": weight, "ignore_index": 2}
        target = rng.integers(0, 13, size=7)
        target[3] = -100
        yield "ignore_default", logits, target, {}
        special = logits.copy()
        special[0, 3] = np.nan
        special[2, 5] = np.inf
        special[4, :] = -np.inf
        special[5, 1] = -np.inf
        yield "nan_inf", special, rng.integers(0, 13, size=7), {}
        zeros = -np.abs(logits)   # a max of 0 whose sign comes from the first zero of the row
        zeros[0, [2, 9]] = [-0.0, 0.0]
        zeros[1, [0, 12]] = [0.0, -0.0]
        zeros[2, [3, 4]] = [-0.0, -0.0]
        zeros[3, :] = -0.0
        yield "signed_zero_max", zeros, np.array([2, 0, 3, 5, 9, 1, 0]), {}
        yield "all_ignored", logits, np.full(7, -100), {}
        yield "long_rows", rng.standard_normal((5, 1000)).astype(dtype), rng.integers(0, 1000, size=5), {}
        # big enough (> PARALLEL_MIN_WORK elements) that the kernels really run on 2 threads
        yield "many_rows", rng.standard_normal((300, 257)).astype(dtype), rng.integers(0, 257, size=300), {}
        yield "many_rows_spatial", rng.standard_normal((40, 33, 60)).astype(dtype), rng.integers(0, 33, size=(40, 60)), {}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("threads", [1, 2])
def test_fused_cross_entropy_equals_log_softmax_then_nll_bitwise(reduction, threads):
    saved = get_num_threads()
    set_num_threads(threads)
    try:
        rng = np.random.default_rng(11)
        for desc, x, target, kwargs in _cases():
            out_shape = target.shape if reduction == "none" else ()
            upstream = rng.standard_normal(out_shape)
            with np.errstate(all="ignore"):
                fused = _loss_and_grad(F.cross_entropy, x, target, upstream, reduction=reduction, **kwargs)
                spec = _loss_and_grad(_composition, x, target, upstream, reduction=reduction, **kwargs)
            for got, want, what in zip(fused, spec, ("loss", "grad")):
                assert got.dtype == want.dtype and got.shape == want.shape, (desc, what)
                assert got.tobytes() == want.tobytes(), (desc, what, got, want)
    finally:
        set_num_threads(saved)


def test_fused_cross_entropy_refuses_an_input_changed_in_place():
    x = refnn.Tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
    y = x * 1.0
    loss = F.cross_entropy(y, refnn.Tensor(np.array([0, 1, 2, 3])))
    y.data[...] = 0
    y._version += 1
    with pytest.raises(RuntimeError, match="inplace"):
        loss.backward()
