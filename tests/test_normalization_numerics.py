"""Normalisation numerics: the reduction order (spec), stability at large offsets, thread determinism."""
import numpy as np
import pytest
import torch

import refnn
import refnn.nn as rnn
import refnn.nn.functional as F
from refnn._kernels import normalization as K

LANES, CHUNK = 32, 256


def spec_moments(x3):
    """The documented order of row_moments, spelled in NumPy: lane b % 32 of each segment, lane partials in
    x's dtype over chunks of 256 elements, then double; the tail in double; lanes combined pairwise."""
    dtype = x3.dtype.type
    A, R, B = x3.shape
    b8 = B - B % LANES

    def total(rows, centre, squares):
        acc = np.zeros(LANES)
        for seg in rows:
            for start in range(0, b8, CHUNK):
                part = np.zeros(LANES, dtype)
                for b in range(start, min(start + CHUNK, b8), LANES):
                    v = seg[b:b + LANES]
                    if squares:
                        d = v - dtype(centre)
                        part = part + d * d
                    else:
                        part = part + v
                acc = acc + part.astype(np.float64)
            for b in range(b8, B):
                if squares:
                    d = seg[b] - dtype(centre)
                    acc[b - b8] += np.float64(d * d)
                else:
                    acc[b - b8] += np.float64(seg[b])
        h = LANES // 2
        while h:
            acc[:h] = acc[:h] + acc[h:2 * h]
            h //= 2
        return acc[0]

    means, var_sums = [], []
    for r in range(R):
        rows = [x3[a, r] for a in range(A)]
        mean = total(rows, 0.0, False) / (A * B)
        means.append(mean)
        var_sums.append(total(rows, mean, True))
    return np.array(means), np.array(var_sums)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 300), (1, 2, 600), (3, 2, 31), (1, 1, 32)])
def test_row_moments_follow_the_spec_bit_for_bit(dtype, shape):
    x = (np.random.default_rng(5).standard_normal(shape) * 3 + 2).astype(dtype)
    mean, var_sum = np.zeros(shape[1]), np.zeros(shape[1])
    K.row_moments(x, mean, var_sum, 2)
    spec_mean, spec_var_sum = spec_moments(x)
    assert mean.tobytes() == spec_mean.tobytes()
    assert var_sum.tobytes() == spec_var_sum.tobytes()


def test_large_offset_statistics_keep_precision():
    """mean >> std: the running statistics match float64 to float32 rounding (two passes, double lanes)."""
    rng = np.random.default_rng(0)
    x64 = 1e4 + rng.standard_normal((64, 3, 50))
    x = x64.astype(np.float32)
    m = rnn.BatchNorm1d(3, momentum=1.0)
    m(refnn.Tensor(x))
    exact = x.astype(np.float64)
    np.testing.assert_allclose(m.running_mean.data, exact.mean(axis=(0, 2)), rtol=1e-7)
    np.testing.assert_allclose(m.running_var.data, exact.var(axis=(0, 2), ddof=1), rtol=1e-6)


@pytest.mark.parametrize("op", ["layer_norm", "group_norm", "batch_norm"])
def test_large_offset_refnn_at_least_as_close_to_float64_as_torch(op):
    """At offset 1e3 (float32) torch's own rounding exceeds the default tolerance (see the registry's
    tol_reason); refnn's output and input gradient are at least as close to the float64 result."""
    rng = np.random.default_rng(1)
    x = (1e3 + rng.uniform(-1, 1, (4, 4, 16))).astype(np.float32)
    w = rng.uniform(0.5, 1.5, 4).astype(np.float32)
    b = rng.uniform(-1, 1, 4).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)

    def run(lib_f, tensor, dtype):
        xt, wt, bt = (tensor(a.astype(dtype)) for a in (x, w, b))
        for t in (xt, wt, bt):
            t.requires_grad_(True)
        if op == "layer_norm":
            xt2 = xt
            y = lib_f.layer_norm(xt2, (16,), None, None)
        elif op == "group_norm":
            y = lib_f.group_norm(xt, 2, wt, bt)
        else:
            y = lib_f.batch_norm(xt, None, None, wt, bt, True)
        y.backward(tensor(g.astype(dtype)))
        return np.asarray(y.detach().numpy() if hasattr(y, "detach") else y.data, np.float64), \
            np.asarray(xt.grad.numpy() if hasattr(xt.grad, "numpy") else xt.grad.data, np.float64)

    truth_y, truth_dx = run(torch.nn.functional, torch.from_numpy, np.float64)
    torch_y, torch_dx = run(torch.nn.functional, torch.from_numpy, np.float32)
    refnn_y, refnn_dx = run(F, lambda a: refnn.Tensor(a), np.float32)
    assert np.abs(refnn_y - truth_y).max() <= np.abs(torch_y - truth_y).max() * 1.01 + 1e-6
    assert np.abs(refnn_dx - truth_dx).max() <= np.abs(torch_dx - truth_dx).max() * 1.01 + 1e-6


def test_group_norm_bias_only_gradients():
    """torch 2.13 cannot backprop group_norm with weight=None and a bias; refnn's gradients equal torch's
    with an explicit weight of ones."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 4))
    bias = rng.standard_normal(6)
    g = rng.standard_normal(x.shape)
    xt, bt = torch.tensor(x, requires_grad=True), torch.tensor(bias, requires_grad=True)
    torch.nn.functional.group_norm(xt, 3, torch.ones(6, dtype=torch.float64), bt).backward(torch.tensor(g))
    xr, br = refnn.Tensor(x.copy(), requires_grad=True), refnn.Tensor(bias.copy(), requires_grad=True)
    F.group_norm(xr, 3, None, br).backward(g)
    np.testing.assert_allclose(xr.grad.data, xt.grad.numpy(), rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(br.grad.data, bt.grad.numpy(), rtol=1e-7, atol=1e-7)


def _run_all(threads):
    refnn.set_num_threads(threads)
    rng = np.random.default_rng(4)
    blobs = []
    cases = [
        lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
        lambda x, w, b: F.group_norm(x, 7, w, b),
        lambda x, w, b: F.instance_norm(x, None, None, w, b),
    ]
    for case in cases:
        x = refnn.Tensor(rng.standard_normal((5, 14, 77)).astype(np.float32), requires_grad=True)
        w = refnn.Tensor(rng.uniform(0.5, 1.5, 14).astype(np.float32), requires_grad=True)
        b = refnn.Tensor(rng.standard_normal(14).astype(np.float32), requires_grad=True)
        y = case(x, w, b)
        y.backward(rng.standard_normal(y.shape).astype(np.float32))
        blobs += [y.data.tobytes(), x.grad.data.tobytes(), w.grad.data.tobytes(), b.grad.data.tobytes()]
    x = refnn.Tensor(rng.standard_normal((37, 333)), requires_grad=True)
    w = refnn.Tensor(rng.standard_normal(333), requires_grad=True)
    b = refnn.Tensor(rng.standard_normal(333), requires_grad=True)
    y = F.layer_norm(x, (333,), w, b)
    y.backward(rng.standard_normal(y.shape))
    blobs += [y.data.tobytes(), x.grad.data.tobytes(), w.grad.data.tobytes(), b.grad.data.tobytes()]
    return blobs


def test_bit_identical_across_thread_counts():
    saved = refnn.get_num_threads()
    try:
        one, two, three = _run_all(1), _run_all(2), _run_all(3)
    finally:
        refnn.set_num_threads(saved)
    assert one == two == three
