"""``gemm.gemm_strided`` (attention's products over (batch, heads) views) sums every output element in the
specification loop's order: bit-identical to ``gemm_nt_spec`` entry by entry, for operands that are views
at any strides (the packed q/k/v columns of an in-projection, transposed, broadcast, reversed), both dtypes,
at 1 and 2 threads, in every kernel build this CPU runs (refnn._isa.forced)."""
import itertools

import numpy as np
import pytest

import refnn
from refnn import _isa
from refnn._kernels import gemm


@pytest.fixture(autouse=True, params=_isa.supported_builds())
def kernel_build(request):
    with _isa.forced(request.param):
        assert refnn.kernel_build() == request.param
        yield request.param


def _spec(a, b):
    """Entry by entry: out[i, j, m, n] = 0 + a[i,j,m,0]*b[i,j,0,n] + a[i,j,m,1]*b[i,j,1,n] + ..., k ascending."""
    B1, B2, M, K = a.shape
    N = b.shape[3]
    out = np.empty((B1, B2, M, N), dtype=a.dtype)
    for i, j in itertools.product(range(B1), range(B2)):
        gemm.gemm_nt_spec(np.ascontiguousarray(a[i, j]), np.ascontiguousarray(b[i, j].T), out[i, j], 1)
    return out


def _views(rng, dtype, B1, B2, M, N, K):
    """(a, b) pairs of the same values in several layouts: contiguous, heads packed in a wider row
    (an in-projection's q, k, v columns), transposed, broadcast over the batch, reversed."""
    a = rng.standard_normal((B1, B2, M, K)).astype(dtype)
    b = rng.standard_normal((B1, B2, K, N)).astype(dtype)
    yield a, b
    # (M, B1, 3 * B2 * K): q columns of a packed projection, viewed as (B1, B2, M, K)
    packed = rng.standard_normal((M, B1, 3, B2, K)).astype(dtype)
    packed[:, :, 1] = a.transpose(2, 0, 1, 3)
    qa = packed[:, :, 1].transpose(1, 2, 0, 3)
    # b read from (B1, B2, N, K) storage, and from a (N, B1, B2 * K) one with a gap row
    kb = np.ascontiguousarray(b.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    wide = np.zeros((N, B1, B2 * K + 3), dtype=dtype)
    wide[:, :, :B2 * K] = b.transpose(3, 0, 1, 2).reshape(N, B1, B2 * K)
    wb = wide[:, :, :B2 * K].reshape(N, B1, B2, K).transpose(1, 2, 3, 0)
    yield qa, kb
    yield qa, wb
    yield np.ascontiguousarray(a[..., ::-1, :])[..., ::-1, :], b
    # broadcast operand (stride 0 over both batch dims)
    yield a, np.broadcast_to(b[:1, :1], b.shape)


SHAPES = [(1, 1, 1, 1, 1), (2, 3, 5, 7, 4), (2, 4, 13, 17, 32), (3, 2, 49, 67, 31), (1, 5, 2, 9, 8),
          (2, 2, 6, 16, 257), (4, 3, 0, 5, 3), (2, 3, 4, 5, 0), (2, 8, 33, 33, 32)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_gemm_strided_equals_spec(dtype, num_threads):
    rng = np.random.default_rng(5)
    for B1, B2, M, N, K in SHAPES:
        for a, b in _views(rng, dtype, B1, B2, M, N, K):
            expected = _spec(a, b)
            out = np.full((B1, B2, M, N), np.nan, dtype=dtype)
            gemm.gemm_strided(a, b, out, num_threads)
            assert out.tobytes() == expected.tobytes(), (B1, B2, M, N, K, a.strides, b.strides)
            # the same bits as the contiguous batched entry
            if B1 * B2 and M and N:
                flat = np.empty((B1 * B2, M, N), dtype=dtype)
                gemm.gemm(np.ascontiguousarray(a).reshape(B1 * B2, M, K),
                          np.ascontiguousarray(b).reshape(B1 * B2, K, N), flat, False, False, None, num_threads)
                assert flat.tobytes() == out.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_strided_special_values_and_shape_check(dtype):
    rng = np.random.default_rng(6)
    a = rng.standard_normal((2, 3, 7, 5)).astype(dtype)
    b = rng.standard_normal((2, 3, 5, 9)).astype(dtype)
    a[0, 1, 2, 3], a[1, 2, 0, 0], b[1, 0, 4, 8] = np.inf, np.nan, -np.inf
    a[0, 0, 0, 0] = -0.0
    out = np.empty((2, 3, 7, 9), dtype=dtype)
    gemm.gemm_strided(a.transpose(1, 0, 2, 3).transpose(1, 0, 2, 3), b, out, 2)
    assert out.tobytes() == _spec(a, b).tobytes()
    with pytest.raises(ValueError, match="gemm_strided"):
        gemm.gemm_strided(a, b[:, :, :4], out, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_strided_split_over_indices(dtype):
    """Products large enough for several threads, heads that do not merge with the batch: the indices split
    among 2 and 3 threads (B1 a multiple of the count, or not), or the calls run in turn -- the spec's bits."""
    rng = np.random.default_rng(7)
    for B1, B2, M, N, K in [(4, 3, 49, 67, 257), (8, 4, 32, 32, 64), (3, 5, 40, 36, 96), (2, 2, 200, 70, 64)]:
        for a, b in list(_views(rng, dtype, B1, B2, M, N, K))[1:3]:
            expected = _spec(a, b)
            for num_threads in (1, 2, 3):
                out = np.full((B1, B2, M, N), np.nan, dtype=dtype)
                gemm.gemm_strided(a, b, out, num_threads)
                assert out.tobytes() == expected.tobytes(), (B1, B2, M, N, K, num_threads)
