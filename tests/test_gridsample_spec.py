"""grid_sample's blocked kernels (grid_sample_fwd, grid_sample_bwd) give the bits of the specification's
one-point-at-a-time loops (grid_sample_fwd_spec, grid_sample_bwd_input_spec, grid_sample_bwd_grid_spec),
for every mode, padding, rank and dtype, at any thread count, in every kernel build this CPU runs
(refnn_grid_rows.h: baseline, AVX2 gathers, AVX-512), with taps outside, non-finite coordinates, and
non-finite values and gradients (which a tap outside must not touch)."""
import zlib

import numpy as np
import pytest

import refnn
from refnn import _isa
from refnn._kernels import gridsample as K

MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


@pytest.fixture(autouse=True, params=_isa.supported_builds())
def kernel_build(request):
    """Every test of this file runs once per kernel build the CPU supports."""
    with _isa.forced(request.param):
        assert refnn.kernel_build() == request.param
        yield request.param


def _bits_equal(a, b):
    assert a.shape == b.shape
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    assert np.array_equal(nan_a, nan_b)
    assert np.array_equal(np.where(nan_a, 0, a).view(np.uint8), np.where(nan_b, 0, b).view(np.uint8))


def _case(rng, dims, dtype, N, C, spatial, points, nonfinite):
    x = rng.standard_normal((N, C) + spatial).astype(dtype)
    grid = rng.uniform(-1.3, 1.3, size=(N, points, dims)).astype(dtype)
    grad = rng.standard_normal((N, C, points)).astype(dtype)
    # points exactly on pixel centres and edges, and signed zeros
    grid[:, ::5] = np.round(grid[:, ::5] * 4) / 4
    grid[:, 1::7, 0] = -0.0
    if nonfinite:
        flat = grid.reshape(-1)
        flat[3::11] = np.array([np.nan, np.inf, -np.inf, 1e30, -1e30], dtype)[np.arange(len(flat[3::11])) % 5]
        x.reshape(-1)[::13] = np.array([np.nan, np.inf, -np.inf, -0.0], dtype)[np.arange(len(x.reshape(-1)[::13])) % 4]
        grad.reshape(-1)[2::17] = np.array([np.inf, np.nan, -np.inf], dtype)[np.arange(len(grad.reshape(-1)[2::17])) % 3]
    if dims == 2:
        x = x.reshape((N, C, 1) + spatial)
    return np.ascontiguousarray(x), np.ascontiguousarray(grid), np.ascontiguousarray(grad)


