"""Sums over middle dimensions read in place (``refnn._kernels.reduce.sum_planes``) give the bits of the row sums of
the moved copy (``sum_rows`` over ``as_rows``), the specification of every Tensor sum and mean: magnitudes over 2^60,
cancellations, NaN and infinities, both dtypes, every shape of lead / reduced / trailing dims, 1 and 2 threads."""
import numpy as np
import pytest

import refnn
from refnn._functions import reduction
from refnn._functions._dims import as_rows

SHAPES = [((8, 8, 128, 128), (1,)), ((3, 5, 7), (0,)), ((3, 5, 7), (1,)), ((2, 3, 4, 5), (1, 2)),
          ((2, 3, 4, 5), (0, 1, 2)), ((4, 1000, 3), (1,)), ((2, 6, 1300), (1,)), ((1, 1, 2), (1,))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("shape, dims", SHAPES)
def test_plane_sums_equal_row_sums_of_the_moved_copy(shape, dims, dtype, threads):
    rng = np.random.default_rng(len(shape) * 100 + sum(shape))
    a = (rng.standard_normal(shape) * np.exp(rng.uniform(-40, 40, shape))).astype(dtype)
    a.flat[::97] = -a.flat[1::97][:a.flat[::97].size] if a.size > 1 else a.flat[::97]   # cancellations
    a.flat[5 % a.size] = np.inf
    a.flat[9 % a.size] = np.nan
    a.flat[-1] = -np.inf
    saved = refnn.get_num_threads()
    try:
        refnn.set_num_threads(threads)
        total, kept, count = reduction.sums(a, dims)
    finally:
        refnn.set_num_threads(saved)
    rows, kept_rows = as_rows(a, dims)
    assert kept == kept_rows and count == rows.shape[1]
    assert total.tobytes() == reduction.row_sums(rows).tobytes()


def test_mean_over_heads_reads_in_place_and_matches_the_copy():
    """The attention weights' head average (mean over dim 1 of (N, heads, L, S)): Tensor.mean's bits."""
    x = np.random.default_rng(0).standard_normal((2, 8, 16, 16)).astype(np.float32)
    rows, _ = as_rows(x, (1,))
    expected = (reduction.row_sums(rows) / 8).astype(np.float32).reshape(2, 16, 16)
    assert refnn.tensor(x).mean(dim=1).data.tobytes() == expected.tobytes()
