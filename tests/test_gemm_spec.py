"""The gemm fast path sums every output element in the specification loop's order: bit-identical
to ``gemm_nt_spec`` over many shapes (empty, 1, primes, tails past the 6 x NR register tile and the
K chunk), both dtypes, every operand layout, with and without bias, at 1 and 2 threads, in every
kernel build this CPU runs (baseline, AVX2, AVX-512: refnn._isa.forced)."""
import itertools

import numpy as np
import pytest

import refnn
from refnn._functions import attention as attention_functions
from refnn._functions import linear as linear_functions
from refnn import _isa
from refnn._kernels import gemm

SIZES_M = [0, 1, 2, 3, 5, 6, 7, 13, 49, 97]
SIZES_N = [0, 1, 7, 8, 9, 17, 31, 64, 67]
SIZES_K = [0, 1, 2, 5, 31, 256, 257]


@pytest.fixture(autouse=True, params=_isa.supported_builds())
def kernel_build(request):
    """Every test of this file runs once per kernel build the CPU supports."""
    with _isa.forced(request.param):
        assert refnn.kernel_build() == request.param
        yield request.param


def _spec(a, b):
    """The specification: out[m, n] = 0 + a[m,0]*b[n,0] + a[m,1]*b[n,1] + ..., k ascending."""
    out = np.empty((a.shape[0], b.shape[0]), dtype=a.dtype)
    gemm.gemm_nt_spec(np.ascontiguousarray(a), np.ascontiguousarray(b), out, 1)
    return out


def _add_bias(out, bias):
    out = out.copy()
    gemm.add_bias_rows(out, bias, 1)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_threads", [1, 2])