SHAPES = [  # dims, N, C, spatial, points (not a multiple of the block, one block, several blocks)
    (2, 3, 5, (6, 7), 301),
    (2, 1, 3, (1, 4), 64),
    (2, 4, 2, (9, 5), 700),
    (3, 2, 3, (3, 4, 5), 257),
    (3, 3, 2, (1, 2, 6), 70),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding", list(PADDINGS))
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("nonfinite", [False, True])
def test_blocked_equals_spec(dtype, mode, padding, align, nonfinite):
    rng = np.random.default_rng(zlib.crc32(repr((mode, padding, align, nonfinite)).encode()))
    for dims, N, C, spatial, points in SHAPES:
        if mode == "bicubic" and dims == 3:
            continue
        x, grid, grad = _case(rng, dims, dtype, N, C, spatial, points, nonfinite)
        args = (MODES[mode], PADDINGS[padding], align)
        out_spec = np.empty((N, C, points), dtype)
        K.grid_sample_fwd_spec(x, grid, out_spec, *args, 1)
        gin_spec = np.empty_like(x)
        ggrid_spec = np.empty_like(grid)
        K.grid_sample_bwd_input_spec(grad, grid, gin_spec, *args, 1)
        K.grid_sample_bwd_grid_spec(x, grad, grid, ggrid_spec, *args, 1)
        for threads in (1, 2, 3):
            out = np.full((N, C, points), 7, dtype)
            K.grid_sample_fwd(x, grid, out, *args, threads)
            _bits_equal(out, out_spec)
            for want_input, want_grid in ((True, True), (True, False), (False, True)):
                gin = np.full_like(x, 7) if want_input else None
                ggrid = np.full_like(grid, 7) if want_grid else None
                K.grid_sample_bwd(x, grad, grid, gin, ggrid, *args, threads)
                if want_input:
                    _bits_equal(gin, gin_spec)
                if want_grid:
                    _bits_equal(ggrid, ggrid_spec)


def test_blocked_empty_extents():
    """No channels or no points: the gradients are zeros (or empty), as the specification leaves them."""
    x = np.ones((2, 3, 1, 4, 5), np.float32)
    grid = np.zeros((2, 0, 2), np.float32)
    grad = np.zeros((2, 3, 0), np.float32)
    gin = np.full_like(x, 7)
    K.grid_sample_bwd(x, grad, grid, gin, np.empty_like(grid), 0, 0, False, 2)
    assert not gin.any()
    x = np.ones((2, 0, 1, 4, 5), np.float32)
    grid = np.full((2, 6, 2), 0.1, np.float32)
    ggrid = np.full_like(grid, 7)
    K.grid_sample_bwd(x, np.zeros((2, 0, 6), np.float32), grid, np.empty_like(x), ggrid, 0, 0, False, 2)
    assert not ggrid.any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding", ["zeros", "border"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("dims", [2, 3])
def test_blocked_taps_at_the_int_range_edges(dtype, padding, align, dims):
    """Grid coordinates whose pixel positions sweep the float32 neighbours of -2**31, 2**31 - 2 and 2**31
    (where a position becomes -100) and of +-2**24, and cells across the plane's edges: the SIMD taps of
    refnn_grid_rows.h (positions unnormalised in double, then rounded) give the specification's bits."""
    W, H, D = 7, 5, 3
    size = {0: W, 1: H, 2: D}
    pixels = []
    for target in (-2.0 ** 31, 2.0 ** 31 - 2, 2.0 ** 31, 2.0 ** 24, -2.0 ** 24, -1.0, 0.0, 5.5, 6.0, 6.5):
        v = np.float32(target)
        for _ in range(20):
            v = np.nextafter(v, np.float32(-np.inf))
        for _ in range(40):
            pixels.append(v)
            v = np.nextafter(v, np.float32(np.inf))
    pixels = np.array(pixels, np.float64)
    P = len(pixels)
    grid = np.zeros((2, P, dims), np.float64)
    rng = np.random.default_rng(5)
    for k in range(dims):
        n = size[k]
        # the grid coordinate whose unnormalised position is (about) the wanted pixel
        coords = (2 * pixels / (n - 1) - 1) if align else ((2 * pixels + 1) / n - 1)
        grid[0, :, k] = coords if k == 0 else rng.uniform(-1.2, 1.2, P)
        grid[1, :, k] = rng.permutation(coords)
    grid = np.ascontiguousarray(grid.astype(dtype))
    x = rng.standard_normal((2, 3) + ((D,) if dims == 3 else (1,)) + (H, W)).astype(dtype)
    grad = rng.standard_normal((2, 3, P)).astype(dtype)
    args = (0, PADDINGS[padding], align)
    out_spec = np.empty((2, 3, P), dtype)
    K.grid_sample_fwd_spec(x, grid, out_spec, *args, 1)
    gin_spec, ggrid_spec = np.empty_like(x), np.empty_like(grid)
    K.grid_sample_bwd_input_spec(grad, grid, gin_spec, *args, 1)
    K.grid_sample_bwd_grid_spec(x, grad, grid, ggrid_spec, *args, 1)
    for threads in (1, 2):
        out = np.full_like(out_spec, 7)
        K.grid_sample_fwd(x, grid, out, *args, threads)
        _bits_equal(out, out_spec)
        gin, ggrid = np.full_like(x, 7), np.full_like(grid, 7)
        K.grid_sample_bwd(x, grad, grid, gin, ggrid, *args, threads)
        _bits_equal(gin, gin_spec)
        _bits_equal(ggrid, ggrid_spec)
