"""refnn's own transcendentals (refnn/_kernels/include/refnn_math.h): torch's answers at the special values,
the documented accuracy on sampled inputs (float32 within 0.9 ulp of the float64 reference, 0.96 for exp's
fast form and expm1 above 44 which uses it; the bounds measured over all 2^32 inputs in docs/transcendentals.md; float64 within 2 ulp of mpmath), every kernel build the CPU runs giving the same bits, and the activation kernel's row maps
equal to its Cython specification loop bit for bit."""
import math

import numpy as np
import pytest
import torch

from refnn._kernels import activation as A
from refnn._kernels import elementwise as E
from refnn._kernels import softmax as S

FUNCS = {
    "exp": (E.EXP, torch.exp),
    "expm1": (E.EXPM1, torch.expm1),
    "log": (E.LOG, torch.log),
    "log1p": (E.LOG1P, torch.log1p),
    "tanh": (E.TANH, torch.tanh),
    "erf": (E.ERF, torch.special.erf),
    "sigmoid": (E.SIGMOID, torch.sigmoid),
}
BUILDS = [lvl for lvl in (0, 1, 2) if E._force_build(lvl) == lvl]
E._force_build(BUILDS[-1])


def ours(name, x, threads=1):
    out = np.empty_like(x)
    E.unary(FUNCS[name][0], x, out, threads)
    return out


def specials(dtype):
    info = np.finfo(dtype)
    v = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 1e-30, -1e-30,
         float(info.tiny), -float(info.tiny), float(info.smallest_subnormal), -float(info.smallest_subnormal),
         float(info.max), -float(info.max), 88.72, 88.73, -87.3, -103.0, -104.0, -150.0, 709.78, 709.79, -708.4,
         -745.1, -745.2, 20.0, -20.0, 9.0, 22.0, 3.9, 5.9, 6.0, -6.0, -0.99999, 1e-8, -1e-8, 1e300, -1e300]
    with np.errstate(over="ignore"):
        return np.array(v, dtype=dtype)


