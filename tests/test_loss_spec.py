"""The elementwise losses' vectorised rows (refnn_loss_rows.h) equal their Cython specification loops
(loss.pyx's *_spec functions) bit for bit, in every kernel build this CPU runs (baseline, AVX2, AVX-512,
switched in this process by refnn._isa.forced), on values that reach every branch (zeros of both signs, NaN,
infinities, the boundary |x - y| = beta itself, a stride-0 and a contiguous upstream gradient); and the
ordered sums' grouped blocks equal a block-at-a-time sequential sum."""
import numpy as np
import pytest

from refnn import _isa
from refnn._kernels import loss as K


@pytest.fixture(autouse=True, params=_isa.supported_builds())
def kernel_build(request):
    with _isa.forced(request.param):
        yield request.param


def _values(dtype, n, rng, positive=False):
    v = rng.standard_normal(n).astype(dtype) * dtype(2)
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-30, -1e-30],
                       dtype=dtype)
    idx = rng.integers(0, n, size=n // 5)
    v[idx] = special[rng.integers(0, special.size, size=idx.size)]
    return np.abs(v) if positive else v


def _bits(a):
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def _grads(dtype, n, rng):
    return [np.broadcast_to(np.asarray(rng.standard_normal(), dtype=dtype).reshape(1), (n,)),
            _values(dtype, n, rng)]


SIZES = [0, 1, 7, 8203, 20000]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("name,param", [("smooth_l1", 1.0), ("smooth_l1", 0.5), ("huber", 1.0), ("huber", 2.0)])
def test_param_bwd_rows_equal_spec(name, param, dtype, n):
    rng = np.random.default_rng(n + int(param * 10))
    x, y = _values(dtype, n, rng), _values(dtype, n, rng)
    y[: n // 3] = x[: n // 3] - dtype(param)   # |x - y| == param exactly (or near it after rounding)
    fast_fn, spec_fn = getattr(K, name + "_bwd"), getattr(K, name + "_bwd_spec")
    for g in _grads(dtype, n, rng):
        for norm in (dtype(1), dtype(1.0 / 3)):
            spec = np.empty(n, dtype)
            spec_fn(x, y, g, dtype(param), norm, spec, 2)
            fast, fast_t = np.empty(n, dtype), np.empty(n, dtype)
            fast_fn(x, y, g, dtype(param), norm, fast, fast_t, True, 2)
            np.testing.assert_array_equal(_bits(fast), _bits(spec))
            np.testing.assert_array_equal(_bits(fast_t), _bits(-spec))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_rows_equal_spec(log_target, dtype, n):
    rng = np.random.default_rng(n + 3)
    x = _values(dtype, n, rng)
    t = _values(dtype, n, rng) if log_target else _values(dtype, n, rng, positive=True)
    if not log_target and n > 10:
        t[:5] = np.array([0.0, -0.0, -1.0, np.nan, 1e-40], dtype=dtype)   # xlogy's zero, a negative t, NaN
    with np.errstate(all="ignore"):
        spec = np.empty(n, dtype)
        K.kl_div_fwd_spec(x, t, log_target, spec, 2)
        fast = np.empty(n, dtype)
        K.kl_div_fwd(x, t, log_target, fast, 2)
        np.testing.assert_array_equal(_bits(fast), _bits(spec))
        for g in _grads(dtype, n, rng):
            for want_input, want_target in ((True, True), (True, False), (False, True)):
                si, st = np.full(n, 7, dtype), np.full(n, 7, dtype)
                K.kl_div_bwd_spec(x, t, g, log_target, want_input, want_target, si, st, 2)
                fi, ft = np.full(n, 7, dtype), np.full(n, 7, dtype)
                K.kl_div_bwd(x, t, g, log_target, want_input, want_target, fi, ft, 2)
                np.testing.assert_array_equal(_bits(fi), _bits(si))
                np.testing.assert_array_equal(_bits(ft), _bits(st))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 4095, 4096, 8 * 4096, 8 * 4096 + 1, 21 * 4096 + 300])
