"""Pooling unit tests that are not torch comparisons: the tutorials' printed results, the
fast paths against the plain loops (bit for bit), and safety on out-of-range indices."""
import numpy as np
import pytest

import refnn
import refnn.nn as nn
import refnn.nn.functional as F
from refnn import _isa
from refnn._kernels import pooling as K
from refnn._shape import pool_out_size


def test_tutorial_max_unpool2d_example():
    """The MaxUnpool2d tutorial example: pool 2x2 then unpool to 5x5."""
    pool = nn.MaxPool2d(2, stride=2, return_indices=True)
    unpool = nn.MaxUnpool2d(2, stride=2)
    input = refnn.tensor([[[[1., 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]])
    output, indices = pool(input)
    result = unpool(output, indices, output_size=(1, 1, 5, 5))
    expected = np.array([[[[0., 0., 0., 0., 0.],
                           [6., 0., 8., 0., 0.],
                           [0., 0., 0., 14., 0.],
                           [16., 0., 0., 0., 0.],
                           [0., 0., 0., 0., 0.]]]], dtype=np.float32)
    np.testing.assert_array_equal(result.numpy(), expected)


def test_tutorial_avg_pool1d_example():
    """The avg_pool1d tutorial example: [1..7], kernel 3, stride 2 -> [2, 4, 6]."""
    input = refnn.tensor([[[1., 2, 3, 4, 5, 6, 7]]])
    np.testing.assert_array_equal(F.avg_pool1d(input, kernel_size=3, stride=2).numpy(),
                                  np.array([[[2., 4., 6.]]], dtype=np.float32))


def test_tutorial_maxpool_ceil_mode_example():
    """The ceil_mode tutorial example: rows 0..4 repeated over 5 columns, 2x2 pooling, ceil_mode."""
    input = refnn.tensor(np.repeat(np.arange(5.0), 5).reshape(1, 1, 5, 5))
    np.testing.assert_array_equal(nn.MaxPool2d(2, ceil_mode=True)(input).numpy()[0, 0],
                                  [[1, 1, 1], [3, 3, 3], [4, 4, 4]])
    np.testing.assert_array_equal(nn.MaxPool2d(2)(input).numpy()[0, 0], [[1, 1], [3, 3]])


@pytest.mark.parametrize("size,kernel,stride,padding,dilation", [
    (5, 2, 2, 1, 1), (6, 3, 2, 1, 1), (7, 3, 3, 1, 2), (10, 4, 3, 2, 1), (1, 1, 1, 0, 1), (8, 3, 2, 0, 2)])
def test_pool_out_size_ceil_rule(size, kernel, stride, padding, dilation):
    """ceil mode keeps a last window only if it starts inside the input or the left padding."""
    floor_out = pool_out_size(size, kernel, stride, padding, dilation, False)
    ceil_out = pool_out_size(size, kernel, stride, padding, dilation, True)
    assert floor_out == (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    assert ceil_out in (floor_out, floor_out + 1)
    assert (ceil_out - 1) * stride < size + padding


def _plain_and_fast(kind, x, *params):
    """Run a kernel with its fast path off and on."""
    outs = []
    for fast in (False, True):
        out = np.empty((x.shape[0],) + params[-1], dtype=x.dtype)
        if kind == "max":
            indices = np.empty(out.shape, dtype=np.int64)
            K.max_pool_fwd(x, out, indices, *params[:-1], fast, 2)
            outs.append((out, indices))
        else:
            K.avg_pool_fwd(x, out, *params[:-1], fast, 2)
            outs.append((out,))
    return outs


def _window(depth, k, s, p, d):
    """A 2-d window (unit depth) or the same window in 3-d (depth k, s, p, d)."""
    return (k, s, p, d) if depth > 1 else (1, 1, 0, 1)


@pytest.mark.parametrize("depth", [1, 7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k,s,p,d", [(3, 2, 1, 1), (2, 2, 0, 1), (3, 1, 1, 2), (4, 3, 2, 1), (5, 2, 2, 3)])
def test_max_fast_path_bit_identical(dtype, k, s, p, d, depth):
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal((3, depth, 9, 37)) * 2).astype(dtype) / 2   # ties
    x.reshape(-1)[::13] = np.nan
    kd, sd, pd, dd = _window(depth, k, s, p, d)
    out_size = (pool_out_size(depth, kd, sd, pd, dd, True),) + tuple(
        pool_out_size(n, k, s, p, d, True) for n in x.shape[2:])
    (plain, plain_idx), (fast, fast_idx) = _plain_and_fast("max", x, kd, k, k, sd, s, s, pd, p, p, dd, d, d,
                                                          out_size)
    assert plain.tobytes() == fast.tobytes()
    np.testing.assert_array_equal(plain_idx, fast_idx)


@pytest.mark.parametrize("depth", [1, 6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k,s,p,cip,div", [(3, 2, 1, True, 0), (2, 2, 0, True, 0), (3, 1, 1, False, 0),
                                          (4, 3, 2, False, 0), (3, 2, 1, True, 5)])
def test_avg_fast_path_bit_identical(dtype, k, s, p, cip, div, depth):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, depth, 9, 37)).astype(dtype)
    kd, sd, pd, _ = _window(depth, k, s, p, 1)
    out_size = (pool_out_size(depth, kd, sd, pd, 1, True),) + tuple(
        pool_out_size(n, k, s, p, 1, True) for n in x.shape[2:])
    (plain,), (fast,) = _plain_and_fast("avg", x, kd, k, k, sd, s, s, pd, p, p, cip, div, out_size)
    assert plain.tobytes() == fast.tobytes()


@pytest.mark.parametrize("build", _isa.supported_builds())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_threads", [1, 2])
@pytest.mark.parametrize("planes,side", [(19, 7), (37, 7), (16, 1), (8, 3), (11, 2), (50, 5), (70, 7), (96, 13),
                                         (33, 1), (64, 3), (40, 2)])
def test_global_average_interleaved_equals_adaptive_loop(build, dtype, num_threads, planes, side):
    """The 1x1 fast path (32 planes interleaved in the AVX2 / AVX-512 builds, then 8, the rest one by one)
    sums each plane in the general loop's order, at 1 thread (no OpenMP region) and 2, in every build."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((planes, 1, side, side)).astype(dtype)
    x.reshape(-1)[5::17] = -0.0
    x.reshape(-1)[7::31] = np.array([np.inf, -np.inf, np.nan], dtype)[np.arange(len(x.reshape(-1)[7::31])) % 3]
    out = np.empty((planes, 1, 1, 1), dtype=dtype)
    with _isa.forced(build):
        K.adaptive_avg_pool_fwd(x, out, num_threads)
    expected = np.empty(planes, dtype=dtype)
    with np.errstate(invalid="ignore"):
        for p in range(planes):
            total = dtype(0)
            for v in x[p].reshape(-1):
                total = dtype(total + v)
            expected[p] = dtype(dtype(dtype(total / dtype(1)) / dtype(side)) / dtype(side))
    got, expected = out.reshape(-1), expected
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.where(np.isnan(got), 0, got).tobytes() == np.where(np.isnan(expected), 0, expected).tobytes()


def test_max_pool_backward_skips_padding_only_windows():
    """With dilation a window can hold only padding: index past the plane, gradient goes nowhere."""
    x = refnn.Tensor(np.ones((1, 1, 1, 1), dtype=np.float32), requires_grad=True)
    y, indices = F.max_pool2d(x, 2, 1, 1, 2, return_indices=True)
    assert y.detach().numpy()[0, 0, 0, 0] == -np.inf
    assert indices.numpy()[0, 0, 0, 0] == 2          # torch's index for this window
    y.backward(np.ones(y.shape, dtype=np.float32))
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((1, 1, 1, 1), dtype=np.float32))


@pytest.mark.parametrize("bad", [36, 1000, -1, -(1 << 40)])
def test_unpool_out_of_range_index_raises_before_writing(bad):
    x = refnn.Tensor(np.ones((1, 2, 3, 3), dtype=np.float32))
    indices = refnn.Tensor(np.zeros((1, 2, 3, 3), dtype=np.int64))
    indices.data[0, 1, 2, 2] = bad
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool2d(x, indices, 2)


def test_overlapping_backward_deterministic_across_threads():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 17, 19)).astype(np.float32)
    grads = []
    saved = refnn.get_num_threads()
    try:
        for threads in (1, 2, 3):
            refnn.set_num_threads(threads)
            t = refnn.Tensor(x.copy(), requires_grad=True)
            y = F.max_pool2d(t, 3, 1, 1) + F.avg_pool2d(t, 3, 1, 1, count_include_pad=False)
            y.backward(np.ones(y.shape, dtype=np.float32))
            grads.append(t.grad.numpy().tobytes())
    finally:
        refnn.set_num_threads(saved)
    assert grads[0] == grads[1] == grads[2]


def test_reprs():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.MaxUnpool1d(2, 1)) == "MaxUnpool1d(kernel_size=(2,), stride=(1,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((None, 3))) == "AdaptiveAvgPool2d(output_size=(None, 3))"