def test_gemm_fast_equals_spec(dtype, num_threads):
    rng = np.random.default_rng(0)
    for M, N, K in itertools.product(SIZES_M, SIZES_N, SIZES_K):
        a = rng.standard_normal((M, K)).astype(dtype)
        b = rng.standard_normal((N, K)).astype(dtype)
        bias = rng.standard_normal(N).astype(dtype)
        expected = _spec(a, b)
        out = np.full((M, N), np.nan, dtype=dtype)
        gemm.gemm_nt(a, b, out, num_threads)
        assert out.tobytes() == expected.tobytes(), ("gemm_nt", M, N, K)
        expected_bias = _add_bias(expected, bias)
        for a_km, b_nk in itertools.product((False, True), repeat=2):
            a_stored = np.ascontiguousarray(a.T if a_km else a)
            b_stored = np.ascontiguousarray(b if b_nk else b.T)
            for with_bias in (False, True):
                out = np.full((1, M, N), np.nan, dtype=dtype)
                gemm.gemm(a_stored[None], b_stored[None], out, a_km, b_nk, bias if with_bias else None,
                          num_threads)
                want = expected_bias if with_bias else expected
                assert out[0].tobytes() == want.tobytes(), (M, N, K, a_km, b_nk, with_bias)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_large_blocks_and_threads(dtype):
    """Several row blocks, column blocks and K chunks; 1, 2 and 3 threads give the spec's bits."""
    rng = np.random.default_rng(1)
    for M, N, K in [(101, 203, 529), (300, 70, 64), (2, 1000, 300), (7, 5, 1100)]:
        a = rng.standard_normal((M, K)).astype(dtype)
        b = rng.standard_normal((N, K)).astype(dtype)
        expected = _spec(a, b)
        for num_threads in (1, 2, 3):
            out = np.empty((M, N), dtype=dtype)
            gemm.gemm_nt(a, b, out, num_threads)
            assert out.tobytes() == expected.tobytes(), (M, N, K, num_threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_special_values(dtype):
    """NaN, inf, signed zeros and huge values go through the same operations as in the spec."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((13, 37)).astype(dtype)
    b = rng.standard_normal((19, 37)).astype(dtype)
    a[0, 3], a[1, 0], a[2, :] = np.nan, np.inf, -0.0
    b[4, 5], b[5, :], b[6, 7] = -np.inf, 0.0, np.finfo(dtype).max
    expected = _spec(a, b)
    for num_threads in (1, 2):
        out = np.empty((13, 19), dtype=dtype)
        gemm.gemm_nt(a, b, out, num_threads)
        assert out.tobytes() == expected.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_product_equals_spec_per_entry(dtype):
    rng = np.random.default_rng(3)
    for B, M, N, K in [(0, 3, 4, 5), (3, 1, 9, 4), (4, 17, 23, 11), (2, 64, 40, 48), (5, 7, 0, 3), (2, 3, 4, 0)]:
        a = rng.standard_normal((B, M, K)).astype(dtype)
        b = rng.standard_normal((B, N, K)).astype(dtype)
        expected = np.stack([_spec(a[i], b[i]) for i in range(B)]) if B else np.empty((0, M, N), dtype)
        for num_threads in (1, 2):
            saved = refnn.get_num_threads()
            try:
                refnn.set_num_threads(num_threads)
                got = [attention_functions.batched_product(a, b, b_nk=True),
                       attention_functions.batched_product(a, np.swapaxes(b, 1, 2).copy()),
                       attention_functions.batched_product(np.swapaxes(a, 1, 2).copy(), b, a_km=True, b_nk=True)]
            finally:
                refnn.set_num_threads(saved)
            for out in got:
                assert out.tobytes() == expected.tobytes(), (B, M, N, K, num_threads)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_gradients_sum_in_spec_order(dtype):
    """Linear's forward and both gradients equal the spec loop over explicit transposed copies."""
    rng = np.random.default_rng(4)
    for rows, fin, fout in [(1, 400, 120), (5, 7, 3), (64, 33, 70)]:
        x = rng.standard_normal((rows, fin)).astype(dtype)
        w = rng.standard_normal((fout, fin)).astype(dtype)
        bias = rng.standard_normal(fout).astype(dtype)
        g = rng.standard_normal((rows, fout)).astype(dtype)
        xt, wt, bt = (refnn.Tensor(v.copy(), requires_grad=True) for v in (x, w, bias))
        out = linear_functions.linear(xt, wt, bt)
        out.backward(g)
        assert out.data.tobytes() == _add_bias(_spec(x, w), bias).tobytes()
        assert xt.grad.data.tobytes() == _spec(g, w.T).tobytes()
        assert wt.grad.data.tobytes() == _spec(g.T, x.T).tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_spans_and_batch_groups(dtype):
    """A small packing budget: K packed in several spans (sums continued in the output and in the edge
    buffers across spans) and the batch in several groups; every layout, bias, 1 and 2 threads."""
    rng = np.random.default_rng(5)
    saved = gemm._set_pack_limit(20000)
    try:
        for B, M, N, K in [(1, 13, 21, 600), (3, 49, 67, 513), (5, 6, 16, 300), (4, 7, 9, 1)]:
            a = rng.standard_normal((B, M, K)).astype(dtype)
            b = rng.standard_normal((B, N, K)).astype(dtype)
            bias = rng.standard_normal(N).astype(dtype)
            expected = np.stack([_add_bias(_spec(a[i], b[i]), bias) for i in range(B)])
            for a_km, b_nk in itertools.product((False, True), repeat=2):
                a_stored = np.ascontiguousarray(np.swapaxes(a, 1, 2) if a_km else a)
                b_stored = np.ascontiguousarray(b if b_nk else np.swapaxes(b, 1, 2))
                for num_threads in (1, 2):
                    out = np.full((B, M, N), np.nan, dtype=dtype)
                    gemm.gemm(a_stored, b_stored, out, a_km, b_nk, bias, num_threads)
                    assert out.tobytes() == expected.tobytes(), (B, M, N, K, a_km, b_nk, num_threads)
    finally:
        gemm._set_pack_limit(saved)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_few_rows_entry_equals_spec(dtype):
    """``gemm_few_rows`` (Linear's entry for a product of one or two rows) and ``product``, which sends
    such products to it, give the specification's bits, both operand layouts, with and without bias; it
    refuses a product outside its range."""
    small_m, min_work = gemm.few_rows_limits()
    rng = np.random.default_rng(3)
    for M, N, K in itertools.product(range(1, small_m), SIZES_N[1:] + [130], SIZES_K[1:] + [1000]):
        a = rng.standard_normal((M, K)).astype(dtype)
        b = rng.standard_normal((N, K)).astype(dtype)
        bias = rng.standard_normal(N).astype(dtype)
        expected = _spec(a, b)
        for b_nk, with_bias in itertools.product((False, True), repeat=2):
            b_stored = np.ascontiguousarray(b if b_nk else b.T)
            out = np.full((M, N), np.nan, dtype=dtype)
            gemm.gemm_few_rows(a, b_stored, out, b_nk, bias if with_bias else None)
            want = _add_bias(expected, bias) if with_bias else expected
            assert out.tobytes() == want.tobytes(), ("gemm_few_rows", M, N, K, b_nk, with_bias)
            got = linear_functions.product(a, b_stored, b_nk=b_nk, bias=bias if with_bias else None)
            assert got.tobytes() == want.tobytes(), ("product", M, N, K, b_nk, with_bias)
    with pytest.raises(ValueError):
        gemm.gemm_few_rows(np.ones((small_m, 2), dtype), np.ones((2, 2), dtype), np.empty((small_m, 2), dtype),
                           True, None)
    with pytest.raises(ValueError):
        big = int(np.sqrt(min_work)) + 1
        gemm.gemm_few_rows(np.ones((1, big), dtype), np.ones((big, big), dtype), np.empty((1, big), dtype),
                           True, None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_stored_operands_pack_by_rows(dtype):
    """B stored (K, N) (and A stored (K, M), a_km) is packed a block of rows k at a time into every panel
    (gemm.pyx ``_pack_b_rows``): K around the 64-row block (63, 64, 65, 129, 200), N and M past the panel
    edges, one and several K spans (a small packing budget) and batch items; 1, 2 and 3 threads; the bits
    of the spec."""
    rng = np.random.default_rng(7)
    shapes = [(1, 7, 17, 63), (1, 13, 16, 64), (2, 6, 15, 65), (1, 25, 33, 129), (3, 49, 100, 200),
              (1, 3, 1000, 65), (1, 300, 37, 300)]
    for limit in (None, 20000):
        saved = gemm._set_pack_limit(limit) if limit else None
        try:
            for B, M, N, K in shapes:
                a = rng.standard_normal((B, M, K)).astype(dtype)
                b = rng.standard_normal((B, N, K)).astype(dtype)
                bias = rng.standard_normal(N).astype(dtype)
                expected = np.stack([_add_bias(_spec(a[i], b[i]), bias) for i in range(B)])
                b_kn = np.ascontiguousarray(np.swapaxes(b, 1, 2))
                for a_km in (False, True):
                    a_stored = np.ascontiguousarray(np.swapaxes(a, 1, 2) if a_km else a)
                    for num_threads in (1, 2, 3):
                        out = np.full((B, M, N), np.nan, dtype=dtype)
                        gemm.gemm(a_stored, b_kn, out, a_km, False, bias, num_threads)
                        assert out.tobytes() == expected.tobytes(), (limit, B, M, N, K, a_km, num_threads)
        finally:
            if limit:
                gemm._set_pack_limit(saved)
