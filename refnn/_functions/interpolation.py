"""Interpolation (F.interpolate): index/weight tables per dim, and the Functions that use them.

Every mode reduces to tables computed once per output line along each spatial dim, in the
arithmetic torch uses on CPU (the "opmath" type: float32 for float32 input, float64 for float64;
``floorf`` rounds its argument to float32 first, as C does).  The kernels in
``refnn._kernels.interpolation`` then only gather (forward) and scatter (backward).

Inputs are viewed as (P, D, H, W) planes: P = N*C, and 1-d / 2-d inputs get unit leading spatial
dims, whose tables are the identity (one tap, weight 1), so one loop serves 1-d, 2-d and 3-d.
"""
import math

import numpy as np

from .._C.buffers import empty
from .._kernels import interpolation as K
from ..autograd import Function
from ..tensor import Tensor
from ._util import contiguous, threads
from .pooling import check_adaptive_grad

F32 = np.float32


# ---------------------------------------------------------------- torch's scale rules
def scales_value(T, scale, input_size, output_size):
    """compute_scales_value: 1/scale_factor when one was given (and is > 0), else in/out, in type T."""
    if scale is not None and scale > 0:
        return T(1.0 / scale)
    return T(input_size) / T(output_size)


def pixel_scale(T, input_size, output_size, align_corners, scale):
    """area_pixel_compute_scale: (in-1)/(out-1) with align_corners (0 for one output), else scales_value."""
    if align_corners:
        return T(input_size - 1) / T(output_size - 1) if output_size > 1 else T(0)
    return scales_value(T, scale, input_size, output_size)


def source_index(T, scale, output_size, align_corners, cubic):
    """area_pixel_compute_source_index for every output index: scale*o (in T), or scale*(o+0.5)-0.5
    (clamped at 0 unless cubic)."""
    o = np.arange(output_size)
    if align_corners:
        return scale * o.astype(T)
    # torch writes scale * (o + 0.5) - 0.5 with double literals: evaluated in double, rounded once to T
    real = (np.float64(scale) * (o + 0.5) - 0.5).astype(T)
    return real if cubic else np.maximum(real, T(0))


def floorf(values):
    """C's floorf on an opmath value: round to float32, then floor, as int64."""
    return np.floor(np.asarray(values).astype(F32)).astype(np.intp)


# ---------------------------------------------------------------- nearest
def nearest_table(T, input_size, output_size, scale, exact):
    """Forward source index per output index (torch's HelperInterpNearest / NearestExact)."""
    s = pixel_scale(T, input_size, output_size, False, scale)
    if exact:
        real = source_index(T, s, output_size, False, cubic=False)
        idx = floorf(real + T(0.5))
    else:
        idx = floorf(s * np.arange(output_size).astype(T))
    return np.minimum(idx, input_size - 1).astype(np.intp)


def nearest_backward_table(input_size, output_size, scale, exact):
    """Backward source index per output index (torch's nearest_idx / nearest_exact_idx, float scale)."""
    o = np.arange(output_size)
    s = scales_value(F32, scale, input_size, output_size)
    if exact:
        idx = floorf((o + 0.5) * np.float64(s))
    elif output_size == input_size:
        idx = o
    elif output_size == 2 * input_size:
        idx = o >> 1
    else:
        idx = floorf(o.astype(F32) * s)
    return np.minimum(idx, input_size - 1).astype(np.intp)


# ---------------------------------------------------------------- linear and cubic
def linear_table(T, input_size, output_size, align_corners, scale):
    """Two taps per output index: (index0, index1), (lambda0, lambda1) (compute_source_index_and_lambda)."""
    idx = empty((output_size, 2), dtype=np.intp)
    weight = empty((output_size, 2), dtype=T)
    if output_size == input_size:
        idx[:, 0] = idx[:, 1] = np.arange(output_size)
        weight[:, 0], weight[:, 1] = 1, 0
        return idx, weight
    s = pixel_scale(T, input_size, output_size, align_corners, scale)
    real = source_index(T, s, output_size, align_corners, cubic=False)
    index0 = np.minimum(floorf(real), input_size - 1)
    lambda1 = np.minimum(np.maximum(real - index0.astype(T), T(0)), T(1))
    idx[:, 0] = index0
    idx[:, 1] = index0 + (index0 < input_size - 1)
    weight[:, 0] = T(1) - lambda1
    weight[:, 1] = lambda1
    return idx, weight


