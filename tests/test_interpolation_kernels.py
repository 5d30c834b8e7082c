"""Interpolation kernels: fast paths equal the plain loops bit for bit, and the tables' basic laws."""
import numpy as np
import pytest

from refnn._functions import interpolation as IF
from refnn._kernels import interpolation as K

DTYPES = (np.float32, np.float64)


def same_bits(a, b):
    """Bit-identical, except that any NaN equals any NaN (the compiler may commute an operation,
    which changes which NaN payload propagates but never a number)."""
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and a[~nan].tobytes() == b[~nan].tobytes()


def _planes(rng, shape, dtype, specials=True):
    x = rng.standard_normal(shape).astype(dtype)
    if specials:
        flat = x.reshape(-1)
        flat[[1, 5, 9]] = [np.nan, np.inf, -np.inf]
    return x


def _bilinear_tables(dtype, in_hw, out_hw, align_corners):
    tables = [IF.linear_table(dtype, i, o, align_corners, None) for i, o in zip(in_hw, out_hw)]
    unit = IF.identity_table(dtype, 1)
    return [unit[0], unit[1], tables[0][0], tables[0][1], tables[1][0], tables[1][1]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("out_hw", [(11, 13), (3, 2), (7, 7)])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_bilinear_fast_forward_equals_plain_loop(dtype, align_corners, out_hw, num_threads):
    rng = np.random.default_rng(0)
    x = _planes(rng, (3, 1, 6, 7), dtype)
    tables = _bilinear_tables(dtype, (6, 7), out_hw, align_corners)
    fast = np.empty((3, 1) + out_hw, dtype=dtype)
    plain = np.empty_like(fast)
    K.separable_fwd(x, fast, *tables, True, num_threads)
    K.separable_fwd(x, plain, *tables, False, 1)
    assert same_bits(fast, plain)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("out_hw", [(11, 13), (3, 2)])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_bilinear_fast_backward_equals_plain_loop(dtype, align_corners, out_hw, num_threads):
    rng = np.random.default_rng(1)
    grad = _planes(rng, (3, 1) + out_hw, dtype)
    tables = _bilinear_tables(dtype, (6, 7), out_hw, align_corners)
    fast = np.zeros((3, 1, 6, 7), dtype=dtype)
    plain = np.zeros_like(fast)
    K.separable_bwd(grad, fast, *tables, False, True, num_threads)
    K.separable_bwd(grad, plain, *tables, False, False, 1)
    assert same_bits(fast, plain)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("factor", [2, 3])
def test_nearest_repeat_fast_path_equals_gather(dtype, factor):
    rng = np.random.default_rng(2)
    x = _planes(rng, (2, 1, 4, 5), dtype)
    idx_h = IF.nearest_table(dtype, 4, 4 * factor, None, False)
    idx_w = IF.nearest_table(dtype, 5, 5 * factor, None, False)
    assert np.array_equal(idx_w, np.arange(5 * factor) // factor)
    unit = np.zeros(1, dtype=np.intp)
    fast = np.empty((2, 1, 4 * factor, 5 * factor), dtype=dtype)
    plain = np.empty_like(fast)
    K.nearest_fwd(x, fast, unit, idx_h, idx_w, factor, 2)
    K.nearest_fwd(x, plain, unit, idx_h, idx_w, 0, 1)
    assert same_bits(fast, plain)


def test_area_windows_cover_the_input():
    for i in range(1, 12):
        for o in range(1, 12):
            start, end = IF.area_table(i, o)
            assert start[0] == 0 and end[-1] == i
            assert np.all(end > start)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_antialias_weights_sum_to_one(dtype, mode):
    for i, o in [(9, 4), (4, 9), (16, 3), (5, 5)]:
        index_min, index_size, weights = IF.antialias_table(dtype, i, o, False, None, mode)
        assert np.all(index_min >= 0) and np.all(index_min + index_size <= i)
        np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cubic_weights_partition_unity_and_indices_clamped(dtype):
    for align_corners in (False, True):
        idx, weights = IF.cubic_table(dtype, 5, 13, align_corners, None)
        assert idx.min() >= 0 and idx.max() <= 4
        np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-6)