def same(a, b):
    """bitwise equal, every NaN one value"""
    return np.array_equal(np.isnan(a), np.isnan(b)) and np.array_equal(
        np.where(np.isnan(a), 0, a).view(np.uint8), np.where(np.isnan(b), 0, b).view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_special_values_are_torchs(name, dtype):
    x = specials(dtype)
    got = ours(name, x)
    want = FUNCS[name][1](torch.from_numpy(x)).numpy()
    # non-finite answers and NaNs exactly as torch, zeros with torch's sign; finite ones within 2 ulp (torch's
    # float32 log1p/expm1 of the smallest subnormal is 0: refnn's is the subnormal itself, as C99 says)
    exact = ~np.isfinite(want) | ~np.isfinite(got)
    assert same(got[exact], want[exact]), (x[exact], got[exact], want[exact])
    zeros = (got == 0) & (want == 0)
    assert same(got[zeros], want[zeros]), (x[zeros], got[zeros], want[zeros])
    close = ~exact & ~zeros
    ulp = np.spacing(np.abs(want[close]))
    assert np.all(np.abs(got[close] - want[close]) <= 2 * ulp), (x[close], got[close], want[close])


def float32_sample(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 1 << 32, size=n, dtype=np.uint64).astype(np.uint32).view(np.float32)
    # and the whole range where exp is finite and nonzero (subnormal results, expm1's 2^k - 1 beyond k = 24)
    return np.concatenate([x[np.isfinite(x)], rng.uniform(-12, 12, n).astype(np.float32),
                           rng.uniform(-105, 90, n // 4).astype(np.float32)])


REF64 = {"exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p, "tanh": np.tanh,
         "erf": lambda v: torch.special.erf(torch.from_numpy(v)).numpy(),
         "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v))}


# the float32 bound in ulps: 0.9, exp's fast form (and expm1 above 44, which returns it) 0.96; the maxima over
# all 2^32 inputs (tools/ulp_scan.c): exp 0.951, expm1 0.947
BOUND32 = {"exp": 0.96, "expm1": 0.96}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_float32_within_the_measured_bound_of_the_float64_reference(name):
    x = float32_sample(200_000, 1)
    with np.errstate(all="ignore"):
        ref = REF64[name](x.astype(np.float64))
        got = ours(name, x)
        r32 = ref.astype(np.float32)
        finite = np.isfinite(r32) & np.isfinite(got)
        ulp = np.spacing(np.abs(r32[finite])).astype(np.float64)
        err = np.abs(got[finite].astype(np.float64) - ref[finite]) / ulp
    assert err.max() <= BOUND32.get(name, 0.9), (name, x[finite][np.argmax(err)])
    assert same(got[~finite], r32[~finite])


MP = {"exp": "exp", "expm1": "expm1", "log": "log", "log1p": "log1p", "tanh": "tanh", "erf": "erf"}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_float64_within_two_ulp_of_mpmath(name):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(-30, 30, 1500), rng.uniform(-1, 1, 1500) * 2.0 ** rng.integers(-40, 0, 1500)])
    if name in ("log", "log1p"):
        x = np.abs(x) * 3
    fn = getattr(mp, MP[name]) if name in MP else (lambda v: 1 / (1 + mp.exp(-v)))
    got = ours(name, x)
    for xi, yi in zip(x.tolist(), got.tolist()):
        ref = fn(mp.mpf(xi))
        spacing = math.ulp(abs(float(ref)))
        assert abs(mp.mpf(yi) - ref) <= 2 * spacing, (name, xi, yi, ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_every_build_gives_the_same_bits(name, dtype):
    x = np.concatenate([specials(dtype), np.random.default_rng(4).standard_normal(40_000).astype(dtype) * 8,
                        float32_sample(40_000, 5).astype(dtype)])
    results = []
    for lvl in BUILDS:
        assert E._force_build(lvl) == lvl
        results.append(ours(name, x, threads=2))
    E._force_build(BUILDS[-1])
    for r in results[1:]:
        assert same(r, results[0])
    # and each element alone (a one-element map: the scalar tail) gives its bits in the long map
    for i in range(0, x.size, 997):
        assert same(ours(name, x[i:i + 1]), results[0][i:i + 1])


def _assert_row_maps_equal_the_spec_loop(act, x):
    """The activation's forward on x through its row maps, in every build, gives the Cython loop's bits."""
    fwd = getattr(A, act + "_fwd")

    def run():
        out = np.empty_like(x)
        fwd(x, out, 0.0, 0.0, 0.0, 2)
        return out

    A._use_row_maps(False)
    try:
        spec = run()
    finally:
        A._use_row_maps(True)
    for lvl in BUILDS:
        assert A._force_build(lvl) == lvl
        assert same(run(), spec), (act, lvl)
    A._force_build(BUILDS[-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "silu", "gelu"])
def test_activation_row_maps_equal_the_spec_loop(act, dtype):
    x = np.concatenate([specials(dtype), np.random.default_rng(6).standard_normal(30_001).astype(dtype) * 6])
    _assert_row_maps_equal_the_spec_loop(act, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("act", ["gelu", "silu", "logsigmoid"])
def test_backward_row_maps_equal_the_spec_loop(act, dtype):
    rng = np.random.default_rng(8)
    s = np.concatenate([specials(dtype), rng.standard_normal(20_011).astype(dtype) * 5])
    g = rng.standard_normal(s.size).astype(dtype)

    def run():
        out = np.empty_like(s)
        getattr(A, act + "_bwd")(g, s, out, 0.0, 0.0, 0.0, 2)
        return out

    A._use_row_maps(False)
    try:
        spec = run()
    finally:
        A._use_row_maps(True)
    for lvl in BUILDS:
        assert A._force_build(lvl) == lvl
        assert same(run(), spec), lvl
    A._force_build(BUILDS[-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_every_build_gives_the_same_bits(dtype):
    x = np.random.default_rng(7).standard_normal((17, 1029)).astype(dtype) * 5
    x[3, 5] = np.inf
    x[4, 7] = -np.inf
    results = []
    for lvl in BUILDS:
        assert S._force_build(lvl) == lvl
        out = np.empty_like(x)
        S.softmax_fwd(x, out, 2)
        lout = np.empty_like(x)
        S.log_softmax_fwd(x, lout, 2)
        results.append((out, lout))
    S._force_build(BUILDS[-1])
    for out, lout in results[1:]:
        assert same(out, results[0][0]) and same(lout, results[0][1])


def _edges32(points, width=4096):
    """the float32 values nearest each point, `width` on either side"""
    out = []
    for p in points:
        b = np.array([p], dtype=np.float32).view(np.int32)[0]
        out.append((np.arange(b - width, b + width, dtype=np.int64) & 0xFFFFFFFF).astype(np.uint32).view(np.float32))
    v = np.concatenate(out)
    return np.concatenate([v, -v])


@pytest.mark.parametrize("act", ["sigmoid", "gelu"])
def test_float32_fma_and_permute_forms_equal_the_spec_loop_on_many_inputs(act):
    """sigmoid's remainder (fmaf in the AVX2/AVX-512 builds, Dekker's product in the Cython loop) and erf's
    permuted constants (GELU's AVX2/AVX-512 rows) give the Cython loop's bits: 2^21 random bit patterns and
    every float near the pieces' and clamps' edges, in every build"""
    rng = np.random.default_rng(12)
    x = np.concatenate([specials(np.float32),
                        rng.integers(0, 1 << 32, size=1 << 21, dtype=np.uint64).astype(np.uint32).view(np.float32),
                        rng.uniform(-110, 110, 1 << 18).astype(np.float32),
                        _edges32([62.4, 87.3, 104.0, 0.5, 0.75, 1.0, 1.5, 2.25, 3.92, 0.5 * 2 ** 0.5, 1.0 * 2 ** 0.5,
                                  0.75 * 2 ** 0.5, 1.5 * 2 ** 0.5, 2.25 * 2 ** 0.5, 3.92 * 2 ** 0.5, 1e-30, 2e-38])])
    _assert_row_maps_equal_the_spec_loop(act, x)


def test_float32_gelu_backward_permute_form_equals_the_spec_loop_on_many_inputs():
    """GELU's gradient rows of the AVX2/AVX-512 builds (erf's constants by permute) give the Cython loop's bits"""
    rng = np.random.default_rng(14)
    s = np.concatenate([specials(np.float32),
                        rng.integers(0, 1 << 32, size=1 << 20, dtype=np.uint64).astype(np.uint32).view(np.float32),
                        rng.uniform(-8, 8, 1 << 18).astype(np.float32),
                        _edges32([0.5 * 2 ** 0.5, 0.75 * 2 ** 0.5, 2 ** 0.5, 1.5 * 2 ** 0.5, 2.25 * 2 ** 0.5,
                                  3.92 * 2 ** 0.5], width=2048)])
    g = rng.standard_normal(s.size).astype(np.float32)

    def run():
        out = np.empty_like(s)
        A.gelu_bwd(g, s, out, 0.0, 0.0, 0.0, 2)
        return out

    A._use_row_maps(False)
    try:
        spec = run()
    finally:
        A._use_row_maps(True)
    for lvl in BUILDS:
        assert A._force_build(lvl) == lvl
        assert same(run(), spec), lvl
    A._force_build(BUILDS[-1])


def test_float32_erf_builds_equal_on_many_inputs():
    """erf's AVX2/AVX-512 rows (permuted constants) give the baseline build's bits (refnn_erff, blends)"""
    rng = np.random.default_rng(13)
    x = np.concatenate([specials(np.float32),
                        rng.integers(0, 1 << 32, size=1 << 21, dtype=np.uint64).astype(np.uint32).view(np.float32),
                        _edges32([0.5, 0.75, 1.0, 1.5, 2.25, 3.92, 1e-30])])
    results = []
    for lvl in BUILDS:
        assert E._force_build(lvl) == lvl
        results.append(ours("erf", x, threads=2))
    E._force_build(BUILDS[-1])
    for r in results[1:]:
        assert same(r, results[0])


def test_float32_softmax_fused_rows_equal_the_spec_loop():
    """refnn_softmax_row_f32 (max, exponentials, 8-lane sum, scaling in one build) equals softmax.pyx's Cython
    loop bit for bit, in every build: rows of every length mod 16 and around the 256-element blocks in which the
    exponentials and the 8-lane sum alternate (255, 256, 257, 263, 512, 520, 777), NaN, infinities, zero maxima of
    either sign, a NaN or an infinity in a later block; x - max spans NaN (inf - inf), -inf, below the clamp (-104),
    the subnormal results and 0, the inputs of the row's exponential without its upper clamp."""
    rng = np.random.default_rng(11)
    rows = [rng.standard_normal((5, D)).astype(np.float32) * 7
            for D in (1, 2, 7, 8, 9, 15, 16, 17, 33, 255, 256, 257, 263, 512, 520, 777, 1000, 4099)]
    later = rng.standard_normal((4, 600)).astype(np.float32)
    later[0, 300] = np.nan
    later[1, 513] = np.inf
    later[2, 599] = -np.inf
    later[3, 256:] = 50.0
    rows.append(later)
    spread = np.linspace(-130.0, 0.0, 8 * 131, dtype=np.float32).reshape(8, 131)   # x - max from -130 to 0
    spread[:, 0] = 0.0
    rows.append(spread)
    special = rng.standard_normal((8, 37)).astype(np.float32)
    special[0, 3] = np.nan
    special[1, 5] = np.inf
    special[2, :] = -np.inf
    special[3, 7] = -np.inf
    special[4, :] = -np.abs(special[4, :]); special[4, 9] = -0.0; special[4, 20] = 0.0
    special[5, :] = -np.abs(special[5, :]); special[5, 2] = 0.0; special[5, 30] = -0.0
    special[6, :] = 0.0
    special[7, :] = 88.0
    rows.append(special)

    def run(x):
        out = np.empty_like(x)
        S.softmax_fwd(x, out, 2)
        return out

    for x in rows:
        S._use_fused_rows(False)
        try:
            spec = run(x)
        finally:
            S._use_fused_rows(True)
        for lvl in BUILDS:
            assert S._force_build(lvl) == lvl
            assert same(run(x), spec), (x.shape, lvl)
        S._force_build(BUILDS[-1])


def test_polynomial_header_is_the_generators_output(tmp_path):
    """refnn_math_poly.h is exactly what tools/fit_refnn_math.py writes (no hand edits to the coefficients)."""
    pytest.importorskip("mpmath", reason="the fits need mpmath")
    import os

    from tools import fit_refnn_math
    out = tmp_path / "poly.h"
    fit_refnn_math.main(["--out", str(out)])
    committed = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                             "refnn", "_kernels", "include", "refnn_math_poly.h")
    assert out.read_text() == open(committed).read()


def test_float32_cross_entropy_sums_equal_log_softmax_in_every_build():
    """refnn_ce_rows.h's exponential sums (the AVX-512 build: 16 exponentials at once, added as two steps of 8)
    give log_softmax's row sums, so the fused float32 cross_entropy equals nll_loss(log_softmax(x)) bit for bit,
    in every build, for rows of every length mod 16"""
    import refnn
    import refnn.nn.functional as F
    from refnn import _isa

    rng = np.random.default_rng(15)
    for build in _isa.supported_builds():
        with _isa.forced(build):
            for D in (1, 7, 8, 15, 16, 17, 24, 31, 33, 257, 1000, 4099):
                x_data = (rng.standard_normal((6, D)) * 6).astype(np.float32)
                x_data[5, rng.integers(0, D)] = np.inf
                target = refnn.Tensor(rng.integers(0, D, size=6))
                got, want = [], []
                for fn, out in ((F.cross_entropy, got),
                                (lambda x, t: F.nll_loss(F.log_softmax(x, dim=1), t), want)):
                    x = refnn.Tensor(x_data.copy(), requires_grad=True)
                    loss = fn(x, target)
                    loss.backward()
                    out += [np.atleast_1d(loss.data), x.grad.data]
                assert same(got[0], want[0]) and same(got[1], want[1]), (build, D)