def _cubic1(x, A, T):
    """Keys' cubic for |x| <= 1: ((A+2)x - (A+3)) x^2 + 1."""
    return ((A + T(2)) * x - (A + T(3))) * x * x + T(1)


def _cubic2(x, A, T):
    """Keys' cubic for 1 < |x| < 2: ((A x - 5A) x + 8A) x - 4A."""
    return ((A * x - T(5) * A) * x + T(8) * A) * x - T(4) * A


def cubic_table(T, input_size, output_size, align_corners, scale):
    """Four taps per output index, A = -0.75, indices clamped to the border (torch's HelperInterpCubic)."""
    s = pixel_scale(T, input_size, output_size, align_corners, scale)
    real = source_index(T, s, output_size, align_corners, cubic=True)
    index = np.minimum(floorf(real), input_size - 1)
    t = np.minimum(np.maximum(real - index.astype(T), T(0)), T(1))
    A = T(-0.75)
    weight = empty((output_size, 4), dtype=T)
    weight[:, 0] = _cubic2(t + T(1), A, T)
    weight[:, 1] = _cubic1(t, A, T)
    weight[:, 2] = _cubic1(T(1) - t, A, T)
    weight[:, 3] = _cubic2(T(1) - t + T(1), A, T)
    idx = np.clip(index[:, None] + np.arange(-1, 3)[None, :], 0, input_size - 1).astype(np.intp)
    return idx, weight


def identity_table(T, size):
    """One tap of weight 1 per index (a unit dim, or torch's bicubic same-size backward copy)."""
    return np.arange(size, dtype=np.intp)[:, None].copy(), np.ones((size, 1), dtype=T)


# ---------------------------------------------------------------- area
def area_table(input_size, output_size):
    """Adaptive-average windows: start = floor(o*I/O), end = ceil((o+1)*I/O)."""
    o = np.arange(output_size)
    start = (o * input_size) // output_size
    end = ((o + 1) * input_size + output_size - 1) // output_size
    return start.astype(np.intp), end.astype(np.intp)


# ---------------------------------------------------------------- antialias
def _linear_filter(x, T):
    x = abs(x)
    return T(1) - x if x < 1 else T(0)


def _cubic_filter(x, T):
    """Keys' cubic with A = -0.5 (torch's antialias bicubic, as Pillow)."""
    A = T(-0.5)
    x = abs(x)
    if x < 1:
        return _cubic1(x, A, T)
    if x < 2:
        return _cubic2(x, A, T)
    return T(0)


def _lanczos_filter(x, T):
    """Lanczos-3: sinc(x) sinc(x/3) for |x| < 3."""
    x = float(x)
    if x == 0.0:
        return T(1)
    if -3.0 < x < 3.0:
        px = math.pi * x
        return T(3.0 * math.sin(px) * math.sin(px / 3.0) / (px * px))
    return T(0)


FILTERS = {"bilinear": (2, _linear_filter), "bicubic": (4, _cubic_filter), "lanczos": (6, _lanczos_filter)}


def antialias_table(T, input_size, output_size, align_corners, scale, mode):
    """Pillow-style filter taps per output index: (index_min, index_size, weights[O, max_taps])."""
    interp_size, filt = FILTERS[mode]
    s = pixel_scale(T, input_size, output_size, align_corners, scale)
    support = T(interp_size * 0.5 * float(s)) if s >= 1.0 else T(interp_size * 0.5)
    max_taps = int(math.ceil(support)) * 2 + 1
    invscale = T(1.0 / float(s)) if s >= 1.0 else T(1)
    index_min = empty(output_size, dtype=np.intp)
    index_size = empty(output_size, dtype=np.intp)
    weights = np.zeros((output_size, max_taps), dtype=T)
    for o in range(output_size):
        center = T(float(s) * (o + 0.5))
        lo = max(int(float(center - support) + 0.5), 0)
        size = min(int(float(center + support) + 0.5), input_size) - lo
        size = min(max(size, 0), max_taps)
        total = T(0)
        for j in range(size):
            w = filt(T((float(T(j + lo) - center) + 0.5) * float(invscale)), T)
            weights[o, j] = w
            total = T(total + w)
        if total != 0:
            weights[o, :size] = weights[o, :size] / total
        index_min[o], index_size[o] = lo, size
    return index_min, index_size, weights