@pytest.mark.parametrize("threads", [1, 2])
def test_block_sums_are_sequential_per_block(dtype, n, threads):
    rng = np.random.default_rng(n)
    values = (rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, size=n)).astype(dtype)
    nblocks = -(-n // K.SUM_BLOCK)
    for view in (values, values[::-1]):
        partials = np.empty(nblocks)
        K.block_sums(view, partials, threads)
        flat = np.ascontiguousarray(view, dtype=np.float64)
        expected = [np.cumsum(flat[b * K.SUM_BLOCK:(b + 1) * K.SUM_BLOCK])[-1] for b in range(nblocks)]
        np.testing.assert_array_equal(partials, np.array(expected, dtype=np.float64))


def _ctc_problem(dtype, rng, T, N, C, L):
    x = rng.standard_normal((T, N, C))
    log_probs = (x - np.log(np.exp(x).sum(axis=2, keepdims=True))).astype(dtype)
    log_probs[rng.random((T, N, C)) < 0.02] = -np.inf   # impossible classes at some frames
    targets = rng.integers(1, C, size=(N, max(L, 1))).astype(np.int64)[:, :L].copy()
    if L > 2:
        targets[0, 1] = targets[0, 0]   # a repeated label: the skip transition is barred there
        targets[-1, :] = targets[-1, 0]
    input_lengths = rng.integers(0, T + 1, size=N).astype(np.int64)
    input_lengths[0] = T
    target_lengths = rng.integers(0, L + 1, size=N).astype(np.int64)
    if N > 2:
        target_lengths[1] = L
        input_lengths[1] = max(0, L - 1)    # too short: an infinite loss
    return log_probs, np.ascontiguousarray(targets.reshape(N, L)), input_lengths, target_lengths


def _ctc_run(K_ctc, fwd, bwd, problem, zero_infinity, grad_out):
    log_probs, targets, input_lengths, target_lengths = problem
    T, N, C = log_probs.shape
    L = targets.shape[1]
    dtype = log_probs.dtype
    log_alpha = np.full((N, T, 2 * L + 1), 7, dtype=dtype)
    nll = np.empty(N, dtype=dtype)
    getattr(K_ctc, fwd)(log_probs, targets, input_lengths, target_lengths, 0, log_alpha, nll, 2)
    grad = np.full(log_probs.shape, -np.inf, dtype=dtype)
    log_beta = np.empty_like(log_alpha)
    getattr(K_ctc, bwd)(log_probs, targets, input_lengths, target_lengths, 0, log_alpha, nll, grad_out,
                        zero_infinity, log_beta, grad, 2)
    valid = np.zeros(log_alpha.shape, dtype=bool)   # the alpha entries either loop defines
    for n in range(N):
        if input_lengths[n] > 0:
            valid[n, 0, :] = True
            valid[n, :input_lengths[n], :2 * target_lengths[n] + 1] = True
    return nll, np.where(valid, log_alpha, 0), grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("T,N,C,L", [(1, 1, 2, 0), (6, 3, 3, 2), (30, 5, 6, 7), (50, 4, 20, 12)])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_rows_equal_spec(dtype, T, N, C, L, zero_infinity):
    from refnn._kernels import ctc as K_ctc
    rng = np.random.default_rng(T * 100 + L)
    problem = _ctc_problem(dtype, rng, T, N, C, L)
    for grad_out in (rng.standard_normal(N).astype(dtype), np.broadcast_to(np.ones(1, dtype), (N,))):
        with np.errstate(all="ignore"):
            fast = _ctc_run(K_ctc, "ctc_fwd", "ctc_bwd", problem, zero_infinity, grad_out)
            spec = _ctc_run(K_ctc, "ctc_fwd_spec", "ctc_bwd_spec", problem, zero_infinity, grad_out)
        for a, b in zip(fast, spec):
            np.testing.assert_array_equal(_bits(a), _bits(b))


@pytest.mark.parametrize("C", [1, 5, 16, 33, 1000])
def test_cross_entropy_row_max_equals_spec(C):
    """float32 rows: the 16-lane row maximum (refnn_ce_rows.h) against loss.pyx's 8-lane specification, through
    the fused cross-entropy's outputs (row max, log-sum-exp, picked log-probability)."""
    rng = np.random.default_rng(C)
    x = rng.standard_normal((12, C)).astype(np.float32)
    x[1] = -np.abs(x[1])
    x[1, C // 2] = -0.0
    x[1, -1] = 0.0                     # a zero maximum: the first zero's sign
    x[2] = -np.abs(x[2])
    x[2, 0] = 0.0
    x[2, -1] = -0.0
    x[3, C // 3] = np.nan
    x[4, -1] = np.inf
    x[5, :] = -np.inf
    x[6, C - 1] = 50.0                 # the maximum in the tail
    target = rng.integers(0, C, size=12).astype(np.int64)
    outs = []
    for spec in (True, False):
        old = K.set_spec(spec)
        try:
            picked, row_max, log_total = (np.empty(12, np.float32) for _ in range(3))
            with np.errstate(all="ignore"):
                K.cross_entropy_fwd(x, target, -100, picked, row_max, log_total, 2)
        finally:
            K.set_spec(old)
        outs.append((picked, row_max, log_total))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(_bits(a), _bits(b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("C", [1, 7, 1000])
def test_cross_entropy_one_thread_rows_equal_the_threaded_rows(dtype, C):
    """cross_entropy_fwd/bwd at num_threads=1 (rows in order, no OpenMP region) equal the prange loop at 2 threads
    bit for bit: ignored targets, a weight, NaN and infinities in the rows, a per-row upstream gradient."""
    rng = np.random.default_rng(100 + C)
    R = 13
    x = (rng.standard_normal((R, C)) * 3).astype(dtype)
    x[2, 0] = np.nan
    x[3, -1] = np.inf
    x[4, :] = -np.inf
    target = rng.integers(0, C, size=R).astype(np.int64)
    target[[1, 7]] = -100
    weight = rng.uniform(0.5, 2.0, size=C).astype(dtype)
    scale = rng.standard_normal(R).astype(dtype)
    outs = []
    for threads in (1, 2):
        picked, row_max, log_total = (np.full(R, 7, dtype) for _ in range(3))
        grad = np.full((R, C), 7, dtype)
        with np.errstate(all="ignore"):
            K.cross_entropy_fwd(x, target, -100, picked, row_max, log_total, threads)
            K.cross_entropy_bwd(x, target, weight, -100, scale, row_max, log_total, grad, threads)
        outs.append((picked, row_max, log_total, grad))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(_bits(a), _bits(b))
