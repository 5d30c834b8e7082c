"""The normalisation row loops (refnn_norm_rows.h: the lane sums of the statistics and of the gradient sums, and
the forward and backward applies) give the same bits in every kernel build this CPU runs (baseline, AVX2, AVX-512: refnn._isa.forced),
and the statistics follow the documented lane order (tests/test_normalization_numerics.spec_moments) in each;
grouped_rows_bwd's streaming-store apply (large float32 outputs) gives the bits of its plain apply, at 1 and 2
threads."""
import numpy as np
import pytest

from refnn import _isa
from refnn._kernels import normalization as K
from tests.test_normalization_numerics import spec_moments

SHAPES = [(1, 3, 1), (2, 3, 31), (1, 2, 32), (3, 2, 33), (1, 4, 255), (2, 3, 256), (1, 2, 257), (2, 2, 700),
          (1, 2, 6272)]


def _bits(*arrays):
    return [np.where(np.isnan(a), 0, a).tobytes() + np.isnan(a).tobytes() for a in arrays]


def _run(dtype, shape, rng_seed):
    rng = np.random.default_rng(rng_seed)
    A, R, B = shape
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    if x.size > 40:
        x.reshape(-1)[17] = np.inf
        g.reshape(-1)[29] = np.nan
    cw = rng.uniform(0.5, 1.5, B).astype(dtype)
    mean, var_sum = np.zeros(R), np.zeros(R)
    K.row_moments(x, mean, var_sum, 1)
    sum_g, sum_gx, sum_gw, sum_gxw = np.zeros(R), np.zeros(R), np.zeros(R), np.zeros(R)
    K.row_grad_sums(x, g, mean, cw, False, sum_g, sum_gx, 1)
    K.row_grad_sums(x, g, mean, cw, True, sum_gw, sum_gxw, 1)
    centre, scale, shift = (rng.standard_normal(R).astype(dtype) for _ in range(3))
    out = np.empty_like(x)
    K.row_affine_fwd(x, centre, scale, shift, np.empty(0, dtype), np.empty(0, dtype), False, out, 1)
    results = [mean, var_sum, sum_g, sum_gx, sum_gw, sum_gxw, out]
    if A == 1:                          # GroupNorm's fused forward: k apply rows of B per statistic
        k = 1 if R % 2 else 2
        grouped = np.ascontiguousarray(x.reshape(R // k, k * B))
        gmean, grstd = np.zeros(R // k), np.zeros(R // k)
        gout = np.empty_like(grouped)
        K.grouped_rows_fwd(grouped, k, rng.standard_normal(R), rng.standard_normal(R), True, True, 1e-5, gmean,
                           grstd, gout, 1)
        results += [gmean, grstd, gout]
        gy = np.ascontiguousarray(g.reshape(R // k, k * B))
        sg, sgx, gin = np.empty(R), np.empty(R), np.empty_like(grouped)
        w_rows = rng.standard_normal(R)
        K.grouped_rows_bwd(grouped, gy, k, gmean, grstd, w_rows, float(k * B), sg, sgx, gin, 1)
        results += [sg, sgx, gin]
        old = K._set_stream_min_bytes(0)     # the streaming-store apply of large outputs, on this small one
        try:
            for threads in (1, 2):
                sg2, sgx2, gin2 = np.empty(R), np.empty(R), np.full_like(grouped, 7)
                K.grouped_rows_bwd(grouped, gy, k, gmean, grstd, w_rows, float(k * B), sg2, sgx2, gin2, threads)
                assert _bits(sg2, sgx2, gin2) == _bits(sg, sgx, gin), (threads, shape)
        finally:
            K._set_stream_min_bytes(old)
    return results, x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_build_gives_the_baseline_bits(dtype):
    builds = _isa.supported_builds()
    for i, shape in enumerate(SHAPES):
        with _isa.forced("baseline"):
            want, x = _run(dtype, shape, i)
        mean, var_sum = spec_moments(x)
        assert _bits(want[0], want[1]) == _bits(np.asarray(mean), np.asarray(var_sum))
        for build in builds[1:]:
            with _isa.forced(build):
                got, _ = _run(dtype, shape, i)
            assert _bits(*got) == _bits(*want), (build, shape)