# ---------------------------------------------------------------- plumbing
def as_planes(array):
    """(N, C, *spatial) -> C-contiguous (N*C, D, H, W) with unit leading spatial dims."""
    return contiguous(array).reshape(plane_shape(array.shape[0] * array.shape[1], array.shape[2:]))


def _pad_tables(tables, ndim, unit):
    """Tables for the 3 kernel dims: the unit dims first, then the real ones."""
    return [unit] * (3 - ndim) + list(tables)


def plane_shape(planes, spatial):
    """(P, D, H, W) for P planes of the given 1-3 spatial sizes (unit dims first)."""
    return (planes,) + (1,) * (3 - len(spatial)) + tuple(spatial)


class NearestFunction(Function):
    """mode='nearest' / 'nearest-exact'."""

    @staticmethod
    def forward(ctx, input, output_size, scales, exact):
        x = input.data
        T = x.dtype.type
        in_spatial = x.shape[2:]
        if len(output_size) == 2 and sum(output_size) <= 128:
            # torch runs small 2-d outputs through its channels-last kernel, which uses the
            # float-scale nearest_idx rule (the backward's) rather than the opmath tables
            tables = [nearest_backward_table(i, o, s, exact) for i, o, s in zip(in_spatial, output_size, scales)]
        else:
            tables = [nearest_table(T, i, o, s, exact) for i, o, s in zip(in_spatial, output_size, scales)]
        unit = np.zeros(1, dtype=np.intp)
        planes = as_planes(x)
        out = empty(plane_shape(planes.shape[0], output_size), dtype=x.dtype)
        width_table = tables[-1]
        factor = len(width_table) // x.shape[-1]
        repeat_w = factor if factor * x.shape[-1] == len(width_table) and np.array_equal(
            width_table, np.arange(len(width_table)) // factor) else 0
        K.nearest_fwd(planes, out, *_pad_tables(tables, len(output_size), unit), repeat_w, threads())
        ctx.meta = (x.shape, tuple(output_size), tuple(scales), exact)
        return Tensor(out.reshape(x.shape[:2] + tuple(output_size)))

    @staticmethod
    def backward(ctx, grad):
        input_shape, output_size, scales, exact = ctx.meta
        if not ctx.needs_input_grad[0]:
            return None, None, None, None
        tables = [nearest_backward_table(i, o, s, exact)
                  for i, o, s in zip(input_shape[2:], output_size, scales)]
        unit = np.zeros(1, dtype=np.intp)
        grad_planes = as_planes(grad)
        grad_input = np.zeros(plane_shape(grad_planes.shape[0], input_shape[2:]), dtype=grad.dtype)
        K.nearest_bwd(grad_planes, grad_input, *_pad_tables(tables, len(output_size), unit), threads())
        return grad_input.reshape(input_shape), None, None, None


def _separable_tables(T, in_spatial, output_size, scales, align_corners, cubic):
    build = cubic_table if cubic else linear_table
    tables = [build(T, i, o, align_corners, s) for i, o, s in zip(in_spatial, output_size, scales)]
    return _flatten(_pad_tables(tables, len(output_size), identity_table(T, 1)))


def _flatten(tables):
    return [array for pair in tables for array in pair]


class SeparableFunction(Function):
    """mode='linear' / 'bilinear' / 'trilinear' (two taps per dim) and 'bicubic' (four taps)."""

    @staticmethod
    def forward(ctx, input, output_size, scales, align_corners, cubic):
        x = input.data
        T = x.dtype.type
        planes = as_planes(x)
        out = empty(plane_shape(planes.shape[0], output_size), dtype=x.dtype)
        K.separable_fwd(planes, out, *_separable_tables(T, x.shape[2:], output_size, scales, align_corners, cubic),
                        True, threads())
        ctx.meta = (x.shape, tuple(output_size), tuple(scales), align_corners, cubic)
        return Tensor(out.reshape(x.shape[:2] + tuple(output_size)))

    @staticmethod
    def backward(ctx, grad):
        input_shape, output_size, scales, align_corners, cubic = ctx.meta
        if not ctx.needs_input_grad[0]:
            return None, None, None, None, None
        T = grad.dtype.type
        in_spatial = input_shape[2:]
        if cubic and tuple(in_spatial) == tuple(output_size):
            # torch's bicubic backward copies the gradient when no spatial size changes
            tables = _flatten(_pad_tables([identity_table(T, n) for n in in_spatial], len(in_spatial),
                                          identity_table(T, 1)))
        else:
            tables = _separable_tables(T, in_spatial, output_size, scales, align_corners, cubic)
        grad_planes = as_planes(grad)
        grad_input = np.zeros(plane_shape(grad_planes.shape[0], in_spatial), dtype=grad.dtype)
        K.separable_bwd(grad_planes, grad_input, *tables, cubic, True, threads())
        return grad_input.reshape(input_shape), None, None, None, None


class AreaFunction(Function):
    """mode='area': adaptive average pooling to output_size."""

    @staticmethod
    def forward(ctx, input, output_size):
        x = input.data
        planes = as_planes(x)
        tables = [area_table(i, o) for i, o in zip(x.shape[2:], output_size)]
        unit = (np.zeros(1, dtype=np.intp), np.ones(1, dtype=np.intp))
        out = empty(plane_shape(planes.shape[0], output_size), dtype=x.dtype)
        K.area_fwd(planes, out, *_flatten(_pad_tables(tables, len(output_size), unit)), threads())
        ctx.meta = (x.shape, tuple(output_size))
        ctx.tables = _flatten(_pad_tables(tables, len(output_size), unit))
        return Tensor(out.reshape(x.shape[:2] + tuple(output_size)))

    @staticmethod
    def backward(ctx, grad):
        input_shape, output_size = ctx.meta
        if not ctx.needs_input_grad[0]:
            return None, None
        # torch's area mode is adaptive_avg_pool{1,2,3}d; 1-d runs as 2-d
        check_adaptive_grad(f"adaptive_avg_pool{max(len(output_size), 2)}d_backward", grad.shape, output_size)
        grad_planes = as_planes(grad)
        grad_input = np.zeros(plane_shape(grad_planes.shape[0], input_shape[2:]), dtype=grad.dtype)
        K.area_bwd(grad_planes, grad_input, *ctx.tables, threads())
        return grad_input.reshape(input_shape), None


class AntialiasFunction(Function):
    """antialias=True for 'bilinear' / 'bicubic' (and 'lanczos'), 4-d input: separable filter passes,
    width first, then height; a dim whose size does not change is not resampled."""

    @staticmethod
    def forward(ctx, input, output_size, scales, align_corners, mode):
        x = contiguous(input.data)
        T = x.dtype.type
        N, C, H, W = x.shape
        OH, OW = output_size
        current = x
        if OW != W:
            index_min, index_size, weights = antialias_table(T, W, OW, align_corners, scales[1], mode)
            out = empty((N * C * H, OW, 1), dtype=x.dtype)
            K.resample_axis_fwd(current.reshape(N * C * H, W, 1), out, index_min, index_size, weights, threads())
            current = out.reshape(N, C, H, OW)
        if OH != H:
            width = current.shape[3]
            index_min, index_size, weights = antialias_table(T, H, OH, align_corners, scales[0], mode)
            if width == 1:
                # torch 2.13 quirk, reproduced: with a single output column its vertical pass
                # applies output row 0's filter to every output row (its backward does not)
                index_min[:], index_size[:], weights[:] = index_min[0], index_size[0], weights[0]
            out = empty((N * C, OH, width), dtype=x.dtype)
            K.resample_axis_fwd(contiguous(current).reshape(N * C, H, width), out, index_min, index_size, weights,
                                threads())
            current = out.reshape(N, C, OH, width)
        if current is x:
            current = x.copy()
        ctx.meta = (x.shape, tuple(output_size), tuple(scales), align_corners, mode)
        return Tensor(current)

    @staticmethod
    def backward(ctx, grad):
        input_shape, output_size, scales, align_corners, mode = ctx.meta
        if not ctx.needs_input_grad[0]:
            return None, None, None, None, None
        T = grad.dtype.type
        N, C, H, W = input_shape
        OH, OW = output_size
        ymin, ysize, wy = antialias_table(T, H, OH, align_corners, scales[0], mode)
        xmin, xsize, wx = antialias_table(T, W, OW, align_corners, scales[1], mode)
        grad_input = np.zeros((N * C, H, W), dtype=grad.dtype)
        K.antialias2d_bwd(contiguous(grad).reshape(N * C, OH, OW), grad_input, ymin, ysize, wy, xmin, xsize, wx,
                          threads())
        return grad_input.reshape(input_shape), None, None, None, None
